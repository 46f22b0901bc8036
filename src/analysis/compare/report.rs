//! What a comparison tells a person: the summary sentence, and one record per difference for the host page.

use serde::Serialize;

use super::{Aligner, Comparison, PairRow};
use crate::analysis::Analyzed;
use crate::model::FxHashMap;
use crate::text::format_duration;

/// The trace a span is only in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Side {
    A,
    B,
}

/// One difference between the traces, for the host page: a row of [`Comparison::differences`], times in µs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DifferenceRecord {
    pub service: String,
    pub operation: String,
    /// Durations in A and B (0 where the span is absent).
    pub a_us: f64,
    pub b_us: f64,
    /// Self times in A and B (0 where the span is absent).
    pub a_self_us: f64,
    pub b_self_us: f64,
    /// The change in self time, B minus A.
    pub delta_us: f64,
    /// The trace the span is only in; `None` when it is in both.
    pub only: Option<Side>,
}

/// One record per row of [`Comparison::differences`], in its order: largest self-time change first.
pub fn difference_records(a: &Analyzed, b: &Analyzed, c: &Comparison) -> Vec<DifferenceRecord> {
    let us = |ns: i64| ns as f64 / 1_000.0;
    c.differences
        .iter()
        .filter_map(|&r| c.rows.get(r as usize))
        .map(|row| {
            let (service, operation) = names(a, b, row);
            DifferenceRecord {
                service: service.to_string(),
                operation: operation.to_string(),
                a_us: us(row.a_ns),
                b_us: us(row.b_ns),
                a_self_us: us(row.a_self_ns),
                b_self_us: us(row.b_self_ns),
                delta_us: us(row.self_delta_ns()),
                only: row.only(),
            }
        })
        .collect()
}

/// The row's service and operation, from A where the span is in A, else from B.
fn names<'x>(a: &'x Analyzed, b: &'x Analyzed, row: &PairRow) -> (&'x str, &'x str) {
    match (row.a, row.b) {
        (Some(i), _) => (a.trace.service(i), a.trace.operation(i)),
        (None, Some(i)) => (b.trace.service(i), b.trace.operation(i)),
        (None, None) => ("", ""),
    }
}

/// "B is 420ms slower" (or "35ms faster", or "A and B take the same time"), then the largest self-time difference
/// ("+380ms in ledger-db: INSERT ledger_entries") and the operation whose number of calls changed most ("3 more
/// calls to fraud-check: score").
pub(super) fn summary_sentence(aligner: &Aligner, c: &Comparison) -> String {
    let (a, b) = (aligner.a, aligner.b);
    let by = format_duration((c.delta_ns as f64).abs());
    let lead = match c.delta_ns.signum() {
        1 => format!("B is {by} slower"),
        -1 => format!("B is {by} faster"),
        _ => "A and B take the same time".to_string(),
    };
    if c.differences.is_empty() {
        return if c.delta_ns == 0 {
            format!("{lead}, and have the same spans")
        } else {
            format!("{lead}, with the same spans and self times")
        };
    }
    let mut parts = Vec::new();
    if let Some(row) = c.differences.first().and_then(|&r| c.rows.get(r as usize)) {
        let d = row.self_delta_ns();
        if d != 0 {
            let (service, operation) = names(a, b, row);
            let sign = if d > 0 { "+" } else { "-" };
            let by = format_duration((d as f64).abs());
            parts.push(format!("{sign}{by} in {service}: {operation}"));
        }
    }
    if let Some(calls) = calls_difference(aligner, c) {
        parts.push(calls);
    }
    if parts.is_empty() {
        format!("{lead}, with the same calls in other places")
    } else {
        format!("{lead}: {}", parts.join("; "))
    }
}

/// How the calls of one operation changed, counted in spans only in one trace (paired spans cancel out).
#[derive(Clone, Copy)]
struct CallTally {
    /// Calls in B minus calls in A.
    count: i64,
    /// Their self times, B's minus A's.
    self_ns: i64,
    first_row: u32,
}

/// "3 more calls to fraud-check: score" for the operation whose number of calls changed most (the larger self
/// time, then the earlier row, on ties); `None` when every operation has as many calls in A as in B.
fn calls_difference(aligner: &Aligner, c: &Comparison) -> Option<String> {
    let mut tally: FxHashMap<u64, CallTally> = FxHashMap::default();
    for (r, row) in c.rows.iter().enumerate() {
        let sign = match row.only() {
            Some(Side::A) => -1,
            Some(Side::B) => 1,
            None => continue,
        };
        let t = tally.entry(aligner.row_key(row)).or_insert(CallTally {
            count: 0,
            self_ns: 0,
            first_row: r as u32,
        });
        t.count += sign;
        t.self_ns = t.self_ns.saturating_add(row.self_delta_ns());
    }
    let t = tally
        .into_values()
        .filter(|t| t.count != 0)
        .max_by_key(|t| {
            (
                t.count.unsigned_abs(),
                t.self_ns.unsigned_abs(),
                std::cmp::Reverse(t.first_row),
            )
        })?;
    let (service, operation) = names(aligner.a, aligner.b, c.rows.get(t.first_row as usize)?);
    let n = t.count.unsigned_abs();
    let more = if t.count > 0 { "more" } else { "fewer" };
    let calls = if n == 1 { "call" } else { "calls" };
    Some(format!("{n} {more} {calls} to {service}: {operation}"))
}
