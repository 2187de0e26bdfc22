//! What a model will cost in memory, worked out from its config before anything is allocated.
//! The worker's wasm memory can grow to 4 GB, and a page that asks for more dies without a word:
//! a model over the budget is refused with the numbers instead.
use crate::config::{Arch, TrainingConfig, VaeConfig};
use std::fmt;

/// The most a model, its training state, its activations and its dataset may take together.
pub const MEMORY_BUDGET: usize = 1 << 30;

/// Weights and biases of a dense layer.
fn linear(inputs: usize, outputs: usize) -> usize {
    inputs * outputs + outputs
}

/// The exact parameter count of the model `cfg` describes (tests compare it with burn's count).
pub fn parameter_count(cfg: &VaeConfig) -> usize {
    let (p, c, h, l) = (
        cfg.image.pixels(),
        cfg.num_classes,
        cfg.hidden,
        cfg.latent_dim,
    );
    let heads = 2 * linear(h, l); // μ and log σ²
    match cfg.arch {
        Arch::Mlp => linear(p + c, h) + heads + linear(l + c, h) + linear(h, p),
        Arch::Conv => {
            let [c0, c1] = cfg.conv_channels;
            let flat = c1 * (cfg.image.height / 4) * (cfg.image.width / 4);
            let ch = cfg.image.channels;
            // Down: one 16-tap matrix; Up: four parity matrices of 4 taps each.
            let encoder = linear(16 * ch, c0) + linear(16 * c0, c1) + linear(flat + c, h) + heads;
            let decoder = linear(l + c, h)
                + linear(h, flat)
                + 4 * linear(4 * c1, c0)
                + 4 * linear(4 * c0, ch);
            encoder + decoder
        }
    }
}

/// Bytes, by what they hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryEstimate {
    /// The weights.
    pub parameters: usize,
    /// Gradients, Adam's two moments and its host copy, and the last good weights.
    pub training_state: usize,
    /// What one training step keeps alive for the backward pass, at the configured batch size.
    pub activations: usize,
    /// The images as f32 (their splits share them).
    pub dataset: usize,
}

impl MemoryEstimate {
    /// For training `config` on `images` images of its image shape.
    pub fn of(config: &TrainingConfig, images: usize) -> Self {
        let cfg = &config.model;
        let parameters = 4 * parameter_count(cfg);
        let (p, h, l) = (cfg.image.pixels(), cfg.hidden, cfg.latent_dim);
        // Floats per image the graph holds: each layer's input and output, a few temporaries
        // for the loss, and as much again for their gradients.
        let mut per_image = 2 * (3 * p + 3 * h + 6 * l);
        let mut chunk_scratch = 0;
        if cfg.arch == Arch::Conv {
            let [c0, c1] = cfg.conv_channels;
            let (half, quarter) = (
                cfg.image.width * cfg.image.height / 4,
                cfg.image.width * cfg.image.height / 16,
            );
            // What the conv layers keep for their backward pass (each one's input and output)
            // and the gradients of those; the patch matrices are built 64 images at a time.
            per_image += 4 * (p + half * c0 + quarter * c1);
            // A patch matrix (16 taps of each output pixel) and its gradient, 64 images of each.
            chunk_scratch = 4 * 2 * 64 * 16 * (half * cfg.image.channels + quarter * c0);
        }
        Self {
            parameters,
            training_state: 5 * parameters + chunk_scratch,
            activations: 4 * per_image * config.batch_size,
            dataset: 4 * images * p,
        }
    }

    pub fn total(&self) -> usize {
        self.parameters + self.training_state + self.activations + self.dataset
    }

    /// Err with the numbers when the total is over the budget.
    pub fn check(&self) -> Result<(), String> {
        if self.total() <= MEMORY_BUDGET {
            return Ok(());
        }
        Err(format!(
            "this model would need about {} of memory ({self}), more than the page's budget of {}: lower the hidden units, the batch size or the image size",
            mb(self.total()),
            mb(MEMORY_BUDGET)
        ))
    }
}

fn mb(bytes: usize) -> String {
    format!("{:.0} MB", bytes as f64 / (1 << 20) as f64)
}

impl fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "weights {}, training state {}, activations {}, images {}",
            mb(self.parameters),
            mb(self.training_state),
            mb(self.activations),
            mb(self.dataset)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::inference_device;
    use crate::config::ImageShape;
    use burn::module::Module;

    #[test]
    fn parameter_count_is_burns_count() {
        let mlp = VaeConfig {
            num_classes: 10,
            ..VaeConfig::reference_mlp()
        };
        let conv = VaeConfig {
            arch: Arch::Conv,
            image: ImageShape::COLOUR28,
            hidden: 64,
            latent_dim: 4,
            num_classes: 4,
            ..VaeConfig::reference_mlp()
        };
        for cfg in [VaeConfig::reference_mlp(), mlp, conv] {
            assert_eq!(
                parameter_count(&cfg),
                cfg.init(1, &inference_device()).num_params(),
                "{cfg:?}"
            );
        }
    }

    #[test]
    fn the_reference_model_fits_and_a_giant_is_refused_with_numbers() {
        let reference = MemoryEstimate::of(&TrainingConfig::reference(), 10_000);
        assert!(reference.check().is_ok(), "{reference}");
        assert!(
            reference.total() < 100 << 20,
            "the reference model needs well under 100 MB: {reference}"
        );
        let giant = TrainingConfig {
            model: VaeConfig {
                image: ImageShape {
                    width: 256,
                    height: 256,
                    channels: 3,
                },
                hidden: 4096,
                ..VaeConfig::reference_mlp()
            },
            batch_size: 1024,
            ..TrainingConfig::reference()
        };
        let message = MemoryEstimate::of(&giant, 100).check().unwrap_err();
        assert!(
            message.contains("weights")
                && message.contains("activations")
                && message.contains("MB"),
            "{message}"
        );
    }
}
