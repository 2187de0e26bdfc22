//! Every parameter of a model as one flat vector, in the order burn visits them. The optimiser
//! keeps its master weights this way, and weights and gradients travel between workers this way.
use crate::model::Vae;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};

/// The number of values of every parameter together.
pub fn len(model: &Vae) -> usize {
    model.num_params()
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
    struct Gather(GradientsParams, Vec<f32>);
    impl ModuleVisitor for Gather {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            // remove, not get: a tensor no one else holds is read without a copy of its buffer
            match self.0.remove::<D>(param.id) {
                Some(g) => extend(&mut self.1, g),
                None => {
                    let n = param.val().shape().num_elements();
                    self.1.resize(self.1.len() + n, 0.0)
                }
            }
        }
    }
    let mut gather = Gather(grads, Vec::with_capacity(len(model)));
    model.visit(&mut gather);
    gather.1
}

/// The model with `values` as its weights (leaf tensors that record gradients when the model
/// trains). Panics when `values` is not `len(model)` long: a caller's bug, not bad input.
pub fn write(model: Vae, values: &[f32]) -> Vae {
    assert_eq!(values.len(), len(&model), "flat weights for another model");
    struct Write<'a>(&'a [f32]);
    impl ModuleMapper for Write<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            let (device, shape, grad) = (tensor.device(), tensor.shape(), tensor.is_require_grad());
            let (mine, rest) = self.0.split_at(shape.num_elements());
            self.0 = rest;
            let value = Tensor::<D>::from_data(TensorData::new(mine.to_vec(), shape), &device);
            Param::from_mapped_value(id, if grad { value.require_grad() } else { value }, mapper)
        }
    }
    model.map(&mut Write(values))
}

/// Appends a tensor's values (`as_slice`: `iter` converts element by element, ~20× slower).
fn extend<const D: usize>(out: &mut Vec<f32>, tensor: Tensor<D>) {
    let data = tensor.into_data();
    out.extend_from_slice(data.as_slice::<f32>().expect("float tensors hold f32"));
}
