//! The worker's state machine: commands in, events out. No browser types: the glue in main.rs
//! feeds it messages and a clock, and posts what it returns.
use crate::helper;
use crate::lab::{model_config, settings_for, Lab};
use crate::team::{HelperMessage, Team};
use crate::views::Picture;
use vae_core::data::{procedural, Dataset};
use vae_core::loss::{active_units, LossParts};
use vae_core::model::Vae;
use vae_core::weights::{self, WeightsHeader};
use vae_protocol::{
    Anchor, Command, Dataset as DatasetName, Event, Losses, Progress, Settings, Twin, View, Views,
};

/// How long one training slice runs before the worker answers queued messages again.
pub const SLICE_MS: f64 = 40.0;
const PROGRESS_EVERY_MS: f64 = 250.0;
/// Pictures (the open views) refresh about 2.5 times a second while training: they cost ~2 %
/// of training throughput at this rate (tests/bench.mjs, "views' cost").
const IMAGES_EVERY_MS: f64 = 400.0;
const HELD_OUT_EVERY_MS: f64 = 1500.0;
/// The held-out evaluation and the views wait at least this many times their own cost: each
/// takes at most ~9 % of the worker's time.
const COST_FACTOR: f64 = 10.0;
/// Scoring 1,000 held-out images costs about a held-out evaluation: at most every 3 s.
const ANOMALY_EVERY_MS: f64 = 3000.0;

/// An event and, for images and files, the bytes to transfer beside it.
#[derive(Debug)]
pub struct Outgoing {
    pub event: Event,
    pub buffer: Option<Vec<u8>>,
}

impl Outgoing {
    fn event(event: Event) -> Self {
        Self {
            event,
            buffer: None,
        }
    }

    fn error(message: impl Into<String>) -> Self {
        Self::event(Event::Error {
            message: message.into(),
            request: None,
        })
    }

    /// An error that answers request `request`, so the page stops waiting for it.
    fn refusal(request: u32, message: impl Into<String>) -> Self {
        Self::event(Event::Error {
            message: message.into(),
            request: Some(request),
        })
    }

    fn image(
        view: View,
        generation: u32,
        request: Option<u32>,
        (width, height, rgba): Picture,
    ) -> Self {
        Self {
            event: Event::Image {
                view,
                generation,
                request,
                width,
                height,
            },
            buffer: Some(rgba),
        }
    }
}

#[derive(Default)]
pub struct Session {
    settings: Settings,
    /// The MNIST files as sent by the page (or a user's own IDX files), parsed.
    mnist: Option<Dataset>,
    custom: Option<Dataset>,
    /// Procedural datasets drawn so far (each drawn once: their seed is fixed).
    procedural: Vec<(DatasetName, Dataset)>,
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
    /// Counts the models built or loaded; answers carry it so the page drops stale ones.
    generation: u32,
    /// The panels the page has open.
    views: Views,
    /// The held-out images went to the page for this generation.
    held_out_sent: bool,
    /// The request id of the latest drawing, echoed when its views are redrawn.
    drawing_request: u32,
    /// When the anomaly scores were last sent (−∞: due at the next report), and the training
    /// step they were computed at.
    last_anomaly_at: f64,
    anomaly_scored_at_step: Option<usize>,
    /// The helper workers of data-parallel training, and the step whose shares are out.
    team: Team,
    /// The device's cores (for `workers=auto`); None until the glue says.
    cores: Option<usize>,
    /// This browser cannot start workers from a worker: every step is computed here, in one share.
    helpers_impossible: bool,
    /// Train or Step was pressed in this worker: the helpers are worth starting.
    trained_here: bool,
    /// The step in flight is a single Step: its end reports everything, held-out loss included.
    step_forces_report: bool,
    /// What the last held-out evaluation and the last views took, in ms.
    held_out_ms: f64,
    views_ms: f64,
    /// Milliseconds and steps of parallel steps since ms_per_step was last updated.
    parallel_window: (f64, usize),
}

fn losses(p: &LossParts) -> Losses {
    Losses {
        recon: p.recon,
        kl: p.kl,
        total: p.total,
        kl_per_dim: p.kl_per_dim.clone(),
        active_units: active_units(&p.kl_per_dim),
    }
}

fn mean(parts: &mut Vec<LossParts>) -> Option<LossParts> {
    (!parts.is_empty())
        .then(|| LossParts::weighted_mean(&parts.drain(..).map(|p| (p, 1)).collect::<Vec<_>>()))
}

