//! Top bar, and the trace header with the one-line summary.

use leptos::prelude::*;

use super::load::OpenButton;
use super::use_state;
use crate::text::{format_duration, format_epoch};

#[component]
pub fn TopBar() -> impl IntoView {
    let state = use_state();
    let on_demo = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if let Ok(i) = v.parse::<usize>() {
            state.open_demo(i);
        }
    };
    view! {
        <header class="topbar">
            <div class="brand">
                <svg class="logo" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                    <rect x="2" y="4" width="14" height="4" rx="1.5" fill="#3b82f6" />
                    <rect x="6" y="10" width="10" height="4" rx="1.5" fill="#12b886" />
                    <rect x="9" y="16" width="13" height="4" rx="1.5" fill="#e8590c" />
                </svg>
                <span class="brand-name">"Stitch"</span>
            </div>
            <OpenButton />
            <label class="demo-pick">
                <span class="muted">"Demo"</span>
                <select
                    class="select"
                    data-testid="demo-select"
                    on:change=on_demo
                    prop:value=move || state.demo.get().map_or_else(|| "none".to_string(), |i| i.to_string())
                >
                    {crate::demo::DEMOS
                        .iter()
                        .enumerate()
                        .map(|(i, d)| view! {
                            <option value=i.to_string() selected=move || state.demo.get() == Some(i)>{d.title}</option>
                        })
                        .collect_view()}
                    // Shown while a file, not a demo, is on screen. (Each option says whether it is selected: the
                    // select's value is set before its options exist.)
                    <option value="none" disabled=true hidden=true selected=move || state.demo.get().is_none()>"—"</option>
                </select>
            </label>
            <span class="spacer"></span>
            <span class="hint muted">"Drop or paste a trace anywhere"</span>
            <label class="toggle" title="Highlight the critical path">
                <input
                    type="checkbox"
                    prop:checked=move || state.show_critical.get()
                    on:change=move |ev| state.show_critical.set(event_target_checked(&ev))
                />
                "Critical path"
            </label>
            <button
                class="btn"
                data-testid="copy-link"
                title="Copy a link to this view (selected span and zoom)"
                on:click=move |_| {
                    let link = super::embed::current_link(state);
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&link);
                    }
                    state.link_copied.set(true);
                }
            >
                {move || if state.link_copied.get() { "Link copied" } else { "Copy link" }}
            </button>
            <button
                class="btn"
                data-testid="theme-toggle"
                title="Switch light / dark"
                on:click=move |_| {
                    state.dark.update(|d| *d = !*d);
                    super::theme::remember_theme(state.dark.get_untracked());
                }
            >
                {move || if state.dark.get() { "☀ Light" } else { "☾ Dark" }}
            </button>
        </header>
    }
}

#[component]
pub fn TraceHeader() -> impl IntoView {
    let state = use_state();
    move || {
        let a = state.trace.get()?;
        let s = state.session.get()?;
        let t = &a.trace;
        let (svc, op) = a
            .root
            .map(|r| (t.service(r).to_string(), t.operation(r).to_string()))
            .unwrap_or_default();
        let color = a
            .root
            .map(|r| state.colors.with(|k| k.span(t, r)))
            .unwrap_or("inherit");
        let warnings = t.warning_total();
        let warning_list = t
            .warnings
            .iter()
            .take(50)
            .map(|w| view! { <li><b>{w.kind.label()}</b>": "{w.message.clone()}</li> })
            .collect_view();
        let incomplete = a.tree.incomplete;
        let skew_view = skew_toggle(&s);
        Some(view! {
            <section class="trace-header">
                <AllTraces />
                <div class="title-row">
                    <h1 class="trace-title" data-testid="trace-title">
                        <span class="svc svc-mark" style:border-color=color>{svc}</span>
                        ": "
                        <span>{op}</span>
                    </h1>
                    <span class="format-badge">{s.format.label()}</span>
                    {incomplete.then(|| view! { <span class="badge warn">"incomplete"</span> })}
                    <span class="spacer"></span>
                    <TraceLinks />{skew_view}
                </div>
                <dl class="facts">
                    <div><dt>"Trace ID"</dt><dd class="mono" data-testid="trace-id">{t.trace_id.clone()}</dd></div>
                    <div><dt>"Start"</dt><dd>{format_epoch(a.start_ns)}</dd></div>
                    <div><dt>"Duration"</dt><dd data-testid="duration">{format_duration(a.duration_ns() as f64)}</dd></div>
                    <div><dt>"Spans"</dt><dd data-testid="span-count">{super::group_digits(t.spans.len() as u64)}</dd></div>
                    <div><dt>"Services"</dt><dd data-testid="service-count">{t.service_count()}</dd></div>
                    <div><dt>"Depth"</dt><dd data-testid="depth">{a.tree.max_depth + 1}</dd></div>
                    <div><dt>"Errors"</dt><dd data-testid="error-count">{t.error_count()}</dd></div>
                    <super::exceptions::ExceptionCount a=a.clone() />
                </dl>
                {(warnings > 0).then(|| view! {
                    <details class="warnings" data-testid="warnings">
                        <summary>{format!("⚠ {warnings} warning{}", if warnings == 1 { "" } else { "s" })}</summary>
                        <ul>{warning_list}</ul>
                    </details>
                })}
            </section>
        })
    }
}

