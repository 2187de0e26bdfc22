//! One model on one dataset: the trainer, its batches, the autoencoder twin when it is compared,
//! and the state the views keep between frames (see views.rs for the views themselves).
use std::collections::VecDeque;
use vae_core::config::{Arch, ReconLoss, TrainingConfig, VaeConfig};
use vae_core::data::{split_held_out, Batch, Batcher, Dataset};
use vae_core::eval::evaluate;
use vae_core::latent::sample_prior;
use vae_core::loss::LossParts;
use vae_core::memory::MemoryEstimate;
use vae_core::model::Vae;
use vae_core::pca::Pca2;
use vae_core::rng::Rng;
use vae_core::shares::{Share, ShareGradient};
use vae_core::train::Trainer;
use vae_protocol::settings::{self, Loss};
use vae_protocol::Settings;

pub struct Lab {
    pub settings: Settings,
    pub train: Dataset,
    pub test: Dataset,
    pub trainer: Trainer,
    pub batches: Batcher,
    /// A fixed batch of prior noise ε, so the sample grid is comparable from frame to frame
    /// (the grid decodes T·ε for temperature T).
    pub(crate) sample_eps: Vec<f32>,
    resamples: u64,
    /// The inference snapshot of the current weights; None after training until a view needs it,
    /// so training steps do not pay for it.
    snapshot: Option<Vae>,
    /// The β = 0 twin, trained on the same batches while the page compares the two.
    pub twin: Option<Trainer>,
    /// The minibatches of the steps planned (one in flight, one ahead), for the twin to train
    /// on once the VAE has.
    twin_batches: VecDeque<Batch>,
    twin_snapshot: Option<Vae>,
    /// The twin's losses since the last report.
    pub twin_pending: Vec<LossParts>,
    /// Mean KL per latent dimension on the held-out split, from the latest evaluation.
    pub held_out_kl: Vec<f32>,
    /// The latest latent maps' planes (VAE, twin), kept so axes do not flip between frames and
    /// so a click on the map can be back-projected.
    pub(crate) planes: [Option<Pca2>; 2],
    /// The student's drawing, preprocessed to the model's image shape.
    pub(crate) drawing: Option<Vec<f32>>,
    /// The training split's mean image: where a completion's hidden pixels start.
    pub(crate) mean_image: Option<Vec<f32>>,
}

/// The model config the settings describe for a dataset's image shape.
pub fn model_config(s: &Settings, data: &Dataset) -> VaeConfig {
    VaeConfig {
        image: data.shape,
        arch: match s.arch {
            settings::Arch::Mlp => Arch::Mlp,
            settings::Arch::Conv => Arch::Conv,
        },
        latent_dim: s.latent_dim,
        hidden: s.hidden,
        num_classes: if s.conditional { data.num_classes } else { 0 },
        recon_loss: match s.recon_loss {
            Loss::Bce => ReconLoss::Bce,
            Loss::Mse => ReconLoss::Mse,
        },
        ..VaeConfig::reference_mlp()
    }
}

