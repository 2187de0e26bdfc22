//! The page's one serialisable state: every setting and the seed, kept in the URL so a teacher
//! can hand out a link that reproduces a run.
use serde::{Deserialize, Serialize};
use std::fmt;

/// Names that travel in links and messages, each with its one spelling.
macro_rules! named {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident = $name:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $ty {
            $($(#[$vdoc])* #[serde(rename = $name)] $variant),+
        }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            pub fn from_name(name: &str) -> Option<$ty> {
                $ty::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named!(
    /// What the VAE learns from.
    Dataset {
        Mnist = "mnist",
        Shapes = "shapes",
        ColourShapes = "colour-shapes",
        /// A student's own file (never in a link: the file is not).
        Custom = "custom",
    }
);

named!(
    /// The encoder and decoder.
    Arch { Mlp = "mlp", Conv = "conv" }
);

named!(
    /// The likelihood p(x|z), so the reconstruction loss.
    Loss { Bce = "bce", Mse = "mse" }
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub dataset: Dataset,
    pub arch: Arch,
    pub latent_dim: usize,
    pub hidden: usize,
    /// Train a conditional VAE (one-hot class joins encoder and decoder inputs).
    pub conditional: bool,
    pub beta: f32,
    pub beta_warmup: usize,
    pub recon_loss: Loss,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub seed: u64,
    /// A class kept out of the training split (the anomaly experiment); the held-out split
    /// keeps every class, so the page can score the class the model never saw.
    pub leave_out: Option<u8>,
    /// Workers that share each training step (data-parallel); 0 = auto, see `worker_count`.
    pub workers: u8,
}

impl Default for Settings {
    /// The reference model (the PyTorch examples VAE), which the page ships pretrained.
    fn default() -> Self {
        Self {
            dataset: Dataset::Mnist,
            arch: Arch::Mlp,
            latent_dim: 20,
            hidden: 400,
            conditional: false,
            beta: 1.0,
            beta_warmup: 0,
            recon_loss: Loss::Bce,
            learning_rate: 1e-3,
            batch_size: 128,
            seed: 1,
            leave_out: None,
            workers: AUTO_WORKERS,
        }
    }
}

/// `workers=auto`: the number follows the device (`worker_count`).
pub const AUTO_WORKERS: u8 = 0;

/// How many workers share a training step: the setting, or for auto every core of a 1- or
/// 2-core device (the page's own thread is idle most of the time: 2 workers took a step in 16 ms
/// against 24 ms for one on a 2-core machine, tests/bench.mjs), and on more cores all but one,
/// left for the page, up to 4 (past that the fixed per-step work — the update, the views, one
/// message per helper — stays in one worker; README, "Training speed").
pub fn worker_count(setting: u8, cores: usize) -> usize {
    match setting {
        AUTO_WORKERS if cores <= 2 => cores.max(1),
        AUTO_WORKERS => (cores - 1).min(4),
        n => usize::from(n).min(WORKERS.max as usize),
    }
}

/// A URL parameter that could not be used; the default is kept for it.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsError {
    pub key: String,
    pub value: String,
    pub why: &'static str,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={:?} {}", self.key, self.value, self.why)
    }
}

/// One message for all of a link's bad values.
pub fn describe(errors: &[SettingsError]) -> Option<String> {
    (!errors.is_empty()).then(|| {
        let each: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        format!(
            "Some of this link's settings could not be used ({}); the defaults stand for those.",
            each.join("; ")
        )
    })
}

impl Settings {
    /// Do `self` and `other` need different models (so a change means a reset)?
    pub fn needs_new_model(&self, other: &Settings) -> bool {
        (
            self.dataset,
            self.arch,
            self.latent_dim,
            self.hidden,
            self.conditional,
            self.recon_loss,
            self.seed,
            self.leave_out,
        ) != (
            other.dataset,
            other.arch,
            other.latent_dim,
            other.hidden,
            other.conditional,
            other.recon_loss,
            other.seed,
            other.leave_out,
        )
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
        ) + &self.leave_out.map(|c| format!("&leaveout={c}")).unwrap_or_default()
            + &match self.workers {
                AUTO_WORKERS => String::new(),
                n => format!("&workers={n}"),
            }
    }

    /// Reads a query string. Unknown keys, repeated keys and values that are malformed or out of
    /// range are reported; each bad value keeps its default.
    pub fn from_query(query: &str) -> (Self, Vec<SettingsError>) {
        let mut s = Settings::default();
        let mut errors = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let report = |why: &'static str| SettingsError {
                key: key.into(),
                value: value.into(),
                why,
            };
            if seen.contains(&key) {
                errors.push(report("is given twice; the first one counts"));
                continue;
            }
            seen.push(key);
            let ok = match key {
                "dataset" => Dataset::from_name(value)
                    .filter(|d| *d != Dataset::Custom)
                    .map(|v| s.dataset = v)
                    .is_some(),
                "arch" => Arch::from_name(value).map(|v| s.arch = v).is_some(),
                "loss" => Loss::from_name(value).map(|v| s.recon_loss = v).is_some(),
                "latent" => LATENT
                    .parse(value)
                    .map(|v| s.latent_dim = v as usize)
                    .is_some(),
                "hidden" => HIDDEN.parse(value).map(|v| s.hidden = v as usize).is_some(),
                "cvae" => one_of(value, &["0", "1"])
                    .map(|v| s.conditional = v == "1")
                    .is_some(),
                "beta" => BETA.parse(value).map(|v| s.beta = v as f32).is_some(),
                "warmup" => WARMUP
                    .parse(value)
                    .map(|v| s.beta_warmup = v as usize)
                    .is_some(),
                "lr" => LEARNING_RATE
                    .parse(value)
                    .map(|v| s.learning_rate = v)
                    .is_some(),
                "batch" => BATCH
                    .parse(value)
                    .map(|v| s.batch_size = v as usize)
                    .is_some(),
                "seed" => SEED.parse(value).map(|v| s.seed = v as u64).is_some(),
                "leaveout" => CLASS
                    .parse(value)
                    .map(|v| s.leave_out = Some(v as u8))
                    .is_some(),
                "workers" if value == "auto" => {
                    s.workers = AUTO_WORKERS;
                    true
                }
                "workers" => WORKERS.parse(value).map(|v| s.workers = v as u8).is_some(),
                // Not settings: they choose how the page opens.
                "resume" | "preset" | "big" | "lang" => true,
                _ => {
                    errors.push(report("is not a setting this page knows"));
                    continue;
                }
            };
            if !ok {
                errors.push(report("is not valid"));
            }
        }
        (s, errors)
    }
}

