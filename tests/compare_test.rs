//! Comparing two traces (A normal, B slow): pairing, rows, self-time differences, the sentence, the "only
//! differences" rule and the host page's records, with expected values worked out by hand from the little traces.

use stitch::analysis::compare::{
    compare, default_threshold_ns, difference_records, shown_rows, Comparison, Side,
};
use stitch::analysis::{analyze, Analyzed};
use stitch::model::{ParentRef, Span, Trace};

/// A span as (ID, parent ID or "", service, operation, start ms, duration ms).
type SpanSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
);

const MS: i64 = 1_000_000;

/// A trace starting `base_ms` after the epoch. `first` is interned before any name, so that A and B number their
/// names differently (the comparison must match them as strings).
fn trace(base_ms: i64, first: &[&str], spans: &[SpanSpec]) -> Analyzed {
    let mut t = Trace::new("t");
    for s in first {
        t.strings.intern(s);
    }
    let mut list = Vec::new();
    for &(id, parent, service, operation, start, duration) in spans {
        let parent = match spans.iter().position(|s| s.0 == parent) {
            Some(p) => ParentRef::Index(p as u32),
            None => ParentRef::None,
        };
        list.push(Span {
            span_id: t.push_str(id),
            parent,
            service: t.strings.intern(service),
            operation: t.strings.intern(operation),
            start_ns: (base_ms + start) * MS,
            duration_ns: duration * MS,
            ..Span::default()
        });
    }
    t.spans = list;
    analyze(t)
}

fn trace_a(spans: &[SpanSpec]) -> Analyzed {
    trace(1_000_000, &[], spans)
}

/// B starts at another time and interns other names first.
fn trace_b(spans: &[SpanSpec]) -> Analyzed {
    trace(5_000_000, &["padding", "db", "zz"], spans)
}

/// Each row as (indented "service: operation", A's span ID or "-", B's span ID or "-", A's self ms, B's self ms).
fn rows(a: &Analyzed, b: &Analyzed, c: &Comparison) -> Vec<(String, String, String, i64, i64)> {
    c.rows
        .iter()
        .map(|r| {
            let (t, i) = match (r.a, r.b) {
                (Some(i), _) => (&a.trace, i),
                (None, Some(i)) => (&b.trace, i),
                (None, None) => panic!("a row with no span"),
            };
            let id = |an: &Analyzed, s: Option<u32>| {
                s.map_or("-".into(), |i| an.trace.span_id(i).to_string())
            };
            (
                format!(
                    "{}{}: {}",
                    "  ".repeat(r.depth as usize),
                    t.service(i),
                    t.operation(i)
                ),
                id(a, r.a),
                id(b, r.b),
                r.a_self_ns / MS,
                r.b_self_ns / MS,
            )
        })
        .collect()
}

fn row(
    name: &str,
    a: &str,
    b: &str,
    a_self: i64,
    b_self: i64,
) -> (String, String, String, i64, i64) {
    (name.into(), a.into(), b.into(), a_self, b_self)
}

#[test]
fn an_extra_call_in_b_is_its_own_row_after_the_call_before_it() {
    // A: GET /order 0–100 > auth 10–20, SELECT 30–60. Self: root 100 − 10 − 30 = 60, auth 10, SELECT 30.
    // B: GET /order 0–130 > auth 10–20, cache GET 20–50 (extra), SELECT 60–90. Self: root 130 − 70 = 60, 10, 30, 30.
    let a = trace_a(&[
        ("r", "", "api", "GET /order", 0, 100),
        ("au", "r", "auth", "check", 10, 10),
        ("q", "r", "db", "SELECT", 30, 30),
    ]);
    let b = trace_b(&[
        ("r", "", "api", "GET /order", 0, 130),
        ("au", "r", "auth", "check", 10, 10),
        ("ca", "r", "cache", "GET", 20, 30),
        ("q", "r", "db", "SELECT", 60, 30),
    ]);
    let c = compare(&a, &b);
    assert_eq!(
        rows(&a, &b, &c),
        vec![
            row("api: GET /order", "r", "r", 60, 60),
            row("  auth: check", "au", "au", 10, 10),
            row("  cache: GET", "-", "ca", 0, 30),
            row("  db: SELECT", "q", "q", 30, 30),
        ]
    );
    assert_eq!(c.delta_ns, 30 * MS);
    assert_eq!(c.differences, vec![2]);
    assert_eq!(c.rows[2].only(), Some(Side::B));
    assert_eq!(c.rows[2].self_delta_ns(), 30 * MS);
    // The tree: the root holds three rows; the children are its own.
    let shape: Vec<(u32, u32, u32)> = c
        .rows
        .iter()
        .map(|r| (r.depth, r.parent, r.descendants))
        .collect();
    assert_eq!(
        shape,
        vec![(0, u32::MAX, 3), (1, 0, 0), (1, 0, 0), (1, 0, 0)]
    );
    // Offsets are from each trace's own start: SELECT at 30 ms in A, 60 ms in B; the cache call at 20 ms in B.
    assert_eq!(
        (c.rows[3].a_offset_ns, c.rows[3].b_offset_ns),
        (30 * MS, 60 * MS)
    );
    assert_eq!((c.rows[2].a_offset_ns, c.rows[2].b_offset_ns), (0, 20 * MS));
    assert_eq!((c.rows[3].a_ns, c.rows[3].b_ns), (30 * MS, 30 * MS));
    assert_eq!(
        c.summary,
        "B is 30ms slower: +30ms in cache: GET; 1 more call to cache: GET"
    );
}

