//! What the progress bar shows for a load under way: its phase, how far it is, and the text.

use serde::{Deserialize, Serialize};

use crate::text::group_digits;

/// What a load is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Download,
    Read,
    Decompress,
    Parse,
    Tree,
    Send,
    Show,
}

/// A load under way, for the progress bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub name: String,
    pub phase: Phase,
    /// Bytes done of `total` in this phase.
    pub done: f64,
    pub total: Option<f64>,
    /// Spans found so far.
    pub spans: f64,
}

impl Progress {
    pub fn new(name: &str, phase: Phase) -> Progress {
        Progress {
            name: name.to_string(),
            phase,
            done: 0.0,
            total: None,
            spans: 0.0,
        }
    }

    /// Moves on to `phase`, with nothing done in it yet.
    pub fn enter(&mut self, phase: Phase) {
        self.phase = phase;
        self.done = 0.0;
        self.total = None;
    }

    /// Where the current phase is: `done` of `total` bytes (a `total` of 0 is unknown), and the spans found so far.
    pub fn at(&mut self, done: f64, total: f64, spans: f64) {
        self.done = done;
        self.total = (total > 0.0).then_some(total);
        self.spans = spans.max(self.spans);
    }

    /// The Cancel button is offered: until the trace is being drawn.
    pub fn cancellable(&self) -> bool {
        self.phase != Phase::Show
    }

    /// Overall fraction done (0..1) and the text shown.
    pub fn describe(&self) -> (f64, String) {
        let frac = match self.total {
            Some(t) if t > 0.0 => (self.done / t).clamp(0.0, 1.0),
            _ => 0.0,
        };
        let spans = if self.spans > 0.0 {
            format!(" · {} spans", group_digits(self.spans as u64))
        } else {
            String::new()
        };
        let name = &self.name;
        // Weights: reading 10%, parsing 80%, the rest 10% (a download is shown on its own).
        match self.phase {
            Phase::Download => (frac, self.bytes("Downloading", &spans)),
            Phase::Read => (0.1 * frac, self.bytes("Reading", &spans)),
            Phase::Decompress => (0.1, format!("Decompressing {name}…")),
            Phase::Parse => (0.1 + 0.8 * frac, self.bytes("Parsing", &spans)),
            Phase::Tree => (0.92, format!("Building the span tree of {name}{spans}")),
            Phase::Send => (0.96, format!("Handing over {name}{spans}")),
            Phase::Show => (0.99, format!("Drawing {name}{spans}")),
        }
    }

    fn bytes(&self, verb: &str, spans: &str) -> String {
        let mb = |b: f64| format!("{:.1} MB", b / 1e6);
        let (name, done) = (&self.name, mb(self.done));
        match self.total {
            Some(t) => format!("{verb} {name}… {done} of {}{spans}", mb(t)),
            None => format!("{verb} {name}… {done}{spans}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_says_what_is_done_and_how_much() {
        let mut p = Progress::new("big.json", Phase::Read);
        p.at(5e6, 10e6, 0.0);
        assert_eq!(
            p.describe(),
            (0.05, "Reading big.json… 5.0 MB of 10.0 MB".to_string())
        );
        p.enter(Phase::Parse);
        p.at(5e6, 10e6, 12_345.0);
        assert_eq!(
            p.describe(),
            (
                0.5,
                "Parsing big.json… 5.0 MB of 10.0 MB · 12,345 spans".to_string()
            )
        );
        p.enter(Phase::Show);
        assert_eq!(p.describe().1, "Drawing big.json · 12,345 spans");
        assert!(!p.cancellable());
    }

    #[test]
    fn a_download_of_unknown_size_shows_the_bytes_so_far() {
        let mut p = Progress::new("trace.json", Phase::Download);
        p.at(1.5e6, 0.0, 0.0);
        assert_eq!(
            p.describe(),
            (0.0, "Downloading trace.json… 1.5 MB".to_string())
        );
        assert!(p.cancellable());
    }
}
