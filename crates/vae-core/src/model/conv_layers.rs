//! The two convolution shapes the conv VAE uses, on channels-last tensors [batch, height, width,
//! channels], written as a sum over the 16 kernel taps of (the pixels under that tap, a strided
//! slice) × (that tap's weight matrix). burn-ndarray's direct convolutions take ~0.4 s for one
//! 128×32×14×14 transposed convolution on this machine, and building an im2col patch matrix spends
//! most of its time in `cat`; per-tap matmuls build no patch matrix at all. Both layers are exact:
//! the tests compare them with burn's Conv2d / ConvTranspose2d given the same weights.
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::ops::PadMode;
use burn::tensor::s;
use burn::tensor::{Device, Tensor};

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

    /// # Shapes
    /// - x: [b, h, w, c_in] (h, w even); returns [b, h/2, w/2, c_out]
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, w, c] = x.dims();
        let (oh, ow) = (h / 2, w / 2);
        let x = x.pad([(0, 0), (1, 1), (1, 1), (0, 0)], PadMode::Constant(0.0)); // [b, h+2, w+2, c]
                                                                                 // Output (m, n) reads padded pixel (2m + i, 2n + j) through tap (i, j).
                                                                                 // Σ over taps of (pixels under the tap) · (the tap's weights): no patch matrix is built,
                                                                                 // because burn-ndarray's cat along an inner axis costs more than all the matmuls.
        let weight = self.taps.weight.val(); // [16c, c_out]
        let c_out = weight.dims()[1];
        let mut out = self.taps.bias.as_ref().map(|b| b.val().reshape([1, c_out])); // [1, c_out]
        for t in 0..16 {
            let (i, j) = (t / 4, t % 4);
            let pixels = x
                .clone()
                .slice(s![.., i..i + 2 * oh - 1;2, j..j + 2 * ow - 1;2, ..])
                .reshape([b * oh * ow, c]); // [b·oh·ow, c]
            let term = pixels.matmul(weight.clone().slice(s![t * c..(t + 1) * c, ..])); // [b·oh·ow, c_out]
            out = Some(match out {
                Some(acc) => acc + term,
                None => term,
            });
        }
        out.expect("16 taps").reshape([b, oh, ow, c_out])
    }
}

/// A 4×4 transposed convolution with stride 2 and padding 1: doubles each side.
/// Output pixel (2m + r, 2n + s) only meets kernel taps of parity (r, s), so the layer is four
/// 2×2 convolutions whose outputs interleave (the sub-pixel form; Shi et al. 2016).
#[derive(Module, Debug)]
pub struct Up {
    /// One per output parity (r, s) = (0,0), (0,1), (1,0), (1,1): [4·c_in, c_out] each, row
    /// (a·2 + b)·c_in + c is the tap that reads input pixel (m + r + a − 1, n + s + b − 1).
    pub parities: Vec<Linear>,
}

impl Up {
    pub fn new(c_in: usize, c_out: usize, device: &Device) -> Self {
        Self {
            parities: (0..4)
                .map(|_| LinearConfig::new(4 * c_in, c_out).init(device))
                .collect(),
        }
    }

