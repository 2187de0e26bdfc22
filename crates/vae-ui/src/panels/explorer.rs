//! Decode any z: one slider per latent dimension and the decoded image; and the posterior of one
//! held-out image, whose μ the sliders can move to. The latent map's clicks land here too.
use super::sliders::{self, SliderState};
use crate::canvas::{draw_posterior, draw_rgba};
use crate::ctx::Ctx;
use crate::dom::{el, listen, now_ms};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use vae_protocol::{Command, Settings, View};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

pub struct Explorer {
    ctx: Rc<Ctx>,
    sliders: RefCell<SliderState>,
    /// Set by a request that moves the sliders (a click, a new model) until its Posterior arrives;
    /// the periodic refreshes in between only redraw the chart.
    moves_sliders: Cell<Option<u32>>,
    /// The sliders sit at the chosen image's μ and follow it while the model trains, until the
    /// student moves them (or picks a point on the map).
    follows_image: Cell<bool>,
    /// The posterior request in flight, so refreshes do not pile up behind a slow worker.
    posterior_in_flight: Cell<Option<u32>>,
    on_input: js_sys::Function,
}

impl Explorer {
    pub fn new(ctx: Rc<Ctx>) -> Rc<Self> {
        let panel = Rc::new_cyclic(|weak: &std::rc::Weak<Explorer>| {
            let w = weak.clone();
            let closure = Closure::<dyn Fn()>::new(move || {
                if let Some(p) = w.upgrade() {
                    p.follows_image.set(false);
                    p.decode_sliders();
                }
            });
            let on_input: js_sys::Function = closure.as_ref().clone().unchecked_into();
            closure.forget(); // the sliders' handler lives as long as the page
            Self { ctx, sliders: RefCell::default(), moves_sliders: Cell::new(None), follows_image: Cell::new(true), posterior_in_flight: Cell::new(None), on_input }
        });
        let p = panel.clone();
        listen("encode", "click", move |_| p.encode_selected(true));
        let p = panel.clone();
        listen("decode-class", "change", move |_| {
            p.decode_sliders();
            p.ctx.views_changed();
        });
        let p = panel.clone();
        listen("zero-sliders", "click", move |_| {
            p.move_to(&vec![0.0; sliders::values().len()]);
        });
        panel
    }

    /// A new model: sliders for its latent size, a class selector for a conditional model, and
    /// the sliders at the μ of the chosen held-out image.
    pub fn on_model(&self, settings: &Settings, num_classes: usize, held_out_len: usize) {
        let class_select: HtmlSelectElement = el("decode-class");
        class_select.set_inner_html("");
        let classes = if settings.conditional { num_classes } else { 0 };
        for c in 0..classes {
            if let Ok(o) = web_sys::HtmlOptionElement::new_with_text_and_value(&c.to_string(), &c.to_string()) {
                let _ = class_select.add_with_html_option_element(&o);
            }
        }
        class_select.set_hidden(classes == 0);
        el::<HtmlElement>("decode-class-label").set_hidden(classes == 0);
        el::<HtmlInputElement>("encode-index").set_max(&held_out_len.saturating_sub(1).to_string());
        sliders::build(settings.latent_dim, &self.on_input);
        *self.sliders.borrow_mut() = SliderState::default();
        self.posterior_in_flight.set(None);
        self.encode_selected(true);
    }

    /// The model changed (training): redraw the decoded image and the posterior chart.
    pub fn refresh(&self) {
        self.decode_sliders();
        if self.posterior_in_flight.get().is_none() {
            self.encode_selected(false);
        }
    }

    pub fn class(&self) -> u8 {
        el::<HtmlSelectElement>("decode-class").value().parse().unwrap_or(0)
    }

    pub fn held_out_index(&self) -> usize {
        el::<HtmlInputElement>("encode-index").value().parse().unwrap_or(0)
    }

    pub fn on_image(&self, view: View, request: Option<u32>, width: usize, height: usize, rgba: &[u8]) {
        match view {
            View::Decoded => {
                draw_rgba("decoded", width, height, rgba);
                let sent = self.sliders.borrow().sent_at;
                let _ = el::<HtmlElement>("decoded").set_attribute("data-decode-ms", &format!("{:.2}", now_ms() - sent));
                if request == Some(self.sliders.borrow().request) && self.sliders.borrow_mut().answered() {
                    self.send_decode();
                }
            }
            _ => draw_rgba("input-image", width, height, rgba),
        }
    }

    pub fn on_posterior(&self, request: u32, mu: &[f32], log_var: &[f32]) {
        if self.posterior_in_flight.get() == Some(request) {
            self.posterior_in_flight.set(None);
        }
        draw_posterior("posterior", mu, log_var);
        if self.moves_sliders.get() == Some(request) {
            self.moves_sliders.set(None);
            self.follows_image.set(true);
        }
        if self.follows_image.get() {
            sliders::set_values(mu);
            self.decode_sliders();
        }
    }

    /// Sliders to a z the student chose (a map point, all to 0), and decode there; they stop
    /// following the image.
    pub fn move_to(&self, z: &[f32]) {
        self.follows_image.set(false);
        sliders::set_values(z);
        self.decode_sliders();
    }

    /// A request failed: stop waiting for it.
    pub fn on_refused(&self, request: u32) {
        if self.sliders.borrow().request == request && self.sliders.borrow().in_flight && self.sliders.borrow_mut().answered() {
            self.send_decode();
        }
        if self.posterior_in_flight.get() == Some(request) {
            self.posterior_in_flight.set(None);
        }
    }

    fn decode_sliders(&self) {
        if self.sliders.borrow_mut().want_decode() {
            self.send_decode();
        }
    }

    fn send_decode(&self) {
        let request = self.ctx.request();
        {
            let mut s = self.sliders.borrow_mut();
            s.sent_at = now_ms();
            s.request = request;
        }
        self.ctx.send(&Command::Decode { generation: self.ctx.generation(), request, z: sliders::values(), class: self.class() });
    }

    fn encode_selected(&self, move_sliders: bool) {
        let request = self.ctx.request();
        if move_sliders {
            self.moves_sliders.set(Some(request));
        }
        self.posterior_in_flight.set(Some(request));
        self.ctx.send(&Command::Encode { generation: self.ctx.generation(), request, index: self.held_out_index() });
    }
}
