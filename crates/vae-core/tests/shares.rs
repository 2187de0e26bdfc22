//! Data-parallel training: a batch cut into shares trains as the whole batch does.
mod common;
use common::{mnist, small_mlp, tiny};
use vae_core::adam::FusedAdam;
use vae_core::config::{Arch, ImageShape, TrainingConfig};
use vae_core::data::{colour_shapes, Batcher, Dataset, MNIST_TRAIN};
use vae_core::eval::evaluate;
use vae_core::flat;
use vae_core::replica::Replica;
use vae_core::shares;
use vae_core::train::Trainer;

/// `steps` steps with every batch cut into `count` shares, each share's gradient computed on
/// its own (as another worker would); the losses of each step.
fn train_in_shares(
    config: &TrainingConfig,
    data: &Dataset,
    count: usize,
    steps: usize,
) -> (Trainer, Vec<f32>) {
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let mut batches = Batcher::new(data.len(), config.seed);
    let losses = (0..steps)
        .map(|_| {
            let plan = trainer
                .plan(&batches.next(data, config.batch_size), count)
                .unwrap();
            assert_eq!(plan.len(), count);
            let gradients: Vec<_> = plan.iter().map(|s| trainer.share_gradient(s)).collect();
            trainer.apply(gradients).unwrap().total
        })
        .collect();
    (trainer, losses)
}

#[test]
fn the_shares_gradients_sum_to_the_whole_batchs() {
    let config = small_mlp(4);
    let data = mnist().split_at(500).0;
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let batch = Batcher::new(data.len(), 1).next(&data, 32);
    let whole = trainer.plan(&batch, 1).unwrap();
    // The same ε, cut in three uneven shares (32 = 9 + 11 + 12).
    let cut = shares::split(&whole[0].batch, &whole[0].eps, whole[0].beta, 3);
    assert_eq!(
        cut.iter().map(|s| s.batch.len()).collect::<Vec<_>>(),
        [9, 11, 12]
    );
    let one = shares::combine(vec![trainer.share_gradient(&whole[0])], whole[0].beta);
    let parts: Vec<_> = cut.iter().map(|s| trainer.share_gradient(s)).collect();
    let three = shares::combine(parts.clone(), whole[0].beta);
    assert!((one.0.total - three.0.total).abs() < 1e-3 * one.0.total.abs());
    let (a, b) = (one.1.unwrap().remove(0), shares::total(parts).gradient);
    let scale = a.iter().fold(0.0f32, |m, g| m.max(g.abs()));
    let worst = a
        .iter()
        .zip(&b)
        .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(
        scale > 1e-3 && worst < 1e-4 * scale,
        "largest difference {worst} of {scale}"
    );
}

#[test]
fn two_shares_reach_the_held_out_loss_of_one_within_one_percent() {
    let (train, test) = mnist().split_at(MNIST_TRAIN);
    let test = test.split_at(300).0;
    let config = small_mlp(5);
    let held_out = |count| {
        let (trainer, _) = train_in_shares(&config, &train, count, 200);
        evaluate(&trainer.model(), &config.model, &test, 1.0).total
    };
    let (one, two) = (held_out(1), held_out(2));
    assert!(
        (one / two - 1.0).abs() < 0.01,
        "held-out loss: 1 share {one}, 2 shares {two}"
    );
}

#[test]
fn same_seed_and_share_count_give_identical_losses() {
    let data = mnist().split_at(1000).0;
    let config = small_mlp(6);
    let (_, a) = train_in_shares(&config, &data, 2, 12);
    let (_, b) = train_in_shares(&config, &data, 2, 12);
    assert_eq!(a, b);
    // The conditional conv model on colour pictures cuts the same way.
    let colour = colour_shapes(200, 7);
    let conv = TrainingConfig {
        model: tiny(Arch::Conv, ImageShape::COLOUR28, colour.num_classes),
        batch_size: 8,
        ..small_mlp(7)
    };
    assert_eq!(
        train_in_shares(&conv, &colour, 3, 3).1,
        train_in_shares(&conv, &colour, 3, 3).1
    );
}

#[test]
fn a_share_with_a_non_finite_loss_refuses_the_step() {
    let config = small_mlp(8);
    let data = mnist().split_at(200).0;
    let mut trainer = Trainer::new(config).unwrap();
    let before = trainer.flat_weights().to_vec();
    let plan = trainer
        .plan(&Batcher::new(data.len(), 1).next(&data, 16), 2)
        .unwrap();
    let mut gradients: Vec<_> = plan.iter().map(|s| trainer.share_gradient(s)).collect();
    gradients[1].recon_sum = f32::NAN;
    gradients[1].gradient.clear();
    assert!(trainer.apply(gradients).is_err());
    assert_eq!(
        trainer.flat_weights(),
        before.as_slice(),
        "the weights stay"
    );
    assert_eq!(trainer.steps_done(), 0);
}

