//! Every parameter of a model as one flat vector, in the order burn visits them. The optimiser
//! keeps its master weights this way, and weights and gradients travel between workers this way.
use crate::model::{HandGradient, Vae};
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};

/// The number of values of every parameter together.
pub fn len(model: &Vae) -> usize {
    model.num_params()
}

/// Each parameter's number of values, in the flat order.
pub fn lengths(model: &Vae) -> Vec<usize> {
    struct Lengths(Vec<usize>);
    impl ModuleVisitor for Lengths {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.val().shape().num_elements());
        }
    }
    let mut lengths = Lengths(Vec::new());
    model.visit(&mut lengths);
    lengths.0
}

/// Parameter `id`'s values within `values`, the model's parameters flat (no copy).
/// Panics when the model has no such parameter or `values` is another model's.
pub fn parameter<'a>(model: &Vae, values: &'a [f32], id: ParamId) -> &'a [f32] {
    assert_eq!(values.len(), len(model), "flat values of another model");
    &values[range(model, id)]
}

/// Where parameter `id`'s values are in the flat order. Panics when the model has none.
pub fn range(model: &Vae, id: ParamId) -> std::ops::Range<usize> {
    struct Find(ParamId, usize, Option<std::ops::Range<usize>>);
    impl ModuleVisitor for Find {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let n = param.val().shape().num_elements();
            if param.id == self.0 {
                self.2 = Some(self.1..self.1 + n);
            }
            self.1 += n;
        }
    }
    let mut find = Find(id, 0, None);
    model.visit(&mut find);
    find.2.expect("a parameter of this model")
}

/// The current weights. Slow for big layers (burn-ndarray's layout): read once, then keep them.
pub fn read(model: &Vae) -> Vec<f32> {
    struct Read(Vec<f32>);
    impl ModuleVisitor for Read {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            extend(&mut self.0, param.val());
        }
    }
    let mut read = Read(Vec::with_capacity(len(model)));
    model.visit(&mut read);
    read.0
}

/// The gradients of a backward pass, zero where a parameter got none.
pub fn gradients(grads: GradientsParams, model: &Vae) -> Vec<f32> {
    gradients_with(grads, Vec::new(), model)
}

/// The gradients of a backward pass and those computed by hand (the conv layers'), zero where a
/// parameter got neither.
pub fn gradients_with(grads: GradientsParams, by_hand: Vec<HandGradient>, model: &Vae) -> Vec<f32> {
    struct Gather(GradientsParams, Vec<HandGradient>, Vec<f32>);
    impl ModuleVisitor for Gather {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let n = param.val().shape().num_elements();
            // remove, not get: a tensor no one else holds is read without a copy of its buffer
            if let Some(g) = self.0.remove::<D>(param.id) {
                extend(&mut self.2, g);
            } else if let Some(at) = self.1.iter().position(|(id, _)| *id == param.id) {
                let (_, g) = self.1.swap_remove(at);
                assert_eq!(g.len(), n, "a hand-made gradient of another shape");
                self.2.extend_from_slice(&g);
            } else {
                self.2.resize(self.2.len() + n, 0.0)
            }
        }
    }
    let mut gather = Gather(grads, by_hand, Vec::with_capacity(len(model)));
    model.visit(&mut gather);
    gather.2
}

/// The model with `values` as its weights (leaf tensors that record gradients when the model
/// trains). Panics when `values` is not `len(model)` long: a caller's bug, not bad input.
pub fn write(model: Vae, values: &[f32]) -> Vae {
    write_except(model, values, &[])
}

/// `write`, but the parameters in `kept` keep the values they have.
pub fn write_except(model: Vae, values: &[f32], kept: &[ParamId]) -> Vae {
    assert_eq!(values.len(), len(&model), "flat weights for another model");
    struct Write<'a>(&'a [f32], &'a [ParamId]);
    impl ModuleMapper for Write<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            let (device, shape, grad) = (tensor.device(), tensor.shape(), tensor.is_require_grad());
            let (mine, rest) = self.0.split_at(shape.num_elements());
            self.0 = rest;
            if self.1.contains(&id) {
                return Param::from_mapped_value(id, tensor, mapper);
            }
            let value = Tensor::<D>::from_data(TensorData::new(mine.to_vec(), shape), &device);
            Param::from_mapped_value(id, if grad { value.require_grad() } else { value }, mapper)
        }
    }
    model.map(&mut Write(values, kept))
}

/// Appends a tensor's values (`as_slice`: `iter` converts element by element, ~20× slower).
fn extend<const D: usize>(out: &mut Vec<f32>, tensor: Tensor<D>) {
    let data = tensor.into_data();
    out.extend_from_slice(data.as_slice::<f32>().expect("float tensors hold f32"));
}
