//! KL per latent dimension over the held-out set, with the active units marked and counted, and
//! a plain-words warning when the posterior has collapsed.
use crate::canvas::{crisp_context, message, GRID, KL, TEXT};
use crate::dom::{el, set_text};
use std::cell::RefCell;
use web_sys::{HtmlCanvasElement, HtmlElement};

/// Must equal vae-core's `loss::ACTIVE_KL` (the worker counts with it; this draws the line).
const ACTIVE_KL: f32 = 0.01;

pub struct KlPerDim {
    /// The latest bars, drawn again when the section opens.
    last: RefCell<Vec<f32>>,
}

impl KlPerDim {
    pub fn new() -> Self {
        message("kl-per-dim", "The bars appear after the first held-out evaluation.");
        Self { last: RefCell::new(vec![]) }
    }

    pub fn redraw(&self) {
        let last = self.last.borrow().clone();
        if !last.is_empty() {
            self.draw(&last);
        }
    }

    pub fn on_model(&self) {
        self.last.borrow_mut().clear();
        set_text("active-units", "–");
        set_text("collapse-note", "");
    }

    /// Held-out KL of each dimension and how many are active.
    pub fn on_held_out(&self, kl_per_dim: &[f32], active: usize, beta: f32) {
        let dims = kl_per_dim.len();
        let counter: HtmlElement = el("active-units");
        counter.set_text_content(Some(&crate::language::t_fill("{active} of {dims}", &[("active", active.to_string()), ("dims", dims.to_string())])));
        let _ = counter.set_attribute("data-active", &active.to_string());
        // Most of the latent space unused: the KL term won and the decoder ignores z.
        let collapsed = dims > 0 && active * 2 < dims;
        set_text(
            "collapse-note",
            &if collapsed {
                crate::language::t_fill(
                    " — the posterior has collapsed: most dimensions copy the prior, so z says little about the image. Lower β (now {beta}) or give β a warm-up so the decoder learns to use z first.",
                    &[("beta", format!("{beta:.2}"))],
                )
            } else {
                String::new()
            },
        );
        *self.last.borrow_mut() = kl_per_dim.to_vec();
        self.draw(kl_per_dim);
    }

    fn draw(&self, kl: &[f32]) {
        let canvas: HtmlCanvasElement = el("kl-per-dim");
        let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
        let _ = canvas.remove_attribute("data-empty");
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, w, h);
        let (left, bottom, top) = (40.0, 20.0, 10.0);
        let max = kl.iter().cloned().fold(0.5f32, f32::max) as f64 * 1.1;
        let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
        ctx.set_font("11px system-ui, sans-serif");
        ctx.set_stroke_style_str(GRID);
        for k in 0..=4 {
            let v = max * k as f64 / 4.0;
            ctx.begin_path();
            ctx.move_to(left, y(v));
            ctx.line_to(w, y(v));
            ctx.stroke();
            ctx.set_fill_style_str(TEXT);
            let _ = ctx.fill_text(&format!("{v:.1}"), 4.0, y(v) + 4.0);
        }
        let col = (w - left) / kl.len().max(1) as f64;
        for (d, &k) in kl.iter().enumerate() {
            let active = k > ACTIVE_KL;
            ctx.set_fill_style_str(if active { KL } else { "#c5cad6" });
            let bar_h = (y(0.0) - y(k as f64)).max(if active { 1.0 } else { 0.0 });
            let bar_w = (col * 0.7).min(48.0);
            ctx.fill_rect(left + col * (d as f64 + 0.5) - bar_w / 2.0, y(0.0) - bar_h, bar_w, bar_h);
            if kl.len() <= 32 || d % 4 == 0 {
                ctx.set_fill_style_str(TEXT);
                let _ = ctx.fill_text(&format!("{}", d + 1), left + col * (d as f64 + 0.5) - 4.0, h - 5.0);
            }
        }
    }
}
