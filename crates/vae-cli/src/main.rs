//! vae-cli: train, evaluate, picture and benchmark the VAE core natively, and export samples.
mod bench;
mod datasets;
mod eval;
mod export;
mod latent;
mod picture;
mod progress;
mod train;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "vae-cli",
    version,
    about = "VAE Lab's model, natively: train, evaluate, explore, export, benchmark"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a VAE: weights, samples.png, reconstructions.png and losses.csv in --out.
    Train(train::TrainArgs),
    /// Held-out figures of a weights file: −ELBO, log p(x), and the applications' numbers.
    Eval(eval::EvalArgs),
    /// The latent-space pictures of a weights file: traversals, latent map, manifold.
    Latent(latent::LatentArgs),
    /// Prior samples of a weights file as IDX files and a PNG sheet.
    Export(export::ExportArgs),
    /// Milliseconds per training step (reference MLP, batch 128) and decode latency.
    Bench(bench::BenchArgs),
}

fn main() {
    let result = match Cli::parse().command {
        Command::Train(a) => train::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Latent(a) => latent::run(a),
        Command::Export(a) => export::run(a),
        Command::Bench(a) => bench::run(a),
    };
    if let Err(message) = result {
        eprintln!("vae-cli: {message}");
        std::process::exit(2);
    }
}