impl Session {
    pub fn is_running(&self) -> bool {
        self.running && self.lab.is_some()
    }

    /// Does the worker want a tick (a training slice, or a deferred held-out evaluation)?
    /// Not while a step's shares are out: their answers continue the training.
    pub fn wants_tick(&self) -> bool {
        !self.team.in_flight() && (self.is_running() || (self.eval_due && self.lab.is_some()))
    }

    /// The glue tells the device's core count (`navigator.hardwareConcurrency`).
    pub fn set_cores(&mut self, cores: usize) {
        self.cores = Some(cores.max(1));
    }

    /// Workers cannot be started here: train in one share, as one worker.
    pub fn helpers_impossible(&mut self) {
        self.helpers_impossible = true;
        self.team.set_helpers(0);
    }

    /// Shares per training step: the settings' worker count (1 when helpers cannot run). It
    /// does not depend on which helpers are ready, so neither do a run's numbers.
    pub fn shares_per_step(&self) -> usize {
        match self.cores {
            Some(cores) if !self.helpers_impossible => {
                vae_protocol::settings::worker_count(self.settings.workers, cores)
            }
            _ => 1,
        }
    }

    /// The helper workers the glue should keep (one per share after the first), from the first
    /// training step on: started at load, they would compete for the cores with the first
    /// pictures (a helper loads and compiles the 4 MB worker wasm). Until they are ready, their
    /// shares are computed here, to the same numbers.
    pub fn helpers_wanted(&mut self) -> usize {
        let helpers = match self.trained_here {
            true => self.shares_per_step() - 1,
            false => 0,
        };
        self.team.set_helpers(helpers);
        helpers
    }

    pub fn helper_ready(&mut self, helper: usize) {
        self.team.helper_ready(helper);
    }

    /// Messages to the helpers are posted through `courier` as soon as they are made.
    pub fn set_courier(&mut self, courier: crate::team::Courier) {
        self.team.set_courier(courier);
    }

    /// The messages to post to the helpers, each to its helper, in order (without a courier).
    pub fn take_helper_messages(&mut self) -> Vec<HelperMessage> {
        self.team.take_messages()
    }

    /// A helper's answer: a share's gradient, or (Err) a reason, after which the helper gets no
    /// more work and its share is computed here.
    pub fn share_answered(
        &mut self,
        helper: usize,
        json: &str,
        buffer: Vec<f32>,
        clock: &dyn Fn() -> f64,
    ) -> Vec<Outgoing> {
        match helper::read_answer(json, buffer) {
            Ok((id, gradient)) => self.team.answered(helper, id, gradient),
            Err(_) => self.team.helper_lost(helper),
        }
        self.compute_local_shares(clock)
    }

    /// A helper failed (an error, a crash): its work comes back here.
    pub fn helper_lost(&mut self, helper: usize, clock: &dyn Fn() -> f64) -> Vec<Outgoing> {
        self.team.helper_lost(helper);
        self.compute_local_shares(clock)
    }

    /// Computes the shares of the step in flight that are this worker's; when every share is
    /// in, applies the update and reports.
    pub fn compute_local_shares(&mut self, clock: &dyn Fn() -> f64) -> Vec<Outgoing> {
        let count = self.shares_per_step();
        let Some(lab) = self.lab.as_mut() else {
            self.team.abandon();
            return vec![];
        };
        for i in self.team.local_work() {
            let gradient = lab
                .trainer
                .share_gradient(self.team.share(i).expect("a share"));
            self.team.store(i, gradient);
        }
        // The helpers have their update: their shares of the next step go out before this
        // worker applies and reports.
        if self.running
            && self.team.in_flight()
            && !self.team.has_ahead()
            && self.team.ready_count() > 0
        {
            if let Ok(shares) = lab.plan(count, true) {
                self.team.plan_ahead(shares);
            }
        }
        let Some(mut step) = self.team.take_if_complete() else {
            return vec![];
        };
        if step.generation != self.generation {
            return vec![]; // the model it was for is gone
        }
        let started = step.started;
        let applied = lab.apply(step.take_gradients());
        let trainer = &lab.trainer;
        let now = applied.is_ok().then(|| trainer.version());
        self.team
            .applied(&step, now, trainer.config().learning_rate);
        match applied {
            Ok(parts) => self.pending.push(parts),
            Err(e) => {
                self.running = false;
                self.drop_ahead();
                let mut out = vec![Outgoing::error(e)];
                out.extend(self.report(clock, true));
                return out;
            }
        }
        let now = clock();
        self.parallel_window.0 += now - started;
        self.parallel_window.1 += 1;
        if self.parallel_window.0 >= SLICE_MS {
            self.ms_per_step = (self.parallel_window.0 / self.parallel_window.1 as f64) as f32;
            self.parallel_window = (0.0, 0);
        }
        let forced = std::mem::take(&mut self.step_forces_report);
        self.report(clock, forced)
    }

