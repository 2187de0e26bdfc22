//! The numbers behind the page's latent-space views, on a briefly trained MNIST model.
mod common;
use common::{mnist, small_mlp};
use vae_core::config::TrainingConfig;
use vae_core::data::{Batcher, MNIST_TRAIN};
use vae_core::eval::{evaluate, negative_elbo_per_image};
use vae_core::loss::active_units;
use vae_core::train::Trainer;
use vae_core::views::{dims_by_kl, interpolation_strip, manifold_grid, traversal_grid};

fn trained(config: &TrainingConfig, steps: usize) -> (Trainer, vae_core::data::Dataset) {
    let (train, test) = mnist().split_at(MNIST_TRAIN);
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let mut batches = Batcher::new(train.len(), config.seed);
    for _ in 0..steps {
        trainer
            .step(&batches.next(&train, config.batch_size))
            .unwrap();
    }
    (trainer, test.split_at(300).0)
}

#[test]
fn kl_per_dimension_sums_to_the_total_kl_and_counts_active_units() {
    let config = small_mlp(5);
    let (trainer, test) = trained(&config, 60);
    let parts = evaluate(&trainer.model(), &config.model, &test, 1.0);
    let sum: f32 = parts.kl_per_dim.iter().sum();
    assert!(
        (sum - parts.kl).abs() < 1e-3 * parts.kl.max(1.0),
        "Σ per-dimension KL {sum} vs total {}",
        parts.kl
    );
    assert!(parts.kl_per_dim.iter().all(|k| *k >= 0.0));
    assert!(
        active_units(&parts.kl_per_dim) >= 1,
        "a trained model uses some dimensions: {:?}",
        parts.kl_per_dim
    );
    assert_eq!(dims_by_kl(&parts.kl_per_dim).len(), 4);
}

#[test]
fn the_autoencoder_twin_trains_with_zero_kl_weight() {
    let config = small_mlp(6);
    let twin = config.autoencoder_twin();
    assert_eq!(
        (twin.beta, twin.beta_warmup_steps, &twin.model, twin.seed),
        (0.0, 0, &config.model, config.seed)
    );
    let (train, _) = mnist().split_at(MNIST_TRAIN);
    let mut trainer = Trainer::new(twin.clone()).unwrap();
    let mut batches = Batcher::new(train.len(), twin.seed);
    let mut last = None;
    for _ in 0..30 {
        let parts = trainer
            .step(&batches.next(&train, twin.batch_size))
            .unwrap();
        assert_eq!(
            parts.total, parts.recon,
            "β = 0: the objective is the reconstruction alone"
        );
        last = Some(parts);
    }
    // Nothing holds its posterior to the prior, so its KL is free to grow.
    assert!(last.unwrap().kl > 0.0);
}

#[test]
fn views_have_their_documented_shapes() {
    let config = TrainingConfig {
        model: vae_core::config::VaeConfig {
            latent_dim: 2,
            ..small_mlp(7).model
        },
        ..small_mlp(7)
    };
    let (trainer, test) = trained(&config, 20);
    let model = trainer.model();
    let (w, h, rgba) = manifold_grid(&model, &config.model, 15, 0);
    assert_eq!((w, h, rgba.len()), (420, 420, 420 * 420 * 4));
    let (w, h, _) = traversal_grid(&model, &config.model, &[0.0, 0.0], &[1, 0], 9, 0);
    assert_eq!((w, h), (9 * 28 + 8 * 2, 2 * 28 + 2));
    let (w, h, _) = interpolation_strip(&model, &config.model, &[-1.0, 0.0], &[1.0, 1.0], 10, 0);
    assert_eq!((w, h), (10 * 28 + 9 * 2, 2 * 28 + 2));
    // −ELBO per image: fixed noise, so the same images get the same scores.
    let images = &test.images()[..5 * 784];
    let a = negative_elbo_per_image(&model, &config.model, images, &test.labels()[..5]);
    assert_eq!(
        a,
        negative_elbo_per_image(&model, &config.model, images, &test.labels()[..5])
    );
    assert!(a.iter().all(|s| s.is_finite() && *s > 0.0));
}

/// The held-out evaluation computes the MLP's big layers by hand (`Vae::forward_batch`): the
/// same posterior and logits as burn's forward, plain and conditional, up to the order of sums.
#[test]
fn the_evaluation_forward_by_hand_is_burns_forward() {
    use vae_core::backend::inference_device;
    use vae_core::data::Batch;
    use vae_core::rng::Rng;
    use vae_core::tensors::{batch, matrix, to_vec};
    let device = inference_device();
    for classes in [0, 10] {
        let mut config = small_mlp(4);
        config.model.num_classes = classes;
        let (trainer, test) = trained(&config, 30);
        let model = trainer.model();
        let rows = 50;
        let images = Batch::gather(&test, &(0..rows).collect::<Vec<_>>());
        let eps = || matrix(Rng::new(9).normals(rows * 4), rows, &device);
        let (x, class) = batch(&images, classes, &device);
        let (posterior, logits) = model.forward(x, class, eps());
        let (by_hand, hand_logits) = model.forward_batch(&config.model, &images, eps(), &device);
        for (name, a, b) in [
            ("μ", posterior.mu, by_hand.mu),
            ("log σ²", posterior.log_var, by_hand.log_var),
            ("logits", logits, hand_logits),
        ] {
            let (a, b) = (to_vec(a), to_vec(b));
            assert_eq!(a.len(), b.len(), "{name}");
            let scale = a.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let worst = a
                .iter()
                .zip(&b)
                .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
            assert!(
                scale > 0.0 && worst <= 1e-5 * scale,
                "{name}, {classes} classes: {worst} of {scale}"
            );
        }
    }
}
