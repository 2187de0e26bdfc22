//! One module per panel: each owns its elements, keeps its own state, draws what the worker
//! sends it and turns its controls into commands. Modules without DOM code build natively and
//! carry the tests.
pub mod history;
pub mod map_geometry;
pub mod sections;

#[cfg(target_arch = "wasm32")]
pub mod compare;
#[cfg(target_arch = "wasm32")]
pub mod draw;
#[cfg(target_arch = "wasm32")]
pub mod explorer;
#[cfg(target_arch = "wasm32")]
pub mod interpolation;
#[cfg(target_arch = "wasm32")]
pub mod kl_per_dim;
#[cfg(target_arch = "wasm32")]
pub mod latent_map;
#[cfg(target_arch = "wasm32")]
pub mod loss_chart;
#[cfg(target_arch = "wasm32")]
pub mod samples;
#[cfg(target_arch = "wasm32")]
pub mod settings;
#[cfg(target_arch = "wasm32")]
pub mod settings_form;
#[cfg(target_arch = "wasm32")]
pub mod sliders;
#[cfg(target_arch = "wasm32")]
pub mod training;
#[cfg(target_arch = "wasm32")]
pub mod traversals;
