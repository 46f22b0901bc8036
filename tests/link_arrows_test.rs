//! The arrows of a span's links and FOLLOWS_FROM references, on traces written by hand.
//!
//! OTLP, trace A (times in ms from its start, one service per resource): worker "consume batch" 0–100 (a1), with
//! children queue "enqueue" 0–5 (a2), worker "fetch" 10–20 (a3) and worker "process" 30–90 (a4), whose child worker
//! "write" 40–60 (a5). "process" links to "enqueue", to span b1 of trace B (in the same file) and to span ff of
//! trace A, which the file does not hold; "write" links to "fetch". Trace B: queue "publish" 0–3 (b1).
//!
//! Jaeger, trace j1 (µs): web "checkout" 0–1000 (c), its child web "audit" 100–200 (a), and mail "send email"
//! 1200–1500 (m), which FOLLOWS_FROM checkout (its parent) and FOLLOWS_FROM audit (a link).

use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;
use stitch::layout::geometry::Frame;
use stitch::layout::link_arrows::{
    end_rows, find_span, place_arrows, Edge, EndRow, InView, LinkIndex,
};
use stitch::layout::{rows, RowView, TimeWindow};

const A: &str = "0af7651916cd43dd8448eb211c80319c";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn otlp_span(id: &str, parent: &str, name: &str, from_ms: u64, to_ms: u64, links: &str) -> String {
    let t0: u64 = 1_700_000_000_000_000_000;
    format!(
        r#"{{"traceId": "{A}", "spanId": "{id}", "parentSpanId": "{parent}", "name": "{name}",
            "startTimeUnixNano": "{}", "endTimeUnixNano": "{}", "links": [{links}]}}"#,
        t0 + from_ms * 1_000_000,
        t0 + to_ms * 1_000_000
    )
}

fn resource(service: &str, spans: &[String]) -> String {
    format!(
        r#"{{"resource": {{"attributes": [{{"key": "service.name", "value": {{"stringValue": "{service}"}}}}]}},
            "scopeSpans": [{{"scope": {{}}, "spans": [{}]}}]}}"#,
        spans.join(",")
    )
}

fn otlp_file() -> String {
    let link = |trace: &str, span: &str| format!(r#"{{"traceId": "{trace}", "spanId": "{span}"}}"#);
    let process_links = [
        link(A, "00000000000000a2"),
        link(B, "00000000000000b1"),
        link(A, "00000000000000ff"),
    ]
    .join(",");
    let worker = [
        otlp_span("00000000000000a1", "", "consume batch", 0, 100, ""),
        otlp_span("00000000000000a3", "00000000000000a1", "fetch", 10, 20, ""),
        otlp_span(
            "00000000000000a4",
            "00000000000000a1",
            "process",
            30,
            90,
            &process_links,
        ),
        otlp_span(
            "00000000000000a5",
            "00000000000000a4",
            "write",
            40,
            60,
            &link(A, "00000000000000a3"),
        ),
    ];
    let queue = [otlp_span(
        "00000000000000a2",
        "00000000000000a1",
        "enqueue",
        0,
        5,
        "",
    )];
    let publish = otlp_span("00000000000000b1", "", "publish", 0, 3, "").replace(A, B);
    format!(
        r#"{{"resourceSpans": [{}, {}, {}]}}"#,
        resource("worker", &worker),
        resource("queue", &queue),
        resource("queue", &[publish])
    )
}

const JAEGER: &str = r#"{"data": [{"traceID": "j1",
  "processes": {"web": {"serviceName": "web"}, "mail": {"serviceName": "mail"}},
  "spans": [
    {"traceID": "j1", "spanID": "c", "operationName": "checkout", "startTime": 1000000, "duration": 1000, "processID": "web"},
    {"traceID": "j1", "spanID": "a", "operationName": "audit", "startTime": 1000100, "duration": 100, "processID": "web",
     "references": [{"refType": "CHILD_OF", "traceID": "j1", "spanID": "c"}]},
    {"traceID": "j1", "spanID": "m", "operationName": "send email", "startTime": 1001200, "duration": 300, "processID": "mail",
     "references": [{"refType": "FOLLOWS_FROM", "traceID": "j1", "spanID": "c"},
                    {"refType": "FOLLOWS_FROM", "traceID": "j1", "spanID": "a"}]}
  ]}]}"#;