/// The range of a numeric setting: one table read by the URL, the form and the page's inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    /// Whole numbers only.
    pub integer: bool,
}

impl Range {
    /// Whole numbers from `min` to `max`.
    pub const fn whole(min: f64, max: f64) -> Self {
        Self {
            min,
            max,
            integer: true,
        }
    }

    /// Any number from `min` to `max`.
    pub const fn real(min: f64, max: f64) -> Self {
        Self {
            min,
            max,
            integer: false,
        }
    }

    /// A value from the URL, if it is a number inside the range.
    pub fn parse(&self, text: &str) -> Option<f64> {
        let v: f64 = text.trim().parse().ok()?;
        (v.is_finite() && v >= self.min && v <= self.max && (!self.integer || v.fract() == 0.0))
            .then_some(v)
    }

    /// The nearest value inside the range (for a form field typed out of range).
    pub fn clamp(&self, v: f64) -> f64 {
        let v = v.clamp(self.min, self.max);
        if self.integer {
            v.round()
        } else {
            v
        }
    }
}

pub const LATENT: Range = Range::whole(1.0, 64.0);
pub const HIDDEN: Range = Range::whole(8.0, 4096.0);
/// The page's β slider ends at 8: past that the KL term has already won on these datasets.
pub const BETA: Range = Range::real(0.0, 8.0);
pub const WARMUP: Range = Range::whole(0.0, 100_000.0);
/// Up to 10, so a student can watch a run diverge and the page keep the last good weights.
pub const LEARNING_RATE: Range = Range::real(1e-5, 10.0);
pub const BATCH: Range = Range::whole(1.0, 1024.0);
/// A class label (datasets have at most 100 classes).
pub const CLASS: Range = Range::whole(0.0, 99.0);
/// Workers sharing a training step, when not auto.
pub const WORKERS: Range = Range::whole(1.0, 8.0);
/// Seeds stay exact in a JavaScript number.
pub const SEED: Range = Range::whole(0.0, 9_007_199_254_740_991.0);

/// The form's numeric inputs and their ranges, for the page to set their min and max.
pub const INPUT_RANGES: [(&str, Range); 5] = [
    ("latent-dim", LATENT),
    ("hidden", HIDDEN),
    ("beta", BETA),
    ("beta-warmup", WARMUP),
    ("seed", SEED),
];

