//! The events panel: every span event and log of the trace on screen in time order, filterable by text, drawing only
//! the rows in view; a click selects the event's span. Opened by the toolbar's **Events (N)** button or the key `e`.
//! What each row says, the filter and the row window are `layout::events_table`'s; styles in `style/events.css`.

use std::sync::Arc;

use leptos::prelude::*;

use super::{reveal, use_state, Debounce, State};
use crate::analysis::events::{count, in_time_order, TraceEvent};
use crate::analysis::Analyzed;
use crate::layout::events_table::{attrs_title, count_text, in_view, matching, row, ROW_PX};
use crate::text::group_digits;

/// Waits after the last keystroke in the filter before filtering.
const FILTER_WAIT: std::time::Duration = std::time::Duration::from_millis(120);

/// The toolbar's button: "Events (N)", showing or hiding the panel.
#[component]
pub fn EventsButton() -> impl IntoView {
    let state = use_state();
    let n = Memo::new(move |_| {
        state
            .trace
            .with(|t| t.as_ref().map_or(0, |a| count(&a.trace)))
    });
    view! {
        <button
            class="btn small"
            data-testid="events-toggle"
            title="Every event and log in time order (e)"
            aria-pressed=move || state.show_events.get().to_string()
            on:click=move |_| state.show_events.update(|v| *v = !*v)
        >
            {move || format!("Events ({})", group_digits(n.get() as u64))}
        </button>
    }
}

/// The trace's events, in time order, with the trace they were read from (the same when the trace is).
#[derive(Clone)]
struct Listed {
    a: Arc<Analyzed>,
    events: Arc<Vec<TraceEvent>>,
}

impl PartialEq for Listed {
    fn eq(&self, other: &Listed) -> bool {
        Arc::ptr_eq(&self.a, &other.a)
    }
}

/// The panel below the waterfall, while `show_events` is on and a trace is shown.
#[component]
pub fn EventsPanel() -> impl IntoView {
    let state = use_state();
    move || {
        let on = state.show_events.get() && state.trace.with(|t| t.is_some());
        on.then(|| view! { <Panel /> })
    }
}

#[component]
fn Panel() -> impl IntoView {
    let state = use_state();
    let query = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let wait = Debounce::new(FILTER_WAIT);
    let scroll_top = RwSignal::new(0.0f64);
    let viewport_h = RwSignal::new(240.0f64);
    let scroll_ref = NodeRef::<leptos::html::Div>::new();
    let listed: Memo<Option<Listed>> = Memo::new(move |prev: Option<&Option<Listed>>| {
        let a = state.trace.get()?;
        // The same trace again (the signal ran for another reason): its events are already in order.
        if let Some(Some(p)) = prev.filter(|p| p.as_ref().is_some_and(|p| Arc::ptr_eq(&p.a, &a))) {
            return Some(p.clone());
        }
        let events = Arc::new(in_time_order(&a.trace, a.start_ns));
        Some(Listed { a, events })
    });
    let shown = Memo::new(move |_| {
        let q = query.get();
        listed.with(|l| {
            Arc::new(
                l.as_ref()
                    .map(|l| matching(&l.a.trace, &l.events, &q))
                    .unwrap_or_default(),
            )
        })
    });
    // A new filter or trace starts at the top of the list.
    Effect::new(move |_| {
        shown.track();
        scroll_top.set(0.0);
        if let Some(el) = scroll_ref.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    Effect::new(move |_| {
        if let Some(el) = scroll_ref.get() {
            viewport_h.set(f64::from(el.client_height()));
        }
    });
    let total = move || listed.with(|l| l.as_ref().map_or(0, |l| l.events.len()));
    view! {
        <section class="events-panel" data-testid="events-panel" aria-label="Events">
            <div class="events-head">
                <b>"Events"</b>
                <span class="muted" data-testid="events-count">
                    {move || count_text(shown.with(|s| s.len()), total())}
                </span>
                <input
                    class="input"
                    data-testid="events-filter"
                    placeholder="Filter: name, service, span, key=value"
                    aria-label="Filter events"
                    spellcheck="false"
                    prop:value=move || typed.get()
                    on:input=move |ev| {
                        typed.set(event_target_value(&ev));
                        wait.call(move || query.set(typed.get_untracked()));
                    }
                />
                <span class="spacer"></span>
                <button class="btn small" on:click=move |_| state.show_events.set(false)>"Close"</button>
            </div>
            <div
                class="events-scroll"
                node_ref=scroll_ref
                data-testid="events-scroll"
                on:scroll=move |ev| {
                    if let Some(el) = event_target::<web_sys::HtmlElement>(&ev).into() {
                        scroll_top.set(f64::from(el.scroll_top()));
                        viewport_h.set(f64::from(el.client_height()));
                    }
                }
            >
                <table class="events-table" data-testid="events-table" aria-rowcount=move || shown.with(|s| s.len())>
                    <thead>
                        <tr>
                            <th class="num">"Time"</th>
                            <th>"Service"</th>
                            <th>"Span"</th>
                            <th>"Event"</th>
                            <th>"Attributes"</th>
                        </tr>
                    </thead>
                    <tbody>{move || rows_in_view(state, listed, shown, scroll_top.get(), viewport_h.get())}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The rows in view, between two spacers as tall as the rows above and below them.
fn rows_in_view(
    state: State,
    listed: Memo<Option<Listed>>,
    shown: Memo<Arc<Vec<u32>>>,
    scroll_top: f64,
    viewport_h: f64,
) -> Option<impl IntoView> {
    let Listed { a, events } = listed.get()?;
    let shown = shown.get();
    let r = in_view(scroll_top, viewport_h, shown.len());
    let above = r.start as f64 * ROW_PX;
    let below = (shown.len() - r.end) as f64 * ROW_PX;
    let drawn = shown[r.clone()]
        .iter()
        .enumerate()
        .filter_map(|(k, &at)| {
            let e = events.get(at as usize)?;
            Some(event_row(state, &a, e, r.start + k))
        })
        .collect_view();
    Some(view! {
        <tr class="spacer" style:height=format!("{above}px")></tr>
        {drawn}
        <tr class="spacer" style:height=format!("{below}px")></tr>
    })
}

/// One event: a click selects its span in the waterfall.
fn event_row(state: State, a: &Analyzed, e: &TraceEvent, at: usize) -> impl IntoView + use<> {
    let text = row(&a.trace, e);
    let title = attrs_title(&a.trace, e);
    let color = state.colors.with_untracked(|k| k.span(&a.trace, e.span));
    let span = e.span;
    view! {
        <tr
            class="event-row"
            data-testid="event-row"
            class:selected=move || state.selected.get() == Some(span)
            aria-rowindex=at + 1
            title="Select this span"
            on:click=move |_| {
                state.focused.set(Some(span));
                reveal(state, span);
            }
        >
            <td class="num time">{text.time}</td>
            <td class="service"><span class="dot" style:background=color></span>{text.service}</td>
            <td class="op">{text.operation}</td>
            <td class="name">{text.name}</td>
            <td class="attrs mono" title=title>{text.attrs}</td>
        </tr>
    }
}
