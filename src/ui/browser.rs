//! The trace browser: for a file of several traces, a windowed, sortable and filterable table of them. It reads the
//! per-trace summaries only (`analysis::member`); the rules are `layout::browser`'s.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::layout::browser::{
    count_text, files_text, files_title, list, names, next_order, service_shares,
    typed_duration_ns, Column, Order, SetNames, TraceFilter,
};
use crate::layout::row_window;
use crate::text::{format_duration, format_epoch, group_digits};

/// Height of a table row, px (the CSS's `.trace-row`).
const ROW_PX: f64 = 30.0;
/// Rows drawn beyond those in view, above and below.
const OVERSCAN: usize = 8;
/// Services named in the bar of time by service; the rest are "other".
const BAR_SERVICES: usize = 4;

/// The browser's view state: kept while a trace is open, so Back finds the list as it was.
#[derive(Clone, Copy)]
pub struct Browser {
    pub filter: RwSignal<TraceFilter>,
    pub order: RwSignal<Order>,
    /// The row with the keyboard cursor, as a position in `listed`.
    pub cursor: RwSignal<usize>,
    pub scroll_top: RwSignal<f64>,
    pub viewport_h: RwSignal<f64>,
    /// The traces listed: indices into the session's traces, filtered and sorted.
    pub listed: Memo<Arc<Vec<u32>>>,
    /// Traces picked to compare (at most two; a third drops the first).
    pub picked: RwSignal<Vec<u32>>,
    /// The scatter plot's duration axis is logarithmic.
    pub log_scale: RwSignal<bool>,
    /// The last "where the time went" and the list it was computed for: Back to the list shows it at once.
    pub insight: StoredValue<Option<ListedInsight>>,
}

/// The analysis of a list of traces, kept with that list (the `listed` memo's value, compared by pointer).
pub type ListedInsight = (Arc<Vec<u32>>, Arc<crate::analysis::set::SetInsight>);

impl Browser {
    pub fn new(session: RwSignal<Option<Arc<super::Session>>>) -> Browser {
        let filter = RwSignal::new(TraceFilter::default());
        let order = RwSignal::new((Column::Start, false));
        let listed = Memo::new(move |_| {
            let f = filter.get();
            let o = order.get();
            Arc::new(session.with(|s| {
                s.as_ref()
                    .map(|s| list(&s.traces, &f, o))
                    .unwrap_or_default()
            }))
        });
        Browser {
            filter,
            order,
            cursor: RwSignal::new(0),
            scroll_top: RwSignal::new(0.0),
            viewport_h: RwSignal::new(600.0),
            listed,
            picked: RwSignal::new(Vec::new()),
            log_scale: RwSignal::new(false),
            insight: StoredValue::new(None),
        }
    }

    /// Back to an unfiltered list at its top, for a new file.
    pub fn reset(&self) {
        self.filter.set(TraceFilter::default());
        self.order.set((Column::Start, false));
        self.cursor.set(0);
        self.scroll_top.set(0.0);
        self.picked.set(Vec::new());
        self.insight.set_value(None);
    }

    /// Picks trace `i` to compare, or unpicks it.
    fn toggle_pick(&self, i: u32) {
        self.picked
            .update(|p| match p.iter().position(|&x| x == i) {
                Some(k) => {
                    p.remove(k);
                }
                None => {
                    p.push(i);
                    if p.len() > 2 {
                        p.remove(0);
                    }
                }
            });
    }
}

/// Compares the two picked traces: the shorter is A (the normal one), the longer B.
fn compare_picked(state: State) {
    let picked = state.browser.picked.get_untracked();
    let (Some(&x), Some(&y)) = (picked.first(), picked.get(1)) else {
        return;
    };
    let duration = |i: u32| {
        state.session.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| s.traces.get(i as usize))
                .map_or(0, |m| m.summary.duration_ns)
        })
    };
    let (a, b) = if duration(y) < duration(x) {
        (y, x)
    } else {
        (x, y)
    };
    state.show_comparison(a as usize, b as usize);
    super::embed::push_location(state);
}

/// Moves the keyboard cursor; true if the key was the browser's.
pub fn on_key(state: State, key: &str) -> bool {
    let b = state.browser;
    let n = b.listed.with_untracked(|l| l.len());
    let page = (b.viewport_h.get_untracked() / ROW_PX).floor().max(1.0) as i64;
    let step = match key {
        "ArrowDown" | "j" => 1,
        "ArrowUp" | "k" => -1,
        "PageDown" => page,
        "PageUp" => -page,
        "Home" => i64::MIN / 2,
        "End" => i64::MAX / 2,
        "Enter" => {
            let at = b.cursor.get_untracked();
            if let Some(i) = b.listed.with_untracked(|l| l.get(at).copied()) {
                state.open_from_list(i as usize);
            }
            return true;
        }
        _ => return false,
    };
    if n > 0 {
        let at = (b.cursor.get_untracked() as i64)
            .saturating_add(step)
            .clamp(0, n as i64 - 1);
        b.cursor.set(at as usize);
        keep_in_view(b, at as usize);
    }
    true
}

