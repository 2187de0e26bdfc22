//! Anomaly detection: the held-out images' −ELBO as a histogram with a threshold the student
//! drags (99th percentile to start), the drawing's score against it, and — with a class left out
//! of training — that class's scores as a second histogram and the ROC AUC.
use super::histogram::{counts, percentile, range, share_above, split};
use crate::canvas::{crisp_context, dash, message, GRID, KL, RECON, TEXT};
use crate::ctx::Ctx;
use crate::language::{t, t_fill};
use crate::dom::{el, listen, set_text, show_error};
use vae_protocol::Command;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlOptionElement};

const BINS: usize = 40;
const THRESHOLD: &str = "#c0392b";

#[derive(Default)]
struct Scores {
    scores: Vec<f32>,
    labels: Vec<u8>,
    left_out: Option<u8>,
    auc: Option<f32>,
    drawn: Option<f32>,
}

pub struct Anomaly {
    ctx: Rc<Ctx>,
    latest: RefCell<Scores>,
    /// The student moved the threshold: keep it instead of the 99th percentile.
    threshold_moved: Cell<bool>,
}

impl Anomaly {
    pub fn new(ctx: Rc<Ctx>) -> Rc<Self> {
        message("anomaly-histogram", "The held-out images' scores appear here.");
        let panel = Rc::new(Self { ctx, latest: RefCell::new(Scores::default()), threshold_moved: Cell::new(false) });
        let p = panel.clone();
        listen("score-file", "change", move |_| p.score_picture());
        let p = panel.clone();
        listen("anomaly-threshold", "input", move |_| {
            p.threshold_moved.set(true);
            p.redraw();
        });
        panel
    }

