//! A helper worker of data-parallel training (vae-core's shares.rs): the training worker sends
//! it the current weights and one share of the minibatch; it answers with that share's gradient.
//! Messages are `{ json, buffer }` as between page and worker: a small JSON header, and the
//! numbers in one transferred buffer of f32 (a Float32Array: one copy out of wasm memory and
//! one copy in, ~1.3 MB each way a step for the reference MLP). This file encodes, decodes and
//! answers them; the glue (glue.rs, glue_helper.rs) only moves them.
use serde::{Deserialize, Serialize};
use vae_core::backend::training_device;
use vae_core::burn_module::Module;
use vae_core::config::VaeConfig;
use vae_core::data::Batch;
use vae_core::model::Vae;
use vae_core::shares::{self, Share, ShareGradient};

/// What a request's buffer holds, in order: weights, images, ε, then the labels (as f32).
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

/// An answer's buffer holds the reconstruction sum, the KL sums, then the gradient.
#[derive(Serialize, Deserialize)]
struct AnswerHeader {
    id: u64,
    rows: usize,
    latent: usize,
    gradient: usize,
    /// Why there is no gradient (a request that could not be read).
    error: Option<String>,
}

/// The next `n` values of `buffer`, which then starts after them.
fn take<'a>(buffer: &mut &'a [f32], n: usize) -> Result<&'a [f32], String> {
    if buffer.len() < n {
        return Err("a share message is shorter than its header says".into());
    }
    let (mine, rest) = buffer.split_at(n);
    *buffer = rest;
    Ok(mine)
}

/// The message that asks a helper for `share`'s gradient at `weights`.
pub fn request(id: u64, config: &VaeConfig, weights: &[f32], share: &Share) -> (String, Vec<f32>) {
    let header = RequestHeader {
        id,
        config: config.clone(),
        weights: weights.len(),
        rows: share.batch.len(),
        beta: share.beta,
        batch_size: share.batch_size,
    };
    let labels = share.batch.labels.iter().map(|&l| f32::from(l));
    let mut buffer = Vec::with_capacity(
        weights.len() + share.batch.images.len() + share.eps.len() + labels.len(),
    );
    buffer.extend_from_slice(weights);
    buffer.extend_from_slice(&share.batch.images);
    buffer.extend_from_slice(&share.eps);
    buffer.extend(labels);
    (
        serde_json::to_string(&header).expect("a header serialises"),
        buffer,
    )
}

/// The helper's answer: the gradient, or why there is none.
pub fn answer(id: u64, result: Result<ShareGradient, String>) -> (String, Vec<f32>) {
    let mut buffer = Vec::new();
    let header = match result {
        Ok(g) => {
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

/// The helper's state: a model of the latest config, whose weights each request replaces.
#[derive(Default)]
pub struct Helper {
    model: Option<(VaeConfig, Vae)>,
}

impl Helper {
    /// Answers one request (an unreadable one gets an answer that says why).
    pub fn handle(&mut self, json: &str, buffer: &[f32]) -> (String, Vec<f32>) {
        match serde_json::from_str::<RequestHeader>(json) {
            Ok(h) => {
                let id = h.id;
                answer(id, self.gradient(h, buffer))
            }
            Err(e) => answer(0, Err(format!("an unreadable share request: {e}"))),
        }
    }

    fn gradient(&mut self, h: RequestHeader, buffer: &[f32]) -> Result<ShareGradient, String> {
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
        let mut buffer = buffer;
        let weights = take(&mut buffer, h.weights)?;
        let images = take(&mut buffer, h.rows * config.image.pixels())?.to_vec();
        let eps = take(&mut buffer, h.rows * config.latent_dim)?.to_vec();
        if buffer.len() != h.rows {
            return Err("a share's labels do not match its images".into());
        }
        let share = Share {
            batch: Batch {
                shape: config.image,
                images,
                labels: buffer.iter().map(|&l| l as u8).collect(),
            },
            eps,
            beta: h.beta,
            batch_size: h.batch_size,
        };
        let model = vae_core::flat::write(model, weights);
        let gradient = shares::gradient(&model, &config, &share, &device);
        self.model = Some((config, model));
        Ok(gradient)
    }
}
