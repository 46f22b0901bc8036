//! Focus on a subtree and the span table, on a checkout written by hand. Times in µs from the trace start:
//! checkout 0–1000 (web); auth 0–50 (auth, an error); payment 100–600 (payments), with db 150–300 (postgres, a
//! client call to postgresql, on host db-7) and bank 320–580 (payments), whose tls 330–340 (payments); email 700–800
//! (mail).

use stitch::analysis::stats::{stats, stats_of, GroupBy};
use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;
use stitch::layout::focus::{breadcrumb, focus_window, in_subtree, subtree_spans};
use stitch::layout::span_table::{listed_spans, sort_spans, span_cells, SpanColumn, SpanOrder};
use stitch::layout::trace_views::TraceView;
use stitch::layout::{rows_text, RowView};

const CHECKOUT: &str = r#"{"data": [{"traceID": "t1",
  "processes": {"web": {"serviceName": "web"}, "auth": {"serviceName": "auth"}, "pay": {"serviceName": "payments"},
                "pg": {"serviceName": "postgres", "tags": [{"key": "hostname", "type": "string", "value": "db-7"}]}, "mail": {"serviceName": "mail"}},
  "spans": [
    {"traceID": "t1", "spanID": "c", "operationName": "POST /checkout", "startTime": 1000000, "duration": 1000, "processID": "web"},
    {"traceID": "t1", "spanID": "a", "operationName": "verify", "startTime": 1000000, "duration": 50, "processID": "auth",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "c"}], "tags": [{"key": "error", "type": "bool", "value": true}]},
    {"traceID": "t1", "spanID": "p", "operationName": "charge", "startTime": 1000100, "duration": 500, "processID": "pay",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "c"}]},
    {"traceID": "t1", "spanID": "d", "operationName": "SELECT card", "startTime": 1000150, "duration": 150, "processID": "pg",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "p"}], "tags": [{"key": "span.kind", "type": "string", "value": "client"},
              {"key": "db.system", "type": "string", "value": "postgresql"}]},
    {"traceID": "t1", "spanID": "b", "operationName": "call bank", "startTime": 1000320, "duration": 260, "processID": "pay",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "p"}]},
    {"traceID": "t1", "spanID": "s", "operationName": "tls handshake", "startTime": 1000330, "duration": 10, "processID": "pay",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "b"}]},
    {"traceID": "t1", "spanID": "e", "operationName": "send receipt", "startTime": 1000700, "duration": 100, "processID": "mail",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "c"}]}
  ]}]}"#;

fn trace() -> Analyzed {
    let mut l = load("checkout.json", CHECKOUT.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    analyze(l.traces.remove(0))
}

fn span(a: &Analyzed, id: &str) -> u32 {
    (0..a.trace.spans.len() as u32)
        .find(|&i| a.trace.span_id(i) == id)
        .unwrap_or_else(|| panic!("no span {id}"))
}

fn ids(a: &Analyzed, spans: &[u32]) -> Vec<String> {
    spans
        .iter()
        .map(|&i| a.trace.span_id(i).to_string())
        .collect()
}

// The critical path (walking back from the end, into the child that ended last) enters every span: receipt, charge,
// bank, tls, card, verify.

#[test]
fn focus_shows_the_span_and_its_descendants_only() {
    let a = trace();
    let view = RowView {
        focus: Some(span(&a, "p")),
        ..RowView::default()
    };
    assert_eq!(
        rows_text(&a, &view),
        concat!(
            "  payments: charge 500µs critical\n",
            "    postgres: SELECT card 150µs critical\n",
            "    payments: call bank 260µs critical\n",
            "      payments: tls handshake 10µs critical\n",
        )
    );
    let leaf = RowView {
        focus: Some(span(&a, "s")),
        ..RowView::default()
    };
    assert_eq!(
        rows_text(&a, &leaf),
        "      payments: tls handshake 10µs critical\n"
    );
}

#[test]
fn the_breadcrumb_lists_the_ancestors_from_the_root() {
    let a = trace();
    assert_eq!(
        ids(&a, &breadcrumb(&a.tree, span(&a, "s"))),
        ["c", "p", "b"]
    );
    assert!(breadcrumb(&a.tree, span(&a, "c")).is_empty());
    assert!(in_subtree(&a.tree, span(&a, "p"), span(&a, "s")));
    assert!(!in_subtree(&a.tree, span(&a, "p"), span(&a, "e")));
}

#[test]
fn the_window_fits_the_subtree_with_two_percent_either_side() {
    let a = trace();
    // charge runs 100–600 µs: 500 µs, so 10 µs either side.
    let w = focus_window(&a, span(&a, "p"));
    assert_eq!((w.start, w.end), (90_000.0, 610_000.0));
    // verify starts with the trace: the window cannot start before it.
    let w = focus_window(&a, span(&a, "a"));
    assert_eq!((w.start, w.end), (0.0, 51_000.0));
}

#[test]
fn statistics_of_a_focused_subtree_count_its_spans_alone() {
    let a = trace();
    let sub = subtree_spans(&a.tree, span(&a, "p"));
    let rows = stats_of(&a.trace, &a.self_ns, GroupBy::Service, sub.iter().copied());
    let by_name: Vec<(String, u64, i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                a.trace.sym(r.service).to_string(),
                r.count,
                r.total_ns,
                r.self_ns,
            )
        })
        .collect();
    // payments: charge 500 (self 500 − 150 − 260 = 90), call bank 260 (self 250), tls 10; postgres: 150.
    assert_eq!(
        by_name,
        [
            ("payments".to_string(), 3, 770_000, 350_000),
            ("postgres".to_string(), 1, 150_000, 150_000)
        ]
    );
    assert_eq!(stats(&a.trace, &a.self_ns, GroupBy::Service).len(), 5);
}

