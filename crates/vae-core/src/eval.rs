//! Held-out evaluation without gradients: the negative ELBO per image, and an
//! importance-weighted estimate of log p(x) (Burda et al. 2016).
use crate::backend::inference_device;
use crate::config::VaeConfig;
use crate::data::{Batch, Dataset};
use crate::loss::{kl_per_dim, negative_elbo, reconstruction, LossParts};
use crate::model::Vae;
use crate::rng::Rng;
use crate::tensors;

/// Evaluation draws ε from a fixed seed, so held-out figures move only when the model does.
const EVAL_SEED: u64 = 0xE7A1;

/// Mean loss parts per image over a whole dataset (one posterior sample per image).
pub fn evaluate(model: &Vae, cfg: &VaeConfig, data: &Dataset, beta: f32) -> LossParts {
    let device = inference_device();
    let mut noise = Rng::new(EVAL_SEED);
    let parts: Vec<(LossParts, usize)> = Batch::all_of(data, 500)
        .map(|batch| {
            let x = tensors::matrix(batch.images.clone(), batch.len(), &device); // [b, pixels]
            let eps = tensors::matrix(
                noise.normals(batch.len() * cfg.latent_dim),
                batch.len(),
                &device,
            ); // [b, latent]
            let (posterior, logits) = model.forward_batch(cfg, &batch, eps, &device);
            let recon = reconstruction(cfg.recon_loss, cfg.output_sigma, logits, x); // [b]
            (
                LossParts::from_tensors(recon, kl_per_dim(&posterior), beta),
                batch.len(),
            )
        })
        .collect();
    LossParts::weighted_mean(&parts)
}

/// The negative ELBO (β = 1) of each image, in nats. Every image gets the same ε (drawn once from
/// a fixed seed), so an image's score depends on the image and the model alone: the same image
/// always gets the same score, whatever else is scored with it ("how typical is this image").
pub fn negative_elbo_per_image(
    model: &Vae,
    cfg: &VaeConfig,
    images: &[f32],
    labels: &[u8],
) -> Vec<f32> {
    let device = inference_device();
    let n = images.len() / cfg.image.pixels();
    let one_eps = Rng::new(EVAL_SEED).normals(cfg.latent_dim);
    let x = tensors::matrix(images.to_vec(), n, &device); // [n, pixels]
    let class = tensors::one_hot(&labels[..n.min(labels.len())], cfg.num_classes, &device);
    let eps = tensors::matrix(
        one_eps
            .iter()
            .copied()
            .cycle()
            .take(n * cfg.latent_dim)
            .collect(),
        n,
        &device,
    ); // [n, latent]
    let (posterior, logits) = model.forward(x.clone(), class, eps);
    let recon = reconstruction(cfg.recon_loss, cfg.output_sigma, logits, x); // [n]
    tensors::to_vec(negative_elbo(recon, kl_per_dim(&posterior), 1.0)) // [n]
}

/// log p(x) ≈ log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x), z_k ~ q(z|x); mean over images, in nats.
/// K = 1 is the ELBO; the bound tightens as K grows.
pub fn importance_weighted_log_likelihood(
    model: &Vae,
    cfg: &VaeConfig,
    data: &Dataset,
    k: usize,
) -> f32 {
    let device = inference_device();
    let mut noise = Rng::new(EVAL_SEED);
    let (latent, k) = (cfg.latent_dim, k.max(1));
    let mut total = 0.0f64;
    for batch in Batch::all_of(data, 100) {
        let n = batch.len();
        let (x, class) = tensors::batch(&batch, cfg.num_classes, &device);
        let posterior = model.encode(x.clone(), class.clone());
        let (mu, log_var) = (
            tensors::to_vec(posterior.mu),
            tensors::to_vec(posterior.log_var),
        );
        // K samples of z per image, image-major: row i·K + j is sample j of image i.
        let eps = noise.normals(n * k * latent);
        let mut z = vec![0.0f32; n * k * latent];
        let mut log_q_minus_log_p = vec![0.0f32; n * k];
        for row in 0..n * k {
            let i = row / k;
            for d in 0..latent {
                let (m, lv, e) = (
                    mu[i * latent + d],
                    log_var[i * latent + d],
                    eps[row * latent + d],
                );
                let zv = m + (0.5 * lv).exp() * e;
                z[row * latent + d] = zv;
                // ln q(z|x) − ln p(z) for one dimension; the ½ ln 2π terms cancel.
                log_q_minus_log_p[row] += -0.5 * (e * e + lv) + 0.5 * zv * zv;
            }
        }
        let repeat = |v: &[f32], width: usize| -> Vec<f32> {
            v.chunks(width)
                .flat_map(|r| std::iter::repeat_n(r, k).flatten().copied())
                .collect()
        };
        let x_rep = tensors::matrix(repeat(&batch.images, batch.shape.pixels()), n * k, &device); // [n·k, pixels]
        let labels: Vec<u8> = batch
            .labels
            .iter()
            .flat_map(|&l| std::iter::repeat_n(l, k))
            .collect();
        let class_rep = tensors::one_hot(&labels, cfg.num_classes, &device);
        let logits = model.decode(tensors::matrix(z, n * k, &device), class_rep); // [n·k, pixels]
        let nll = tensors::to_vec(reconstruction(
            cfg.recon_loss,
            cfg.output_sigma,
            logits,
            x_rep,
        )); // [n·k]
        for i in 0..n {
            let log_w: Vec<f32> = (0..k)
                .map(|j| -nll[i * k + j] - log_q_minus_log_p[i * k + j])
                .collect();
            let max = log_w.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let lse = max + log_w.iter().map(|w| (w - max).exp()).sum::<f32>().ln();
            total += (lse - (k as f32).ln()) as f64;
        }
    }
    (total / data.len().max(1) as f64) as f32
}
