//! Datasets by name for the command line: the shipped MNIST files, or a procedural set.
use crate::args::Args;
use vae_core::data::{procedural, split_held_out, Dataset};
use vae_core::model::Vae;
use vae_core::weights::{load as load_weights, WeightsHeader};

/// Where the page's assets live, relative to the workspace root.
pub const ASSETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/assets");

pub fn load(name: &str) -> Result<(Dataset, Dataset), String> {
    let data = match name {
        "mnist" => {
            let read = |f: &str| std::fs::read(format!("{ASSETS}/data/{f}")).map_err(|e| format!("{f}: {e}"));
            let images = read("mnist10k-images-idx3-ubyte.gz")?;
            let labels = read("mnist10k-labels-idx1-ubyte.gz")?;
            Dataset::from_idx("mnist", &images, Some(&labels)).map_err(|e| e.to_string())?
        }
        other => procedural(other).ok_or_else(|| format!("unknown dataset {other:?} (mnist, shapes, colour-shapes)"))?,
    };
    Ok(split_held_out(&data))
}

/// The weights file of `--weights` (default: the page's pretrained model) and the held-out split
/// of `--dataset` (default: the one the weights were trained on).
pub fn weights_and_held_out(a: &Args) -> Result<(WeightsHeader, Vae, Dataset), String> {
    let path = a.text("weights", &format!("{ASSETS}/pretrained-mnist.vae"));
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let (header, model) = load_weights(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let (_, test) = load(&a.text("dataset", &header.dataset))?;
    Ok((header, model, test))
}
