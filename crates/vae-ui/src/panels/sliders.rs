//! One range input per latent dimension. Moving one asks the worker for a decode; only one
//! decode is in flight, and the newest values win (requests coalesce while one is answered).
use crate::dom::{document, el};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

/// The prior's ±3σ.
const RANGE: f32 = 3.0;

#[derive(Default)]
pub struct SliderState {
    pub in_flight: bool,
    pub dirty: bool,
    /// The id of the decode request in flight (set by whoever sends it).
    pub request: u32,
    /// performance.now() when the last decode was sent (for the round-trip figure).
    pub sent_at: f64,
}

impl SliderState {
    /// Should a decode be sent now? If one is in flight, remember to send the newest later.
    pub fn want_decode(&mut self) -> bool {
        if self.in_flight {
            self.dirty = true;
            return false;
        }
        self.in_flight = true;
        self.dirty = false;
        true
    }

    /// The answer came: send again if the sliders moved meanwhile.
    pub fn answered(&mut self) -> bool {
        self.in_flight = false;
        self.dirty && self.want_decode()
    }
}

/// Rebuilds the sliders for `dims` latent dimensions, all at 0.
pub fn build(dims: usize, on_input: &js_sys::Function) {
    let container: Element = el("latent-sliders");
    container.set_inner_html("");
    for d in 0..dims {
        let Ok(label) = document().create_element("label") else { continue };
        let Ok(input) = document().create_element("input").map(|e| e.unchecked_into::<HtmlInputElement>()) else { continue };
        input.set_type("range");
        input.set_min(&(-RANGE).to_string());
        input.set_max(&RANGE.to_string());
        input.set_step("0.01");
        input.set_value("0");
        input.set_id(&format!("z-{d}"));
        let _ = input.set_attribute("aria-label", &format!("latent dimension {}", d + 1));
        let _ = input.add_event_listener_with_callback("input", on_input);
        let _ = label.append_with_str_1(&format!("z{}", d + 1));
        let _ = label.append_with_node_1(&input);
        let _ = container.append_with_node_1(&label);
    }
}

pub fn values() -> Vec<f32> {
    let inputs = el::<Element>("latent-sliders").query_selector_all("input").ok();
    let Some(inputs) = inputs else { return vec![] };
    (0..inputs.length())
        .filter_map(|i| inputs.item(i)?.dyn_into::<HtmlInputElement>().ok())
        .map(|input| input.value().parse().unwrap_or(0.0))
        .collect()
}

pub fn set_values(z: &[f32]) {
    for (d, v) in z.iter().enumerate() {
        if let Some(input) = document().get_element_by_id(&format!("z-{d}")) {
            input.unchecked_into::<HtmlInputElement>().set_value(&format!("{:.2}", v.clamp(-RANGE, RANGE)));
        }
    }
}
