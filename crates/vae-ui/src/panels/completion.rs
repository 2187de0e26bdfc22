//! Image completion: choose an image (held-out or the drawing) and what to hide (a preset or a
//! painted mask); the worker fills it with several chains and reports the masked-pixel error of
//! their average against filling with the mean image.
use crate::canvas::{message, picture};
use crate::ctx::Ctx;
use crate::dom::{context, el, listen, set_disabled, set_text};
use crate::panels::latent_map::HeldOut;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use vae_protocol::{Anchor, Command, Mask};
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement, PointerEvent};

/// Completions per request: enough to see the variety, few enough to stay quick.
const CHAINS: usize = 8;
/// The mask's grid is the model's image side (28 for every shipped dataset and every import).
use crate::own_images::SIDE;

pub struct Completion {
    ctx: Rc<Ctx>,
    held_out: Rc<RefCell<HeldOut>>,
    /// The painted mask, one flag per pixel, true where hidden.
    painted: RefCell<Vec<bool>>,
    painting: Cell<Option<bool>>,
    waiting: Cell<Option<u32>>,
}

impl Completion {
    pub fn new(ctx: Rc<Ctx>, held_out: Rc<RefCell<HeldOut>>) -> Rc<Self> {
        message("completion", "Choose an image and what to hide, then press Complete.");
        let panel = Rc::new(Self { ctx, held_out, painted: RefCell::new(vec![false; SIDE * SIDE]), painting: Cell::new(None), waiting: Cell::new(None) });
        let p = panel.clone();
        listen("complete", "click", move |_| p.complete());
        let p = panel.clone();
        listen("mask-preset", "change", move |_| p.show_painter());
        for id in ["completion-index", "completion-drawn"] {
            let p = panel.clone();
            listen(id, "change", move |_| p.draw_mask());
        }
        let p = panel.clone();
        listen("mask-paint", "pointerdown", move |e| p.paint(e.unchecked_ref(), true));
        let p = panel.clone();
        listen("mask-paint", "pointermove", move |e| p.paint(e.unchecked_ref(), false));
        for end in ["pointerup", "pointercancel", "pointerleave"] {
            let p = panel.clone();
            listen("mask-paint", end, move |_| p.painting.set(None));
        }
        let p = panel.clone();
        listen("mask-clear", "click", move |_| {
            p.painted.borrow_mut().fill(false);
            p.draw_mask();
        });
        panel
    }

    pub fn on_model(&self, held_out_len: usize) {
        el::<HtmlInputElement>("completion-index").set_max(&held_out_len.saturating_sub(1).to_string());
        self.waiting.set(None);
        set_disabled("complete", false);
        self.draw_mask();
    }

    fn source(&self) -> Anchor {
        if el::<HtmlInputElement>("completion-drawn").checked() {
            Anchor::Drawn
        } else {
            Anchor::HeldOut(el::<HtmlInputElement>("completion-index").value().parse().unwrap_or(0))
        }
    }

    fn complete(&self) {
        let preset = el::<HtmlSelectElement>("mask-preset").value();
        let mask = if preset == "paint" { Mask::Painted(self.painted.borrow().clone()) } else { Mask::Preset(preset) };
        let iterations = el::<HtmlInputElement>("completion-iterations").value().parse::<usize>().unwrap_or(20).clamp(1, 100);
        el::<HtmlInputElement>("completion-iterations").set_value(&iterations.to_string());
        let request = self.ctx.request();
        self.waiting.set(Some(request));
        set_disabled("complete", true);
        set_text("completion-error", &crate::language::t("Completing…"));
        self.ctx.send(&Command::Complete { generation: self.ctx.generation(), request, source: self.source(), mask, iterations, chains: CHAINS });
    }

    pub fn on_image(&self, request: Option<u32>, width: usize, height: usize, rgba: &[u8]) {
        if request.is_none() || request != self.waiting.get() {
            return;
        }
        crate::canvas::draw_full_width("completion", width, height, rgba);
    }

