//! The events table's rules, without the web: the text of each row (time since the trace start, service, span, event
//! name, attributes in short form), the text filter, the count above the table and which rows are in view.
//!
//! The rows are `analysis::events::in_time_order`'s; the table keeps positions into that list, so a filter over
//! 100,000 events copies no event and the page draws only the rows in view.

use std::fmt::Write as _;
use std::ops::Range;

use crate::analysis::events::TraceEvent;
use crate::model::{Attr, Trace, Value};
use crate::text::{fold, format_duration, group_digits};

/// Height of a table row, px (the CSS's `.event-row`).
pub const ROW_PX: f64 = 24.0;
/// Rows drawn beyond those in view, above and below.
pub const OVERSCAN: usize = 8;
/// Characters of one attribute value shown in the table; the rest is folded into `…`.
pub const VALUE_CHARS: usize = 40;
/// Characters of one attribute value in the attributes cell's tooltip.
pub const TITLE_VALUE_CHARS: usize = 300;
/// Characters of the whole attributes cell.
pub const ATTRS_CHARS: usize = 240;

/// One row of the table, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// Time since the trace start (`12.5ms`).
    pub time: String,
    pub service: String,
    pub operation: String,
    pub name: String,
    /// The attributes in short form: `key=value, key=value`, long values folded.
    pub attrs: String,
}

/// The text of event `e`'s row.
pub fn row(trace: &Trace, e: &TraceEvent) -> EventRow {
    let ev = trace.events.get(e.event as usize);
    EventRow {
        time: format_duration(e.time_ns as f64),
        service: trace.service(e.span).to_string(),
        operation: trace.operation(e.span).to_string(),
        name: ev
            .map(|ev| trace.str(ev.name).to_string())
            .unwrap_or_default(),
        attrs: ev
            .map(|ev| short_attrs(trace, trace.attr_range(ev.attrs), VALUE_CHARS, ATTRS_CHARS))
            .unwrap_or_default(),
    }
}

/// The attributes cell's tooltip: every attribute on a line of its own, values folded less.
pub fn attrs_title(trace: &Trace, e: &TraceEvent) -> String {
    let Some(ev) = trace.events.get(e.event as usize) else {
        return String::new();
    };
    let mut out = String::new();
    for a in trace.attr_range(ev.attrs) {
        if !out.is_empty() {
            out.push('\n');
        }
        push_attr(trace, a, TITLE_VALUE_CHARS, &mut out);
    }
    out
}

/// `key=value, key=value`: each value folded at `value_chars` characters, the whole at `total_chars`, line breaks
/// written as spaces.
pub fn short_attrs(
    trace: &Trace,
    attrs: &[Attr],
    value_chars: usize,
    total_chars: usize,
) -> String {
    let mut out = String::new();
    for a in attrs {
        if !out.is_empty() {
            out.push_str(", ");
        }
        push_attr(trace, a, value_chars, &mut out);
        if out.chars().count() > total_chars {
            break;
        }
    }
    folded(&out, total_chars)
}

/// Appends `key=value` with the value folded at `value_chars`.
fn push_attr(trace: &Trace, a: &Attr, value_chars: usize, out: &mut String) {
    out.push_str(trace.sym(a.key));
    out.push('=');
    let value = match &a.value {
        Value::Str(s) | Value::Bytes(s) | Value::Json(s) => folded(trace.str(*s), value_chars),
        other => trace.value_text(other),
    };
    out.extend(value.chars().map(|c| if c.is_control() { ' ' } else { c }));
}

/// The first `limit` characters of `text`, with `…` when some are left out.
fn folded(text: &str, limit: usize) -> String {
    match fold(text, limit) {
        (all, 0) => all.to_string(),
        (head, _) => format!("{head}…"),
    }
}

/// The positions in `events` of those whose event name, service, span name (operation) or one of whose attributes
/// (as `key=value`) contains `query`, ignoring case; all of them for an empty query.
pub fn matching(trace: &Trace, events: &[TraceEvent], query: &str) -> Vec<u32> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return (0..events.len() as u32).collect();
    }
    // Services and operations are interned: each name is tested once.
    let sym_hit: Vec<bool> = (0..trace.strings.len() as u32)
        .map(|s| contains_ci(trace.sym(s), &needle))
        .collect();
    let hit = |sym: u32| sym_hit.get(sym as usize).copied().unwrap_or(false);
    let mut buf = String::new();
    let mut out = Vec::new();
    for (k, e) in events.iter().enumerate() {
        let span_hit = trace
            .spans
            .get(e.span as usize)
            .is_some_and(|s| hit(s.service) || hit(s.operation));
        if span_hit || event_matches(trace, e, &needle, &mut buf) {
            out.push(k as u32);
        }
    }
    out
}

/// Whether event `e`'s name or one of its attributes (as `key=value`, written into `buf`) contains `needle`.
fn event_matches(trace: &Trace, e: &TraceEvent, needle: &str, buf: &mut String) -> bool {
    let Some(ev) = trace.events.get(e.event as usize) else {
        return false;
    };
    contains_ci(trace.str(ev.name), needle)
        || trace.attr_range(ev.attrs).iter().any(|a| {
            buf.clear();
            buf.push_str(trace.sym(a.key));
            buf.push('=');
            match &a.value {
                Value::Str(s) | Value::Bytes(s) | Value::Json(s) => buf.push_str(trace.str(*s)),
                Value::Int(i) => {
                    let _ = write!(buf, "{i}");
                }
                other => buf.push_str(&trace.value_text(other)),
            }
            contains_ci(buf, needle)
        })
}

/// Whether `hay` contains `needle` (already lower-cased), ignoring case; without a copy when `needle` is ASCII.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    if n.is_empty() {
        return true;
    }
    if needle.is_ascii() {
        hay.len() >= n.len()
            && hay
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

/// `12 events`, `1 event`, or `3 of 12 events` while a filter hides some.
pub fn count_text(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "event" } else { "events" };
    if shown == total {
        format!("{} {noun}", group_digits(total as u64))
    } else {
        format!(
            "{} of {} {noun}",
            group_digits(shown as u64),
            group_digits(total as u64)
        )
    }
}

/// The rows to draw: those in view of a table scrolled to `scroll_top`, `viewport_h` tall, plus [`OVERSCAN`].
pub fn in_view(scroll_top: f64, viewport_h: f64, rows: usize) -> Range<usize> {
    super::row_window(scroll_top, viewport_h, ROW_PX, rows, OVERSCAN)
}
