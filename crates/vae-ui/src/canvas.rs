//! Canvas drawing shared by the panels: crisp charts at device resolution, pictures scaled up
//! without smoothing, a message in place of a picture, and the posterior as μ ± 2σ bars.
use crate::dom::{context, el};
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

pub const RECON: &str = "#2f6fdf";
pub const KL: &str = "#e0792b";
pub const GRID: &str = "#e6e9f0";
pub const TEXT: &str = "#5d6678";

/// A 2D context whose drawing units are CSS pixels, at the screen's full resolution.
/// Returns it with the canvas's CSS width and height.
/// None while the canvas is not laid out (its section is hidden): its panel redraws it when the
/// section opens, at the size it then has.
pub fn crisp_context(canvas: &HtmlCanvasElement) -> Option<(CanvasRenderingContext2d, f64, f64)> {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    if canvas.client_width() == 0 {
        return None;
    }
    let (w, h) = (canvas.client_width() as f64, canvas.client_height().max(1) as f64);
    let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let ctx = context(canvas)?;
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    Some((ctx, w, h))
}

pub fn dash(ctx: &CanvasRenderingContext2d, pattern: &[f64]) {
    let array = js_sys::Array::new();
    for &p in pattern {
        array.push(&JsValue::from_f64(p));
    }
    let _ = ctx.set_line_dash(&array);
}

/// Draws RGBA pixels into a canvas whose backing size becomes the image's (CSS scales it up).
pub fn draw_rgba(canvas_id: &str, width: usize, height: usize, rgba: &[u8]) {
    let canvas: HtmlCanvasElement = el(canvas_id);
    if canvas.width() as usize != width || canvas.height() as usize != height {
        canvas.set_width(width as u32);
        canvas.set_height(height as u32);
    }
    let _ = canvas.remove_attribute("data-empty");
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width as u32, height as u32);
    if let (Ok(image), Some(ctx)) = (image, context(&canvas)) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

/// An RGBA picture as a canvas of its own, for `drawImage` (which scales; putImageData does not).
pub fn picture(width: usize, height: usize, rgba: &[u8]) -> Option<HtmlCanvasElement> {
    let canvas: HtmlCanvasElement = crate::dom::document().create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width as u32, height as u32).ok()?;
    context(&canvas)?.put_image_data(&image, 0.0, 0.0).ok()?;
    Some(canvas)
}

/// A picture across the full width of its canvas, the canvas as tall as the picture's aspect
/// asks, pixels kept sharp.
pub fn draw_full_width(canvas_id: &str, width: usize, height: usize, rgba: &[u8]) {
    let canvas: HtmlCanvasElement = el(canvas_id);
    let css_w = canvas.client_width().max(200) as f64;
    let _ = canvas.style().set_property("height", &format!("{:.0}px", css_w * height as f64 / width as f64));
    let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
    let _ = canvas.remove_attribute("data-empty");
    if let Some(pic) = picture(width, height, rgba) {
        ctx.set_image_smoothing_enabled(false);
        ctx.clear_rect(0.0, 0.0, w, h);
        let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&pic, 0.0, 0.0, w, h);
    }
}

/// Says in the canvas's place why it has nothing to show (e.g. "needs 2 latent dimensions").
pub fn message(canvas_id: &str, text: &str) {
    let canvas: HtmlCanvasElement = el(canvas_id);
    let _ = canvas.set_attribute("data-empty", text);
    draw_message(&canvas, text);
}

/// Draws again the messages of the canvases in `container` that have nothing to show (they
/// were hidden, so unsized, when their message was set).
pub fn redraw_messages(container: &web_sys::Element) {
    let Ok(list) = container.query_selector_all("canvas[data-empty]") else { return };
    for i in 0..list.length() {
        if let Some(canvas) = list.item(i).and_then(|n| n.dyn_into::<HtmlCanvasElement>().ok()) {
            draw_message(&canvas, &canvas.get_attribute("data-empty").unwrap_or_default());
        }
    }
}

