//! Samples from the prior at a chosen temperature, and held-out reconstructions.
use crate::canvas::draw_rgba;
use crate::ctx::Ctx;
use crate::dom::{el, listen, set_text};
use std::cell::Cell;
use std::rc::Rc;
use vae_protocol::{Command, View};
use web_sys::{HtmlElement, HtmlInputElement};

pub struct Samples {
    temperature: Cell<f32>,
}

impl Samples {
    pub fn new(ctx: Rc<Ctx>) -> Rc<Self> {
        let panel = Rc::new(Self { temperature: Cell::new(1.0) });
        let c = ctx.clone();
        listen("resample", "click", move |_| c.send(&Command::Resample));
        let p = panel.clone();
        listen("temperature", "input", move |_| {
            let t = el::<HtmlInputElement>("temperature").value().parse().unwrap_or(1.0);
            p.temperature.set(t);
            set_text("temperature-out", &format!("{t:.1}"));
            ctx.views_changed();
        });
        panel
    }

    pub fn temperature(&self) -> f32 {
        self.temperature.get()
    }

    pub fn on_image(&self, view: View, width: usize, height: usize, rgba: &[u8]) {
        let canvas = if view == View::Samples { "samples" } else { "reconstructions" };
        draw_rgba(canvas, width, height, rgba);
        if view == View::Samples {
            // For the benchmark: when the first samples appeared.
            let drawn: HtmlElement = el("samples");
            if !drawn.has_attribute("data-first-ms") {
                let _ = drawn.set_attribute("data-first-ms", &format!("{:.1}", crate::dom::now_ms()));
            }
        }
    }
}
