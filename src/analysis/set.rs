//! Where the time went across a set of traces (a whole loaded file, or any subset of it): critical-path time per
//! service and per operation summed over the traces, the statistics table over all their spans, the latency of their
//! roots, and one sentence.
//!
//! Every trace has its own interner, so the set names services and operations in its own ([`SetInsight::strings`]):
//! each trace's distinct names are looked up once ([`OperationNames`]), never once per span. Only the tree of each
//! trace is needed (`analysis::prepare`), not the full per-trace analysis.

use super::critical::{critical_path, main_root, self_times};
use super::stats::{percentile, Contributor, GroupBy, StatRow};
use super::tree::{Tree, NONE};
use crate::model::{FxHashMap, Interner, Span, Sym, Trace};
use crate::text::group_digits;

/// The (service, operation) pairs of a set of traces, named in the set's own interner. Call [`begin`] before the
/// spans of each trace.
///
/// [`begin`]: OperationNames::begin
#[derive(Debug, Default)]
pub(crate) struct OperationNames {
    pub(crate) strings: Interner,
    /// Each operation's (service, operation), by operation index.
    pub(crate) pairs: Vec<(Sym, Sym)>,
    index: FxHashMap<(Sym, Sym), u32>,
    /// The current trace's `Sym`s to the set's ([`NONE`] until first met).
    sym_map: Vec<Sym>,
    /// By the current trace's operation `Sym`: the last service `Sym` met with it and their operation index. An
    /// operation name nearly always comes with one service, so most spans need no hash.
    last_pair: Vec<(Sym, u32)>,
}

impl OperationNames {
    /// Starts on the spans of `trace`.
    pub(crate) fn begin(&mut self, trace: &Trace) {
        self.sym_map.clear();
        self.sym_map.resize(trace.strings.len(), NONE);
        self.last_pair.clear();
        self.last_pair.resize(trace.strings.len(), (NONE, NONE));
    }

    /// The set's `Sym` for the current trace's `sym`.
    pub(crate) fn name(&mut self, trace: &Trace, sym: Sym) -> Sym {
        match self.sym_map.get(sym as usize) {
            Some(&s) if s != NONE => s,
            _ => {
                let s = self.strings.intern(trace.sym(sym));
                if let Some(slot) = self.sym_map.get_mut(sym as usize) {
                    *slot = s;
                }
                s
            }
        }
    }

    /// The operation index of a span of the current trace.
    pub(crate) fn operation_of(&mut self, trace: &Trace, span: &Span) -> u32 {
        if let Some(&(service, op)) = self.last_pair.get(span.operation as usize) {
            if service == span.service && op != NONE {
                return op;
            }
        }
        let key = (
            self.name(trace, span.service),
            self.name(trace, span.operation),
        );
        let pairs = &mut self.pairs;
        let op = *self.index.entry(key).or_insert_with(|| {
            pairs.push(key);
            (pairs.len() - 1) as u32
        });
        if let Some(slot) = self.last_pair.get_mut(span.operation as usize) {
            *slot = (span.service, op);
        }
        op
    }

    pub(crate) fn into_parts(self) -> (Interner, Vec<(Sym, Sym)>) {
        (self.strings, self.pairs)
    }
}

/// Nearest-rank percentiles of the main root's duration over the traces, ns (0 when no trace has a root).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    pub p50_ns: i64,
    pub p90_ns: i64,
    pub p99_ns: i64,
}

/// Where the time went across a set of traces.
#[derive(Clone, Debug)]
pub struct SetInsight {
    /// How many traces the set has.
    pub traces: usize,
    /// The set's names: every `Sym` below refers to them.
    pub strings: Interner,
    /// Critical-path time per service, summed over the traces, largest first; shares are of the summed critical-path
    /// time of all the traces. Services with none are left out.
    pub by_service: Vec<Contributor>,
    /// The same per (service, operation).
    pub by_operation: Vec<Contributor>,
    /// The statistics table over every span of the set, grouped by service and operation ([`GroupBy::Both`]).
    pub stats: Vec<StatRow>,
    /// The main root's duration: p50, p90, p99.
    pub latency: Latency,
    /// "Across 1,850 POST /v1/charges traces, 58% of critical-path time is ledger-db: INSERT ledger_entries".
    pub sentence: String,
    stats_by_service: Vec<StatRow>,
    stats_by_name: Vec<StatRow>,
}

impl SetInsight {
    /// The statistics table grouped `by` service, operation name (across services: the service shown is the one with
    /// the most calls of it), or both; sorted by total time, largest first, then by name.
    pub fn stats_by(&self, by: GroupBy) -> &[StatRow] {
        match by {
            GroupBy::Both => &self.stats,
            GroupBy::Service => &self.stats_by_service,
            GroupBy::Operation => &self.stats_by_name,
        }
    }
}

