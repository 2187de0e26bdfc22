//! Weights files: a small versioned header (magic, version, model config, dataset, checksum)
//! around burn's record. Every check runs before a model is returned, so a bad file never
//! replaces the model a caller already has.
use crate::backend::inference_device;
use crate::config::{ConfigError, VaeConfig};
use crate::model::Vae;
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};
use std::fmt;

/// PNG-style magic: the \r\n and \x1a catch files mangled by text-mode transfers.
pub const MAGIC: &[u8; 8] = b"VAELAB\r\n";
pub const FORMAT_VERSION: u32 = 1;
const MAX_HEADER: usize = 64 * 1024;

/// What a weights file says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsHeader {
    pub config: VaeConfig,
    /// The dataset the weights were trained on ("mnist", "shapes", …).
    pub dataset: String,
    /// Training steps taken.
    pub steps: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WeightsError {
    NotAWeightsFile,
    UnsupportedVersion(u32),
    Truncated,
    BadHeader(String),
    InvalidConfig(ConfigError),
    ChecksumMismatch,
    /// The record does not fit the architecture its header describes.
    RecordMismatch(String),
    /// The file holds another architecture than the one asked for.
    ArchitectureMismatch {
        expected: Box<VaeConfig>,
        found: Box<VaeConfig>,
    },
    /// Some weights are NaN or infinite: such a model draws nothing and cannot train.
    NonFiniteWeights,
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAWeightsFile => write!(
                f,
                "this is not a VAE Lab weights file (its first bytes are not VAELAB)"
            ),
            Self::UnsupportedVersion(v) => {
                write!(f, "weights format version {v} is not supported (this page reads version {FORMAT_VERSION})")
            }
            Self::Truncated => write!(f, "the weights file is truncated"),
            Self::BadHeader(e) => write!(f, "the weights file's header is unreadable: {e}"),
            Self::InvalidConfig(e) => write!(f, "the weights file describes an invalid model: {e}"),
            Self::ChecksumMismatch => write!(f, "the weights file is corrupt (checksum mismatch)"),
            Self::RecordMismatch(e) => write!(
                f,
                "the weights do not fit the model their header describes: {e}"
            ),
            Self::NonFiniteWeights => write!(
                f,
                "some of the weights are not finite numbers (NaN or infinite)"
            ),
            Self::ArchitectureMismatch { expected, found } => write!(
                f,
                "the weights are for another model ({}), not this one ({})",
                found.summary(),
                expected.summary()
            ),
        }
    }
}

impl std::error::Error for WeightsError {}

/// FNV-1a, 64 bit: enough to notice a flipped byte, and tiny.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Serialises a model with its header.
pub fn save(model: &Vae, header: &WeightsHeader) -> Vec<u8> {
    let record = model
        .valid()
        .into_record()
        .into_bytes()
        .expect("a module's record serialises");
    let json = serde_json::to_vec(header).expect("the header serialises");
    let mut out = Vec::with_capacity(32 + json.len() + record.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&(record.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum(&record).to_le_bytes());
    out.extend_from_slice(&record);
    out
}

/// Reads only the header (cheap: no model is built).
pub fn read_header(bytes: &[u8]) -> Result<(WeightsHeader, &[u8]), WeightsError> {
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<&[u8], WeightsError> {
        if rest.len() < n {
            return Err(WeightsError::Truncated);
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(WeightsError::NotAWeightsFile);
    }
    take(MAGIC.len())?;
    let version = u32::from_le_bytes(take(4)?.try_into().unwrap());
    if version != FORMAT_VERSION {
        return Err(WeightsError::UnsupportedVersion(version));
    }
    let header_len = u32::from_le_bytes(take(4)?.try_into().unwrap()) as usize;
    if header_len > MAX_HEADER {
        return Err(WeightsError::BadHeader(format!(
            "header length {header_len} is implausible"
        )));
    }
    let header: WeightsHeader = serde_json::from_slice(take(header_len)?)
        .map_err(|e| WeightsError::BadHeader(e.to_string()))?;
    header
        .config
        .validate()
        .map_err(WeightsError::InvalidConfig)?;
    let record_len = u64::from_le_bytes(take(8)?.try_into().unwrap());
    let sum = u64::from_le_bytes(take(8)?.try_into().unwrap());
    if record_len != rest.len() as u64 {
        return Err(WeightsError::Truncated);
    }
    if checksum(rest) != sum {
        return Err(WeightsError::ChecksumMismatch);
    }
    Ok((header, rest))
}

/// Reads a weights file into a new model (on the inference device).
pub fn load(bytes: &[u8]) -> Result<(WeightsHeader, Vae), WeightsError> {
    let (header, record) = read_header(bytes)?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
        .map_err(|e| WeightsError::RecordMismatch(e.to_string()))?;
    let model = header
        .config
        .layers(&inference_device())
        .try_load_record(record)
        .map_err(|e| WeightsError::RecordMismatch(e.to_string()))?;
    let mut finite = AllFinite(true);
    model.visit(&mut finite);
    if !finite.0 {
        return Err(WeightsError::NonFiniteWeights);
    }
    Ok((header, model))
}

/// Checks every weight of a model for NaN and infinity.
struct AllFinite(bool);

impl burn::module::ModuleVisitor for AllFinite {
    fn visit_float<const D: usize>(
        &mut self,
        param: &burn::module::Param<burn::tensor::Tensor<D>>,
    ) {
        self.0 = self.0 && param.val().is_finite().all().into_scalar::<bool>();
    }
}

/// Like `load`, but only for the architecture `expected`.
pub fn load_expecting(
    bytes: &[u8],
    expected: &VaeConfig,
) -> Result<(WeightsHeader, Vae), WeightsError> {
    let (header, _) = read_header(bytes)?;
    if !header.config.same_model(expected) {
        return Err(WeightsError::ArchitectureMismatch {
            expected: Box::new(expected.clone()),
            found: Box::new(header.config),
        });
    }
    load(bytes)
}
