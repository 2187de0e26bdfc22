//! The two convolution shapes the conv VAE uses, as burn modules holding their weights; the
//! arithmetic, forward and backward, is in `conv_kernels.rs` on channels-last buffers. The tests
//! compare both directions with burn's Conv2d / ConvTranspose2d given the same weights.
use super::conv_kernels::{down, up, Grid};
use super::hand::{hand_gradients, weight_and_bias, HandGradient};
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::Device;

/// A 4×4 convolution with stride 2 and padding 1: halves each side.
#[derive(Module, Debug)]
pub struct Down {
    /// Row (i·4 + j)·c_in + c holds kernel tap (i, j) of input channel c: [16·c_in, c_out].
    pub taps: Linear,
}

impl Down {
    pub fn new(c_in: usize, c_out: usize, device: &Device) -> Self {
        // fan-in 16·c_in, as a 4×4 convolution's.
        Self {
            taps: LinearConfig::new(16 * c_in, c_out).init(device),
        }
    }

    /// x: [images, h, w, c_in] (h, w even) → [images, h/2, w/2, c_out].
    pub fn forward(&self, x: &[f32], g: Grid) -> Vec<f32> {
        let (weight, bias) = weight_and_bias(&self.taps);
        down::forward(x, g, &weight, &bias)
    }

    /// The gradients of the weights and, when `want_input`, of x, given the output's.
    pub fn backward(
        &self,
        x: &[f32],
        g: Grid,
        g_out: &[f32],
        want_input: bool,
    ) -> (Vec<HandGradient>, Option<Vec<f32>>) {
        let (weight, bias) = weight_and_bias(&self.taps);
        let (g_weight, g_bias, g_x) = down::backward(x, g, &weight, bias.len(), g_out, want_input);
        (hand_gradients(&self.taps, g_weight, g_bias).into(), g_x)
    }
}

/// A 4×4 transposed convolution with stride 2 and padding 1: doubles each side.
/// Output pixel (2m + r, 2n + s) only meets kernel taps of parity (r, s), so the weights are kept
/// as four 2×2 kernels, one per output parity (the sub-pixel form; Shi et al. 2016).
#[derive(Module, Debug)]
pub struct Up {
    /// One per output parity (r, s) = (0,0), (0,1), (1,0), (1,1): [4·c_in, c_out] each, row
    /// (a·2 + b)·c_in + c is the tap that reads input pixel (m + r + a − 1, n + s + b − 1).
    pub parities: Vec<Linear>,
}

/// Kernel row i of the transposed convolution belongs to output parity r and parity row a
/// (output row 2u + i − 1 of input row u = m + r + a − 1 is 2m + r).
fn tap_parity(i: usize) -> (usize, usize) {
    let r = 1 - i % 2;
    (r, (3 - i - r) / 2)
}

impl Up {
    pub fn new(c_in: usize, c_out: usize, device: &Device) -> Self {
        Self {
            parities: (0..4)
                .map(|_| LinearConfig::new(4 * c_in, c_out).init(device))
                .collect(),
        }
    }

    /// The kernel as conv_kernels::up takes it, [c_in, 16·c_out], and the biases [4, c_out].
    fn kernel(&self) -> (Vec<f32>, Vec<f32>, usize) {
        let parities: Vec<_> = self.parities.iter().map(weight_and_bias).collect();
        let c_out = parities[0].1.len();
        let c_in = parities[0].0.len() / (4 * c_out);
        let mut kernel = vec![0.0; c_in * 16 * c_out];
        for t in 0..16 {
            let ((r, a), (s, b)) = (tap_parity(t / 4), tap_parity(t % 4));
            let rows = &parities[r * 2 + s].0[(a * 2 + b) * c_in * c_out..][..c_in * c_out];
            for (ch, row) in rows.chunks_exact(c_out).enumerate() {
                kernel[(ch * 16 + t) * c_out..][..c_out].copy_from_slice(row);
            }
        }
        let bias = parities.into_iter().flat_map(|(_, b)| b).collect();
        (kernel, bias, c_out)
    }

