//! Every fixture in tests/fixtures/ (real files from other projects; see tests/fixtures/README.md) read end to end.
//! Expected counts were taken by reading each file, not from Stitch's output.

use stitch::analysis::analyze;
use stitch::formats::load;
use stitch::model::WarningKind::{self, *};

struct Want {
    file: &'static str,
    format: &'static str,
    traces: usize,
    spans: usize,
    services: usize,
    roots: usize,
    errors: usize,
    warnings: &'static [(WarningKind, usize)],
}

const W: &[Want] = &[
    Want {
        file: "jaeger/ui_01.json",
        format: "jaeger",
        traces: 1,
        spans: 5,
        services: 2,
        roots: 2,
        errors: 1,
        // one trace warning + two span warnings from the exporter; span ID ...02 appears twice
        warnings: &[(DuplicateSpanId, 1), (Format, 3)],
    },
    Want {
        file: "jaeger/span-array-inline-process.json",
        format: "jaeger",
        traces: 1,
        spans: 2,
        services: 2,
        roots: 1,
        // error given as the string "true"; the first span's parent 492770a15935810f is not in the file
        errors: 1,
        warnings: &[(MissingParent, 1)],
    },
    Want {
        file: "jaeger/single-trace-object.json",
        format: "jaeger",
        traces: 1,
        spans: 11,
        services: 2,
        roots: 1,
        errors: 1,
        warnings: &[],
    },
    Want {
        file: "jaeger/genai-large-attributes.json",
        format: "jaeger",
        traces: 1,
        spans: 57,
        services: 10,
        roots: 1,
        errors: 1,
        warnings: &[(ChildOutsideParent, 1)],
    },
    Want {
        file: "jaeger/data-object-services-spans.json",
        format: "jaeger",
        traces: 1,
        spans: 4,
        services: 2,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "jaeger/spansAmongEachOther.json",
        format: "jaeger",
        traces: 1,
        spans: 12,
        services: 2,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "jaeger/traceWithOverlappingChildrenLongerThanParent.json",
        format: "jaeger",
        traces: 1,
        spans: 4,
        services: 2,
        roots: 1,
        errors: 0,
        warnings: &[(ChildOutsideParent, 2)],
    },
    Want {
        file: "jaeger/traceWithSingleChildLongerThanParentAndStartsAfterParent.json",
        format: "jaeger",
        traces: 1,
        spans: 2,
        services: 2,
        roots: 1,
        errors: 0,
        warnings: &[(ChildOutsideParent, 1)],
    },
    Want {
        file: "jaeger/traceWithThreeShortOverlappingChildren.json",
        format: "jaeger",
        traces: 1,
        spans: 4,
        services: 2,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "zipkin/ascend.json",
        format: "zipkin",
        traces: 1,
        spans: 8,
        services: 3,
        roots: 1,
        errors: 0,
        // the one child outside its parent is a server span in another service: clock skew
        warnings: &[(ChildOutsideParent, 1), (ClockSkew, 1)],
    },
    Want {
        file: "zipkin/envoy.json",
        format: "zipkin",
        traces: 1,
        spans: 1,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "zipkin/messaging-kafka.json",
        format: "zipkin",
        traces: 1,
        spans: 28,
        services: 2,
        roots: 1,
        errors: 3,
        warnings: &[(ChildOutsideParent, 23)],
    },
    Want {
        file: "zipkin/messaging.json",
        format: "zipkin",
        traces: 1,
        spans: 4,
        services: 2,
        roots: 1,
        errors: 0,
        warnings: &[(ChildOutsideParent, 2)],
    },
    Want {
        file: "zipkin/simple-db-p6.json",
        format: "zipkin",
        traces: 1,
        spans: 5,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "zipkin/skew.json",
        format: "zipkin",
        traces: 1,
        spans: 4,
        services: 2,
        roots: 1,
        errors: 0,
        // serviceb's shared server span starts 65 ms before servicea's client span
        warnings: &[(ChildOutsideParent, 1), (ClockSkew, 1)],
    },
    // 1,041 records; 4 are fragments of spans already seen (same ID, shared flag and service) → 1,037 spans.
    // 84 non-shared spans reuse an ID; 84 have no timestamp and 171 no duration (255 missing-time warnings).
    Want {
        file: "zipkin/smartthings-mobile-web-install.json",
        format: "zipkin",
        traces: 1,
        spans: 1037,
        services: 16,
        roots: 1,
        errors: 2,
        warnings: &[
            (DuplicateSpanId, 84),
            (MissingTimestamp, 255),
            (ChildOutsideParent, 53),
            // 17 SERVER spans lie outside their CLIENT parent in another service
            (ClockSkew, 17),
            (Format, 1),
        ],
    },
    Want {
        file: "zipkin/yelp.json",
        format: "zipkin",
        traces: 1,
        spans: 16,
        services: 6,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "otlp/otel-proto-example.json",
        format: "otlp",
        traces: 1,
        spans: 1,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[(MissingParent, 1)],
    },
    Want {
        file: "otlp/jaeger-example_trace.json",
        format: "otlp",
        traces: 1,
        spans: 5,
        services: 3,
        roots: 5,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "otlp/jaeger-link_attributes_trace.json",
        format: "otlp",
        traces: 1,
        spans: 1,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "otlp/jaeger-log_tags_trace.json",
        format: "otlp",
        traces: 1,
        spans: 1,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "otlp/jaeger-scope_attributes_trace.json",
        format: "otlp",
        traces: 1,
        spans: 1,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "otlp/duplicated-span.json",
        format: "otlp",
        traces: 1,
        spans: 2,
        services: 1,
        roots: 2,
        errors: 0,
        warnings: &[(MissingParent, 2), (DuplicateSpanId, 1)],
    },
    Want {
        file: "otlp/error-case.json",
        format: "otlp",
        traces: 1,
        spans: 1,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[(MissingParent, 1)],
    },
    Want {
        file: "otlp/file-exporter-lines.jsonl",
        format: "otlp",
        traces: 1,
        spans: 4,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "jaeger-v3/GetTrace.json",
        format: "otlp",
        traces: 1,
        spans: 1,
        services: 1,
        roots: 1,
        errors: 1,
        warnings: &[(MissingTimestamp, 1)],
    },
    Want {
        file: "chrome/simple.json",
        format: "chrome",
        traces: 1,
        spans: 4,
        services: 1,
        roots: 1,
        errors: 0,
        // epsilon has only a thread duration (tdur): zero wall duration
        warnings: &[(NonPositiveDuration, 1)],
    },
    Want {
        file: "chrome/simple-object.json",
        format: "chrome",
        traces: 1,
        spans: 3,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[(NonPositiveDuration, 1)],
    },
    Want {
        file: "chrome/multiprocess.json",
        format: "chrome",
        traces: 1,
        spans: 8,
        services: 8,
        roots: 8,
        errors: 0,
        warnings: &[],
    },
    Want {
        file: "chrome/out-of-order.json",
        format: "chrome",
        traces: 1,
        spans: 3,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[],
    },
    // beta starts inside alpha and ends after it: badly nested (format warning) and outside its parent.
    Want {
        file: "chrome/invalid-x-nesting.json",
        format: "chrome",
        traces: 1,
        spans: 2,
        services: 1,
        roots: 1,
        errors: 0,
        warnings: &[(ChildOutsideParent, 1), (Format, 1)],
    },
    // E "C" closes the open A, and E "A" closes C: two mismatches; B and D last 0 µs.
    Want {
        file: "chrome/zero-duration-events.json",
        format: "chrome",
        traces: 1,
        spans: 4,
        services: 1,
        roots: 2,
        errors: 0,
        warnings: &[(NonPositiveDuration, 2), (Format, 2)],
    },
];

