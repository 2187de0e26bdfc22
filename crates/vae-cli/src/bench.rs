//! `vae-cli bench`: median ms per train step (reference MLP, batch 128) and the optimiser's share,
//! images/s, decode latency; and the conditional conv VAE on colour shapes at batch 32.
use crate::datasets;
use clap::Args;
use std::time::Instant;
use vae_core::backend::BACKEND_NAME;
use vae_core::config::{Arch, TrainingConfig, VaeConfig};
use vae_core::data::{Batcher, Dataset};
use vae_core::latent::{decode, sample_prior};
use vae_core::rng::Rng;
use vae_core::train::Trainer;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Timed train steps
    #[arg(long, default_value_t = 40)]
    pub steps: usize,
    /// Timed decodes
    #[arg(long, default_value_t = 200)]
    pub decodes: usize,
}

/// Where the late step time is measured.
const LATE_STEP: usize = 1500;

fn median_ms(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Median ms per train step of `config` on `data`, after 5 warm-up steps.
fn step_ms(config: &TrainingConfig, data: &Dataset, steps: usize) -> Result<f64, String> {
    let mut trainer = Trainer::new(config.clone()).map_err(|e| e.to_string())?;
    let mut batches = Batcher::new(data.len(), 1);
    let mut times = Vec::new();
    for i in 0..steps + 5 {
        let batch = batches.next(data, config.batch_size);
        let t = Instant::now();
        trainer.step(&batch).map_err(|e| e.to_string())?;
        if i >= 5 {
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    Ok(median_ms(times))
}

pub fn run(a: BenchArgs) -> Result<(), String> {
    let (steps, decodes) = (a.steps.max(1), a.decodes.max(1));
    let (train, _) = datasets::load("mnist")?;
    let config = TrainingConfig::reference();
    let mut trainer = Trainer::new(config.clone()).map_err(|e| e.to_string())?;
    let mut batches = Batcher::new(train.len(), 1);
    let (mut step_times, mut update_times) = (Vec::new(), Vec::new());
    for i in 0..steps + 5 {
        let batch = batches.next(&train, 128);
        let t = Instant::now();
        let shares = trainer.plan(&batch, 1).map_err(|e| e.to_string())?;
        let gradient = trainer.share_gradient(&shares[0]);
        let u = Instant::now();
        trainer.apply(vec![gradient]).map_err(|e| e.to_string())?;
        if i >= 5 {
            // the first steps warm caches up
            step_times.push(t.elapsed().as_secs_f64() * 1e3);
            update_times.push(u.elapsed().as_secs_f64() * 1e3);
        }
    }
    let step = median_ms(step_times);
    let update = median_ms(update_times);
    // Later in a run: by step ~800 the Adam moments of weights that never get a gradient (MNIST's
    // black border) used to decay into subnormal floats and double the step time.
    while trainer.steps_done() < LATE_STEP {
        trainer
            .step(&batches.next(&train, 128))
            .map_err(|e| e.to_string())?;
    }
    let late: Vec<f64> = (0..steps)
        .map(|_| {
            let batch = batches.next(&train, 128);
            let t = Instant::now();
            trainer
                .step(&batch)
                .map(|_| t.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let late = median_ms(late);
    let model = trainer.model();
    let z = sample_prior(&mut Rng::new(1), 64, 20, 1.0);
    let decode_times: Vec<f64> = (0..decodes)
        .map(|_| {
            let t = Instant::now();
            decode(&model, &config.model, &z, &[]);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let one: Vec<f64> = (0..decodes)
        .map(|_| {
            let t = Instant::now();
            decode(&model, &config.model, &z[..20], &[]);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!("backend: {BACKEND_NAME} (native, 1 thread)");
    println!("train step, reference MLP 784-400-20, batch 128: {step:.2} ms (median of {steps})");
    println!(
        "  of which the optimiser (fused Adam): {update:.2} ms ({:.0} %)",
        100.0 * update / step
    );
    println!("  the same after {LATE_STEP} steps: {late:.2} ms");
    println!("training throughput: {:.0} images/s", 128.0 / (step / 1e3));
    println!(
        "decode 64 latents: {:.3} ms (median of {decodes})",
        median_ms(decode_times)
    );
    println!(
        "decode 1 latent (one slider frame): {:.3} ms",
        median_ms(one)
    );
    // The page's conv CVAE on colour shapes (the default sizes with the conv architecture).
    let (colour, _) = datasets::load("colour-shapes")?;
    let conv = TrainingConfig {
        model: VaeConfig {
            image: colour.shape,
            arch: Arch::Conv,
            num_classes: colour.num_classes,
            ..VaeConfig::reference_mlp()
        },
        batch_size: 32,
        ..TrainingConfig::reference()
    };
    let conv_steps = (steps / 2).max(1);
    let conv_ms = step_ms(&conv, &colour, conv_steps)?;
    println!("train step, conditional conv VAE (16/32 channels, latent 20) on colour shapes, batch 32: {conv_ms:.2} ms (median of {conv_steps})");
    Ok(())
}
