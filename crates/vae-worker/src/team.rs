//! The helper workers as the training worker sees them: which are ready, which replica each
//! holds, and the step whose shares are out. Share 0 is always computed here; share i + 1 goes
//! to helper i when it is ready, else it is computed here too — the numbers are the same either
//! way, so a run does not depend on when the helpers finished loading. Each helper that computes
//! a share receives the step's other shares' gradients as soon as they are all in, and takes the
//! same update as the trainer (helper.rs). main.rs creates the helpers and moves messages.
use crate::helper;
use vae_core::adam::AdamState;
use vae_core::config::VaeConfig;
use vae_core::shares::{Share, ShareGradient};
use vae_core::train::Version;

/// A message for one helper.
pub struct HelperMessage {
    pub helper: usize,
    pub json: String,
    pub buffer: Vec<f32>,
}

/// One training step whose shares are being computed.
pub struct StepInFlight {
    id: u64,
    /// The model generation it belongs to: a step of a model since replaced is dropped.
    pub generation: u32,
    pub started: f64,
    /// The learning rate the helpers' replicas are told to update with.
    learning_rate: f64,
    pub shares: Vec<Share>,
    results: Vec<Option<ShareGradient>>,
    /// Which helper computes each share (None: this worker).
    computed_by: Vec<Option<usize>>,
    /// The helpers that were given a share of this step.
    given: Vec<usize>,
    /// The helpers that were sent the other shares' gradients: their replicas take this update.
    updated: Vec<usize>,
}

impl StepInFlight {
    /// Every share's gradient, in share order, once all are in (moved out: taken once).
    pub fn take_gradients(&mut self) -> Vec<ShareGradient> {
        self.results
            .iter_mut()
            .map(|g| g.take().expect("complete"))
            .collect()
    }
}

/// Posts a message to its helper at once (the glue's); without one, messages wait in the
/// outbox for `take_messages` (the native tests).
pub type Courier = Box<dyn FnMut(HelperMessage)>;

#[derive(Default)]
pub struct Team {
    /// Whether helper i answers requests (it has loaded and has not failed).
    ready: Vec<bool>,
    /// The trainer version helper i's replica holds (or will, once it reads what was posted).
    replica: Vec<Option<Version>>,
    step: Option<StepInFlight>,
    next_id: u64,
    outbox: Vec<HelperMessage>,
    courier: Option<Courier>,
}

impl Team {
    pub fn set_courier(&mut self, courier: Courier) {
        self.courier = Some(courier);
    }

    /// Posts at once when there is a courier: a helper's update must not wait for this
    /// worker's own update and report.
    fn send(&mut self, helper: usize, (json, buffer): (String, Vec<f32>)) {
        let message = HelperMessage {
            helper,
            json,
            buffer,
        };
        match &mut self.courier {
            Some(post) => post(message),
            None => self.outbox.push(message),
        }
    }

    /// Keeps `count` helpers; new ones are not ready until they say so, and the work of those
    /// let go comes back here.
    pub fn set_helpers(&mut self, count: usize) {
        for helper in count..self.ready.len() {
            self.helper_lost(helper);
        }
        self.ready.resize(count, false);
        self.replica.resize(count, None);
    }

    pub fn helper_ready(&mut self, helper: usize) {
        if let Some(r) = self.ready.get_mut(helper) {
            *r = true;
        }
    }

    pub fn ready_count(&self) -> usize {
        self.ready.iter().filter(|&&r| r).count()
    }

    pub fn in_flight(&self) -> bool {
        self.step.is_some()
    }

