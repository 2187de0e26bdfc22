//! The App routes: worker events to the panels they concern, the open section's views to the
//! worker. Everything else lives in the panels.
use crate::ctx::Ctx;
use crate::dom::{self, el, set_text};
use crate::link::{concat, post, WorkerLink};
use crate::panels::anomaly::Anomaly;
use crate::panels::compare::Compare;
use crate::panels::completion::Completion;
use crate::panels::export::Export;
use crate::panels::transfer::Transfer;
use crate::panels::draw::Draw;
use crate::panels::explorer::Explorer;
use crate::panels::history::LossHistory;
use crate::panels::interpolation::Interpolation;
use crate::panels::kl_per_dim::KlPerDim;
use crate::panels::latent_map::{HeldOut, LatentMap};
use crate::panels::lesson::{FromLink, Lesson};
use crate::panels::samples::Samples;
use crate::panels::sections::{views_for, PanelChoices, Section};
use crate::panels::settings::SettingsPanel;
use crate::panels::settings_form;
use crate::panels::training::Training;
use crate::saved;
use crate::panels::traversals::{Manifold, Traversals};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use vae_protocol::{Arch, Command, Dataset, Event, Settings, Twin, View, Views};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, MessageEvent};

// The shipped files; www/boot.js fetches the same ones while the page loads.
const MNIST_IMAGES: &str = "assets/data/mnist10k-images-idx3-ubyte.gz";
const MNIST_LABELS: &str = "assets/data/mnist10k-labels-idx1-ubyte.gz";
const PRETRAINED: &str = "assets/pretrained-mnist.vae";
/// The pretrained run's loss curves (`vae-cli train`'s losses.csv): the chart shows how the
/// shipped model learned rather than one point at its last step.
const PRETRAINED_LOSSES: &str = "assets/pretrained-mnist-losses.csv";

pub struct App {
    ctx: Rc<Ctx>,
    section: Cell<Section>,
    settings: Rc<SettingsPanel>,
    training: Rc<Training>,
    samples: Rc<Samples>,
    explorer: Rc<Explorer>,
    map: Rc<LatentMap>,
    held_out: Rc<RefCell<HeldOut>>,
    kl: KlPerDim,
    traversals: Rc<Traversals>,
    manifold: Manifold,
    draw: Rc<Draw>,
    interpolation: Interpolation,
    compare: Compare,
    completion: Rc<Completion>,
    anomaly: Rc<Anomaly>,
    transfer: Transfer,
    export: Rc<Export>,
    /// The step the explorer last redrew at: it refreshes when the model moved on.
    refreshed_at: Cell<Option<usize>>,
    /// The latest weights the worker saved for the page, and when: a replacement worker starts
    /// from them if this one dies.
    snapshot: RefCell<Option<js_sys::ArrayBuffer>>,
    snapshot_at: Cell<f64>,
    was_running: Cell<bool>,
    /// When the recent replacement workers started, to stop replacing one that dies at once.
    restarts: RefCell<Vec<f64>>,
    /// The read of the model kept from an earlier visit, awaited once the first worker is ready.
    saved_load: RefCell<Option<js_sys::Promise>>,
    saved_query: RefCell<String>,
    /// Loss curves kept with resumed weights: (their step, train, held-out triples).
    pending_history: RefCell<Option<(usize, Vec<f64>, Vec<f64>)>>,
    /// MNIST images, labels and the pretrained weights, fetched while the worker's wasm loads.
    downloads: RefCell<Option<[js_sys::Promise; 3]>>,
    /// The link names a lesson preset that starts from fresh weights.
    fresh_start: bool,
}

/// Starts the three downloads at once; fetch's promises run before they are awaited.
fn start_downloads() -> [js_sys::Promise; 3] {
    let window = web_sys::window().expect("a window");
    [MNIST_IMAGES, MNIST_LABELS, PRETRAINED].map(|url| window.fetch_with_str(url))
}

/// While training, the page keeps the worker's weights at least this often (and at every pause).
const SNAPSHOT_EVERY_MS: f64 = 30_000.0;