    /// # Shapes
    /// - x: [b, h, w, c_in]; returns [b, 2h, 2w, c_out]
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, w, c] = x.dims();
        let x = x.pad([(0, 0), (1, 1), (1, 1), (0, 0)], PadMode::Constant(0.0)); // [b, h+2, w+2, c]
        let outputs: Vec<Tensor<6>> = self
            .parities
            .iter()
            .enumerate()
            .map(|(p, taps)| {
                let (r, s_) = (p / 2, p % 2);
                let weight = taps.weight.val(); // [4c, c_out]
                let c_out = weight.dims()[1];
                let mut out = taps.bias.as_ref().map(|b| b.val().reshape([1, c_out])); // [1, c_out]
                for t in 0..4 {
                    let (y0, x0) = (r + t / 2, s_ + t % 2);
                    let pixels = x
                        .clone()
                        .slice(s![.., y0..y0 + h, x0..x0 + w, ..])
                        .reshape([b * h * w, c]); // [b·h·w, c]
                    let term = pixels.matmul(weight.clone().slice(s![t * c..(t + 1) * c, ..])); // [b·h·w, c_out]
                    out = Some(match out {
                        Some(acc) => acc + term,
                        None => term,
                    });
                }
                out.expect("4 taps").reshape([b, h, 1, w, 1, c_out]) // parity (r, s) of each output 2×2 block
            })
            .collect();
        let mut it = outputs.into_iter();
        let (o00, o01, o10, o11) = (
            it.next().unwrap(),
            it.next().unwrap(),
            it.next().unwrap(),
            it.next().unwrap(),
        );
        let top = Tensor::cat(vec![o00, o01], 4); // [b, h, 1, w, 2, c_out]
        let bottom = Tensor::cat(vec![o10, o11], 4);
        let c_out = top.dims()[5];
        Tensor::cat(vec![top, bottom], 2).reshape([b, 2 * h, 2 * w, c_out]) // [b, 2h, 2w, c_out]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::inference_device;
    use crate::tensors::to_vec;
    use burn::module::Param;
    use burn::nn::conv::{Conv2dConfig, ConvTranspose2dConfig};
    use burn::nn::PaddingConfig2d;
    use burn::tensor::{Distribution, TensorData};

    fn close(a: Vec<f32>, b: Vec<f32>) {
        assert_eq!(a.len(), b.len());
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-4, "max difference {worst}");
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

    #[test]
    fn down_equals_a_stride_2_convolution() {
        let (device, c_in, c_out) = (inference_device(), 3, 5);
        let conv = Conv2dConfig::new([c_in, c_out], [4, 4])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init(&device);
        let w = to_vec(conv.weight.val()); // [c_out, c_in, 4, 4]
        let mut rows = vec![0.0; 16 * c_in * c_out];
        for o in 0..c_out {
            for c in 0..c_in {
                for t in 0..16 {
                    rows[(t * c_in + c) * c_out + o] = w[((o * c_in + c) * 16) + t];
                }
            }
        }
        let bias = to_vec(conv.bias.as_ref().unwrap().val());
        let down = Down {
            taps: linear(rows, c_out, bias, &device),
        };
        let x = Tensor::<4>::random([2, c_in, 8, 6], Distribution::Default, &device); // [b, c, h, w]
        let ours = down
            .forward(x.clone().permute([0, 2, 3, 1]))
            .permute([0, 3, 1, 2]);
        close(to_vec(ours), to_vec(conv.forward(x)));
    }

    #[test]
    fn up_equals_a_stride_2_transposed_convolution() {
        let (device, c_in, c_out) = (inference_device(), 4, 3);
        let deconv = ConvTranspose2dConfig::new([c_in, c_out], [4, 4])
            .with_stride([2, 2])
            .with_padding([1, 1])
            .init(&device);
        let w = to_vec(deconv.weight.val()); // [c_in, c_out, 4, 4]
        let bias = to_vec(deconv.bias.as_ref().unwrap().val());
        let parities = (0..4)
            .map(|p| {
                let (r, s_) = (p / 2, p % 2);
                let mut rows = vec![0.0; 4 * c_in * c_out];
                for t in 0..4 {
                    let (a, b) = (t / 2, t % 2);
                    // Padded row m + r + a is input row m + r + a − 1, met by tap 3 − r − 2a.
                    let (kh, kw) = (3 - r - 2 * a, 3 - s_ - 2 * b);
                    for c in 0..c_in {
                        for o in 0..c_out {
                            rows[(t * c_in + c) * c_out + o] =
                                w[((c * c_out + o) * 4 + kh) * 4 + kw];
                        }
                    }
                }
                linear(rows, c_out, bias.clone(), &device)
            })
            .collect();
        let up = Up { parities };
        let x = Tensor::<4>::random([2, c_in, 5, 7], Distribution::Default, &device); // [b, c, h, w]
        let ours = up
            .forward(x.clone().permute([0, 2, 3, 1]))
            .permute([0, 3, 1, 2]);
        close(to_vec(ours), to_vec(deconv.forward(x)));
    }
}
