//! Exceptions: the header's count, which steps through the spans that hold them, and the detail panel's cards. What
//! counts as an exception is the core's (`analysis::exceptions`); the texts are `layout::detail_text`'s.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::analysis::exceptions::{exceptions_of, spans_with_exceptions, Exception};
use crate::analysis::Analyzed;
use crate::layout::detail_text::{exception_count_text, next_in_rows};
use crate::text::format_duration;

/// Selects the next span (in row order) that holds an exception, after the one selected; Shift steps back.
fn step(state: State, a: &Analyzed, with: &[u32], backwards: bool) {
    let Some(i) = next_in_rows(
        with,
        &a.tree.row_of,
        state.selected.get_untracked(),
        backwards,
    ) else {
        return;
    };
    super::reveal(state, i);
}

/// The header's "Exceptions" fact: how many, in how many spans; a click shows the next span that holds one.
#[component]
pub fn ExceptionCount(a: Arc<Analyzed>) -> impl IntoView {
    let state = use_state();
    let with = spans_with_exceptions(&a.trace);
    if with.is_empty() {
        return view! { <div><dt>"Exceptions"</dt><dd data-testid="exception-count">"0"</dd></div> }.into_any();
    }
    let count: usize = with.iter().map(|&i| exceptions_of(&a.trace, i).len()).sum();
    let text = exception_count_text(count, with.len());
    let with = StoredValue::new(with);
    view! {
        <div>
            <dt>"Exceptions"</dt>
            <dd>
                <button
                    class="link-btn err"
                    data-testid="exception-count"
                    title="Show the next span with an exception (Shift: the previous)"
                    on:click=move |ev: web_sys::MouseEvent| {
                        with.with_value(|w| step(state, &a, w, ev.shift_key()));
                    }
                >
                    {text}
                </button>
            </dd>
        </div>
    }
    .into_any()
}

/// The cards of span `i`'s exceptions: type, message, and the stack trace (folded, its lines kept, copyable).
pub fn exception_cards(a: &Analyzed, i: u32) -> Option<impl IntoView + use<>> {
    let list = exceptions_of(&a.trace, i);
    if list.is_empty() {
        return None;
    }
    let start = a.trace.spans.get(i as usize).map_or(0, |s| s.start_ns);
    let cards = list.into_iter().map(|e| card(e, start)).collect_view();
    Some(view! {
        <h3>"Exceptions"</h3>
        <div class="exceptions" data-testid="exceptions">{cards}</div>
    })
}

fn card(e: Exception, span_start: i64) -> impl IntoView {
    let kind = if e.kind.is_empty() {
        "Error".to_string()
    } else {
        e.kind
    };
    let when = e
        .time_ns
        .map(|t| format!("+{}", format_duration((t - span_start) as f64)));
    let escaped = match e.escaped {
        Some(true) => Some("escaped the span"),
        _ => None,
    };
    let lines = e.stacktrace.lines().count();
    let stack = (!e.stacktrace.is_empty()).then(|| {
        let text = StoredValue::new(e.stacktrace.clone());
        view! {
            <details class="stack" data-testid="exception-stack">
                <summary>
                    {format!("Stack trace ({lines} line{})", if lines == 1 { "" } else { "s" })}
                    " "
                    <super::detail::CopyText text=text />
                </summary>
                <pre class="mono">{e.stacktrace}</pre>
            </details>
        }
    });
    view! {
        <div class="exception-card" data-testid="exception-card">
            <div class="exception-head">
                <b class="exception-type" data-testid="exception-type">{kind}</b>
                {when.map(|w| view! { <span class="muted">{w}</span> })}
                {escaped.map(|x| view! { <span class="badge warn">{x}</span> })}
            </div>
            {(!e.message.is_empty()).then(|| view! {
                <div class="exception-message" data-testid="exception-message">{e.message.clone()}</div>
            })}
            {stack}
        </div>
    }
}
