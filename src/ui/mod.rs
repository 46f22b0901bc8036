//! The Leptos UI: thin components that read the core. All state lives in [`State`], shared by context.

mod detail;
mod header;
mod load;
mod waterfall;

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::{analyze, Analyzed};
use crate::formats::{self, Loaded};
use crate::layout::{visible_rows, TimeWindow};
use crate::model::Format;

/// A file that was read, with each of its traces analysed.
pub struct Session {
    pub name: String,
    pub format: Format,
    pub traces: Vec<Arc<Analyzed>>,
}

impl Session {
    pub fn from_loaded(l: Loaded) -> Session {
        Session {
            name: l.name,
            format: l.format,
            traces: l.traces.into_iter().map(|t| Arc::new(analyze(t))).collect(),
        }
    }
}

/// Row height in the waterfall, in px.
pub const ROW_H: f64 = 26.0;

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct State {
    pub session: RwSignal<Option<Arc<Session>>>,
    /// Index of the trace shown, in `session.traces`.
    pub current: RwSignal<usize>,
    pub error: RwSignal<Option<String>>,
    /// Collapsed flag per span of the current trace.
    pub collapsed: RwSignal<Vec<bool>>,
    pub window: RwSignal<TimeWindow>,
    pub selected: RwSignal<Option<u32>>,
    pub scroll_top: RwSignal<f64>,
    pub viewport_h: RwSignal<f64>,
    /// Width of the whole waterfall, px.
    pub width: RwSignal<f64>,
    pub name_w: RwSignal<f64>,
    pub dark: RwSignal<bool>,
    pub show_critical: RwSignal<bool>,
    /// Asks the waterfall to scroll to this offset (px).
    pub scroll_request: RwSignal<Option<f64>>,
    /// A file is being dragged over the page.
    pub dragging: RwSignal<bool>,
    /// The trace on screen.
    pub trace: Signal<Option<Arc<Analyzed>>>,
    /// Span indices of the rows, after collapsing.
    pub rows: Memo<Arc<Vec<u32>>>,
}

impl State {
    fn new() -> State {
        let session: RwSignal<Option<Arc<Session>>> = RwSignal::new(None);
        let current = RwSignal::new(0usize);
        let collapsed = RwSignal::new(Vec::new());
        let trace = Signal::derive(move || {
            let s = session.get()?;
            s.traces.get(current.get()).cloned()
        });
        let rows = Memo::new(move |_| {
            let t = trace.get();
            match t {
                Some(t) => collapsed.with(|c| Arc::new(visible_rows(&t.tree, c))),
                None => Arc::new(Vec::new()),
            }
        });
        State {
            session,
            current,
            error: RwSignal::new(None),
            collapsed,
            window: RwSignal::new(TimeWindow::full(1)),
            selected: RwSignal::new(None),
            scroll_top: RwSignal::new(0.0),
            viewport_h: RwSignal::new(600.0),
            width: RwSignal::new(1000.0),
            name_w: RwSignal::new(340.0),
            dark: RwSignal::new(false),
            show_critical: RwSignal::new(true),
            dragging: RwSignal::new(false),
            scroll_request: RwSignal::new(None),
            trace,
            rows,
        }
    }

    /// Reads a file and shows it; on failure the trace on screen stays and the error is shown.
    pub fn open_bytes(&self, name: &str, bytes: &[u8]) {
        match formats::load(name, bytes) {
            Ok(l) => {
                let s = Session::from_loaded(l);
                self.error.set(None);
                self.show_session(Arc::new(s), 0);
            }
            Err(e) => self.error.set(Some(e.to_string())),
        }
    }

    pub fn show_session(&self, s: Arc<Session>, index: usize) {
        self.session.set(Some(s));
        self.show_trace(index);
    }

    /// Switches to trace `index` of the session, resetting the view.
    pub fn show_trace(&self, index: usize) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        let Some(t) = s.traces.get(index) else {
            return;
        };
        self.collapsed.set(vec![false; t.trace.spans.len()]);
        self.window.set(TimeWindow::full(t.trace.duration_ns()));
        self.selected.set(None);
        self.scroll_top.set(0.0);
        self.current.set(index);
    }

    pub fn toggle_collapse(&self, span: u32) {
        self.collapsed.update(|c| {
            if let Some(v) = c.get_mut(span as usize) {
                *v = !*v;
            }
        });
    }

    pub fn total_ns(&self) -> f64 {
        self.trace
            .with_untracked(|t| t.as_ref().map(|t| t.trace.duration_ns().max(1) as f64))
            .unwrap_or(1.0)
    }
}

/// Selects span `i`, expanding its ancestors and scrolling its row into view.
pub fn reveal(state: State, i: u32) {
    let Some(a) = state.trace.get_untracked() else {
        return;
    };
    let anc = a.tree.ancestors(i);
    state.collapsed.update(|c| {
        for p in anc {
            if let Some(v) = c.get_mut(p as usize) {
                *v = false;
            }
        }
    });
    state.selected.set(Some(i));
    let row = state
        .rows
        .with_untracked(|r| r.iter().position(|&s| s == i));
    if let Some(row) = row {
        let y = row as f64 * ROW_H;
        let top = state.scroll_top.get_untracked();
        let h = state.viewport_h.get_untracked();
        if y < top || y + ROW_H > top + h {
            state.scroll_request.set(Some((y - h / 3.0).max(0.0)));
        }
    }
}

pub fn use_state() -> State {
    expect_context::<State>()
}

/// Entry point of the wasm app.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let state = State::new();
    provide_context(state);
    // Follow the system theme until the user picks one.
    if let Some(w) = web_sys::window() {
        if let Ok(Some(mq)) = w.match_media("(prefers-color-scheme: dark)") {
            state.dark.set(mq.matches());
        }
    }
    Effect::new(move |_| {
        let dark = state.dark.get();
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
    });
    // The first demo shows until something is loaded.
    let demo = &crate::demo::DEMOS[0];
    state.open_bytes(demo.name, demo.json.as_bytes());
    load::install_global_handlers(state);

    view! {
        <div class="app">
            <header::TopBar />
            <ErrorBanner />
            <header::TraceList />
            <header::TraceHeader />
            <div class="main">
                <waterfall::Waterfall />
                <detail::Detail />
            </div>
            <load::DropOverlay />
        </div>
    }
}

#[component]
fn ErrorBanner() -> impl IntoView {
    let state = use_state();
    move || {
        state.error.get().map(|e| {
            view! {
                <div class="error-banner" role="alert">
                    <span class="error-text">{e}</span>
                    <button class="btn small" on:click=move |_| state.error.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}
