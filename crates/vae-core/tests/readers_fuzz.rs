//! Property tests: random bytes, and random mutations of valid files, thrown at the IDX and
//! weights readers. Each answer is a value or an error — never a panic — and nothing the bytes
//! claim makes a reader allocate more than the file could hold.
use proptest::prelude::*;
use vae_core::config::VaeConfig;
use vae_core::data::{read_idx, write_idx, Dataset};
use vae_core::weights::{load, save, WeightsHeader};

fn valid_idx() -> Vec<u8> {
    write_idx(
        &[3, 4, 5],
        &(0..60).map(|i| (i * 7) as u8).collect::<Vec<_>>(),
    )
}

fn valid_weights() -> Vec<u8> {
    let config = VaeConfig {
        hidden: 8,
        latent_dim: 2,
        ..VaeConfig::reference_mlp()
    };
    let model = config.init(1, &vae_core::backend::inference_device());
    save(
        &model,
        &WeightsHeader {
            config,
            dataset: "mnist".into(),
            steps: 3,
        },
    )
}

/// A mutation: overwrite, insert or cut bytes at positions drawn from the seeds.
fn mutate(mut bytes: Vec<u8>, edits: &[(u8, u32, u8)]) -> Vec<u8> {
    for &(kind, at, value) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = at as usize % bytes.len();
        match kind % 3 {
            0 => bytes[i] = value,
            1 => bytes.insert(i, value),
            _ => bytes.truncate(i),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_the_idx_reader(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(idx) = read_idx(&bytes) {
            // What it read fits in what it was given (raw files: a gzip stream inflates).
            prop_assert!(bytes.starts_with(&[0x1f, 0x8b]) || idx.data.len() <= bytes.len());
        }
        let _ = Dataset::from_idx("fuzz", &bytes, Some(&bytes));
    }

    #[test]
    fn mutated_idx_files_never_panic(edits in proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u8>()), 1..6)) {
        let bytes = mutate(valid_idx(), &edits);
        if let Ok(idx) = read_idx(&bytes) {
            prop_assert!(bytes.starts_with(&[0x1f, 0x8b]) || idx.data.len() <= bytes.len());
        }
        let labels = write_idx(&[3], &[0, 1, 2]);
        let _ = Dataset::from_idx("fuzz", &bytes, Some(&labels));
    }

    #[test]
    fn random_bytes_never_panic_the_weights_reader(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(load(&bytes).is_err());
    }
}

proptest! {
    // Each case builds a model: fewer cases keep the suite quick.
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn mutated_weights_files_never_panic(edits in proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u8>()), 1..4)) {
        let original = valid_weights();
        let bytes = mutate(original.clone(), &edits);
        match load(&bytes) {
            // A mutation the checksum cannot see is one that changed nothing.
            Ok(_) => prop_assert_eq!(bytes, original),
            Err(_) => {}
        }
    }
}
