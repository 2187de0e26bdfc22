//! Adam (Kingma & Ba 2015) with each parameter updated in one pass over host buffers.
//! burn's Adam takes about 13 whole-tensor passes per parameter per step (scale, add, square,
//! sqrt, divide, … each a tensor of its own); here one loop reads the gradient and updates both
//! moments and the weight together. The arithmetic is burn's, in the same order, so the two agree
//! to float rounding (tests/adam.rs), with burn's defaults β₁ 0.9, β₂ 0.999, ε 1e-5.
//! It also keeps the master copy of each weight on the host: reading a weight tensor back from
//! burn-ndarray costs ~9 ms a step for the 784×400 layer (its layout is not the one `into_data`
//! copies fast), while uploading the updated copy costs microseconds.
use crate::model::Vae;
use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use std::collections::HashMap;

const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

/// One parameter's weights (the master copy) and the first and second moment of its gradient.
struct Moments {
    w: burn::tensor::TensorData,
    m: Vec<f32>,
    v: Vec<f32>,
}

#[derive(Default)]
pub struct FusedAdam {
    moments: HashMap<ParamId, Moments>,
    /// Steps taken, for the bias corrections.
    time: i32,
}

impl FusedAdam {
    pub fn new() -> Self {
        Self::default()
    }

    /// One update of every parameter that has a gradient: w ← w − lr·m̂ / (√v̂ + ε).
    pub fn step(&mut self, lr: f64, model: Vae, grads: GradientsParams) -> Vae {
        self.time += 1;
        // m̂ / (√v̂ + ε) as burn writes it: m·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε·√(1−β₂ᵗ)).
        let bc2_sqrt = (1.0 - BETA_2.powi(self.time)).sqrt();
        let factor = bc2_sqrt / (1.0 - BETA_1.powi(self.time));
        let mut mapper = Mapper {
            adam: self,
            grads,
            lr: lr as f32,
            factor,
            eps: EPSILON * bc2_sqrt,
        };
        model.map(&mut mapper)
    }
}

struct Mapper<'a> {
    adam: &'a mut FusedAdam,
    grads: GradientsParams,
    lr: f32,
    factor: f32,
    eps: f32,
}

impl ModuleMapper for Mapper<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let device = tensor.device();
        let grad = grad.into_data();
        let g = grad.as_slice::<f32>().expect("f32 gradients");
        let moments = self.adam.moments.entry(id).or_insert_with(|| Moments {
            w: tensor.inner().into_data(), // once: from then on the host copy is the truth
            m: vec![0.0; g.len()],
            v: vec![0.0; g.len()],
        });
        let (b1, b2) = (1.0 - BETA_1, 1.0 - BETA_2);
        let w = moments.w.as_mut_slice::<f32>().expect("f32 weights");
        for (((w, &g), m), v) in w.iter_mut().zip(g).zip(&mut moments.m).zip(&mut moments.v) {
            *m = *m * BETA_1 + g * b1;
            *v = *v * BETA_2 + g * g * b2;
            *w -= (*m * self.factor / (v.sqrt() + self.eps)) * self.lr;
        }
        let updated = Tensor::<D>::from_data(moments.w.clone(), &device).require_grad();
        Param::from_mapped_value(id, updated, mapper)
    }
}
