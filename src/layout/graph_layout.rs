//! Where the service graph's boxes and arrows go: layered left to right, callers before callees, the same every time.
//!
//! The layered (Sugiyama) layout itself is the `rust-sugiyama` crate's: cycles broken, layers by network simplex,
//! crossings reduced by barycenters with transposition, coordinates by Brandes–Köpf. The crate lays out top to bottom
//! and gives the boxes' centres only, so this module turns its picture a quarter (a layer is a column here) and routes
//! the arrows itself: a first run finds each node's layer, then every edge that spans several layers is split into a
//! chain of small placeholder vertices, one per layer crossed, and a second run places those too, so an arrow passes
//! between the boxes of the layers it crosses instead of through them. An edge that goes right to left (a call back to
//! a caller, which a cycle of services makes) is routed the same way from its left end.
//!
//! Each weakly connected part is laid out on its own; the parts are stacked top to bottom, the one holding the first
//! node first. Only the arithmetic on the crate's output is here; the texts of a box are [`node_lines`].

use rust_sugiyama::configure::{Config, RankingType};
use rust_sugiyama::from_vertices_and_edges;

use crate::analysis::search::Filters;
use crate::analysis::service_graph::{Node, ServiceGraph};
use crate::model::Trace;
use crate::text::{fold, format_duration, group_digits};

/// A box's height; its width follows its longest line.
pub const NODE_HEIGHT: f64 = 58.0;
pub const NODE_MIN_WIDTH: f64 = 150.0;
pub const NODE_MAX_WIDTH: f64 = 300.0;
/// What a character of the box's text is taken to be wide, at the view's 12 px font.
const CHAR_WIDTH: f64 = 6.6;
const PADDING: f64 = 10.0;
/// Room between two layers (for the arrows and their labels), between two boxes of a layer, around everything.
const LAYER_GAP: f64 = 90.0;
const BOX_GAP: f64 = 22.0;
const MARGIN: f64 = 16.0;
/// How much of a layer a placeholder vertex takes up.
const PLACEHOLDER: f64 = 14.0;
/// How far below its forward twin a backward arrow runs.
const BACK_OFFSET: f64 = 10.0;
/// Above this many vertices (nodes and placeholders) the crate's extra pass that swaps neighbours to remove more
/// crossings is left out: its cost grows much faster than the graph, and a graph that large is read by its layers.
const TRANSPOSE_UP_TO: usize = 150;
/// Longest title shown in full (the tooltip has the rest).
const TITLE_CHARS: usize = 42;

/// One node's box: top-left corner, size, and its texts.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// `service`, or `service: operation`, folded to [`TITLE_CHARS`].
    pub title: String,
    /// `3 calls`, then `total 12ms · self 2ms`.
    pub calls: String,
    pub times: String,
}

/// One edge's arrow: an SVG path from the caller's box to the callee's, and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgePath {
    pub from: u32,
    pub to: u32,
    /// The points it passes, from the caller's side to the callee's.
    pub points: Vec<(f64, f64)>,
    /// SVG path data: a smooth curve through `points`, leaving and entering each horizontally.
    pub d: String,
    /// `1 call`, `12 calls`; placed at `label_at` (the middle of the curve's middle piece).
    pub label: String,
    pub label_at: (f64, f64),
    /// Goes right to left: a call back into a layer further left.
    pub backward: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphLayout {
    /// One per node of the graph, in its order.
    pub nodes: Vec<NodeBox>,
    /// One per edge of the graph, in its order.
    pub edges: Vec<EdgePath>,
    pub width: f64,
    pub height: f64,
}

/// The three lines of a node's box: title, calls, total and self time.
pub fn node_lines(t: &Trace, n: &Node) -> (String, String, String) {
    let name = match n.operation {
        Some(op) => format!("{}: {}", t.sym(n.service), t.sym(op)),
        None => t.sym(n.service).to_string(),
    };
    let (kept, left_out) = fold(&name, TITLE_CHARS);
    let title = if left_out > 0 {
        format!("{kept}…")
    } else {
        name
    };
    let calls = format!(
        "{} call{}",
        group_digits(u64::from(n.calls)),
        if n.calls == 1 { "" } else { "s" }
    );
    let times = format!(
        "total {} · self {}",
        format_duration(n.total_ns as f64),
        format_duration(n.self_ns as f64)
    );
    (title, calls, times)
}

/// True when the filters show exactly this node: only `service` (and only `operation`, for an operation node; no
/// operation filter for a service node). The view highlights that node.
pub fn is_node_filter(f: &Filters, service: &str, operation: Option<&str>) -> bool {
    f.include.len() == 1 && f.include[0] == service && f.operation.as_deref() == operation
}

