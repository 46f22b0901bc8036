//! A set of traces as the OpenTelemetry Collector's file exporter writes it: OTLP JSON Lines, one
//! ExportTraceServiceRequest per line, several traces on a line and one trace spread over two lines (spans are
//! exported as they end, so a child may come a line before its parent). The input is written out below and every
//! expected value is read from it by hand.

use stitch::analysis::analyze;
use stitch::formats::load;

/// 2025-11-20 14:00:00 UTC in ns: every time below is an offset from it.
const T0: i64 = 1_763_647_200_000_000_000;
const MS: i64 = 1_000_000;

const TRACE_A: &str = "0af7651916cd43dd8448eb211c80319c";
const TRACE_B: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACE_C: &str = "5b8efff798038103d269b633813fc60c";

/// One OTLP span; times are offsets from [`T0`] in ns; `error` sets status code 2.
fn span(
    trace: &str,
    id: &str,
    parent: &str,
    name: &str,
    from: i64,
    to: i64,
    error: bool,
) -> String {
    let status = if error {
        r#"{"code":2}"#
    } else {
        r#"{"code":0}"#
    };
    format!(
        r#"{{"traceId":"{trace}","spanId":"{id}","parentSpanId":"{parent}","name":"{name}","kind":2,"startTimeUnixNano":"{}","endTimeUnixNano":"{}","attributes":[],"events":[],"status":{status}}}"#,
        T0 + from,
        T0 + to
    )
}

/// One resource (a service) with its spans.
fn resource(service: &str, spans: &[String]) -> String {
    format!(
        r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},"scopeSpans":[{{"scope":{{"name":"set-test"}},"spans":[{}]}}]}}"#,
        spans.join(",")
    )
}

/// One line: one request with these resources.
fn line(resources: &[String]) -> String {
    format!(r#"{{"resourceSpans":[{}]}}"#, resources.join(","))
}

/// Trace A (POST /v1/charges, 3 spans, 3 services) has its two inner spans on line 1 and its root on line 2;
/// trace B (GET /v1/balance, 2 spans) has its root on line 1 and its failed query on line 2; trace C
/// (GET /v1/health, 1 span) is alone on line 3.
fn collector_file() -> String {
    let a1 = span(
        TRACE_A,
        "a000000000000001",
        "",
        "POST /v1/charges",
        0,
        10 * MS,
        false,
    );
    let a2 = span(
        TRACE_A,
        "a000000000000002",
        "a000000000000001",
        "charge",
        MS,
        9 * MS,
        false,
    );
    let a3 = span(
        TRACE_A,
        "a000000000000003",
        "a000000000000002",
        "INSERT ledger_entries",
        2 * MS,
        8 * MS,
        false,
    );
    let b1 = span(
        TRACE_B,
        "b000000000000001",
        "",
        "GET /v1/balance",
        1000 * MS,
        1003 * MS,
        false,
    );
    let b2 = span(
        TRACE_B,
        "b000000000000002",
        "b000000000000001",
        "SELECT balances",
        1001 * MS,
        1002 * MS,
        true,
    );
    let c1 = span(
        TRACE_C,
        "c000000000000001",
        "",
        "GET /v1/health",
        2000 * MS,
        2000 * MS + 300_000,
        false,
    );
    let lines = [
        line(&[
            resource("ledger-db", &[a3]),
            resource("payments", &[a2]),
            resource("api-gateway", &[b1]),
        ]),
        line(&[resource("api-gateway", &[a1]), resource("ledger-db", &[b2])]),
        line(&[resource("api-gateway", &[c1])]),
    ];
    lines.join("\n") + "\n"
}

#[test]
fn a_collector_file_gives_each_trace_whole() {
    let text = collector_file();
    let loaded = match load("set.jsonl", text.as_bytes()) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(loaded.format.id(), "otlp");
    // Three trace IDs in the file; A starts at T0, B at T0 + 1 s, C at T0 + 2 s.
    let ids: Vec<&str> = loaded.traces.iter().map(|t| t.trace_id.as_str()).collect();
    assert_eq!(ids, [TRACE_A, TRACE_B, TRACE_C]);
    let spans: Vec<usize> = loaded.traces.iter().map(|t| t.spans.len()).collect();
    assert_eq!(spans, [3, 2, 1]);
}

#[test]
fn a_trace_spread_over_two_lines_is_one_tree() {
    let text = collector_file();
    let mut traces = match load("set.jsonl", text.as_bytes()) {
        Ok(l) => l.traces.into_iter(),
        Err(e) => panic!("{e}"),
    };
    let Some(a) = traces.next().map(analyze) else {
        panic!("no trace read");
    };
    // Line 2's root holds line 1's spans: one root, three services, 0 to 10 ms, and the insert two levels down.
    assert_eq!(a.tree.roots.len(), 1);
    assert_eq!(a.trace.operation(a.tree.roots[0]), "POST /v1/charges");
    assert_eq!(a.trace.service_count(), 3);
    assert_eq!(a.duration_ns(), 10 * MS);
    let insert =
        (0..a.trace.spans.len() as u32).find(|&i| a.trace.operation(i) == "INSERT ledger_entries");
    let Some(insert) = insert else {
        panic!("the insert is missing");
    };
    assert_eq!(a.trace.service(insert), "ledger-db");
    assert_eq!(a.tree.depth[insert as usize], 2);
    assert!(a.trace.warning_counts.is_empty(), "{:?}", a.trace.warnings);

    // B: its root on line 1, its failed query on line 2: one root, one error, 3 ms.
    let Some(b) = traces.next().map(analyze) else {
        panic!("no second trace");
    };
    assert_eq!(b.tree.roots.len(), 1);
    assert_eq!(b.trace.error_count(), 1);
    assert_eq!(b.duration_ns(), 3 * MS);
}
