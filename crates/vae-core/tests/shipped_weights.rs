//! The weights the page ships still load into the current architecture, and still model MNIST.
mod common;
use vae_core::config::VaeConfig;
use vae_core::data::MNIST_TRAIN;
use vae_core::eval::evaluate;
use vae_core::weights::load_expecting;

#[test]
fn pretrained_mnist_weights_load_and_are_good() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../www/assets/pretrained-mnist.vae"
    );
    let bytes = std::fs::read(path)
        .expect("www/assets/pretrained-mnist.vae is shipped (vae-cli train writes it)");
    let (header, model) =
        load_expecting(&bytes, &VaeConfig::reference_mlp()).expect("loads into the reference MLP");
    assert_eq!(header.dataset, "mnist");
    let test = common::mnist().split_at(MNIST_TRAIN).1;
    let parts = evaluate(&model, &header.config, &test, 1.0);
    assert!(
        parts.total < 115.0,
        "held-out loss {} nats per image",
        parts.total
    );
}
