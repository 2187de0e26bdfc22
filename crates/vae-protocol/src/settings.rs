//! The page's one serialisable state: every setting and the seed, kept in the URL so a teacher
//! can hand out a link that reproduces a run.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// "mnist", "shapes", "colour-shapes", or "custom" (a user's own file).
    pub dataset: String,
    /// "mlp" or "conv".
    pub arch: String,
    pub latent_dim: usize,
    pub hidden: usize,
    /// Train a conditional VAE (one-hot class joins encoder and decoder inputs).
    pub conditional: bool,
    pub beta: f32,
    pub beta_warmup: usize,
    /// "bce" or "mse".
    pub recon_loss: String,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub seed: u64,
}

impl Default for Settings {
    /// The reference model (the PyTorch examples VAE), which the page ships pretrained.
    fn default() -> Self {
        Self {
            dataset: "mnist".into(),
            arch: "mlp".into(),
            latent_dim: 20,
            hidden: 400,
            conditional: false,
            beta: 1.0,
            beta_warmup: 0,
            recon_loss: "bce".into(),
            learning_rate: 1e-3,
            batch_size: 128,
            seed: 1,
        }
    }
}

/// A URL parameter that could not be read; the default is kept for it.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsError {
    pub key: String,
    pub value: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the link's setting {}={:?} is not valid; the default was used", self.key, self.value)
    }
}

impl Settings {
    /// Do `self` and `other` need different models (so a change means a reset)?
    pub fn needs_new_model(&self, other: &Settings) -> bool {
        (&self.dataset, &self.arch, self.latent_dim, self.hidden, self.conditional, &self.recon_loss, self.seed)
            != (&other.dataset, &other.arch, other.latent_dim, other.hidden, other.conditional, &other.recon_loss, other.seed)
    }

    /// `key=value&…` for the URL's query string.
    pub fn to_query(&self) -> String {
        format!(
            "dataset={}&arch={}&latent={}&hidden={}&cvae={}&beta={}&warmup={}&loss={}&lr={}&batch={}&seed={}",
            self.dataset,
            self.arch,
            self.latent_dim,
            self.hidden,
            self.conditional as u8,
            self.beta,
            self.beta_warmup,
            self.recon_loss,
            self.learning_rate,
            self.batch_size,
            self.seed
        )
    }

    /// Reads a query string; unknown keys are ignored, bad values keep their default and are reported.
    pub fn from_query(query: &str) -> (Self, Vec<SettingsError>) {
        let mut s = Settings::default();
        let mut errors = Vec::new();
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let ok = match key {
                "dataset" => one_of(value, &["mnist", "shapes", "colour-shapes"]).map(|v| s.dataset = v).is_some(),
                "arch" => one_of(value, &["mlp", "conv"]).map(|v| s.arch = v).is_some(),
                "loss" => one_of(value, &["bce", "mse"]).map(|v| s.recon_loss = v).is_some(),
                "latent" => parse_in(value, 1..=64).map(|v| s.latent_dim = v).is_some(),
                "hidden" => parse_in(value, 8..=4096).map(|v| s.hidden = v).is_some(),
                "cvae" => parse_in(value, 0..=1).map(|v: u8| s.conditional = v == 1).is_some(),
                "beta" => value.parse::<f32>().ok().filter(|b| (0.0..=100.0).contains(b)).map(|v| s.beta = v).is_some(),
                "warmup" => parse_in(value, 0..=1_000_000).map(|v| s.beta_warmup = v).is_some(),
                "lr" => value.parse::<f64>().ok().filter(|l| *l > 0.0 && *l <= 1.0).map(|v| s.learning_rate = v).is_some(),
                "batch" => parse_in(value, 1..=1024).map(|v| s.batch_size = v).is_some(),
                "seed" => value.parse::<u64>().ok().map(|v| s.seed = v).is_some(),
                _ => true,
            };
            if !ok {
                errors.push(SettingsError { key: key.into(), value: value.into() });
            }
        }
        (s, errors)
    }
}

fn one_of(value: &str, allowed: &[&str]) -> Option<String> {
    allowed.contains(&value).then(|| value.to_string())
}

fn parse_in<T: std::str::FromStr + PartialOrd>(value: &str, range: std::ops::RangeInclusive<T>) -> Option<T> {
    value.parse().ok().filter(|v| range.contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips() {
        let s = Settings { dataset: "shapes".into(), arch: "conv".into(), latent_dim: 8, beta: 4.0, learning_rate: 3e-4, seed: 42, conditional: true, ..Settings::default() };
        assert_eq!(Settings::from_query(&s.to_query()), (s, vec![]));
    }

    #[test]
    fn bad_values_keep_defaults_and_are_reported() {
        let (s, errors) = Settings::from_query("?latent=999&arch=rnn&lr=abc&seed=7");
        assert_eq!((s.latent_dim, s.arch.as_str(), s.learning_rate, s.seed), (20, "mlp", 1e-3, 7));
        assert_eq!(errors.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["latent", "arch", "lr"]);
    }

    #[test]
    fn only_model_settings_force_a_reset() {
        let a = Settings::default();
        assert!(!a.needs_new_model(&Settings { learning_rate: 0.01, beta: 3.0, batch_size: 32, ..a.clone() }));
        assert!(a.needs_new_model(&Settings { latent_dim: 2, ..a.clone() }));
        assert!(a.needs_new_model(&Settings { dataset: "shapes".into(), ..a.clone() }));
    }
}
