//! Files that once crashed or froze Stitch: bombs, and times at the edges of what an i64 holds. Each is refused with a
//! message, or loaded with a warning naming the span, never a panic.

use std::io::Write;

use stitch::analysis::analyze;
use stitch::formats::{load, load_limited, Limits, MAX_SPANS};
use stitch::model::WarningKind;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip in memory");
    e.finish().expect("gzip in memory")
}

const WHY: &str =
    "(WebAssembly has 4 GB in all, and a trace takes several times its file size while it is read)";

/// A Jaeger file of `n` one-line spans, each `SPAN_LEN` bytes long: `{"data":[{"traceID":"t","spans":[` then the spans.
fn tiny_spans(n: usize) -> String {
    let mut s = String::from(PREFIX);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"traceID\":\"t\",\"spanID\":\"{i:08x}\",\"operationName\":\"o\",\"startTime\":1,\"duration\":1}}"
        ));
    }
    s.push_str("]}]}");
    s
}
const PREFIX: &str = r#"{"data":[{"traceID":"t","spans":["#;
/// `{"traceID":"t","spanID":"` (25) + 8 hex digits + `","operationName":"o","startTime":1,"duration":1}` (49) + `,`.
const SPAN_LEN: usize = 25 + 8 + 49 + 1;

#[test]
fn a_gzip_bomb_of_tiny_spans_is_refused_by_its_span_count_where_it_passes_the_limit() {
    let text = tiny_spans(5000);
    assert_eq!(text.len(), PREFIX.len() + 5000 * SPAN_LEN - 1 + 4);
    let bomb = gzip(text.as_bytes());
    assert!(bomb.len() * 10 < text.len(), "it compresses well");
    let limits = Limits {
        bytes: 1 << 20,
        spans: 1000,
    };
    let e = load_limited("bomb.json.gz", &bomb, Box::new(|_| {}), limits).expect_err("refused");
    // The parse stops once the 1001st span has been read: at the column just after it (columns count from 1).
    let column = PREFIX.len() + 1001 * SPAN_LEN;
    assert_eq!(
        e.to_string(),
        format!(
            "bomb.json.gz: read as Jaeger JSON, but it holds more than 1,000 spans, the most Stitch can hold in a \
             browser tab {WHY} (line 1, column {column})"
        )
    );
}

#[test]
fn a_file_one_span_over_the_real_limit_is_refused() {
    let n = MAX_SPANS as usize + 1;
    let e = load("big.json", tiny_spans(n).as_bytes()).expect_err("refused");
    assert!(
        e.to_string().starts_with(
            "big.json: read as Jaeger JSON, but it holds more than 2,000,000 spans, the most Stitch can hold"
        ),
        "{e}"
    );
}

#[test]
fn a_gzip_that_decompresses_past_the_limit_says_so_while_decompressing() {
    // 3 MB of JSON whitespace against a 1 MiB limit (1.048576 MB, written as 1 MB).
    let bomb = gzip(&vec![b' '; 3 << 20]);
    let limits = Limits {
        bytes: 1 << 20,
        spans: 1000,
    };
    let e = load_limited("z.json.gz", &bomb, Box::new(|_| {}), limits).expect_err("refused");
    assert_eq!(
        e.to_string(),
        format!("z.json.gz: it decompresses to more than the 1 MB Stitch can hold in a browser tab {WHY}")
    );
    // Within the limit, the same bytes are decompressed and read as what they are: empty.
    let small = gzip(&vec![b' '; 1000]);
    let e = load_limited("s.json.gz", &small, Box::new(|_| {}), limits).expect_err("empty");
    assert_eq!(e.to_string(), "s.json.gz: the file is empty");
}

#[test]
fn a_broken_gzip_names_the_problem() {
    let mut bomb = gzip(tiny_spans(10).as_bytes());
    bomb.truncate(bomb.len() / 2);
    let e = load("cut.json.gz", &bomb).expect_err("refused");
    assert!(
        e.to_string()
            .starts_with("cut.json.gz: the file starts like gzip but cannot be decompressed"),
        "{e}"
    );
}

