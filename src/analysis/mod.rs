//! Analysis of one trace: the tree, self time, critical path, statistics and the summary; of a set of traces
//! (`member`: one trace of a set, analysed when opened; `set`: where the time went across it; `ranks`: each span
//! against its operation's calls); and the comparison of two (`compare`).

pub mod compare;
pub mod critical;
pub mod events;
pub mod exceptions;
pub mod groups;
pub mod member;
pub mod merge;
pub mod ranks;
pub mod search;
pub mod service_graph;
pub mod set;
pub mod skew;
pub mod stats;
pub mod tree;

use crate::model::{flags, Trace};
use critical::Section;
use stats::Summary;
use tree::{Tree, NONE};

/// Warnings of the checks [`prepare`] and [`finish`] run (tree, durations, clock skew): a trace whose spans change
/// (joined from several files, or clock-skew adjusted) drops them before the checks run again.
pub const RECHECKED: [crate::model::WarningKind; 6] = [
    crate::model::WarningKind::MissingParent,
    crate::model::WarningKind::ParentCycle,
    crate::model::WarningKind::DuplicateSpanId,
    crate::model::WarningKind::ChildOutsideParent,
    crate::model::WarningKind::NonPositiveDuration,
    crate::model::WarningKind::ClockSkew,
];

/// A trace with everything the views need, computed once after loading.
#[derive(Debug)]
pub struct Analyzed {
    pub trace: Trace,
    /// Earliest start and latest end over all spans, ns since the epoch (cached: the trace has many spans).
    pub start_ns: i64,
    pub end_ns: i64,
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
    /// RPC pairs whose clocks disagree (see [`skew`]).
    pub skews: Vec<skew::Skew>,
    /// `(span, section index)` sorted by span: finds a span's critical sections by binary search.
    pub path_index: Vec<(u32, u32)>,
    /// Sibling groups (N+1 loops) and each span's group (`tree::NONE` if none).
    pub groups: Vec<groups::SiblingGroup>,
    pub group_of: Vec<u32>,
    /// Lower-cased strings for search, built on the first search.
    pub search_index: std::sync::OnceLock<search::SearchIndex>,
}

impl Analyzed {
    pub fn duration_ns(&self) -> i64 {
        self.end_ns - self.start_ns
    }
    pub fn search_index(&self) -> &search::SearchIndex {
        self.search_index
            .get_or_init(|| search::SearchIndex::new(&self.trace))
    }

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
pub fn analyze(trace: Trace) -> Analyzed {
    let (trace, tree) = prepare(trace);
    finish(trace, tree)
}

/// The first, heavier half of [`analyze`], run in the parse worker: places spans without a timestamp and builds the
/// tree (recording tree warnings on the trace).
pub fn prepare(mut trace: Trace) -> (Trace, Tree) {
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
    (trace, tree)
}

/// The second half of [`analyze`], run on the page: clock skew, self time, critical path, summary, groups.
pub fn finish(trace: Trace, tree: Tree) -> Analyzed {
    Finishing::new(trace, tree).done()
}

/// [`finish`] in parts, so that the page can run each in its own task.
pub struct Finishing {
    trace: Trace,
    tree: Tree,
    next: FinishStep,
    /// Spans whose self time is known ([`FinishStep::SelfTime`] runs in blocks of [`SELF_TIME_BLOCK`]).
    done_to: usize,
    skews: Vec<skew::Skew>,
    self_ns: Vec<i64>,
    root: Option<u32>,
    path: Vec<Section>,
    crit_ns: Vec<i64>,
    summary: Option<Summary>,
    groups: Option<(Vec<groups::SiblingGroup>, Vec<u32>)>,
}

/// The parts of [`Finishing`], in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FinishStep {
    /// Clock skew between RPC pairs, each recorded as a warning.
    ClockSkew,
    /// Self time per span, in blocks of [`SELF_TIME_BLOCK`] spans.
    SelfTime,
    /// The main root, its critical path, and critical time per span.
    CriticalPath,
    Summary,
    SiblingGroups,
    Done,
}

impl FinishStep {
    fn after(self) -> FinishStep {
        match self {
            FinishStep::ClockSkew => FinishStep::SelfTime,
            FinishStep::SelfTime => FinishStep::CriticalPath,
            FinishStep::CriticalPath => FinishStep::Summary,
            FinishStep::Summary => FinishStep::SiblingGroups,
            FinishStep::SiblingGroups | FinishStep::Done => FinishStep::Done,
        }
    }
}

