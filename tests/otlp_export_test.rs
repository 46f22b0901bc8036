//! The trace written as OTLP JSON (`formats::otlp_write`) and read back: the same spans, attributes, events and
//! links, for one file of each format; and the fields of a small trace written inline, checked by eye.

use stitch::analysis::{prepare, tree::Tree, tree::NONE};
use stitch::formats::{load, otlp_write};
use stitch::model::{flags, Format, Trace, Value};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// A value as text; JSON text (arrays, key/value lists, Chrome's argument objects) compared as parsed JSON with
/// numbers as floats, since `2.0` may come back as `2`.
fn value_text(t: &Trace, v: &Value) -> String {
    match v {
        Value::Json(_) => match serde_json::from_str::<serde_json::Value>(&t.value_text(v)) {
            Ok(j) => floats(j).to_string(),
            Err(_) => t.value_text(v),
        },
        v => t.value_text(v),
    }
}

fn floats(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Number(n) => n.as_f64().map_or(J::Null, J::from),
        J::Array(a) => J::Array(a.into_iter().map(floats).collect()),
        J::Object(o) => J::Object(o.into_iter().map(|(k, v)| (k, floats(v))).collect()),
        v => v,
    }
}

/// Attributes as (key, value text).
type Attrs = Vec<(String, String)>;

fn attrs(t: &Trace, r: stitch::model::IndexRange) -> Attrs {
    t.attr_range(r)
        .iter()
        .map(|a| (t.sym(a.key).to_string(), value_text(t, &a.value)))
        .collect()
}

fn events(t: &Trace, i: usize) -> Vec<(i64, String, Attrs)> {
    t.events[t.spans[i].events.range()]
        .iter()
        .map(|e| (e.time_ns, t.str(e.name).to_string(), attrs(t, e.attrs)))
        .collect()
}

fn links(t: &Trace, i: usize) -> Vec<(String, String, Attrs)> {
    t.links[t.spans[i].links.range()]
        .iter()
        .map(|l| {
            let tid = t.str(l.trace_id);
            // A reference without a trace ID is to this trace.
            let tid = if tid.is_empty() { &t.trace_id } else { tid };
            (
                format!("{:0>32}", tid.to_ascii_lowercase()),
                format!("{:0>16}", t.str(l.span_id).to_ascii_lowercase()),
                attrs(t, l.attrs),
            )
        })
        .collect()
}

/// Writes every trace of `bytes` as OTLP, reads it back, and compares span by span; returns the span count.
fn round_trip(name: &str, bytes: &[u8], format: Format) -> usize {
    let loaded = load(name, bytes).expect("the fixture loads");
    assert_eq!(loaded.format, format);
    let mut total = 0;
    for trace in loaded.traces {
        let (t, tree) = prepare(trace);
        let json = otlp_write::trace_json(&t, &tree.parent);
        let back = load("back.otlp.json", json.as_bytes()).expect("the export loads");
        assert_eq!(back.format, Format::Otlp);
        assert_eq!(back.traces.len(), 1, "{name}: one trace back");
        let (b, btree) = prepare(back.traces.into_iter().next().expect("a trace"));
        assert_eq!(b.trace_id, otlp_write::trace_id(&t));
        compare(name, &t, &tree, &b, &btree);
        total += t.spans.len();
    }
    total
}

