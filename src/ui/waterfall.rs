//! The waterfall: time axis, and the rows in view (only those) as SVG.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{use_state, State, ROW_H};
use crate::analysis::Analyzed;
use crate::layout::{row_window, ticks, TimeWindow};
use crate::model::SpanKind;
use crate::text::format_duration;

/// Rows drawn above and below the viewport (none while the view jumps, see `jumping` in `Waterfall`, nor for a new
/// trace's first paint, see `State::fresh`).
const OVERSCAN: usize = 10;
/// Rows per step of the rows SVG's base (see `first` in `Waterfall`).
const BASE_BLOCK: usize = 4096;
/// Rows the SVG extends past its base: a block, plus room for the tallest viewport.
const SVG_ROWS: usize = BASE_BLOCK + 1024;
const AXIS_H: f64 = 30.0;
const INDENT: f64 = 14.0;

fn timeline_width(state: &State) -> f64 {
    (state.width.get() - state.name_w.get() - 12.0).max(80.0)
}

#[component]
pub fn Waterfall() -> impl IntoView {
    let state = use_state();
    let scroll_ref = NodeRef::<leptos::html::Div>::new();

    // Keep the measured size in sync with the element.
    let measure = move || {
        if let Some(el) = scroll_ref.get_untracked() {
            let el: &web_sys::Element = el.as_ref();
            state.width.set(el.client_width() as f64);
            state.viewport_h.set(el.client_height() as f64);
        }
    };
    // Re-measure whenever the element changes size (window resize, detail panel opening or resized).
    Effect::new(move |_| {
        if let Some(el) = scroll_ref.get() {
            measure();
            let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
            if let Ok(ro) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
                let el: &web_sys::Element = el.as_ref();
                ro.observe(el);
            }
            cb.forget(); // lives as long as the page
        }
    });
    // The element's scroll position as last set or reported: setting it forces a layout of the page, so a request
    // for where it already is (a new trace asks for the top) is not passed on.
    let el_top = StoredValue::new(0.0f64);
    Effect::new(move |_| {
        if let (Some(y), Some(el)) = (state.scroll_request.get(), scroll_ref.get_untracked()) {
            if (y - el_top.get_value()).abs() >= 1.0 {
                let el: &web_sys::Element = el.as_ref();
                el.set_scroll_top(y as i32);
                el_top.set_value(y);
            }
            state.scroll_top.set(y);
        }
    });

    let tick_list = Memo::new(move |_| ticks(&state.window.get(), timeline_width(&state), 90.0));
    // While the view jumps by more than a screenful at a time (a scrollbar drag), every row is new each frame and
    // rows past the edges are never seen: draw the viewport only, and the overscan again once it has settled.
    let jumping = RwSignal::new(false);
    let settle = super::Debounce::new(std::time::Duration::from_millis(150));
    let on_scroll = move |top: f64| {
        el_top.set_value(top);
        if (top - state.scroll_top.get_untracked()).abs() > state.viewport_h.get_untracked() {
            if !jumping.get_untracked() {
                jumping.set(true);
            }
            settle.call(move || jumping.set(false));
        }
        state.scroll_top.set(top);
    };
    let range = Memo::new(move |_| {
        let n = state.rows.with(|r| r.len());
        row_window(
            state.scroll_top.get(),
            state.viewport_h.get(),
            ROW_H,
            n,
            if jumping.get() || state.fresh.get() {
                0
            } else {
                OVERSCAN
            },
        )
    });
    // Rows are placed relative to a base that moves in steps of BASE_BLOCK rows, so that while scrolling the rows
    // already drawn keep their place in the SVG (the browser just scrolls them) and only rows entering or leaving
    // the window are created or removed.
    let first = Memo::new(move |_| range.get().start / BASE_BLOCK * BASE_BLOCK);
    let in_view = Memo::new(move |_| {
        let r = range.get();
        state.rows.with(|rows| {
            r.clone()
                .filter_map(|i| rows.get(i).map(|&s| (i, s)))
                .collect::<Vec<_>>()
        })
    });

    // Wheel: over the timeline it zooms around the cursor; Shift or a horizontal gesture pans.
    let on_wheel = move |ev: web_sys::WheelEvent| {
        let Some(el) = scroll_ref.get_untracked() else {
            return;
        };
        let el: &web_sys::Element = el.as_ref();
        let x = ev.client_x() as f64
            - el.get_bounding_client_rect().left()
            - state.name_w.get_untracked();
        if x < 0.0 {
            return; // over the names: scroll as usual
        }
        ev.prevent_default();
        let tl = (state.width.get_untracked() - state.name_w.get_untracked() - 12.0).max(80.0);
        let total = state.total_ns();
        let w = state.window.get_untracked();
        let (dx, dy) = (ev.delta_x(), ev.delta_y());
        if ev.shift_key() || dx.abs() > dy.abs() {
            let d = if dx.abs() > dy.abs() { dx } else { dy };
            state.window.set(w.pan(d / tl * w.width(), total));
        } else {
            let t = w.t_at(x, tl);
            let factor = (dy * 0.002).exp().clamp(0.2, 5.0);
            state.window.set(w.zoom_around(t, factor, total));
        }
    };

    view! {
        <section class="waterfall" aria-label="Waterfall">
            <Toolbar />
            {state.config.with_value(|c| c.show_minimap).then(|| view! { <super::minimap::Minimap /> })}
            <Axis tick_list=tick_list />
            <div
                class="rows-scroll"
                node_ref=scroll_ref
                data-testid="rows-scroll"
                // Scrollable by keyboard too (the rows are SVG, with no focusable element of their own).
                tabindex="0"
                aria-label="Spans"
                on:scroll=move |ev| {
                    if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                        on_scroll(t.scroll_top() as f64);
                    }
                }
                on:wheel=on_wheel
            >
                <div
                    class="rows-spacer"
                    style:height=move || format!("{}px", state.rows.with(|r| r.len()) as f64 * ROW_H)
                >
                    {move || {
                        let a = state.trace.get()?;
                        Some(view! { <RowsSvg a=a first=first in_view=in_view tick_list=tick_list /> })
                    }}
                </div>
            </div>
        </section>
    }
}

