//! The span tree: parents resolved, children as index ranges, depth-first order. No recursion anywhere.

use crate::model::{flags, ParentRef, Trace, WarningKind};

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
        let n = trace.spans.len();
        let mut parent = vec![NONE; n];

        // Resolve parent IDs. The first span with an ID owns it; later duplicates are flagged.
        let mut by_id: crate::model::FxHashMap<&str, u32> =
            crate::model::FxHashMap::with_capacity_and_hasher(n, Default::default());
        let mut dups: Vec<u32> = Vec::new();
        for (i, s) in trace.spans.iter().enumerate() {
            if s.has(flags::SHARED) {
                continue; // a Zipkin shared server span reuses its client's ID by design
            }
            let id = trace
                .text
                .get(s.span_id.off as usize..(s.span_id.off + s.span_id.len) as usize)
                .unwrap_or("");
            match by_id.entry(id) {
                std::collections::hash_map::Entry::Occupied(_) => dups.push(i as u32),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i as u32);
                }
            }
        }

        let mut missing: Vec<(u32, String)> = Vec::new();
        let mut self_parent: Vec<u32> = Vec::new();
        for (i, s) in trace.spans.iter().enumerate() {
            match s.parent {
                ParentRef::None => {}
                ParentRef::Index(p) => {
                    if (p as usize) < n && p as usize != i {
                        parent[i] = p;
                    }
                }
                ParentRef::Id(pid) => {
                    let pid_s = trace
                        .text
                        .get(pid.off as usize..(pid.off + pid.len) as usize)
                        .unwrap_or("");
                    if pid_s.is_empty() || pid_s.bytes().all(|b| b == b'0') {
                        continue;
                    }
                    match by_id.get(pid_s) {
                        Some(&p) if p as usize == i => self_parent.push(i as u32),
                        Some(&p) => parent[i] = p,
                        None => missing.push((i as u32, pid_s.to_string())),
                    }
                }
            }
        }
        drop(by_id);

        for &d in &dups {
            if let Some(s) = trace.spans.get_mut(d as usize) {
                s.flags |= flags::DUPLICATE_ID;
            }
            let id = trace.span_id(d).to_string();
            trace.warn(
                WarningKind::DuplicateSpanId,
                Some(d),
                format!(
                    "span ID {id} appears more than once; both spans are kept, children attach to the first"
                ),
            );
        }
        let incomplete = !missing.is_empty();
        for (i, pid) in missing {
            let id = trace.span_id(i).to_string();
            trace.warn(
                WarningKind::MissingParent,
                Some(i),
                format!("span {id} names parent {pid}, which is not in the trace; shown as a root"),
            );
        }
        for i in self_parent {
            let id = trace.span_id(i).to_string();
            trace.warn(
                WarningKind::ParentCycle,
                Some(i),
                format!("span {id} names itself as its parent; shown as a root"),
            );
        }

        // Break cycles: walk up from every unvisited span; meeting a span on the current path is a cycle.
        let mut state = vec![0u8; n]; // 0 new, 1 on the current path, 2 done
        let mut path: Vec<u32> = Vec::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            path.clear();
            let mut cur = start as u32;
            loop {
                state[cur as usize] = 1;
                path.push(cur);
                let p = parent[cur as usize];
                if p == NONE || state[p as usize] == 2 {
                    break;
                }
                if state[p as usize] == 1 {
                    // cur -> p closes a cycle: cut it here.
                    parent[cur as usize] = NONE;
                    let id = trace.span_id(cur).to_string();
                    trace.warn(
                        WarningKind::ParentCycle,
                        Some(cur),
                        format!("span {id} is part of a parent cycle; the cycle was broken here and it is shown as a root"),
                    );
                    break;
                }
                cur = p;
            }
            for &v in &path {
                state[v as usize] = 2;
            }
        }

        // Children as ranges (CSR), sorted by start time.
        let mut child_off = vec![0u32; n + 1];
        for &p in &parent {
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
        let spans = &trace.spans;
        let key = |&i: &u32| (spans[i as usize].start_ns, i);
        for i in 0..n {
            let (a, b) = (child_off[i] as usize, child_off[i + 1] as usize);
            if b - a > 1 {
                children[a..b].sort_unstable_by_key(key);
            }
        }
        roots.sort_unstable_by_key(key);

        // Depth-first order with an explicit stack.
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
        let mut row_of = vec![0u32; n];
        for (r, &i) in preorder.iter().enumerate() {
            row_of[i as usize] = r as u32;
        }
        // Descendant counts and error flags, children before parents (reverse preorder).
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

        // Data-quality warnings.
        let mut outside = Vec::new();
        let mut nonpos = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            if s.duration_ns <= 0 && !s.has(flags::NO_DURATION) {
                nonpos.push(i as u32);
            }
            let p = parent[i];
            if p != NONE && !s.has(flags::NO_TIMESTAMP) {
                let ps = &spans[p as usize];
                if !ps.has(flags::NO_TIMESTAMP)
                    && !s.has(flags::FOLLOWS_FROM)
                    && (s.start_ns < ps.start_ns || s.end_ns() > ps.end_ns())
                {
                    outside.push(i as u32);
                }
            }
        }
        for i in nonpos {
            let (id, d) = (
                trace.span_id(i).to_string(),
                trace.spans[i as usize].duration_ns,
            );
            trace.warn(
                WarningKind::NonPositiveDuration,
                Some(i),
                format!("span {id} has a duration of {d} ns"),
            );
        }
        for i in outside {
            let id = trace.span_id(i).to_string();
            let s = trace.spans[i as usize];
            let p = trace.spans[parent[i as usize] as usize];
            let how = if s.start_ns < p.start_ns {
                "starts before"
            } else {
                "ends after"
            };
            trace.warn(
                WarningKind::ChildOutsideParent,
                Some(i),
                format!("span {id} {how} its parent"),
            );
        }

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
