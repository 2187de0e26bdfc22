//! The one place the CPU backend is chosen: cargo feature `ndarray` (default) or `flex`.
//! Everything else asks this module for a device.
use burn::tensor::Device;

/// Printed by the benchmarks so that every figure says what it ran on.
#[cfg(not(feature = "flex"))]
pub const BACKEND_NAME: &str = "ndarray";
#[cfg(feature = "flex")]
pub const BACKEND_NAME: &str = "flex";

/// A device for inference: no autodiff graph is recorded.
pub fn inference_device() -> Device {
    #[cfg(not(feature = "flex"))]
    #[allow(deprecated)]
    // burn 0.22 deprecates ndarray in favour of flex; DESIGN.md keeps it.
    return Device::ndarray();
    #[cfg(feature = "flex")]
    return Device::flex();
}

/// The same device with autodiff, for training.
pub fn training_device() -> Device {
    inference_device().autodiff()
}
