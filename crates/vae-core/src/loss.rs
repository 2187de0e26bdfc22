//! The negative ELBO, in nats per image: reconstruction −log p(x|z) plus β·KL(q(z|x) ‖ N(0, I)).
use crate::config::ReconLoss;
use crate::model::Posterior;
use burn::tensor::activation::sigmoid;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// ½ ln 2π, the Gaussian's normalising constant per pixel.
const HALF_LN_TAU: f32 = 0.918_938_5;

/// −log Bernoulli(x; sigmoid(l)) summed over pixels, from logits so it never takes log 0:
/// softplus(l) − x·l = max(l, 0) − x·l + ln(1 + e^{−|l|}).
/// # Shapes
/// - logits, x: [batch, pixels]; returns [batch]
pub fn bce_with_logits(logits: Tensor<2>, x: Tensor<2>) -> Tensor<1> {
    let stable =
        logits.clone().clamp_min(0.0) - x * logits.clone() + logits.abs().neg().exp().log1p(); // [batch, pixels]
    stable.sum_dim(1).squeeze_dim(1) // [batch]
}

/// −log N(x; sigmoid(l), σ²) summed over pixels: ½((x − μ)/σ)² + ln σ + ½ ln 2π.
/// # Shapes
/// - logits, x: [batch, pixels]; returns [batch]
pub fn gaussian_nll(logits: Tensor<2>, x: Tensor<2>, sigma: f32) -> Tensor<1> {
    let pixels = x.dims()[1] as f32;
    let squared = (x - sigmoid(logits))
        .powi_scalar(2)
        .sum_dim(1)
        .squeeze_dim(1); // [batch]
    squared
        .mul_scalar(0.5 / (sigma * sigma))
        .add_scalar(pixels * (sigma.ln() + HALF_LN_TAU))
}

/// KL(N(μ, σ²) ‖ N(0, 1)) per latent dimension in closed form:
/// ½(μ² + σ² − 1 − ln σ²)  (Kingma & Welling 2014, appendix B).
/// # Shapes
/// - returns [batch, latent]
pub fn kl_per_dim(posterior: &Posterior) -> Tensor<2> {
    let Posterior { mu, log_var } = posterior.clone();
    (mu.powi_scalar(2) + log_var.clone().exp() - log_var)
        .sub_scalar(1.0)
        .mul_scalar(0.5)
}

/// −log p(x|z) for the chosen likelihood.
/// # Shapes
/// - logits, x: [batch, pixels]; returns [batch]
pub fn reconstruction(kind: ReconLoss, sigma: f32, logits: Tensor<2>, x: Tensor<2>) -> Tensor<1> {
    match kind {
        ReconLoss::Bce => bce_with_logits(logits, x),
        ReconLoss::Mse => gaussian_nll(logits, x, sigma),
    }
}

/// The negative ELBO of each image, in nats: −log p(x|z) + β·Σ_d KL(q(z_d|x) ‖ N(0, 1)).
/// β = 1 is the true bound; every objective and score in the lab goes through this line.
/// # Shapes
/// - recon: [batch], kl_dims: [batch, latent]; returns [batch]
pub fn negative_elbo(recon: Tensor<1>, kl_dims: Tensor<2>, beta: f32) -> Tensor<1> {
    recon + kl_dims.sum_dim(1).squeeze_dim(1).mul_scalar(beta)
}

/// A latent dimension whose average KL exceeds this many nats carries information about the
/// image: an "active unit" (Burda et al. 2016 use the variance of μ; KL is what the page shows).
pub const ACTIVE_KL: f32 = 0.01;

/// How many dimensions are active units.
pub fn active_units(kl_per_dim: &[f32]) -> usize {
    kl_per_dim.iter().filter(|&&k| k > ACTIVE_KL).count()
}

/// The loss terms of a batch, each a mean per image in nats.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LossParts {
    pub recon: f32,
    pub kl: f32,
    /// recon + β·KL: what the optimiser minimises.
    pub total: f32,
    pub beta: f32,
    /// Mean KL of each latent dimension: dimensions near 0 are unused ("collapsed").
    pub kl_per_dim: Vec<f32>,
}

impl LossParts {
    /// Reads the per-image terms back from the device.
    /// # Shapes
    /// - recon: [batch], kl_dims: [batch, latent]
    pub fn from_tensors(recon: Tensor<1>, kl_dims: Tensor<2>, beta: f32) -> Self {
        let batch = recon.dims()[0] as f32;
        let recon = recon.sum().into_scalar::<f32>() / batch;
        let kl_per_dim: Vec<f32> = kl_dims
            .mean_dim(0)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap_or_default();
        let kl = kl_per_dim.iter().sum();
        Self {
            recon,
            kl,
            total: recon + beta * kl,
            beta,
            kl_per_dim,
        }
    }

