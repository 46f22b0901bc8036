//! Ways in: drag and drop anywhere, the file picker, and paste.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{use_state, State};
use crate::access::Owner;

/// Opens a browser `File`: large ones are read and parsed in the worker.
pub fn open_file(state: State, file: web_sys::File) {
    let name = file.name();
    let input = super::engine::Input::Blob(file.into());
    super::loader::open(state, name, input, Owner::Local, None);
}

fn first_file(list: Option<web_sys::FileList>) -> Option<web_sys::File> {
    list.and_then(|l| l.get(0))
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
        let file = first_file(ev.data_transfer().and_then(|d| d.files()));
        match file {
            Some(f) => open_file(state, f),
            None => {
                // Dropped text (e.g. from an editor).
                if let Some(text) = ev.data_transfer().and_then(|d| d.get_data("text").ok()) {
                    if !text.trim().is_empty() {
                        super::loader::open_text(state, "dropped text", &text);
                    }
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
        <label class="btn primary" title="Open a trace file (or drop it anywhere, or paste JSON)" on:click=move |_| super::loader::warm(state)>
            "Open trace…"
            <input
                node_ref=input
                type="file"
                class="file-input"
                data-testid="file-input"
                accept=".json,.jsonl,.gz,application/json,application/gzip"
                on:change=move |_| {
                    if let Some(el) = input.get() {
                        if let Some(f) = first_file(el.files()) {
                            open_file(state, f);
                        }
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
            <div class="drop-box">"Drop a trace file: Jaeger, Zipkin, OTLP or Chrome JSON, gzipped or not"</div>
        </div>
    }
}