#[component]
fn Toolbar() -> impl IntoView {
    let state = use_state();
    let zoomed = move || !state.window.get().is_full(state.total_ns());
    view! {
        <div class="wf-toolbar">
            <button class="btn small" data-testid="expand-all" title="Expand all ([)" on:click=move |_| super::keys::expand_all(state)>
                "Expand all"
            </button>
            <button class="btn small" data-testid="collapse-all" title="Collapse all (])" on:click=move |_| super::keys::collapse_all(state)>
                "Collapse all"
            </button>
            <span class="muted row-count" data-testid="row-count">
                {move || state.rows.with(|r| r.count.clone())}
            </span>
            <button class="btn small" data-testid="stats-toggle" on:click=move |_| state.show_stats.update(|v| *v = !*v)>
                "Statistics"
            </button>
            <button class="btn small" title="Keyboard shortcuts (?)" on:click=move |_| state.help.update(|h| *h = !*h)>"?"</button>
            <span class="spacer"></span>
            <span class="window-label muted" data-testid="window-label">
                {move || {
                    let w = state.window.get();
                    format!("{} – {}", format_duration(w.start), format_duration(w.end))
                }}
            </span>
            <super::export::ExportButtons />
            <button
                class="btn small"
                data-testid="reset-zoom"
                prop:disabled=move || !zoomed()
                on:click=move |_| state.window.set(TimeWindow::full(state.total_ns() as i64))
            >"Reset zoom"</button>
        </div>
    }
}

