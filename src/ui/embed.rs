//! Embedding: URL parameters, span IDs as the outside world writes them, and deep links in the hash.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::{reveal, State};
use crate::analysis::Analyzed;
use crate::layout::window_from_link;
use crate::model::flags;

/// Settings read once from the page URL.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub embed: bool,
    pub show_summary: bool,
    pub show_minimap: bool,
    pub url: Option<String>,
    pub trace: Option<String>,
    /// Allowed origins for messages in and out; empty means any (events then carry counts only).
    pub origins: Vec<String>,
    pub theme: Option<String>,
    /// `?worker=0`: parse on the page's thread (for comparison in `make bench`, or to debug).
    pub no_worker: bool,
}

pub fn read_config() -> Config {
    let mut c = Config {
        show_summary: true,
        show_minimap: true,
        ..Config::default()
    };
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return c;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return c;
    };
    let flag = |k: &str| params.get(k).map(|v| v != "0" && v != "false");
    c.embed = flag("embed").unwrap_or(false);
    c.show_summary = flag("summary").unwrap_or(true);
    c.show_minimap = flag("minimap").unwrap_or(true);
    c.no_worker = !flag("worker").unwrap_or(true);
    c.url = params.get("url").filter(|u| !u.is_empty());
    c.trace = params.get("trace").filter(|t| !t.is_empty());
    c.theme = params.get("theme");
    let all = params.get_all("origin");
    c.origins = all
        .iter()
        .filter_map(|v| v.as_string())
        .filter(|o| !o.is_empty())
        .collect();
    c
}

/// The span ID as written in the file; a repeated ID gets `#n`, its occurrence number (2 for the second).
pub fn export_span_id(a: &Analyzed, i: u32) -> String {
    let id = a.trace.span_id(i);
    let dup = a
        .trace
        .spans
        .get(i as usize)
        .is_some_and(|s| s.has(flags::DUPLICATE_ID));
    if !dup {
        return id.to_string();
    }
    let n = (0..i).filter(|&j| a.trace.span_id(j) == id).count() + 1;
    format!("{id}#{n}")
}

/// Finds a span by exported ID (with an optional `#n` suffix for repeated IDs).
pub fn find_span(a: &Analyzed, id: &str) -> Option<u32> {
    let (base, nth) = match id.rsplit_once('#') {
        Some((b, n)) => (b, n.parse::<usize>().ok()?),
        None => (id, 1),
    };
    (0..a.trace.spans.len() as u32)
        .filter(|&j| a.trace.span_id(j) == base)
        .nth(nth.saturating_sub(1))
}

// ---- deep links ----

/// After a `?url=` load: shows the trace `?trace=` names, then applies the deep link.
pub fn after_url_load(state: State) {
    let pick = state.config.with_value(|c| c.trace.clone());
    if let (Some(id), Some(s)) = (pick, state.session.get_untracked()) {
        if let Some(i) = s.traces.iter().position(|a| a.trace.trace_id == id) {
            state.show_trace(i);
        }
    }
    apply_hash(state);
}

/// Restores `#span=<id>&t=<start>-<end>` (times in µs since the trace start).
pub fn apply_hash(state: State) {
    let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) else {
        return;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')) else {
        return;
    };
    if let Some(t) = params.get("t") {
        match window_from_link(&t, state.total_ns()) {
            Some(w) => state.window.set(w),
            None => web_sys::console::warn_1(&JsValue::from_str(&format!(
                "Stitch: ignored #t={t}: a time range is two numbers of µs, like t=100000-300000"
            ))),
        }
    }
    if let Some(id) = params.get("span") {
        if let Some(i) = state.trace.get_untracked().and_then(|a| find_span(&a, &id)) {
            let w = state.window.get_untracked();
            reveal(state, i);
            state.window.set(w);
        }
    }
}

/// The current view as a link.
pub fn current_link(state: State) -> String {
    let Some(w) = web_sys::window() else {
        return String::new();
    };
    let loc = w.location();
    let base = format!(
        "{}{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    let win = state.window.get_untracked();
    let mut hash = format!("t={:.0}-{:.0}", win.start / 1000.0, win.end / 1000.0);
    if let (Some(i), Some(a)) = (state.selected.get_untracked(), state.trace.get_untracked()) {
        let id = export_span_id(&a, i);
        let enc = js_sys::encode_uri_component(&id).as_string().unwrap_or(id);
        hash = format!("span={enc}&{hash}");
    }
    format!("{base}#{hash}")
}

/// Keeps the hash in step with the selection and the zoom (replaceState: no history entries), once the view has been
/// still for a moment: a zoom changes the window every frame, and each URL change costs the browser a navigation
/// (Chromium re-fetches the favicon and throttles a page that changes its URL hundreds of times in seconds).
pub fn sync_hash(state: State) {
    let settle = super::Debounce::new(std::time::Duration::from_millis(250));
    Effect::new(move |_| {
        let _ = state.selected.get();
        let _ = state.window.get();
        settle.cancel();
        if state.trace.with(|t| t.is_none()) || state.config.with_value(|c| c.embed) {
            return;
        }
        settle.call(move || {
            if state.trace.with_untracked(|t| t.is_none()) {
                return;
            }
            let link = current_link(state);
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&link));
            }
        });
    });
}
