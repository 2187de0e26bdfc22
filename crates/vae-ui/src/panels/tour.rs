//! The guided tour (`#tour`): a box beside the element each step speaks of, with Back, Next and
//! Close, and the arrow keys, Enter and Esc.
use super::tour_steps::STEPS;
use crate::dom::{document, el, listen, set_text};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

pub struct Tour {
    at: Cell<Option<usize>>,
}

impl Tour {
    pub fn new() -> Rc<Self> {
        let tour = Rc::new(Self { at: Cell::new(None) });
        let t = tour.clone();
        listen("tour", "click", move |_| t.show(0));
        let t = tour.clone();
        listen("tour-next", "click", move |_| t.next());
        let t = tour.clone();
        listen("tour-back", "click", move |_| t.back());
        let t = tour.clone();
        listen("tour-close", "click", move |_| t.close());
        let t = tour.clone();
        let on_key = wasm_bindgen::closure::Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            if t.at.get().is_none() {
                return;
            }
            match e.key().as_str() {
                "ArrowRight" | "Enter" => t.next(),
                "ArrowLeft" => t.back(),
                "Escape" => t.close(),
                _ => return,
            }
            e.prevent_default();
            e.stop_immediate_propagation();
        });
        // Capture: the tour's keys come before the page's shortcuts while it is open.
        let _ = document().add_event_listener_with_callback_and_bool("keydown", on_key.as_ref().unchecked_ref(), true);
        on_key.forget();
        tour
    }

    fn next(&self) {
        match self.at.get() {
            Some(i) if i + 1 < STEPS.len() => self.show(i + 1),
            _ => self.close(),
        }
    }

    fn back(&self) {
        if let Some(i) = self.at.get() {
            self.show(i.saturating_sub(1));
        }
    }

    fn unhighlight(&self) {
        if let Some(i) = self.at.get() {
            highlight(&el(STEPS[i].element), false);
        }
    }

    fn close(&self) {
        self.unhighlight();
        self.at.set(None);
        el::<HtmlElement>("tour-box").set_hidden(true);
        let _ = el::<HtmlElement>("tour").focus();
    }

    fn show(&self, i: usize) {
        self.unhighlight();
        self.at.set(Some(i));
        let step = &STEPS[i];
        // Open the step's section (its tab's own handler does the rest).
        let tab: HtmlElement = el(&format!("tab-{}", step.section.name()));
        if tab.get_attribute("aria-selected").as_deref() != Some("true") {
            tab.click();
        }
        let target: HtmlElement = el(step.element);
        highlight(&target, true);
        target.scroll_into_view_with_bool(false);
        set_text("tour-count", &format!("{} / {}", i + 1, STEPS.len()));
        set_text("tour-title", &crate::language::t(step.title));
        set_text("tour-text", &crate::language::t(step.text));
        el::<HtmlElement>("tour-back").set_hidden(i == 0);
        set_text("tour-next", &crate::language::t(if i + 1 == STEPS.len() { "Finish" } else { "Next" }));
        let boxed: HtmlElement = el("tour-box");
        boxed.set_hidden(false);
        // Beside the element: below it when there is room, else above; inside the window.
        let rect = target.get_bounding_client_rect();
        let window = web_sys::window().expect("a window");
        let (vw, vh) = (window.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1280.0), window.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(800.0));
        let (bw, bh) = (boxed.offset_width() as f64, boxed.offset_height() as f64);
        let top = if rect.bottom() + bh + 12.0 < vh { rect.bottom() + 12.0 } else { (rect.top() - bh - 12.0).max(8.0) };
        let left = rect.left().clamp(8.0, (vw - bw - 8.0).max(8.0));
        let style = boxed.style();
        let _ = style.set_property("top", &format!("{top:.0}px"));
        let _ = style.set_property("left", &format!("{left:.0}px"));
        let _ = el::<HtmlElement>("tour-next").focus();
    }
}

/// Marks the element a step speaks of (the class draws the ring; `data-tour` names it).
fn highlight(target: &HtmlElement, on: bool) {
    let _ = target.class_list().toggle_with_force("tour-highlight", on);
    let _ = target.toggle_attribute_with_force("data-tour", on);
}
