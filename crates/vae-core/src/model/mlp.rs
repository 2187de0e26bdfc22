//! The multilayer-perceptron encoder and decoder (the PyTorch examples VAE: 784-400-20).
use super::join_class;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

#[derive(Module, Debug)]
pub struct MlpEncoder {
    pub hidden: Linear,
    pub mu: Linear,
    pub log_var: Linear,
}

impl MlpEncoder {
    pub fn new(
        pixels: usize,
        classes: usize,
        hidden: usize,
        latent: usize,
        device: &Device,
    ) -> Self {
        Self {
            hidden: LinearConfig::new(pixels + classes, hidden).init(device),
            mu: LinearConfig::new(hidden, latent).init(device),
            log_var: LinearConfig::new(hidden, latent).init(device),
        }
    }

    /// # Shapes
    /// - x: [batch, pixels], class: [batch, classes]
    /// - returns (μ, log σ²): [batch, latent] each
    pub fn forward(&self, x: Tensor<2>, class: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
        self.head(self.hidden.forward(join_class(x, class)))
    }

    /// The layers after the first (training computes the first by hand: dense_layer.rs).
    /// # Shapes
    /// - pre: [batch, hidden], the first layer's output before its ReLU
    /// - returns (μ, log σ²): [batch, latent] each
    pub fn head(&self, pre: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let h = relu(pre); // [batch, hidden]
        (self.mu.forward(h.clone()), self.log_var.forward(h)) // [batch, latent] ×2
    }
}

#[derive(Module, Debug)]
pub struct MlpDecoder {
    pub hidden: Linear,
    pub out: Linear,
}

impl MlpDecoder {
    pub fn new(
        pixels: usize,
        classes: usize,
        hidden: usize,
        latent: usize,
        device: &Device,
    ) -> Self {
        Self {
            hidden: LinearConfig::new(latent + classes, hidden).init(device),
            out: LinearConfig::new(hidden, pixels).init(device),
        }
    }

    /// # Shapes
    /// - z: [batch, latent], class: [batch, classes]
    /// - returns logits: [batch, pixels]
    pub fn forward(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        self.out.forward(self.hidden_units(z, class)) // [batch, pixels]
    }

    /// The hidden layer's ReLU units, the output layer's input (which training computes by
    /// hand: dense_layer.rs).
    /// # Shapes
    /// - z: [batch, latent], class: [batch, classes]; returns [batch, hidden]
    pub fn hidden_units(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        relu(self.hidden.forward(join_class(z, class)))
    }
}