pub fn start() -> Result<(), JsValue> {
    // Before the settings panel rewrites the URL with the settings alone.
    let lesson_link = FromLink::read();
    let lang = crate::language::from_link_or_browser();
    crate::language::start(lang);
    let (settings, url_problem) = settings_form::from_url();
    // boot.js started the worker and the downloads while the page loaded.
    let (link, downloads) = WorkerLink::first()?;
    let ctx = Rc::new(Ctx::new(link));
    let held_out = Rc::new(RefCell::new(HeldOut::default()));
    // The CSV download reads the training panel's curves, which exist once the App does.
    type Csv = Box<dyn Fn() -> (String, String)>;
    let csv: Rc<RefCell<Option<Csv>>> = Rc::new(RefCell::new(None));
    let csv_source = csv.clone();
    let app = Rc::new(App {
        section: Cell::new(Section::Train),
        settings: SettingsPanel::new(ctx.clone(), settings),
        training: Training::new(ctx.clone()),
        samples: Samples::new(ctx.clone()),
        explorer: Explorer::new(ctx.clone()),
        map: LatentMap::new(ctx.clone(), "latent-map", Twin::Vae, held_out.clone(), Some("map-hover")),
        kl: KlPerDim::new(),
        traversals: Traversals::new(ctx.clone()),
        manifold: Manifold::new(),
        draw: Draw::new(ctx.clone()),
        interpolation: Interpolation::new(ctx.clone()),
        compare: Compare::new(ctx.clone(), held_out.clone()),
        completion: Completion::new(ctx.clone(), held_out.clone()),
        anomaly: Anomaly::new(ctx.clone()),
        transfer: Transfer::new(),
        export: Export::new(ctx.clone(), move || csv.borrow().as_ref().map(|f| f()).unwrap_or_default()),
        held_out,
        ctx,
        refreshed_at: Cell::new(None),
        snapshot: RefCell::new(None),
        snapshot_at: Cell::new(0.0),
        was_running: Cell::new(false),
        restarts: RefCell::new(vec![]),
        saved_load: RefCell::new(Some(saved::start_loading())),
        saved_query: RefCell::new(String::new()),
        pending_history: RefCell::new(None),
        downloads: RefCell::new(Some(downloads)),
        fresh_start: lesson_link.fresh_start(),
    });
    let a = app.clone();
    *csv_source.borrow_mut() = Some(Box::new(move || a.loss_csv()));
    let _lesson = Lesson::new(app.ctx.clone(), app.settings.clone(), lesson_link);
    let _tour = crate::panels::tour::Tour::new();
    if let Some(message) = url_problem {
        dom::show_error(&message);
    }
    let a = app.clone();
    app.ctx.set_views_listener(move || a.send_views());
    app.attach();
    let a = app.clone();
    dom::listen("resume-continue", "click", move |_| {
        let query = a.saved_query.borrow().clone();
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_search(&format!("{query}&resume=1"));
        }
    });
    dom::listen("resume-fresh", "click", move |_| {
        wasm_bindgen_futures::spawn_local(async {
            saved::clear().await;
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_search(""); // the defaults: the pretrained model
            }
        })
    });
    // Tests rehearse a crash: the worker panics and the page must recover.
    let a = app.clone();
    let on_crash = Closure::<dyn Fn()>::new(move || a.ctx.send(&Command::Crash));
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("vae-rehearse-crash", on_crash.as_ref().unchecked_ref());
    }
    on_crash.forget();
    for section in Section::ALL {
        let a = app.clone();
        dom::listen(&format!("tab-{}", section.name()), "click", move |_| a.open(section));
    }
    // The tabs as ARIA tabs: arrow keys move between them.
    let a = app.clone();
    dom::listen("sections", "keydown", move |e| {
        let key = e.unchecked_ref::<web_sys::KeyboardEvent>().key();
        let i = Section::ALL.iter().position(|s| *s == a.section.get()).unwrap_or(0);
        let next = match key.as_str() {
            "ArrowRight" => (i + 1) % Section::ALL.len(),
            "ArrowLeft" => (i + Section::ALL.len() - 1) % Section::ALL.len(),
            _ => return,
        };
        a.open(Section::ALL[next]);
        let _ = el::<HtmlElement>(&format!("tab-{}", Section::ALL[next].name())).focus();
    });
    // A link can open a section: …/#dimensions.
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    app.open(Section::from_name(hash.trim_start_matches('#')).unwrap_or(Section::Train));
    let a = app.clone();
    let on_visibility = Closure::<dyn Fn()>::new(move || a.send_views());
    let _ = dom::document().add_event_listener_with_callback("visibilitychange", on_visibility.as_ref().unchecked_ref());
    on_visibility.forget();
    // Training stops with the page: the worker goes when the tab does.
    let a = app.clone();
    let on_hide = Closure::<dyn Fn()>::new(move || a.ctx.terminate());
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
    }
    on_hide.forget();
    // The page listens now: the worker's messages sent before this (its Ready) arrive again.
    WorkerLink::replay_early();
    Ok(())
}

