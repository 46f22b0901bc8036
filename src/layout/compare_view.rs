//! The aligned comparison view's decisions: which pairs of `analysis::compare` show (folding, the search, "only
//! differences"), where each row's two bars go on the shared time axis, the text of the delta cells, and the lines of
//! the detail pane. `ui::compare` draws what these functions decide and forwards input.
//!
//! Rows are indices into [`Comparison::rows`], which lists the merged tree depth-first (a row's descendants follow it,
//! `descendants` of them). The rules, in the order they apply:
//! - **Only differences** keeps the rows of [`shown_rows`] at [`default_threshold_ns`] (a changed row, a row only in
//!   one trace, and their ancestors); off, every row.
//! - **Search** keeps, of those, the rows whose service or operation contains the text (case-insensitive) and their
//!   ancestors.
//! - **Collapsed** rows show, without the rows below them.
//!
//! Costs O(rows) per change of a setting, with no recursion; the time axis is shared: 0 is each root's start, and it
//! ends at the longer trace's end.

use crate::analysis::compare::{default_threshold_ns, shown_rows, Comparison, PairRow, Side};
use crate::analysis::Analyzed;
use crate::layout::geometry::{INDENT, MAX_INDENT_DEPTH};
use crate::layout::{ticks, Tick, TimeWindow};
use crate::model::Trace;
use crate::text::format_duration;

/// Width of the delta cells right of the timeline (self-time change, duration change), px.
pub const DELTA_W: f64 = 180.0;
/// Space between the timeline and the delta cells, px.
pub const TIMELINE_GAP: f64 = 12.0;
/// Room a tick's label takes right of its mark, px.
pub const TICK_LABEL_W: f64 = 44.0;
/// A bar is at least this wide, px, so that a short span stays visible.
pub const MIN_BAR_W: f64 = 1.5;

/// The settings of the aligned view that decide which rows show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairView {
    /// Per row of the comparison: the rows below it are hidden.
    pub collapsed: Vec<bool>,
    /// Hide the pairs that barely changed ([`shown_rows`] at [`default_threshold_ns`]).
    pub only_differences: bool,
    /// The search box's text; blank searches nothing.
    pub query: String,
}

impl PairView {
    /// Everything open, every pair shown, no search: how a comparison first shows.
    pub fn new(c: &Comparison) -> PairView {
        PairView {
            collapsed: vec![false; c.rows.len()],
            only_differences: false,
            query: String::new(),
        }
    }

    /// Collapses row `row`, or opens it again.
    pub fn toggle(&mut self, row: u32) {
        if let Some(v) = self.collapsed.get_mut(row as usize) {
            *v = !*v;
        }
    }

    pub fn is_collapsed(&self, row: u32) -> bool {
        self.collapsed.get(row as usize).copied().unwrap_or(false)
    }

    /// Opens every row.
    pub fn expand_all(&mut self) {
        self.collapsed.iter_mut().for_each(|v| *v = false);
    }

    /// Closes every row that has rows below it: only the roots show.
    pub fn collapse_all(&mut self, c: &Comparison) {
        for (v, r) in self.collapsed.iter_mut().zip(&c.rows) {
            *v = r.descendants > 0;
        }
    }

    /// Makes row `row` show: opens its collapsed ancestors; if "only differences" or the search still hides it,
    /// turns that off (first "only differences", then the search). `matches` is [`search_matches`] of the query.
    pub fn reveal(&mut self, c: &Comparison, matches: Option<&[bool]>, row: u32) {
        let mut p = c.rows.get(row as usize).map_or(u32::MAX, |r| r.parent);
        while let Some(parent) = c.rows.get(p as usize) {
            if let Some(v) = self.collapsed.get_mut(p as usize) {
                *v = false;
            }
            p = parent.parent;
        }
        let shows = |v: &PairView, m: Option<&[bool]>| position_of(&visible_rows(c, v, m), row);
        if shows(self, matches).is_some() {
            return;
        }
        self.only_differences = false;
        if shows(self, matches).is_none() {
            self.query.clear();
        }
    }
}

