//! Focus on a subtree: one span and its descendants, with the time window fitted to them and the span's ancestors as
//! a breadcrumb. A subtree is one run of the tree's depth-first order, so every question here is O(depth) or
//! O(subtree), never O(trace), and nothing recurses.

use std::ops::Range;

use super::TimeWindow;
use crate::analysis::tree::Tree;
use crate::analysis::Analyzed;

/// The positions in `tree.preorder` of span `span`'s subtree (the span first); empty for an unknown span.
pub fn subtree_rows(tree: &Tree, span: u32) -> Range<usize> {
    match (
        tree.row_of.get(span as usize),
        tree.descendants.get(span as usize),
    ) {
        (Some(&at), Some(&d)) => {
            let end = (at as usize + d as usize + 1).min(tree.preorder.len());
            at as usize..end
        }
        _ => 0..0,
    }
}

/// The spans of `span`'s subtree, the span first, in row order.
pub fn subtree_spans(tree: &Tree, span: u32) -> &[u32] {
    tree.preorder.get(subtree_rows(tree, span)).unwrap_or(&[])
}

/// Whether span `i` is in `focus`'s subtree (itself included).
pub fn in_subtree(tree: &Tree, focus: u32, i: u32) -> bool {
    let r = subtree_rows(tree, focus);
    tree.row_of
        .get(i as usize)
        .is_some_and(|&at| r.contains(&(at as usize)))
}

/// The breadcrumb above the rows: `focus`'s ancestors, the root first (the focused span itself is not in it).
pub fn breadcrumb(tree: &Tree, focus: u32) -> Vec<u32> {
    let mut out = tree.ancestors(focus);
    out.reverse();
    out
}

/// The earliest start and latest end of the subtree's spans, ns since the trace start. A child may outlive its
/// parent (clock skew, async work), so every span of the subtree counts, not only the focused one.
pub fn subtree_extent(a: &Analyzed, focus: u32) -> Option<(i64, i64)> {
    let mut extent: Option<(i64, i64)> = None;
    for &i in subtree_spans(&a.tree, focus) {
        let Some(s) = a.trace.spans.get(i as usize) else {
            continue;
        };
        let (start, end) = (
            s.start_ns - a.start_ns,
            s.start_ns - a.start_ns + s.duration_ns.max(0),
        );
        extent = Some(match extent {
            Some((lo, hi)) => (lo.min(start), hi.max(end)),
            None => (start, end),
        });
    }
    extent
}

/// The time window fitted to the subtree, with 2% of its length free on either side (inside the trace).
pub fn focus_window(a: &Analyzed, focus: u32) -> TimeWindow {
    let total = a.duration_ns().max(1) as f64;
    let Some((lo, hi)) = subtree_extent(a, focus) else {
        return TimeWindow::full(a.duration_ns());
    };
    let len = (hi - lo).max(1) as f64;
    let pad = len * 0.02;
    let start = (lo as f64 - pad).max(0.0);
    let end = (hi as f64 + pad)
        .min(total)
        .max(start + super::MIN_WINDOW_NS.min(total));
    TimeWindow { start, end }
}