/// Scrolls the table so that row `at` is in view.
fn keep_in_view(b: Browser, at: usize) {
    let y = at as f64 * ROW_PX;
    let (top, h) = (b.scroll_top.get_untracked(), b.viewport_h.get_untracked());
    let to = if y < top {
        y
    } else if y + ROW_PX > top + h {
        y + ROW_PX - h
    } else {
        return;
    };
    if let Some(el) = document().get_element_by_id("trace-table-scroll") {
        el.set_scroll_top(to as i32);
    }
    b.scroll_top.set(to);
}

#[component]
pub fn TraceBrowser() -> impl IntoView {
    let state = use_state();
    let title = move || {
        let s = state.session.get()?;
        let listed = state.browser.listed.with(|l| l.len());
        Some(format!(
            "{} in {}",
            count_text(listed, s.traces.len()),
            s.name
        ))
    };
    view! {
        <section class="trace-browser" data-testid="trace-browser">
            <div class="browser-head">
                <h1 class="browser-title" data-testid="browser-count">{title}</h1>
                <span class="muted">"↑ ↓ to move, Enter to open"</span>
                <span class="spacer"></span>
                <button
                    class="btn"
                    data-testid="compare-picked"
                    disabled=move || state.browser.picked.with(|p| p.len() < 2)
                    on:click=move |_| compare_picked(state)
                >
                    {move || match state.browser.picked.with(|p| p.len()) {
                        2 => "Compare the 2 picked".to_string(),
                        n => format!("Pick {} to compare", 2 - n),
                    }}
                </button>
            </div>
            <Filters />
            <super::scatter::ScatterPlot />
            <super::set_insight::SetInsightPanel />
            <TraceTable />
        </section>
    }
}

/// The filters above the table.
#[component]
fn Filters() -> impl IntoView {
    let state = use_state();
    let f = state.browser.filter;
    let choices = Memo::new(move |_| {
        Arc::new(
            state
                .session
                .with(|s| s.as_ref().map(|s| names(&s.traces)).unwrap_or_default()),
        )
    });
    let options = move |pick: fn(&SetNames) -> &Vec<String>| {
        choices.with(|c| {
            pick(c)
                .iter()
                .map(|n| view! { <option value=n.clone()>{n.clone()}</option> })
                .collect_view()
        })
    };
    let set_duration = move |max: bool| {
        move |ev: leptos::ev::Event| {
            let ns = typed_duration_ns(&event_target_value(&ev));
            f.update(|f| if max { f.max_ns = ns } else { f.min_ns = ns });
        }
    };
    view! {
        <div class="browser-filters" role="search">
            <label>"Service"
                <select class="select" data-testid="filter-service"
                    prop:value=move || f.with(|f| f.service.clone())
                    on:change=move |ev| f.update(|f| f.service = event_target_value(&ev))>
                    <option value="">"any"</option>
                    {move || options(|c| &c.services)}
                </select>
            </label>
            <label>"Operation"
                <select class="select" data-testid="filter-operation"
                    prop:value=move || f.with(|f| f.operation.clone())
                    on:change=move |ev| f.update(|f| f.operation = event_target_value(&ev))>
                    <option value="">"any"</option>
                    {move || options(|c| &c.operations)}
                </select>
            </label>
            <label>"Attribute"
                <input class="input" data-testid="filter-attribute" placeholder="key=value" spellcheck="false"
                    prop:value=move || f.with(|f| f.attribute.clone())
                    on:change=move |ev| f.update(|f| f.attribute = event_target_value(&ev)) />
            </label>
            <label>"Duration ≥"
                <input class="input narrow" data-testid="filter-min" placeholder="ms" on:change=set_duration(false) />
            </label>
            <label>"≤"
                <input class="input narrow" data-testid="filter-max" placeholder="ms" on:change=set_duration(true) />
            </label>
            <label class="toggle">
                <input type="checkbox" data-testid="filter-errors"
                    prop:checked=move || f.with(|f| f.errors_only)
                    on:change=move |ev| f.update(|f| f.errors_only = event_target_checked(&ev)) />
                "Errors only"
            </label>
        </div>
    }
}

/// A sortable column header.
#[component]
fn Header(column: Column, label: &'static str, #[prop(optional)] num: bool) -> impl IntoView {
    let state = use_state();
    let order = state.browser.order;
    let sorted = move || {
        order.with(|&(c, desc)| match (c == column, desc) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        })
    };
    view! {
        <th class:num=num aria-sort=sorted>
            <button class="sort" on:click=move |_| order.update(|o| *o = next_order(*o, column))>
                {label}
                {move || match sorted() { "descending" => " ▼", "ascending" => " ▲", _ => "" }}
            </button>
        </th>
    }
}

