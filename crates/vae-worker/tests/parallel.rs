//! Data-parallel training through the session, natively: the helper's side answers the
//! requests as a helper worker would, and the weights come out the same whoever computed each
//! share — all here, with a helper, or with a helper that fails halfway.
use std::cell::Cell;
use vae_protocol::{Command, Dataset, Event, Settings};
use vae_worker::helper::Helper;
use vae_worker::session::{Outgoing, Session};
use vae_worker::team::HelperMessage;

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
/// also holds burn's parameter ids, which differ from model to model), and how many times the
/// trainer's whole state went to the helper.
fn train(helper_plays: HelperPlays, steps: usize) -> (Vec<f32>, usize) {
    train_changing_the_learning_rate(helper_plays, steps, None)
}

/// The same, with the learning rate halved at step `change.0`, either before it starts or
/// (`change.1`) while its shares are out.
fn train_changing_the_learning_rate(
    helper_plays: HelperPlays,
    steps: usize,
    change: Option<(usize, bool)>,
) -> (Vec<f32>, usize) {
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
    let mut states = 0;
    let halve = |s: &mut Session| {
        let mut changed = settings(2);
        changed.learning_rate *= 0.5;
        let out = s.handle(Command::Configure { settings: changed }, None, 1.5);
        assert!(out.is_empty(), "a live change: no new model");
    };
    while done < steps {
        assert!(s.wants_tick());
        if change == Some((done, false)) {
            halve(&mut s);
        }
        s.slice(&clock);
        let mut messages = s.take_helper_messages();
        assert!(
            !s.wants_tick() || messages.is_empty(),
            "no new step while shares are out"
        );
        let mut out = s.compute_local_shares(&clock);
        if change == Some((done, true)) {
            halve(&mut s);
        }
        // This worker's gradient goes out to the helper once it is computed, and the helper's
        // share of the next step, planned ahead, after it.
        messages.extend(s.take_helper_messages());
        let answers: Vec<_> = messages
            .iter()
            .filter_map(|m| {
                assert_eq!(m.helper, 0);
                helper
                    .handle(&m.json, m.buffer.clone())
                    .map(|(j, parts)| (j, parts.concat()))
            })
            .collect();
        assert!(
            answers.len() <= 2,
            "an answer for the step, one for the step ahead"
        );
        states += messages
            .iter()
            .filter(|m| m.json.contains("\"kind\":\"State\""))
            .count();
        assert!(
            answers
                .iter()
                .all(|(json, _)| json.contains("\"error\":null")),
            "the helper's replica is current at every share"
        );
        for (json, buffer) in answers {
            out = match helper_plays {
                HelperPlays::DiesAfter(n) if done >= n => s.helper_lost(0, &clock),
                _ => s.share_answered(0, &json, buffer, &clock),
            };
        }
        done += 1;
        if let Some(step) = step_of(&out) {
            assert!(step <= done);
        }
    }
    (weights_after(s, steps), states)
}

#[test]
fn the_weights_do_not_depend_on_who_computed_each_share() {
    let (alone, none) = train(HelperPlays::NeverReady, 12);
    assert_eq!(none, 0);
    // assert!, not assert_eq!: a mismatch would print two weights files.
    let (helped, states) = train(HelperPlays::Answers, 12);
    assert!(helped == alone, "a helper computed share 1");
    assert_eq!(
        states, 1,
        "the weights went to the helper once; then its replica took the same updates"
    );
    assert!(
        train(HelperPlays::DiesAfter(5), 12).0 == alone,
        "the helper died at step 6; its share came back"
    );
}

#[test]
fn a_learning_rate_changed_while_the_helper_computes_brings_it_the_whole_state_again() {
    // The first step (no step ahead yet: the helper answers after this worker's share is done)
    // updates at the new rate here, the helper was told the old one: its replica is no longer
    // the trainer's, so its share of the step planned ahead is computed here instead, and the
    // step after that brings it the trainer's state.
    let (before, _) =
        train_changing_the_learning_rate(HelperPlays::NeverReady, 6, Some((0, false)));
    let (during, states) =
        train_changing_the_learning_rate(HelperPlays::Answers, 6, Some((0, true)));
    assert!(during == before, "the same updates");
    assert_eq!(states, 2);
}

/// A session training with 2 workers on 2 cores whose helper is ready, one step started: the
/// helper's requests.
fn training_with_a_ready_helper(clock: &dyn Fn() -> f64) -> (Session, Vec<HelperMessage>) {
    let mut s = two_worker_session(2);
    s.handle(Command::Train { running: true }, None, 1.0);
    assert_eq!(s.helpers_wanted(), 1);
    s.helper_ready(0);
    s.slice(clock);
    let requests = s.take_helper_messages();
    (s, requests)
}

