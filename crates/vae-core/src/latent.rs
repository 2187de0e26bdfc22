//! Latent-space operations on host vectors: encode, decode, prior samples, posterior samples,
//! traversals and interpolations. Latents are row-major `n × latent_dim`.
use crate::backend::inference_device;
use crate::config::VaeConfig;
use crate::model::Vae;
use crate::rng::Rng;
use crate::tensors;

/// The encoder's posterior for each image: μ and log σ², each n × latent_dim.
pub fn encode(model: &Vae, cfg: &VaeConfig, images: &[f32], labels: &[u8]) -> (Vec<f32>, Vec<f32>) {
    let device = inference_device();
    let n = images.len() / cfg.image.pixels();
    let x = tensors::matrix(images.to_vec(), n, &device); // [n, pixels]
    let posterior = model.encode(
        x,
        tensors::one_hot(&labels[..n.min(labels.len())], cfg.num_classes, &device),
    );
    (
        tensors::to_vec(posterior.mu),
        tensors::to_vec(posterior.log_var),
    )
}

/// Pixel means for each latent row; `labels` gives each row's class for a conditional model.
pub fn decode(model: &Vae, cfg: &VaeConfig, z: &[f32], labels: &[u8]) -> Vec<f32> {
    let device = inference_device();
    let n = z.len() / cfg.latent_dim;
    let class = tensors::one_hot(&labels[..n.min(labels.len())], cfg.num_classes, &device);
    tensors::to_vec(model.decode_means(tensors::matrix(z.to_vec(), n, &device), class))
    // [n, pixels]
}

/// z ~ N(0, T²·I): temperature T < 1 trades variety for typical-looking samples.
pub fn sample_prior(rng: &mut Rng, n: usize, latent_dim: usize, temperature: f32) -> Vec<f32> {
    rng.normals(n * latent_dim)
        .into_iter()
        .map(|e| e * temperature)
        .collect()
}

/// `count` draws z = μ + σ·ε from one posterior (μ and log σ² of a single image).
pub fn posterior_samples(rng: &mut Rng, mu: &[f32], log_var: &[f32], count: usize) -> Vec<f32> {
    (0..count)
        .flat_map(|_| {
            mu.iter()
                .zip(log_var)
                .map(|(m, lv)| m + (0.5 * lv).exp() * rng.normal())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `steps` copies of z with dimension `dim` swept evenly from `from` to `to`.
pub fn traverse(z: &[f32], dim: usize, from: f32, to: f32, steps: usize) -> Vec<f32> {
    (0..steps)
        .flat_map(|s| {
            let mut row = z.to_vec();
            row[dim] = from + (to - from) * s as f32 / (steps.max(2) - 1) as f32;
            row
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    Linear,
    /// Along the great circle: keeps the norm typical of N(0, I) samples in high dimension,
    /// where the straight line's midpoint is unusually close to the origin (White 2016).
    Spherical,
}

/// `steps` latents from `a` to `b`, both ends included.
pub fn interpolate(a: &[f32], b: &[f32], steps: usize, how: Interpolation) -> Vec<f32> {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let cos = a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (norm(a) * norm(b)).max(1e-12);
    let omega = cos.clamp(-1.0, 1.0).acos();
    (0..steps)
        .flat_map(|s| {
            let t = s as f32 / (steps.max(2) - 1) as f32;
            let (wa, wb) = match how {
                Interpolation::Spherical if omega.sin().abs() > 1e-4 => (
                    ((1.0 - t) * omega).sin() / omega.sin(),
                    (t * omega).sin() / omega.sin(),
                ),
                _ => (1.0 - t, t), // (nearly) parallel vectors: slerp tends to lerp
            };
            a.iter()
                .zip(b)
                .map(move |(x, y)| wa * x + wb * y)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_sweeps_one_dimension() {
        let rows = traverse(&[0.5, 0.5], 1, -2.0, 2.0, 5);
        assert_eq!(
            rows,
            vec![0.5, -2.0, 0.5, -1.0, 0.5, 0.0, 0.5, 1.0, 0.5, 2.0]
        );
    }

    #[test]
    fn slerp_keeps_the_norm_where_lerp_shrinks_it() {
        let (a, b) = ([1.0, 0.0], [0.0, 1.0]);
        let mid = |how| interpolate(&a, &b, 3, how)[2..4].to_vec();
        let n = |v: Vec<f32>| (v[0] * v[0] + v[1] * v[1]).sqrt();
        assert!((n(mid(Interpolation::Spherical)) - 1.0).abs() < 1e-5);
        assert!((n(mid(Interpolation::Linear)) - 0.5f32.sqrt()).abs() < 1e-5);
        assert_eq!(&interpolate(&a, &b, 3, Interpolation::Spherical)[4..], &b);
    }

    #[test]
    fn paths_start_and_end_at_the_given_codes() {
        let (a, b) = ([0.3, -1.2, 2.0], [-0.7, 0.4, 1.1]);
        for how in [Interpolation::Linear, Interpolation::Spherical] {
            let path = interpolate(&a, &b, 7, how);
            assert_eq!(path.len(), 21);
            assert!(
                path[..3].iter().zip(&a).all(|(p, q)| (p - q).abs() < 1e-6),
                "{how:?} starts at a"
            );
            assert!(
                path[18..].iter().zip(&b).all(|(p, q)| (p - q).abs() < 1e-5),
                "{how:?} ends at b"
            );
        }
        let rows = traverse(&a, 2, -3.0, 3.0, 4);
        assert_eq!(
            (&rows[..3], &rows[9..]),
            (&[0.3, -1.2, -3.0][..], &[0.3, -1.2, 3.0][..])
        );
    }

    #[test]
    fn slerp_keeps_the_norm_along_the_whole_path() {
        // Two codes of norm 5: every point of the great circle has norm 5; the line sags.
        let (a, b) = ([3.0, 4.0, 0.0], [0.0, 0.0, 5.0]);
        let norms = |how| {
            interpolate(&a, &b, 9, how)
                .chunks(3)
                .map(|z| z.iter().map(|v| v * v).sum::<f32>().sqrt())
                .collect::<Vec<_>>()
        };
        assert!(norms(Interpolation::Spherical)
            .iter()
            .all(|n| (n - 5.0).abs() < 1e-4));
        assert!(norms(Interpolation::Linear)[4] < 4.0);
    }

    #[test]
    fn posterior_samples_spread_by_sigma() {
        let mut rng = Rng::new(2);
        let s = posterior_samples(&mut rng, &[3.0], &[(0.25f32).ln()], 20_000);
        let mean = s.iter().sum::<f32>() / s.len() as f32;
        let sd = (s.iter().map(|z| (z - mean).powi(2)).sum::<f32>() / s.len() as f32).sqrt();
        assert!(
            (mean - 3.0).abs() < 0.02 && (sd - 0.5).abs() < 0.02,
            "{mean} {sd}"
        );
    }

    #[test]
    fn temperature_scales_prior_samples() {
        let z = sample_prior(&mut Rng::new(4), 10_000, 2, 0.5);
        let sd = (z.iter().map(|v| v * v).sum::<f32>() / z.len() as f32).sqrt();
        assert!((sd - 0.5).abs() < 0.02);
    }
}
