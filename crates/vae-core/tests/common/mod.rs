//! Shared by the integration tests: the shipped MNIST subset and small configs.
#![allow(dead_code)]
use vae_core::config::{Arch, ImageShape, TrainingConfig, VaeConfig};
use vae_core::data::Dataset;

pub fn mnist() -> Dataset {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/assets/data");
    let images = std::fs::read(format!("{dir}/mnist10k-images-idx3-ubyte.gz"))
        .expect("shipped MNIST images");
    let labels = std::fs::read(format!("{dir}/mnist10k-labels-idx1-ubyte.gz"))
        .expect("shipped MNIST labels");
    Dataset::from_idx("mnist", &images, Some(&labels)).unwrap()
}

/// A small, fast MLP on 28×28 grayscale.
pub fn small_mlp(seed: u64) -> TrainingConfig {
    TrainingConfig {
        model: VaeConfig {
            hidden: 64,
            latent_dim: 4,
            ..VaeConfig::reference_mlp()
        },
        batch_size: 32,
        seed,
        ..TrainingConfig::reference()
    }
}

pub fn tiny(arch: Arch, image: ImageShape, classes: usize) -> VaeConfig {
    VaeConfig {
        image,
        arch,
        hidden: 16,
        latent_dim: 3,
        conv_channels: [4, 8],
        num_classes: classes,
        ..VaeConfig::reference_mlp()
    }
}
