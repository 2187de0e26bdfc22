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
use burn::module::ParamId;

const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

/// Subnormal numbers to zero. The moments of weights whose gradient is always 0 (the first layer's
/// weights of MNIST's always-black border pixels) decay by β each step into subnormal floats,
/// which x86 and wasm alike compute with one slow microcode assist per operation: from about
/// step 800 the whole training step took twice as long, natively and in the browser. A moment
/// that small moves no weight (it is divided by √v + ε ≥ 1e-5).
#[inline(always)]
fn flush(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

/// One weight's first and second moment after the gradient `g`.
#[inline(always)]
fn next_moments(m: f32, v: f32, g: f32) -> (f32, f32) {
    (
        flush(m * BETA_1 + g * (1.0 - BETA_1)),
        flush(v * BETA_2 + g * g * (1.0 - BETA_2)),
    )
}

/// Everything the next update depends on: what another worker needs to take the same steps.
#[derive(Clone, Copy)]
pub struct AdamState<'a> {
    pub weights: &'a [f32],
    pub m: &'a [f32],
    pub v: &'a [f32],
    pub time: i32,
}

#[derive(Default)]
pub struct FusedAdam {
    /// Every weight, flat in the model's parameter order; empty until the first use.
    weights: Vec<f32>,
    /// With `keeping_previous`: the weights before the last update (empty before the first).
    /// The update writes the new weights here and swaps the two buffers, so keeping them costs
    /// no copy.
    previous: Option<Vec<f32>>,
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

    /// An optimiser whose master weights are `model`'s, read now.
    pub fn for_model(model: &Vae) -> Self {
        let mut optim = Self::new();
        optim.weights(model);
        optim
    }

    /// An optimiser starting from `weights` with fresh moments.
    pub fn with_weights(weights: Vec<f32>) -> Self {
        let n = weights.len();
        Self {
            weights,
            m: vec![0.0; n],
            v: vec![0.0; n],
            ..Self::default()
        }
    }

    /// The same optimiser, which from now on keeps the weights before each update (`previous`):
    /// what a trainer restores when an update turns out to have made the loss non-finite.
    pub fn keeping_previous(mut self) -> Self {
        self.previous = Some(Vec::new());
        self
    }

    /// The weights before the last update, when this optimiser keeps them and has updated.
    pub fn previous(&self) -> Option<&[f32]> {
        self.previous.as_deref().filter(|p| !p.is_empty())
    }

    /// The master weights as they are (empty before the first read: `for_model` reads at once).
    pub fn current(&self) -> &[f32] {
        &self.weights
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

    /// The optimiser as another worker's `from_state` rebuilds it.
    pub fn state(&mut self, model: &Vae) -> AdamState<'_> {
        self.weights(model);
        AdamState {
            weights: &self.weights,
            m: &self.m,
            v: &self.v,
            time: self.time,
        }
    }

    /// An optimiser that continues where `state` was. Err when the buffers differ in length.
    pub fn from_state(state: AdamState<'_>) -> Result<Self, String> {
        let n = state.weights.len();
        if state.m.len() != n || state.v.len() != n {
            return Err("an optimiser state whose moments are not its weights' length".into());
        }
        Ok(Self {
            weights: state.weights.to_vec(),
            m: state.m.to_vec(),
            v: state.v.to_vec(),
            time: state.time,
            previous: None,
        })
    }

    /// One update of every weight from the flat `gradient`: w ← w − lr·m̂ / (√v̂ + ε).
    pub fn step(&mut self, lr: f64, model: Vae, gradient: &[f32]) -> Vae {
        self.step_sum(lr, model, &[gradient], &[])
    }

    /// One update from the sum of `gradients` (the shares' of a step, shares.rs), summed in
    /// order inside the update's pass rather than in a pass of its own: the same numbers as
    /// summing first. The new weights are written into `model` but for the parameters in
    /// `kept`, which its caller reads from the flat weights (`current`) instead: the MLP's big
    /// layers (shares::read_from_flat), 2.5 MB not copied each step.
    pub fn step_sum(&mut self, lr: f64, model: Vae, gradients: &[&[f32]], kept: &[ParamId]) -> Vae {
        self.weights(&model);
        self.update_sum(lr, gradients);
        flat::write_except(model, &self.weights, kept)
    }

    /// The update itself, on the flat master weights, the gradients summed in order.
    fn update_sum(&mut self, lr: f64, gradients: &[&[f32]]) {
        let n = self.weights.len();
        assert!(
            gradients.iter().all(|g| g.len() == n),
            "a gradient of another model"
        );
        match gradients {
            [g] => self.update(lr, g.iter().copied()),
            [a, b] => self.update(lr, a.iter().zip(*b).map(|(x, y)| x + y)),
            _ => {
                let mut sum = gradients.first().map_or(vec![0.0; n], |g| g.to_vec());
                for g in &gradients[1..] {
                    sum.iter_mut().zip(*g).for_each(|(s, x)| *s += x);
                }
                self.update(lr, sum.into_iter())
            }
        }
    }

    fn update(&mut self, lr: f64, gradient: impl Iterator<Item = f32>) {
        self.time += 1;
        // m̂ / (√v̂ + ε) as burn writes it: m·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε·√(1−β₂ᵗ)).
        let bc2_sqrt = (1.0 - BETA_2.powi(self.time)).sqrt();
        let factor = bc2_sqrt / (1.0 - BETA_1.powi(self.time));
        let (eps, lr) = (EPSILON * bc2_sqrt, lr as f32);
        let moments = self.m.iter_mut().zip(self.v.iter_mut());
        let step = |m: f32, v: f32| (m * factor / (v.sqrt() + eps)) * lr;
        match &mut self.previous {
            None => {
                for ((w, g), (m, v)) in self.weights.iter_mut().zip(gradient).zip(moments) {
                    (*m, *v) = next_moments(*m, *v, g);
                    *w -= step(*m, *v);
                }
            }
            // The new weights go into the other buffer, which then becomes the current one.
            Some(previous) => {
                previous.resize(self.weights.len(), 0.0);
                let pairs = previous.iter_mut().zip(&self.weights);
                for (((next, w), g), (m, v)) in pairs.zip(gradient).zip(moments) {
                    (*m, *v) = next_moments(*m, *v, g);
                    *next = w - step(*m, *v);
                }
                std::mem::swap(previous, &mut self.weights);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_of_a_weight_that_stops_learning_reach_zero_not_subnormal_floats() {
        let (mut m, mut v) = next_moments(0.0, 0.0, 1e-3);
        let (mut m2, mut v2) = next_moments(0.0, 0.0, 1e-20); // g² underflows at once
        for _ in 0..2000 {
            (m, v) = next_moments(m, v, 0.0);
            (m2, v2) = next_moments(m2, v2, 0.0);
            assert!([m, v, m2, v2].iter().all(|x| !x.is_subnormal()));
        }
        assert_eq!(
            (m, m2, v2),
            (0.0, 0.0, 0.0),
            "β₁ⁿ took the first moment to exactly 0"
        );
        assert!(
            v > 0.0,
            "the second moment decays slower and is still a normal float"
        );
        assert_eq!(flush(-2e-38), -2e-38);
    }
}
