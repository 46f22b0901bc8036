//! "Where the time went" across the traces the browser lists: one sentence, the root operation's latency, the
//! critical-path contributors, and the statistics table over every span. The numbers are `analysis::set`'s.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, Debounce, State};
use crate::analysis::set::{set_insight, SetInsight};
use crate::analysis::stats::{Contributor, StatRow};
use crate::text::{format_duration, group_digits};

/// Contributors listed.
const CONTRIBUTORS: usize = 6;
/// Statistics rows drawn (the largest total time first).
const STAT_ROWS: usize = 40;
/// How long the list must stay the same before the analysis runs again: typing in a filter recomputes once.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(120);

/// The analysis of the listed traces, run once the list has settled (after the list itself has been drawn).
fn insight_of_listed(state: State) -> RwSignal<Option<Arc<SetInsight>>> {
    let insight = RwSignal::new(None);
    let settle = Debounce::new(SETTLE);
    let kept = state.browser.insight;
    Effect::new(move |_| {
        let listed = state.browser.listed.get();
        // The same list as when last computed (Back from a trace): shown at once.
        let same = kept.with_value(|k| {
            k.as_ref()
                .filter(|(l, _)| Arc::ptr_eq(l, &listed))
                .map(|(_, i)| i.clone())
        });
        if let Some(i) = same {
            insight.set(Some(i));
            return;
        }
        settle.call(move || {
            let Some(s) = state.session.get_untracked() else {
                return;
            };
            let members = listed.iter().filter_map(|&i| s.traces.get(i as usize));
            let answer = Arc::new(set_insight(members.map(|m| (m.trace(), m.tree()))));
            kept.set_value(Some((listed, answer.clone())));
            insight.try_set(Some(answer));
        });
    });
    on_cleanup(move || settle.cancel());
    insight
}

#[component]
pub fn SetInsightPanel() -> impl IntoView {
    let state = use_state();
    let insight = insight_of_listed(state);
    move || {
        let i = insight.get()?;
        let l = i.latency;
        let chip = |label: &'static str, ns: i64| {
            view! { <span class="latency"><span class="muted">{label}</span>" "<b>{format_duration(ns as f64)}</b></span> }
        };
        let contributors = i
            .by_operation
            .iter()
            .take(CONTRIBUTORS)
            .map(|c| contributor(state, &i, c))
            .collect_view();
        Some(view! {
            <section class="set-insight" data-testid="set-insight">
                <p class="set-summary" data-testid="set-summary"><b>"Where the time went: "</b>{i.sentence.clone()}</p>
                <div class="set-facts">
                    <span class="muted">"Root latency"</span>
                    {chip("p50", l.p50_ns)}
                    {chip("p90", l.p90_ns)}
                    {chip("p99", l.p99_ns)}
                </div>
                <ol class="set-contributors" data-testid="set-contributors">{contributors}</ol>
                <details class="set-stats">
                    <summary>"Statistics over these traces"</summary>
                    <StatsTable insight=i.clone() />
                </details>
            </section>
        })
    }
}

/// A contributor: its share of the critical-path time; a click lists only the traces with that operation.
fn contributor(state: State, i: &SetInsight, c: &Contributor) -> impl IntoView + use<> {
    let service = i.strings.get(c.service).to_string();
    let operation = c
        .operation
        .map(|o| i.strings.get(o).to_string())
        .unwrap_or_default();
    let label = format!("{service}: {operation}");
    let pct = format!("{:.0}%", c.share * 100.0);
    let width = format!("{:.1}%", c.share * 100.0);
    let time = format_duration(c.critical_ns as f64);
    view! {
        <li>
            <button class="link" title="List only the traces with this operation"
                on:click=move |_| state.browser.filter.update(|f| {
                    f.service = service.clone();
                    f.operation = operation.clone();
                })>
                {label}
            </button>
            <span class="share-bar"><span style:width=width></span></span>
            <span class="num">{pct}</span>
            <span class="num muted">{time}</span>
        </li>
    }
}

/// The statistics table over every span of the listed traces, by service and operation.
#[component]
fn StatsTable(insight: Arc<SetInsight>) -> impl IntoView {
    let rows = insight
        .stats
        .iter()
        .take(STAT_ROWS)
        .map(|r| stat_row(&insight, r))
        .collect_view();
    view! {
        <table class="stats" data-testid="set-stats">
            <thead>
                <tr>
                    <th>"Service: operation"</th>
                    <th class="num">"Count"</th>
                    <th class="num">"Total"</th>
                    <th class="num">"Self"</th>
                    <th class="num">"Avg"</th>
                    <th class="num">"p95"</th>
                    <th class="num">"Max"</th>
                    <th class="num">"Errors"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn stat_row(i: &SetInsight, r: &StatRow) -> impl IntoView + use<> {
    let name = format!(
        "{}: {}",
        i.strings.get(r.service),
        r.operation.map(|o| i.strings.get(o)).unwrap_or("")
    );
    let d = |ns: i64| format_duration(ns as f64);
    view! {
        <tr>
            <td>{name}</td>
            <td class="num">{group_digits(r.count)}</td>
            <td class="num">{d(r.total_ns)}</td>
            <td class="num">{d(r.self_ns)}</td>
            <td class="num">{d(r.avg_ns())}</td>
            <td class="num">{d(r.p95_ns)}</td>
            <td class="num">{d(r.max_ns)}</td>
            <td class="num">{group_digits(r.errors)}</td>
        </tr>
    }
}
