//! What a trained VAE is for: completing damaged images, scoring how typical an image is
//! (anomaly detection), carrying one image's style to every class, and making new data.
pub mod anomaly;
pub mod completion;
pub mod export;
pub mod transfer;