    /// A picture of the student's own becomes their drawing: MNIST-like (ink bright on black,
    /// so a photo of dark ink on white paper is inverted), then scored like any drawing.
    fn score_picture(&self) {
        show_error("");
        let input: HtmlInputElement = el("score-file");
        let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
        input.set_value("");
        let ctx = self.ctx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let (_, rgba) = match crate::own_images::read_all(&[file]).await {
                Ok(read) => read,
                Err(e) => return show_error(&format!("could not score that picture: {e}")),
            };
            let mut gray: Vec<u8> = rgba.chunks(4).map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8).collect();
            if gray.iter().map(|&v| v as u32).sum::<u32>() > 128 * gray.len() as u32 {
                gray.iter_mut().for_each(|v| *v = 255 - *v);
            }
            let side = crate::own_images::SIDE;
            let buffer = js_sys::Uint8Array::from(&gray[..]).buffer();
            crate::link::post(&ctx.worker(), &Command::Draw { request: ctx.request(), width: side, height: side }, Some(&buffer));
        });
    }

    /// A new model: its classes are the ones a student can leave out.
    pub fn on_model(&self, num_classes: usize, left_out: Option<u8>) {
        *self.latest.borrow_mut() = Scores::default();
        self.threshold_moved.set(false);
        message("anomaly-histogram", "Scoring the held-out images…");
        let select: HtmlSelectElement = el("leave-out");
        select.set_length(1); // keep "none"
        for c in 0..num_classes.max(1) {
            if let Ok(option) = HtmlOptionElement::new_with_text_and_value(&format!("class {c}"), &c.to_string()) {
                let _ = select.add_with_html_option_element(&option);
            }
        }
        select.set_value(&left_out.map_or("none".into(), |c| c.to_string()));
    }

    pub fn on_scores(&self, scores: Vec<f32>, labels: Vec<u8>, left_out: Option<u8>, auc: Option<f32>, drawn: Option<f32>) {
        *self.latest.borrow_mut() = Scores { scores, labels, left_out, auc, drawn };
        self.redraw();
    }

    pub fn redraw(&self) {
        let s = self.latest.borrow();
        if s.scores.is_empty() {
            return;
        }
        let (lo, hi) = range(&s.scores, s.drawn);
        let (left_out, rest) = split(&s.scores, &s.labels, s.left_out);
        let slider: HtmlInputElement = el("anomaly-threshold");
        slider.set_min(&format!("{lo:.1}"));
        slider.set_max(&format!("{hi:.1}"));
        if !self.threshold_moved.get() {
            // The 99th percentile of the images the model was meant to know.
            slider.set_value(&format!("{:.2}", percentile(&rest, 0.99)));
        }
        let threshold: f64 = slider.value().parse().unwrap_or(hi);
        set_text("anomaly-threshold-out", &format!("{threshold:.1}"));
        self.draw(lo, hi, threshold, &rest, &left_out, s.drawn);
        let share = format!("{:.1}", 100.0 * share_above(&rest, threshold));
        let mut verdict = t_fill("{share} % of the held-out images score above the threshold.", &[("share", share)]);
        if let Some(d) = s.drawn {
            let word = t(if d as f64 > threshold { "above the threshold: flagged as unusual" } else { "below the threshold: typical for this model" });
            verdict += &t_fill(" Your drawing (★) scores {nats} nats, {verdict}.", &[("nats", format!("{d:.1}")), ("verdict", word)]);
        }
        set_text("anomaly-verdict", &verdict);
        let auc_text: HtmlElement = el("anomaly-auc");
        match (s.left_out, s.auc) {
            (Some(c), Some(auc)) => {
                let _ = auc_text.set_attribute("data-auc", &format!("{auc:.4}"));
                let caught = share_above(&left_out, threshold);
                let english = "Class {class} was left out of training. ROC AUC {auc}: the chance that one of its images outscores another class's (0.5 = chance, 1 = always). {caught} % of its images are above the threshold.";
                let values = [("class", c.to_string()), ("auc", format!("{auc:.3}")), ("caught", format!("{:.0}", 100.0 * caught))];
                auc_text.set_text_content(Some(&t_fill(english, &values)));
            }
            _ => {
                let _ = auc_text.remove_attribute("data-auc");
                auc_text.set_text_content(Some(&t("Leave a class out of training to measure how well the score finds it (ROC AUC).")));
            }
        }
    }

    fn draw(&self, lo: f64, hi: f64, threshold: f64, rest: &[f32], left_out: &[f32], drawn: Option<f32>) {
        let canvas: HtmlCanvasElement = el("anomaly-histogram");
        let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
        let _ = canvas.remove_attribute("data-empty");
        let (left, bottom, top) = (8.0, 28.0, 10.0);
        let plot_w = w - 2.0 * left;
        let plot_h = h - bottom - top;
        ctx.clear_rect(0.0, 0.0, w, h);
        let x_of = |v: f64| left + (v - lo) / (hi - lo) * plot_w;
        // Each histogram as a share of its own images, so a class of 100 shows beside 900 others.
        let shares = |values: &[f32]| -> Vec<f64> {
            let n = values.len().max(1) as f64;
            counts(values, lo, hi, BINS).into_iter().map(|c| c as f64 / n).collect()
        };
        let (a, b) = (shares(rest), shares(left_out));
        let peak = a.iter().chain(&b).cloned().fold(1e-9, f64::max);
        let bin_w = plot_w / BINS as f64;
        for (values, colour, alpha) in [(&a, RECON, 0.75), (&b, KL, 0.6)] {
            ctx.set_global_alpha(alpha);
            ctx.set_fill_style_str(colour);
            for (i, v) in values.iter().enumerate().filter(|(_, v)| **v > 0.0) {
                let bar = v / peak * plot_h;
                ctx.fill_rect(left + i as f64 * bin_w + 0.5, top + plot_h - bar, bin_w - 1.0, bar);
            }
        }
        ctx.set_global_alpha(1.0);
        ctx.set_stroke_style_str(GRID);
        ctx.begin_path();
        ctx.move_to(left, top + plot_h + 0.5);
        ctx.line_to(left + plot_w, top + plot_h + 0.5);
        ctx.stroke();
        ctx.set_fill_style_str(TEXT);
        ctx.set_font("11px system-ui, sans-serif");
        for k in 0..=4 {
            let v = lo + (hi - lo) * k as f64 / 4.0;
            let label = format!("{v:.0}");
            let tw = ctx.measure_text(&label).map(|m| m.width()).unwrap_or(0.0);
            let _ = ctx.fill_text(&label, (x_of(v) - tw / 2.0).clamp(0.0, w - tw), h - 12.0);
        }
        let _ = ctx.fill_text(&t("−ELBO (nats) →"), w - 100.0, h - 1.0);
        ctx.set_stroke_style_str(THRESHOLD);
        ctx.set_line_width(2.0);
        dash(&ctx, &[5.0, 3.0]);
        ctx.begin_path();
        ctx.move_to(x_of(threshold), top);
        ctx.line_to(x_of(threshold), top + plot_h);
        ctx.stroke();
        dash(&ctx, &[]);
        ctx.set_line_width(1.0);
        if let Some(d) = drawn {
            ctx.set_fill_style_str("#111");
            ctx.set_font("16px system-ui, sans-serif");
            let _ = ctx.fill_text("★", x_of(d as f64) - 6.0, top + 12.0);
        }
    }
}
