//! The dense matrix product of the layers computed by hand (conv_kernels.rs, dense_layer.rs):
//! matrixmultiply's sgemm, the kernel burn-ndarray's own matmul uses, over strided operands.
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
    assert!(c.len() >= m * n, "gemm: output too short");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    // The last element each operand is read at must be inside it: sgemm takes raw pointers.
    assert!(
        (m - 1) * a.1 + (k - 1) * a.2 < a.0.len(),
        "gemm: a too short"
    );
    assert!(
        (k - 1) * b.1 + (n - 1) * b.2 < b.0.len(),
        "gemm: b too short"
    );
    let beta = if accumulate { 1.0 } else { 0.0 };
    // SAFETY: the asserts above keep every read of a and b and every write of c in bounds.
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
