//! Search box, filters and the service legend.

use leptos::prelude::*;

use super::{reveal, use_state, State};
use crate::layout::legend::{
    cycle_service, fold_services, is_excluded, is_included, service_counts,
};
use crate::layout::search_text::{match_count_text, min_duration_ns};

/// Moves the match cursor by `step` (wrapping) and reveals that span.
pub fn step_match(state: State, step: i64) {
    let hits = state.hits.get_untracked();
    if hits.list.is_empty() {
        return;
    }
    let n = hits.list.len() as i64;
    let cur = state.match_cursor.get_untracked() as i64;
    let next = if state.match_started.get_untracked() {
        (cur + step).rem_euclid(n)
    } else if step >= 0 {
        0
    } else {
        n - 1
    };
    state.match_started.set(true);
    state.match_cursor.set(next as usize);
    reveal(state, hits.list[next as usize]);
}

#[component]
pub fn SearchBar() -> impl IntoView {
    let state = use_state();
    let count = move || {
        let h = state.hits.get();
        let at = state.match_started.get().then(|| state.match_cursor.get());
        match_count_text(h.active, h.list.len(), at)
    };
    view! {
        <div class="searchbar">
            <SearchInput />
            <span class="match-count muted" data-testid="match-count">{count}</span>
            <button class="btn small" title="Previous match (Shift+Enter)" on:click=move |_| step_match(state, -1)>"↑"</button>
            <button class="btn small" title="Next match (Enter)" data-testid="next-match" on:click=move |_| step_match(state, 1)>"↓"</button>
            <CheckToggle title="Show only matching spans and their ancestors" testid="matches-only" label="Matches only" checked=state.matches_only set=state.matches_only />
            <CheckToggle
                testid="errors-only"
                label="Errors only"
                checked=Signal::derive(move || state.filters.with(|f| f.errors_only))
                set=SignalSetter::map(move |on| state.filters.update(|f| f.errors_only = on))
            />
            <label class="toggle" title="Minimum duration in milliseconds">
                "≥"
                <input
                    class="min-dur"
                    type="number"
                    min="0"
                    step="any"
                    data-testid="min-duration"
                    placeholder="0"
                    on:input=move |ev| {
                        let ns = min_duration_ns(&event_target_value(&ev));
                        state.filters.update(|f| f.min_duration_ns = ns);
                    }
                />
                "ms"
            </label>
            <CheckToggle title="Show only spans on the critical path and their ancestors" testid="critical-only" label="Critical path only" checked=state.critical_only set=state.critical_only />
        </div>
    }
}

/// The search box: focused when `State::focus_search` is bumped; Enter steps through the matches, Escape clears it.
#[component]
fn SearchInput() -> impl IntoView {
    let state = use_state();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if state.focus_search.get() > 0 {
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
                el.select();
            }
        }
    });
    view! {
        <input
            node_ref=input
            class="search-input"
            data-testid="search"
            type="search"
            placeholder="Search spans: words, key=value, \"quoted phrase\"  ( / )"
            prop:value=move || state.query.get()
            on:input=move |ev| {
                state.query.set(event_target_value(&ev));
                state.match_started.set(false);
                state.match_cursor.set(0);
            }
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                match ev.key().as_str() {
                    "Enter" => {
                        ev.prevent_default();
                        step_match(state, if ev.shift_key() { -1 } else { 1 });
                    }
                    "Escape" => {
                        state.query.set(String::new());
                        if let Some(el) = input.get_untracked() {
                            let _ = el.blur();
                        }
                    }
                    _ => {}
                }
            }
        />
    }
}

/// A checkbox in a `toggle` label: `checked` is what it shows, `set` takes the user's change.
#[component]
fn CheckToggle(
    #[prop(optional)] title: Option<&'static str>,
    testid: &'static str,
    label: &'static str,
    #[prop(into)] checked: Signal<bool>,
    #[prop(into)] set: SignalSetter<bool>,
) -> impl IntoView {
    view! {
        <label class="toggle" title=title>
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || checked.get()
                on:change=move |ev| set.set(event_target_checked(&ev))
            />
            {label}
        </label>
    }
}

/// Service chips shown before "+N more": one line at the usual widths, whatever the number of services.
const LEGEND_SHOWN: usize = 12;

/// Services with their color and span count. Clicking cycles: show only this service → hide it → no filter. Past
/// [`LEGEND_SHOWN`] services (the busiest first), the rest fold behind "+N more"; a service with a filter on it
/// always shows.
#[component]
pub fn Legend() -> impl IntoView {
    let state = use_state();
    let all = RwSignal::new(false);
    // Each trace starts folded.
    Effect::new(move |_| {
        state.trace.track();
        all.set(false);
    });
    move || {
        let a = state.trace.get()?;
        let mut counts = service_counts(&a.trace);
        let hidden = if all.get() {
            0
        } else {
            state.filters.with_untracked(|f| {
                fold_services(&mut counts, LEGEND_SHOWN, |name| {
                    is_included(f, name) || is_excluded(f, name)
                })
            })
        };
        let chips = counts
            .into_iter()
            .map(|(name, n)| {
                let color = state.colors.with(|k| k.service(&a.trace, &name));
                service_chip(state, color, name, n)
            })
            .collect_view();
        let more = (hidden > 0).then(|| {
            view! {
                <button class="chip more" data-testid="legend-more" on:click=move |_| all.set(true)>
                    {format!("+{hidden} more")}
                </button>
            }
        });
        let folded = hidden > 0;
        Some(view! {
            <div class="legend" class:folded=folded data-testid="legend">
                <div class="legend-chips">{chips}</div>
                {more}
            </div>
        })
    }
}

/// A service's chip: its color, name and span count; a click cycles the filter on it.
fn service_chip(state: State, color: &'static str, name: String, n: usize) -> impl IntoView {
    let (included, excluded, clicked) = (name.clone(), name.clone(), name.clone());
    let data_service = name.clone();
    view! {
        <button
            class="chip"
            data-service=data_service
            class:included=move || state.filters.with(|f| is_included(f, &included))
            class:excluded=move || state.filters.with(|f| is_excluded(f, &excluded))
            title="Click: only this service · again: hide it · again: clear"
            on:click=move |_| state.filters.update(|f| cycle_service(f, &clicked))
        >
            <span class="dot" style:background=color></span>
            {name}
            <span class="muted">{n}</span>
        </button>
    }
}
