//! The worker's state machine, natively: commands in, events out, as the page would see them.
use vae_protocol::{Anchor, Command, Dataset, Event, MapAxes, Settings, Twin, View, Views};
use vae_worker::session::{Outgoing, Session};

fn shapes_settings() -> Settings {
    Settings {
        dataset: Dataset::Shapes,
        latent_dim: 4,
        hidden: 32,
        batch_size: 32,
        ..Settings::default()
    }
}

fn events(out: &[Outgoing]) -> Vec<&Event> {
    out.iter().map(|o| &o.event).collect()
}

fn error_of(out: &[Outgoing]) -> Option<String> {
    out.iter().find_map(|o| match &o.event {
        Event::Error { message, .. } => Some(message.clone()),
        _ => None,
    })
}

fn step_of(out: &[Outgoing]) -> Option<usize> {
    out.iter().find_map(|o| match &o.event {
        Event::Progress(p) => Some(p.step),
        _ => None,
    })
}

fn views_of(out: &[Outgoing]) -> Vec<View> {
    out.iter()
        .filter_map(|o| match o.event {
            Event::Image { view, .. } => Some(view),
            _ => None,
        })
        .collect()
}

fn generation_of(out: &[Outgoing]) -> Option<u32> {
    out.iter().find_map(|o| match o.event {
        Event::Configured { generation, .. } => Some(generation),
        _ => None,
    })
}

/// A student's own dataset file (images, then labels if any), as the page sends it.
fn load_own_dataset(s: &mut Session, images_len: usize, bytes: Vec<u8>) -> Vec<Outgoing> {
    s.handle(
        Command::LoadDataset {
            dataset: Dataset::Custom,
            images_len,
        },
        Some(bytes),
        0.0,
    )
}

fn configured() -> Session {
    let mut s = Session::default();
    let out = s.handle(
        Command::Configure {
            settings: shapes_settings(),
        },
        None,
        0.0,
    );
    assert!(
        matches!(
            out[0].event,
            Event::Configured {
                held_out_len: 1000,
                num_classes: 4,
                ..
            }
        ),
        "{:?}",
        events(&out)
    );
    s
}

#[test]
fn configure_builds_a_model_and_draws_it() {
    let mut s = Session::default();
    let out = s.handle(
        Command::Configure {
            settings: shapes_settings(),
        },
        None,
        0.0,
    );
    assert_eq!(
        views_of(&out),
        [View::Samples, View::Reconstructions],
        "the training section is open by default"
    );
    let samples = out
        .iter()
        .find(|o| {
            matches!(
                o.event,
                Event::Image {
                    view: View::Samples,
                    ..
                }
            )
        })
        .unwrap();
    let Event::Image { width, height, .. } = samples.event else {
        unreachable!()
    };
    assert_eq!(samples.buffer.as_ref().unwrap().len(), width * height * 4);
    assert_eq!((width, height), (8 * 28 + 7 * 2, 8 * 28 + 7 * 2));
    // The held-out evaluation follows at the next tick, so the first drawing is not delayed by it.
    assert!(s.wants_tick());
    let later = s.slice(&|| 0.0);
    assert!(later.iter().any(
        |o| matches!(&o.event, Event::Progress(p) if p.test.as_ref().is_some_and(|t| t.total > 0.0))
    ));
    assert!(!s.wants_tick());
}

#[test]
fn step_trains_exactly_one_batch_and_slices_train_while_running() {
    let mut s = configured();
    assert_eq!(step_of(&s.handle(Command::Step, None, 1.0)), Some(1));
    s.handle(Command::Train { running: true }, None, 2.0);
    assert!(s.is_running());
    let t = std::cell::Cell::new(0.0);
    // A fake clock: each reading advances 5 ms, so a 40 ms slice takes a handful of steps.
    let out = s.slice(&|| {
        t.set(t.get() + 5.0);
        t.get() + 1000.0
    });
    let step = step_of(&out).expect("a slice reports progress");
    assert!(step > 2, "a slice trains several steps: {step}");
    let paused = s.handle(Command::Train { running: false }, None, 3000.0);
    assert!(!s.is_running());
    assert_eq!(step_of(&paused), Some(step));
}