/// Per row, whether its service or operation contains `query` (case-insensitive); `None` when the query is blank.
/// Each trace's names are lowered once, not per row.
pub fn search_matches(a: &Trace, b: &Trace, c: &Comparison, query: &str) -> Option<Vec<bool>> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return None;
    }
    let names_matching = |t: &Trace| -> Vec<bool> {
        (0..t.strings.len() as u32)
            .map(|k| t.strings.get(k).to_lowercase().contains(&q))
            .collect()
    };
    let (in_a, in_b) = (names_matching(a), names_matching(b));
    let hit = |t: &Trace, names: &[bool], i: u32| {
        t.spans.get(i as usize).is_some_and(|s| {
            let at = |k: u32| names.get(k as usize).copied().unwrap_or(false);
            at(s.service) || at(s.operation)
        })
    };
    Some(
        c.rows
            .iter()
            .map(|r| match (r.a, r.b) {
                (Some(i), _) => hit(a, &in_a, i),
                (None, Some(i)) => hit(b, &in_b, i),
                (None, None) => false,
            })
            .collect(),
    )
}

/// The rows to draw, in display order (ascending row indices): see the module header for the rules. `matches` is
/// [`search_matches`] of `view.query` (`None`: no search).
pub fn visible_rows(c: &Comparison, view: &PairView, matches: Option<&[bool]>) -> Vec<u32> {
    let n = c.rows.len();
    let mut keep = vec![false; n];
    for r in shown_rows(c, view.only_differences, default_threshold_ns(c)) {
        keep[r as usize] = true;
    }
    if let Some(m) = matches {
        // What "only differences" keeps is closed under ancestors, so the search's ancestors are kept by it too.
        let mut with_ancestors = vec![false; n];
        for r in (0..n).rev() {
            if keep[r] && m.get(r).copied().unwrap_or(false) {
                with_ancestors[r] = true;
            }
            if with_ancestors[r] {
                if let Some(p) = with_ancestors.get_mut(c.rows[r].parent as usize) {
                    *p = true;
                }
            }
        }
        keep = with_ancestors;
    }
    let mut out = Vec::new();
    let mut r = 0;
    while r < n {
        if !keep[r] {
            r += 1;
            continue;
        }
        out.push(r as u32);
        r += if view.is_collapsed(r as u32) {
            c.rows[r].descendants as usize + 1
        } else {
            1
        };
    }
    out
}

/// A key of the aligned view's keyboard, as the tree of a waterfall is moved through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairKey {
    /// ↓ / j and ↑ / k: the next or previous row shown.
    Next,
    Previous,
    /// Page Down / Page Up: this many rows on.
    PageDown(usize),
    PageUp(usize),
    /// Home / End.
    First,
    Last,
    /// →: opens a closed row, or goes to the first row below an open one.
    Open,
    /// ←: closes an open row, or goes to its parent.
    Close,
    /// Space: closes or opens the row.
    Toggle,
}

/// What `key` does to the aligned view: the row selected after it (`None` when nothing shows), with the folding in
/// `view` changed for →, ← and Space. With nothing selected, a move selects the first row shown.
pub fn pair_key(
    c: &Comparison,
    view: &mut PairView,
    visible: &[u32],
    selected: Option<u32>,
    key: PairKey,
) -> Option<u32> {
    let last = visible.len().checked_sub(1)?;
    let Some(row) = selected.filter(|&r| position_of(visible, r).is_some()) else {
        return visible.first().copied();
    };
    let at = position_of(visible, row).unwrap_or(0);
    let has_rows_below = c.rows.get(row as usize).is_some_and(|r| r.descendants > 0);
    let to = match key {
        PairKey::Next => (at + 1).min(last),
        PairKey::Previous => at.saturating_sub(1),
        PairKey::PageDown(n) => (at + n.max(1)).min(last),
        PairKey::PageUp(n) => at.saturating_sub(n.max(1)),
        PairKey::First => 0,
        PairKey::Last => last,
        PairKey::Open if has_rows_below && view.is_collapsed(row) => {
            view.toggle(row);
            at
        }
        // The next row shown is the first below this one, if any shows.
        PairKey::Open => match visible.get(at + 1) {
            Some(&next) if c.rows.get(next as usize).is_some_and(|r| r.parent == row) => at + 1,
            _ => at,
        },
        PairKey::Close if has_rows_below && !view.is_collapsed(row) => {
            view.toggle(row);
            at
        }
        PairKey::Close => {
            let parent = c.rows.get(row as usize).map_or(u32::MAX, |r| r.parent);
            position_of(visible, parent).unwrap_or(at)
        }
        PairKey::Toggle => {
            if has_rows_below {
                view.toggle(row);
            }
            at
        }
    };
    visible.get(to).copied()
}

