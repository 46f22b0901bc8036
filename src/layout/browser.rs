//! The trace browser's rules, without the web: which traces of a set the table lists (the filters and the brushed
//! area of the scatter plot), in what order, what a header click does, and the bar of time by service.

use crate::analysis::member::Member;
use crate::model::{Trace, Value};
use crate::text::group_digits;

/// What narrows the list. Empty fields narrow nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceFilter {
    /// A span of this service (exact name).
    pub service: String,
    /// A span of this operation (exact name); with `service`, one span of both.
    pub operation: String,
    /// `key=value`: a span (or its resource) with that attribute and value; `key` alone: with that attribute.
    pub attribute: String,
    pub min_ns: Option<i64>,
    pub max_ns: Option<i64>,
    pub errors_only: bool,
    /// The area brushed on the scatter plot.
    pub brush: Option<Brush>,
}

/// An area of the scatter plot: start times (ns since the epoch) and durations (ns), both ends included.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Brush {
    pub start_ns: (i64, i64),
    pub duration_ns: (i64, i64),
}

impl TraceFilter {
    pub fn is_empty(&self) -> bool {
        *self == TraceFilter::default()
    }
}

/// A column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Start,
    Name,
    Duration,
    Spans,
    Services,
    Errors,
}

/// A column, and whether it is descending.
pub type Order = (Column, bool);

/// The order after a click on `column`'s header: the column sorted by flips; another starts with the largest
/// first (names from A, start times from the earliest).
pub fn next_order(current: Order, column: Column) -> Order {
    if current.0 == column {
        (column, !current.1)
    } else {
        (column, !matches!(column, Column::Name | Column::Start))
    }
}

/// The traces the table lists, in `order`: indices into `members`.
pub fn list(members: &[Member], filter: &TraceFilter, order: Order) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..members.len() as u32)
        .filter(|&i| matches(&members[i as usize], filter))
        .collect();
    sort(members, &mut rows, order);
    rows
}

/// Whether a trace passes every filter.
pub fn matches(m: &Member, f: &TraceFilter) -> bool {
    let s = &m.summary;
    if f.errors_only && s.errors == 0 {
        return false;
    }
    if f.min_ns.is_some_and(|min| s.duration_ns < min)
        || f.max_ns.is_some_and(|max| s.duration_ns > max)
    {
        return false;
    }
    if let Some(b) = f.brush {
        let inside = |v: i64, (lo, hi): (i64, i64)| lo <= v && v <= hi;
        if !inside(s.start_ns, b.start_ns) || !inside(s.duration_ns, b.duration_ns) {
            return false;
        }
    }
    has_span_of(m.trace(), f.service.trim(), f.operation.trim())
        && has_attribute(m.trace(), f.attribute.trim())
}

/// Whether a span has this service and this operation (an empty name matches any).
fn has_span_of(t: &Trace, service: &str, operation: &str) -> bool {
    if service.is_empty() && operation.is_empty() {
        return true;
    }
    let wanted = |name: &str| match name {
        "" => Some(None),
        _ => t.strings.lookup(name).map(Some),
    };
    let (Some(svc), Some(op)) = (wanted(service), wanted(operation)) else {
        return false;
    };
    t.spans
        .iter()
        .any(|s| svc.is_none_or(|v| s.service == v) && op.is_none_or(|v| s.operation == v))
}

/// Whether a span or its resource has the attribute `key=value` (or `key` alone: any value).
fn has_attribute(t: &Trace, typed: &str) -> bool {
    if typed.is_empty() {
        return true;
    }
    let (key, value) = match typed.split_once('=') {
        Some((k, v)) => (k.trim(), Some(v.trim())),
        None => (typed, None),
    };
    let Some(k) = t.strings.lookup(key) else {
        return false;
    };
    let fits = |v: &Value| match (value, v) {
        (None, _) => true,
        (Some(want), Value::Str(s) | Value::Json(s) | Value::Bytes(s)) => t.str(*s) == want,
        (Some(want), other) => t.value_text(other) == want,
    };
    let resource_has = |r: u32| {
        t.resources.get(r as usize).is_some_and(|res| {
            t.attr_range(res.attrs)
                .iter()
                .any(|a| a.key == k && fits(&a.value))
        })
    };
    let mut resources_seen: Vec<u32> = Vec::new();
    t.spans.iter().enumerate().any(|(i, s)| {
        if t.span_attrs(i as u32)
            .iter()
            .any(|a| a.key == k && fits(&a.value))
        {
            return true;
        }
        if resources_seen.contains(&s.resource) {
            return false;
        }
        resources_seen.push(s.resource);
        resource_has(s.resource)
    })
}