    pub fn on_completed(&self, request: u32, iterations: usize, chains: usize, error: f32, mean_fill_error: f32) {
        if Some(request) != self.waiting.take() {
            return;
        }
        set_disabled("complete", false);
        use crate::language::t_fill;
        // Two whole sentences, so each language can order its words.
        let english = if error < mean_fill_error {
            "After N = {n} rounds: squared error on the hidden pixels {error} for the average of the {chains} chains, {mean_fill} for the mean image — {percent} % lower than filling with the mean image."
        } else {
            "After N = {n} rounds: squared error on the hidden pixels {error} for the average of the {chains} chains, {mean_fill} for the mean image — no better than filling with the mean image."
        };
        let values = [
            ("n", iterations.to_string()),
            ("error", format!("{error:.4}")),
            ("chains", chains.to_string()),
            ("mean_fill", format!("{mean_fill_error:.4}")),
            ("percent", format!("{:.0}", 100.0 * (1.0 - error / mean_fill_error))),
        ];
        set_text("completion-error", &t_fill(english, &values));
        let e: HtmlElement = el("completion-error");
        let _ = e.set_attribute("data-error", &error.to_string());
        let _ = e.set_attribute("data-mean-fill-error", &mean_fill_error.to_string());
    }

    /// A refused request (no drawing yet, nothing painted) frees the button.
    pub fn on_refused(&self, request: u32) {
        if self.waiting.get() == Some(request) {
            self.waiting.set(None);
            set_disabled("complete", false);
            set_text("completion-error", "");
        }
    }

    fn show_painter(&self) {
        let paint = el::<HtmlSelectElement>("mask-preset").value() == "paint";
        el::<HtmlElement>("mask-painter").set_hidden(!paint);
        if paint {
            self.draw_mask();
        }
    }

    fn paint(&self, e: &PointerEvent, start: bool) {
        let canvas: HtmlCanvasElement = el("mask-paint");
        if start {
            e.prevent_default();
            let _ = canvas.set_pointer_capture(e.pointer_id());
            let rect = canvas.get_bounding_client_rect();
            let i = Self::cell(e, &rect);
            // Starting on a hidden pixel erases; elsewhere the brush hides.
            self.painting.set(Some(!i.is_some_and(|i| self.painted.borrow()[i])));
        }
        let Some(hide) = self.painting.get() else { return };
        let rect = canvas.get_bounding_client_rect();
        if let Some(i) = Self::cell(e, &rect) {
            let mut painted = self.painted.borrow_mut();
            // A 2 × 2 brush: one pixel alone is too fine to aim at.
            let (x, y) = (i % SIDE, i / SIDE);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                if x + dx < SIDE && y + dy < SIDE {
                    painted[(y + dy) * SIDE + x + dx] = hide;
                }
            }
        }
        self.draw_mask();
    }

    fn cell(e: &PointerEvent, rect: &web_sys::DomRect) -> Option<usize> {
        let x = ((e.client_x() as f64 - rect.left()) / rect.width().max(1.0) * SIDE as f64).floor();
        let y = ((e.client_y() as f64 - rect.top()) / rect.height().max(1.0) * SIDE as f64).floor();
        ((0.0..SIDE as f64).contains(&x) && (0.0..SIDE as f64).contains(&y)).then(|| y as usize * SIDE + x as usize)
    }

    /// The painter: the chosen held-out image (when the page has it) under the painted mask.
    fn draw_mask(&self) {
        let canvas: HtmlCanvasElement = el("mask-paint");
        canvas.set_width(SIDE as u32);
        canvas.set_height(SIDE as u32);
        let Some(ctx) = context(&canvas) else { return };
        ctx.set_fill_style_str("#000");
        ctx.fill_rect(0.0, 0.0, SIDE as f64, SIDE as f64);
        if let Anchor::HeldOut(i) = self.source() {
            let held_out = self.held_out.borrow();
            if held_out.width == SIDE && held_out.height == SIDE && (i + 1) * SIDE * SIDE * 4 <= held_out.rgba.len() {
                let image = &held_out.rgba[i * SIDE * SIDE * 4..(i + 1) * SIDE * SIDE * 4];
                if let Some(pic) = picture(SIDE, SIDE, image) {
                    let _ = ctx.draw_image_with_html_canvas_element(&pic, 0.0, 0.0);
                }
            }
        }
        ctx.set_fill_style_str("rgba(70, 110, 200, 0.85)");
        for (i, _) in self.painted.borrow().iter().enumerate().filter(|(_, h)| **h) {
            ctx.fill_rect((i % SIDE) as f64, (i / SIDE) as f64, 1.0, 1.0);
        }
    }
}
