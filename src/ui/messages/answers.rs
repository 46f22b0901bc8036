//! The answers to host pages' questions: `stitch:analysis` for one trace or for the whole loaded file, and
//! `stitch:comparison` for two traces. Plain records built from the core's analyses; times in µs.
//!
//! Who may ask is decided before any of these is built (`crate::access`); nothing here checks it.

use serde::Serialize;

use crate::analysis::compare::{compare, difference_records, Side};
use crate::analysis::member::Member;
use crate::analysis::set::set_insight;
use crate::analysis::stats::{self, contributors, GroupBy, StatRow};
use crate::analysis::Analyzed;
use crate::model::Sym;
use crate::ui::embed::export_span_id;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Section {
    span_id: String,
    start_us: i64,
    end_us: i64,
}

/// Critical-path time of one service and operation.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Contributor {
    service: String,
    operation: String,
    critical_us: i64,
    share: f64,
}

/// One row of the statistics table.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stat {
    service: String,
    operation: String,
    count: u64,
    total_us: i64,
    self_us: i64,
    avg_us: i64,
    min_us: i64,
    max_us: i64,
    p95_us: i64,
    errors: u64,
}

/// A contributor's record, its names read with `name`.
fn contributor_record(c: &stats::Contributor, name: &dyn Fn(Sym) -> String) -> Contributor {
    Contributor {
        service: name(c.service),
        operation: c.operation.map(name).unwrap_or_default(),
        critical_us: c.critical_ns / 1000,
        share: c.share,
    }
}

/// A statistics row's record, its names read with `name`.
fn stat_record(r: &StatRow, name: &dyn Fn(Sym) -> String) -> Stat {
    Stat {
        service: name(r.service),
        operation: r.operation.map(name).unwrap_or_default(),
        count: r.count,
        total_us: r.total_ns / 1000,
        self_us: r.self_ns / 1000,
        avg_us: r.avg_ns() / 1000,
        min_us: r.min_ns / 1000,
        max_us: r.max_ns / 1000,
        p95_us: r.p95_ns / 1000,
        errors: r.errors,
    }
}

/// The `stitch:analysis` message for one trace.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Analysis {
    r#type: &'static str,
    scope: &'static str,
    trace_id: String,
    duration_us: i64,
    critical_path: Vec<Section>,
    summary: String,
    contributors: Vec<Contributor>,
    stats: Vec<Stat>,
}

/// `stitch:analysis` for one analysed trace.
pub(super) fn analysis(a: &Analyzed) -> Analysis {
    let t = &a.trace;
    let name = |s: Sym| t.sym(s).to_string();
    Analysis {
        r#type: "stitch:analysis",
        scope: "trace",
        trace_id: t.trace_id.clone(),
        duration_us: a.duration_ns() / 1000,
        critical_path: a
            .path
            .iter()
            .map(|s| Section {
                span_id: export_span_id(a, s.span),
                start_us: s.start_ns.div_euclid(1000),
                end_us: s.end_ns.div_euclid(1000),
            })
            .collect(),
        summary: a.summary.sentence.clone(),
        contributors: contributors(t, &a.crit_ns, GroupBy::Both)
            .iter()
            .map(|c| contributor_record(c, &name))
            .collect(),
        stats: stats::stats(t, &a.self_ns, GroupBy::Both)
            .iter()
            .map(|r| stat_record(r, &name))
            .collect(),
    }
}

/// Nearest-rank percentiles of the traces' main root durations, µs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Latency {
    p50_us: i64,
    p90_us: i64,
    p99_us: i64,
}

/// The `stitch:analysis` message for every trace of the loaded file (`scope: "set"`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SetAnalysis {
    r#type: &'static str,
    scope: &'static str,
    traces: usize,
    summary: String,
    contributors: Vec<Contributor>,
    stats: Vec<Stat>,
    latency: Latency,
}

/// `stitch:analysis` over `traces` (each needs only its tree, so no trace is opened for it).
pub(super) fn set_analysis(traces: &[Member]) -> SetAnalysis {
    let insight = set_insight(traces.iter().map(|m| (m.trace(), m.tree())));
    let name = |s: Sym| insight.strings.get(s).to_string();
    SetAnalysis {
        r#type: "stitch:analysis",
        scope: "set",
        traces: insight.traces,
        summary: insight.sentence.clone(),
        contributors: insight
            .by_operation
            .iter()
            .map(|c| contributor_record(c, &name))
            .collect(),
        stats: insight
            .stats
            .iter()
            .map(|r| stat_record(r, &name))
            .collect(),
        latency: Latency {
            p50_us: insight.latency.p50_ns / 1000,
            p90_us: insight.latency.p90_ns / 1000,
            p99_us: insight.latency.p99_ns / 1000,
        },
    }
}

/// One difference between two traces; `only` is `"a"` or `"b"` for a span in one trace alone, absent otherwise.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Difference {
    service: String,
    operation: String,
    a_us: f64,
    b_us: f64,
    a_self_us: f64,
    b_self_us: f64,
    delta_us: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    only: Option<&'static str>,
}

/// The `stitch:comparison` message.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Comparison {
    r#type: &'static str,
    a: String,
    b: String,
    delta_us: f64,
    summary: String,
    differences: Vec<Difference>,
}

/// `stitch:comparison` of A (the normal trace) with B (the one to explain): the differences largest first.
pub(super) fn comparison(a: &Analyzed, b: &Analyzed) -> Comparison {
    let c = compare(a, b);
    let differences = difference_records(a, b, &c)
        .into_iter()
        .map(|d| Difference {
            service: d.service,
            operation: d.operation,
            a_us: d.a_us,
            b_us: d.b_us,
            a_self_us: d.a_self_us,
            b_self_us: d.b_self_us,
            delta_us: d.delta_us,
            only: d.only.map(|side| match side {
                Side::A => "a",
                Side::B => "b",
            }),
        })
        .collect();
    Comparison {
        r#type: "stitch:comparison",
        a: a.trace.trace_id.clone(),
        b: b.trace.trace_id.clone(),
        delta_us: c.delta_ns as f64 / 1000.0,
        summary: c.summary,
        differences,
    }
}