impl App {
    /// Listens to the current worker: its messages, and the signs that it died.
    fn attach(self: &Rc<Self>) {
        // A dead worker's last words (its panic report, then its error event) must not replace
        // the worker that already replaced it: each listener checks it still speaks for the current one.
        let worker = self.ctx.worker();
        let (a, w) = (self.clone(), worker.clone());
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            if a.ctx.worker() == w {
                a.on_message(e);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // one per worker, for its lifetime
        let (a, w) = (self.clone(), worker.clone());
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
            if a.ctx.worker() == w {
                let detail = e.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_else(|| e.type_());
                a.replace_worker(&detail);
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }

    /// The worker died: say so, start another, and give it the settings and the last weights.
    /// Training does not resume by itself.
    fn replace_worker(self: &Rc<Self>, why: &str) {
        let now = crate::dom::now_ms();
        let mut restarts = self.restarts.borrow_mut();
        restarts.retain(|t| now - t < 60_000.0);
        if restarts.len() >= 3 {
            self.ctx.terminate();
            return dom::show_error(&format!("The training worker keeps stopping ({why}). Reload the page to start again."));
        }
        restarts.push(now);
        drop(restarts);
        let from = if self.snapshot.borrow().is_some() { "the weights it last saved" } else { "the pretrained weights" };
        dom::show_error(&format!("The training worker stopped ({why}). A new one has started from {from} and your settings; press Train to go on."));
        match WorkerLink::start() {
            Ok(link) => {
                self.ctx.replace_link(link);
                self.attach();
            }
            Err(e) => dom::show_error(&format!("The training worker stopped and no new one could start: {e:?}")),
        }
        self.training.show_running(false);
    }

    /// Keeps the weights every SNAPSHOT_EVERY_MS while training and when training pauses.
    fn keep_weights(&self, running: bool) {
        let now = crate::dom::now_ms();
        let paused = self.was_running.replace(running) && !running;
        if paused || (running && now - self.snapshot_at.get() >= SNAPSHOT_EVERY_MS) {
            self.snapshot_at.set(now);
            self.ctx.send(&Command::SaveWeights { snapshot: true });
        }
    }

    /// Shows one section and tells the worker which views that opens.
    fn open(&self, section: Section) {
        self.section.set(section);
        for s in Section::ALL {
            let tab: HtmlElement = el(&format!("tab-{}", s.name()));
            let _ = tab.set_attribute("aria-selected", if s == section { "true" } else { "false" });
            tab.set_tab_index(if s == section { 0 } else { -1 });
            el::<HtmlElement>(&format!("section-{}", s.name())).set_hidden(s != section);
        }
        settings_form::mirror_section(section.name());
        // Charts drawn while their section was hidden had no size: draw them again.
        crate::canvas::redraw_messages(&el(&format!("section-{}", section.name())));
        match section {
            Section::Train => self.training.redraw(),
            Section::Dimensions => self.kl.redraw(),
            Section::Apply => self.anomaly.redraw(),
            _ => {}
        }
        self.send_views();
        if section == Section::Latent {
            self.explorer.refresh();
        }
    }

    fn views(&self) -> Views {
        let choices = PanelChoices {
            temperature: self.samples.temperature(),
            traversal_anchor: self.traversals.anchor(self.explorer.held_out_index()),
            interpolation: self.interpolation.anchors(),
            compare: self.compare.on(),
            class: self.explorer.class(),
        };
        views_for(self.section.get(), &choices)
    }

    /// A hidden page (another tab, a minimised window) computes no views: training goes on.
    fn send_views(&self) {
        let views = self.views();
        let hidden = dom::document().visibility_state() == web_sys::VisibilityState::Hidden;
        self.ctx.send(&Command::OpenViews { views: if hidden { views.none() } else { views } });
    }

    fn on_message(self: &Rc<Self>, e: MessageEvent) {
        let data = e.data();
        let json = js_sys::Reflect::get(&data, &"json".into()).ok().and_then(|j| j.as_string()).unwrap_or_default();
        let buffer = js_sys::Reflect::get(&data, &"buffer".into()).ok().filter(|b| b.is_instance_of::<js_sys::ArrayBuffer>());
        let bytes = || buffer.as_ref().map(|b| js_sys::Uint8Array::new(b).to_vec()).unwrap_or_default();
        let event = match Event::from_json(&json) {
            Ok(event) => event,
            Err(message) => return dom::show_error(&message),
        };
        // An answer about a model the page no longer shows.
        if event.generation().is_some_and(|g| g != self.ctx.generation()) {
            return;
        }
        match event {
            Event::Ready => self.on_ready(),
            Event::Configured { generation, settings, dataset_len, held_out_len, num_classes, params } => {
                self.on_configured(generation, &settings, dataset_len, held_out_len, num_classes, params)
            }
            Event::Progress(p) => {
                // The curves kept with resumed weights continue from the model's first report.
                let kept = self.pending_history.borrow_mut().take_if(|(steps, ..)| *steps == p.step);
                if let Some((_, train, test)) = kept {
                    self.training.restore_history(&train, &test);
                }
                self.keep_weights(p.running);
                self.training.on_progress(&p);
                if let Some(t) = &p.test {
                    self.kl.on_held_out(&t.kl_per_dim, t.active_units, p.beta);
                    self.draw.set_typical(t.recon + t.kl);
                }
                self.compare.on_progress(&p);
                if self.section.get() == Section::Latent && self.refreshed_at.replace(Some(p.step)) != Some(p.step) {
                    self.explorer.refresh();
                }
            }
            Event::Image { view, request, width, height, .. } => {
                let rgba = bytes();
                if rgba.len() != width * height * 4 {
                    return dom::show_error("the worker sent an image of the wrong size");
                }
                self.on_image(view, request, width, height, rgba);
            }
            Event::HeldOut { width, height, .. } => *self.held_out.borrow_mut() = HeldOut { width, height, rgba: bytes() },
            Event::LatentMap { twin, axes, points, labels, num_classes, .. } => {
                if twin == Twin::Vae && self.section.get() == Section::Latent {
                    self.map.on_map(axes.clone(), points.clone(), labels.clone(), num_classes);
                }
                if self.compare.on() {
                    self.compare.on_map(twin, axes, points, labels, num_classes);
                }
            }
            Event::Traversals { rows, .. } => self.traversals.on_rows(rows),
            Event::Posterior { request, mu, log_var, .. } => self.explorer.on_posterior(request, &mu, &log_var),
            Event::Picked { z, .. } => self.explorer.move_to(&z),
            Event::Drawn { mu, log_var, neg_elbo, point, .. } => {
                self.draw.on_drawn(&mu, &log_var, neg_elbo);
                self.map.set_star(point);
            }
            Event::Weights { snapshot: true, steps, .. } => {
                let Some(weights) = buffer.clone().and_then(|b| b.dyn_into::<js_sys::ArrayBuffer>().ok()) else { return };
                self.store(&weights, steps);
                *self.snapshot.borrow_mut() = Some(weights);
                let _ = el::<HtmlElement>("status").set_attribute("data-saved-steps", &steps.to_string());
            }
            Event::Weights { file_name, .. } => {
                if let Err(e) = dom::download(&bytes(), &file_name) {
                    dom::show_error(&format!("the download failed: {e:?}"));
                }
            }
            Event::Completed { request, iterations, chains, error, mean_fill_error, .. } => {
                self.completion.on_completed(request, iterations, chains, error, mean_fill_error)
            }
            Event::Anomaly { scores, labels, left_out, auc, drawn, .. } => self.anomaly.on_scores(scores, labels, left_out, auc, drawn),
            Event::Exported { request, name, count, images_len, labels, .. } => {
                self.export.on_exported(request, &name, count, images_len, labels, &bytes())
            }
            Event::Crashed { message } => self.replace_worker(&message),
            Event::Error { message, request } => {
                dom::show_error(&message);
                match request {
                    Some(r) => {
                        self.explorer.on_refused(r);
                        self.completion.on_refused(r);
                        self.export.on_refused(r);
                    }
                    None => self.training.show_running(false),
                }
            }
            Event::Info { message } => set_text("info", &crate::language::message(&message)),
        }
    }

    fn on_image(&self, view: View, request: Option<u32>, width: usize, height: usize, rgba: Vec<u8>) {
        match view {
            View::Samples | View::Reconstructions => {
                if view == View::Samples && self.compare.on() {
                    self.compare.on_samples(Twin::Vae, width, height, &rgba);
                }
                self.samples.on_image(view, width, height, &rgba);
            }
            View::Decoded | View::Input => self.explorer.on_image(view, request, width, height, &rgba),
            View::Manifold => self.manifold.on_image(width, height, &rgba),
            View::Traversals => self.traversals.on_image(width, height, rgba),
            View::Interpolation => self.interpolation.on_image(width, height, &rgba),
            View::DrawRecon | View::PosteriorSamples => self.draw.on_image(view, width, height, &rgba),
            View::AeSamples => self.compare.on_samples(Twin::Autoencoder, width, height, &rgba),
            View::Completion => self.completion.on_image(request, width, height, &rgba),
            View::StyleTransfer => self.transfer.on_image(width, height, &rgba),
            View::ExportSheet => self.export.on_sheet(request, width, height, &rgba),
        }
    }

    /// The worker listens: send the settings and the open views, then the shipped data and the
    /// weights — those kept from the last visit or the last worker, else the pretrained ones.
    fn on_ready(self: &Rc<Self>) {
        // The downloads started with the page; the first worker takes them, a replacement
        // fetches again (from the browser's cache).
        let [images, labels, weights] = self.downloads.borrow_mut().take().unwrap_or_else(start_downloads);
        let app = self.clone();
        let losses = web_sys::window().map(|w| w.fetch_with_str(PRETRAINED_LOSSES));
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(kept) = app.saved_load.borrow_mut().take() {
                if let Some(kept) = saved::loaded(kept).await {
                    app.offer_resume(kept);
                }
            }
            app.ctx.set_ready();
            app.ctx.send(&Command::Configure { settings: app.settings.current() });
            app.send_views();
            let link = app.ctx.worker();
            let send = |command: Command, buffer: &js_sys::ArrayBuffer| post(&link, &command, Some(buffer));
            let kept = app.snapshot.borrow().as_ref().map(|b| b.slice(0)); // a copy: posting detaches it
            // Weights first: the worker keeps them until MNIST arrives and builds the model once.
            match (kept, bytes_of(weights, PRETRAINED).await) {
                (Some(kept), _) => send(Command::LoadWeights { pretrained: false }, &kept),
                // A lesson that starts from scratch leaves the pretrained model aside.
                (None, Ok(_)) if app.fresh_start => {}
                (None, Ok(bytes)) => {
                    // Before the weights: the curves wait for the model's first report.
                    if let Some(curves) = text_of(losses).await.as_deref().and_then(LossHistory::from_training_csv) {
                        *app.pending_history.borrow_mut() = Some(curves);
                    }
                    send(Command::LoadWeights { pretrained: true }, &bytes)
                }
                (None, Err(e)) => dom::show_error(&format!("the pretrained weights could not be loaded ({e}); press Train to train from scratch")),
            }
            match (bytes_of(images, MNIST_IMAGES).await, bytes_of(labels, MNIST_LABELS).await) {
                (Ok(images), Ok(labels)) => {
                    let images_len = images.byte_length() as usize;
                    send(Command::LoadDataset { dataset: Dataset::Mnist, images_len }, &concat(&images, &labels));
                }
                (Err(e), _) | (_, Err(e)) => dom::show_error(&format!("the MNIST files could not be loaded: {e}")),
            }
        });
    }

