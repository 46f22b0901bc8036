//! The events table: every span event and log of a trace in time order, its rows' texts, its text filter and its
//! row window, and the markers on the selected span's bar. Expected values are read from the files by hand.

use stitch::analysis::events::{count, in_time_order, TraceEvent};
use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;
use stitch::layout::events_table::{count_text, in_view, matching, row, short_attrs, EventRow};
use stitch::layout::geometry::{event_marks, Frame};
use stitch::layout::TimeWindow;

fn analyzed(name: &str, bytes: &[u8]) -> Analyzed {
    let mut loaded = load(name, bytes).expect("loads");
    assert_eq!(loaded.traces.len(), 1);
    analyze(loaded.traces.remove(0))
}

fn fixture(path: &str) -> Analyzed {
    let bytes = std::fs::read(format!("tests/fixtures/{path}")).expect("fixture");
    analyzed(path, &bytes)
}

fn rows(a: &Analyzed) -> Vec<EventRow> {
    in_time_order(&a.trace, a.start_ns)
        .iter()
        .map(|e| row(&a.trace, e))
        .collect()
}

fn r(time: &str, service: &str, operation: &str, name: &str, attrs: &str) -> EventRow {
    EventRow {
        time: time.into(),
        service: service.into(),
        operation: operation.into(),
        name: name.into(),
        attrs: attrs.into(),
    }
}

/// `checkout` (shop, 0 to 50 ms) lists its events out of time order; its child `charge` (pay, 10 to 40 ms) has one at
/// the same time as one of `checkout`'s. The trace starts at 1700000000000000000 ns.
const SHOP: &str = r#"{"resourceSpans":[
 {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
  "scopeSpans":[{"spans":[
   {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000a1","name":"checkout",
    "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000050000000",
    "events":[
     {"timeUnixNano":"1700000000030000000","name":"validated","attributes":[{"key":"items","value":{"intValue":"3"}}]},
     {"timeUnixNano":"1700000000005000000","name":"exception","attributes":[
       {"key":"exception.type","value":{"stringValue":"Timeout"}},
       {"key":"exception.message","value":{"stringValue":"01234567890123456789012345678901234567890123456789"}},
       {"key":"exception.stacktrace","value":{"stringValue":"Timeout\n  at db"}}]}]}]}]},
 {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"pay"}}]},
  "scopeSpans":[{"spans":[
   {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00000000000000b2","parentSpanId":"00000000000000a1",
    "name":"charge","startTimeUnixNano":"1700000000010000000","endTimeUnixNano":"1700000000040000000",
    "events":[
     {"timeUnixNano":"1700000000030000000","name":"sent"},
     {"timeUnixNano":"1700000000020000000","name":"retry","attributes":[
       {"key":"attempt","value":{"intValue":"2"}},{"key":"backoff","value":{"doubleValue":0.5}}]}]}]}]}]}"#;

#[test]
fn events_of_all_spans_are_listed_in_time_order() {
    let a = analyzed("shop.json", SHOP.as_bytes());
    let events = in_time_order(&a.trace, a.start_ns);
    assert_eq!(count(&a.trace), 4);
    let times: Vec<i64> = events.iter().map(|e| e.time_ns).collect();
    assert_eq!(times, vec![5_000_000, 20_000_000, 30_000_000, 30_000_000]);
    assert_eq!(
        rows(&a),
        vec![
            r(
                "5ms",
                "shop",
                "checkout",
                "exception",
                // The message's 50 digits are folded after 40; the stack trace's line break is a space.
                "exception.type=Timeout, exception.message=0123456789012345678901234567890123456789…, \
                 exception.stacktrace=Timeout   at db"
            ),
            r("20ms", "pay", "charge", "retry", "attempt=2, backoff=0.5"),
            // 30 ms twice: checkout's event first, as checkout comes first in the file.
            r("30ms", "shop", "checkout", "validated", "items=3"),
            r("30ms", "pay", "charge", "sent", ""),
        ]
    );
}

