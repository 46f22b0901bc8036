//! Trace sets (`--traces N`): many traces of a few request kinds, written as OTLP JSON Lines; and the pair of
//! traces for a comparison.

use std::fmt::Write as _;
use std::io::Write as _;

use super::{otlp_span, GSpan, Rng, SERVICES};

/// Spans a line of an OTLP JSON Lines file holds at most (a Collector batch); traces run over line ends.
const LINE_SPANS: usize = 1024;
/// The first trace of a set starts here (µs since the epoch); the set spans ten minutes.
const SET_T0_US: i64 = 1_763_650_000_000_000;
const SET_SPREAD_US: f64 = 600e6;

/// How a call is made, which decides its span kind and attributes.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Http,
    Rpc,
    Db,
    Internal,
}

/// One call a request makes: its service (an index into SERVICES), operation, style, detail (route, RPC method or
/// SQL) and usual own time in µs.
struct Call {
    service: usize,
    name: &'static str,
    style: Style,
    detail: &'static str,
    own_us: i64,
}

const fn call(
    service: usize,
    name: &'static str,
    style: Style,
    detail: &'static str,
    own_us: i64,
) -> Call {
    Call {
        service,
        name,
        style,
        detail,
        own_us,
    }
}

/// A request kind: its root call, the calls under it, its share of traces, and the call ten times slower in some
/// of its traces (its name, and in how many traces per thousand).
struct Kind {
    root: Call,
    calls: &'static [Call],
    weight: u64,
    slow: Option<(&'static str, u64)>,
}

static CHARGE_CALLS: [Call; 8] = [
    call(7, "payments.v1.Payments/Charge", Style::Rpc, "Charge", 400),
    call(8, "fraud.v1.Fraud/Score", Style::Rpc, "Score", 1200),
    call(
        9,
        "INSERT ledger_entries",
        Style::Db,
        "INSERT INTO ledger_entries (account_id, amount, currency) VALUES ($1, $2, $3)",
        2500,
    ),
    call(
        17,
        "GET /v1/sessions/{id}",
        Style::Http,
        "/v1/sessions/{id}",
        300,
    ),
    call(
        12,
        "SELECT fx_rates",
        Style::Db,
        "SELECT rate FROM fx_rates WHERE pair = $1",
        600,
    ),
    call(18, "audit.write", Style::Internal, "", 80),
    call(
        14,
        "notifications.v1.Notify/Publish",
        Style::Rpc,
        "Publish",
        250,
    ),
    call(1, "auth.v1.Auth/Verify", Style::Rpc, "Verify", 200),
];
static BALANCE_CALLS: [Call; 4] = [
    call(1, "auth.v1.Auth/Verify", Style::Rpc, "Verify", 200),
    call(
        9,
        "SELECT balances",
        Style::Db,
        "SELECT amount FROM balances WHERE account_id = $1",
        900,
    ),
    call(
        17,
        "GET /v1/sessions/{id}",
        Style::Http,
        "/v1/sessions/{id}",
        300,
    ),
    call(17, "cache.get", Style::Internal, "", 40),
];
static SEARCH_CALLS: [Call; 4] = [
    call(4, "search.v1.Search/Query", Style::Rpc, "Query", 2000),
    call(
        3,
        "SELECT items",
        Style::Db,
        "SELECT * FROM items WHERE id = ANY($1)",
        1500,
    ),
    call(
        13,
        "recommendations.v1.Recs/Similar",
        Style::Rpc,
        "Similar",
        800,
    ),
    call(
        12,
        "SELECT prices",
        Style::Db,
        "SELECT price FROM prices WHERE item_id = ANY($1)",
        400,
    ),
];
static HEALTH_CALLS: [Call; 2] = [
    call(0, "health.check", Style::Internal, "", 15),
    call(9, "SELECT 1", Style::Db, "SELECT 1", 60),
];
/// A call only the slower trace of a comparison makes.
static PRICE_CALL: Call = call(12, "GET /v1/prices", Style::Http, "/v1/prices", 700);

static KINDS: [Kind; 4] = [
    Kind {
        root: call(0, "POST /v1/charges", Style::Http, "/v1/charges", 300),
        calls: &CHARGE_CALLS,
        weight: 40,
        slow: Some(("INSERT ledger_entries", 100)),
    },
    Kind {
        root: call(0, "GET /v1/balance", Style::Http, "/v1/balance", 200),
        calls: &BALANCE_CALLS,
        weight: 30,
        slow: None,
    },
    Kind {
        root: call(0, "GET /v1/search", Style::Http, "/v1/search", 250),
        calls: &SEARCH_CALLS,
        weight: 20,
        slow: None,
    },
    Kind {
        root: call(0, "GET /v1/health", Style::Http, "/v1/health", 30),
        calls: &HEALTH_CALLS,
        weight: 10,
        slow: None,
    },
];

/// A span of a set trace before it is placed in time. Parents come before their children.
#[derive(Clone)]
struct Node {
    parent: Option<usize>,
    call: &'static Call,
    depth: u32,
    own_us: i64,
    gap_us: i64,
    error: bool,
}

fn node(parent: Option<usize>, call: &'static Call, depth: u32, r: &mut Rng) -> Node {
    // The call's usual time, 0.6x to 1.6x, and three times that in one call of fifty.
    let mut own = call.own_us as f64 * (0.6 + r.unit());
    if r.below(50) == 0 {
        own *= 3.0;
    }
    Node {
        parent,
        call,
        depth,
        own_us: own.max(1.0) as i64,
        gap_us: 10 + r.below(60) as i64,
        error: r.below(60) == 0,
    }
}

/// A parent for the next node: one of the last few, moved up while it is a database call or too deep.
fn pick_parent(nodes: &[Node], r: &mut Rng) -> usize {
    let n = nodes.len();
    let mut p = n - 1 - r.below(n.min(8) as u64) as usize;
    while nodes[p].call.style == Style::Db || nodes[p].depth >= 6 {
        p = nodes[p].parent.unwrap_or(0);
    }
    p
}

/// The `n` calls of one trace of `kind`: the root, then each of the kind's calls once, then calls picked at random.
fn set_nodes(kind: &'static Kind, n: usize, r: &mut Rng) -> Vec<Node> {
    let mut nodes = vec![node(None, &kind.root, 0, r)];
    for i in 1..n.max(1) {
        let call = match kind.calls.get(i - 1) {
            Some(c) => c,
            None => &kind.calls[r.below(kind.calls.len() as u64) as usize],
        };
        let p = pick_parent(&nodes, r);
        let depth = nodes[p].depth + 1;
        nodes.push(node(Some(p), call, depth, r));
    }
    nodes
}

/// Places the nodes in time from `start_us`, every own time times `scale`: a parent's children run one after
/// another, each after its gap, from the middle of the parent's own time. Returns (start, duration) per node.
fn place(nodes: &[Node], start_us: i64, scale: f64) -> Vec<(i64, i64)> {
    let own: Vec<i64> = nodes
        .iter()
        .map(|n| ((n.own_us as f64 * scale) as i64).max(1))
        .collect();
    let mut dur = own.clone();
    for (i, n) in nodes.iter().enumerate().skip(1).rev() {
        if let Some(p) = n.parent {
            dur[p] += dur[i] + n.gap_us;
        }
    }
    let mut placed = vec![(start_us, dur[0]); nodes.len()];
    let mut cursor = vec![start_us + own[0] / 2; nodes.len()];
    for (i, n) in nodes.iter().enumerate().skip(1) {
        let p = n.parent.unwrap_or(0);
        let start = cursor[p] + n.gap_us;
        cursor[p] = start + dur[i];
        cursor[i] = start + own[i] / 2;
        placed[i] = (start, dur[i]);
    }
    placed
}

fn call_attrs(c: &Call, error: bool) -> Vec<(&'static str, String, bool)> {
    let service = SERVICES[c.service];
    match c.style {
        Style::Http => vec![
            (
                "http.request.method",
                c.name.split(' ').next().unwrap_or("GET").into(),
                false,
            ),
            ("http.route", c.detail.into(), false),
            (
                "http.response.status_code",
                (if error { "500" } else { "200" }).into(),
                true,
            ),
            ("server.address", format!("{service}.internal"), false),
        ],
        Style::Rpc => vec![
            ("rpc.system", "grpc".into(), false),
            (
                "rpc.service",
                c.name.split('/').next().unwrap_or("").into(),
                false,
            ),
            ("rpc.method", c.detail.into(), false),
            (
                "rpc.grpc.status_code",
                (if error { "14" } else { "0" }).into(),
                true,
            ),
        ],
        Style::Db => vec![
            ("db.system", "postgresql".into(), false),
            ("db.name", service.into(), false),
            ("db.statement", c.detail.into(), false),
        ],
        Style::Internal => vec![("code.function", c.name.into(), false)],
    }
}

/// The spans of placed nodes, with fresh span IDs from `r`.
fn set_spans(nodes: &[Node], placed: &[(i64, i64)], r: &mut Rng) -> Vec<GSpan> {
    let spans = nodes.iter().zip(placed).map(|(n, &(start, dur))| GSpan {
        id: r.next() | 1,
        parent: n.parent,
        service: n.call.service,
        op: n.call.name.into(),
        start_us: start,
        dur_us: dur,
        depth: n.depth,
        kind: match (n.parent, n.call.style) {
            (None, _) => "server",
            (_, Style::Internal) => "internal",
            _ => "client",
        },
        error: n.error,
        attrs: call_attrs(n.call, n.error),
        event: n.error.then_some((start + dur / 2, "exception")),
    });
    spans.collect()
}

/// Trace `i` of a set of `count`, `n` spans: its kind picked by weight, its start spread over ten minutes with the
/// load rising and falling twice, and its kind's slow call ten times slower in some traces.
fn set_trace(i: usize, count: usize, n: usize, r: &mut Rng) -> (String, Vec<GSpan>) {
    let mut pick = r.below(KINDS.iter().map(|k| k.weight).sum());
    let mut kind = &KINDS[0];
    for k in &KINDS {
        if pick < k.weight {
            kind = k;
            break;
        }
        pick -= k.weight;
    }
    let mut nodes = set_nodes(kind, n, r);
    if let Some((name, per_mille)) = kind.slow {
        if r.below(1000) < per_mille {
            if let Some(slow) = nodes.iter_mut().find(|x| x.call.name == name) {
                slow.own_us *= 10;
            }
        }
    }
    let at = i as f64 / count.max(1) as f64;
    let start = SET_T0_US + (at * SET_SPREAD_US) as i64 + r.below(50_000) as i64;
    let load = 1.0 + 0.3 * (at * 4.0 * std::f64::consts::PI).sin();
    let placed = place(&nodes, start, load);
    let id = format!("{:016x}{:016x}", r.next(), r.next());
    (id, set_spans(&nodes, &placed, r))
}

/// A span waiting for its line: its trace ID, its parent's span ID, the span.
type LineSpan = (std::rc::Rc<str>, Option<u64>, GSpan);

/// One ExportTraceServiceRequest holding `spans`, one resource per service.
fn otlp_request(spans: &[LineSpan]) -> String {
    let mut o = String::with_capacity(spans.len() * 600);
    o.push_str(r#"{"resourceSpans":["#);
    let mut first_resource = true;
    for (svc, name) in SERVICES.iter().enumerate() {
        let mut first = true;
        for (trace_id, parent, s) in spans.iter().filter(|x| x.2.service == svc) {
            if first {
                if !first_resource {
                    o.push(',');
                }
                first_resource = false;
                let _ = write!(
                    o,
                    r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{name}"}}}}]}},"scopeSpans":[{{"scope":{{"name":"gen"}},"spans":["#
                );
            } else {
                o.push(',');
            }
            first = false;
            otlp_span(&mut o, trace_id, s, *parent);
        }
        if !first {
            o.push_str("]}]}");
        }
    }
    o.push_str("]}\n");
    o
}

/// Writes `count` traces of `n` spans as OTLP JSON Lines, [`LINE_SPANS`] spans a line.
pub fn write_otlp_lines(path: &str, count: usize, n: usize, seed: u64) {
    if let Some(dir) = std::path::Path::new(path).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut w = std::io::BufWriter::new(file);
    let mut r = Rng(seed | 1);
    let mut pending: Vec<LineSpan> = Vec::new();
    let mut bytes = 0;
    for i in 0..count {
        let (id, spans) = set_trace(i, count, n, &mut r);
        let id: std::rc::Rc<str> = id.into();
        let parents: Vec<Option<u64>> = spans
            .iter()
            .map(|s| s.parent.map(|p| spans[p].id))
            .collect();
        pending.extend(
            spans
                .into_iter()
                .zip(parents)
                .map(|(s, p)| (id.clone(), p, s)),
        );
        while pending.len() >= LINE_SPANS || (i + 1 == count && !pending.is_empty()) {
            let take = pending.len().min(LINE_SPANS);
            let line = otlp_request(&pending[..take]);
            pending.drain(..take);
            bytes += line.len();
            w.write_all(line.as_bytes())
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }
    w.flush().unwrap_or_else(|e| panic!("{path}: {e}"));
    eprintln!("wrote {path} ({count} traces, {} MB)", bytes / 1_000_000);
}

/// Two traces of one charge request, about `n` spans each, for a comparison: B makes the same calls as A, with fraud
/// scoring twice, the FX lookup three times and the ledger insert 1.6 times as slow, plus `n / 50` extra calls
/// (session lookups again, and a price lookup A never makes).
pub fn compare_pair(n: usize) -> [(String, Vec<GSpan>); 2] {
    let a = set_nodes(&KINDS[0], n, &mut Rng(7));
    let mut b = a.clone();
    let mut r = Rng(11);
    for i in 0..n / 50 {
        let mut p = r.below(b.len() as u64) as usize;
        while b[p].call.style == Style::Db || b[p].depth >= 6 {
            p = b[p].parent.unwrap_or(0);
        }
        let call = if i % 2 == 0 {
            &CHARGE_CALLS[3]
        } else {
            &PRICE_CALL
        };
        let depth = b[p].depth + 1;
        b.push(node(Some(p), call, depth, &mut r));
    }
    for x in &mut b {
        x.own_us = match x.call.name {
            "fraud.v1.Fraud/Score" => x.own_us * 2,
            "SELECT fx_rates" => x.own_us * 3,
            "INSERT ledger_entries" => x.own_us * 8 / 5,
            _ => x.own_us,
        };
    }
    [(a, 21, 0), (b, 22, 3_600_000_000)].map(|(nodes, seed, later)| {
        let mut r = Rng(seed);
        let placed = place(&nodes, SET_T0_US + later, 1.0);
        let id = format!("{:016x}{:016x}", r.next(), r.next());
        (id, set_spans(&nodes, &placed, &mut r))
    })
}