    /// The step planned ahead will not be taken.
    fn drop_ahead(&mut self) {
        if self.team.drop_ahead() {
            if let Some(lab) = &mut self.lab {
                lab.drop_last_plan();
            }
        }
    }

    /// Starts a step cut into shares: the helpers' requests wait in the team's outbox for the
    /// glue to post; `compute_local_shares` does the rest.
    fn start_parallel_step(&mut self, clock: &dyn Fn() -> f64) -> Vec<Outgoing> {
        let count = self.shares_per_step();
        let Some(lab) = self.lab.as_mut() else {
            return vec![];
        };
        let started = clock();
        if self.team.has_ahead() {
            let config = lab.config().clone();
            let learning_rate = lab.trainer.config().learning_rate;
            let (version, state) = lab.trainer.state();
            self.team
                .start_ahead(started, &config, learning_rate, version, state);
            return vec![];
        }
        match lab.plan(count, false) {
            Ok(shares) => {
                let config = lab.config().clone();
                let learning_rate = lab.trainer.config().learning_rate;
                let (version, state) = lab.trainer.state();
                self.team.start(
                    self.generation,
                    started,
                    shares,
                    &config,
                    learning_rate,
                    version,
                    state,
                );
                vec![]
            }
            Err(e) => {
                self.running = false;
                let mut out = vec![Outgoing::error(e)];
                out.extend(self.report(clock, true));
                out
            }
        }
    }

