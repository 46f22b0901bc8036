//! Where the service graph's boxes and arrows go, on a hand-made checkout trace (Zipkin v2, times in µs):
//!
//! ```text
//! gateway  GET /checkout        0..1000
//!   cache    GET session           5..9
//!   auth     verify               10..60
//!   orders   create               70..670
//!     inventory reserve             80..280
//!       postgres  UPDATE stock        90..190
//!       orders    callback           200..250   (inventory calls back into orders: a cycle of services)
//!     postgres  INSERT order         300..400
//!   postgres SELECT user         700..780   (the gateway calls the database directly: a long edge)
//!   cache    GET session         800..804
//! ```
//!
//! Services: gateway → cache (2 calls), auth, orders, postgres; orders → inventory, postgres; inventory → postgres,
//! orders. The gateway's self time is 1000 - (4 + 50 + 600 + 80 + 4) = 262 µs.

use proptest::prelude::*;
use stitch::analysis::analyze;
use stitch::analysis::service_graph::{Edge, Node, NodeKind, ServiceGraph};
use stitch::formats::load;
use stitch::layout::graph_layout::{layout, GraphLayout, NodeBox};
use stitch::model::Trace;

const CHECKOUT: &str = r#"[
 {"traceId":"00000000000000a1","id":"0000000000000001","name":"GET /checkout","timestamp":1700000000000000,"duration":1000,"localEndpoint":{"serviceName":"gateway"}},
 {"traceId":"00000000000000a1","id":"0000000000000009","parentId":"0000000000000001","name":"GET session","timestamp":1700000000000005,"duration":4,"localEndpoint":{"serviceName":"cache"}},
 {"traceId":"00000000000000a1","id":"0000000000000002","parentId":"0000000000000001","name":"verify","timestamp":1700000000000010,"duration":50,"localEndpoint":{"serviceName":"auth"}},
 {"traceId":"00000000000000a1","id":"0000000000000003","parentId":"0000000000000001","name":"create","timestamp":1700000000000070,"duration":600,"localEndpoint":{"serviceName":"orders"}},
 {"traceId":"00000000000000a1","id":"0000000000000004","parentId":"0000000000000003","name":"reserve","timestamp":1700000000000080,"duration":200,"localEndpoint":{"serviceName":"inventory"}},
 {"traceId":"00000000000000a1","id":"0000000000000005","parentId":"0000000000000004","name":"UPDATE stock","timestamp":1700000000000090,"duration":100,"localEndpoint":{"serviceName":"postgres"}},
 {"traceId":"00000000000000a1","id":"0000000000000006","parentId":"0000000000000004","name":"callback","timestamp":1700000000000200,"duration":50,"localEndpoint":{"serviceName":"orders"}},
 {"traceId":"00000000000000a1","id":"0000000000000007","parentId":"0000000000000003","name":"INSERT order","timestamp":1700000000000300,"duration":100,"localEndpoint":{"serviceName":"postgres"}},
 {"traceId":"00000000000000a1","id":"0000000000000008","parentId":"0000000000000001","name":"SELECT user","timestamp":1700000000000700,"duration":80,"localEndpoint":{"serviceName":"postgres"}},
 {"traceId":"00000000000000a1","id":"000000000000000a","parentId":"0000000000000001","name":"GET session","timestamp":1700000000000800,"duration":4,"localEndpoint":{"serviceName":"cache"}}
]"#;

fn checkout() -> stitch::analysis::Analyzed {
    let mut loaded = load("checkout.json", CHECKOUT.as_bytes()).expect("loads");
    analyze(loaded.traces.remove(0))
}

fn overlaps(a: &NodeBox, b: &NodeBox) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

fn inside(b: &NodeBox, (x, y): (f64, f64)) -> bool {
    b.x < x && x < b.x + b.width && b.y < y && y < b.y + b.height
}

