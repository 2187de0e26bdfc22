//! The training panel: Train / Pause, Step and Reset, the status line, the loss written out
//! with live numbers, and the loss curves.
use super::history::{LossHistory, Point};
use super::loss_chart::draw_losses;
use crate::ctx::Ctx;
use crate::dom::{el, listen, set_disabled, set_text};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use vae_protocol::{Command, Progress};
use web_sys::HtmlElement;

pub struct Training {
    ctx: Rc<Ctx>,
    history: RefCell<LossHistory>,
    running: Cell<bool>,
}

impl Training {
    pub fn new(ctx: Rc<Ctx>) -> Rc<Self> {
        let panel = Rc::new(Self { ctx, history: RefCell::default(), running: Cell::new(false) });
        let p = panel.clone();
        listen("train", "click", move |_| p.set_running(!p.running.get()));
        let p = panel.clone();
        listen("step", "click", move |_| p.ctx.send(&Command::Step));
        let p = panel.clone();
        listen("reset", "click", move |_| p.ctx.send(&Command::Reset));
        draw_losses(&panel.history.borrow());
        panel
    }

    /// A new model: its curves start over.
    pub fn on_model(&self) {
        *self.history.borrow_mut() = LossHistory::default();
        draw_losses(&self.history.borrow());
        for id in ["train", "step", "reset", "save-weights"] {
            set_disabled(id, false);
        }
        self.show_running(false);
        let status: HtmlElement = el("status");
        let _ = status.set_attribute("data-test-loss", "");
    }

    pub fn on_progress(&self, p: &Progress) {
        let status: HtmlElement = el("status");
        let set = |name: &str, value: String| {
            let _ = status.set_attribute(name, &value);
        };
        set("data-step", p.step.to_string());
        set("data-epoch", p.epoch.to_string());
        set("data-ms-per-step", format!("{:.3}", p.ms_per_step));
        set("data-memory-bytes", p.memory_bytes.to_string());
        let trained = p.train.total > 0.0;
        if trained {
            set("data-train-loss", format!("{:.3}", p.train.total));
        }
        if let Some(t) = &p.test {
            set("data-test-loss", format!("{:.3}", t.total));
        }
        let held_out: Option<f32> = status.get_attribute("data-test-loss").and_then(|t| t.parse().ok());
        use crate::language::{t, t_fill};
        let test_text = held_out.map(|v| t_fill(" · held-out {nats}", &[("nats", format!("{v:.1}"))])).unwrap_or_default();
        set("data-workers", p.workers.to_string());
        let speed = if p.running && p.images_per_sec > 0.0 {
            let speed = t_fill(" · {images} images/s · {ms} ms/step", &[("images", format!("{:.0}", p.images_per_sec)), ("ms", format!("{:.1}", p.ms_per_step))]);
            match p.workers {
                1 => speed,
                n => speed + &t_fill(" · {n} workers", &[("n", n.to_string())]),
            }
        } else {
            String::new()
        };
        let train_text = if trained { t_fill(" · train {nats}", &[("nats", format!("{:.1}", p.train.total))]) } else { String::new() };
        let losses = if train_text.is_empty() && test_text.is_empty() { t(" · evaluating…") } else { format!("{train_text}{test_text}{}", t(" nats")) };
        let head = t_fill("step {step} · epoch {epoch}", &[("step", p.step.to_string()), ("epoch", p.epoch.to_string())]);
        status.set_text_content(Some(&format!("{head}{speed}{losses}")));
        // The formula shows the latest batch, or the held-out figures before any training.
        if let Some(l) = if trained { Some(&p.train) } else { p.test.as_ref() } {
            set_text("formula-recon", &format!("{:.1}", l.recon));
            set_text("formula-kl", &format!("{:.1}", l.kl));
            set_text("formula-total", &format!("{:.1}", l.total));
        }
        set_text("formula-beta", &format!("{:.2}", p.beta));
        let mut history = self.history.borrow_mut();
        if p.step > 0 && trained {
            history.push_train(Point { step: p.step as f64, recon: p.train.recon as f64, kl: p.train.kl as f64 });
        }
        if let Some(t) = &p.test {
            history.push_test(Point { step: p.step as f64, recon: t.recon as f64, kl: t.kl as f64 });
        }
        draw_losses(&history);
        self.show_running(p.running);
    }

    /// The curves as flat triples, to keep with the weights.
    pub fn history(&self) -> (Vec<f64>, Vec<f64>) {
        self.history.borrow().to_flat()
    }

    /// The curves as CSV, for the student to download.
    pub fn csv(&self) -> String {
        self.history.borrow().to_csv()
    }

    /// Curves kept from an earlier visit, continued from here on.
    pub fn restore_history(&self, train: &[f64], test: &[f64]) {
        *self.history.borrow_mut() = LossHistory::from_flat(train, test);
        draw_losses(&self.history.borrow());
    }

    /// The chart again, at the size it has now that its section is open.
    pub fn redraw(&self) {
        draw_losses(&self.history.borrow());
    }

    pub fn show_running(&self, running: bool) {
        self.running.set(running);
        set_text("train", &crate::language::t(if running { "Pause" } else { "Train" }));
    }

    fn set_running(&self, running: bool) {
        self.show_running(running);
        self.ctx.send(&Command::Train { running });
    }
}