/// The time axis. Dragging across it zooms to the range.
#[component]
fn Axis(tick_list: Memo<Vec<crate::layout::Tick>>) -> impl IntoView {
    let state = use_state();
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let drag: RwSignal<Option<(f64, f64)>> = RwSignal::new(None);
    let resizing = RwSignal::new(false);
    let local_x = move |client_x: i32| -> f64 {
        svg_ref
            .get_untracked()
            .map(|el| {
                let el: &web_sys::Element = el.as_ref();
                client_x as f64
                    - el.get_bounding_client_rect().left()
                    - state.name_w.get_untracked()
            })
            .unwrap_or(0.0)
    };
    let _ = window_event_listener(leptos::ev::mousemove, move |ev: web_sys::MouseEvent| {
        if resizing.get_untracked() {
            let x = local_x(ev.client_x()) + state.name_w.get_untracked();
            let max = (state.width.get_untracked() - 200.0).max(160.0);
            state.name_w.set(x.clamp(160.0, max));
            return;
        }
        if let Some((a, _)) = drag.get_untracked() {
            drag.set(Some((a, local_x(ev.client_x()))));
        }
    });
    let _ = window_event_listener(leptos::ev::mouseup, move |_| {
        resizing.set(false);
        if let Some((a, b)) = drag.get_untracked() {
            drag.set(None);
            if (a - b).abs() > 3.0 {
                let tl =
                    (state.width.get_untracked() - state.name_w.get_untracked() - 12.0).max(80.0);
                let w = state.window.get_untracked();
                let (ta, tb) = (w.t_at(a.clamp(0.0, tl), tl), w.t_at(b.clamp(0.0, tl), tl));
                state
                    .window
                    .set(TimeWindow::between(ta, tb, state.total_ns()));
            }
        }
    });
    view! {
        <svg
            class="axis"
            node_ref=svg_ref
            data-testid="axis"
            height=AXIS_H
            width=move || state.width.get()
            on:mousedown=move |ev: web_sys::MouseEvent| {
                let x = local_x(ev.client_x());
                if x >= 0.0 {
                    ev.prevent_default();
                    drag.set(Some((x, x)));
                }
            }
        >
            <text class="axis-title" x="12" y="19">"Service · Operation"</text>
            <rect
                class="col-resize"
                data-testid="name-resize"
                x=move || state.name_w.get() - 5.0
                y="0"
                width="8"
                height=AXIS_H
                on:mousedown=move |ev: web_sys::MouseEvent| {
                    ev.prevent_default();
                    ev.stop_propagation();
                    resizing.set(true);
                }
            />
            <g transform=move || format!("translate({},0)", state.name_w.get())>
                {move || {
                    tick_list
                        .get()
                        .into_iter()
                        .map(|t| {
                            view! {
                                <g class="tick">
                                    <line x1=t.x x2=t.x y1="18" y2=AXIS_H />
                                    <text x=t.x + 4.0 y="15" class="tick-label">{t.label}</text>
                                </g>
                            }
                        })
                        .collect_view()
                }}
                {move || {
                    drag.get().map(|(a, b)| {
                        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                        view! { <rect class="axis-select" x=lo y="0" width=hi - lo height=AXIS_H /> }
                    })
                }}
            </g>
        </svg>
    }
}

#[component]
fn RowsSvg(
    a: Arc<Analyzed>,
    first: Memo<usize>,
    in_view: Memo<Vec<(usize, u32)>>,
    tick_list: Memo<Vec<crate::layout::Tick>>,
) -> impl IntoView {
    let state = use_state();
    let a2 = a.clone();
    // Fixed while the base stays: from the base to the end of the next block (or of the trace).
    let height = move || {
        let n = state.rows.with(|r| r.len());
        n.saturating_sub(first.get()).min(SVG_ROWS) as f64 * ROW_H
    };
    view! {
        <svg
            class="rows"
            role="tree"
            aria-label="Spans"
            width=move || state.width.get()
            height=height
            style:top=move || format!("{}px", first.get() as f64 * ROW_H)
        >
            <g class="grid" transform=move || format!("translate({},0)", state.name_w.get())>
                {move || {
                    tick_list
                        .get()
                        .into_iter()
                        .map(|t| view! { <line x1=t.x x2=t.x y1="0" y2="100%" /> })
                        .collect_view()
                }}
            </g>
            <line
                class="col-sep"
                x1=move || state.name_w.get() - 3.0
                x2=move || state.name_w.get() - 3.0
                y1="0"
                y2="100%"
            />
            <For
                each=move || in_view.get()
                key=|&(row, span)| (row, span)
                children=move |(row, span)| {
                    if span & crate::layout::GROUP_ROW != 0 {
                        group_row_view(state, a2.clone(), first, row, span & !crate::layout::GROUP_ROW)
                    } else {
                        row_view(state, a2.clone(), first, row, span)
                    }
                }
            />
        </svg>
    }
}

