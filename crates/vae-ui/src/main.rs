//! vae-ui: the page's main thread. It draws what the worker sends and sends what the student does.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod canvas;
#[cfg(target_arch = "wasm32")]
mod ctx;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod link;
mod panels;
#[cfg(target_arch = "wasm32")]
mod saved;

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        console_error_panic_hook::set_once();
        if let Err(e) = app::start() {
            dom::show_error(&format!("The page could not start: {e:?}"));
        }
    }
}
