//! The datasets the lab offers by name, and the one rule that splits each into train and held-out.
use super::{colour_shapes, shapes, Dataset, MNIST_TRAIN};

pub const DATASET_NAMES: [&str; 3] = ["mnist", "shapes", "colour-shapes"];

/// Images drawn for a procedural dataset: as many as the MNIST subset, split the same way.
pub const PROCEDURAL_COUNT: usize = 10_000;

/// The procedural datasets are drawn from their own fixed seed, so every student sees the same
/// data whatever the training seed. MNIST comes from its files (see `Dataset::from_idx`).
pub fn procedural(name: &str) -> Option<Dataset> {
    match name {
        "shapes" => Some(shapes(PROCEDURAL_COUNT, 2024)),
        "colour-shapes" => Some(colour_shapes(PROCEDURAL_COUNT, 2024)),
        _ => None,
    }
}

/// 9,000 / 1,000 for the 10,000-image sets (the MNIST README's convention); 90 % / 10 % for a
/// user's own file, keeping at least one image on each side.
pub fn split_held_out(data: &Dataset) -> (Dataset, Dataset) {
    let n = data.len();
    let train = if n == 10_000 {
        MNIST_TRAIN
    } else {
        (n * 9 / 10).clamp(1, n.saturating_sub(1).max(1))
    };
    data.split_at(train)
}
