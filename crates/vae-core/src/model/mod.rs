//! The VAE: an encoder to the posterior q(z|x) = N(μ, diag σ²), a decoder from z to pixels.
mod conv;
mod conv_kernels;
mod conv_layers;
mod dense_layer;
mod gemm;
mod hand;
mod mlp;
mod sparse;
mod vae;

pub use conv::{ConvDecoder, ConvEncoder, DecoderTrace, EncoderTrace};
pub use conv_kernels::Grid;
pub(crate) use conv_kernels::{relu, relu_backward};
pub use conv_layers::{Down, Up};
pub use dense_layer::LayerInput;
pub use hand::HandGradient;
pub(crate) use hand::{
    add_layer_gradient, weight_and_bias, weight_and_bias_ids, weight_and_bias_in,
};
pub use mlp::{MlpDecoder, MlpEncoder};
pub use vae::{Decoder, Encoder, Posterior, Vae};

use burn::tensor::Tensor;

/// A conditional VAE appends the one-hot class to a layer's input; a plain VAE passes it through.
/// # Shapes
/// - x: [batch, features], class: [batch, classes]
/// - returns [batch, features + classes]
pub(crate) fn join_class(x: Tensor<2>, class: Option<Tensor<2>>) -> Tensor<2> {
    match class {
        Some(class) => Tensor::cat(vec![x, class], 1),
        None => x,
    }
}
