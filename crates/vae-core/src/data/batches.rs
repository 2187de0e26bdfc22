//! Shuffled minibatches, epoch after epoch, from the trainer's own seed.
use super::Dataset;
use crate::config::ImageShape;
use crate::rng::Rng;

/// Images (and their labels) of one minibatch, ready to become tensors.
#[derive(Clone, Debug)]
pub struct Batch {
    pub shape: ImageShape,
    /// len × shape.pixels() values.
    pub images: Vec<f32>,
    pub labels: Vec<u8>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The images at `indices` of a dataset.
    pub fn gather(data: &Dataset, indices: &[usize]) -> Self {
        let mut images = Vec::with_capacity(indices.len() * data.shape.pixels());
        for &i in indices {
            images.extend_from_slice(data.image(i));
        }
        Self {
            shape: data.shape,
            images,
            labels: indices.iter().map(|&i| data.labels()[i]).collect(),
        }
    }

    /// Consecutive batches covering a whole dataset in order (for evaluation).
    pub fn all_of(data: &Dataset, size: usize) -> impl Iterator<Item = Batch> + '_ {
        (0..data.len()).step_by(size.max(1)).map(move |start| {
            let indices: Vec<usize> = (start..(start + size).min(data.len())).collect();
            Batch::gather(data, &indices)
        })
    }
}

/// Walks a shuffled order of the training split; reshuffles at each new epoch.
/// The last partial batch of an epoch is dropped so every step sees `batch_size` images.
#[derive(Clone, Debug)]
pub struct Batcher {
    order: Vec<usize>,
    position: usize,
    pub epoch: usize,
    rng: Rng,
}

impl Batcher {
    pub fn new(len: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed ^ 0xBA7C);
        let mut order: Vec<usize> = (0..len).collect();
        rng.shuffle(&mut order);
        Self {
            order,
            position: 0,
            epoch: 0,
            rng,
        }
    }

    /// The next batch; starts a new epoch (epoch += 1) when the current one is used up.
    pub fn next(&mut self, data: &Dataset, batch_size: usize) -> Batch {
        let size = batch_size.min(self.order.len()).max(1);
        if self.position + size > self.order.len() {
            self.rng.shuffle(&mut self.order);
            self.position = 0;
            self.epoch += 1;
        }
        let batch = Batch::gather(data, &self.order[self.position..self.position + size]);
        self.position += size;
        batch
    }

    /// Steps in one epoch at this batch size.
    pub fn steps_per_epoch(&self, batch_size: usize) -> usize {
        (self.order.len() / batch_size.max(1)).max(1)
    }
}
