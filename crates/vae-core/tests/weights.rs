mod common;
use common::tiny;
use vae_core::backend::inference_device;
use vae_core::config::{Arch, ImageShape, VaeConfig};
use vae_core::latent::decode;
use vae_core::weights::{
    load, load_expecting, read_header, save, WeightsError, WeightsHeader, MAGIC,
};

fn header(config: VaeConfig) -> WeightsHeader {
    WeightsHeader {
        config,
        dataset: "mnist".into(),
        steps: 12,
    }
}

fn saved(config: &VaeConfig, seed: u64) -> Vec<u8> {
    save(
        &config.init(seed, &inference_device()),
        &header(config.clone()),
    )
}

#[test]
fn round_trip_is_bit_exact() {
    for arch in [Arch::Mlp, Arch::Conv] {
        let cfg = tiny(arch, ImageShape::MNIST, 10);
        let model = cfg.init(3, &inference_device());
        let bytes = save(&model, &header(cfg.clone()));
        let (h, loaded) = load(&bytes).unwrap();
        assert_eq!(h, header(cfg.clone()));
        assert_eq!(
            save(&loaded, &h),
            bytes,
            "saving the loaded model gives the same bytes"
        );
        let z = [0.3, -1.0, 2.0];
        assert_eq!(
            decode(&model, &cfg, &z, &[7]),
            decode(&loaded, &cfg, &z, &[7])
        );
    }
}

#[test]
fn malformed_files_are_refused_with_a_typed_error() {
    let cfg = tiny(Arch::Mlp, ImageShape::MNIST, 0);
    let good = saved(&cfg, 1);
    let header_len = u32::from_le_bytes(good[12..16].try_into().unwrap()) as usize;
    let record_at = 16 + header_len + 16;

    let mut flipped = good.clone();
    flipped[record_at + 200] ^= 0x40;
    let mut version = good.clone();
    version[8] = 9;
    let mut bad_json = good.clone();
    bad_json[16] = b'#';
    let mut invalid_config = cfg.clone();
    invalid_config.latent_dim = 0;
    let json = serde_json::to_vec(&header(invalid_config)).unwrap();
    let mut invalid = MAGIC.to_vec();
    invalid.extend_from_slice(&1u32.to_le_bytes());
    invalid.extend_from_slice(&(json.len() as u32).to_le_bytes());
    invalid.extend_from_slice(&json);
    invalid.extend_from_slice(&[0; 16]);
    // A header that claims another architecture than its record holds.
    let other = tiny(Arch::Mlp, ImageShape::MNIST, 0);
    let other = VaeConfig {
        hidden: 24,
        ..other
    };
    let other_record = saved(&other, 1);
    let other_json = serde_json::to_vec(&header(cfg.clone())).unwrap();
    let other_len = u32::from_le_bytes(other_record[12..16].try_into().unwrap()) as usize;
    let mut lying = MAGIC.to_vec();
    lying.extend_from_slice(&1u32.to_le_bytes());
    lying.extend_from_slice(&(other_json.len() as u32).to_le_bytes());
    lying.extend_from_slice(&other_json);
    lying.extend_from_slice(&other_record[16 + other_len..]);
    let random: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();

    let cases: Vec<(&str, Vec<u8>, fn(&WeightsError) -> bool)> = vec![
        ("empty", vec![], |e| *e == WeightsError::NotAWeightsFile),
        ("random bytes", random, |e| {
            *e == WeightsError::NotAWeightsFile
        }),
        ("a PNG", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), |e| {
            *e == WeightsError::NotAWeightsFile
        }),
        ("future version", version, |e| {
            *e == WeightsError::UnsupportedVersion(9)
        }),
        ("cut in the header", good[..20].to_vec(), |e| {
            *e == WeightsError::Truncated
        }),
        (
            "cut in the record",
            good[..good.len() - 100].to_vec(),
            |e| *e == WeightsError::Truncated,
        ),
        ("flipped bit", flipped, |e| {
            *e == WeightsError::ChecksumMismatch
        }),
        ("garbled json", bad_json, |e| {
            matches!(e, WeightsError::BadHeader(_))
        }),
        (
            "invalid config",
            invalid,
            |e| matches!(e, WeightsError::InvalidConfig(c) if c.field == "latent_dim"),
        ),
        ("record of another model", lying, |e| {
            matches!(e, WeightsError::RecordMismatch(_))
        }),
    ];
    for (what, bytes, expected) in cases {
        let err = load(&bytes)
            .err()
            .unwrap_or_else(|| panic!("{what}: loaded"));
        assert!(expected(&err), "{what}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn loading_another_architecture_is_refused_when_one_is_expected() {
    let mlp = tiny(Arch::Mlp, ImageShape::MNIST, 0);
    let conv = tiny(Arch::Conv, ImageShape::MNIST, 0);
    let err = load_expecting(&saved(&conv, 1), &mlp).err().unwrap();
    assert!(matches!(err, WeightsError::ArchitectureMismatch { .. }));
    assert!(
        err.to_string().contains("(conv 4/8") && err.to_string().contains("(MLP, hidden"),
        "{err}"
    );
    assert!(read_header(&saved(&conv, 1)).unwrap().0.config == conv);
}

#[test]
fn nan_weights_are_refused_even_with_a_valid_checksum() {
    use vae_core::weights::{load, WeightsError};
    let cfg = tiny(Arch::Mlp, ImageShape::MNIST, 0);
    let mut bytes = saved(&cfg, 1);
    let header_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let record_at = 16 + header_len + 16;
    // 64 bytes of 0xff are NaN whatever the floats' alignment; then mend the checksum.
    let middle = record_at + (bytes.len() - record_at) / 2;
    bytes[middle..middle + 64].fill(0xff);
    let sum = bytes[record_at..]
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
    bytes[record_at - 8..record_at].copy_from_slice(&sum.to_le_bytes());
    assert_eq!(load(&bytes).unwrap_err(), WeightsError::NonFiniteWeights);
}