#[test]
fn the_attributes_cell_is_folded_as_a_whole_too() {
    let a = analyzed("shop.json", SHOP.as_bytes());
    let exception = in_time_order(&a.trace, a.start_ns)[0];
    let ev = a.trace.events[exception.event as usize];
    assert_eq!(
        short_attrs(&a.trace, a.trace.attr_range(ev.attrs), 40, 30),
        "exception.type=Timeout, except…"
    );
}

#[test]
fn the_filter_reads_names_services_operations_and_attributes_ignoring_case() {
    let a = analyzed("shop.json", SHOP.as_bytes());
    let events = in_time_order(&a.trace, a.start_ns);
    let names = |q: &str| -> Vec<String> {
        matching(&a.trace, &events, q)
            .iter()
            .map(|&k| row(&a.trace, &events[k as usize]).name)
            .collect()
    };
    assert_eq!(names(""), ["exception", "retry", "validated", "sent"]);
    assert_eq!(names("  "), ["exception", "retry", "validated", "sent"]);
    // The event name.
    assert_eq!(names("RETRY"), ["retry"]);
    // The service and the operation.
    assert_eq!(names("Pay"), ["retry", "sent"]);
    assert_eq!(names("checkOUT"), ["exception", "validated"]);
    // Attributes, as key=value; a value past the fold still matches.
    assert_eq!(names("attempt=2"), ["retry"]);
    assert_eq!(names("items=3"), ["validated"]);
    assert_eq!(names("456789012345678901234567890123456789"), ["exception"]);
    assert_eq!(names("at db"), ["exception"]);
    assert!(names("attempt=3").is_empty());
    assert_eq!(count_text(2, 4), "2 of 4 events");
    assert_eq!(count_text(4, 4), "4 events");
    assert_eq!(count_text(1, 1), "1 event");
}

#[test]
fn an_otlp_event_from_a_tempo_response() {
    // cart's cart.Get (from 10 ms) has one event, retry with attempt=2, at 1700000000100000000: 100 ms after
    // frontend's GET /checkout starts the trace.
    let a = fixture("quirks/tempo-batches-base64.json");
    assert_eq!(
        rows(&a),
        vec![r("100ms", "cart", "cart.Get", "retry", "attempt=2")]
    );
}

#[test]
fn jaeger_logs_are_events_named_by_their_event_field() {
    // Both logs of test-general-conversion (service-x) are at the trace's start: the first named by its `event`
    // field, the second, with none, is a "log".
    let a = fixture("jaeger/ui_01.json");
    assert_eq!(
        rows(&a),
        vec![
            r(
                "0",
                "service-x",
                "test-general-conversion",
                "some-event",
                "event=some-event"
            ),
            r("0", "service-x", "test-general-conversion", "log", "x=y"),
        ]
    );
}

#[test]
fn zipkin_annotations_are_events() {
    // The client get /api's fragment annotates "wr" at 1700000000044000 µs; web's get / starts at 1700000000000000.
    let a = fixture("quirks/zipkin-fragments.json");
    assert_eq!(rows(&a), vec![r("44ms", "web", "get /api", "wr", "")]);
}

#[test]
fn otlp_event_attributes_of_every_type_in_short_form() {
    let a = fixture("otlp/jaeger-log_tags_trace.json");
    let rows = rows(&a);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].attrs,
        "sameplacetag1=sameplacevalue, sameplacetag2=123, sameplacetag4=true, sameplacetag3=72.5, blob=AAAwOQ=="
    );
    assert_eq!(rows[1].attrs, "");
}

