//! Data-parallel training: a minibatch cut into shares whose gradients are computed apart (in
//! the page, each by a worker holding the same weights), then summed for one update.
//! Each share's objective is Σ over its images of the negative ELBO divided by the *whole*
//! batch's size, so the shares' gradients add up to the gradient of the batch's mean: N shares
//! train as one does, up to float rounding. The cut depends only on the batch and the count, and
//! the sum runs in share order, so the same seed and count give the same losses step for step.
use crate::config::VaeConfig;
use crate::conv_gradient;
use crate::data::Batch;
use crate::likelihood;
use crate::loss::{kl_per_dim, LossParts};
use crate::mlp_gradient;
use crate::model::{Decoder, Encoder, Posterior, Vae};
use crate::tensors;
use burn::module::ParamId;
use burn::tensor::{Device, Tensor};

/// One share of a minibatch: its images, their noise ε and what the objective needs.
#[derive(Clone, Debug)]
pub struct Share {
    pub batch: Batch,
    /// rows × latent values: z = μ + σ·ε for each of this share's images.
    pub eps: Vec<f32>,
    pub beta: f32,
    /// The whole minibatch's size, which every share's loss is divided by.
    pub batch_size: usize,
}

/// What one share contributes: its gradient and the sums its losses are averaged from.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareGradient {
    /// Flat, in the model's parameter order (flat.rs); empty when the loss was not finite.
    pub gradient: Vec<f32>,
    pub recon_sum: f32,
    /// Σ over the share's images of each latent dimension's KL.
    pub kl_sums: Vec<f32>,
    pub rows: usize,
}

/// The first share's size as a fraction of an even share. The first share is the training
/// worker's, which also plans the next step and reports while the helpers, having taken their
/// update, already compute the next step's shares (vae-worker's team.rs). 56 of 128 images to
/// the training worker and 72 to its helper leave neither waiting long on a 2-core machine
/// (timed in both workers, 2026-11-28: the training worker waits ~1 ms a step, the helper
/// ~0.1). The workers meet once a step, so past that point the step takes half their work
/// together whatever the cut: 60/68 gave the same step time.
pub const FIRST_SHARE: f64 = 0.875;

/// Where each of `count` shares of `n` rows starts, and the end: the first share
/// `FIRST_SHARE` of an even one, the others even. It depends on nothing but `n` and `count`.
pub fn bounds(n: usize, count: usize) -> Vec<usize> {
    let count = count.clamp(1, n.max(1));
    if count == 1 {
        return vec![0, n];
    }
    let first =
        ((n as f64 / count as f64 * FIRST_SHARE).round() as usize).clamp(1, n - (count - 1));
    let rest = n - first;
    let mut starts = vec![0];
    starts.extend((0..count).map(|i| first + i * rest / (count - 1)));
    starts
}

/// Cuts a batch and its ε (batch × latent) into `count` shares (`bounds`), in order.
pub fn split(batch: &Batch, eps: &[f32], beta: f32, count: usize) -> Vec<Share> {
    let n = batch.len();
    let (pixels, latent) = (batch.shape.pixels(), eps.len() / n.max(1));
    bounds(n, count)
        .windows(2)
        .map(|w| {
            let (start, end) = (w[0], w[1]);
            Share {
                batch: Batch {
                    shape: batch.shape,
                    images: batch.images[start * pixels..end * pixels].to_vec(),
                    labels: batch.labels[start..end].to_vec(),
                },
                eps: eps[start * latent..end * latent].to_vec(),
                beta,
                batch_size: n,
            }
        })
        .collect()
}

/// Forward and backward of one share on `model` (which must record gradients). `weights` are
/// the model's, flat (flat.rs), as the optimiser keeps them: the MLP reads its big layers there.
pub fn gradient(
    model: &Vae,
    weights: &[f32],
    config: &VaeConfig,
    share: &Share,
    device: &Device,
) -> ShareGradient {
    match (&model.encoder, &model.decoder) {
        (Encoder::Conv(encoder), Decoder::Conv(decoder)) => {
            conv_gradient::gradient(model, weights, encoder, decoder, config, share, device)
        }
        (Encoder::Mlp(encoder), Decoder::Mlp(decoder)) => mlp_gradient::gradient(
            model, weights, encoder, decoder, config, share, device, None,
        ),
        _ => unreachable!("a config builds an encoder and a decoder of one kind"),
    }
}

/// The parameters `gradient` reads from the flat weights only: a replica (replica.rs) need not
/// write their updates into burn's tensors.
pub fn read_from_flat(model: &Vae) -> Vec<ParamId> {
    match (&model.encoder, &model.decoder) {
        (Encoder::Mlp(encoder), Decoder::Mlp(decoder)) => {
            mlp_gradient::read_from_flat(encoder, decoder)
        }
        (Encoder::Conv(encoder), Decoder::Conv(decoder)) => {
            conv_gradient::read_from_flat(encoder, decoder)
        }
        _ => Vec::new(),
    }
}

