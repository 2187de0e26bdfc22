//! Products whose left operand is mostly zeros. Four in five of an MNIST digit's pixels are
//! exactly 0 (the black background), a class is one-hot and about half of a layer's ReLU units
//! are 0, so a dense layer's forward pass and weight gradient need only the rows of its weight
//! (or of its output gradient) that the non-zero inputs select (dense_layer.rs).

/// The non-zero values of a row-major matrix, row by row (compressed sparse rows).
#[derive(Clone, Debug, PartialEq)]
pub struct SparseRows {
    /// The width of the dense matrix: every column index is below it.
    cols: usize,
    /// Row r's values are at starts[r]..starts[r + 1].
    starts: Vec<usize>,
    columns: Vec<u32>,
    values: Vec<f32>,
}

impl SparseRows {
    /// # Shapes
    /// - dense: rows × cols, row-major
    pub fn from_dense(dense: &[f32], cols: usize) -> Self {
        assert!(
            cols > 0 && dense.len().is_multiple_of(cols),
            "a matrix of {cols} columns"
        );
        let mut sparse = Self {
            cols,
            starts: vec![0],
            columns: Vec::new(),
            values: Vec::new(),
        };
        // Written without a branch on each value: ReLU units are zero at random, half of them,
        // and a mispredicted branch per value cost more than the product it saves.
        let (mut columns, mut values) = (vec![0; dense.len()], vec![0.0; dense.len()]);
        let mut n = 0;
        for row in dense.chunks_exact(cols) {
            for (c, &v) in row.iter().enumerate() {
                columns[n] = c as u32;
                values[n] = v;
                n += usize::from(v != 0.0);
            }
            sparse.starts.push(n);
        }
        columns.truncate(n);
        values.truncate(n);
        (sparse.columns, sparse.values) = (columns, values);
        sparse
    }

    pub fn rows(&self) -> usize {
        self.starts.len() - 1
    }

    /// The share of values that are not zero.
    pub fn density(&self) -> f32 {
        self.values.len() as f32 / (self.rows() * self.cols).max(1) as f32
    }

    /// Row r's (column, value) pairs, by column.
    #[inline(always)]
    fn row(&self, r: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let range = self.starts[r]..self.starts[r + 1];
        self.columns[range.clone()]
            .iter()
            .zip(&self.values[range])
            .map(|(&c, &v)| (c as usize, v))
    }

    /// The same matrix's columns as rows (its transpose), each by row index.
    pub fn transpose(&self) -> Self {
        let mut starts = vec![0; self.cols + 1];
        for &c in &self.columns {
            starts[c as usize + 1] += 1;
        }
        for c in 0..self.cols {
            starts[c + 1] += starts[c];
        }
        let mut next = starts.clone();
        let (mut columns, mut values) = (vec![0; self.values.len()], vec![0.0; self.values.len()]);
        for r in 0..self.rows() {
            for (c, v) in self.row(r) {
                columns[next[c]] = r as u32;
                values[next[c]] = v;
                next[c] += 1;
            }
        }
        Self {
            cols: self.rows(),
            starts,
            columns,
            values,
        }
    }

    /// out += self · m.
    /// # Shapes
    /// - m: [self.cols, width], out: [self.rows, width], both row-major
    pub fn multiply_add(&self, m: &[f32], width: usize, out: &mut [f32]) {
        assert!(m.len() >= self.cols * width, "multiply_add: m too short");
        assert!(
            out.len() >= self.rows() * width,
            "multiply_add: out too short"
        );
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: this CPU has AVX2 (checked just above).
            return unsafe { self.multiply_add_avx2(m, width, out) };
        }
        self.column_blocks(m, width, out);
    }

    /// `column_blocks` compiled for AVX2's 8 lanes instead of the x86-64 baseline's 4 (SSE2);
    /// every lane sums in the same order, so the numbers are the same.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn multiply_add_avx2(&self, m: &[f32], width: usize, out: &mut [f32]) {
        self.column_blocks(m, width, out);
    }

    #[inline(always)]
    fn column_blocks(&self, m: &[f32], width: usize, out: &mut [f32]) {
        // Column blocks narrow enough that a block's sums stay in registers while the selected
        // rows of m stream past (32 floats: 8 wasm SIMD registers of 4 lanes).
        let mut start = 0;
        while start + 32 <= width {
            self.block::<32>(m, width, start, out);
            start += 32;
        }
        if start + 16 <= width {
            self.block::<16>(m, width, start, out); // 400 hidden units = 12 · 32 + 16
            start += 16;
        }
        for _ in 0..(width - start) / 4 {
            self.block::<4>(m, width, start, out);
            start += 4;
        }
        while start < width {
            self.block::<1>(m, width, start, out);
            start += 1;
        }
    }

    /// The product a · bᵀ at this matrix's non-zero positions only, 0 elsewhere: the gradient
    /// of a ReLU layer's output that its zeros, which pass no gradient back, never need.
    /// # Shapes
    /// - a: [self.rows, k], b: [self.cols, k]; returns [self.rows, self.cols]
    pub fn product_where_nonzero(&self, a: &[f32], b: &[f32], k: usize) -> Vec<f32> {
        assert!(
            a.len() >= self.rows() * k,
            "product_where_nonzero: a too short"
        );
        assert!(
            b.len() >= self.cols * k,
            "product_where_nonzero: b too short"
        );
        let mut out = vec![0.0; self.rows() * self.cols];
        for r in 0..self.rows() {
            let a = &a[r * k..][..k];
            for (c, _) in self.row(r) {
                out[r * self.cols + c] = dot(a, &b[c * k..][..k]);
            }
        }
        out
    }

    /// out[r, start..start + N] += Σ over row r's values v at column c: v · m[c, start..start + N].
    #[inline(always)]
    fn block<const N: usize>(&self, m: &[f32], width: usize, start: usize, out: &mut [f32]) {
        for r in 0..self.rows() {
            let out = &mut out[r * width + start..][..N];
            let mut sums: [f32; N] = out.try_into().expect("N columns");
            for (c, v) in self.row(r) {
                let m: &[f32; N] = m[c * width + start..][..N].try_into().expect("N columns");
                for (sum, m) in sums.iter_mut().zip(m) {
                    *sum += v * m;
                }
            }
            out.copy_from_slice(&sums);
        }
    }
}

