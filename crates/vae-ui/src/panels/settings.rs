//! The settings column: every setting (mirrored in the URL), your own dataset files, and
//! saving and loading weights.
use super::settings_form as form;
use crate::ctx::Ctx;
use crate::dom::{self, el, listen};
use std::cell::RefCell;
use std::rc::Rc;
use vae_protocol::{Command, Dataset, Settings};
use web_sys::HtmlInputElement;

pub struct SettingsPanel {
    ctx: Rc<Ctx>,
    settings: RefCell<Settings>,
}

impl SettingsPanel {
    pub fn new(ctx: Rc<Ctx>, settings: Settings) -> Rc<Self> {
        form::set_ranges();
        form::write(&settings);
        let panel = Rc::new(Self { ctx, settings: RefCell::new(settings) });
        for id in ["dataset", "arch", "latent-dim", "hidden", "conditional", "beta", "beta-warmup", "recon-loss", "lr", "batch-size", "seed", "leave-out"] {
            let p = panel.clone();
            listen(id, "change", move |_| p.changed());
        }
        let p = panel.clone();
        listen("beta", "input", move |_| form::show_outputs(&form::read(&p.settings.borrow())));
        let p = panel.clone();
        listen("save-weights", "click", move |_| p.ctx.send(&Command::SaveWeights { snapshot: false }));
        let p = panel.clone();
        listen("load-weights", "change", move |_| p.upload_weights());
        let p = panel.clone();
        listen("dataset-file", "change", move |_| p.upload_dataset());
        panel
    }

    pub fn current(&self) -> Settings {
        self.settings.borrow().clone()
    }

    /// The settings the worker runs with (after loading weights they may differ from the form's).
    pub fn on_configured(&self, settings: &Settings) {
        form::write(settings);
        *self.settings.borrow_mut() = settings.clone();
    }

    fn changed(&self) {
        dom::show_error("");
        let current = self.current();
        let next = form::read(&current);
        form::show_outputs(&next);
        if next == current {
            return;
        }
        form::mirror_in_url(&next);
        *self.settings.borrow_mut() = next.clone();
        self.ctx.send(&Command::Configure { settings: next });
    }

    fn upload_weights(&self) {
        dom::show_error("");
        let input: HtmlInputElement = el("load-weights");
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let link = self.ctx.worker();
        wasm_bindgen_futures::spawn_local(async move {
            match dom::read_file(&file).await {
                Ok(buffer) => crate::link::post(&link, &Command::LoadWeights { pretrained: false }, Some(&buffer)),
                Err(e) => dom::show_error(&e),
            }
        });
        input.set_value("");
    }

    /// One or two IDX files: the one named like "labels" (or the smaller) holds the labels.
    fn upload_dataset(&self) {
        dom::show_error("");
        let input: HtmlInputElement = el("dataset-file");
        let Some(list) = input.files() else { return };
        let mut files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        input.set_value("");
        if files.is_empty() || files.len() > 2 {
            return dom::show_error("choose one images file, or an images file and a labels file");
        }
        files.sort_by(|a, b| {
            let labels = |f: &web_sys::File| f.name().to_lowercase().contains("label");
            labels(a).cmp(&labels(b)).then(b.size().total_cmp(&a.size()))
        });
        let link = self.ctx.worker();
        if let Ok(Some(custom)) = dom::document().query_selector("#dataset option[value=custom]") {
            let _ = custom.remove_attribute("disabled");
        }
        wasm_bindgen_futures::spawn_local(async move {
            let images = match dom::read_file(&files[0]).await { Ok(b) => b, Err(e) => return dom::show_error(&e) };
            let labels = match files.get(1) {
                Some(f) => match dom::read_file(f).await { Ok(b) => b, Err(e) => return dom::show_error(&e) },
                None => js_sys::ArrayBuffer::new(0),
            };
            let images_len = images.byte_length() as usize;
            crate::link::post(&link, &Command::LoadDataset { dataset: Dataset::Custom, images_len }, Some(&crate::link::concat(&images, &labels)));
        });
    }
}
