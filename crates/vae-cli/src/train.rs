//! `vae-cli train`: epochs over a dataset → weights, sample grid, reconstructions, loss CSV.
use crate::{args::Args, datasets, png};
use std::fmt::Write as _;
use std::time::Instant;
use vae_core::config::{Arch, ReconLoss, TrainingConfig, VaeConfig};
use vae_core::data::Batcher;
use vae_core::eval::evaluate;
use vae_core::latent::sample_prior;
use vae_core::model::Vae;
use vae_core::rng::Rng;
use vae_core::train::Trainer;
use vae_core::views::{reconstruction_grid, sample_grid};
use vae_core::weights::{save, WeightsHeader};

const OPTIONS: &[(&str, &str)] = &[
    ("dataset", "mnist | shapes | colour-shapes (default mnist)"),
    ("arch", "mlp | conv (default mlp)"),
    ("latent", "latent dimension (default 20)"),
    ("hidden", "hidden units (default 400)"),
    ("classes", "0 for a VAE, the class count for a conditional VAE (default 0)"),
    ("recon", "bce | mse (default bce)"),
    ("beta", "weight of the KL term (default 1)"),
    ("warmup", "steps of linear β warm-up (default 0)"),
    ("lr", "Adam learning rate (default 0.001)"),
    ("batch", "batch size (default 128)"),
    ("epochs", "passes over the training split (default 10)"),
    ("seed", "seed of weights, noise and shuffling (default 1)"),
    ("out", "output folder (default out)"),
];

pub fn run(argv: &[String]) -> Result<(), String> {
    let a = Args::parse(argv, OPTIONS)?;
    let dataset = a.text("dataset", "mnist");
    let (train, test) = datasets::load(&dataset)?;
    let model = VaeConfig {
        image: train.shape,
        arch: match a.text("arch", "mlp").as_str() { "conv" => Arch::Conv, "mlp" => Arch::Mlp, o => return Err(format!("--arch {o}?")) },
        latent_dim: a.get("latent", 20)?,
        hidden: a.get("hidden", 400)?,
        num_classes: a.get("classes", 0)?,
        recon_loss: match a.text("recon", "bce").as_str() { "mse" => ReconLoss::Mse, "bce" => ReconLoss::Bce, o => return Err(format!("--recon {o}?")) },
        ..VaeConfig::reference_mlp()
    };
    let config = TrainingConfig {
        model,
        learning_rate: a.get("lr", 1e-3)?,
        batch_size: a.get("batch", 128)?,
        beta: a.get("beta", 1.0)?,
        beta_warmup_steps: a.get("warmup", 0)?,
        seed: a.get("seed", 1)?,
    };
    let (epochs, out) = (a.get("epochs", 10usize)?, a.text("out", "out"));
    std::fs::create_dir_all(&out).map_err(|e| format!("{out}: {e}"))?;
    let mut trainer = Trainer::new(config.clone()).map_err(|e| e.to_string())?;
    let mut batches = Batcher::new(train.len(), config.seed);
    let steps = batches.steps_per_epoch(config.batch_size);
    let mut csv = String::from("epoch,step,train_recon,train_kl,train_total,test_recon,test_kl,test_total,seconds\n");
    let started = Instant::now();
    for epoch in 1..=epochs {
        let mut sums = (0.0, 0.0, 0.0);
        for s in 0..steps {
            let p = trainer.step(&batches.next(&train, config.batch_size)).map_err(|e| e.to_string())?;
            sums = (sums.0 + p.recon, sums.1 + p.kl, sums.2 + p.total);
            eprint!("\repoch {epoch}/{epochs} [{:<30}] loss {:7.2}", "#".repeat(30 * (s + 1) / steps), p.total);
        }
        let n = steps as f32;
        let t = evaluate(&trainer.model(), &config.model, &test, config.beta);
        eprintln!("  held-out {:.2} (recon {:.2}, KL {:.2})", t.total, t.recon, t.kl);
        let secs = started.elapsed().as_secs_f32();
        let _ = writeln!(csv, "{epoch},{},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{secs:.1}", trainer.steps_done(), sums.0 / n, sums.1 / n, sums.2 / n, t.recon, t.kl, t.total);
    }
    let model = trainer.model();
    let write = |name: &str, bytes: &[u8]| std::fs::write(format!("{out}/{name}"), bytes).map_err(|e| format!("{name}: {e}"));
    write("losses.csv", csv.as_bytes())?;
    write("weights.vae", &save(&model, &WeightsHeader { config: config.model.clone(), dataset, steps: trainer.steps_done() }))?;
    write("samples.png", &samples_png(&model, &config.model))?;
    write("reconstructions.png", &reconstructions_png(&model, &config.model, &test))?;
    println!("wrote {out}/weights.vae, samples.png, reconstructions.png, losses.csv");
    Ok(())
}

fn samples_png(model: &Vae, cfg: &VaeConfig) -> Vec<u8> {
    let z = sample_prior(&mut Rng::new(7), 64, cfg.latent_dim, 1.0);
    let (w, h, rgba) = sample_grid(model, cfg, &z);
    png::encode(w, h, &rgba, 3)
}

/// Odd rows: held-out inputs; even rows: their reconstructions (decoded from μ).
fn reconstructions_png(model: &Vae, cfg: &VaeConfig, test: &vae_core::data::Dataset) -> Vec<u8> {
    let (w, h, rgba) = reconstruction_grid(model, cfg, test, 32);
    png::encode(w, h, &rgba, 3)
}
