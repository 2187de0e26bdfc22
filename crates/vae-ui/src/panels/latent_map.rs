//! A latent map: held-out μ as a scatter coloured by class, with a legend. Hovering shows the
//! image under the pointer; clicking asks the worker for the latent vector at that point (it
//! back-projects a PCA), which moves the sliders. The drawing's μ is a star.
use super::map_geometry::{axis_labels, class_colour, nearest, MapScale};
use crate::canvas::{crisp_context, message, GRID, TEXT};
use crate::ctx::Ctx;
use crate::dom::{el, listen};
use std::cell::RefCell;
use std::rc::Rc;
use vae_protocol::{Command, MapAxes, Twin};
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement, MouseEvent};

/// The held-out images the map's points stand for, as the worker sent them (RGBA, in order).
#[derive(Default)]
pub struct HeldOut {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

impl HeldOut {
    fn picture(&self, i: usize) -> Option<&[u8]> {
        let size = self.width * self.height * 4;
        self.rgba.get(i * size..(i + 1) * size)
    }
}

#[derive(Default)]
struct MapState {
    axes: Option<MapAxes>,
    points: Vec<f32>,
    labels: Vec<u8>,
    scale: Option<MapScale>,
    star: Option<[f32; 2]>,
    /// Where the student last clicked: the point the sliders now decode.
    picked: Option<[f32; 2]>,
}

pub struct LatentMap {
    ctx: Rc<Ctx>,
    canvas: &'static str,
    twin: Twin,
    held_out: Rc<RefCell<HeldOut>>,
    state: RefCell<MapState>,
}

/// Space for the axis labels left of and below the square plot.
const LEFT: f64 = 30.0;
const BOTTOM: f64 = 30.0;

impl LatentMap {
    /// `hover`: the id of a small canvas that shows the image under the pointer; a map with one
    /// also answers clicks.
    pub fn new(ctx: Rc<Ctx>, canvas: &'static str, twin: Twin, held_out: Rc<RefCell<HeldOut>>, hover: Option<&'static str>) -> Rc<Self> {
        let map = Rc::new(Self { ctx, canvas, twin, held_out, state: RefCell::default() });
        message(canvas, "The map appears once the model has encoded the held-out images.");
        // The main map is touchable; the comparison's maps are pictures.
        if let Some(hover) = hover {
            let m = map.clone();
            listen(canvas, "mousemove", move |e| m.on_hover(e.unchecked_ref(), hover));
            listen(canvas, "mouseleave", move |_| el::<HtmlElement>(hover).set_hidden(true));
            let m = map.clone();
            listen(canvas, "click", move |e| m.on_click(e.unchecked_ref()));
        }
        map
    }

    pub fn on_model(&self) {
        *self.state.borrow_mut() = MapState::default();
    }

    pub fn on_map(&self, axes: MapAxes, points: Vec<f32>, labels: Vec<u8>, num_classes: usize) {
        {
            let mut s = self.state.borrow_mut();
            (s.axes, s.points, s.labels) = (Some(axes), points, labels);
        }
        self.draw();
        if self.canvas == "latent-map" {
            legend(num_classes);
        }
    }

    /// The drawing's place on the map.
    pub fn set_star(&self, point: [f32; 2]) {
        self.state.borrow_mut().star = Some(point);
        self.draw();
    }

    fn draw(&self) {
        let canvas: HtmlCanvasElement = el(self.canvas);
        let Some((ctx, w, h)) = crisp_context(&canvas) else { return };
        let mut s = self.state.borrow_mut();
        let Some(axes) = s.axes.clone() else { return };
        let size = (w - LEFT - 6.0).min(h - BOTTOM - 6.0).max(10.0);
        let scale = MapScale::for_points(&axes, &s.points, LEFT as f32, 6.0, size as f32);
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, w, h);
        // The frame, and the axes through the origin.
        ctx.set_stroke_style_str(GRID);
        ctx.set_line_width(1.0);
        ctx.stroke_rect(LEFT, 6.0, size, size);
        let (ox, oy) = scale.to_canvas(0.0, 0.0);
        ctx.begin_path();
        ctx.move_to(ox as f64, 6.0);
        ctx.line_to(ox as f64, 6.0 + size);
        ctx.move_to(LEFT, oy as f64);
        ctx.line_to(LEFT + size, oy as f64);
        ctx.stroke();
        for (p, &label) in s.points.chunks(2).zip(&s.labels) {
            if !scale.contains(scale.to_canvas(p[0], p[1]).0, scale.to_canvas(p[0], p[1]).1) {
                continue;
            }
            let (x, y) = scale.to_canvas(p[0], p[1]);
            ctx.set_fill_style_str(&class_colour(label));
            ctx.fill_rect(x as f64 - 2.0, y as f64 - 2.0, 4.0, 4.0);
        }
        if let Some([px, py]) = s.picked {
            let (x, y) = scale.to_canvas(px, py);
            ctx.set_stroke_style_str("#111");
            ctx.set_line_width(2.0);
            ctx.begin_path();
            let _ = ctx.arc(x as f64, y as f64, 7.0, 0.0, std::f64::consts::TAU);
            ctx.stroke();
        }
        if let Some([sx, sy]) = s.star {
            let (x, y) = scale.to_canvas(sx, sy);
            star(&ctx, x as f64, y as f64);
        }
        let (xl, yl) = axis_labels(&axes);
        ctx.set_fill_style_str(TEXT);
        ctx.set_font("12px system-ui, sans-serif");
        let _ = ctx.fill_text(&format!("{xl} →  (±{:.1})", scale.half), LEFT, 6.0 + size + 18.0);
        let _ = ctx.save();
        let _ = ctx.translate(16.0, 6.0 + size);
        let _ = ctx.rotate(-std::f64::consts::FRAC_PI_2);
        let _ = ctx.fill_text(&format!("{yl} →"), 0.0, 0.0);
        let _ = ctx.restore();
        s.scale = Some(scale);
        let _ = canvas.set_attribute("data-points", &s.labels.len().to_string());
        let _ = canvas.remove_attribute("data-empty");
    }