#[test]
fn live_settings_do_not_reset_but_model_settings_do() {
    let mut s = configured();
    s.handle(Command::Step, None, 1.0);
    let live = s.handle(
        Command::Configure {
            settings: Settings {
                learning_rate: 0.01,
                beta: 2.0,
                ..shapes_settings()
            },
        },
        None,
        2.0,
    );
    assert!(live.is_empty(), "no rebuild for live settings");
    assert_eq!(step_of(&s.handle(Command::Step, None, 3.0)), Some(2));
    let reset = s.handle(
        Command::Configure {
            settings: Settings {
                latent_dim: 2,
                ..shapes_settings()
            },
        },
        None,
        4.0,
    );
    assert!(matches!(reset[0].event, Event::Configured { .. }));
    assert_eq!(step_of(&reset), Some(0));
}

#[test]
fn sliders_decode_and_encode_gives_a_posterior() {
    let mut s = configured();
    let out = s.handle(
        Command::Decode {
            generation: 1,
            z: vec![0.5, -1.0, 0.0, 2.0],
            request: 7,
            class: 0,
        },
        None,
        0.0,
    );
    assert!(matches!(
        out[0].event,
        Event::Image {
            view: View::Decoded,
            width: 28,
            height: 28,
            request: Some(7),
            generation: 1
        }
    ));
    let bad = s.handle(
        Command::Decode {
            generation: 1,
            z: vec![f32::NAN; 4],
            request: 8,
            class: 0,
        },
        None,
        0.0,
    );
    assert!(error_of(&bad).unwrap().contains("finite"));
    assert!(
        matches!(
            bad[0].event,
            Event::Error {
                request: Some(8),
                ..
            }
        ),
        "the error answers request 8, so the sliders stop waiting"
    );
    let out = s.handle(
        Command::Encode {
            generation: 1,
            request: 9,
            index: 3,
        },
        None,
        0.0,
    );
    let Some(Event::Posterior { mu, log_var, .. }) = out
        .iter()
        .map(|o| &o.event)
        .find(|e| matches!(e, Event::Posterior { .. }))
    else {
        panic!("no posterior: {:?}", events(&out))
    };
    assert_eq!((mu.len(), log_var.len()), (4, 4));
    assert!(error_of(&s.handle(
        Command::Encode {
            generation: 1,
            request: 10,
            index: 5000
        },
        None,
        0.0
    ))
    .unwrap()
    .contains("does not exist"));
}

#[test]
fn bad_files_are_refused_and_the_model_keeps_working() {
    let mut s = configured();
    s.handle(Command::Step, None, 0.0);
    for junk in [
        vec![],
        b"VAELAB\r\n\x01\0\0\0garbage".to_vec(),
        vec![7; 4000],
    ] {
        let out = s.handle(
            Command::LoadWeights { pretrained: false },
            Some(junk.clone()),
            0.0,
        );
        assert!(
            error_of(&out).unwrap().contains("current model is kept"),
            "{:?}",
            events(&out)
        );
        let out = load_own_dataset(&mut s, junk.len(), junk);
        assert!(
            error_of(&out).unwrap().contains("current one is kept"),
            "{:?}",
            events(&out)
        );
    }
    assert_eq!(
        step_of(&s.handle(Command::Step, None, 0.0)),
        Some(2),
        "the same model trains on"
    );
}

#[test]
fn saved_weights_load_back_with_their_settings() {
    let mut s = configured();
    s.handle(Command::Step, None, 0.0);
    let saved = s.handle(Command::SaveWeights { snapshot: false }, None, 0.0);
    let bytes = saved[0].buffer.clone().unwrap();
    assert!(
        matches!(&saved[0].event, Event::Weights { file_name, steps: 1, .. } if file_name.ends_with(".vae"))
    );
    let mut other = Session::default();
    other.handle(
        Command::Configure {
            settings: Settings {
                dataset: Dataset::Shapes,
                ..Settings::default()
            },
        },
        None,
        0.0,
    );
    let out = other.handle(Command::LoadWeights { pretrained: false }, Some(bytes), 0.0);
    let Some(Event::Configured { settings, .. }) = out
        .iter()
        .map(|o| &o.event)
        .find(|e| matches!(e, Event::Configured { .. }))
    else {
        panic!("{:?}", events(&out))
    };
    assert_eq!((settings.latent_dim, settings.hidden), (4, 32));
    assert_eq!(
        step_of(&out),
        Some(1),
        "the loaded model goes on counting from the steps it holds"
    );
    assert_eq!(step_of(&other.handle(Command::Step, None, 0.0)), Some(2));
}

