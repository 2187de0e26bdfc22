//! Datasets by name for the command line: the shipped MNIST files, or a procedural set; and a
//! weights file with the held-out split it is evaluated on.
use clap::Args;
use std::path::PathBuf;
use vae_core::data::{procedural, split_held_out, Dataset};
use vae_core::model::Vae;
use vae_core::weights::{load as load_weights, WeightsHeader};

/// Where the page's assets live, relative to the workspace root.
pub const ASSETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/assets");

/// A dataset by name, or IDX files (what the page exports or reads: `images.idx`, optionally
/// with `labels`), split into training and held-out images.
pub fn load_with_labels(
    name: &str,
    labels: Option<&std::path::Path>,
) -> Result<(Dataset, Dataset), String> {
    if !std::path::Path::new(name).is_file() {
        return match labels {
            None => load(name),
            Some(_) => Err("--labels goes with an images file given as --dataset".into()),
        };
    }
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let images = read(std::path::Path::new(name))?;
    let labels = labels.map(read).transpose()?;
    let data = Dataset::from_idx("custom", &images, labels.as_deref())
        .map_err(|e| format!("{name}: {e}"))?;
    if data.len() < 2 {
        return Err(format!("{name}: a dataset needs at least 2 images"));
    }
    Ok(split_held_out(&data))
}

pub fn load(name: &str) -> Result<(Dataset, Dataset), String> {
    let data = match name {
        "mnist" => {
            let read = |f: &str| {
                std::fs::read(format!("{ASSETS}/data/{f}")).map_err(|e| format!("{f}: {e}"))
            };
            let images = read("mnist10k-images-idx3-ubyte.gz")?;
            let labels = read("mnist10k-labels-idx1-ubyte.gz")?;
            Dataset::from_idx("mnist", &images, Some(&labels)).map_err(|e| e.to_string())?
        }
        other => procedural(other)
            .ok_or_else(|| format!("unknown dataset {other:?} (mnist, shapes, colour-shapes)"))?,
    };
    Ok(split_held_out(&data))
}

/// A weights file and the held-out images to use it on.
#[derive(Args, Clone, Debug)]
pub struct WeightsArgs {
    /// Weights file [default: the page's pretrained MNIST model]
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Held-out images of this dataset (mnist, shapes, colour-shapes) [default: the one the weights were trained on]
    #[arg(long)]
    pub dataset: Option<String>,
}

impl WeightsArgs {
    pub fn load(&self) -> Result<(WeightsHeader, Vae, Dataset, Dataset), String> {
        let path = self
            .weights
            .clone()
            .unwrap_or_else(|| format!("{ASSETS}/pretrained-mnist.vae").into());
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (header, model) =
            load_weights(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let (train, test) = load(self.dataset.as_deref().unwrap_or(&header.dataset))?;
        Ok((header, model, train, test))
    }
}
