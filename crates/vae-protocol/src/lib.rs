//! The page ↔ worker protocol. Messages travel as JSON text; large pixel or file buffers
//! travel beside them as transferred ArrayBuffers (never serialised), see `Payload`.
pub mod settings;

pub use settings::{Settings, SettingsError};
use serde::{Deserialize, Serialize};

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Command {
    /// New settings. Changes of dataset, architecture, latent size, hidden size, loss or seed
    /// rebuild the model from the seed; learning rate, β, warm-up and batch size apply live.
    Configure { settings: Settings },
    /// The shipped MNIST files or a user's own IDX files; the transferred buffer holds
    /// `images_len` bytes of the images file, then the labels file (if any).
    LoadDataset { name: String, images_len: usize },
    /// Weights bytes in the transferred buffer; `pretrained` marks the file the page ships.
    LoadWeights { pretrained: bool },
    Train { running: bool },
    /// Exactly one minibatch.
    Step,
    /// Fresh weights from the seed.
    Reset,
    /// New prior noise for the sample grid.
    Resample,
    /// Decode one latent vector for the slider view; `request` echoes back.
    Decode { z: Vec<f32>, request: u32, class: u8 },
    /// Encode held-out image `index`: its posterior (μ, log σ²) comes back.
    Encode { index: usize },
    SaveWeights,
}

/// What an Images event shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageKind {
    /// 8×8 decodes of a fixed batch of z ~ N(0, I).
    Samples,
    /// Held-out inputs (odd rows) above their reconstructions (even rows).
    Reconstructions,
    /// One decoded latent vector (the sliders' view).
    Decoded,
    /// The held-out image whose posterior was asked for.
    Input,
}

/// Loss terms per image, in nats.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Losses {
    pub recon: f32,
    pub kl: f32,
    pub total: f32,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// The first message: the worker's wasm has loaded and it listens.
    Ready,
    /// The settings the worker now runs with (after loading weights they may differ).
    Configured { settings: Settings, dataset_len: usize, held_out_len: usize, num_classes: usize, params: usize },
    Progress {
        step: usize,
        epoch: usize,
        running: bool,
        train: Losses,
        /// Set when the held-out split was evaluated at this step.
        test: Option<Losses>,
        kl_per_dim: Vec<f32>,
        beta: f32,
        images_per_sec: f32,
        /// Milliseconds per step, measured over the last slice.
        ms_per_step: f32,
        /// The worker's wasm linear memory, in bytes (0 natively).
        memory_bytes: usize,
    },
    /// RGBA pixels in the transferred buffer.
    Images { kind: ImageKind, width: usize, height: usize, request: u32 },
    Posterior { index: usize, label: u8, mu: Vec<f32>, log_var: Vec<f32> },
    /// The weights file in the transferred buffer.
    Weights { file_name: String },
    /// Something went wrong; the current model is untouched and keeps working.
    Error { message: String },
    /// A notice that is not an error (e.g. "loaded pretrained weights").
    Info { message: String },
}

impl Command {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("commands serialise")
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("unreadable command: {e}"))
    }
}

impl Event {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("unreadable event: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let c = Command::Decode { z: vec![0.5, -1.0], request: 3, class: 2 };
        assert_eq!(Command::from_json(&c.to_json()).unwrap(), c);
        let e = Event::Images { kind: ImageKind::Samples, width: 8, height: 8, request: 0 };
        assert_eq!(Event::from_json(&e.to_json()).unwrap(), e);
        assert!(Command::from_json("{\"type\":\"Nope\"}").is_err());
    }
}
