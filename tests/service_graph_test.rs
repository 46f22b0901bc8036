//! The service graph against a hand-counted trace: ascend.json (Zipkin, from zipkin-lens's test data).
//!
//! Read by hand: mobile-gateway's server span "get" (38,793 µs) is the root, with two client spans "get": 52b1
//! (14,077 µs) answered by auth-service's "http:/parent/auth-service/v1/authentications/" (4,157 µs, which holds
//! "extend-token-life", 1,291 µs), and ecc0 (20,333 µs) answered by content-service's "get /content/personal" (15,888
//! µs, which holds "hystrix", 863 µs, then a client "get", 8,965 µs). The 52b1 call starts first. Within a layer,
//! nodes come in the order their first span is met, depth first, children by start.

use stitch::analysis::analyze;
use stitch::analysis::service_graph::{NodeKind, ServiceGraph};
use stitch::formats::load;

fn ascend() -> stitch::analysis::Analyzed {
    let bytes = std::fs::read("tests/fixtures/zipkin/ascend.json").expect("fixture");
    let mut loaded = load("ascend.json", &bytes).expect("loads");
    analyze(loaded.traces.remove(0))
}

#[test]
fn services_with_their_calls_times_and_the_calls_between_them() {
    let a = ascend();
    let g = ServiceGraph::build(&a, NodeKind::Services);
    let t = &a.trace;
    let nodes: Vec<(&str, u32, i64, u32)> = g
        .nodes
        .iter()
        .map(|n| (t.sym(n.service), n.calls, n.total_ns / 1_000, n.layer))
        .collect();
    assert_eq!(
        nodes,
        vec![
            ("mobile-gateway", 3, 38_793 + 14_077 + 20_333, 0),
            ("auth-service", 2, 4_157 + 1_291, 1),
            ("content-service", 3, 15_888 + 8_965 + 863, 1),
        ]
    );
    let edges: Vec<(u32, u32, u32)> = g.edges.iter().map(|e| (e.from, e.to, e.calls)).collect();
    assert_eq!(edges, vec![(0, 1, 1), (0, 2, 1)]);
    // Self time adds up to the root's duration where children do not overlap their parents' ends.
    let self_total: i64 = g.nodes.iter().map(|n| n.self_ns).sum();
    assert!(self_total > 0 && self_total <= g.nodes[0].total_ns);
}

#[test]
fn operations_split_each_service_and_layer_by_calls_crossed() {
    let a = ascend();
    let g = ServiceGraph::build(&a, NodeKind::Operations);
    let t = &a.trace;
    let name = |k: u32| {
        let n = &g.nodes[k as usize];
        format!(
            "{} {}",
            t.sym(n.service),
            n.operation.map(|o| t.sym(o)).unwrap_or("")
        )
    };
    let auth = "auth-service http:/parent/auth-service/v1/authentications/";
    let nodes: Vec<(String, u32, u32)> = (0..g.nodes.len() as u32)
        .map(|k| {
            (
                name(k),
                g.nodes[k as usize].calls,
                g.nodes[k as usize].layer,
            )
        })
        .collect();
    assert_eq!(
        nodes,
        vec![
            ("mobile-gateway get".to_string(), 3, 0),
            (auth.to_string(), 1, 1),
            ("content-service get /content/personal".to_string(), 1, 1),
            ("auth-service extend-token-life".to_string(), 1, 2),
            ("content-service hystrix".to_string(), 1, 2),
            ("content-service get".to_string(), 1, 2),
        ]
    );
    let edges: Vec<(String, String, u32)> = g
        .edges
        .iter()
        .map(|e| (name(e.from), name(e.to), e.calls))
        .collect();
    // The gateway's three "get" spans are one node: its calls to itself are not edges.
    assert_eq!(
        edges,
        vec![
            ("mobile-gateway get".to_string(), auth.to_string(), 1),
            (
                "mobile-gateway get".to_string(),
                "content-service get /content/personal".to_string(),
                1
            ),
            (
                auth.to_string(),
                "auth-service extend-token-life".to_string(),
                1
            ),
            (
                "content-service get /content/personal".to_string(),
                "content-service hystrix".to_string(),
                1
            ),
            (
                "content-service get /content/personal".to_string(),
                "content-service get".to_string(),
                1
            ),
        ]
    );
}

