//! What the layers computed by hand share (conv_layers.rs, the MLP's input layer): they keep
//! their weights in burn's Linear modules, read them out, and hand their gradients back to
//! `flat::gradients_with` by parameter id.
use crate::tensors::read;
use burn::module::ParamId;
use burn::nn::Linear;

/// A parameter's gradient computed by hand, for `flat::gradients_with`.
pub type HandGradient = (ParamId, Vec<f32>);

/// A layer's weight [in, out] and bias [out], row-major.
pub(crate) fn weight_and_bias(layer: &Linear) -> (Vec<f32>, Vec<f32>) {
    let bias = layer
        .bias
        .as_ref()
        .expect("layers computed by hand have a bias");
    (read(&layer.weight.val()), read(&bias.val()))
}

pub(crate) fn hand_gradients(
    layer: &Linear,
    weight: Vec<f32>,
    bias: Vec<f32>,
) -> [HandGradient; 2] {
    let bias_id = layer
        .bias
        .as_ref()
        .expect("layers computed by hand have a bias")
        .id;
    [(layer.weight.id, weight), (bias_id, bias)]
}