/// A click on a node: the other views show only that node's spans (the service, and the operation for an operation
/// node), or, when they already do, no longer filter by service and operation. The other filters stay.
pub fn toggle_node_filter(f: &mut Filters, service: &str, operation: Option<&str>) {
    if is_node_filter(f, service, operation) {
        f.include.clear();
        f.operation = None;
    } else {
        f.include = vec![service.to_string()];
        f.exclude.retain(|s| s != service);
        f.operation = operation.map(str::to_string);
    }
}

/// The whole picture of `g` (a graph of `t`).
pub fn layout(t: &Trace, g: &ServiceGraph) -> GraphLayout {
    let mut nodes: Vec<NodeBox> = g
        .nodes
        .iter()
        .map(|n| {
            let (title, calls, times) = node_lines(t, n);
            let longest = [&title, &calls, &times]
                .iter()
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0);
            let width =
                (longest as f64 * CHAR_WIDTH + 2.0 * PADDING).clamp(NODE_MIN_WIDTH, NODE_MAX_WIDTH);
            NodeBox {
                x: 0.0,
                y: 0.0,
                width,
                height: NODE_HEIGHT,
                title,
                calls,
                times,
            }
        })
        .collect();
    let n = nodes.len();
    let links: Vec<(u32, u32)> = g
        .edges
        .iter()
        .filter(|e| (e.from as usize) < n && (e.to as usize) < n && e.from != e.to)
        .map(|e| (e.from, e.to))
        .collect();
    let first = run(&nodes, 0, &links);
    let columns = column_of(&first, n);
    let chains = Chains::split(&links, &columns, n);
    let second = run(&nodes, chains.placeholders, &chains.edges);
    let centres = stacked(&second, n + chains.placeholders, &nodes);
    for (k, b) in nodes.iter_mut().enumerate() {
        let (cx, cy) = centres[k];
        b.x = cx - b.width / 2.0;
        b.y = cy - b.height / 2.0;
    }
    let edges = g
        .edges
        .iter()
        .map(|e| edge_path(e.from, e.to, e.calls, &nodes, &chains, &centres))
        .collect();
    let width = nodes.iter().map(|b| b.x + b.width).fold(0.0, f64::max) + MARGIN;
    let height = nodes.iter().map(|b| b.y + b.height).fold(0.0, f64::max) + MARGIN;
    GraphLayout {
        nodes,
        edges,
        width,
        height,
    }
}

/// One part laid out by the crate: `(vertex, (along the layer, across the layers))`, centres.
type Part = Vec<(usize, (f64, f64))>;

/// The crate's layout of the nodes and the placeholders (ids `nodes.len()..`), top to bottom. A box's size is given
/// turned a quarter, with the gaps added, since here a layer is a column.
fn run(nodes: &[NodeBox], placeholders: usize, edges: &[(u32, u32)]) -> Vec<Part> {
    let mut vertices: Vec<(u32, (f64, f64))> = nodes
        .iter()
        .enumerate()
        .map(|(k, b)| (k as u32, (b.height + BOX_GAP, b.width + LAYER_GAP)))
        .collect();
    let base = nodes.len() as u32;
    vertices.extend((0..placeholders as u32).map(|k| (base + k, (PLACEHOLDER, 1.0))));
    let config = Config {
        vertex_spacing: 0.0,
        transpose: vertices.len() <= TRANSPOSE_UP_TO,
        // Not the crate's default (network simplex): on some graphs its pivoting never ends (generated graphs of up
        // to 24 nodes and 48 edges hung the layout test in about 1 run of 8). Each node in the first layer its
        // callers allow always ends, and puts a callee next to its caller.
        ranking_type: RankingType::Up,
        ..Config::default()
    };
    from_vertices_and_edges(&vertices, edges, &config)
        .into_iter()
        .map(|(part, _, _)| part)
        .collect()
}

/// Each node's column (layer) within its part, from the crate's first run: its distinct offsets across the layers,
/// in order.
fn column_of(parts: &[Part], n: usize) -> Vec<u32> {
    let mut columns = vec![0u32; n];
    for part in parts {
        let mut offsets: Vec<f64> = part.iter().map(|&(_, (_, y))| y).collect();
        offsets.sort_by(f64::total_cmp);
        offsets.dedup();
        for &(v, (_, y)) in part {
            if let Some(c) = columns.get_mut(v) {
                *c = offsets.partition_point(|&o| o < y) as u32;
            }
        }
    }
    columns
}

/// The edges as the second run sees them: each one spanning several columns is a chain through placeholders.
struct Chains {
    /// How many placeholders: their ids follow the nodes'.
    placeholders: usize,
    edges: Vec<(u32, u32)>,
    /// For each original edge (by (from, to)): the placeholder ids it passes, left to right.
    routes: Vec<((u32, u32), Vec<u32>)>,
}

