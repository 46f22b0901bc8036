//! "Slow for its operation": every span's duration ranked against all the calls of the same (service, operation) in a
//! loaded set of traces.
//!
//! Definitions, over all the spans of the set with the same service and operation names (spans of an operation with
//! the same name in another service are a different operation):
//!
//! * **percentile** = ⌊100 × (calls whose duration is at or below this span's) / calls⌋. The slowest call is p100;
//!   equal durations share the higher percentile; the fastest call of an operation with more than 100 calls is p0.
//! * **median** and **p95** are nearest-rank percentiles (the value at rank ⌈p × calls⌉ of the durations sorted
//!   ascending), as in the single-trace statistics table.
//! * **slow**: the operation has at least [`MIN_CALLS_TO_RANK`] calls, its median is above zero, and the span's
//!   duration is at least its p95 and at least twice its median. With fewer calls a p95 is one or two calls, too few
//!   to call anything slow. With a zero median, at least half the calls took no measurable time (markers, spans
//!   without a duration): "twice the median" says nothing there, so no call of such an operation is slow.
//!
//! Negative durations count as zero. Storage is one `u32` per span (where its duration sits among its operation's
//! sorted durations) plus the sorted durations themselves, so a set holds fewer than 2^32 spans (a load holds at most
//! `formats::MAX_SPANS`).

use super::set::OperationNames;
use super::stats::nearest_rank;
use crate::model::{Interner, Sym, Trace};
use crate::text::{format_duration, group_digits};

/// Operations with fewer calls than this in the set are never [`Rank::slow`].
pub const MIN_CALLS_TO_RANK: u64 = 20;

/// Marks a span that has no place in [`OperationRanks::position`] (only past `u32::MAX` spans).
const NO_POSITION: u32 = u32::MAX;

/// Every span of a set of traces ranked against the calls of its (service, operation). Built once per loaded set.
#[derive(Clone, Debug, Default)]
pub struct OperationRanks {
    /// The set's service and operation names; `pairs` refer to them.
    strings: Interner,
    /// Each operation's (service, operation), by operation index.
    pairs: Vec<(Sym, Sym)>,
    /// Trace `t`'s spans are `position[trace_start[t]..trace_start[t + 1]]`.
    trace_start: Vec<usize>,
    /// For each span, the index in `sorted` of the last call of its operation that took no longer than it.
    position: Vec<u32>,
    /// Operation `k`'s call durations, ascending, are `sorted[offset[k]..offset[k + 1]]` (each has at least one).
    offset: Vec<usize>,
    sorted: Vec<i64>,
}

/// Where one span's duration stands among the calls of its operation in the set (see the module's definitions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rank {
    /// 0..=100: the share of calls at or below this span's duration, rounded down.
    pub percentile: u32,
    /// Calls of the operation in the set.
    pub calls: u64,
    pub median_ns: i64,
    pub p95_ns: i64,
    /// At least the p95 and twice the median, of an operation with enough calls and a median above zero.
    pub slow: bool,
}

