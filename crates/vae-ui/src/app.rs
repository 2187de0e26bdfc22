//! The page's state and its two directions: worker events → drawing, student actions → commands.
use crate::chart::{draw_losses, draw_posterior};
use crate::dom::{self, el, listen, set_disabled, set_text};
use crate::history::{LossHistory, Point};
use crate::link::{post, WorkerLink};
use crate::{form, sliders};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use vae_protocol::{Command, Event, ImageKind, Losses, Settings};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, MessageEvent};

const MNIST_IMAGES: &str = "assets/data/mnist10k-images-idx3-ubyte.gz";
const MNIST_LABELS: &str = "assets/data/mnist10k-labels-idx1-ubyte.gz";
const PRETRAINED: &str = "assets/pretrained-mnist.vae";

pub struct App {
    link: WorkerLink,
    settings: RefCell<Settings>,
    history: RefCell<LossHistory>,
    sliders: RefCell<sliders::SliderState>,
    running: Cell<bool>,
    /// Set by a request that moves the sliders (a click, a new model) until its Posterior arrives;
    /// the periodic refreshes in between only redraw the chart and must not clear it.
    posterior_moves_sliders: Cell<bool>,
}

pub fn start() -> Result<(), JsValue> {
    let (settings, url_problem) = form::from_url();
    form::write(&settings);
    if let Some(message) = url_problem {
        dom::show_error(&message);
    }
    let app = Rc::new(App {
        link: WorkerLink::start()?,
        settings: RefCell::new(settings),
        history: RefCell::default(),
        sliders: RefCell::default(),
        running: Cell::new(false),
        posterior_moves_sliders: Cell::new(false),
    });
    let a = app.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| a.on_message(e));
    app.link.worker().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wire_controls(&app);
    draw_losses(&app.history.borrow());
    Ok(())
}

fn wire_controls(app: &Rc<App>) {
    let on = |id: &str, event: &str, f: fn(&App)| {
        let a = app.clone();
        listen(id, event, move |_| {
            dom::show_error("");
            f(&a)
        });
    };
    on("train", "click", |a| a.set_running(!a.running.get()));
    on("step", "click", |a| a.link.send(&Command::Step));
    on("reset", "click", |a| a.link.send(&Command::Reset));
    on("resample", "click", |a| a.link.send(&Command::Resample));
    on("save-weights", "click", |a| a.link.send(&Command::SaveWeights));
    on("encode", "click", |a| a.encode_selected(true));
    on("decode-class", "change", |a| a.decode_sliders());
    on("zero-sliders", "click", |a| {
        sliders::set_values(&vec![0.0; a.settings.borrow().latent_dim]);
        a.decode_sliders();
    });
    for id in ["dataset", "arch", "latent-dim", "hidden", "conditional", "beta", "beta-warmup", "recon-loss", "lr", "batch-size", "seed"] {
        on(id, "change", |a| a.settings_changed());
    }
    on("beta", "input", |a| form::show_outputs(&form::read(&a.settings.borrow())));
    let a = app.clone();
    listen("load-weights", "change", move |_| a.upload_weights());
    let a = app.clone();
    listen("dataset-file", "change", move |_| a.upload_dataset());
    // Training stops with the page: the worker goes when the tab does.
    let a = app.clone();
    let on_hide = Closure::<dyn Fn()>::new(move || a.link.terminate());
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
    }
    on_hide.forget();
}

impl App {
    fn on_message(self: &Rc<Self>, e: MessageEvent) {
        let data = e.data();
        let json = js_sys::Reflect::get(&data, &"json".into()).ok().and_then(|j| j.as_string()).unwrap_or_default();
        let buffer = js_sys::Reflect::get(&data, &"buffer".into()).ok().filter(|b| b.is_instance_of::<js_sys::ArrayBuffer>());
        let bytes = || buffer.as_ref().map(|b| js_sys::Uint8Array::new(b).to_vec()).unwrap_or_default();
        match Event::from_json(&json) {
            Ok(Event::Ready) => self.on_ready(),
            Ok(Event::Configured { settings, dataset_len, held_out_len, num_classes, params }) => {
                self.on_configured(settings, dataset_len, held_out_len, num_classes, params)
            }
            Ok(Event::Progress { step, epoch, running, train, test, beta, images_per_sec, ms_per_step, memory_bytes, .. }) => {
                let status: HtmlElement = el("status");
                let _ = status.set_attribute("data-ms-per-step", &format!("{ms_per_step:.3}"));
                let _ = status.set_attribute("data-memory-bytes", &memory_bytes.to_string());
                self.on_progress(step, epoch, running, &train, test.as_ref(), beta, images_per_sec, ms_per_step)
            }
            Ok(Event::Images { kind, width, height, .. }) => self.on_image(kind, width, height, &bytes()),
            Ok(Event::Posterior { mu, log_var, .. }) => {
                draw_posterior(&mu, &log_var);
                if self.posterior_moves_sliders.replace(false) {
                    sliders::set_values(&mu);
                    self.decode_sliders();
                }
            }
            Ok(Event::Weights { file_name }) => {
                if let Err(e) = dom::download(&bytes(), &file_name) {
                    dom::show_error(&format!("the download failed: {e:?}"));
                }
            }
            Ok(Event::Error { message }) => {
                dom::show_error(&message);
                self.show_running(false);
            }
            Ok(Event::Info { message }) => set_text("info", &message),
            Err(message) => dom::show_error(&message),
        }
    }

