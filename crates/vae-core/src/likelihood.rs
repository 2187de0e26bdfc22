//! The reconstruction term −log p(x|z) and its gradient in the decoder's logits, in one pass over
//! plain buffers: what the training paths use (mlp_gradient.rs, conv_gradient.rs). loss.rs's
//! burn version (evaluation, scores, every view) is the definition; the tests hold this one to
//! it. burn takes ~8 whole-tensor ops forward and as many backward, with a scalar `expf` call
//! per pixel (8 % of an MLP step in the worker); here e^x and ln(1 + x) are polynomials the
//! compiler turns into SIMD, and each pixel is read once.
use crate::config::ReconLoss;

/// ½ ln 2π, the Gaussian's normalising constant per pixel (as loss.rs).
const HALF_LN_TAU: f32 = 0.918_938_5;

/// −log p(x|z) of each image, and `scale` · ∂(Σ of them)/∂logits.
/// # Shapes
/// - logits, x: rows × pixels; returns ([rows], rows × pixels)
pub fn reconstruction(
    kind: ReconLoss,
    sigma: f32,
    logits: &[f32],
    x: &[f32],
    pixels: usize,
    scale: f32,
) -> (Vec<f32>, Vec<f32>) {
    assert_eq!(logits.len(), x.len(), "logits for other images");
    let mut grad = vec![0.0; logits.len()];
    let mut loss = vec![0.0; pixels];
    let per_image = logits
        .chunks_exact(pixels)
        .zip(x.chunks_exact(pixels))
        .zip(grad.chunks_exact_mut(pixels))
        .map(|((logits, x), grad)| {
            match kind {
                ReconLoss::Bce => bernoulli(logits, x, scale, &mut loss, grad),
                ReconLoss::Mse => gaussian(logits, x, sigma, scale, &mut loss, grad),
            }
            let constant = match kind {
                ReconLoss::Bce => 0.0,
                ReconLoss::Mse => pixels as f32 * (sigma.ln() + HALF_LN_TAU),
            };
            sum(&loss) + constant
        })
        .collect();
    (per_image, grad)
}

/// −log Bernoulli(x; sigmoid(l)) = max(l, 0) − x·l + ln(1 + e^{−|l|}) per pixel, whose
/// derivative in l is sigmoid(l) − x.
fn bernoulli(logits: &[f32], x: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32]) {
    for (((&l, &x), loss), grad) in logits.iter().zip(x).zip(loss).zip(grad) {
        let e = exp_nonpositive(-l.abs());
        *loss = l.max(0.0) - x * l + ln_1p_unit(e);
        let sigmoid = if l >= 0.0 { 1.0 } else { e } / (1.0 + e);
        *grad = scale * (sigmoid - x);
    }
}

/// −log N(x; sigmoid(l), σ²) without its constant: ½((x − s)/σ)², s = sigmoid(l), whose
/// derivative in l is (s − x)/σ² · s(1 − s).
fn gaussian(logits: &[f32], x: &[f32], sigma: f32, scale: f32, loss: &mut [f32], grad: &mut [f32]) {
    let precision = 1.0 / (sigma * sigma);
    for (((&l, &x), loss), grad) in logits.iter().zip(x).zip(loss).zip(grad) {
        let e = exp_nonpositive(-l.abs());
        let s = if l >= 0.0 { 1.0 } else { e } / (1.0 + e);
        *loss = 0.5 * precision * (x - s) * (x - s);
        *grad = scale * precision * (s - x) * s * (1.0 - s);
    }
}