/// The trainer writes the MLP's big layers into burn's tensors only when its model is asked
/// for, and keeps the weights before each update in the optimiser: its model is current after
/// every update, and a refused step brings back the weights before the last update in every
/// layer.
#[test]
fn the_model_is_current_after_updates_and_a_refused_step_restores_every_layer() {
    let config = small_mlp(8);
    let data = mnist().split_at(200).0;
    let mut trainer = Trainer::new(config).unwrap();
    let mut batches = Batcher::new(data.len(), 1);
    let mut before_last = Vec::new();
    for _ in 0..3 {
        before_last = trainer.flat_weights().to_vec();
        trainer.step(&batches.next(&data, 16)).unwrap();
        let model = trainer.model();
        assert!(flat::read(&model) == trainer.flat_weights(), "current");
    }
    assert!(before_last != trainer.flat_weights());
    let plan = trainer.plan(&batches.next(&data, 16), 2).unwrap();
    let mut gradients: Vec<_> = plan.iter().map(|s| trainer.share_gradient(s)).collect();
    gradients[0].recon_sum = f32::NAN;
    assert!(trainer.apply(gradients).is_err());
    assert!(trainer.flat_weights() == before_last.as_slice());
    assert!(flat::read(&trainer.model()) == before_last, "every layer");
    // and the gradient reads the restored weights: the same as a new trainer's from them
    let share = trainer.plan(&batches.next(&data, 16), 1).unwrap().remove(0);
    let fresh = Trainer::with_model(trainer.config().clone(), trainer.model());
    assert_eq!(trainer.share_gradient(&share), fresh.share_gradient(&share));
}

#[test]
fn a_replica_takes_the_trainers_steps_exactly_and_a_refused_step_changes_its_version() {
    let config = small_mlp(4);
    let data = mnist().split_at(300).0;
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let mut batches = Batcher::new(data.len(), 3);
    // Two steps before the replica is made: it starts from moments that are not zero.
    for _ in 0..2 {
        trainer.step(&batches.next(&data, 32)).unwrap();
    }
    let (version, state) = trainer.state();
    let mut replica = Replica::new(config.model.clone(), version, state).unwrap();
    for _ in 0..4 {
        let plan = trainer.plan(&batches.next(&data, 32), 2).unwrap();
        // Each computes one share, as the training worker and a helper do.
        let (mine, theirs) = (trainer.share_gradient(&plan[0]), replica.gradient(&plan[1]));
        assert_eq!(trainer.share_gradient(&plan[1]), theirs, "same weights");
        let lr = trainer.config().learning_rate;
        trainer.apply(vec![mine.clone(), theirs.clone()]).unwrap();
        assert!(replica.update(vec![mine, theirs], plan[0].beta, lr));
        assert_eq!(replica.version(), trainer.version());
        assert!(replica.weights() == trainer.flat_weights(), "bit for bit");
    }
    // A refused step: the trainer restores its last good weights under a new line; the
    // replica, given the same refused gradients, stays as it was, and is no longer current.
    let plan = trainer.plan(&batches.next(&data, 32), 2).unwrap();
    let mut gradients: Vec<_> = plan.iter().map(|s| trainer.share_gradient(s)).collect();
    gradients[1].recon_sum = f32::INFINITY;
    gradients[1].gradient.clear();
    let before = replica.version();
    assert!(trainer.apply(gradients.clone()).is_err());
    assert!(!replica.update(gradients, plan[0].beta, 1e-3));
    assert_eq!(replica.version(), before);
    assert_ne!(trainer.version().line, before.line);
    // A replica cannot be built from the state of another model.
    let (version, state) = trainer.state();
    let mut other = small_mlp(4).model;
    other.hidden = 32;
    assert!(Replica::new(other, version, state).is_err());
}

#[test]
fn the_total_of_the_shares_combines_to_exactly_what_the_shares_do() {
    let config = small_mlp(5);
    let data = mnist().split_at(200).0;
    let mut trainer = Trainer::new(config).unwrap();
    let plan = trainer
        .plan(&Batcher::new(data.len(), 2).next(&data, 30), 3)
        .unwrap();
    let gradients: Vec<_> = plan.iter().map(|s| trainer.share_gradient(s)).collect();
    let beta = plan[0].beta;
    let total = shares::total(gradients.clone());
    assert_eq!(total.rows, 30);
    // Bit for bit: a helper sent the total takes the trainer's update.
    let (one, summed) = shares::combine(vec![total], beta);
    let (all, separate) = shares::combine(gradients.clone(), beta);
    assert_eq!(one, all);
    let model = trainer.model();
    let updated = |gradients: Vec<Vec<f32>>| {
        let mut adam = FusedAdam::new();
        let slices: Vec<&[f32]> = gradients.iter().map(Vec::as_slice).collect();
        let updated = adam.step_sum(1e-3, model.clone(), &slices, &[]);
        vae_core::flat::read(&updated)
    };
    assert!(updated(summed.unwrap()) == updated(separate.unwrap()));
    let mut refused = gradients;
    refused[2].gradient.clear();
    assert!(shares::total(refused).gradient.is_empty());
}
