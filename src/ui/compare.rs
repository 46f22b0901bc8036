//! Two traces compared: the one-sentence answer, the largest self-time differences, and the aligned view below them
//! (`compare_rows`). The pairing and the ranking are `analysis::compare`'s; which rows show, where their bars go and
//! what their cells say are `layout::compare_view`'s.

use std::sync::Arc;

use leptos::prelude::*;

use super::compare_rows::{Aligned, AlignedView};
use super::use_state;
use crate::analysis::compare::{compare, Comparison, PairRow};
use crate::analysis::Analyzed;
use crate::layout::compare_view::{only_label, row_names, signed_duration};
use crate::text::format_duration;

/// The two traces compared and their comparison.
#[derive(Clone)]
pub struct Compared {
    pub a: Arc<Analyzed>,
    pub b: Arc<Analyzed>,
    pub comparison: Arc<Comparison>,
    /// The set's service colors, as in the list and the waterfall.
    pub colors: Arc<crate::layout::set_colors::SetColors>,
}

/// The comparison on screen, computed when the pair changes.
pub fn compared(state: super::State) -> Memo<Option<Compared>> {
    Memo::new(move |_| {
        let (a, b) = state.comparing.get()?;
        let s = state.session.get()?;
        let (a, b) = (s.open(a)?, s.open(b)?);
        let comparison = Arc::new(compare(&a, &b));
        Some(Compared {
            a,
            b,
            comparison,
            colors: s.colors(),
        })
    })
}

impl PartialEq for Compared {
    fn eq(&self, other: &Compared) -> bool {
        Arc::ptr_eq(&self.a, &other.a) && Arc::ptr_eq(&self.b, &other.b)
    }
}

/// The name of a pair: the span's service and operation, from whichever trace has it.
pub fn pair_name(c: &Compared, row: &PairRow) -> (String, String) {
    let (service, operation) = row_names(&c.a.trace, &c.b.trace, row);
    (service.to_string(), operation.to_string())
}

fn trace_name(a: &Analyzed) -> String {
    a.root
        .map(|r| format!("{}: {}", a.trace.service(r), a.trace.operation(r)))
        .unwrap_or_default()
}

/// Rows of the differences list at most (the largest first).
const DIFFERENCES_SHOWN: usize = 50;

#[component]
pub fn CompareView() -> impl IntoView {
    let state = use_state();
    let compared = compared(state);
    move || {
        let c = compared.get()?;
        Some(view! { <ComparedPair compared=c /> })
    }
}

/// One pair of traces: mounted anew for each pair, so that its folding, search and selection start fresh.
#[component]
fn ComparedPair(compared: Compared) -> impl IntoView {
    let state = use_state();
    let aligned = Aligned::new(&compared);
    let side = |label: &'static str, a: &Arc<Analyzed>| {
        view! {
            <div class="compare-side">
                <span class=format!("side-label side-{}", label.to_lowercase())>{label}</span>
                <span class="root">{trace_name(a)}</span>
                <span class="mono muted">{a.trace.trace_id.clone()}</span>
                <span>{format_duration(a.duration_ns() as f64)}</span>
            </div>
        }
    };
    let c = compared.clone();
    view! {
        <section class="compare" data-testid="compare">
            <div class="compare-head">
                <a class="all-traces" href="#" on:click=move |ev| { ev.prevent_default(); state.show_list(); }>"← All traces"</a>
                <h1 class="compare-title">"Comparison"</h1>
                {side("A", &c.a)}
                {side("B", &c.b)}
                <p class="compare-summary" data-testid="compare-summary">{c.comparison.summary.clone()}</p>
            </div>
            <Differences compared=c.clone() aligned=aligned />
            <AlignedView compared=c aligned=aligned />
        </section>
    }
}

/// The largest self-time differences, largest first; a click shows the row in the aligned view and selects it.
#[component]
fn Differences(compared: Compared, aligned: Aligned) -> impl IntoView {
    let c = compared.comparison.clone();
    let rows = c
        .differences
        .iter()
        .take(DIFFERENCES_SHOWN)
        .filter_map(|&k| c.rows.get(k as usize).map(|row| (k, row)))
        .map(|(k, row)| {
            let (service, operation) = pair_name(&compared, row);
            let only = only_label(row).unwrap_or("");
            let selected = move || aligned.selected.get() == Some(k);
            view! {
                <tr
                    data-testid="difference"
                    data-row=k.to_string()
                    class:selected=selected
                    title="Show in the aligned view"
                    on:click=move |_| aligned.reveal(k)
                >
                    <td class="name"><b>{service}</b>": "{operation}<span class="only">{only}</span></td>
                    <td class="num delta">{signed_duration(row.self_delta_ns())}</td>
                    <td class="num">{format_duration(row.a_self_ns as f64)}</td>
                    <td class="num">{format_duration(row.b_self_ns as f64)}</td>
                    <td class="num">{signed_duration(row.duration_delta_ns())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="differences-box">
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
        </div>
    }
}