/// No two boxes overlap, every box is on the page, every arrow leaves its caller's box and enters its callee's side.
fn check_shape(l: &GraphLayout) {
    for (i, a) in l.nodes.iter().enumerate() {
        assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.width <= l.width && a.y + a.height <= l.height);
        for b in &l.nodes[i + 1..] {
            assert!(!overlaps(a, b), "{a:?} overlaps {b:?}");
        }
    }
    for e in &l.edges {
        let (from, to) = (&l.nodes[e.from as usize], &l.nodes[e.to as usize]);
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        let on_side = |b: &NodeBox, (x, y): (f64, f64)| {
            ((x - b.x).abs() < 1e-6 || (x - b.x - b.width).abs() < 1e-6)
                && b.y <= y
                && y <= b.y + b.height
        };
        assert!(on_side(from, first) && on_side(to, last), "{e:?}");
        // The points between pass no box.
        for &p in &e.points[1..e.points.len() - 1] {
            assert!(
                l.nodes.iter().all(|b| !inside(b, p)),
                "{e:?} passes through a box"
            );
        }
    }
}

#[test]
fn callers_are_left_of_callees_and_a_cycle_has_one_arrow_back() {
    let a = checkout();
    let t = &a.trace;
    let g = ServiceGraph::build(&a, NodeKind::Services);
    let l = layout(t, &g);
    assert_eq!(l.nodes.len(), 6);
    assert_eq!(l.edges.len(), 8);
    check_shape(&l);
    let at = |name: &str| {
        let k = g
            .nodes
            .iter()
            .position(|n| t.sym(n.service) == name)
            .expect("node");
        &l.nodes[k]
    };
    let left_of = |a: &str, b: &str| at(a).x + at(a).width <= at(b).x;
    for (caller, callee) in [
        ("gateway", "cache"),
        ("gateway", "auth"),
        ("gateway", "orders"),
        ("gateway", "postgres"),
        ("orders", "postgres"),
        ("inventory", "postgres"),
    ] {
        assert!(left_of(caller, callee), "{caller} left of {callee}");
    }
    // orders → inventory → orders: one of the two runs right to left, the other left to right.
    assert!(left_of("orders", "inventory") != left_of("inventory", "orders"));
    let back: Vec<bool> = l.edges.iter().map(|e| e.backward).collect();
    assert_eq!(back.iter().filter(|&&b| b).count(), 1);
    // The database is called from three layers: the gateway's direct call is routed around the boxes between.
    let direct = l
        .edges
        .iter()
        .find(|e| {
            t.sym(g.nodes[e.from as usize].service) == "gateway"
                && t.sym(g.nodes[e.to as usize].service) == "postgres"
        })
        .expect("edge");
    assert!(direct.points.len() > 2, "{direct:?}");
}

#[test]
fn a_box_names_its_node_and_counts_its_calls_and_times_and_an_arrow_its_calls() {
    let a = checkout();
    let t = &a.trace;
    let g = ServiceGraph::build(&a, NodeKind::Services);
    let l = layout(t, &g);
    let gateway = &l.nodes[0];
    assert_eq!(
        (
            gateway.title.as_str(),
            gateway.calls.as_str(),
            gateway.times.as_str()
        ),
        ("gateway", "1 call", "total 1ms · self 262µs")
    );
    let k = g
        .nodes
        .iter()
        .position(|n| t.sym(n.service) == "postgres")
        .expect("node");
    assert_eq!(
        (l.nodes[k].calls.as_str(), l.nodes[k].times.as_str()),
        ("3 calls", "total 280µs · self 280µs")
    );
    let cache = g
        .nodes
        .iter()
        .position(|n| t.sym(n.service) == "cache")
        .expect("node");
    let e = l
        .edges
        .iter()
        .find(|e| e.to as usize == cache)
        .expect("edge");
    assert_eq!(e.label, "2 calls");
    let ops = ServiceGraph::build(&a, NodeKind::Operations);
    let lo = layout(t, &ops);
    assert!(lo.nodes.iter().any(|b| b.title == "postgres: UPDATE stock"));
    check_shape(&lo);
}

