//! Every span event (OTLP events, Jaeger logs, Zipkin annotations) of a trace, in time order: what the events table
//! lists. One pass over the spans and one sort, never a walk of the tree.

use crate::model::Trace;

/// One event of a trace: whose it is, which it is, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// The span that holds it.
    pub span: u32,
    /// Its index in `trace.events`.
    pub event: u32,
    /// When it happened, ns since the trace start (`start_ns`); negative for an event written before it.
    pub time_ns: i64,
}

/// All events of `trace` in time order, times relative to `start_ns` (the trace start, ns since the epoch). Events at
/// the same time keep the order of their spans, then the order their span lists them in.
pub fn in_time_order(trace: &Trace, start_ns: i64) -> Vec<TraceEvent> {
    let mut out = Vec::with_capacity(trace.events.len());
    for (i, s) in trace.spans.iter().enumerate() {
        let Some(events) = trace.events.get(s.events.range()) else {
            continue;
        };
        for (k, e) in events.iter().enumerate() {
            out.push(TraceEvent {
                span: i as u32,
                event: s.events.start + k as u32,
                time_ns: e.time_ns.saturating_sub(start_ns),
            });
        }
    }
    out.sort_unstable_by_key(|e| (e.time_ns, e.span, e.event));
    out
}

/// How many events the spans of `trace` hold (what the **Events** button counts), without sorting them.
pub fn count(trace: &Trace) -> usize {
    trace
        .spans
        .iter()
        .filter(|s| trace.events.get(s.events.range()).is_some())
        .map(|s| s.events.len())
        .sum()
}
