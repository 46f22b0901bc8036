//! Analysis of one trace: the tree, self time, critical path, statistics and the summary.

pub mod critical;
pub mod stats;
pub mod tree;

use crate::model::{flags, Trace};
use critical::Section;
use stats::Summary;
use tree::{Tree, NONE};

/// A trace with everything the views need, computed once after loading.
#[derive(Debug)]
pub struct Analyzed {
    pub trace: Trace,
    pub tree: Tree,
    /// Self time per span.
    pub self_ns: Vec<i64>,
    /// The root the critical path and summary describe.
    pub root: Option<u32>,
    /// Critical path of `root`, latest section first.
    pub path: Vec<Section>,
    /// Critical time per span.
    pub crit_ns: Vec<i64>,
    pub summary: Summary,
    /// `(span, section index)` sorted by span: finds a span's critical sections by binary search.
    pub path_index: Vec<(u32, u32)>,
}

impl Analyzed {
    /// The critical-path sections of one span.
    pub fn sections_of(&self, span: u32) -> impl Iterator<Item = &Section> + '_ {
        let a = self.path_index.partition_point(|&(s, _)| s < span);
        self.path_index[a..]
            .iter()
            .take_while(move |&&(s, _)| s == span)
            .map(|&(_, k)| &self.path[k as usize])
    }
}

/// Builds the tree and runs every analysis. Spans without a timestamp are placed at their parent's start.
pub fn analyze(mut trace: Trace) -> Analyzed {
    let known_min = trace
        .spans
        .iter()
        .filter(|s| !s.has(flags::NO_TIMESTAMP))
        .map(|s| s.start_ns)
        .min()
        .unwrap_or(0);
    for s in trace.spans.iter_mut() {
        if s.has(flags::NO_TIMESTAMP) {
            s.start_ns = known_min;
        }
        if s.has(flags::NO_DURATION) {
            s.duration_ns = 0;
        }
    }
    let tree = Tree::build(&mut trace);
    for &i in &tree.preorder {
        let p = tree.parent[i as usize];
        if p != NONE && trace.spans[i as usize].has(flags::NO_TIMESTAMP) {
            trace.spans[i as usize].start_ns = trace.spans[p as usize].start_ns;
        }
    }
    let self_ns = critical::self_times(&trace, &tree);
    let root = critical::main_root(&trace, &tree);
    let path = match root {
        Some(r) => critical::critical_path(&trace, &tree, r),
        None => Vec::new(),
    };
    let crit_ns = critical::critical_time(trace.spans.len(), &path);
    let summary = match root {
        Some(r) => stats::summarize(&trace, &tree, &path, r),
        None => Summary {
            sentence: String::new(),
            dominant: None,
            waiting_on: None,
        },
    };
    let mut path_index: Vec<(u32, u32)> = path
        .iter()
        .enumerate()
        .map(|(k, s)| (s.span, k as u32))
        .collect();
    path_index.sort_unstable();
    Analyzed {
        path_index,
        trace,
        tree,
        self_ns,
        root,
        path,
        crit_ns,
        summary,
    }
}
