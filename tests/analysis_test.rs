//! Critical path, self time, statistics and summary, with expected values computed by hand.

use std::collections::BTreeMap;

use stitch::analysis::critical::{critical_path, self_times, Section};
use stitch::analysis::stats::{stats, GroupBy};
use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;

fn read(rel: &str) -> Analyzed {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("fixture");
    let mut l = load(rel, &bytes).expect("loads");
    analyze(l.traces.remove(0))
}

fn from_json(json: &str) -> Analyzed {
    let mut l = load("test.json", json.as_bytes()).expect("loads");
    analyze(l.traces.remove(0))
}

/// Sections as (span ID, start µs, end µs).
fn sections(a: &Analyzed, path: &[Section]) -> Vec<(String, i64, i64)> {
    path.iter()
        .map(|s| {
            (
                a.trace.span_id(s.span).to_string(),
                s.start_ns / 1000,
                s.end_ns / 1000,
            )
        })
        .collect()
}

/// A Jaeger trace from (id, parent, start µs, duration µs, follows_from).
fn jaeger(spans: &[(&str, &str, i64, i64, bool)]) -> String {
    let items: Vec<String> = spans
        .iter()
        .map(|(id, parent, start, dur, ff)| {
            let refs = if parent.is_empty() {
                String::new()
            } else {
                format!(
                    r#"{{"refType":"{}","traceID":"t1","spanID":"{parent}"}}"#,
                    if *ff { "FOLLOWS_FROM" } else { "CHILD_OF" }
                )
            };
            format!(
                r#"{{"traceID":"t1","spanID":"{id}","operationName":"op-{id}","references":[{refs}],"startTime":{start},"duration":{dur},"processID":"p1"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"data":[{{"traceID":"t1","spans":[{}],"processes":{{"p1":{{"serviceName":"svc"}}}}}}]}}"#,
        items.join(",")
    )
}

#[test]
fn the_nine_jaeger_ui_critical_path_cases_agree_exactly() {
    let dir = format!(
        "{}/tests/fixtures/critical-path",
        env!("CARGO_MANIFEST_DIR")
    );
    let expected: BTreeMap<String, Vec<serde_json::Value>> = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/expected.json")).expect("expected.json"),
    )
    .expect("json");
    assert_eq!(expected.len(), 9);
    for (file, want) in expected {
        let a = read(&format!("critical-path/{file}"));
        let got = sections(&a, &a.path);
        let want: Vec<(String, i64, i64)> = want
            .iter()
            .map(|s| {
                (
                    s["spanId"].as_str().unwrap_or_default().to_string(),
                    s["startUs"].as_i64().unwrap_or(-1),
                    s["endUs"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn overlapping_children_the_last_to_finish_wins_and_the_parent_owns_the_gaps() {
    // Parent 0–36 µs; children 3–15, 9–17, 13–19 (times relative to the file's 1679437737490189 µs).
    let a = read("jaeger/traceWithThreeShortOverlappingChildren.json");
    let t0 = 1679437737490189;
    let got: Vec<_> = sections(&a, &a.path)
        .into_iter()
        .map(|(id, s, e)| (id, s - t0, e - t0))
        .collect();
    assert_eq!(
        got,
        vec![
            ("006c3cf93508f205".into(), 19, 36),
            ("4570ab68826f43f9".into(), 13, 19),
            ("006c3cf93508f205".into(), 0, 13),
        ]
    );
    // Self time: 36 − |[3,19]| = 20 µs.
    let root = a.root.expect("root");
    assert_eq!(a.self_ns[root as usize], 20_000);
}

#[test]
fn children_outside_their_parent_are_clipped_or_dropped() {
    // p 10–50; a starts before p (5–20 → clipped to 10–20); b outlives p (40–70 → 40–50);
    // c starts after p ends (60–65: off the path); z is zero-length at 30.
    let a = from_json(&jaeger(&[
        ("p", "", 10, 40, false),
        ("a", "p", 5, 15, false),
        ("b", "p", 40, 30, false),
        ("c", "p", 60, 5, false),
        ("z", "p", 30, 0, false),
    ]));
    assert_eq!(
        sections(&a, &a.path),
        vec![
            ("b".into(), 40, 50),
            ("p".into(), 20, 40),
            ("a".into(), 10, 20)
        ]
    );
    // Self time of p: 40 − (10..20 ∪ 40..50) = 20 µs (c lies outside p, z is empty).
    let self_ns = self_times(&a.trace, &a.tree);
    assert_eq!(self_ns[0], 20_000);
    // The page works through the spans in blocks: one span at a time gives the same.
    let mut blocks = vec![-1; a.trace.spans.len()];
    for i in 0..blocks.len() {
        stitch::analysis::critical::self_times_of(&a.trace, &a.tree, i..i + 1, &mut blocks);
    }
    assert_eq!(blocks, self_ns);
}

#[test]
fn follows_from_children_are_off_the_parent_path() {
    // A 0–30; B FOLLOWS_FROM A 25–60 (async, ends after A); C child of A 5–10.
    let a = from_json(&jaeger(&[
        ("A", "", 0, 30, false),
        ("B", "A", 25, 35, true),
        ("C", "A", 5, 5, false),
    ]));
    assert_eq!(
        sections(&a, &a.path),
        vec![
            ("A".into(), 10, 30),
            ("C".into(), 5, 10),
            ("A".into(), 0, 5)
        ]
    );
    // It is still in the tree, under A.
    let b = (0..3).find(|&i| a.trace.span_id(i) == "B").expect("B");
    assert_eq!(a.trace.span_id(a.tree.parent[b as usize]), "A");
}

#[test]
fn critical_path_of_a_selected_subtree() {
    // r 0–100 > s 10–90 > (t 20–40, u 50–80)
    let a = from_json(&jaeger(&[
        ("r", "", 0, 100, false),
        ("s", "r", 10, 80, false),
        ("t", "s", 20, 20, false),
        ("u", "s", 50, 30, false),
    ]));
    let s = (0..4).find(|&i| a.trace.span_id(i) == "s").expect("s");
    let path = critical_path(&a.trace, &a.tree, s);
    assert_eq!(
        sections(&a, &path),
        vec![
            ("s".into(), 80, 90),
            ("u".into(), 50, 80),
            ("s".into(), 40, 50),
            ("t".into(), 20, 40),
            ("s".into(), 10, 20),
        ]
    );
}

#[test]
fn a_million_span_chain_and_fan_out_need_no_recursion() {
    let n: i64 = 1_000_000;
    // Chain: span i is the child of i-1, starting 1 µs later and ending 1 µs earlier; the leaf lasts 1 s.
    // The path walks down to the leaf.
    let mut chain = String::from(
        r#"[{"traceId":"1","id":"1","name":"op","timestamp":1000000,"duration":3000000,"localEndpoint":{"serviceName":"s"}}"#,
    );
    for i in 2..=n {
        chain.push_str(&format!(
            r#",{{"traceId":"1","id":"{i:x}","parentId":"{:x}","name":"op","timestamp":{},"duration":{},"localEndpoint":{{"serviceName":"s"}}}}"#,
            i - 1,
            1_000_000 + i,
            3_000_000 - 2 * i
        ));
    }
    chain.push(']');
    let a = from_json(&chain);
    assert_eq!(a.trace.spans.len(), n as usize);
    assert_eq!(a.tree.max_depth, (n - 1) as u32);
    assert_eq!(a.tree.descendants[0], (n - 1) as u32);
    // Every span but the leaf gets its tail on the path, then the leaf, then the heads on the way back up.
    assert_eq!(a.path.len() as i64, 2 * n - 1);

    // Fan-out: one root (1 s to 3 s) with n-1 children of 1 µs, 1 µs apart, from 1 s + 1 µs to 3 s - 2 µs.
    let mut fan = String::from(
        r#"[{"traceId":"2","id":"1","name":"root","timestamp":1000000,"duration":2000000,"localEndpoint":{"serviceName":"s"}}"#,
    );
    for i in 2..=n {
        fan.push_str(&format!(
            r#",{{"traceId":"2","id":"{i:x}","parentId":"1","name":"q","timestamp":{},"duration":1,"localEndpoint":{{"serviceName":"s"}}}}"#,
            1_000_000 + 2 * i - 3
        ));
    }
    fan.push(']');
    let a = from_json(&fan);
    assert_eq!(a.tree.children_of(0).len(), (n - 1) as usize);
    // Children are 1 µs long with 1 µs gaps: every child and every gap is on the path (plus head and tail).
    assert_eq!(a.path.len() as i64, 2 * (n - 1) + 1);
    let self_root = a.self_ns[0];
    assert_eq!(self_root, 2_000_000_000 - (n - 1) * 1000);
}

#[test]
fn spans_among_each_other_by_hand() {
    // Times in µs from the first start: GET /api/customer/owners 0–3720 > GET /owners 376–3353 >
    // customers-service GET /owners 1016–2712 > nine executeQuery calls inside 1849–1880 (the longest 1849–1880).
    let a = read("jaeger/spansAmongEachOther.json");
    let t0 = a.start_ns / 1000;
    let got: Vec<(String, i64, i64)> = sections(&a, &a.path)
        .into_iter()
        .map(|(id, s, e)| (id[..8].to_string(), s - t0, e - t0))
        .collect();
    let want: Vec<(String, i64, i64)> = [
        ("9afcdf2e", 3353, 3720),
        ("6962df17", 2712, 3353),
        ("6f9bbe75", 1880, 2712),
        ("d293d7d8", 1849, 1880),
        ("6f9bbe75", 1016, 1849),
        ("6962df17", 376, 1016),
        ("9afcdf2e", 0, 376),
    ]
    .iter()
    .map(|(id, s, e)| (id.to_string(), *s, *e))
    .collect();
    assert_eq!(got, want);
    let self_of = |prefix: &str| {
        let i = (0..a.trace.spans.len() as u32)
            .find(|&i| a.trace.span_id(i).starts_with(prefix))
            .expect("span");
        a.self_ns[i as usize] / 1000
    };
    assert_eq!(self_of("9afcdf2e"), 3720 - 2977);
    assert_eq!(self_of("6962df17"), 2977 - 1696);
    // The nine queries overlap into 1849–1880: 31 µs covered.
    assert_eq!(self_of("6f9bbe75"), 1696 - 31);
    // By service: api-gateway has 2 spans, customers-service 10.
    let rows = stats(&a.trace, &a.self_ns, GroupBy::Service);
    let mut counts: Vec<(String, u64)> = rows
        .iter()
        .map(|r| (a.trace.sym(r.service).to_string(), r.count))
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        vec![
            ("api-gateway".to_string(), 2),
            ("customers-service".to_string(), 10)
        ]
    );
    let q = stats(&a.trace, &a.self_ns, GroupBy::Both)
        .into_iter()
        .find(|r| {
            r.operation.map(|o| a.trace.sym(o)) == Some("HikariProxyPreparedStatement.executeQuery")
        })
        .expect("queries");
    // Durations 19, 14, 20, 15, 15, 15, 14, 17, 31 µs.
    assert_eq!(
        (q.count, q.total_ns / 1000, q.min_ns / 1000, q.max_ns / 1000),
        (9, 160, 14, 31)
    );
    assert_eq!(q.p95_ns / 1000, 31, "nearest rank: the 9th of 9");
    // The nine queries are one sibling group.
    assert_eq!(a.groups.len(), 1);
    assert_eq!(a.groups[0].members.len(), 9);
}

#[test]
fn the_demo_summary_names_the_slow_call() {
    let demo = &stitch::demo::DEMOS[0];
    let mut l = load(demo.name, demo.json.as_bytes()).expect("demo");
    let a = analyze(l.traces.remove(0));
    // geo-index GET /v1/nearby runs 13.2–637.1 ms of an 812.4 ms request, all of it on the critical path;
    // inside it, SELECT drivers takes 540.3 ms.
    assert_eq!(
        a.summary.sentence,
        "624ms of 812ms (77%) on the critical path is geo-index: GET /v1/nearby (waiting on postgresql: SELECT drivers, 540ms)"
    );
}

#[test]
fn children_longer_than_or_after_their_parent() {
    // send 100–140 µs; short child 115–125; async tasks 200–500 and 300–400 start after send ends.
    let a = read("jaeger/traceWithOverlappingChildrenLongerThanParent.json");
    assert_eq!(
        sections(&a, &a.path),
        vec![
            ("006c3cf93508f205".into(), 125, 140),
            ("4570ab68826f43f9".into(), 115, 125),
            ("006c3cf93508f205".into(), 100, 115),
        ]
    );
    let root = a.root.expect("root") as usize;
    assert_eq!(
        a.self_ns[root], 30_000,
        "40 µs minus the short child's 10 µs"
    );
    // send 100–140 µs; its only child runs 200–500 µs: off the path, and none of send's time is covered.
    let a = read("jaeger/traceWithSingleChildLongerThanParentAndStartsAfterParent.json");
    assert_eq!(
        sections(&a, &a.path),
        vec![("006c3cf93508f205".into(), 100, 140)]
    );
    assert_eq!(a.self_ns[a.root.expect("root") as usize], 40_000);
}

#[test]
fn n_plus_one_siblings_form_one_group() {
    let demo = &stitch::demo::DEMOS[0];
    let mut l = load(demo.name, demo.json.as_bytes()).expect("demo");
    let a = analyze(l.traces.remove(0));
    // dispatch's server span calls routing.ComputeETA 8 times; nothing else repeats 5 times under one parent.
    assert_eq!(a.groups.len(), 1);
    let g = &a.groups[0];
    assert_eq!(a.trace.sym(g.operation), "routing.ComputeETA");
    assert_eq!(g.members.len(), 8);
    // 14.2 + 11.8 + 19.6 + 12.9 + 16.3 + 10.7 + 13.4 + 17.1 ms
    assert_eq!(g.total_ns, 116_000_000);
    let closed = stitch::layout::RowView::default();
    // Closed: the 8 calls and their 16 descendants become one row: 60 - 24 + 1.
    let rows = stitch::layout::rows(&a, &closed);
    assert_eq!(rows.len(), 37);
    assert_eq!(
        rows.iter()
            .filter(|&&r| r & stitch::layout::GROUP_ROW != 0)
            .count(),
        1
    );
    // Open: the group row, then every span.
    let open = stitch::layout::RowView {
        expanded_groups: &[true],
        ..closed
    };
    assert_eq!(stitch::layout::rows(&a, &open).len(), 61);
}

#[test]
fn sibling_group_marks_merge_at_pixel_resolution() {
    // Times in ns, drawn at 1 px per 10 ns. Members: [0,30] and [20,50] overlap (0-5 px); [52,60] starts 0.2 px after
    // that, within half a pixel, so it joins, and being under a pixel wide it is drawn 1 px wide (5.2-6.2 px);
    // [100,101] also gets 1 px; [300,400] stands alone.
    let marks = [
        (0.0, 30.0),
        (20.0, 50.0),
        (52.0, 60.0),
        (100.0, 101.0),
        (300.0, 400.0),
    ];
    let d = stitch::layout::marks_path(&marks, |t| t / 10.0);
    assert_eq!(
        d,
        "M0.0 7h6.2v10h-6.2ZM10.0 7h1.0v10h-1.0ZM30.0 7h10.0v10h-10.0Z"
    );
    // A million members within the first pixel are one segment (the last, starting at 0.999999 px, is drawn 1 px wide).
    let many: Vec<(f64, f64)> = (0..1_000_000)
        .map(|i| (i as f64 * 1e-6, i as f64 * 1e-6 + 1e-6))
        .collect();
    assert_eq!(
        stitch::layout::marks_path(&many, |t| t),
        "M0.0 7h2.0v10h-2.0Z"
    );
}

#[test]
fn sibling_groups_by_parent_service_and_operation() {
    // Zipkin, µs. Under the root: five db SELECTs (1–5 µs long), six cache GETs (1 µs, one failing) and four db
    // INSERTs (too few to group); under `w`, a child of the root, five worker steps of 10 µs.
    let mut spans = vec![
        r#"{"traceId":"t","id":"r","name":"GET /","timestamp":1000,"duration":1000,"localEndpoint":{"serviceName":"api"}}"#.to_string(),
    ];
    let child = |id: &str, parent: &str, svc: &str, name: &str, start: i64, dur: i64, err: bool| {
        format!(
            r#"{{"traceId":"t","id":"{id}","parentId":"{parent}","name":"{name}","timestamp":{},"duration":{dur},"localEndpoint":{{"serviceName":"{svc}"}}{}}}"#,
            1000 + start,
            if err {
                r#","tags":{"error":"true"}"#
            } else {
                ""
            }
        )
    };
    for k in 1..=5 {
        spans.push(child(
            &format!("q{k}"),
            "r",
            "db",
            "SELECT",
            10 * k,
            k,
            false,
        ));
    }
    for k in 1..=6 {
        spans.push(child(
            &format!("c{k}"),
            "r",
            "cache",
            "GET",
            10 * k + 5,
            1,
            k == 3,
        ));
    }
    for k in 1..=4 {
        spans.push(child(
            &format!("i{k}"),
            "r",
            "db",
            "INSERT",
            200 + k,
            1,
            false,
        ));
    }
    spans.push(child("w", "r", "worker", "loop", 100, 800, false));
    for k in 1..=5 {
        spans.push(child(
            &format!("s{k}"),
            "w",
            "worker",
            "step",
            100 * k,
            10,
            false,
        ));
    }
    let a = from_json(&format!("[{}]", spans.join(",")));
    let ids = |g: &stitch::analysis::groups::SiblingGroup| -> Vec<String> {
        g.members
            .iter()
            .map(|&m| a.trace.span_id(m).to_string())
            .collect()
    };
    let summary: Vec<(String, String, String, i64, i64, i64, u32)> = a
        .groups
        .iter()
        .map(|g| {
            (
                a.trace.span_id(g.parent).to_string(),
                a.trace.sym(g.service).to_string(),
                a.trace.sym(g.operation).to_string(),
                g.total_ns / 1000,
                (g.start_ns - a.start_ns) / 1000,
                (g.end_ns - a.start_ns) / 1000,
                g.errors,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("r".into(), "db".into(), "SELECT".into(), 15, 10, 55, 0),
            ("r".into(), "cache".into(), "GET".into(), 6, 15, 66, 1),
            ("w".into(), "worker".into(), "step".into(), 50, 100, 510, 0),
        ]
    );
    assert_eq!(ids(&a.groups[0]), ["q1", "q2", "q3", "q4", "q5"]);
    assert_eq!(ids(&a.groups[1]), ["c1", "c2", "c3", "c4", "c5", "c6"]);
    let of = |id: &str| {
        let i = (0..a.trace.spans.len() as u32)
            .find(|&i| a.trace.span_id(i) == id)
            .expect("span");
        a.group_of[i as usize]
    };
    assert_eq!((of("q3"), of("c6"), of("s5")), (0, 1, 2));
    assert_eq!(of("i1"), stitch::analysis::tree::NONE);
    assert_eq!(of("w"), stitch::analysis::tree::NONE);
}

/// The overview's density grid: rows in depth-first order (not the file's order), time across, overlaps counted.
#[test]
fn overview_density_follows_rows_and_time() {
    // Listed r, b, a, c; depth-first rows are r, a, c, b (children by start time).
    let a = from_json(&jaeger(&[
        ("r", "", 0, 100, false),
        ("b", "r", 50, 50, false),
        ("a", "r", 0, 40, false),
        ("c", "a", 10, 20, false),
    ]));
    let grid = |h: usize| -> Vec<String> {
        let d =
            stitch::layout::minimap_density(&a.tree, &a.trace.spans, a.start_ns, 100_000.0, 10, h);
        d.chunks(10)
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    // One grid row per span, each cell 10 µs: r 0-100, a 0-40, c 10-30, b 50-100.
    assert_eq!(
        grid(4),
        ["1111111111", "1111000000", "0110000000", "0000011111"]
    );
    // Two rows per grid row: r and a overlap in the first, c and b share the second.
    assert_eq!(grid(2), ["2222111111", "0110011111"]);
}

/// A request whose time no one call dominates: 1000 µs, with three children one after another and 10 µs gaps: INSERT
/// 0–`first_us`, compute `first_us`+10–690, render 700–1000.
fn spread(first_us: i64) -> Analyzed {
    let json = format!(
        r#"{{"data": [{{"traceID": "s", "processes": {{"api": {{"serviceName": "api"}}}}, "spans": [
          {{"traceID": "s", "spanID": "root", "operationName": "POST /orders", "startTime": 0, "duration": 1000, "processID": "api"}},
          {{"traceID": "s", "spanID": "a", "operationName": "INSERT orders", "startTime": 0, "duration": {first_us},
            "processID": "api", "references": [{{"refType": "CHILD_OF", "traceID": "s", "spanID": "root"}}],
            "tags": [{{"key": "span.kind", "type": "string", "value": "client"}}, {{"key": "db.system", "type": "string", "value": "postgresql"}}]}},
          {{"traceID": "s", "spanID": "b", "operationName": "compute", "startTime": {b_start}, "duration": {b}, "processID": "api",
            "references": [{{"refType": "CHILD_OF", "traceID": "s", "spanID": "root"}}]}},
          {{"traceID": "s", "spanID": "c", "operationName": "render", "startTime": 700, "duration": 300, "processID": "api",
            "references": [{{"refType": "CHILD_OF", "traceID": "s", "spanID": "root"}}]}}
        ]}}]}}"#,
        b_start = first_us + 10,
        b = 680 - first_us
    );
    let mut l = load("spread.json", json.as_bytes()).expect("loads");
    analyze(l.traces.remove(0))
}

#[test]
fn a_path_no_call_dominates_names_the_largest_share_not_the_whole() {
    // INSERT 0–300, compute 310–690, render 700–1000 µs: the request's own time on the path is the two 10 µs gaps,
    // and compute's 380 µs is the largest.
    assert_eq!(
        spread(300).summary.sentence,
        "380µs of 1ms (38%) on the critical path is api: compute itself"
    );
    // INSERT 0–450 is now the largest (450 µs; compute 460–690 is 230), and it is a database call.
    assert_eq!(
        spread(450).summary.sentence,
        "450µs of 1ms (45%) on the critical path is api waiting on postgresql: INSERT orders"
    );
}
