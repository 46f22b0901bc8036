//! The arrows drawn between a span and the spans it refers to, while it is selected or hovered: its links (OTLP
//! `links`, Jaeger references other than the parent) and its FOLLOWS_FROM parent. An arrow runs from the span that
//! holds the reference to the span the reference names, with its head there (a consumer's span points at the
//! producer's). Selecting a span shows the arrows out of it and into it.
//!
//! Only references within the trace shown are drawn; one into another trace is listed in the span panel. An end whose
//! row is folded (or filtered) away is drawn at its nearest shown ancestor's row; an end scrolled out of view at the
//! viewport's top or bottom edge. Either way a label says which span the arrow goes to.

use super::detail_text::in_own_trace;
use super::geometry::{Frame, SpanTimes, ROW_H};
use super::GROUP_ROW;
use crate::analysis::tree::NONE;
use crate::analysis::Analyzed;
use crate::model::{flags, FxHashMap, Trace};

/// Arrows drawn for one span, at most (a batch span can link to thousands).
pub const MAX_ARROWS: usize = 64;
/// How far inside the viewport an arrow to a row out of view ends, px.
const EDGE_INSET: f64 = 6.0;

/// One reference between two spans of the trace: `from` names `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: u32,
    pub to: u32,
    /// `to` is `from`'s FOLLOWS_FROM parent (rather than a link).
    pub parent: bool,
}

/// Every reference between spans of one trace, by the span that holds it and by the span it names; built once per
/// trace (one pass over the spans, and a map of span IDs only when the trace has links).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkIndex {
    /// Per entry of `trace.links`: the span of this trace it names, or `NONE`.
    targets: Vec<u32>,
    by_from: Vec<Edge>,
    by_to: Vec<Edge>,
}

impl LinkIndex {
    pub fn build(a: &Analyzed) -> LinkIndex {
        let t = &a.trace;
        let mut edges = Vec::new();
        for (i, s) in t.spans.iter().enumerate() {
            let parent = a.tree.parent.get(i).copied().unwrap_or(NONE);
            if s.has(flags::FOLLOWS_FROM) && parent != NONE {
                edges.push(Edge {
                    from: i as u32,
                    to: parent,
                    parent: true,
                });
            }
        }
        let mut targets = Vec::new();
        if !t.links.is_empty() {
            targets = vec![NONE; t.links.len()];
            let by_id = span_ids(t);
            for (i, s) in t.spans.iter().enumerate() {
                for k in s.links.range() {
                    let Some(l) = t.links.get(k) else { continue };
                    if !in_own_trace(t.str(l.trace_id), &t.trace_id) {
                        continue;
                    }
                    if let Some(&j) = by_id.get(t.str(l.span_id)) {
                        targets[k] = j;
                        if j != i as u32 {
                            edges.push(Edge {
                                from: i as u32,
                                to: j,
                                parent: false,
                            });
                        }
                    }
                }
            }
        }
        edges.sort_unstable();
        edges.dedup();
        let mut by_to = edges.clone();
        by_to.sort_unstable_by_key(|e| (e.to, e.from));
        LinkIndex {
            targets,
            by_from: edges,
            by_to,
        }
    }

    /// The span of this trace that entry `link` of `trace.links` names, if it is in the trace.
    pub fn target(&self, link: usize) -> Option<u32> {
        self.targets.get(link).copied().filter(|&j| j != NONE)
    }

    /// The references out of `span` and into it, [`MAX_ARROWS`] at most (those out of it first).
    pub fn edges_of(&self, span: u32) -> Vec<Edge> {
        let out = self.by_from.partition_point(|e| e.from < span);
        let into = self.by_to.partition_point(|e| e.to < span);
        self.by_from[out..]
            .iter()
            .take_while(|e| e.from == span)
            .chain(self.by_to[into..].iter().take_while(|e| e.to == span))
            .take(MAX_ARROWS)
            .copied()
            .collect()
    }

    /// Whether the trace has any reference between its spans.
    pub fn is_empty(&self) -> bool {
        self.by_from.is_empty()
    }
}

/// Span ID to span index, the first span with an ID owning it (as the tree decides); Zipkin shared spans left out.
fn span_ids(t: &Trace) -> FxHashMap<&str, u32> {
    let mut by_id = FxHashMap::with_capacity_and_hasher(t.spans.len(), Default::default());
    for (i, s) in t.spans.iter().enumerate() {
        if !s.has(flags::SHARED) {
            by_id.entry(t.str(s.span_id)).or_insert(i as u32);
        }
    }
    by_id
}

/// The span with ID `id` in trace `t` (another trace of the file, when a link leads there): one pass, on a click or
/// when the span panel opens, never per frame.
pub fn find_span(t: &Trace, id: &str) -> Option<u32> {
    (0..t.spans.len() as u32)
        .find(|&j| !t.spans[j as usize].has(flags::SHARED) && t.span_id(j) == id)
}

/// Where an end of an arrow shows: `row` is the span's own row, or (`exact` false) the row of its nearest shown
/// ancestor, when a fold or a filter hides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndRow {
    pub span: u32,
    pub row: usize,
    pub exact: bool,
}

