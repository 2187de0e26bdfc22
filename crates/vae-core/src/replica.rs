//! Another worker's copy of a trainer's model and optimiser, for data-parallel training
//! (shares.rs). A helper worker keeps one: it computes its share's gradient at these weights,
//! receives the other shares' gradients and takes the same Adam step as the trainer, so that
//! only gradients travel between workers each step. The whole state travels once: at the start,
//! and whenever the trainer's state was replaced rather than updated (its `Version` says which).
use crate::adam::{AdamState, FusedAdam};
use crate::backend::training_device;
use crate::config::VaeConfig;
use crate::flat;
use crate::model::Vae;
use crate::shares::{self, Share, ShareGradient};
use crate::train::{slices, Version};
use burn::module::{Module, ParamId};
use burn::tensor::Device;

pub struct Replica {
    config: VaeConfig,
    /// The weights burn's layers of the gradient need; those it reads from the flat weights
    /// (`read_from_flat`) keep their first values: 2.5 MB less copied per update for the MLP.
    model: Vae,
    read_from_flat: Vec<ParamId>,
    optim: FusedAdam,
    version: Version,
    device: Device,
}

impl Replica {
    /// The trainer's state at `version` (Trainer::state). Err for a config that does not
    /// validate or a state of another model.
    pub fn new(config: VaeConfig, version: Version, state: AdamState<'_>) -> Result<Self, String> {
        config.validate().map_err(|e| e.to_string())?;
        let device = training_device();
        let model = config.init(0, &device).fork(&device).train();
        if state.weights.len() != flat::len(&model) {
            return Err("the replica's weights are not this model's".into());
        }
        let model = flat::write(model, state.weights);
        let optim = FusedAdam::from_state(state)?;
        Ok(Self {
            config,
            read_from_flat: shares::read_from_flat(&model),
            model,
            optim,
            version,
            device,
        })
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn config(&self) -> &VaeConfig {
        &self.config
    }

    /// The current weights, flat (flat.rs).
    pub fn weights(&mut self) -> &[f32] {
        self.optim.weights(&self.model)
    }

    /// One share's gradient at the replica's weights (the trainer's `share_gradient`).
    pub fn gradient(&self, share: &Share) -> ShareGradient {
        let weights = self.optim.current();
        shares::gradient(&self.model, weights, &self.config, share, &self.device)
    }

    /// The trainer's update from every share's gradient, in share order: true when it was
    /// taken. A refused (non-finite) step changes nothing here; the trainer restores its last
    /// good state under a new version, which the replica then receives whole.
    pub fn update(&mut self, gradients: Vec<ShareGradient>, beta: f32, learning_rate: f64) -> bool {
        let (_, gradients) = shares::combine(gradients, beta);
        let Some(gradients) = gradients else {
            return false;
        };
        self.model = self.optim.step_sum(
            learning_rate,
            self.model.clone(),
            &slices(&gradients),
            &self.read_from_flat,
        );
        self.version.updates += 1;
        true
    }
}
