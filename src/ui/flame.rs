//! The flame graph: `layout::flame` decides the rectangles of a frame (what is in the window and a pixel wide, their
//! colours and labels); this draws them on one canvas and forwards the wheel, drags, clicks and hovering. It shares
//! the waterfall's time window, the selection, the focus, the search and the filters.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{use_state, State};
use crate::analysis::Analyzed;
use crate::layout::flame::{
    hover_lines, max_self_ns, paint, span_at, ColourBy, Flame, FlameRect, Paint, Placed, View,
    HEAT, LABEL_PAD, ROW_H,
};
use crate::layout::{ticks, TimeWindow};
use crate::text::format_duration;

/// Height of the time axis, px.
const AXIS_H: f64 = 20.0;
/// A press that moves less than this is a click, not a drag, px.
const DRAG: f64 = 4.0;

/// A trace with its flame structure, built once per trace; equal when it is the same trace.
#[derive(Clone)]
pub struct Built {
    a: Arc<Analyzed>,
    flame: Arc<Flame>,
}

/// The flame structure of the trace on screen ([`State::flame`]): built when first read, which [`build_soon`] makes
/// happen a moment after the trace shows, so that switching to the flame graph finds it built.
pub fn built_of(trace: Signal<Option<Arc<Analyzed>>>) -> Memo<Option<Built>> {
    Memo::new(move |_| {
        trace.get().map(|a| Built {
            flame: Arc::new(Flame::new(&a)),
            a,
        })
    })
}

/// Builds the flame structure of each trace shown, once it has been on screen for [`BUILD_AFTER`] and is still
/// there (input and the first frames of a new trace come first). It costs about a tenth of a second at a million
/// spans, once per trace, so that switching to the flame graph later costs only its frame.
pub fn build_soon(state: State) {
    Effect::new(move |_| {
        let Some(shown) = state.trace.get() else {
            // Nothing shown (the trace list, a comparison): let go of the last trace's structure now.
            state.flame.with_untracked(|_| ());
            return;
        };
        set_timeout(
            move || {
                let same = state
                    .trace
                    .try_with_untracked(|t| t.as_ref().is_some_and(|t| Arc::ptr_eq(t, &shown)));
                if same == Some(true) {
                    state.flame.with_untracked(|_| ());
                }
            },
            BUILD_AFTER,
        );
    });
}

/// How long a trace is on screen before its flame structure is built.
const BUILD_AFTER: std::time::Duration = std::time::Duration::from_millis(700);

impl PartialEq for Built {
    fn eq(&self, other: &Built) -> bool {
        Arc::ptr_eq(&self.a, &other.a)
    }
}

/// Size of the canvas's box and how far its rows are scrolled, px.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Size {
    width: f64,
    height: f64,
    scroll: f64,
}

/// Where a drag began: the pointer's x and the window then.
type Press = (f64, TimeWindow);

#[component]
pub fn FlameGraph() -> impl IntoView {
    let state = use_state();
    let scroll_ref = NodeRef::<leptos::html::Div>::new();
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let colour_by = RwSignal::new(ColourBy::Service);
    let size = RwSignal::new(Size::default());
    track_size(scroll_ref, size);
    let built = state.flame;
    let row_count = Memo::new(move |_| {
        built.with(|b| {
            b.as_ref()
                .map_or(0, |b| b.flame.row_count(&b.a, state.focus.get()))
        })
    });
    let max_self = Memo::new(move |_| {
        if colour_by.get() != ColourBy::SelfTime {
            return 0;
        }
        state
            .trace
            .with(|a| a.as_ref().map_or(0, |a| max_self_ns(a, state.focus.get())))
    });
    let (placed, drawn) = redraw(state, canvas_ref, built, size, colour_by, max_self);
    let hover = RwSignal::new(None::<(u32, f64, f64)>);
    let pointer = move |ev: &web_sys::MouseEvent| local(canvas_ref, ev);
    let under = move |(x, y): (f64, f64)| {
        let scroll = size.get_untracked().scroll;
        placed.with_value(|p| span_at(p, x, y + scroll))
    };
    let press = follow_drags(state, canvas_ref, size, placed);
    view! {
        <section class="flame" aria-label="Flame graph" data-testid="flame">
            <FlameToolbar colour_by=colour_by max_self=max_self />
            <FlameAxis size=size />
            <div class="flame-scroll" node_ref=scroll_ref data-testid="flame-scroll" tabindex="0"
                on:scroll=move |ev| {
                    if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                        size.update(|s| s.scroll = f64::from(t.scroll_top()));
                    }
                }
                on:wheel=move |ev: web_sys::WheelEvent| zoom_or_pan(state, canvas_ref, size, ev)
            >
                <div class="flame-spacer" style:height=move || format!("{}px", (row_count.get() as f64 * ROW_H).max(size.get().height))>
                    <canvas node_ref=canvas_ref class="flame-canvas" data-testid="flame-canvas"
                        data-rects=move || drawn.get().to_string()
                        on:mousedown=move |ev: web_sys::MouseEvent| {
                            if ev.button() == 0 {
                                ev.prevent_default();
                                press.set_value(Some((pointer(&ev).0, state.window.get_untracked())));
                            }
                        }
                        on:mousemove=move |ev: web_sys::MouseEvent| {
                            let at = pointer(&ev);
                            hover.set(if press.get_value().is_some() { None } else { under(at).map(|i| (i, at.0, at.1)) });
                        }
                        on:mouseleave=move |_| hover.set(None)
                    ></canvas>
                    <HoverCard hover=hover size=size />
                </div>
            </div>
        </section>
    }
}