    /// A model kept from an earlier visit: continue with it when the link names no settings,
    /// the same settings (a reload), or asks to resume; else offer it. The pretrained model
    /// stays one click away.
    fn offer_resume(&self, kept: saved::Saved) {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        let same_run = Settings::from_query(&search).0 == Settings::from_query(&kept.query).0;
        let resume = search.trim_start_matches('?').is_empty() || search.contains("resume=1") || same_run;
        let when = js_sys::Date::new(&kept.saved_at.into()).to_locale_time_string("en-GB").as_string().unwrap_or_default();
        *self.saved_query.borrow_mut() = kept.query.clone();
        let text = if resume {
            let (settings, _) = Settings::from_query(&kept.query);
            self.settings.on_configured(&settings);
            *self.snapshot.borrow_mut() = Some(kept.weights);
            *self.pending_history.borrow_mut() = Some((kept.steps, kept.train, kept.test));
            format!("Continued where you left off: the model you trained to step {} (kept at {when}).", kept.steps)
        } else {
            format!("This browser keeps a model you trained to step {} (kept at {when}).", kept.steps)
        };
        set_text("resume-text", &text);
        el::<HtmlElement>("resume-continue").set_hidden(resume);
        el::<HtmlElement>("resume-fresh").set_hidden(!resume);
        el::<HtmlElement>("resume").set_hidden(false);
    }