fn compare(name: &str, t: &Trace, tree: &Tree, b: &Trace, btree: &Tree) {
    assert_eq!(b.spans.len(), t.spans.len(), "{name}: span count");
    let index: std::collections::HashMap<&str, usize> = (0..b.spans.len())
        .map(|j| (b.span_id(j as u32), j))
        .collect();
    assert_eq!(
        index.len(),
        b.spans.len(),
        "{name}: span IDs written are unique"
    );
    let matched: Vec<usize> = (0..t.spans.len() as u32)
        .map(|i| index[otlp_write::span_id(t, &tree.parent, i).as_str()])
        .collect();
    for (i, (s, &j)) in t.spans.iter().zip(&matched).enumerate() {
        let id = t.span_id(i as u32);
        let r = &b.spans[j];
        let client = tree.parent[i] != NONE && t.span_id(tree.parent[i]) == id;
        let plain = !(s.has(flags::DUPLICATE_ID) || (s.has(flags::SHARED) && client));
        if plain && id.len() == 16 && id.bytes().all(|c| c.is_ascii_hexdigit()) {
            assert_eq!(
                b.span_id(j as u32),
                id.to_ascii_lowercase(),
                "{name}: ID kept"
            );
        }
        assert_eq!(b.service(j as u32), t.service(i as u32), "{name} {id}");
        assert_eq!(b.operation(j as u32), t.operation(i as u32), "{name} {id}");
        assert_eq!(
            (r.start_ns, r.duration_ns),
            (s.start_ns, s.duration_ns),
            "{name} {id}"
        );
        assert_eq!(r.kind, s.kind, "{name} {id}");
        assert_eq!(r.is_error(), s.is_error(), "{name} {id}: error");
        let parent = tree.parent[i];
        let want = if parent == NONE {
            NONE
        } else {
            matched[parent as usize] as u32
        };
        assert_eq!(btree.parent[j], want, "{name} {id}: parent");
        let mut span_attrs = attrs(t, s.attrs);
        let mut back_attrs = attrs(b, r.attrs);
        span_attrs.sort();
        back_attrs.sort();
        assert_eq!(back_attrs, span_attrs, "{name} {id}: attributes");
        let res = |tr: &Trace, k: u32| tr.resources[k as usize];
        let mut want_res: Vec<_> = attrs(t, res(t, s.resource).attrs)
            .into_iter()
            .filter(|(k, _)| k != "service.name")
            .collect();
        want_res.push(("service.name".into(), t.service(i as u32).into()));
        let mut got_res = attrs(b, res(b, r.resource).attrs);
        want_res.sort();
        got_res.sort();
        assert_eq!(got_res, want_res, "{name} {id}: resource");
        let (sa, sb) = (res(t, s.resource), res(b, r.resource));
        assert_eq!(
            b.str(sb.scope_name),
            t.str(sa.scope_name),
            "{name} {id}: scope"
        );
        assert_eq!(attrs(b, sb.scope_attrs), attrs(t, sa.scope_attrs));
        assert_eq!(events(b, j), events(t, i), "{name} {id}: events");
        assert_eq!(links(b, j), links(t, i), "{name} {id}: links");
    }
}

#[test]
fn a_jaeger_trace_round_trips() {
    // ui_01: duplicate span IDs, int64 beyond 2^53, binary tags, a reference to another trace, logs.
    // Five spans, two of them with the ID 0000000000000002.
    let n = round_trip("ui_01.json", &fixture("jaeger/ui_01.json"), Format::Jaeger);
    assert_eq!(n, 5);
}

#[test]
fn a_jaeger_trace_with_ids_that_are_not_hex_round_trips() {
    let bytes = fixture("jaeger/single-trace-object.json");
    // IDs such as `span-1`, eleven spans.
    assert_eq!(round_trip("single.json", &bytes, Format::Jaeger), 11);
}

#[test]
fn a_zipkin_trace_with_shared_server_spans_round_trips() {
    // Sixteen spans, four of them `shared`.
    let n = round_trip("yelp.json", &fixture("zipkin/yelp.json"), Format::Zipkin);
    assert_eq!(n, 16);
    // 1,041 spans, 294 shared, some of them fragments of one span.
    let bytes = fixture("zipkin/smartthings-mobile-web-install.json");
    assert!(round_trip("st.json", &bytes, Format::Zipkin) > 1000);
}

#[test]
fn otlp_traces_round_trip() {
    // Events, links with attributes, scope attributes, every value type.
    for f in [
        "otlp/jaeger-link_attributes_trace.json",
        "otlp/jaeger-scope_attributes_trace.json",
        "otlp/jaeger-log_tags_trace.json",
        "otlp/otel-proto-example.json",
    ] {
        assert!(round_trip(f, &fixture(f), Format::Otlp) > 0, "{f}");
    }
}

#[test]
fn a_chrome_trace_round_trips() {
    // Chrome's times count from an arbitrary origin and the fixtures start at ts 0, which OTLP reads as "no time":
    // the events are moved 1 s later first.
    for f in ["chrome/simple.json", "chrome/multiprocess.json"] {
        let mut doc: serde_json::Value = serde_json::from_slice(&fixture(f)).expect("JSON");
        for ev in doc.as_array_mut().expect("an array of events") {
            if let Some(ts) = ev.get("ts").and_then(serde_json::Value::as_f64) {
                ev["ts"] = (ts + 1_000_000.0).into();
            }
        }
        let bytes = serde_json::to_vec(&doc).expect("JSON");
        assert!(round_trip(f, &bytes, Format::Chrome) > 0, "{f}");
    }
}

