//! Canvas charts: the loss curves (log scale) and the posterior as μ ± 2σ per latent dimension.
use crate::dom::{context, el};
use crate::history::{LossHistory, Point};
use wasm_bindgen::JsValue;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

const RECON: &str = "#2f6fdf";
const KL: &str = "#e0792b";
const GRID: &str = "#e6e9f0";
const TEXT: &str = "#5d6678";

/// A 2D context whose drawing units are CSS pixels, at the screen's full resolution.
/// Returns it with the canvas's CSS width and height.
fn crisp_context(canvas: &HtmlCanvasElement) -> Option<(CanvasRenderingContext2d, f64, f64)> {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let (w, h) = (canvas.client_width().max(1) as f64, canvas.client_height().max(1) as f64);
    let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let ctx = context(canvas)?;
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    Some((ctx, w, h))
}

fn dash(ctx: &CanvasRenderingContext2d, pattern: &[f64]) {
    let array = js_sys::Array::new();
    for &p in pattern {
        array.push(&JsValue::from_f64(p));
    }
    let _ = ctx.set_line_dash(&array);
}

/// Reconstruction (blue) and KL (orange); training solid, held-out dashed with dots.
pub fn draw_losses(history: &LossHistory) {
    let canvas: HtmlCanvasElement = el("loss-chart");
    let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
    let (left, right, top, bottom) = (44.0, 10.0, 10.0, 24.0);
    ctx.clear_rect(0.0, 0.0, w, h);
    let (lo, hi) = history.log_range();
    let max_step = history.max_step();
    let x = |step: f64| left + (w - left - right) * step / max_step;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v.max(lo).log10() - lo.log10()) / (hi.log10() - lo.log10()));
    // Grid: 1, 2, 5 × powers of ten on the log axis; a few step ticks.
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_line_width(1.0);
    dash(&ctx, &[]);
    let mut decade = lo;
    while decade <= hi * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let v = decade * m;
            if v > hi * 1.0001 {
                break;
            }
            ctx.set_stroke_style_str(GRID);
            ctx.begin_path();
            ctx.move_to(left, y(v));
            ctx.line_to(w - right, y(v));
            ctx.stroke();
            ctx.set_fill_style_str(TEXT);
            let _ = ctx.fill_text(&format_value(v), 4.0, y(v) + 4.0);
        }
        decade *= 10.0;
    }
    let tick = nice_step(max_step / 4.0);
    let mut step = 0.0;
    while step <= max_step {
        let label = format!("{step}");
        // Keep the last label inside the chart: shift it left by its width when it would overflow.
        let width = ctx.measure_text(&label).map(|m| m.width()).unwrap_or(0.0);
        let _ = ctx.fill_text(&label, (x(step) - 4.0).min(w - width - 2.0), h - 6.0);
        step += tick;
    }
    let _ = ctx.fill_text("step", 4.0, h - 6.0);
    if history.train.is_empty() && history.test.is_empty() {
        ctx.set_fill_style_str(TEXT);
        let _ = ctx.fill_text("Press Train: the curves appear here.", left + 20.0, top + 40.0);
        return;
    }
    let curve = |points: &[Point], value: fn(&Point) -> f64, colour: &str, held_out: bool| {
        ctx.set_stroke_style_str(colour);
        ctx.set_fill_style_str(colour);
        ctx.set_line_width(if held_out { 1.5 } else { 2.0 });
        dash(&ctx, if held_out { &[5.0, 4.0] } else { &[] });
        ctx.begin_path();
        for (i, p) in points.iter().enumerate() {
            if i == 0 { ctx.move_to(x(p.step), y(value(p))) } else { ctx.line_to(x(p.step), y(value(p))) }
        }
        ctx.stroke();
        if held_out {
            for p in points {
                ctx.begin_path();
                let _ = ctx.arc(x(p.step), y(value(p)), 2.5, 0.0, std::f64::consts::TAU);
                ctx.fill();
            }
        }
    };
    curve(&history.train, |p| p.recon, RECON, false);
    curve(&history.train, |p| p.kl, KL, false);
    curve(&history.test, |p| p.recon, RECON, true);
    curve(&history.test, |p| p.kl, KL, true);
    dash(&ctx, &[]);
}

/// 1, 2 or 5 × a power of ten, at least `rough` (and at least 1: steps are whole).
fn nice_step(rough: f64) -> f64 {
    let power = 10f64.powf(rough.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(power * 10.0)
}

fn format_value(v: f64) -> String {
    if v >= 1.0 { format!("{v:.0}") } else { format!("{v}") }
}

/// The posterior q(z|x) of one image: per dimension a bar μ ± 2σ and a dot at μ, over the
/// prior's ±2 band in grey. Dimensions are columns; the y axis is z from −4 to 4.
pub fn draw_posterior(mu: &[f32], log_var: &[f32]) {
    let canvas: HtmlCanvasElement = el("posterior");
    let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
    ctx.clear_rect(0.0, 0.0, w, h);
    let (left, bottom, top) = (28.0, 18.0, 8.0);
    let y = |z: f64| top + (h - top - bottom) * (4.0 - z.clamp(-4.0, 4.0)) / 8.0;
    ctx.set_fill_style_str("#eceef3");
    ctx.fill_rect(left, y(2.0), w - left, y(-2.0) - y(2.0));
    ctx.set_font("10px system-ui, sans-serif");
    ctx.set_fill_style_str(TEXT);
    for z in [-4, -2, 0, 2, 4] {
        let _ = ctx.fill_text(&z.to_string(), 4.0, y(z as f64) + 3.0);
    }
    ctx.set_stroke_style_str("#c5cad6");
    ctx.begin_path();
    ctx.move_to(left, y(0.0));
    ctx.line_to(w, y(0.0));
    ctx.stroke();
    let n = mu.len().max(1);
    let col = (w - left) / n as f64;
    for (d, (&m, &lv)) in mu.iter().zip(log_var).enumerate() {
        let (m, sigma) = (m as f64, (0.5 * lv as f64).exp());
        let cx = left + col * (d as f64 + 0.5);
        let bar = (col * 0.5).clamp(2.0, 14.0);
        ctx.set_fill_style_str("rgba(47, 111, 223, 0.35)");
        ctx.fill_rect(cx - bar / 2.0, y(m + 2.0 * sigma), bar, y(m - 2.0 * sigma) - y(m + 2.0 * sigma));
        ctx.set_fill_style_str(RECON);
        ctx.begin_path();
        let _ = ctx.arc(cx, y(m), 3.0, 0.0, std::f64::consts::TAU);
        ctx.fill();
        if n <= 32 || d % 4 == 0 {
            ctx.set_fill_style_str(TEXT);
            let _ = ctx.fill_text(&(d + 1).to_string(), cx - 4.0, h - 4.0);
        }
    }
}
