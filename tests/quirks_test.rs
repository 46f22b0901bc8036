//! The quirks real exporters write, one hand-written file each (tests/fixtures/quirks/README.md).

use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;
use stitch::model::{SpanKind, StatusCode, Value, WarningKind::*};

fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/quirks/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn all(rel: &str) -> (String, Vec<Analyzed>) {
    let l = load(rel, &bytes(rel)).unwrap_or_else(|e| panic!("{e}"));
    (
        l.format.id().to_string(),
        l.traces.into_iter().map(analyze).collect(),
    )
}

fn one(rel: &str) -> Analyzed {
    let (_, mut t) = all(rel);
    assert_eq!(t.len(), 1, "{rel}: one trace");
    t.remove(0)
}

fn by_id(a: &Analyzed, id: &str) -> u32 {
    (0..a.trace.spans.len() as u32)
        .find(|&i| a.trace.span_id(i) == id)
        .unwrap_or_else(|| panic!("no span {id}"))
}

fn warnings(a: &Analyzed) -> Vec<(stitch::model::WarningKind, usize)> {
    a.trace
        .warning_counts
        .iter()
        .map(|(k, v)| (*k, *v))
        .collect()
}

#[test]
fn tempo_batches_with_base64_ids_and_names() {
    let (format, t) = all("tempo-batches-base64.json");
    assert_eq!(format, "otlp");
    let a = &t[0];
    // base64 "W47/95gDgQPSabYzgT/GDA==" is the hex trace ID below.
    assert_eq!(a.trace.trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(a.trace.spans.len(), 2);
    assert_eq!(a.trace.service_count(), 2);
    let root = by_id(a, "eee19b7ec3c1b174");
    let child = by_id(a, "eee19b7ec3c1b173");
    assert_eq!(a.tree.parent[child as usize], root);
    assert_eq!(a.tree.roots, vec![root]);
    let r = a.trace.spans[root as usize];
    assert_eq!(r.kind, SpanKind::Server);
    assert_eq!(r.status, StatusCode::Error);
    assert_eq!(a.trace.str(r.status_message), "upstream failed");
    assert_eq!(a.trace.spans[child as usize].kind, SpanKind::Client);
    assert_eq!(a.trace.error_count(), 2);
    assert_eq!(r.duration_ns, 250_000_000);
    // intValue as a string beyond 2^53 stays exact; other AnyValue types keep their type.
    assert_eq!(
        a.trace.find_attr(root, "big"),
        Some(&Value::Int(9_007_199_254_740_993))
    );
    assert_eq!(
        a.trace.find_attr(root, "http.response.status_code"),
        Some(&Value::Int(500))
    );
    assert_eq!(a.trace.find_attr(root, "ratio"), Some(&Value::Float(0.25)));
    assert_eq!(a.trace.find_attr(root, "ok"), Some(&Value::Bool(false)));
    let text = |k: &str| {
        a.trace
            .find_attr(root, k)
            .map(|v| a.trace.value_text(v))
            .unwrap_or_default()
    };
    assert_eq!(text("tags"), r#"["a",2]"#);
    assert_eq!(text("map"), r#"{"x":"y"}"#);
    assert_eq!(text("raw"), "AAAwOQ==");
    assert_eq!(text("w3c.tracestate"), "vendor=1");
    // The event and the link (with its attribute), IDs converted from base64.
    let c = a.trace.spans[child as usize];
    assert_eq!(c.events.len(), 1);
    let l = a.trace.links[c.links.range()][0];
    assert_eq!(a.trace.str(l.trace_id), "0af7651916cd43dd8448eb211c80319c");
    assert_eq!(a.trace.str(l.span_id), "b7ad6b7169203331");
    assert_eq!(a.trace.attr_range(l.attrs).len(), 1);
    // Resource and scope.
    let res = a.trace.resources[r.resource as usize];
    assert_eq!(a.trace.str(res.scope_name), "io.opentelemetry.http");
    assert_eq!(a.trace.attr_range(res.attrs).len(), 2);
}

#[test]
fn tempo_v2_and_legacy_otlp_names() {
    let a = one("tempo-v2-trace.json");
    assert_eq!(a.trace.spans.len(), 2);
    assert_eq!(a.tree.roots.len(), 1);
    assert_eq!(
        a.trace.spans[by_id(&a, "0102030405060708") as usize].kind,
        SpanKind::Client
    );
    let a = one("otlp-legacy-library.json");
    assert_eq!(a.trace.spans.len(), 1);
    assert_eq!(a.trace.service(0), "legacy-svc");
    assert_eq!(a.trace.spans[0].kind, SpanKind::Internal);
    assert_eq!(a.trace.spans[0].status, StatusCode::Ok);
    let res = a.trace.resources[a.trace.spans[0].resource as usize];
    assert_eq!(a.trace.str(res.scope_name), "old-lib");
}

#[test]
fn zipkin_fragments_shared_spans_and_missing_times() {
    let (format, t) = all("zipkin-fragments.json");
    assert_eq!(format, "zipkin");
    assert_eq!(
        t.len(),
        1,
        "16- and 32-digit forms of one trace ID are one trace"
    );
    let a = &t[0];
    assert_eq!(a.trace.trace_id, "00000000000000004d1e00c0db9010db");
    // 6 records, two of them fragments of one client span → 5 spans; web and api.
    assert_eq!(a.trace.spans.len(), 5);
    assert_eq!(a.trace.service_count(), 2);
    assert_eq!(a.tree.roots.len(), 1);
    assert_eq!(a.trace.error_count(), 1);
    let ids: Vec<u32> = (0..5)
        .filter(|&i| a.trace.span_id(i) == "1111111111111111")
        .collect();
    assert_eq!(ids.len(), 2, "client and shared server are distinct spans");
    let (client, server) = if a.trace.service(ids[0]) == "web" {
        (ids[0], ids[1])
    } else {
        (ids[1], ids[0])
    };
    assert_eq!(a.tree.parent[server as usize], client);
    // The merged client has the first fragment's start and the second's duration, tags and annotation.
    let c = a.trace.spans[client as usize];
    assert_eq!(a.trace.operation(client), "get /api");
    assert_eq!(c.start_ns, 1_700_000_000_005_000_000);
    assert_eq!(c.duration_ns, 40_000_000);
    assert_eq!(c.events.len(), 1);
    // Children in the server's service attach to the server side.
    assert_eq!(a.tree.parent[by_id(a, "2222222222222222") as usize], server);
    assert_eq!(a.tree.parent[by_id(a, "3333333333333333") as usize], server);
    // query has no timestamp (placed at its parent's start), cache no duration.
    assert_eq!(
        a.trace.spans[by_id(a, "2222222222222222") as usize].start_ns,
        a.trace.spans[server as usize].start_ns
    );
    assert_eq!(warnings(a), vec![(MissingTimestamp, 2), (Format, 1)]);
}

#[test]
fn zipkin_v1_gets_a_clear_message() {
    let e = load("v1.json", &bytes("zipkin-v1.json")).expect_err("refused");
    assert!(e.to_string().contains("Zipkin v1 is not supported"), "{e}");
    assert!(e.to_string().starts_with("v1.json: "), "{e}");
}

#[test]
fn parent_cycles_are_broken() {
    let a = one("jaeger-cycle.json");
    assert_eq!(a.trace.spans.len(), 4);
    // a → b → a is cut at b; "self" names itself: root, b and self are roots.
    assert_eq!(a.tree.roots.len(), 3);
    assert_eq!(a.tree.parent[by_id(&a, "a") as usize], by_id(&a, "b"));
    // a (110–120 µs) is now the child of b (112–117 µs), so it is also outside its parent.
    assert_eq!(
        warnings(&a),
        vec![(ParentCycle, 2), (ChildOutsideParent, 1)]
    );
    assert_eq!(a.tree.preorder.len(), 4);
}

#[test]
fn duplicate_ids_and_bad_durations_are_kept_and_reported() {
    let a = one("jaeger-duplicates.json");
    assert_eq!(a.trace.spans.len(), 6);
    assert_eq!(a.tree.roots.len(), 1);
    // y's parent is the first x (index 1).
    assert_eq!(a.tree.parent[by_id(&a, "y") as usize], 1);
    assert_eq!(
        warnings(&a),
        vec![(DuplicateSpanId, 1), (NonPositiveDuration, 2)]
    );
}

#[test]
fn several_traces_sorted_by_start_and_gzip() {
    for f in ["jaeger-three-traces.json", "jaeger-three-traces.json.gz"] {
        let (_, t) = all(f);
        let ids: Vec<&str> = t.iter().map(|a| a.trace.trace_id.as_str()).collect();
        assert_eq!(ids, ["early", "mid", "late"], "{f}");
        assert!(t[1].tree.incomplete);
        assert_eq!(warnings(&t[1]), vec![(MissingParent, 1)]);
        assert_eq!(t[2].trace.error_count(), 1);
    }
    assert!(
        load("x.gz", &bytes("jaeger-three-traces.json.gz"))
            .expect("gz")
            .gzipped
    );
}

#[test]
fn unbalanced_chrome_events_warn() {
    let a = one("chrome-unbalanced.json");
    assert_eq!(a.trace.spans.len(), 3);
    assert_eq!(a.tree.roots.len(), 2);
    assert_eq!(warnings(&a), vec![(Format, 3)]);
}

#[test]
fn a_100k_deep_chain_loads() {
    let n = 100_000;
    let mut s =
        String::from(r#"{"traceID":"deep","processes":{"p":{"serviceName":"s"}},"spans":["#);
    for i in 0..n {
        let refs = if i == 0 {
            String::new()
        } else {
            format!(r#"{{"refType":"CHILD_OF","spanID":"s{}"}}"#, i - 1)
        };
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"spanID":"s{i}","operationName":"op","references":[{refs}],"startTime":{},"duration":{},"processID":"p"}}"#,
            1000 + i,
            2 * (n - i) + 1
        ));
    }
    s.push_str("]}");
    let mut l = load("deep.json", s.as_bytes()).expect("loads");
    let a = analyze(l.traces.remove(0));
    assert_eq!(a.tree.max_depth, n - 1);
    assert_eq!(a.tree.preorder.len(), n as usize);
    assert_eq!(a.trace.warning_total(), 0);
}

#[test]
fn errors_name_the_file_the_format_and_the_place() {
    let e = load(
        "t.json",
        b"{\n  \"data\": [\n    {\"traceID\": \"x\", \"spans\": [1,]}\n  ]\n}",
    )
    .expect_err("bad");
    let msg = e.to_string();
    assert!(msg.starts_with("t.json: read as Jaeger JSON, but"), "{msg}");
    assert_eq!(e.position.map(|p| p.0), Some(3));
    let e = load("empty.json", b"  \n").expect_err("empty");
    assert_eq!(e.to_string(), "empty.json: the file is empty");
    let e = load("x.txt", b"hello").expect_err("not json");
    assert!(e.to_string().contains("not JSON"), "{e}");
    let e = load("o.json", br#"{"foo": 1, "bar": [2]}"#).expect_err("no format");
    assert!(e.to_string().contains(r#"keys "bar", "foo""#), "{e}");
}

#[test]
fn clock_skew_is_detected_and_adjusted_on_request() {
    let path = format!(
        "{}/tests/fixtures/zipkin/skew.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut l = load("skew.json", &std::fs::read(path).expect("fixture")).expect("loads");
    let a = analyze(l.traces.remove(0));
    assert_eq!(a.skews.len(), 1);
    // Server 4008761–4102338 µs (93577 µs) inside client 4074202–4168741 µs (94539 µs): centred, it starts at
    // 4074202 + 481 = 4074683, a shift of 65922 µs. Its child "async" (serviceb) moves with it: 2 spans.
    assert_eq!(a.skews[0].shift_ns, 65_922_000);
    // The pair is a shared span: one ID for both halves, told apart by their services.
    let w: Vec<_> = a
        .trace
        .warnings
        .iter()
        .filter(|w| w.kind == ClockSkew)
        .collect();
    assert_eq!(
        w[0].message,
        "span 74280ae0c10d8062: its server side in serviceb lies outside its client side in servicea: clocks differ \
         by about 65.9ms"
    );
    let (adj, moved) = stitch::analysis::analyze_adjusted(&a).expect("adjusted");
    assert_eq!(moved, 2);
    assert!(adj.skews.is_empty());
    let server = a.skews[0].server as usize;
    assert_eq!(adj.trace.spans[server].start_ns, 1_470_150_004_074_683_000);
    // The original is untouched: the toggle is off by default.
    assert_eq!(a.trace.spans[server].start_ns, 1_470_150_004_008_761_000);
}

#[test]
fn input_over_the_size_limit_is_refused_with_its_size_and_the_limit() {
    // 1.2 GB of zero bytes (allocated lazily, never touched): refused on its length alone, before any parsing.
    // The limit is 2^30 bytes = 1073.7 MB.
    let big = vec![0u8; 1_200_000_000];
    let e = stitch::formats::load("big.json", &big).expect_err("a 1.2 GB input was accepted");
    assert_eq!(
        e.to_string(),
        "big.json: the file is 1200 MB, more than the 1074 MB Stitch can hold in a browser tab \
         (WebAssembly has 4 GB in all, and a trace takes several times its file size while it is read)"
    );
}

#[test]
fn jaeger_spans_of_two_traces_in_one_array_and_one_trace_in_two_objects_are_sorted_out() {
    // Trace object "a" also holds a span of trace "b"; trace object "b" holds b's other span. Each object has its
    // own processes: p1 is svc-a in the first and svc-c in the second.
    let json = r#"{"data":[
      {"traceID":"a","spans":[
        {"traceID":"a","spanID":"1","operationName":"root-a","startTime":1000,"duration":100,"processID":"p1"},
        {"traceID":"b","spanID":"2","operationName":"call-b","startTime":2000,"duration":50,"processID":"p2",
         "references":[{"refType":"CHILD_OF","traceID":"b","spanID":"3"}],
         "tags":[{"key":"k","type":"string","value":"v"}]}],
       "processes":{"p1":{"serviceName":"svc-a"},
                    "p2":{"serviceName":"svc-b","tags":[{"key":"host","type":"string","value":"h2"}]}}},
      {"traceID":"b","spans":[
        {"traceID":"b","spanID":"3","operationName":"root-b","startTime":1500,"duration":600,"processID":"p1"}],
       "processes":{"p1":{"serviceName":"svc-c"}}}]}"#;
    let l = stitch::formats::load("two.json", json.as_bytes()).expect("loads");
    let ids: Vec<&str> = l.traces.iter().map(|t| t.trace_id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]); // sorted by start: a at 1000 µs, b at 1500 µs
    let a = &l.traces[0];
    assert_eq!(
        (a.spans.len(), a.operation(0), a.service(0)),
        (1, "root-a", "svc-a")
    );
    let b = analyze(l.traces[1].clone());
    assert_eq!(b.trace.spans.len(), 2);
    let call = by_id(&b, "2");
    let root = by_id(&b, "3");
    assert_eq!(
        (b.trace.operation(call), b.trace.service(call)),
        ("call-b", "svc-b")
    );
    assert_eq!(
        (b.trace.operation(root), b.trace.service(root)),
        ("root-b", "svc-c")
    );
    assert_eq!(b.tree.parent[call as usize], root);
    assert_eq!(
        b.trace
            .find_attr(call, "k")
            .map(|v| b.trace.value_text(v))
            .as_deref(),
        Some("v")
    );
    let res = b.trace.resources[b.trace.spans[call as usize].resource as usize];
    let host: Vec<String> = b
        .trace
        .attr_range(res.attrs)
        .iter()
        .map(|x| format!("{}={}", b.trace.sym(x.key), b.trace.value_text(&x.value)))
        .collect();
    assert_eq!(host, ["host=h2"]);
}

/// The Jaeger parser reads every span into one reused value: what a span leaves out (or sets to null) must not be
/// taken from the span before it.
#[test]
fn jaeger_fields_a_span_leaves_out_are_not_taken_from_the_span_before() {
    let json = r#"{"data":[{"traceID":"t1","spans":[
      {"traceID":"t1","spanID":"a1","operationName":"root","references":[],"startTime":1000,"duration":500,
       "tags":[{"key":"http.method","type":"string","value":"GET"},{"key":"retry","type":"int64","value":3}],
       "logs":[{"timestamp":1100,"fields":[{"key":"event","type":"string","value":"x"}]}],"processID":"p1"},
      {"traceID":"t1","spanID":"b2","operationName":"child",
       "references":[{"refType":"CHILD_OF","traceID":"t1","spanID":"a1"}],"startTime":1100,"duration":100,
       "processID":"p1"},
      {"traceID":"t1","spanID":"d4","parentSpanID":"a1","operationName":"inline","startTime":1150,"duration":20,
       "process":{"serviceName":"inline-svc","tags":[{"key":"host","type":"string","value":"h1"}]}},
      {"spanID":"c3","operationName":"bare","startTime":1200,"duration":50,"tags":null,"references":null}
    ],"processes":{"p1":{"serviceName":"api","tags":[]}}}]}"#;
    let l = load("reuse.json", json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.traces.len(), 1);
    let a = analyze(l.traces.into_iter().next().expect("one trace"));
    let (root, child, bare) = (by_id(&a, "a1"), by_id(&a, "b2"), by_id(&a, "c3"));
    let inline = by_id(&a, "d4");
    let attrs = |i: u32| -> Vec<String> {
        a.trace
            .attr_range(a.trace.spans[i as usize].attrs)
            .iter()
            .map(|x| format!("{}={}", a.trace.sym(x.key), a.trace.value_text(&x.value)))
            .collect()
    };
    assert_eq!(attrs(root), ["http.method=GET", "retry=3"]);
    assert!(attrs(child).is_empty(), "{:?}", attrs(child));
    assert!(attrs(bare).is_empty(), "{:?}", attrs(bare));
    let events =
        |i: u32| a.trace.spans[i as usize].events.end - a.trace.spans[i as usize].events.start;
    assert_eq!((events(root), events(child), events(bare)), (1, 0, 0));
    // b2 and d4 are a1's children; c3 has no parent (neither b2's reference nor d4's parentSpanID).
    assert_eq!(a.tree.parent[child as usize], root);
    assert_eq!(a.tree.parent[inline as usize], root);
    assert_eq!(a.tree.roots, vec![root, bare]);
    assert_eq!(a.trace.service(child), "api");
    assert_eq!(a.trace.service(inline), "inline-svc");
    // c3 has neither a process ID nor d4's inline process.
    assert_eq!(a.trace.service(bare), "unknown service");
    assert_eq!(a.trace.trace_id, "t1");
}
