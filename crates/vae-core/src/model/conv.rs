//! The convolutional encoder and decoder: two stride-2 convolutions (28 → 14 → 7) and back.
//! Kernel 4, stride 2, padding 1 halves a side exactly, and its transpose doubles it exactly.
//! The conv layers compute on plain buffers (conv_kernels.rs) and the dense layers with burn; a
//! training step joins the two by hand (conv_gradient.rs), so each half also has a trace that
//! keeps what its backward pass needs.
use super::conv_kernels::{
    channels_last_to_planar, planar_to_channels_last, relu, relu_backward, Grid,
};
use super::{join_class, Down, HandGradient, Up};
use crate::config::ImageShape;
use crate::tensors::{matrix, to_vec};
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu as relu_tensor;
use burn::tensor::{Device, Tensor};

#[derive(Module, Debug)]
pub struct ConvEncoder {
    conv1: Down,
    conv2: Down,
    /// The features (and the class) to the hidden units: training computes it by hand.
    pub hidden: Linear,
    mu: Linear,
    log_var: Linear,
    channels: usize,
    height: usize,
    width: usize,
}

/// What the encoder's conv layers computed for a batch: their inputs and the features [batch,
/// h/4·w/4·c2] (channels-last, after the ReLU) that the dense layers read.
pub struct EncoderTrace {
    x: Vec<f32>,
    a1: Vec<f32>,
    pub features: Vec<f32>,
    images: usize,
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

    /// conv1's and conv2's input grids for `images` images.
    fn grids(&self, images: usize) -> [Grid; 2] {
        let c1 = self.conv1.taps.weight.dims()[1];
        [
            Grid {
                images,
                height: self.height,
                width: self.width,
                channels: self.channels,
            },
            Grid {
                images,
                height: self.height / 2,
                width: self.width / 2,
                channels: c1,
            },
        ]
    }

    /// # Shapes
    /// - x: [batch, channels·height·width] (planar), class: [batch, classes]
    /// - returns (μ, log σ²): [batch, latent] each
    pub fn forward(&self, x: Tensor<2>, class: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
        let (batch, device) = (x.dims()[0], x.device());
        let trace = self.convs(&to_vec(x), batch);
        self.dense(matrix(trace.features, batch, &device), class)
    }

    /// The conv layers on planar images [batch, channels·height·width].
    pub fn convs(&self, planar: &[f32], images: usize) -> EncoderTrace {
        let [g1, g2] = self.grids(images);
        let x = planar_to_channels_last(planar, g1);
        let mut a1 = self.conv1.forward(&x, g1); // [b, h/2, w/2, c1]
        relu(&mut a1);
        let mut features = self.conv2.forward(&a1, g2); // [b, h/4, w/4, c2]
        relu(&mut features);
        EncoderTrace {
            x,
            a1,
            features,
            images,
        }
    }

    /// The dense layers on the conv features.
    /// # Shapes
    /// - features: [batch, h/4·w/4·c2], class: [batch, classes]; returns μ, log σ² [batch, latent]
    pub fn dense(&self, features: Tensor<2>, class: Option<Tensor<2>>) -> (Tensor<2>, Tensor<2>) {
        self.head(self.hidden.forward(join_class(features, class)))
    }

    /// The layers after `hidden` (training computes `hidden` by hand: dense_layer.rs).
    /// # Shapes
    /// - pre: [batch, hidden], `hidden`'s output before its ReLU
    /// - returns (μ, log σ²): [batch, latent] each
    pub fn head(&self, pre: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let h = relu_tensor(pre); // [b, hidden]
        (self.mu.forward(h.clone()), self.log_var.forward(h)) // [b, latent] ×2
    }

