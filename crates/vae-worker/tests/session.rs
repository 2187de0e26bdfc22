//! The worker's state machine, natively: commands in, events out, as the page would see them.
use vae_protocol::{Command, Event, ImageKind, Settings};
use vae_worker::session::{Outgoing, Session};

fn shapes_settings() -> Settings {
    Settings { dataset: "shapes".into(), latent_dim: 4, hidden: 32, batch_size: 32, ..Settings::default() }
}

fn events(out: &[Outgoing]) -> Vec<&Event> {
    out.iter().map(|o| &o.event).collect()
}

fn error_of(out: &[Outgoing]) -> Option<String> {
    out.iter().find_map(|o| match &o.event { Event::Error { message } => Some(message.clone()), _ => None })
}

fn step_of(out: &[Outgoing]) -> Option<usize> {
    out.iter().find_map(|o| match &o.event { Event::Progress { step, .. } => Some(*step), _ => None })
}

fn configured() -> Session {
    let mut s = Session::default();
    let out = s.handle(Command::Configure { settings: shapes_settings() }, None, 0.0);
    assert!(matches!(out[0].event, Event::Configured { held_out_len: 1000, num_classes: 4, .. }), "{:?}", events(&out));
    s
}

#[test]
fn configure_builds_a_model_and_draws_it() {
    let mut s = Session::default();
    let out = s.handle(Command::Configure { settings: shapes_settings() }, None, 0.0);
    let kinds: Vec<ImageKind> = out.iter().filter_map(|o| match o.event { Event::Images { kind, .. } => Some(kind), _ => None }).collect();
    assert_eq!(kinds, [ImageKind::Samples, ImageKind::Reconstructions]);
    let samples = out.iter().find(|o| matches!(o.event, Event::Images { kind: ImageKind::Samples, .. })).unwrap();
    let Event::Images { width, height, .. } = samples.event else { unreachable!() };
    assert_eq!(samples.buffer.as_ref().unwrap().len(), width * height * 4);
    assert_eq!((width, height), (8 * 28 + 7 * 2, 8 * 28 + 7 * 2));
    // The held-out evaluation follows at the next tick, so the first drawing is not delayed by it.
    assert!(s.wants_tick());
    let later = s.slice(&|| 0.0);
    assert!(later.iter().any(|o| matches!(&o.event, Event::Progress { test: Some(t), .. } if t.total > 0.0)));
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
    let out = s.slice(&|| { t.set(t.get() + 5.0); t.get() + 1000.0 });
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
    let live = s.handle(Command::Configure { settings: Settings { learning_rate: 0.01, beta: 2.0, ..shapes_settings() } }, None, 2.0);
    assert!(live.is_empty(), "no rebuild for live settings");
    assert_eq!(step_of(&s.handle(Command::Step, None, 3.0)), Some(2));
    let reset = s.handle(Command::Configure { settings: Settings { latent_dim: 2, ..shapes_settings() } }, None, 4.0);
    assert!(matches!(reset[0].event, Event::Configured { .. }));
    assert_eq!(step_of(&reset), Some(0));
}

#[test]
fn sliders_decode_and_encode_gives_a_posterior() {
    let mut s = configured();
    let out = s.handle(Command::Decode { z: vec![0.5, -1.0, 0.0, 2.0], request: 7, class: 0 }, None, 0.0);
    assert!(matches!(out[0].event, Event::Images { kind: ImageKind::Decoded, width: 28, height: 28, request: 7 }));
    let bad = s.handle(Command::Decode { z: vec![f32::NAN; 4], request: 8, class: 0 }, None, 0.0);
    assert!(error_of(&bad).unwrap().contains("finite"));
    let out = s.handle(Command::Encode { index: 3 }, None, 0.0);
    let Some(Event::Posterior { mu, log_var, .. }) = out.iter().map(|o| &o.event).find(|e| matches!(e, Event::Posterior { .. })) else {
        panic!("no posterior: {:?}", events(&out))
    };
    assert_eq!((mu.len(), log_var.len()), (4, 4));
    assert!(error_of(&s.handle(Command::Encode { index: 5000 }, None, 0.0)).unwrap().contains("does not exist"));
}

