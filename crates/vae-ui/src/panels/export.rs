//! Make new data: prior samples as a PNG sheet (encoded by the browser's own canvas) or as IDX
//! files, and the loss history as CSV. Every file name says what it holds.
use crate::canvas::picture;
use crate::ctx::Ctx;
use crate::dom::{download, el, listen, set_disabled, set_text, show_error};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use vae_protocol::{Command, Settings};
use web_sys::{HtmlInputElement, HtmlOptionElement, HtmlSelectElement};

pub struct Export {
    ctx: Rc<Ctx>,
    waiting: Cell<Option<u32>>,
    /// The request asked for a sheet (else IDX files).
    sheet: Cell<bool>,
    /// The name the worker gave the samples, for the sheet that follows it.
    name: RefCell<String>,
}

impl Export {
    pub fn new(ctx: Rc<Ctx>, csv: impl Fn() -> (String, String) + 'static) -> Rc<Self> {
        let panel = Rc::new(Self { ctx, waiting: Cell::new(None), sheet: Cell::new(false), name: RefCell::new(String::new()) });
        let p = panel.clone();
        listen("export-png", "click", move |_| p.export(true));
        let p = panel.clone();
        listen("export-idx", "click", move |_| p.export(false));
        listen("export-csv", "click", move |_| {
            let (name, text) = csv();
            if let Err(e) = download(text.as_bytes(), &name) {
                show_error(&format!("the download failed: {e:?}"));
            }
        });
        panel
    }

    pub fn on_model(&self, settings: &Settings, num_classes: usize) {
        let select: HtmlSelectElement = el("export-class");
        select.set_length(1);
        if settings.conditional {
            for c in 0..num_classes {
                if let Ok(option) = HtmlOptionElement::new_with_text_and_value(&format!("only class {c}"), &c.to_string()) {
                    let _ = select.add_with_html_option_element(&option);
                }
            }
        }
        select.set_disabled(!settings.conditional);
        self.settle();
    }

    fn export(&self, sheet: bool) {
        let count_input: HtmlInputElement = el("export-count");
        let count = count_input.value().parse::<usize>().unwrap_or(64).clamp(1, 10_000);
        count_input.set_value(&count.to_string());
        let t_input: HtmlInputElement = el("export-temperature");
        let temperature = t_input.value().parse::<f32>().ok().filter(|t| t.is_finite()).unwrap_or(1.0).clamp(0.1, 3.0);
        t_input.set_value(&temperature.to_string());
        let class = el::<HtmlSelectElement>("export-class").value().parse().ok();
        let request = self.ctx.request();
        self.waiting.set(Some(request));
        self.sheet.set(sheet);
        for id in ["export-png", "export-idx"] {
            set_disabled(id, true);
        }
        set_text("export-status", &crate::language::t_fill("Decoding {count} samples…", &[("count", count.to_string())]));
        self.ctx.send(&Command::Export { generation: self.ctx.generation(), request, count, temperature, class, sheet });
    }

    fn settle(&self) {
        self.waiting.set(None);
        for id in ["export-png", "export-idx"] {
            set_disabled(id, false);
        }
    }

    /// The samples as IDX files: images, then labels for a conditional model.
    pub fn on_exported(&self, request: u32, name: &str, count: usize, images_len: usize, labels: bool, bytes: &[u8]) {
        if self.waiting.get() != Some(request) || images_len > bytes.len() {
            return;
        }
        *self.name.borrow_mut() = name.to_string();
        if self.sheet.get() {
            return; // the sheet follows
        }
        self.settle();
        let mut files = vec![(format!("{name}-images.idx"), &bytes[..images_len])];
        if labels {
            files.push((format!("{name}-labels.idx"), &bytes[images_len..]));
        }
        for (file, data) in &files {
            if let Err(e) = download(data, file) {
                return show_error(&format!("the download failed: {e:?}"));
            }
        }
        let names: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
        let files = names.join(&crate::language::t(" and "));
        set_text("export-status", &crate::language::t_fill("{count} samples: {files}.", &[("count", count.to_string()), ("files", files)]));
    }

    /// The samples as a sheet: the browser's canvas encodes the PNG.
    pub fn on_sheet(&self, request: Option<u32>, width: usize, height: usize, rgba: &[u8]) {
        if request.is_none() || self.waiting.get() != request {
            return;
        }
        self.settle();
        let file = format!("{}-sheet.png", self.name.borrow());
        let png = picture(width, height, rgba).and_then(|c| c.to_data_url_with_type("image/png").ok());
        let bytes = png.as_deref().and_then(|url| url.strip_prefix("data:image/png;base64,")).and_then(|b64| web_sys::window()?.atob(b64).ok());
        match bytes {
            Some(binary) => {
                let bytes: Vec<u8> = binary.chars().map(|c| c as u32 as u8).collect();
                if let Err(e) = download(&bytes, &file) {
                    return show_error(&format!("the download failed: {e:?}"));
                }
                let size = [("file", file.clone()), ("width", width.to_string()), ("height", height.to_string())];
                set_text("export-status", &crate::language::t_fill("{file} ({width} × {height} pixels).", &size));
            }
            None => show_error("the browser could not encode the sheet as PNG"),
        }
    }

    pub fn on_refused(&self, request: u32) {
        if self.waiting.get() == Some(request) {
            self.settle();
            set_text("export-status", "");
        }
    }
}
