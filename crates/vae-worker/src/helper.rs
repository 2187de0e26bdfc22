//! A helper worker of data-parallel training (vae-core's shares.rs): the training worker sends
//! it the current weights and one share of the minibatch; it answers with that share's gradient.
//! Messages are `{ json, buffer }` as between page and worker: a small JSON header, and the
//! numbers as little-endian f32 in one transferred buffer. This file encodes, decodes and
//! answers them; the glue in main.rs only moves them.
use serde::{Deserialize, Serialize};
use vae_core::backend::training_device;
use vae_core::burn_module::Module;
use vae_core::config::VaeConfig;
use vae_core::data::Batch;
use vae_core::model::Vae;
use vae_core::shares::{self, Share, ShareGradient};

/// What a request's buffer holds, in order: weights, images, ε (f32), then the labels (u8).
#[derive(Serialize, Deserialize)]
struct RequestHeader {
    /// Echoed in the answer: an answer for a step that was abandoned is dropped.
    id: u64,
    config: VaeConfig,
    weights: usize,
    rows: usize,
    beta: f32,
    batch_size: usize,
}

/// An answer's buffer holds the reconstruction sum, the KL sums, then the gradient (f32).
#[derive(Serialize, Deserialize)]
struct AnswerHeader {
    id: u64,
    rows: usize,
    latent: usize,
    gradient: usize,
    /// Why there is no gradient (a request that could not be read).
    error: Option<String>,
}

fn put(out: &mut Vec<u8>, values: &[f32]) {
    out.reserve(values.len() * 4);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// The next `n` f32 of `bytes`, which then starts after them.
fn take(bytes: &mut &[u8], n: usize) -> Result<Vec<f32>, String> {
    if bytes.len() < n * 4 {
        return Err("a share message is shorter than its header says".into());
    }
    let (mine, rest) = bytes.split_at(n * 4);
    *bytes = rest;
    Ok(mine
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// The message that asks a helper for `share`'s gradient at `weights`.
pub fn request(id: u64, config: &VaeConfig, weights: &[f32], share: &Share) -> (String, Vec<u8>) {
    let header = RequestHeader {
        id,
        config: config.clone(),
        weights: weights.len(),
        rows: share.batch.len(),
        beta: share.beta,
        batch_size: share.batch_size,
    };
    let mut buffer = Vec::new();
    put(&mut buffer, weights);
    put(&mut buffer, &share.batch.images);
    put(&mut buffer, &share.eps);
    buffer.extend_from_slice(&share.batch.labels);
    (
        serde_json::to_string(&header).expect("a header serialises"),
        buffer,
    )
}

/// The helper's answer: the gradient, or why there is none.
pub fn answer(id: u64, result: Result<ShareGradient, String>) -> (String, Vec<u8>) {
    let mut buffer = Vec::new();
    let header = match result {
        Ok(g) => {
            put(&mut buffer, &[g.recon_sum]);
            put(&mut buffer, &g.kl_sums);
            put(&mut buffer, &g.gradient);
            AnswerHeader {
                id,
                rows: g.rows,
                latent: g.kl_sums.len(),
                gradient: g.gradient.len(),
                error: None,
            }
        }
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

/// Reads an answer: the request's id and the share's gradient (Err: the helper's reason).
pub fn read_answer(json: &str, buffer: &[u8]) -> Result<(u64, ShareGradient), String> {
    let h: AnswerHeader = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if let Some(error) = h.error {
        return Err(error);
    }
    let mut bytes = buffer;
    let recon_sum = take(&mut bytes, 1)?[0];
    let kl_sums = take(&mut bytes, h.latent)?;
    let gradient = take(&mut bytes, h.gradient)?;
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

/// The helper's state: a model of the latest config, whose weights each request replaces.
#[derive(Default)]
pub struct Helper {
    model: Option<(VaeConfig, Vae)>,
}

impl Helper {
    /// Answers one request (an unreadable one gets an answer that says why).
    pub fn handle(&mut self, json: &str, buffer: &[u8]) -> (String, Vec<u8>) {
        match serde_json::from_str::<RequestHeader>(json) {
            Ok(h) => {
                let id = h.id;
                answer(id, self.gradient(h, buffer))
            }
            Err(e) => answer(0, Err(format!("an unreadable share request: {e}"))),
        }
    }

    fn gradient(&mut self, h: RequestHeader, buffer: &[u8]) -> Result<ShareGradient, String> {
        let device = training_device();
        if self.model.as_ref().map(|(c, _)| c) != Some(&h.config) {
            h.config.validate().map_err(|e| e.to_string())?;
            let model = h.config.init(0, &device).fork(&device).train();
            self.model = Some((h.config.clone(), model));
        }
        let (config, model) = self.model.take().expect("just built");
        if vae_core::flat::len(&model) != h.weights {
            return Err("the share's weights are not this model's".into());
        }
        let mut bytes = buffer;
        let weights = take(&mut bytes, h.weights)?;
        let images = take(&mut bytes, h.rows * config.image.pixels())?;
        let eps = take(&mut bytes, h.rows * config.latent_dim)?;
        if bytes.len() != h.rows {
            return Err("a share's labels do not match its images".into());
        }
        let share = Share {
            batch: Batch {
                shape: config.image,
                images,
                labels: bytes.to_vec(),
            },
            eps,
            beta: h.beta,
            batch_size: h.batch_size,
        };
        let model = vae_core::flat::write(model, &weights);
        let gradient = shares::gradient(&model, &config, &share, &device);
        self.model = Some((config, model));
        Ok(gradient)
    }
}
