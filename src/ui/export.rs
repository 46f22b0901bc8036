//! Export of the current view as a standalone SVG (styled, text escaped) or a PNG.

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use super::{State, ROW_H};
use crate::layout::{ticks, xml_escape};
use crate::text::format_duration;

const AXIS: f64 = 30.0;
const HEAD: f64 = 34.0;

/// The rows in view, the axis and a title, as one SVG document.
pub fn view_svg(state: State) -> Option<(String, f64, f64)> {
    let a = state.trace.get_untracked()?;
    let t = &a.trace;
    let rows = state.rows.get_untracked();
    let name_w = state.name_w.get_untracked();
    let width = state.width.get_untracked().max(400.0);
    let tl = (width - name_w - 12.0).max(80.0);
    let w = state.window.get_untracked();
    let first = (state.scroll_top.get_untracked() / ROW_H).floor().max(0.0) as usize;
    let count = ((state.viewport_h.get_untracked() / ROW_H).ceil() as usize).max(1);
    let shown: Vec<u32> = rows.iter().skip(first).take(count).copied().collect();
    let height = HEAD + AXIS + shown.len() as f64 * ROW_H + 8.0;
    let dark = state.dark.get_untracked();
    let (bg, fg, muted, grid, crit) = if dark {
        ("#161a22", "#e4e7ec", "#98a2b3", "#2a303c", "#f5f7fa")
    } else {
        ("#ffffff", "#1d2330", "#667085", "#e2e6ec", "#1d2330")
    };
    let mut s = String::new();
    s.push_str(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, 'Liberation Sans', sans-serif" font-size="12">"#
    ));
    s.push_str(&format!(
        r#"<rect width="100%" height="100%" fill="{bg}"/>"#
    ));
    let title = a
        .root
        .map(|r| {
            format!(
                "{}: {} — {}",
                t.service(r),
                t.operation(r),
                format_duration(a.duration_ns() as f64)
            )
        })
        .unwrap_or_default();
    s.push_str(&format!(
        r#"<text x="12" y="22" font-size="15" font-weight="600" fill="{fg}">{}</text>"#,
        xml_escape(&title)
    ));
    for tk in ticks(&w, tl, 90.0) {
        let x = name_w + tk.x;
        s.push_str(&format!(
            r#"<line x1="{x}" x2="{x}" y1="{HEAD}" y2="{height}" stroke="{grid}"/><text x="{}" y="{}" fill="{muted}" font-size="11">{}</text>"#,
            x + 4.0,
            HEAD + 18.0,
            xml_escape(&tk.label)
        ));
    }
    let t0 = a.start_ns;
    for (k, &i) in shown.iter().enumerate() {
        let Some(sp) = t.spans.get(i as usize) else {
            continue;
        };
        let y = HEAD + AXIS + k as f64 * ROW_H;
        let depth = a.tree.depth.get(i as usize).copied().unwrap_or(0).min(40) as f64;
        let color = state.colors.with_untracked(|k| k.span(t, i));
        let x0 = w.x((sp.start_ns - t0) as f64, tl).clamp(-2.0, tl + 2.0);
        let x1 = w.x((sp.end_ns() - t0) as f64, tl).clamp(-2.0, tl + 2.0);
        s.push_str(&format!(
            r#"<g transform="translate(0,{y})"><text x="{}" y="17.5" fill="{fg}"><tspan fill="{color}" font-weight="600">{}</tspan> {}</text>"#,
            8.0 + depth * 14.0 + 16.0,
            xml_escape(t.service(i)),
            xml_escape(t.operation(i)),
        ));
        s.push_str(&format!(
            r#"<rect x="{}" y="6" width="{}" height="12" rx="2" fill="{color}" fill-opacity="0.85"{}/>"#,
            name_w + x0,
            (x1 - x0).max(1.5),
            if sp.is_error() { r##" stroke="#d92d20" stroke-width="2""## } else { "" }
        ));
        for c in a.sections_of(i) {
            let cx0 = w.x((c.start_ns - t0) as f64, tl).clamp(-2.0, tl + 2.0);
            let cx1 = w.x((c.end_ns - t0) as f64, tl).clamp(-2.0, tl + 2.0);
            s.push_str(&format!(
                r#"<rect x="{}" y="19" width="{}" height="3" fill="{crit}"/>"#,
                name_w + cx0,
                (cx1 - cx0).max(1.0)
            ));
        }
        s.push_str(&format!(
            r#"<text x="{}" y="16.5" fill="{muted}" font-size="11">{}</text></g>"#,
            name_w + x1 + 5.0,
            xml_escape(&format_duration(sp.duration_ns as f64))
        ));
    }
    s.push_str("</svg>");
    Some((s, width, height))
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
    }
}