fn kind_icon(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Server => "⇥",
        SpanKind::Client => "↦",
        SpanKind::Producer => "⇡",
        SpanKind::Consumer => "⇣",
        _ => "",
    }
}

/// Members of a sibling group drawn as marks (the rest are counted in the label).
const MAX_GROUP_MARKS: usize = 2000;

/// A sibling group: "42 × service: operation (total …)", with each member drawn as a thin mark.
fn group_row_view(
    state: State,
    a: Arc<Analyzed>,
    first: Memo<usize>,
    row: usize,
    g: u32,
) -> AnyView {
    let Some(grp) = a.groups.get(g as usize).cloned() else {
        return ().into_any();
    };
    let t = &a.trace;
    let depth = a.tree.depth.get(grp.parent as usize).copied().unwrap_or(0) + 1;
    let indent = (8.0 + depth.min(40) as f64 * INDENT).min(state.name_w.get_untracked() - 120.0);
    let color = state.colors.with_untracked(|k| k.sym(grp.service));
    let label = format!(
        "{} × {}: {}",
        grp.members.len(),
        t.sym(grp.service),
        t.sym(grp.operation)
    );
    let total = format!("total {}", format_duration(grp.total_ns as f64));
    let t0 = a.start_ns;
    let mut marks: Vec<(f64, f64)> = grp
        .members
        .iter()
        .take(MAX_GROUP_MARKS)
        .filter_map(|&m| t.spans.get(m as usize))
        .map(|s| ((s.start_ns - t0) as f64, (s.end_ns() - t0) as f64))
        .collect();
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (gs, ge) = ((grp.start_ns - t0) as f64, (grp.end_ns - t0) as f64);
    let open = move || {
        state
            .expanded_groups
            .with(|e| e.get(g as usize).copied().unwrap_or(false))
    };
    let has_err = grp.errors > 0;
    let name = format!("{label} ({total})");
    view! {
        <g
            class="row group-row"
            data-testid="group-row"
            data-row=row.to_string()
            role="treeitem"
            aria-label=name
            aria-level=(depth + 1).to_string()
            aria-expanded=move || open().to_string()
            transform=move || format!("translate(0,{})", (row - first.get().min(row)) as f64 * ROW_H)
            on:click=move |_| state.expanded_groups.update(|e| {
                if let Some(v) = e.get_mut(g as usize) {
                    *v = !*v;
                }
            })
        >
            <rect class="row-bg" x="0" y="0" width=move || state.width.get() height=ROW_H />
            <svg class="name-col" x="0" y="0" width=move || state.name_w.get() - 6.0 height=ROW_H>
                <g class="chevron"><text x=indent y="17.5">{move || if open() { "▾" } else { "▸" }}</text></g>
                <text class="label" x=indent + 16.0 y="17.5">
                    <tspan class="svc" fill=color>{label}</tspan>
                    <tspan class="hidden-count" class:err=has_err dx="6">{total}</tspan>
                </text>
            </svg>
            <g transform=move || format!("translate({},0)", state.name_w.get())>
                {move || {
                    let w = state.window.get();
                    let tl = timeline_width(&state);
                    let x0 = w.x(gs, tl).clamp(-2.0, tl + 2.0);
                    let x1 = w.x(ge, tl).clamp(-2.0, tl + 2.0);
                    let d = crate::layout::marks_path(&marks, |t| w.x(t, tl).clamp(-2.0, tl + 2.0));
                    view! {
                        <rect class="group-band" x=x0 y="5" width=(x1 - x0).max(1.5) height="14" rx="2" fill=color />
                        <path class="group-mark" d=d fill=color />
                    }
                }}
            </g>
        </g>
    }
    .into_any()
}