#[test]
fn the_span_table_sorts_by_each_column() {
    let a = trace();
    let order = |column, descending| {
        let mut spans = listed_spans(&a, None, None);
        sort_spans(&a, &mut spans, SpanOrder { column, descending });
        ids(&a, &spans).join(" ")
    };
    assert_eq!(order(SpanColumn::Start, false), "c a p d b s e");
    assert_eq!(order(SpanColumn::Duration, true), "c p b d e a s");
    // Self times: checkout 1000 − 50 − 500 − 100 = 350, bank 250, card 150, receipt 100, charge 90, verify 50, tls 10.
    assert_eq!(order(SpanColumn::SelfTime, true), "c b d e p a s");
    // auth, mail, payments (three, in row order), postgres, web.
    assert_eq!(order(SpanColumn::Service, false), "a e p b s d c");
    assert_eq!(order(SpanColumn::Service, true), "c d p b s e a");
    // call bank, charge, POST /checkout, SELECT card, send receipt, tls handshake, verify.
    assert_eq!(order(SpanColumn::Operation, false), "b p c d e s a");
}

#[test]
fn the_span_table_lists_the_focused_subtree_narrowed_by_the_filters() {
    let a = trace();
    let only = [span(&a, "d"), span(&a, "s"), span(&a, "e")];
    let listed = listed_spans(&a, Some(span(&a, "p")), Some(&only));
    assert_eq!(ids(&a, &listed), ["d", "s"]);
    let cells = span_cells(&a, span(&a, "d")).unwrap_or_else(|| panic!("a row"));
    assert_eq!(
        cells,
        [
            "+150µs",
            "150µs",
            "150µs",
            "postgres",
            "SELECT card",
            "client",
            ""
        ]
        .map(String::from)
    );
    let verify = span_cells(&a, span(&a, "a")).unwrap_or_else(|| panic!("a row"));
    assert_eq!(verify[6], "error");
}

#[test]
fn a_header_click_turns_the_order_round_or_starts_a_column_its_usual_way() {
    let start = SpanOrder::default();
    let dur = start.clicked(SpanColumn::Duration);
    assert_eq!((dur.column, dur.descending), (SpanColumn::Duration, true));
    assert!(!dur.clicked(SpanColumn::Duration).descending);
    assert!(!dur.clicked(SpanColumn::Service).descending);
}

