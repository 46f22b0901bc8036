//! A file that was read: its traces, analysed, and who loaded it.

use std::sync::Arc;

use crate::access::Owner;
use crate::analysis::Analyzed;
use crate::model::Format;

/// A file that was read, with each of its traces analysed.
pub struct Session {
    pub name: String,
    pub format: Format,
    pub traces: Vec<Arc<Analyzed>>,
    /// Who loaded it: who may hear about it (see `crate::access`).
    pub owner: Owner,
    /// Per trace: the clock-skew-adjusted version and how many spans it moved, computed when first asked for.
    adjusted: Vec<std::sync::OnceLock<Adjusted>>,
}

/// A clock-skew-adjusted trace and how many spans moved, or `None` when nothing is skewed.
pub type Adjusted = Option<(Arc<Analyzed>, usize)>;

impl Session {
    pub fn new(
        name: String,
        format: Format,
        traces: impl Iterator<Item = Analyzed>,
        owner: Owner,
    ) -> Session {
        let traces: Vec<Arc<Analyzed>> = traces.map(Arc::new).collect();
        let adjusted = traces.iter().map(|_| std::sync::OnceLock::new()).collect();
        Session {
            name,
            format,
            traces,
            owner,
            adjusted,
        }
    }

    /// Finishes the analysis of what the parse worker prepared (a built-in demo: the user's own).
    pub fn from_prepared(p: crate::transfer::Prepared) -> Session {
        let traces = p.traces.into_iter();
        Session::new(
            p.name,
            p.format,
            traces.map(|(t, tree)| crate::analysis::finish(t, tree)),
            Owner::Local,
        )
    }

    /// Trace `i` with clock skew adjusted, and how many spans moved; `None` when nothing is skewed.
    pub fn adjusted(&self, i: usize) -> Adjusted {
        let (a, cell) = (self.traces.get(i)?, self.adjusted.get(i)?);
        cell.get_or_init(|| crate::analysis::analyze_adjusted(a).map(|(t, n)| (Arc::new(t), n)))
            .clone()
    }
}
