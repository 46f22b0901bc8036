//! The trace browser: a file of several traces is listed from per-trace summaries, without analysing each trace, and
//! the list's filters and orders pick the traces a user asks for.

use stitch::analysis::member::Member;
use stitch::formats::load;
use stitch::layout::browser::{
    count_text, list, names, next_order, service_shares, typed_duration_ns, Brush, Column,
    TraceFilter,
};
use stitch::transfer::{encode, Prepared, Receiver};

/// The members of a file as the page receives them.
fn members(name: &str, bytes: &[u8]) -> Vec<Member> {
    let p = Prepared::new(load(name, bytes).expect("loads"));
    let mut r = Receiver::new(encode(&p, 4096).into_iter());
    loop {
        if let Some((_, _, m)) = r.step().expect("receives") {
            return m;
        }
    }
}

fn three() -> Vec<Member> {
    let bytes = std::fs::read("tests/fixtures/quirks/jaeger-three-traces.json").expect("fixture");
    members("three.json", &bytes)
}

fn ids(m: &[Member], rows: &[u32]) -> Vec<String> {
    rows.iter()
        .map(|&i| m[i as usize].trace_id().to_string())
        .collect()
}

const US: i64 = 1_000;

#[test]
fn the_traces_of_a_file_are_summarised_and_analysed_only_when_opened() {
    // The fixture: early (svc-a, one span at 1000µs for 300µs), mid (svc-c, m1 at 3000µs for 50µs and m2 whose
    // parent is missing), late (svc-b, l1 at 5000µs for 100µs, l2 with error=true).
    let m = three();
    assert_eq!(m.len(), 3);
    assert!(
        m.iter().all(|x| x.opened().is_none()),
        "nothing analysed before it is opened"
    );
    let by_id = |id: &str| m.iter().find(|x| x.trace_id() == id).expect("trace");
    let (early, mid, late) = (by_id("early"), by_id("mid"), by_id("late"));
    assert_eq!(
        (early.summary.start_ns, early.summary.duration_ns),
        (1000 * US, 300 * US)
    );
    assert_eq!((mid.summary.spans, mid.summary.duration_ns), (2, 50 * US));
    assert_eq!(
        (
            late.summary.spans,
            late.summary.errors,
            late.summary.duration_ns
        ),
        (2, 1, 100 * US)
    );
    assert_eq!(late.name(), "svc-b: op-l1");
    let a = late.open();
    assert_eq!(a.trace.spans.len(), 2);
    assert_eq!(a.root.map(|r| a.trace.operation(r)), Some("op-l1"));
    assert!(late.opened().is_some() && early.opened().is_none());
}

#[test]
fn filters_narrow_the_list() {
    let m = three();
    let by = |f: TraceFilter| ids(&m, &list(&m, &f, (Column::Start, false)));
    assert_eq!(by(TraceFilter::default()), ["early", "mid", "late"]);
    let errors = TraceFilter {
        errors_only: true,
        ..Default::default()
    };
    assert_eq!(by(errors), ["late"]);
    let svc = TraceFilter {
        service: "svc-c".into(),
        ..Default::default()
    };
    assert_eq!(by(svc), ["mid"]);
    // An operation of one trace under the service of another: no span has both.
    let mixed = TraceFilter {
        service: "svc-a".into(),
        operation: "op-l2".into(),
        ..Default::default()
    };
    assert!(by(mixed).is_empty());
    let op = TraceFilter {
        operation: "op-l2".into(),
        ..Default::default()
    };
    assert_eq!(by(op), ["late"]);
    // Durations 300, 50 and 100µs.
    let slow = TraceFilter {
        min_ns: Some(60 * US),
        ..Default::default()
    };
    assert_eq!(by(slow), ["early", "late"]);
    let quick = TraceFilter {
        max_ns: Some(100 * US),
        ..Default::default()
    };
    assert_eq!(by(quick), ["mid", "late"]);
    // The brushed area: starts from 2000 to 6000µs, durations up to 60µs.
    let brush = Brush {
        start_ns: (2000 * US, 6000 * US),
        duration_ns: (0, 60 * US),
    };
    assert_eq!(
        by(TraceFilter {
            brush: Some(brush),
            ..Default::default()
        }),
        ["mid"]
    );
    let unknown = TraceFilter {
        service: "nobody".into(),
        ..Default::default()
    };
    assert!(by(unknown).is_empty());
}

#[test]
fn the_list_sorts_by_any_column() {
    let m = three();
    let by = |o| ids(&m, &list(&m, &TraceFilter::default(), o));
    assert_eq!(by((Column::Duration, true)), ["early", "late", "mid"]);
    assert_eq!(by((Column::Duration, false)), ["mid", "late", "early"]);
    // Names "svc-a: op-e1", "svc-b: op-l1", "svc-c: op-m1".
    assert_eq!(by((Column::Name, true)), ["mid", "late", "early"]);
    // Two spans in mid and late: the tie keeps the earlier start first.
    assert_eq!(by((Column::Spans, true)), ["mid", "late", "early"]);
    assert_eq!(by((Column::Errors, true)), ["late", "early", "mid"]);
    assert_eq!(
        next_order((Column::Start, false), Column::Duration),
        (Column::Duration, true)
    );
    assert_eq!(
        next_order((Column::Duration, true), Column::Duration),
        (Column::Duration, false)
    );
    assert_eq!(
        next_order((Column::Duration, true), Column::Name),
        (Column::Name, false)
    );
}

