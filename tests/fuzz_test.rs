//! Random and mutated inputs in every format never panic: they load or give an error.

use proptest::prelude::*;

const SEEDS: &[&str] = &[
    "jaeger/ui_01.json",
    "jaeger/single-trace-object.json",
    "jaeger/span-array-inline-process.json",
    "zipkin/skew.json",
    "zipkin/ascend.json",
    "otlp/jaeger-link_attributes_trace.json",
    "otlp/file-exporter-lines.jsonl",
    "quirks/tempo-batches-base64.json",
    "quirks/zipkin-fragments.json",
    "chrome/zero-duration-events.json",
    "chrome/multiprocess.json",
    "jaeger-v3/GetTrace.json",
];

fn seed(i: usize) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{}",
        env!("CARGO_MANIFEST_DIR"),
        SEEDS[i % SEEDS.len()]
    ))
    .expect("seed")
}

fn check(bytes: &[u8]) {
    if let Ok(l) = stitch::formats::load("fuzz.json", bytes) {
        for t in l.traces {
            let a = stitch::analysis::analyze(t);
            let _ = stitch::layout::rows(&a, &stitch::layout::RowView::default());
        }
    }
}

/// Replacement bytes that keep JSON structure interesting.
const TOKENS: &[&[u8]] = &[
    b"0",
    b"-1",
    b"\"\"",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b"\"x\"",
    b"9223372036854775807",
    b"1e400",
    b"\"AAAA\"",
    b",",
    b":",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"CHILD_OF\"",
    b"\"FOLLOWS_FROM\"",
    b"\"2\"",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic(which in 0usize..64, edits in prop::collection::vec((any::<u32>(), 0usize..TOKENS.len(), 0usize..8), 1..6)) {
        let mut b = seed(which);
        for (pos, tok, del) in edits {
            if b.is_empty() { break; }
            let p = pos as usize % b.len();
            let end = (p + del).min(b.len());
            b.splice(p..end, TOKENS[tok].iter().copied());
        }
        check(&b);
    }

    #[test]
    fn random_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&b);
    }

    #[test]
    fn random_json_shapes_never_panic(s in r#"[\[\]{}",:0-9a-zA-Z ]{0,200}"#, prefix in prop::sample::select(vec![
        r#"{"data":["#, r#"{"resourceSpans":["#, r#"[{"traceId":"1","id":"#, r#"{"traceEvents":["#, r#"{"batches":["#,
    ])) {
        check(format!("{prefix}{s}").as_bytes());
    }
}
