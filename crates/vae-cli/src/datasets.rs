//! Datasets by name for the command line: the shipped MNIST files, or a procedural set.
use vae_core::data::{procedural, split_held_out, Dataset};

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
