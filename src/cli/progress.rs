//! Progress on stderr: a spinner with documents read and documents/s, shown only when stderr
//! is a terminal and `--quiet` is off, so logs and pipes stay clean.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(quiet: bool, what: &'static str) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let pb = ProgressBar::new_spinner();
        // Documents a second as a whole number (indicatif's `per_sec` prints four decimals).
        let style = ProgressStyle::with_template(&format!(
            "{{spinner}} {{human_pos}} {what} ({{rate}}) {{elapsed}} {{msg}}"
        ))
        .map(|s| {
            s.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                },
            )
        })
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        pb.set_style(style);
        pb.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress(Some(pb))
    }

    pub fn inc(&self, n: u64) {
        if let Some(pb) = &self.0 {
            pb.inc(n);
        }
    }

    pub fn message(&self, msg: &'static str) {
        if let Some(pb) = &self.0 {
            pb.set_message(msg);
        }
    }

    pub fn finish(&self) {
        if let Some(pb) = &self.0 {
            pb.finish_and_clear();
        }
    }
}
