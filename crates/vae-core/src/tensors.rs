//! Plain vectors in, tensors out (and back): the only place host data meets the device.
use crate::data::Batch;
use burn::tensor::{Device, Tensor, TensorData};

/// # Shapes
/// - values: rows × cols, row-major; returns [rows, cols]
pub fn matrix(values: Vec<f32>, rows: usize, device: &Device) -> Tensor<2> {
    let cols = values.len() / rows.max(1);
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

/// One-hot class vectors, or None for a plain (unconditional) model.
/// # Shapes
/// - returns [labels.len(), classes]
pub fn one_hot(labels: &[u8], classes: usize, device: &Device) -> Option<Tensor<2>> {
    (classes > 0).then(|| {
        let mut v = vec![0.0f32; labels.len() * classes];
        for (row, &label) in labels.iter().enumerate() {
            v[row * classes + (label as usize).min(classes - 1)] = 1.0;
        }
        matrix(v, labels.len(), device)
    })
}

/// A batch's images and, for a conditional model, its one-hot classes.
/// # Shapes
/// - returns ([batch, pixels], [batch, classes])
pub fn batch(batch: &Batch, classes: usize, device: &Device) -> (Tensor<2>, Option<Tensor<2>>) {
    (
        matrix(batch.images.clone(), batch.len(), device),
        one_hot(&batch.labels, classes, device),
    )
}

/// Reads a tensor back to the host.
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .try_into_vec::<f32>()
        .expect("float tensors hold f32")
}

/// Reads a tensor that is still held elsewhere (a weight, or an activation the graph keeps).
/// burn-ndarray copies a shared buffer out element by element (~10× slower than a memcpy), so
/// this first makes a copy of its own with one SIMD element-wise op.
pub fn read<const D: usize>(t: &Tensor<D>) -> Vec<f32> {
    to_vec(t.clone().inner().mul_scalar(1.0))
}
