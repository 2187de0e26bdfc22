//! The arithmetic of the conv VAE's two layer shapes on plain f32 buffers, forward and backward,
//! on channels-last batches [images, height, width, channels]. Each direction is one matrix
//! product (matrixmultiply, the kernel burn-ndarray's matmul uses) plus a gather or scatter of
//! pixels: written with burn's tensor ops, the same layers spent ~85 % of a conv training step
//! copying strided slices and zero-filling their gradients (burn has no custom autodiff op on its
//! dispatch backend, so `conv_gradient.rs` differentiates these layers by hand instead).
//! Work goes in chunks of `CHUNK` images, so the scratch matrices stay small for any batch.
use super::gemm::gemm;

/// Images per chunk: conv2's patch matrix for 64 images is 3 MB.
const CHUNK: usize = 64;

/// The sizes of a channels-last batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub images: usize,
    pub height: usize,
    pub width: usize,
    pub channels: usize,
}

impl Grid {
    /// The number of values of the whole batch.
    pub fn values(&self) -> usize {
        self.images * self.image_len()
    }

    fn image_len(&self) -> usize {
        self.height * self.width * self.channels
    }

    fn pixels(&self) -> usize {
        self.height * self.width
    }
}

/// The 4×4 kernel tap (i, j) of output pixel (m, n) of a stride-2, padding-1 layer reads or
/// writes pixel (2m + i − 1, 2n + j − 1) of the bigger grid, when that is inside it.
fn tap_pixel(m: usize, n: usize, i: usize, j: usize, height: usize, width: usize) -> Option<usize> {
    let (y, x) = ((2 * m + i).checked_sub(1)?, (2 * n + j).checked_sub(1)?);
    (y < height && x < width).then_some(y * width + x)
}

/// The 4×4 convolution with stride 2 and padding 1 ("Down": halves each side).
/// `weight` is [16·c, c_out], row (i·4 + j)·c + ch holding tap (i, j) of input channel ch.
pub mod down {
    use super::*;

    /// The patch matrix [images·(h/2)·(w/2), 16·c] of images `first..first + count` (im2col).
    fn patches(x: &[f32], g: Grid, first: usize, count: usize, out: &mut Vec<f32>) {
        let (oh, ow, c) = (g.height / 2, g.width / 2, g.channels);
        out.clear();
        out.resize(count * oh * ow * 16 * c, 0.0);
        for (row, cells) in out.chunks_exact_mut(16 * c).enumerate() {
            let (image, m, n) = (first + row / (oh * ow), row / ow % oh, row % ow);
            let pixels = &x[image * g.image_len()..][..g.image_len()];
            for t in 0..16 {
                if let Some(p) = tap_pixel(m, n, t / 4, t % 4, g.height, g.width) {
                    cells[t * c..][..c].copy_from_slice(&pixels[p * c..][..c]);
                }
            }
        }
    }

    /// Returns [images, h/2, w/2, c_out]. `g.height` and `g.width` must be even.
    pub fn forward(x: &[f32], g: Grid, weight: &[f32], bias: &[f32]) -> Vec<f32> {
        let (c_out, k) = (bias.len(), 16 * g.channels);
        let rows_per_image = g.pixels() / 4;
        let mut out = vec![0.0; g.images * rows_per_image * c_out];
        let mut cols = Vec::new();
        for first in (0..g.images).step_by(CHUNK) {
            let count = CHUNK.min(g.images - first);
            patches(x, g, first, count, &mut cols);
            let rows = count * rows_per_image;
            let dst = &mut out[first * rows_per_image * c_out..][..rows * c_out];
            gemm(
                rows,
                k,
                c_out,
                (&cols, k, 1),
                (weight, c_out, 1),
                dst,
                false,
            );
            for cell in dst.chunks_exact_mut(c_out) {
                cell.iter_mut().zip(bias).for_each(|(v, b)| *v += b);
            }
        }
        out
    }

