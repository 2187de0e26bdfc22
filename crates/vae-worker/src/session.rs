//! The worker's state machine: commands in, events out. No browser types: the glue in main.rs
//! feeds it messages and a clock, and posts what it returns.
use crate::lab::{model_config, settings_for, Lab};
use vae_core::data::{procedural, Dataset, DATASET_NAMES};
use vae_core::loss::LossParts;
use vae_core::model::Vae;
use vae_core::weights::{self, WeightsHeader};
use vae_protocol::{Command, Event, ImageKind, Losses, Settings};

/// How long one training slice runs before the worker answers queued messages again.
pub const SLICE_MS: f64 = 40.0;
const PROGRESS_EVERY_MS: f64 = 250.0;
const IMAGES_EVERY_MS: f64 = 700.0;
const HELD_OUT_EVERY_MS: f64 = 1500.0;

/// An event and, for images and files, the bytes to transfer beside it.
#[derive(Debug)]
pub struct Outgoing {
    pub event: Event,
    pub buffer: Option<Vec<u8>>,
}

impl Outgoing {
    fn event(event: Event) -> Self {
        Self { event, buffer: None }
    }

    fn error(message: impl Into<String>) -> Self {
        Self::event(Event::Error { message: message.into() })
    }

    fn image(kind: ImageKind, request: u32, (width, height, rgba): (usize, usize, Vec<u8>)) -> Self {
        Self { event: Event::Images { kind, width, height, request }, buffer: Some(rgba) }
    }
}

#[derive(Default)]
pub struct Session {
    settings: Settings,
    /// The MNIST files as sent by the page (or a user's own IDX files), parsed.
    mnist: Option<Dataset>,
    custom: Option<Dataset>,
    lab: Option<Lab>,
    running: bool,
    /// Losses of the steps since the last Progress event.
    pending: Vec<LossParts>,
    ms_per_step: f32,
    last_progress: f64,
    last_images: f64,
    last_held_out_at: f64,
    /// The held-out split is evaluated at the next tick rather than before the first drawing.
    eval_due: bool,
    /// Weights that arrived before their dataset: applied when it does (one model build, not two).
    waiting_weights: Option<(Vec<u8>, bool)>,
}

fn losses(p: &LossParts) -> Losses {
    Losses { recon: p.recon, kl: p.kl, total: p.total }
}

impl Session {
    pub fn is_running(&self) -> bool {
        self.running && self.lab.is_some()
    }

    /// Does the worker want a tick (a training slice, or a deferred held-out evaluation)?
    pub fn wants_tick(&self) -> bool {
        self.is_running() || (self.eval_due && self.lab.is_some())
    }

    /// Handles one command from the page.
    pub fn handle(&mut self, command: Command, buffer: Option<Vec<u8>>, now: f64) -> Vec<Outgoing> {
        match command {
            Command::Configure { settings } => self.configure(settings),
            Command::LoadDataset { name, images_len } => self.load_dataset(&name, buffer.unwrap_or_default(), images_len),
            Command::LoadWeights { pretrained } => self.load_weights(&buffer.unwrap_or_default(), pretrained),
            Command::Train { running } => {
                self.running = running && self.lab.is_some();
                let mut out = vec![];
                if !self.running {
                    out.extend(self.report(now, true));
                }
                out
            }
            Command::Step => {
                self.running = false;
                match self.train_step() {
                    Err(e) => vec![Outgoing::error(e)],
                    Ok(()) => self.report(now, true),
                }
            }
            Command::Reset => {
                self.running = false;
                self.rebuild(self.settings.clone(), None, None).unwrap_or_else(|refused| refused)
            }
            Command::Resample => match &mut self.lab {
                Some(lab) => {
                    lab.resample();
                    vec![Outgoing::image(ImageKind::Samples, 0, lab.samples())]
                }
                None => vec![],
            },
            Command::Decode { z, request, class } => match &mut self.lab {
                Some(lab) => match lab.decode_one(&z, class) {
                    Ok(image) => vec![Outgoing::image(ImageKind::Decoded, request, image)],
                    Err(e) => vec![Outgoing::error(e)],
                },
                None => vec![],
            },
            Command::Encode { index } => match &mut self.lab {
                Some(lab) => match lab.posterior(index) {
                    Ok((label, mu, log_var, image)) => vec![
                        Outgoing::image(ImageKind::Input, index as u32, image),
                        Outgoing::event(Event::Posterior { index, label, mu, log_var }),
                    ],
                    Err(e) => vec![Outgoing::error(e)],
                },
                None => vec![],
            },
            Command::SaveWeights => match &mut self.lab {
                Some(lab) => {
                    let header = WeightsHeader {
                        config: lab.config().clone(),
                        dataset: self.settings.dataset.clone(),
                        steps: lab.trainer.steps_done(),
                    };
                    let file_name = format!("vae-{}-{}-z{}-step{}.vae", self.settings.dataset, self.settings.arch, self.settings.latent_dim, header.steps);
                    vec![Outgoing { event: Event::Weights { file_name }, buffer: Some(weights::save(lab.model(), &header)) }]
                }
                None => vec![Outgoing::error("there is no model to save yet")],
            },
        }
    }

