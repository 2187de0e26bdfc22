//! The loss curves on a log scale: reconstruction and KL, training batches and held-out images.
use crate::canvas::{crisp_context, dash, GRID, KL, RECON, TEXT};
use crate::dom::el;
use crate::panels::history::{LossHistory, Point};
use web_sys::HtmlCanvasElement;

/// Reconstruction (blue) and KL (orange); training solid, held-out dashed with dots.
pub fn draw_losses(history: &LossHistory) {
    let canvas: HtmlCanvasElement = el("loss-chart");
    let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
    let (left, right, top, bottom) = (44.0, 10.0, 10.0, 24.0);
    ctx.clear_rect(0.0, 0.0, w, h);
    let (lo, hi) = history.log_range();
    let (min_step, max_step) = (history.min_step(), history.max_step());
    let x = |step: f64| left + (w - left - right) * (step - min_step) / (max_step - min_step);
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
    let tick = nice_step((max_step - min_step) / 4.0);
    let mut step = (min_step / tick).ceil() * tick;
    while step <= max_step {
        let label = format!("{step}");
        // Keep the last label inside the chart: shift it left by its width when it would overflow.
        let width = ctx.measure_text(&label).map(|m| m.width()).unwrap_or(0.0);
        let _ = ctx.fill_text(&label, (x(step) - 4.0).min(w - width - 2.0), h - 6.0);
        step += tick;
    }
    let _ = ctx.fill_text(&crate::language::t("step"), 4.0, h - 6.0);
    if history.train.is_empty() && history.test.is_empty() {
        ctx.set_fill_style_str(TEXT);
        let _ = ctx.fill_text(&crate::language::t("Press Train: the curves appear here."), left + 20.0, top + 40.0);
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
