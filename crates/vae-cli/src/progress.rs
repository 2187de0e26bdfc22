//! Progress for long commands: a bar on a terminal, plain lines in a log file (no carriage
//! returns filling it up).
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// `total` steps; `what` names them ("epoch 3/10").
    pub fn new(total: u64, what: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                    .expect("a valid template")
                    .progress_chars("#>-"),
            );
            bar.set_prefix(what.to_string());
            bar
        });
        Self { bar }
    }

    pub fn step(&self, message: impl FnOnce() -> String) {
        if let Some(bar) = &self.bar {
            bar.set_message(message());
            bar.inc(1);
        }
    }

    /// Ends the bar and prints `line` (always: on a terminal and in a log).
    pub fn finish(self, line: &str) {
        match self.bar {
            Some(bar) => bar.finish_with_message(line.to_string()),
            None => eprintln!("{line}"),
        }
    }
}
