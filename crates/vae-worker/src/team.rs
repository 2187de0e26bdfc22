//! The helper workers as the training worker sees them: which are ready, and the step whose
//! shares are out. Share 0 is always computed here; share i + 1 goes to helper i when it is
//! ready, else it is computed here too — the numbers are the same either way, so a run does not
//! depend on when the helpers finished loading. main.rs creates the helpers and moves messages.
use crate::helper;
use vae_core::config::VaeConfig;
use vae_core::shares::{Share, ShareGradient};

/// A message for one helper.
pub struct ShareRequest {
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
    pub shares: Vec<Share>,
    results: Vec<Option<ShareGradient>>,
    /// Which helper computes each share (None: this worker).
    computed_by: Vec<Option<usize>>,
}

impl StepInFlight {
    /// Every share's gradient, in share order, once all are in.
    pub fn gradients(self) -> Vec<ShareGradient> {
        self.results
            .into_iter()
            .map(|g| g.expect("complete"))
            .collect()
    }
}

#[derive(Default)]
pub struct Team {
    /// Whether helper i answers requests (it has loaded and has not failed).
    ready: Vec<bool>,
    step: Option<StepInFlight>,
    next_id: u64,
    outbox: Vec<ShareRequest>,
}

impl Team {
    /// Keeps `count` helpers; new ones are not ready until they say so, and the work of those
    /// let go comes back here.
    pub fn set_helpers(&mut self, count: usize) {
        for helper in count..self.ready.len() {
            self.helper_lost(helper);
        }
        self.ready.resize(count, false);
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

    /// Sends each share after the first to its helper if that helper is ready.
    pub fn start(
        &mut self,
        generation: u32,
        started: f64,
        shares: Vec<Share>,
        config: &VaeConfig,
        weights: &[f32],
    ) {
        self.next_id += 1;
        let mut computed_by = vec![None; shares.len()];
        for (i, share) in shares.iter().enumerate().skip(1) {
            let helper = i - 1;
            if self.ready.get(helper) == Some(&true) {
                let (json, buffer) = helper::request(self.next_id, config, weights, share);
                self.outbox.push(ShareRequest {
                    helper,
                    json,
                    buffer,
                });
                computed_by[i] = Some(helper);
            }
        }
        self.step = Some(StepInFlight {
            id: self.next_id,
            generation,
            started,
            results: vec![None; shares.len()],
            shares,
            computed_by,
        });
    }

    /// The requests to post, once.
    pub fn take_requests(&mut self) -> Vec<ShareRequest> {
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
    }

    /// A helper's answer for step `id` (answers for abandoned steps are dropped).
    pub fn answered(&mut self, helper: usize, id: u64, gradient: ShareGradient) {
        if let Some(step) = self.step.as_mut().filter(|s| s.id == id) {
            if let Some(i) = step.computed_by.iter().position(|&h| h == Some(helper)) {
                step.results[i] = Some(gradient);
            }
        }
    }

    /// A helper failed or stopped: it gets no more work, and its share of the step in flight
    /// becomes this worker's.
    pub fn helper_lost(&mut self, helper: usize) {
        if let Some(r) = self.ready.get_mut(helper) {
            *r = false;
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
    /// will be dropped).
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