    /// Handles one command from the page.
    pub fn handle(&mut self, command: Command, buffer: Option<Vec<u8>>, now: f64) -> Vec<Outgoing> {
        match command {
            Command::Configure { settings } => self.configure(settings),
            Command::LoadDataset {
                dataset,
                images_len,
            } => self.load_dataset(dataset, buffer.unwrap_or_default(), images_len),
            Command::LoadImages {
                paths,
                side,
                colour,
            } => {
                match vae_core::data::import::from_rgba(
                    "custom",
                    &buffer.unwrap_or_default(),
                    side,
                    &paths,
                    colour,
                ) {
                    Ok(data) => self.use_custom(data),
                    Err(e) => vec![Outgoing::error(format!(
                        "could not use those images ({e}); the current dataset is kept"
                    ))],
                }
            }
            Command::LoadWeights { pretrained } => {
                self.load_weights(&buffer.unwrap_or_default(), pretrained)
            }
            Command::Train { running } => {
                self.running = running && self.lab.is_some();
                self.trained_here |= self.running;
                let mut out = vec![];
                if !self.running {
                    // A pause means now: the step in flight is finished here (same numbers),
                    // so the paused model — and the snapshot the page keeps of it — is final.
                    self.drop_ahead();
                    self.team.reclaim();
                    out.extend(self.compute_local_shares(&|| now));
                    out.extend(self.report(&|| now, true));
                }
                out
            }
            // With a step's shares out, that step is the one: it finishes when they come back.
            Command::Step if self.team.in_flight() => {
                self.running = false;
                vec![]
            }
            // One step shared with the helpers: it finishes (and reports) when their shares do.
            Command::Step if self.team.ready_count() > 0 => {
                self.running = false;
                self.step_forces_report = true;
                self.start_parallel_step(&|| now)
            }
            Command::Step => {
                self.running = false;
                self.trained_here = true;
                match self.train_step() {
                    Err(e) => vec![Outgoing::error(e)],
                    Ok(()) => self.report(&|| now, true),
                }
            }
            Command::Reset => {
                self.running = false;
                self.rebuild(self.settings.clone(), None, None)
                    .unwrap_or_else(|refused| refused)
            }
            Command::Resample => match &mut self.lab {
                Some(lab) => {
                    lab.resample();
                    self.sample_views()
                }
                None => vec![],
            },
            Command::OpenViews { views } => self.open_views(views, now),
            // Requests about a replaced model are dropped: the page has forgotten them.
            Command::Decode { generation, .. }
            | Command::Encode { generation, .. }
            | Command::PickLatent { generation, .. }
            | Command::Complete { generation, .. }
            | Command::Export { generation, .. }
                if generation != self.generation =>
            {
                vec![]
            }
            Command::Complete {
                request,
                source,
                mask,
                iterations,
                chains,
                ..
            } => match &mut self.lab {
                Some(lab) => match lab.completion(source, &mask, iterations, chains) {
                    Ok(c) => vec![
                        Outgoing::image(
                            View::Completion,
                            self.generation,
                            Some(request),
                            c.picture,
                        ),
                        Outgoing::event(Event::Completed {
                            generation: self.generation,
                            request,
                            iterations: iterations.clamp(1, 100),
                            chains: chains.clamp(1, 16),
                            error: c.error,
                            mean_fill_error: c.mean_fill_error,
                        }),
                    ],
                    Err(e) => vec![Outgoing::refusal(request, e)],
                },
                None => vec![Outgoing::refusal(request, "the model is not ready yet")],
            },
            Command::Export {
                request,
                count,
                temperature,
                class,
                sheet,
                ..
            } => match &mut self.lab {
                Some(lab) => match lab.export(count, temperature, class, sheet) {
                    Ok(export) => self.exported(request, export),
                    Err(e) => vec![Outgoing::refusal(request, e)],
                },
                None => vec![Outgoing::refusal(request, "the model is not ready yet")],
            },
            Command::Decode {
                request, z, class, ..
            } => match &mut self.lab {
                Some(lab) => match lab.decode_one(&z, class) {
                    Ok(image) => vec![Outgoing::image(
                        View::Decoded,
                        self.generation,
                        Some(request),
                        image,
                    )],
                    Err(e) => vec![Outgoing::refusal(request, e)],
                },
                None => vec![Outgoing::refusal(request, "the model is not ready yet")],
            },
            Command::Encode { request, index, .. } => match &mut self.lab {
                Some(lab) => match lab.posterior(index) {
                    Ok((label, mu, log_var, image)) => vec![
                        Outgoing::image(View::Input, self.generation, Some(request), image),
                        Outgoing::event(Event::Posterior {
                            generation: self.generation,
                            request,
                            index,
                            label,
                            mu,
                            log_var,
                        }),
                    ],
                    Err(e) => vec![Outgoing::refusal(request, e)],
                },
                None => vec![Outgoing::refusal(request, "the model is not ready yet")],
            },
            Command::PickLatent {
                request,
                twin,
                x,
                y,
                ..
            } => match &mut self.lab {
                Some(lab) if x.is_finite() && y.is_finite() => match lab.pick(twin, x, y) {
                    Ok(z) => vec![Outgoing::event(Event::Picked {
                        generation: self.generation,
                        request,
                        z,
                    })],
                    Err(e) => vec![Outgoing::refusal(request, e)],
                },
                _ => vec![Outgoing::refusal(request, "that point cannot be decoded")],
            },
            Command::Draw {
                request,
                width,
                height,
            } => match &mut self.lab {
                Some(lab) => match lab.set_drawing(&buffer.unwrap_or_default(), width, height) {
                    Ok(()) => {
                        self.drawing_request = request;
                        let mut out = self.drawing_views();
                        if self.views.anomaly {
                            out.extend(self.anomaly_view()); // where the new drawing falls
                        }
                        out
                    }
                    Err(e) => vec![Outgoing::refusal(request, e)],
                },
                None => vec![Outgoing::refusal(request, "the model is not ready yet")],
            },
            Command::Crash => panic!("a crash the page asked for (a recovery rehearsal)"),
            Command::SaveWeights { snapshot } => match &mut self.lab {
                Some(lab) => {
                    let header = WeightsHeader {
                        config: lab.config().clone(),
                        dataset: self.settings.dataset.name().into(),
                        steps: lab.trainer.steps_done(),
                    };
                    let file_name = format!(
                        "vae-{}-{}-z{}-step{}.vae",
                        self.settings.dataset,
                        self.settings.arch,
                        self.settings.latent_dim,
                        header.steps
                    );
                    let steps = header.steps;
                    vec![Outgoing {
                        event: Event::Weights {
                            file_name,
                            snapshot,
                            steps,
                        },
                        buffer: Some(weights::save(lab.model(), &header)),
                    }]
                }
                None => vec![Outgoing::error("there is no model to save yet")],
            },
        }
    }

