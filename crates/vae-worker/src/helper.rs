//! A helper worker of data-parallel training (vae-core's shares.rs and replica.rs). It keeps a
//! replica of the training worker's model and optimiser; three messages come to it:
//! - `State`: the trainer's whole state (weights and Adam's moments), when its replica is not
//!   the trainer's current one — at the start, and after the trainer's state was replaced;
//! - `Share`: one share of a step's minibatch; the answer is that share's gradient at the
//!   replica's weights;
//! - `Update`: with one helper, the step's other share's gradient (with its own, the replica
//!   takes the Adam step the training worker takes, at the same time); with more, every
//!   share's gradient summed. No answer.
//!
//! So a step moves one share's images and gradients each way (~2.6 MB for the reference MLP),
//! not the weights. Messages are `{ json, buffer }` as between page and worker: a small JSON
//! header, and the numbers in one transferred buffer of f32, copied there once from the slices
//! they are in (`Parts`). This file encodes, decodes and answers them; the glue (glue.rs,
//! glue_helper.rs) only moves them.
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use vae_core::adam::AdamState;
use vae_core::config::VaeConfig;
use vae_core::data::Batch;
use vae_core::replica::Replica;
use vae_core::shares::{Share, ShareGradient};
use vae_core::train::Version;

/// A message's numbers: the slices its buffer is filled from, in order.
pub type Parts<'a> = Vec<Cow<'a, [f32]>>;

/// A message to a helper; its buffer holds what each variant says, in order.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind")]
enum ToHelper {
    /// Buffer: the weights, Adam's first moments, its second moments (`weights` values each).
    State {
        config: VaeConfig,
        version: Version,
        time: i32,
        weights: usize,
    },
    /// Buffer: the share's images, its ε, then its labels (as f32).
    Share {
        /// Echoed in the answer: an answer for a step that was abandoned is dropped.
        id: u64,
        /// The replica's version the share's gradient is to be computed at.
        version: Version,
        /// Where this share is in the step: the gradients are summed in share order.
        index: usize,
        rows: usize,
        beta: f32,
        batch_size: usize,
    },
    /// Buffer: a gradient as an answer holds it. `other`: it is that share's, and the helper's
    /// own completes the step; None: it is the total of every share (shares::total).
    Update {
        id: u64,
        learning_rate: f64,
        other: Option<usize>,
        sums: AnswerHeader,
    },
}

/// An answer's buffer holds the gradient, then the reconstruction sum and the KL sums (the
/// gradient first: reading it back is a truncation, not a copy).
#[derive(Serialize, Deserialize)]
pub struct AnswerHeader {
    id: u64,
    rows: usize,
    latent: usize,
    gradient: usize,
    /// Why there is no gradient (a request that could not be read, a replica not current).
    error: Option<String>,
}

/// The next `n` values of `buffer`, which then starts after them.
fn take<'a>(buffer: &mut &'a [f32], n: usize) -> Result<&'a [f32], String> {
    if buffer.len() < n {
        return Err("a message to or from a helper is shorter than its header says".into());
    }
    let (mine, rest) = buffer.split_at(n);
    *buffer = rest;
    Ok(mine)
}

fn encode(header: &ToHelper) -> String {
    serde_json::to_string(header).expect("a header serialises")
}

/// The message that makes a helper's replica the trainer's state.
pub fn state<'a>(
    config: &VaeConfig,
    version: Version,
    state: AdamState<'a>,
) -> (String, Parts<'a>) {
    let header = ToHelper::State {
        config: config.clone(),
        version,
        time: state.time,
        weights: state.weights.len(),
    };
    let parts = vec![state.weights.into(), state.m.into(), state.v.into()];
    (encode(&header), parts)
}

/// The message that asks a helper for share `index`'s gradient at the replica of `version`.
pub fn share(id: u64, version: Version, index: usize, share: &Share) -> (String, Parts<'_>) {
    let header = ToHelper::Share {
        id,
        version,
        index,
        rows: share.batch.len(),
        beta: share.beta,
        batch_size: share.batch_size,
    };
    let labels: Vec<f32> = share.batch.labels.iter().map(|&l| f32::from(l)).collect();
    let parts = vec![
        share.batch.images.as_slice().into(),
        share.eps.as_slice().into(),
        labels.into(),
    ];
    (encode(&header), parts)
}

/// The message that completes a helper's update: share `other`'s gradient, or (None) the
/// step's total.
pub fn update(
    id: u64,
    learning_rate: f64,
    other: Option<usize>,
    gradient: &ShareGradient,
) -> (String, Parts<'_>) {
    let header = ToHelper::Update {
        id,
        learning_rate,
        other,
        sums: answer_header(id, gradient),
    };
    (encode(&header), gradient_parts(gradient))
}

fn answer_header(id: u64, g: &ShareGradient) -> AnswerHeader {
    AnswerHeader {
        id,
        rows: g.rows,
        latent: g.kl_sums.len(),
        gradient: g.gradient.len(),
        error: None,
    }
}

fn gradient_parts(g: &ShareGradient) -> Parts<'_> {
    vec![
        g.gradient.as_slice().into(),
        std::slice::from_ref(&g.recon_sum).into(),
        g.kl_sums.as_slice().into(),
    ]
}

/// The helper's answer: the gradient, or why there is none.
pub fn answer(id: u64, result: Result<&ShareGradient, String>) -> (String, Parts<'_>) {
    let (header, parts) = match result {
        Ok(g) => (answer_header(id, g), gradient_parts(g)),
        Err(error) => (
            AnswerHeader {
                id,
                rows: 0,
                latent: 0,
                gradient: 0,
                error: Some(error),
            },
            Vec::new(),
        ),
    };
    (
        serde_json::to_string(&header).expect("a header serialises"),
        parts,
    )
}

