//! A file that was read: its traces (each analysed when first opened), and who loaded it.

use std::sync::Arc;

use crate::access::Owner;
use crate::analysis::member::Member;
use crate::analysis::ranks::OperationRanks;
use crate::analysis::Analyzed;
use crate::layout::set_colors::SetColors;
use crate::layout::ServiceColors;
use crate::model::Format;

/// A file that was read, with its traces.
pub struct Session {
    pub name: String,
    pub format: Format,
    pub traces: Vec<Member>,
    /// The files read, when the load was several (a member's `files` index this list); empty for one file.
    pub files: Vec<String>,
    /// Who loaded it: who may hear about it (see `crate::access`).
    pub owner: Owner,
    /// One color per service across the traces, chosen when first asked for.
    colors: std::sync::OnceLock<Arc<SetColors>>,
    /// Every span ranked against the calls of its operation in the file, built when first asked for.
    ranks: std::sync::OnceLock<Arc<OperationRanks>>,
    /// Per trace: the clock-skew-adjusted version and how many spans it moved, computed when first asked for.
    adjusted: Vec<std::sync::OnceLock<Adjusted>>,
}

/// A clock-skew-adjusted trace and how many spans moved, or `None` when nothing is skewed.
pub type Adjusted = Option<(Arc<Analyzed>, usize)>;

impl Session {
    pub fn new(name: String, format: Format, traces: Vec<Member>, owner: Owner) -> Session {
        let adjusted = traces.iter().map(|_| std::sync::OnceLock::new()).collect();
        Session {
            name,
            format,
            traces,
            files: Vec::new(),
            owner,
            colors: std::sync::OnceLock::new(),
            ranks: std::sync::OnceLock::new(),
            adjusted,
        }
    }

    /// Several files read as one load.
    pub fn merged(m: crate::analysis::merge::MergedLoad, owner: Owner) -> Session {
        let files = m.files;
        Session {
            files,
            ..Session::new(m.name, m.format, m.traces, owner)
        }
    }

    /// Finishes the analysis of what the parse worker prepared (a built-in demo: the user's own).
    pub fn from_prepared(p: crate::transfer::Prepared) -> Session {
        let traces = crate::analysis::member::members(p.traces);
        Session::new(p.name, p.format, traces, Owner::Local)
    }

    /// Trace `i` with clock skew adjusted, and how many spans moved; `None` when nothing is skewed.
    pub fn adjusted(&self, i: usize) -> Adjusted {
        let (m, cell) = (self.traces.get(i)?, self.adjusted.get(i)?);
        cell.get_or_init(|| {
            crate::analysis::analyze_adjusted(&m.open()).map(|(t, n)| (Arc::new(t), n))
        })
        .clone()
    }
}

impl Session {
    /// Trace `i`, analysed (on its first opening).
    pub fn open(&self, i: usize) -> Option<Arc<Analyzed>> {
        self.traces.get(i).map(Member::open)
    }

    /// The index of the trace with this ID.
    pub fn position(&self, trace_id: &str) -> Option<usize> {
        self.traces.iter().position(|m| m.trace_id() == trace_id)
    }

    /// Every span ranked against the calls of its operation in the file (built on the first call).
    pub fn ranks(&self) -> Arc<OperationRanks> {
        self.ranks
            .get_or_init(|| Arc::new(OperationRanks::build(self.traces.iter().map(Member::trace))))
            .clone()
    }

    /// One color per service across the traces: the list's bars and each trace's waterfall agree.
    pub fn colors(&self) -> Arc<SetColors> {
        self.colors
            .get_or_init(|| Arc::new(SetColors::new(&self.traces)))
            .clone()
    }

    /// The colors of trace `a`'s services: the set's colors when the load holds several traces.
    pub fn colors_for(&self, a: &Analyzed) -> ServiceColors {
        if self.is_set() {
            self.colors().for_trace(&a.trace)
        } else {
            ServiceColors::new(&a.trace)
        }
    }

    /// Whether the file holds several traces: the trace browser lists them.
    pub fn is_set(&self) -> bool {
        self.traces.len() > 1
    }
}