    /// The pointer's position in the canvas's CSS pixels.
    fn pointer(&self, e: &MouseEvent) -> (f32, f32) {
        let canvas: HtmlCanvasElement = el(self.canvas);
        let rect = canvas.get_bounding_client_rect();
        ((e.client_x() as f64 - rect.left()) as f32, (e.client_y() as f64 - rect.top()) as f32)
    }

    fn on_hover(&self, e: &MouseEvent, hover: &str) {
        let (px, py) = self.pointer(e);
        let s = self.state.borrow();
        let hover_canvas: HtmlCanvasElement = el(hover);
        let found = s.scale.as_ref().and_then(|scale| nearest(&s.points, scale, px, py, 6.0));
        let held_out = self.held_out.borrow();
        let Some((i, rgba)) = found.and_then(|i| held_out.picture(i).map(|p| (i, p))) else {
            hover_canvas.set_hidden(true);
            return;
        };
        crate::canvas::draw_rgba(hover, held_out.width, held_out.height, rgba);
        let style = hover_canvas.style();
        let _ = style.set_property("left", &format!("{}px", px + 14.0));
        let _ = style.set_property("top", &format!("{}px", (py - 90.0).max(0.0)));
        let _ = style.set_property("border-color", &class_colour(s.labels.get(i).copied().unwrap_or(0)));
        let _ = hover_canvas.set_attribute("data-index", &i.to_string());
        hover_canvas.set_title(&format!("held-out image #{i}, class {}", s.labels.get(i).copied().unwrap_or(0)));
        hover_canvas.set_hidden(false);
    }

    fn on_click(&self, e: &MouseEvent) {
        let (px, py) = self.pointer(e);
        let Some(scale) = self.state.borrow().scale else { return };
        if !scale.contains(px, py) {
            return;
        }
        let (x, y) = scale.to_data(px, py);
        self.state.borrow_mut().picked = Some([x, y]);
        self.draw();
        let request = self.ctx.request();
        self.ctx.send(&Command::PickLatent { generation: self.ctx.generation(), request, twin: self.twin, x, y });
    }
}

fn star(ctx: &web_sys::CanvasRenderingContext2d, x: f64, y: f64) {
    ctx.begin_path();
    for k in 0..10 {
        let r = if k % 2 == 0 { 11.0 } else { 4.5 };
        let a = -std::f64::consts::FRAC_PI_2 + k as f64 * std::f64::consts::PI / 5.0;
        if k == 0 { ctx.move_to(x + r * a.cos(), y + r * a.sin()) } else { ctx.line_to(x + r * a.cos(), y + r * a.sin()) }
    }
    ctx.close_path();
    ctx.set_fill_style_str("#111");
    ctx.fill();
    ctx.set_stroke_style_str("#fff");
    ctx.set_line_width(1.5);
    ctx.stroke();
}

/// One swatch per class under the main map, built as elements: the page's Content-Security-Policy
/// refuses inline style attributes, but not styles set through the DOM.
fn legend(num_classes: usize) {
    let legend: HtmlElement = el("map-legend");
    legend.set_text_content(None);
    let doc = crate::dom::document();
    if num_classes <= 1 {
        legend.set_text_content(Some(&crate::language::t("one class: the dataset has no labels · ★ your drawing")));
        return;
    }
    for c in 0..num_classes.min(20) {
        if let Ok(swatch) = doc.create_element("span").map(|e| e.unchecked_into::<HtmlElement>()) {
            swatch.set_class_name("class-swatch");
            let _ = swatch.style().set_property("background", &class_colour(c as u8));
            let _ = legend.append_child(&swatch);
        }
        let _ = legend.append_with_str_1(&format!("{c} "));
    }
    let _ = legend.append_with_str_1(" · ★ your drawing");
}
