//! The span detail panel.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::analysis::tree::NONE;
use crate::analysis::Analyzed;
use crate::layout::detail_text::{in_own_trace, link_label, reference_kind, status_text};
use crate::layout::link_arrows::find_span;
use crate::layout::tool_links::{beside, span_links, Place, ToolLink};
use crate::model::{Attr, Span, Value};
use crate::text::format_duration;

/// True for text that is safe to make a link: http(s) only; `javascript:`, `data:` and the rest stay text.
pub fn is_safe_link(s: &str) -> bool {
    let t = s.trim_start();
    let lower: String = t.chars().take(8).collect::<String>().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !t.contains(char::is_whitespace)
}

/// Pretty-prints text that looks like JSON (up to [`PRETTY_MAX`] bytes); other text is returned as is.
fn pretty(s: &str) -> String {
    let t = s.trim();
    let json_like =
        (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'));
    if json_like && t.len() <= PRETTY_MAX {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
            if let Ok(p) = serde_json::to_string_pretty(&v) {
                return p;
            }
        }
    }
    s.to_string()
}

/// Characters of a value shown before "show more".
const FOLD_AT: usize = 300;
/// Characters shown after "show more": the rest of a longer value is copied or downloaded, never put in the page.
const SHOW_MAX: usize = 20_000;
/// Values longer than this are not pretty-printed (parsing them would hold up the panel).
const PRETTY_MAX: usize = 256 << 10;

/// Longer values are never links: a link shows whole, and a megabyte "URL" is a payload, not an address.
const LINK_MAX: usize = 2048;

#[component]
fn AttrValue(key: String, text: String) -> impl IntoView {
    if text.len() <= LINK_MAX && is_safe_link(&text) {
        return view! {
            <a class="val link" href=text.clone() target="_blank" rel="noopener noreferrer">{text.clone()}</a>
        }
        .into_any();
    }
    let text = pretty(&text);
    let (short, _) = crate::text::fold(&text, FOLD_AT);
    if short.len() == text.len() {
        return view! { <span class="val">{text}</span> }.into_any();
    }
    let short = format!("{short}…");
    let (long, hidden) = crate::text::fold(&text, SHOW_MAX);
    let long = long.to_string();
    let open = RwSignal::new(false);
    let whole = StoredValue::new(text);
    let file = format!(
        "{}.txt",
        key.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_")
    );
    view! {
        <span class="val">
            {move || if open.get() { long.clone() } else { short.clone() }}
            <button class="link-btn" on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { "show less" } else { "show more" }}
            </button>
            {(hidden > 0).then(|| view! {
                <span class="val-rest" data-testid="value-rest" style:display=move || if open.get() { "inline" } else { "none" }>
                    {format!("… {} more characters, not shown: ", crate::text::group_digits(hidden as u64))}
                    <CopyText text=whole />
                    <button class="link-btn" on:click=move |_| whole.with_value(|t| super::export::save_text(t, "text/plain", &file))>
                        "download"
                    </button>
                </span>
            })}
        </span>
    }
    .into_any()
}

