//! One share's gradient for the conv VAE. The conv layers are differentiated by hand
//! (conv_kernels.rs), because burn's tensor ops made them ~85 % of a step, and so are the two big
//! dense layers beside them, the encoder's `hidden` and the decoder's `expand` (~1,600 × 400
//! weights each, as many multiply-adds as the convs): their inputs are ReLU units, about half of
//! them 0, which the sparse product skips (dense_layer.rs), as the MLP's big layers do
//! (mlp_gradient.rs). burn differentiates the small layers between them (the encoder's head,
//! z = μ + σ·ε, the KL, the decoder's first layer). They meet as in mlp_gradient.rs:
//! 1. forward: encoder convs by hand → `hidden` by hand → its output as a leaf tensor that
//!    records its gradient → burn's layers → the decoder's hidden units h → `expand` by hand →
//!    decoder convs by hand → logits;
//! 2. −log p(x|z) and its gradient in the logits in one pass (likelihood.rs);
//! 3. the decoder convs' and `expand`'s backward by hand → ∂/∂h;
//! 4. one backward pass of burn through Σ h·(∂/∂h) + β·Σ KL — a surrogate whose gradient in
//!    every layer between and in `hidden`'s output is the objective's;
//! 5. `hidden`'s and the encoder convs' backward by hand.
use crate::config::VaeConfig;
use crate::flat;
use crate::model::{
    add_layer_gradient, relu, relu_backward, weight_and_bias_in, ConvDecoder, ConvEncoder,
    LayerInput, Posterior, Vae,
};
use crate::shares::{self, Share, ShareGradient, Terms};
use crate::tensors::{self, matrix, to_vec};
use burn::module::ParamId;
use burn::optim::GradientsParams;
use burn::tensor::Device;

/// `weights`: the model's, flat (flat.rs), where the two big dense layers are read.
pub fn gradient(
    model: &Vae,
    weights: &[f32],
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
    let features = encoded.features.len() / rows.max(1);
    let (labels, classes) = (&share.batch.labels, config.num_classes);
    let input = LayerInput::joined(&encoded.features, labels, classes, None);
    let (w_hidden, b_hidden) = weight_and_bias_in(&encoder.hidden, model, weights);
    let pre = matrix(input.forward(w_hidden, b_hidden), rows, device).require_grad(); // [rows, hidden]
    let (mu, log_var) = encoder.head(pre.clone());
    let posterior = Posterior { mu, log_var };
    let h = decoder.hidden_units(Vae::reparameterize(&posterior, eps), class); // [rows, hidden]
    let units = LayerInput::new(tensors::read(&h), config.hidden);
    let (w_expand, b_expand) = weight_and_bias_in(&decoder.expand, model, weights);
    let mut e = units.forward(w_expand, b_expand); // [rows, features]
    relu(&mut e);
    let decoded = decoder.convs(e, rows);

    let Terms {
        answer,
        g_logits,
        kl,
    } = match shares::terms(config, share, &decoded.logits, &posterior) {
        Ok(terms) => terms,
        Err(refused) => return refused,
    };

    let (mut by_hand, mut g_e) = decoder.convs_backward(&decoded, &g_logits);
    relu_backward(&mut g_e, decoded.features()); // now ∂/∂(expand's output)
    let g_h = units.relu_input_gradient(&g_e, w_expand);
    let surrogate = (h * matrix(g_h, rows, device)).sum() + kl;
    let mut grads = surrogate.backward();
    let g_pre = to_vec(
        pre.grad_remove(&mut grads)
            .expect("`hidden`'s output records its gradient"),
    );
    // ∂/∂features: `hidden`'s input gradient without the class's columns.
    let g_joined = input.relu_input_gradient(&g_pre, w_hidden);
    let g_features: Vec<f32> = g_joined
        .chunks_exact(features + classes)
        .flat_map(|row| &row[..features])
        .copied()
        .collect();
    by_hand.extend(encoder.convs_backward(encoded, g_features));
    // burn's and the convs' gradients, zero in the big dense layers, whose gradients are then
    // added in place.
    let gradients = GradientsParams::from_grads(grads, model);
    let mut gradient = flat::gradients_with(gradients, by_hand, model);
    add_layer_gradient(&encoder.hidden, model, &mut gradient, &input, &g_pre);
    add_layer_gradient(&decoder.expand, model, &mut gradient, &units, &g_e);
    ShareGradient { gradient, ..answer }
}

/// The parameters `gradient` reads from the flat weights, not from burn's tensors.
pub fn read_from_flat(encoder: &ConvEncoder, decoder: &ConvDecoder) -> Vec<ParamId> {
    [&encoder.hidden, &decoder.expand]
        .into_iter()
        .flat_map(crate::model::weight_and_bias_ids)
        .collect()
}