/// e^x for x ≤ 0 (0 below −87): x = n·ln 2 + r with |r| ≤ ½ ln 2 (ln 2 in two parts, so r is
/// exact), e^r from Cephes' expf polynomial, 2^n put straight into the exponent bits.
fn exp_nonpositive(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    const ROUND: f32 = 12_582_912.0; // 1.5 · 2²³: adding and subtracting it rounds to an integer
    let x = if x > -87.0 { x } else { -87.0 };
    let rounded = x * LOG2_E + ROUND; // ROUND + n, whose last mantissa bits are n itself
    let n = rounded - ROUND;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let p = ((((1.987_569_2e-4 * r + 1.398_2e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 0.166_666_65)
        * r
        + 0.5;
    let e_r = p * r * r + r + 1.0;
    // 2ⁿ from n's bits in `rounded` by integer arithmetic: a float-to-int cast here kept the
    // loops that call this from using SIMD.
    let n_bits = rounded.to_bits().wrapping_sub(ROUND.to_bits());
    e_r * f32::from_bits(n_bits.wrapping_add(127) << 23)
}

/// ln(1 + u) for u in [0, 1]: 2·atanh(s) with s = u / (2 + u) ≤ ⅓, whose odd series
/// 2(s + s³/3 + … + s¹³/13) is within 1e-7 and exact for small u (no 1 + u rounding).
fn ln_1p_unit(u: f32) -> f32 {
    let s = u / (2.0 + u);
    let s2 = s * s;
    let series = (((((s2 / 13.0 + 1.0 / 11.0) * s2 + 1.0 / 9.0) * s2 + 1.0 / 7.0) * s2 + 0.2) * s2
        + 1.0 / 3.0)
        * s2
        + 1.0;
    2.0 * s * series
}

/// Σ values in 16 lanes added at the end: SIMD, and the same order every time.
fn sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 16];
    let chunks = values.chunks_exact(16);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::training_device;
    use crate::loss;
    use crate::tensors::{matrix, to_vec};

    #[test]
    fn exp_and_ln_1p_are_within_a_few_ulps() {
        for i in 0..=20_000 {
            let x = -90.0 * i as f32 / 20_000.0;
            let (fast, exact) = (exp_nonpositive(x), x.exp());
            assert!(
                (fast - exact).abs() <= 3e-7 * exact + 1e-37,
                "e^{x}: {fast} vs {exact}"
            );
            let u = i as f32 / 20_000.0;
            let (fast, exact) = (ln_1p_unit(u), u.ln_1p());
            assert!(
                (fast - exact).abs() <= 3e-7 * exact,
                "ln(1 + {u}): {fast} vs {exact}"
            );
        }
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(ln_1p_unit(0.0), 0.0);
    }

    /// Against loss.rs on burn: the same values per image and the same gradient as autodiff's.
    fn check(kind: ReconLoss, sigma: f32) {
        let (rows, pixels) = (5, 37);
        // logits from −40 to 40 (saturated sigmoids both ways), pixels 0, 1 and between
        let logits: Vec<f32> = (0..rows * pixels)
            .map(|i| ((i * 7919) % 801) as f32 / 10.0 - 40.0)
            .collect();
        let x: Vec<f32> = (0..rows * pixels)
            .map(|i| [0.0, 1.0, 0.3, 0.0, 0.85][i % 5])
            .collect();
        let scale = 0.25;
        let (per_image, grad) = reconstruction(kind, sigma, &logits, &x, pixels, scale);

        let device = training_device();
        let l = matrix(logits.clone(), rows, &device).require_grad();
        let recon = loss::reconstruction(kind, sigma, l.clone(), matrix(x, rows, &device));
        let expected = to_vec(recon.clone().inner());
        let mut grads = recon.sum().mul_scalar(scale).backward();
        let expected_grad = to_vec(l.grad_remove(&mut grads).unwrap());
        for (got, want) in per_image.iter().zip(&expected) {
            assert!(
                (got - want).abs() <= 1e-5 * want.abs(),
                "{kind:?}: {got} vs {want}"
            );
        }
        for (i, (got, want)) in grad.iter().zip(&expected_grad).enumerate() {
            // burn's derivative of |l| at l = 0 is 0, the true one ±1: skip that one point
            if logits[i] != 0.0 {
                assert!(
                    (got - want).abs() <= 1e-6,
                    "{kind:?} at {i}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn bernoulli_matches_loss_rs_and_autodiff() {
        check(ReconLoss::Bce, 1.0);
    }

    #[test]
    fn gaussian_matches_loss_rs_and_autodiff() {
        check(ReconLoss::Mse, 0.1);
    }
}
