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
        views(&a);
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

/// The views of one trace (#19), natively: the flame graph's build and frames (the whole trace, then zoomed in 4x and
/// 64x on its middle), and the service graph's build and layout, by service and by operation.
fn views(a: &stitch::analysis::Analyzed) {
    use stitch::analysis::service_graph::{NodeKind, ServiceGraph};
    use stitch::layout::flame::{Flame, View};
    use stitch::layout::TimeWindow;
    let t = Instant::now();
    let flame = Flame::new(a);
    let build = ms(t);
    let total = (a.end_ns - a.start_ns) as f64;
    // The browser bench's gesture: 20 wheel turns in at 40% of a 1400 px axis, then 20 out; each frame placed and
    // painted.
    let colors = stitch::layout::ServiceColors::new(&a.trace);
    let paint = stitch::layout::flame::Paint {
        colour_by: stitch::layout::flame::ColourBy::Service,
        colors: &colors,
        max_self_ns: 0,
        hits: None,
        dim_misses: false,
        selected: None,
    };
    let mut window = TimeWindow::full(total as i64);
    let (mut worst, mut sum, mut most) = (0.0f64, 0.0, 0);
    for step in 0..40 {
        let dy = if step < 20 { -100.0 } else { 100.0 };
        window = window.after_wheel((0.0, dy), false, 560.0, 1400.0, total);
        let view = View {
            window,
            width: 1400.0,
            top_row: 0,
            rows: 40,
            focus: None,
        };
        let t = Instant::now();
        let placed = flame.place(a, &view);
        let rects = stitch::layout::flame::paint(a, &placed, &paint);
        let took = ms(t);
        worst = worst.max(took);
        sum += took;
        most = most.max(rects.len());
    }
    let frames = format!(
        "40 wheel frames: worst {worst:.1} ms, mean {:.1} ms, up to {most} rects",
        sum / 40.0
    );
    let mut graphs = Vec::new();
    for kind in [NodeKind::Services, NodeKind::Operations] {
        let t = Instant::now();
        let g = ServiceGraph::build(a, kind);
        let build = ms(t);
        let t = Instant::now();
        let laid = stitch::layout::graph_layout::layout(&a.trace, &g);
        graphs.push(format!(
            "{kind:?}: build {build:.1} ms, layout {:.1} ms ({} nodes, {} edges, {} boxes)",
            ms(t),
            g.nodes.len(),
            g.edges.len(),
            laid.nodes.len()
        ));
    }
    println!("      flame graph: build {build:.1} ms; {frames}");
    println!("      service graph: {}", graphs.join("; "));
}
