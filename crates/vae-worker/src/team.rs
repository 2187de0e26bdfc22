//! The helper workers as the training worker sees them: which are ready, which replica each
//! holds, and the step whose shares are out. Share 0 is always computed here; share i + 1 goes
//! to helper i when it is ready, else it is computed here too — the numbers are the same either
//! way, so a run does not depend on when the helpers finished loading. Each helper that computes
//! a share receives the step's other shares' gradients as soon as they are all in, and takes the
//! same update as the trainer (helper.rs). Right after that, it receives its share of the next
//! step, planned ahead: it computes it while this worker applies the update and reports, so the
//! training worker takes the smaller share (shares::FIRST_SHARE). glue.rs creates the helpers
//! and moves messages.
use crate::helper::{self, Parts};
use std::borrow::Cow;
use vae_core::adam::AdamState;
use vae_core::config::VaeConfig;
use vae_core::shares::{self, Share, ShareGradient};
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
    /// The trainer's version the shares' gradients are computed at.
    version: Version,
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
    /// With more than one helper: every share's gradient summed (shares::total), what each
    /// helper is sent; the shares' own are then gone.
    total: Option<ShareGradient>,
}

impl StepInFlight {
    /// Every share's gradient, in share order, once all are in (moved out: taken once), or
    /// their total when it was made: the update is the same, bit for bit.
    pub fn take_gradients(&mut self) -> Vec<ShareGradient> {
        if let Some(total) = self.total.take() {
            return vec![total];
        }
        self.results
            .iter_mut()
            .map(|g| g.take().expect("complete"))
            .collect()
    }

    fn complete(&self) -> bool {
        self.total.is_some() || self.results.iter().all(Option::is_some)
    }
}

/// Posts a message (its helper, json and numbers) at once: the glue's. Without one, messages
/// wait in the outbox for `take_messages` (the native tests).
pub type Courier = Box<dyn FnMut(usize, &str, &[Cow<[f32]>])>;

