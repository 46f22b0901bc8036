//! Two traces of the same kind of request side by side: A (the normal one) and B (the one to explain).
//!
//! Spans are paired by their path of (service, operation) from the root. Under a paired parent, children with the
//! same service and operation are paired in order of start (the first with the first, the second with the second);
//! the extra ones, and their whole subtrees, are only in A or only in B. Roots are paired the same way. Each trace
//! has its own string interner, so names are compared as strings: B's interned names are mapped to A's once, never
//! per span.
//!
//! The merged tree is listed depth-first, like a waterfall. Under a paired parent, children come in A's order
//! (paired ones and those only in A); a child only in B comes right after the paired child that precedes it in B
//! (after the A-only children that follow that paired child in A), or before the first paired child when none does.
//!
//! A row's self-time difference is B's self time minus A's; a span only in one trace counts with its own self time.
//! Where no children overlap, every span's self time adds up to its trace's duration, so the rows' self-time
//! differences add up to the difference in duration. Everything runs with explicit stacks, never recursion.

mod report;

pub use report::{difference_records, DifferenceRecord, Side};

use super::tree::{Tree, NONE};
use super::Analyzed;

/// The comparison of two traces: the merged tree's rows and what differs.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// One row per pair, in display order: a depth-first order of the merged tree (children in order of their
    /// start, A's order first where both exist), so the UI can draw it like a waterfall.
    pub rows: Vec<PairRow>,
    /// B's duration minus A's (trace durations: end - start of each), ns.
    pub delta_ns: i64,
    /// Indices into `rows`, largest absolute self-time difference first (ties in row order). A row is left out
    /// when it is in both traces with the same self time.
    pub differences: Vec<u32>,
    /// One sentence, e.g. "B is 420ms slower: +380ms in ledger-db: INSERT ledger_entries; 3 more calls to
    /// fraud-check: score".
    pub summary: String,
    /// A's and B's durations (end - start of each), ns: the longer one is the shared time axis.
    pub a_duration_ns: i64,
    pub b_duration_ns: i64,
}

/// One row of the merged tree: a span of A paired with a span of B, or a span only in one of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairRow {
    /// Span indices in A and B; `None` on one side means the span is only in the other.
    pub a: Option<u32>,
    pub b: Option<u32>,
    /// Depth in the merged tree (roots are 0) and the parent's row index (`u32::MAX` for a root).
    pub depth: u32,
    pub parent: u32,
    /// Rows below this one in the merged tree (for folding).
    pub descendants: u32,
    /// Durations, ns (0 on the side where the span is absent).
    pub a_ns: i64,
    pub b_ns: i64,
    /// Self times from [`Analyzed::self_ns`], ns (0 on the side where the span is absent).
    pub a_self_ns: i64,
    pub b_self_ns: i64,
    /// Start relative to its own trace's start, ns (for a shared axis; 0 on the side where the span is absent).
    pub a_offset_ns: i64,
    pub b_offset_ns: i64,
}

impl PairRow {
    /// B's self time minus A's, ns.
    pub fn self_delta_ns(&self) -> i64 {
        self.b_self_ns - self.a_self_ns
    }
    /// B's duration minus A's, ns.
    pub fn duration_delta_ns(&self) -> i64 {
        self.b_ns - self.a_ns
    }
    /// The trace the span is only in, or `None` when it is in both.
    pub fn only(&self) -> Option<Side> {
        match (self.a, self.b) {
            (Some(_), None) => Some(Side::A),
            (None, Some(_)) => Some(Side::B),
            _ => None,
        }
    }
}

/// Compares A (the normal trace) with B (the one to explain).
pub fn compare(a: &Analyzed, b: &Analyzed) -> Comparison {
    let mut aligner = Aligner::new(a, b);
    let rows = aligner.rows();
    // Sorted by (largest size first, row): one key per row, computed once.
    let mut by_size: Vec<(u64, u32)> = (0..rows.len() as u32)
        .filter_map(|r| {
            let row = &rows[r as usize];
            let d = row.self_delta_ns();
            (d != 0 || row.only().is_some()).then_some((u64::MAX - d.unsigned_abs(), r))
        })
        .collect();
    by_size.sort_unstable();
    let mut c = Comparison {
        rows,
        delta_ns: b.duration_ns() - a.duration_ns(),
        differences: by_size.into_iter().map(|(_, r)| r).collect(),
        summary: String::new(),
        a_duration_ns: a.duration_ns(),
        b_duration_ns: b.duration_ns(),
    };
    c.summary = report::summary_sentence(&aligner, &c);
    c
}

