//! The autodiff gradient of the negative ELBO agrees with central finite differences.
mod common;
use burn::module::Param;
use burn::tensor::Tensor;
use common::tiny;
use vae_core::backend::training_device;
use vae_core::config::{Arch, ImageShape, VaeConfig};
use vae_core::loss::{kl_per_dim, negative_elbo, reconstruction};
use vae_core::model::{Encoder, Vae};
use vae_core::rng::Rng;
use vae_core::tensors::{matrix, to_vec};

fn loss(vae: &Vae, cfg: &VaeConfig, x: &Tensor<2>, eps: &Tensor<2>) -> Tensor<1> {
    let (posterior, logits) = vae.forward(x.clone(), None, eps.clone());
    negative_elbo(
        reconstruction(cfg.recon_loss, cfg.output_sigma, logits, x.clone()),
        kl_per_dim(&posterior),
        1.0,
    )
    .mean()
}

#[test]
fn elbo_gradient_matches_finite_differences() {
    let image = ImageShape {
        width: 3,
        height: 2,
        channels: 1,
    };
    let cfg = tiny(Arch::Mlp, image, 0);
    let device = training_device();
    let vae = cfg.init(5, &device);
    let mut rng = Rng::new(8);
    let x = matrix((0..12).map(|_| rng.uniform()).collect(), 2, &device); // [2, 6]
    let eps = matrix(rng.normals(2 * 3), 2, &device); // [2, 3]

    let Encoder::Mlp(encoder) = &vae.encoder else {
        unreachable!()
    };
    let weight = encoder.hidden.weight.val(); // [6, 16]
    let grads = loss(&vae, &cfg, &x, &eps).backward();
    let analytic = to_vec(weight.grad(&grads).unwrap());

    let values = to_vec(weight.clone().inner());
    let h = 1e-2f32;
    for index in [0, 7, 20, 41, 95] {
        let at = |delta: f32| {
            let mut v = values.clone();
            v[index] += delta;
            let mut moved = vae.clone();
            let Encoder::Mlp(e) = &mut moved.encoder else {
                unreachable!()
            };
            e.hidden.weight = Param::from_tensor(matrix(v, 6, &device));
            to_vec(loss(&moved, &cfg, &x, &eps).inner())[0]
        };
        let numeric = (at(h) - at(-h)) / (2.0 * h);
        let tol = 2e-3 + 1e-2 * numeric.abs();
        assert!(
            (numeric - analytic[index]).abs() < tol,
            "weight {index}: {numeric} vs {}",
            analytic[index]
        );
    }
}
