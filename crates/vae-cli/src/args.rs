//! `--name value` options, each looked up with a default; unknown names are errors.
use std::collections::HashMap;
use std::str::FromStr;

pub struct Args {
    values: HashMap<String, String>,
}

impl Args {
    /// `allowed` lists the option names (without dashes) with their help text.
    pub fn parse(argv: &[String], allowed: &[(&str, &str)]) -> Result<Self, String> {
        let help = || {
            let lines: Vec<String> = allowed.iter().map(|(n, h)| format!("  --{n:<12} {h}")).collect();
            format!("options:\n{}", lines.join("\n"))
        };
        let mut values = HashMap::new();
        let mut it = argv.iter();
        while let Some(flag) = it.next() {
            let name = flag.strip_prefix("--").ok_or_else(|| format!("expected --option, got {flag:?}\n{}", help()))?;
            if name == "help" {
                return Err(help());
            }
            if !allowed.iter().any(|(n, _)| *n == name) {
                return Err(format!("unknown option --{name}\n{}", help()));
            }
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            values.insert(name.to_string(), value.clone());
        }
        Ok(Self { values })
    }

    pub fn get<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.values.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{name}: cannot read {v:?}")),
        }
    }

    pub fn text(&self, name: &str, default: &str) -> String {
        self.values.get(name).cloned().unwrap_or_else(|| default.to_string())
    }
}
