//! The rows in view, as SVG: span rows and sibling-group rows. Where each part goes comes from
//! `layout::geometry`, which the export draws from too; this file only draws it and forwards clicks.

use std::sync::Arc;

use leptos::prelude::*;

use super::{use_state, State};
use crate::analysis::Analyzed;
use crate::layout::bar_labels::{bar_label_text, BarLabel};
use crate::layout::geometry::{
    duration_text, event_marks, group_label, kind_mark, pills, GroupTimes, SpanTimes, LABEL_GAP,
    ROW_H,
};
use crate::layout::{Tick, GROUP_ROW};

/// Rows the SVG extends past its base: a block, plus room for the tallest viewport.
pub const SVG_ROWS: usize = super::waterfall::BASE_BLOCK + 1024;

#[component]
pub fn RowsSvg(
    a: Arc<Analyzed>,
    first: Memo<usize>,
    in_view: Memo<Vec<(usize, u32)>>,
    tick_list: Memo<Vec<Tick>>,
) -> impl IntoView {
    let state = use_state();
    let arrows_of = a.clone();
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
                    let place = move || format!("translate(0,{})", (row - first.get().min(row)) as f64 * ROW_H);
                    if span & GROUP_ROW != 0 {
                        group_row_view(state, a.clone(), row, place, span & !GROUP_ROW)
                    } else {
                        span_row_view(state, a.clone(), row, place, span)
                    }
                }
            />
            <super::link_arrows::LinkArrows a=arrows_of first=first />
        </svg>
    }
}

/// A sibling group: "42 × service: operation (total …)", with each member drawn as a thin mark.
fn group_row_view(
    state: State,
    a: Arc<Analyzed>,
    row: usize,
    place: impl Fn() -> String + Send + Sync + 'static,
    g: u32,
) -> AnyView {
    let (Some(grp), Some((label, total))) = (a.groups.get(g as usize).cloned(), group_label(&a, g))
    else {
        return ().into_any();
    };
    let depth = a.tree.depth.get(grp.parent as usize).copied().unwrap_or(0) + 1;
    let color = state.colors.with_untracked(|k| k.sym(grp.service));
    let open = move || state.group_open(g);
    let name = format!("{label} ({total})");
    let has_err = grp.errors > 0;
    let Some(times) = GroupTimes::of(&a, g) else {
        return ().into_any();
    };
    let indent = state.frame.with_untracked(|f| f.indent(times.depth));
    let geometry = move || state.frame.with(|f| f.place_group(&times));
    view! {
        <g
            class="row group-row"
            data-testid="group-row"
            data-row=row.to_string()
            role="treeitem"
            aria-label=name
            aria-level=(depth + 1).to_string()
            aria-expanded=move || open().to_string()
            transform=place
            on:click=move |_| state.toggle_group(g)
        >
            <rect class="row-bg" x="0" y="0" width=move || state.width.get() height=ROW_H />
            <svg class="name-col" x="0" y="0" width=move || state.name_w.get() - 6.0 height=ROW_H>
                <g class="chevron"><text x=indent y="17.5">{move || if open() { "▾" } else { "▸" }}</text></g>
                <text class="label" x=indent + LABEL_GAP y="17.5">
                    <tspan class="svc" fill=color>{label}</tspan>
                    <tspan class="hidden-count" class:err=has_err dx="6">{total}</tspan>
                </text>
            </svg>
            <g transform=move || format!("translate({},0)", state.name_w.get())>
                {move || {
                    let g = geometry();
                    view! {
                        <rect class="group-band" x=g.band_x y="5" width=g.band_w height="14" rx="2" fill=color />
                        <path class="group-mark" d=g.marks fill=color />
                    }
                }}
            </g>
        </g>
    }
    .into_any()
}

