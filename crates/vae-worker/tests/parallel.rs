//! Data-parallel training through the session, natively: the helper's side answers the
//! requests as a helper worker would, and the weights come out the same whoever computed each
//! share — all here, with a helper, or with a helper that fails halfway.
use std::cell::Cell;
use vae_protocol::{Command, Dataset, Event, Settings};
use vae_worker::helper::Helper;
use vae_worker::session::{Outgoing, Session};
use vae_worker::team::ShareRequest;

fn settings(workers: u8) -> Settings {
    Settings {
        dataset: Dataset::Shapes,
        latent_dim: 4,
        hidden: 32,
        batch_size: 32,
        workers,
        ..Settings::default()
    }
}

fn step_of(out: &[Outgoing]) -> Option<usize> {
    out.iter().find_map(|o| match &o.event {
        Event::Progress(p) => Some(p.step),
        _ => None,
    })
}

/// A session set to 2 workers on a device of `cores` cores.
fn two_worker_session(cores: usize) -> Session {
    let mut s = Session::default();
    s.set_cores(cores);
    s.handle(
        Command::Configure {
            settings: settings(2),
        },
        None,
        0.0,
    );
    s
}

/// How the one helper behaves in a run.
#[derive(Clone, Copy, PartialEq)]
enum HelperPlays {
    NeverReady,
    Answers,
    /// Answers `n` steps, then its worker dies with a step's share out.
    DiesAfter(usize),
}

/// Trains `steps` steps with 2 workers on 4 cores; returns the weights, flat (a weights file
/// also holds burn's parameter ids, which differ from model to model).
fn train(helper_plays: HelperPlays, steps: usize) -> Vec<f32> {
    let mut s = two_worker_session(4);
    assert_eq!(s.shares_per_step(), 2);
    assert_eq!(s.helpers_wanted(), 0, "no helper before training");
    s.handle(Command::Train { running: true }, None, 1.0);
    assert_eq!(s.helpers_wanted(), 1);
    if helper_plays != HelperPlays::NeverReady {
        s.helper_ready(0);
    }
    let mut helper = Helper::default();
    let t = Cell::new(0.0);
    let clock = || {
        t.set(t.get() + 1.0);
        t.get()
    };
    let mut done = 0;
    while done < steps {
        assert!(s.wants_tick());
        s.slice(&clock);
        let requests = s.take_share_requests();
        assert!(
            !s.wants_tick() || requests.is_empty(),
            "no new step while shares are out"
        );
        let mut out = s.compute_local_shares(&clock);
        for r in requests {
            assert_eq!(r.helper, 0);
            out = match helper_plays {
                HelperPlays::DiesAfter(n) if done >= n => s.helper_lost(0, &clock),
                _ => {
                    let (json, buffer) = helper.handle(&r.json, &r.buffer);
                    s.share_answered(0, &json, buffer, &clock)
                }
            };
        }
        done += 1;
        if let Some(step) = step_of(&out) {
            assert!(step <= done);
        }
    }
    s.handle(Command::Train { running: false }, None, 2.0);
    let saved = s.handle(Command::SaveWeights { snapshot: false }, None, 3.0);
    let bytes = saved
        .into_iter()
        .find_map(|o| o.buffer)
        .expect("the weights file");
    let (header, model) = vae_core::weights::load(&bytes).expect("a weights file");
    assert_eq!(header.steps, steps);
    vae_core::flat::read(&model)
}

#[test]
fn the_weights_do_not_depend_on_who_computed_each_share() {
    let alone = train(HelperPlays::NeverReady, 12);
    // assert!, not assert_eq!: a mismatch would print two weights files.
    assert!(
        train(HelperPlays::Answers, 12) == alone,
        "a helper computed share 1"
    );
    assert!(
        train(HelperPlays::DiesAfter(5), 12) == alone,
        "the helper died at step 6; its share came back"
    );
}

/// A session training with 2 workers on 2 cores whose helper is ready, one step started: the
/// helper's requests.
fn training_with_a_ready_helper(clock: &dyn Fn() -> f64) -> (Session, Vec<ShareRequest>) {
    let mut s = two_worker_session(2);
    s.handle(Command::Train { running: true }, None, 1.0);
    assert_eq!(s.helpers_wanted(), 1);
    s.helper_ready(0);
    s.slice(clock);
    let requests = s.take_share_requests();
    (s, requests)
}

#[test]
fn a_helpers_unreadable_answer_is_its_last() {
    let clock = || 5.0;
    let (mut s, requests) = training_with_a_ready_helper(&clock);
    assert_eq!(requests.len(), 1);
    s.compute_local_shares(&clock);
    assert!(!s.wants_tick(), "waiting for the helper");
    s.share_answered(
        0,
        "{\"id\":1,\"rows\":0,\"latent\":0,\"gradient\":0,\"error\":\"out of memory\"}",
        vec![],
        &clock,
    );
    assert!(s.wants_tick(), "the step finished here");
    s.slice(&clock);
    assert!(
        s.take_share_requests().is_empty(),
        "the helper gets no more work"
    );
    let out = s.compute_local_shares(&clock);
    assert!(out.iter().all(|o| !matches!(o.event, Event::Error { .. })));
}

#[test]
fn one_worker_is_the_fallback() {
    let mut s = Session::default();
    s.handle(
        Command::Configure {
            settings: settings(3),
        },
        None,
        0.0,
    );
    assert_eq!(s.shares_per_step(), 1, "before the glue tells the cores");
    s.set_cores(8);
    assert_eq!(s.shares_per_step(), 3);
    s.helpers_impossible();
    assert_eq!((s.shares_per_step(), s.helpers_wanted()), (1, 0));
}

#[test]
fn a_single_step_is_shared_too_and_reports_the_held_out_loss() {
    let mut s = two_worker_session(2);
    // The first Step is computed here and starts the helpers.
    assert!(s.take_share_requests().is_empty());
    assert_eq!(step_of(&s.handle(Command::Step, None, 4.0)), Some(1));
    assert!(s.take_share_requests().is_empty());
    assert_eq!(s.helpers_wanted(), 1);
    s.helper_ready(0);
    let clock = || 10.0;
    assert!(
        s.handle(Command::Step, None, 5.0).is_empty(),
        "no report before the shares are in"
    );
    let requests = s.take_share_requests();
    assert_eq!(requests.len(), 1);
    assert!(
        s.compute_local_shares(&clock).is_empty(),
        "waiting for the helper"
    );
    let (json, buffer) = Helper::default().handle(&requests[0].json, &requests[0].buffer);
    let out = s.share_answered(0, &json, buffer, &clock);
    let progress = out.iter().find_map(|o| match &o.event {
        Event::Progress(p) => Some(p.clone()),
        _ => None,
    });
    let p = progress.expect("the step reports");
    assert_eq!((p.step, p.workers, p.running), (2, 2, false));
    assert!(p.test.is_some(), "a Step's report has the held-out loss");
}

#[test]
fn a_pause_finishes_the_step_in_flight_here() {
    let clock = || 5.0;
    let (mut s, requests) = training_with_a_ready_helper(&clock);
    s.compute_local_shares(&clock);
    let paused = s.handle(Command::Train { running: false }, None, 6.0);
    assert_eq!(step_of(&paused), Some(1), "the step is done at the pause");
    // The helper's late answer changes nothing.
    let (json, buffer) = Helper::default().handle(&requests[0].json, &requests[0].buffer);
    assert!(step_of(&s.share_answered(0, &json, buffer, &clock)).is_none());
    assert_eq!(
        step_of(&s.handle(Command::Step, None, 7.0)),
        None,
        "a shared Step: reported when done"
    );
}
