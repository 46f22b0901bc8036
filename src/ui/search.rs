//! Search box, filters and the service legend.

use leptos::prelude::*;

use super::{reveal, use_state, State};

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
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if state.focus_search.get() > 0 {
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
                el.select();
            }
        }
    });
    let count = move || {
        let h = state.hits.get();
        if !h.active {
            return String::new();
        }
        if h.list.is_empty() {
            return "no matches".to_string();
        }
        if state.match_started.get() {
            format!("{} / {}", state.match_cursor.get() + 1, h.list.len())
        } else {
            format!(
                "{} match{}",
                h.list.len(),
                if h.list.len() == 1 { "" } else { "es" }
            )
        }
    };
    view! {
        <div class="searchbar">
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
            <span class="match-count muted" data-testid="match-count">{count}</span>
            <button class="btn small" title="Previous match (Shift+Enter)" on:click=move |_| step_match(state, -1)>"↑"</button>
            <button class="btn small" title="Next match (Enter)" data-testid="next-match" on:click=move |_| step_match(state, 1)>"↓"</button>
            <label class="toggle" title="Show only matching spans and their ancestors">
                <input
                    type="checkbox"
                    data-testid="matches-only"
                    prop:checked=move || state.matches_only.get()
                    on:change=move |ev| state.matches_only.set(event_target_checked(&ev))
                />
                "Matches only"
            </label>
            <label class="toggle">
                <input
                    type="checkbox"
                    data-testid="errors-only"
                    prop:checked=move || state.filters.with(|f| f.errors_only)
                    on:change=move |ev| state.filters.update(|f| f.errors_only = event_target_checked(&ev))
                />
                "Errors only"
            </label>
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
                        let ms = event_target_value(&ev).trim().parse::<f64>().unwrap_or(0.0).max(0.0);
                        state.filters.update(|f| f.min_duration_ns = (ms * 1e6) as i64);
                    }
                />
                "ms"
            </label>
            <label class="toggle" title="Show only spans on the critical path and their ancestors">
                <input
                    type="checkbox"
                    data-testid="critical-only"
                    prop:checked=move || state.critical_only.get()
                    on:change=move |ev| state.critical_only.set(event_target_checked(&ev))
                />
                "Critical path only"
            </label>
        </div>
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
        let t = &a.trace;
        let mut counts: Vec<(String, usize)> = {
            let mut c = vec![0usize; t.strings.len()];
            for s in &t.spans {
                if let Some(v) = c.get_mut(s.service as usize) {
                    *v += 1;
                }
            }
            c.iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(sym, &n)| (t.sym(sym as u32).to_string(), n))
                .collect()
        };
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let total = counts.len();
        if !all.get() && total > LEGEND_SHOWN {
            let filtered = |name: &String| {
                state
                    .filters
                    .with_untracked(|f| f.include.contains(name) || f.exclude.contains(name))
            };
            let mut k = 0;
            counts.retain(|(name, _)| {
                k += 1;
                k <= LEGEND_SHOWN || filtered(name)
            });
        }
        let hidden = total - counts.len();
        let chips = counts
            .into_iter()
            .map(|(name, n)| {
                let color = state.colors.with(|k| k.service(&a.trace, &name));
                let n1 = name.clone();
                let n2 = name.clone();
                let n3 = name.clone();
                let n4 = name.clone();
                view! {
                    <button
                        class="chip"
                        data-service=n4
                        class:included=move || state.filters.with(|f| f.include.contains(&n1))
                        class:excluded=move || state.filters.with(|f| f.exclude.contains(&n2))
                        title="Click: only this service · again: hide it · again: clear"
                        on:click=move |_| {
                            state.filters.update(|f| {
                                if f.include.contains(&n3) {
                                    f.include.retain(|s| s != &n3);
                                    f.exclude.push(n3.clone());
                                } else if f.exclude.contains(&n3) {
                                    f.exclude.retain(|s| s != &n3);
                                } else {
                                    f.include.push(n3.clone());
                                }
                            });
                        }
                    >
                        <span class="dot" style:background=color></span>
                        {name}
                        <span class="muted">{n}</span>
                    </button>
                }
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
