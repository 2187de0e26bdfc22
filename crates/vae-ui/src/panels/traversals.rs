//! Traversals: one row per latent dimension sweeping −3…3, rows sorted by held-out KL and each
//! labelled with its KL; and the manifold of a 2-D latent space.
use crate::canvas::{crisp_context, draw_rgba, message, picture, TEXT};
use crate::ctx::Ctx;
use crate::dom::{el, listen, set_text};
use std::cell::RefCell;
use std::rc::Rc;
use vae_protocol::Anchor;
use web_sys::{HtmlCanvasElement, HtmlSelectElement};

/// Room for the row labels left of the pictures.
const LABELS: f64 = 92.0;

pub struct Traversals {
    /// The latest picture and its rows (dimension, KL), redrawn together once both arrived.
    picture: RefCell<Option<(usize, usize, Vec<u8>)>>,
    rows: RefCell<Vec<(usize, f32)>>,
}

impl Traversals {
    pub fn new(ctx: Rc<Ctx>) -> Rc<Self> {
        message("traversals", "Open this section with a model loaded to see its traversals.");
        listen("traverse-anchor", "change", move |_| ctx.views_changed());
        Rc::new(Self { picture: RefCell::new(None), rows: RefCell::new(vec![]) })
    }

    /// Where the other dimensions are held; `held_out` is the image chosen in the explorer.
    pub fn anchor(&self, held_out: usize) -> Anchor {
        match el::<HtmlSelectElement>("traverse-anchor").value().as_str() {
            "origin" => Anchor::Origin,
            "drawn" => Anchor::Drawn,
            _ => Anchor::HeldOut(held_out),
        }
    }

    pub fn on_image(&self, width: usize, height: usize, rgba: Vec<u8>) {
        *self.picture.borrow_mut() = Some((width, height, rgba));
    }

    /// The rows arrive right after their picture.
    pub fn on_rows(&self, rows: Vec<(usize, f32)>) {
        *self.rows.borrow_mut() = rows;
        let Some((w, h, rgba)) = self.picture.borrow().clone() else { return };
        let rows = self.rows.borrow();
        let canvas: HtmlCanvasElement = el("traversals");
        // Keep the picture's aspect: the canvas is as tall as the rows need at its width.
        let css_w = canvas.client_width().max(200) as f64;
        let css_h = (css_w - LABELS) * h as f64 / w as f64;
        let _ = canvas.style().set_property("height", &format!("{:.0}px", css_h + 20.0));
        let Some((ctx, cw, _)) = crisp_context(&canvas) else { return };
        let _ = canvas.remove_attribute("data-empty");
        let _ = canvas.set_attribute("data-rows", &rows.len().to_string());
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, cw, css_h + 20.0);
        if let Some(pic) = picture(w, h, &rgba) {
            ctx.set_image_smoothing_enabled(false);
            let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&pic, LABELS, 0.0, cw - LABELS, css_h);
        }
        ctx.set_fill_style_str(TEXT);
        ctx.set_font("12px system-ui, sans-serif");
        let row_h = css_h / rows.len().max(1) as f64;
        for (r, (dim, kl)) in rows.iter().enumerate() {
            let _ = ctx.fill_text(&crate::language::t_fill("z{dim} · {kl} nats", &[("dim", (dim + 1).to_string()), ("kl", format!("{kl:.2}"))]), 2.0, row_h * (r as f64 + 0.5) + 4.0);
        }
        let _ = ctx.fill_text("−3", LABELS, css_h + 14.0);
        let _ = ctx.fill_text("+3", cw - 18.0, css_h + 14.0);
    }
}

/// The manifold grid, or why there is none.
pub struct Manifold;

impl Manifold {
    pub fn new() -> Self {
        Self
    }

    pub fn on_model(&self, latent_dim: usize) {
        if latent_dim == 2 {
            set_text("manifold-note", "");
            message("manifold", "Drawing the manifold…");
        } else {
            let why = "The manifold needs 2 latent dimensions; this model has {latent_dim}. Set Latent dimensions to 2 (it resets the model) and press Train.";
            message("manifold", &crate::language::t_fill(why, &[("latent_dim", latent_dim.to_string())]));
            set_text("manifold-note", &crate::language::t("Tip: with 2 latent dimensions the latent map's axes are z₁ and z₂, and this grid lines up with it."));
        }
    }

    pub fn on_image(&self, width: usize, height: usize, rgba: &[u8]) {
        draw_rgba("manifold", width, height, rgba);
    }
}
