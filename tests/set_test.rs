//! Set-wide analyses (operation ranks, where the time went across traces), with expected values computed by hand.

use stitch::analysis::prepare;
use stitch::analysis::ranks::{rank_sentence, OperationRanks, Rank};
use stitch::analysis::set::{set_insight, Latency, SetInsight};
use stitch::analysis::stats::{GroupBy, StatRow};
use stitch::analysis::tree::Tree;
use stitch::model::{flags, ParentRef, Span, Trace};

const MS: i64 = 1_000_000;

/// A span for [`trace`]: parent index (`None` for a root), service, operation, start and duration in ms.
type SpanSpec<'a> = (Option<u32>, &'a str, &'a str, i64, i64);

/// A trace from span specs (times in ms), with its tree.
fn trace(id: &str, spans: &[SpanSpec]) -> (Trace, Tree) {
    let mut t = Trace::new(id);
    for (i, &(parent, service, operation, start, duration)) in spans.iter().enumerate() {
        let span = Span {
            span_id: t.push_str(&format!("{i:x}")),
            parent: parent.map_or(ParentRef::None, ParentRef::Index),
            service: t.strings.intern(service),
            operation: t.strings.intern(operation),
            start_ns: start * MS,
            duration_ns: duration * MS,
            ..Span::default()
        };
        t.spans.push(span);
    }
    prepare(t)
}

/// A root `api: GET /x` of 1 s with `db: SELECT` children of the given durations (ms), one after another.
fn selects(id: &str, durations: &[i64], extra: &[SpanSpec]) -> (Trace, Tree) {
    let mut spans: Vec<SpanSpec> = vec![(None, "api", "GET /x", 0, 1000)];
    for &d in durations {
        spans.push((Some(0), "db", "SELECT", 0, d));
    }
    spans.extend_from_slice(extra);
    trace(id, &spans)
}

fn insight(set: &[(Trace, Tree)]) -> SetInsight {
    set_insight(set.iter().map(|(t, tree)| (t, tree)))
}

#[test]
fn spans_rank_against_their_operation_across_the_set() {
    // db: SELECT, 20 calls over three traces (ms): A 1 2 3 4 100; B 5 5 5 5 5 6 7 8 9 10; C 2 3 11 12 40.
    // Sorted: 1 2 2 3 3 4 5 5 5 5 5 6 7 8 9 10 11 12 40 100.
    // Median: rank ceil(0.5 × 20) = 10 → 5 ms. p95: rank ceil(0.95 × 20) = 19 → 40 ms.
    // Slow: at least 40 ms and at least 2 × 5 = 10 ms → the 40 and 100 ms calls only.
    // cache: SELECT (same operation name, another service): 10 ms in A, 100 ms in C; never pooled with db.
    let cache_a = [(Some(0), "cache", "SELECT", 0, 10)];
    let cache_c = [(Some(0), "cache", "SELECT", 0, 100)];
    let set = [
        selects("a", &[1, 2, 3, 4, 100], &cache_a),
        selects("b", &[5, 5, 5, 5, 5, 6, 7, 8, 9, 10], &[]),
        selects("c", &[2, 3, 11, 12, 40], &cache_c),
    ];
    let ranks = OperationRanks::build(set.iter().map(|(t, _)| t));
    let db = |percentile, slow| Rank {
        percentile,
        calls: 20,
        median_ns: 5 * MS,
        p95_ns: 40 * MS,
        slow,
    };
    // A's spans: 0 root, 1..=5 the selects (1 2 3 4 100), 6 the cache call.
    assert_eq!(ranks.rank(0, 5), Some(db(100, true))); // 100 ms: 20 of 20 at or below
    assert_eq!(ranks.rank(0, 1), Some(db(5, false))); // 1 ms: 1 of 20
    assert_eq!(ranks.rank(0, 2), Some(db(15, false))); // 2 ms: 3 of 20 (two calls of 2 ms)
    assert_eq!(ranks.rank(2, 5), Some(db(95, true))); // 40 ms: 19 of 20
    assert_eq!(ranks.rank(2, 4), Some(db(90, false))); // 12 ms: 18 of 20, above 2 × median but below p95
    assert_eq!(ranks.rank(1, 1), Some(db(55, false))); // 5 ms: 11 of 20 (five calls of 5 ms)
    assert_eq!(ranks.rank(1, 10), Some(db(80, false))); // 10 ms: 16 of 20

    // cache: SELECT, 2 calls: median rank 1 → 10 ms, p95 rank 2 → 100 ms. The 100 ms call is at p95 and 10 × the
    // median, but 2 calls are too few to call anything slow.
    let cache = |percentile| Rank {
        percentile,
        calls: 2,
        median_ns: 10 * MS,
        p95_ns: 100 * MS,
        slow: false,
    };
    assert_eq!(ranks.rank(0, 6), Some(cache(50)));
    assert_eq!(ranks.rank(2, 6), Some(cache(100)));
    // The roots, api: GET /x, 1 s each: 3 calls, all p100.
    assert_eq!(
        ranks.rank(1, 0).map(|r| (r.percentile, r.calls)),
        Some((100, 3))
    );
    assert_eq!(ranks.operations(), 3);

    assert_eq!(ranks.operation(2, 6), Some(("cache", "SELECT")));
    assert_eq!(
        ranks.sentence(0, 5).as_deref(),
        Some("p100 of 20 calls of db SELECT in this set; median 5ms")
    );
    // No such trace, no such span.
    assert_eq!(ranks.rank(3, 0), None);
    assert_eq!(ranks.rank(1, 11), None);
    assert_eq!(ranks.sentence(0, 7), None);
}