#[test]
fn a_hundred_thousand_events_are_sorted_filtered_and_windowed() {
    // 1,000 spans of 100 events each; span k starts at k µs and its event j is at k µs + (99 - j) × 1 ms, so each
    // span lists its events latest first. Every tenth event is named "flush".
    let mut spans = Vec::new();
    for k in 0..1000u64 {
        let start = 1_700_000_000_000_000_000u64 + k * 1000;
        let events: Vec<String> = (0..100u64)
            .map(|j| {
                let name = if j % 10 == 0 { "flush" } else { "write" };
                format!(
                    r#"{{"timeUnixNano":"{}","name":"{name}"}}"#,
                    start + (99 - j) * 1_000_000
                )
            })
            .collect();
        spans.push(format!(
            r#"{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{:016x}","name":"op{k}",
              "startTimeUnixNano":"{start}","endTimeUnixNano":"{}","events":[{}]}}"#,
            k + 1,
            start + 100_000_000,
            events.join(",")
        ));
    }
    let json = format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"io"}}}}]}},
            "scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    );
    let a = analyzed("many.json", json.as_bytes());
    let events = in_time_order(&a.trace, a.start_ns);
    assert_eq!(events.len(), 100_000);
    assert!(events.windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
    // The first is span 0's last-listed event, at 0; the last is span 999's first, at 999 µs + 99 ms.
    assert_eq!((events[0].span, events[0].time_ns), (0, 0));
    let last = events[99_999];
    assert_eq!((last.span, last.time_ns), (999, 999_000 + 99_000_000));
    assert_eq!(matching(&a.trace, &events, "FLUSH").len(), 10_000);
    // A table 240 px tall shows 10 rows of 24 px, plus one cut at the bottom and 8 rows above and below.
    assert_eq!(in_view(0.0, 240.0, 100_000), 0..19);
    assert_eq!(in_view(24.0 * 50_000.0, 240.0, 100_000), 49_992..50_019);
    assert_eq!(in_view(24.0 * 99_995.0, 240.0, 100_000), 99_987..100_000);
    assert_eq!(in_view(0.0, 240.0, 0), 0..0);
}

#[test]
fn the_selected_spans_events_are_marked_where_their_time_is() {
    let a = analyzed("shop.json", SHOP.as_bytes());
    let charge = (0..a.trace.spans.len() as u32)
        .find(|&i| a.trace.operation(i) == "charge")
        .expect("charge");
    let marks = event_marks(&a, charge);
    let titles: Vec<&str> = marks.iter().map(|m| m.title.as_str()).collect();
    // charge starts 10 ms into the trace.
    assert_eq!(
        titles,
        [
            "sent at 30ms (20ms into the span)",
            "retry at 20ms (10ms into the span)"
        ]
    );
    // The whole 50 ms on a timeline of 600 - 100 - 12 = 488 px: 30 ms at 292.8 px, 20 ms at 195.2 px.
    let mut f = Frame {
        width: 600.0,
        name_w: 100.0,
        window: TimeWindow::full(50_000_000),
    };
    let places = f.mark_places(&marks);
    assert_eq!(places.len(), 2);
    assert_eq!(places[0].0, 0);
    assert!((places[0].1 - 292.8).abs() < 1e-9);
    assert_eq!(places[1].0, 1);
    assert!((places[1].1 - 195.2).abs() < 1e-9);
    // Zoomed to 25 to 50 ms: retry, at 20 ms, is off the timeline and not marked.
    f.window = TimeWindow {
        start: 25e6,
        end: 50e6,
    };
    let places = f.mark_places(&marks);
    assert_eq!(places.len(), 1);
    assert_eq!(places[0].0, 0);
    assert!((places[0].1 - 97.6).abs() < 1e-9);
}

#[test]
fn damaged_event_ranges_are_skipped_not_trusted() {
    let mut a = analyzed("shop.json", SHOP.as_bytes());
    a.trace.spans[0].events.end = 999;
    let events = in_time_order(&a.trace, a.start_ns);
    assert_eq!(events.iter().filter(|e| e.span == 0).count(), 0);
    assert_eq!(count(&a.trace), 2);
    let bogus = TraceEvent {
        span: 77,
        event: 77,
        time_ns: 0,
    };
    assert_eq!(row(&a.trace, &bogus), r("0", "", "", "", ""));
    assert!(event_marks(&a, 0).is_empty());
}
