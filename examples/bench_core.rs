//! Native timings of the core on generated traces (part of `make bench`).
//! Baseline in the same run: serde_json validating the same bytes (`IgnoredAny`), the floor of any JSON reader.

use std::time::Instant;

use stitch::analysis::{critical, search, stats, tree::Tree};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench".into());
    println!("\nsize  spans    scan(base)  load      load/scan  tree     critical  self     stats    search   analyze(all)");
    for label in ["10k", "100k", "1m"] {
        let path = format!("{dir}/jaeger-{label}.json");
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skipping {path}: not found (make bench writes it)");
            continue;
        };
        let t = Instant::now();
        let _: serde::de::IgnoredAny = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let scan = ms(t);
        let t = Instant::now();
        let mut loaded = match stitch::formats::load(&path, &bytes) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let load = ms(t);
        let handover = handover(&path, &bytes);
        let mut trace = loaded.traces.remove(0);
        let n = trace.spans.len();
        let t = Instant::now();
        let tree = Tree::build(&mut trace);
        let tree_ms = ms(t);
        let root = critical::main_root(&trace, &tree).unwrap_or(0);
        let t = Instant::now();
        let path_ = critical::critical_path(&trace, &tree, root);
        let crit_ms = ms(t);
        let t = Instant::now();
        let self_ns = critical::self_times(&trace, &tree);
        let self_ms = ms(t);
        let t = Instant::now();
        let rows = stats::stats(&trace, &self_ns, stats::GroupBy::Both);
        let stats_ms = ms(t);
        let ix = search::SearchIndex::new(&trace);
        let t = Instant::now();
        let hits = search::search(
            &trace,
            &tree,
            &ix,
            &search::parse_query("postgresql"),
            &Default::default(),
        );
        let search_ms = ms(t);
        let t = Instant::now();
        let a = stitch::analysis::analyze(trace);
        let all_ms = ms(t);
        println!(
            "{label:<5} {n:<8} {scan:<11.1} {load:<9.1} {:<10.2} {tree_ms:<8.1} {crit_ms:<9.1} {self_ms:<8.1} {stats_ms:<8.1} {search_ms:<8.1} {all_ms:.1}   ({} path sections, {} stat rows, {} hits, {} B/span model)",
            load / scan,
            path_.len(),
            rows.len(),
            hits.len(),
            model_bytes(&a.trace) / n.max(1),
        );
        let t = &a.trace;
        let per = |b: usize| b as f64 / n.max(1) as f64;
        println!(
            "      model per span: span record {} B; attributes {:.1} × {} B = {:.0} B; events {:.0} B; links {:.0} B; text {:.0} B (attribute values and IDs)",
            std::mem::size_of::<stitch::model::Span>(),
            t.attrs.len() as f64 / n.max(1) as f64,
            std::mem::size_of::<stitch::model::Attr>(),
            per(t.attrs.len() * std::mem::size_of::<stitch::model::Attr>()),
            per(t.events.len() * std::mem::size_of::<stitch::model::Event>()),
            per(t.links.len() * std::mem::size_of::<stitch::model::Link>()),
            per(t.text.len()),
        );
        if let Some((prepare, encode, decode, finish, mb)) = handover {
            println!(
                "      worker to page: prepare {prepare:.1} ms, encode {encode:.1} ms ({mb:.1} MB); decode {decode:.1} ms, finish {finish:.1} ms"
            );
        }
    }
}

/// The hand-over from the worker to the page: the worker's `prepare` and `encode`, the page's decode and finishing.
fn handover(path: &str, bytes: &[u8]) -> Option<(f64, f64, f64, f64, f64)> {
    use stitch::transfer;
    let loaded = stitch::formats::load(path, bytes).ok()?;
    let t = Instant::now();
    let prepared = transfer::Prepared::new(loaded);
    let prepare = ms(t);
    let t = Instant::now();
    let chunks = transfer::encode(&prepared, transfer::CHUNK);
    let encode = ms(t);
    drop(prepared);
    let mb = chunks.iter().map(|c| c.len()).sum::<usize>() as f64 / 1e6;
    let t = Instant::now();
    let decoded = transfer::decode(chunks.into_iter()).ok()?;
    let decode = ms(t);
    let t = Instant::now();
    for (trace, tree) in decoded.traces {
        stitch::analysis::finish(trace, tree);
    }
    Some((prepare, encode, decode, ms(t), mb))
}

/// Approximate heap bytes of the model (spans, attributes, events, links, text arena).
fn model_bytes(t: &stitch::model::Trace) -> usize {
    t.spans.capacity() * std::mem::size_of::<stitch::model::Span>()
        + t.attrs.capacity() * std::mem::size_of::<stitch::model::Attr>()
        + t.events.capacity() * std::mem::size_of::<stitch::model::Event>()
        + t.links.capacity() * std::mem::size_of::<stitch::model::Link>()
        + t.text.capacity()
}
