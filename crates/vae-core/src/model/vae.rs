//! The Vae module: encode → reparameterize → decode, and the config that builds it.
use super::{weight_and_bias, ConvDecoder, ConvEncoder, LayerInput, MlpDecoder, MlpEncoder};
use crate::config::{Arch, VaeConfig};
use crate::data::Batch;
use crate::tensors;
use burn::module::Module;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor};
use std::sync::Mutex;

#[derive(Module, Debug)]
pub enum Encoder {
    Mlp(MlpEncoder),
    Conv(ConvEncoder),
}

#[derive(Module, Debug)]
pub enum Decoder {
    Mlp(MlpDecoder),
    Conv(ConvDecoder),
}

#[derive(Module, Debug)]
pub struct Vae {
    pub encoder: Encoder,
    pub decoder: Decoder,
}

/// The encoder's answer for a batch: the posterior q(z|x) = N(μ, diag exp(log σ²)).
#[derive(Clone, Debug)]
pub struct Posterior {
    pub mu: Tensor<2>,      // [batch, latent]
    pub log_var: Tensor<2>, // [batch, latent]
}

/// burn draws initial weights from one global RNG per backend, and draws them lazily (on first
/// use). Seeding and forcing every parameter under one lock makes `init_seeded` reproducible
/// even while other threads (parallel tests) build models.
static INIT_LOCK: Mutex<()> = Mutex::new(());

impl VaeConfig {
    /// Fresh weights drawn from burn's default (Kaiming-uniform) initialisers, seeded.
    /// The config must be valid (see `validate`).
    pub fn init(&self, seed: u64, device: &Device) -> Vae {
        let _guard = INIT_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        device.seed(seed);
        let vae = self.layers(device);
        // Reading every parameter materialises it now, in a fixed order, under the lock.
        let _ = vae.clone().into_record();
        vae
    }

    /// The layers, their weights not yet drawn: burn draws them on first use, so weights loaded
    /// over them (`weights::load`) never draw or read 650,000 random numbers first.
    pub fn layers(&self, device: &Device) -> Vae {
        let (pixels, classes, hidden, latent) = (
            self.image.pixels(),
            self.num_classes,
            self.hidden,
            self.latent_dim,
        );
        match self.arch {
            Arch::Mlp => Vae {
                encoder: Encoder::Mlp(MlpEncoder::new(pixels, classes, hidden, latent, device)),
                decoder: Decoder::Mlp(MlpDecoder::new(pixels, classes, hidden, latent, device)),
            },
            Arch::Conv => Vae {
                encoder: Encoder::Conv(ConvEncoder::new(
                    self.image,
                    self.conv_channels,
                    classes,
                    hidden,
                    latent,
                    device,
                )),
                decoder: Decoder::Conv(ConvDecoder::new(
                    self.image,
                    self.conv_channels,
                    classes,
                    hidden,
                    latent,
                    device,
                )),
            },
        }
    }
}

impl Vae {
    /// # Shapes
    /// - x: [batch, pixels] in [0, 1], class: [batch, classes] one-hot (conditional models)
    /// - returns μ and log σ²: [batch, latent]
    pub fn encode(&self, x: Tensor<2>, class: Option<Tensor<2>>) -> Posterior {
        let (mu, log_var) = match &self.encoder {
            Encoder::Mlp(e) => e.forward(x, class),
            Encoder::Conv(e) => e.forward(x, class),
        };
        Posterior { mu, log_var }
    }

    /// z = μ + σ·ε with ε ~ N(0, I) drawn by the caller, so the sample is differentiable in μ
    /// and σ (Kingma & Welling 2014, §2.4) and reproducible from the caller's seed.
    /// # Shapes
    /// - eps: [batch, latent]; returns z: [batch, latent]
    pub fn reparameterize(posterior: &Posterior, eps: Tensor<2>) -> Tensor<2> {
        let sigma = posterior.log_var.clone().mul_scalar(0.5).exp(); // [batch, latent]
        posterior.mu.clone() + sigma * eps // [batch, latent]
    }

    /// The decoder's logits; pixel means are `sigmoid(logits)` (see `decode_means`).
    /// # Shapes
    /// - z: [batch, latent], class: [batch, classes]; returns [batch, pixels]
    pub fn decode(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        match &self.decoder {
            Decoder::Mlp(d) => d.forward(z, class),
            Decoder::Conv(d) => d.forward(z, class),
        }
    }

    /// Pixel means in [0, 1]: Bernoulli means for BCE, the Gaussian's mean for MSE.
    /// # Shapes
    /// - z: [batch, latent]; returns [batch, pixels]
    pub fn decode_means(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        sigmoid(self.decode(z, class))
    }

    /// One pass of the VAE: the posterior, the sampled z, and the decoder's logits.
    /// # Shapes
    /// - x: [batch, pixels], eps: [batch, latent]
    /// - returns (posterior, logits: [batch, pixels])
    pub fn forward(
        &self,
        x: Tensor<2>,
        class: Option<Tensor<2>>,
        eps: Tensor<2>,
    ) -> (Posterior, Tensor<2>) {
        let posterior = self.encode(x, class.clone());
        let z = Self::reparameterize(&posterior, eps); // [batch, latent]
        let logits = self.decode(z, class); // [batch, pixels]
        (posterior, logits)
    }

    /// `forward` of a batch of the dataset, for evaluation (no gradients). The MLP's two big
    /// layers are computed as training computes them, by hand, so that the zeros in their inputs
    /// cost nothing (dense_layer.rs): the held-out evaluation runs 1,000 images through the
    /// model every 1.5 s while the page trains.
    /// # Shapes
    /// - eps: [batch, latent]; returns (posterior, logits: [batch, pixels])
    pub fn forward_batch(
        &self,
        cfg: &VaeConfig,
        batch: &Batch,
        eps: Tensor<2>,
        device: &Device,
    ) -> (Posterior, Tensor<2>) {
        let rows = batch.len();
        let class = tensors::one_hot(&batch.labels, cfg.num_classes, device);
        let (Encoder::Mlp(encoder), Decoder::Mlp(decoder)) = (&self.encoder, &self.decoder) else {
            let x = tensors::matrix(batch.images.clone(), rows, device);
            return self.forward(x, class, eps);
        };
        let input = LayerInput::joined(&batch.images, &batch.labels, cfg.num_classes, None);
        let (weight, bias) = weight_and_bias(&encoder.hidden);
        let pre = tensors::matrix(input.forward(&weight, &bias), rows, device); // [batch, hidden]
        let (mu, log_var) = encoder.head(pre);
        let posterior = Posterior { mu, log_var };
        let z = Self::reparameterize(&posterior, eps); // [batch, latent]
        let units = LayerInput::new(tensors::to_vec(decoder.hidden_units(z, class)), cfg.hidden);
        let (weight, bias) = weight_and_bias(&decoder.out);
        let logits = tensors::matrix(units.forward(&weight, &bias), rows, device); // [batch, pixels]
        (posterior, logits)
    }
}
