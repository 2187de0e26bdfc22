//! vae-core: a variational autoencoder and everything numeric around it.
//! No browser types: this crate builds natively (tests, cli) and for wasm32 (the worker).
pub mod adam;
pub mod backend;
pub mod config;
mod conv_gradient;
pub mod data;
pub mod drawing;
pub mod eval;
pub mod flat;
pub mod image;
pub mod latent;
mod likelihood;
pub mod loss;
pub mod memory;
mod mlp_gradient;
pub mod model;
pub mod pca;
pub mod replica;
pub mod rng;
pub mod shares;
pub mod tensors;
pub mod train;
pub mod uses;
pub mod views;
pub mod weights;

/// burn's Module trait, for callers that count or move parameters without naming burn.
pub use burn::module as burn_module;
