//! The service graph view: the trace's services (or operations) as boxes, calls as arrows, in SVG (nodes are few).
//! What the graph holds is `analysis::service_graph`; where everything goes, the texts and what a click does are
//! `layout::graph_layout`'s. This draws them and forwards clicks.

use std::sync::Arc;

use leptos::prelude::*;

use super::use_state;
use crate::analysis::service_graph::{NodeKind, ServiceGraph};
use crate::layout::graph_layout::{is_node_filter, layout, toggle_node_filter, GraphLayout};
use crate::text::{format_duration, group_digits};

/// What the view draws, for one trace, focus and kind of node.
#[derive(Debug, PartialEq)]
struct Picture {
    layout: GraphLayout,
    /// Per node: service, operation (for an operation node), color, and the tooltip's lines.
    names: Vec<(String, Option<String>)>,
    colors: Vec<&'static str>,
    tips: Vec<Vec<String>>,
}

fn picture(state: super::State, kind: NodeKind) -> Option<Arc<Picture>> {
    let a = state.trace.get()?;
    let colors = state.colors.get();
    let g = match state.focus.get() {
        Some(root) => {
            ServiceGraph::build_of(&a, crate::layout::focus::subtree_rows(&a.tree, root), kind)
        }
        None => ServiceGraph::build(&a, kind),
    };
    let t = &a.trace;
    let names = g
        .nodes
        .iter()
        .map(|n| {
            (
                t.sym(n.service).to_string(),
                n.operation.map(|o| t.sym(o).to_string()),
            )
        })
        .collect();
    let tips = g
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let name = match n.operation {
                Some(o) => format!("{}: {}", t.sym(n.service), t.sym(o)),
                None => t.sym(n.service).to_string(),
            };
            let callers: u32 = g
                .edges
                .iter()
                .filter(|e| e.to as usize == k)
                .map(|e| e.calls)
                .sum();
            let mean = n.total_ns as f64 / f64::from(n.calls.max(1));
            vec![
                name,
                format!(
                    "{} calls ({} from other nodes)",
                    group_digits(u64::from(n.calls)),
                    group_digits(u64::from(callers))
                ),
                format!(
                    "total {} · mean {}",
                    format_duration(n.total_ns as f64),
                    format_duration(mean)
                ),
                format!("self {}", format_duration(n.self_ns as f64)),
            ]
        })
        .collect();
    Some(Arc::new(Picture {
        colors: g.nodes.iter().map(|n| colors.sym(n.service)).collect(),
        layout: layout(t, &g),
        names,
        tips,
    }))
}

#[component]
pub fn ServiceGraphView() -> impl IntoView {
    let state = use_state();
    let kind = RwSignal::new(NodeKind::Services);
    let hover = RwSignal::new(None::<usize>);
    let pic = Memo::new(move |_| picture(state, kind.get()));
    let seg = move |k: NodeKind, label: &'static str, testid: &'static str| {
        view! {
            <button
                class="btn small"
                class:active=move || kind.get() == k
                attr:aria-pressed=move || (kind.get() == k).to_string()
                data-testid=testid
                on:click=move |_| {
                    hover.set(None);
                    kind.set(k);
                }
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="graph-view" data-testid="service-graph">
            <div class="graph-toolbar">
                <div class="segmented" role="group" aria-label="Nodes">
                    {seg(NodeKind::Services, "Services", "graph-services")}
                    {seg(NodeKind::Operations, "Operations", "graph-operations")}
                </div>
                <span class="muted">"Click a node to show only its spans in the other views; click it again to show all."</span>
            </div>
            <div class="graph-scroll">
                {move || pic.get().map(|p| drawing(p, hover))}
                {move || tooltip(pic.get(), hover.get())}
            </div>
        </div>
    }
}

fn drawing(p: Arc<Picture>, hover: RwSignal<Option<usize>>) -> impl IntoView {
    let l = &p.layout;
    let edges = l
        .edges
        .iter()
        .map(|e| {
            view! {
                <g class="graph-edge" class:backward=e.backward data-testid="graph-edge">
                    <path d=e.d.clone() marker-end="url(#graph-arrow)" />
                    <text class="graph-edge-label" x=e.label_at.0 y=e.label_at.1 - 5.0 text-anchor="middle">
                        {e.label.clone()}
                    </text>
                </g>
            }
        })
        .collect_view();
    let nodes = (0..l.nodes.len())
        .map(|k| node(p.clone(), k, hover))
        .collect_view();
    view! {
        <svg
            class="graph-svg"
            width=l.width
            height=l.height
            viewBox=format!("0 0 {} {}", l.width, l.height)
            role="img"
            aria-label="Service graph"
        >
            <defs>
                <marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" />
                </marker>
            </defs>
            {edges}
            {nodes}
        </svg>
    }
}

fn node(p: Arc<Picture>, k: usize, hover: RwSignal<Option<usize>>) -> impl IntoView {
    let state = use_state();
    let b = &p.layout.nodes[k];
    let (service, operation) = p.names[k].clone();
    let color = p.colors[k];
    let (s2, o2) = (service.clone(), operation.clone());
    let active = move || {
        state
            .filters
            .with(|f| is_node_filter(f, &s2, o2.as_deref()))
    };
    let on_click = move |_| {
        state
            .filters
            .update(|f| toggle_node_filter(f, &service, operation.as_deref()));
    };
    view! {
        <g
            class="graph-node"
            class:active=active
            data-testid="graph-node"
            transform=format!("translate({:.1},{:.1})", b.x, b.y)
            tabindex="0"
            on:click=on_click
            on:mouseenter=move |_| hover.set(Some(k))
            on:mouseleave=move |_| hover.set(None)
        >
            <rect class="graph-node-box" width=b.width height=b.height rx="6" style=format!("stroke:{color}") />
            <rect class="graph-node-tint" width=b.width height=b.height rx="6" style=format!("fill:{color}") />
            <rect class="graph-node-band" width="5" height=b.height rx="2" style=format!("fill:{color}") />
            <text class="graph-node-title" x="14" y="19" data-testid="graph-node-title">{b.title.clone()}</text>
            <text class="graph-node-calls" x="14" y="35" data-testid="graph-node-calls">{b.calls.clone()}</text>
            <text class="graph-node-times" x="14" y="50">{b.times.clone()}</text>
        </g>
    }
}

fn tooltip(p: Option<Arc<Picture>>, hover: Option<usize>) -> Option<impl IntoView> {
    let p = p?;
    let k = hover?;
    let b = p.layout.nodes.get(k)?;
    let lines = p.tips.get(k)?.clone();
    let style = format!("left:{:.0}px;top:{:.0}px", b.x + 12.0, b.y + b.height + 6.0);
    Some(view! {
        <div class="graph-tip" style=style data-testid="graph-tip">
            {lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| view! { <div class:graph-tip-title=i == 0>{line}</div> })
                .collect_view()}
        </div>
    })
}