#[test]
fn a_subtree_in_focus_counts_only_its_own_spans() {
    // The gateway's client call ecc0 (20,333 µs) holds content-service's three spans and nothing of auth-service.
    let a = ascend();
    let t = &a.trace;
    let Some(ecc0) = (0..t.spans.len() as u32).find(|&i| {
        let s = &t.spans[i as usize];
        t.sym(s.service) == "mobile-gateway" && s.duration_ns == 20_333_000
    }) else {
        panic!("the client call ecc0 is in the fixture");
    };
    let row = a.tree.row_of[ecc0 as usize] as usize;
    let subtree = row..row + a.tree.descendants[ecc0 as usize] as usize + 1;
    let g = ServiceGraph::build_of(&a, subtree, NodeKind::Services);
    let nodes: Vec<(&str, u32, i64, u32)> = g
        .nodes
        .iter()
        .map(|n| (t.sym(n.service), n.calls, n.total_ns / 1_000, n.layer))
        .collect();
    assert_eq!(
        nodes,
        vec![
            ("mobile-gateway", 1, 20_333, 0),
            ("content-service", 3, 15_888 + 8_965 + 863, 1),
        ]
    );
    let edges: Vec<(u32, u32, u32)> = g.edges.iter().map(|e| (e.from, e.to, e.calls)).collect();
    assert_eq!(edges, vec![(0, 1, 1)]);
    // The whole tree's order gives the whole graph.
    assert_eq!(
        ServiceGraph::build_of(&a, 0..a.tree.preorder.len(), NodeKind::Services),
        ServiceGraph::build(&a, NodeKind::Services)
    );
}

/// Each node's service, calls and layer.
fn service_calls_layers<'a>(
    a: &'a stitch::analysis::Analyzed,
    g: &ServiceGraph,
) -> Vec<(&'a str, u32, u32)> {
    g.nodes
        .iter()
        .map(|n| (a.trace.sym(n.service), n.calls, n.layer))
        .collect()
}

#[test]
fn a_run_that_is_not_a_subtree_counts_a_span_whose_parent_is_outside_as_a_root() {
    // Zipkin v2, by hand: root (a) calls A (a), which calls a1 (a); then B (b), which calls b1 (c). Depth first:
    // root, A, a1, B, b1. The run a1, B, b1 leaves out a1's and B's parents, so both are roots (layer 0); b1 is
    // B's callee (layer 1), one call from b to c.
    let span = |id: &str, parent: Option<&str>, service: &str, ts: u64| {
        let parent = parent.map_or(String::new(), |p| format!(r#""parentId":"{p}","#));
        format!(
            r#"{{"traceId":"00000000000000aa","id":"{id}",{parent}"name":"op","timestamp":{ts},"duration":10,"localEndpoint":{{"serviceName":"{service}"}}}}"#
        )
    };
    let json = format!(
        "[{}]",
        [
            span("0000000000000001", None, "a", 1_000),
            span("0000000000000002", Some("0000000000000001"), "a", 1_001),
            span("0000000000000003", Some("0000000000000002"), "a", 1_002),
            span("0000000000000004", Some("0000000000000001"), "b", 1_003),
            span("0000000000000005", Some("0000000000000004"), "c", 1_004),
        ]
        .join(",")
    );
    let mut loaded = load("run.json", json.as_bytes()).expect("loads");
    let a = analyze(loaded.traces.remove(0));
    let g = ServiceGraph::build_of(&a, 2..5, NodeKind::Services);
    let nodes = service_calls_layers(&a, &g);
    assert_eq!(nodes, [("a", 1, 0), ("b", 1, 0), ("c", 1, 1)]);
    let edges: Vec<(u32, u32, u32)> = g.edges.iter().map(|e| (e.from, e.to, e.calls)).collect();
    assert_eq!(edges, [(1, 2, 1)]);
    // b1 alone (read from a list, not a scan of every span): one root node, no calls.
    let g = ServiceGraph::build_of(&a, 4..5, NodeKind::Services);
    let nodes = service_calls_layers(&a, &g);
    assert_eq!(nodes, [("c", 1, 0)]);
    assert!(g.edges.is_empty());
}
