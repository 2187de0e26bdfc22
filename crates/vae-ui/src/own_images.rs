//! Your own pictures as a dataset: the browser's own decoders read each PNG or JPEG, crop its
//! centre square and resize it to 28 × 28; the worker turns the pixels into a dataset. The
//! files never leave the browser.
use crate::dom::{context, document, read_file};
use crate::image_header::dimensions;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlCanvasElement, ImageBitmap, ImageBitmapOptions, ResizeQuality};

/// The side every picture is resized to (MNIST's).
pub const SIDE: usize = 28;
const MAX_SIDE: usize = 8192;
const MAX_IMAGES: usize = 60_000;

/// A file's path for its label: the folder it was chosen in, else its name.
pub fn path_of(file: &File) -> String {
    let relative = js_sys::Reflect::get(file, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    if relative.is_empty() { file.name() } else { relative }
}

/// Every file as `SIDE` × `SIDE` RGBA, one after another, with their paths; the first bad file
/// stops the import with a message naming it.
pub async fn read_all(files: &[File]) -> Result<(Vec<String>, Vec<u8>), String> {
    if files.is_empty() {
        return Err("no images were chosen".into());
    }
    if files.len() > MAX_IMAGES {
        return Err(format!("{} images: at most {MAX_IMAGES} are taken at once", files.len()));
    }
    let canvas: HtmlCanvasElement = document().create_element("canvas").map_err(|e| format!("{e:?}"))?.unchecked_into();
    canvas.set_width(SIDE as u32);
    canvas.set_height(SIDE as u32);
    let ctx = context(&canvas).ok_or("no 2d canvas")?;
    let mut rgba = Vec::with_capacity(files.len() * SIDE * SIDE * 4);
    let mut paths = Vec::with_capacity(files.len());
    for file in files {
        let path = path_of(file);
        let buffer: js_sys::ArrayBuffer = read_file(file).await?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let (width, height) = dimensions(&bytes).ok_or_else(|| format!("{path} is not a PNG or JPEG image"))?;
        if width == 0 || height == 0 {
            return Err(format!("{path} is an image of 0 × 0 pixels"));
        }
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(format!("{path} is {width} × {height} pixels; images up to {MAX_SIDE} × {MAX_SIDE} are taken"));
        }
        // The centre square, resized by the browser with its best filter.
        let crop = width.min(height);
        let options = ImageBitmapOptions::new();
        options.set_resize_width(SIDE as u32);
        options.set_resize_height(SIDE as u32);
        options.set_resize_quality(ResizeQuality::High);
        let window = web_sys::window().ok_or("no window")?;
        let (sx, sy) = (((width - crop) / 2) as i32, ((height - crop) / 2) as i32);
        let promise = window
            .create_image_bitmap_with_blob_and_a_sx_and_a_sy_and_a_sw_and_a_sh_and_a_options(file, sx, sy, crop as i32, crop as i32, &options)
            .map_err(|_| format!("{path} could not be decoded"))?;
        let bitmap: ImageBitmap = JsFuture::from(promise).await.map_err(|_| format!("{path} could not be decoded as an image"))?.unchecked_into();
        ctx.clear_rect(0.0, 0.0, SIDE as f64, SIDE as f64);
        ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0).map_err(|e| format!("{path}: {e:?}"))?;
        bitmap.close();
        let data = ctx.get_image_data(0.0, 0.0, SIDE as f64, SIDE as f64).map_err(|e| format!("{path}: {e:?}"))?;
        rgba.extend_from_slice(&data.data());
        paths.push(path);
    }
    Ok((paths, rgba))
}
