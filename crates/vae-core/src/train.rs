//! One Trainer: the model, Adam, the β schedule and its own seeded noise. `step` is one minibatch.
use crate::adam::FusedAdam;
use crate::backend::training_device;
use crate::config::{ConfigError, TrainingConfig};
use crate::data::Batch;
use crate::loss::{kl_per_dim, negative_elbo, reconstruction, LossParts};
use crate::model::Vae;
use crate::rng::Rng;
use crate::tensors;
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use std::fmt;

pub struct Trainer {
    config: TrainingConfig,
    model: Vae,
    /// The weights before the last update: restored if that update turns out to be non-finite.
    last_good: Vae,
    optim: FusedAdam,
    /// Source of ε for z = μ + σ·ε; seeded, so a run can be replayed.
    noise: Rng,
    step: usize,
    device: Device,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// The loss was NaN or infinite; the model stays as it was after the last good step.
    NonFinite { step: usize, parts: LossParts },
    /// The batch's images are not the model's image shape.
    WrongImageSize { expected: usize, found: usize },
    /// The batch holds NaN or infinite pixels; nothing was trained on it.
    InvalidPixels,
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonFinite { step, parts } => write!(
                f,
                "the loss became non-finite at step {step} (reconstruction {}, KL {}); training stopped and the \
                 model of the last good step was kept — try a smaller learning rate",
                parts.recon, parts.kl
            ),
            Self::WrongImageSize { expected, found } => {
                write!(f, "the model reads images of {expected} values, this batch has {found}")
            }
            Self::InvalidPixels => write!(f, "the batch has pixels that are not finite numbers; it was skipped"),
        }
    }
}

impl std::error::Error for TrainError {}

impl Trainer {
    /// Fresh weights from the config's seed.
    pub fn new(config: TrainingConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let device = training_device();
        let model = config.model.init(config.seed, &device);
        Ok(Self::with_model(config, model))
    }

    /// Goes on training a model that already exists (e.g. loaded weights).
    pub fn with_model(config: TrainingConfig, model: Vae) -> Self {
        let device = training_device();
        // fork: detached leaf tensors on the autodiff device (to_device would record a graph op).
        let model = model.fork(&device).train();
        Self {
            noise: Rng::new(config.seed ^ 0x5EED),
            last_good: model.clone(),
            optim: FusedAdam::new(),
            step: 0,
            config,
            model,
            device,
        }
    }

    /// Goes on counting from `step` (loaded weights that trained that long): the β warm-up and
    /// the loss curves continue where they were.
    pub fn resume_at(&mut self, step: usize) {
        self.step = step;
    }

    pub fn config(&self) -> &TrainingConfig {
        &self.config
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    /// Takes effect at the next step: the optimiser's moments are kept.
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.config.learning_rate = lr;
    }

    pub fn set_beta(&mut self, beta: f32, warmup_steps: usize) {
        self.config.beta = beta;
        self.config.beta_warmup_steps = warmup_steps;
    }

    /// The current weights for inference (no autodiff graph).
    pub fn model(&self) -> Vae {
        self.model.valid()
    }

    /// One minibatch: forward, negative ELBO, backward, Adam update.
    pub fn step(&mut self, batch: &Batch) -> Result<LossParts, TrainError> {
        let (parts, grads) = self.gradients(batch)?;
        self.update(grads);
        Ok(parts)
    }

    /// Forward, negative ELBO and backward on one minibatch: its losses and the gradients,
    /// nothing updated yet (`step` is this and `update`; the benchmark times them apart).
    pub fn gradients(&mut self, batch: &Batch) -> Result<(LossParts, GradientsParams), TrainError> {
        let cfg = &self.config.model;
        if batch.shape.pixels() != cfg.image.pixels() {
            return Err(TrainError::WrongImageSize {
                expected: cfg.image.pixels(),
                found: batch.shape.pixels(),
            });
        }
        if batch.images.iter().any(|v| !v.is_finite()) {
            return Err(TrainError::InvalidPixels);
        }
        let beta = self.config.beta_at(self.step);
        let (x, class) = tensors::batch(batch, cfg.num_classes, &self.device); // [b, pixels], [b, classes]
        let eps = tensors::matrix(
            self.noise.normals(batch.len() * cfg.latent_dim),
            batch.len(),
            &self.device,
        ); // [b, latent]
        let (posterior, logits) = self.model.forward(x.clone(), class, eps);
        let recon = reconstruction(cfg.recon_loss, cfg.output_sigma, logits, x); // [b]
        let kl_dims = kl_per_dim(&posterior); // [b, latent]
        let objective = negative_elbo(recon.clone(), kl_dims.clone(), beta).mean(); // [1]
        let parts = LossParts::from_tensors(recon.inner(), kl_dims.inner(), beta);
        if !parts.is_finite() {
            // The input is finite, so these weights are bad: the last update made them so.
            self.model = self.last_good.clone();
            self.optim = FusedAdam::new();
            return Err(TrainError::NonFinite {
                step: self.step,
                parts,
            });
        }
        Ok((
            parts,
            GradientsParams::from_grads(objective.backward(), &self.model),
        ))
    }

    /// The optimiser's update from `gradients`' result; the weights before it are kept in case
    /// the next loss turns out non-finite.
    pub fn update(&mut self, grads: GradientsParams) {
        self.last_good = self.model.clone();
        self.model = self
            .optim
            .step(self.config.learning_rate, self.model.clone(), grads);
        self.step += 1;
    }
}