/// Spans per self-time step of [`Finishing::step`]: small enough that a step fits well inside a page task.
const SELF_TIME_BLOCK: usize = 1 << 17;

impl Finishing {
    pub fn new(trace: Trace, tree: Tree) -> Finishing {
        Finishing {
            trace,
            tree,
            next: FinishStep::ClockSkew,
            done_to: 0,
            skews: Vec::new(),
            self_ns: Vec::new(),
            root: None,
            path: Vec::new(),
            crit_ns: Vec::new(),
            summary: None,
            groups: None,
        }
    }

    /// Runs the next part; true once all have run (then call [`Finishing::done`]).
    pub fn step(&mut self) -> bool {
        let (trace, tree) = (&mut self.trace, &self.tree);
        match self.next {
            FinishStep::ClockSkew => {
                self.skews = skew::detect(trace, tree);
                for k in &self.skews {
                    let message = skew_warning(trace, k);
                    trace.warn(
                        crate::model::WarningKind::ClockSkew,
                        Some(k.server),
                        message,
                    );
                }
            }
            FinishStep::SelfTime => {
                // In blocks: at a million spans the whole pass is one of the page's longest steps.
                let n = trace.spans.len();
                if self.done_to == 0 {
                    self.self_ns = vec![0; n];
                }
                let end = (self.done_to + SELF_TIME_BLOCK).min(n);
                critical::self_times_of(trace, tree, self.done_to..end, &mut self.self_ns);
                self.done_to = end;
                if end < n {
                    return false;
                }
            }
            FinishStep::CriticalPath => {
                self.root = critical::main_root(trace, tree);
                if let Some(r) = self.root {
                    self.path = critical::critical_path(trace, tree, r);
                }
                self.crit_ns = critical::critical_time(trace.spans.len(), &self.path);
            }
            FinishStep::Summary => {
                self.summary = self
                    .root
                    .map(|r| stats::summarize(trace, tree, &self.path, r));
            }
            FinishStep::SiblingGroups => self.groups = Some(groups::sibling_groups(trace, tree)),
            FinishStep::Done => return true,
        }
        self.next = self.next.after();
        false
    }

    /// The analysed trace (running any part not yet run).
    pub fn done(mut self) -> Analyzed {
        while !self.step() {}
        let trace = self.trace;
        let mut path_index: Vec<(u32, u32)> = self
            .path
            .iter()
            .enumerate()
            .map(|(k, s)| (s.span, k as u32))
            .collect();
        path_index.sort_unstable();
        let (sibling, group_of) = self.groups.unwrap_or_default();
        Analyzed {
            groups: sibling,
            group_of,
            start_ns: trace.start_ns(),
            end_ns: trace.end_ns(),
            search_index: std::sync::OnceLock::new(),
            skews: self.skews,
            path_index,
            trace,
            tree: self.tree,
            self_ns: self.self_ns,
            root: self.root,
            path: self.path,
            crit_ns: self.crit_ns,
            summary: self.summary.unwrap_or(Summary {
                sentence: String::new(),
                dominant: None,
                waiting_on: None,
            }),
        }
    }
}

/// The warning for a skewed pair. A Zipkin shared span gives its client and server halves one ID: they are then told
/// apart by their services.
fn skew_warning(trace: &Trace, k: &skew::Skew) -> String {
    let (sid, cid) = (trace.span_id(k.server), trace.span_id(k.client));
    let by = crate::text::format_duration(k.shift_ns.abs() as f64);
    if sid == cid {
        let (ss, cs) = (trace.service(k.server), trace.service(k.client));
        format!("span {sid}: its server side in {ss} lies outside its client side in {cs}: clocks differ by about {by}")
    } else {
        format!("server span {sid} lies outside its client span {cid}: clocks differ by about {by}")
    }
}

/// The trace with clock skew adjusted, analysed, and how many spans moved; `None` when nothing is skewed.
pub fn analyze_adjusted(a: &Analyzed) -> Option<(Analyzed, usize)> {
    if a.skews.is_empty() {
        return None;
    }
    let (t, moved) = skew::adjust(&a.trace, &a.tree, &a.skews);
    Some((analyze(t), moved))
}