#[test]
fn a_subtree_missing_in_b_is_only_in_a_down_to_its_leaves() {
    // A: POST /pay 0–100 > charge 10–70 > bank call 20–60 > ledger 30–40; notify 80–90.
    //   Self: root 100 − 60 − 10 = 30, charge 60 − 40 = 20, call 40 − 10 = 30, ledger 10, notify 10.
    // B: POST /pay 0–40 > notify 10–20. Self: root 30, notify 10.
    let a = trace_a(&[
        ("r", "", "api", "POST /pay", 0, 100),
        ("ch", "r", "payments", "charge", 10, 60),
        ("bk", "ch", "bank", "call", 20, 40),
        ("lg", "bk", "bank", "ledger", 30, 10),
        ("nt", "r", "mail", "notify", 80, 10),
    ]);
    let b = trace_b(&[
        ("r", "", "api", "POST /pay", 0, 40),
        ("nt", "r", "mail", "notify", 10, 10),
    ]);
    let c = compare(&a, &b);
    assert_eq!(
        rows(&a, &b, &c),
        vec![
            row("api: POST /pay", "r", "r", 30, 30),
            row("  payments: charge", "ch", "-", 20, 0),
            row("    bank: call", "bk", "-", 30, 0),
            row("      bank: ledger", "lg", "-", 10, 0),
            row("  mail: notify", "nt", "nt", 10, 10),
        ]
    );
    let shape: Vec<(u32, u32)> = c.rows.iter().map(|r| (r.parent, r.descendants)).collect();
    assert_eq!(shape, vec![(u32::MAX, 4), (0, 2), (1, 1), (2, 0), (0, 0)]);
    assert_eq!(c.delta_ns, -60 * MS);
    // bank: call −30, charge −20, ledger −10; the root and notify are unchanged.
    assert_eq!(c.differences, vec![2, 1, 3]);
    // Three operations have one call fewer; bank: call's self time is the largest of them.
    assert_eq!(
        c.summary,
        "B is 60ms faster: -30ms in bank: call; 1 fewer call to bank: call"
    );
}

