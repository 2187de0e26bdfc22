//! Style transfer with a conditional VAE: the encoder, told the class, keeps in z what the class
//! does not say (slant, stroke width, size: the style); decoding that z with every class writes
//! "the same handwriting, every digit".
use crate::config::VaeConfig;
use crate::image::grid_rgba;
use crate::latent::{decode, encode};
use crate::model::Vae;

/// For each image (with its label): the image, then decoder(μ, class k) for every class k.
/// None for a model that is not conditional.
pub fn transfer_rows(
    model: &Vae,
    cfg: &VaeConfig,
    images: &[f32],
    labels: &[u8],
) -> Option<Vec<f32>> {
    let k = cfg.num_classes;
    if k == 0 {
        return None;
    }
    let (p, d) = (cfg.image.pixels(), cfg.latent_dim);
    let (mu, _) = encode(model, cfg, images, labels);
    let n = mu.len() / d;
    let z: Vec<f32> = mu
        .chunks(d)
        .flat_map(|m| m.iter().copied().cycle().take(d * k))
        .collect();
    let classes: Vec<u8> = (0..n).flat_map(|_| 0..k as u8).collect();
    let decoded = decode(model, cfg, &z, &classes);
    let mut rows = Vec::with_capacity(n * (k + 1) * p);
    for i in 0..n {
        rows.extend_from_slice(&images[i * p..(i + 1) * p]);
        rows.extend_from_slice(&decoded[i * k * p..(i + 1) * k * p]);
    }
    Some(rows)
}

/// The rows as one RGBA picture: the original in the first column, then one column per class.
pub fn transfer_grid(
    model: &Vae,
    cfg: &VaeConfig,
    images: &[f32],
    labels: &[u8],
) -> Option<(usize, usize, Vec<u8>)> {
    transfer_rows(model, cfg, images, labels)
        .map(|rows| grid_rgba(&rows, cfg.image, cfg.num_classes + 1, 2))
}
