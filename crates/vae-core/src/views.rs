//! The pictures every front end shows (the page and vae-cli alike), as RGBA grids: samples,
//! reconstructions, the manifold of a 2-D latent space, traversals and interpolations.
use crate::config::VaeConfig;
use crate::data::{Batch, Dataset};
use crate::image::grid_rgba;
use crate::latent::{decode, encode, interpolate, traverse, Interpolation};
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
pub fn reconstruction_grid(
    model: &Vae,
    cfg: &VaeConfig,
    data: &Dataset,
    n: usize,
) -> (usize, usize, Vec<u8>) {
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

/// The prior's ±3σ: the span of the manifold grid and of each traversal.
pub const LATENT_RANGE: f32 = 3.0;

/// The value of cell `i` of `k` evenly spaced cells over [−range, range], centres included at
/// both ends.
pub fn grid_value(i: usize, k: usize, range: f32) -> f32 {
    -range + 2.0 * range * i as f32 / (k.max(2) - 1) as f32
}

/// The latent codes of a k×k manifold grid (2 latent dimensions): row r has z₂ falling from
/// +range at the top, column c has z₁ rising from −range at the left, so the grid lines up with
/// a scatter plot whose y axis points up.
pub fn manifold_codes(k: usize, range: f32) -> Vec<f32> {
    (0..k)
        .flat_map(|r| {
            (0..k).flat_map(move |c| [grid_value(c, k, range), grid_value(k - 1 - r, k, range)])
        })
        .collect()
}

/// decoder(z) over the k×k manifold grid, without gaps (the classic picture), as RGBA.
pub fn manifold_grid(model: &Vae, cfg: &VaeConfig, k: usize, class: u8) -> (usize, usize, Vec<u8>) {
    let z = manifold_codes(k, LATENT_RANGE);
    let pixels = decode(model, cfg, &z, &vec![class; k * k]);
    grid_rgba(&pixels, cfg.image, k, 0)
}

/// Latent dimensions ordered by their KL, largest first: the ones that carry information lead.
pub fn dims_by_kl(kl_per_dim: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..kl_per_dim.len()).collect();
    order.sort_by(|&a, &b| kl_per_dim[b].total_cmp(&kl_per_dim[a]).then(a.cmp(&b)));
    order
}

/// One row per dimension in `order`: `steps` decodes as that dimension sweeps ±LATENT_RANGE with
/// the others held at `base`.
pub fn traversal_grid(
    model: &Vae,
    cfg: &VaeConfig,
    base: &[f32],
    order: &[usize],
    steps: usize,
    class: u8,
) -> (usize, usize, Vec<u8>) {
    let z: Vec<f32> = order
        .iter()
        .flat_map(|&d| traverse(base, d, -LATENT_RANGE, LATENT_RANGE, steps))
        .collect();
    let pixels = decode(model, cfg, &z, &vec![class; order.len() * steps]);
    grid_rgba(&pixels, cfg.image, steps, GAP)
}

/// Two rows from code `a` to code `b`: the straight line, then the great circle.
pub fn interpolation_strip(
    model: &Vae,
    cfg: &VaeConfig,
    a: &[f32],
    b: &[f32],
    steps: usize,
    class: u8,
) -> (usize, usize, Vec<u8>) {
    let mut z = interpolate(a, b, steps, Interpolation::Linear);
    z.extend(interpolate(a, b, steps, Interpolation::Spherical));
    let pixels = decode(model, cfg, &z, &vec![class; 2 * steps]);
    grid_rgba(&pixels, cfg.image, steps, GAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifold_corners_are_the_corners_of_the_square() {
        let z = manifold_codes(5, 3.0);
        assert_eq!(&z[0..2], &[-3.0, 3.0], "top left: z₁ = −3, z₂ = +3");
        assert_eq!(&z[z.len() - 2..], &[3.0, -3.0], "bottom right");
        assert_eq!(
            &z[2 * 12..2 * 12 + 2],
            &[0.0, 0.0],
            "the centre cell is the origin"
        );
    }

    #[test]
    fn dimensions_are_ordered_by_kl() {
        assert_eq!(dims_by_kl(&[0.1, 5.0, 0.0, 2.0]), vec![1, 3, 0, 2]);
    }
}
