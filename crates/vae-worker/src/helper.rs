//! A helper worker of data-parallel training (vae-core's shares.rs and replica.rs). It keeps a
//! replica of the training worker's model and optimiser; three messages come to it:
//! - `State`: the trainer's whole state (weights and Adam's moments), when its replica is not
//!   the trainer's current one — at the start, and after the trainer's state was replaced;
//! - `Share`: one share of a step's minibatch; the answer is that share's gradient at the
//!   replica's weights;
//! - `Others`: the step's other shares' gradients; with its own, the replica takes the Adam step
//!   the training worker takes, at the same time (no answer). With more than one helper,
//!   `Total`: every share's gradient summed, for the same step.
//!
//! So a step moves one share's images and gradients each way (~2.6 MB for the reference MLP),
//! not the weights. Messages are `{ json, buffer }` as between page and worker: a small JSON
//! header, and the numbers in one transferred buffer of f32. This file encodes, decodes and
//! answers them; the glue (glue.rs, glue_helper.rs) only moves them.
use serde::{Deserialize, Serialize};
use vae_core::adam::AdamState;
use vae_core::config::VaeConfig;
use vae_core::data::Batch;
use vae_core::replica::Replica;
use vae_core::shares::{Share, ShareGradient};
use vae_core::train::Version;

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
    /// Buffer: each other share's answer buffer (below), one after the other.
    Others {
        id: u64,
        learning_rate: f64,
        shares: Vec<(usize, AnswerHeader)>,
    },
    /// Buffer: the total of every share (shares::total) as an answer buffer.
    Total {
        id: u64,
        learning_rate: f64,
        sums: AnswerHeader,
    },
}

/// An answer's buffer holds the reconstruction sum, the KL sums, then the gradient.
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
pub fn state(config: &VaeConfig, version: Version, state: AdamState<'_>) -> (String, Vec<f32>) {
    let header = ToHelper::State {
        config: config.clone(),
        version,
        time: state.time,
        weights: state.weights.len(),
    };
    let buffer = [state.weights, state.m, state.v].concat();
    (encode(&header), buffer)
}

/// The message that asks a helper for share `index`'s gradient at the replica of `version`.
pub fn share(id: u64, version: Version, index: usize, share: &Share) -> (String, Vec<f32>) {
    let header = ToHelper::Share {
        id,
        version,
        index,
        rows: share.batch.len(),
        beta: share.beta,
        batch_size: share.batch_size,
    };
    let labels = share.batch.labels.iter().map(|&l| f32::from(l));
    let mut buffer = Vec::with_capacity(share.batch.images.len() + share.eps.len() + labels.len());
    buffer.extend_from_slice(&share.batch.images);
    buffer.extend_from_slice(&share.eps);
    buffer.extend(labels);
    (encode(&header), buffer)
}

/// The step's other shares' gradients (index, gradient), in share order.
pub fn others(
    id: u64,
    learning_rate: f64,
    shares: &[(usize, &ShareGradient)],
) -> (String, Vec<f32>) {
    let mut buffer = Vec::new();
    let headers = shares
        .iter()
        .map(|&(index, g)| (index, write_answer(id, g, &mut buffer)))
        .collect();
    let header = ToHelper::Others {
        id,
        learning_rate,
        shares: headers,
    };
    (encode(&header), buffer)
}

/// The step's total (shares::total): all a replica needs for the update.
pub fn total(id: u64, learning_rate: f64, total: &ShareGradient) -> (String, Vec<f32>) {
    let mut buffer = Vec::new();
    let sums = write_answer(id, total, &mut buffer);
    let header = ToHelper::Total {
        id,
        learning_rate,
        sums,
    };
    (encode(&header), buffer)
}

/// Appends a share's gradient to `buffer`; returns the header that reads it back.
fn write_answer(id: u64, g: &ShareGradient, buffer: &mut Vec<f32>) -> AnswerHeader {
    buffer.reserve(1 + g.kl_sums.len() + g.gradient.len());
    buffer.push(g.recon_sum);
    buffer.extend_from_slice(&g.kl_sums);
    buffer.extend_from_slice(&g.gradient);
    AnswerHeader {
        id,
        rows: g.rows,
        latent: g.kl_sums.len(),
        gradient: g.gradient.len(),
        error: None,
    }
}