#[test]
fn a_users_idx_file_becomes_the_dataset() {
    let mut s = configured();
    let images: Vec<u8> = (0..20 * 8 * 8).map(|i| (i * 37 % 256) as u8).collect();
    let file = vae_core::data::write_idx(&[20, 8, 8], &images);
    let out = load_own_dataset(&mut s, file.len(), file);
    assert!(
        matches!(&out[0].event, Event::Configured { settings, dataset_len: 20, held_out_len: 2, .. } if settings.dataset == Dataset::Custom),
        "{:?}",
        events(&out)
    );
    assert_eq!(step_of(&s.handle(Command::Step, None, 0.0)), Some(1));
}

#[test]
fn pretrained_weights_wait_for_mnist_and_the_model_is_built_once() {
    use vae_core::config::VaeConfig;
    use vae_core::weights::{save, WeightsHeader};
    let config = VaeConfig::reference_mlp();
    let model = config.init(3, &vae_core::backend::inference_device());
    let weights = save(
        &model,
        &WeightsHeader {
            config,
            dataset: "mnist".into(),
            steps: 42,
        },
    );
    let mut s = Session::default();
    assert!(
        s.handle(
            Command::Configure {
                settings: Settings::default()
            },
            None,
            0.0
        )
        .is_empty(),
        "MNIST is not here yet"
    );
    assert!(
        s.handle(
            Command::LoadWeights { pretrained: true },
            Some(weights),
            0.0
        )
        .is_empty(),
        "the weights wait"
    );
    let images: Vec<u8> = (0..30 * 784).map(|i| (i % 251) as u8).collect();
    let labels: Vec<u8> = (0..30).map(|i| (i % 10) as u8).collect();
    let mut bytes = vae_core::data::write_idx(&[30, 28, 28], &images);
    let images_len = bytes.len();
    bytes.extend(vae_core::data::write_idx(&[30], &labels));
    let out = s.handle(
        Command::LoadDataset {
            dataset: Dataset::Mnist,
            images_len,
        },
        Some(bytes),
        0.0,
    );
    let built = out
        .iter()
        .filter(|o| matches!(o.event, Event::Configured { .. }))
        .count();
    assert_eq!(built, 1, "{:?}", events(&out));
    assert!(out.iter().any(
        |o| matches!(&o.event, Event::Info { message } if message.contains("42 training steps"))
    ));
}

#[test]
fn a_refused_rebuild_keeps_the_model_and_restates_the_settings() {
    let mut s = configured();
    s.handle(Command::Step, None, 0.0);
    let out = s.handle(
        Command::Configure {
            settings: Settings {
                latent_dim: 0,
                ..shapes_settings()
            },
        },
        None,
        0.0,
    );
    assert!(
        error_of(&out).unwrap().contains("latent_dim"),
        "{:?}",
        events(&out)
    );
    assert!(out.iter().any(
        |o| matches!(&o.event, Event::Configured { settings, .. } if settings.latent_dim == 4)
    ));
    assert_eq!(
        step_of(&s.handle(Command::Step, None, 0.0)),
        Some(2),
        "the same model trains on"
    );
}

fn latent_views() -> Views {
    Views {
        training: false,
        latent_map: true,
        drawing: true,
        manifold: true,
        traversals: Some(Anchor::HeldOut(0)),
        ..Views::default()
    }
}