    /// The worker listens: send the settings, then the shipped data and pretrained weights.
    fn on_ready(&self) {
        self.link.send(&Command::Configure { settings: self.settings.borrow().clone() });
        let window = web_sys::window().expect("a window");
        // Start all three downloads at once; fetch's promises run before they are awaited.
        let images = window.fetch_with_str(MNIST_IMAGES);
        let labels = window.fetch_with_str(MNIST_LABELS);
        let weights = window.fetch_with_str(PRETRAINED);
        let link = self.link.worker().clone();
        wasm_bindgen_futures::spawn_local(async move {
            let send = |command: Command, buffer: &js_sys::ArrayBuffer| post(&link, &command, Some(buffer));
            // Weights first: the worker keeps them until MNIST arrives and builds the model once.
            match bytes_of(weights, PRETRAINED).await {
                Ok(bytes) => send(Command::LoadWeights { pretrained: true }, &bytes),
                Err(e) => dom::show_error(&format!("the pretrained weights could not be loaded ({e}); press Train to train from scratch")),
            }
            match (bytes_of(images, MNIST_IMAGES).await, bytes_of(labels, MNIST_LABELS).await) {
                (Ok(images), Ok(labels)) => {
                    let images_len = images.byte_length() as usize;
                    send(Command::LoadDataset { name: "mnist".into(), images_len }, &concat(&images, &labels));
                }
                (Err(e), _) | (_, Err(e)) => dom::show_error(&format!("the MNIST files could not be loaded: {e}")),
            }
        });
    }

    fn on_configured(self: &Rc<Self>, settings: Settings, dataset_len: usize, held_out_len: usize, num_classes: usize, params: usize) {
        form::write(&settings);
        let dims = settings.latent_dim;
        let conditional = settings.conditional;
        *self.settings.borrow_mut() = settings;
        *self.history.borrow_mut() = LossHistory::default();
        draw_losses(&self.history.borrow());
        for id in ["train", "step", "reset", "save-weights"] {
            set_disabled(id, false);
        }
        self.show_running(false);
        let s = self.settings.borrow();
        set_text(
            "info",
            &format!(
                "{} VAE, {} latent dimensions, {params} parameters, on {} ({} training / {held_out_len} held-out images){}",
                if s.arch == "conv" { "Convolutional" } else { "MLP" },
                dims,
                s.dataset,
                dataset_len - held_out_len,
                if conditional { ", conditioned on the class" } else { "" },
            ),
        );
        drop(s);
        let class_select: HtmlSelectElement = el("decode-class");
        class_select.set_inner_html("");
        for c in 0..if conditional { num_classes } else { 0 } {
            if let Ok(o) = web_sys::HtmlOptionElement::new_with_text_and_value(&c.to_string(), &c.to_string()) {
                let _ = class_select.add_with_html_option_element(&o);
            }
        }
        class_select.set_hidden(!conditional);
        el::<HtmlElement>("decode-class-label").set_hidden(!conditional);
        el::<HtmlInputElement>("encode-index").set_max(&held_out_len.saturating_sub(1).to_string());
        let on_input = self.slider_callback();
        sliders::build(dims, &on_input);
        *self.sliders.borrow_mut() = sliders::SliderState::default();
        self.encode_selected(true);
    }

    /// The sliders' input handler; like every listener here it lives as long as the page.
    fn slider_callback(self: &Rc<Self>) -> js_sys::Function {
        let a = self.clone();
        let closure = Closure::<dyn Fn()>::new(move || a.decode_sliders());
        let f: js_sys::Function = closure.as_ref().clone().unchecked_into();
        closure.forget();
        f
    }

    #[allow(clippy::too_many_arguments)]
    fn on_progress(&self, step: usize, epoch: usize, running: bool, train: &Losses, test: Option<&Losses>, beta: f32, ips: f32, ms: f32) {
        let status: HtmlElement = el("status");
        let _ = status.set_attribute("data-step", &step.to_string());
        let _ = status.set_attribute("data-epoch", &epoch.to_string());
        if train.total > 0.0 {
            let _ = status.set_attribute("data-train-loss", &format!("{:.3}", train.total));
        }
        if let Some(t) = test {
            let _ = status.set_attribute("data-test-loss", &format!("{:.3}", t.total));
        }
        let held_out: Option<f32> = status.get_attribute("data-test-loss").and_then(|t| t.parse().ok());
        let test_text = held_out.map(|t| format!(" · held-out {t:.1}")).unwrap_or_default();
        let speed = if running && ips > 0.0 { format!(" · {ips:.0} images/s · {ms:.1} ms/step") } else { String::new() };
        let train_text = if train.total > 0.0 { format!(" · train {:.1}", train.total) } else { String::new() };
        let losses = if train_text.is_empty() && test_text.is_empty() { " · evaluating…".to_string() } else { format!("{train_text}{test_text} nats") };
        status.set_text_content(Some(&format!("step {step} · epoch {epoch}{speed}{losses}")));
        // The formula shows the latest batch, or the held-out figures before any training.
        let shown = if train.total > 0.0 { Some(train) } else { test };
        if let Some(l) = shown {
            set_text("formula-recon", &format!("{:.1}", l.recon));
            set_text("formula-kl", &format!("{:.1}", l.kl));
            set_text("formula-total", &format!("{:.1}", l.total));
        }
        set_text("formula-beta", &format!("{beta:.2}"));
        let mut history = self.history.borrow_mut();
        if step > 0 && train.total > 0.0 {
            history.push_train(Point { step: step as f64, recon: train.recon as f64, kl: train.kl as f64 });
        }
        if let Some(t) = test {
            history.push_test(Point { step: step as f64, recon: t.recon as f64, kl: t.kl as f64 });
        }
        draw_losses(&history);
        self.show_running(running);
    }