/// What is summed per (service, operation) over the set.
#[derive(Clone, Debug, Default)]
struct OperationTotals {
    calls: u64,
    total_ns: i64,
    self_ns: i64,
    min_ns: i64,
    max_ns: i64,
    errors: u64,
    critical_ns: i64,
    durations: Vec<i64>,
}

/// The running sums of [`set_insight`].
#[derive(Default)]
struct SetTotals {
    names: OperationNames,
    ops: Vec<OperationTotals>,
    traces: usize,
    root_durations: Vec<i64>,
    /// The set's name of the operation of every main root so far, while all are the same and every trace has one.
    root_name: Option<Sym>,
    /// The current trace's operation index per span.
    span_ops: Vec<u32>,
}

impl SetTotals {
    /// Adds one trace: its spans to the statistics, its main root's critical path to the contributors.
    fn add(&mut self, trace: &Trace, tree: &Tree) {
        self.traces += 1;
        self.names.begin(trace);
        let self_ns = self_times(trace, tree);
        self.span_ops.clear();
        for (i, s) in trace.spans.iter().enumerate() {
            let op = self.names.operation_of(trace, s) as usize;
            self.span_ops.push(op as u32);
            if op == self.ops.len() {
                self.ops.push(OperationTotals {
                    min_ns: i64::MAX,
                    max_ns: i64::MIN,
                    ..OperationTotals::default()
                });
            }
            let (o, d) = (&mut self.ops[op], s.duration_ns.max(0));
            o.calls += 1;
            o.total_ns = o.total_ns.saturating_add(d);
            o.self_ns = o.self_ns.saturating_add(self_ns[i]);
            o.min_ns = o.min_ns.min(d);
            o.max_ns = o.max_ns.max(d);
            o.errors += u64::from(s.is_error());
            o.durations.push(d);
        }
        let root = main_root(trace, tree);
        let root_name = root.map(|r| self.names.name(trace, trace.spans[r as usize].operation));
        self.root_name = match (self.traces, self.root_name, root_name) {
            (1, _, name) => name,
            (_, Some(before), Some(name)) if before == name => Some(name),
            _ => None,
        };
        let Some(root) = root else { return };
        self.root_durations
            .push(trace.spans[root as usize].duration_ns.max(0));
        // The same sums as `critical::critical_time`, without a vector as long as the trace.
        for section in critical_path(trace, tree, root) {
            let op = self.span_ops[section.span as usize] as usize;
            let c = &mut self.ops[op].critical_ns;
            *c = c.saturating_add(section.end_ns - section.start_ns);
        }
    }
}

/// Critical-path contributors, statistics, root latency and the sentence over `traces` (each with its tree from
/// `analysis::prepare`). Per trace it takes the main root (`critical::main_root`), its critical path and every
/// span's self time, as the single-trace analysis does.
pub fn set_insight<'a>(traces: impl IntoIterator<Item = (&'a Trace, &'a Tree)>) -> SetInsight {
    let mut totals = SetTotals::default();
    for (trace, tree) in traces {
        totals.add(trace, tree);
    }
    let SetTotals {
        names,
        mut ops,
        traces,
        mut root_durations,
        root_name,
        ..
    } = totals;
    let (strings, pairs) = names.into_parts();
    let critical_total = ops
        .iter()
        .fold(0i64, |sum, o| sum.saturating_add(o.critical_ns));
    let by_operation = contributors(&strings, &pairs, &ops, critical_total, GroupBy::Both);
    let by_service = contributors(&strings, &pairs, &ops, critical_total, GroupBy::Service);
    let latency = Latency {
        p50_ns: percentile(&mut root_durations, 0.5),
        p90_ns: percentile(&mut root_durations, 0.9),
        p99_ns: percentile(&mut root_durations, 0.99),
    };
    let sentence = set_sentence(
        traces,
        root_name.map(|s| strings.get(s)),
        by_operation.first().map(|c| (c, &strings)),
        critical_total,
    );
    let stats = stat_rows(&strings, &pairs, &mut ops, GroupBy::Both);
    let stats_by_service = stat_rows(&strings, &pairs, &mut ops, GroupBy::Service);
    let stats_by_name = stat_rows(&strings, &pairs, &mut ops, GroupBy::Operation);
    SetInsight {
        traces,
        strings,
        by_service,
        by_operation,
        stats,
        latency,
        sentence,
        stats_by_service,
        stats_by_name,
    }
}

/// The group of operation `op` under `by`: its service, its name, or both (`NONE` for the part not grouped by).
fn group_key(pairs: &[(Sym, Sym)], op: usize, by: GroupBy) -> (Sym, Sym) {
    let (service, operation) = pairs[op];
    match by {
        GroupBy::Service => (service, NONE),
        GroupBy::Operation => (NONE, operation),
        GroupBy::Both => (service, operation),
    }
}

/// Orders rows or contributors: the larger amount first, then by service and operation name.
fn by_amount_then_name(
    strings: &Interner,
    (a, a_service, a_op): (i64, Sym, Option<Sym>),
    (b, b_service, b_op): (i64, Sym, Option<Sym>),
) -> std::cmp::Ordering {
    let name = |service: Sym, op: Option<Sym>| (strings.get(service), op.map(|o| strings.get(o)));
    b.cmp(&a)
        .then_with(|| name(a_service, a_op).cmp(&name(b_service, b_op)))
}