#[test]
fn every_fixture_reads_with_the_counts_found_by_hand() {
    let mut failures = Vec::new();
    for w in W {
        let path = format!("{}/tests/fixtures/{}", env!("CARGO_MANIFEST_DIR"), w.file);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let loaded = match load(w.file, &bytes) {
            Ok(l) => l,
            Err(e) => {
                failures.push(format!("{}: {e}", w.file));
                continue;
            }
        };
        let mut got = (
            loaded.format.id(),
            loaded.traces.len(),
            0,
            0,
            0,
            0,
            Vec::new(),
        );
        for t in loaded.traces {
            let a = analyze(t);
            got.2 += a.trace.spans.len();
            got.3 += a.trace.service_count();
            got.4 += a.tree.roots.len();
            got.5 += a.trace.error_count();
            got.6
                .extend(a.trace.warning_counts.iter().map(|(k, v)| (*k, *v)));
        }
        got.6.sort();
        let mut want_w = w.warnings.to_vec();
        want_w.sort();
        let want = (
            w.format, w.traces, w.spans, w.services, w.roots, w.errors, want_w,
        );
        if got != want {
            failures.push(format!("{}:\n  want {want:?}\n  got  {got:?}", w.file));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_fixture_file_is_covered() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    for sub in ["jaeger", "zipkin", "otlp", "chrome", "jaeger-v3"] {
        for e in std::fs::read_dir(format!("{dir}/{sub}")).expect("fixture dir") {
            let name = format!("{sub}/{}", e.expect("entry").file_name().to_string_lossy());
            assert!(
                W.iter().any(|w| w.file == name),
                "{name} has no expectations"
            );
        }
    }
}
