//! Critical path and self time.
//!
//! The critical path follows Jaeger UI's algorithm (after CRISP): starting at the end of the root, step back
//! into the child that finished last before the current point; time between children is charged to the parent.
//! Before the walk, FOLLOWS_FROM children are removed (with their subtrees), children entirely outside their parent
//! are removed, and the rest are clipped to the parent. It runs iteratively (a stack of frames, no recursion), and only
//! the spans the walk enters pay for filtering and sorting their children, on entry: a million-span trace whose path
//! has a few sections costs microseconds.

use super::tree::Tree;
use crate::model::{flags, Trace};

/// One section of the critical path, in absolute ns since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    pub span: u32,
    pub start_ns: i64,
    pub end_ns: i64,
}

/// Sections latest first; consecutive sections of one span are merged.
pub fn critical_path(trace: &Trace, tree: &Tree, root: u32) -> Vec<Section> {
    let n = trace.spans.len();
    if root as usize >= n {
        return Vec::new();
    }
    let r = &trace.spans[root as usize];
    let mut out: Vec<Section> = Vec::new();
    let push = |out: &mut Vec<Section>, span: u32, s: i64, e: i64| {
        if s == e {
            return;
        }
        if let Some(last) = out.last_mut() {
            if last.span == span && last.start_ns == e {
                last.start_ns = s;
                return;
            }
        }
        out.push(Section {
            span,
            start_ns: s,
            end_ns: e,
        });
    };
    // The walk only ever goes down into a child and back up, so it keeps one frame per span on the way down. A
    // frame's children are worked out when it is entered (only spans on the walk pay for sorting their children):
    // FOLLOWS_FROM children and children outside the span are dropped, the rest are clipped to it and sorted by
    // clipped end, latest first (ties: the later child first).
    let mut kids: Vec<(i64, i64, u32)> = Vec::new();
    let enter = |kids: &mut Vec<(i64, i64, u32)>, span: u32, (ps, pe): (i64, i64)| -> Frame {
        let from = kids.len();
        for &c in tree.children_of(span).iter().rev() {
            let s = &trace.spans[c as usize];
            if s.has(flags::FOLLOWS_FROM) {
                continue;
            }
            let (cs, ce) = (s.start_ns, s.end_ns());
            if cs > pe || ce < ps {
                continue;
            }
            kids.push((cs.max(ps), ce.min(pe), c));
        }
        kids[from..].sort_by_key(|&(_, e, _)| std::cmp::Reverse(e));
        Frame {
            span,
            clip: (ps, pe),
            from,
            next: from,
        }
    };
    let mut stack = vec![enter(&mut kids, root, (r.start_ns, r.end_ns()))];
    let mut returning: Option<i64> = None;
    while let Some(f) = stack.last_mut() {
        let (cs, ce) = f.clip;
        // The last-finishing child, before `returning` if we came back up from a child.
        let end = kids.len();
        let mut k = f.next;
        if let Some(t) = returning {
            while k < end && kids[k].1 >= t {
                k += 1;
            }
        }
        let section_end = returning.unwrap_or(ce);
        if k < end {
            let (child_s, child_e, child) = kids[k];
            f.next = k + 1;
            push(&mut out, f.span, child_e, section_end);
            let frame = enter(&mut kids, child, (child_s, child_e));
            stack.push(frame);
            returning = None;
        } else {
            push(&mut out, f.span, cs, section_end);
            let from = f.from;
            stack.pop();
            kids.truncate(from);
            returning = Some(cs);
        }
    }
    out
}

/// A span the critical-path walk is inside: its clipped interval, and its sorted children in `kids[from..]` (those
/// before `next` are done).
struct Frame {
    span: u32,
    clip: (i64, i64),
    from: usize,
    next: usize,
}

/// The root whose critical path describes the trace: the earliest root (as Jaeger UI), the longest on ties.
pub fn main_root(trace: &Trace, tree: &Tree) -> Option<u32> {
    tree.roots.iter().copied().min_by_key(|&r| {
        let s = &trace.spans[r as usize];
        (s.start_ns, std::cmp::Reverse(s.duration_ns))
    })
}

/// Time on the critical path charged to each span.
pub fn critical_time(n: usize, path: &[Section]) -> Vec<i64> {
    let mut c = vec![0i64; n];
    for s in path {
        if let Some(v) = c.get_mut(s.span as usize) {
            *v += s.end_ns - s.start_ns;
        }
    }
    c
}

/// Self time of every span: its duration minus the union of its children's intervals clipped to it.
pub fn self_times(trace: &Trace, tree: &Tree) -> Vec<i64> {
    let mut out = vec![0i64; trace.spans.len()];
    self_times_of(trace, tree, 0..trace.spans.len(), &mut out);
    out
}

/// [`self_times`] of the spans in `range` only, written to `out` (as long as the trace), so that the page can work
/// through a million spans in several short tasks.
pub fn self_times_of(trace: &Trace, tree: &Tree, range: std::ops::Range<usize>, out: &mut [i64]) {
    let spans = trace.spans.get(range.clone()).unwrap_or_default();
    for (i, s) in (range.start..).zip(spans) {
        let (ps, pe) = (s.start_ns, s.end_ns());
        let mut covered = 0i64;
        let mut run: Option<(i64, i64)> = None;
        // Children are sorted by start, so one sweep merges their intervals.
        for &c in tree.children_of(i as u32) {
            let cs = &trace.spans[c as usize];
            let (a, b) = (cs.start_ns.max(ps), cs.end_ns().min(pe));
            if b <= a {
                continue;
            }
            run = match run {
                Some((rs, re)) if a <= re => Some((rs, re.max(b))),
                Some((rs, re)) => {
                    covered += re - rs;
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((rs, re)) = run {
            covered += re - rs;
        }
        if let Some(o) = out.get_mut(i) {
            *o = (pe - ps - covered).max(0);
        }
    }
}
