//! Overview of the whole trace: a canvas rendered once per trace and width, and a draggable, resizable brush.

use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};

use super::use_state;
use crate::analysis::Analyzed;
use crate::layout::minimap_density;
use crate::layout::overview::{brush_place, centred_window, density_pixels, dragged_window, Drag};

const H: usize = 44;

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
        paint_density(&c, &a, width.get() as usize, state.dark.get_untracked());
    });

    // The time under the pointer, from its x in the page.
    let time_at = move |client_x: i32| -> f64 {
        let x = wrap
            .get_untracked()
            .map(|el| {
                let el: &web_sys::Element = el.as_ref();
                client_x as f64 - el.get_bounding_client_rect().left()
            })
            .unwrap_or(0.0);
        x / width.get_untracked() * state.total_ns()
    };
    let _ = window_event_listener(leptos::ev::mousemove, move |ev: web_sys::MouseEvent| {
        let Some(d) = drag.get_untracked() else {
            return;
        };
        let w = state.window.get_untracked();
        let next = dragged_window(d, time_at(ev.client_x()), w, state.total_ns());
        state.window.set(next);
    });
    let _ = window_event_listener(leptos::ev::mouseup, move |_| drag.set(None));

    let brush = move || brush_place(state.window.get(), state.total_ns(), width.get());
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
                    let w = state.window.get_untracked();
                    state.window.set(centred_window(time_at(ev.client_x()), w, state.total_ns()));
                    drag.set(Some(Drag::Move { grab: w.width() / 2.0 }));
                }
            >
                <canvas node_ref=canvas height=H.to_string()></canvas>
                <div
                    class="brush"
                    data-testid="brush"
                    style:left=move || format!("{}px", brush().0)
                    style:width=move || format!("{}px", brush().1)
                    on:mousedown=move |ev: web_sys::MouseEvent| {
                        ev.prevent_default();
                        ev.stop_propagation();
                        let t = time_at(ev.client_x());
                        drag.set(Some(Drag::Move { grab: t - state.window.get_untracked().start }));
                    }
                >
                    {brush_handle("handle left", Drag::Left, drag)}
                    {brush_handle("handle right", Drag::Right, drag)}
                </div>
            </div>
        </div>
    }
}

/// An edge of the brush, which resizes it.
fn brush_handle(class: &'static str, edge: Drag, drag: RwSignal<Option<Drag>>) -> impl IntoView {
    view! {
        <div class=class on:mousedown=move |ev: web_sys::MouseEvent| {
            ev.prevent_default();
            ev.stop_propagation();
            drag.set(Some(edge));
        }></div>
    }
}

/// Draws the density of trace `a` on `canvas`, `w` px wide and [`H`] high.
fn paint_density(canvas: &web_sys::HtmlCanvasElement, a: &Analyzed, w: usize, dark: bool) {
    canvas.set_width(w as u32);
    canvas.set_height(H as u32);
    let dens = minimap_density(
        &a.tree,
        &a.trace.spans,
        a.start_ns,
        a.duration_ns().max(1) as f64,
        w,
        H,
    );
    let px = density_pixels(&dens, w * H, dark);
    let ctx = canvas
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
}