    /// x: [images, h, w, c_in] → [images, 2h, 2w, c_out].
    pub fn forward(&self, x: &[f32], g: Grid) -> Vec<f32> {
        let (kernel, bias, _) = self.kernel();
        up::forward(x, g, &kernel, &bias)
    }

    /// The gradients of the weights and of x, given the output's.
    pub fn backward(&self, x: &[f32], g: Grid, g_out: &[f32]) -> (Vec<HandGradient>, Vec<f32>) {
        let (kernel, _, c_out) = self.kernel();
        let (g_kernel, g_bias, g_x) = up::backward(x, g, &kernel, c_out, g_out);
        let c_in = g.channels;
        let mut per_parity = vec![vec![0.0; 4 * c_in * c_out]; 4];
        for t in 0..16 {
            let ((r, a), (s, b)) = (tap_parity(t / 4), tap_parity(t % 4));
            let rows = &mut per_parity[r * 2 + s][(a * 2 + b) * c_in * c_out..][..c_in * c_out];
            for (ch, row) in rows.chunks_exact_mut(c_out).enumerate() {
                row.copy_from_slice(&g_kernel[(ch * 16 + t) * c_out..][..c_out]);
            }
        }
        let gradients = self
            .parities
            .iter()
            .zip(per_parity)
            .zip(g_bias.chunks_exact(c_out))
            .flat_map(|((layer, w), b)| hand_gradients(layer, w, b.to_vec()))
            .collect();
        (gradients, g_x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::training_device;
    use crate::tensors::to_vec;
    use burn::module::{Param, ParamId};
    use burn::nn::conv::{Conv2dConfig, ConvTranspose2dConfig};
    use burn::nn::PaddingConfig2d;
    use burn::tensor::{Distribution, Tensor, TensorData};

    fn close(what: &str, a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-4, "{what}: max difference {worst}");
    }

    fn linear(rows: Vec<f32>, c_out: usize, bias: Vec<f32>, device: &Device) -> Linear {
        let n = rows.len() / c_out;
        Linear {
            weight: Param::from_tensor(Tensor::from_data(
                TensorData::new(rows, [n, c_out]),
                device,
            )),
            bias: Some(Param::from_tensor(Tensor::from_data(
                TensorData::new(bias, [c_out]),
                device,
            ))),
        }
    }

    /// [b, c, h, w] → channels-last values, and its grid.
    fn channels_last(t: Tensor<4>) -> (Vec<f32>, Grid) {
        let [images, channels, height, width] = t.dims();
        let grid = Grid {
            images,
            height,
            width,
            channels,
        };
        (to_vec(t.permute([0, 2, 3, 1])), grid)
    }

    fn gradient_of(grads: &[HandGradient], id: ParamId) -> &[f32] {
        &grads.iter().find(|(i, _)| *i == id).expect("a gradient").1
    }

    /// burn's layer on x, and the gradients of Σ layer(x)·r: (output, ∂x, ∂weight, ∂bias).
    fn reference(
        forward: impl Fn(Tensor<4>) -> Tensor<4>,
        weight: &Param<Tensor<4>>,
        bias: &Param<Tensor<1>>,
        x: Tensor<4>,
        r: Tensor<4>,
    ) -> (Tensor<4>, Tensor<4>, Vec<f32>, Vec<f32>) {
        let y = forward(x.clone());
        let grads = (y.clone() * r).sum().backward();
        let g_w = to_vec(weight.val().grad(&grads).expect("∂weight"));
        let g_b = to_vec(bias.val().grad(&grads).expect("∂bias"));
        (y, x.grad(&grads).expect("∂x"), g_w, g_b)
    }

    #[test]
    fn down_equals_a_stride_2_convolution_forward_and_backward() {
        let (device, c_in, c_out) = (training_device(), 3, 5);
        let conv = Conv2dConfig::new([c_in, c_out], [4, 4])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init(&device);
        let w = to_vec(conv.weight.val()); // [c_out, c_in, 4, 4]
        let to_rows = |w: &[f32]| {
            let mut rows = vec![0.0; 16 * c_in * c_out];
            for o in 0..c_out {
                for c in 0..c_in {
                    for t in 0..16 {
                        rows[(t * c_in + c) * c_out + o] = w[((o * c_in + c) * 16) + t];
                    }
                }
            }
            rows
        };
        let bias = to_vec(conv.bias.as_ref().unwrap().val());
        let down = Down {
            taps: linear(to_rows(&w), c_out, bias, &device),
        };
        let x = Tensor::<4>::random([2, c_in, 8, 6], Distribution::Default, &device).require_grad();
        let r = Tensor::<4>::random([2, c_out, 4, 3], Distribution::Default, &device);
        let (y, g_x, g_w, g_b) = reference(
            |x| conv.forward(x),
            &conv.weight,
            conv.bias.as_ref().unwrap(),
            x.clone(),
            r.clone(),
        );
        let (x, grid) = channels_last(x);
        close("output", &down.forward(&x, grid), &channels_last(y).0);
        let (grads, ours_g_x) = down.backward(&x, grid, &channels_last(r).0, true);
        close("∂x", &ours_g_x.unwrap(), &channels_last(g_x).0);
        close(
            "∂weight",
            gradient_of(&grads, down.taps.weight.id),
            &to_rows(&g_w),
        );
        close(
            "∂bias",
            gradient_of(&grads, down.taps.bias.as_ref().unwrap().id),
            &g_b,
        );
    }

    #[test]
    fn up_equals_a_stride_2_transposed_convolution_forward_and_backward() {
        let (device, c_in, c_out) = (training_device(), 4, 3);
        let deconv = ConvTranspose2dConfig::new([c_in, c_out], [4, 4])
            .with_stride([2, 2])
            .with_padding([1, 1])
            .init(&device);
        let w = to_vec(deconv.weight.val()); // [c_in, c_out, 4, 4]
                                             // Parity (r, s)'s rows, read from a kernel laid out as burn's.
        let parity_rows = |w: &[f32], p: usize| {
            let (r, s_) = (p / 2, p % 2);
            let mut rows = vec![0.0; 4 * c_in * c_out];
            for t in 0..4 {
                let (a, b) = (t / 2, t % 2);
                // Padded row m + r + a is input row m + r + a − 1, met by tap 3 − r − 2a.
                let (kh, kw) = (3 - r - 2 * a, 3 - s_ - 2 * b);
                for c in 0..c_in {
                    for o in 0..c_out {
                        rows[(t * c_in + c) * c_out + o] = w[((c * c_out + o) * 4 + kh) * 4 + kw];
                    }
                }
            }
            rows
        };
        let bias = to_vec(deconv.bias.as_ref().unwrap().val());
        let up = Up {
            parities: (0..4)
                .map(|p| linear(parity_rows(&w, p), c_out, bias.clone(), &device))
                .collect(),
        };
        let x = Tensor::<4>::random([2, c_in, 5, 7], Distribution::Default, &device).require_grad();
        let r = Tensor::<4>::random([2, c_out, 10, 14], Distribution::Default, &device);
        let (y, g_x, g_w, g_b) = reference(
            |x| deconv.forward(x),
            &deconv.weight,
            deconv.bias.as_ref().unwrap(),
            x.clone(),
            r.clone(),
        );
        let (x, grid) = channels_last(x);
        close("output", &up.forward(&x, grid), &channels_last(y).0);
        let (grads, ours_g_x) = up.backward(&x, grid, &channels_last(r).0);
        close("∂x", &ours_g_x, &channels_last(g_x).0);
        // The one bias of burn's layer is shared by the four parities: its gradient is their sum.
        let mut bias_sum = vec![0.0; c_out];
        for (p, layer) in up.parities.iter().enumerate() {
            close(
                "∂weight",
                gradient_of(&grads, layer.weight.id),
                &parity_rows(&g_w, p),
            );
            let g = gradient_of(&grads, layer.bias.as_ref().unwrap().id);
            bias_sum.iter_mut().zip(g).for_each(|(s, v)| *s += v);
        }
        close("∂bias", &bias_sum, &g_b);
    }
}
