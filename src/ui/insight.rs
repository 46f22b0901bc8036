//! "Where the time went": the summary sentence, the top contributors, and the statistics table.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::analysis::critical::{critical_path, critical_time};
use crate::analysis::stats::{
    contributors, stats, stats_of, summarize, Contributor, GroupBy, StatRow,
};
use crate::analysis::Analyzed;
use crate::layout::focus::{in_subtree, subtree_spans};
use crate::layout::stats_table::{
    grouping_picked, next_order, order_mark, rows_not_drawn_text, sort_rows, Order, SortKey,
};
use crate::model::Trace;
use crate::text::format_duration;

/// Marks the spans of `service` (and `operation`, if given) that match `only_critical`.
fn mask_for(
    a: &Analyzed,
    service: u32,
    operation: Option<u32>,
    only_critical: bool,
) -> Arc<Vec<bool>> {
    Arc::new(
        a.trace
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (service == u32::MAX || s.service == service)
                    && operation.is_none_or(|o| s.operation == o)
                    && (!only_critical || a.crit_ns[i] > 0)
            })
            .collect(),
    )
}

/// What a click on a contributor or a statistics row does with its spans.
#[derive(Clone, Copy)]
enum Highlight {
    /// Marks those on the critical path; every row stays.
    Critical,
    /// Shows only them (and their ancestors) in the waterfall.
    Only,
}

/// The click that highlights the spans of `service` (any: `u32::MAX`) and `operation` (any: `None`).
fn highlight_on_click(
    state: State,
    a: Arc<Analyzed>,
    service: u32,
    operation: Option<u32>,
    how: Highlight,
) -> impl Fn(web_sys::MouseEvent) + 'static {
    move |_| {
        let only = matches!(how, Highlight::Only);
        state.highlight_filter.set(only);
        state
            .highlight
            .set(Some(mask_for(&a, service, operation, !only)));
    }
}

#[component]
pub fn Summary() -> impl IntoView {
    let state = use_state();
    move || {
        let a = state.trace.get()?;
        // For a selected span with children: its subtree's critical path; else the focused subtree's.
        let focus = state.focus.get();
        let sel = state
            .selected
            .get()
            .filter(|&s| !a.tree.children_of(s).is_empty())
            .filter(|&s| focus.is_none_or(|f| in_subtree(&a.tree, f, s)))
            .map(|s| {
                let scope = if Some(s) == focus {
                    "the focused subtree"
                } else {
                    "the selected subtree"
                };
                (s, scope)
            })
            .or(focus.map(|f| (f, "the focused subtree")));
        let (sentence, crit, scope) = match sel {
            Some((s, scope)) => {
                let path = critical_path(&a.trace, &a.tree, s);
                let summary = summarize(&a.trace, &a.tree, &path, s);
                (
                    summary.sentence,
                    std::borrow::Cow::Owned(critical_time(a.trace.spans.len(), &path)),
                    scope,
                )
            }
            // The trace's own critical time is already computed: borrow it, no per-render copy.
            None => (
                a.summary.sentence.clone(),
                std::borrow::Cow::Borrowed(&a.crit_ns[..]),
                "the trace",
            ),
        };
        let by_service = contributor_list(state, &a, &crit, GroupBy::Service);
        let by_op = contributor_list(state, &a, &crit, GroupBy::Operation);
        Some(view! {
            <div class="insight">
                <p class="summary" data-testid="summary">
                    <span class="summary-label">{format!("Where the time went ({scope}): ")}</span>
                    {sentence}
                </p>
                <details class="contributors" data-testid="contributors">
                    <summary>"Top contributors to the critical path"</summary>
                    <div class="contrib-cols">
                        <div><h4>"By service"</h4>{by_service}</div>
                        <div><h4>"By operation"</h4>{by_op}</div>
                    </div>
                </details>
            </div>
        })
    }
}

/// The five largest contributors to the critical time `crit`, grouped `by`; a click highlights their spans.
fn contributor_list(state: State, a: &Arc<Analyzed>, crit: &[i64], by: GroupBy) -> impl IntoView {
    contributors(&a.trace, crit, by)
        .into_iter()
        .take(5)
        .map(|c| {
            let name = contributor_name(&a.trace, &c, by);
            let pct = c.share * 100.0;
            let color = if c.service == u32::MAX { "var(--accent)" } else { state.colors.with(|k| k.sym(c.service)) };
            let click = highlight_on_click(state, a.clone(), c.service, c.operation, Highlight::Critical);
            view! {
                <button class="contrib" title="Highlight these spans" on:click=click>
                    <span class="contrib-name">{name}</span>
                    <span class="contrib-bar"><span style:width=format!("{pct:.1}%") style:background=color></span></span>
                    <span class="contrib-val">{format!("{} · {pct:.0}%", format_duration(c.critical_ns as f64))}</span>
                </button>
            }
        })
        .collect_view()
}

/// A contributor's name: its operation when grouped by operation, else its service (and operation).
fn contributor_name(t: &Trace, c: &Contributor, by: GroupBy) -> String {
    match c.operation {
        Some(op) if by == GroupBy::Operation => t.sym(op).to_string(),
        Some(op) => format!("{}: {}", t.sym(c.service), t.sym(op)),
        None => t.sym(c.service).to_string(),
    }
}

/// Statistics rows drawn before "Show all".
const STATS_SHOWN: usize = 500;