#[test]
fn an_operation_whose_median_is_zero_has_no_slow_calls() {
    // queue: poll, 20 calls: 15 of 0 ms, 5 of 10 ms. Median rank 10 → 0; p95 rank 19 → 10 ms. A 10 ms call is at
    // the p95 and above twice the median (0), but half the calls took no time: not slow.
    let mut spans: Vec<SpanSpec> = vec![(None, "queue", "consume", 0, 100)];
    spans.extend((0..15).map(|_| (Some(0), "queue", "poll", 0, 0)));
    spans.extend((0..5).map(|_| (Some(0), "queue", "poll", 0, 10)));
    let set = [trace("q", &spans)];
    let ranks = OperationRanks::build(set.iter().map(|(t, _)| t));
    let expect = |percentile| Rank {
        percentile,
        calls: 20,
        median_ns: 0,
        p95_ns: 10 * MS,
        slow: false,
    };
    assert_eq!(ranks.rank(0, 20), Some(expect(100)));
    assert_eq!(ranks.rank(0, 1), Some(expect(75))); // 0 ms: 15 of 20 at or below
}

#[test]
fn the_rank_sentence_groups_digits_and_says_the_median() {
    let rank = Rank {
        percentile: 97,
        calls: 1204,
        median_ns: 12 * MS,
        p95_ns: 30 * MS,
        slow: true,
    };
    assert_eq!(
        rank_sentence(&rank, "ledger-db", "INSERT ledger_entries"),
        "p97 of 1,204 calls of ledger-db INSERT ledger_entries in this set; median 12ms"
    );
    let one = Rank {
        calls: 1,
        percentile: 100,
        ..rank
    };
    assert_eq!(
        rank_sentence(&one, "api", "GET /"),
        "p100 of 1 call of api GET / in this set; median 12ms"
    );
}