    pub fn is_finite(&self) -> bool {
        self.recon.is_finite() && self.kl.is_finite() && self.total.is_finite()
    }

    /// The mean of several batches' parts, weighted by their sizes.
    pub fn weighted_mean(parts: &[(LossParts, usize)]) -> Self {
        let n: usize = parts.iter().map(|(_, k)| k).sum();
        let w = |f: &dyn Fn(&LossParts) -> f32| {
            parts.iter().map(|(p, k)| f(p) * *k as f32).sum::<f32>() / n.max(1) as f32
        };
        let dims = parts.first().map_or(0, |(p, _)| p.kl_per_dim.len());
        Self {
            recon: w(&|p| p.recon),
            kl: w(&|p| p.kl),
            total: w(&|p| p.total),
            beta: parts.first().map_or(1.0, |(p, _)| p.beta),
            kl_per_dim: (0..dims).map(|d| w(&|p| p.kl_per_dim[d])).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::inference_device;
    use crate::rng::Rng;
    use burn::tensor::TensorData;

    fn t2(v: Vec<f32>, rows: usize) -> Tensor<2> {
        let cols = v.len() / rows;
        Tensor::from_data(TensorData::new(v, [rows, cols]), &inference_device())
    }

    fn close(a: f32, b: f32, tol: f32) {
        assert!((a - b).abs() <= tol * (1.0 + b.abs()), "{a} vs {b}");
    }

    #[test]
    fn bce_matches_hand_computed_values() {
        // logits 0 → p = ½: −ln ½ whatever x; logit 2, x = 1 → −ln σ(2); logit −3, x = 0.25.
        let sig = |l: f32| 1.0 / (1.0 + (-l).exp());
        let expected =
            2f32.ln() + -(sig(2.0).ln()) + -(0.25 * sig(-3.0).ln() + 0.75 * (1.0 - sig(-3.0)).ln());
        let got = bce_with_logits(t2(vec![0.0, 2.0, -3.0], 1), t2(vec![0.7, 1.0, 0.25], 1));
        close(got.into_scalar::<f32>(), expected, 1e-5);
    }

    #[test]
    fn bce_is_finite_for_huge_logits() {
        let got =
            bce_with_logits(t2(vec![500.0, -500.0], 1), t2(vec![0.0, 1.0], 1)).into_scalar::<f32>();
        close(got, 1000.0, 1e-5);
    }

    #[test]
    fn gaussian_nll_matches_hand_computed_values() {
        // μ = sigmoid(0) = ½ for both pixels; x = 0.7 and 0.5; σ = 0.1.
        let sigma = 0.1f32;
        let expected = 0.5 * (0.2f32 / sigma).powi(2) + 2.0 * (sigma.ln() + HALF_LN_TAU);
        let got = gaussian_nll(t2(vec![0.0, 0.0], 1), t2(vec![0.7, 0.5], 1), sigma);
        close(got.into_scalar::<f32>(), expected, 1e-5);
    }

    #[test]
    fn kl_closed_form_matches_monte_carlo() {
        let (mu, log_var) = (vec![0.8f32, -1.5, 0.0], vec![-0.7f32, 0.4, 0.0]);
        let posterior = Posterior {
            mu: t2(mu.clone(), 1),
            log_var: t2(log_var.clone(), 1),
        };
        let closed: Vec<f32> = kl_per_dim(&posterior).into_data().try_into_vec().unwrap();
        // KL = E_q[ln q(z) − ln p(z)], estimated from 200k samples of q per dimension.
        let mut rng = Rng::new(11);
        for d in 0..3 {
            let sigma = (0.5 * log_var[d]).exp();
            let n = 200_000;
            let mut sum = 0.0f64;
            for _ in 0..n {
                let eps = rng.normal();
                let z = mu[d] + sigma * eps;
                let ln_q = -0.5 * eps * eps - sigma.ln();
                let ln_p = -0.5 * z * z;
                sum += (ln_q - ln_p) as f64;
            }
            close(closed[d], (sum / n as f64) as f32, 0.02);
        }
        assert_eq!(closed[2], 0.0, "q = p has zero KL");
    }

    #[test]
    fn weighted_mean_weights_by_batch_size() {
        let a = LossParts {
            recon: 1.0,
            kl: 2.0,
            total: 3.0,
            beta: 1.0,
            kl_per_dim: vec![2.0],
        };
        let b = LossParts {
            recon: 4.0,
            kl: 5.0,
            total: 9.0,
            beta: 1.0,
            kl_per_dim: vec![5.0],
        };
        let m = LossParts::weighted_mean(&[(a, 1), (b, 2)]);
        assert_eq!(
            (m.recon, m.kl, m.total, m.kl_per_dim[0]),
            (3.0, 4.0, 7.0, 4.0)
        );
    }
}
