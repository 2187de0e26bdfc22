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
use crate::model::{ConvDecoder, ConvEncoder, Posterior, Vae};
use crate::shares::{self, Share, ShareGradient, Terms};
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
    let class = tensors::one_hot(&share.batch.labels, config.num_classes, device); // [rows, classes]
    let eps = matrix(share.eps.clone(), rows, device); // [rows, latent]

    let encoded = encoder.convs(&share.batch.images, rows);
    let features = matrix(encoded.features.clone(), rows, device).require_grad();
    let (mu, log_var) = encoder.dense(features.clone(), class.clone());
    let posterior = Posterior { mu, log_var };
    let e = decoder.dense(Vae::reparameterize(&posterior, eps), class); // [rows, features]
    let decoded = decoder.convs(tensors::read(&e), rows);

    let Terms {
        answer,
        g_logits,
        kl,
    } = match shares::terms(config, share, &decoded.logits, &posterior) {
        Ok(terms) => terms,
        Err(refused) => return refused,
    };

    let (mut by_hand, g_e) = decoder.convs_backward(decoded, &g_logits);
    let surrogate = (e * matrix(g_e, rows, device)).sum() + kl;
    let mut grads = surrogate.backward();
    let g_features = features
        .grad_remove(&mut grads)
        .expect("the features record their gradient");
    by_hand.extend(encoder.convs_backward(encoded, to_vec(g_features)));
    let gradients = GradientsParams::from_grads(grads, model);
    ShareGradient {
        gradient: flat::gradients_with(gradients, by_hand, model),
        ..answer
    }
}
