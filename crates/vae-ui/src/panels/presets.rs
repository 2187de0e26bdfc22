//! Lesson presets: one choice sets the settings, opens the panel that shows the point, and says
//! in two sentences what to look for. Each is also a link (`?preset=…` plus its settings).
//! Free of the DOM so every preset is checked natively.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
use super::sections::Section;

pub struct Preset {
    /// The `#preset` option's value and the link's `preset=`.
    pub name: &'static str,
    pub title: &'static str,
    /// The settings, as a link's query (anything not named keeps its default).
    pub query: &'static str,
    pub section: Section,
    /// Start from fresh weights even when the settings are the pretrained model's.
    pub fresh: bool,
    pub what_to_look_for: &'static str,
}

pub const PRESETS: [Preset; 7] = [
    Preset {
        name: "from-scratch",
        title: "A VAE from scratch on MNIST",
        query: "dataset=mnist",
        section: Section::Train,
        fresh: true,
        what_to_look_for: "Press Train: the samples start as grey noise and become digits within a minute. Watch the reconstruction term fall fast while the KL term rises, then settles.",
    },
    Preset {
        name: "autoencoder",
        title: "A plain autoencoder (β = 0)",
        query: "dataset=mnist&beta=0",
        section: Section::Train,
        fresh: true,
        what_to_look_for: "Press Train: reconstructions get sharp, but samples from the prior stay blotchy. Nothing pulls the codes towards N(0, I), so a random z rarely lands where the decoder learned to draw.",
    },
    Preset {
        name: "collapse",
        title: "Too much KL (β = 8): posterior collapse",
        query: "dataset=mnist&beta=8&lr=0.003",
        section: Section::Dimensions,
        fresh: true,
        what_to_look_for: "Press Train and watch KL per dimension: most dimensions fall to zero and stop carrying anything. The traversals of those rows stop changing the image; the samples get blurry.",
    },
    Preset {
        name: "latent-2d",
        title: "A 2-D latent space",
        query: "dataset=mnist&latent=2",
        section: Section::Latent,
        fresh: true,
        what_to_look_for: "Press Train: the held-out digits spread into clusters on the latent map, one colour per digit. Then open Dimensions to see the manifold: every point of the plane decodes to a digit.",
    },
    Preset {
        name: "shapes",
        title: "Disentangled shapes (β = 4)",
        query: "dataset=shapes&latent=8&beta=4&lr=0.003",
        section: Section::Dimensions,
        fresh: true,
        what_to_look_for: "Press Train for a minute: a few dimensions carry all the KL. Their traversals each move one thing — position, size or rotation — while the others stay put.",
    },
    Preset {
        name: "style",
        title: "Style and content (conditional VAE)",
        query: "dataset=mnist&latent=2&hidden=256&cvae=1&lr=0.003",
        section: Section::Apply,
        fresh: true,
        what_to_look_for: "Press Train for a minute: the model is told the digit, so z keeps only the handwriting. In style transfer each row writes every digit in one image's style.",
    },
    Preset {
        name: "colour",
        title: "Colour shapes",
        // Tuned to show colour within a minute on a 2-core laptop: the conv model (55 ms a
        // step in the worker) still drew grey dots after 60 s; this MLP draws coloured shapes by
        // 20 s. The β warm-up lets the decoder learn colour before the KL term pulls in.
        query: "dataset=colour-shapes&latent=8&hidden=256&cvae=1&lr=0.003&batch=64&warmup=400",
        section: Section::Train,
        fresh: true,
        what_to_look_for: "Press Train: within half a minute the samples turn into coloured squares, discs and triangles. The model is told each shape's class, so z holds its colour, size and place.",
    },
];

pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

impl Preset {
    /// The preset as a link's query string.
    pub fn link(&self) -> String {
        format!(
            "?{}&preset={}#{}",
            self.query,
            self.name,
            self.section.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vae_protocol::Settings;

    #[test]
    fn every_preset_is_a_valid_link_that_changes_something() {
        for p in &PRESETS {
            let (settings, errors) = Settings::from_query(p.query);
            assert!(errors.is_empty(), "{}: {errors:?}", p.name);
            assert!(p.fresh || settings != Settings::default(), "{}", p.name);
            assert!(p.what_to_look_for.split(". ").count() <= 3 && !p.title.is_empty());
            let (from_link, errors) = Settings::from_query(p.link().split('#').next().unwrap());
            assert_eq!(
                (from_link, errors),
                (settings, vec![]),
                "{}: the link holds the settings",
                p.name
            );
            assert_eq!(find(p.name).map(|f| f.name), Some(p.name));
        }
        assert_eq!(
            Settings::from_query(find("collapse").unwrap().query).0.beta,
            8.0
        );
    }
}