/// Σ a[i]·b[i], in 16 lanes summed at the end (a float sum is not reassociated by the compiler,
/// so one running sum would not use SIMD).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 16];
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = a16
        .remainder()
        .iter()
        .zip(b16.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (a, b) in a16.zip(b16) {
        for ((lane, x), y) in lanes.iter_mut().zip(a).zip(b) {
            *lane += x * y;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// out = a · m by the textbook triple loop.
    fn product(a: &[f32], m: &[f32], rows: usize, inner: usize, width: usize) -> Vec<f32> {
        let mut out = vec![0.0; rows * width];
        for r in 0..rows {
            for k in 0..inner {
                for j in 0..width {
                    out[r * width + j] += a[r * inner + k] * m[k * width + j];
                }
            }
        }
        out
    }

    /// A matrix with about `zeros` of its values 0, the rest varied.
    fn mostly_zero(rows: usize, cols: usize, zeros: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| {
                if (i * 7919) % 10 < zeros {
                    0.0
                } else {
                    (i % 13) as f32 * 0.25 - 1.0
                }
            })
            .collect()
    }

    #[test]
    fn multiply_add_is_the_product_for_every_column_block() {
        // widths with whole 32-column blocks, 4-column blocks and single columns left over
        for width in [1, 3, 4, 16, 32, 37, 53, 70, 400] {
            let (rows, inner) = (5, 19);
            let a = mostly_zero(rows, inner, 7);
            let m: Vec<f32> = (0..inner * width).map(|i| (i % 11) as f32 - 5.0).collect();
            let mut out = vec![1.0; rows * width];
            SparseRows::from_dense(&a, inner).multiply_add(&m, width, &mut out);
            let expected: Vec<f32> = product(&a, &m, rows, inner, width)
                .iter()
                .map(|v| v + 1.0)
                .collect();
            assert_eq!(out, expected, "width {width}");
        }
    }

    #[test]
    fn the_avx2_product_is_the_baselines_bit_for_bit() {
        let (rows, inner, width) = (7, 23, 53);
        let a = mostly_zero(rows, inner, 6);
        let m: Vec<f32> = (0..inner * width)
            .map(|i| (i as f32 * 0.37).sin())
            .collect();
        let sparse = SparseRows::from_dense(&a, inner);
        let (mut dispatched, mut baseline) = (vec![0.5; rows * width], vec![0.5; rows * width]);
        sparse.multiply_add(&m, width, &mut dispatched);
        sparse.column_blocks(&m, width, &mut baseline);
        assert_eq!(dispatched, baseline);
    }

    #[test]
    fn the_product_where_nonzero_is_a_times_b_transposed_at_the_non_zeros() {
        for k in [1, 15, 16, 17, 40] {
            let (rows, cols) = (4, 9);
            let mask = mostly_zero(rows, cols, 5);
            let a: Vec<f32> = (0..rows * k).map(|i| (i % 7) as f32 - 3.0).collect();
            let b: Vec<f32> = (0..cols * k).map(|i| (i % 5) as f32 * 0.5).collect();
            let got = SparseRows::from_dense(&mask, cols).product_where_nonzero(&a, &b, k);
            for r in 0..rows {
                for c in 0..cols {
                    let full: f32 = (0..k).map(|i| a[r * k + i] * b[c * k + i]).sum();
                    let expected = if mask[r * cols + c] != 0.0 { full } else { 0.0 };
                    assert_eq!(got[r * cols + c], expected, "k {k}, ({r}, {c})");
                }
            }
        }
    }

    #[test]
    fn the_transpose_holds_the_columns() {
        let (rows, cols) = (6, 9);
        let a = mostly_zero(rows, cols, 6);
        let mut transposed = vec![0.0; rows * cols];
        for r in 0..rows {
            for c in 0..cols {
                transposed[c * rows + r] = a[r * cols + c];
            }
        }
        let sparse = SparseRows::from_dense(&a, cols);
        assert_eq!(
            sparse.transpose(),
            SparseRows::from_dense(&transposed, rows)
        );
        assert_eq!(sparse.transpose().transpose(), sparse);
        let lit = a.iter().filter(|v| **v != 0.0).count();
        assert_eq!(sparse.density(), lit as f32 / (rows * cols) as f32);
    }

    #[test]
    fn rows_of_zeros_and_empty_matrices() {
        let sparse = SparseRows::from_dense(&[0.0; 12], 4);
        assert_eq!((sparse.rows(), sparse.density()), (3, 0.0));
        let mut out = vec![2.0; 3 * 5];
        sparse.multiply_add(&[1.0; 4 * 5], 5, &mut out);
        assert_eq!(out, vec![2.0; 15]);
        assert_eq!(SparseRows::from_dense(&[], 4).rows(), 0);
    }
}