    /// Trains for one time slice (`SLICE_MS` by the clock) and reports when it is time to.
    pub fn slice(&mut self, clock: &dyn Fn() -> f64) -> Vec<Outgoing> {
        if std::mem::take(&mut self.eval_due) && !self.is_running() {
            return self.report(clock, true);
        }
        if self.shares_per_step() > 1 {
            return match self.is_running() {
                true => self.start_parallel_step(clock),
                false => vec![],
            };
        }
        let start = clock();
        let mut steps = 0;
        while self.is_running() && (steps == 0 || clock() - start < SLICE_MS) {
            if let Err(e) = self.train_step() {
                self.running = false;
                let mut out = vec![Outgoing::error(e)];
                out.extend(self.report(clock, true));
                return out;
            }
            steps += 1;
        }
        if steps > 0 {
            self.ms_per_step = ((clock() - start) / steps as f64) as f32;
        }
        self.report(clock, false)
    }

    /// One step here, cut in as many shares as the helpers would take (the same numbers).
    fn train_step(&mut self) -> Result<(), String> {
        let count = self.shares_per_step();
        let lab = self.lab.as_mut().ok_or("the model is not ready yet")?;
        self.pending.push(lab.step(count)?);
        Ok(())
    }

    /// Progress every PROGRESS_EVERY_MS, held-out loss and images less often; all of it when forced.
    /// The held-out evaluation and the views each wait at least `COST_FACTOR` times what they
    /// took last, so slow models (the conv VAE evaluates 1,000 held-out images in ~0.7 s)
    /// keep most of the time for training.
    fn report(&mut self, clock: &dyn Fn() -> f64, force: bool) -> Vec<Outgoing> {
        let now = clock();
        let Some(lab) = &mut self.lab else {
            return vec![];
        };
        let mut out = Vec::new();
        if force || now - self.last_progress >= PROGRESS_EVERY_MS {
            let interval = HELD_OUT_EVERY_MS.max(COST_FACTOR * self.held_out_ms);
            let evaluate = force || now - self.last_held_out_at >= interval;
            let test = evaluate.then(|| losses(&lab.evaluate_held_out()));
            if evaluate {
                self.last_held_out_at = now;
                self.held_out_ms = clock() - now;
            }
            out.push(self.progress(test));
            self.last_progress = now;
        }
        if force || now - self.last_images >= IMAGES_EVERY_MS.max(COST_FACTOR * self.views_ms) {
            let start = clock();
            out.extend(self.open_views_now());
            self.views_ms = clock() - start;
            self.last_images = now;
        }
        // Scores refresh every ANOMALY_EVERY_MS, and at a forced report when the weights moved
        // since the last scores (not right after the panel opened and scored them).
        let steps = self.lab.as_ref().map(|l| l.trainer.steps_done());
        let moved = steps != self.anomaly_scored_at_step;
        if self.views.anomaly
            && ((force && moved) || now - self.last_anomaly_at >= ANOMALY_EVERY_MS)
        {
            out.extend(self.anomaly_view());
            self.last_anomaly_at = now;
        }
        out
    }

    fn anomaly_view(&mut self) -> Option<Outgoing> {
        let lab = self.lab.as_mut()?;
        self.anomaly_scored_at_step = Some(lab.trainer.steps_done());
        let a = lab.anomaly();
        let left_out = lab.settings.leave_out;
        Some(Outgoing::event(Event::Anomaly {
            generation: self.generation,
            scores: a.scores,
            labels: a.labels,
            left_out,
            auc: a.auc,
            drawn: a.drawn,
        }))
    }

    /// The exported samples: the sheet as an image, or the IDX files in one buffer.
    fn exported(&self, request: u32, export: crate::uses::Export) -> Vec<Outgoing> {
        let g = self.generation;
        if let Some(sheet) = export.sheet {
            // The name first (no files), then the sheet to encode as PNG.
            let named = Event::Exported {
                generation: g,
                request,
                name: export.name,
                count: export.count,
                images_len: 0,
                labels: false,
            };
            return vec![
                Outgoing::event(named),
                Outgoing::image(View::ExportSheet, g, Some(request), sheet),
            ];
        }
        let images_len = export.images.len();
        let labels = export.labels.is_some();
        let mut buffer = export.images;
        buffer.extend(export.labels.unwrap_or_default());
        vec![Outgoing {
            event: Event::Exported {
                generation: g,
                request,
                name: export.name,
                count: export.count,
                images_len,
                labels,
            },
            buffer: Some(buffer),
        }]
    }

