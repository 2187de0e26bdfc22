//! The conv VAE's gradient — its conv layers differentiated by hand, its dense layers by burn —
//! is the objective's gradient: central finite differences agree in every parameter tensor.
mod common;
use common::tiny;
use vae_core::backend::training_device;
use vae_core::config::{Arch, ImageShape, ReconLoss, TrainingConfig, VaeConfig};
use vae_core::data::{colour_shapes, Batch};
use vae_core::flat;
use vae_core::shares::{self, Share};
use vae_core::train::Trainer;

/// The share's objective, Σ over its images of the negative ELBO / batch size, at `weights`.
fn objective(
    model: &vae_core::model::Vae,
    config: &VaeConfig,
    share: &Share,
    weights: &[f32],
) -> f64 {
    let model = flat::write(model.clone(), weights);
    let g = shares::gradient(&model, weights, config, share, &training_device());
    let kl: f32 = g.kl_sums.iter().sum();
    ((g.recon_sum + share.beta * kl) / share.batch_size as f32) as f64
}

fn check(loss: ReconLoss, classes: usize) {
    check_arch(Arch::Conv, loss, classes)
}

fn check_arch(arch: Arch, loss: ReconLoss, classes: usize) {
    let config = TrainingConfig {
        model: VaeConfig {
            recon_loss: loss,
            output_sigma: 1.0, // σ = 0.1 would scale the sums, and their rounding, by 100
            ..tiny(arch, ImageShape::COLOUR28, classes)
        },
        batch_size: 6,
        beta: 2.0, // a β ≠ 1 would show a KL term scaled in the wrong place
        ..TrainingConfig::reference()
    };
    let data = colour_shapes(6, 3);
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let share = trainer
        .plan(&Batch::gather(&data, &(0..6).collect::<Vec<_>>()), 1)
        .unwrap()
        .remove(0);
    let weights = trainer.flat_weights().to_vec();
    let model = flat::write(config.model.init(1, &training_device()), &weights);
    let gradient =
        shares::gradient(&model, &weights, &config.model, &share, &training_device()).gradient;
    assert_eq!(gradient.len(), weights.len());
    // Along each parameter tensor's own gradient g (conv kernels and biases, dense layers), the
    // objective must change at the rate |g|: a mistake in a tensor's gradient (a wrong tap, a
    // transposed kernel, a missing scale) would point elsewhere and change it more slowly.
    let mut start = 0;
    for (tensor, len) in flat::lengths(&model).into_iter().enumerate() {
        let block = start..start + len;
        start += len;
        let norm = gradient[block.clone()]
            .iter()
            .map(|g| (g * g) as f64)
            .sum::<f64>()
            .sqrt();
        let delta = 0.005; // small enough that the ReLUs' kinks do not bend the difference
        let (mut plus, mut minus) = (weights.clone(), weights.clone());
        for i in block {
            let step = (delta * gradient[i] as f64 / norm) as f32;
            plus[i] += step;
            minus[i] -= step;
        }
        let numeric = (objective(&model, &config.model, &share, &plus)
            - objective(&model, &config.model, &share, &minus))
            / (2.0 * delta);
        // f32 sums of ~10⁴ nats move in steps of ~10⁻³: that much noise over 2δ.
        assert!(
            (numeric - norm).abs() <= 0.03 * norm + 5e-4 / delta,
            "{loss:?}: tensor {tensor}: |g| by hand {norm}, finite differences {numeric}"
        );
    }
}

#[test]
fn the_conv_gradient_is_the_objectives_bce() {
    check(ReconLoss::Bce, 0);
}

#[test]
fn the_conv_gradient_is_the_objectives_conditional_gaussian() {
    check(ReconLoss::Mse, 4);
}

#[test]
fn the_conv_gradient_is_the_objectives_conditional_bce() {
    check(ReconLoss::Bce, 4);
}