/// The message is kept in English (`data-empty`) and drawn in the page's language.
fn draw_message(canvas: &HtmlCanvasElement, english: &str) {
    let text = &crate::language::t(english);
    let Some((ctx, w, h)) = crisp_context(canvas) else { return };
    ctx.set_fill_style_str("#f3f5f9");
    ctx.fill_rect(0.0, 0.0, w, h);
    ctx.set_fill_style_str(TEXT);
    ctx.set_font("14px system-ui, sans-serif");
    ctx.set_text_align("center");
    let lines = wrap(text, ((w / 7.5) as usize).max(12));
    let mut y = h / 2.0 - 9.0 * (lines.len() as f64 - 1.0);
    for line in lines {
        let _ = ctx.fill_text(&line, w / 2.0, y);
        y += 18.0;
    }
    ctx.set_text_align("start");
}

/// Lines of at most `width` units: a Latin letter is one, a CJK character (no spaces between
/// words) two, and a word too long for a line is broken between characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let units = |s: &str| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line");
        if line.is_empty() || units(line) + units(word) < width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(word.to_string());
        }
        // Break what is still too long (a CJK sentence is one "word").
        while units(lines.last().expect("one line")) > width {
            let last = lines.pop().expect("one line");
            let (mut head, mut used) = (String::new(), 0);
            let mut chars = last.chars().peekable();
            while let Some(&c) = chars.peek() {
                let u = if c.is_ascii() { 1 } else { 2 };
                if used + u > width {
                    break;
                }
                head.push(c);
                used += u;
                chars.next();
            }
            lines.push(head);
            lines.push(chars.collect());
        }
    }
    lines
}

/// The posterior q(z|x) of one image: per dimension a bar μ ± 2σ and a dot at μ, over the
/// prior's ±2 band in grey. Dimensions are columns; the y axis is z from −4 to 4.
pub fn draw_posterior(canvas_id: &str, mu: &[f32], log_var: &[f32]) {
    let canvas: HtmlCanvasElement = el(canvas_id);
    let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
    ctx.clear_rect(0.0, 0.0, w, h);
    let (left, bottom, top) = (28.0, 18.0, 8.0);
    let y = |z: f64| top + (h - top - bottom) * (4.0 - z.clamp(-4.0, 4.0)) / 8.0;
    ctx.set_fill_style_str("#eceef3");
    ctx.fill_rect(left, y(2.0), w - left, y(-2.0) - y(2.0));
    ctx.set_font("10px system-ui, sans-serif");
    ctx.set_fill_style_str(TEXT);
    for z in [-4, -2, 0, 2, 4] {
        let _ = ctx.fill_text(&z.to_string(), 4.0, y(z as f64) + 3.0);
    }
    ctx.set_stroke_style_str("#c5cad6");
    ctx.begin_path();
    ctx.move_to(left, y(0.0));
    ctx.line_to(w, y(0.0));
    ctx.stroke();
    let n = mu.len().max(1);
    let col = (w - left) / n as f64;
    for (d, (&m, &lv)) in mu.iter().zip(log_var).enumerate() {
        let (m, sigma) = (m as f64, (0.5 * lv as f64).exp());
        let cx = left + col * (d as f64 + 0.5);
        let bar = (col * 0.5).clamp(2.0, 14.0);
        ctx.set_fill_style_str("rgba(47, 111, 223, 0.35)");
        ctx.fill_rect(cx - bar / 2.0, y(m + 2.0 * sigma), bar, y(m - 2.0 * sigma) - y(m + 2.0 * sigma));
        ctx.set_fill_style_str(RECON);
        ctx.begin_path();
        let _ = ctx.arc(cx, y(m), 3.0, 0.0, std::f64::consts::TAU);
        ctx.fill();
        // Label every dimension when there is room, else every 2nd or 4th.
        let every = if col >= 16.0 { 1 } else if col >= 8.0 { 2 } else { 4 };
        if d % every == 0 {
            ctx.set_fill_style_str(TEXT);
            let _ = ctx.fill_text(&(d + 1).to_string(), cx - 4.0, h - 4.0);
        }
    }
}