/// Where row `row` is among the visible rows (they are in ascending order), if it shows.
pub fn position_of(visible: &[u32], row: u32) -> Option<usize> {
    visible.binary_search(&row).ok()
}

/// "40 pairs", or "12 of 40 pairs" when some are hidden.
pub fn pairs_count_text(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "pair" } else { "pairs" };
    if shown == total {
        format!("{total} {noun}")
    } else {
        format!("{shown} of {total} {noun}")
    }
}

/// What a row's geometry depends on: the view's width, the name column's, and the shared axis's length.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairFrame {
    pub width: f64,
    pub name_w: f64,
    /// The longer trace's duration, ns: the axis runs from 0 (each root's start) to it.
    pub total_ns: i64,
}

/// Where a row's parts go: the label's indent (from the row's left edge), and each side's bar as (x, width) from the
/// timeline's left edge (`None` on the side the span is not in).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairBars {
    pub indent: f64,
    pub a: Option<(f64, f64)>,
    pub b: Option<(f64, f64)>,
}

impl PairFrame {
    /// The frame of comparison `c` in a view `width` px wide with a `name_w` px name column.
    pub fn new(c: &Comparison, width: f64, name_w: f64) -> PairFrame {
        PairFrame {
            width,
            name_w,
            total_ns: c.a_duration_ns.max(c.b_duration_ns).max(1),
        }
    }

    /// The timeline's width, px: between the name column and the delta cells.
    pub fn timeline_width(&self) -> f64 {
        (self.width - self.name_w - TIMELINE_GAP - DELTA_W).max(80.0)
    }

    /// The delta cells' x, from the row's left edge.
    pub fn delta_x(&self) -> f64 {
        self.name_w + self.timeline_width() + TIMELINE_GAP
    }

    /// The chevron's x at depth `depth`, as in the waterfall: 14 px a level, the label keeping at least 120 px.
    pub fn indent(&self, depth: u32) -> f64 {
        (8.0 + f64::from(depth.min(MAX_INDENT_DEPTH)) * INDENT).min(self.name_w - 120.0)
    }

    /// x and width of what starts `offset_ns` after its root's start and lasts `duration_ns`, at least
    /// [`MIN_BAR_W`] wide, kept on the timeline.
    pub fn bar(&self, offset_ns: i64, duration_ns: i64) -> (f64, f64) {
        let tl = self.timeline_width();
        let x = |ns: i64| (ns as f64 / self.total_ns as f64 * tl).clamp(0.0, tl);
        let x0 = x(offset_ns).min(tl - MIN_BAR_W);
        (
            x0,
            (x(offset_ns.saturating_add(duration_ns)) - x0).max(MIN_BAR_W),
        )
    }

    /// Where row `row`'s indent and bars go.
    pub fn place(&self, row: &PairRow) -> PairBars {
        PairBars {
            indent: self.indent(row.depth),
            a: row.a.map(|_| self.bar(row.a_offset_ns, row.a_ns)),
            b: row.b.map(|_| self.bar(row.b_offset_ns, row.b_ns)),
        }
    }

    /// The shared axis's tick marks, at least `min_px` apart, x from the timeline's left edge; a tick too near the
    /// timeline's end for its label ([`TICK_LABEL_W`]) is left out, so that it never runs into the delta cells.
    pub fn ticks(&self, min_px: f64) -> Vec<Tick> {
        let tl = self.timeline_width();
        let mut out = ticks(&TimeWindow::full(self.total_ns), tl, min_px);
        out.retain(|t| t.x + TICK_LABEL_W <= tl + TIMELINE_GAP);
        out
    }
}

/// A signed duration: "+380ms", "-2ms", "0".
pub fn signed_duration(ns: i64) -> String {
    match ns {
        0 => "0".to_string(),
        n if n > 0 => format!("+{}", format_duration(n as f64)),
        n => format_duration(n as f64),
    }
}