    /// Keeps the worker's snapshot in the browser's storage with its settings and curves; a
    /// storage that refuses (full, private mode) gets a notice and training goes on.
    fn store(&self, weights: &js_sys::ArrayBuffer, steps: usize) {
        let settings = self.settings.current();
        if settings.dataset == Dataset::Custom {
            return; // the file it trained on is not kept, so it could not be resumed
        }
        let (train, test) = self.training.history();
        let kept = saved::Saved { weights: weights.slice(0), query: settings.to_query(), steps, saved_at: js_sys::Date::now(), train, test };
        wasm_bindgen_futures::spawn_local(async move {
            match saved::put(&kept).await {
                Ok(()) => {
                    let _ = el::<HtmlElement>("status").set_attribute("data-stored-steps", &kept.steps.to_string());
                }
                Err(e) => set_text("info", &format!("Your model could not be kept in this browser's storage ({e}); it is lost when the tab closes. Save weights keeps a copy.")),
            }
        });
    }

    fn on_configured(&self, generation: u32, settings: &Settings, dataset_len: usize, held_out_len: usize, num_classes: usize, params: usize) {
        self.settings.on_configured(settings);
        if generation == self.ctx.generation() {
            return; // the running settings restated after a refused change: same model
        }
        self.ctx.set_generation(generation);
        self.refreshed_at.set(None);
        *self.held_out.borrow_mut() = HeldOut::default();
        self.training.on_model();
        self.explorer.on_model(settings, num_classes, held_out_len);
        self.map.on_model();
        self.kl.on_model();
        self.manifold.on_model(settings.latent_dim);
        self.interpolation.on_model(held_out_len);
        self.compare.on_model();
        self.completion.on_model(held_out_len);
        self.anomaly.on_model(num_classes, settings.leave_out);
        self.transfer.on_model(settings.conditional);
        self.export.on_model(settings, num_classes);
        let english = "{arch} VAE, {latent} latent dimensions, {params} parameters, on {dataset} ({train} training / {held_out} held-out images){conditional}";
        let conditional = if settings.conditional { crate::language::t(", conditioned on the class") } else { String::new() };
        let arch = crate::language::t(if settings.arch == Arch::Conv { "Convolutional" } else { "MLP" });
        let values = [
            ("arch", arch),
            ("latent", settings.latent_dim.to_string()),
            ("params", params.to_string()),
            ("dataset", settings.dataset.to_string()),
            ("train", (dataset_len - held_out_len).to_string()),
            ("held_out", held_out_len.to_string()),
            ("conditional", conditional),
        ];
        set_text("info", &crate::language::t_fill(english, &values));
    }
}

impl App {
    /// The loss curves as a CSV file named after the run.
    fn loss_csv(&self) -> (String, String) {
        let s = self.settings.current();
        let step = el::<HtmlElement>("status").get_attribute("data-step").unwrap_or_default();
        (format!("vae-loss-history-{}-z{}-beta{}-seed{}-step{step}.csv", s.dataset, s.latent_dim, s.beta, s.seed), self.training.csv())
    }
}

/// A fetched file's text; None when it is missing or unreadable (the page does without it).
async fn text_of(fetch: Option<js_sys::Promise>) -> Option<String> {
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(fetch?).await.ok()?.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    wasm_bindgen_futures::JsFuture::from(response.text().ok()?).await.ok()?.as_string()
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
