//! Every setting of a model and of its training, serialisable and validated in one place.
use serde::{Deserialize, Serialize};
use std::fmt;

/// Width × height × channels of the images a model reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageShape {
    pub width: usize,
    pub height: usize,
    /// 1 (grayscale) or 3 (colour, stored planar: all red, then green, then blue).
    pub channels: usize,
}

impl ImageShape {
    pub const MNIST: ImageShape = ImageShape {
        width: 28,
        height: 28,
        channels: 1,
    };
    pub const COLOUR28: ImageShape = ImageShape {
        width: 28,
        height: 28,
        channels: 3,
    };

    pub fn pixels(&self) -> usize {
        self.width * self.height * self.channels
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    Mlp,
    Conv,
}

/// The likelihood p(x|z) the decoder parameterises, and so the reconstruction loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReconLoss {
    /// Bernoulli: binary cross-entropy, pixels read as probabilities.
    Bce,
    /// Gaussian with a fixed standard deviation (`output_sigma`): squared error, in nats.
    Mse,
}

/// The model: its shape and its likelihood. `VaeConfig::init` builds it (see model/vae.rs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VaeConfig {
    pub image: ImageShape,
    pub arch: Arch,
    pub latent_dim: usize,
    pub hidden: usize,
    /// Channels of the two stride-2 convolutions (conv only).
    pub conv_channels: [usize; 2],
    /// 0 for a plain VAE; K > 0 makes a conditional VAE whose encoder and decoder also read a
    /// one-hot class vector of length K.
    pub num_classes: usize,
    pub recon_loss: ReconLoss,
    /// σ of the Gaussian likelihood when `recon_loss` is MSE.
    pub output_sigma: f32,
}

impl VaeConfig {
    /// The PyTorch examples VAE: 784-400-20, BCE.
    pub fn reference_mlp() -> Self {
        Self {
            image: ImageShape::MNIST,
            arch: Arch::Mlp,
            latent_dim: 20,
            hidden: 400,
            // A quarter of the compute of 32/64, so the conv model trains at a useful pace in a
            // browser worker on a CPU backend.
            conv_channels: [16, 32],
            num_classes: 0,
            recon_loss: ReconLoss::Bce,
            output_sigma: 0.1,
        }
    }

    /// Do both configs describe the same model? Settings the architecture does not use (conv
    /// channels of an MLP, σ of a BCE likelihood) do not count.
    pub fn same_model(&self, other: &VaeConfig) -> bool {
        let normal = |c: &VaeConfig| VaeConfig {
            conv_channels: if c.arch == Arch::Conv {
                c.conv_channels
            } else {
                [0, 0]
            },
            output_sigma: if c.recon_loss == ReconLoss::Mse {
                c.output_sigma
            } else {
                0.0
            },
            ..c.clone()
        };
        normal(self) == normal(other)
    }

    /// The model in words, for messages: "MLP, 28×28 grayscale, latent 20, hidden 400, BCE".
    pub fn summary(&self) -> String {
        let ImageShape {
            width,
            height,
            channels,
        } = self.image;
        let colour = if channels == 3 { "colour" } else { "grayscale" };
        let arch = match self.arch {
            Arch::Mlp => format!("MLP, hidden {}", self.hidden),
            Arch::Conv => format!(
                "conv {}/{}, hidden {}",
                self.conv_channels[0], self.conv_channels[1], self.hidden
            ),
        };
        let conditional = if self.num_classes > 0 {
            format!(", conditional on {} classes", self.num_classes)
        } else {
            String::new()
        };
        let loss = match self.recon_loss {
            ReconLoss::Bce => "BCE",
            ReconLoss::Mse => "MSE",
        };
        format!(
            "{arch}, {width}×{height} {colour}, latent {}{conditional}, {loss}",
            self.latent_dim
        )
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let ImageShape {
            width,
            height,
            channels,
        } = self.image;
        check(
            "image.width",
            (1..=256).contains(&width),
            "must be 1–256 pixels",
        )?;
        check(
            "image.height",
            (1..=256).contains(&height),
            "must be 1–256 pixels",
        )?;
        check(
            "image.channels",
            channels == 1 || channels == 3,
            "must be 1 (grayscale) or 3 (colour)",
        )?;
        check(
            "latent_dim",
            (1..=64).contains(&self.latent_dim),
            "must be 1–64",
        )?;
        check(
            "hidden",
            (8..=4096).contains(&self.hidden),
            "must be 8–4096",
        )?;
        check(
            "num_classes",
            self.num_classes <= 100,
            "must be 0 (plain VAE) to 100",
        )?;
        check(
            "output_sigma",
            self.output_sigma.is_finite() && self.output_sigma >= 1e-3 && self.output_sigma <= 10.0,
            "must be between 0.001 and 10",
        )?;
        if self.arch == Arch::Conv {
            check(
                "image",
                width % 4 == 0 && height % 4 == 0,
                "the conv model halves the image twice: width and height must be multiples of 4",
            )?;
            check(
                "conv_channels",
                self.conv_channels.iter().all(|c| (1..=256).contains(c)),
                "each must be 1–256",
            )?;
        }
        Ok(())
    }
}

