//! Ways in: drag and drop anywhere, the file picker, and paste.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{use_state, State};
use crate::access::Owner;

/// Opens browser `File`s as one load: large ones are read and parsed in the worker; several are joined into one set.
pub fn open_files(state: State, list: Option<web_sys::FileList>) -> bool {
    let Some(list) = list else {
        return false;
    };
    let files: Vec<(String, super::engine::Input)> = (0..list.length())
        .filter_map(|k| list.get(k))
        .map(|f| (f.name(), super::engine::Input::Blob(f.into())))
        .collect();
    let any = !files.is_empty();
    super::loader::open_files(state, files, Owner::Local);
    any
}

/// Window-wide handlers for drag and drop and paste.
pub fn install_global_handlers(state: State) {
    let _ = window_event_listener(leptos::ev::dragover, move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        if !state.dragging.get_untracked() {
            super::loader::warm(state);
        }
        state.dragging.set(true);
    });
    let _ = window_event_listener(leptos::ev::dragleave, move |ev: web_sys::DragEvent| {
        // Leaving the window (not just moving between children) has no related target.
        if ev.related_target().is_none() {
            state.dragging.set(false);
        }
    });
    let _ = window_event_listener(leptos::ev::drop, move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        state.dragging.set(false);
        if !open_files(state, ev.data_transfer().and_then(|d| d.files())) {
            // Dropped text (e.g. from an editor).
            if let Some(text) = ev.data_transfer().and_then(|d| d.get_data("text").ok()) {
                if !text.trim().is_empty() {
                    super::loader::open_text(state, "dropped text", &text);
                }
            }
        }
    });
    let _ = window_event_listener(leptos::ev::paste, move |ev: web_sys::ClipboardEvent| {
        let in_input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            .is_some_and(|el| {
                let tag = el.tag_name();
                tag == "INPUT" || tag == "TEXTAREA"
            });
        if in_input {
            return;
        }
        if let Some(text) = ev.clipboard_data().and_then(|d| d.get_data("text").ok()) {
            ev.prevent_default();
            super::loader::open_text(state, "pasted text", &text);
        }
    });
}

/// The "Open file" button with its hidden input.
#[component]
pub fn OpenButton() -> impl IntoView {
    let state = use_state();
    let input = NodeRef::<leptos::html::Input>::new();
    view! {
        <label class="btn primary" title="Open trace files: several open as one set (or drop them anywhere, or paste JSON)" on:click=move |_| super::loader::warm(state)>
            "Open trace…"
            <input
                node_ref=input
                type="file"
                multiple
                class="file-input"
                data-testid="file-input"
                accept=".json,.jsonl,.gz,application/json,application/gzip"
                on:change=move |_| {
                    if let Some(el) = input.get() {
                        open_files(state, el.files());
                        el.set_value("");
                    }
                }
            />
        </label>
    }
}

#[component]
pub fn DropOverlay() -> impl IntoView {
    let state = use_state();
    view! {
        <div class="drop-overlay" class:visible=move || state.dragging.get()>
            <div class="drop-box">"Drop trace files: Jaeger, Zipkin, OTLP or Chrome JSON, gzipped or not; several open as one set"</div>
        </div>
    }
}
