//! Several files as one load: spans of one trace ID from different files are joined into one trace (one Zipkin file
//! per service), traces found in one file only stay as they were, and each trace names the files it came from.

use stitch::analysis::member::Member;
use stitch::analysis::merge::{merge_files, FileRead};
use stitch::formats::load;
use stitch::model::WarningKind;
use stitch::transfer::{encode, Prepared, Receiver};

/// A file's traces as the page receives them.
fn read(name: &str, bytes: &[u8]) -> FileRead {
    let p = Prepared::new(load(name, bytes).expect("loads"));
    let mut r = Receiver::new(encode(&p, 4096).into_iter());
    loop {
        if let Some(got) = r.step().expect("receives") {
            return got;
        }
    }
}

/// The spans of `path` (a Zipkin v2 array) whose local service is `service`, as a file of their own.
fn zipkin_part(path: &str, service: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let spans: Vec<serde_json::Value> = serde_json::from_str(&text).expect("array");
    let part: Vec<&serde_json::Value> = spans
        .iter()
        .filter(|s| s["localEndpoint"]["serviceName"] == service)
        .collect();
    serde_json::to_vec(&part).expect("writes")
}

/// Each span as "service operation <- parent service operation" (or "<- root"), sorted.
fn edges(m: &Member) -> Vec<String> {
    let a = m.open();
    let (t, tree) = (&a.trace, &a.tree);
    let mut out: Vec<String> = (0..t.spans.len() as u32)
        .map(|i| {
            let me = format!("{} {}", t.service(i), t.operation(i));
            match tree.parent[i as usize] {
                p if p == stitch::analysis::tree::NONE => format!("{me} <- root"),
                p => format!("{me} <- {} {}", t.service(p), t.operation(p)),
            }
        })
        .collect();
    out.sort();
    out
}

const ASCEND: &str = "tests/fixtures/zipkin/ascend.json";

#[test]
fn a_zipkin_trace_split_by_service_is_joined_into_one_tree() {
    // ascend.json, read by hand: mobile-gateway's server span ef86 "get" is the root; its two client spans 52b1 and
    // ecc0 ("get") are answered by auth-service (shared ID 52b1, "http:/parent/auth-service/v1/authentications/")
    // and content-service (shared ID ecc0, "get /content/personal"). Under auth-service's server: extend-token-life;
    // under content-service's server: its own client call c21c "get" and "hystrix".
    let files = ["mobile-gateway", "auth-service", "content-service"]
        .map(|svc| read(&format!("{svc}.json"), &zipkin_part(ASCEND, svc)));
    let merged = merge_files(files.into());
    assert_eq!(
        merged.files,
        [
            "mobile-gateway.json",
            "auth-service.json",
            "content-service.json"
        ]
    );
    assert_eq!(merged.name, "mobile-gateway.json + 2 more files");
    assert_eq!(merged.traces.len(), 1, "one trace ID in three files");
    let m = &merged.traces[0];
    assert_eq!(m.files, [0, 1, 2]);
    assert_eq!(m.summary.spans, 8);
    let auth = "auth-service http:/parent/auth-service/v1/authentications/";
    let mut want = vec![
        "mobile-gateway get <- root".to_string(),
        "mobile-gateway get <- mobile-gateway get".to_string(),
        "mobile-gateway get <- mobile-gateway get".to_string(),
        format!("{auth} <- mobile-gateway get"),
        format!("auth-service extend-token-life <- {auth}"),
        "content-service get /content/personal <- mobile-gateway get".to_string(),
        "content-service get <- content-service get /content/personal".to_string(),
        "content-service hystrix <- content-service get /content/personal".to_string(),
    ];
    want.sort();
    assert_eq!(edges(m), want);
    let a = m.open();
    assert_eq!(a.tree.roots.len(), 1);
    // The parts' own "parent not in this file" warnings are gone: the joined trace has every parent.
    assert_eq!(a.trace.warning_count(WarningKind::MissingParent), 0);
    // The root spans 1531282088533035 µs for 38,793 µs; every span ends within it.
    assert_eq!(m.summary.start_ns, 1_531_282_088_533_035_000);
    assert_eq!(m.summary.duration_ns, 38_793_000);
}

#[test]
fn a_part_missing_still_shows_its_spans_with_the_missing_parent_named() {
    // Without mobile-gateway's file, the two server spans' client (and its parent) are not loaded.
    let files = ["auth-service", "content-service"]
        .map(|svc| read(&format!("{svc}.json"), &zipkin_part(ASCEND, svc)));
    let merged = merge_files(files.into());
    assert_eq!(merged.name, "auth-service.json + content-service.json");
    let a = merged.traces[0].open();
    assert_eq!(a.trace.spans.len(), 5);
    // Each server span names parent ef86c83c0a05a6d6, which no file holds: two roots, two warnings.
    assert_eq!(a.tree.roots.len(), 2);
    assert_eq!(a.trace.warning_count(WarningKind::MissingParent), 2);
}

#[test]
fn traces_of_different_ids_stay_apart_and_name_their_file() {
    // jaeger-three-traces.json holds early (1000µs), mid (3000µs) and late (5000µs); ascend.json one trace of 2018.
    let three = std::fs::read("tests/fixtures/quirks/jaeger-three-traces.json").expect("fixture");
    let ascend = std::fs::read(ASCEND).expect("fixture");
    let merged = merge_files(vec![
        read("three.json", &three),
        read("ascend.json", &ascend),
    ]);
    let listed: Vec<(String, Vec<u32>)> = merged
        .traces
        .iter()
        .map(|m| (m.name(), m.files.clone()))
        .collect();
    // Sorted by start: the three traces of 1970 (µs since the epoch) come before ascend's of 2018.
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[3], ("mobile-gateway: get".to_string(), vec![1]));
    assert!(listed[..3].iter().all(|(_, f)| f == &[0]));
    // The set's traces are not analysed for the list (a file of one trace is, at hand-over, as when opened alone).
    assert!(merged.traces[..3].iter().all(|m| m.opened().is_none()));
}

