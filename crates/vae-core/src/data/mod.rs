//! Datasets: the IDX reader, the shipped MNIST subset, procedural shapes, splits and batches.
mod batches;
mod catalog;
mod dataset;
mod idx;
pub mod import;
mod shapes;

pub use batches::{Batch, Batcher};
pub use catalog::{procedural, split_held_out, DATASET_NAMES, PROCEDURAL_COUNT};
pub use dataset::{DataError, Dataset};
pub use idx::{read_idx, write_idx, Idx, IdxError};
pub use shapes::{colour_shapes, shapes, ShapeFactors, ShapeKind, SHAPE_KINDS};

/// The project's split of the shipped MNIST subset: images 0..8999 train, 9000..9999 held out.
pub const MNIST_TRAIN: usize = 9000;
