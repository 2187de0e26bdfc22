mod common;
use common::{mnist, small_mlp, tiny};
use vae_core::config::TrainingConfig;
use vae_core::config::{Arch, ImageShape, ReconLoss};
use vae_core::data::{colour_shapes, Batch, Batcher, MNIST_TRAIN};
use vae_core::eval::{evaluate, importance_weighted_log_likelihood};
use vae_core::train::{TrainError, Trainer};

#[test]
fn shipped_mnist_has_the_documented_layout() {
    let d = mnist();
    assert_eq!(
        (d.len(), d.shape, d.num_classes),
        (10_000, ImageShape::MNIST, 10)
    );
    let ones = d.labels().iter().filter(|&&l| l == 1).count();
    assert_eq!(ones, 1127, "class counts from the data README");
    assert!(d.images().iter().all(|p| (0.0..=1.0).contains(p)));
}

#[test]
fn training_lowers_held_out_loss() {
    let (train, test) = mnist().split_at(MNIST_TRAIN);
    let test = test.split_at(300).0;
    let config = small_mlp(3);
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let before = evaluate(&trainer.model(), &config.model, &test, 1.0);
    let mut batches = Batcher::new(train.len(), config.seed);
    for _ in 0..150 {
        trainer
            .step(&batches.next(&train, config.batch_size))
            .unwrap();
    }
    let after = evaluate(&trainer.model(), &config.model, &test, 1.0);
    assert!(
        after.total < before.total - 150.0,
        "held-out loss {} -> {}",
        before.total,
        after.total
    );
    assert!(after.recon < before.recon);
    assert_eq!(after.kl_per_dim.len(), 4);
    // log p(x) ≥ ELBO, and K samples tighten the bound.
    let ll = importance_weighted_log_likelihood(&trainer.model(), &config.model, &test, 20);
    assert!(
        ll > -after.total - 0.5,
        "IWAE {ll} vs ELBO {}",
        -after.total
    );
    assert!(ll < 0.0);
}

#[test]
fn same_seed_gives_identical_losses() {
    let train = mnist().split_at(2000).0;
    let run = |seed| {
        let config = small_mlp(seed);
        let mut trainer = Trainer::new(config.clone()).unwrap();
        let mut batches = Batcher::new(train.len(), config.seed);
        (0..15)
            .map(|_| trainer.step(&batches.next(&train, 32)).unwrap().total)
            .collect::<Vec<f32>>()
    };
    let a = run(9);
    assert_eq!(a, run(9));
    assert_ne!(a, run(10));
}

#[test]
fn a_nan_batch_is_refused_and_the_model_kept() {
    let train = mnist().split_at(500).0;
    let config = small_mlp(1);
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let mut batches = Batcher::new(train.len(), 1);
    trainer.step(&batches.next(&train, 32)).unwrap();
    let probe = Batch::gather(&train, &[0, 1, 2]);
    let before = evaluate(&trainer.model(), &config.model, &train.split_at(64).0, 1.0);
    let mut poisoned = batches.next(&train, 32);
    poisoned.images[5] = f32::NAN;
    assert_eq!(
        trainer.step(&poisoned).unwrap_err(),
        TrainError::InvalidPixels
    );
    let after = evaluate(&trainer.model(), &config.model, &train.split_at(64).0, 1.0);
    assert_eq!(before, after, "the model is unchanged");
    assert!(
        trainer.step(&probe).unwrap().is_finite(),
        "and it goes on training"
    );
}

#[test]
fn absurd_learning_rate_reports_instead_of_corrupting() {
    let train = mnist().split_at(500).0;
    let config = TrainingConfig {
        learning_rate: 1.0,
        ..small_mlp(2)
    };
    let mut trainer = Trainer::new(config).unwrap();
    let mut batches = Batcher::new(train.len(), 2);
    let mut failed = None;
    for _ in 0..200 {
        if let Err(e) = trainer.step(&batches.next(&train, 32)) {
            failed = Some(e);
            break;
        }
    }
    let err = failed.expect("Adam at learning rate 1 blows the loss up within 200 steps");
    assert!(matches!(err, TrainError::NonFinite { .. }), "{err:?}");
    assert!(err.to_string().contains("last good step"));
    // The kept weights are the last good ones: finite, and the model still decodes.
    let z = [0.0f32; 4];
    let pixels = vae_core::latent::decode(&trainer.model(), &trainer.config().model, &z, &[]);
    assert!(pixels.iter().all(|p| p.is_finite()));
}

#[test]
fn every_architecture_trains_a_step() {
    let colour = colour_shapes(64, 1);
    for (arch, classes, loss) in [
        (Arch::Mlp, 0, ReconLoss::Mse),
        (Arch::Conv, 0, ReconLoss::Bce),
        (Arch::Mlp, 4, ReconLoss::Bce),
        (Arch::Conv, 4, ReconLoss::Mse),
    ] {
        let config = TrainingConfig {
            model: vae_core::config::VaeConfig {
                recon_loss: loss,
                ..tiny(arch, ImageShape::COLOUR28, classes)
            },
            ..small_mlp(1)
        };
        let mut trainer = Trainer::new(config).unwrap();
        let parts = trainer
            .step(&Batch::gather(&colour, &(0..16).collect::<Vec<_>>()))
            .unwrap();
        assert!(
            parts.is_finite() && parts.kl_per_dim.len() == 3,
            "{arch:?}: {parts:?}"
        );
    }
}

#[test]
fn wrong_image_size_is_an_error() {
    let mut trainer = Trainer::new(small_mlp(1)).unwrap();
    let colour = colour_shapes(4, 1);
    let err = trainer.step(&Batch::gather(&colour, &[0, 1])).unwrap_err();
    assert_eq!(
        err,
        TrainError::WrongImageSize {
            expected: 784,
            found: 2352
        }
    );
}