    /// The conv layers' weight gradients, given the gradient of the features.
    pub fn convs_backward(
        &self,
        trace: EncoderTrace,
        mut g_features: Vec<f32>,
    ) -> Vec<HandGradient> {
        let [g1, g2] = self.grids(trace.images);
        relu_backward(&mut g_features, &trace.features);
        let (mut gradients, g_a1) = self.conv2.backward(&trace.a1, g2, &g_features, true);
        let mut g_a1 = g_a1.expect("asked for ∂a1");
        relu_backward(&mut g_a1, &trace.a1);
        // The images need no gradient.
        gradients.extend(self.conv1.backward(&trace.x, g1, &g_a1, false).0);
        gradients
    }
}

#[derive(Module, Debug)]
pub struct ConvDecoder {
    hidden: Linear,
    /// The hidden units to the conv features: training computes it by hand.
    pub expand: Linear,
    deconv1: Up,
    deconv2: Up,
    conv_channels: usize,
    height: usize,
    width: usize,
}

/// What the decoder's conv layers computed for a batch: their inputs and the logits [batch,
/// channels·height·width] (planar, like the data).
pub struct DecoderTrace {
    features: Vec<f32>,
    u1: Vec<f32>,
    pub logits: Vec<f32>,
    images: usize,
}

impl DecoderTrace {
    /// The convs' input [batch, h/4·w/4·c2] (channels-last).
    pub fn features(&self) -> &[f32] {
        &self.features
    }
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

    /// deconv1's and deconv2's input grids, and the output's, for `images` images.
    fn grids(&self, images: usize) -> [Grid; 3] {
        let c1 = self.deconv1.parities[0].weight.dims()[1];
        let channels = self.deconv2.parities[0].weight.dims()[1];
        let grid = |scale: usize, channels| Grid {
            images,
            height: self.height / scale,
            width: self.width / scale,
            channels,
        };
        [grid(4, self.conv_channels), grid(2, c1), grid(1, channels)]
    }

    /// # Shapes
    /// - z: [batch, latent], class: [batch, classes]
    /// - returns logits: [batch, channels·height·width] (planar)
    pub fn forward(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        let (batch, device) = (z.dims()[0], z.device());
        let features = to_vec(self.dense(z, class));
        matrix(self.convs(features, batch).logits, batch, &device)
    }

    /// The dense layers: z (and the class) to the features [batch, h/4·w/4·c2] (channels-last).
    pub fn dense(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        relu_tensor(self.expand.forward(self.hidden_units(z, class))) // [b, h/4·w/4·c2]
    }

    /// The hidden layer's ReLU units, `expand`'s input (training computes `expand` by hand).
    /// # Shapes
    /// - z: [batch, latent], class: [batch, classes]; returns [batch, hidden]
    pub fn hidden_units(&self, z: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
        relu_tensor(self.hidden.forward(join_class(z, class)))
    }

    /// The conv layers on the features.
    pub fn convs(&self, features: Vec<f32>, images: usize) -> DecoderTrace {
        let [g1, g2, out] = self.grids(images);
        let mut u1 = self.deconv1.forward(&features, g1); // [b, h/2, w/2, c1]
        relu(&mut u1);
        let logits = channels_last_to_planar(&self.deconv2.forward(&u1, g2), out); // [b, c·h·w]
        DecoderTrace {
            features,
            u1,
            logits,
            images,
        }
    }

    /// The conv layers' weight gradients and the gradient of the features, given the logits'.
    pub fn convs_backward(
        &self,
        trace: &DecoderTrace,
        g_logits: &[f32],
    ) -> (Vec<HandGradient>, Vec<f32>) {
        let [g1, g2, out] = self.grids(trace.images);
        let g_out = planar_to_channels_last(g_logits, out);
        let (mut gradients, mut g_u1) = self.deconv2.backward(&trace.u1, g2, &g_out);
        relu_backward(&mut g_u1, &trace.u1);
        let (first, g_features) = self.deconv1.backward(&trace.features, g1, &g_u1);
        gradients.extend(first);
        (gradients, g_features)
    }
}
