//! `vae-cli eval`: held-out negative ELBO per image and an importance-weighted log-likelihood.
use crate::{args::Args, datasets};
use vae_core::eval::{evaluate, importance_weighted_log_likelihood};
use vae_core::loss::active_units;

const OPTIONS: &[(&str, &str)] = &[
    ("weights", "weights file (default www/assets/pretrained-mnist.vae)"),
    ("k", "importance samples per image (default 100)"),
    ("dataset", "dataset to evaluate on (default: the one the weights were trained on)"),
];

pub fn run(argv: &[String]) -> Result<(), String> {
    let a = Args::parse(argv, OPTIONS)?;
    let (header, model, test) = datasets::weights_and_held_out(&a)?;
    let parts = evaluate(&model, &header.config, &test, 1.0);
    let k = a.get("k", 100usize)?;
    let ll = importance_weighted_log_likelihood(&model, &header.config, &test, k);
    println!("held-out images: {}", test.len());
    println!("held-out -ELBO per image: {:.2} nats (reconstruction {:.2}, KL {:.2})", parts.total, parts.recon, parts.kl);
    println!("held-out log p(x) (importance weighted, K={k}): {ll:.2} nats");
    let active = active_units(&parts.kl_per_dim);
    println!("active latent dimensions (KL > 0.01 nats): {active} of {}", parts.kl_per_dim.len());
    Ok(())
}