/// Sorts `rows` (indices into `members`) by `order`; ties keep the earlier start first.
pub fn sort(members: &[Member], rows: &mut [u32], (column, desc): Order) {
    let key = |i: u32| {
        let s = &members[i as usize].summary;
        match column {
            Column::Start | Column::Name => s.start_ns,
            Column::Duration => s.duration_ns,
            Column::Spans => i64::from(s.spans),
            Column::Services => s.service_count() as i64,
            Column::Errors => i64::from(s.errors),
        }
    };
    let start = |i: u32| members[i as usize].summary.start_ns;
    if column == Column::Name {
        let mut named: Vec<(String, i64, u32)> = rows
            .iter()
            .map(|&i| (members[i as usize].name(), start(i), i))
            .collect();
        named.sort_by(|a, b| {
            let o = a.0.cmp(&b.0);
            (if desc { o.reverse() } else { o }).then(a.1.cmp(&b.1))
        });
        for (slot, (_, _, i)) in rows.iter_mut().zip(named) {
            *slot = i;
        }
        return;
    }
    rows.sort_by(|&a, &b| {
        let o = key(a).cmp(&key(b));
        (if desc { o.reverse() } else { o }).then(start(a).cmp(&start(b)))
    });
}

/// The list's count: "3,000 traces", or "12 of 3,000 traces" when narrowed.
pub fn count_text(listed: usize, total: usize) -> String {
    let noun = if total == 1 { "trace" } else { "traces" };
    if listed == total {
        format!("{} {noun}", group_digits(total as u64))
    } else {
        format!(
            "{} of {} {noun}",
            group_digits(listed as u64),
            group_digits(total as u64)
        )
    }
}

/// A piece of the bar of time by service: the service, and its share of the trace's self time (0..=1).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceShare {
    pub service: String,
    pub share: f64,
}

/// The bar of time by service: the `most` services with the most self time, each with its share; the rest together
/// as one piece named "other" when it is not empty.
pub fn service_shares(m: &Member, most: usize) -> Vec<ServiceShare> {
    let times = &m.summary.service_time;
    let total: i64 = times.iter().map(|&(_, ns)| ns).sum();
    if total <= 0 {
        return Vec::new();
    }
    let share = |ns: i64| ns as f64 / total as f64;
    let mut out: Vec<ServiceShare> = times
        .iter()
        .take(most)
        .filter(|&&(_, ns)| ns > 0)
        .map(|&(svc, ns)| ServiceShare {
            service: m.trace().sym(svc).to_string(),
            share: share(ns),
        })
        .collect();
    let rest: i64 = times.iter().skip(most).map(|&(_, ns)| ns).sum();
    if rest > 0 {
        out.push(ServiceShare {
            service: "other".to_string(),
            share: share(rest),
        });
    }
    out
}

/// The services and the operations of a set, each sorted and without repeats: the filters' choices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SetNames {
    pub services: Vec<String>,
    pub operations: Vec<String>,
}

pub fn names(members: &[Member]) -> SetNames {
    let mut services = std::collections::BTreeSet::new();
    let mut operations = std::collections::BTreeSet::new();
    for m in members {
        let t = m.trace();
        let mut seen = vec![0u8; t.strings.len()];
        for s in &t.spans {
            for (sym, bit, out) in [
                (s.service, 1u8, &mut services),
                (s.operation, 2u8, &mut operations),
            ] {
                if let Some(f) = seen.get_mut(sym as usize) {
                    if *f & bit == 0 {
                        *f |= bit;
                        out.insert(t.sym(sym).to_string());
                    }
                }
            }
        }
    }
    SetNames {
        services: services.into_iter().collect(),
        operations: operations.into_iter().collect(),
    }
}

/// A duration typed in a filter, in ns: a number of milliseconds, or a number with a unit (`ns`, `us`, `µs`, `ms`,
/// `s`). Empty, negative or unreadable: `None`.
pub fn typed_duration_ns(typed: &str) -> Option<i64> {
    let t = typed.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "" | "ms" => 1e6,
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "s" => 1e9,
        _ => return None,
    };
    (n.is_finite() && n >= 0.0).then_some((n * scale).round() as i64)
}

/// Which files a trace came from, for its row in a load of several files (the row is narrow: the tooltip lists them,
/// [`files_title`]): the file's name when it is one, "all 4 files", or "2 of 4 files". `None` when the load was one
/// file.
pub fn files_text(files: &[String], of: &[u32]) -> Option<String> {
    let n = files.len();
    if n < 2 {
        return None;
    }
    match of {
        [] => None,
        [k] => files.get(*k as usize).cloned(),
        _ if of.len() >= n => Some(format!("all {n} files")),
        _ => Some(format!("{} of {n} files", of.len())),
    }
}

/// Every file a trace came from, one per line.
pub fn files_title(files: &[String], of: &[u32]) -> String {
    of.iter()
        .filter_map(|&k| files.get(k as usize).map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}
