//! New data from the prior, as files that this page and vae-cli read back: IDX images (and
//! labels for a conditional model), the same byte format as MNIST's.
use crate::config::VaeConfig;
use crate::data::write_idx;
use crate::latent::{decode, sample_prior};
use crate::model::Vae;
use crate::rng::Rng;

/// The most samples one export makes (10,000 28×28 images: 7.8 MB of IDX).
pub const MAX_EXPORT: usize = 10_000;

/// `count` decodes of z ~ N(0, T²·I), with their classes: `class` for a conditional model when
/// given, else every class in turn (all 0 for a plain VAE).
pub fn generate(
    model: &Vae,
    cfg: &VaeConfig,
    count: usize,
    temperature: f32,
    class: Option<u8>,
    seed: u64,
) -> (Vec<f32>, Vec<u8>) {
    let count = count.clamp(1, MAX_EXPORT);
    let z = sample_prior(&mut Rng::new(seed), count, cfg.latent_dim, temperature);
    let labels: Vec<u8> = match (cfg.num_classes, class) {
        (0, _) => vec![0; count],
        (_, Some(c)) => vec![c; count],
        (k, None) => (0..count).map(|i| (i % k) as u8).collect(),
    };
    let mut pixels = Vec::with_capacity(count * cfg.image.pixels());
    for (z, l) in z.chunks(500 * cfg.latent_dim).zip(labels.chunks(500)) {
        pixels.extend(decode(model, cfg, z, l));
    }
    (pixels, labels)
}

/// Planar f32 images in [0, 1] as an IDX images file: [n, h, w] grayscale or [n, h, w, 3]
/// colour (interleaved, as `Dataset::from_idx` reads it).
pub fn images_idx(images: &[f32], cfg: &VaeConfig) -> Vec<u8> {
    let s = cfg.image;
    let (hw, p) = (s.width * s.height, s.pixels());
    let n = images.len() / p;
    let mut bytes = Vec::with_capacity(images.len());
    for image in images.chunks(p) {
        for i in 0..hw {
            for c in 0..s.channels {
                bytes.push((image[c * hw + i].clamp(0.0, 1.0) * 255.0).round() as u8);
            }
        }
    }
    let dims: Vec<usize> = if s.channels == 1 {
        vec![n, s.height, s.width]
    } else {
        vec![n, s.height, s.width, s.channels]
    };
    write_idx(&dims, &bytes)
}

pub fn labels_idx(labels: &[u8]) -> Vec<u8> {
    write_idx(&[labels.len()], labels)
}
