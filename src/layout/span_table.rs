//! The span table: every span of the trace (or of the focused subtree) as one flat list, narrowed by the filters,
//! sortable by start, duration, self time, service and operation, drawn a window of rows at a time.
//!
//! Sorting is on keys read once per span (names by their rank in alphabetical order, found once per distinct name),
//! so a million spans sort without comparing a string per step.

use crate::analysis::Analyzed;
use crate::model::Sym;
use crate::text::format_duration;

/// A column the table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanColumn {
    Start,
    Duration,
    SelfTime,
    Service,
    Operation,
}

/// The order of the rows: a column, and whether largest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanOrder {
    pub column: SpanColumn,
    pub descending: bool,
}

impl Default for SpanOrder {
    /// In time order, as the waterfall reads.
    fn default() -> SpanOrder {
        SpanOrder {
            column: SpanColumn::Start,
            descending: false,
        }
    }
}

impl SpanOrder {
    /// A click on `column`'s header: the same column turns the order round; another starts with what is usually
    /// wanted first (the longest durations, names from A).
    pub fn clicked(self, column: SpanColumn) -> SpanOrder {
        if column == self.column {
            return SpanOrder {
                descending: !self.descending,
                ..self
            };
        }
        let descending = matches!(column, SpanColumn::Duration | SpanColumn::SelfTime);
        SpanOrder { column, descending }
    }
}

/// The spans the table lists, in row order before sorting: the focused subtree's (else the trace's), only those in
/// `only` when it is given (the spans that pass the filters, or the search's matches with "matches only").
pub fn listed_spans(a: &Analyzed, focus: Option<u32>, only: Option<&[u32]>) -> Vec<u32> {
    let scope: &[u32] = match focus {
        Some(f) => super::focus::subtree_spans(&a.tree, f),
        None => &a.tree.preorder,
    };
    match only {
        None => scope.to_vec(),
        Some(only) => {
            let mut keep = vec![false; a.trace.spans.len()];
            for &i in only {
                if let Some(k) = keep.get_mut(i as usize) {
                    *k = true;
                }
            }
            scope
                .iter()
                .copied()
                .filter(|&i| keep.get(i as usize) == Some(&true))
                .collect()
        }
    }
}

/// Each interned name's place in alphabetical order (case-insensitive, then as written).
fn name_ranks(a: &Analyzed) -> Vec<u32> {
    let strings = &a.trace.strings;
    let n = strings.len();
    let mut order: Vec<Sym> = (0..n as Sym).collect();
    let lower: Vec<String> = (0..n as Sym)
        .map(|s| a.trace.sym(s).to_lowercase())
        .collect();
    order.sort_by(|&x, &y| {
        lower[x as usize]
            .cmp(&lower[y as usize])
            .then_with(|| a.trace.sym(x).cmp(a.trace.sym(y)))
    });
    let mut rank = vec![0u32; n];
    for (r, &s) in order.iter().enumerate() {
        rank[s as usize] = r as u32;
    }
    rank
}

/// Sorts `spans` by `order`; ties keep the row order they came in (the tree's depth-first order).
pub fn sort_spans(a: &Analyzed, spans: &mut [u32], order: SpanOrder) {
    let spans_of = &a.trace.spans;
    let key = |i: u32| -> i64 {
        let Some(s) = spans_of.get(i as usize) else {
            return 0;
        };
        match order.column {
            SpanColumn::Start => s.start_ns,
            SpanColumn::Duration => s.duration_ns,
            SpanColumn::SelfTime => a.self_ns.get(i as usize).copied().unwrap_or(0),
            SpanColumn::Service | SpanColumn::Operation => 0,
        }
    };
    let mut keyed: Vec<(i64, u32, u32)> = match order.column {
        SpanColumn::Service | SpanColumn::Operation => {
            let rank = name_ranks(a);
            spans
                .iter()
                .enumerate()
                .map(|(pos, &i)| {
                    let s = spans_of.get(i as usize);
                    let sym = s.map_or(0, |s| match order.column {
                        SpanColumn::Service => s.service,
                        _ => s.operation,
                    });
                    let r = rank.get(sym as usize).copied().unwrap_or(0);
                    (i64::from(r), pos as u32, i)
                })
                .collect()
        }
        _ => spans
            .iter()
            .enumerate()
            .map(|(pos, &i)| (key(i), pos as u32, i))
            .collect(),
    };
    if order.descending {
        keyed.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    } else {
        keyed.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)));
    }
    for (slot, (_, _, i)) in spans.iter_mut().zip(keyed) {
        *slot = i;
    }
}

/// The cells of span `i`'s row: start (from the trace start), duration, self time, service, operation, kind and
/// status (`error: <message>`, or empty).
pub fn span_cells(a: &Analyzed, i: u32) -> Option<[String; 7]> {
    let t = &a.trace;
    let s = t.spans.get(i as usize)?;
    let status = if s.is_error() {
        let msg = t.str(s.status_message);
        if msg.is_empty() {
            "error".to_string()
        } else {
            format!("error: {msg}")
        }
    } else {
        String::new()
    };
    Some([
        format!("+{}", format_duration((s.start_ns - a.start_ns) as f64)),
        format_duration(s.duration_ns as f64),
        format_duration(a.self_ns.get(i as usize).copied().unwrap_or(0) as f64),
        t.service(i).to_string(),
        t.operation(i).to_string(),
        s.kind.as_str().to_string(),
        status,
    ])
}