/// The settings that describe `config`, keeping `base`'s dataset and training settings.
pub fn settings_for(config: &VaeConfig, base: &Settings) -> Settings {
    Settings {
        arch: match config.arch {
            Arch::Mlp => settings::Arch::Mlp,
            Arch::Conv => settings::Arch::Conv,
        },
        latent_dim: config.latent_dim,
        hidden: config.hidden,
        conditional: config.num_classes > 0,
        recon_loss: match config.recon_loss {
            ReconLoss::Bce => Loss::Bce,
            ReconLoss::Mse => Loss::Mse,
        },
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
    /// Fresh weights from the settings' seed, or `weights` (already checked to fit) with the
    /// training steps they hold.
    pub fn new(
        settings: Settings,
        data: &Dataset,
        weights: Option<(Vae, usize)>,
    ) -> Result<Self, String> {
        let config = training_config(&settings, data);
        // Refused before anything is allocated: a worker that runs out of memory dies silently.
        MemoryEstimate::of(&config, data.len()).check()?;
        let trainer = match weights {
            Some((model, steps)) => {
                config.validate().map_err(|e| e.to_string())?;
                let mut trainer = Trainer::with_model(config.clone(), model);
                trainer.resume_at(steps);
                trainer
            }
            None => Trainer::new(config.clone()).map_err(|e| format!("setting {e}"))?,
        };
        let (train, test) = split_held_out(data);
        // The anomaly experiment: the model never trains on the left-out class.
        let train = match settings.leave_out {
            Some(class) if usize::from(class) < data.num_classes => train.without_class(class),
            Some(class) => {
                return Err(format!(
                    "there is no class {class} to leave out: the dataset has {} classes",
                    data.num_classes
                ))
            }
            None => train,
        };
        if train.is_empty() {
            return Err("leaving that class out leaves nothing to train on".into());
        }
        let mut batches = Batcher::new(train.len(), settings.seed);
        // Loaded weights have seen this many passes over the data (the pretrained: 60).
        batches.epoch = trainer.steps_done() / batches.steps_per_epoch(settings.batch_size);
        let mut lab = Self {
            batches,
            snapshot: None,
            sample_eps: Vec::new(),
            resamples: 0,
            twin: None,
            twin_batches: VecDeque::new(),
            twin_snapshot: None,
            twin_pending: Vec::new(),
            held_out_kl: Vec::new(),
            planes: [None, None],
            drawing: None,
            mean_image: None,
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
        if let Some(twin) = &mut self.twin {
            twin.set_learning_rate(s.learning_rate); // its β stays 0
        }
        self.settings = s.clone();
    }

    /// One minibatch for the VAE, and the same minibatch for its twin when there is one; cut
    /// in `count` shares, all computed here.
    pub fn step(&mut self, count: usize) -> Result<LossParts, String> {
        let shares = self.plan(count, false)?;
        let gradients: Vec<_> = shares
            .iter()
            .map(|s| self.trainer.share_gradient(s))
            .collect();
        self.apply(gradients)
    }

    /// The next minibatch, cut into `count` shares for the workers (vae-core's shares.rs);
    /// `ahead`: for the step after the one in flight.
    pub fn plan(&mut self, count: usize, ahead: bool) -> Result<Vec<Share>, String> {
        let batch = self.batches.next(&self.train, self.settings.batch_size);
        let shares = match ahead {
            false => self.trainer.plan(&batch, count),
            true => self.trainer.plan_ahead(&batch, count),
        };
        let shares = shares.map_err(|e| e.to_string())?;
        if self.twin.is_some() {
            self.twin_batches.push_back(batch);
        }
        Ok(shares)
    }

    /// The step planned last will not be taken (one planned ahead, at a pause): the twin
    /// forgets its batch.
    pub fn drop_last_plan(&mut self) {
        self.twin_batches.pop_back();
    }

    /// Updates the VAE from its shares' gradients, then trains the twin (here, in one piece) on
    /// the same minibatch.
    pub fn apply(&mut self, gradients: Vec<ShareGradient>) -> Result<LossParts, String> {
        self.snapshot = None;
        let parts = self.trainer.apply(gradients).map_err(|e| e.to_string())?;
        if let (Some(twin), Some(batch)) = (&mut self.twin, self.twin_batches.pop_front()) {
            self.twin_snapshot = None;
            match twin.step(&batch) {
                Ok(p) => self.twin_pending.push(p),
                Err(e) => {
                    self.twin = None;
                    return Err(format!("the autoencoder twin stopped: {e}. The VAE is unharmed; switch the comparison on again to restart the twin"));
                }
            }
        }
        Ok(parts)
    }

    /// Starts (fresh weights from the same seed, so both begin alike) or stops the twin.
    pub fn set_twin(&mut self, on: bool) -> Result<(), String> {
        if on == self.twin.is_some() {
            return Ok(());
        }
        self.twin = None;
        self.twin_snapshot = None;
        self.twin_pending.clear();
        self.twin_batches.clear();
        self.planes[1] = None;
        if on {
            let config = training_config(&self.settings, &self.train).autoencoder_twin();
            // The twin needs as much again for its weights, training state and activations.
            let one = MemoryEstimate::of(&config, self.train.len() + self.test.len());
            MemoryEstimate {
                parameters: 2 * one.parameters,
                training_state: 2 * one.training_state,
                activations: 2 * one.activations,
                ..one
            }
            .check()?;
            self.twin = Some(Trainer::new(config).map_err(|e| e.to_string())?);
        }
        Ok(())
    }

    pub fn epoch(&self) -> usize {
        self.batches.epoch
    }

    /// The current weights for inference.
    pub fn model(&mut self) -> &Vae {
        let trainer = &self.trainer;
        self.snapshot.get_or_insert_with(|| trainer.model())
    }

    /// The twin's current weights for inference, if it trains.
    pub fn twin_model(&mut self) -> Option<&Vae> {
        let twin = self.twin.as_ref()?;
        Some(self.twin_snapshot.get_or_insert_with(|| twin.model()))
    }

    pub fn evaluate_held_out(&mut self) -> LossParts {
        let beta = self.trainer.config().beta_at(self.trainer.steps_done());
        let (model, config) = (self.model().clone(), self.config().clone());
        let parts = evaluate(&model, &config, &self.test, beta);
        self.held_out_kl = parts.kl_per_dim.clone();
        parts
    }

    pub fn resample(&mut self) {
        let mut rng = Rng::new(self.settings.seed ^ (0x5A3 + self.resamples));
        self.resamples += 1;
        self.sample_eps = sample_prior(&mut rng, 64, self.config().latent_dim, 1.0);
    }
}
