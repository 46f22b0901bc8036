//! The span table view: the trace's spans as one flat, sortable list, drawing only the rows in view. What is listed,
//! in what order, and each cell's text are the core's (`layout::span_table`).

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::layout::row_window;
use crate::layout::span_table::{listed_spans, sort_spans, span_cells, SpanColumn};

const ROW_PX: f64 = 26.0;
const OVERSCAN: usize = 10;

/// The spans listed (focus, filters, "matches only"), in the table's order.
fn listed(state: State) -> Memo<Arc<Vec<u32>>> {
    Memo::new(move |_| {
        let Some(a) = state.trace.get() else {
            return Arc::new(Vec::new());
        };
        let narrow = state.matches_only.get();
        let focus = state.focus.get();
        let order = state.table_order.get();
        let mut spans = state.hits.with(|h| {
            let only = (h.active && (h.filtering || narrow)).then_some(&h.list[..]);
            listed_spans(&a, focus, only)
        });
        sort_spans(&a, &mut spans, order);
        Arc::new(spans)
    })
}

#[component]
fn Header(column: SpanColumn, label: &'static str, #[prop(optional)] num: bool) -> impl IntoView {
    let state = use_state();
    let sorted = move || {
        state
            .table_order
            .with(|o| match (o.column == column, o.descending) {
                (false, _) => "none",
                (true, true) => "descending",
                (true, false) => "ascending",
            })
    };
    view! {
        <th class:num=num aria-sort=sorted>
            <button class="sort" data-testid=format!("sort-{label}") on:click=move |_| state.table_order.update(|o| *o = o.clicked(column))>
                {label}
                {move || match sorted() { "descending" => " ▼", "ascending" => " ▲", _ => "" }}
            </button>
        </th>
    }
}

#[component]
pub fn SpanTable() -> impl IntoView {
    let state = use_state();
    let listed = listed(state);
    let scroll_top = RwSignal::new(0.0f64);
    let viewport_h = RwSignal::new(600.0f64);
    let scroll_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = scroll_ref.get() {
            viewport_h.set(f64::from(el.client_height()));
        }
    });
    let rows = move || {
        let a = state.trace.get()?;
        let spans = listed.get();
        let n = spans.len();
        let r = row_window(scroll_top.get(), viewport_h.get(), ROW_PX, n, OVERSCAN);
        let above = r.start as f64 * ROW_PX;
        let below = (n - r.end) as f64 * ROW_PX;
        let drawn = spans[r.clone()]
            .iter()
            .enumerate()
            .map(|(k, &i)| span_row(state, &a, i, r.start + k))
            .collect_view();
        Some(view! {
            <tr class="spacer" style:height=format!("{above}px")></tr>
            {drawn}
            <tr class="spacer" style:height=format!("{below}px")></tr>
        })
    };
    view! {
        <section class="span-table-view" aria-label="Span table">
            <div class="wf-toolbar">
                <span class="muted" data-testid="span-table-count">
                    {move || format!("{} spans", crate::text::group_digits(listed.with(|l| l.len()) as u64))}
                </span>
            </div>
            <div
                class="span-table-scroll"
                node_ref=scroll_ref
                on:scroll=move |ev| {
                    if let Some(el) = event_target::<web_sys::HtmlElement>(&ev).into() {
                        scroll_top.set(f64::from(el.scroll_top()));
                        viewport_h.set(f64::from(el.client_height()));
                    }
                }
            >
                <table class="span-table" data-testid="span-table" role="grid" aria-rowcount=move || listed.with(|l| l.len())>
                    <thead>
                        <tr>
                            <Header column=SpanColumn::Start label="Start" num=true />
                            <Header column=SpanColumn::Duration label="Duration" num=true />
                            <Header column=SpanColumn::SelfTime label="Self time" num=true />
                            <Header column=SpanColumn::Service label="Service" />
                            <Header column=SpanColumn::Operation label="Operation" />
                            <th>"Kind"</th>
                            <th>"Status"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// One row: span `i` at position `at` of the list; a click selects it.
fn span_row(
    state: State,
    a: &crate::analysis::Analyzed,
    i: u32,
    at: usize,
) -> impl IntoView + use<> {
    let [start, dur, self_t, service, op, kind, status] = span_cells(a, i).unwrap_or_default();
    let color = state
        .colors
        .with_untracked(|k| k.span(&a.trace, i).to_string());
    let is_error = !status.is_empty();
    let selected = move || state.selected.get() == Some(i);
    let hit = move || {
        state
            .hits
            .with(|h| h.active && !h.filtering && h.mask.get(i as usize) == Some(&true))
    };
    view! {
        <tr
            class="span-row"
            data-testid="span-row"
            class:selected=selected
            class:hit=hit
            aria-selected=move || selected().to_string()
            aria-rowindex=at + 1
            on:click=move |_| super::reveal(state, i)
        >
            <td class="num">{start}</td>
            <td class="num">{dur}</td>
            <td class="num">{self_t}</td>
            <td><span class="svc-mark" style:border-color=color>{service}</span></td>
            <td class="op">{op}</td>
            <td class="muted">{kind}</td>
            <td class:err=is_error>{status}</td>
        </tr>
    }
}