#[test]
fn repeated_siblings_pair_first_with_first_and_the_extras_are_only_in_b() {
    // A: GET /list 0–100 > SELECT 10–20, 30–40, 50–60 (self 10 each; root 70).
    // B: GET /list 0–120 > SELECT 10–20, 30–40, 50–60, 70–80, 90–100, with a cache GET 22–25 between the first two
    //   (self: root 120 − 50 − 3 = 67, each SELECT 10, GET 3).
    let a = trace_a(&[
        ("r", "", "api", "GET /list", 0, 100),
        ("q1", "r", "db", "SELECT", 10, 10),
        ("q2", "r", "db", "SELECT", 30, 10),
        ("q3", "r", "db", "SELECT", 50, 10),
    ]);
    // Listed out of order: pairing follows the start times, not the file.
    let b = trace_b(&[
        ("r", "", "api", "GET /list", 0, 120),
        ("q5", "r", "db", "SELECT", 90, 10),
        ("q2", "r", "db", "SELECT", 30, 10),
        ("g", "r", "cache", "GET", 22, 3),
        ("q1", "r", "db", "SELECT", 10, 10),
        ("q4", "r", "db", "SELECT", 70, 10),
        ("q3", "r", "db", "SELECT", 50, 10),
    ]);
    let c = compare(&a, &b);
    // The cache GET follows B's first SELECT, which is paired with A's first.
    assert_eq!(
        rows(&a, &b, &c),
        vec![
            row("api: GET /list", "r", "r", 70, 67),
            row("  db: SELECT", "q1", "q1", 10, 10),
            row("  cache: GET", "-", "g", 0, 3),
            row("  db: SELECT", "q2", "q2", 10, 10),
            row("  db: SELECT", "q3", "q3", 10, 10),
            row("  db: SELECT", "-", "q4", 0, 10),
            row("  db: SELECT", "-", "q5", 0, 10),
        ]
    );
    assert_eq!(c.delta_ns, 20 * MS);
    // SELECTs +10 and +10 (row order on the tie), then the root −3 and the GET +3.
    assert_eq!(c.differences, vec![5, 6, 0, 2]);
    assert_eq!(
        c.summary,
        "B is 20ms slower: +10ms in db: SELECT; 2 more calls to db: SELECT"
    );
}

#[test]
fn a_slower_leaf_is_the_one_difference_and_its_record_reads_in_microseconds() {
    // A: POST /entry 0–50 > INSERT 10–30 (self: root 30, INSERT 20).
    // B: POST /entry 0–250 > INSERT 10–230 (self: root 30, INSERT 220).
    let a = trace_a(&[
        ("r", "", "ledger", "POST /entry", 0, 50),
        ("i", "r", "ledger-db", "INSERT ledger_entries", 10, 20),
    ]);
    let b = trace_b(&[
        ("r", "", "ledger", "POST /entry", 0, 250),
        ("i", "r", "ledger-db", "INSERT ledger_entries", 10, 220),
    ]);
    let c = compare(&a, &b);
    assert_eq!(c.delta_ns, 200 * MS);
    assert_eq!(c.differences, vec![1]);
    assert_eq!(
        c.summary,
        "B is 200ms slower: +200ms in ledger-db: INSERT ledger_entries"
    );
    let records = difference_records(&a, &b, &c);
    assert_eq!(records.len(), 1);
    let json = serde_json::to_value(&records).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!([{
            "service": "ledger-db", "operation": "INSERT ledger_entries",
            "aUs": 20_000.0, "bUs": 220_000.0, "aSelfUs": 20_000.0, "bSelfUs": 220_000.0,
            "deltaUs": 200_000.0, "only": null
        }])
    );
}