/// What a fresh helper answers to `messages` (the whole state, then a share).
fn fresh_helpers_answer(messages: &[HelperMessage]) -> (String, Vec<f32>) {
    let mut helper = Helper::default();
    let mut answers = messages.iter().filter_map(|m| {
        helper
            .handle(&m.json, m.buffer.clone())
            .map(|(j, parts)| (j, parts.concat()))
    });
    answers.next().expect("an answer")
}

#[test]
fn a_helpers_unreadable_answer_is_its_last() {
    let clock = || 5.0;
    let (mut s, requests) = training_with_a_ready_helper(&clock);
    assert_eq!(requests.len(), 2, "the trainer's state, then the share");
    s.compute_local_shares(&clock);
    assert_eq!(
        s.take_helper_messages().len(),
        2,
        "this worker's gradient, then the next step's share"
    );
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
        s.take_helper_messages().is_empty(),
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
    assert!(s.take_helper_messages().is_empty());
    assert_eq!(step_of(&s.handle(Command::Step, None, 4.0)), Some(1));
    assert!(s.take_helper_messages().is_empty());
    assert_eq!(s.helpers_wanted(), 1);
    s.helper_ready(0);
    let clock = || 10.0;
    assert!(
        s.handle(Command::Step, None, 5.0).is_empty(),
        "no report before the shares are in"
    );
    let requests = s.take_helper_messages();
    assert_eq!(requests.len(), 2);
    assert!(
        s.compute_local_shares(&clock).is_empty(),
        "waiting for the helper"
    );
    let (json, buffer) = fresh_helpers_answer(&requests);
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
    let (json, buffer) = fresh_helpers_answer(&requests);
    assert!(step_of(&s.share_answered(0, &json, buffer, &clock)).is_none());
    assert_eq!(
        step_of(&s.handle(Command::Step, None, 7.0)),
        None,
        "a shared Step: reported when done"
    );
}

/// Trains `steps` steps with `workers` workers on 8 cores, every helper ready and answering
/// (or none, `helped` false); the weights, flat, and how often the trainer's state went out.
fn train_with_helpers(workers: u8, helped: bool, steps: usize) -> (Vec<f32>, usize) {
    let mut s = Session::default();
    s.set_cores(8);
    let configure = Command::Configure {
        settings: settings(workers),
    };
    s.handle(configure, None, 0.0);
    s.handle(Command::Train { running: true }, None, 1.0);
    let helpers = usize::from(workers) - 1;
    assert_eq!(s.helpers_wanted(), helpers);
    let mut replicas: Vec<Helper> = (0..helpers).map(|_| Helper::default()).collect();
    if helped {
        (0..helpers).for_each(|h| s.helper_ready(h));
    }
    let clock = || 1.0;
    let mut states = 0;
    for _ in 0..steps {
        s.slice(&clock);
        s.compute_local_shares(&clock);
        // Each helper reads its messages in order; its answers may bring more messages (the
        // total, the next step's shares), until none is left.
        loop {
            let messages = s.take_helper_messages();
            if messages.is_empty() {
                break;
            }
            states += messages
                .iter()
                .filter(|m| m.json.contains("\"State\""))
                .count();
            let answers: Vec<_> = messages
                .iter()
                .filter_map(|m| {
                    Some((
                        m.helper,
                        replicas[m.helper]
                            .handle(&m.json, m.buffer.clone())
                            .map(|(j, p)| (j, p.concat()))?,
                    ))
                })
                .collect();
            for (helper, (json, buffer)) in answers {
                assert!(json.contains("\"error\":null"), "{json}");
                s.share_answered(helper, &json, buffer, &clock);
            }
        }
    }
    (weights_after(s, steps), states)
}

/// Pauses `s` after `steps` steps; its weights, flat (a weights file also holds burn's
/// parameter ids, which differ from model to model).
fn weights_after(mut s: Session, steps: usize) -> Vec<f32> {
    s.handle(Command::Train { running: false }, None, 2.0);
    let saved = s.handle(Command::SaveWeights { snapshot: false }, None, 3.0);
    let bytes = saved
        .into_iter()
        .find_map(|o| o.buffer)
        .expect("a weights file");
    let (header, model) = vae_core::weights::load(&bytes).expect("a weights file");
    assert_eq!(header.steps, steps);
    vae_core::flat::read(&model)
}

#[test]
fn three_workers_train_as_one_and_each_helper_gets_the_weights_once() {
    let (alone, _) = train_with_helpers(3, false, 8);
    let (helped, states) = train_with_helpers(3, true, 8);
    assert!(helped == alone, "two helpers computed shares 1 and 2");
    assert_eq!(
        states, 2,
        "once to each helper; then the totals kept them current"
    );
}