/// Small labels for key attributes: HTTP method and status (5xx marked), db.system, rpc.system, messaging.system.
fn row_pills(a: &Analyzed, span: u32) -> Vec<(String, bool)> {
    let t = &a.trace;
    let text = |k: &str| -> Option<String> {
        t.find_attr(span, k).map(|v| match v {
            crate::model::Value::Str(s) => t.str(*s).to_string(),
            other => t.value_text(other),
        })
    };
    let mut out = Vec::new();
    if let Some(m) = text("http.request.method").or_else(|| text("http.method")) {
        out.push((m, false));
    }
    if let Some(c) = text("http.response.status_code").or_else(|| text("http.status_code")) {
        let bad = c.parse::<i64>().is_ok_and(|n| n >= 500);
        out.push((c, bad));
    }
    for k in ["db.system", "rpc.system", "messaging.system"] {
        if let Some(v) = text(k) {
            out.push((v, false));
        }
    }
    out.truncate(4);
    out
}

fn row_view(state: State, a: Arc<Analyzed>, first: Memo<usize>, row: usize, span: u32) -> AnyView {
    let t = &a.trace;
    // During a switch of trace, rows of the new trace can reach the old view for a moment: draw nothing then.
    let Some(s) = t.spans.get(span as usize).copied() else {
        return ().into_any();
    };
    let depth = a.tree.depth[span as usize];
    let has_children = !a.tree.children_of(span).is_empty();
    let service = t.service(span).to_string();
    let op = t.operation(span).to_string();
    let color = state.colors.with_untracked(|k| k.span(t, span));
    let is_error = s.is_error();
    let trace_start = a.start_ns;
    let rel_start = (s.start_ns - trace_start) as f64;
    let rel_end = (s.end_ns() - trace_start) as f64;
    let descendants = a.tree.descendants[span as usize];
    let error_below = a.tree.error_below[span as usize];
    let span_id = t.span_id(span).to_string();
    let indent = (8.0 + depth.min(40) as f64 * INDENT).min(state.name_w.get_untracked() - 120.0);
    // Tree guides as one path (one node per row, whatever the depth).
    let guides_d: String = (0..depth.min(40))
        .map(|k| format!("M{} 0V{ROW_H}", 8.0 + k as f64 * INDENT + 5.0))
        .collect();
    let guides = (!guides_d.is_empty()).then(|| view! { <path class="guide" d=guides_d /> });
    let crit: Vec<(f64, f64)> = a
        .sections_of(span)
        .map(|c| {
            (
                (c.start_ns - trace_start) as f64,
                (c.end_ns - trace_start) as f64,
            )
        })
        .collect();
    let events: Vec<f64> = t.events[s.events.range()]
        .iter()
        .take(64)
        .map(|e| (e.time_ns - trace_start) as f64)
        .collect();
    let collapsed = move || {
        state
            .collapsed
            .with(|c| c.get(span as usize).copied().unwrap_or(false))
    };
    let kind = kind_icon(s.kind);
    let pills = row_pills(&a, span);
    let duration = format_duration(s.duration_ns as f64);
    let title = format!("{service}: {op} — {duration}");
    let geometry = move || {
        let w = state.window.get();
        let tl = timeline_width(&state);
        let x0 = w.x(rel_start, tl);
        let x1 = w.x(rel_end, tl);
        (x0, x1, tl)
    };
    view! {
        <g
            class=move || {
                // One effect for the row's state classes (rows are created by the screenful while scrolling).
                let mut c = String::from(if is_error { "row error" } else { "row" });
                if state.selected.get() == Some(span) {
                    c.push_str(" selected");
                }
                if state.focused.get() == Some(span) {
                    c.push_str(" focused");
                }
                if state.hits.with(|h| h.active && !h.filtering && h.mask.get(span as usize).copied().unwrap_or(false)) {
                    c.push_str(" hit");
                }
                if state.highlight.with(|h| h.as_ref().is_some_and(|m| m.get(span as usize).copied().unwrap_or(false))) {
                    c.push_str(" highlight");
                }
                c
            }
            role="treeitem"
            aria-level=(depth + 1).to_string()
            aria-expanded=move || has_children.then(|| (!collapsed()).to_string())
            aria-selected=move || (state.selected.get() == Some(span)).to_string()
            data-span-id=span_id
            data-row=row.to_string()
            transform=move || format!("translate(0,{})", (row - first.get().min(row)) as f64 * ROW_H)
            on:click=move |_| {
                state.selected.set(Some(span));
                state.focused.set(Some(span));
            }
        >
            <title>{title}</title>
            <rect class="row-bg" x="0" y="0" width=move || state.width.get() height=ROW_H />
            <svg class="name-col" x="0" y="0" width=move || state.name_w.get() - 6.0 height=ROW_H>
                {guides}
                {has_children.then(|| view! {
                    <g
                        class="chevron"
                        data-testid="chevron"
                        on:click=move |ev: web_sys::MouseEvent| {
                            ev.stop_propagation();
                            state.toggle_collapse(span);
                        }
                    >
                        <rect x=indent - 2.0 y="3" width="16" height="20" fill="transparent" />
                        <text x=indent y="17.5">{move || if collapsed() { "▸" } else { "▾" }}</text>
                    </g>
                })}
                <text class="label" x=indent + 16.0 y="17.5">
                    {is_error.then(|| view! { <tspan class="err-mark">"⚠ "</tspan> })}
                    <tspan class="svc" fill=color>{service.clone()}</tspan>
                    <tspan class="kind">{if kind.is_empty() { String::from(" ") } else { format!(" {kind} ") }}</tspan>
                    <tspan class="op">{op.clone()}</tspan>
                    {move || (collapsed() && descendants > 0).then(|| view! {
                        <tspan class="hidden-count" class:err=error_below dx="6">
                            {format!("+{descendants}{}", if error_below { " ⚠" } else { "" })}
                        </tspan>
                    })}
                </text>
            </svg>
            <g transform=move || format!("translate({},0)", state.name_w.get())>
                {move || {
                    let (x0, x1, tl) = geometry();
                    let bx0 = x0.clamp(-2.0, tl + 2.0);
                    let bx1 = x1.clamp(-2.0, tl + 2.0);
                    let bw = (bx1 - bx0).max(1.5);
                    let show_crit = state.show_critical.get();
                    let crit_view = show_crit.then(|| {
                        let w = state.window.get();
                        crit.iter()
                            .map(|&(c0, c1)| {
                                let cx0 = w.x(c0, tl).clamp(-2.0, tl + 2.0);
                                let cx1 = w.x(c1, tl).clamp(-2.0, tl + 2.0);
                                view! { <rect class="crit" x=cx0 y="19" width=(cx1 - cx0).max(1.0) height="3" /> }
                            })
                            .collect_view()
                    });
                    let ev_view = {
                        let w = state.window.get();
                        events
                            .iter()
                            .map(|&e| {
                                let ex = w.x(e, tl);
                                view! { <line class="event-tick" x1=ex x2=ex y1="6" y2="18" /> }
                            })
                            .collect_view()
                    };
                    // The duration goes right of the bar, else left of it, else inside its right end.
                    let (lx, anchor, inside) = if bx0 + bw + 60.0 < tl {
                        (bx0 + bw + 5.0, "start", false)
                    } else if bx0 > 60.0 {
                        (bx0 - 5.0, "end", false)
                    } else {
                        (bx0 + bw - 5.0, "end", true)
                    };
                    let pill_view = (!inside).then(|| {
                        let text_w = duration.chars().count() as f64 * 6.8;
                        let mut x = if anchor == "start" { lx + text_w + 8.0 } else { lx + 6.0 + bw + 70.0 };
                        if anchor != "start" {
                            x = bx0 + bw + 6.0;
                        }
                        pills
                            .iter()
                            .filter_map(|(label, bad)| {
                                let w = label.chars().count() as f64 * 6.2 + 10.0;
                                let px = x;
                                x += w + 4.0;
                                (px + w < tl).then(|| view! {
                                    <g class="pill" class:bad=*bad>
                                        <rect x=px y="5" width=w height="15" rx="7" />
                                        <text x=px + 5.0 y="16">{label.clone()}</text>
                                    </g>
                                })
                            })
                            .collect_view()
                    });
                    view! {
                        <rect class="bar" class:err=is_error x=bx0 y="6" width=bw height="12" rx="2" fill=color />
                        {pill_view}
                        {ev_view}
                        {crit_view}
                        <text class="dur" class:inside=inside x=lx y="16.5" text-anchor=anchor>{duration.clone()}</text>
                    }
                }}
            </g>
        </g>
    }
    .into_any()
}
