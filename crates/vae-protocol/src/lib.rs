//! The page ↔ worker protocol. Messages travel as JSON text; large pixel or file buffers
//! travel beside them as transferred ArrayBuffers (never serialised), see `Outgoing` in the worker.
//!
//! Every answer names the view it belongs to and the model generation it was computed from: a
//! generation ends when the worker builds or loads another model, and the page drops answers
//! about a model it no longer shows.
pub mod settings;
pub mod views;

use serde::{Deserialize, Serialize};
pub use settings::{Arch, Dataset, Loss, Settings, SettingsError};
pub use views::{Anchor, MapAxes, Mask, Twin, View, Views};

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Command {
    /// New settings. Changes of dataset, architecture, latent size, hidden size, loss or seed
    /// rebuild the model from the seed; learning rate, β, warm-up and batch size apply live.
    Configure {
        settings: Settings,
    },
    /// The shipped MNIST files or a user's own IDX files; the transferred buffer holds
    /// `images_len` bytes of the images file, then the labels file (if any).
    LoadDataset {
        dataset: Dataset,
        images_len: usize,
    },
    /// A student's own pictures, already cropped and resized by the browser: the buffer holds
    /// `paths.len()` RGBA images of `side` × `side`, labelled by their paths' folders or prefixes.
    LoadImages {
        paths: Vec<String>,
        side: usize,
        colour: bool,
    },
    /// Weights bytes in the transferred buffer; `pretrained` marks the file the page ships.
    LoadWeights {
        pretrained: bool,
    },
    Train {
        running: bool,
    },
    /// Exactly one minibatch.
    Step,
    /// Fresh weights from the seed.
    Reset,
    /// New prior noise for the sample grid.
    Resample,
    /// Which panels are open and what they ask for: the worker computes only these views.
    OpenViews {
        views: Views,
    },
    /// Decode one latent vector for the sliders' image. Requests name the generation they were
    /// made for; the worker ignores those about a model it has replaced.
    Decode {
        generation: u32,
        request: u32,
        z: Vec<f32>,
        class: u8,
    },
    /// The posterior (μ, log σ²) of held-out image `index`, and the image.
    Encode {
        generation: u32,
        request: u32,
        index: usize,
    },
    /// The latent vector at a point of the latent map (back-projected when the map is a PCA).
    PickLatent {
        generation: u32,
        request: u32,
        twin: Twin,
        x: f32,
        y: f32,
    },
    /// A drawing: `width × height` grayscale bytes (ink high) in the transferred buffer.
    Draw {
        request: u32,
        width: usize,
        height: usize,
    },
    /// The weights as a file: for the student to download, or (`snapshot`) for the page to keep,
    /// so that a crashed worker's replacement starts from them.
    SaveWeights {
        snapshot: bool,
    },
    /// Completes the anchor's image (a held-out image or the drawing) with `mask` hidden:
    /// `chains` fillings, each after `iterations` encode–sample–decode rounds.
    Complete {
        generation: u32,
        request: u32,
        source: Anchor,
        mask: Mask,
        iterations: usize,
        chains: usize,
    },
    /// `count` samples z ~ N(0, T²·I) (of `class` for a conditional model, else every class in
    /// turn) as a picture sheet (`sheet`) or as IDX files.
    Export {
        generation: u32,
        request: u32,
        count: usize,
        temperature: f32,
        class: Option<u8>,
        sheet: bool,
    },
    /// Makes the worker panic, to rehearse the page's recovery (tests use it).
    Crash,
}

/// Loss terms per image, in nats.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Losses {
    pub recon: f32,
    pub kl: f32,
    pub total: f32,
    /// Mean KL of each latent dimension (sums to `kl`).
    pub kl_per_dim: Vec<f32>,
    /// Dimensions whose KL exceeds 0.01 nats: the ones that carry information.
    pub active_units: usize,
}