/// Both traces of the OTLP file: A analysed, and B as read.
fn otlp() -> (Analyzed, stitch::model::Trace) {
    let l = load("links.json", otlp_file().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mut traces = l.traces;
    assert_eq!(traces.len(), 2);
    let a = traces
        .iter()
        .position(|t| t.trace_id == A)
        .expect("trace A");
    let ta = traces.remove(a);
    (analyze(ta), traces.remove(0))
}

fn span(a: &Analyzed, id: &str) -> u32 {
    find_span(&a.trace, id).unwrap_or_else(|| panic!("no span {id}"))
}

/// 1,000 px of timeline over trace A's 100 ms: 10 px a millisecond.
fn frame(a: &Analyzed) -> Frame {
    Frame {
        width: 1012.0,
        name_w: 0.0,
        window: TimeWindow::full(a.duration_ns()),
    }
}

#[test]
fn links_within_the_trace_become_edges_and_the_rest_do_not() {
    let (a, b) = otlp();
    let idx = LinkIndex::build(&a);
    let (process, enqueue, fetch, write) = (
        span(&a, "00000000000000a4"),
        span(&a, "00000000000000a2"),
        span(&a, "00000000000000a3"),
        span(&a, "00000000000000a5"),
    );
    let edge = |from, to| Edge {
        from,
        to,
        parent: false,
    };
    // "process" holds one link into the trace; "enqueue" is named by it; "write" links to "fetch".
    assert_eq!(idx.edges_of(process), vec![edge(process, enqueue)]);
    assert_eq!(idx.edges_of(enqueue), vec![edge(process, enqueue)]);
    assert_eq!(idx.edges_of(write), vec![edge(write, fetch)]);
    assert_eq!(idx.edges_of(span(&a, "00000000000000a1")), vec![]);
    // The span panel's targets: process's three links, then write's one.
    let first = a.trace.spans[process as usize].links.start as usize;
    assert_eq!(idx.target(first), Some(enqueue));
    assert_eq!(idx.target(first + 1), None, "span b1 is in trace B");
    assert_eq!(idx.target(first + 2), None, "span ff is in no file");
    let w = a.trace.spans[write as usize].links.start as usize;
    assert_eq!(idx.target(w), Some(fetch));
    // Trace B holds b1 (what the panel opens), and neither trace holds ff.
    assert_eq!(find_span(&b, "00000000000000b1"), Some(0));
    assert_eq!(find_span(&b, "00000000000000ff"), None);
    assert_eq!(find_span(&a.trace, "00000000000000ff"), None);
}

#[test]
fn a_jaeger_follows_from_parent_and_a_second_reference_are_both_arrows() {
    let mut l = load("j.json", JAEGER.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let a = analyze(l.traces.remove(0));
    let idx = LinkIndex::build(&a);
    let (c, audit, m) = (span(&a, "c"), span(&a, "a"), span(&a, "m"));
    assert_eq!(
        idx.edges_of(m),
        vec![
            Edge {
                from: m,
                to: c,
                parent: true
            },
            Edge {
                from: m,
                to: audit,
                parent: false
            },
        ]
    );
    // A CHILD_OF parent is no arrow: the tree already draws it.
    assert_eq!(
        idx.edges_of(audit),
        vec![Edge {
            from: m,
            to: audit,
            parent: false
        }]
    );
}

#[test]
fn an_arrow_runs_from_the_linking_bar_to_the_linked_bar() {
    let (a, _) = otlp();
    let idx = LinkIndex::build(&a);
    let (process, enqueue) = (span(&a, "00000000000000a4"), span(&a, "00000000000000a2"));
    let shown = rows(&a, &RowView::default());
    // Rows: consume batch, enqueue, fetch, process, write (children by start).
    let ends = end_rows(&a, &shown, &[process, enqueue]);
    assert_eq!(
        ends,
        vec![
            EndRow {
                span: process,
                row: 3,
                exact: true
            },
            EndRow {
                span: enqueue,
                row: 1,
                exact: true
            },
        ]
    );
    let edges = idx.edges_of(process);
    let all = InView {
        top: 0.0,
        bottom: 600.0,
    };
    let arrows = place_arrows(&a, &edges, &ends, &frame(&a), all);
    assert_eq!(arrows.len(), 1);
    // From process's start (30 ms: 300 px) on row 3 (centre 3 × 26 + 13) to the end of enqueue's bar (5 ms: 50 px),
    // the nearest point of it, on row 1.
    assert_eq!(arrows[0].from, (300.0, 91.0));
    assert_eq!(arrows[0].to, (50.0, 39.0));
    assert!(
        arrows[0].path.starts_with("M300.0 91.0C"),
        "{}",
        arrows[0].path
    );
    assert!(arrows[0].path.ends_with(",50.0 39.0"), "{}", arrows[0].path);
    assert!(arrows[0].labels.is_empty(), "both rows are in view");
}

#[test]
fn an_end_out_of_view_goes_to_the_edge_with_a_label() {
    let (a, _) = otlp();
    let idx = LinkIndex::build(&a);
    let (process, enqueue) = (span(&a, "00000000000000a4"), span(&a, "00000000000000a2"));
    let shown = rows(&a, &RowView::default());
    let ends = end_rows(&a, &shown, &[process, enqueue]);
    let edges = idx.edges_of(process);
    // Scrolled so that enqueue's row (centre 39) is above the view: the arrow ends 6 px inside its top.
    let arrows = place_arrows(
        &a,
        &edges,
        &ends,
        &frame(&a),
        InView {
            top: 60.0,
            bottom: 200.0,
        },
    );
    assert_eq!(arrows.len(), 1);
    assert_eq!(arrows[0].to, (50.0, 66.0));
    let label = &arrows[0].labels;
    assert_eq!(label.len(), 1);
    assert_eq!(label[0].text, "↑ queue: enqueue");
    assert_eq!(
        (label[0].x, label[0].y, label[0].anchor),
        (58.0, 70.0, "start")
    );
    // Both ends above the view: nothing is drawn.
    let none = place_arrows(
        &a,
        &edges,
        &ends,
        &frame(&a),
        InView {
            top: 100.0,
            bottom: 300.0,
        },
    );
    assert!(none.is_empty());
}

#[test]
fn a_folded_end_goes_to_its_nearest_shown_ancestor() {
    let (a, _) = otlp();
    let idx = LinkIndex::build(&a);
    let (process, write, fetch) = (
        span(&a, "00000000000000a4"),
        span(&a, "00000000000000a5"),
        span(&a, "00000000000000a3"),
    );
    let mut collapsed = vec![false; a.trace.spans.len()];
    collapsed[process as usize] = true;
    let shown = rows(
        &a,
        &RowView {
            collapsed: &collapsed,
            ..RowView::default()
        },
    );
    assert_eq!(shown.len(), 4, "write is hidden under process");
    let ends = end_rows(&a, &shown, &[write, fetch]);
    assert_eq!(
        ends,
        vec![
            EndRow {
                span: write,
                row: 3,
                exact: false
            },
            EndRow {
                span: fetch,
                row: 2,
                exact: true
            },
        ]
    );
    let arrows = place_arrows(
        &a,
        &idx.edges_of(write),
        &ends,
        &frame(&a),
        InView {
            top: 0.0,
            bottom: 600.0,
        },
    );
    assert_eq!(arrows.len(), 1);
    // From write's start (40 ms) on process's row to the end of fetch's bar (20 ms), on fetch's row.
    assert_eq!(arrows[0].from, (400.0, 91.0));
    assert_eq!(arrows[0].to, (200.0, 65.0));
    let texts: Vec<&str> = arrows[0].labels.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["worker: write (folded here)"]);
    // Outside a focus, an end has no row at all, and its arrow is left out.
    let focused = rows(
        &a,
        &RowView {
            focus: Some(process),
            ..RowView::default()
        },
    );
    let ends = end_rows(&a, &focused, &[write, fetch]);
    assert_eq!(ends.len(), 1);
    assert!(place_arrows(
        &a,
        &idx.edges_of(write),
        &ends,
        &frame(&a),
        InView {
            top: 0.0,
            bottom: 600.0
        }
    )
    .is_empty());
}