/// The attributes, each with the tool links placed beside it (`(position, link)`, see `layout::tool_links`).
fn attr_rows(a: &Analyzed, attrs: &[Attr], tools: &[(usize, ToolLink)]) -> impl IntoView {
    let t = &a.trace;
    attrs
        .iter()
        .enumerate()
        .map(|(n, at)| {
            let links = tools.iter().filter(|(p, _)| *p == n);
            let links =
                links.map(|(_, l)| view! { " " <super::header::ToolLink link=l.clone() /> });
            let key = t.sym(at.key).to_string();
            let text = match &at.value {
                Value::Str(s) => t.str(*s).to_string(),
                v => t.value_text(v),
            };
            view! {
                <tr>
                    <th class="key">{key.clone()}</th>
                    <td><AttrValue key=key text=text />{links.collect_view()}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn CopyButton(text: String) -> impl IntoView {
    view! { <CopyText text=StoredValue::new(text) /> }
}

/// A button that copies `text` (however long) to the clipboard.
#[component]
pub fn CopyText(text: StoredValue<String>) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            class="link-btn copy"
            title="Copy"
            on:click=move |_| {
                if let Some(w) = web_sys::window() {
                    text.with_value(|t| {
                        let _ = w.navigator().clipboard().write_text(t);
                    });
                    copied.set(true);
                }
            }
        >
            {move || if copied.get() { "copied" } else { "copy" }}
        </button>
    }
}

#[component]
pub fn Detail() -> impl IntoView {
    let state = use_state();
    let width = RwSignal::new(420.0f64);
    let resizing = RwSignal::new(false);
    let _ = window_event_listener(leptos::ev::mousemove, move |ev: web_sys::MouseEvent| {
        if resizing.get_untracked() {
            if let Some(w) = web_sys::window()
                .and_then(|w| w.inner_width().ok())
                .and_then(|v| v.as_f64())
            {
                width.set((w - ev.client_x() as f64).clamp(260.0, (w - 420.0).max(260.0)));
            }
        }
    });
    let _ = window_event_listener(leptos::ev::mouseup, move |_| resizing.set(false));
    move || {
        let a = state.trace.get()?;
        let i = state.selected.get()?;
        Some(view! {
            <div class="detail-dock" style:width=move || format!("{}px", width.get())>
                <div
                    class="dock-resize"
                    data-testid="detail-resize"
                    title="Drag to resize"
                    on:mousedown=move |ev: web_sys::MouseEvent| {
                        ev.prevent_default();
                        resizing.set(true);
                    }
                ></div>
                {detail_view(state, a, i)}
            </div>
        })
    }
}

fn detail_view(state: State, a: Arc<Analyzed>, i: u32) -> Option<impl IntoView> {
    let t = &a.trace;
    let s = t.spans.get(i as usize).copied()?;
    let res = t
        .resources
        .get(s.resource as usize)
        .copied()
        .unwrap_or_default();
    let tools = state.links.with(|l| span_links(l, t, i));
    let span_attrs = attr_rows(&a, t.attr_range(s.attrs), &beside(&tools, Place::span_attr));
    let res_attrs = attr_rows(
        &a,
        t.attr_range(res.attrs),
        &beside(&tools, Place::resource_attr),
    );
    let scope_name = t.str(res.scope_name).to_string();
    let scope_version = t.str(res.scope_version).to_string();
    let scope_attrs = attr_rows(&a, t.attr_range(res.scope_attrs), &[]);
    let has_scope = !scope_name.is_empty() || !res.scope_attrs.is_empty();
    let events = event_items(&a, &s, &tools);
    let links = link_items(state, &a, &s);
    let has_links = !s.links.is_empty();
    let has_events = !s.events.is_empty();
    let service = t.service(i).to_string();
    let op = t.operation(i).to_string();
    Some(view! {
        <aside class="detail" data-testid="detail" aria-label="Span detail">
            <div class="detail-head">
                <h2>
                    <span class="svc svc-mark" style:border-color=state.colors.with(|k| k.span(t, i))>{service.clone()}</span>
                    <span class="op">{op}</span>
                </h2>
                <button class="btn small" data-testid="focus-subtree" title="Show only this span and its descendants (z)" on:click=move |_| super::focus::focus_on(state, i)>
                    "Focus"
                </button>
                <super::export::CopySpanJson span=i />
                <button class="btn small" title="Close (Esc)" on:click=move |_| state.selected.set(None)>"✕"</button>
            </div>
            {facts_table(&a, i, &s)}
            <RankLine span=i />
            {super::exceptions::exception_cards(&a, i)}
            <h3>"Attributes"</h3>
            <table class="attrs" data-testid="span-attrs">{span_attrs}</table>
            <h3>"Process / resource"</h3>
            <table class="attrs" data-testid="resource-attrs">{res_attrs}</table>
            {has_scope.then(|| view! {
                <h3>"Scope " <span class="muted">{scope_name} " " {scope_version}</span></h3>
                <table class="attrs">{scope_attrs}</table>
            })}
            {has_events.then(|| view! {
                <h3>"Events / logs"</h3>
                <ul class="events" data-testid="events">{events}</ul>
            })}
            {has_links.then(|| view! {
                <h3>"References / links"</h3>
                <ul class="links">{links}</ul>
            })}
        </aside>
    })
}

/// Where the span's duration sits among the calls of its operation in the loaded file; the ranks are built the first
/// time they are needed.
#[component]
fn RankLine(span: u32) -> impl IntoView {
    let state = use_state();
    if state.ranks.with_untracked(|r| r.is_none()) {
        if let Some(s) = state.session.get_untracked() {
            state.ranks.set(Some(s.ranks()));
        }
    }
    move || {
        let trace = state.current.get_untracked();
        let (rank, text) = state.ranks.with(|r| {
            let r = r.as_ref()?;
            Some((r.rank(trace, span)?, r.sentence(trace, span)?))
        })?;
        Some(view! {
            <p class="rank" data-testid="detail-rank">
                {rank.slow.then(|| view! { <span class="slow-badge">"slow for its operation"</span>" " })}
                {text}
            </p>
        })
    }
}

/// Span `i`'s facts: times, kind, status and IDs.
fn facts_table(a: &Analyzed, i: u32, s: &Span) -> impl IntoView {
    let t = &a.trace;
    let parent = a.tree.parent[i as usize];
    let parent_id = if parent == NONE {
        String::from("—")
    } else {
        t.span_id(parent).to_string()
    };
    let status = status_text(s.status);
    let status_msg = t.str(s.status_message).to_string();
    let span_id = t.span_id(i).to_string();
    let trace_id = t.trace_id.clone();
    let follows = s.has(crate::model::flags::FOLLOWS_FROM);
    view! {
        <table class="facts-table">
            <tr><th>"Duration"</th><td data-testid="detail-duration">{format_duration(s.duration_ns as f64)}</td></tr>
            <tr><th>"Self time"</th><td data-testid="detail-self">{format_duration(a.self_ns[i as usize] as f64)}</td></tr>
            <tr><th>"Start"</th><td>"+"{format_duration((s.start_ns - a.start_ns) as f64)}</td></tr>
            <tr><th>"Kind"</th><td>{s.kind.as_str()}</td></tr>
            <tr>
                <th>"Status"</th>
                <td class:err=s.is_error()>{status}{(!status_msg.is_empty()).then(|| format!(": {status_msg}"))}</td>
            </tr>
            <tr><th>"Span ID"</th><td class="mono">{span_id.clone()}" "<CopyButton text=span_id /></td></tr>
            <tr>
                <th>"Parent ID"</th>
                <td class="mono">{parent_id.clone()}{follows.then_some(" (follows from)")}" "{(parent != NONE).then(|| view! { <CopyButton text=parent_id /> })}</td>
            </tr>
            <tr><th>"Trace ID"</th><td class="mono">{trace_id.clone()}" "<CopyButton text=trace_id /></td></tr>
        </table>
    }
}

/// Span `s`'s events, each at its time from the span's start, with its attributes (and their tool links).
fn event_items(a: &Analyzed, s: &Span, tools: &[(Place, ToolLink)]) -> impl IntoView {
    let t = &a.trace;
    t.events[s.events.range()]
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let tools = beside(tools, |p| p.event_attr(k));
            let at = format_duration((e.time_ns - s.start_ns) as f64);
            let name = t.str(e.name).to_string();
            let rows = attr_rows(a, t.attr_range(e.attrs), &tools);
            view! {
                <li class="event">
                    <div><span class="mono muted">"+"{at}</span>" "<b>{name}</b></div>
                    <table class="attrs">{rows}</table>
                </li>
            }
        })
        .collect_view()
}