/// The threshold [`shown_rows`] uses unless the user picks one: 1% of the longer trace, and at least 1 µs, so that
/// the differences a user can see at the trace's scale show and rounding noise does not.
pub fn default_threshold_ns(c: &Comparison) -> i64 {
    (c.a_duration_ns.max(c.b_duration_ns) / 100).max(1_000)
}

/// The rows to draw, in display order. With `only_differences` off, every row. With it on, a row shows if its
/// self-time or duration difference is non-zero and at least `threshold_ns` in size, or it is only in one trace, or
/// a row below it shows (so the tree stays readable).
pub fn shown_rows(c: &Comparison, only_differences: bool, threshold_ns: i64) -> Vec<u32> {
    let n = c.rows.len();
    if !only_differences {
        return (0..n as u32).collect();
    }
    let notable = |d: i64| d != 0 && d.unsigned_abs() >= threshold_ns.max(0).unsigned_abs();
    let mut show = vec![false; n];
    // Children come after their parent, so one pass from the end carries a shown row up to its ancestors.
    for r in (0..n).rev() {
        let row = &c.rows[r];
        if row.only().is_some() || notable(row.self_delta_ns()) || notable(row.duration_delta_ns())
        {
            show[r] = true;
        }
        if show[r] {
            if let Some(p) = show.get_mut(row.parent as usize) {
                *p = true;
            }
        }
    }
    (0..n as u32).filter(|&r| show[r as usize]).collect()
}

/// A span still to be listed: its spans in A and B ([`NONE`] where absent), its parent row and its depth.
#[derive(Clone, Copy)]
struct Pending {
    a: u32,
    b: u32,
    parent: u32,
    depth: u32,
}

/// Walks both trees at once, pairing children, and lists the merged tree depth-first.
struct Aligner<'t> {
    a: &'t Analyzed,
    b: &'t Analyzed,
    /// B's interned string (`Sym`) to A's; strings A does not have get numbers past A's table, so they match nothing.
    b_to_a: Vec<u32>,
    /// Scratch reused for every pairing: children of one pair as (key, position), sorted.
    a_keys: Vec<(u64, u32)>,
    b_keys: Vec<(u64, u32)>,
    /// By position among the children: the paired child's position on the other side, or [`NONE`].
    a_match: Vec<u32>,
    b_match: Vec<u32>,
    /// Children only in B as (gap, position): gap 0 is before A's first paired child, gap `k + 1` after A's child `k`.
    b_extra: Vec<(u32, u32)>,
    /// The merged children of one pair, in display order, as (span in A, span in B).
    merged: Vec<(u32, u32)>,
}