/// Three traces whose critical paths are worked out by hand (ms):
///
/// 1. api GET /a 0–100; db SELECT 10–70; cache GET 20–30 (under db in time, so off the path).
///    Path: api 70–100, db 10–70, api 0–10 → api 40, db SELECT 60. Self: api 100 − 60 = 40, db 60, cache 10.
/// 2. api GET /a 0–200; db SELECT 0–150; cache GET 160–190.
///    Path: api 190–200, cache 160–190, api 150–160, db 0–150 → api 20, cache GET 30, db SELECT 150.
///    Self: api 200 − 180 = 20, db 150, cache 30.
/// 3. api POST /b 0–300; db INSERT 100–300 (an error); cache SELECT 10–20.
///    Path: db INSERT 100–300, api 20–100, cache SELECT 10–20, api 0–10 → api 90, db INSERT 200, cache SELECT 10.
///    Self: api 300 − 210 = 90, db 200, cache 10.
fn three_traces() -> Vec<(Trace, Tree)> {
    let mut third = trace(
        "3",
        &[
            (None, "api", "POST /b", 0, 300),
            (Some(0), "db", "INSERT", 100, 200),
            (Some(0), "cache", "SELECT", 10, 10),
        ],
    );
    third.0.spans[1].flags |= flags::ERROR;
    vec![
        trace(
            "1",
            &[
                (None, "api", "GET /a", 0, 100),
                (Some(0), "db", "SELECT", 10, 60),
                (Some(0), "cache", "GET", 20, 10),
            ],
        ),
        trace(
            "2",
            &[
                (None, "api", "GET /a", 0, 200),
                (Some(0), "db", "SELECT", 0, 150),
                (Some(0), "cache", "GET", 160, 30),
            ],
        ),
        third,
    ]
}

