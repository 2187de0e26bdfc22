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
        for id in ["dataset", "arch", "latent-dim", "hidden", "conditional", "beta", "beta-warmup", "recon-loss", "lr", "batch-size", "seed", "leave-out", "workers"] {
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
        let p = panel.clone();
        listen("dataset-folder", "change", move |_| p.upload_folder());
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

    /// Settings chosen elsewhere (a lesson preset): into the form, the URL and the worker.
    pub fn apply(&self, next: Settings) {
        dom::show_error("");
        form::write(&next);
        if next != self.current() {
            *self.settings.borrow_mut() = next.clone();
            self.ctx.send(&Command::Configure { settings: next });
        }
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
    /// The files of a file input, emptied so choosing the same files again is a change.
    fn take_files(id: &str) -> Vec<web_sys::File> {
        let input: HtmlInputElement = el(id);
        let files = input.files().map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect()).unwrap_or_default();
        input.set_value("");
        files
    }

    /// PNG or JPEG pictures (chosen one by one or as a folder) become the dataset.
    fn upload_images(&self, files: Vec<web_sys::File>) {
        let colour = el::<HtmlInputElement>("images-colour").checked();
        let link = self.ctx.worker();
        dom::set_text("info", &crate::language::t_fill("Reading {count} images…", &[("count", files.len().to_string())]));
        wasm_bindgen_futures::spawn_local(async move {
            match crate::own_images::read_all(&files).await {
                Ok((paths, rgba)) => {
                    let buffer = js_sys::Uint8Array::from(&rgba[..]).buffer();
                    crate::link::post(&link, &Command::LoadImages { paths, side: crate::own_images::SIDE, colour }, Some(&buffer));
                }
                Err(e) => {
                    dom::set_text("info", "");
                    dom::show_error(&format!("could not use those images: {e}; the current dataset is kept"));
                }
            }
        });
    }

    fn upload_folder(&self) {
        dom::show_error("");
        let files: Vec<web_sys::File> = Self::take_files("dataset-folder").into_iter().filter(|f| crate::image_header::is_image_name(&f.name())).collect();
        if files.is_empty() {
            return dom::show_error("that folder holds no PNG or JPEG images; the current dataset is kept");
        }
        self.enable_custom();
        self.upload_images(files);
    }

    fn enable_custom(&self) {
        if let Ok(Some(custom)) = dom::document().query_selector("#dataset option[value=custom]") {
            let _ = custom.remove_attribute("disabled");
        }
    }

    fn upload_dataset(&self) {
        dom::show_error("");
        let mut files = Self::take_files("dataset-file");
        let images = files.iter().filter(|f| crate::image_header::is_image_name(&f.name())).count();
        if images > 0 && images < files.len() {
            return dom::show_error("choose either IDX files or PNG/JPEG images, not both; the current dataset is kept");
        }
        if images > 0 {
            self.enable_custom();
            return self.upload_images(files);
        }
        if files.is_empty() || files.len() > 2 {
            return dom::show_error("choose one images file, or an images file and a labels file");
        }
        files.sort_by(|a, b| {
            let labels = |f: &web_sys::File| f.name().to_lowercase().contains("label");
            labels(a).cmp(&labels(b)).then(b.size().total_cmp(&a.size()))
        });
        let link = self.ctx.worker();
        self.enable_custom();
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