/// The delta cells of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeltaText {
    /// B's self time minus A's, signed ("+42ms").
    pub self_delta: String,
    /// B's duration minus A's, signed.
    pub duration_delta: String,
    /// `"slower"` when B spends more of its own time here, `"faster"` when less, `"same"` otherwise (a CSS class).
    pub tone: &'static str,
    /// "only in A" or "only in B" for a span in one trace only.
    pub only: Option<&'static str>,
}

/// The delta cells' text for row `row`.
pub fn delta_text(row: &PairRow) -> DeltaText {
    let d = row.self_delta_ns();
    DeltaText {
        self_delta: signed_duration(d),
        duration_delta: signed_duration(row.duration_delta_ns()),
        tone: match d.signum() {
            1 => "slower",
            -1 => "faster",
            _ => "same",
        },
        only: only_label(row),
    }
}

/// "only in A", "only in B", or `None` for a pair.
pub fn only_label(row: &PairRow) -> Option<&'static str> {
    match row.only() {
        Some(Side::A) => Some("only in A"),
        Some(Side::B) => Some("only in B"),
        None => None,
    }
}

/// The row's service and operation, from A where the span is in A, else from B.
pub fn row_names<'x>(a: &'x Trace, b: &'x Trace, row: &PairRow) -> (&'x str, &'x str) {
    match (row.a, row.b) {
        (Some(i), _) => (a.service(i), a.operation(i)),
        (None, Some(i)) => (b.service(i), b.operation(i)),
        (None, None) => ("", ""),
    }
}

/// One line of the detail pane: a label and each side's value ("—" where the side has none), and whether they differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailLine {
    pub label: String,
    pub a: String,
    pub b: String,
    pub differs: bool,
}

/// What marks a value a side does not have.
pub const ABSENT: &str = "—";

fn line(label: &str, a: Option<String>, b: Option<String>) -> DetailLine {
    DetailLine {
        label: label.to_string(),
        differs: a != b,
        a: a.unwrap_or_else(|| ABSENT.to_string()),
        b: b.unwrap_or_else(|| ABSENT.to_string()),
    }
}

/// The detail pane's facts of a pair, A beside B: service, operation, duration, self time, start offset.
pub fn pair_facts(a: &Analyzed, b: &Analyzed, row: &PairRow) -> Vec<DetailLine> {
    let side = |an: &Analyzed, span: Option<u32>, ns: i64, self_ns: i64, offset: i64| {
        span.map(|i| {
            [
                an.trace.service(i).to_string(),
                an.trace.operation(i).to_string(),
                format_duration(ns as f64),
                format_duration(self_ns as f64),
                format_duration(offset as f64),
            ]
        })
    };
    let fa = side(a, row.a, row.a_ns, row.a_self_ns, row.a_offset_ns);
    let fb = side(b, row.b, row.b_ns, row.b_self_ns, row.b_offset_ns);
    [
        "Service",
        "Operation",
        "Duration",
        "Self time",
        "Start offset",
    ]
    .iter()
    .enumerate()
    .map(|(k, label)| {
        let pick = |f: &Option<[String; 5]>| f.as_ref().map(|v| v[k].clone());
        line(label, pick(&fa), pick(&fb))
    })
    .collect()
}

/// The attributes of both sides by key: A's keys in A's order, then the keys only B has, in B's order.
pub fn pair_attributes(a: &Trace, b: &Trace, row: &PairRow) -> Vec<DetailLine> {
    let attrs = |t: &Trace, span: Option<u32>| -> Vec<(String, String)> {
        span.map(|i| {
            t.span_attrs(i)
                .iter()
                .map(|x| (t.sym(x.key).to_string(), t.value_text(&x.value)))
                .collect()
        })
        .unwrap_or_default()
    };
    let (la, lb) = (attrs(a, row.a), attrs(b, row.b));
    let value_in = |l: &[(String, String)], key: &str| {
        l.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    };
    let mut out: Vec<DetailLine> = la
        .iter()
        .map(|(k, v)| line(k, Some(v.clone()), value_in(&lb, k)))
        .collect();
    out.extend(
        lb.iter()
            .filter(|(k, _)| value_in(&la, k).is_none())
            .map(|(k, v)| line(k, None, Some(v.clone()))),
    );
    out
}
