//! Small helpers over web-sys: find an element by id, read and write it, listen to it.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlElement};

pub fn document() -> Document {
    web_sys::window().expect("a window").document().expect("a document")
}

/// The element with this id, as type T. The markup in www/index.html has every id the code uses.
pub fn el<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("index.html has no #{id}"))
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("#{id} is not the expected kind of element"))
}

pub fn set_text(id: &str, text: &str) {
    el::<HtmlElement>(id).set_text_content(Some(text));
}

/// An error in `#error`, in the page's language (the worker's and the page's messages alike).
pub fn show_error(message: &str) {
    set_text("error", &crate::language::message(message));
}

pub fn set_disabled(id: &str, disabled: bool) {
    let _ = el::<HtmlElement>(id).toggle_attribute_with_force("disabled", disabled);
}

/// Calls `f` on every `event` of element `id`, for the page's lifetime.
pub fn listen(id: &str, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    let _ = el::<HtmlElement>(id).add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Reads a file the user picked.
pub async fn read_file(file: &web_sys::File) -> Result<js_sys::ArrayBuffer, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.map_err(|e| format!("{}: {e:?}", file.name()))?;
    buffer.dyn_into().map_err(|_| "the file gave no bytes".to_string())
}

/// Offers bytes as a download.
pub fn download(bytes: &[u8], file_name: &str) -> Result<(), JsValue> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document().create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}

pub fn context(canvas: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into().ok())
}

/// performance.now(), in milliseconds.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}