/// Three Zipkin traces: t1 and t3 have `http.route=/pay` (t3 on its child), t2 has `http.route=/balance`;
/// t1's root in api (100µs) calls db (60µs).
const ZIPKIN: &str = r#"[
 {"traceId":"00000000000000f1","id":"a1","name":"post","timestamp":1000,"duration":100,
  "localEndpoint":{"serviceName":"api"},"tags":{"http.route":"/pay"}},
 {"traceId":"00000000000000f1","id":"a2","parentId":"a1","name":"insert","timestamp":1020,"duration":60,
  "localEndpoint":{"serviceName":"db"}},
 {"traceId":"00000000000000f2","id":"b1","name":"get","timestamp":2000,"duration":40,
  "localEndpoint":{"serviceName":"api"},"tags":{"http.route":"/balance"}},
 {"traceId":"00000000000000f3","id":"c1","name":"post","timestamp":3000,"duration":80,
  "localEndpoint":{"serviceName":"api"}},
 {"traceId":"00000000000000f3","id":"c2","parentId":"c1","name":"insert","timestamp":3010,"duration":20,
  "localEndpoint":{"serviceName":"db"},"tags":{"http.route":"/pay","retry":"2"}}
]"#;

#[test]
fn an_attribute_filter_finds_a_value_on_any_span() {
    let m = members("z.json", ZIPKIN.as_bytes());
    let by = |a: &str| {
        let f = TraceFilter {
            attribute: a.into(),
            ..Default::default()
        };
        ids(&m, &list(&m, &f, (Column::Start, false)))
    };
    assert_eq!(
        by("http.route=/pay"),
        ["00000000000000f1", "00000000000000f3"]
    );
    assert_eq!(by(" http.route = /balance "), ["00000000000000f2"]);
    assert_eq!(by("retry"), ["00000000000000f3"]);
    assert!(by("http.route=/nothing").is_empty());
    assert!(by("no.such.key").is_empty());
}

#[test]
fn an_attribute_filter_reads_resource_attributes() {
    // Two OTLP traces; only the second one's resource has k8s.pod.name=pod-7.
    let span = |tid: &str, sid: &str| {
        format!(
            r#"{{"traceId":"{tid}","spanId":"{sid}","name":"op","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}}"#
        )
    };
    let rs = |attrs: &str, spans: String| {
        format!(
            r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}{attrs}]}},"scopeSpans":[{{"spans":[{spans}]}}]}}"#
        )
    };
    let pod = r#",{"key":"k8s.pod.name","value":{"stringValue":"pod-7"}}"#;
    let doc = format!(
        r#"{{"resourceSpans":[{},{}]}}"#,
        rs(
            "",
            span("0000000000000000000000000000000a", "000000000000000a")
        ),
        rs(
            pod,
            span("0000000000000000000000000000000b", "000000000000000b")
        )
    );
    let m = members("o.json", doc.as_bytes());
    let f = TraceFilter {
        attribute: "k8s.pod.name=pod-7".into(),
        ..Default::default()
    };
    assert_eq!(
        ids(&m, &list(&m, &f, (Column::Start, false))),
        ["0000000000000000000000000000000b"]
    );
}

#[test]
fn the_bar_of_time_by_service_shows_each_services_self_time() {
    let m = members("z.json", ZIPKIN.as_bytes());
    let t1 = m
        .iter()
        .find(|x| x.trace_id() == "00000000000000f1")
        .expect("t1");
    // api: 100µs minus db's 60µs = 40µs of its own; db: 60µs. Total 100µs.
    let shares = service_shares(t1, 3);
    let got: Vec<(&str, f64)> = shares
        .iter()
        .map(|s| (s.service.as_str(), s.share))
        .collect();
    assert_eq!(got, [("db", 0.6), ("api", 0.4)]);
    // Only the largest, and the rest as "other".
    let one = service_shares(t1, 1);
    assert_eq!(one.len(), 2);
    assert_eq!((one[1].service.as_str(), one[1].share), ("other", 0.4));
    let n = names(&m);
    assert_eq!(n.services, ["api", "db"]);
    assert_eq!(n.operations, ["get", "insert", "post"]);
}

#[test]
fn typed_durations_and_the_count() {
    assert_eq!(typed_duration_ns("250"), Some(250_000_000));
    assert_eq!(typed_duration_ns(" 1.5s "), Some(1_500_000_000));
    assert_eq!(typed_duration_ns("300us"), Some(300_000));
    assert_eq!(typed_duration_ns("300µs"), Some(300_000));
    assert_eq!(typed_duration_ns("12 ms"), Some(12_000_000));
    assert_eq!(typed_duration_ns(""), None);
    assert_eq!(typed_duration_ns("-5"), None);
    assert_eq!(typed_duration_ns("fast"), None);
    assert_eq!(typed_duration_ns("5 parsecs"), None);
    assert_eq!(count_text(3000, 3000), "3,000 traces");
    assert_eq!(count_text(12, 3000), "12 of 3,000 traces");
    assert_eq!(count_text(1, 1), "1 trace");
}

#[test]
fn a_row_names_the_files_its_trace_came_from_when_the_load_was_several() {
    use stitch::layout::browser::{files_text, files_title};
    let files: Vec<String> = ["frontend.json", "ledger.json", "fraud.json", "edge.json"]
        .map(String::from)
        .into();
    assert_eq!(files_text(&files, &[1]).as_deref(), Some("ledger.json"));
    assert_eq!(files_text(&files, &[0, 2]).as_deref(), Some("2 of 4 files"));
    assert_eq!(
        files_text(&files, &[0, 1, 2, 3]).as_deref(),
        Some("all 4 files")
    );
    assert_eq!(files_title(&files, &[2, 3]), "fraud.json\nedge.json");
    // A load of one file says nothing: every trace came from it.
    assert_eq!(files_text(&files[..1], &[0]), None);
}
