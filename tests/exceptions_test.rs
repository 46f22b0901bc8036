//! Exceptions read from each format's conventions: OpenTelemetry `exception` events, Jaeger error logs and Zipkin
//! `error` tags. Expected values are those written in the inline files below.

use stitch::analysis::exceptions::{exceptions_of, spans_with_exceptions, Exception};
use stitch::formats::load;
use stitch::model::Trace;

fn trace(name: &str, json: &str) -> Trace {
    let mut loaded = load(name, json.as_bytes()).expect("loads");
    assert_eq!(loaded.traces.len(), 1);
    loaded.traces.remove(0)
}

/// The span named `op`.
fn span(t: &Trace, op: &str) -> u32 {
    (0..t.spans.len() as u32)
        .find(|&i| t.operation(i) == op)
        .expect("span")
}

const OTLP: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"payments"}}]},
 "scopeSpans":[{"spans":[
  {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"charge",
   "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000050000000",
   "status":{"code":2,"message":"card declined"},
   "events":[
    {"timeUnixNano":"1700000000010000000","name":"retry","attributes":[{"key":"attempt","value":{"intValue":"2"}}]},
    {"timeUnixNano":"1700000000040000000","name":"exception","attributes":[
      {"key":"exception.type","value":{"stringValue":"CardDeclined"}},
      {"key":"exception.message","value":{"stringValue":"card 4242 declined: insufficient funds"}},
      {"key":"exception.stacktrace","value":{"stringValue":"CardDeclined: insufficient funds\n    at charge (pay.js:10:5)\n    at main (pay.js:2:1)"}},
      {"key":"exception.escaped","value":{"boolValue":true}}]}]},
  {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"c7ad6b7169203331","parentSpanId":"b7ad6b7169203331",
   "name":"score","startTimeUnixNano":"1700000000001000000","endTimeUnixNano":"1700000000002000000"}]}]}]}"#;

#[test]
fn an_opentelemetry_exception_event_is_an_exception_and_other_events_are_not() {
    let t = trace("otlp.json", OTLP);
    let charge = span(&t, "charge");
    assert_eq!(
        exceptions_of(&t, charge),
        vec![Exception {
            span: charge,
            time_ns: Some(1_700_000_000_040_000_000),
            kind: "CardDeclined".into(),
            message: "card 4242 declined: insufficient funds".into(),
            stacktrace: "CardDeclined: insufficient funds\n    at charge (pay.js:10:5)\n    at main (pay.js:2:1)"
                .into(),
            escaped: Some(true),
        }]
    );
    assert!(exceptions_of(&t, span(&t, "score")).is_empty());
    assert_eq!(spans_with_exceptions(&t), vec![charge]);
}

const JAEGER: &str = r#"{"data":[{"traceID":"a1","spans":[
  {"traceID":"a1","spanID":"s1","operationName":"GET /quote","references":[],"startTime":1700000000000000,"duration":90000,
   "tags":[{"key":"error","type":"bool","value":true}],"processID":"p1",
   "logs":[
    {"timestamp":1700000000005000,"fields":[{"key":"event","type":"string","value":"cache miss"}]},
    {"timestamp":1700000000080000,"fields":[
      {"key":"event","type":"string","value":"error"},
      {"key":"error.kind","type":"string","value":"TimeoutError"},
      {"key":"message","type":"string","value":"pricing did not answer in 75ms"},
      {"key":"stack","type":"string","value":"TimeoutError\n  at fetchQuote (quote.py:31)"}]}]},
  {"traceID":"a1","spanID":"s2","operationName":"load rates","references":[{"refType":"CHILD_OF","traceID":"a1","spanID":"s1"}],
   "startTime":1700000000001000,"duration":2000,"tags":[],"processID":"p1",
   "logs":[{"timestamp":1700000000002000,"fields":[{"key":"error.object","type":"string","value":"KeyError: 'EUR'"}]}]}],
 "processes":{"p1":{"serviceName":"quotes","tags":[]}}}]}"#;

#[test]
fn a_jaeger_error_log_is_an_exception_with_its_kind_message_and_stack() {
    let t = trace("jaeger.json", JAEGER);
    let quote = span(&t, "GET /quote");
    let got = exceptions_of(&t, quote);
    // The "cache miss" log is not an error; the second log is (event: error).
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, "TimeoutError");
    assert_eq!(got[0].message, "pricing did not answer in 75ms");
    assert_eq!(
        got[0].stacktrace,
        "TimeoutError\n  at fetchQuote (quote.py:31)"
    );
    assert_eq!(got[0].time_ns, Some(1_700_000_000_080_000_000));
    assert_eq!(got[0].escaped, None);
    // A log with only error.object: its text is the message.
    let rates = span(&t, "load rates");
    let got = exceptions_of(&t, rates);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].kind.as_str(), got[0].message.as_str()),
        ("", "KeyError: 'EUR'")
    );
    // The `error: true` tag alone says the span failed, not what was thrown.
    assert_eq!(spans_with_exceptions(&t), vec![quote, rates]);
}

const ZIPKIN: &str = r#"[
 {"traceId":"5af7183fb1d4cf5f","id":"6b221d5bc9e6496c","name":"get /api","timestamp":1700000000000000,"duration":20000,
  "localEndpoint":{"serviceName":"frontend"},"tags":{"error":"Connection refused: backend:9000"}},
 {"traceId":"5af7183fb1d4cf5f","id":"7b221d5bc9e6496c","parentId":"6b221d5bc9e6496c","name":"dns","timestamp":1700000000001000,
  "duration":1000,"localEndpoint":{"serviceName":"frontend"},"tags":{"error":""}}]"#;

#[test]
fn a_zipkin_error_tag_with_a_message_is_an_exception() {
    let t = trace("zipkin.json", ZIPKIN);
    let api = span(&t, "get /api");
    let got = exceptions_of(&t, api);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message, "Connection refused: backend:9000");
    assert_eq!((got[0].kind.as_str(), got[0].time_ns), ("", None));
    // An empty error tag marks the span failed but says nothing more.
    assert!(exceptions_of(&t, span(&t, "dns")).is_empty());
    assert_eq!(spans_with_exceptions(&t), vec![api]);
}