    /// The page opened or closed panels: keep the list, start or stop the twin, and draw what
    /// is open now rather than at the next image tick.
    fn open_views(&mut self, views: Views, now: f64) -> Vec<Outgoing> {
        let (lo, hi) = vae_protocol::views::TEMPERATURE_RANGE;
        let anomaly_opened = views.anomaly && !self.views.anomaly;
        self.views = Views {
            temperature: views.temperature.clamp(lo, hi),
            ..views
        };
        let Some(lab) = &mut self.lab else {
            return vec![];
        };
        if let Err(e) = lab.set_twin(self.views.compare) {
            self.views.compare = false;
            return vec![Outgoing::error(format!(
                "could not start the autoencoder twin: {e}"
            ))];
        }
        let mut out = self.open_views_now();
        if anomaly_opened {
            out.extend(self.anomaly_view());
            self.last_anomaly_at = now;
        }
        out
    }

    /// Every open view, computed from the current weights.
    fn open_views_now(&mut self) -> Vec<Outgoing> {
        let g = self.generation;
        let views = self.views.clone();
        let compare = views.compare && views.compare_open;
        let mut out = self.sample_views();
        let Some(lab) = &mut self.lab else { return out };
        if views.training {
            out.push(Outgoing::image(
                View::Reconstructions,
                g,
                None,
                lab.reconstructions(),
            ));
        }
        // The held-out pictures, once per generation: hover on maps, the completion's painter.
        if (views.latent_map || compare || views.anomaly) && !self.held_out_sent {
            self.held_out_sent = true;
            let (width, height, rgba) = lab.held_out_pictures();
            out.push(Outgoing {
                event: Event::HeldOut {
                    generation: g,
                    width,
                    height,
                },
                buffer: Some(rgba),
            });
        }
        let twins: &[Twin] = match (views.latent_map, compare) {
            (_, true) => &[Twin::Vae, Twin::Autoencoder],
            (true, false) => &[Twin::Vae],
            (false, false) => &[],
        };
        for &twin in twins {
            if let Some(map) = lab.latent_map(twin) {
                let num_classes = lab.test.num_classes;
                out.push(Outgoing::event(Event::LatentMap {
                    generation: g,
                    twin,
                    axes: map.axes,
                    points: map.points,
                    labels: map.labels,
                    num_classes,
                }));
            }
        }
        if views.manifold {
            out.extend(
                lab.manifold(views.class)
                    .map(|p| Outgoing::image(View::Manifold, g, None, p)),
            );
        }
        if let Some(anchor) = views.traversals {
            let (picture, rows) = lab.traversals(anchor, views.class);
            out.push(Outgoing::image(View::Traversals, g, None, picture));
            out.push(Outgoing::event(Event::Traversals {
                generation: g,
                rows,
            }));
        }
        if let Some([from, to]) = views.interpolation {
            let needs_drawing = from == Anchor::Drawn || to == Anchor::Drawn;
            if !needs_drawing || lab.drawing.is_some() {
                out.push(Outgoing::image(
                    View::Interpolation,
                    g,
                    None,
                    lab.interpolation(from, to, views.class),
                ));
            }
        }
        if views.transfer {
            out.extend(
                lab.style_transfer()
                    .map(|p| Outgoing::image(View::StyleTransfer, g, None, p)),
            );
        }
        if views.drawing {
            out.extend(self.drawing_views());
        }
        out
    }

    /// The prior-sample grids of the open panels: the VAE's (training or comparison), the
    /// twin's (comparison), both decoding the same noise at the chosen temperature.
    fn sample_views(&mut self) -> Vec<Outgoing> {
        let (g, views) = (self.generation, &self.views);
        let Some(lab) = &mut self.lab else {
            return vec![];
        };
        let compare = views.compare && views.compare_open;
        let mut out = Vec::new();
        if views.training || compare {
            out.extend(
                lab.samples(views.temperature, Twin::Vae)
                    .map(|p| Outgoing::image(View::Samples, g, None, p)),
            );
        }
        if compare {
            out.extend(
                lab.samples(views.temperature, Twin::Autoencoder)
                    .map(|p| Outgoing::image(View::AeSamples, g, None, p)),
            );
        }
        out
    }

    /// The drawing's views: its posterior and score, its reconstruction and posterior samples.
    fn drawing_views(&mut self) -> Vec<Outgoing> {
        let (g, request) = (self.generation, self.drawing_request);
        let Some(drawn) = self.lab.as_mut().and_then(|lab| lab.drawn()) else {
            return vec![];
        };
        vec![
            Outgoing::event(Event::Drawn {
                generation: g,
                request,
                mu: drawn.mu,
                log_var: drawn.log_var,
                neg_elbo: drawn.neg_elbo,
                point: drawn.point,
            }),
            Outgoing::image(View::DrawRecon, g, Some(request), drawn.recon),
            Outgoing::image(View::PosteriorSamples, g, Some(request), drawn.samples),
        ]
    }