/// A share's objective once its decoder has answered, for the paths that compute the logits by
/// hand (mlp_gradient.rs, conv_gradient.rs).
pub(crate) struct Terms {
    /// The share's answer but for its gradient: the loss sums and the row count.
    pub answer: ShareGradient,
    /// ∂/∂logits of the share's Σ −log p(x|z) / batch size.
    pub g_logits: Vec<f32>,
    /// β · Σ KL / batch size, still in burn's graph: the surrogate's second part.
    pub kl: Tensor<1>,
}

/// The share's objective terms at `logits` (rows × pixels), or — when a loss is not finite —
/// the refused share's answer (no gradient), so that its backward pass is skipped.
pub(crate) fn terms(
    config: &VaeConfig,
    share: &Share,
    logits: &[f32],
    posterior: &Posterior,
) -> Result<Terms, ShareGradient> {
    // Every share's objective is divided by the whole batch's size (see the top of this file).
    let per_image = 1.0 / share.batch_size as f32;
    let (recon, g_logits) = likelihood::reconstruction(
        config.recon_loss,
        config.output_sigma,
        logits,
        &share.batch.images,
        config.image.pixels(),
        per_image,
    ); // [rows], [rows, pixels]
    let kl_dims = kl_per_dim(posterior); // [rows, latent]
    let answer = ShareGradient {
        gradient: Vec::new(),
        recon_sum: recon.iter().sum::<f32>(),
        kl_sums: tensors::to_vec(kl_dims.clone().inner().sum_dim(0)),
        rows: share.batch.len(),
    };
    if !(answer.recon_sum.is_finite() && answer.kl_sums.iter().all(|k| k.is_finite())) {
        return Err(answer);
    }
    Ok(Terms {
        answer,
        g_logits,
        kl: kl_dims.sum().mul_scalar(share.beta * per_image),
    })
}

/// Every share's contribution summed, in share order: the sums `combine` averages from, and
/// the summed gradient (empty when a share's is). `combine` of this one total gives exactly
/// what `combine` of the shares gives, so a worker sent the total takes the same update.
pub fn total(shares: Vec<ShareGradient>) -> ShareGradient {
    let sums = sums(&shares);
    let refused = shares.iter().any(|s| s.gradient.is_empty());
    let mut gradients = shares.into_iter().map(|s| s.gradient);
    let mut gradient = gradients.next().unwrap_or_default();
    for share in gradients {
        for (total, g) in gradient.iter_mut().zip(&share) {
            *total += g;
        }
    }
    if refused {
        gradient.clear();
    }
    ShareGradient { gradient, ..sums }
}

/// The shares' loss sums and rows, in share order (no gradient).
fn sums(shares: &[ShareGradient]) -> ShareGradient {
    let dims = shares.first().map_or(0, |s| s.kl_sums.len());
    ShareGradient {
        gradient: Vec::new(),
        recon_sum: shares.iter().map(|s| s.recon_sum).sum(),
        kl_sums: (0..dims)
            .map(|d| shares.iter().map(|s| s.kl_sums[d]).sum())
            .collect(),
        rows: shares.iter().map(|s| s.rows).sum(),
    }
}

/// The whole batch's loss terms and the shares' gradients, to be summed in share order (the
/// optimiser does it in its own pass: adam.rs), or None when a loss was not finite.
pub fn combine(shares: Vec<ShareGradient>, beta: f32) -> (LossParts, Option<Vec<Vec<f32>>>) {
    let whole = sums(&shares);
    let rows = whole.rows.max(1) as f32;
    let kl_per_dim: Vec<f32> = whole.kl_sums.iter().map(|k| k / rows).collect();
    let recon = whole.recon_sum / rows;
    let kl = kl_per_dim.iter().sum();
    let parts = LossParts {
        recon,
        kl,
        total: recon + beta * kl,
        beta,
        kl_per_dim,
    };
    if !parts.is_finite() || shares.iter().any(|s| s.gradient.is_empty()) {
        return (parts, None);
    }
    (
        parts,
        Some(shares.into_iter().map(|s| s.gradient).collect()),
    )
}

#[cfg(test)]
mod tests {
    use super::bounds;

    #[test]
    fn the_first_share_is_smaller_and_every_row_is_in_one_share() {
        assert_eq!(bounds(128, 2), [0, 56, 128]);
        assert_eq!(bounds(32, 3), [0, 9, 20, 32]);
        assert_eq!(bounds(128, 1), [0, 128]);
        assert_eq!(bounds(3, 8), [0, 1, 2, 3], "no empty share");
        assert_eq!(bounds(2, 2), [0, 1, 2]);
    }
}