impl OperationRanks {
    /// Ranks every span of `traces`; a trace's index is its position in the iterator, a span's its index in the
    /// trace.
    pub fn build<'a>(traces: impl IntoIterator<Item = &'a Trace>) -> OperationRanks {
        let traces: Vec<&Trace> = traces.into_iter().collect();
        let mut names = OperationNames::default();
        let mut trace_start = Vec::with_capacity(traces.len() + 1);
        // First the operation of each span (replaced by its position once the durations are sorted).
        let mut position: Vec<u32> = Vec::new();
        for t in &traces {
            trace_start.push(position.len());
            names.begin(t);
            position.extend(t.spans.iter().map(|s| names.operation_of(t, s)));
        }
        trace_start.push(position.len());
        let (offset, sorted) = rank_positions(&traces, &mut position, names.pairs.len());
        let (strings, pairs) = names.into_parts();
        OperationRanks {
            strings,
            pairs,
            trace_start,
            position,
            offset,
            sorted,
        }
    }

    /// The rank of span `span` of the `trace`-th trace; `None` when there is no such span.
    pub fn rank(&self, trace: usize, span: u32) -> Option<Rank> {
        let (op, p) = self.locate(trace, span)?;
        let (a, b) = (self.offset[op], self.offset[op + 1]);
        let calls = &self.sorted[a..b];
        let duration = self.sorted[p];
        let median_ns = calls[nearest_rank(calls.len(), 0.5) - 1];
        let p95_ns = calls[nearest_rank(calls.len(), 0.95) - 1];
        let at_or_below = (p + 1 - a) as u64;
        let count = calls.len() as u64;
        Some(Rank {
            percentile: (at_or_below * 100 / count) as u32,
            calls: count,
            median_ns,
            p95_ns,
            slow: count >= MIN_CALLS_TO_RANK
                && median_ns > 0
                && duration >= p95_ns
                && duration >= median_ns.saturating_mul(2),
        })
    }

    /// The (service, operation) names of span `span` of the `trace`-th trace.
    pub fn operation(&self, trace: usize, span: u32) -> Option<(&str, &str)> {
        let (op, _) = self.locate(trace, span)?;
        let (service, operation) = self.pairs[op];
        Some((self.strings.get(service), self.strings.get(operation)))
    }

    /// The detail panel's sentence for a span (see [`rank_sentence`]).
    pub fn sentence(&self, trace: usize, span: u32) -> Option<String> {
        let rank = self.rank(trace, span)?;
        let (service, operation) = self.operation(trace, span)?;
        let where_ = if self.trace_start.len() <= 2 {
            "this trace"
        } else {
            "this set"
        };
        Some(rank_sentence_in(&rank, service, operation, where_))
    }

    /// The number of distinct (service, operation) pairs in the set.
    pub fn operations(&self) -> usize {
        self.pairs.len()
    }

    /// The span's operation and its place in `sorted`.
    fn locate(&self, trace: usize, span: u32) -> Option<(usize, usize)> {
        let (start, end) = (
            *self.trace_start.get(trace)?,
            *self.trace_start.get(trace + 1)?,
        );
        let i = start.checked_add(span as usize).filter(|&i| i < end)?;
        let p = *self.position.get(i)?;
        if p == NO_POSITION || p as usize >= self.sorted.len() {
            return None;
        }
        let p = p as usize;
        // `offset[0]` is 0, so at least one offset is at or below `p`.
        let op = self.offset.partition_point(|&o| o <= p) - 1;
        Some((op, p))
    }
}

/// Sorts every span's duration among its operation's and replaces each span's operation in `ops` (`ops[i]` is span
/// `i`'s, counting through the traces in order) by its position: the index in the sorted durations of the last call of
/// its operation that took no longer. Returns `(offset, sorted)`: operation `k`'s durations, ascending, are
/// `sorted[offset[k]..offset[k + 1]]`.
fn rank_positions(traces: &[&Trace], ops: &mut [u32], operations: usize) -> (Vec<usize>, Vec<i64>) {
    let mut offset = vec![0usize; operations + 1];
    for &op in ops.iter() {
        offset[op as usize + 1] += 1;
    }
    for k in 0..operations {
        offset[k + 1] += offset[k];
    }
    // (duration, span) grouped by operation, then sorted within each group: equal durations end up side by side.
    let mut fill = offset.clone();
    let mut calls = vec![(0i64, 0u32); ops.len()];
    let spans = traces.iter().flat_map(|t| t.spans.iter());
    for (i, (&op, s)) in ops.iter().zip(spans).enumerate() {
        let slot = &mut fill[op as usize];
        calls[*slot] = (
            s.duration_ns.max(0),
            u32::try_from(i).unwrap_or(NO_POSITION),
        );
        *slot += 1;
    }
    for k in 0..operations {
        let group = &mut calls[offset[k]..offset[k + 1]];
        group.sort_unstable();
        // From the slowest down: every call of a run of equal durations gets the run's last index.
        let mut last = offset[k + 1];
        for j in (0..group.len()).rev() {
            if group.get(j + 1).is_some_and(|next| next.0 != group[j].0) {
                last = offset[k] + j + 1;
            }
            if let Some(slot) = ops.get_mut(group[j].1 as usize) {
                *slot = u32::try_from(last - 1).unwrap_or(NO_POSITION);
            }
        }
    }
    (offset, calls.into_iter().map(|(d, _)| d).collect())
}

/// "p97 of 1,204 calls of ledger-db INSERT ledger_entries in this set; median 12ms".
pub fn rank_sentence(rank: &Rank, service: &str, operation: &str) -> String {
    rank_sentence_in(rank, service, operation, "this set")
}

/// [`rank_sentence`] for a set of `where_` ("this set", or "this trace" when one trace is loaded).
pub fn rank_sentence_in(rank: &Rank, service: &str, operation: &str, where_: &str) -> String {
    let calls = if rank.calls == 1 { "call" } else { "calls" };
    format!(
        "p{} of {} {calls} of {service} {operation} in {where_}; median {}",
        rank.percentile,
        group_digits(rank.calls),
        format_duration(rank.median_ns as f64)
    )
}
