//! Two traces compared: which spans differ, by how much of their own time, and the one-sentence answer. The pairing
//! and the ranking are `analysis::compare`'s.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::analysis::compare::{compare, Comparison, PairRow, Side};
use crate::analysis::Analyzed;
use crate::text::format_duration;

/// The two traces compared and their comparison.
#[derive(Clone)]
pub struct Compared {
    pub a: Arc<Analyzed>,
    pub b: Arc<Analyzed>,
    pub comparison: Arc<Comparison>,
}

/// The comparison on screen, computed when the pair changes.
pub fn compared(state: State) -> Memo<Option<Compared>> {
    Memo::new(move |_| {
        let (a, b) = state.comparing.get()?;
        let s = state.session.get()?;
        let (a, b) = (s.open(a)?, s.open(b)?);
        let comparison = Arc::new(compare(&a, &b));
        Some(Compared { a, b, comparison })
    })
}

impl PartialEq for Compared {
    fn eq(&self, other: &Compared) -> bool {
        Arc::ptr_eq(&self.a, &other.a) && Arc::ptr_eq(&self.b, &other.b)
    }
}

/// The name of a pair: the span's service and operation, from whichever trace has it.
pub fn pair_name(c: &Compared, row: &PairRow) -> (String, String) {
    let (t, i) = match (row.a, row.b) {
        (Some(i), _) => (&c.a.trace, i),
        (None, Some(i)) => (&c.b.trace, i),
        (None, None) => return Default::default(),
    };
    (t.service(i).to_string(), t.operation(i).to_string())
}

fn trace_name(a: &Analyzed) -> String {
    a.root
        .map(|r| format!("{}: {}", a.trace.service(r), a.trace.operation(r)))
        .unwrap_or_default()
}

/// A signed duration: "+380ms", "-2ms", "0".
pub fn signed(ns: i64) -> String {
    match ns {
        0 => "0".to_string(),
        n if n > 0 => format!("+{}", format_duration(n as f64)),
        n => format_duration(n as f64),
    }
}

/// Rows of the differences list at most (the largest first).
const DIFFERENCES_SHOWN: usize = 50;

#[component]
pub fn CompareView() -> impl IntoView {
    let state = use_state();
    let compared = compared(state);
    move || {
        let c = compared.get()?;
        let side = |label: &'static str, a: &Arc<Analyzed>| {
            view! {
                <div class="compare-side">
                    <span class="side-label">{label}</span>
                    <span class="root">{trace_name(a)}</span>
                    <span class="mono muted">{a.trace.trace_id.clone()}</span>
                    <span>{format_duration(a.duration_ns() as f64)}</span>
                </div>
            }
        };
        Some(view! {
            <section class="compare" data-testid="compare">
                <a class="all-traces" href="#" on:click=move |ev| { ev.prevent_default(); state.show_list(); }>"← All traces"</a>
                <h1 class="compare-title">"Comparison"</h1>
                {side("A", &c.a)}
                {side("B", &c.b)}
                <p class="compare-summary" data-testid="compare-summary">{c.comparison.summary.clone()}</p>
                <Differences compared=c.clone() />
            </section>
        })
    }
}

/// The largest self-time differences, largest first.
#[component]
fn Differences(compared: Compared) -> impl IntoView {
    let c = &compared.comparison;
    let rows = c
        .differences
        .iter()
        .take(DIFFERENCES_SHOWN)
        .filter_map(|&k| c.rows.get(k as usize))
        .map(|row| {
            let (service, operation) = pair_name(&compared, row);
            let only = match row.only() {
                Some(Side::A) => "only in A",
                Some(Side::B) => "only in B",
                None => "",
            };
            view! {
                <tr data-testid="difference">
                    <td class="name"><b>{service}</b>": "{operation}<span class="only">{only}</span></td>
                    <td class="num delta">{signed(row.self_delta_ns())}</td>
                    <td class="num">{format_duration(row.a_self_ns as f64)}</td>
                    <td class="num">{format_duration(row.b_self_ns as f64)}</td>
                    <td class="num">{signed(row.duration_delta_ns())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="differences" data-testid="differences">
            <thead>
                <tr>
                    <th>"Span"</th>
                    <th class="num">"Self time Δ"</th>
                    <th class="num">"Self in A"</th>
                    <th class="num">"Self in B"</th>
                    <th class="num">"Duration Δ"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