    /// Sends each share after the first to its helper if that helper is ready, after the
    /// trainer's whole state when the helper's replica is not at `version`.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &mut self,
        generation: u32,
        started: f64,
        shares: Vec<Share>,
        config: &VaeConfig,
        learning_rate: f64,
        version: Version,
        state: AdamState<'_>,
    ) {
        self.next_id += 1;
        let mut computed_by = vec![None; shares.len()];
        let mut given = Vec::new();
        for (i, share) in shares.iter().enumerate().skip(1) {
            let helper = i - 1;
            if self.ready.get(helper) != Some(&true) {
                continue;
            }
            if self.replica[helper] != Some(version) {
                self.send(helper, helper::state(config, version, state));
                self.replica[helper] = Some(version);
            }
            self.send(helper, helper::share(self.next_id, version, i, share));
            computed_by[i] = Some(helper);
            given.push(helper);
        }
        self.step = Some(StepInFlight {
            id: self.next_id,
            generation,
            started,
            learning_rate,
            results: vec![None; shares.len()],
            shares,
            computed_by,
            given,
            updated: Vec::new(),
        });
    }

    /// The messages to post, once, in order.
    pub fn take_messages(&mut self) -> Vec<HelperMessage> {
        std::mem::take(&mut self.outbox)
    }

    /// The shares this worker still has to compute, with the step they belong to.
    pub fn local_work(&self) -> Vec<usize> {
        self.step.as_ref().map_or(Vec::new(), |s| {
            (0..s.shares.len())
                .filter(|&i| s.computed_by[i].is_none() && s.results[i].is_none())
                .collect()
        })
    }

    pub fn share(&self, index: usize) -> Option<&Share> {
        self.step.as_ref()?.shares.get(index)
    }

    pub fn store(&mut self, index: usize, gradient: ShareGradient) {
        if let Some(step) = &mut self.step {
            step.results[index] = Some(gradient);
        }
        self.send_others();
    }

    /// A helper's answer for step `id` (answers for abandoned steps are dropped).
    pub fn answered(&mut self, helper: usize, id: u64, gradient: ShareGradient) {
        if let Some(step) = self.step.as_mut().filter(|s| s.id == id) {
            if let Some(i) = step.computed_by.iter().position(|&h| h == Some(helper)) {
                step.results[i] = Some(gradient);
            }
        }
        self.send_others();
    }

    /// Sends each ready helper that was given a share the step's other shares' gradients, once
    /// they are all in (with two workers: as soon as this worker's share is done).
    fn send_others(&mut self) {
        let Some(mut step) = self.step.take() else {
            return;
        };
        for helper in step.given.clone() {
            let mine = helper + 1;
            let others_in = (0..step.results.len()).all(|i| i == mine || step.results[i].is_some());
            if !others_in || !self.ready[helper] || step.updated.contains(&helper) {
                continue;
            }
            let others: Vec<_> = (0..step.results.len())
                .filter(|&i| i != mine)
                .map(|i| (i, step.results[i].as_ref().expect("all in")))
                .collect();
            self.send(helper, helper::others(step.id, step.learning_rate, &others));
            step.updated.push(helper);
        }
        self.step = Some(step);
    }

    /// The trainer applied `step`: the helpers that took the same update hold `now` (None: the
    /// trainer's update was not theirs — refused, or at another learning rate — so their
    /// replicas are not current and the next share brings the whole state).
    pub fn applied(&mut self, step: &StepInFlight, now: Option<Version>, learning_rate: f64) {
        let same = now.filter(|_| learning_rate == step.learning_rate);
        for &helper in &step.updated {
            if let Some(r) = self.replica.get_mut(helper) {
                *r = same;
            }
        }
    }

    /// A helper failed or stopped: it gets no more work, and its share of the step in flight
    /// becomes this worker's.
    pub fn helper_lost(&mut self, helper: usize) {
        if let Some(r) = self.ready.get_mut(helper) {
            *r = false;
        }
        if let Some(r) = self.replica.get_mut(helper) {
            *r = None;
        }
        if let Some(step) = &mut self.step {
            for by in step
                .computed_by
                .iter_mut()
                .filter(|by| **by == Some(helper))
            {
                *by = None;
            }
        }
    }

    /// Every share of the step in flight becomes this worker's (the helpers' answers for it
    /// will be dropped; they still receive the other shares' gradients and take the update).
    pub fn reclaim(&mut self) {
        if let Some(step) = &mut self.step {
            step.computed_by.fill(None);
        }
    }

    /// The step, when every share's gradient is in.
    pub fn take_if_complete(&mut self) -> Option<StepInFlight> {
        if self.step.as_ref()?.results.iter().all(Option::is_some) {
            self.step.take()
        } else {
            None
        }
    }

    /// Forgets the step in flight (the model it belonged to is gone).
    pub fn abandon(&mut self) {
        self.step = None;
    }
}