impl<'t> Aligner<'t> {
    fn new(a: &'t Analyzed, b: &'t Analyzed) -> Aligner<'t> {
        let (sa, sb) = (&a.trace.strings, &b.trace.strings);
        let past_a = sa.len() as u32;
        let b_to_a = (0..sb.len() as u32)
            .map(|k| sa.lookup(sb.get(k)).unwrap_or(past_a + k))
            .collect();
        Aligner {
            a,
            b,
            b_to_a,
            a_keys: Vec::new(),
            b_keys: Vec::new(),
            a_match: Vec::new(),
            b_match: Vec::new(),
            b_extra: Vec::new(),
            merged: Vec::new(),
        }
    }

    /// The (service, operation) of a row's span, in A's string numbering, as one number.
    fn row_key(&self, row: &PairRow) -> u64 {
        match (row.a, row.b) {
            (Some(i), _) => self.key_a(i),
            (None, Some(i)) => self.key_b(i),
            (None, None) => u64::MAX,
        }
    }

    /// A span's (service, operation) in A's string numbering, as one number.
    fn key_a(&self, i: u32) -> u64 {
        let s = &self.a.trace.spans[i as usize];
        (u64::from(s.service) << 32) | u64::from(s.operation)
    }
    fn key_b(&self, i: u32) -> u64 {
        let s = &self.b.trace.spans[i as usize];
        let map = |k: u32| self.b_to_a.get(k as usize).copied().unwrap_or(NONE);
        (u64::from(map(s.service)) << 32) | u64::from(map(s.operation))
    }

    /// The merged tree, depth-first, with every row's descendants counted.
    fn rows(&mut self) -> Vec<PairRow> {
        let mut rows: Vec<PairRow> = Vec::with_capacity(self.a.tree.len().max(self.b.tree.len()));
        let mut stack: Vec<Pending> = Vec::new();
        let (ta, tb): (&'t Tree, &'t Tree) = (&self.a.tree, &self.b.tree);
        self.pair_children(&ta.roots, &tb.roots);
        push_reversed(&mut stack, &self.merged, NONE, 0);
        while let Some(p) = stack.pop() {
            let row = rows.len() as u32;
            rows.push(self.row(p));
            match (p.a != NONE, p.b != NONE) {
                (true, true) => self.pair_children(ta.children_of(p.a), tb.children_of(p.b)),
                (true, false) => {
                    self.merged.clear();
                    self.merged
                        .extend(ta.children_of(p.a).iter().map(|&c| (c, NONE)));
                }
                _ => {
                    self.merged.clear();
                    self.merged
                        .extend(tb.children_of(p.b).iter().map(|&c| (NONE, c)));
                }
            }
            push_reversed(&mut stack, &self.merged, row, p.depth + 1);
        }
        // Children come after their parent: one pass from the end counts everything below each row.
        for r in (0..rows.len()).rev() {
            let (parent, below) = (rows[r].parent, rows[r].descendants + 1);
            if let Some(p) = rows.get_mut(parent as usize) {
                p.descendants += below;
            }
        }
        rows
    }

    /// One row's times, read from each side's spans.
    fn row(&self, p: Pending) -> PairRow {
        let side = |an: &Analyzed, i: u32| -> (i64, i64, i64) {
            match an.trace.spans.get(i as usize) {
                Some(s) => (
                    s.end_ns() - s.start_ns,
                    an.self_ns.get(i as usize).copied().unwrap_or(0),
                    s.start_ns - an.start_ns,
                ),
                None => (0, 0, 0),
            }
        };
        let (a_ns, a_self_ns, a_offset_ns) = side(self.a, p.a);
        let (b_ns, b_self_ns, b_offset_ns) = side(self.b, p.b);
        PairRow {
            a: (p.a != NONE).then_some(p.a),
            b: (p.b != NONE).then_some(p.b),
            depth: p.depth,
            parent: p.parent,
            descendants: 0,
            a_ns,
            b_ns,
            a_self_ns,
            b_self_ns,
            a_offset_ns,
            b_offset_ns,
        }
    }

    /// Pairs two lists of children (each sorted by start) into `merged`, in display order (see the module header).
    fn pair_children(&mut self, a_kids: &[u32], b_kids: &[u32]) {
        self.a_keys.clear();
        self.b_keys.clear();
        for (k, &c) in a_kids.iter().enumerate() {
            self.a_keys.push((self.key_a(c), k as u32));
        }
        for (k, &c) in b_kids.iter().enumerate() {
            self.b_keys.push((self.key_b(c), k as u32));
        }
        // Sorted by (name, position), equal names line up in order of start: the n-th meets the n-th.
        self.a_keys.sort_unstable();
        self.b_keys.sort_unstable();
        self.a_match.clear();
        self.a_match.resize(a_kids.len(), NONE);
        self.b_match.clear();
        self.b_match.resize(b_kids.len(), NONE);
        let (mut i, mut j) = (0, 0);
        while i < self.a_keys.len() && j < self.b_keys.len() {
            let ((ka, pa), (kb, pb)) = (self.a_keys[i], self.b_keys[j]);
            if ka == kb {
                self.a_match[pa as usize] = pb;
                self.b_match[pb as usize] = pa;
            }
            i += usize::from(ka <= kb);
            j += usize::from(kb <= ka);
        }
        self.merge_in_order(a_kids, b_kids);
    }

    /// Lists the paired children in `merged` in display order, once `a_match` and `b_match` are known.
    fn merge_in_order(&mut self, a_kids: &[u32], b_kids: &[u32]) {
        self.b_extra.clear();
        let mut gap = 0;
        for (pb, &pa) in self.b_match.iter().enumerate() {
            if pa == NONE {
                self.b_extra.push((gap, pb as u32));
            } else {
                gap = pa + 1;
            }
        }
        self.b_extra.sort_unstable();
        self.merged.clear();
        let mut next_extra = 0;
        let mut flush_to = |gap: u32, merged: &mut Vec<(u32, u32)>| {
            while let Some(&(g, pb)) = self.b_extra.get(next_extra) {
                if g > gap {
                    break;
                }
                merged.push((NONE, b_kids[pb as usize]));
                next_extra += 1;
            }
        };
        for (pa, &pb) in self.a_match.iter().enumerate() {
            if pb == NONE {
                self.merged.push((a_kids[pa], NONE));
            } else {
                flush_to(pa as u32, &mut self.merged);
                self.merged.push((a_kids[pa], b_kids[pb as usize]));
            }
        }
        flush_to(NONE, &mut self.merged);
    }
}

/// Puts a row's merged children on the stack so that the first is taken first.
fn push_reversed(stack: &mut Vec<Pending>, merged: &[(u32, u32)], parent: u32, depth: u32) {
    stack.extend(merged.iter().rev().map(|&(a, b)| Pending {
        a,
        b,
        parent,
        depth,
    }));
}