fn quirk(rel: &str) -> stitch::analysis::Analyzed {
    let path = format!("{}/tests/fixtures/quirks/{rel}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).expect("fixture");
    let mut l = load(rel, &bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.traces.len(), 1);
    analyze(l.traces.remove(0))
}

fn messages(a: &stitch::analysis::Analyzed, kind: WarningKind) -> Vec<String> {
    let w = a.trace.warnings.iter().filter(|w| w.kind == kind);
    w.map(|w| w.message.clone()).collect()
}

#[test]
fn milliseconds_where_microseconds_belong_are_named_with_the_likely_unit() {
    let a = quirk("jaeger-milliseconds.json");
    // 1700000000000 µs is 19.7 days after the epoch; as ms it is 2023-11-14.
    assert_eq!(
        messages(&a, WarningKind::TimeValue),
        vec![
            "span root: startTime 1700000000000 looks like milliseconds, not microseconds: read as microseconds it \
             is 1970-01-20 (check the exporter's time unit)",
            "span child: startTime 1700000000010 looks like milliseconds, not microseconds: read as microseconds it \
             is 1970-01-20 (check the exporter's time unit)",
        ]
    );
    // It still loads, as written: the root's 120 µs.
    assert_eq!(a.duration_ns(), 120_000);
}

#[test]
fn times_at_the_u64_and_i64_limits_are_out_of_range_not_missing_and_never_overflow() {
    let a = quirk("otlp-time-limits.json");
    assert_eq!(
        messages(&a, WarningKind::TimeValue),
        vec![
            "span 00000000000000b2: startTimeUnixNano 18446744073709551615 is out of range for a time in nanoseconds \
             (1970 to 2116); placed at its parent's start",
            "span 00000000000000b2: endTimeUnixNano 18446744073709551615 is out of range for a time in nanoseconds \
             (1970 to 2116); drawn as an instant",
            "span 00000000000000c3: endTimeUnixNano 9223372036854775807 is out of range for a time in nanoseconds \
             (1970 to 2116); drawn as an instant",
        ]
    );
    assert!(messages(&a, WarningKind::MissingTimestamp).is_empty());
    // The root's 500 ms is the trace: nothing overflowed into it.
    assert_eq!(a.duration_ns(), 500_000_000);
    assert!(a.trace.spans.iter().all(|s| s.duration_ns >= 0));

    let a = quirk("jaeger-i64-limits.json");
    let w = messages(&a, WarningKind::TimeValue);
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].starts_with("span min: startTime -9223372036854775808 is out of range"));
    assert!(w[1].starts_with("span min: duration 9223372036854775807 is out of range"));
    assert!(w[2].starts_with("span max: startTime 9223372036854775807 is out of range"));
    assert_eq!(a.duration_ns(), 500_000_000);
}

#[test]
fn spans_without_ids_count_towards_the_limit_in_every_format() {
    let limits = Limits {
        bytes: 1 << 20,
        spans: 1000,
    };
    let empties = |n: usize| vec!["{}"; n].join(",");
    let files = [
        (
            "jaeger.json",
            format!(
                r#"{{"data":[{{"traceID":"t","spans":[{}]}}]}}"#,
                empties(1001)
            ),
            "Jaeger JSON",
        ),
        (
            "otlp.json",
            format!(
                r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
                empties(1001)
            ),
            "OTLP JSON",
        ),
        (
            "chrome.json",
            format!(r#"{{"traceEvents":[{}]}}"#, empties(1001)),
            "Chrome Trace Event JSON",
        ),
        (
            "zipkin.json",
            format!(r#"[{{"traceId":"a","id":"b"}},{}]"#, empties(1000)),
            "Zipkin v2 JSON",
        ),
    ];
    for (name, text, format) in files {
        let e = load_limited(name, text.as_bytes(), Box::new(|_| {}), limits).expect_err(name);
        assert!(
            e.to_string().starts_with(&format!(
                "{name}: read as {format}, but it holds more than 1,000 spans"
            )),
            "{e}"
        );
        // Two fewer are read (a trace object counts as one too: there are few of them).
        let fewer = text.replacen("{},{},", "", 1);
        if let Err(e) = load_limited(name, fewer.as_bytes(), Box::new(|_| {}), limits) {
            assert!(!e.to_string().contains("more than 1,000 spans"), "{e}");
        }
    }
}