/// Span `s`'s references and links: one to a span of this trace selects it, one to a span of another trace of the
/// file opens that trace there, and one to a span not loaded says so.
fn link_items(state: State, a: &Analyzed, s: &Span) -> impl IntoView {
    let t = &a.trace;
    let session = state.session.get_untracked();
    let index = state.link_index.get_untracked();
    s.links
        .range()
        .filter_map(|k| {
            let l = t.links.get(k)?;
            let sid = t.str(l.span_id).to_string();
            let tid = t.str(l.trace_id);
            // (trace, span) it leads to: this trace's, or another of the file's.
            let target = if in_own_trace(tid, &t.trace_id) {
                index.target(k).map(|j| (None, j))
            } else {
                session.as_ref().and_then(|f| {
                    let m = f.position(tid)?;
                    Some((Some(m), find_span(f.traces.get(m)?.trace(), &sid)?))
                })
            };
            let label = link_label(&sid, tid, &t.trace_id);
            let rows = attr_rows(a, t.attr_range(l.attrs), &[]);
            let open = move |m: Option<usize>, j: u32| {
                if let Some(m) = m {
                    state.open_from_list(m);
                }
                super::reveal(state, j);
            };
            Some(view! {
                <li data-testid="link-item">
                    <span class="muted">{reference_kind(l.ref_type)}" "</span>
                    {match target {
                        Some((m, j)) => view! {
                            <button class="link-btn mono" on:click=move |_| open(m, j)>{label.clone()}</button>
                        }.into_any(),
                        None => view! {
                            <span class="mono">{label.clone()}</span>
                            <span class="muted" data-testid="link-missing">" — not in the loaded file"</span>
                        }.into_any(),
                    }}
                    <table class="attrs">{rows}</table>
                </li>
            })
        })
        .collect_view()
}