/// Contributors as (service, operation, critical ms, share in percent rounded to 0.01).
fn shares(s: &SetInsight, by_service: bool) -> Vec<(String, String, i64, i64)> {
    let list = if by_service {
        &s.by_service
    } else {
        &s.by_operation
    };
    list.iter()
        .map(|c| {
            (
                s.strings.get(c.service).to_string(),
                c.operation
                    .map(|o| s.strings.get(o).to_string())
                    .unwrap_or_default(),
                c.critical_ns / MS,
                (c.share * 10_000.0).round() as i64,
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, i64, i64)]) -> Vec<(String, String, i64, i64)> {
    rows.iter()
        .map(|&(s, o, c, p)| (s.to_string(), o.to_string(), c, p))
        .collect()
}

#[test]
fn critical_path_time_is_summed_over_the_set() {
    let set = three_traces();
    let s = insight(&set);
    assert_eq!(s.traces, 3);
    // Summed path: api GET /a 40 + 20 = 60, db SELECT 60 + 150 = 210, cache GET 30, api POST /b 90,
    // db INSERT 200, cache SELECT 10; 600 in all (the three roots' 100 + 200 + 300).
    assert_eq!(
        shares(&s, false),
        owned(&[
            ("db", "SELECT", 210, 3500),
            ("db", "INSERT", 200, 3333),
            ("api", "POST /b", 90, 1500),
            ("api", "GET /a", 60, 1000),
            ("cache", "GET", 30, 500),
            ("cache", "SELECT", 10, 167),
        ])
    );
    // Per service: db 410, api 150, cache 40.
    assert_eq!(
        shares(&s, true),
        owned(&[
            ("db", "", 410, 6833),
            ("api", "", 150, 2500),
            ("cache", "", 40, 667),
        ])
    );
    // Root durations 100, 200, 300 ms: p50 is rank ceil(1.5) = 2 → 200; p90 and p99 rank 3 → 300.
    assert_eq!(
        s.latency,
        Latency {
            p50_ns: 200 * MS,
            p90_ns: 300 * MS,
            p99_ns: 300 * MS
        }
    );
    // Two root operations: no name in the sentence. db SELECT 210 of 600 = 35%.
    assert_eq!(
        s.sentence,
        "Across 3 traces, 35% of critical-path time is db: SELECT"
    );
}

#[test]
fn a_set_of_one_root_operation_names_it() {
    let set = three_traces();
    let s = insight(&set[..2]);
    // Traces 1 and 2: api 60, db SELECT 210, cache GET 30 of 300: db SELECT 70%.
    assert_eq!(
        s.sentence,
        "Across 2 GET /a traces, 70% of critical-path time is db: SELECT"
    );
    // Root durations 100, 200: p50 is rank ceil(1.0) = 1 → 100 (nearest rank, not 150); p90, p99 rank 2 → 200.
    assert_eq!(
        s.latency,
        Latency {
            p50_ns: 100 * MS,
            p90_ns: 200 * MS,
            p99_ns: 200 * MS
        }
    );
    // The same traces in another order, through a subset of a larger set: the same answer.
    let s = set_insight([&set[1], &set[0]].into_iter().map(|(t, tree)| (t, tree)));
    assert_eq!(
        s.sentence,
        "Across 2 GET /a traces, 70% of critical-path time is db: SELECT"
    );
}

/// Table rows as (service, operation, count, total, self, min, max, p95 in ms, errors).
type RowText = (String, String, u64, i64, i64, i64, i64, i64, u64);

fn rows(s: &SetInsight, by: GroupBy) -> Vec<RowText> {
    s.stats_by(by)
        .iter()
        .map(|r: &StatRow| {
            (
                s.strings.get(r.service).to_string(),
                r.operation
                    .map(|o| s.strings.get(o).to_string())
                    .unwrap_or_default(),
                r.count,
                r.total_ns / MS,
                r.self_ns / MS,
                r.min_ns / MS,
                r.max_ns / MS,
                r.p95_ns / MS,
                r.errors,
            )
        })
        .collect()
}

fn row(s: &str, o: &str, n: u64, t: [i64; 5], errors: u64) -> RowText {
    let [total, own, min, max, p95] = t;
    (s.into(), o.into(), n, total, own, min, max, p95, errors)
}

#[test]
fn the_statistics_table_covers_every_span_of_the_set() {
    let set = three_traces();
    let s = insight(&set);
    // Both: totals tie at 300 for the two api rows, then by name (GET /a before POST /b).
    assert_eq!(s.stats, s.stats_by(GroupBy::Both));
    assert_eq!(
        rows(&s, GroupBy::Both),
        vec![
            row("api", "GET /a", 2, [300, 60, 100, 200, 200], 0),
            row("api", "POST /b", 1, [300, 90, 300, 300, 300], 0),
            row("db", "SELECT", 2, [210, 210, 60, 150, 150], 0),
            row("db", "INSERT", 1, [200, 200, 200, 200, 200], 1),
            row("cache", "GET", 2, [40, 40, 10, 30, 30], 0),
            row("cache", "SELECT", 1, [10, 10, 10, 10, 10], 0),
        ]
    );
    // Per service: api 100 200 300 (p95 rank 3 → 300); db 60 150 200; cache 10 30 10.
    assert_eq!(
        rows(&s, GroupBy::Service),
        vec![
            row("api", "", 3, [600, 150, 100, 300, 300], 0),
            row("db", "", 3, [410, 410, 60, 200, 200], 1),
            row("cache", "", 3, [50, 50, 10, 30, 30], 0),
        ]
    );
    // Per operation name: SELECT pools db (2 calls) and cache (1 call) and shows db, which has more.
    assert_eq!(
        rows(&s, GroupBy::Operation),
        vec![
            row("api", "GET /a", 2, [300, 60, 100, 200, 200], 0),
            row("api", "POST /b", 1, [300, 90, 300, 300, 300], 0),
            row("db", "SELECT", 3, [220, 220, 10, 150, 150], 0),
            row("db", "INSERT", 1, [200, 200, 200, 200, 200], 1),
            row("cache", "GET", 2, [40, 40, 10, 30, 30], 0),
        ]
    );
}

#[test]
fn empty_and_zero_length_sets_still_get_a_sentence() {
    let s = insight(&[]);
    assert_eq!(s.traces, 0);
    assert_eq!(s.sentence, "No traces to compare.");
    assert!(s.by_operation.is_empty() && s.stats.is_empty());
    assert_eq!(s.latency, Latency::default());

    // One trace whose root and child last 0 ms: nothing on any critical path.
    let set = [trace(
        "z",
        &[(None, "api", "GET /z", 5, 0), (Some(0), "db", "PING", 5, 0)],
    )];
    let s = insight(&set);
    assert_eq!(
        s.sentence,
        "Across 1 GET /z trace, the critical paths have no measurable duration."
    );
    assert!(s.by_service.is_empty());
    assert_eq!(s.stats.len(), 2);
}

/// Trace `t` of the generated set: a root `gateway: GET /pay` of 1,000 + (t mod 100) µs, and 49 calls `db: q{i mod 7}`
/// (i = 1..=49) of 10 µs each, 20 µs apart from the root's start, none overlapping.
fn generated(t: usize) -> (Trace, Tree) {
    const US: i64 = 1000;
    let mut tr = Trace::new(&format!("{t:x}"));
    let (gateway, pay) = (tr.strings.intern("gateway"), tr.strings.intern("GET /pay"));
    let db = tr.strings.intern("db");
    let queries: Vec<u32> = (0..7)
        .map(|k| tr.strings.intern(&format!("q{k}")))
        .collect();
    for i in 0..50i64 {
        let span = Span {
            span_id: tr.push_str(&format!("{i:x}")),
            parent: if i == 0 {
                ParentRef::None
            } else {
                ParentRef::Index(0)
            },
            service: if i == 0 { gateway } else { db },
            operation: if i == 0 {
                pay
            } else {
                queries[(i % 7) as usize]
            },
            start_ns: if i == 0 { 0 } else { 20 * (i - 1) * US },
            duration_ns: if i == 0 {
                (1000 + (t % 100) as i64) * US
            } else {
                10 * US
            },
            ..Span::default()
        };
        tr.spans.push(span);
    }
    prepare(tr)
}

#[test]
fn ten_thousand_traces_of_fifty_spans() {
    let set: Vec<(Trace, Tree)> = (0..10_000).map(generated).collect();
    let s = insight(&set);
    // Root durations: 1,000..=1,099 µs, 100 traces each. p50 rank 5,000 → 1,049; p90 rank 9,000 → 1,089;
    // p99 rank 9,900 → 1,098.
    assert_eq!(
        s.latency,
        Latency {
            p50_ns: 1_049_000,
            p90_ns: 1_089_000,
            p99_ns: 1_098_000
        }
    );
    // Critical time: the roots' durations, 10,000 × 1,000 + 100 × (0 + … + 99) = 10,495,000 µs. The queries hold
    // 49 × 10 µs per trace, 4,900,000 µs; the root the rest, 5,595,000 µs = 53.3%.
    let total: i64 = s.by_operation.iter().map(|c| c.critical_ns).sum();
    assert_eq!(total, 10_495_000_000);
    assert_eq!(s.by_operation[0].critical_ns, 5_595_000_000);
    assert_eq!(
        s.sentence,
        "Across 10,000 GET /pay traces, 53% of critical-path time is gateway: GET /pay"
    );
    // Each query name q0..q6 has 7 calls per trace: 70,000 calls, 700,000 µs on the path.
    assert_eq!(s.by_operation.len(), 8);
    for c in &s.by_operation[1..] {
        assert_eq!(c.critical_ns, 700_000_000);
    }
    let q3 = s
        .stats
        .iter()
        .find(|r| r.operation.map(|o| s.strings.get(o)) == Some("q3"));
    assert_eq!(
        q3.map(|r| (r.count, r.self_ns)),
        Some((70_000, 700_000_000))
    );

    // Ranks: trace t's root has 100 × ((t mod 100) + 1) of the 10,000 roots at or below it: p((t mod 100) + 1).
    // Median 1,049 µs, p95 (rank 9,500) 1,094 µs; nothing reaches twice the median.
    let ranks = OperationRanks::build(set.iter().map(|(t, _)| t));
    let root = ranks.rank(4_321, 0);
    assert_eq!(
        root,
        Some(Rank {
            percentile: 22,
            calls: 10_000,
            median_ns: 1_049_000,
            p95_ns: 1_094_000,
            slow: false
        })
    );
    assert_eq!(ranks.rank(9_999, 0).map(|r| r.percentile), Some(100));
    assert_eq!(
        ranks.rank(9_999, 7).map(|r| (r.percentile, r.calls)),
        Some((100, 70_000))
    );
}

#[test]
fn a_million_deep_chain_needs_no_recursion() {
    // Span i (0-based) starts at i ns and ends at 2n − i ns: each span holds the next, the leaf lasts 2 ns.
    // Each span's 1 ns head and 1 ns tail are on the path (the leaf all its 2 ns): 2n ns in all, one operation.
    let n: i64 = 1_000_000;
    let mut t = Trace::new("deep");
    let (service, operation) = (t.strings.intern("s"), t.strings.intern("op"));
    for i in 0..n {
        let span = Span {
            span_id: t.push_str(&format!("{i:x}")),
            parent: if i == 0 {
                ParentRef::None
            } else {
                ParentRef::Index((i - 1) as u32)
            },
            service,
            operation,
            start_ns: i,
            duration_ns: 2 * (n - i),
            ..Span::default()
        };
        t.spans.push(span);
    }
    let set = [prepare(t)];
    assert_eq!(set[0].1.max_depth, (n - 1) as u32);
    let s = insight(&set);
    assert_eq!(
        s.sentence,
        "Across 1 op trace, 100% of critical-path time is s: op"
    );
    assert_eq!(s.by_operation[0].critical_ns, 2 * n);
    // Durations 2(n − i): total n(n + 1); every span's self time is 2 ns.
    assert_eq!(
        (s.stats[0].count, s.stats[0].total_ns, s.stats[0].self_ns),
        (n as u64, n * (n + 1), 2 * n)
    );

    // Span i has n − i calls at or below it. Median: rank 500,000 → 1,000,000 ns; p95: rank 950,000 → 1,900,000 ns.
    // Slow from twice the median, 2,000,000 ns: the root alone.
    let ranks = OperationRanks::build(set.iter().map(|(t, _)| t));
    let at = |i: u32| ranks.rank(0, i).map(|r| (r.percentile, r.slow));
    assert_eq!(at(0), Some((100, true)));
    assert_eq!(at(1), Some((99, false))); // 999,999 of 1,000,000
    assert_eq!(at(500_000), Some((50, false)));
    assert_eq!(at(999_999), Some((0, false))); // the leaf: 1 of 1,000,000
    let r = ranks.rank(0, 0);
    assert_eq!(
        r.map(|r| (r.median_ns, r.p95_ns)),
        Some((1_000_000, 1_900_000))
    );
}

#[test]
fn with_one_trace_loaded_the_rank_speaks_of_the_trace() {
    // One Zipkin trace: api get (root, 100µs) calls db query twice, for 10µs and 30µs.
    let json = r#"[
      {"traceId":"00000000000000a1","id":"01","name":"get","timestamp":1000,"duration":100,"localEndpoint":{"serviceName":"api"}},
      {"traceId":"00000000000000a1","id":"02","parentId":"01","name":"query","timestamp":1010,"duration":10,"localEndpoint":{"serviceName":"db"}},
      {"traceId":"00000000000000a1","id":"03","parentId":"01","name":"query","timestamp":1030,"duration":30,"localEndpoint":{"serviceName":"db"}}
    ]"#;
    let l = stitch::formats::load("one.json", json.as_bytes()).expect("loads");
    let t = &l.traces[0];
    let ranks = OperationRanks::build([t]);
    let slower = (0..3u32)
        .find(|&i| t.spans[i as usize].duration_ns == 30_000)
        .expect("the 30µs call");
    // Both calls at or below 30µs: p100; the median (nearest rank) of [10µs, 30µs] is 10µs.
    assert_eq!(
        ranks.sentence(0, slower).as_deref(),
        Some("p100 of 2 calls of db query in this trace; median 10µs")
    );
}