#[test]
fn the_same_file_twice_flags_each_span_as_a_duplicate_once() {
    let ascend = std::fs::read(ASCEND).expect("fixture");
    let merged = merge_files(vec![read("a.json", &ascend), read("b.json", &ascend)]);
    assert_eq!(merged.traces.len(), 1);
    let a = merged.traces[0].open();
    assert_eq!(a.trace.spans.len(), 16);
    // Six non-shared IDs are repeated (the two shared server spans reuse a client ID by design, in each copy).
    assert_eq!(a.trace.warning_count(WarningKind::DuplicateSpanId), 6);
}

#[test]
fn two_files_of_one_trace_each_are_a_pair_to_compare_shorter_first() {
    use stitch::analysis::merge::pair_of_files;
    // ascend.json lasts 38,793 µs; skew.json runs from 1470150004008761 µs to 1470150004170479 µs (servicea's get:
    // 1470150004071068 + 99411), 161,718 µs. The shorter, ascend, is A, though it was given first.
    let skew = std::fs::read("tests/fixtures/zipkin/skew.json").expect("fixture");
    let ascend = std::fs::read(ASCEND).expect("fixture");
    let merged = merge_files(vec![read("skew.json", &skew), read("ascend.json", &ascend)]);
    let (a, b) = pair_of_files(merged.files.len(), &merged.traces).expect("a pair");
    assert_eq!(merged.traces[a].summary.duration_ns, 38_793_000);
    assert_eq!(merged.traces[b].summary.duration_ns, 161_718_000);
    assert_eq!(merged.traces[a].name(), "mobile-gateway: get");
    // One trace split over two files is one trace, not a pair; three files are not a pair either.
    let split = ["mobile-gateway", "content-service"]
        .map(|svc| read(&format!("{svc}.json"), &zipkin_part(ASCEND, svc)));
    let joined = merge_files(split.into());
    assert_eq!(pair_of_files(joined.files.len(), &joined.traces), None);
    let three = std::fs::read("tests/fixtures/quirks/jaeger-three-traces.json").expect("fixture");
    let set = merge_files(vec![read("three.json", &three), read("skew.json", &skew)]);
    assert_eq!(pair_of_files(set.files.len(), &set.traces), None);
}

#[test]
fn a_service_has_one_color_across_the_set_in_the_list_and_in_each_waterfall() {
    use stitch::layout::set_colors::SetColors;
    // Six services: svc-a, svc-b, svc-c (three.json) and mobile-gateway, auth-service, content-service (ascend.json).
    let three = std::fs::read("tests/fixtures/quirks/jaeger-three-traces.json").expect("fixture");
    let ascend = std::fs::read(ASCEND).expect("fixture");
    let merged = merge_files(vec![
        read("three.json", &three),
        read("ascend.json", &ascend),
    ]);
    let colors = SetColors::new(&merged.traces);
    let services = [
        "svc-a",
        "svc-b",
        "svc-c",
        "mobile-gateway",
        "auth-service",
        "content-service",
    ];
    let mut seen: Vec<&str> = services.iter().map(|s| colors.color(s)).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6, "six services, six colors");
    // Each trace's waterfall paints every span in its service's color from the list.
    for m in &merged.traces {
        let t = m.trace();
        let of_trace = colors.for_trace(t);
        for i in 0..t.spans.len() as u32 {
            assert_eq!(of_trace.span(t, i), colors.color(t.service(i)));
        }
    }
    // The same files in the other order: the same colors.
    let again = merge_files(vec![
        read("ascend.json", &ascend),
        read("three.json", &three),
    ]);
    let other = SetColors::new(&again.traces);
    assert!(services.iter().all(|s| other.color(s) == colors.color(s)));
}

#[test]
fn two_chrome_profiles_are_not_joined_by_their_made_up_id_but_compared() {
    use stitch::analysis::merge::pair_of_files;
    // Chrome's format has no trace ID: each file's trace is "chrome-trace". simple.json: alpha from 0 to 14 µs holds
    // beta (1 to 13 µs) and so on, 4 spans; the same file twice is two profiles to compare, not one trace of 8.
    let simple = std::fs::read("tests/fixtures/chrome/simple.json").expect("fixture");
    let merged = merge_files(vec![
        read("before.json", &simple),
        read("after.json", &simple),
    ]);
    let ids: Vec<&str> = merged.traces.iter().map(|m| m.trace_id()).collect();
    assert_eq!(ids, ["chrome-trace", "chrome-trace-2"]);
    assert!(merged.traces.iter().all(|m| m.summary.spans == 4));
    assert_eq!(merged.traces[1].files, [1]);
    assert!(pair_of_files(merged.files.len(), &merged.traces).is_some());
    // Renamed with its analysis: the opened trace has the new ID too.
    assert_eq!(merged.traces[1].open().trace.trace_id, "chrome-trace-2");
}

#[test]
fn files_opened_together_past_the_limits_are_refused_with_a_message_naming_the_totals() {
    use stitch::formats::{files_too_large, files_too_many_spans};
    let big = files_too_large(3, 1.5e9);
    assert!(
        big.starts_with(
            "Files opened together: these 3 files are 1500 MB in all, more than the 1074 MB"
        ),
        "{big}"
    );
    let many = files_too_many_spans(2, 2_500_000);
    assert!(
        many.starts_with(
            "Files opened together: the first 2 hold 2,500,000 spans, more than the 2,000,000"
        ),
        "{many}"
    );
}
