//! Style transfer with a conditional VAE: each row is an image, then its code decoded with every
//! class. Without a conditional model the panel says how to get one, with a button for it.
use crate::canvas::message;
use crate::dom::{el, listen};
use web_sys::{HtmlElement, HtmlInputElement};

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
        crate::canvas::draw_full_width("style-transfer", width, height, rgba);
    }
}