#[derive(Default)]
pub struct Team {
    /// Whether helper i answers requests (it has loaded and has not failed).
    ready: Vec<bool>,
    /// The trainer version helper i's replica holds (or will, once it reads what was posted).
    replica: Vec<Option<Version>>,
    step: Option<StepInFlight>,
    /// The step after it, planned ahead: its shares are out to the helpers that will hold its
    /// version once they have taken the update of the step in flight.
    ahead: Option<StepInFlight>,
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
    fn send(&mut self, helper: usize, (json, parts): (String, Parts<'_>)) {
        match &mut self.courier {
            Some(post) => post(helper, &json, &parts),
            None => self.outbox.push(HelperMessage {
                helper,
                json,
                buffer: parts.concat(),
            }),
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

    /// Starts a step: sends each share after the first to its helper if that helper is ready,
    /// after the trainer's whole state when the helper's replica is not at `version`.
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
        let mut step = self.new_step(generation, started, shares, learning_rate, version);
        self.hand_out(&mut step, config, state);
        self.step = Some(step);
    }

    fn new_step(
        &mut self,
        generation: u32,
        started: f64,
        shares: Vec<Share>,
        learning_rate: f64,
        version: Version,
    ) -> StepInFlight {
        self.next_id += 1;
        StepInFlight {
            id: self.next_id,
            generation,
            started,
            version,
            learning_rate,
            results: vec![None; shares.len()],
            computed_by: vec![None; shares.len()],
            shares,
            given: Vec::new(),
            updated: Vec::new(),
            total: None,
        }
    }

    /// Gives each ready helper that has none yet its share of `step`, after the trainer's
    /// whole state when its replica is not at the step's version.
    fn hand_out(&mut self, step: &mut StepInFlight, config: &VaeConfig, state: AdamState<'_>) {
        for i in 1..step.shares.len() {
            let helper = i - 1;
            if self.ready.get(helper) != Some(&true) || step.given.contains(&helper) {
                continue;
            }
            if self.replica[helper] != Some(step.version) {
                self.send(helper, helper::state(config, step.version, state));
                self.replica[helper] = Some(step.version);
            }
            self.send(
                helper,
                helper::share(step.id, step.version, i, &step.shares[i]),
            );
            step.computed_by[i] = Some(helper);
            step.given.push(helper);
        }
    }

    /// Plans the next step ahead of the one in flight: its shares go out (now or as soon as
    /// they may, `send_ahead`) to the helpers that take the update in flight.
    pub fn plan_ahead(&mut self, shares: Vec<Share>) {
        let Some(step) = &self.step else {
            return;
        };
        let version = Version {
            updates: step.version.updates + 1,
            ..step.version
        };
        let (generation, learning_rate) = (step.generation, step.learning_rate);
        self.ahead = Some(self.new_step(generation, 0.0, shares, learning_rate, version));
        self.send_ahead();
    }

    pub fn has_ahead(&self) -> bool {
        self.ahead.is_some()
    }

    /// Forgets the step planned ahead (a pause, an error); true if there was one.
    pub fn drop_ahead(&mut self) -> bool {
        self.ahead.take().is_some()
    }

    /// The step planned ahead becomes the one in flight. The trainer is now at `version`:
    /// a helper whose replica is not (the update was refused here, or was at another learning
    /// rate) has its share taken back, and its answer will be dropped; ready helpers without a
    /// share get theirs now.
    pub fn start_ahead(
        &mut self,
        started: f64,
        config: &VaeConfig,
        learning_rate: f64,
        version: Version,
        state: AdamState<'_>,
    ) {
        let Some(mut step) = self.ahead.take() else {
            return;
        };
        step.version = version;
        for helper in step.given.clone() {
            if self.replica.get(helper) != Some(&Some(version)) {
                step.computed_by[helper + 1] = None;
                step.results[helper + 1] = None;
                step.given.retain(|&h| h != helper);
            }
        }
        step.started = started;
        step.learning_rate = learning_rate;
        self.hand_out(&mut step, config, state);
        self.step = Some(step);
    }

    /// Sends the step planned ahead to each helper that has been sent the update in flight
    /// (so it reads the update first) and whose replica will then be at the step's version.
    fn send_ahead(&mut self) {
        let Some((updated, version)) = self.step.as_ref().map(|s| (s.updated.clone(), s.version))
        else {
            return;
        };
        let Some(mut ahead) = self.ahead.take() else {
            return;
        };
        for helper in updated {
            let i = helper + 1;
            let will_hold = self.replica.get(helper) == Some(&Some(version));
            if !will_hold
                || !self.ready[helper]
                || ahead.given.contains(&helper)
                || i >= ahead.shares.len()
            {
                continue;
            }
            self.send(
                helper,
                helper::share(ahead.id, ahead.version, i, &ahead.shares[i]),
            );
            ahead.computed_by[i] = Some(helper);
            ahead.given.push(helper);
        }
        self.ahead = Some(ahead);
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
                .filter(|_| s.total.is_none())
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

    /// A helper's answer for step `id`, in flight or planned ahead (answers for abandoned steps,
    /// or for shares taken back, are dropped).
    pub fn answered(&mut self, helper: usize, id: u64, gradient: ShareGradient) {
        let step = [self.step.as_mut(), self.ahead.as_mut()]
            .into_iter()
            .flatten()
            .find(|s| s.id == id);
        if let Some(step) = step {
            if let Some(i) = step.computed_by.iter().position(|&h| h == Some(helper)) {
                step.results[i] = Some(gradient);
            }
        }
        self.send_others();
    }

    /// Sends each ready helper that was given a share what it needs to take the step's update:
    /// with one helper, the other share's gradient as soon as it is in (this worker's, usually
    /// before the helper's answer); with more, the total of all shares once they are all in —
    /// one gradient to each helper rather than all the others' to each.
    fn send_others(&mut self) {
        let Some(mut step) = self.step.take() else {
            return;
        };
        if step.shares.len() > 2 {
            self.send_total(&mut step);
        } else {
            self.send_other_share(&mut step);
        }
        self.step = Some(step);
        self.send_ahead();
    }

    /// With two shares: the helper's update needs the other one, this worker's (share 0).
    fn send_other_share(&mut self, step: &mut StepInFlight) {
        for helper in step.given.clone() {
            let other = 0;
            let Some(gradient) = &step.results[other] else {
                continue;
            };
            if !self.ready[helper] || step.updated.contains(&helper) {
                continue;
            }
            let message = helper::update(step.id, step.learning_rate, Some(other), gradient);
            self.send(helper, message);
            step.updated.push(helper);
        }
    }

    fn send_total(&mut self, step: &mut StepInFlight) {
        if step.total.is_some() || !step.complete() {
            return;
        }
        let total = shares::total(step.take_gradients());
        for helper in step.given.clone() {
            if self.ready[helper] {
                self.send(
                    helper,
                    helper::update(step.id, step.learning_rate, None, &total),
                );
                step.updated.push(helper);
            }
        }
        step.total = Some(total);
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
        for step in [self.step.as_mut(), self.ahead.as_mut()]
            .into_iter()
            .flatten()
        {
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
        if self.step.as_ref()?.complete() {
            self.step.take()
        } else {
            None
        }
    }

    /// Forgets the step in flight and the one planned ahead (the model they were for is gone).
    pub fn abandon(&mut self) {
        self.step = None;
        self.ahead = None;
    }
}