/// A Jaeger trace of two spans, written by hand.
const SMALL: &str = r#"{"data":[{"traceID":"5aab74dbb904746b","spans":[
 {"traceID":"5aab74dbb904746b","spanID":"00000000000000a1","operationName":"GET /cart","references":[],
  "startTime":1700000000000123,"duration":2500,"processID":"p1",
  "tags":[{"key":"http.method","type":"string","value":"GET"},
          {"key":"note","type":"string","value":"he said \"hi\"\nthen left"},
          {"key":"big","type":"int64","value":"9007199254740993"}],
  "logs":[{"timestamp":1700000000000500,"fields":[{"key":"event","type":"string","value":"cache miss"}]}]},
 {"traceID":"5aab74dbb904746b","spanID":"b2","operationName":"SELECT",
  "references":[{"refType":"CHILD_OF","traceID":"5aab74dbb904746b","spanID":"00000000000000a1"},
                {"refType":"FOLLOWS_FROM","traceID":"0123456789abcdef0123456789abcdef","spanID":"00000000000000c3"}],
  "startTime":1700000000001000,"duration":1000,"processID":"p2",
  "tags":[{"key":"error","type":"bool","value":true},{"key":"span.kind","type":"string","value":"client"}]}],
 "processes":{"p1":{"serviceName":"cart","tags":[{"key":"hostname","type":"string","value":"cart-7"}]},
              "p2":{"serviceName":"db","tags":[]}}}]}"#;

fn written_small() -> serde_json::Value {
    let mut loaded = load("small.json", SMALL.as_bytes()).expect("loads");
    let (t, tree) = prepare(loaded.traces.remove(0));
    serde_json::from_str(&otlp_write::trace_json(&t, &tree.parent)).expect("valid JSON")
}

#[test]
fn a_small_trace_is_written_as_read_by_eye() {
    let doc = written_small();
    let rs = doc["resourceSpans"].as_array().expect("resourceSpans");
    assert_eq!(rs.len(), 2, "one per service");
    assert_eq!(
        rs[0]["resource"]["attributes"],
        serde_json::json!([
            {"key":"service.name","value":{"stringValue":"cart"}},
            {"key":"hostname","value":{"stringValue":"cart-7"}}
        ])
    );
    let cart = &rs[0]["scopeSpans"][0]["spans"][0];
    assert_eq!(cart["traceId"], "00000000000000005aab74dbb904746b");
    assert_eq!(cart["spanId"], "00000000000000a1");
    assert!(cart.get("parentSpanId").is_none());
    assert_eq!(cart["name"], "GET /cart");
    // 1700000000000123 µs, and 2500 µs later.
    assert_eq!(cart["startTimeUnixNano"], "1700000000000123000");
    assert_eq!(cart["endTimeUnixNano"], "1700000000002623000");
    let a = &cart["attributes"];
    assert_eq!(a[1]["value"]["stringValue"], "he said \"hi\"\nthen left");
    assert_eq!(a[2]["value"]["intValue"], "9007199254740993");
    assert_eq!(cart["events"][0]["timeUnixNano"], "1700000000000500000");
    assert_eq!(cart["events"][0]["name"], "cache miss");
    assert!(cart.get("status").is_none());

    let db = &rs[1]["scopeSpans"][0]["spans"][0];
    assert_eq!(db["spanId"], "00000000000000b2", "padded to 16 digits");
    assert_eq!(db["parentSpanId"], "00000000000000a1");
    assert_eq!(db["kind"], 3, "client");
    assert_eq!(db["status"]["code"], 2);
    assert_eq!(
        db["links"][0]["traceId"],
        "0123456789abcdef0123456789abcdef"
    );
    assert_eq!(db["links"][0]["spanId"], "00000000000000c3");
}

#[test]
fn the_selected_span_is_a_document_of_its_own() {
    let mut loaded = load("small.json", SMALL.as_bytes()).expect("loads");
    let (t, tree) = prepare(loaded.traces.remove(0));
    let db = (0..t.spans.len() as u32)
        .find(|&i| t.operation(i) == "SELECT")
        .expect("SELECT");
    let text = otlp_write::span_json(&t, &tree.parent, db);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let rs = doc["resourceSpans"].as_array().expect("resourceSpans");
    assert_eq!(rs.len(), 1);
    assert_eq!(
        rs[0]["resource"]["attributes"][0]["value"]["stringValue"],
        "db"
    );
    let spans = rs[0]["scopeSpans"][0]["spans"].as_array().expect("spans");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0]["name"], "SELECT");
    assert_eq!(spans[0]["spanId"], "00000000000000b2");
    assert_eq!(spans[0]["parentSpanId"], "00000000000000a1");
    // It opens in Stitch as a trace of one span.
    let back = load("span.json", text.as_bytes()).expect("loads");
    assert_eq!(back.traces[0].spans.len(), 1);
    assert!(otlp_write::span_json(&t, &tree.parent, 99).is_empty());
}