impl Chains {
    fn split(links: &[(u32, u32)], columns: &[u32], n: usize) -> Chains {
        let mut chains = Chains {
            placeholders: 0,
            edges: Vec::new(),
            routes: Vec::new(),
        };
        for &(from, to) in links {
            let (cf, ct) = (columns[from as usize], columns[to as usize]);
            // The chain always runs left to right, so the second run sees no new cycle.
            let (left, right) = if cf <= ct { (from, to) } else { (to, from) };
            let crossed = cf.abs_diff(ct).saturating_sub(1);
            let mut route = Vec::with_capacity(crossed as usize);
            let mut prev = left;
            for _ in 0..crossed {
                let id = (n + chains.placeholders) as u32;
                chains.placeholders += 1;
                chains.edges.push((prev, id));
                route.push(id);
                prev = id;
            }
            chains.edges.push((prev, right));
            chains.routes.push(((from, to), route));
        }
        chains
    }

    fn route(&self, from: u32, to: u32) -> &[u32] {
        self.routes
            .iter()
            .find(|(k, _)| *k == (from, to))
            .map_or(&[], |(_, r)| r.as_slice())
    }
}

/// Every vertex's centre on the page (x across the layers, y along them): the parts stacked top to bottom in the
/// order of their first node, each shifted so its boxes start at the margin. A vertex the crate left out (it never
/// should) goes below everything.
fn stacked(parts: &[Part], vertices: usize, nodes: &[NodeBox]) -> Vec<(f64, f64)> {
    let size = |v: usize| {
        nodes
            .get(v)
            .map_or((1.0, PLACEHOLDER), |b| (b.width, b.height))
    };
    let mut order: Vec<&Part> = parts.iter().collect();
    order.sort_by_key(|p| p.iter().map(|&(v, _)| v).min().unwrap_or(usize::MAX));
    let mut centres = vec![(f64::NAN, f64::NAN); vertices];
    let mut top = MARGIN;
    for part in order {
        let (mut min_x, mut min_y, mut max_y) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for &(v, (along, across)) in part {
            let (w, h) = size(v);
            min_x = min_x.min(across - w / 2.0);
            min_y = min_y.min(along - h / 2.0);
            max_y = max_y.max(along + h / 2.0);
        }
        for &(v, (along, across)) in part {
            if let Some(c) = centres.get_mut(v) {
                *c = (across - min_x + MARGIN, along - min_y + top);
            }
        }
        top += (max_y - min_y).max(0.0) + BOX_GAP;
    }
    for (v, c) in centres.iter_mut().enumerate() {
        if !c.0.is_finite() || !c.1.is_finite() {
            let (w, h) = size(v);
            *c = (MARGIN + w / 2.0, top + h / 2.0);
            top += h + BOX_GAP;
        }
    }
    centres
}

fn edge_path(
    from: u32,
    to: u32,
    calls: u32,
    nodes: &[NodeBox],
    chains: &Chains,
    centres: &[(f64, f64)],
) -> EdgePath {
    let centre = |b: &NodeBox| (b.x + b.width / 2.0, b.y + b.height / 2.0);
    let (Some(a), Some(b)) = (nodes.get(from as usize), nodes.get(to as usize)) else {
        return EdgePath {
            from,
            to,
            points: Vec::new(),
            d: String::new(),
            label: String::new(),
            label_at: (0.0, 0.0),
            backward: false,
        };
    };
    let backward = centre(b).0 < centre(a).0;
    let (left, right) = if backward { (b, a) } else { (a, b) };
    let mut points = vec![(left.x + left.width, centre(left).1)];
    points.extend(
        chains
            .route(from, to)
            .iter()
            .filter_map(|&p| centres.get(p as usize).copied()),
    );
    points.push((right.x, centre(right).1));
    if backward {
        // Below a forward arrow between the same two boxes, not on it.
        points.reverse();
        for p in &mut points {
            p.1 += BACK_OFFSET;
        }
    }
    let mut d = format!("M{:.1},{:.1}", points[0].0, points[0].1);
    for w in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let mid = (x0 + x1) / 2.0;
        d.push_str(&format!(
            " C{mid:.1},{y0:.1} {mid:.1},{y1:.1} {x1:.1},{y1:.1}"
        ));
    }
    let k = (points.len() - 1) / 2;
    let (p, q) = (points[k], points[(k + 1).min(points.len() - 1)]);
    EdgePath {
        from,
        to,
        d,
        label: format!(
            "{} call{}",
            group_digits(u64::from(calls)),
            if calls == 1 { "" } else { "s" }
        ),
        label_at: ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0),
        points,
        backward,
    }
}
