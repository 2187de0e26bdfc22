//! One share's gradient for the MLP VAE. Its two big layers — the encoder's first and the
//! decoder's output layer, ~95 % of a step's multiply-adds — are computed by hand
//! (dense_layer.rs), so the zeros in their inputs (a digit's black background, the ReLU units
//! that are off) cost nothing; burn differentiates the layers between them. They meet as in
//! conv_gradient.rs:
//! 1. forward: the first layer by hand → its output as a leaf tensor that records its gradient
//!    → burn's layers → the decoder's hidden units h → the output layer by hand → logits;
//! 2. −log p(x|z) and its gradient in the logits in one pass (likelihood.rs);
//! 3. the output layer's backward by hand → its weight gradient and ∂/∂h;
//! 4. one backward pass of burn through Σ h·(∂/∂h) + β·Σ KL — a surrogate whose gradient in
//!    every layer between and in the first layer's output is the objective's;
//! 5. the first layer's weight gradient by hand: inputᵀ · ∂/∂output.
use crate::config::VaeConfig;
use crate::flat;
use crate::model::{
    add_layer_gradient, weight_and_bias_ids, weight_and_bias_in, LayerInput, MlpDecoder,
    MlpEncoder, Posterior, Vae,
};
use crate::shares::{self, Share, ShareGradient, Terms};
use crate::tensors::{self, matrix, to_vec};
use burn::module::ParamId;
use burn::optim::GradientsParams;
use burn::tensor::Device;

/// `weights`: the model's, flat (flat.rs), where the big layers are read.
/// `sparse`: both layers' products sparse (Some(true)), dense (Some(false)), or each chosen by
/// its input's zeros (None, as training does; see dense_layer.rs).
#[allow(clippy::too_many_arguments)]
pub fn gradient(
    model: &Vae,
    weights: &[f32],
    encoder: &MlpEncoder,
    decoder: &MlpDecoder,
    config: &VaeConfig,
    share: &Share,
    device: &Device,
    sparse: Option<bool>,
) -> ShareGradient {
    let rows = share.batch.len();
    let class = tensors::one_hot(&share.batch.labels, config.num_classes, device); // [rows, classes]
    let eps = matrix(share.eps.clone(), rows, device); // [rows, latent]

    let (images, labels) = (&share.batch.images, &share.batch.labels);
    let input = LayerInput::joined(images, labels, config.num_classes, sparse);
    let (w_first, b_first) = weight_and_bias_in(&encoder.hidden, model, weights);
    let pre = matrix(input.forward(w_first, b_first), rows, device).require_grad(); // [rows, hidden]
    let (mu, log_var) = encoder.head(pre.clone());
    let posterior = Posterior { mu, log_var };
    let h = decoder.hidden_units(Vae::reparameterize(&posterior, eps), class); // [rows, hidden]
    let units = LayerInput::with_choice(tensors::read(&h), config.hidden, sparse);
    let (w_out, b_out) = weight_and_bias_in(&decoder.out, model, weights);
    let logits = units.forward(w_out, b_out); // [rows, pixels]

    let Terms {
        answer,
        g_logits,
        kl,
    } = match shares::terms(config, share, &logits, &posterior) {
        Ok(terms) => terms,
        Err(refused) => return refused,
    };

    let g_h = units.relu_input_gradient(&g_logits, w_out);
    let surrogate = (h * matrix(g_h, rows, device)).sum() + kl;
    let mut grads = surrogate.backward();
    let g_pre = to_vec(
        pre.grad_remove(&mut grads)
            .expect("the first layer's output records its gradient"),
    );
    // burn's gradients, zero in the big layers, whose gradients are then added in place.
    let mut gradient = flat::gradients(GradientsParams::from_grads(grads, model), model);
    add_layer_gradient(&encoder.hidden, model, &mut gradient, &input, &g_pre);
    add_layer_gradient(&decoder.out, model, &mut gradient, &units, &g_logits);
    ShareGradient { gradient, ..answer }
}

/// The parameters `gradient` reads from the flat weights, not from burn's tensors: the big
/// layers' weights and biases.
pub fn read_from_flat(encoder: &MlpEncoder, decoder: &MlpDecoder) -> Vec<ParamId> {
    [&encoder.hidden, &decoder.out]
        .into_iter()
        .flat_map(weight_and_bias_ids)
        .collect()
}