/// The gradient an answer's buffer holds (the buffer becomes the gradient: no copy of it).
fn read_gradient(h: &AnswerHeader, mut buffer: Vec<f32>) -> Result<ShareGradient, String> {
    if buffer.len() != h.gradient + 1 + h.latent {
        return Err("a gradient message is not as long as its header says".into());
    }
    let sums = buffer.split_off(h.gradient);
    Ok(ShareGradient {
        gradient: buffer,
        recon_sum: sums[0],
        kl_sums: sums[1..].to_vec(),
        rows: h.rows,
    })
}

/// Reads an answer: the request's id and the share's gradient (Err: the helper's reason).
pub fn read_answer(json: &str, buffer: Vec<f32>) -> Result<(u64, ShareGradient), String> {
    let h: AnswerHeader = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if let Some(error) = &h.error {
        return Err(error.clone());
    }
    Ok((h.id, read_gradient(&h, buffer)?))
}

/// The share this helper computed last, kept for the step's update.
struct Computed {
    id: u64,
    index: usize,
    beta: f32,
    gradient: ShareGradient,
}

/// The helper's state: the replica, and its share of the step in flight.
#[derive(Default)]
pub struct Helper {
    replica: Option<Replica>,
    /// Why the last `State` could not be taken: the next share's answer says it.
    broken: Option<String>,
    computed: Option<Computed>,
}

impl Helper {
    /// Handles one message; a `Share` gets an answer (an unreadable message too, saying why).
    pub fn handle(&mut self, json: &str, buffer: Vec<f32>) -> Option<(String, Parts<'_>)> {
        let message = match serde_json::from_str::<ToHelper>(json) {
            Ok(m) => m,
            Err(e) => return Some(answer(0, Err(format!("an unreadable helper message: {e}")))),
        };
        match message {
            ToHelper::State {
                config,
                version,
                time,
                weights,
            } => {
                self.computed = None;
                let built = Self::replica(config, version, time, weights, &buffer);
                (self.replica, self.broken) = match built {
                    Ok(r) => (Some(r), None),
                    Err(e) => (None, Some(e)),
                };
                None
            }
            ToHelper::Share {
                id,
                version,
                index,
                rows,
                beta,
                batch_size,
            } => {
                let share = self.read_share(version, rows, beta, batch_size, &buffer);
                let gradient = share.map(|s| self.replica.as_ref().expect("checked").gradient(&s));
                // The gradient is kept for the step's update; the answer is copied from it.
                Some(match gradient {
                    Err(error) => {
                        self.computed = None;
                        answer(id, Err(error))
                    }
                    Ok(gradient) => {
                        let computed = self.computed.insert(Computed {
                            id,
                            index,
                            beta,
                            gradient,
                        });
                        answer(id, Ok(&computed.gradient))
                    }
                })
            }
            ToHelper::Update {
                id,
                learning_rate,
                other,
                sums,
            } => {
                // An update that cannot be taken leaves the replica behind the trainer, which
                // then sends its whole state with the next share.
                if let Err(e) = self.update(id, learning_rate, other, &sums, buffer) {
                    self.replica = None;
                    self.broken = Some(e);
                }
                None
            }
        }
    }

    fn replica(
        config: VaeConfig,
        version: Version,
        time: i32,
        n: usize,
        mut buffer: &[f32],
    ) -> Result<Replica, String> {
        let (weights, m) = (take(&mut buffer, n)?, take(&mut buffer, n)?);
        let v = take(&mut buffer, n)?;
        Replica::new(
            config,
            version,
            AdamState {
                weights,
                m,
                v,
                time,
            },
        )
    }

    /// The share a request carries, once the replica is known to be at `version`.
    fn read_share(
        &self,
        version: Version,
        rows: usize,
        beta: f32,
        batch_size: usize,
        mut buffer: &[f32],
    ) -> Result<Share, String> {
        let replica = match (&self.replica, &self.broken) {
            (Some(r), _) if r.version() == version => r,
            (_, Some(broken)) => return Err(broken.clone()),
            _ => return Err("the helper's replica is not the trainer's current one".into()),
        };
        let config = replica.config();
        let images = take(&mut buffer, rows * config.image.pixels())?.to_vec();
        let eps = take(&mut buffer, rows * config.latent_dim)?.to_vec();
        if buffer.len() != rows {
            return Err("a share's labels do not match its images".into());
        }
        Ok(Share {
            batch: Batch {
                shape: config.image,
                images,
                labels: buffer.iter().map(|&l| l as u8).collect(),
            },
            eps,
            beta,
            batch_size,
        })
    }

    /// The step's update: from the other share's gradient and this helper's, in share order,
    /// or (`other` None) from their total alone.
    fn update(
        &mut self,
        id: u64,
        learning_rate: f64,
        other: Option<usize>,
        sums: &AnswerHeader,
        buffer: Vec<f32>,
    ) -> Result<(), String> {
        let (Some(mine), Some(replica)) = (self.computed.take(), self.replica.as_mut()) else {
            return Err("an update for a step this helper has no share of".into());
        };
        if mine.id != id {
            return Err("an update for another step than this helper's share".into());
        }
        let received = read_gradient(sums, buffer)?;
        let gradients = match other {
            None => vec![received],
            Some(i) if i < mine.index => vec![received, mine.gradient],
            Some(_) => vec![mine.gradient, received],
        };
        // A refused (non-finite) step changes nothing; the trainer's new state comes whole.
        replica.update(gradients, mine.beta, learning_rate);
        Ok(())
    }
}
