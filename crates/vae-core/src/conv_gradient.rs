//! One share's gradient for the conv VAE. burn differentiates the dense layers (the encoder's
//! head, z = μ + σ·ε, the KL, the decoder's stem); the conv layers are differentiated by hand
//! (conv_kernels.rs), because burn's tensor ops made them ~85 % of a step. The two meet at the
//! encoder's and the decoder's conv features:
//! 1. forward: encoder convs by hand → features as a leaf tensor that records its gradient →
//!    burn's dense layers → the decoder's features e → decoder convs by hand → logits;
//! 2. −log p(x|z) and its gradient in the logits in one pass (likelihood.rs);
//! 3. the decoder convs' backward by hand → ∂/∂e;
//! 4. one backward pass of burn through Σ e·(∂/∂e) + β·Σ KL — a surrogate whose gradient in
//!    every dense weight and in the encoder's features is the objective's;
//! 5. the encoder convs' backward by hand from ∂/∂features.
use crate::config::VaeConfig;
use crate::flat;
use crate::likelihood;
use crate::loss::kl_per_dim;
use crate::model::{ConvDecoder, ConvEncoder, Posterior, Vae};
use crate::shares::{Share, ShareGradient};
use crate::tensors::{self, matrix, to_vec};
use burn::optim::GradientsParams;
use burn::tensor::Device;

pub fn gradient(
    model: &Vae,
    encoder: &ConvEncoder,
    decoder: &ConvDecoder,
    config: &VaeConfig,
    share: &Share,
    device: &Device,
) -> ShareGradient {
    let rows = share.batch.len();
    // Every share's objective is divided by the whole batch's size (shares.rs).
    let per_image = 1.0 / share.batch_size as f32;
    let class = tensors::one_hot(&share.batch.labels, config.num_classes, device); // [rows, classes]
    let eps = matrix(share.eps.clone(), rows, device); // [rows, latent]

    let encoded = encoder.convs(&share.batch.images, rows);
    let features = matrix(encoded.features.clone(), rows, device).require_grad();
    let (mu, log_var) = encoder.dense(features.clone(), class.clone());
    let posterior = Posterior { mu, log_var };
    let e = decoder.dense(Vae::reparameterize(&posterior, eps), class); // [rows, features]
    let decoded = decoder.convs(tensors::read(&e), rows);

    let (recon, g_logits) = likelihood::reconstruction(
        config.recon_loss,
        config.output_sigma,
        &decoded.logits,
        &share.batch.images,
        config.image.pixels(),
        per_image,
    ); // [rows], [rows, pixels]
    let recon_sum = recon.iter().sum::<f32>();
    let kl_dims = kl_per_dim(&posterior); // [rows, latent]
    let kl_sums = to_vec(kl_dims.clone().inner().sum_dim(0));
    if !(recon_sum.is_finite() && kl_sums.iter().all(|k| k.is_finite())) {
        // The step will be refused: no need for a backward pass.
        return ShareGradient {
            gradient: Vec::new(),
            recon_sum,
            kl_sums,
            rows,
        };
    }

    let (mut by_hand, g_e) = decoder.convs_backward(decoded, &g_logits);
    let surrogate =
        (e * matrix(g_e, rows, device)).sum() + kl_dims.sum().mul_scalar(share.beta * per_image);
    let mut grads = surrogate.backward();
    let g_features = features
        .grad_remove(&mut grads)
        .expect("the features record their gradient");
    by_hand.extend(encoder.convs_backward(encoded, to_vec(g_features)));
    let gradient = flat::gradients_with(GradientsParams::from_grads(grads, model), by_hand, model);
    ShareGradient {
        gradient,
        recon_sum,
        kl_sums,
        rows,
    }
}
