//! Deterministic, realistic trace generator for tests and benchmarks.
//!
//! cargo run --release --example gen -- --spans 100000 --format jaeger --out target/bench/100k.json
//! cargo run --release --example gen -- --traces 10000 --spans 50 --format otlp-lines --out target/bench/set.jsonl
//! cargo run --release --example gen -- --bench-files target/bench
//!
//! One trace (`--spans N`): ~20 services, depth around 10, fan-out, OTel-style attributes, events, and ~2% errors.
//! Formats: jaeger, otlp, zipkin.
//!
//! A set (`--traces N`, with `--spans` spans per trace): four request kinds through the services, spread over ten
//! minutes under a load that rises and falls; in one in ten of the `POST /v1/charges` traces the ledger insert
//! is ten times slower. Written as OTLP JSON Lines as the Collector's file exporter writes them: each line one
//! request of at most a thousand spans, traces running over line ends.
//!
//! `--bench-files DIR` writes what is missing of: Jaeger traces of 10k, 100k and 1M spans; `set-10k.jsonl`
//! (10,000 traces of 50 spans), `set-5k.jsonl` and `set-20k.jsonl` (5,000 and 20,000 traces of 20 spans) and
//! `set-100k.jsonl` (100,000 traces of 3 spans); `compare-a.json` and `compare-b.json`, two Jaeger traces of one
//! request of about 10,000 spans, B slower in three operations and with extra calls.

use std::fmt::Write as _;
use std::io::Write as _;

#[path = "gen/set.rs"]
mod set;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        (self.next() >> 24) % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const SERVICES: [&str; 20] = [
    "api-gateway",
    "auth",
    "users",
    "catalog",
    "search",
    "cart",
    "checkout",
    "payments",
    "fraud",
    "ledger",
    "inventory",
    "shipping",
    "pricing",
    "recommendations",
    "notifications",
    "email",
    "geo",
    "sessions",
    "audit",
    "reporting",
];
const HTTP_OPS: [&str; 6] = [
    "GET /v1/items",
    "POST /v1/orders",
    "GET /v1/users/{id}",
    "PUT /v1/cart",
    "GET /healthz",
    "POST /v1/search",
];
const DB_OPS: [&str; 4] = [
    "SELECT items",
    "INSERT orders",
    "UPDATE stock",
    "SELECT users",
];

