//! vae-ui: the page's main thread. It draws what the worker sends and sends what the student does.
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod chart;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod form;
#[cfg(target_arch = "wasm32")]
mod link;
#[cfg(target_arch = "wasm32")]
mod sliders;
mod history;

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        console_error_panic_hook::set_once();
        if let Err(e) = app::start() {
            dom::show_error(&format!("The page could not start: {e:?}"));
        }
    }
}
