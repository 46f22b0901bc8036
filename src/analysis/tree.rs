//! The span tree: parents resolved, children as index ranges, depth-first order. No recursion anywhere.

use std::collections::hash_map::Entry;

use crate::model::{flags, FxHashMap, ParentRef, Span, Trace, WarningKind};

pub const NONE: u32 = u32::MAX;

/// The resolved tree of one trace. Every vector is indexed by span index unless named `*_by_row`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tree {
    /// Parent span index, or [`NONE`] for a root.
    pub parent: Vec<u32>,
    /// `children[child_off[i]..child_off[i + 1]]` are the children of span `i`, sorted by start time.
    pub child_off: Vec<u32>,
    pub children: Vec<u32>,
    /// Spans without a parent in the trace, sorted by start time.
    pub roots: Vec<u32>,
    /// Span indices in depth-first (pre-)order: the waterfall's rows with nothing collapsed.
    pub preorder: Vec<u32>,
    /// Position of each span in `preorder`.
    pub row_of: Vec<u32>,
    /// Depth of each span (roots are 0).
    pub depth: Vec<u32>,
    /// Number of descendants of each span.
    pub descendants: Vec<u32>,
    /// Whether any descendant of each span is an error.
    pub error_below: Vec<bool>,
    pub max_depth: u32,
    /// True when a parent named in the file is not in it.
    pub incomplete: bool,
}

