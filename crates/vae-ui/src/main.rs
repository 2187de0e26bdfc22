//! vae-ui: the page's main thread. It draws what the worker sends and sends what the student does.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
/// Modules that touch the DOM build for the browser only; `panels` holds both kinds.
macro_rules! browser_only {
    ($($module:ident),+ $(,)?) => { $( #[cfg(target_arch = "wasm32")] mod $module; )+ };
}

browser_only!(app, canvas, ctx, dom, language, link, own_images, saved);
mod i18n;
mod image_header;
mod panels;

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        console_error_panic_hook::set_once();
        if let Err(e) = app::start() {
            dom::show_error(&format!("The page could not start: {e:?}"));
        }
    }
}