struct GSpan {
    id: u64,
    parent: Option<usize>,
    service: usize,
    op: String,
    start_us: i64,
    dur_us: i64,
    depth: u32,
    kind: &'static str,
    error: bool,
    attrs: Vec<(&'static str, String, bool)>, // key, value, is_int
    event: Option<(i64, &'static str)>,
}

fn generate(n: usize, seed: u64) -> (String, Vec<GSpan>) {
    let mut r = Rng(seed | 1);
    let t0: i64 = 1_763_650_000_000_000;
    let mut spans: Vec<GSpan> = Vec::with_capacity(n);
    spans.push(GSpan {
        id: r.next() | 1,
        parent: None,
        service: 0,
        op: "POST /v1/orders".into(),
        start_us: t0,
        dur_us: 2_000_000 + (n as i64) * 20,
        depth: 0,
        kind: "server",
        error: false,
        attrs: vec![
            ("http.request.method", "POST".into(), false),
            ("http.response.status_code", "200".into(), true),
        ],
        event: None,
    });
    // Candidate parents: a sliding window of recent spans gives depth ~10 and wide fan-out.
    for i in 1..n {
        let back = 1 + r.below(12.min(i as u64)) as usize;
        let mut p = i - back;
        while spans[p].depth >= 10 {
            p = spans[p].parent.unwrap_or(0);
        }
        let (ps, pd) = (spans[p].start_us, spans[p].dur_us.max(2));
        let start = ps + (r.unit() * pd as f64 * 0.5) as i64;
        let dur = ((ps + pd - start) as f64 * (0.25 + r.unit() * 0.7)).max(1.0) as i64;
        let service = if r.below(3) == 0 {
            spans[p].service
        } else {
            r.below(SERVICES.len() as u64) as usize
        };
        let error = r.below(50) == 0;
        let (op, kind, attrs): (String, &'static str, Vec<(&'static str, String, bool)>) =
            match r.below(4) {
                0 => {
                    let op = HTTP_OPS[r.below(HTTP_OPS.len() as u64) as usize];
                    let status = if error { "503" } else { "200" };
                    (
                        op.into(),
                        "server",
                        vec![
                            (
                                "http.request.method",
                                op.split(' ').next().unwrap_or("GET").into(),
                                false,
                            ),
                            (
                                "http.route",
                                op.split(' ').nth(1).unwrap_or("/").into(),
                                false,
                            ),
                            ("http.response.status_code", status.into(), true),
                            (
                                "server.address",
                                format!("{}.internal", SERVICES[service]),
                                false,
                            ),
                        ],
                    )
                }
                1 => {
                    let op = DB_OPS[r.below(DB_OPS.len() as u64) as usize];
                    (
                        op.into(),
                        "client",
                        vec![
                            ("db.system", "postgresql".into(), false),
                            (
                                "db.statement",
                                format!("{} WHERE id = $1 -- shard {}", op, r.below(64)),
                                false,
                            ),
                            ("db.name", "main".into(), false),
                        ],
                    )
                }
                2 => {
                    let m = ["Get", "List", "Create", "Update"][r.below(4) as usize];
                    (
                        format!("{}.v1.{}/{}", SERVICES[service], "Service", m),
                        "client",
                        vec![
                            ("rpc.system", "grpc".into(), false),
                            ("rpc.method", m.into(), false),
                            (
                                "rpc.grpc.status_code",
                                if error { "14".into() } else { "0".into() },
                                true,
                            ),
                        ],
                    )
                }
                _ => (
                    format!("compute.step{}", r.below(8)),
                    "internal",
                    vec![("work.items", r.below(1000).to_string(), true)],
                ),
            };
        let event = (r.below(10) == 0).then(|| {
            (
                start + dur / 2,
                if error { "exception" } else { "cache.miss" },
            )
        });
        spans.push(GSpan {
            id: r.next() | 1,
            parent: Some(p),
            service,
            op,
            start_us: start,
            dur_us: dur,
            depth: spans[p].depth + 1,
            kind,
            error,
            attrs,
            event,
        });
    }
    (format!("{:016x}{:016x}", r.next(), r.next()), spans)
}

fn esc(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn jaeger(trace_id: &str, spans: &[GSpan]) -> String {
    let mut o = String::with_capacity(spans.len() * 700);
    let _ = write!(o, r#"{{"data":[{{"traceID":"{trace_id}","spans":["#);
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        let refs = match s.parent {
            Some(p) => format!(
                r#"{{"refType":"CHILD_OF","traceID":"{trace_id}","spanID":"{:016x}"}}"#,
                spans[p].id
            ),
            None => String::new(),
        };
        let mut tags = format!(
            r#"{{"key":"span.kind","type":"string","value":"{}"}}"#,
            s.kind
        );
        for (k, v, is_int) in &s.attrs {
            if *is_int {
                let _ = write!(tags, r#",{{"key":"{k}","type":"int64","value":{v}}}"#);
            } else {
                let _ = write!(
                    tags,
                    r#",{{"key":"{k}","type":"string","value":{}}}"#,
                    esc(v)
                );
            }
        }
        if s.error {
            tags.push_str(r#",{"key":"error","type":"bool","value":true}"#);
        }
        let logs = match s.event {
            Some((t, name)) => format!(
                r#"{{"timestamp":{t},"fields":[{{"key":"event","type":"string","value":"{name}"}}]}}"#
            ),
            None => String::new(),
        };
        let _ = write!(
            o,
            r#"{{"traceID":"{trace_id}","spanID":"{:016x}","operationName":{},"references":[{refs}],"startTime":{},"duration":{},"tags":[{tags}],"logs":[{logs}],"processID":"p{}"}}"#,
            s.id,
            esc(&s.op),
            s.start_us,
            s.dur_us,
            s.service
        );
    }
    o.push_str(r#"],"processes":{"#);
    for (i, name) in SERVICES.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        let _ = write!(
            o,
            r#""p{i}":{{"serviceName":"{name}","tags":[{{"key":"host.name","type":"string","value":"{name}-{i}"}}]}}"#
        );
    }
    o.push_str("}}]}");
    o
}

fn otlp(trace_id: &str, spans: &[GSpan]) -> String {
    let mut o = String::with_capacity(spans.len() * 800);
    o.push_str(r#"{"resourceSpans":["#);
    for (svc, name) in SERVICES.iter().enumerate() {
        if svc > 0 {
            o.push(',');
        }
        let _ = write!(
            o,
            r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{name}"}}}}]}},"scopeSpans":[{{"scope":{{"name":"gen"}},"spans":["#
        );
        let mut first = true;
        for s in spans.iter().filter(|s| s.service == svc) {
            if !first {
                o.push(',');
            }
            first = false;
            otlp_span(&mut o, trace_id, s, s.parent.map(|p| spans[p].id));
        }
        o.push_str("]}]}");
    }
    o.push_str("]}");
    o
}

/// Appends one span as OTLP JSON; `parent_id` is its parent's span ID.
fn otlp_span(o: &mut String, trace_id: &str, s: &GSpan, parent_id: Option<u64>) {
    let parent = parent_id
        .map(|p| format!(r#","parentSpanId":"{p:016x}""#))
        .unwrap_or_default();
    let kind = match s.kind {
        "server" => 2,
        "client" => 3,
        _ => 1,
    };
    let mut attrs = String::new();
    for (i, (k, v, is_int)) in s.attrs.iter().enumerate() {
        if i > 0 {
            attrs.push(',');
        }
        if *is_int {
            let _ = write!(attrs, r#"{{"key":"{k}","value":{{"intValue":"{v}"}}}}"#);
        } else {
            let _ = write!(
                attrs,
                r#"{{"key":"{k}","value":{{"stringValue":{}}}}}"#,
                esc(v)
            );
        }
    }
    let events = match s.event {
        Some((t, name)) => format!(r#"{{"timeUnixNano":"{}","name":"{name}"}}"#, t * 1000),
        None => String::new(),
    };
    let status = if s.error { r#"{"code":2}"# } else { "{}" };
    let _ = write!(
        o,
        r#"{{"traceId":"{trace_id}","spanId":"{:016x}"{parent},"name":{},"kind":{kind},"startTimeUnixNano":"{}","endTimeUnixNano":"{}","attributes":[{attrs}],"events":[{events}],"status":{status}}}"#,
        s.id,
        esc(&s.op),
        s.start_us * 1000,
        (s.start_us + s.dur_us) * 1000
    );
}

fn zipkin(trace_id: &str, spans: &[GSpan]) -> String {
    let mut o = String::with_capacity(spans.len() * 500);
    o.push('[');
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        let parent = s
            .parent
            .map(|p| format!(r#","parentId":"{:016x}""#, spans[p].id))
            .unwrap_or_default();
        let mut tags = String::new();
        for (j, (k, v, _)) in s.attrs.iter().enumerate() {
            if j > 0 {
                tags.push(',');
            }
            let _ = write!(tags, r#""{k}":{}"#, esc(v));
        }
        if s.error {
            tags.push_str(r#","error":"true""#);
        }
        let kind = match s.kind {
            "server" => r#","kind":"SERVER""#,
            "client" => r#","kind":"CLIENT""#,
            _ => "",
        };
        let _ = write!(
            o,
            r#"{{"traceId":"{trace_id}","id":"{:016x}"{parent}{kind},"name":{},"timestamp":{},"duration":{},"localEndpoint":{{"serviceName":"{}"}},"tags":{{{tags}}}}}"#,
            s.id,
            esc(&s.op),
            s.start_us,
            s.dur_us,
            SERVICES[s.service]
        );
    }
    o.push(']');
    o
}

fn write(path: &str, text: &str) {
    if let Some(dir) = std::path::Path::new(path).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut f = std::fs::File::create(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    f.write_all(text.as_bytes())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    eprintln!("wrote {path} ({} MB)", text.len() / 1_000_000);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(dir) = get("--bench-files") {
        for (n, label) in [(10_000, "10k"), (100_000, "100k"), (1_000_000, "1m")] {
            let path = format!("{dir}/jaeger-{label}.json");
            if std::path::Path::new(&path).exists() {
                continue;
            }
            let (tid, spans) = generate(n, 42);
            write(&path, &jaeger(&tid, &spans));
        }
        for (traces, spans, label) in [
            (10_000, 50, "10k"),
            (5_000, 20, "5k"),
            (20_000, 20, "20k"),
            (100_000, 3, "100k"),
        ] {
            let set = format!("{dir}/set-{label}.jsonl");
            if !std::path::Path::new(&set).exists() {
                set::write_otlp_lines(&set, traces, spans, 42);
            }
        }
        let [a, b] = set::compare_pair(10_000);
        for (label, (tid, spans)) in [("a", a), ("b", b)] {
            let path = format!("{dir}/compare-{label}.json");
            if !std::path::Path::new(&path).exists() {
                write(&path, &jaeger(&tid, &spans));
            }
        }
        return;
    }
    if let Some(count) = get("--traces").and_then(|s| s.parse::<usize>().ok()) {
        let n: usize = get("--spans").and_then(|s| s.parse().ok()).unwrap_or(50);
        let seed: u64 = get("--seed").and_then(|s| s.parse().ok()).unwrap_or(42);
        let format = get("--format").unwrap_or_else(|| "otlp-lines".into());
        if format != "otlp-lines" {
            eprintln!("--traces writes --format otlp-lines only, not {format}");
            std::process::exit(2);
        }
        let out = get("--out").unwrap_or_else(|| format!("target/gen/set-{count}x{n}.jsonl"));
        set::write_otlp_lines(&out, count, n, seed);
        return;
    }
    let n: usize = get("--spans")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let format = get("--format").unwrap_or_else(|| "jaeger".into());
    let seed: u64 = get("--seed").and_then(|s| s.parse().ok()).unwrap_or(42);
    let out = get("--out").unwrap_or_else(|| format!("target/gen/{format}-{n}.json"));
    let (tid, spans) = generate(n, seed);
    let text = match format.as_str() {
        "otlp" => otlp(&tid, &spans),
        "zipkin" => zipkin(&tid, &spans),
        _ => jaeger(&tid, &spans),
    };
    write(&out, &text);
}
