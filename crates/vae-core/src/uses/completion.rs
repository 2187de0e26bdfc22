//! Image completion: hide a region, then let the model fill it in. Start with the hidden pixels
//! at the data's mean image, then repeatedly encode, sample z ~ q(z|x), decode, and put the known
//! pixels back (Rezende et al. 2014, §5). Each chain of samples gives its own plausible filling.
use crate::config::{ImageShape, VaeConfig};
use crate::data::Dataset;
use crate::latent::{decode, encode};
use crate::model::Vae;
use crate::rng::Rng;

/// The regions a student can hide with one click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskPreset {
    TopHalf,
    BottomHalf,
    LeftHalf,
    RightHalf,
    CentreSquare,
}

impl MaskPreset {
    pub const ALL: [MaskPreset; 5] = [
        Self::TopHalf,
        Self::BottomHalf,
        Self::LeftHalf,
        Self::RightHalf,
        Self::CentreSquare,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::TopHalf => "top-half",
            Self::BottomHalf => "bottom-half",
            Self::LeftHalf => "left-half",
            Self::RightHalf => "right-half",
            Self::CentreSquare => "centre-square",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// One flag per pixel position (row-major, height × width): true where the pixel is hidden.
    /// The centre square is half the side, so it hides a quarter of the image.
    pub fn hidden(self, shape: ImageShape) -> Vec<bool> {
        let (w, h) = (shape.width, shape.height);
        (0..h * w)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                match self {
                    Self::TopHalf => y < h / 2,
                    Self::BottomHalf => y >= h / 2,
                    Self::LeftHalf => x < w / 2,
                    Self::RightHalf => x >= w / 2,
                    Self::CentreSquare => {
                        (w / 4..w / 4 + w / 2).contains(&x) && (h / 4..h / 4 + h / 2).contains(&y)
                    }
                }
            })
            .collect()
    }
}

/// The mean image of a dataset: the fill that knows nothing about the image at hand.
pub fn mean_image(data: &Dataset) -> Vec<f32> {
    let p = data.shape.pixels();
    let mut mean = vec![0.0f32; p];
    for image in data.images().chunks(p) {
        mean.iter_mut().zip(image).for_each(|(m, v)| *m += v);
    }
    let n = data.len().max(1) as f32;
    mean.iter_mut().for_each(|m| *m /= n);
    mean
}

/// Is value `i` of a planar image hidden? Every channel of a hidden position is.
fn is_hidden(hidden: &[bool], i: usize) -> bool {
    hidden[i % hidden.len()]
}

/// `images` with their hidden pixels replaced by `fill`'s.
pub fn fill_hidden(images: &[f32], hidden: &[bool], fill: &[f32]) -> Vec<f32> {
    let p = fill.len();
    images
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if is_hidden(hidden, i % p) {
                fill[i % p]
            } else {
                v
            }
        })
        .collect()
}

/// Completes each image of `images` (n × pixels, labels for a conditional model): hidden pixels
/// start at `fill`, then `iterations` rounds of encode → z ~ q(z|x) → decode → restore the known
/// pixels. Known pixels are never changed. Each call is one chain: its samples find one plausible
/// filling (a 4 may become a 9).
#[allow(clippy::too_many_arguments)]
pub fn complete(
    model: &Vae,
    cfg: &VaeConfig,
    images: &[f32],
    labels: &[u8],
    hidden: &[bool],
    fill: &[f32],
    iterations: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    let p = cfg.image.pixels();
    let mut x = fill_hidden(images, hidden, fill);
    for _ in 0..iterations {
        let (mu, log_var) = encode(model, cfg, &x, labels);
        let z: Vec<f32> = mu
            .iter()
            .zip(&log_var)
            .map(|(m, lv)| m + (0.5 * lv).exp() * rng.normal())
            .collect();
        let decoded = decode(model, cfg, &z, labels);
        for (i, v) in x.iter_mut().enumerate() {
            if is_hidden(hidden, i % p) {
                *v = decoded[i];
            }
        }
    }
    x
}

/// The pixel-wise mean of `chains` equally long fillings: the model's estimate of the expected
/// image given the known pixels. Squared error rewards this average, not any single sharp chain
/// (on the pretrained model one chain's error is above the mean image's, the average's below).
pub fn average(chains: &[f32], chain_len: usize) -> Vec<f32> {
    let k = (chains.len() / chain_len.max(1)).max(1) as f32;
    let mut mean = vec![0.0f32; chain_len];
    for chain in chains.chunks(chain_len) {
        mean.iter_mut().zip(chain).for_each(|(m, v)| *m += v / k);
    }
    mean
}

