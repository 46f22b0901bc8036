//! The trace browser's scatter plot: every listed trace as a point (start across, duration up), errors in red. Points
//! are drawn on a canvas (one element, whatever the number of traces); the axes, the hovered point and the brush
//! are SVG. The geometry is `layout::scatter`'s.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use std::sync::Arc;

use super::{use_state, Session, State};
use crate::analysis::member::{Member, TraceSummary};
use crate::layout::scatter::{Plot, LEFT};
use crate::text::{format_duration, format_epoch, group_digits};

/// Height of the plot, px.
const HEIGHT: f64 = 170.0;
/// How near the pointer a point must be to be hovered, px.
const REACH: f64 = 7.0;
/// A press that moves less than this is a click, not a brush, px.
const DRAG: f64 = 4.0;

/// Where the pointer is in the plot, px from its top left.
fn local(ev: &web_sys::MouseEvent) -> (f64, f64) {
    let rect = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|e| e.get_bounding_client_rect());
    match rect {
        Some(r) => (
            f64::from(ev.client_x()) - r.left(),
            f64::from(ev.client_y()) - r.top(),
        ),
        None => (0.0, 0.0),
    }
}

fn traces_of(state: State) -> StoredValue<Option<Arc<Session>>> {
    StoredValue::new(state.session.get_untracked())
}

/// Runs `f` over the plotted traces (none without a session).
fn with_traces<R>(all: StoredValue<Option<Arc<Session>>>, f: impl FnOnce(&[Member]) -> R) -> R {
    all.with_value(|s| f(s.as_ref().map_or(&[][..], |s| &s.traces)))
}

#[component]
pub fn ScatterPlot() -> impl IntoView {
    let state = use_state();
    let b = state.browser;
    let box_ref = NodeRef::<leptos::html::Div>::new();
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let width = track_width(box_ref);
    let all = traces_of(state);
    let plot = Memo::new(move |_| {
        with_traces(all, |t| {
            Plot::new(
                t.iter().map(|m| &m.summary),
                width.get(),
                HEIGHT,
                b.log_scale.get(),
            )
        })
    });
    Effect::new(move |_| draw(state, canvas_ref, plot.get(), all));
    let hover = RwSignal::new(None::<u32>);
    let press = RwSignal::new(None::<(f64, f64)>);
    let drag = RwSignal::new(None::<((f64, f64), (f64, f64))>);
    let nearest = move |at: (f64, f64)| {
        let listed = b.listed.get_untracked();
        with_traces(all, |t| {
            let refs: Vec<&TraceSummary> = t.iter().map(|m| &m.summary).collect();
            plot.get_untracked().nearest(&refs, &listed, at, REACH)
        })
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let at = local(&ev);
        match press.get_untracked() {
            Some(p0) => drag.set(Some((p0, at))),
            None => hover.set(nearest(at)),
        }
    };
    let on_up = move |ev: web_sys::MouseEvent| {
        let at = local(&ev);
        let Some(p0) = press.get_untracked() else {
            return;
        };
        press.set(None);
        drag.set(None);
        if (at.0 - p0.0).abs() < DRAG && (at.1 - p0.1).abs() < DRAG {
            if let Some(i) = nearest(at) {
                state.open_from_list(i as usize);
            }
        } else {
            let brush = plot.get_untracked().brush(p0, at);
            b.filter.update(|f| f.brush = Some(brush));
        }
    };
    view! {
        <div class="scatter" data-testid="scatter" node_ref=box_ref>
            <ScatterTools />
            <div class="scatter-plot" style:height=format!("{HEIGHT}px")>
                <canvas node_ref=canvas_ref class="scatter-points"></canvas>
                <svg
                    class="scatter-over"
                    width=move || plot.get().width
                    height=HEIGHT
                    role="img"
                    aria-label="Traces by start time and duration"
                    on:mousedown=move |ev| { ev.prevent_default(); press.set(Some(local(&ev))); }
                    on:mousemove=on_move
                    on:mouseup=on_up
                    on:mouseleave=move |_| { hover.set(None); press.set(None); drag.set(None); }
                >
                    <Axes plot=plot />
                    {move || drag.get().map(|((x0, y0), (x1, y1))| view! {
                        <rect class="scatter-brush" x=x0.min(x1) y=y0.min(y1) width=(x1 - x0).abs() height=(y1 - y0).abs() />
                    })}
                    {move || hover.get().and_then(|i| with_traces(all, |t| t.get(i as usize).map(|m| plot.get().point(&m.summary)))).map(|(x, y)| view! {
                        <circle class="scatter-hover" cx=x cy=y r="5" />
                    })}
                </svg>
                <HoverCard hover=hover plot=plot />
            </div>
        </div>
    }
}

