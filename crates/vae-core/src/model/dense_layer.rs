//! The MLP's two big dense layers, y = input · W + b, computed by hand for training, so that
//! zeros in their inputs cost nothing (sparse.rs): the encoder's first layer reads [x | class]
//! (a digit's black background, a one-hot class), the decoder's output layer reads ReLU units
//! (about half of them 0). Inputs with few zeros take the dense matrix product instead.
use super::gemm::gemm;
use super::sparse::SparseRows;

/// Up to this share of non-zero values the sparse product is the faster one. In wasm the dense
/// product (gemm::tiled) and the sparse one both do 4 multiply-adds per instruction pair, so
/// skipping zeros pays until the input is nearly full: at 0.25 the MLP decoder's half-zero ReLU
/// units went dense and the reference MLP's step took 17.7 ms instead of 17.0 (ab.mjs,
/// 2026-11-28). Natively matrixmultiply picks AVX2 + FMA at run time (8 lanes, fused), the
/// sparse loop AVX2 without FMA (sparse.rs): there it pays only for inputs at least
/// three-quarters zeros (measured again with AVX2: the decoder's half-zero ReLU units are
/// faster dense).
#[cfg(target_arch = "wasm32")]
const SPARSE_UP_TO: f32 = 0.8;
#[cfg(not(target_arch = "wasm32"))]
const SPARSE_UP_TO: f32 = 0.25;

/// A batch as a dense layer's input: rows × cols values, row-major.
pub struct LayerInput {
    rows: usize,
    cols: usize,
    form: Form,
}

enum Form {
    Dense(Vec<f32>),
    /// The rows, and the same values by column (for the weight gradient).
    Sparse(SparseRows, SparseRows),
}

impl LayerInput {
    /// # Shapes
    /// - values: rows × cols, row-major
    pub fn new(values: Vec<f32>, cols: usize) -> Self {
        Self::with_choice(values, cols, None)
    }

    /// As `new`, or with the sparse (Some(true)) or dense (Some(false)) product whatever the
    /// input's zeros: tests check both forms on every platform.
    pub fn with_choice(values: Vec<f32>, cols: usize, sparse: Option<bool>) -> Self {
        let rows = values.len() / cols.max(1);
        let by_row = SparseRows::from_dense(&values, cols);
        let form = if sparse.unwrap_or(by_row.density() <= SPARSE_UP_TO) {
            let by_column = by_row.transpose();
            Form::Sparse(by_row, by_column)
        } else {
            Form::Dense(values)
        };
        Self { rows, cols, form }
    }

    /// A batch's images, each followed by its one-hot class when `classes` > 0 (the input of a
    /// conditional model's encoder; `tensors::one_hot` makes the same vectors).
    /// # Shapes
    /// - images: labels.len() × pixels
    pub fn joined(images: &[f32], labels: &[u8], classes: usize, sparse: Option<bool>) -> Self {
        let pixels = images.len() / labels.len().max(1);
        if classes == 0 {
            return Self::with_choice(images.to_vec(), pixels, sparse);
        }
        let cols = pixels + classes;
        let mut values = vec![0.0; labels.len() * cols];
        for ((row, image), &label) in values
            .chunks_exact_mut(cols)
            .zip(images.chunks_exact(pixels.max(1)))
            .zip(labels)
        {
            row[..pixels].copy_from_slice(image);
            row[pixels + (label as usize).min(classes - 1)] = 1.0;
        }
        Self::with_choice(values, cols, sparse)
    }

    /// Whether the sparse product is used (for tests and benchmarks).
    pub fn is_sparse(&self) -> bool {
        matches!(self.form, Form::Sparse(..))
    }

    /// The layer's output input · weight + bias.
    /// # Shapes
    /// - weight: [cols, out], bias: [out]; returns [rows, out]
    pub fn forward(&self, weight: &[f32], bias: &[f32]) -> Vec<f32> {
        let out = bias.len();
        assert_eq!(weight.len(), self.cols * out, "a weight for another layer");
        // Row by row (a cycled iterator filled one value at a time).
        let mut y = Vec::with_capacity(self.rows * out);
        for _ in 0..self.rows {
            y.extend_from_slice(bias);
        }
        match &self.form {
            Form::Sparse(rows, _) => rows.multiply_add(weight, out, &mut y),
            Form::Dense(x) => gemm(
                self.rows,
                self.cols,
                out,
                (x, self.cols, 1),
                (weight, out, 1),
                &mut y,
                true,
            ),
        }
        y
    }

