//! One model on one dataset: the trainer, its batches, and the views the page draws from it.
use vae_core::config::{Arch, ReconLoss, TrainingConfig, VaeConfig};
use vae_core::data::{split_held_out, Batcher, Dataset};
use vae_core::eval::evaluate;
use vae_core::image::grid_rgba;
use vae_core::latent::{decode, encode, sample_prior};
use vae_core::views::{reconstruction_grid, sample_grid};
use vae_core::loss::LossParts;
use vae_core::model::Vae;
use vae_core::rng::Rng;
use vae_core::train::{TrainError, Trainer};
use vae_protocol::Settings;

/// Held-out images shown beside their reconstructions: 4 pairs of rows of 8.
const RECON_SHOWN: usize = 32;

pub struct Lab {
    pub settings: Settings,
    pub train: Dataset,
    pub test: Dataset,
    pub trainer: Trainer,
    pub batches: Batcher,
    /// A fixed batch of prior noise, so the sample grid is comparable from frame to frame.
    sample_z: Vec<f32>,
    resamples: u64,
    /// The inference snapshot of the current weights; None after training until a view needs it,
    /// so training steps do not pay for it.
    snapshot: Option<Vae>,
}

/// The model config the settings describe for a dataset's image shape.
pub fn model_config(s: &Settings, data: &Dataset) -> VaeConfig {
    VaeConfig {
        image: data.shape,
        arch: if s.arch == "conv" { Arch::Conv } else { Arch::Mlp },
        latent_dim: s.latent_dim,
        hidden: s.hidden,
        num_classes: if s.conditional { data.num_classes } else { 0 },
        recon_loss: if s.recon_loss == "mse" { ReconLoss::Mse } else { ReconLoss::Bce },
        ..VaeConfig::reference_mlp()
    }
}

/// The settings that describe `config`, keeping `base`'s dataset and training settings.
pub fn settings_for(config: &VaeConfig, base: &Settings) -> Settings {
    Settings {
        arch: if config.arch == Arch::Conv { "conv".into() } else { "mlp".into() },
        latent_dim: config.latent_dim,
        hidden: config.hidden,
        conditional: config.num_classes > 0,
        recon_loss: if config.recon_loss == ReconLoss::Mse { "mse".into() } else { "bce".into() },
        ..base.clone()
    }
}

pub fn training_config(s: &Settings, data: &Dataset) -> TrainingConfig {
    TrainingConfig {
        model: model_config(s, data),
        learning_rate: s.learning_rate,
        batch_size: s.batch_size,
        beta: s.beta,
        beta_warmup_steps: s.beta_warmup,
        seed: s.seed,
    }
}

impl Lab {
    /// Fresh weights from the settings' seed, or `weights` when given (already checked to fit).
    pub fn new(settings: Settings, data: &Dataset, weights: Option<Vae>) -> Result<Self, String> {
        let config = training_config(&settings, data);
        let trainer = match weights {
            Some(model) => {
                config.validate().map_err(|e| e.to_string())?;
                Trainer::with_model(config.clone(), model)
            }
            None => Trainer::new(config.clone()).map_err(|e| format!("setting {e}"))?,
        };
        let (train, test) = split_held_out(data);
        let mut lab = Self {
            batches: Batcher::new(train.len(), settings.seed),
            snapshot: None,
            sample_z: Vec::new(),
            resamples: 0,
            settings,
            train,
            test,
            trainer,
        };
        lab.resample();
        Ok(lab)
    }

    pub fn config(&self) -> &VaeConfig {
        &self.trainer.config().model
    }

    /// Applies the settings that change live (learning rate, β, warm-up, batch size).
    pub fn apply_live(&mut self, s: &Settings) {
        self.trainer.set_learning_rate(s.learning_rate);
        self.trainer.set_beta(s.beta, s.beta_warmup);
        self.settings = s.clone();
    }

    pub fn step(&mut self) -> Result<LossParts, TrainError> {
        let batch = self.batches.next(&self.train, self.settings.batch_size);
        self.snapshot = None;
        self.trainer.step(&batch)
    }

    pub fn epoch(&self) -> usize {
        self.batches.epoch
    }

    /// The current weights for inference.
    pub fn model(&mut self) -> &Vae {
        let trainer = &self.trainer;
        self.snapshot.get_or_insert_with(|| trainer.model())
    }

    pub fn evaluate_held_out(&mut self) -> LossParts {
        let beta = self.trainer.config().beta_at(self.trainer.steps_done());
        let (model, config) = (self.model().clone(), self.config().clone());
        evaluate(&model, &config, &self.test, beta)
    }

    pub fn resample(&mut self) {
        let mut rng = Rng::new(self.settings.seed ^ (0x5A3 + self.resamples));
        self.resamples += 1;
        self.sample_z = sample_prior(&mut rng, 64, self.config().latent_dim, 1.0);
    }

    /// 8×8 decodes of the fixed prior noise, as (width, height, RGBA).
    pub fn samples(&mut self) -> (usize, usize, Vec<u8>) {
        let model = self.model().clone();
        sample_grid(&model, self.config(), &self.sample_z)
    }

    /// Held-out inputs above their reconstructions (decoded from μ), as (width, height, RGBA).
    pub fn reconstructions(&mut self) -> (usize, usize, Vec<u8>) {
        let model = self.model().clone();
        reconstruction_grid(&model, self.config(), &self.test, RECON_SHOWN)
    }

    /// One latent vector decoded, as (width, height, RGBA).
    pub fn decode_one(&mut self, z: &[f32], class: u8) -> Result<(usize, usize, Vec<u8>), String> {
        let dim = self.config().latent_dim;
        if z.len() != dim || z.iter().any(|v| !v.is_finite()) {
            return Err(format!("a latent vector needs {dim} finite numbers, got {}", z.len()));
        }
        let model = self.model().clone();
        let pixels = decode(&model, self.config(), z, &[class]);
        Ok(grid_rgba(&pixels, self.config().image, 1, 0))
    }

    /// The posterior of held-out image `index`: (label, μ, log σ², the image as RGBA).
    pub fn posterior(&mut self, index: usize) -> Result<(u8, Vec<f32>, Vec<f32>, (usize, usize, Vec<u8>)), String> {
        if index >= self.test.len() {
            return Err(format!("there are {} held-out images; #{index} does not exist", self.test.len()));
        }
        let model = self.model().clone();
        let (image, label) = (self.test.image(index), self.test.labels[index]);
        let (mu, log_var) = encode(&model, self.config(), image, &[label]);
        Ok((label, mu, log_var, grid_rgba(image, self.config().image, 1, 0)))
    }
}