/// `chains` completions of one image, each from its own posterior samples.
#[allow(clippy::too_many_arguments)]
pub fn complete_one(
    model: &Vae,
    cfg: &VaeConfig,
    image: &[f32],
    label: u8,
    hidden: &[bool],
    fill: &[f32],
    iterations: usize,
    chains: usize,
    rng: &mut Rng,
) -> Vec<f32> {
    let copies: Vec<f32> = image
        .iter()
        .copied()
        .cycle()
        .take(image.len() * chains)
        .collect();
    complete(
        model,
        cfg,
        &copies,
        &vec![label; chains],
        hidden,
        fill,
        iterations,
        rng,
    )
}

/// Mean squared error over the hidden pixels (all channels) between originals and fillings.
pub fn masked_error(originals: &[f32], filled: &[f32], hidden: &[bool], pixels: usize) -> f32 {
    let (mut sum, mut count) = (0.0f64, 0usize);
    for (i, (a, b)) in originals.iter().zip(filled).enumerate() {
        if is_hidden(hidden, i % pixels) {
            sum += ((a - b) * (a - b)) as f64;
            count += 1;
        }
    }
    (sum / count.max(1) as f64) as f32
}

/// Masked-pixel error over a dataset: the VAE's completion against filling with the mean image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompletionScore {
    pub vae: f32,
    pub mean_fill: f32,
}

/// Completes every image of `data` with `preset` hidden: the average of `chains` chains (fixed
/// seed, so the figure is repeatable) against the mean image.
pub fn score_completion(
    model: &Vae,
    cfg: &VaeConfig,
    data: &Dataset,
    fill: &[f32],
    preset: MaskPreset,
    iterations: usize,
    chains: usize,
) -> CompletionScore {
    let (p, hidden) = (cfg.image.pixels(), preset.hidden(cfg.image));
    let mut rng = Rng::new(0xC0_4E7E);
    let (mut vae, mut mean_fill) = (0.0f64, 0.0f64);
    for start in (0..data.len()).step_by(500) {
        let end = (start + 500).min(data.len());
        let images = &data.images()[start * p..end * p];
        let done: Vec<f32> = (0..chains.max(1))
            .flat_map(|_| {
                complete(
                    model,
                    cfg,
                    images,
                    &data.labels()[start..end],
                    &hidden,
                    fill,
                    iterations,
                    &mut rng,
                )
            })
            .collect();
        let weight = (end - start) as f64;
        vae += masked_error(images, &average(&done, images.len()), &hidden, p) as f64 * weight;
        mean_fill +=
            masked_error(images, &fill_hidden(images, &hidden, fill), &hidden, p) as f64 * weight;
    }
    let n = data.len().max(1) as f64;
    CompletionScore {
        vae: (vae / n) as f32,
        mean_fill: (mean_fill / n) as f32,
    }
}

/// Defaults of the page and vae-cli: enough rounds for the chains to settle, enough chains for
/// their average to be smooth.
pub const ITERATIONS: usize = 20;
pub const CHAINS: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_hide_what_they_say() {
        let shape = ImageShape {
            width: 4,
            height: 4,
            channels: 1,
        };
        let count = |p: MaskPreset| p.hidden(shape).iter().filter(|h| **h).count();
        assert_eq!(MaskPreset::ALL.map(count), [8, 8, 8, 8, 4]);
        let top = MaskPreset::TopHalf.hidden(shape);
        assert!(top[..8].iter().all(|h| *h) && top[8..].iter().all(|h| !*h));
        let centre = MaskPreset::CentreSquare.hidden(shape);
        assert!(centre[5] && centre[6] && centre[9] && centre[10] && !centre[0]);
        assert_eq!(
            MaskPreset::from_name("left-half"),
            Some(MaskPreset::LeftHalf)
        );
    }

    #[test]
    fn masks_cover_every_channel_and_error_counts_only_hidden_pixels() {
        let hidden = [true, false];
        // Two colour planes of a 2-pixel image: values 0 and 2 are hidden.
        assert_eq!(
            fill_hidden(&[1.0, 1.0, 1.0, 1.0], &hidden, &[0.5, 0.5, 0.5, 0.5]),
            [0.5, 1.0, 0.5, 1.0]
        );
        assert_eq!(
            masked_error(&[1.0, 0.0, 1.0, 0.0], &[0.0, 1.0, 1.0, 1.0], &hidden, 4),
            0.5
        );
        assert_eq!(average(&[1.0, 0.0, 0.0, 1.0], 2), [0.5, 0.5]);
    }
}
