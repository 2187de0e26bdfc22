//! Draw your own: a pad for mouse, pen and touch. Each finished stroke goes to the worker, which
//! preprocesses it as MNIST digits were and encodes it: its posterior, its reconstruction,
//! decodes of z ~ q(z|x), its −ELBO and its point on the latent map come back.
use crate::canvas::{draw_posterior, draw_rgba, message};
use crate::ctx::Ctx;
use crate::dom::{context, el, listen, set_text};
use std::cell::Cell;
use std::rc::Rc;
use vae_protocol::{Command, View};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlInputElement, PointerEvent};

/// The pad's backing store: the pointer's CSS pixels map 1:1 on a 280 × 280 pad.
const PAD: u32 = 280;

pub struct Draw {
    ctx: Rc<Ctx>,
    drawing: Cell<bool>,
    last: Cell<(f64, f64)>,
    /// Something is on the pad that the worker has not seen yet.
    pending: Cell<bool>,
    /// The held-out set's average −ELBO, to say how typical the drawing is.
    typical: Cell<Option<f32>>,
}

impl Draw {
    pub fn new(ctx: Rc<Ctx>) -> Rc<Self> {
        let panel = Rc::new(Self { ctx, drawing: Cell::new(false), last: Cell::new((0.0, 0.0)), pending: Cell::new(false), typical: Cell::new(None) });
        panel.clear();
        message("draw-recon", "–");
        message("posterior-samples", "Draw on the pad first.");
        message("draw-posterior", "Your drawing's posterior q(z|x) appears here.");
        let p = panel.clone();
        listen("draw-pad", "pointerdown", move |e| p.down(e.unchecked_ref()));
        let p = panel.clone();
        listen("draw-pad", "pointermove", move |e| p.move_to(e.unchecked_ref()));
        for end in ["pointerup", "pointercancel", "pointerleave"] {
            let p = panel.clone();
            listen("draw-pad", end, move |_| p.up());
        }
        let p = panel.clone();
        listen("draw-clear", "click", move |_| p.clear());
        panel
    }

    fn pad() -> (HtmlCanvasElement, CanvasRenderingContext2d) {
        let canvas: HtmlCanvasElement = el("draw-pad");
        let ctx = context(&canvas).expect("a 2d context");
        (canvas, ctx)
    }

    fn point(e: &PointerEvent) -> (f64, f64) {
        let (canvas, _) = Self::pad();
        let rect = canvas.get_bounding_client_rect();
        let sx = PAD as f64 / rect.width().max(1.0);
        ((e.client_x() as f64 - rect.left()) * sx, (e.client_y() as f64 - rect.top()) * sx)
    }

    fn down(&self, e: &PointerEvent) {
        e.prevent_default();
        let (canvas, _) = Self::pad();
        let _ = canvas.set_pointer_capture(e.pointer_id());
        self.drawing.set(true);
        self.last.set(Self::point(e));
        self.move_to(e);
    }

    fn move_to(&self, e: &PointerEvent) {
        if !self.drawing.get() {
            return;
        }
        let (_, ctx) = Self::pad();
        let brush: f64 = el::<HtmlInputElement>("draw-brush").value().parse().unwrap_or(20.0);
        let (x0, y0) = self.last.get();
        let (x, y) = Self::point(e);
        ctx.set_stroke_style_str("#fff");
        ctx.set_line_width(brush);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        ctx.begin_path();
        ctx.move_to(x0, y0);
        ctx.line_to(x, y);
        ctx.stroke();
        self.last.set((x, y));
        self.pending.set(true);
    }

    /// A stroke ended: send the pad (its red channel: ink is white on black).
    fn up(&self) {
        self.drawing.set(false);
        if !self.pending.replace(false) {
            return;
        }
        let (_, ctx) = Self::pad();
        let Ok(data) = ctx.get_image_data(0.0, 0.0, PAD as f64, PAD as f64) else { return };
        let ink: Vec<u8> = data.data().0.chunks(4).map(|p| p[0]).collect();
        let buffer = js_sys::Uint8Array::from(ink.as_slice()).buffer();
        let request = self.ctx.request();
        crate::link::post(&self.ctx.worker(), &Command::Draw { request, width: PAD as usize, height: PAD as usize }, Some(&buffer));
    }

    fn clear(&self) {
        let (canvas, ctx) = Self::pad();
        canvas.set_width(PAD);
        canvas.set_height(PAD);
        ctx.set_fill_style_str("#000");
        ctx.fill_rect(0.0, 0.0, PAD as f64, PAD as f64);
        self.pending.set(false);
    }

    /// The held-out figures of the latest evaluation (β = 1 ELBO, to compare the drawing with).
    pub fn set_typical(&self, neg_elbo: f32) {
        self.typical.set(Some(neg_elbo));
    }

    pub fn on_image(&self, view: View, width: usize, height: usize, rgba: &[u8]) {
        let canvas = if view == View::DrawRecon { "draw-recon" } else { "posterior-samples" };
        draw_rgba(canvas, width, height, rgba);
    }

    pub fn on_drawn(&self, mu: &[f32], log_var: &[f32], neg_elbo: f32) {
        draw_posterior("draw-posterior", mu, log_var);
        use crate::language::t_fill;
        let verdict = match self.typical.get() {
            Some(t) if neg_elbo <= t * 1.2 => t_fill(" — about as typical as the held-out images ({average} on average)", &[("average", format!("{t:.0}"))]),
            Some(t) if neg_elbo <= t * 2.0 => t_fill(" — less typical than the held-out images ({average} on average)", &[("average", format!("{t:.0}"))]),
            Some(t) => t_fill(" — unlike what the model was trained on (held-out images average {average})", &[("average", format!("{t:.0}"))]),
            None => String::new(),
        };
        let english = "−ELBO of your drawing: {nats} nats{verdict}. Lower means more typical for this model.";
        set_text("draw-score", &t_fill(english, &[("nats", format!("{neg_elbo:.1}")), ("verdict", verdict)]));
        let _ = el::<HtmlCanvasElement>("draw-recon").set_attribute("data-neg-elbo", &format!("{neg_elbo:.3}"));
    }
}