    /// A Progress event for the steps since the last one (their mean losses), and `test` if evaluated.
    fn progress(&mut self, test: Option<Losses>) -> Outgoing {
        let generation = self.generation;
        let lab = self.lab.as_mut().expect("progress needs a model");
        let train = mean(&mut self.pending)
            .as_ref()
            .map(losses)
            .unwrap_or_default();
        let twin = lab.twin.is_some().then(|| {
            mean(&mut lab.twin_pending)
                .as_ref()
                .map(losses)
                .unwrap_or_default()
        });
        let steps = lab.trainer.steps_done();
        Outgoing::event(Event::Progress(Progress {
            generation,
            step: steps,
            epoch: lab.epoch(),
            running: self.running,
            train,
            test,
            twin,
            beta: lab.trainer.config().beta_at(steps),
            images_per_sec: if self.ms_per_step > 0.0 {
                1000.0 * lab.settings.batch_size as f32 / self.ms_per_step
            } else {
                0.0
            },
            ms_per_step: self.ms_per_step,
            memory_bytes: memory_bytes(),
            workers: 1 + self.team.ready_count(),
        }))
    }

    /// Is the dataset at hand (without building or copying it)?
    fn has_dataset(&self, name: DatasetName) -> bool {
        match name {
            DatasetName::Mnist => self.mnist.is_some(),
            DatasetName::Custom => self.custom.is_some(),
            DatasetName::Shapes | DatasetName::ColourShapes => true,
        }
    }