/// The width of the element, measured when it is mounted and when the window is resized.
fn track_width(box_ref: NodeRef<leptos::html::Div>) -> RwSignal<f64> {
    let width = RwSignal::new(800.0);
    let measure = move || {
        if let Some(el) = box_ref.try_get_untracked().flatten() {
            width.set(f64::from(el.client_width()).max(200.0));
        }
    };
    Effect::new(move |_| {
        if box_ref.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    width
}

/// The log-scale switch, and the button that clears the brushed area.
#[component]
fn ScatterTools() -> impl IntoView {
    let b = use_state().browser;
    view! {
            <div class="scatter-tools">
            <label class="toggle">
                <input type="checkbox" data-testid="scatter-log"
                    prop:checked=move || b.log_scale.get()
                    on:change=move |ev| b.log_scale.set(event_target_checked(&ev)) />
                "Log scale"
            </label>
            {move || b.filter.with(|f| f.brush.is_some()).then(|| view! {
                <button class="btn" data-testid="clear-brush"
                    on:click=move |_| b.filter.update(|f| f.brush = None)>"Clear the brushed area"</button>
            })}
            <span class="muted">"Drag to narrow the list; click a point to open its trace"</span>
        </div>
    }
}

/// The axes' lines and tick labels.
#[component]
fn Axes(plot: Memo<Plot>) -> impl IntoView {
    move || {
        let p = plot.get();
        let base = p.height - crate::layout::scatter::BOTTOM;
        let xs = p
            .start_ticks(110.0)
            .into_iter()
            .map(|t| view! { <text class="scatter-tick" x=t.at y=base + 15.0 text-anchor="middle">{t.label}</text> })
            .collect_view();
        let ys = p
            .duration_ticks(28.0)
            .into_iter()
            .map(|t| view! {
                <line class="scatter-grid" x1=LEFT x2=p.width y1=t.at y2=t.at />
                <text class="scatter-tick" x=LEFT - 6.0 y=t.at + 4.0 text-anchor="end">{t.label}</text>
            })
            .collect_view();
        view! {
            <line class="scatter-axis" x1=LEFT x2=p.width y1=base y2=base />
            <line class="scatter-axis" x1=LEFT x2=LEFT y1=0 y2=base />
            {xs}
            {ys}
        }
    }
}

/// What the hovered point is.
#[component]
fn HoverCard(hover: RwSignal<Option<u32>>, plot: Memo<Plot>) -> impl IntoView {
    let state = use_state();
    move || {
        let i = hover.get()? as usize;
        let s = state.session.get()?;
        let m = s.traces.get(i)?;
        let (x, y) = plot.with(|p| p.point(&m.summary));
        let left = if x > plot.with(|p| p.width) - 260.0 {
            x - 250.0
        } else {
            x + 12.0
        };
        let errors = m.summary.errors;
        Some(view! {
            <div class="scatter-card" data-testid="scatter-card" style:left=format!("{left}px") style:top=format!("{}px", (y - 10.0).max(0.0))>
                <b>{m.name()}</b>
                <div>{format_duration(m.summary.duration_ns as f64)}" · "{group_digits(u64::from(m.summary.spans))}" spans"
                    {(errors > 0).then(|| view! { <span class="err">{format!(" · {errors} error{}", if errors == 1 { "" } else { "s" })}</span> })}
                </div>
                <div class="muted">{format_epoch(m.summary.start_ns)}</div>
            </div>
        })
    }
}

/// Draws the listed traces' points: the others first, then those with errors (in red) on top.
fn draw(
    state: State,
    canvas_ref: NodeRef<leptos::html::Canvas>,
    plot: Plot,
    all: StoredValue<Option<Arc<Session>>>,
) {
    let listed = state.browser.listed.get();
    let dark = state.dark.get();
    let Some(canvas) = canvas_ref.get() else {
        return;
    };
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    canvas.set_width((plot.width * ratio) as u32);
    canvas.set_height((plot.height * ratio) as u32);
    let _ = canvas.set_attribute(
        "style",
        &format!("width:{}px;height:{}px", plot.width, plot.height),
    );
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = ctx.scale(ratio, ratio);
    let (normal, error) = if dark {
        ("rgba(110,160,255,0.55)", "#ff6b5e")
    } else {
        ("rgba(47,111,228,0.5)", "#d92d20")
    };
    with_traces(all, |t| {
        for (color, errors) in [(normal, false), (error, true)] {
            ctx.set_fill_style_str(color);
            for &i in listed.iter() {
                let Some(s) = t.get(i as usize).map(|m| &m.summary) else {
                    continue;
                };
                if (s.errors > 0) == errors {
                    let (x, y) = plot.point(s);
                    ctx.fill_rect(x - 2.0, y - 2.0, 4.0, 4.0);
                }
            }
        }
    });
}