/// The table, drawing only the rows in view.
#[component]
fn TraceTable() -> impl IntoView {
    let state = use_state();
    let b = state.browser;
    let scroll_ref = NodeRef::<leptos::html::Div>::new();
    // Back from a trace: the list scrolls to where it was.
    Effect::new(move |_| {
        if let Some(el) = scroll_ref.get() {
            el.set_scroll_top(b.scroll_top.get_untracked() as i32);
            b.viewport_h.set(f64::from(el.client_height()));
        }
    });
    let window = Memo::new(move |_| {
        let n = b.listed.with(|l| l.len());
        row_window(b.scroll_top.get(), b.viewport_h.get(), ROW_PX, n, OVERSCAN)
    });
    let longest = Memo::new(move |_| {
        state.session.with(|s| {
            s.as_ref()
                .and_then(|s| s.traces.iter().map(|m| m.summary.duration_ns).max())
                .unwrap_or(1)
                .max(1)
        })
    });
    let rows = move || {
        let s = state.session.get()?;
        let r = window.get();
        let listed = b.listed.get();
        let n = listed.len();
        let above = r.start as f64 * ROW_PX;
        let below = (n - r.end) as f64 * ROW_PX;
        let drawn = listed[r.clone()]
            .iter()
            .enumerate()
            .map(|(k, &i)| trace_row(state, &s, i as usize, r.start + k, longest.get_untracked()))
            .collect_view();
        Some(view! {
            <tr class="spacer" style:height=format!("{above}px")></tr>
            {drawn}
            <tr class="spacer" style:height=format!("{below}px")></tr>
        })
    };
    view! {
        <div
            class="trace-table-scroll"
            id="trace-table-scroll"
            node_ref=scroll_ref
            on:scroll=move |ev| {
                if let Some(el) = event_target::<web_sys::HtmlElement>(&ev).into() {
                    b.scroll_top.set(f64::from(el.scroll_top()));
                    b.viewport_h.set(f64::from(el.client_height()));
                }
            }
        >
            <table class="trace-table" data-testid="trace-table" role="grid" aria-rowcount=move || b.listed.with(|l| l.len())>
                <thead>
                    <tr>
                        <Header column=Column::Start label="Start" />
                        <Header column=Column::Name label="Root" />
                        <Header column=Column::Duration label="Duration" num=true />
                        <Header column=Column::Spans label="Spans" num=true />
                        <Header column=Column::Services label="Services" num=true />
                        <Header column=Column::Errors label="Errors" num=true />
                        <th>"Time by service"</th>
                        <th class="pick" title="Pick two traces to compare">"Compare"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One row of the table: trace `i` of the session, at position `at` of the list.
fn trace_row(
    state: State,
    s: &super::Session,
    i: usize,
    at: usize,
    longest: i64,
) -> impl IntoView + use<> {
    let m = &s.traces[i];
    let sum = &m.summary;
    let cursor = move || state.browser.cursor.get() == at;
    let colors = s.colors();
    let bar = service_shares(m, BAR_SERVICES)
        .into_iter()
        .map(|p| {
            let color = if p.service == "other" { "var(--guide)" } else { colors.color(&p.service) };
            let title = format!("{}: {:.0}%", p.service, p.share * 100.0);
            view! { <span class="share" style:width=format!("{:.2}%", p.share * 100.0) style:background=color title=title></span> }
        })
        .collect_view();
    let has_errors = sum.errors > 0;
    let files = files_text(&s.files, &m.files);
    let dur_w = format!("{:.1}%", sum.duration_ns as f64 * 100.0 / longest as f64);
    view! {
        <tr
            class="trace-row"
            data-testid="trace-row"
            data-trace-id=m.trace_id().to_string()
            class:cursor=cursor
            aria-selected=move || cursor().to_string()
            aria-rowindex=at + 1
            on:click=move |_| {
                state.browser.cursor.set(at);
                state.open_from_list(i);
            }
        >
            <td class="start">{format_epoch(sum.start_ns)}</td>
            <td class="name">
                <span class="root">{m.name()}</span>
                <span class="trace-id mono">{short_id(m.trace_id())}</span>
                {files.map(|f| view! { <span class="files" data-testid="trace-files" title=files_title(&s.files, &m.files)>{f}</span> })}
            </td>
            <td class="num dur"><span class="dur-bar" style:width=dur_w></span><span class="dur-text">{format_duration(sum.duration_ns as f64)}</span></td>
            <td class="num">{group_digits(u64::from(sum.spans))}</td>
            <td class="num">{sum.service_count()}</td>
            <td class="num" class:err=has_errors>{sum.errors}</td>
            <td class="bar"><span class="shares">{bar}</span></td>
            <td class="pick" on:click=|ev| ev.stop_propagation()>
                <input
                    type="checkbox"
                    data-testid="pick"
                    aria-label="Pick to compare"
                    prop:checked=move || state.browser.picked.with(|p| p.contains(&(i as u32)))
                    on:change=move |_| state.browser.toggle_pick(i as u32)
                />
            </td>
        </tr>
    }
}

/// The first characters of a trace ID, enough to tell traces apart in a list (a 64-bit ID written as 128 bits starts
/// with zeros: they are skipped).
fn short_id(id: &str) -> String {
    let rest = id.trim_start_matches('0');
    let rest = if rest.is_empty() { id } else { rest };
    rest.chars().take(10).collect()
}