/// Draws the frame again whenever what it shows changes (the window, the trace, the focus, the selection, the search
/// and filters, the colours, the size, the theme). Returns the rectangles last drawn and how many there are.
fn redraw(
    state: State,
    canvas_ref: NodeRef<leptos::html::Canvas>,
    built: Memo<Option<Built>>,
    size: RwSignal<Size>,
    colour_by: RwSignal<ColourBy>,
    max_self: Memo<i64>,
) -> (StoredValue<Vec<Placed>>, RwSignal<usize>) {
    let placed = StoredValue::new(Vec::<Placed>::new());
    let drawn = RwSignal::new(0usize);
    Effect::new(move |_| {
        let Some(b) = built.get() else { return };
        let s = size.get();
        let rects = frame(state, &b, s, colour_by.get(), max_self.get());
        let n = draw(state, canvas_ref, s, &rects);
        let at = rects.iter().map(|r| Placed {
            span: r.span,
            row: r.row,
            x: r.x,
            w: r.w,
        });
        placed.set_value(at.collect());
        drawn.set(n);
    });
    (placed, drawn)
}

/// A press on the canvas, followed over the whole page: a drag pans the window, a click (a press that barely moved)
/// selects the span under it. Returns where the press began, while the button is down.
fn follow_drags(
    state: State,
    canvas_ref: NodeRef<leptos::html::Canvas>,
    size: RwSignal<Size>,
    placed: StoredValue<Vec<Placed>>,
) -> StoredValue<Option<Press>> {
    let press = StoredValue::new(None::<Press>);
    let moving = window_event_listener(leptos::ev::mousemove, move |ev: web_sys::MouseEvent| {
        if let Some(Some((x0, w0))) = press.try_get_value() {
            let (x, _) = local(canvas_ref, &ev);
            let width = size.get_untracked().width.max(1.0);
            state
                .window
                .set(w0.pan((x0 - x) / width * w0.width(), state.total_ns()));
        }
    });
    let releasing = window_event_listener(leptos::ev::mouseup, move |ev: web_sys::MouseEvent| {
        let Some(Some((x0, _))) = press.try_get_value() else {
            return;
        };
        press.set_value(None);
        let (x, y) = local(canvas_ref, &ev);
        if (x - x0).abs() < DRAG {
            let scroll = size.get_untracked().scroll;
            if let Some(i) = placed.with_value(|p| span_at(p, x, y + scroll)) {
                state.selected.set(Some(i));
            }
        }
    });
    on_cleanup(move || {
        moving.remove();
        releasing.remove();
    });
    press
}

/// The rectangles of the frame the signals describe.
fn frame(state: State, b: &Built, s: Size, colour_by: ColourBy, max_self: i64) -> Vec<FlameRect> {
    let view = View {
        window: state.window.get(),
        width: s.width,
        top_row: (s.scroll / ROW_H).floor().max(0.0) as u32,
        rows: (s.height / ROW_H).ceil() as u32 + 1,
        focus: state.focus.get(),
    };
    let placed = b.flame.place(&b.a, &view);
    let hits = state.hits.get();
    let colors = state.colors.get();
    let p = Paint {
        colour_by,
        colors: &colors,
        max_self_ns: max_self,
        hits: hits.active.then_some(&hits.mask[..]),
        dim_misses: hits.filtering,
        selected: state.selected.get(),
    };
    paint(&b.a, &placed, &p)
}

/// Where the pointer is on the canvas, px from its top left.
fn local(canvas_ref: NodeRef<leptos::html::Canvas>, ev: &web_sys::MouseEvent) -> (f64, f64) {
    match canvas_ref.get_untracked() {
        Some(c) => {
            let r = c.get_bounding_client_rect();
            (
                f64::from(ev.client_x()) - r.left(),
                f64::from(ev.client_y()) - r.top(),
            )
        }
        None => (0.0, 0.0),
    }
}