    fn on_image(&self, kind: ImageKind, width: usize, height: usize, rgba: &[u8]) {
        if rgba.len() != width * height * 4 {
            return dom::show_error("the worker sent an image of the wrong size");
        }
        let canvas = match kind {
            ImageKind::Samples => "samples",
            ImageKind::Reconstructions => "reconstructions",
            ImageKind::Decoded => "decoded",
            ImageKind::Input => "input-image",
        };
        dom::draw_rgba(canvas, width, height, rgba);
        let drawn: HtmlElement = el(canvas);
        let now = now_ms();
        // For the benchmark: when the first samples appeared, and each decode's round trip.
        if kind == ImageKind::Samples && !drawn.has_attribute("data-first-ms") {
            let _ = drawn.set_attribute("data-first-ms", &format!("{now:.1}"));
        }
        // The model changed: redraw the sliders' image and the posterior chart with it.
        if kind == ImageKind::Samples {
            self.decode_sliders();
            self.encode_selected(false);
        }
        if kind == ImageKind::Decoded {
            let sent = self.sliders.borrow().sent_at;
            let _ = drawn.set_attribute("data-decode-ms", &format!("{:.2}", now - sent));
            if self.sliders.borrow_mut().answered() {
                self.send_decode();
            }
        }
    }

    fn show_running(&self, running: bool) {
        self.running.set(running);
        set_text("train", if running { "Pause" } else { "Train" });
    }

    fn set_running(&self, running: bool) {
        self.show_running(running);
        self.link.send(&Command::Train { running });
    }

    fn settings_changed(&self) {
        let current = self.settings.borrow().clone();
        let next = form::read(&current);
        form::show_outputs(&next);
        if next == current {
            return;
        }
        form::mirror_in_url(&next);
        *self.settings.borrow_mut() = next.clone();
        self.link.send(&Command::Configure { settings: next });
    }

    fn decode_sliders(&self) {
        if self.sliders.borrow_mut().want_decode() {
            self.send_decode();
        }
    }

    fn send_decode(&self) {
        let class = el::<HtmlSelectElement>("decode-class").value().parse().unwrap_or(0);
        self.sliders.borrow_mut().sent_at = now_ms();
        let request = self.sliders.borrow().request;
        self.link.send(&Command::Decode { z: sliders::values(), request, class });
    }

    fn encode_selected(&self, move_sliders: bool) {
        if move_sliders {
            self.posterior_moves_sliders.set(true);
        }
        let index = el::<HtmlInputElement>("encode-index").value().parse().unwrap_or(0);
        self.link.send(&Command::Encode { index });
    }

    fn upload_weights(&self) {
        let input: HtmlInputElement = el("load-weights");
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let link = self.link.worker().clone();
        wasm_bindgen_futures::spawn_local(async move {
            match dom::read_file(&file).await {
                Ok(buffer) => post(&link, &Command::LoadWeights { pretrained: false }, Some(&buffer)),
                Err(e) => dom::show_error(&e),
            }
        });
        input.set_value("");
    }

    /// One or two IDX files: the one named like "labels" (or the smaller) holds the labels.
    fn upload_dataset(&self) {
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
        let link = self.link.worker().clone();
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
            post(&link, &Command::LoadDataset { name: "custom".into(), images_len }, Some(&concat(&images, &labels)));
        });
    }
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

async fn bytes_of(fetch: js_sys::Promise, url: &str) -> Result<js_sys::ArrayBuffer, String> {
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(fetch)
        .await
        .map_err(|e| format!("{url}: {e:?}"))?
        .dyn_into()
        .map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(response.array_buffer().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{url}: {e:?}"))?;
    buffer.dyn_into().map_err(|_| format!("{url}: no bytes"))
}

fn concat(a: &js_sys::ArrayBuffer, b: &js_sys::ArrayBuffer) -> js_sys::ArrayBuffer {
    let out = js_sys::Uint8Array::new_with_length(a.byte_length() + b.byte_length());
    out.set(&js_sys::Uint8Array::new(a), 0);
    out.set(&js_sys::Uint8Array::new(b), a.byte_length());
    out.buffer()
}
