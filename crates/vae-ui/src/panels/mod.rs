//! One module per panel: each owns its elements, keeps its own state, draws what the worker
//! sends it and turns its controls into commands. Modules without DOM code build natively and
//! carry the tests.
pub mod histogram;
pub mod history;
pub mod map_geometry;
pub mod presets;
pub mod sections;
pub mod shortcuts;
pub mod tour_steps;

/// Modules that touch the DOM build for the browser only.
macro_rules! browser_only {
    ($($module:ident),+ $(,)?) => { $( #[cfg(target_arch = "wasm32")] pub mod $module; )+ };
}

browser_only!(
    anomaly,
    compare,
    completion,
    draw,
    explorer,
    export,
    interpolation,
    kl_per_dim,
    latent_map,
    lesson,
    loss_chart,
    samples,
    settings,
    settings_form,
    sliders,
    tour,
    training,
    transfer,
    traversals,
);