    /// Trains for one time slice (`SLICE_MS` by the clock) and reports when it is time to.
    pub fn slice(&mut self, clock: &dyn Fn() -> f64) -> Vec<Outgoing> {
        if std::mem::take(&mut self.eval_due) && !self.is_running() {
            return self.report(clock(), true);
        }
        let start = clock();
        let mut steps = 0;
        while self.is_running() && (steps == 0 || clock() - start < SLICE_MS) {
            if let Err(e) = self.train_step() {
                self.running = false;
                let mut out = vec![Outgoing::error(e)];
                out.extend(self.report(clock(), true));
                return out;
            }
            steps += 1;
        }
        if steps > 0 {
            self.ms_per_step = ((clock() - start) / steps as f64) as f32;
        }
        self.report(clock(), false)
    }

    fn train_step(&mut self) -> Result<(), String> {
        let lab = self.lab.as_mut().ok_or("the model is not ready yet")?;
        self.pending.push(lab.step().map_err(|e| e.to_string())?);
        Ok(())
    }

    /// Progress every PROGRESS_EVERY_MS, held-out loss and images less often; all of it when forced.
    fn report(&mut self, now: f64, force: bool) -> Vec<Outgoing> {
        let Some(lab) = &mut self.lab else { return vec![] };
        let mut out = Vec::new();
        if force || now - self.last_progress >= PROGRESS_EVERY_MS {
            // Slow models (conv) evaluate proportionally less often, so training keeps most of the time.
            let interval = HELD_OUT_EVERY_MS * (self.ms_per_step as f64 / SLICE_MS).max(1.0);
            let evaluate = force || now - self.last_held_out_at >= interval;
            let test = evaluate.then(|| losses(&lab.evaluate_held_out()));
            if evaluate {
                self.last_held_out_at = now;
            }
            out.push(self.progress(test));
            self.last_progress = now;
        }
        if force || now - self.last_images >= IMAGES_EVERY_MS {
            let lab = self.lab.as_mut().expect("checked above");
            out.push(Outgoing::image(ImageKind::Samples, 0, lab.samples()));
            out.push(Outgoing::image(ImageKind::Reconstructions, 0, lab.reconstructions()));
            self.last_images = now;
        }
        out
    }

    /// A Progress event for the steps since the last one (their mean losses), and `test` if evaluated.
    fn progress(&mut self, test: Option<Losses>) -> Outgoing {
        let lab = self.lab.as_ref().expect("progress needs a model");
        let mean = (!self.pending.is_empty())
            .then(|| LossParts::weighted_mean(&self.pending.drain(..).map(|p| (p, 1)).collect::<Vec<_>>()));
        let steps = lab.trainer.steps_done();
        Outgoing::event(Event::Progress {
            step: steps,
            epoch: lab.epoch(),
            running: self.running,
            train: mean.as_ref().map(losses).unwrap_or_default(),
            test,
            kl_per_dim: mean.map(|m| m.kl_per_dim).unwrap_or_default(),
            beta: lab.trainer.config().beta_at(steps),
            images_per_sec: if self.ms_per_step > 0.0 { 1000.0 * lab.settings.batch_size as f32 / self.ms_per_step } else { 0.0 },
            ms_per_step: self.ms_per_step,
            memory_bytes: memory_bytes(),
        })
    }

    /// Is the dataset at hand (without building or copying it)?
    fn has_dataset(&self, name: &str) -> bool {
        match name {
            "mnist" => self.mnist.is_some(),
            "custom" => self.custom.is_some(),
            other => DATASET_NAMES.contains(&other),
        }
    }

    /// The dataset by name: a copy of a loaded one, or a procedural one drawn now (costly: call once).
    fn dataset(&self, name: &str) -> Option<Dataset> {
        match name {
            "mnist" => self.mnist.clone(),
            "custom" => self.custom.clone(),
            other => procedural(other),
        }
    }

    fn configure(&mut self, settings: Settings) -> Vec<Outgoing> {
        match &mut self.lab {
            Some(lab) if !lab.settings.needs_new_model(&settings) => {
                lab.apply_live(&settings);
                self.settings = settings;
                vec![]
            }
            _ => self.rebuild(settings, None, None).unwrap_or_else(|refused| refused),
        }
    }