/// The wheel zooms around the pointer; Shift or a horizontal gesture pans (as over the waterfall's bars).
fn zoom_or_pan(
    state: State,
    canvas_ref: NodeRef<leptos::html::Canvas>,
    size: RwSignal<Size>,
    ev: web_sys::WheelEvent,
) {
    ev.prevent_default();
    let (x, _) = local(canvas_ref, &ev);
    let width = size.get_untracked().width.max(1.0);
    let w = state.window.get_untracked();
    let delta = (ev.delta_x(), ev.delta_y());
    state
        .window
        .set(w.after_wheel(delta, ev.shift_key(), x, width, state.total_ns()));
}

/// Keeps `size` in step with the scrolling box (window resizes, the detail panel opening); the observer is
/// disconnected when the view goes.
fn track_size(scroll_ref: NodeRef<leptos::html::Div>, size: RwSignal<Size>) {
    type Observer = (
        web_sys::ResizeObserver,
        wasm_bindgen::closure::Closure<dyn FnMut()>,
    );
    let observer = StoredValue::new_local(None::<Observer>);
    let measure = move || {
        if let Some(el) = scroll_ref.try_get_untracked().flatten() {
            let el: &web_sys::Element = el.as_ref();
            let (width, height) = (f64::from(el.client_width()), f64::from(el.client_height()));
            size.try_update(|s| {
                s.width = width;
                s.height = height;
            });
        }
    };
    Effect::new(move |_| {
        if let Some(el) = scroll_ref.get() {
            measure();
            let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
            if let Ok(ro) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
                let el: &web_sys::Element = el.as_ref();
                ro.observe(el);
                observer.set_value(Some((ro, cb)));
            }
        }
    });
    on_cleanup(move || {
        if let Some(Some((ro, _cb))) = observer.try_update_value(|o| o.take()) {
            ro.disconnect();
        }
    });
}

/// Colours of the marks drawn over rectangles, per theme.
struct Marks {
    selected: &'static str,
    hit: &'static str,
    error: &'static str,
    empty: &'static str,
    /// The panel's background, between rectangles.
    gap: &'static str,
}

fn marks(dark: bool) -> Marks {
    if dark {
        Marks {
            selected: "#f5f7fa",
            hit: "#ffd43b",
            error: "#ff6b5e",
            empty: "#98a2b3",
            gap: "#161a22",
        }
    } else {
        Marks {
            selected: "#1d2330",
            hit: "#f59f00",
            error: "#d92d20",
            empty: "#5b6577",
            gap: "#ffffff",
        }
    }
}

/// Draws the rectangles; returns how many were drawn.
fn draw(
    state: State,
    canvas_ref: NodeRef<leptos::html::Canvas>,
    s: Size,
    rects: &[FlameRect],
) -> usize {
    let marks = marks(state.dark.get());
    let Some(canvas) = canvas_ref.get() else {
        return 0;
    };
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (w, h) = (
        (s.width * ratio).round() as u32,
        (s.height * ratio).round() as u32,
    );
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
        let _ = canvas.set_attribute(
            "style",
            &format!("width:{}px;height:{}px", s.width, s.height),
        );
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return 0;
    };
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, s.width, s.height);
    if rects.is_empty() {
        ctx.set_fill_style_str(marks.empty);
        ctx.set_font("13px system-ui, sans-serif");
        let _ = ctx.fill_text("Nothing in this time window", 16.0, 24.0);
        return 0;
    }
    ctx.set_font("11px system-ui, sans-serif");
    let mut fill = String::new();
    for r in rects {
        draw_rect(
            &ctx,
            r,
            f64::from(r.row) * ROW_H - s.scroll,
            &marks,
            &mut fill,
        );
    }
    ctx.set_global_alpha(1.0);
    for r in rects.iter().filter(|r| r.hit || r.selected) {
        let y = f64::from(r.row) * ROW_H - s.scroll;
        ctx.set_line_width(if r.selected { 2.0 } else { 1.5 });
        ctx.set_stroke_style_str(if r.selected {
            marks.selected
        } else {
            marks.hit
        });
        ctx.stroke_rect(r.x + 1.0, y + 1.0, (r.w - 2.0).max(1.0), ROW_H - 3.0);
    }
    rects.len()
}