    /// The gradient of the input, g_out · weightᵀ.
    /// # Shapes
    /// - g_out: [rows, out], weight: [cols, out]; returns [rows, cols]
    pub fn input_gradient(&self, g_out: &[f32], weight: &[f32]) -> Vec<f32> {
        let out = weight.len() / self.cols.max(1);
        assert_eq!(
            g_out.len(),
            self.rows * out,
            "an output gradient of another shape"
        );
        let mut g_input = vec![0.0; self.rows * self.cols];
        gemm(
            self.rows,
            out,
            self.cols,
            (g_out, out, 1),
            (weight, 1, out),
            &mut g_input,
            false,
        );
        g_input
    }

    /// The gradient of the input where the input is not 0, and 0 where it is: all a ReLU
    /// layer's output needs (its zeros pass no gradient back), at half the work for half zeros.
    /// # Shapes
    /// - g_out: [rows, out], weight: [cols, out]; returns [rows, cols]
    pub fn relu_input_gradient(&self, g_out: &[f32], weight: &[f32]) -> Vec<f32> {
        match &self.form {
            Form::Sparse(rows, _) => {
                let out = weight.len() / self.cols.max(1);
                assert_eq!(
                    g_out.len(),
                    self.rows * out,
                    "an output gradient of another shape"
                );
                rows.product_where_nonzero(g_out, weight, out)
            }
            Form::Dense(_) => self.input_gradient(g_out, weight),
        }
    }

    /// Adds the gradients of the weight (inputᵀ · g_out) and of the bias (g_out summed over
    /// rows) to `g_weight` and `g_bias`: slices of the flat gradient, written in place.
    /// # Shapes
    /// - g_out: [rows, out], g_weight: [cols, out], g_bias: [out]
    pub fn add_weight_gradient(&self, g_out: &[f32], g_weight: &mut [f32], g_bias: &mut [f32]) {
        let out = g_bias.len();
        assert_eq!(
            g_out.len(),
            self.rows * out,
            "an output gradient of another shape"
        );
        assert_eq!(g_weight.len(), self.cols * out, "a weight of another shape");
        match &self.form {
            Form::Sparse(_, by_column) => by_column.multiply_add(g_out, out, g_weight),
            Form::Dense(x) => gemm(
                self.cols,
                self.rows,
                out,
                (x, 1, self.cols),
                (g_out, out, 1),
                g_weight,
                true,
            ),
        }
        for row in g_out.chunks_exact(out.max(1)) {
            for (b, g) in g_bias.iter_mut().zip(row) {
                *b += g;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rows × cols input with `lit` of every 10 values non-zero.
    fn input(rows: usize, cols: usize, lit: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| {
                if (i * 31) % 10 < lit {
                    (i % 7) as f32 * 0.125 + 0.125
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// The sparse and the dense form give the same output and gradients (both exact here: the
    /// values are short binary fractions).
    #[test]
    fn sparse_and_dense_inputs_agree() {
        let (rows, cols, out) = (9, 41, 37);
        let weight: Vec<f32> = (0..cols * out).map(|i| (i % 9) as f32 - 4.0).collect();
        let bias: Vec<f32> = (0..out).map(|i| i as f32 * 0.5).collect();
        let g_out: Vec<f32> = (0..rows * out).map(|i| (i % 5) as f32 - 2.0).collect();
        let x = input(rows, cols, 2);
        let sparse = LayerInput::with_choice(x.clone(), cols, Some(true));
        let dense = LayerInput::with_choice(x, cols, Some(false));
        assert!(sparse.is_sparse() && !dense.is_sparse());
        assert_eq!(
            sparse.forward(&weight, &bias),
            dense.forward(&weight, &bias)
        );
        let weight_gradient = |layer: &LayerInput| {
            let (mut g_weight, mut g_bias) = (vec![0.0; cols * out], vec![0.0; out]);
            layer.add_weight_gradient(&g_out, &mut g_weight, &mut g_bias);
            (g_weight, g_bias)
        };
        assert_eq!(weight_gradient(&sparse), weight_gradient(&dense));
        // a dense input takes the dense product
        assert!(!LayerInput::new(input(rows, cols, 9), cols).is_sparse());
    }

    #[test]
    fn the_input_gradient_is_g_out_times_the_weights_transpose() {
        let (rows, cols, out) = (3, 5, 7);
        let weight: Vec<f32> = (0..cols * out).map(|i| (i % 9) as f32 - 4.0).collect();
        let g_out: Vec<f32> = (0..rows * out).map(|i| (i % 5) as f32 - 2.0).collect();
        let mut expected = vec![0.0; rows * cols];
        for r in 0..rows {
            for c in 0..cols {
                for o in 0..out {
                    expected[r * cols + c] += g_out[r * out + o] * weight[c * out + o];
                }
            }
        }
        let layer = LayerInput::new(input(rows, cols, 2), cols);
        assert_eq!(layer.input_gradient(&g_out, &weight), expected);
    }
}
