//! Critical path and self time.
//!
//! The critical path follows Jaeger UI's algorithm (after CRISP): starting at the end of the root, step back
//! into the child that finished last before the current point; time between children is charged to the parent.
//! Before the walk, FOLLOWS_FROM children are removed (with their subtrees), children entirely outside their parent
//! are removed, and the rest are clipped to the parent. It runs iteratively in O(n log n): each span's children are
//! sorted by end once, and a per-span cursor only moves forward.

use super::tree::{Tree, NONE};
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
    // Clipped intervals, top-down from `root`; `None` means off the path (dropped with its subtree).
    let mut clip: Vec<Option<(i64, i64)>> = vec![None; n];
    let r = &trace.spans[root as usize];
    clip[root as usize] = Some((r.start_ns, r.end_ns()));
    let mut stack = vec![root];
    let mut order = Vec::new();
    while let Some(i) = stack.pop() {
        order.push(i);
        let Some((ps, pe)) = clip[i as usize] else {
            continue;
        };
        for &c in tree.children_of(i) {
            let s = &trace.spans[c as usize];
            if s.has(flags::FOLLOWS_FROM) {
                continue;
            }
            let (cs, ce) = (s.start_ns, s.end_ns());
            if cs > pe || ce < ps {
                continue;
            }
            clip[c as usize] = Some((cs.max(ps), ce.min(pe)));
            stack.push(c);
        }
    }
    // Children on the path, sorted by clipped end, latest first (ties: the later start first, as a stable
    // order). Stored per parent as a CSR list.
    let mut off = vec![0u32; n + 1];
    for &i in &order {
        if i != root {
            let p = tree.parent[i as usize];
            if p != NONE {
                off[p as usize + 1] += 1;
            }
        }
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut fill = off.clone();
    let mut kids = vec![0u32; off[n] as usize];
    for &i in &order {
        if i != root {
            let p = tree.parent[i as usize] as usize;
            kids[fill[p] as usize] = i;
            fill[p] += 1;
        }
    }
    let end_of = |i: u32| clip[i as usize].map(|c| c.1).unwrap_or(i64::MIN);
    for &i in &order {
        let (a, b) = (off[i as usize] as usize, off[i as usize + 1] as usize);
        if b - a > 1 {
            kids[a..b].sort_by_key(|&c| std::cmp::Reverse(end_of(c)));
        }
    }
    let mut cursor: Vec<u32> = off[..n].to_vec();

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

    let mut cur = root;
    let mut returning: Option<i64> = None;
    loop {
        let (cs, ce) = clip[cur as usize].unwrap_or((0, 0));
        // The last-finishing child, before `returning` if we came back up from a child.
        let (a, b) = (
            cursor[cur as usize] as usize,
            off[cur as usize + 1] as usize,
        );
        let mut k = a;
        if let Some(t) = returning {
            while k < b && end_of(kids[k]) >= t {
                k += 1;
            }
        }
        cursor[cur as usize] = k as u32;
        let section_end = returning.unwrap_or(ce);
        if k < b {
            let child = kids[k];
            cursor[cur as usize] = k as u32 + 1;
            push(&mut out, cur, end_of(child), section_end);
            cur = child;
            returning = None;
        } else {
            push(&mut out, cur, cs, section_end);
            if cur == root {
                break;
            }
            returning = Some(cs);
            cur = tree.parent[cur as usize];
        }
    }
    out
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
    for (i, s) in trace.spans.iter().enumerate() {
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
        out[i] = (pe - ps - covered).max(0);
    }
    out
}