fn one_of<'a>(value: &'a str, allowed: &[&str]) -> Option<&'a str> {
    allowed.contains(&value).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips() {
        let s = Settings {
            dataset: Dataset::Shapes,
            arch: Arch::Conv,
            recon_loss: Loss::Mse,
            latent_dim: 8,
            beta: 4.0,
            learning_rate: 3e-4,
            seed: 42,
            conditional: true,
            ..Settings::default()
        };
        assert_eq!(Settings::from_query(&s.to_query()), (s.clone(), vec![]));
        let left_out = Settings {
            leave_out: Some(3),
            workers: 2,
            ..s
        };
        assert_eq!(
            Settings::from_query(&left_out.to_query()),
            (left_out, vec![])
        );
    }

    #[test]
    fn worker_count_follows_the_setting_or_the_cores() {
        assert_eq!(
            Settings::from_query("?workers=auto").0.workers,
            AUTO_WORKERS
        );
        assert_eq!(Settings::from_query("?workers=3").0.workers, 3);
        assert_eq!(Settings::from_query("?workers=0").1.len(), 1);
        assert_eq!(Settings::from_query("?workers=9").1.len(), 1);
        assert!(!Settings::default().to_query().contains("workers"));
        let auto: Vec<usize> = [1, 2, 3, 4, 8, 16]
            .iter()
            .map(|&c| worker_count(AUTO_WORKERS, c))
            .collect();
        assert_eq!(auto, [1, 2, 2, 3, 4, 4]);
        assert_eq!(worker_count(2, 1), 2);
    }

    #[test]
    fn bad_values_keep_defaults_and_are_reported() {
        let (s, errors) = Settings::from_query("?latent=999&arch=rnn&lr=abc&seed=7");
        assert_eq!(
            (s.latent_dim, s.arch, s.learning_rate, s.seed),
            (20, Arch::Mlp, 1e-3, 7)
        );
        assert_eq!(
            errors.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
            ["latent", "arch", "lr"]
        );
    }

    #[test]
    fn absurd_links_open_with_defaults_and_one_message_naming_each_value() {
        let (s, errors) = Settings::from_query("?lr=1e9&latent=0&hidden=-5&batch=10000000&seed=abc&dataset=cifar&beta=2&beta=3&colour=red&latent=2.5");
        assert_eq!(
            s,
            Settings {
                beta: 2.0,
                ..Settings::default()
            }
        );
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            ["lr", "latent", "hidden", "batch", "seed", "dataset", "beta", "colour", "latent"]
        );
        let message = describe(&errors).unwrap();
        assert!(
            message.contains("beta=\"3\" is given twice")
                && message.contains("colour=\"red\" is not a setting"),
            "{message}"
        );
        assert_eq!(describe(&[]), None);
        assert_eq!(
            Settings::from_query("?big=1&preset=collapse&resume=1").1,
            vec![],
            "how the page opens, not settings"
        );
    }

    #[test]
    fn names_have_one_spelling_and_a_custom_file_is_never_in_a_link() {
        for d in Dataset::ALL {
            assert_eq!(Dataset::from_name(d.name()), Some(*d));
        }
        assert_eq!(
            serde_json::to_string(&Dataset::ColourShapes).unwrap(),
            "\"colour-shapes\""
        );
        assert_eq!(Settings::from_query("dataset=custom").1.len(), 1);
    }

    #[test]
    fn ranges_parse_and_clamp() {
        assert_eq!(BETA.parse("8"), Some(8.0));
        assert_eq!(
            BETA.parse("8.5"),
            None,
            "the page's slider and the link agree on β ≤ 8"
        );
        assert_eq!(LATENT.parse("2.5"), None);
        assert_eq!(HIDDEN.clamp(5000.0), 4096.0);
        assert_eq!(SEED.parse("NaN"), None);
    }

    #[test]
    fn only_model_settings_force_a_reset() {
        let a = Settings::default();
        assert!(!a.needs_new_model(&Settings {
            learning_rate: 0.01,
            beta: 3.0,
            batch_size: 32,
            ..a.clone()
        }));
        assert!(a.needs_new_model(&Settings {
            latent_dim: 2,
            ..a.clone()
        }));
        assert!(a.needs_new_model(&Settings {
            dataset: Dataset::Shapes,
            ..a.clone()
        }));
    }
}
