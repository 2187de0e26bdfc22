//! What the layers computed by hand share (conv_layers.rs, the MLP's input layer): they keep
//! their weights in burn's Linear modules, read them out, and hand their gradients back to
//! `flat::gradients_with` by parameter id.
use super::Vae;
use crate::flat;
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

/// The same, as slices of the model's flat weights (flat.rs): training reads its big layers
/// there, as the optimiser keeps them, rather than copying 1.25 MB each out of burn's tensors
/// for every share.
pub(crate) fn weight_and_bias_in<'a>(
    layer: &Linear,
    model: &Vae,
    weights: &'a [f32],
) -> (&'a [f32], &'a [f32]) {
    let bias = layer
        .bias
        .as_ref()
        .expect("layers computed by hand have a bias");
    (
        flat::parameter(model, weights, layer.weight.id),
        flat::parameter(model, weights, bias.id),
    )
}

/// A layer's weight and bias slices in a flat gradient, to write their gradients in place.
pub(crate) fn weight_and_bias_mut<'a>(
    layer: &Linear,
    model: &Vae,
    gradient: &'a mut [f32],
) -> (&'a mut [f32], &'a mut [f32]) {
    assert_eq!(
        gradient.len(),
        flat::len(model),
        "a gradient of another model"
    );
    let bias = layer
        .bias
        .as_ref()
        .expect("layers computed by hand have a bias");
    let (weight, bias) = (
        flat::range(model, layer.weight.id),
        flat::range(model, bias.id),
    );
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
    let bias_id = layer
        .bias
        .as_ref()
        .expect("layers computed by hand have a bias")
        .id;
    [(layer.weight.id, weight), (bias_id, bias)]
}
