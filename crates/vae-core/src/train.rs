//! One Trainer: the model, Adam, the β schedule and its own seeded noise. `step` is one minibatch.
use crate::adam::{AdamState, FusedAdam};
use crate::backend::training_device;
use crate::config::{ConfigError, TrainingConfig};
use crate::data::Batch;
use crate::flat;
use crate::loss::LossParts;
use crate::model::Vae;
use crate::rng::Rng;
use crate::shares::{self, Share, ShareGradient};
use burn::module::{Module, ParamId};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which weights and optimiser state a trainer holds: another worker's replica (replica.rs) of
/// the same version holds the same numbers. `line` is new whenever the state is replaced rather
/// than updated (a new trainer, the restore after a refused update); `updates` counts since.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub line: u64,
    pub updates: u64,
}

impl Version {
    fn new_line() -> Self {
        static LINES: AtomicU64 = AtomicU64::new(1);
        Self {
            line: LINES.fetch_add(1, Ordering::Relaxed),
            updates: 0,
        }
    }
}

pub struct Trainer {
    config: TrainingConfig,
    /// burn's layers. The weights the gradient reads from the optimiser's flat master weights
    /// (`read_from_flat`: the MLP's big layers, 2.5 MB) are not written here after each update,
    /// only when `model` is asked for.
    model: Vae,
    read_from_flat: Vec<ParamId>,
    /// Also keeps the weights before the last update: restored if that update turns out to
    /// have made the loss non-finite.
    optim: FusedAdam,
    /// Source of ε for z = μ + σ·ε; seeded, so a run can be replayed.
    noise: Rng,
    step: usize,
    version: Version,
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

/// The shares' gradients as slices, for FusedAdam::step_sum.
pub(crate) fn slices(gradients: &[Vec<f32>]) -> Vec<&[f32]> {
    gradients.iter().map(Vec::as_slice).collect()
}

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
            read_from_flat: shares::read_from_flat(&model),
            optim: FusedAdam::for_model(&model).keeping_previous(),
            step: 0,
            version: Version::new_line(),
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
        if self.read_from_flat.is_empty() {
            return self.model.valid();
        }
        flat::write(self.model.clone(), self.optim.current()).valid()
    }

    /// One minibatch: forward, negative ELBO, backward, Adam update.
    pub fn step(&mut self, batch: &Batch) -> Result<LossParts, TrainError> {
        let shares = self.plan(batch, 1)?;
        let gradient = self.share_gradient(&shares[0]);
        self.apply(vec![gradient])
    }

    /// Draws the batch's noise and cuts it into `count` shares (shares.rs) whose gradients,
    /// computed here or by other workers, `apply` sums into one update.
    pub fn plan(&mut self, batch: &Batch, count: usize) -> Result<Vec<Share>, TrainError> {
        self.plan_for(self.step, batch, count)
    }

    /// The plan of the step after the one whose shares are out (its β is that step's): helpers
    /// start on it while the step before is being applied.
    pub fn plan_ahead(&mut self, batch: &Batch, count: usize) -> Result<Vec<Share>, TrainError> {
        self.plan_for(self.step + 1, batch, count)
    }

    fn plan_for(
        &mut self,
        step: usize,
        batch: &Batch,
        count: usize,
    ) -> Result<Vec<Share>, TrainError> {
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
        let eps = self.noise.normals(batch.len() * cfg.latent_dim); // [b, latent]
        Ok(shares::split(batch, &eps, self.config.beta_at(step), count))
    }

    /// One share's gradient at the current weights.
    pub fn share_gradient(&self, share: &Share) -> ShareGradient {
        let weights = self.optim.current();
        shares::gradient(
            &self.model,
            weights,
            &self.config.model,
            share,
            &self.device,
        )
    }

    /// The current weights, flat in the model's parameter order: what other workers compute
    /// their shares' gradients at.
    pub fn flat_weights(&mut self) -> &[f32] {
        self.optim.weights(&self.model)
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// The version and the whole optimiser state (the weights among it): what another worker
    /// builds a replica from.
    pub fn state(&mut self) -> (Version, AdamState<'_>) {
        (self.version, self.optim.state(&self.model))
    }

    /// Sums the shares' gradients (in order) and updates the weights, or refuses a non-finite
    /// loss: the input was checked finite, so the last update made these weights bad, and the
    /// weights before it come back.
    pub fn apply(&mut self, gradients: Vec<ShareGradient>) -> Result<LossParts, TrainError> {
        let beta = self.config.beta_at(self.step);
        let (parts, gradients) = shares::combine(gradients, beta);
        let Some(gradients) = gradients else {
            let good = self
                .optim
                .previous()
                .unwrap_or(self.optim.current())
                .to_vec();
            self.model = flat::write(self.model.clone(), &good);
            self.optim = FusedAdam::with_weights(good).keeping_previous();
            self.version = Version::new_line();
            return Err(TrainError::NonFinite {
                step: self.step,
                parts,
            });
        };
        self.model = self.optim.step_sum(
            self.config.learning_rate,
            self.model.clone(),
            &slices(&gradients),
            &self.read_from_flat,
        );
        self.step += 1;
        self.version.updates += 1;
        Ok(parts)
    }
}
