//! The page's language: English or 简体中文, from `?lang=`, else the browser's language. Every
//! text node and label of the page is kept in English once, at start, and rewritten from the
//! catalogue at each switch, so switching back and forth loses nothing and never reloads.
use crate::dom::{document, el, listen};
use crate::i18n::{lookup, Lang};
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlOptionElement, HtmlSelectElement, Node};

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
    /// Text nodes with their English text; labels (element, attribute, English).
    static TEXTS: RefCell<Vec<(Node, String)>> = const { RefCell::new(Vec::new()) };
    static LABELS: RefCell<Vec<(Element, &'static str, String)>> = const { RefCell::new(Vec::new()) };
    static TITLE: RefCell<String> = const { RefCell::new(String::new()) };
}

pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// `english` in the page's language.
pub fn t(english: &str) -> String {
    crate::i18n::tr(current(), english)
}

/// A message made elsewhere (the worker's errors and notices), in the page's language.
pub fn message(english: &str) -> String {
    crate::i18n::translate_message(current(), english)
}

/// A template such as "Lower β (now {beta})" in the page's language, its `{names}` filled in.
pub fn t_fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(t(template), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// What the link asks for (read before the settings rewrite the URL), else the browser's language.
pub fn from_link_or_browser() -> Lang {
    let asked = crate::panels::settings_form::query_value("lang").and_then(|l| Lang::from_code(&l));
    let browser = || web_sys::window().and_then(|w| w.navigator().language()).and_then(|l| Lang::from_code(&l));
    asked.or_else(browser).unwrap_or(Lang::En)
}

/// The link's part that keeps the language (English is the default and needs none).
pub fn query_suffix() -> &'static str {
    match current() {
        Lang::En => "",
        Lang::Zh => "&lang=zh",
    }
}

/// Keeps the page's English, offers the switch, and shows the page in `lang`.
pub fn start(lang: Lang) {
    capture();
    let select: HtmlSelectElement = el("lang");
    for (l, name) in [(Lang::En, "English"), (Lang::Zh, "中文")] {
        if let Ok(option) = HtmlOptionElement::new_with_text_and_value(name, l.code()) {
            let _ = select.add_with_html_option_element(&option);
        }
    }
    listen("lang", "change", |_| {
        if let Some(lang) = Lang::from_code(&el::<HtmlSelectElement>("lang").value()) {
            apply(lang);
            crate::panels::settings_form::mirror_current_url();
        }
    });
    apply(lang);
}

/// A text node made after the page loaded (say, a list option) that should follow the language.
pub fn keep_text(node: &Node, english: &str) {
    node.set_node_value(Some(&t(english)));
    TEXTS.with(|texts| texts.borrow_mut().push((node.clone(), english.to_string())));
}

fn capture() {
    TITLE.with(|t| *t.borrow_mut() = document().title());
    let mut texts = Vec::new();
    if let Some(body) = document().body() {
        collect_texts(&body, &mut texts);
    }
    TEXTS.with(|t| *t.borrow_mut() = texts);
    let mut labels = Vec::new();
    for attr in ["aria-label", "title", "placeholder"] {
        if let Ok(list) = document().query_selector_all(&format!("[{attr}]")) {
            for i in 0..list.length() {
                if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let english = e.get_attribute(attr).unwrap_or_default();
                    labels.push((e, attr, english));
                }
            }
        }
    }
    LABELS.with(|l| *l.borrow_mut() = labels);
}

fn collect_texts(node: &Node, out: &mut Vec<(Node, String)>) {
    let children = node.child_nodes();
    for i in 0..children.length() {
        let Some(child) = children.item(i) else { continue };
        match child.node_type() {
            Node::TEXT_NODE => {
                let text = child.node_value().unwrap_or_default();
                if !text.trim().is_empty() {
                    out.push((child, text));
                }
            }
            Node::ELEMENT_NODE if !matches!(child.node_name().as_str(), "SCRIPT" | "STYLE") => collect_texts(&child, out),
            _ => {}
        }
    }
}

/// Rewrites every kept text and label in `lang` (English: as the page was written).
pub fn apply(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", lang.html_lang());
    }
    el::<HtmlSelectElement>("lang").set_value(lang.code());
    TITLE.with(|t| document().set_title(&lookup(lang, &t.borrow()).map_or_else(|| t.borrow().clone(), str::to_string)));
    TEXTS.with(|texts| {
        for (node, english) in texts.borrow().iter() {
            // Chinese needs no spaces around the words beside it; English keeps the page's own.
            let text = match lookup(lang, english) {
                Some(translated) => translated.to_string(),
                None => english.clone(),
            };
            node.set_node_value(Some(&text));
        }
    });
    LABELS.with(|labels| {
        for (e, attr, english) in labels.borrow().iter() {
            let _ = e.set_attribute(attr, lookup(lang, english).unwrap_or(english));
        }
    });
    // Canvases that show a message instead of a picture say it again.
    if let Some(body) = document().body() {
        crate::canvas::redraw_messages(&body);
    }
}