#[test]
fn bad_files_are_refused_and_the_model_keeps_working() {
    let mut s = configured();
    s.handle(Command::Step, None, 0.0);
    for junk in [vec![], b"VAELAB\r\n\x01\0\0\0garbage".to_vec(), vec![7; 4000]] {
        let out = s.handle(Command::LoadWeights { pretrained: false }, Some(junk.clone()), 0.0);
        assert!(error_of(&out).unwrap().contains("current model is kept"), "{:?}", events(&out));
        let out = s.handle(Command::LoadDataset { name: "custom".into(), images_len: junk.len() }, Some(junk), 0.0);
        assert!(error_of(&out).unwrap().contains("current one is kept"), "{:?}", events(&out));
    }
    assert_eq!(step_of(&s.handle(Command::Step, None, 0.0)), Some(2), "the same model trains on");
}

#[test]
fn saved_weights_load_back_with_their_settings() {
    let mut s = configured();
    s.handle(Command::Step, None, 0.0);
    let saved = s.handle(Command::SaveWeights, None, 0.0);
    let bytes = saved[0].buffer.clone().unwrap();
    assert!(matches!(&saved[0].event, Event::Weights { file_name } if file_name.ends_with(".vae")));
    let mut other = Session::default();
    other.handle(Command::Configure { settings: Settings { dataset: "shapes".into(), ..Settings::default() } }, None, 0.0);
    let out = other.handle(Command::LoadWeights { pretrained: false }, Some(bytes), 0.0);
    let Some(Event::Configured { settings, .. }) = out.iter().map(|o| &o.event).find(|e| matches!(e, Event::Configured { .. })) else {
        panic!("{:?}", events(&out))
    };
    assert_eq!((settings.latent_dim, settings.hidden), (4, 32));
}

#[test]
fn a_users_idx_file_becomes_the_dataset() {
    let mut s = configured();
    let images: Vec<u8> = (0..20 * 8 * 8).map(|i| (i * 37 % 256) as u8).collect();
    let file = vae_core::data::write_idx(&[20, 8, 8], &images);
    let out = s.handle(Command::LoadDataset { name: "custom".into(), images_len: file.len() }, Some(file), 0.0);
    assert!(matches!(&out[0].event, Event::Configured { settings, dataset_len: 20, held_out_len: 2, .. } if settings.dataset == "custom"), "{:?}", events(&out));
    assert_eq!(step_of(&s.handle(Command::Step, None, 0.0)), Some(1));
}

#[test]
fn pretrained_weights_wait_for_mnist_and_the_model_is_built_once() {
    use vae_core::config::VaeConfig;
    use vae_core::weights::{save, WeightsHeader};
    let config = VaeConfig::reference_mlp();
    let model = config.init(3, &vae_core::backend::inference_device());
    let weights = save(&model, &WeightsHeader { config, dataset: "mnist".into(), steps: 42 });
    let mut s = Session::default();
    assert!(s.handle(Command::Configure { settings: Settings::default() }, None, 0.0).is_empty(), "MNIST is not here yet");
    assert!(s.handle(Command::LoadWeights { pretrained: true }, Some(weights), 0.0).is_empty(), "the weights wait");
    let images: Vec<u8> = (0..30 * 784).map(|i| (i % 251) as u8).collect();
    let labels: Vec<u8> = (0..30).map(|i| (i % 10) as u8).collect();
    let mut bytes = vae_core::data::write_idx(&[30, 28, 28], &images);
    let images_len = bytes.len();
    bytes.extend(vae_core::data::write_idx(&[30], &labels));
    let out = s.handle(Command::LoadDataset { name: "mnist".into(), images_len }, Some(bytes), 0.0);
    let built = out.iter().filter(|o| matches!(o.event, Event::Configured { .. })).count();
    assert_eq!(built, 1, "{:?}", events(&out));
    assert!(out.iter().any(|o| matches!(&o.event, Event::Info { message } if message.contains("42 training steps"))));
}

#[test]
fn a_refused_rebuild_keeps_the_model_and_restates_the_settings() {
    let mut s = configured();
    s.handle(Command::Step, None, 0.0);
    let out = s.handle(Command::Configure { settings: Settings { latent_dim: 0, ..shapes_settings() } }, None, 0.0);
    assert!(error_of(&out).unwrap().contains("latent_dim"), "{:?}", events(&out));
    assert!(out.iter().any(|o| matches!(&o.event, Event::Configured { settings, .. } if settings.latent_dim == 4)));
    assert_eq!(step_of(&s.handle(Command::Step, None, 0.0)), Some(2), "the same model trains on");
}
