//! One color per service across a set of traces: the trace browser's bars and every trace's waterfall agree, which
//! colors chosen trace by trace would not (two services that collide are moved apart differently in each trace).

use std::collections::HashMap;

use super::{service_color, service_colors, ServiceColors, PALETTE};
use crate::analysis::member::Member;
use crate::model::Trace;

/// The color of each service of a set, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetColors {
    by_name: HashMap<String, &'static str>,
}

impl SetColors {
    /// Colors for every service of the set's traces (read from each trace's summary, not from its spans), distinct for
    /// up to 14 services, and the same for the same services whatever the order of the traces.
    pub fn new(members: &[Member]) -> SetColors {
        let mut names: Vec<&str> = Vec::new();
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for m in members {
            let t = m.trace();
            for &(sym, _) in &m.summary.service_time {
                let name = t.sym(sym);
                if seen.insert(name, ()).is_none() {
                    names.push(name);
                }
            }
        }
        let colors = service_colors(&names);
        SetColors {
            by_name: names
                .iter()
                .zip(colors)
                .map(|(n, c)| (n.to_string(), c))
                .collect(),
        }
    }

    /// The color of the service named `name` (a hashed one if the set has no such service).
    pub fn color(&self, name: &str) -> &'static str {
        self.by_name
            .get(name)
            .copied()
            .unwrap_or_else(|| service_color(name))
    }

    /// The colors of one trace of the set, for its waterfall.
    pub fn for_trace(&self, trace: &Trace) -> ServiceColors {
        let by_sym = (0..trace.strings.len() as u32)
            .map(|s| {
                self.by_name
                    .get(trace.sym(s))
                    .copied()
                    .unwrap_or(PALETTE[0])
            })
            .collect();
        ServiceColors { by_sym }
    }
}
