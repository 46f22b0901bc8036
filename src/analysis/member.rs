//! One trace of a loaded set, with the summary the trace browser lists, analysed in full only when it is opened.
//!
//! A file of one trace is analysed as it is handed over (in tasks: it may hold a million spans). A file of many
//! traces is not: listing 10,000 traces needs only each one's [`TraceSummary`], so [`Member::open`] runs the rest of
//! the analysis (critical path, summary, groups) the first time a trace is shown.

use std::sync::{Arc, OnceLock};

use super::tree::Tree;
use super::{critical, Analyzed};
use crate::model::{Sym, Trace};

/// What the trace browser shows of a trace, read once at load.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSummary {
    /// Earliest start, ns since the epoch.
    pub start_ns: i64,
    /// Latest end minus earliest start.
    pub duration_ns: i64,
    /// The main root (`critical::main_root`): the trace's name is its service and operation.
    pub root: Option<u32>,
    pub spans: u32,
    pub errors: u32,
    /// Self time by service, largest first (`Sym`s of the member's own trace); every service of the trace is here,
    /// with 0 if its spans have no self time.
    pub service_time: Vec<(Sym, i64)>,
}

impl TraceSummary {
    /// Reads a prepared trace: one pass over its spans, and their self times.
    pub fn new(trace: &Trace, tree: &Tree) -> TraceSummary {
        let self_ns = critical::self_times(trace, tree);
        TraceSummary::with_self_times(trace, tree, &self_ns)
    }

    fn with_self_times(trace: &Trace, tree: &Tree, self_ns: &[i64]) -> TraceSummary {
        let mut by_service: Vec<i64> = Vec::new();
        let mut seen: Vec<bool> = Vec::new();
        let mut errors = 0u32;
        for (s, &own) in trace.spans.iter().zip(self_ns) {
            let k = s.service as usize;
            if k >= by_service.len() {
                by_service.resize(k + 1, 0);
                seen.resize(k + 1, false);
            }
            by_service[k] += own.max(0);
            seen[k] = true;
            errors += u32::from(s.is_error());
        }
        let mut service_time: Vec<(Sym, i64)> = (0..by_service.len())
            .filter(|&k| seen[k])
            .map(|k| (k as Sym, by_service[k]))
            .collect();
        service_time.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (start, end) = (trace.start_ns(), trace.end_ns());
        TraceSummary {
            start_ns: start,
            duration_ns: end - start,
            root: critical::main_root(trace, tree),
            spans: trace.spans.len() as u32,
            errors,
            service_time,
        }
    }

    pub fn service_count(&self) -> usize {
        self.service_time.len()
    }
}

/// One trace of a loaded set.
pub struct Member {
    pub summary: TraceSummary,
    /// The files its spans came from, as indexes into the load's list of files ([`super::merge::MergedLoad`]);
    /// empty when the load was one file.
    pub files: Vec<u32>,
    body: Body,
}

enum Body {
    /// Analysed at load (a file of one trace).
    Analyzed(Arc<Analyzed>),
    /// Analysed when first opened.
    Prepared(Box<Prepared>),
}

struct Prepared {
    trace: Trace,
    tree: Tree,
    analyzed: OnceLock<Arc<Analyzed>>,
}

impl Member {
    /// A trace analysed already.
    pub fn analyzed(a: Analyzed) -> Member {
        let summary = TraceSummary::with_self_times(&a.trace, &a.tree, &a.self_ns);
        Member {
            summary,
            files: Vec::new(),
            body: Body::Analyzed(Arc::new(a)),
        }
    }

    /// A prepared trace (its tree built), to be analysed when opened.
    pub fn prepared(trace: Trace, tree: Tree) -> Member {
        Member {
            summary: TraceSummary::new(&trace, &tree),
            files: Vec::new(),
            body: Body::Prepared(Box::new(Prepared {
                trace,
                tree,
                analyzed: OnceLock::new(),
            })),
        }
    }

    pub fn trace(&self) -> &Trace {
        match &self.body {
            Body::Analyzed(a) => &a.trace,
            Body::Prepared(p) => &p.trace,
        }
    }

    pub fn tree(&self) -> &Tree {
        match &self.body {
            Body::Analyzed(a) => &a.tree,
            Body::Prepared(p) => &p.tree,
        }
    }

    pub fn trace_id(&self) -> &str {
        &self.trace().trace_id
    }

    /// The trace analysed: the analysis runs on the first call (on a copy: the prepared trace stays for the set-wide
    /// views, which read every member alike).
    pub fn open(&self) -> Arc<Analyzed> {
        match &self.body {
            Body::Analyzed(a) => a.clone(),
            Body::Prepared(p) => p
                .analyzed
                .get_or_init(|| Arc::new(super::finish(p.trace.clone(), p.tree.clone())))
                .clone(),
        }
    }

    /// Gives the trace another ID (a made-up one that another file of the load has too). Done as the load is
    /// joined, while nothing else holds the analysis.
    pub fn set_trace_id(&mut self, id: String) {
        let analyzed = match &mut self.body {
            Body::Analyzed(a) => Some(a),
            Body::Prepared(p) => {
                p.trace.trace_id = id.clone();
                p.analyzed.get_mut()
            }
        };
        if let Some(a) = analyzed.and_then(Arc::get_mut) {
            a.trace.trace_id = id;
        }
    }

    /// The trace as parsed, for merging with spans of its ID from other files (the analysis is dropped: it must be
    /// run again over the merged spans).
    pub fn into_trace(self) -> Trace {
        match self.body {
            Body::Analyzed(a) => Arc::try_unwrap(a)
                .map(|a| a.trace)
                .unwrap_or_else(|a| a.trace.clone()),
            Body::Prepared(p) => p.trace,
        }
    }

    /// The analysis, if it has run.
    pub fn opened(&self) -> Option<Arc<Analyzed>> {
        match &self.body {
            Body::Analyzed(a) => Some(a.clone()),
            Body::Prepared(p) => p.analyzed.get().cloned(),
        }
    }

    /// The root's service and operation, e.g. `"frontend: GET /dispatch"` (empty without a root).
    pub fn name(&self) -> String {
        let t = self.trace();
        self.summary
            .root
            .map(|r| format!("{}: {}", t.service(r), t.operation(r)))
            .unwrap_or_default()
    }
}

/// The members of a file read at once (the built-in demos, tests): a single trace analysed now, the traces of a set
/// when opened; as [`crate::transfer::Receiver`] does in steps.
pub fn members(traces: Vec<(Trace, Tree)>) -> Vec<Member> {
    if traces.len() == 1 {
        traces
            .into_iter()
            .map(|(t, tree)| Member::analyzed(super::finish(t, tree)))
            .collect()
    } else {
        traces
            .into_iter()
            .map(|(t, tree)| Member::prepared(t, tree))
            .collect()
    }
}