/// The classes of a span row: error, selected, focused, a search hit, highlighted.
fn row_classes(state: State, span: u32, is_error: bool) -> String {
    let mut c = String::from(if is_error { "row error" } else { "row" });
    let at = |m: &[bool]| m.get(span as usize).copied().unwrap_or(false);
    if state.selected.get() == Some(span) {
        c.push_str(" selected");
    }
    if state.focused.get() == Some(span) {
        c.push_str(" focused");
    }
    if state.hits.with(|h| h.active && !h.filtering && at(&h.mask)) {
        c.push_str(" hit");
    }
    if state.highlight.with(|h| h.as_ref().is_some_and(|m| at(m))) {
        c.push_str(" highlight");
    }
    c
}

fn span_row_view(
    state: State,
    a: Arc<Analyzed>,
    row: usize,
    place: impl Fn() -> String + Send + Sync + 'static,
    span: u32,
) -> AnyView {
    let t = &a.trace;
    // During a switch of trace, rows of the new trace can reach the old view for a moment: draw nothing then.
    let Some(s) = t.spans.get(span as usize).copied() else {
        return ().into_any();
    };
    let depth = a.tree.depth.get(span as usize).copied().unwrap_or(0);
    let has_children = !a.tree.children_of(span).is_empty();
    let (service, op) = (t.service(span).to_string(), t.operation(span).to_string());
    let is_error = s.is_error();
    let duration = duration_text(&a, span);
    let title = format!("{service}: {op} — {duration}");
    let span_id = t.span_id(span).to_string();
    let collapsed = move || state.is_collapsed(span);
    let Some(times) = SpanTimes::of(&a, span) else {
        return ().into_any();
    };
    let first = state
        .frame
        .with_untracked(|f| f.place_span(&times, &duration, &[]));
    let (indent, guides) = (first.indent, first.guides);
    // Tree guides as one path (one node per row, whatever the depth).
    let guides_d: String = guides.iter().map(|x| format!("M{x} 0V{ROW_H}")).collect();
    let guides = (!guides_d.is_empty()).then(|| view! { <path class="guide" d=guides_d /> });
    view! {
        <g
            class=move || row_classes(state, span, is_error)
            role="treeitem"
            aria-level=(depth + 1).to_string()
            aria-expanded=move || has_children.then(|| (!collapsed()).to_string())
            aria-selected=move || (state.selected.get() == Some(span)).to_string()
            data-span-id=span_id
            data-row=row.to_string()
            transform=place
            on:click=move |_| {
                state.selected.set(Some(span));
                state.focused.set(Some(span));
            }
            // The hovered span's link arrows show too.
            on:mouseenter=move |_| state.hovered.set(Some(span))
            on:mouseleave=move |_| state.hovered.update(|h| if *h == Some(span) { *h = None })
            // The row's context action: focus on its subtree.
            on:contextmenu=move |ev: web_sys::MouseEvent| {
                ev.prevent_default();
                super::focus::focus_on(state, span);
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
                <SpanLabel a=a.clone() span=span indent=indent collapsed=Signal::derive(collapsed) />
            </svg>
            <g transform=move || format!("translate({},0)", state.name_w.get())>
                <SpanBar a=a span=span times=times duration=duration />
            </g>
        </g>
    }
    .into_any()
}

/// "⚠ service ⇥ operation +12": the span's name, with the count of rows its collapse hides.
#[component]
fn SpanLabel(a: Arc<Analyzed>, span: u32, indent: f64, collapsed: Signal<bool>) -> impl IntoView {
    let t = &a.trace;
    let state = use_state();
    let color = state.colors.with_untracked(|k| k.span(t, span));
    let is_error = t.spans.get(span as usize).is_some_and(|s| s.is_error());
    let kind = t
        .spans
        .get(span as usize)
        .map(|s| kind_mark(s.kind))
        .unwrap_or("");
    // An error row names its exception's type beside the operation.
    let exception = is_error
        .then(|| {
            crate::analysis::exceptions::exceptions_of(t, span)
                .into_iter()
                .next()
        })
        .flatten()
        .map(|e| crate::layout::detail_text::short_exception_type(&e.kind).to_string())
        .filter(|k| !k.is_empty());
    let descendants = a.tree.descendants.get(span as usize).copied().unwrap_or(0);
    let error_below = a
        .tree
        .error_below
        .get(span as usize)
        .copied()
        .unwrap_or(false);
    view! {
        <text class="label" x=indent + LABEL_GAP y="17.5">
            {is_error.then(|| view! { <tspan class="err-mark">"⚠ "</tspan> })}
            <tspan class="svc" fill=color>{t.service(span).to_string()}</tspan>
            <tspan class="kind">{if kind.is_empty() { String::from(" ") } else { format!(" {kind} ") }}</tspan>
            <tspan class="op">{t.operation(span).to_string()}</tspan>
            {exception.map(|k| view! { <tspan class="exc-type" data-testid="row-exception" dx="6">{k}</tspan> })}
            {move || state.rank_of(span).filter(|r| r.slow).map(|r| view! {
                <tspan class="slow-badge" dx="6">{format!("slow · p{}", r.percentile)}</tspan>
            })}
            {move || (collapsed.get() && descendants > 0).then(|| view! {
                <tspan class="hidden-count" class:err=error_below dx="6">
                    {format!("+{descendants}{}", if error_below { " ⚠" } else { "" })}
                </tspan>
            })}
        </text>
    }
}

/// The span's bar, its duration, pills, event ticks and critical-path sections, placed by `layout::geometry`.
#[component]
fn SpanBar(a: Arc<Analyzed>, span: u32, times: SpanTimes, duration: String) -> impl IntoView {
    let state = use_state();
    let t = &a.trace;
    let color = state.colors.with_untracked(|k| k.span(t, span));
    let is_error = t.spans.get(span as usize).is_some_and(|s| s.is_error());
    let pill_list = pills(&a, span);
    // The selected span's events are marked on its bar, each with a tooltip.
    let marked = a.clone();
    let marks = move || {
        (state.selected.get() == Some(span))
            .then(|| view! { <EventMarkers a=marked.clone() span=span /> })
    };
    let bar = move || {
        // The label beside the bar: the duration, unless another is picked.
        let label = state.bar_label.with(|l| match l {
            BarLabel::Duration => duration.clone(),
            other => bar_label_text(&a, span, other),
        });
        let g = state
            .frame
            .with(|f| f.place_span(&times, &label, &pill_list));
        let crit = state.show_critical.get().then(|| {
            g.sections
                .iter()
                .map(|&(x, w)| view! { <rect class="crit" x=x y="19" width=w height="3" /> })
                .collect_view()
        });
        let events = g
            .events
            .iter()
            .map(|&x| view! { <line class="event-tick" x1=x x2=x y1="6" y2="18" /> })
            .collect_view();
        let pill_view = g
            .pills
            .iter()
            .zip(&pill_list)
            .map(|(&(x, w), p)| {
                view! {
                    <g class="pill" class:bad=p.bad>
                        <rect x=x y="5" width=w height="15" rx="7" />
                        <text x=x + 5.0 y="16">{p.label.clone()}</text>
                    </g>
                }
            })
            .collect_view();
        let d = g.duration;
        view! {
            <rect class="bar" class:err=is_error x=g.bar_x y="6" width=g.bar_w height="12" rx="2" fill=color />
            {pill_view}
            {events}
            {crit}
            <text class="dur" data-testid="bar-label-text" class:inside=d.inside x=d.x y="16.5" text-anchor=d.anchor>{label}</text>
        }
    };
    view! { {bar} {marks} }
}

/// Span `span`'s events as markers on its bar (placed by `layout::geometry`), each titled with its name and time.
#[component]
fn EventMarkers(a: Arc<Analyzed>, span: u32) -> impl IntoView {
    let state = use_state();
    let marks = event_marks(&a, span);
    move || {
        state
            .frame
            .with(|f| f.mark_places(&marks))
            .into_iter()
            .filter_map(|(k, x)| {
                let title = marks.get(k)?.title.clone();
                Some(view! {
                    <g class="event-mark" data-testid="event-mark">
                        <title>{title}</title>
                        <path d=format!("M{x:.1} 6.5l5.5 5.5l-5.5 5.5l-5.5 -5.5z") />
                    </g>
                })
            })
            .collect_view()
    }
}
