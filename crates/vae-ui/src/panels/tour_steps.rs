//! The guided tour's steps, in the order a lesson explains a VAE: each names the element it
//! speaks of and the section that shows it. Free of the DOM so the table is tested natively.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
use super::sections::Section;

pub struct Step {
    pub element: &'static str,
    pub section: Section,
    pub title: &'static str,
    pub text: &'static str,
}

pub const STEPS: [Step; 10] = [
    Step { element: "flow-x", section: Section::Train, title: "x: an image", text: "Everything starts with an image: here 28 × 28 = 784 pixels, each a number between 0 and 1." },
    Step { element: "flow-encoder", section: Section::Train, title: "The encoder", text: "A neural network reads the image and writes a short description of it — like a critic who describes a picture in a few uncertain words instead of copying it." },
    Step { element: "flow-posterior", section: Section::Train, title: "μ and σ", text: "The description is a Gaussian per latent dimension: a best guess μ and an uncertainty σ. Together they are q(z|x), the posterior." },
    Step { element: "flow-z", section: Section::Train, title: "Sampling z", text: "z = μ + σ·ε with ε ~ N(0, I): one reading of the description. Writing the sample this way (the reparameterisation) lets the gradient flow back into μ and σ." },
    Step { element: "flow-decoder", section: Section::Train, title: "The decoder", text: "A second network paints an image x̂ from z — a painter who works from the description alone." },
    Step { element: "formula", section: Section::Train, title: "The two loss terms", text: "Reconstruction: how far the painting is from the original. KL: how far the description is from the agreed format N(0, I). β weighs the second against the first." },
    Step { element: "train", section: Section::Train, title: "Press Train", text: "Each step takes a batch of images, computes both terms and nudges every weight to lower their sum. Watch the curves: reconstruction falls, KL rises, then settles." },
    Step { element: "samples", section: Section::Train, title: "Samples from the prior", text: "Draw z from N(0, I) — no image at all — and decode it. Because of the KL term these random descriptions paint something sensible." },
    Step { element: "latent-sliders", section: Section::Latent, title: "The sliders are z", text: "Each slider is one latent dimension. Move one and watch the decoded image change: that is what that dimension has learned to mean." },
    Step { element: "beta", section: Section::Train, title: "What changes with β", text: "β = 0 makes a plain autoencoder: sharp reconstructions, useless samples. β = 8 pulls every description to the prior: dimensions switch off and images blur. Try both (the Lesson presets do it for you)." },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_speaks_of_an_element_the_page_has() {
        let page = include_str!("../../../../www/index.html");
        for s in &STEPS {
            assert!(
                page.contains(&format!("id=\"{}\"", s.element)),
                "{}: #{} is not in index.html",
                s.title,
                s.element
            );
            assert!(!s.text.is_empty());
        }
        assert!((8..=12).contains(&STEPS.len()));
    }
}