#[test]
fn opening_and_closing_panels_changes_what_the_worker_sends() {
    let mut s = configured();
    let out = s.handle(
        Command::OpenViews {
            views: latent_views(),
        },
        None,
        0.0,
    );
    let views = views_of(&out);
    assert!(
        views.contains(&View::Traversals) && !views.contains(&View::Samples),
        "{views:?}"
    );
    assert!(
        !views.contains(&View::Manifold),
        "no manifold for a 4-D latent space"
    );
    assert!(
        out.iter().any(|o| matches!(o.event, Event::HeldOut { .. })),
        "the map's pictures go once"
    );
    let Some(Event::LatentMap {
        axes: MapAxes::Pca { explained },
        points,
        labels,
        twin: Twin::Vae,
        ..
    }) = out
        .iter()
        .map(|o| &o.event)
        .find(|e| matches!(e, Event::LatentMap { .. }))
    else {
        panic!("no PCA map: {:?}", events(&out))
    };
    assert_eq!((points.len(), labels.len()), (2000, 1000));
    assert!(explained[0] >= explained[1] && explained[0] + explained[1] <= 1.0001);
    let rows = out
        .iter()
        .find_map(|o| match &o.event {
            Event::Traversals { rows, .. } => Some(rows.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.windows(2).all(|w| w[0].1 >= w[1].1),
        "rows sorted by KL: {rows:?}"
    );
    // Image ticks send only the open views; the held-out pictures are not sent again.
    s.handle(Command::Train { running: true }, None, 0.0);
    let t = std::cell::Cell::new(0.0);
    let tick = s.slice(&|| {
        t.set(t.get() + 5.0);
        t.get() + 10_000.0
    });
    assert!(views_of(&tick).contains(&View::Traversals));
    assert!(!tick
        .iter()
        .any(|o| matches!(o.event, Event::HeldOut { .. })));
    // Closing every panel: the next tick sends progress and no pictures at all.
    s.handle(
        Command::OpenViews {
            views: Views {
                training: false,
                ..Views::default()
            },
        },
        None,
        0.0,
    );
    let tick = s.slice(&|| {
        t.set(t.get() + 5.0);
        t.get() + 20_000.0
    });
    assert!(step_of(&tick).is_some());
    assert!(
        views_of(&tick).is_empty()
            && !tick
                .iter()
                .any(|o| matches!(o.event, Event::LatentMap { .. })),
        "{:?}",
        events(&tick)
    );
}

#[test]
fn a_2d_model_has_a_manifold_and_map_clicks_give_codes() {
    let mut s = Session::default();
    s.handle(
        Command::Configure {
            settings: Settings {
                latent_dim: 2,
                ..shapes_settings()
            },
        },
        None,
        0.0,
    );
    let out = s.handle(
        Command::OpenViews {
            views: latent_views(),
        },
        None,
        0.0,
    );
    let manifold = out
        .iter()
        .find(|o| {
            matches!(
                o.event,
                Event::Image {
                    view: View::Manifold,
                    ..
                }
            )
        })
        .expect("a manifold");
    assert!(matches!(
        manifold.event,
        Event::Image {
            width: 420,
            height: 420,
            ..
        }
    ));
    assert!(out.iter().any(|o| matches!(
        o.event,
        Event::LatentMap {
            axes: MapAxes::Latent,
            ..
        }
    )));
    let picked = s.handle(
        Command::PickLatent {
            generation: 1,
            request: 3,
            twin: Twin::Vae,
            x: 1.5,
            y: -0.5,
        },
        None,
        0.0,
    );
    assert!(
        matches!(&picked[0].event, Event::Picked { z, request: 3, .. } if z == &vec![1.5, -0.5])
    );
}

#[test]
fn a_pca_map_click_back_projects_onto_the_plane() {
    let mut s = configured();
    s.handle(
        Command::OpenViews {
            views: latent_views(),
        },
        None,
        0.0,
    );
    let picked = s.handle(
        Command::PickLatent {
            generation: 1,
            request: 4,
            twin: Twin::Vae,
            x: 0.5,
            y: 0.25,
        },
        None,
        0.0,
    );
    let Event::Picked { z, .. } = &picked[0].event else {
        panic!("{:?}", events(&picked))
    };
    assert_eq!(z.len(), 4, "a full latent vector");
}

#[test]
fn answers_carry_the_generation_and_requests_for_a_replaced_model_are_dropped() {
    let mut s = configured();
    let first = s.handle(Command::Reset, None, 0.0);
    assert_eq!(generation_of(&first), Some(2));
    assert!(first
        .iter()
        .all(|o| o.event.generation().is_none_or(|g| g == 2)));
    let stale = s.handle(
        Command::Decode {
            generation: 1,
            z: vec![0.0; 4],
            request: 5,
            class: 0,
        },
        None,
        0.0,
    );
    assert!(
        stale.is_empty(),
        "a decode for generation 1 is dropped: {:?}",
        events(&stale)
    );
    let fresh = s.handle(
        Command::Decode {
            generation: 2,
            z: vec![0.0; 4],
            request: 6,
            class: 0,
        },
        None,
        0.0,
    );
    assert!(matches!(
        fresh[0].event,
        Event::Image {
            generation: 2,
            request: Some(6),
            ..
        }
    ));
}

#[test]
fn a_drawing_is_encoded_scored_and_placed_on_the_map() {
    let mut s = configured();
    s.handle(
        Command::OpenViews {
            views: latent_views(),
        },
        None,
        0.0,
    );
    let out = s.handle(
        Command::Draw {
            request: 11,
            width: 100,
            height: 100,
        },
        Some(out_pad()),
        0.0,
    );
    assert_eq!(views_of(&out), [View::DrawRecon, View::PosteriorSamples]);
    let Some(Event::Drawn {
        mu,
        neg_elbo,
        request: 11,
        ..
    }) = out
        .iter()
        .map(|o| &o.event)
        .find(|e| matches!(e, Event::Drawn { .. }))
    else {
        panic!("{:?}", events(&out))
    };
    assert_eq!(mu.len(), 4);
    assert!(neg_elbo.is_finite() && *neg_elbo > 0.0);
    // The same drawing scores the same (fixed noise).
    let again = s.handle(
        Command::Draw {
            request: 12,
            width: 100,
            height: 100,
        },
        Some(out_pad()),
        0.0,
    );
    let again_score = again
        .iter()
        .find_map(|o| match o.event {
            Event::Drawn { neg_elbo, .. } => Some(neg_elbo),
            _ => None,
        })
        .unwrap();
    assert_eq!(again_score, *neg_elbo);
    let empty = s.handle(
        Command::Draw {
            request: 13,
            width: 10,
            height: 10,
        },
        Some(vec![0; 100]),
        0.0,
    );
    assert!(error_of(&empty).unwrap().contains("empty"));
    let wrong = s.handle(
        Command::Draw {
            request: 14,
            width: 10,
            height: 10,
        },
        Some(vec![0; 7]),
        0.0,
    );
    assert!(matches!(
        wrong[0].event,
        Event::Error {
            request: Some(14),
            ..
        }
    ));
}

/// A vertical stroke on a 100 × 100 pad.
fn out_pad() -> Vec<u8> {
    let mut pad = vec![0u8; 100 * 100];
    for y in 20..80 {
        for x in 45..55 {
            pad[y * 100 + x] = 255;
        }
    }
    pad
}

#[test]
fn the_autoencoder_twin_trains_beside_the_vae_with_zero_kl_weight() {
    let mut s = configured();
    let out = s.handle(
        Command::OpenViews {
            views: Views {
                compare: true,
                compare_open: true,
                ..Views::default()
            },
        },
        None,
        0.0,
    );
    assert!(views_of(&out).contains(&View::AeSamples));
    assert!(out.iter().any(|o| matches!(
        o.event,
        Event::LatentMap {
            twin: Twin::Autoencoder,
            ..
        }
    )));
    s.handle(Command::Step, None, 0.0);
    let out = s.handle(Command::Step, None, 0.0);
    let Some(Event::Progress(p)) = out
        .iter()
        .map(|o| &o.event)
        .find(|e| matches!(e, Event::Progress(_)))
    else {
        panic!()
    };
    let twin = p.twin.as_ref().expect("the twin's losses");
    assert!(twin.recon > 0.0);
    assert_eq!(
        twin.total, twin.recon,
        "β = 0: the KL term is not in the twin's objective"
    );
    assert!(
        p.train.total > p.train.recon,
        "the VAE's objective has its KL term"
    );
    let closed = s.handle(
        Command::OpenViews {
            views: Views {
                compare: true,
                ..Views::default()
            }
            .none(),
        },
        None,
        0.0,
    );
    assert!(
        views_of(&closed).is_empty(),
        "a hidden page gets no pictures"
    );
    assert!(
        s.handle(Command::Step, None, 0.0)
            .iter()
            .any(|o| matches!(&o.event, Event::Progress(p) if p.twin.is_some())),
        "the twin still trains"
    );
    let off = s.handle(
        Command::OpenViews {
            views: Views::default(),
        },
        None,
        0.0,
    );
    assert!(!views_of(&off).contains(&View::AeSamples));
    let out = s.handle(Command::Step, None, 0.0);
    assert!(out
        .iter()
        .any(|o| matches!(&o.event, Event::Progress(p) if p.twin.is_none())));
}

#[test]
fn interpolation_between_two_held_out_images() {
    let mut s = configured();
    let views = Views {
        training: false,
        interpolation: Some([Anchor::HeldOut(0), Anchor::HeldOut(1)]),
        ..Views::default()
    };
    let out = s.handle(Command::OpenViews { views }, None, 0.0);
    let strip = out
        .iter()
        .find(|o| {
            matches!(
                o.event,
                Event::Image {
                    view: View::Interpolation,
                    ..
                }
            )
        })
        .expect("a strip");
    assert!(
        matches!(
            strip.event,
            Event::Image {
                width: 298,
                height: 58,
                ..
            }
        ),
        "{:?}",
        strip.event
    );
}

#[test]
fn a_model_over_the_memory_budget_is_refused_with_the_numbers_and_the_current_one_kept() {
    let mut s = configured();
    s.handle(Command::Step, None, 0.0);
    // 256 × 256 colour images: at 4,096 hidden units and batch 1,024 the model needs gigabytes.
    let file = vae_core::data::write_idx(&[4, 256, 256, 3], &vec![128; 4 * 256 * 256 * 3]);
    s.handle(
        Command::Configure {
            settings: Settings {
                hidden: 4096,
                batch_size: 1024,
                ..shapes_settings()
            },
        },
        None,
        0.0,
    );
    let out = load_own_dataset(&mut s, file.len(), file);
    let message = error_of(&out).expect("refused");
    assert!(
        message.contains("budget") && message.contains("MB"),
        "{message}"
    );
    assert_eq!(
        step_of(&s.handle(Command::Step, None, 0.0)).map(|s| s > 0),
        Some(true),
        "the earlier model trains on"
    );
}

fn generation(s: &mut Session) -> u32 {
    let out = s.handle(Command::Reset, None, 0.0);
    generation_of(&out).unwrap()
}

#[test]
fn a_completion_answers_with_its_picture_and_errors() {
    let mut s = configured();
    let g = generation(&mut s);
    let ask = |mask| Command::Complete {
        generation: g,
        request: 5,
        source: Anchor::HeldOut(2),
        mask,
        iterations: 5,
        chains: 4,
    };
    let out = s.handle(
        ask(vae_protocol::Mask::Preset("top-half".into())),
        None,
        1.0,
    );
    assert_eq!(views_of(&out), [View::Completion]);
    let Event::Image { width, .. } = out[0].event else {
        unreachable!()
    };
    assert_eq!(
        width,
        7 * 28 + 6 * 2,
        "original, masked, 4 chains, their average"
    );
    let Some(Event::Completed {
        error,
        mean_fill_error,
        chains: 4,
        iterations: 5,
        request: 5,
        ..
    }) = out.get(1).map(|o| &o.event)
    else {
        panic!("{:?}", events(&out))
    };
    assert!(error.is_finite() && *mean_fill_error > 0.0);
    let refused = s.handle(
        ask(vae_protocol::Mask::Preset("diagonal".into())),
        None,
        2.0,
    );
    assert!(
        matches!(
            refused[0].event,
            Event::Error {
                request: Some(5),
                ..
            }
        ),
        "{:?}",
        events(&refused)
    );
    let nothing = s.handle(
        ask(vae_protocol::Mask::Painted(vec![false; 784])),
        None,
        3.0,
    );
    assert!(error_of(&nothing).unwrap().contains("nothing is hidden"));
    let stale = Command::Complete {
        generation: g - 1,
        request: 6,
        source: Anchor::HeldOut(2),
        mask: vae_protocol::Mask::Preset("top-half".into()),
        iterations: 5,
        chains: 4,
    };
    assert!(
        s.handle(stale, None, 4.0).is_empty(),
        "a request about a replaced model is dropped"
    );
}

#[test]
fn a_left_out_class_is_never_trained_on_and_its_auc_is_reported() {
    let mut s = Session::default();
    let settings = Settings {
        leave_out: Some(2),
        ..shapes_settings()
    };
    s.handle(Command::Configure { settings }, None, 0.0);
    let out = s.handle(
        Command::OpenViews {
            views: Views {
                training: false,
                anomaly: true,
                ..Views::default()
            },
        },
        None,
        1.0,
    );
    let Some(Event::Anomaly {
        scores,
        labels,
        left_out: Some(2),
        auc: Some(auc),
        ..
    }) = out
        .iter()
        .map(|o| &o.event)
        .find(|e| matches!(e, Event::Anomaly { .. }))
    else {
        panic!("{:?}", events(&out))
    };
    assert_eq!((scores.len(), labels.len()), (1000, 1000));
    assert!(
        labels.contains(&2),
        "the held-out split keeps the left-out class"
    );
    assert!((0.0..=1.0).contains(auc));
    // Scored at once when opened, then at most every 3 s.
    let soon = s.slice(&|| 2000.0);
    assert!(!soon
        .iter()
        .any(|o| matches!(o.event, Event::Anomaly { .. })));
    let later = s.slice(&|| 9000.0);
    assert!(later
        .iter()
        .any(|o| matches!(o.event, Event::Anomaly { .. })));
    let bad = s.handle(
        Command::Configure {
            settings: Settings {
                leave_out: Some(7),
                ..shapes_settings()
            },
        },
        None,
        10.0,
    );
    assert!(
        error_of(&bad).unwrap().contains("no class 7"),
        "shapes has 4 classes"
    );
}

#[test]
fn exports_are_idx_files_that_read_back_or_one_sheet() {
    let mut s = configured();
    let g = generation(&mut s);
    let out = s.handle(
        Command::Export {
            generation: g,
            request: 1,
            count: 30,
            temperature: 0.8,
            class: None,
            sheet: false,
        },
        None,
        1.0,
    );
    let Event::Exported {
        images_len,
        labels: false,
        count: 30,
        ref name,
        ..
    } = out[0].event
    else {
        panic!("{:?}", events(&out))
    };
    assert!(name.starts_with("vae-samples-shapes-z4-T0.8-n30"), "{name}");
    let buffer = out[0].buffer.as_ref().unwrap();
    let back = vae_core::data::Dataset::from_idx("back", &buffer[..images_len], None).unwrap();
    assert_eq!(back.len(), 30);
    let sheet = s.handle(
        Command::Export {
            generation: g,
            request: 2,
            count: 30,
            temperature: 1.0,
            class: None,
            sheet: true,
        },
        None,
        2.0,
    );
    assert!(
        matches!(
            sheet[0].event,
            Event::Exported {
                images_len: 0,
                request: 2,
                ..
            }
        ),
        "the sheet's name comes first"
    );
    let Event::Image {
        view: View::ExportSheet,
        width,
        height,
        request: Some(2),
        ..
    } = sheet[1].event
    else {
        panic!()
    };
    assert_eq!((width, height), (6 * 28, 5 * 28));
    let too_many = s.handle(
        Command::Export {
            generation: g,
            request: 3,
            count: 1_000_000,
            temperature: 1.0,
            class: None,
            sheet: false,
        },
        None,
        3.0,
    );
    assert!(error_of(&too_many).unwrap().contains("between 1 and"));
}

#[test]
fn style_transfer_needs_a_conditional_model() {
    let mut s = configured();
    let views = Views {
        training: false,
        transfer: true,
        ..Views::default()
    };
    let out = s.handle(
        Command::OpenViews {
            views: views.clone(),
        },
        None,
        1.0,
    );
    assert!(!views_of(&out).contains(&View::StyleTransfer));
    s.handle(
        Command::Configure {
            settings: Settings {
                conditional: true,
                ..shapes_settings()
            },
        },
        None,
        2.0,
    );
    let out = s.handle(Command::OpenViews { views }, None, 3.0);
    let image = out
        .iter()
        .find(|o| {
            matches!(
                o.event,
                Event::Image {
                    view: View::StyleTransfer,
                    ..
                }
            )
        })
        .expect("rows of every class");
    let Event::Image { width, height, .. } = image.event else {
        unreachable!()
    };
    assert_eq!(
        (width, height),
        (5 * 28 + 4 * 2, 6 * 28 + 5 * 2),
        "the image and its 4 classes, 6 rows"
    );
}

#[test]
fn every_use_works_in_colour_with_the_conv_model() {
    let mut s = Session::default();
    let settings = Settings {
        dataset: Dataset::ColourShapes,
        arch: vae_protocol::Arch::Conv,
        conditional: true,
        latent_dim: 4,
        hidden: 32,
        batch_size: 16,
        ..Settings::default()
    };
    let g = generation_of(&s.handle(Command::Configure { settings }, None, 0.0)).unwrap();
    let complete = Command::Complete {
        generation: g,
        request: 1,
        source: Anchor::HeldOut(0),
        mask: vae_protocol::Mask::Preset("centre-square".into()),
        iterations: 3,
        chains: 2,
    };
    let out = s.handle(complete, None, 1.0);
    assert!(
        matches!(out[1].event, Event::Completed { .. }),
        "{:?}",
        events(&out)
    );
    let out = s.handle(
        Command::OpenViews {
            views: Views {
                training: false,
                anomaly: true,
                transfer: true,
                ..Views::default()
            },
        },
        None,
        2.0,
    );
    assert!(views_of(&out).contains(&View::StyleTransfer));
    assert!(out.iter().any(|o| matches!(o.event, Event::Anomaly { .. })));
    let out = s.handle(
        Command::Export {
            generation: g,
            request: 2,
            count: 8,
            temperature: 1.0,
            class: Some(3),
            sheet: false,
        },
        None,
        3.0,
    );
    let Event::Exported {
        images_len,
        labels: true,
        ..
    } = out[0].event
    else {
        panic!("{:?}", events(&out))
    };
    let buffer = out[0].buffer.as_ref().unwrap();
    let back = vae_core::data::Dataset::from_idx(
        "back",
        &buffer[..images_len],
        Some(&buffer[images_len..]),
    )
    .unwrap();
    assert_eq!(
        (back.shape.channels, back.labels()),
        (3, &[3u8; 8][..]),
        "colour images, all of class 3"
    );
}

#[test]
fn the_pages_settings_ranges_are_the_cores_validation_bounds() {
    use vae_protocol::settings::{Range, BATCH, BETA, HIDDEN, LATENT, LEARNING_RATE, WARMUP};
    let data = vae_core::data::shapes(10, 1);
    type Set = fn(&mut Settings, f64);
    let ranges: [(&str, Range, Set); 6] = [
        ("latent", LATENT, |s, v| s.latent_dim = v as usize),
        ("hidden", HIDDEN, |s, v| s.hidden = v as usize),
        ("beta", BETA, |s, v| s.beta = v as f32),
        ("warmup", WARMUP, |s, v| s.beta_warmup = v as usize),
        ("lr", LEARNING_RATE, |s, v| s.learning_rate = v),
        ("batch", BATCH, |s, v| s.batch_size = v as usize),
    ];
    for (name, range, set) in ranges {
        let valid = |v: f64| {
            let mut s = Settings::default();
            set(&mut s, v);
            vae_worker::lab::training_config(&s, &data)
                .validate()
                .is_ok()
        };
        assert!(
            valid(range.min) && valid(range.max),
            "{name}: the core takes the page's whole range"
        );
        let step = if range.integer { 1.0 } else { range.max * 1e-3 };
        assert!(
            !valid(range.max + step),
            "{name}: the core refuses past the page's maximum"
        );
        if range.min - step >= 0.0 && !(name == "lr") {
            assert!(
                !valid(range.min - step),
                "{name}: the core refuses below the page's minimum"
            );
        }
    }
    let mut tiny_lr = Settings::default();
    tiny_lr.learning_rate = LEARNING_RATE.min / 2.0;
    assert!(
        vae_worker::lab::training_config(&tiny_lr, &data)
            .validate()
            .is_err(),
        "lr below the minimum"
    );
}

#[test]
fn a_full_size_mnist_file_is_taken_as_it_is() {
    // Full MNIST, Fashion-MNIST and KMNIST training files: 60,000 images of 28 × 28 with labels.
    let n = 60_000;
    let images = vae_core::data::write_idx(&[n, 28, 28], &vec![7u8; n * 784]);
    let labels =
        vae_core::data::write_idx(&[n], &(0..n).map(|i| (i % 10) as u8).collect::<Vec<_>>());
    let images_len = images.len();
    let mut s = configured();
    let out = load_own_dataset(&mut s, images_len, [images, labels].concat());
    assert!(
        matches!(
            out[0].event,
            Event::Configured {
                dataset_len: 60_000,
                held_out_len: 6_000,
                num_classes: 10,
                ..
            }
        ),
        "{:?}",
        events(&out)
    );
    assert_eq!(step_of(&s.handle(Command::Step, None, 2.0)), Some(1));
}
