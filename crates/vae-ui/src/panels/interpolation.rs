//! Interpolation between the codes of two images (held-out, or the drawing): the straight line
//! above the great circle.
use crate::canvas::{crisp_context, message, picture, TEXT};
use crate::ctx::Ctx;
use crate::dom::{el, listen};
use std::rc::Rc;
use vae_protocol::Anchor;
use web_sys::{HtmlCanvasElement, HtmlInputElement};

const LABELS: f64 = 70.0;

pub struct Interpolation;

impl Interpolation {
    pub fn new(ctx: Rc<Ctx>) -> Self {
        message("interpolation", "Pick two held-out images above; the path between their codes appears here.");
        for id in ["interp-a", "interp-b", "interp-drawn"] {
            let c = ctx.clone();
            listen(id, "change", move |_| c.views_changed());
        }
        Self
    }

    pub fn on_model(&self, held_out_len: usize) {
        for id in ["interp-a", "interp-b"] {
            el::<HtmlInputElement>(id).set_max(&held_out_len.saturating_sub(1).to_string());
        }
    }

    pub fn anchors(&self) -> [Anchor; 2] {
        let index = |id: &str| Anchor::HeldOut(el::<HtmlInputElement>(id).value().parse().unwrap_or(0));
        let to = if el::<HtmlInputElement>("interp-drawn").checked() { Anchor::Drawn } else { index("interp-b") };
        [index("interp-a"), to]
    }

    pub fn on_image(&self, width: usize, height: usize, rgba: &[u8]) {
        let canvas: HtmlCanvasElement = el("interpolation");
        let css_w = canvas.client_width().max(200) as f64;
        let css_h = (css_w - LABELS) * height as f64 / width as f64;
        let _ = canvas.style().set_property("height", &format!("{css_h:.0}px"));
        let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
        let _ = canvas.remove_attribute("data-empty");
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, w, h);
        if let Some(pic) = picture(width, height, rgba) {
            ctx.set_image_smoothing_enabled(false);
            let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&pic, LABELS, 0.0, w - LABELS, h);
        }
        ctx.set_fill_style_str(TEXT);
        ctx.set_font("12px system-ui, sans-serif");
        let _ = ctx.fill_text(&crate::language::t("linear"), 4.0, h * 0.25 + 4.0);
        let _ = ctx.fill_text(&crate::language::t("spherical"), 4.0, h * 0.75 + 4.0);
    }
}