/// The rows of `spans` among `rows` (the rows shown, `GROUP_ROW | g` for a group): one pass over the rows, run when
/// the selection, the hover or the rows change (not when scrolling). A span with no shown row nor shown ancestor
/// (outside a focus) has none.
pub fn end_rows(a: &Analyzed, rows: &[u32], spans: &[u32]) -> Vec<EndRow> {
    let parent = |s: u32| a.tree.parent.get(s as usize).copied().unwrap_or(NONE);
    // Each span and its ancestors, with the row that shows them once found.
    let mut wanted: FxHashMap<u32, usize> = FxHashMap::default();
    for &s in spans {
        let mut cur = s;
        while cur != NONE && !wanted.contains_key(&cur) && wanted.len() <= a.trace.spans.len() {
            wanted.insert(cur, usize::MAX);
            cur = parent(cur);
        }
    }
    for (r, &span) in rows.iter().enumerate() {
        if span & GROUP_ROW == 0 {
            if let Some(row) = wanted.get_mut(&span) {
                *row = r;
            }
        }
    }
    spans
        .iter()
        .filter_map(|&s| {
            let mut cur = s;
            while cur != NONE {
                match wanted.get(&cur) {
                    Some(&row) if row != usize::MAX => {
                        return Some(EndRow {
                            span: s,
                            row,
                            exact: cur == s,
                        })
                    }
                    Some(_) => cur = parent(cur),
                    None => return None,
                }
            }
            None
        })
        .collect()
}

/// The part of the rows in view, px from the first row's top.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InView {
    pub top: f64,
    pub bottom: f64,
}

/// One arrow, px: x from the timeline's left edge, y from the first row's top.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub edge: Edge,
    pub from: (f64, f64),
    pub to: (f64, f64),
    /// The SVG path, from `from` to `to`, bowed to the left (the head goes on at `to`).
    pub path: String,
    /// Beside an end that is not its span's own row in view: which span the arrow goes to.
    pub labels: Vec<ArrowLabel>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrowLabel {
    pub x: f64,
    pub y: f64,
    /// `"start"` or `"end"` (SVG's `text-anchor`).
    pub anchor: &'static str,
    pub text: String,
}

/// Where one end of an arrow is drawn, and what its label says (none for its own row in view).
fn place_end(a: &Analyzed, end: &EndRow, view: InView) -> (f64, Option<String>) {
    let center = end.row as f64 * ROW_H + ROW_H / 2.0;
    let name = format!(
        "{}: {}",
        a.trace.service(end.span),
        a.trace.operation(end.span)
    );
    let hidden = if end.exact { "" } else { " (folded here)" };
    if center < view.top {
        (view.top + EDGE_INSET, Some(format!("↑ {name}{hidden}")))
    } else if center > view.bottom {
        (view.bottom - EDGE_INSET, Some(format!("↓ {name}{hidden}")))
    } else {
        (center, (!end.exact).then(|| format!("{name}{hidden}")))
    }
}

/// The arrows of `edges` in frame `frame`, their ends' rows `ends` (from [`end_rows`]). An arrow starts at the
/// start of its `from` span's bar and ends on its `to` span's bar, at the point nearest in time; an arrow with
/// neither end in view, or an end with no row, is left out.
pub fn place_arrows(
    a: &Analyzed,
    edges: &[Edge],
    ends: &[EndRow],
    frame: &Frame,
    view: InView,
) -> Vec<Arrow> {
    let end_of = |s: u32| ends.iter().find(|e| e.span == s);
    let tl = frame.timeline_width();
    edges
        .iter()
        .filter_map(|&edge| {
            let (f, t) = (end_of(edge.from)?, end_of(edge.to)?);
            let (ft, tt) = (SpanTimes::of(a, edge.from)?, SpanTimes::of(a, edge.to)?);
            let in_view = |e: &EndRow| {
                let c = e.row as f64 * ROW_H + ROW_H / 2.0;
                c >= view.top && c <= view.bottom
            };
            if !in_view(f) && !in_view(t) {
                return None;
            }
            let x1 = frame.x(ft.start);
            let (bx, bw) = frame.extent(tt.start, tt.end, 1.5);
            let x2 = x1.clamp(bx, bx + bw);
            let ((y1, l1), (y2, l2)) = (place_end(a, f, view), place_end(a, t, view));
            let labels = [(x1, y1, l1), (x2, y2, l2)]
                .into_iter()
                .filter_map(|(x, y, text)| {
                    let right = x > tl - 220.0;
                    Some(ArrowLabel {
                        x: if right { x - 8.0 } else { x + 8.0 },
                        y: y + 4.0,
                        anchor: if right { "end" } else { "start" },
                        text: text?,
                    })
                })
                .collect();
            Some(Arrow {
                edge,
                from: (x1, y1),
                to: (x2, y2),
                path: bowed(x1, y1, x2, y2),
                labels,
            })
        })
        .collect()
}

/// A curve from (x1, y1) to (x2, y2) that leaves to the left and arrives horizontally (from the right onto a bar that
/// ended before, else from the left), so that an arrow between two bars that overlap in time still shows as a curve
/// beside the tree's vertical lines; one within a row loops below it.
fn bowed(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    let dy = (y2 - y1).abs();
    if dy < 1.0 {
        let drop = ROW_H * 0.6;
        return format!(
            "M{x1:.1} {y1:.1}C{x1:.1} {:.1},{x2:.1} {:.1},{x2:.1} {y2:.1}",
            y1 + drop,
            y2 + drop
        );
    }
    let bend = 18.0 + (dy / 6.0).min(60.0);
    // Onto the end of a bar that ends before the arrow starts, from its right; else from the left.
    let arrive = if x2 + 1.0 < x1 { x2 + bend } else { x2 - bend };
    format!(
        "M{x1:.1} {y1:.1}C{:.1} {y1:.1},{arrive:.1} {y2:.1},{x2:.1} {y2:.1}",
        x1 - bend
    )
}