/// For a trace of a file of several: back to the trace browser.
#[component]
fn AllTraces() -> impl IntoView {
    let state = use_state();
    let count = move || {
        state
            .session
            .with(|s| s.as_ref().filter(|s| s.is_set()).map(|s| s.traces.len()))
    };
    move || {
        count().map(|n| {
            view! {
                <a class="all-traces" href="#" data-testid="all-traces"
                    on:click=move |ev| { ev.prevent_default(); state.show_list(); }>
                    {format!("← All traces ({})", super::group_digits(n as u64))}
                </a>
            }
        })
    }
}

/// "Adjust clock skew", when the trace on screen has skewed spans.
fn skew_toggle(s: &std::sync::Arc<super::Session>) -> Option<impl IntoView + use<>> {
    let state = use_state();
    let i = state.current.get_untracked();
    let skewed = s
        .traces
        .get(i)
        .and_then(|m| m.opened())
        .is_some_and(|o| !o.skews.is_empty());
    let s2 = s.clone();
    let moved_text = move || {
        let moved = s2.adjusted(i).map(|(_, n)| n).unwrap_or(0);
        format!(" ({moved} span{} moved)", if moved == 1 { "" } else { "s" })
    };
    skewed.then(|| {
        view! {
            <label class="toggle skew" data-testid="skew-toggle">
                <input
                    type="checkbox"
                    prop:checked=move || state.skew_on.get()
                    on:change=move |ev| {
                        state.skew_on.set(event_target_checked(&ev));
                        // The adjusted trace has another length: fit the view to it.
                        state.window.set(crate::layout::TimeWindow::full(state.total_ns() as i64));
                    }
                />
                "Adjust clock skew"
                {move || state.skew_on.get().then(moved_text.clone())}
            </label>
        }
    })
}

/// The trace's links to the team's own tools (`trace` templates), if any apply.
#[component]
fn TraceLinks() -> impl IntoView {
    let state = use_state();
    move || {
        let a = state.trace.get()?;
        let t = &a.trace;
        let links = state
            .links
            .with(|l| crate::layout::tool_links::trace_links(l, t, a.root, a.start_ns, a.end_ns));
        (!links.is_empty()).then(|| {
            view! {
                <nav class="tool-links" aria-label="Links to your tools" data-testid="trace-links">
                    {links.into_iter().map(|l| view! { <ToolLink link=l /> }).collect_view()}
                </nav>
            }
        })
    }
}

/// A link to the team's own tools (see `crate::layout::tool_links`): its address is an `http:` or `https:` URL whose
/// every value is encoded; it opens in a new tab that learns nothing of this page.
#[component]
pub fn ToolLink(link: crate::layout::tool_links::ToolLink) -> impl IntoView {
    view! {
        <a class="tool-link" href=link.url.clone() title=link.url target="_blank" rel="noopener noreferrer">
            {link.text}<span aria-hidden="true">" ↗"</span>
        </a>
    }
}