#[test]
fn views_are_named_in_links_and_keys() {
    for v in TraceView::ALL {
        assert_eq!(TraceView::from_link(v.link_name()), Some(v));
        assert_eq!(TraceView::from_key(v.key()), Some(v));
    }
    assert_eq!(TraceView::from_link("FLAME"), Some(TraceView::Flame));
    assert_eq!(TraceView::from_link("gantt"), None);
    assert_eq!(TraceView::from_key("5"), None);
    // Folding and the row focus are the waterfall's; the window, the views and search act everywhere.
    assert!(TraceView::Waterfall.takes_key("]") && TraceView::Waterfall.takes_key(" "));
    for v in [TraceView::Flame, TraceView::Table, TraceView::Graph] {
        for k in ["[", "]", "o", "p", "f", "b", "Enter", " "] {
            assert!(!v.takes_key(k), "{v:?} {k}");
        }
        for k in [
            "0",
            "ArrowLeft",
            "1",
            "4",
            "/",
            "n",
            "z",
            "e",
            "Escape",
            "?",
        ] {
            assert!(v.takes_key(k), "{v:?} {k}");
        }
    }
}

#[test]
fn a_deep_chain_focuses_without_recursion() {
    // 200,000 spans, each the child of the one before.
    let n = 200_000;
    let mut spans = String::new();
    for k in 0..n {
        let parent = if k == 0 {
            String::new()
        } else {
            format!(
                r#","references":[{{"refType":"CHILD_OF","traceID":"t","spanID":"s{}"}}]"#,
                k - 1
            )
        };
        if k > 0 {
            spans.push(',');
        }
        spans.push_str(&format!(
            r#"{{"traceID":"t","spanID":"s{k}","operationName":"op","startTime":{},"duration":{},"processID":"p"{parent}}}"#,
            1_000_000 + k,
            2 * (n - k)
        ));
    }
    let json = format!(
        r#"{{"data":[{{"traceID":"t","processes":{{"p":{{"serviceName":"svc"}}}},"spans":[{spans}]}}]}}"#
    );
    let mut l = load("chain.json", json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let a = analyze(l.traces.remove(0));
    let mid = span(&a, "s100000");
    assert_eq!(breadcrumb(&a.tree, mid).len(), 100_000);
    assert_eq!(subtree_spans(&a.tree, mid).len(), 100_000);
    let view = RowView {
        focus: Some(mid),
        ..RowView::default()
    };
    assert_eq!(stitch::layout::rows(&a, &view).len(), 100_000);
}

#[test]
fn the_summary_of_a_subtree_names_a_span_inside_it() {
    use stitch::analysis::critical::critical_path;
    use stitch::analysis::stats::summarize;
    let a = trace();
    // SELECT card is a client call whose caller (charge) is outside its own subtree: the sentence names the call.
    let d = span(&a, "d");
    let path = critical_path(&a.trace, &a.tree, d);
    let summary = summarize(&a.trace, &a.tree, &path, d);
    assert_eq!(summary.dominant, Some(d));
    assert!(
        summary.sentence.contains("postgres: SELECT card"),
        "{}",
        summary.sentence
    );
}

#[test]
fn bar_labels_show_the_duration_the_self_time_an_attribute_or_nothing() {
    use stitch::layout::bar_labels::{bar_label_text, BarLabel};
    let a = trace();
    let d = span(&a, "d");
    let p = span(&a, "p");
    assert_eq!(bar_label_text(&a, p, &BarLabel::Duration), "500µs");
    // charge: 500 − 150 − 260 = 90 µs of its own.
    assert_eq!(bar_label_text(&a, p, &BarLabel::SelfTime), "self 90µs");
    assert_eq!(bar_label_text(&a, p, &BarLabel::Nothing), "");
    assert_eq!(
        bar_label_text(&a, d, &BarLabel::Attribute("db.system".into())),
        "postgresql"
    );
    // Not the span's own: its resource's (the Jaeger process's tag); neither has http.route.
    assert_eq!(
        bar_label_text(&a, d, &BarLabel::Attribute("hostname".into())),
        "db-7"
    );
    assert_eq!(
        bar_label_text(&a, d, &BarLabel::Attribute("http.route".into())),
        ""
    );
    for label in [
        BarLabel::Duration,
        BarLabel::SelfTime,
        BarLabel::Nothing,
        BarLabel::Attribute("http.route".into()),
    ] {
        assert_eq!(BarLabel::from_link(&label.link_value()), Some(label));
    }
    assert_eq!(BarLabel::from_link("attr:"), None);
    assert_eq!(BarLabel::from_link("colour"), None);
}
