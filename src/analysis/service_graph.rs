//! The service graph of one trace: a node per service (or per service and operation), with its calls, total and self
//! time; an edge per caller and callee, with how many calls crossed it. Nodes are placed in layers left to right: a
//! node's layer is the fewest node changes on a path from a root to any of its spans, so callers come before callees.

use super::tree::NONE;
use super::Analyzed;
use crate::model::{FxHashMap, Sym};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Services,
    Operations,
}

/// One node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub service: Sym,
    /// `None` for a service node.
    pub operation: Option<Sym>,
    /// Spans of this node.
    pub calls: u32,
    /// Their durations and self times, summed (ns).
    pub total_ns: i64,
    pub self_ns: i64,
    /// Left to right, from 0.
    pub layer: u32,
}

/// Calls from node `from` to node `to` (indices into [`ServiceGraph::nodes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: u32,
    pub to: u32,
    pub calls: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceGraph {
    /// By layer, then by the first span's place in the tree's order.
    pub nodes: Vec<Node>,
    /// By caller, then callee.
    pub edges: Vec<Edge>,
}

impl ServiceGraph {
    /// One pass over the tree in depth-first order (no recursion: a chain may be a million spans deep).
    pub fn build(a: &Analyzed, kind: NodeKind) -> ServiceGraph {
        ServiceGraph::build_of(a, &a.tree.preorder, kind)
    }

    /// The graph of some spans only (a subtree in focus): `spans` lists each parent before its children, as the
    /// tree's depth-first order does. A span whose parent is not among them counts as a root. One pass, as `build`.
    pub fn build_of(a: &Analyzed, spans: &[u32], kind: NodeKind) -> ServiceGraph {
        let t = &a.trace;
        let tree = &a.tree;
        let key = |i: u32| {
            let s = &t.spans[i as usize];
            (
                s.service,
                (kind == NodeKind::Operations).then_some(s.operation),
            )
        };
        let mut index: FxHashMap<(Sym, Option<Sym>), u32> = FxHashMap::default();
        // Spans in a row mostly share their node: the last key found is tried first.
        let mut last: Option<((Sym, Option<Sym>), u32)> = None;
        let mut nodes: Vec<Node> = Vec::new();
        // `UNSEEN` marks a span not (yet) met: a parent left out of `spans` makes its child a root.
        let mut node_of = vec![UNSEEN; t.spans.len()];
        let mut changes = vec![0u32; t.spans.len()];
        let mut edges: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        for &i in spans {
            if t.spans.get(i as usize).is_none() || node_of[i as usize] != UNSEEN {
                continue;
            }
            let k = key(i);
            let n = match last {
                Some((lk, ln)) if lk == k => ln,
                _ => *index.entry(k).or_insert_with(|| {
                    nodes.push(Node {
                        service: k.0,
                        operation: k.1,
                        calls: 0,
                        total_ns: 0,
                        self_ns: 0,
                        layer: u32::MAX,
                    });
                    nodes.len() as u32 - 1
                }),
            };
            last = Some((k, n));
            node_of[i as usize] = n;
            let p = tree.parent.get(i as usize).copied().unwrap_or(NONE);
            let depth = if p == NONE || node_of.get(p as usize).is_none_or(|&n| n == UNSEEN) {
                0
            } else {
                let from = node_of[p as usize];
                let crossed = from != n;
                if crossed {
                    *edges.entry((from, n)).or_insert(0) += 1;
                }
                changes[p as usize] + u32::from(crossed)
            };
            changes[i as usize] = depth;
            let node = &mut nodes[n as usize];
            node.calls += 1;
            node.total_ns += t.spans[i as usize].duration_ns.max(0);
            node.self_ns += a.self_ns.get(i as usize).copied().unwrap_or(0).max(0);
            node.layer = node.layer.min(depth);
        }
        ordered(nodes, edges)
    }
}

const UNSEEN: u32 = u32::MAX;

/// Sorts the nodes by layer (stable: first seen first within a layer) and renumbers the edges to match.
fn ordered(nodes: Vec<Node>, edges: FxHashMap<(u32, u32), u32>) -> ServiceGraph {
    let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
    order.sort_by_key(|&n| nodes[n as usize].layer);
    let mut new_index = vec![0u32; nodes.len()];
    for (k, &n) in order.iter().enumerate() {
        new_index[n as usize] = k as u32;
    }
    let mut edges: Vec<Edge> = edges
        .into_iter()
        .map(|((from, to), calls)| Edge {
            from: new_index[from as usize],
            to: new_index[to as usize],
            calls,
        })
        .collect();
    edges.sort_by_key(|e| (e.from, e.to));
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let nodes = order
        .iter()
        .filter_map(|&n| slots.get_mut(n as usize).and_then(Option::take))
        .collect();
    ServiceGraph { nodes, edges }
}
