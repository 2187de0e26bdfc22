//! The dense matrix product of the layers computed by hand (conv_kernels.rs, dense_layer.rs),
//! over strided operands: natively matrixmultiply's sgemm (the kernel burn-ndarray's own matmul
//! uses, AVX2 + FMA picked at run time); in wasm `tiled`, below.
#[cfg(not(target_arch = "wasm32"))]
use matrixmultiply::sgemm;

/// A matrix operand: its values and (row stride, column stride); a transpose swaps the strides.
pub(crate) type Operand<'a> = (&'a [f32], usize, usize);

/// c [m, n] = a [m, k] · b [k, n], or c += a·b when `accumulate`; c is row-major.
pub(crate) fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: Operand,
    b: Operand,
    c: &mut [f32],
    accumulate: bool,
) {
    if !in_bounds(m, k, n, a, b, c, accumulate) {
        return;
    }
    // A call, not `use tiled as gemm` (which would skip the checks done twice here): that
    // alias made the conv CVAE's step 26 % slower in the worker (ab.mjs, 2026-11-28), the
    // product compiled differently at its call sites.
    #[cfg(target_arch = "wasm32")]
    return tiled(m, k, n, a, b, c, accumulate);
    #[cfg(not(target_arch = "wasm32"))]
    let beta = if accumulate { 1.0 } else { 0.0 };
    // SAFETY: in_bounds keeps every read of a and b and every write of c in bounds.
    #[cfg(not(target_arch = "wasm32"))]
    unsafe {
        sgemm(
            m,
            k,
            n,
            1.0,
            a.0.as_ptr(),
            a.1 as isize,
            a.2 as isize,
            b.0.as_ptr(),
            b.1 as isize,
            b.2 as isize,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        )
    }
}

/// Panics unless every read of a and b and every write of c is in bounds (sgemm takes raw
/// pointers); false when there is nothing to multiply (c is then zeroed, unless accumulated).
fn in_bounds(
    m: usize,
    k: usize,
    n: usize,
    a: Operand,
    b: Operand,
    c: &mut [f32],
    accumulate: bool,
) -> bool {
    assert!(c.len() >= m * n, "gemm: output too short");
    if m == 0 || n == 0 {
        return false;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return false;
    }
    // The last element each operand is read at must be inside it.
    assert!(
        (m - 1) * a.1 + (k - 1) * a.2 < a.0.len(),
        "gemm: a too short"
    );
    assert!(
        (k - 1) * b.1 + (n - 1) * b.2 < b.0.len(),
        "gemm: b too short"
    );
    true
}

/// Rows of c computed together: their sums, ROWS × COLS floats, stay in 8 wasm SIMD registers
/// while a panel of b streams past. matrixmultiply's wasm kernel keeps an 8 × 8 tile, 16
/// registers: all that wasm engines have on x86-64, so its sums spill.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively only in tests
const ROWS: usize = 4;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively only in tests
const COLS: usize = 8;
/// How deep a panel of b is (8 KB): it stays in the L1 cache across all of a's rows.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively only in tests
const DEPTH: usize = 256;

/// `gemm` without matrixmultiply: b is copied in panels of COLS columns × DEPTH rows, and each
/// ROWS rows of c sum over a panel in registers. Every value of c sums its products in order
/// of the inner index, so the result does not depend on the tiling.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively only in tests
pub(crate) fn tiled(
    m: usize,
    k: usize,
    n: usize,
    a: Operand,
    b: Operand,
    c: &mut [f32],
    accumulate: bool,
) {
    if !in_bounds(m, k, n, a, b, c, accumulate) {
        return;
    }
    let mut panel: Vec<[f32; COLS]> = Vec::with_capacity(DEPTH.min(k));
    for first_col in (0..n).step_by(COLS) {
        let width = COLS.min(n - first_col);
        for first in (0..k).step_by(DEPTH) {
            let depth = DEPTH.min(k - first);
            panel.clear();
            panel.extend((first..first + depth).map(|p| {
                let mut row = [0.0; COLS];
                for (j, v) in row[..width].iter_mut().enumerate() {
                    *v = b.0[p * b.1 + (first_col + j) * b.2];
                }
                row
            }));
            let at = Tile {
                a,
                first,
                panel: &panel,
                first_col,
                width,
                n,
                add: accumulate || first > 0,
            };
            let mut row = 0;
            while row + ROWS <= m {
                at.rows::<ROWS>(row, c);
                row += ROWS;
            }
            while row < m {
                at.rows::<1>(row, c);
                row += 1;
            }
        }
    }
}

