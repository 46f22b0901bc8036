//! The selected and the hovered span's link arrows, drawn over the rows (inside the rows SVG, so they scroll with
//! them). Which arrows, and where, is `layout::link_arrows`'s.

use std::sync::Arc;

use leptos::prelude::*;

use super::use_state;
use crate::analysis::Analyzed;
use crate::layout::geometry::ROW_H;
use crate::layout::link_arrows::{end_rows, place_arrows, Edge, InView, LinkIndex};

/// The trace's references, built the first time a span is selected or hovered.
pub fn index_of(trace: Signal<Option<Arc<Analyzed>>>) -> Memo<Arc<LinkIndex>> {
    Memo::new(move |_| {
        Arc::new(
            trace
                .with(|t| t.as_deref().map(LinkIndex::build))
                .unwrap_or_default(),
        )
    })
}

/// The arrows, in a group placed like the rows (`first`: the row at the SVG's top).
#[component]
pub fn LinkArrows(a: Arc<Analyzed>, first: Memo<usize>) -> impl IntoView {
    let state = use_state();
    // The selected and the hovered span's references: a look-up, not a pass over the spans.
    let edges = Memo::new(move |_| {
        let spans = [state.selected.get(), state.hovered.get()];
        if spans.iter().all(Option::is_none) {
            return Vec::new();
        }
        state.link_index.with(|idx| {
            let mut e: Vec<Edge> = spans
                .iter()
                .flatten()
                .flat_map(|&s| idx.edges_of(s))
                .collect();
            e.sort_unstable();
            e.dedup();
            e
        })
    });
    // Their ends' rows: one pass over the rows when the edges or the rows change, never while scrolling.
    let ra = a.clone();
    let ends = Memo::new(move |_| {
        edges.with(|e| {
            if e.is_empty() {
                return Vec::new();
            }
            let mut spans: Vec<u32> = e.iter().flat_map(|e| [e.from, e.to]).collect();
            spans.sort_unstable();
            spans.dedup();
            state.rows.with(|r| end_rows(&ra, r, &spans))
        })
    });
    let arrows = move || {
        if edges.with(Vec::is_empty) {
            return None;
        }
        let view = InView {
            top: state.scroll_top.get(),
            bottom: state.scroll_top.get() + state.viewport_h.get(),
        };
        let placed =
            edges.with(|e| ends.with(|n| state.frame.with(|f| place_arrows(&a, e, n, f, view))));
        let drawn = placed
            .into_iter()
            .map(|arrow| {
                let labels = arrow
                    .labels
                    .into_iter()
                    .map(|l| view! { <text class="link-label" x=l.x y=l.y text-anchor=l.anchor>{l.text}</text> })
                    .collect_view();
                view! {
                    <g
                        class="link-arrow"
                        class:follows=arrow.edge.parent
                        data-testid="link-arrow"
                        data-from=format!("{:.1},{:.1}", arrow.from.0, arrow.from.1)
                        data-to=format!("{:.1},{:.1}", arrow.to.0, arrow.to.1)
                    >
                        <path class="link-halo" d=arrow.path.clone() />
                        <path class="link-line" d=arrow.path marker-end="url(#link-head)" />
                        <circle class="link-tail" cx=arrow.from.0 cy=arrow.from.1 r="2.5" />
                        {labels}
                    </g>
                }
            })
            .collect_view();
        Some(drawn)
    };
    view! {
        <defs>
            <marker id="link-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path class="link-head" d="M0 0L10 5L0 10z" />
            </marker>
        </defs>
        <g
            class="link-arrows"
            transform=move || format!("translate({},{})", state.name_w.get(), -(first.get() as f64) * ROW_H)
        >
            {arrows}
        </g>
    }
}
