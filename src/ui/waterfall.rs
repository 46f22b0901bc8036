//! The waterfall: time axis, and the rows in view (only those) as SVG.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::rows::RowsSvg;
use super::{use_state, State};
use crate::layout::folding::Folding;
use crate::layout::geometry::ROW_H;
use crate::layout::{row_window, ticks, TimeWindow};
use crate::text::format_duration;

/// Rows drawn above and below the viewport (none while the view jumps, see `jumping` in `Waterfall`, nor for a new
/// trace's first paint, see `State::fresh`).
const OVERSCAN: usize = 10;
/// Rows per step of the rows SVG's base (see `first` in `Waterfall`).
pub const BASE_BLOCK: usize = 4096;
const AXIS_H: f64 = 30.0;

#[component]
pub fn Waterfall() -> impl IntoView {
    let state = use_state();
    let scroll_ref = NodeRef::<leptos::html::Div>::new();

    track_size(state, scroll_ref);
    let el_top = follow_scroll_requests(state, scroll_ref);
    let tick_list = Memo::new(move |_| {
        state
            .frame
            .with(|f| ticks(&f.window, f.timeline_width(), 90.0))
    });
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

    let on_wheel = move |ev: web_sys::WheelEvent| zoom_or_pan(state, scroll_ref, ev);

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

/// Keeps the measured size in sync with the element: re-measured whenever it changes size (window resize, detail
/// panel opening or resized).
fn track_size(state: State, scroll_ref: NodeRef<leptos::html::Div>) {
    let measure = move || {
        if let Some(el) = scroll_ref.get_untracked() {
            let el: &web_sys::Element = el.as_ref();
            state.width.set(el.client_width() as f64);
            state.viewport_h.set(el.client_height() as f64);
        }
    };
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
}

/// Scrolls the element where `state.scroll_request` asks. Returns the element's scroll position as last set or
/// reported: setting it forces a layout of the page, so a request for where it already is (a new trace asks for the
/// top) is not passed on.
fn follow_scroll_requests(
    state: State,
    scroll_ref: NodeRef<leptos::html::Div>,
) -> StoredValue<f64> {
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
    el_top
}

/// The wheel: over the timeline it zooms around the cursor; Shift or a horizontal gesture pans.
fn zoom_or_pan(state: State, scroll_ref: NodeRef<leptos::html::Div>, ev: web_sys::WheelEvent) {
    let Some(el) = scroll_ref.get_untracked() else {
        return;
    };
    let el: &web_sys::Element = el.as_ref();
    let x =
        ev.client_x() as f64 - el.get_bounding_client_rect().left() - state.name_w.get_untracked();
    if x < 0.0 {
        return; // over the names: scroll as usual
    }
    ev.prevent_default();
    let tl = state.frame.with_untracked(|f| f.timeline_width());
    let w = state.window.get_untracked();
    let delta = (ev.delta_x(), ev.delta_y());
    state
        .window
        .set(w.after_wheel(delta, ev.shift_key(), x, tl, state.total_ns()));
}

#[component]
fn Toolbar() -> impl IntoView {
    let state = use_state();
    let zoomed = move || !state.window.get().is_full(state.total_ns());
    view! {
        <div class="wf-toolbar">
            <button class="btn small" data-testid="expand-all" title="Expand all ([)" on:click=move |_| state.fold(Folding::expand_all)>
                "Expand all"
            </button>
            <button class="btn small" data-testid="collapse-all" title="Collapse all (])" on:click=move |_| state.fold(Folding::collapse_all)>
                "Collapse all"
            </button>
            <span class="muted row-count" data-testid="row-count">
                {move || state.rows.with(|r| r.count.clone())}
            </span>
            <button class="btn small" data-testid="stats-toggle" on:click=move |_| state.show_stats.update(|v| *v = !*v)>
                "Statistics"
            </button>
            <super::events::EventsButton />
            <button class="btn small" title="Keyboard shortcuts (?)" on:click=move |_| state.help.update(|h| *h = !*h)>"?"</button>
            <super::bar_label::BarLabelPicker />
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
                let tl = state.frame.with_untracked(|f| f.timeline_width());
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