/// One panel of b, and where its products go in c.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively only in tests
struct Tile<'a> {
    a: Operand<'a>,
    /// The panel's first row of b (inner index).
    first: usize,
    panel: &'a [[f32; COLS]],
    first_col: usize,
    width: usize,
    n: usize,
    /// Whether c's values are added to (a later panel, or `accumulate`) or replaced.
    add: bool,
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // natively only in tests
impl Tile<'_> {
    /// c[row..row + R, first_col..first_col + width] (+)= a[row..row + R, panel rows] · panel.
    #[inline(always)]
    fn rows<const R: usize>(&self, row: usize, c: &mut [f32]) {
        let (values, row_stride, col_stride) = self.a;
        let mut sums = [[0.0f32; COLS]; R];
        for (p, b) in self.panel.iter().enumerate() {
            let inner = (self.first + p) * col_stride;
            for (r, sums) in sums.iter_mut().enumerate() {
                // SAFETY: row + r < m and first + p < k, which `tiled` checked a is long enough
                // for; unchecked because a bounds check per product halved the loop's speed.
                let x = unsafe { *values.get_unchecked((row + r) * row_stride + inner) };
                for (s, b) in sums.iter_mut().zip(b) {
                    *s += x * b;
                }
            }
        }
        for (r, sums) in sums.iter().enumerate() {
            let out = &mut c[(row + r) * self.n + self.first_col..][..self.width];
            for (v, s) in out.iter_mut().zip(sums) {
                *v = if self.add { *v + s } else { *s };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(len: usize, seed: usize) -> Vec<f32> {
        (0..len)
            .map(|i| ((i * 7 + seed) % 13) as f32 * 0.25 - 1.5)
            .collect()
    }

    /// The tiled product is the product, for shapes with and without whole tiles and panels,
    /// both operands' layouts, and added to c or not (small integers times quarters: exact).
    #[test]
    fn the_tiled_product_is_the_product() {
        for (m, k, n) in [
            (1, 1, 1),
            (5, 3, 9),
            (4, 300, 8),
            (13, 257, 17),
            (9, 600, 3),
        ] {
            let (a, b) = (values(m * k, 1), values(k * n, 2));
            let mut expected = vec![0.0f32; m * n];
            for i in 0..m {
                for j in 0..n {
                    expected[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
                }
            }
            let (a_t, b_t) = (transpose(&a, m, k), transpose(&b, k, n));
            for (a_op, b_op) in [
                ((&a[..], k, 1), (&b[..], n, 1)),
                ((&a_t[..], 1, m), (&b_t[..], 1, k)),
            ] {
                let mut c = vec![9.0; m * n];
                tiled(m, k, n, a_op, b_op, &mut c, false);
                assert_eq!(c, expected, "{m}×{k}·{k}×{n}");
                tiled(m, k, n, a_op, b_op, &mut c, true);
                let twice: Vec<f32> = expected.iter().map(|v| 2.0 * v).collect();
                assert_eq!(c, twice, "{m}×{k}·{k}×{n}, accumulated");
            }
        }
    }

    fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut t = vec![0.0; x.len()];
        for r in 0..rows {
            for c in 0..cols {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        t
    }
}
