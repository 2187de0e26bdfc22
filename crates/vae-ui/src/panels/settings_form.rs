//! The settings form: read it into `Settings`, write `Settings` back into it, mirror it in the URL.
use crate::dom::{el, set_text};
use vae_protocol::settings::{describe, Range, AUTO_WORKERS, BETA, HIDDEN, INPUT_RANGES, LATENT, LEARNING_RATE, SEED, WARMUP};
use vae_protocol::{Arch, Dataset, Loss, Settings};
use web_sys::{HtmlInputElement, HtmlSelectElement};

fn input(id: &str) -> HtmlInputElement {
    el(id)
}

fn select(id: &str) -> HtmlSelectElement {
    el(id)
}

/// The form's settings: numbers kept inside their ranges, unreadable ones left at `current`'s.
pub fn read(current: &Settings) -> Settings {
    let num = |id: &str, range: Range, fallback: f64| {
        input(id).value().trim().parse::<f64>().ok().filter(|v| v.is_finite()).map_or(fallback, |v| range.clamp(v))
    };
    Settings {
        dataset: Dataset::from_name(&select("dataset").value()).unwrap_or(current.dataset),
        arch: Arch::from_name(&select("arch").value()).unwrap_or(current.arch),
        latent_dim: num("latent-dim", LATENT, current.latent_dim as f64) as usize,
        hidden: num("hidden", HIDDEN, current.hidden as f64) as usize,
        conditional: input("conditional").checked(),
        beta: num("beta", BETA, current.beta as f64) as f32,
        beta_warmup: num("beta-warmup", WARMUP, current.beta_warmup as f64) as usize,
        recon_loss: Loss::from_name(&select("recon-loss").value()).unwrap_or(current.recon_loss),
        learning_rate: select("lr").value().parse().ok().and_then(|v: f64| LEARNING_RATE.parse(&v.to_string())).unwrap_or(current.learning_rate),
        batch_size: select("batch-size").value().parse().unwrap_or(current.batch_size),
        seed: num("seed", SEED, current.seed as f64) as u64,
        leave_out: match select("leave-out").value().as_str() {
            "none" => None,
            v => v.parse().ok().or(current.leave_out),
        },
        workers: match select("workers").value().as_str() {
            "auto" => AUTO_WORKERS,
            v => v.parse().ok().or(Some(current.workers)).unwrap_or(AUTO_WORKERS),
        },
    }
}

/// The inputs' min and max come from the same table as the link's checks.
pub fn set_ranges() {
    for (id, range) in INPUT_RANGES {
        input(id).set_min(&range.min.to_string());
        input(id).set_max(&range.max.to_string());
    }
}

/// Puts settings into the controls (after a link was opened or weights were loaded).
pub fn write(s: &Settings) {
    select("dataset").set_value(s.dataset.name());
    select("arch").set_value(s.arch.name());
    input("latent-dim").set_value(&s.latent_dim.to_string());
    input("hidden").set_value(&s.hidden.to_string());
    input("conditional").set_checked(s.conditional);
    input("beta").set_value(&s.beta.to_string());
    input("beta-warmup").set_value(&s.beta_warmup.to_string());
    select("recon-loss").set_value(s.recon_loss.name());
    ensure_option(&select("lr"), &s.learning_rate.to_string());
    ensure_option(&select("batch-size"), &s.batch_size.to_string());
    input("seed").set_value(&s.seed.to_string());
    ensure_option(&select("leave-out"), &s.leave_out.map_or("none".into(), |c| c.to_string()));
    ensure_option(&select("workers"), &match s.workers {
        AUTO_WORKERS => "auto".into(),
        n => n.to_string(),
    });
    show_outputs(s);
    mirror_in_url(s);
}

/// A value from a link that is not among the options (say lr=0.002) gets an option of its own.
fn ensure_option(sel: &HtmlSelectElement, value: &str) {
    sel.set_value(value);
    if sel.value() != value {
        if let Ok(option) = web_sys::HtmlOptionElement::new_with_text_and_value(value, value) {
            let _ = sel.add_with_html_option_element(&option);
            sel.set_value(value);
        }
    }
}

pub fn show_outputs(s: &Settings) {
    set_text("beta-out", &format!("= {}", s.beta));
    set_text("latent-dim-out", "");
}

/// The URL holds the settings and the seed, so the address bar is a link to this run; its
/// fragment names the open section.
pub fn mirror_in_url(s: &Settings) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let query = format!("?{}{}{hash}", s.to_query(), crate::language::query_suffix());
    if let Some(window) = web_sys::window() {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
        }
    }
    let link: web_sys::HtmlAnchorElement = el("share-link");
    link.set_href(&query);
}

/// The URL again with the form's settings (after the language changed).
pub fn mirror_current_url() {
    let (settings, _) = Settings::from_query(&web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default());
    mirror_in_url(&settings);
}

/// The link's `name=value`, if any (for what a link asks of the page besides settings).
pub fn query_value(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix(&format!("{name}=")).map(str::to_string))
}

/// Settings from the page's URL, and one message naming every value that could not be used.
pub fn from_url() -> (Settings, Option<String>) {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let (settings, errors) = Settings::from_query(&search);
    (settings, describe(&errors))
}

/// Puts the open section in the URL's fragment, keeping the settings.
pub fn mirror_section(name: &str) {
    let Some(window) = web_sys::window() else { return };
    let search = window.location().search().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{search}#{name}")));
    }
}
