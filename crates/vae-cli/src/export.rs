//! `vae-cli export`: prior samples of a weights file as IDX files (images, and labels for a
//! conditional model) and a PNG sheet, named after what they hold.
use crate::datasets::WeightsArgs;
use crate::picture;
use clap::Args;
use std::path::PathBuf;
use vae_core::image::grid_rgba;
use vae_core::uses::export::{generate, images_idx, labels_idx, MAX_EXPORT};

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub weights: WeightsArgs,
    /// How many samples
    #[arg(long, default_value_t = 64)]
    pub count: usize,
    /// z ~ N(0, T²·I)
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    /// Only this class (conditional models); else every class in turn
    #[arg(long)]
    pub class: Option<u8>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

pub fn run(a: ExportArgs) -> Result<(), String> {
    if a.count == 0 || a.count > MAX_EXPORT {
        return Err(format!("--count must be 1 to {MAX_EXPORT}"));
    }
    let (header, model, _, _) = a.weights.load()?;
    let cfg = &header.config;
    if let Some(c) = a
        .class
        .filter(|&c| cfg.num_classes == 0 || usize::from(c) >= cfg.num_classes)
    {
        return Err(format!(
            "--class {c}: the model has {} classes",
            cfg.num_classes
        ));
    }
    let (pixels, labels) = generate(&model, cfg, a.count, a.temperature, a.class, a.seed);
    let of_class = a.class.map(|c| format!("-class{c}")).unwrap_or_default();
    let name = format!(
        "vae-samples-{}-z{}-T{}{of_class}-n{}-step{}",
        header.dataset, cfg.latent_dim, a.temperature, a.count, header.steps
    );
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let mut files = vec![(format!("{name}-images.idx"), images_idx(&pixels, cfg))];
    if cfg.num_classes > 0 {
        files.push((format!("{name}-labels.idx"), labels_idx(&labels)));
    }
    let (w, h, rgba) = grid_rgba(
        &pixels,
        cfg.image,
        (a.count as f32).sqrt().ceil() as usize,
        0,
    );
    files.push((format!("{name}-sheet.png"), picture::png(w, h, &rgba, 1)));
    for (file, bytes) in files {
        let path = a.out.join(&file);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
