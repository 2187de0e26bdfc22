//! `vae-cli latent`: the page's latent-space pictures from a weights file — traversals.png,
//! latent-map.png and, for a 2-D latent space, manifold.png.
use crate::datasets::WeightsArgs;
use crate::picture;
use clap::Args;
use std::path::PathBuf;
use vae_core::eval::evaluate;
use vae_core::latent::encode;
use vae_core::loss::active_units;
use vae_core::pca::Pca2;
use vae_core::views::{dims_by_kl, manifold_grid, traversal_grid, LATENT_RANGE};
use vae_protocol::views::CLASS_COLOURS;

#[derive(Args, Debug)]
pub struct LatentArgs {
    #[command(flatten)]
    pub weights: WeightsArgs,
    /// Output folder
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

/// Side of the latent map picture, in pixels.
const MAP: usize = 560;

pub fn run(a: LatentArgs) -> Result<(), String> {
    let (header, model, _, test) = a.weights.load()?;
    let cfg = &header.config;
    let out = a.out;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, (w, h, rgba): (usize, usize, Vec<u8>), zoom: usize| {
        let file = out.join(name);
        std::fs::write(&file, picture::png(w, h, &rgba, zoom))
            .map_err(|e| format!("{}: {e}", file.display()))?;
        println!("wrote {}", file.display());
        Ok::<(), String>(())
    };

    let kl = evaluate(&model, cfg, &test, 1.0).kl_per_dim;
    let order = dims_by_kl(&kl);
    println!(
        "dimensions by held-out KL: {}",
        order
            .iter()
            .map(|&d| format!("z{} {:.2}", d + 1, kl[d]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "active units (KL > 0.01 nats): {} of {}",
        active_units(&kl),
        kl.len()
    );
    write(
        "traversals.png",
        traversal_grid(&model, cfg, &vec![0.0; cfg.latent_dim], &order, 9, 0),
        3,
    )?;
    if cfg.latent_dim == 2 {
        write("manifold.png", manifold_grid(&model, cfg, 15, 0), 2)?;
    }
    let (mu, _) = encode(&model, cfg, test.images(), test.labels());
    let points: Vec<[f32; 2]> = match cfg.latent_dim {
        1 => mu
            .iter()
            .zip(test.labels())
            .map(|(&z, &l)| [z, l as f32 / 4.5 - 1.0])
            .collect(),
        2 => mu.chunks(2).map(|z| [z[0], z[1]]).collect(),
        dim => {
            let plane = Pca2::fit(&mu, dim, None);
            println!(
                "latent map: PCA of μ, the axes explain {:.0} % and {:.0} % of the variance",
                100.0 * plane.explained[0],
                100.0 * plane.explained[1]
            );
            mu.chunks(dim).map(|z| plane.project(z)).collect()
        }
    };
    write(
        "latent-map.png",
        scatter(&points, test.labels(), cfg.latent_dim <= 2),
        1,
    )
}

/// Points coloured by class on a white square with axes through the origin. Latent axes span
/// the prior's ±3σ (plus half a manifold cell, as the page's map); a PCA spans its points.
fn scatter(points: &[[f32; 2]], labels: &[u8], latent_axes: bool) -> (usize, usize, Vec<u8>) {
    let half = if latent_axes {
        LATENT_RANGE * (1.0 + 1.0 / 14.0)
    } else {
        points
            .iter()
            .flat_map(|p| [p[0].abs(), p[1].abs()])
            .fold(0.1f32, f32::max)
            * 1.05
    };
    let mut rgba = vec![255u8; MAP * MAP * 4];
    let to_px = |v: f32| ((v + half) / (2.0 * half) * (MAP - 1) as f32).round() as isize;
    let mut put = |x: isize, y: isize, c: [u8; 3]| {
        if (0..MAP as isize).contains(&x) && (0..MAP as isize).contains(&y) {
            let i = (y as usize * MAP + x as usize) * 4;
            rgba[i..i + 3].copy_from_slice(&c);
        }
    };
    let (ox, oy) = (to_px(0.0), MAP as isize - 1 - to_px(0.0));
    for t in 0..MAP as isize {
        put(ox, t, [220, 224, 232]);
        put(t, oy, [220, 224, 232]);
    }
    for (p, &l) in points.iter().zip(labels) {
        let (x, y) = (to_px(p[0]), MAP as isize - 1 - to_px(p[1]));
        for (dx, dy) in (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| (dx, dy))) {
            put(
                x + dx,
                y + dy,
                CLASS_COLOURS[l as usize % CLASS_COLOURS.len()],
            );
        }
    }
    (MAP, MAP, rgba)
}
