//! The service graph of one trace: a node per service (or per service and operation), with its calls, total and self
//! time; an edge per caller and callee, with how many calls crossed it. Nodes are placed in layers left to right: a
//! node's layer is the fewest node changes on a path from a root to any of its spans, so callers come before callees.

use super::tree::NONE;
use super::Analyzed;
use std::ops::Range;

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
    /// The graph of the whole trace.
    pub fn build(a: &Analyzed, kind: NodeKind) -> ServiceGraph {
        ServiceGraph::build_of(a, 0..a.tree.preorder.len(), kind)
    }

    /// The graph of the spans at positions `rows` of the tree's depth-first order (the whole trace, or a subtree in
    /// focus). A span whose parent is outside them counts as a root. No recursion: a chain may be a million spans
    /// deep. The spans are read in their stored order (nodes, their sums, and the calls between them), then their
    /// links once in depth-first order (layers), so that a large trace is read in order, not scattered.
    pub fn build_of(a: &Analyzed, rows: Range<usize>, kind: NodeKind) -> ServiceGraph {
        let tree = &a.tree;
        let rows = rows.start.min(tree.preorder.len())..rows.end.min(tree.preorder.len());
        let members = Members::new(a, &rows);
        let (mut nodes, node_of) = nodes_of(a, &members, kind);
        let (edges, links) = crossings(a, &members, &rows, &node_of, nodes.len());
        // Layers, in depth-first order: a span's count of node changes is its parent's (the nearest span above it
        // that is less deep), plus one if it changes node.
        let mut above: Vec<(u32, u32)> = Vec::new();
        // Per node, the first of its spans met: within a layer, nodes come in that order.
        let mut first = vec![usize::MAX; nodes.len()];
        for (k, link) in links.iter().enumerate() {
            while above.last().is_some_and(|&(d, _)| d >= link.depth) {
                above.pop();
            }
            let changes = match above.last() {
                Some(&(_, up)) if !link.rooted => up + u32::from(link.crossed),
                _ => 0,
            };
            above.push((link.depth, changes));
            if let Some(node) = nodes.get_mut(link.node as usize) {
                node.layer = node.layer.min(changes);
                first[link.node as usize] = first[link.node as usize].min(k);
            }
        }
        ordered(nodes, &first, edges)
    }
}

/// The spans of a run of the depth-first order, to be read in stored order: by a scan of all spans when the run
/// holds a good part of them, else from a sorted list (a small subtree in focus costs its own size).
enum Members {
    Scan(Range<usize>),
    Listed(Vec<u32>),
}

impl Members {
    fn new(a: &Analyzed, rows: &Range<usize>) -> Members {
        if rows.len() * 4 >= a.trace.spans.len() {
            return Members::Scan(rows.clone());
        }
        let mut listed = a.tree.preorder[rows.clone()].to_vec();
        listed.sort_unstable();
        Members::Listed(listed)
    }

    /// The spans, in stored order.
    fn each<'m>(&'m self, a: &'m Analyzed) -> Box<dyn Iterator<Item = usize> + 'm> {
        match self {
            Members::Scan(rows) => Box::new((0..a.trace.spans.len()).filter(|&i| {
                a.tree
                    .row_of
                    .get(i)
                    .is_some_and(|&r| rows.contains(&(r as usize)))
            })),
            Members::Listed(listed) => Box::new(listed.iter().map(|&i| i as usize)),
        }
    }
}

/// What the depth-first pass needs of a span, read in one place: its node, its depth, whether its parent is of
/// another node, and whether its parent is outside the spans (it counts as a root).
#[derive(Clone, Copy, Default)]
struct Link {
    node: u32,
    depth: u32,
    crossed: bool,
    rooted: bool,
}

/// The calls between nodes (a parent of one node, a child of another), and each span's [`Link`] by its position in
/// `rows`.
fn crossings(
    a: &Analyzed,
    members: &Members,
    rows: &Range<usize>,
    node_of: &[u32],
    count: usize,
) -> (FxHashMap<(u32, u32), u32>, Vec<Link>) {
    let tree = &a.tree;
    // Calls between nodes: a table when the nodes are few enough, else a map.
    let mut table = vec![0u32; if count <= 1024 { count * count } else { 0 }];
    let mut edges: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    let mut links = vec![Link::default(); rows.len()];
    for i in members.each(a) {
        let n = node_of[i];
        let p = tree.parent.get(i).copied().unwrap_or(NONE) as usize;
        let from = node_of.get(p).copied().unwrap_or(UNSEEN);
        let crossed = from != UNSEEN && from != n;
        if crossed {
            match table.get_mut(from as usize * count + n as usize) {
                Some(c) => *c += 1,
                None => *edges.entry((from, n)).or_insert(0) += 1,
            }
        }
        let at = tree.row_of.get(i).map(|&r| r as usize);
        if let Some(link) = at.and_then(|r| links.get_mut(r.wrapping_sub(rows.start))) {
            *link = Link {
                node: n,
                depth: tree.depth.get(i).copied().unwrap_or(0),
                crossed,
                rooted: from == UNSEEN,
            };
        }
    }
    for (k, &calls) in table.iter().enumerate().filter(|(_, &c)| c > 0) {
        edges.insert(((k / count) as u32, (k % count) as u32), calls);
    }
    (edges, links)
}

const UNSEEN: u32 = u32::MAX;

/// The nodes of `members`, with their calls and sums (layers not yet set), and each span's node (`UNSEEN` for a span
/// not among them). One pass over the spans in stored order.
fn nodes_of(a: &Analyzed, members: &Members, kind: NodeKind) -> (Vec<Node>, Vec<u32>) {
    let t = &a.trace;
    let by_operation = kind == NodeKind::Operations;
    // Keyed by service and operation as one number; a small direct-mapped cache in front of the map, since a trace
    // has few nodes and its spans come back to them again and again.
    let mut index: FxHashMap<u64, u32> = FxHashMap::default();
    let mut recent = [(u64::MAX, 0u32); 256];
    let mut nodes: Vec<Node> = Vec::new();
    let mut node_of = vec![UNSEEN; t.spans.len()];
    for i in members.each(a) {
        let Some(s) = t.spans.get(i) else {
            continue;
        };
        let operation = by_operation.then_some(s.operation);
        let key = (u64::from(s.service) << 32) | u64::from(operation.unwrap_or(u32::MAX));
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
        let n = match recent[slot] {
            (k, n) if k == key => n,
            _ => {
                let n = *index.entry(key).or_insert_with(|| {
                    nodes.push(Node {
                        service: s.service,
                        operation,
                        calls: 0,
                        total_ns: 0,
                        self_ns: 0,
                        layer: u32::MAX,
                    });
                    nodes.len() as u32 - 1
                });
                recent[slot] = (key, n);
                n
            }
        };
        node_of[i] = n;
        let node = &mut nodes[n as usize];
        node.calls += 1;
        node.total_ns += s.duration_ns.max(0);
        node.self_ns += a.self_ns.get(i).copied().unwrap_or(0).max(0);
    }
    (nodes, node_of)
}

/// Sorts the nodes by layer, then by `first`, and renumbers the edges to match.
fn ordered(nodes: Vec<Node>, first: &[usize], edges: FxHashMap<(u32, u32), u32>) -> ServiceGraph {
    let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
    order.sort_by_key(|&n| (nodes[n as usize].layer, first[n as usize]));
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
