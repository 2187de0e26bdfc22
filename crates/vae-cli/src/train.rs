//! `vae-cli train`: epochs over a dataset → weights, sample grid, reconstructions, loss CSV.
use crate::{datasets, picture, progress::Progress};
use clap::{Args, ValueEnum};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;
use vae_core::config::{Arch, ReconLoss, TrainingConfig, VaeConfig};
use vae_core::data::{split_held_out, Batcher, Dataset};
use vae_core::eval::evaluate;
use vae_core::latent::sample_prior;
use vae_core::model::Vae;
use vae_core::rng::Rng;
use vae_core::train::Trainer;
use vae_core::views::{reconstruction_grid, sample_grid};
use vae_core::weights::{save, WeightsHeader};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ArchArg {
    Mlp,
    Conv,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LossArg {
    Bce,
    Mse,
}

/// What to train and how; the defaults are the page's reference model.
#[derive(Args, Clone, Debug)]
pub struct ModelArgs {
    /// mnist, shapes, colour-shapes, or an IDX images file (raw or .gz; one the page exported)
    #[arg(long, default_value = "mnist")]
    pub dataset: String,
    /// The IDX labels file that goes with an images file given as --dataset
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// A folder of your own PNG or JPEG images instead (class folders, or files named label_…)
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
    /// Keep your images' colour (else grayscale)
    #[arg(long)]
    pub colour: bool,
    #[arg(long, value_enum, default_value = "mlp")]
    pub arch: ArchArg,
    /// Latent dimensions
    #[arg(long, default_value_t = 20)]
    pub latent: usize,
    /// Hidden units
    #[arg(long, default_value_t = 400)]
    pub hidden: usize,
    /// 0 for a VAE; the class count for a conditional VAE
    #[arg(long, default_value_t = 0)]
    pub classes: usize,
    /// The reconstruction term: Bernoulli (bce) or Gaussian (mse)
    #[arg(long, value_enum, default_value = "bce")]
    pub recon: LossArg,
    /// Weight of the KL term
    #[arg(long, default_value_t = 1.0)]
    pub beta: f32,
    /// Steps of linear β warm-up
    #[arg(long, default_value_t = 0)]
    pub warmup: usize,
    /// Adam's learning rate
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Passes over the training split
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Seed of weights, noise and shuffling
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Keep this class out of the training split (the anomaly experiment)
    #[arg(long)]
    pub leave_out: Option<u8>,
    /// Output folder
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

impl ModelArgs {
    /// The train and held-out splits: a named dataset, or the images of --images.
    pub fn data(&self) -> Result<(Dataset, Dataset), String> {
        match &self.images {
            Some(dir) => Ok(split_held_out(&picture::dataset_from_folder(
                dir,
                self.colour,
            )?)),
            None => datasets::load_with_labels(&self.dataset, self.labels.as_deref()),
        }
    }

    pub fn config(&self, data: &Dataset) -> TrainingConfig {
        let model = VaeConfig {
            image: data.shape,
            arch: match self.arch {
                ArchArg::Mlp => Arch::Mlp,
                ArchArg::Conv => Arch::Conv,
            },
            latent_dim: self.latent,
            hidden: self.hidden,
            num_classes: self.classes,
            recon_loss: match self.recon {
                LossArg::Bce => ReconLoss::Bce,
                LossArg::Mse => ReconLoss::Mse,
            },
            ..VaeConfig::reference_mlp()
        };
        TrainingConfig {
            model,
            learning_rate: self.lr,
            batch_size: self.batch,
            beta: self.beta,
            beta_warmup_steps: self.warmup,
            seed: self.seed,
        }
    }
}

/// Trains `epochs` passes over `train`, printing held-out figures after each; returns the
/// trainer and the loss CSV.
pub fn fit(
    config: &TrainingConfig,
    train: &Dataset,
    test: &Dataset,
    epochs: usize,
) -> Result<(Trainer, String), String> {
    let mut trainer = Trainer::new(config.clone()).map_err(|e| e.to_string())?;
    let mut batches = Batcher::new(train.len(), config.seed);
    let steps = batches.steps_per_epoch(config.batch_size);
    let mut csv = String::from(
        "epoch,step,train_recon,train_kl,train_total,test_recon,test_kl,test_total,seconds\n",
    );
    let started = Instant::now();
    for epoch in 1..=epochs {
        let progress = Progress::new(steps as u64, &format!("epoch {epoch}/{epochs}"));
        let mut sums = (0.0, 0.0, 0.0);
        for _ in 0..steps {
            let p = trainer
                .step(&batches.next(train, config.batch_size))
                .map_err(|e| e.to_string())?;
            sums = (sums.0 + p.recon, sums.1 + p.kl, sums.2 + p.total);
            progress.step(|| format!("loss {:.2}", p.total));
        }
        let n = steps as f32;
        let t = evaluate(&trainer.model(), &config.model, test, config.beta);
        progress.finish(&format!(
            "epoch {epoch}/{epochs}: train {:.2}, held-out {:.2} (recon {:.2}, KL {:.2})",
            sums.2 / n,
            t.total,
            t.recon,
            t.kl
        ));
        let secs = started.elapsed().as_secs_f32();
        let _ = writeln!(
            csv,
            "{epoch},{},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{secs:.1}",
            trainer.steps_done(),
            sums.0 / n,
            sums.1 / n,
            sums.2 / n,
            t.recon,
            t.kl,
            t.total
        );
    }
    Ok((trainer, csv))
}

pub fn run(a: TrainArgs) -> Result<(), String> {
    let (mut train, test) = a.model.data()?;
    if let Some(class) = a.leave_out {
        train = train.without_class(class);
    }
    let config = a.model.config(&train);
    let (trainer, csv) = fit(&config, &train, &test, a.model.epochs)?;
    let out = &a.out;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let model = trainer.model();
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(out.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    write("losses.csv", csv.as_bytes())?;
    let dataset = if a.model.images.is_some() || train.name == "custom" {
        "custom".to_string()
    } else {
        a.model.dataset.clone()
    };
    write(
        "weights.vae",
        &save(
            &model,
            &WeightsHeader {
                config: config.model.clone(),
                dataset,
                steps: trainer.steps_done(),
            },
        ),
    )?;
    write("samples.png", &samples_png(&model, &config.model))?;
    write(
        "reconstructions.png",
        &reconstructions_png(&model, &config.model, &test),
    )?;
    println!(
        "wrote {0}/weights.vae, {0}/samples.png, {0}/reconstructions.png, {0}/losses.csv",
        out.display()
    );
    Ok(())
}

fn samples_png(model: &Vae, cfg: &VaeConfig) -> Vec<u8> {
    let z = sample_prior(&mut Rng::new(7), 64, cfg.latent_dim, 1.0);
    let (w, h, rgba) = sample_grid(model, cfg, &z);
    picture::png(w, h, &rgba, 3)
}

/// Odd rows: held-out inputs; even rows: their reconstructions (decoded from μ).
fn reconstructions_png(model: &Vae, cfg: &VaeConfig, test: &Dataset) -> Vec<u8> {
    let (w, h, rgba) = reconstruction_grid(model, cfg, test, 32);
    picture::png(w, h, &rgba, 3)
}
