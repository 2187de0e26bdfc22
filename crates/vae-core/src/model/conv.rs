//! The convolutional encoder and decoder: two stride-2 convolutions (28 → 14 → 7) and back.
//! Kernel 4, stride 2, padding 1 halves a side exactly, and its transpose doubles it exactly.
use super::join_class;
use super::{Down, Up};
use crate::config::ImageShape;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

#[derive(Module, Debug)]
pub struct ConvEncoder {
    conv1: Down,
    conv2: Down,
    hidden: Linear,
    mu: Linear,
    log_var: Linear,
    channels: usize,
    height: usize,
    width: usize,
}

impl ConvEncoder {
    pub fn new(
        image: ImageShape,
        conv: [usize; 2],
        classes: usize,
        hidden: usize,
        latent: usize,
        device: &Device,
    ) -> Self {
        let down = |c_in, c_out| Down::new(c_in, c_out, device);
        let flat = conv[1] * (image.height / 4) * (image.width / 4);
        Self {
            conv1: down(image.channels, conv[0]),
            conv2: down(conv[0], conv[1]),
            hidden: LinearConfig::new(flat + classes, hidden).init(device),
            mu: LinearConfig::new(hidden, latent).init(device),
            log_var: LinearConfig::new(hidden, latent).init(device),
            channels: image.channels,
            height: image.height,
            width: image.width,
        }
    }

    /// # Shapes
    /// - x: [batch, channels·height·width] (planar), class: [batch, classes]
    /// - returns (μ, log σ²): [batch, latent] each
    pub fn forward(&self, x: Tensor<2>, class: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
        let batch = x.dims()[0];
        let x = x
            .reshape([batch, self.channels, self.height, self.width])
            .permute([0, 2, 3, 1]); // [b, h, w, c]
        let h = relu(self.conv1.forward(x)); // [b, h/2, w/2, c1]
        let h = relu(self.conv2.forward(h)); // [b, h/4, w/4, c2]
        let h = h.flatten::<2>(1, 3); // [b, h/4·w/4·c2]
        let h = relu(self.hidden.forward(join_class(h, class))); // [b, hidden]
        (self.mu.forward(h.clone()), self.log_var.forward(h)) // [b, latent] ×2
    }
}

#[derive(Module, Debug)]
pub struct ConvDecoder {
    hidden: Linear,
    expand: Linear,
    deconv1: Up,
    deconv2: Up,
    conv_channels: usize,
    height: usize,
    width: usize,
}

impl ConvDecoder {
    pub fn new(
        image: ImageShape,
        conv: [usize; 2],
        classes: usize,
        hidden: usize,
        latent: usize,
        device: &Device,
    ) -> Self {
        let up = |c_in, c_out| Up::new(c_in, c_out, device);
        let flat = conv[1] * (image.height / 4) * (image.width / 4);
        Self {
            hidden: LinearConfig::new(latent + classes, hidden).init(device),
            expand: LinearConfig::new(hidden, flat).init(device),
            deconv1: up(conv[1], conv[0]),
            deconv2: up(conv[0], image.channels),
            conv_channels: conv[1],
            height: image.height,
            width: image.width,
        }
    }

    /// # Shapes
    /// - z: [batch, latent], class: [batch, classes]
    /// - returns logits: [batch, channels·height·width] (planar)
    pub fn forward(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        let batch = z.dims()[0];
        let h = relu(self.hidden.forward(join_class(z, class))); // [b, hidden]
        let h = relu(self.expand.forward(h)); // [b, h/4·w/4·c2]
        let h = h.reshape([batch, self.height / 4, self.width / 4, self.conv_channels]); // [b, h/4, w/4, c2]
        let h = relu(self.deconv1.forward(h)); // [b, h/2, w/2, c1]
        let out = self.deconv2.forward(h); // [b, h, w, c]
        out.permute([0, 3, 1, 2]).flatten::<2>(1, 3) // [b, c·h·w], planar like the data
    }
}