    /// The gradients of weight and bias (and of x when `want_input`) given the output's
    /// gradient `g_out` [images, h/2, w/2, c_out].
    pub fn backward(
        x: &[f32],
        g: Grid,
        weight: &[f32],
        c_out: usize,
        g_out: &[f32],
        want_input: bool,
    ) -> (Vec<f32>, Vec<f32>, Option<Vec<f32>>) {
        let (k, rows_per_image) = (16 * g.channels, g.pixels() / 4);
        let (mut g_weight, mut g_bias) = (vec![0.0; k * c_out], vec![0.0; c_out]);
        let mut g_x = want_input.then(|| vec![0.0; g.values()]);
        let (mut cols, mut g_cols) = (Vec::new(), Vec::new());
        for first in (0..g.images).step_by(CHUNK) {
            let count = CHUNK.min(g.images - first);
            let rows = count * rows_per_image;
            let g_rows = &g_out[first * rows_per_image * c_out..][..rows * c_out];
            patches(x, g, first, count, &mut cols);
            // ∂W = patchesᵀ · ∂out
            let accumulate = first > 0;
            gemm(
                k,
                rows,
                c_out,
                (&cols, 1, k),
                (g_rows, c_out, 1),
                &mut g_weight,
                accumulate,
            );
            for cell in g_rows.chunks_exact(c_out) {
                g_bias.iter_mut().zip(cell).for_each(|(b, v)| *b += v);
            }
            if let Some(g_x) = g_x.as_mut() {
                // ∂patches = ∂out · Wᵀ, then each patch cell adds back to its pixel (col2im).
                g_cols.resize(rows * k, 0.0);
                gemm(
                    rows,
                    c_out,
                    k,
                    (g_rows, c_out, 1),
                    (weight, 1, c_out),
                    &mut g_cols,
                    false,
                );
                let (oh, ow, c) = (g.height / 2, g.width / 2, g.channels);
                for (row, cells) in g_cols.chunks_exact(k).enumerate() {
                    let (image, m, n) = (first + row / (oh * ow), row / ow % oh, row % ow);
                    let pixels = &mut g_x[image * g.image_len()..][..g.image_len()];
                    for t in 0..16 {
                        if let Some(p) = tap_pixel(m, n, t / 4, t % 4, g.height, g.width) {
                            let dst = &mut pixels[p * c..][..c];
                            dst.iter_mut()
                                .zip(&cells[t * c..][..c])
                                .for_each(|(d, v)| *d += v);
                        }
                    }
                }
            }
        }
        (g_weight, g_bias, g_x)
    }
}

/// The 4×4 transposed convolution with stride 2 and padding 1 ("Up": doubles each side), as
/// one product per direction: every input pixel times the whole kernel gives its 16 output
/// contributions, which add into the output grid (the scatter form; no zero is multiplied).
/// `weight` is [c, 16·c_out], column (i·4 + j)·c_out + o holding tap (i, j) for output channel
/// o; `bias` is [4, c_out], one per output parity (y mod 2)·2 + (x mod 2).
pub mod up {
    use super::*;

    /// Returns [images, 2h, 2w, c_out].
    pub fn forward(x: &[f32], g: Grid, weight: &[f32], bias: &[f32]) -> Vec<f32> {
        let c_out = bias.len() / 4;
        let (h2, w2, n) = (2 * g.height, 2 * g.width, 16 * c_out);
        let mut out = vec![0.0; g.images * h2 * w2 * c_out];
        let mut cols = Vec::new();
        for first in (0..g.images).step_by(CHUNK) {
            let count = CHUNK.min(g.images - first);
            let rows = count * g.pixels();
            let src = &x[first * g.image_len()..][..rows * g.channels];
            cols.resize(rows * n, 0.0);
            gemm(
                rows,
                g.channels,
                n,
                (src, g.channels, 1),
                (weight, n, 1),
                &mut cols,
                false,
            );
            for (row, cells) in cols.chunks_exact(n).enumerate() {
                let (image, m, nn) = (
                    first + row / g.pixels(),
                    row / g.width % g.height,
                    row % g.width,
                );
                let grid = &mut out[image * h2 * w2 * c_out..][..h2 * w2 * c_out];
                for t in 0..16 {
                    if let Some(p) = tap_pixel(m, nn, t / 4, t % 4, h2, w2) {
                        let dst = &mut grid[p * c_out..][..c_out];
                        dst.iter_mut()
                            .zip(&cells[t * c_out..][..c_out])
                            .for_each(|(d, v)| *d += v);
                    }
                }
            }
        }
        for (p, cell) in out.chunks_exact_mut(c_out).enumerate() {
            let parity = (p / w2 % h2 % 2) * 2 + p % w2 % 2;
            cell.iter_mut()
                .zip(&bias[parity * c_out..])
                .for_each(|(v, b)| *v += b);
        }
        out
    }

