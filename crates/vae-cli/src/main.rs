//! vae-cli: `train`, `eval`, `latent` and `bench` for the VAE core, natively.
mod args;
mod bench;
mod datasets;
mod eval;
mod latent;
mod png;
mod train;

const USAGE: &str = "usage: vae-cli <train|eval|latent|bench> [--option value]…  (vae-cli <command> --help for options)";

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = match argv.first().map(String::as_str) {
        Some("train") => train::run(&argv[1..]),
        Some("eval") => eval::run(&argv[1..]),
        Some("bench") => bench::run(&argv[1..]),
        Some("latent") => latent::run(&argv[1..]),
        _ => Err(USAGE.to_string()),
    };
    if let Err(message) = result {
        eprintln!("vae-cli: {message}");
        std::process::exit(2);
    }
}