/// Optimiser, batch, β schedule and seed around a model config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingConfig {
    pub model: VaeConfig,
    pub learning_rate: f64,
    pub batch_size: usize,
    /// Weight of the KL term: 1 is the ELBO, 0 an autoencoder with noise, > 1 a β-VAE.
    pub beta: f32,
    /// β rises linearly from 0 over this many steps (0: no warm-up).
    pub beta_warmup_steps: usize,
    pub seed: u64,
}

impl TrainingConfig {
    /// The PyTorch examples set-up: Adam 1e-3, batch 128, β = 1.
    pub fn reference() -> Self {
        Self {
            model: VaeConfig::reference_mlp(),
            learning_rate: 1e-3,
            batch_size: 128,
            beta: 1.0,
            beta_warmup_steps: 0,
            seed: 1,
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.model.validate()?;
        check(
            "learning_rate",
            self.learning_rate.is_finite() && (1e-5..=10.0).contains(&self.learning_rate),
            "must be 0.00001–10",
        )?;
        check(
            "batch_size",
            (1..=1024).contains(&self.batch_size),
            "must be 1–1024",
        )?;
        // The same bounds as the page's settings table (vae-protocol's settings.rs; a test in
        // vae-worker checks that the two agree).
        check(
            "beta",
            self.beta.is_finite() && (0.0..=8.0).contains(&self.beta),
            "must be 0–8",
        )?;
        check(
            "beta_warmup_steps",
            self.beta_warmup_steps <= 100_000,
            "must be at most 100,000",
        )?;
        Ok(())
    }

    /// The autoencoder beside this VAE: the same model and training with β = 0, so nothing
    /// pulls q(z|x) towards the prior and the prior's samples are not made to decode well.
    pub fn autoencoder_twin(&self) -> Self {
        Self {
            beta: 0.0,
            beta_warmup_steps: 0,
            ..self.clone()
        }
    }

    /// β at a given step: the linear warm-up, then the target.
    pub fn beta_at(&self, step: usize) -> f32 {
        if self.beta_warmup_steps == 0 {
            self.beta
        } else {
            self.beta * (step as f32 / self.beta_warmup_steps as f32).min(1.0)
        }
    }
}

/// A setting out of range: names the field and says what it must be.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub field: &'static str,
    pub message: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn check(field: &'static str, ok: bool, message: &'static str) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError { field, message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_is_valid() {
        TrainingConfig::reference().validate().unwrap();
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad: Vec<(&str, Box<dyn Fn(&mut TrainingConfig)>)> = vec![
            ("latent_dim", Box::new(|c| c.model.latent_dim = 0)),
            ("latent_dim", Box::new(|c| c.model.latent_dim = 65)),
            ("hidden", Box::new(|c| c.model.hidden = 2)),
            ("image.channels", Box::new(|c| c.model.image.channels = 2)),
            ("image.width", Box::new(|c| c.model.image.width = 0)),
            (
                "image",
                Box::new(|c| {
                    c.model.arch = Arch::Conv;
                    c.model.image.width = 30;
                }),
            ),
            (
                "conv_channels",
                Box::new(|c| {
                    c.model.arch = Arch::Conv;
                    c.model.conv_channels = [0, 8];
                }),
            ),
            (
                "output_sigma",
                Box::new(|c| c.model.output_sigma = f32::NAN),
            ),
            ("learning_rate", Box::new(|c| c.learning_rate = -1.0)),
            (
                "learning_rate",
                Box::new(|c| c.learning_rate = f64::INFINITY),
            ),
            ("batch_size", Box::new(|c| c.batch_size = 0)),
            ("beta", Box::new(|c| c.beta = -0.5)),
        ];
        for (field, spoil) in bad {
            let mut config = TrainingConfig::reference();
            spoil(&mut config);
            assert_eq!(config.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn unused_settings_do_not_make_another_model() {
        let a = VaeConfig::reference_mlp();
        assert!(a.same_model(&VaeConfig {
            conv_channels: [32, 64],
            output_sigma: 0.5,
            ..a.clone()
        }));
        assert!(!a.same_model(&VaeConfig {
            hidden: 200,
            ..a.clone()
        }));
        let conv = VaeConfig {
            arch: Arch::Conv,
            ..a.clone()
        };
        assert!(!conv.same_model(&VaeConfig {
            conv_channels: [32, 64],
            ..conv.clone()
        }));
    }

    #[test]
    fn beta_warms_up_linearly() {
        let mut c = TrainingConfig::reference();
        c.beta = 2.0;
        c.beta_warmup_steps = 100;
        assert_eq!(c.beta_at(0), 0.0);
        assert_eq!(c.beta_at(50), 1.0);
        assert_eq!(c.beta_at(500), 2.0);
    }

    #[test]
    fn config_round_trips_through_json() {
        let c = TrainingConfig::reference();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<TrainingConfig>(&json).unwrap(), c);
    }
}
