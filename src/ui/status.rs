//! What the page says about itself: the load under way, an error, or that nothing is shown.

use leptos::prelude::*;

use super::{loader, use_state};

#[component]
pub fn Progress() -> impl IntoView {
    let state = use_state();
    move || {
        state.progress.get().map(|p| {
            let (frac, text) = p.describe();
            let pct = frac * 100.0;
            view! {
                <div class="progress" data-testid="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=format!("{pct:.0}")>
                    <div class="progress-bar" style:width=format!("{pct:.1}%")></div>
                    <span class="progress-text" data-testid="progress-text">{text}</span>
                    {p.cancellable().then(|| view! {
                        <button class="btn small progress-cancel" data-testid="cancel-load" on:click=move |_| loader::cancel(state)>"Cancel"</button>
                    })}
                </div>
            }
        })
    }
}

/// What shows while no trace is loaded (a `?url=` that failed, say): never an empty waterfall.
#[component]
pub fn EmptyState() -> impl IntoView {
    let state = use_state();
    view! {
        <div class="empty-state" data-testid="empty-state">
            {move || if state.progress.with(|p| p.is_some()) {
                "Loading…".into_any()
            } else {
                view! {
                    <p>"No trace is shown. Open a trace file, drop one anywhere on the page, or paste its JSON."</p>
                    <button class="btn" on:click=move |_| state.open_demo(0)>"Show the demo trace"</button>
                }.into_any()
            }}
        </div>
    }
}

#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = use_state();
    move || {
        state.error.get().map(|e| {
            view! {
                <div class="error-banner" role="alert">
                    <span class="error-text">{e}</span>
                    <button class="btn small" on:click=move |_| state.error.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}
