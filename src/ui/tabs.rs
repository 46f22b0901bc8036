//! The tabs that switch between the views of the trace on screen (also the keys `1`–`4`, and `#view=` in a link).

use leptos::prelude::*;

use super::use_state;
use crate::layout::trace_views::TraceView;

/// The views, in tab order.
pub const VIEWS: &[TraceView] = &TraceView::ALL;

#[component]
pub fn ViewTabs() -> impl IntoView {
    let state = use_state();
    let tabs = VIEWS
        .iter()
        .map(|&v| {
            let on = move || state.view.get() == v;
            view! {
                <button
                    class="view-tab"
                    role="tab"
                    class:on=on
                    aria-selected=move || if on() { "true" } else { "false" }
                    data-testid=format!("tab-{}", v.link_name())
                    title=format!("{} ({})", v.label(), v.key())
                    on:click=move |_| state.view.set(v)
                >
                    {v.label()}
                </button>
            }
        })
        .collect_view();
    view! { <div class="view-tabs" role="tablist" aria-label="Views of the trace">{tabs}</div> }
}
