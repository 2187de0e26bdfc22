//! Adam (Kingma & Ba 2015) in one pass over flat host buffers.
//! burn's Adam takes about 13 whole-tensor passes per parameter per step (scale, add, square,
//! sqrt, divide, … each a tensor of its own); here one loop reads the gradient and updates both
//! moments and the weight together. The arithmetic is burn's, in the same order, so the two agree
//! to float rounding (tests/adam.rs), with burn's defaults β₁ 0.9, β₂ 0.999, ε 1e-5.
//! It keeps the master copy of the weights on the host, flat (flat.rs): reading a weight tensor
//! back from burn-ndarray costs ~9 ms a step for the 784×400 layer (its layout is not the one
//! `into_data` copies fast), while uploading the updated copy costs microseconds. The same flat
//! copy is what other workers receive (shares.rs).
use crate::flat;
use crate::model::Vae;

const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

#[derive(Default)]
pub struct FusedAdam {
    /// Every weight, flat in the model's parameter order; empty until the first use.
    weights: Vec<f32>,
    /// The first and second moment of each weight's gradient.
    m: Vec<f32>,
    v: Vec<f32>,
    /// Steps taken, for the bias corrections.
    time: i32,
}

impl FusedAdam {
    pub fn new() -> Self {
        Self::default()
    }

    /// The master weights, read from `model` the first time (then kept, so always current).
    pub fn weights(&mut self, model: &Vae) -> &[f32] {
        if self.weights.is_empty() {
            self.weights = flat::read(model);
            self.m = vec![0.0; self.weights.len()];
            self.v = vec![0.0; self.weights.len()];
        }
        &self.weights
    }

    /// One update of every weight from the flat `gradient`: w ← w − lr·m̂ / (√v̂ + ε).
    pub fn step(&mut self, lr: f64, model: Vae, gradient: &[f32]) -> Vae {
        assert_eq!(
            self.weights(&model).len(),
            gradient.len(),
            "a gradient of another model"
        );
        self.time += 1;
        // m̂ / (√v̂ + ε) as burn writes it: m·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε·√(1−β₂ᵗ)).
        let bc2_sqrt = (1.0 - BETA_2.powi(self.time)).sqrt();
        let factor = bc2_sqrt / (1.0 - BETA_1.powi(self.time));
        let (eps, lr) = (EPSILON * bc2_sqrt, lr as f32);
        let (b1, b2) = (1.0 - BETA_1, 1.0 - BETA_2);
        let moments = self.m.iter_mut().zip(self.v.iter_mut());
        for ((w, &g), (m, v)) in self.weights.iter_mut().zip(gradient).zip(moments) {
            *m = *m * BETA_1 + g * b1;
            *v = *v * BETA_2 + g * g * b2;
            *w -= (*m * factor / (v.sqrt() + eps)) * lr;
        }
        flat::write(model, &self.weights)
    }
}