/// Training progress, a few times a second while training and after every change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub generation: u32,
    pub step: usize,
    pub epoch: usize,
    pub running: bool,
    /// Mean over the training batches since the last report (zero before any step).
    pub train: Losses,
    /// Set when the held-out split was evaluated at this step.
    pub test: Option<Losses>,
    /// The autoencoder twin's training loss (reconstruction only: its β is 0), while it trains.
    pub twin: Option<Losses>,
    pub beta: f32,
    pub images_per_sec: f32,
    /// Milliseconds per training step, measured over the last slice.
    pub ms_per_step: f32,
    /// The worker's wasm linear memory, in bytes (0 natively).
    pub memory_bytes: usize,
    /// Workers computing each training step (1 + the helpers that answer).
    pub workers: usize,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// The first message: the worker's wasm has loaded and it listens.
    Ready,
    /// A model was built or loaded: a new generation starts. Also restates the running settings
    /// after a refused change.
    Configured {
        generation: u32,
        settings: Settings,
        dataset_len: usize,
        held_out_len: usize,
        num_classes: usize,
        params: usize,
    },
    Progress(Progress),
    /// RGBA pixels in the transferred buffer. `request` is set when the image answers one.
    Image {
        view: View,
        generation: u32,
        request: Option<u32>,
        width: usize,
        height: usize,
    },
    /// The held-out images of the latent map (RGBA, one after another, in map order), once per
    /// generation: the page shows them under the pointer without asking.
    HeldOut {
        generation: u32,
        width: usize,
        height: usize,
    },
    /// Held-out μ on a plane: `points` holds x, y pairs in held-out order.
    LatentMap {
        generation: u32,
        twin: Twin,
        axes: MapAxes,
        points: Vec<f32>,
        labels: Vec<u8>,
        num_classes: usize,
    },
    /// The traversal grid's rows, top to bottom: (latent dimension, its held-out KL in nats).
    Traversals {
        generation: u32,
        rows: Vec<(usize, f32)>,
    },
    /// The posterior of held-out image `index`.
    Posterior {
        generation: u32,
        request: u32,
        index: usize,
        label: u8,
        mu: Vec<f32>,
        log_var: Vec<f32>,
    },
    /// The latent vector at a picked map point.
    Picked {
        generation: u32,
        request: u32,
        z: Vec<f32>,
    },
    /// The encoder's verdict on a drawing: its posterior, its −ELBO, its point on the latent map.
    Drawn {
        generation: u32,
        request: u32,
        mu: Vec<f32>,
        log_var: Vec<f32>,
        neg_elbo: f32,
        point: [f32; 2],
    },
    /// A completion's figures (its picture is the Completion image with the same request):
    /// masked-pixel squared error of the chains' average and of the mean image.
    Completed {
        generation: u32,
        request: u32,
        iterations: usize,
        chains: usize,
        error: f32,
        mean_fill_error: f32,
    },
    /// −ELBO (nats) of each held-out image in held-out order, their labels, the class left out
    /// of training and the ROC AUC of telling it from the rest, and the drawing's score.
    Anomaly {
        generation: u32,
        scores: Vec<f32>,
        labels: Vec<u8>,
        left_out: Option<u8>,
        auc: Option<f32>,
        drawn: Option<f32>,
    },
    /// Exported samples: the transferred buffer holds `images_len` bytes of IDX images, then
    /// the labels IDX file when `labels` (conditional models). `name` says what they are.
    Exported {
        generation: u32,
        request: u32,
        name: String,
        count: usize,
        images_len: usize,
        labels: bool,
    },
    /// The weights file in the transferred buffer, and the training steps it holds.
    Weights {
        file_name: String,
        snapshot: bool,
        steps: usize,
    },
    /// The worker panicked: it is gone, with this message. The page starts another.
    Crashed {
        message: String,
    },
    /// Something went wrong; the current model is untouched and keeps working. `request` names
    /// the request it answers, so the page can free whatever waited for it.
    Error {
        message: String,
        request: Option<u32>,
    },
    /// A notice that is not an error (e.g. "loaded pretrained weights").
    Info {
        message: String,
    },
}

impl Event {
    /// The model generation an answer was computed from; None for messages about no model.
    pub fn generation(&self) -> Option<u32> {
        match self {
            Event::Progress(p) => Some(p.generation),
            Event::Image { generation, .. }
            | Event::HeldOut { generation, .. }
            | Event::LatentMap { generation, .. }
            | Event::Traversals { generation, .. }
            | Event::Posterior { generation, .. }
            | Event::Picked { generation, .. }
            | Event::Drawn { generation, .. }
            | Event::Completed { generation, .. }
            | Event::Anomaly { generation, .. }
            | Event::Exported { generation, .. } => Some(*generation),
            _ => None,
        }
    }
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
        let c = Command::Decode {
            generation: 1,
            z: vec![0.5, -1.0],
            request: 3,
            class: 2,
        };
        assert_eq!(Command::from_json(&c.to_json()).unwrap(), c);
        let c = Command::OpenViews {
            views: Views {
                latent_map: true,
                interpolation: Some([Anchor::HeldOut(3), Anchor::Drawn]),
                ..Views::default()
            },
        };
        assert_eq!(Command::from_json(&c.to_json()).unwrap(), c);
        let e = Event::Image {
            view: View::Samples,
            generation: 4,
            request: None,
            width: 8,
            height: 8,
        };
        assert_eq!(Event::from_json(&e.to_json()).unwrap(), e);
        let e = Event::Progress(Progress {
            step: 3,
            test: Some(Losses::default()),
            ..Progress::default()
        });
        assert_eq!(Event::from_json(&e.to_json()).unwrap(), e);
        assert!(Command::from_json("{\"type\":\"Nope\"}").is_err());
    }

    #[test]
    fn answers_name_their_generation() {
        let e = Event::Picked {
            generation: 7,
            request: 1,
            z: vec![],
        };
        assert_eq!(e.generation(), Some(7));
        assert_eq!(
            Event::Info {
                message: String::new()
            }
            .generation(),
            None
        );
    }
}