#[test]
fn the_same_graph_is_laid_out_the_same_way_every_time() {
    let a = checkout();
    for kind in [NodeKind::Services, NodeKind::Operations] {
        let g = ServiceGraph::build(&a, kind);
        let first = layout(&a.trace, &g);
        for _ in 0..5 {
            assert_eq!(layout(&a.trace, &g), first);
        }
    }
}

#[test]
fn an_empty_graph_is_an_empty_picture_and_one_node_is_one_box() {
    let a = checkout();
    let empty = layout(&a.trace, &ServiceGraph::default());
    assert!(empty.nodes.is_empty() && empty.edges.is_empty());
    let row = a.tree.row_of[1] as usize;
    let one = ServiceGraph::build_of(&a, row..row + 1, NodeKind::Services);
    let l = layout(&a.trace, &one);
    assert_eq!(l.nodes.len(), 1);
    check_shape(&l);
}

/// A graph of `n` nodes named `s0`…, with the given edges.
fn made_up(n: usize, edges: &[(u32, u32)]) -> (Trace, ServiceGraph) {
    let mut t = Trace::new("t");
    let nodes = (0..n)
        .map(|k| Node {
            service: t.strings.intern(&format!("s{k}")),
            operation: None,
            calls: 1,
            total_ns: 1_000,
            self_ns: 1_000,
            layer: 0,
        })
        .collect();
    let mut edges: Vec<Edge> = edges
        .iter()
        .filter(|(a, b)| a != b && (*a as usize) < n && (*b as usize) < n)
        .map(|&(from, to)| Edge { from, to, calls: 1 })
        .collect();
    edges.sort_by_key(|e| (e.from, e.to));
    edges.dedup_by_key(|e| (e.from, e.to));
    (t, ServiceGraph { nodes, edges })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_graph_is_laid_out_without_overlaps(
        n in 1usize..24,
        edges in prop::collection::vec((0u32..24, 0u32..24), 0..48),
    ) {
        let (t, g) = made_up(n, &edges);
        let l = layout(&t, &g);
        prop_assert_eq!(l.nodes.len(), n);
        prop_assert_eq!(l.edges.len(), g.edges.len());
        check_shape(&l);
    }
}

#[test]
fn a_click_on_a_node_filters_to_it_and_a_second_click_clears_it() {
    use stitch::analysis::search::{parse_query, search, Filters, SearchIndex};
    use stitch::layout::graph_layout::{is_node_filter, toggle_node_filter};
    let a = checkout();
    let t = &a.trace;
    let ix = SearchIndex::new(t);
    let names = |f: &Filters| -> Vec<String> {
        search(t, &a.tree, &ix, &parse_query(""), f)
            .iter()
            .map(|&i| format!("{} {}", t.service(i), t.operation(i)))
            .collect()
    };
    let mut f = Filters {
        exclude: vec!["postgres".into()],
        errors_only: false,
        ..Filters::default()
    };
    toggle_node_filter(&mut f, "postgres", None);
    assert!(is_node_filter(&f, "postgres", None));
    assert_eq!(
        names(&f),
        [
            "postgres UPDATE stock",
            "postgres INSERT order",
            "postgres SELECT user"
        ]
    );
    // The operation node of the same service is another node.
    assert!(!is_node_filter(&f, "postgres", Some("INSERT order")));
    toggle_node_filter(&mut f, "postgres", Some("INSERT order"));
    assert_eq!(names(&f), ["postgres INSERT order"]);
    toggle_node_filter(&mut f, "postgres", Some("INSERT order"));
    assert_eq!(f, Filters::default());
    // An operation no span has shows nothing.
    toggle_node_filter(&mut f, "postgres", Some("DROP TABLE"));
    assert!(names(&f).is_empty());
}