impl Tree {
    pub fn children_of(&self, i: u32) -> &[u32] {
        let i = i as usize;
        match (self.child_off.get(i), self.child_off.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.children[a as usize..b as usize],
            _ => &[],
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Ancestors of `i`, nearest first.
    pub fn ancestors(&self, i: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cur = self.parent.get(i as usize).copied().unwrap_or(NONE);
        while cur != NONE && out.len() <= self.parent.len() {
            out.push(cur);
            cur = self.parent[cur as usize];
        }
        out
    }

    /// Builds the tree and records tree-level warnings on the trace.
    pub fn build(trace: &mut Trace) -> Tree {
        let links = ParentLinks::resolve(trace);
        let incomplete = !links.missing.is_empty();
        let mut parent = links.report(trace);
        break_cycles(trace, &mut parent);
        let (child_off, children, roots) = children_by_start(&trace.spans, &parent);
        let (preorder, depth, max_depth) = depth_first(&roots, &child_off, &children);
        let mut row_of = vec![0u32; parent.len()];
        for (r, &i) in preorder.iter().enumerate() {
            row_of[i as usize] = r as u32;
        }
        let (descendants, error_below) = descendants_and_errors(&trace.spans, &parent, &preorder);
        warn_durations_and_bounds(trace, &parent);
        Tree {
            parent,
            child_off,
            children,
            roots,
            preorder,
            row_of,
            depth,
            descendants,
            error_below,
            max_depth,
            incomplete,
        }
    }
}

/// Each span's parent as the file names it, resolved to an index, and what could not be resolved.
struct ParentLinks {
    /// Parent span index, or [`NONE`]; cycles are not broken yet.
    parent: Vec<u32>,
    /// Spans whose ID an earlier span already has (children attach to the first).
    dups: Vec<u32>,
    /// Spans whose parent ID is not in the trace, with that ID.
    missing: Vec<(u32, String)>,
    /// Spans that name themselves as parent.
    self_parent: Vec<u32>,
}

impl ParentLinks {
    /// Looks up every parent: by index, or by span ID (an empty or all-zero ID means no parent).
    fn resolve(trace: &Trace) -> ParentLinks {
        let n = trace.spans.len();
        let (by_id, dups) = index_span_ids(trace);
        let mut links = ParentLinks {
            parent: vec![NONE; n],
            dups,
            missing: Vec::new(),
            self_parent: Vec::new(),
        };
        for (i, s) in trace.spans.iter().enumerate() {
            match s.parent {
                ParentRef::None => {}
                ParentRef::Index(p) => {
                    if (p as usize) < n && p as usize != i {
                        links.parent[i] = p;
                    }
                }
                ParentRef::Id(pid) => {
                    let pid = trace.str(pid);
                    if pid.is_empty() || pid.bytes().all(|b| b == b'0') {
                        continue;
                    }
                    match by_id.get(pid) {
                        Some(&p) if p as usize == i => links.self_parent.push(i as u32),
                        Some(&p) => links.parent[i] = p,
                        None => links.missing.push((i as u32, pid.to_string())),
                    }
                }
            }
        }
        links
    }

    /// Flags duplicate IDs and warns of them, of missing parents and of self-parents; returns the parents.
    fn report(self, trace: &mut Trace) -> Vec<u32> {
        for d in self.dups {
            if let Some(s) = trace.spans.get_mut(d as usize) {
                s.flags |= flags::DUPLICATE_ID;
            }
            warn_span(trace, WarningKind::DuplicateSpanId, d, |id| {
                format!("span ID {id} appears more than once; both spans are kept, children attach to the first")
            });
        }
        for (i, pid) in self.missing {
            warn_span(trace, WarningKind::MissingParent, i, |id| {
                format!("span {id} names parent {pid}, which is not in the trace; shown as a root")
            });
        }
        for i in self.self_parent {
            warn_span(trace, WarningKind::ParentCycle, i, |id| {
                format!("span {id} names itself as its parent; shown as a root")
            });
        }
        self.parent
    }
}

/// Span ID to span index: the first span with an ID owns it; the later ones are returned as duplicates. Zipkin
/// shared server spans are left out: they reuse their client's ID by design.
fn index_span_ids(trace: &Trace) -> (FxHashMap<&str, u32>, Vec<u32>) {
    let mut by_id = FxHashMap::with_capacity_and_hasher(trace.spans.len(), Default::default());
    let mut dups = Vec::new();
    for (i, s) in trace.spans.iter().enumerate() {
        if s.has(flags::SHARED) {
            continue;
        }
        match by_id.entry(trace.str(s.span_id)) {
            Entry::Occupied(_) => dups.push(i as u32),
            Entry::Vacant(v) => {
                v.insert(i as u32);
            }
        }
    }
    (by_id, dups)
}

/// Where a span stands on the walk of [`break_cycles`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    OnPath,
    Done,
}

/// Breaks parent cycles: walks up from every span not yet seen; meeting a span on the current path closes a cycle,
/// which is cut there (that span becomes a root, with a warning). A loop, not recursion: chains can be a million long.
fn break_cycles(trace: &mut Trace, parent: &mut [u32]) {
    let mut state = vec![Visit::New; parent.len()];
    let mut path: Vec<u32> = Vec::new();
    for start in 0..parent.len() {
        if state[start] != Visit::New {
            continue;
        }
        path.clear();
        let mut cur = start as u32;
        loop {
            state[cur as usize] = Visit::OnPath;
            path.push(cur);
            let p = parent[cur as usize];
            if p == NONE || state[p as usize] == Visit::Done {
                break;
            }
            if state[p as usize] == Visit::OnPath {
                parent[cur as usize] = NONE;
                warn_span(trace, WarningKind::ParentCycle, cur, |id| {
                    format!("span {id} is part of a parent cycle; the cycle was broken here and it is shown as a root")
                });
                break;
            }
            cur = p;
        }
        for &v in &path {
            state[v as usize] = Visit::Done;
        }
    }
}

/// Children as ranges (`child_off`, `children`: CSR) and the roots, each sorted by start time (then index).
fn children_by_start(spans: &[Span], parent: &[u32]) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = parent.len();
    let mut child_off = vec![0u32; n + 1];
    for &p in parent {
        if p != NONE {
            child_off[p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        child_off[i + 1] += child_off[i];
    }
    let mut fill = child_off.clone();
    let mut children = vec![0u32; child_off[n] as usize];
    let mut roots = Vec::new();
    for (i, &p) in parent.iter().enumerate() {
        if p == NONE {
            roots.push(i as u32);
        } else {
            let slot = &mut fill[p as usize];
            children[*slot as usize] = i as u32;
            *slot += 1;
        }
    }
    let key = |&i: &u32| (spans[i as usize].start_ns, i);
    for i in 0..n {
        let (a, b) = (child_off[i] as usize, child_off[i + 1] as usize);
        if b - a > 1 {
            children[a..b].sort_unstable_by_key(key);
        }
    }
    roots.sort_unstable_by_key(key);
    (child_off, children, roots)
}

/// Depth-first (pre-)order from the roots, each span's depth, and the greatest depth; with an explicit stack.
fn depth_first(roots: &[u32], child_off: &[u32], children: &[u32]) -> (Vec<u32>, Vec<u32>, u32) {
    let n = child_off.len() - 1;
    let mut preorder = Vec::with_capacity(n);
    let mut depth = vec![0u32; n];
    let mut stack: Vec<u32> = roots.iter().rev().copied().collect();
    let mut max_depth = 0;
    while let Some(i) = stack.pop() {
        preorder.push(i);
        let d = depth[i as usize];
        max_depth = max_depth.max(d);
        let (a, b) = (
            child_off[i as usize] as usize,
            child_off[i as usize + 1] as usize,
        );
        for &c in children[a..b].iter().rev() {
            depth[c as usize] = d + 1;
            stack.push(c);
        }
    }
    (preorder, depth, max_depth)
}

/// Each span's number of descendants and whether any of them is an error: children before parents (reverse
/// preorder).
fn descendants_and_errors(
    spans: &[Span],
    parent: &[u32],
    preorder: &[u32],
) -> (Vec<u32>, Vec<bool>) {
    let n = parent.len();
    let mut descendants = vec![0u32; n];
    let mut error_below = vec![false; n];
    for &i in preorder.iter().rev() {
        let p = parent[i as usize];
        if p != NONE {
            descendants[p as usize] += descendants[i as usize] + 1;
            if error_below[i as usize] || spans[i as usize].is_error() {
                error_below[p as usize] = true;
            }
        }
    }
    (descendants, error_below)
}

/// Data-quality warnings: spans with a zero or negative duration, then spans that start before or end after their
/// (CHILD_OF) parent. Spans without a timestamp or duration in the file are not judged on it.
fn warn_durations_and_bounds(trace: &mut Trace, parent: &[u32]) {
    let (mut nonpos, mut outside) = (Vec::new(), Vec::new());
    let spans = &trace.spans;
    for (i, s) in spans.iter().enumerate() {
        if s.duration_ns <= 0 && !s.has(flags::NO_DURATION) {
            nonpos.push(i as u32);
        }
        let p = parent[i];
        if p != NONE && !s.has(flags::NO_TIMESTAMP) && !s.has(flags::FOLLOWS_FROM) {
            let ps = &spans[p as usize];
            if !ps.has(flags::NO_TIMESTAMP)
                && (s.start_ns < ps.start_ns || s.end_ns() > ps.end_ns())
            {
                outside.push(i as u32);
            }
        }
    }
    for i in nonpos {
        let d = trace.spans[i as usize].duration_ns;
        warn_span(trace, WarningKind::NonPositiveDuration, i, |id| {
            format!("span {id} has a duration of {d} ns")
        });
    }
    for i in outside {
        let (s, p) = (
            trace.spans[i as usize],
            trace.spans[parent[i as usize] as usize],
        );
        let how = if s.start_ns < p.start_ns {
            "starts before"
        } else {
            "ends after"
        };
        warn_span(trace, WarningKind::ChildOutsideParent, i, |id| {
            format!("span {id} {how} its parent")
        });
    }
}

/// Records a warning about span `i`, its message written from the span's ID.
fn warn_span(trace: &mut Trace, kind: WarningKind, i: u32, message: impl FnOnce(&str) -> String) {
    let message = message(trace.span_id(i));
    trace.warn(kind, Some(i), message);
}
