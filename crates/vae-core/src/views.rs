//! The two pictures every front end shows (the page and vae-cli alike), as RGBA grids of 8 columns.
use crate::config::VaeConfig;
use crate::data::{Batch, Dataset};
use crate::image::grid_rgba;
use crate::latent::{decode, encode};
use crate::model::Vae;

const COLUMNS: usize = 8;
const GAP: usize = 2;

/// Classes for a grid of `n` decodes: a conditional model shows each class in turn.
pub fn class_cycle(n: usize, num_classes: usize) -> Vec<u8> {
    (0..n).map(|i| (i % num_classes.max(1)) as u8).collect()
}

/// decoder(z) for each row of `z` (n × latent), as (width, height, RGBA).
pub fn sample_grid(model: &Vae, cfg: &VaeConfig, z: &[f32]) -> (usize, usize, Vec<u8>) {
    let labels = class_cycle(z.len() / cfg.latent_dim, cfg.num_classes);
    grid_rgba(&decode(model, cfg, z, &labels), cfg.image, COLUMNS, GAP)
}

/// The first `n` images of `data`, each row of 8 followed by a row of their reconstructions
/// decoder(μ), as (width, height, RGBA).
pub fn reconstruction_grid(model: &Vae, cfg: &VaeConfig, data: &Dataset, n: usize) -> (usize, usize, Vec<u8>) {
    let n = n.min(data.len());
    let batch = Batch::gather(data, &(0..n).collect::<Vec<_>>());
    let (mu, _) = encode(model, cfg, &batch.images, &batch.labels);
    let recon = decode(model, cfg, &mu, &batch.labels);
    let p = cfg.image.pixels();
    let mut rows = Vec::with_capacity(2 * n * p);
    for start in (0..n).step_by(COLUMNS) {
        let end = (start + COLUMNS).min(n);
        rows.extend_from_slice(&batch.images[start * p..end * p]);
        rows.extend_from_slice(&recon[start * p..end * p]);
    }
    grid_rgba(&rows, cfg.image, COLUMNS, GAP)
}