    /// The dataset by name, shared (a clone shares its images). A procedural one is drawn the
    /// first time it is asked for and kept.
    fn dataset(&mut self, name: DatasetName) -> Option<Dataset> {
        match name {
            DatasetName::Mnist => self.mnist.clone(),
            DatasetName::Custom => self.custom.clone(),
            DatasetName::Shapes | DatasetName::ColourShapes => {
                if !self.procedural.iter().any(|(n, _)| *n == name) {
                    self.procedural.push((name, procedural(name.name())?));
                }
                self.procedural
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, d)| d.clone())
            }
        }
    }

    fn configure(&mut self, settings: Settings) -> Vec<Outgoing> {
        match &mut self.lab {
            Some(lab) if !lab.settings.needs_new_model(&settings) => {
                lab.apply_live(&settings);
                self.settings = settings;
                vec![]
            }
            _ => self
                .rebuild(settings, None, None)
                .unwrap_or_else(|refused| refused),
        }
    }

    /// A new Lab for `settings` on `data` (or the dataset the settings name), with fresh weights
    /// or `weights`. Settings and model change together, and only on success: a refused rebuild
    /// (Err) leaves the running model and tells the page its settings again.
    fn rebuild(
        &mut self,
        settings: Settings,
        data: Option<Dataset>,
        weights: Option<(Vae, usize)>,
    ) -> Result<Vec<Outgoing>, Vec<Outgoing>> {
        let Some(data) = data.or_else(|| self.dataset(settings.dataset)) else {
            self.settings = settings; // MNIST bytes still on their way: built when they arrive
            return Ok(vec![]);
        };
        match Lab::new(settings.clone(), &data, weights) {
            Ok(mut lab) => {
                let twin_error = lab.set_twin(self.views.compare).err();
                // The student's drawing outlives a Reset (same image shape, so it still fits).
                if let Some(old) = self
                    .lab
                    .as_ref()
                    .filter(|old| old.config().image == lab.config().image)
                {
                    lab.drawing = old.drawing.clone();
                }
                self.generation += 1;
                self.team.abandon();
                self.settings = settings;
                self.lab = Some(lab);
                self.running = false;
                self.pending.clear();
                self.held_out_sent = false;
                self.last_anomaly_at = f64::NEG_INFINITY; // scored at the next report
                self.anomaly_scored_at_step = None;
                // Draw first; the held-out evaluation follows at the next tick.
                self.eval_due = true;
                let mut out = vec![self.configured()];
                out.extend(twin_error.map(|e| {
                    Outgoing::error(format!("could not start the autoencoder twin: {e}"))
                }));
                out.extend(self.open_views_now());
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
            generation: self.generation,
            settings: self.settings.clone(),
            dataset_len: lab.map_or(0, |l| l.train.len() + l.test.len()),
            held_out_len: lab.map_or(0, |l| l.test.len()),
            num_classes: lab.map_or(0, |l| l.train.num_classes),
            params: lab.map_or(0, |l| burn_params(&l.trainer.model())),
        })
    }

    /// The shipped MNIST files, or a student's own (any other name is taken as theirs).
    fn load_dataset(
        &mut self,
        name: DatasetName,
        bytes: Vec<u8>,
        images_len: usize,
    ) -> Vec<Outgoing> {
        if images_len > bytes.len() {
            return vec![Outgoing::error(
                "the dataset message is inconsistent (images longer than the buffer)",
            )];
        }
        let (images, labels) = bytes.split_at(images_len);
        let parsed = Dataset::from_idx(name.name(), images, (!labels.is_empty()).then_some(labels));
        let data = match parsed {
            Ok(d) if d.len() < 2 => {
                return vec![Outgoing::error(
                    "a dataset needs at least 2 images (one to train on, one held out)",
                )]
            }
            Ok(d) => d,
            Err(e) => {
                return vec![Outgoing::error(format!(
                    "could not read that dataset ({e}); the current one is kept"
                ))]
            }
        };
        if name == DatasetName::Mnist {
            self.mnist = Some(data);
            if let Some((bytes, pretrained)) = self.waiting_weights.take() {
                let out = self.load_weights(&bytes, pretrained);
                if self.lab.is_some() {
                    return out;
                }
            }
        } else {
            return self.use_custom(data);
        }
        if self.lab.is_none() && self.settings.dataset == name {
            return self
                .rebuild(self.settings.clone(), None, None)
                .unwrap_or_else(|refused| refused);
        }
        vec![]
    }

    /// A student's own dataset becomes "custom", with a fresh model; a refused model keeps the
    /// current dataset and model.
    fn use_custom(&mut self, data: Dataset) -> Vec<Outgoing> {
        let data = data.renamed(DatasetName::Custom.name());
        let settings = Settings {
            dataset: DatasetName::Custom,
            leave_out: None,
            ..self.settings.clone()
        };
        let out = self
            .rebuild(settings, Some(data.clone()), None)
            .unwrap_or_else(|refused| refused);
        if self.settings.dataset == DatasetName::Custom {
            self.custom = Some(data);
        }
        out
    }

    fn load_weights(&mut self, bytes: &[u8], pretrained: bool) -> Vec<Outgoing> {
        if let Ok((header, _)) = weights::read_header(bytes) {
            if header.dataset == DatasetName::Mnist.name() && self.mnist.is_none() {
                self.waiting_weights = Some((bytes.to_vec(), pretrained)); // MNIST is on its way
                return vec![];
            }
        }
        let (header, model) = match weights::load(bytes) {
            Ok(loaded) => loaded,
            Err(e) => {
                return vec![Outgoing::error(format!(
                    "could not load those weights: {e}. The current model is kept."
                ))]
            }
        };
        // The settings the file implies: its architecture, on its dataset when that is at hand.
        let c = &header.config;
        let mut settings = settings_for(c, &self.settings);
        if let Some(dataset) =
            DatasetName::from_name(&header.dataset).filter(|d| self.has_dataset(*d))
        {
            settings.dataset = dataset;
        }
        if pretrained && settings != self.settings {
            // The link asked for another model than the shipped one: start from fresh weights.
            return vec![Outgoing::event(Event::Info {
                message:
                    "these settings differ from the pretrained model: starting from fresh weights"
                        .into(),
            })];
        }
        let Some(data) = self.dataset(settings.dataset) else {
            return vec![Outgoing::error(format!(
                "those weights were trained on {:?}, which is not loaded",
                header.dataset
            ))];
        };
        let expected = model_config(&settings, &data);
        if !expected.same_model(&header.config) {
            return vec![Outgoing::error(format!(
                "those weights read {}×{}×{} images with {} classes, but the dataset {:?} has {}×{}×{} images with {} classes; the current model is kept",
                c.image.width, c.image.height, c.image.channels, c.num_classes, settings.dataset, data.shape.width, data.shape.height, data.shape.channels, data.num_classes
            ))];
        }
        let what = if pretrained { "pretrained" } else { "your" };
        let loaded = format!(
            "loaded {what} weights ({} training steps on {})",
            header.steps, header.dataset
        );
        match self.rebuild(settings, Some(data), Some((model, header.steps))) {
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