    /// A new Lab for `settings` on `data` (or the dataset the settings name), with fresh weights
    /// or `weights`. Settings and model change together, and only on success: a refused rebuild
    /// (Err) leaves the running model and tells the page its settings again.
    fn rebuild(&mut self, settings: Settings, data: Option<Dataset>, weights: Option<Vae>) -> Result<Vec<Outgoing>, Vec<Outgoing>> {
        let Some(data) = data.or_else(|| self.dataset(&settings.dataset)) else {
            self.settings = settings; // MNIST bytes still on their way: built when they arrive
            return Ok(vec![]);
        };
        match Lab::new(settings.clone(), &data, weights) {
            Ok(mut lab) => {
                // Draw first; the held-out evaluation follows at the next tick.
                let images = [
                    Outgoing::image(ImageKind::Samples, 0, lab.samples()),
                    Outgoing::image(ImageKind::Reconstructions, 0, lab.reconstructions()),
                ];
                self.settings = settings;
                self.lab = Some(lab);
                self.running = false;
                self.pending.clear();
                self.eval_due = true;
                let mut out = vec![self.configured()];
                out.extend(images);
                out.push(self.progress(None));
                Ok(out)
            }
            Err(e) => {
                let mut out = vec![Outgoing::error(format!("could not build that model: {e}"))];
                if self.lab.is_some() {
                    out.push(self.configured());
                }
                Err(out)
            }
        }
    }

    fn configured(&self) -> Outgoing {
        let lab = self.lab.as_ref();
        Outgoing::event(Event::Configured {
            settings: self.settings.clone(),
            dataset_len: lab.map_or(0, |l| l.train.len() + l.test.len()),
            held_out_len: lab.map_or(0, |l| l.test.len()),
            num_classes: lab.map_or(0, |l| l.train.num_classes),
            params: lab.map_or(0, |l| burn_params(&l.trainer.model())),
        })
    }

    fn load_dataset(&mut self, name: &str, bytes: Vec<u8>, images_len: usize) -> Vec<Outgoing> {
        if images_len > bytes.len() {
            return vec![Outgoing::error("the dataset message is inconsistent (images longer than the buffer)")];
        }
        let (images, labels) = bytes.split_at(images_len);
        let parsed = Dataset::from_idx(name, images, (!labels.is_empty()).then_some(labels));
        let data = match parsed {
            Ok(d) if d.len() < 2 => return vec![Outgoing::error("a dataset needs at least 2 images (one to train on, one held out)")],
            Ok(d) => d,
            Err(e) => return vec![Outgoing::error(format!("could not read that dataset ({e}); the current one is kept"))],
        };
        if name == "mnist" {
            self.mnist = Some(data);
            if let Some((bytes, pretrained)) = self.waiting_weights.take() {
                let out = self.load_weights(&bytes, pretrained);
                if self.lab.is_some() {
                    return out;
                }
            }
        } else {
            let data = Dataset { name: "custom".into(), ..data };
            self.custom = Some(data.clone());
            let settings = Settings { dataset: "custom".into(), ..self.settings.clone() };
            return self.rebuild(settings, Some(data), None).unwrap_or_else(|refused| refused);
        }
        if self.lab.is_none() && self.settings.dataset == name {
            return self.rebuild(self.settings.clone(), None, None).unwrap_or_else(|refused| refused);
        }
        vec![]
    }

    fn load_weights(&mut self, bytes: &[u8], pretrained: bool) -> Vec<Outgoing> {
        if let Ok((header, _)) = weights::read_header(bytes) {
            if header.dataset == "mnist" && self.mnist.is_none() {
                self.waiting_weights = Some((bytes.to_vec(), pretrained)); // MNIST is on its way
                return vec![];
            }
        }
        let (header, model) = match weights::load(bytes) {
            Ok(loaded) => loaded,
            Err(e) => return vec![Outgoing::error(format!("could not load those weights: {e}. The current model is kept."))],
        };
        // The settings the file implies: its architecture, on its dataset when that is at hand.
        let c = &header.config;
        let mut settings = settings_for(c, &self.settings);
        if self.has_dataset(&header.dataset) {
            settings.dataset = header.dataset.clone();
        }
        if pretrained && settings != self.settings {
            // The link asked for another model than the shipped one: start from fresh weights.
            return vec![Outgoing::event(Event::Info { message: "these settings differ from the pretrained model: starting from fresh weights".into() })];
        }
        let Some(data) = self.dataset(&settings.dataset) else {
            return vec![Outgoing::error(format!("those weights were trained on {:?}, which is not loaded", header.dataset))];
        };
        let expected = model_config(&settings, &data);
        if !expected.same_model(&header.config) {
            return vec![Outgoing::error(format!(
                "those weights read {}×{}×{} images with {} classes, but the dataset {:?} has {}×{}×{} images with {} classes; the current model is kept",
                c.image.width, c.image.height, c.image.channels, c.num_classes, settings.dataset, data.shape.width, data.shape.height, data.shape.channels, data.num_classes
            ))];
        }
        let what = if pretrained { "pretrained" } else { "your" };
        let loaded = format!("loaded {what} weights ({} training steps on {})", header.steps, header.dataset);
        match self.rebuild(settings, Some(data), Some(model)) {
            Ok(mut out) => {
                out.push(Outgoing::event(Event::Info { message: loaded }));
                out
            }
            Err(refused) => refused,
        }
    }
}

/// The wasm linear memory: all the worker's heap, for watching that long training does not leak.
fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    return core::arch::wasm32::memory_size(0) * 65536;
    #[cfg(not(target_arch = "wasm32"))]
    return 0;
}

fn burn_params(model: &Vae) -> usize {
    use vae_core::burn_module::Module;
    model.num_params()
}
