//! Overview of the whole trace: a canvas rendered once per trace and width, and a draggable, resizable brush.

use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};

use super::use_state;
use crate::layout::{minimap_density, TimeWindow};

const H: usize = 44;

#[derive(Clone, Copy, PartialEq)]
enum Drag {
    Move { grab: f64 },
    Left,
    Right,
}

#[component]
pub fn Minimap() -> impl IntoView {
    let state = use_state();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let wrap = NodeRef::<leptos::html::Div>::new();
    let drag: RwSignal<Option<Drag>> = RwSignal::new(None);
    let width = Memo::new(move |_| {
        (state.width.get() - state.name_w.get() - 12.0)
            .max(80.0)
            .round()
    });

    // Render the density once per trace and width.
    Effect::new(move |_| {
        let (Some(a), Some(c)) = (state.trace.get(), canvas.get()) else {
            return;
        };
        let w = width.get() as usize;
        let c: web_sys::HtmlCanvasElement = c.clone();
        c.set_width(w as u32);
        c.set_height(H as u32);
        let t = &a.trace;
        let dens = minimap_density(
            &a.tree,
            &t.spans,
            a.start_ns,
            a.duration_ns().max(1) as f64,
            w,
            H,
        );
        let max = dens.iter().copied().max().unwrap_or(1).max(1) as f64;
        let dark = state.dark.get_untracked();
        let (r, g, b) = if dark {
            (110u8, 160u8, 255u8)
        } else {
            (47u8, 111u8, 228u8)
        };
        let mut px = vec![0u8; w * H * 4];
        for (k, &d) in dens.iter().enumerate() {
            if d > 0 {
                let alpha = 70.0 + 185.0 * ((d as f64).ln_1p() / max.ln_1p());
                px[k * 4] = r;
                px[k * 4 + 1] = g;
                px[k * 4 + 2] = b;
                px[k * 4 + 3] = alpha as u8;
            }
        }
        let ctx = c
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|o| o.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        if let (Some(ctx), Ok(img)) = (
            ctx,
            web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(&px), w as u32, H as u32),
        ) {
            let _ = ctx.put_image_data(&img, 0.0, 0.0);
        }
    });

    let local_x = move |client_x: i32| -> f64 {
        wrap.get_untracked()
            .map(|el| {
                let el: &web_sys::Element = el.as_ref();
                client_x as f64 - el.get_bounding_client_rect().left()
            })
            .unwrap_or(0.0)
    };
    let to_t = move |x: f64| x / width.get_untracked() * state.total_ns();
    let _ = window_event_listener(leptos::ev::mousemove, move |ev: web_sys::MouseEvent| {
        let Some(d) = drag.get_untracked() else {
            return;
        };
        let total = state.total_ns();
        let w = state.window.get_untracked();
        let t = to_t(local_x(ev.client_x()));
        let next = match d {
            Drag::Move { grab } => TimeWindow {
                start: t - grab,
                end: t - grab + w.width(),
            }
            .clamped(total),
            Drag::Left => TimeWindow::between(t.min(w.end - 100.0), w.end, total),
            Drag::Right => TimeWindow::between(w.start, t.max(w.start + 100.0), total),
        };
        state.window.set(next);
    });
    let _ = window_event_listener(leptos::ev::mouseup, move |_| drag.set(None));

    let brush_left = move || state.window.get().start / state.total_ns() * width.get();
    let brush_w = move || (state.window.get().width() / state.total_ns() * width.get()).max(4.0);
    view! {
        <div class="minimap-row">
            <div class="minimap-label muted" style:width=move || format!("{}px", state.name_w.get())>"Overview"</div>
            <div
                class="minimap"
                node_ref=wrap
                data-testid="minimap"
                style:width=move || format!("{}px", width.get())
                on:mousedown=move |ev: web_sys::MouseEvent| {
                    // Clicking outside the brush centres the view there, then drags it.
                    ev.prevent_default();
                    let total = state.total_ns();
                    let w = state.window.get_untracked();
                    let t = to_t(local_x(ev.client_x()));
                    state.window.set(TimeWindow { start: t - w.width() / 2.0, end: t + w.width() / 2.0 }.clamped(total));
                    drag.set(Some(Drag::Move { grab: w.width() / 2.0 }));
                }
            >
                <canvas node_ref=canvas height=H.to_string()></canvas>
                <div
                    class="brush"
                    data-testid="brush"
                    style:left=move || format!("{}px", brush_left())
                    style:width=move || format!("{}px", brush_w())
                    on:mousedown=move |ev: web_sys::MouseEvent| {
                        ev.prevent_default();
                        ev.stop_propagation();
                        let t = to_t(local_x(ev.client_x()));
                        drag.set(Some(Drag::Move { grab: t - state.window.get_untracked().start }));
                    }
                >
                    <div class="handle left" on:mousedown=move |ev: web_sys::MouseEvent| {
                        ev.prevent_default();
                        ev.stop_propagation();
                        drag.set(Some(Drag::Left));
                    }></div>
                    <div class="handle right" on:mousedown=move |ev: web_sys::MouseEvent| {
                        ev.prevent_default();
                        ev.stop_propagation();
                        drag.set(Some(Drag::Right));
                    }></div>
                </div>
            </div>
        </div>
    }
}