/// The statistics table: grouped by service, operation or both; sortable; a row filters the waterfall.
#[component]
pub fn StatsPanel() -> impl IntoView {
    let state = use_state();
    let by = RwSignal::new(GroupBy::Both);
    let order = RwSignal::new((SortKey::Total, true));
    // Rows drawn: the first STATS_SHOWN, until the user asks for all.
    let shown = RwSignal::new(STATS_SHOWN);
    // Each trace starts with the first rows only.
    Effect::new(move |_| {
        state.trace.track();
        shown.set(STATS_SHOWN);
    });
    move || {
        state.show_stats.get().then(|| {
            view! {
                <section class="stats-panel" data-testid="stats-panel">
                    <div class="stats-head">
                        <b>"Statistics"</b>
                        {move || state.focus.get().is_some().then(|| view! {
                            <span class="muted" data-testid="stats-scope">"of the focused subtree"</span>
                        })}
                        <label class="toggle">
                            "Group by"
                            <select
                                class="select"
                                data-testid="stats-group"
                                on:change=move |ev| by.set(grouping_picked(&event_target_value(&ev)))
                            >
                                <option value="both">"service and operation"</option>
                                <option value="service">"service"</option>
                                <option value="operation">"operation"</option>
                            </select>
                        </label>
                        <span class="spacer"></span>
                        <button class="btn small" on:click=move |_| clear_highlight(state)>"Clear filter"</button>
                        <button class="btn small" on:click=move |_| state.show_stats.set(false)>"Close"</button>
                    </div>
                    <div class="stats-scroll">{move || stats_table_view(state, by, order, shown)}</div>
                </section>
            }
        })
    }
}

/// The table of the trace shown, grouped `by`, in `order`, its first `shown` rows drawn.
fn stats_table_view(
    state: State,
    by: RwSignal<GroupBy>,
    order: RwSignal<Order>,
    shown: RwSignal<usize>,
) -> Option<impl IntoView> {
    let a = state.trace.get()?;
    // While a subtree is in focus, the table speaks of it alone.
    let mut rows = match state.focus.get() {
        Some(f) => stats_of(
            &a.trace,
            &a.self_ns,
            by.get(),
            subtree_spans(&a.tree, f).iter().copied(),
        ),
        None => stats(&a.trace, &a.self_ns, by.get()),
    };
    sort_rows(&a.trace.strings, &mut rows, order.get());
    let total = rows.len();
    let limit = shown.get();
    let grouping = by.get_untracked();
    let body = rows
        .into_iter()
        .take(limit)
        .map(|r| stat_row(state, &a, r, grouping))
        .collect_view();
    let header = |label: &'static str, key: SortKey| sort_header(label, key, order);
    Some(view! {
        <table class="stats-table" data-testid="stats-table">
            <thead>
                <tr>
                    {header("Service", SortKey::Name)}
                    <th>"Operation"</th>
                    {header("Count", SortKey::Count)}
                    {header("Total", SortKey::Total)}
                    {header("Self", SortKey::SelfTime)}
                    {header("Avg", SortKey::Avg)}
                    {header("Min", SortKey::Min)}
                    {header("Max", SortKey::Max)}
                    {header("P95", SortKey::P95)}
                    {header("Errors", SortKey::Errors)}
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
        {rows_not_drawn_text(limit, total).map(|text| view! {
            <p class="stats-more" data-testid="stats-more">
                {text}
                <button class="btn small" on:click=move |_| shown.set(usize::MAX)>"Show all"</button>
            </p>
        })}
    })
}

/// A column header that sorts the table by `key`, with a mark when it does.
fn sort_header(label: &'static str, key: SortKey, order: RwSignal<Order>) -> impl IntoView {
    view! {
        <th
            class="sortable"
            class:sorted=move || order.get().0 == key
            on:click=move |_| order.update(|o| *o = next_order(*o, key))
        >
            {label}
            {move || order_mark(order.get(), key)}
        </th>
    }
}

/// A row of the table; a click shows only its spans in the waterfall.
fn stat_row(state: State, a: &Arc<Analyzed>, r: StatRow, grouping: GroupBy) -> impl IntoView {
    let by_operation = grouping == GroupBy::Operation;
    let svc = if by_operation {
        String::new()
    } else {
        a.trace.sym(r.service).to_string()
    };
    let op = r.operation.map(|o| a.trace.sym(o).to_string());
    let service = if by_operation { u32::MAX } else { r.service };
    let click = highlight_on_click(state, a.clone(), service, r.operation, Highlight::Only);
    view! {
        <tr class="stat-row" title="Show only these spans in the waterfall" on:click=click>
            <td>{svc}</td>
            <td>{op.unwrap_or_default()}</td>
            <td class="num">{r.count}</td>
            <td class="num">{format_duration(r.total_ns as f64)}</td>
            <td class="num">{format_duration(r.self_ns as f64)}</td>
            <td class="num">{format_duration(r.avg_ns() as f64)}</td>
            <td class="num">{format_duration(r.min_ns as f64)}</td>
            <td class="num">{format_duration(r.max_ns as f64)}</td>
            <td class="num">{format_duration(r.p95_ns as f64)}</td>
            <td class="num" class:err={r.errors > 0}>{r.errors}</td>
        </tr>
    }
}

pub fn clear_highlight(state: State) {
    state.highlight.set(None);
    state.highlight_filter.set(false);
}