#[test]
fn identical_traces_have_no_differences_and_say_so() {
    let spans: &[SpanSpec] = &[
        ("r", "", "api", "GET /", 0, 100),
        ("a", "r", "db", "SELECT", 10, 30),
        ("b", "r", "db", "SELECT", 50, 30),
        ("c", "b", "cache", "GET", 60, 5),
    ];
    let (a, b) = (trace_a(spans), trace_b(spans));
    let c = compare(&a, &b);
    // Every span pairs with its twin.
    let pairs: Vec<(Option<&str>, Option<&str>)> = c
        .rows
        .iter()
        .map(|r| {
            (
                r.a.map(|i| a.trace.span_id(i)),
                r.b.map(|i| b.trace.span_id(i)),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            (Some("r"), Some("r")),
            (Some("a"), Some("a")),
            (Some("b"), Some("b")),
            (Some("c"), Some("c"))
        ]
    );
    assert_eq!(c.delta_ns, 0);
    assert!(c.differences.is_empty());
    assert!(difference_records(&a, &b, &c).is_empty());
    assert_eq!(
        c.summary,
        "A and B take the same time, and have the same spans"
    );
    assert!(shown_rows(&c, true, default_threshold_ns(&c)).is_empty());
    assert_eq!(
        shown_rows(&c, false, default_threshold_ns(&c)),
        vec![0, 1, 2, 3]
    );
}

/// A: r 0–100 > a 10–40 (> a1 15–25), b 50–60, c 70–90.
///   Self: r 100 − 30 − 10 − 20 = 40, a 30 − 10 = 20, a1 10, b 10, c 20; they add up to 100.
/// B: r 0–160 > a 10–70 (> a1 15–55), c 80–90, d 100–150; b is missing.
///   Self: r 160 − 60 − 10 − 50 = 40, a 60 − 40 = 20, a1 40, c 10, d 50; they add up to 160.
fn mixed() -> (Analyzed, Analyzed) {
    let a = trace_a(&[
        ("r", "", "svc", "r", 0, 100),
        ("a", "r", "svc", "a", 10, 30),
        ("a1", "a", "svc", "a1", 15, 10),
        ("b", "r", "svc", "b", 50, 10),
        ("c", "r", "svc", "c", 70, 20),
    ]);
    let b = trace_b(&[
        ("r", "", "svc", "r", 0, 160),
        ("a", "r", "svc", "a", 10, 60),
        ("a1", "a", "svc", "a1", 15, 40),
        ("c", "r", "svc", "c", 80, 10),
        ("d", "r", "svc", "d", 100, 50),
    ]);
    (a, b)
}

#[test]
fn without_overlapping_children_the_self_differences_add_up_to_the_whole() {
    let (a, b) = mixed();
    let c = compare(&a, &b);
    assert_eq!(
        rows(&a, &b, &c),
        vec![
            row("svc: r", "r", "r", 40, 40),
            row("  svc: a", "a", "a", 20, 20),
            row("    svc: a1", "a1", "a1", 10, 40),
            row("  svc: b", "b", "-", 10, 0),
            row("  svc: c", "c", "c", 20, 10),
            row("  svc: d", "-", "d", 0, 50),
        ]
    );
    // 0 + 0 + 30 − 10 − 10 + 50 = 60 = 160 − 100.
    assert_eq!(c.delta_ns, 60 * MS);
    let sum: i64 = c.rows.iter().map(|r| r.self_delta_ns()).sum();
    assert_eq!(sum, c.delta_ns);
    // d +50, a1 +30, then b −10 and c −10 in row order.
    assert_eq!(c.differences, vec![5, 2, 3, 4]);
    let records = difference_records(&a, &b, &c);
    let by_record: Vec<(&str, f64, Option<Side>)> = records
        .iter()
        .map(|r| (r.operation.as_str(), r.delta_us, r.only))
        .collect();
    assert_eq!(
        by_record,
        vec![
            ("d", 50_000.0, Some(Side::B)),
            ("a1", 30_000.0, None),
            ("b", -10_000.0, Some(Side::A)),
            ("c", -10_000.0, None)
        ]
    );
    assert_eq!(records.iter().map(|r| r.delta_us).sum::<f64>(), 60_000.0);
    // One more d and one fewer b: d carries more self time.
    assert_eq!(
        c.summary,
        "B is 60ms slower: +50ms in svc: d; 1 more call to svc: d"
    );
}

#[test]
fn only_differences_keeps_changed_rows_and_their_ancestors() {
    let (a, b) = mixed();
    let c = compare(&a, &b);
    // Duration differences: r +60, a +30, a1 +30, c −10; self: a1 +30, c −10; b and d are only in one trace.
    // At 15 ms: r, a, a1 (by their own change), b, d; c's 10 ms is under it.
    assert_eq!(shown_rows(&c, true, 15 * MS), vec![0, 1, 2, 3, 5]);
    // At 40 ms: r (+60), b and d; a and a1 changed by 30 only.
    assert_eq!(shown_rows(&c, true, 40 * MS), vec![0, 3, 5]);
    assert_eq!(shown_rows(&c, false, 40 * MS), vec![0, 1, 2, 3, 4, 5]);
    // The longer trace is 160 ms: 1% is 1.6 ms.
    assert_eq!(default_threshold_ns(&c), 1_600_000);

    // A row with no change of its own shows when a row below it does.
    // A: r 0–100 > m 10–90 > leaf 20–30. B: the same, and m has an extra call 40–45.
    // Self: m 80 − 10 = 70 in A, 80 − 15 = 65 in B (−5); r 20 in both; the extra +5; nothing changes in duration.
    let spans: &[SpanSpec] = &[
        ("r", "", "svc", "r", 0, 100),
        ("m", "r", "svc", "m", 10, 80),
        ("l", "m", "svc", "leaf", 20, 10),
    ];
    let a = trace_a(spans);
    let mut with_extra = spans.to_vec();
    with_extra.push(("x", "m", "svc", "extra", 40, 5));
    let b = trace_b(&with_extra);
    let c = compare(&a, &b);
    assert_eq!(c.delta_ns, 0);
    // At 10 ms, m's −5 ms is not enough: it shows for the extra call below it, and r for m; the leaf is hidden.
    assert_eq!(shown_rows(&c, true, 10 * MS), vec![0, 1, 3]);
    // m −5 and the extra +5 tie: row order.
    assert_eq!(c.differences, vec![1, 3]);
    assert_eq!(
        c.summary,
        "A and B take the same time: -5ms in svc: m; 1 more call to svc: extra"
    );
}

#[test]
fn several_roots_pair_by_name_in_order_of_start() {
    // A: roots job 0–10, job 20–30, cron 40–45. B: roots cron 0–5, job 10–30. The first jobs pair (10 → 20 ms);
    // A's second job and B's nothing; the crons pair.
    let a = trace_a(&[
        ("j1", "", "w", "job", 0, 10),
        ("j2", "", "w", "job", 20, 10),
        ("cr", "", "w", "cron", 40, 5),
    ]);
    let b = trace_b(&[
        ("cr", "", "w", "cron", 0, 5),
        ("j1", "", "w", "job", 10, 20),
    ]);
    let c = compare(&a, &b);
    assert_eq!(
        rows(&a, &b, &c),
        vec![
            row("w: job", "j1", "j1", 10, 20),
            row("w: job", "j2", "-", 10, 0),
            row("w: cron", "cr", "cr", 5, 5),
        ]
    );
    assert!(c.rows.iter().all(|r| r.parent == u32::MAX && r.depth == 0));
    // A lasts 45 ms, B 30 ms.
    assert_eq!(c.delta_ns, -15 * MS);
    assert_eq!(
        c.summary,
        "B is 15ms faster: +10ms in w: job; 1 fewer call to w: job"
    );
}

/// A chain of `n` spans (each 1 µs inside its parent on both sides, the deepest 3 µs long), with one extra 1 µs
/// call under the deepest span when `extra`.
fn chain(n: u32, base_ns: i64, extra: bool) -> Analyzed {
    let mut t = Trace::new("chain");
    let (service, op, leaf) = (
        t.strings.intern("chain"),
        t.strings.intern("op"),
        t.strings.intern("leaf"),
    );
    let us = 1_000i64;
    t.spans = (0..n)
        .map(|i| Span {
            parent: if i == 0 {
                ParentRef::None
            } else {
                ParentRef::Index(i - 1)
            },
            service,
            operation: op,
            start_ns: base_ns + i64::from(i) * us,
            duration_ns: (2 * i64::from(n - i) + 1) * us,
            ..Span::default()
        })
        .collect();
    if extra {
        t.spans.push(Span {
            parent: ParentRef::Index(n - 1),
            service,
            operation: leaf,
            start_ns: base_ns + i64::from(n) * us,
            duration_ns: us,
            ..Span::default()
        });
    }
    analyze(t)
}

#[test]
fn a_million_deep_chain_compares_without_recursion() {
    let n = 1_000_000u32;
    let (a, b) = (chain(n, 0, false), chain(n, 7_000_000, true));
    let c = compare(&a, &b);
    // Every span pairs; the extra call is the last row, one deeper than the deepest span.
    assert_eq!(c.rows.len(), n as usize + 1);
    let last = c.rows[n as usize];
    assert_eq!(
        (last.a, last.b, last.depth, last.parent),
        (None, Some(n), n, n - 1)
    );
    assert_eq!(c.rows[0].descendants, n);
    assert!(c.rows[..n as usize].iter().all(|r| r.a == r.b));
    // The extra call lies inside the deepest span: the deepest loses 1 µs of self time, the extra has 1 µs.
    assert_eq!(c.delta_ns, 0);
    assert_eq!(c.differences, vec![n - 1, n]);
    assert_eq!(
        c.summary,
        "A and B take the same time: -1µs in chain: op; 1 more call to chain: leaf"
    );
    // With only differences, the extra call and the deepest span show, and so does every ancestor above them.
    assert_eq!(shown_rows(&c, true, 1_000).len(), n as usize + 1);
}
