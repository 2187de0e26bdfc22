//! The classroom around the lab: lesson presets (`#preset`, `?preset=`), large type for a
//! projector (`#big`, `?big=1`), keyboard shortcuts and their help overlay (`?`).
use super::presets::{find, Preset, PRESETS};
use super::settings::SettingsPanel;
use super::settings_form::query_value;
use super::shortcuts::{action_for, Action};
use crate::ctx::Ctx;
use crate::dom::{document, el, listen, set_text};
use std::rc::Rc;
use vae_protocol::{Command, Settings};
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, HtmlElement, HtmlOptionElement, HtmlSelectElement, KeyboardEvent};

pub struct Lesson {
    ctx: Rc<Ctx>,
    settings: Rc<SettingsPanel>,
}

/// What the link asks of the lesson, read before the settings rewrite the URL.
#[derive(Clone, Copy, Default)]
pub struct FromLink {
    pub preset: Option<&'static Preset>,
    pub big: bool,
}

impl FromLink {
    pub fn read() -> Self {
        Self { preset: query_value("preset").and_then(|name| find(&name)), big: query_value("big").as_deref() == Some("1") }
    }

    /// A link naming a preset that starts from fresh weights: the pretrained ones stay unused.
    pub fn fresh_start(&self) -> bool {
        self.preset.is_some_and(|p| p.fresh)
    }
}

impl Lesson {
    pub fn new(ctx: Rc<Ctx>, settings: Rc<SettingsPanel>, link: FromLink) -> Rc<Self> {
        let select: HtmlSelectElement = el("preset");
        for p in &PRESETS {
            if let Ok(option) = HtmlOptionElement::new_with_text_and_value(p.title, p.name) {
                let _ = select.add_with_html_option_element(&option);
                // Kept in English, shown (and switched) in the page's language.
                if let Some(text) = option.first_child() {
                    crate::language::keep_text(&text, p.title);
                }
            }
        }
        let lesson = Rc::new(Self { ctx, settings });
        let l = lesson.clone();
        listen("preset", "change", move |_| {
            if let Some(p) = find(&el::<HtmlSelectElement>("preset").value()) {
                l.apply(p);
            }
        });
        listen("big", "click", |_| toggle_big());
        listen("help-button", "click", |_| show_help(true));
        listen("help-close", "click", |_| show_help(false));
        let on_key = wasm_bindgen::closure::Closure::<dyn Fn(KeyboardEvent)>::new(on_key);
        let _ = document().add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        on_key.forget();
        if link.big {
            toggle_big();
        }
        if let Some(p) = link.preset {
            select.set_value(p.name);
            show_text(p);
        }
        lesson
    }

    /// Sets the preset's settings, starts fresh weights if it asks for them, opens its section.
    fn apply(&self, p: &Preset) {
        let (settings, _) = Settings::from_query(p.query);
        self.settings.apply(settings);
        if p.fresh {
            self.ctx.send(&Command::Reset);
        }
        press(&format!("tab-{}", p.section.name()));
        show_text(p);
    }
}

fn show_text(p: &Preset) {
    set_text("preset-title", &crate::language::t(p.title));
    set_text("preset-look", &crate::language::t(p.what_to_look_for));
    el::<HtmlAnchorElement>("preset-link").set_href(&p.link());
    el::<HtmlElement>("preset-text").set_hidden(false);
}

fn press(id: &str) {
    el::<HtmlElement>(id).click();
}

fn toggle_big() {
    let body = document().body().expect("a body");
    let on = body.class_list().toggle("big").unwrap_or(false);
    let _ = el::<HtmlElement>("big").set_attribute("aria-pressed", if on { "true" } else { "false" });
}

fn show_help(open: bool) {
    el::<HtmlElement>("help").set_hidden(!open);
    press_focus(if open { "help-close" } else { "help-button" });
}

fn press_focus(id: &str) {
    let _ = el::<HtmlElement>(id).focus();
}

/// Shortcuts act unless the student is typing or choosing in a field (or a key is combined with
/// Ctrl, Alt or Meta, which belong to the browser). On a focused button Space is the button's own.
fn on_key(e: KeyboardEvent) {
    if e.ctrl_key() || e.alt_key() || e.meta_key() {
        return;
    }
    let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let tag = target.as_ref().map(|t| t.tag_name()).unwrap_or_default();
    let range = target.as_ref().and_then(|t| t.get_attribute("type")).as_deref() == Some("range");
    let field = matches!(tag.as_str(), "SELECT" | "TEXTAREA") || (tag == "INPUT" && !range);
    let typing = field || (e.key() == " " && (tag == "BUTTON" || range));
    let help_open = !el::<HtmlElement>("help").hidden();
    let Some(action) = action_for(&e.key()) else { return };
    if typing && !matches!(action, Action::CloseHelp) {
        return;
    }
    if help_open && !matches!(action, Action::CloseHelp | Action::ToggleHelp) {
        return;
    }
    e.prevent_default();
    match action {
        Action::Press(id) => press(id),
        Action::Open(section) => press(&format!("tab-{}", section.name())),
        Action::ToggleBig => toggle_big(),
        Action::ToggleHelp => show_help(!help_open),
        Action::CloseHelp => show_help(false),
    }
}
