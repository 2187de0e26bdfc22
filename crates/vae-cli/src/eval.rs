//! `vae-cli eval`: held-out −ELBO and importance-weighted log p(x); with `--completion` the
//! masked-pixel error per mask preset against the mean image; with `--anomaly` the scores, and
//! with `--leave-out` the ROC AUC of finding a class the model never trained on.
use crate::datasets::WeightsArgs;
use crate::train::fit;
use clap::Args;
use vae_core::config::TrainingConfig;
use vae_core::data::Dataset;
use vae_core::eval::{evaluate, importance_weighted_log_likelihood};
use vae_core::loss::active_units;
use vae_core::model::Vae;
use vae_core::uses::anomaly::{percentile, roc_auc, scores, split_by_class};
use vae_core::uses::completion::{mean_image, score_completion, MaskPreset, CHAINS, ITERATIONS};
use vae_core::weights::WeightsHeader;

/// A class to leave out of training, or each in turn.
#[derive(Clone, Copy, Debug)]
pub enum LeaveOut {
    All,
    Class(u8),
}

fn leave_out(text: &str) -> Result<LeaveOut, String> {
    match text {
        "all" => Ok(LeaveOut::All),
        n => n
            .parse()
            .map(LeaveOut::Class)
            .map_err(|_| format!("{n:?} is neither a class number nor \"all\"")),
    }
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub weights: WeightsArgs,
    /// Importance samples per image for log p(x)
    #[arg(long, default_value_t = 100)]
    pub k: usize,
    /// Image completion: masked-pixel squared error per mask preset, VAE against the mean image
    #[arg(long)]
    pub completion: bool,
    /// Encode–sample–decode rounds of each completion
    #[arg(long, default_value_t = ITERATIONS)]
    pub iterations: usize,
    /// Chains averaged per completion
    #[arg(long, default_value_t = CHAINS)]
    pub chains: usize,
    /// Anomaly detection: the held-out images' −ELBO
    #[arg(long)]
    pub anomaly: bool,
    /// With --anomaly: train the weights' model without this class (a number, or "all" for each
    /// in turn) and print the ROC AUC of telling it from the others
    #[arg(long, value_parser = leave_out)]
    pub leave_out: Option<LeaveOut>,
    /// Epochs of each leave-out training
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
}

pub fn run(a: EvalArgs) -> Result<(), String> {
    let (header, model, train, test) = a.weights.load()?;
    let cfg = &header.config;
    let parts = evaluate(&model, cfg, &test, 1.0);
    println!("held-out images: {}", test.len());
    println!(
        "held-out -ELBO per image: {:.2} nats (reconstruction {:.2}, KL {:.2})",
        parts.total, parts.recon, parts.kl
    );
    println!(
        "active latent dimensions (KL > 0.01 nats): {} of {}",
        active_units(&parts.kl_per_dim),
        parts.kl_per_dim.len()
    );
    if !a.completion && !a.anomaly {
        let ll = importance_weighted_log_likelihood(&model, cfg, &test, a.k);
        println!(
            "held-out log p(x) (importance weighted, K={}): {ll:.2} nats",
            a.k
        );
    }
    if a.completion {
        completion(&a, &header, &model, &train, &test);
    }
    if a.anomaly {
        anomaly(&a, &header, &model, &train, &test)?;
    }
    Ok(())
}

fn completion(a: &EvalArgs, header: &WeightsHeader, model: &Vae, train: &Dataset, test: &Dataset) {
    let fill = mean_image(train);
    println!("completion: squared error per hidden pixel over {} held-out images ({} rounds, average of {} chains)", test.len(), a.iterations, a.chains);
    println!(
        "  {:<14} {:>8} {:>10} {:>7}",
        "hidden", "VAE", "mean image", "change"
    );
    for preset in MaskPreset::ALL {
        let s = score_completion(
            model,
            &header.config,
            test,
            &fill,
            preset,
            a.iterations,
            a.chains,
        );
        println!(
            "  {:<14} {:>8.4} {:>10.4} {:>6.1} %",
            preset.name(),
            s.vae,
            s.mean_fill,
            100.0 * (s.vae / s.mean_fill - 1.0)
        );
    }
}

fn anomaly(
    a: &EvalArgs,
    header: &WeightsHeader,
    model: &Vae,
    train: &Dataset,
    test: &Dataset,
) -> Result<(), String> {
    let s = scores(model, &header.config, test);
    println!(
        "anomaly scores (-ELBO, one fixed ε): held-out median {:.1}, 99th percentile {:.1} nats (the page's default threshold)",
        percentile(&s, 0.5),
        percentile(&s, 0.99)
    );
    let classes: Vec<u8> = match a.leave_out {
        None => return Ok(()),
        Some(LeaveOut::Class(c)) if usize::from(c) >= test.num_classes => {
            return Err(format!(
                "class {c} does not exist: the dataset has {}",
                test.num_classes
            ))
        }
        Some(LeaveOut::Class(c)) => vec![c],
        Some(LeaveOut::All) => (0..test.num_classes as u8).collect(),
    };
    let config = TrainingConfig {
        model: header.config.clone(),
        ..TrainingConfig::reference()
    };
    println!("leave one class out: the weights' model trained {} epochs without it, then scored on every held-out image", a.epochs);
    let mut aucs = Vec::new();
    for class in classes {
        let (trainer, _) = fit(&config, &train.without_class(class), test, a.epochs)?;
        let s = scores(&trainer.model(), &config.model, test);
        let (anomalies, normal) = split_by_class(&s, test.labels(), class);
        let auc = roc_auc(&anomalies, &normal).unwrap_or(f32::NAN);
        aucs.push(auc);
        println!(
            "  class {class} left out: ROC AUC {auc:.3} ({} of its images, {} others)",
            anomalies.len(),
            normal.len()
        );
    }
    if aucs.len() > 1 {
        println!(
            "  mean ROC AUC {:.3}",
            aucs.iter().sum::<f32>() / aucs.len() as f32
        );
    }
    Ok(())
}
