//! "Where the time went": the summary sentence, the top contributors, and the statistics table.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::analysis::critical::{critical_path, critical_time};
use crate::analysis::stats::{contributors, stats, summarize, GroupBy, StatRow};
use crate::analysis::Analyzed;
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

#[component]
pub fn Summary() -> impl IntoView {
    let state = use_state();
    move || {
        let a = state.trace.get()?;
        // For a selected span with children: its subtree's critical path.
        let sel = state
            .selected
            .get()
            .filter(|&s| !a.tree.children_of(s).is_empty());
        let (sentence, crit, scope) = match sel {
            Some(s) => {
                let path = critical_path(&a.trace, &a.tree, s);
                let summary = summarize(&a.trace, &a.tree, &path, s);
                (
                    summary.sentence,
                    std::borrow::Cow::Owned(critical_time(a.trace.spans.len(), &path)),
                    "the selected subtree",
                )
            }
            // The trace's own critical time is already computed: borrow it, no per-render copy.
            None => (
                a.summary.sentence.clone(),
                std::borrow::Cow::Borrowed(&a.crit_ns[..]),
                "the trace",
            ),
        };
        let list = |by: GroupBy| {
            contributors(&a.trace, &crit, by)
                .into_iter()
                .take(5)
                .map(|c| {
                    let name = match c.operation {
                        Some(op) if by == GroupBy::Operation => a.trace.sym(op).to_string(),
                        Some(op) => format!("{}: {}", a.trace.sym(c.service), a.trace.sym(op)),
                        None => a.trace.sym(c.service).to_string(),
                    };
                    let pct = c.share * 100.0;
                    let color = if c.service == u32::MAX { "var(--accent)" } else { state.colors.with(|k| k.sym(c.service)) };
                    let a2 = a.clone();
                    let (svc, op) = (c.service, c.operation);
                    view! {
                        <button
                            class="contrib"
                            title="Highlight these spans"
                            on:click=move |_| {
                                state.highlight_filter.set(false);
                                state.highlight.set(Some(mask_for(&a2, svc, op, true)));
                            }
                        >
                            <span class="contrib-name">{name}</span>
                            <span class="contrib-bar"><span style:width=format!("{pct:.1}%") style:background=color></span></span>
                            <span class="contrib-val">{format!("{} · {pct:.0}%", format_duration(c.critical_ns as f64))}</span>
                        </button>
                    }
                })
                .collect_view()
        };
        let by_service = list(GroupBy::Service);
        let by_op = list(GroupBy::Operation);
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Name,
    Count,
    Total,
    SelfTime,
    Avg,
    Min,
    Max,
    P95,
    Errors,
}

fn sort_rows(a: &Analyzed, rows: &mut [StatRow], key: SortKey, desc: bool) {
    rows.sort_by(|x, y| {
        let o = match key {
            SortKey::Name => {
                let nx = (a.trace.sym(x.service), x.operation.map(|o| a.trace.sym(o)));
                let ny = (a.trace.sym(y.service), y.operation.map(|o| a.trace.sym(o)));
                nx.cmp(&ny)
            }
            SortKey::Count => x.count.cmp(&y.count),
            SortKey::Total => x.total_ns.cmp(&y.total_ns),
            SortKey::SelfTime => x.self_ns.cmp(&y.self_ns),
            SortKey::Avg => x.avg_ns().cmp(&y.avg_ns()),
            SortKey::Min => x.min_ns.cmp(&y.min_ns),
            SortKey::Max => x.max_ns.cmp(&y.max_ns),
            SortKey::P95 => x.p95_ns.cmp(&y.p95_ns),
            SortKey::Errors => x.errors.cmp(&y.errors),
        };
        if desc {
            o.reverse()
        } else {
            o
        }
    });
}

/// Statistics rows drawn before "Show all".
const STATS_SHOWN: usize = 500;

/// The statistics table: grouped by service, operation or both; sortable; a row filters the waterfall.
#[component]
pub fn StatsPanel() -> impl IntoView {
    let state = use_state();
    let by = RwSignal::new(GroupBy::Both);
    let sort = RwSignal::new((SortKey::Total, true));
    // Rows drawn: the first STATS_SHOWN, until the user asks for all.
    let shown = RwSignal::new(STATS_SHOWN);
    // Each trace starts with the first rows only.
    Effect::new(move |_| {
        state.trace.track();
        shown.set(STATS_SHOWN);
    });
    let table = move || {
        let a = state.trace.get()?;
        let mut rows = stats(&a.trace, &a.self_ns, by.get());
        let (k, desc) = sort.get();
        sort_rows(&a, &mut rows, k, desc);
        let total = rows.len();
        let limit = shown.get();
        let header = |label: &'static str, key: SortKey| {
            view! {
                <th
                    class="sortable"
                    class:sorted=move || sort.get().0 == key
                    on:click=move |_| sort.update(|s| *s = if s.0 == key { (key, !s.1) } else { (key, key != SortKey::Name) })
                >
                    {label}
                    {move || {
                        let (k, d) = sort.get();
                        (k == key).then_some(if d { " ▾" } else { " ▴" })
                    }}
                </th>
            }
        };
        let body = rows
            .into_iter()
            .take(limit)
            .map(|r| {
                let svc = a.trace.sym(r.service).to_string();
                let op = r.operation.map(|o| a.trace.sym(o).to_string());
                let grouping = by.get_untracked();
                let a2 = a.clone();
                let (s_sym, o_sym) = (r.service, r.operation);
                view! {
                    <tr
                        class="stat-row"
                        title="Show only these spans in the waterfall"
                        on:click=move |_| {
                            let service = if grouping == GroupBy::Operation { u32::MAX } else { s_sym };
                            state.highlight.set(Some(mask_for(&a2, service, o_sym, false)));
                            state.highlight_filter.set(true);
                        }
                    >
                        <td>{if grouping == GroupBy::Operation { String::new() } else { svc }}</td>
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
            })
            .collect_view();
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
            {(total > limit).then(|| view! {
                <p class="stats-more" data-testid="stats-more">
                    {format!(
                        "Showing the first {} of {} rows (sorted as above). ",
                        crate::text::group_digits(limit as u64),
                        crate::text::group_digits(total as u64)
                    )}
                    <button class="btn small" on:click=move |_| shown.set(usize::MAX)>"Show all"</button>
                </p>
            })}
        })
    };
    move || {
        state.show_stats.get().then(|| {
            view! {
                <section class="stats-panel" data-testid="stats-panel">
                    <div class="stats-head">
                        <b>"Statistics"</b>
                        <label class="toggle">
                            "Group by"
                            <select
                                class="select"
                                data-testid="stats-group"
                                on:change=move |ev| {
                                    by.set(match event_target_value(&ev).as_str() {
                                        "service" => GroupBy::Service,
                                        "operation" => GroupBy::Operation,
                                        _ => GroupBy::Both,
                                    })
                                }
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
                    <div class="stats-scroll">{table}</div>
                </section>
            }
        })
    }
}

pub fn clear_highlight(state: State) {
    state.highlight.set(None);
    state.highlight_filter.set(false);
}