/// The helper's answer: the gradient, or why there is none.
pub fn answer(id: u64, result: Result<&ShareGradient, String>) -> (String, Vec<f32>) {
    let mut buffer = Vec::new();
    let header = match result {
        Ok(g) => write_answer(id, g, &mut buffer),
        Err(error) => AnswerHeader {
            id,
            rows: 0,
            latent: 0,
            gradient: 0,
            error: Some(error),
        },
    };
    (
        serde_json::to_string(&header).expect("a header serialises"),
        buffer,
    )
}

/// Reads one share's gradient written by `write_answer` from the front of `buffer`.
fn read_gradient(h: &AnswerHeader, buffer: &mut &[f32]) -> Result<ShareGradient, String> {
    let recon_sum = take(buffer, 1)?[0];
    let kl_sums = take(buffer, h.latent)?.to_vec();
    let gradient = take(buffer, h.gradient)?.to_vec();
    Ok(ShareGradient {
        gradient,
        recon_sum,
        kl_sums,
        rows: h.rows,
    })
}

/// Reads an answer: the request's id and the share's gradient (Err: the helper's reason).
pub fn read_answer(json: &str, mut buffer: Vec<f32>) -> Result<(u64, ShareGradient), String> {
    let h: AnswerHeader = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if let Some(error) = h.error {
        return Err(error);
    }
    if buffer.len() != 1 + h.latent + h.gradient {
        return Err("a share's answer is not as long as its header says".into());
    }
    // The gradient is the buffer's tail: moved out, not copied.
    let gradient = buffer.split_off(1 + h.latent);
    let kl_sums = buffer.split_off(1);
    let recon_sum = buffer[0];
    Ok((
        h.id,
        ShareGradient {
            gradient,
            recon_sum,
            kl_sums,
            rows: h.rows,
        },
    ))
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
    pub fn handle(&mut self, json: &str, buffer: &[f32]) -> Option<(String, Vec<f32>)> {
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
                let built = Self::replica(config, version, time, weights, buffer);
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
                let share = self.read_share(version, rows, beta, batch_size, buffer);
                let gradient = share.map(|s| self.replica.as_ref().expect("checked").gradient(&s));
                let reply = answer(id, gradient.as_ref().map_err(Clone::clone));
                self.computed = gradient.ok().map(|gradient| Computed {
                    id,
                    index,
                    beta,
                    gradient,
                });
                Some(reply)
            }
            ToHelper::Others {
                id,
                learning_rate,
                shares,
            } => {
                // An update that cannot be taken leaves the replica behind the trainer, which
                // then sends its whole state with the next share.
                if let Err(e) = self.update(id, learning_rate, &shares, true, buffer) {
                    self.replica = None;
                    self.broken = Some(e);
                }
                None
            }
            ToHelper::Total {
                id,
                learning_rate,
                sums,
            } => {
                if let Err(e) = self.update(id, learning_rate, &[(0, sums)], false, buffer) {
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

    /// The step's update: from `shares` (the other shares' gradients) and, `with_mine`, this
    /// helper's, in share order; or from their total alone.
    fn update(
        &mut self,
        id: u64,
        learning_rate: f64,
        shares: &[(usize, AnswerHeader)],
        with_mine: bool,
        mut buffer: &[f32],
    ) -> Result<(), String> {
        let (Some(mine), Some(replica)) = (self.computed.take(), self.replica.as_mut()) else {
            return Err("an update for a step this helper has no share of".into());
        };
        if mine.id != id {
            return Err("an update for another step than this helper's share".into());
        }
        let mut all = Vec::with_capacity(shares.len() + 1);
        for (index, header) in shares {
            all.push((*index, read_gradient(header, &mut buffer)?));
        }
        if with_mine {
            all.push((mine.index, mine.gradient));
        }
        all.sort_by_key(|(index, _)| *index);
        let gradients = all.into_iter().map(|(_, g)| g).collect();
        // A refused (non-finite) step changes nothing; the trainer's new state comes whole.
        replica.update(gradients, mine.beta, learning_rate);
        Ok(())
    }
}
