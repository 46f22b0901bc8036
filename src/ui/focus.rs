//! Focus on a subtree: entering and leaving it, and the breadcrumb of its ancestors above the rows. Which rows show
//! and the fitted time window are the core's (`layout::focus`, `layout::rows`).

use leptos::prelude::*;

use super::{use_state, State};
use crate::layout::focus::{breadcrumb, focus_window};
use crate::layout::TimeWindow;

/// Shows only span `i` and its descendants, the time window fitted to them (the selection stays as it is).
pub fn focus_on(state: State, i: u32) {
    let Some(a) = state.trace.get_untracked() else {
        return;
    };
    if (i as usize) >= a.trace.spans.len() {
        return;
    }
    state.focus.set(Some(i));
    state.window.set(focus_window(&a, i));
    state.scroll_top.set(0.0);
    state.scroll_request.set(Some(0.0));
}

/// Shows the whole trace again, the selection kept and in view.
pub fn leave_focus(state: State) {
    if state.focus.get_untracked().is_none() {
        return;
    }
    state.focus.set(None);
    state.window.set(TimeWindow::full(state.total_ns() as i64));
    if let Some(i) = state.selected.get_untracked() {
        super::reveal(state, i);
    }
}

/// The ancestors of the focused span, the root first: a click focuses on that ancestor; "Whole trace" leaves.
#[component]
pub fn Breadcrumb() -> impl IntoView {
    let state = use_state();
    move || {
        let f = state.focus.get()?;
        let a = state.trace.get()?;
        let t = &a.trace;
        let name = |i: u32| format!("{}: {}", t.service(i), t.operation(i));
        let steps = breadcrumb(&a.tree, f)
            .into_iter()
            .map(|i| {
                let label = name(i);
                view! {
                    <span class="crumb-sep" aria-hidden="true">"›"</span>
                    <button class="link-btn crumb" title="Focus on this span's subtree" on:click=move |_| focus_on(state, i)>
                        {label}
                    </button>
                }
            })
            .collect_view();
        let here = name(f);
        Some(view! {
            <nav class="breadcrumb" data-testid="breadcrumb" aria-label="Focused subtree">
                <button class="link-btn crumb" data-testid="crumb-root" title="Show the whole trace (Esc)" on:click=move |_| leave_focus(state)>
                    "Whole trace"
                </button>
                {steps}
                <span class="crumb-sep" aria-hidden="true">"›"</span>
                <b class="crumb-here" data-testid="crumb-here">{here}</b>
            </nav>
        })
    }
}
