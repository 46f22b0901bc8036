//! Export of the current view as a standalone SVG (styled, text escaped) or a PNG; of the trace on screen as OTLP
//! JSON, and of the selected span as JSON (`formats::otlp_write`).

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use super::State;
use crate::layout::export::{Picture, DARK, LIGHT};
use crate::layout::geometry::ROW_H;

/// The rows in view, the axis and a title, as one SVG document (see `layout::export`), with its size.
pub fn view_svg(state: State) -> Option<(String, f64, f64)> {
    let a = state.trace.get_untracked()?;
    let rows = state.rows.get_untracked();
    let first = (state.scroll_top.get_untracked() / ROW_H).floor().max(0.0) as usize;
    let count = ((state.viewport_h.get_untracked() / ROW_H).ceil() as usize).max(1);
    let in_view: Vec<u32> = rows.iter().skip(first).take(count).copied().collect();
    let colors = state.colors.get_untracked();
    let label = state.bar_label.get_untracked();
    let picture = Picture {
        analyzed: &a,
        rows: &in_view,
        frame: state.frame.get_untracked(),
        colors: &colors,
        palette: if state.dark.get_untracked() {
            &DARK
        } else {
            &LIGHT
        },
        show_critical: state.show_critical.get_untracked(),
        label: &label,
    };
    Some(crate::layout::export::view_svg(&picture))
}

fn download(url: &str, filename: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(url);
        a.set_download(filename);
        a.click();
    }
}

fn text_blob_url(text: &str, mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Saves `text` as a file the browser downloads.
pub(super) fn save_text(text: &str, mime: &str, filename: &str) {
    if let Some(url) = text_blob_url(text, mime) {
        download(&url, filename);
        // Later, not now: the browser reads the blob after the click returns.
        leptos::prelude::set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&url);
            },
            std::time::Duration::from_secs(60),
        );
    }
}

pub fn export_svg(state: State) {
    if let Some((svg, _, _)) = view_svg(state) {
        save_text(&svg, "image/svg+xml", "stitch-view.svg");
    }
}

pub fn export_png(state: State) {
    let Some((svg, w, h)) = view_svg(state) else {
        return;
    };
    let Some(url) = text_blob_url(&svg, "image/svg+xml") else {
        return;
    };
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let img2 = img.clone();
    let onload = Closure::<dyn FnMut()>::new(move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(canvas) = doc
            .create_element("canvas")
            .ok()
            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        if let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        {
            let _ = ctx.draw_image_with_html_image_element(&img2, 0.0, 0.0);
            if let Ok(png) = canvas.to_data_url_with_type("image/png") {
                download(&png, "stitch-view.png");
            }
        }
    });
    img.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    img.set_src(&url);
}

/// Saves the trace on screen (clock skew adjusted if it is) as `<traceId>.otlp.json`.
pub fn export_otlp(state: State) {
    let Some(a) = state.trace.get_untracked() else {
        return;
    };
    let json = crate::formats::otlp_write::trace_json(&a.trace, &a.tree.parent);
    let name = format!(
        "{}.otlp.json",
        crate::formats::otlp_write::trace_id(&a.trace)
    );
    save_text(&json, "application/json", &name);
}

/// "Copy JSON" in the span panel: the span, with its resource and scope, as a one-span OTLP JSON document.
#[component]
pub fn CopySpanJson(span: u32) -> impl IntoView {
    let state = super::use_state();
    let copied = RwSignal::new(false);
    view! {
        <button
            class="btn small"
            data-testid="copy-span-json"
            title="Copy this span as OTLP JSON"
            on:click=move |_| {
                let (Some(w), Some(a)) = (web_sys::window(), state.trace.get_untracked()) else {
                    return;
                };
                let json = crate::formats::otlp_write::span_json(&a.trace, &a.tree.parent, span);
                let _ = w.navigator().clipboard().write_text(&json);
                copied.set(true);
            }
        >
            {move || if copied.get() { "Copied" } else { "Copy JSON" }}
        </button>
    }
}

#[component]
pub fn ExportButtons() -> impl IntoView {
    let state = super::use_state();
    view! {
        <button class="btn small" data-testid="export-svg" title="Save the current view as SVG" on:click=move |_| export_svg(state)>
            "SVG"
        </button>
        <button class="btn small" data-testid="export-png" title="Save the current view as PNG" on:click=move |_| export_png(state)>
            "PNG"
        </button>
        <button class="btn small" data-testid="export-otlp" title="Save the trace as OTLP JSON" on:click=move |_| export_otlp(state)>
            "OTLP JSON"
        </button>
    }
}
