//! The fused Adam against burn's Adam: the same model, batches and noise, 100 steps each.
mod common;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use common::{mnist, small_mlp};
use vae_core::adam::FusedAdam;
use vae_core::backend::training_device;
use vae_core::data::{Batcher, MNIST_TRAIN};
use vae_core::loss::{kl_per_dim, negative_elbo, reconstruction};
use vae_core::model::Vae;
use vae_core::rng::Rng;
use vae_core::tensors;

#[test]
fn fused_adam_matches_burns_adam_over_100_steps() {
    let config = small_mlp(9);
    let cfg = &config.model;
    let device = training_device();
    let start = cfg.init(config.seed, &device).fork(&device).train();
    let (mut ours, mut theirs) = (start.clone(), start.clone());
    let mut fused = FusedAdam::new();
    let mut adam = AdamConfig::new().init();
    let (train, _) = mnist().split_at(MNIST_TRAIN);
    let mut batches = Batcher::new(train.len(), 1);
    let mut noise = Rng::new(2);
    for _ in 0..100 {
        let batch = batches.next(&train, config.batch_size);
        let eps = noise.normals(batch.len() * cfg.latent_dim);
        let step = |model: &Vae| {
            let x = tensors::matrix(batch.images.clone(), batch.len(), &device); // [b, pixels]
            let e = tensors::matrix(eps.clone(), batch.len(), &device); // [b, latent]
            let (posterior, logits) = model.forward(x.clone(), None, e);
            let loss = negative_elbo(
                reconstruction(cfg.recon_loss, cfg.output_sigma, logits, x),
                kl_per_dim(&posterior),
                1.0,
            )
            .mean();
            GradientsParams::from_grads(loss.backward(), model)
        };
        let g = vae_core::flat::gradients(step(&ours), &ours);
        ours = fused.step(1e-3, ours, &g);
        let g = step(&theirs);
        theirs = adam.step(1e-3, theirs, g);
    }
    let weights = |m: &Vae| -> Vec<f32> {
        let mut out = Vec::new();
        m.visit(&mut Collect(&mut out));
        out
    };
    let (a, b) = (weights(&ours), weights(&theirs));
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 10_000);
    let moved = a
        .iter()
        .zip(&weights(&start))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(moved > 1e-2, "training moved the weights: {moved}");
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-6,
        "largest weight difference after 100 steps: {worst}"
    );
}

struct Collect<'a>(&'a mut Vec<f32>);

impl burn::module::ModuleVisitor for Collect<'_> {
    fn visit_float<const D: usize>(
        &mut self,
        param: &burn::module::Param<burn::tensor::Tensor<D>>,
    ) {
        self.0.extend(param.val().into_data().iter::<f32>());
    }
}
