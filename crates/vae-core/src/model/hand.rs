//! What the layers computed by hand share (conv_layers.rs, the MLP's big layers): they keep
//! their weights in burn's Linear modules and find them by parameter id, read out of burn or in
//! the flat weights, and their gradients go back the same way (`flat::gradients_with`, or written
//! in place into the flat gradient).
use super::{LayerInput, Vae};
use crate::flat;
use crate::tensors::read;
use burn::module::{Param, ParamId};
use burn::nn::Linear;
use burn::tensor::Tensor;

/// A parameter's gradient computed by hand, for `flat::gradients_with`.
pub type HandGradient = (ParamId, Vec<f32>);

/// A layer's weight [in, out] and bias [out], row-major.
pub(crate) fn weight_and_bias(layer: &Linear) -> (Vec<f32>, Vec<f32>) {
    (read(&layer.weight.val()), read(&bias(layer).val()))
}

/// The ids of a layer's weight and bias.
pub(crate) fn weight_and_bias_ids(layer: &Linear) -> [ParamId; 2] {
    [layer.weight.id, bias(layer).id]
}

/// The same as `weight_and_bias`, as slices of the model's flat weights (flat.rs): training
/// reads its big layers there, as the optimiser keeps them, rather than copying 1.25 MB each
/// out of burn's tensors for every share.
pub(crate) fn weight_and_bias_in<'a>(
    layer: &Linear,
    model: &Vae,
    weights: &'a [f32],
) -> (&'a [f32], &'a [f32]) {
    let [weight, bias] = weight_and_bias_ids(layer);
    (
        flat::parameter(model, weights, weight),
        flat::parameter(model, weights, bias),
    )
}

/// Adds the gradients of `layer`'s weight and bias, computed by hand from its `input` and its
/// output's gradient `g_out` [rows, out], into their place in the flat `gradient`.
pub(crate) fn add_layer_gradient(
    layer: &Linear,
    model: &Vae,
    gradient: &mut [f32],
    input: &LayerInput,
    g_out: &[f32],
) {
    let (g_weight, g_bias) = weight_and_bias_mut(layer, model, gradient);
    input.add_weight_gradient(g_out, g_weight, g_bias);
}

/// A layer's weight and bias slices in a flat gradient, to write their gradients in place.
fn weight_and_bias_mut<'a>(
    layer: &Linear,
    model: &Vae,
    gradient: &'a mut [f32],
) -> (&'a mut [f32], &'a mut [f32]) {
    assert_eq!(
        gradient.len(),
        flat::len(model),
        "a gradient of another model"
    );
    let [weight, bias] = weight_and_bias_ids(layer).map(|id| flat::range(model, id));
    assert!(
        weight.end <= bias.start,
        "burn visits a Linear's weight first"
    );
    let (before, from_bias) = gradient.split_at_mut(bias.start);
    (&mut before[weight], &mut from_bias[..bias.len()])
}

pub(crate) fn hand_gradients(
    layer: &Linear,
    weight: Vec<f32>,
    bias: Vec<f32>,
) -> [HandGradient; 2] {
    let [weight_id, bias_id] = weight_and_bias_ids(layer);
    [(weight_id, weight), (bias_id, bias)]
}

fn bias(layer: &Linear) -> &Param<Tensor<1>> {
    layer
        .bias
        .as_ref()
        .expect("layers computed by hand have a bias")
}