    /// The gradients of weight [c, 16·c_out], bias [4, c_out] and x, given the output's
    /// gradient `g_out` [images, 2h, 2w, c_out].
    pub fn backward(
        x: &[f32],
        g: Grid,
        weight: &[f32],
        c_out: usize,
        g_out: &[f32],
    ) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let (h2, w2, n, c) = (2 * g.height, 2 * g.width, 16 * c_out, g.channels);
        let (mut g_weight, mut g_bias) = (vec![0.0; c * n], vec![0.0; 4 * c_out]);
        let mut g_x = vec![0.0; g.values()];
        for (p, cell) in g_out.chunks_exact(c_out).enumerate() {
            let parity = (p / w2 % h2 % 2) * 2 + p % w2 % 2;
            let dst = &mut g_bias[parity * c_out..][..c_out];
            dst.iter_mut().zip(cell).for_each(|(b, v)| *b += v);
        }
        let mut g_cols = Vec::new();
        for first in (0..g.images).step_by(CHUNK) {
            let count = CHUNK.min(g.images - first);
            let rows = count * g.pixels();
            // ∂cols: each input pixel's 16 contributions read their output pixel's gradient.
            g_cols.clear();
            g_cols.resize(rows * n, 0.0);
            for (row, cells) in g_cols.chunks_exact_mut(n).enumerate() {
                let (image, m, nn) = (
                    first + row / g.pixels(),
                    row / g.width % g.height,
                    row % g.width,
                );
                let grid = &g_out[image * h2 * w2 * c_out..][..h2 * w2 * c_out];
                for t in 0..16 {
                    if let Some(p) = tap_pixel(m, nn, t / 4, t % 4, h2, w2) {
                        cells[t * c_out..][..c_out].copy_from_slice(&grid[p * c_out..][..c_out]);
                    }
                }
            }
            let src = &x[first * g.image_len()..][..rows * c];
            // ∂W = xᵀ · ∂cols;  ∂x = ∂cols · Wᵀ
            gemm(
                c,
                rows,
                n,
                (src, 1, c),
                (&g_cols, n, 1),
                &mut g_weight,
                first > 0,
            );
            let dst = &mut g_x[first * g.image_len()..][..rows * c];
            gemm(rows, n, c, (&g_cols, n, 1), (weight, 1, n), dst, false);
        }
        (g_weight, g_bias, g_x)
    }
}

/// max(v, 0) in place.
pub fn relu(values: &mut [f32]) {
    values.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// The gradient through a ReLU, given the ReLU's output: zero where the output is zero.
pub fn relu_backward(gradient: &mut [f32], output: &[f32]) {
    gradient
        .iter_mut()
        .zip(output)
        .for_each(|(g, &y)| *g = if y > 0.0 { *g } else { 0.0 });
}

/// [images, channels, h, w] (the data's planar layout) → [images, h, w, channels].
pub fn planar_to_channels_last(x: &[f32], g: Grid) -> Vec<f32> {
    let mut out = vec![0.0; g.values()];
    for (src, dst) in x
        .chunks_exact(g.image_len())
        .zip(out.chunks_exact_mut(g.image_len()))
    {
        for (ch, plane) in src.chunks_exact(g.pixels()).enumerate() {
            for (p, v) in plane.iter().enumerate() {
                dst[p * g.channels + ch] = *v;
            }
        }
    }
    out
}

/// [images, h, w, channels] → [images, channels, h, w].
pub fn channels_last_to_planar(x: &[f32], g: Grid) -> Vec<f32> {
    let mut out = vec![0.0; g.values()];
    for (src, dst) in x
        .chunks_exact(g.image_len())
        .zip(out.chunks_exact_mut(g.image_len()))
    {
        for (p, pixel) in src.chunks_exact(g.channels).enumerate() {
            for (ch, v) in pixel.iter().enumerate() {
                dst[ch * g.pixels() + p] = *v;
            }
        }
    }
    out
}