#[cfg(test)]
mod tests {
    //! With the big layers by hand, their products sparse or dense, the gradient equals the one
    //! burn's autodiff takes of the whole model, parameter for parameter.
    use super::*;
    use crate::backend::training_device;
    use crate::config::{Arch, ReconLoss, TrainingConfig};
    use crate::data::{colour_shapes, Batch, Dataset};
    use crate::loss::{kl_per_dim, negative_elbo, reconstruction};
    use crate::model::{Decoder, Encoder};
    use crate::train::Trainer;

    /// burn's gradient of the share's objective, the whole model differentiated by autodiff.
    fn by_autodiff(model: &Vae, config: &VaeConfig, share: &Share) -> Vec<f32> {
        let device = training_device();
        let rows = share.batch.len();
        let (x, class) = tensors::batch(&share.batch, config.num_classes, &device);
        let eps = matrix(share.eps.clone(), rows, &device);
        let (posterior, logits) = model.forward(x.clone(), class, eps);
        let recon = reconstruction(config.recon_loss, config.output_sigma, logits, x);
        let objective = negative_elbo(recon, kl_per_dim(&posterior), share.beta)
            .sum()
            .div_scalar(share.batch_size as f32);
        flat::gradients(
            GradientsParams::from_grads(objective.backward(), model),
            model,
        )
    }

    fn check(batch: Batch, loss: ReconLoss, classes: usize) {
        let config = TrainingConfig {
            model: VaeConfig {
                recon_loss: loss,
                hidden: 16,
                latent_dim: 3,
                num_classes: classes,
                image: batch.shape,
                arch: Arch::Mlp,
                ..VaeConfig::reference_mlp()
            },
            batch_size: batch.len(),
            beta: 2.0, // a β ≠ 1 would show a KL term scaled in the wrong place
            ..TrainingConfig::reference()
        };
        let device = training_device();
        let mut trainer = Trainer::new(config.clone()).unwrap();
        let share = trainer.plan(&batch, 1).unwrap().remove(0);
        let weights = trainer.flat_weights().to_vec();
        let model = flat::write(config.model.init(1, &device), &weights);
        let (Encoder::Mlp(encoder), Decoder::Mlp(decoder)) = (&model.encoder, &model.decoder)
        else {
            panic!("an MLP")
        };
        let reference = by_autodiff(&model, &config.model, &share);
        let scale = reference.iter().fold(0.0f32, |m, g| m.max(g.abs()));
        assert!(scale > 0.0);
        for sparse in [Some(true), Some(false), None] {
            let by_hand = gradient(
                &model,
                &weights,
                encoder,
                decoder,
                &config.model,
                &share,
                &device,
                sparse,
            );
            assert_eq!(by_hand.gradient.len(), reference.len());
            let worst = by_hand
                .gradient
                .iter()
                .zip(&reference)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            // Only the order of float sums differs.
            assert!(
                worst <= 1e-4 * scale,
                "{loss:?}, sparse {sparse:?}: largest difference {worst} (largest {scale})"
            );
        }
    }

    fn first_eight(data: &Dataset) -> Batch {
        Batch::gather(data, &(0..8).collect::<Vec<_>>())
    }

    fn mnist() -> Dataset {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/assets/data");
        let images = std::fs::read(format!("{dir}/mnist10k-images-idx3-ubyte.gz")).unwrap();
        let labels = std::fs::read(format!("{dir}/mnist10k-labels-idx1-ubyte.gz")).unwrap();
        Dataset::from_idx("mnist", &images, Some(&labels)).unwrap()
    }

    #[test]
    fn the_mlp_gradient_is_autodiffs_on_digits() {
        check(first_eight(&mnist()), ReconLoss::Bce, 0);
    }

    #[test]
    fn the_mlp_gradient_is_autodiffs_conditional_gaussian() {
        check(first_eight(&mnist()), ReconLoss::Mse, 10);
    }

    #[test]
    fn the_mlp_gradient_is_autodiffs_on_colour_images_without_zeros() {
        // Colour shapes on a grey background instead of black.
        let mut batch = first_eight(&colour_shapes(8, 3));
        batch.images.iter_mut().for_each(|v| *v = 0.2 + 0.6 * *v);
        check(batch, ReconLoss::Bce, 4);
    }
}
