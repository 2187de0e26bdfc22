//! Style transfer with a conditional VAE: each row is an image, then its code decoded with every
//! class. Without a conditional model the panel says how to get one, with a button for it.
use crate::canvas::{crisp_context, message, picture};
use crate::dom::{el, listen};
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement};

pub struct Transfer;

impl Transfer {
    pub fn new() -> Self {
        // One click: tick the form's conditional box and let the settings panel rebuild.
        listen("make-conditional", "click", |_| {
            let conditional: HtmlInputElement = el("conditional");
            conditional.set_checked(true);
            if let Ok(e) = web_sys::Event::new("change") {
                let _ = conditional.dispatch_event(&e);
            }
        });
        Self
    }

    pub fn on_model(&self, conditional: bool) {
        el::<HtmlElement>("make-conditional").set_hidden(conditional);
        if conditional {
            message("style-transfer", "Each held-out image, then its z decoded with every class, appears here.");
        } else {
            message(
                "style-transfer",
                "Style transfer needs a conditional VAE, which is told each image's class. Switch one on below (or tick “Conditional” in the settings) and train it.",
            );
        }
    }

    pub fn on_image(&self, width: usize, height: usize, rgba: &[u8]) {
        let canvas: HtmlCanvasElement = el("style-transfer");
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
}