/// Critical-path time per service (`by == Service`) or per (service, operation), largest first; shares of `total`.
fn contributors(
    strings: &Interner,
    pairs: &[(Sym, Sym)],
    ops: &[OperationTotals],
    total: i64,
    by: GroupBy,
) -> Vec<Contributor> {
    let mut index: FxHashMap<(Sym, Sym), usize> = FxHashMap::default();
    let mut out: Vec<Contributor> = Vec::new();
    for (op, o) in ops.iter().enumerate() {
        if o.critical_ns <= 0 {
            continue;
        }
        let key = group_key(pairs, op, by);
        let k = *index.entry(key).or_insert_with(|| {
            out.push(Contributor {
                service: pairs[op].0,
                operation: (by != GroupBy::Service).then_some(pairs[op].1),
                critical_ns: 0,
                share: 0.0,
            });
            out.len() - 1
        });
        out[k].critical_ns = out[k].critical_ns.saturating_add(o.critical_ns);
    }
    for c in &mut out {
        c.share = if total > 0 {
            c.critical_ns as f64 / total as f64
        } else {
            0.0
        };
    }
    out.sort_by(|x, y| {
        by_amount_then_name(
            strings,
            (x.critical_ns, x.service, x.operation),
            (y.critical_ns, y.service, y.operation),
        )
    });
    out
}

/// The statistics table grouped `by`, as `stats::stats` makes it for one trace. Grouped by operation name, a row
/// shows the service with the most calls of that name (the first met on a tie).
fn stat_rows(
    strings: &Interner,
    pairs: &[(Sym, Sym)],
    ops: &mut [OperationTotals],
    by: GroupBy,
) -> Vec<StatRow> {
    let mut index: FxHashMap<(Sym, Sym), usize> = FxHashMap::default();
    let mut rows: Vec<StatRow> = Vec::new();
    // Per row: its durations, and the calls of the operation whose service it shows.
    let mut durations: Vec<Vec<i64>> = Vec::new();
    let mut shown_calls: Vec<u64> = Vec::new();
    for (op, o) in ops.iter_mut().enumerate() {
        let (service, operation) = pairs[op];
        let r = *index.entry(group_key(pairs, op, by)).or_insert_with(|| {
            rows.push(StatRow::empty(
                service,
                (by != GroupBy::Service).then_some(operation),
            ));
            durations.push(Vec::new());
            shown_calls.push(0);
            rows.len() - 1
        });
        let row = &mut rows[r];
        if o.calls > shown_calls[r] {
            row.service = service;
            shown_calls[r] = o.calls;
        }
        row.count += o.calls;
        row.total_ns = row.total_ns.saturating_add(o.total_ns);
        row.self_ns = row.self_ns.saturating_add(o.self_ns);
        row.min_ns = row.min_ns.min(o.min_ns);
        row.max_ns = row.max_ns.max(o.max_ns);
        row.errors += o.errors;
        if by == GroupBy::Both {
            // One operation per row: its own durations, not a copy.
            row.p95_ns = percentile(&mut o.durations, 0.95);
        } else {
            durations[r].extend_from_slice(&o.durations);
        }
    }
    if by != GroupBy::Both {
        for (row, d) in rows.iter_mut().zip(durations.iter_mut()) {
            row.p95_ns = percentile(d, 0.95);
        }
    }
    rows.sort_by(|x, y| {
        by_amount_then_name(
            strings,
            (x.total_ns, x.service, x.operation),
            (y.total_ns, y.service, y.operation),
        )
    });
    rows
}

/// "Across 1,850 POST /v1/charges traces, 58% of critical-path time is ledger-db: INSERT ledger_entries": the root
/// operation named when every trace's root has the same one; the top contributor with its rounded share.
fn set_sentence(
    traces: usize,
    root_name: Option<&str>,
    top: Option<(&Contributor, &Interner)>,
    critical_total: i64,
) -> String {
    if traces == 0 {
        return "No traces to compare.".to_string();
    }
    let noun = if traces == 1 { "trace" } else { "traces" };
    let what = match root_name {
        Some(name) if !name.is_empty() => format!("{} {name} {noun}", group_digits(traces as u64)),
        _ => format!("{} {noun}", group_digits(traces as u64)),
    };
    match top {
        Some((c, strings)) if critical_total > 0 => {
            let pct = (i128::from(c.critical_ns) * 200 + i128::from(critical_total))
                / (2 * i128::from(critical_total));
            let op = c.operation.map(|o| strings.get(o)).unwrap_or("");
            format!(
                "Across {what}, {pct}% of critical-path time is {}: {op}",
                strings.get(c.service)
            )
        }
        _ => format!("Across {what}, the critical paths have no measurable duration."),
    }
}