/// One rectangle at `y`: its fill (the fill style is set only when it changes; `fill` is the one set), a line of the
/// background at its left and right edges so that siblings stay apart, the error mark and the label.
fn draw_rect(
    ctx: &web_sys::CanvasRenderingContext2d,
    r: &FlameRect,
    y: f64,
    marks: &Marks,
    fill: &mut String,
) {
    ctx.set_global_alpha(if r.dim { 0.25 } else { 1.0 });
    let (x, w) = if r.w > 3.0 {
        ctx.set_fill_style_str(marks.gap);
        ctx.fill_rect(r.x, y, 1.0, ROW_H - 1.0);
        ctx.fill_rect(r.x + r.w - 1.0, y, 1.0, ROW_H - 1.0);
        fill.clear();
        (r.x + 1.0, r.w - 2.0)
    } else {
        (r.x, r.w.max(1.0))
    };
    let css = r.fill.css();
    if css != *fill {
        ctx.set_fill_style_str(&css);
        *fill = css;
    }
    ctx.fill_rect(x, y, w, ROW_H - 1.0);
    if r.error {
        ctx.set_fill_style_str(marks.error);
        ctx.fill_rect(x, y + ROW_H - 4.0, w, 3.0);
        fill.clear();
    }
    if let Some(text) = &r.label {
        ctx.set_fill_style_str(&r.text.css());
        let room = r.x + r.w - r.label_x - 2.0 * LABEL_PAD;
        let _ = ctx.fill_text_with_max_width(text, r.label_x + LABEL_PAD, y + 14.0, room);
        fill.clear();
    }
}

/// "Colour by: service | self time", the heat scale's key, the window and Reset zoom.
#[component]
fn FlameToolbar(colour_by: RwSignal<ColourBy>, max_self: Memo<i64>) -> impl IntoView {
    let state = use_state();
    let choice = move |c: ColourBy, text: &'static str, id: &'static str| {
        view! {
            <button class="btn small seg" data-testid=id
                class:on=move || colour_by.get() == c
                aria-pressed=move || (colour_by.get() == c).to_string()
                on:click=move |_| colour_by.set(c)>{text}</button>
        }
    };
    let gradient = format!(
        "linear-gradient(to right, {})",
        HEAT.iter().map(|c| c.css()).collect::<Vec<_>>().join(", ")
    );
    view! {
        <div class="wf-toolbar flame-toolbar">
            <span class="muted">"Colour by:"</span>
            <span class="segmented">
                {choice(ColourBy::Service, "Service", "flame-colour-service")}
                {choice(ColourBy::SelfTime, "Self time", "flame-colour-self")}
            </span>
            {move || (colour_by.get() == ColourBy::SelfTime).then(|| view! {
                <span class="heat-key muted" data-testid="flame-heat-key">
                    "0"<span class="heat-bar" style:background=gradient.clone()></span>{format_duration(max_self.get() as f64)}" self time"
                </span>
            })}
            <span class="muted flame-hint">"Wheel: zoom · drag: pan · click: select"</span>
            <span class="spacer"></span>
            <span class="window-label muted" data-testid="flame-window-label">
                {move || {
                    let w = state.window.get();
                    format!("{} – {}", format_duration(w.start), format_duration(w.end))
                }}
            </span>
            <button class="btn small" data-testid="flame-reset-zoom"
                prop:disabled=move || state.window.get().is_full(state.total_ns())
                on:click=move |_| state.window.set(TimeWindow::full(state.total_ns() as i64))
            >"Reset zoom"</button>
        </div>
    }
}

/// The time axis over the canvas: the window's ticks.
#[component]
fn FlameAxis(size: RwSignal<Size>) -> impl IntoView {
    let state = use_state();
    let tick_list = Memo::new(move |_| ticks(&state.window.get(), size.get().width, 90.0));
    view! {
        <svg class="axis flame-axis" height=AXIS_H width=move || size.get().width aria-hidden="true">
            {move || tick_list.get().into_iter().map(|t| view! {
                <g class="tick">
                    <line x1=t.x x2=t.x y1="14" y2=AXIS_H />
                    <text x=t.x + 4.0 y="12" class="tick-label">{t.label}</text>
                </g>
            }).collect_view()}
        </svg>
    }
}

/// The hovered span's service, operation, duration and self time, beside the pointer.
#[component]
fn HoverCard(hover: RwSignal<Option<(u32, f64, f64)>>, size: RwSignal<Size>) -> impl IntoView {
    let state = use_state();
    move || {
        let (i, x, y) = hover.get()?;
        let lines = state
            .trace
            .with(|a| a.as_ref().and_then(|a| hover_lines(a, i)))?;
        let s = size.get_untracked();
        let left = if x > s.width - 280.0 {
            (x - 270.0).max(0.0)
        } else {
            x + 14.0
        };
        let [service, operation, duration, own] = lines;
        Some(view! {
            <div class="flame-card" data-testid="flame-card"
                style:left=format!("{left}px") style:top=format!("{}px", y + s.scroll + 16.0)>
                <b>{service}</b>
                <div>{operation}</div>
                <div class="muted">{duration}</div>
                <div class="muted">{own}</div>
            </div>
        })
    }
}
