//! Embedding: URL parameters, span IDs as the outside world writes them, and deep links in the hash.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::{reveal, State};
use crate::analysis::Analyzed;
use crate::layout::bar_labels::BarLabel;
use crate::layout::trace_views::TraceView;
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
    /// `?compare=A,B`: two trace IDs of the file to compare.
    pub compare: Option<String>,
    /// Allowed origins for messages in and out; empty means any (events then carry counts only).
    pub origins: Vec<String>,
    pub theme: Option<String>,
    /// `?worker=0`: parse on the page's thread (for comparison in `make bench`, or to debug).
    pub no_worker: bool,
    /// `?config=<url>`: a configuration file whose link templates replace the deployer's.
    pub config_url: Option<String>,
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
    c.compare = params.get("compare").filter(|t| !t.is_empty());
    c.config_url = params.get("config").filter(|u| !u.is_empty());
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

/// After a `?url=` load: shows the trace `?trace=` names (unless the link's hash names one), then applies the link.
pub fn after_url_load(state: State) {
    let pick = state.config.with_value(|c| c.trace.clone());
    let in_hash =
        hash_params().is_some_and(|p| p.get("trace").is_some() || p.get("compare").is_some());
    if let (Some(pair), false) = (state.config.with_value(|c| c.compare.clone()), in_hash) {
        if show_compared(state, &pair) {
            replace_location(state);
            return;
        }
    }
    if let (Some(id), Some(s), false) = (pick, state.session.get_untracked(), in_hash) {
        if let Some(i) = s.position(&id) {
            state.show_trace(i);
            // From here on the hash names the trace: Back to the list and Forward again both work from it.
            name_trace_in_hash(&id);
        }
    }
    apply_hash(state);
}

fn hash_params() -> Option<web_sys::UrlSearchParams> {
    let hash = web_sys::window()?.location().hash().ok()?;
    web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')).ok()
}

/// Restores `#trace=<id>&span=<id>&t=<start>-<end>` (times in µs since the trace start). In a file of several
/// traces, a link without `trace=` is the trace browser (Back from a trace opened from it).
pub fn apply_hash(state: State) {
    let Some(params) = hash_params() else {
        return;
    };
    if params
        .get("compare")
        .is_some_and(|pair| show_compared(state, &pair))
    {
        return;
    }
    if !apply_trace(state, params.get("trace")) {
        return;
    }
    apply_view_and_focus(state, &params);
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

/// Restores `#view=<name>` and `#focus=<span id>` (a link without them shows the waterfall of the whole trace).
fn apply_view_and_focus(state: State, params: &web_sys::UrlSearchParams) {
    let view = params
        .get("view")
        .and_then(|v| TraceView::from_link(&v))
        .unwrap_or_default();
    if state.view.get_untracked() != view {
        state.view.set(view);
    }
    // A link's bar label wins for this view (the one kept in the browser is left as it is).
    if let Some(label) = params.get("label").and_then(|l| BarLabel::from_link(&l)) {
        if state.bar_label.get_untracked() != label {
            state.bar_label.set(label);
        }
    }
    let focus = params
        .get("focus")
        .and_then(|id| find_span(state.trace.get_untracked()?.as_ref(), &id));
    match focus {
        Some(f) if state.focus.get_untracked() != Some(f) => super::focus::focus_on(state, f),
        Some(_) => {}
        None => super::focus::leave_focus(state),
    }
}

/// Shows the comparison of the two traces `A,B` names (trace IDs); false if either is not in the file.
fn show_compared(state: State, pair: &str) -> bool {
    let Some(s) = state.session.get_untracked() else {
        return false;
    };
    let Some((a, b)) = pair.split_once(',') else {
        return false;
    };
    match (s.position(a.trim()), s.position(b.trim())) {
        (Some(a), Some(b)) if a != b => {
            if state.comparing.get_untracked() != Some((a, b)) {
                state.show_comparison(a, b);
            }
            true
        }
        _ => false,
    }
}

/// Shows the trace a link names, or the trace browser if it names none in a file of several; false if no trace is
/// shown after.
fn apply_trace(state: State, trace: Option<String>) -> bool {
    let Some(s) = state.session.get_untracked() else {
        return false;
    };
    let embed = state.config.with_value(|c| c.embed);
    match trace.and_then(|id| s.position(&id)) {
        Some(i)
            if state.browsing.get_untracked()
                || state.comparing.with_untracked(|c| c.is_some())
                || state.current.get_untracked() != i =>
        {
            state.show_trace(i)
        }
        Some(_) => {}
        None if s.is_set() && !embed => {
            state.comparing.set(None);
            state.browsing.set(true)
        }
        None => {}
    }
    !state.browsing.get_untracked()
}

/// The current view as a link: the trace browser, or the trace on screen with its selected span and zoom. The page's
/// own `?trace=` is left out: the hash names the trace.
pub fn current_link(state: State) -> String {
    let Some(w) = web_sys::window() else {
        return String::new();
    };
    let loc = w.location();
    let search = loc.search().unwrap_or_default();
    let search = match web_sys::UrlSearchParams::new_with_str(&search) {
        Ok(p) => {
            p.delete("trace");
            p.delete("compare");
            let rest = String::from(p.to_string());
            if rest.is_empty() {
                rest
            } else {
                format!("?{rest}")
            }
        }
        Err(_) => search,
    };
    let base = format!(
        "{}{}{search}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default()
    );
    if state.browsing.get_untracked() {
        return base;
    }
    if let Some((a, b)) = state.comparing.get_untracked() {
        let ids = state.session.with_untracked(|s| {
            let s = s.as_ref()?;
            Some((
                s.traces.get(a)?.trace_id().to_string(),
                s.traces.get(b)?.trace_id().to_string(),
            ))
        });
        if let Some((a, b)) = ids {
            return format!("{base}#compare={},{}", encode(&a), encode(&b));
        }
    }
    let win = state.window.get_untracked();
    let mut hash = format!("t={:.0}-{:.0}", win.start / 1000.0, win.end / 1000.0);
    if let (Some(i), Some(a)) = (state.selected.get_untracked(), state.trace.get_untracked()) {
        let id = export_span_id(&a, i);
        hash = format!("span={}&{hash}", encode(&id));
    }
    if let (Some(f), Some(a)) = (state.focus.get_untracked(), state.trace.get_untracked()) {
        hash = format!("focus={}&{hash}", encode(&export_span_id(&a, f)));
    }
    let label = state.bar_label.get_untracked();
    if label != BarLabel::Duration {
        hash = format!("label={}&{hash}", encode(&label.link_value()));
    }
    let view = state.view.get_untracked();
    if view != TraceView::Waterfall {
        hash = format!("view={}&{hash}", view.link_name());
    }
    let is_set = state
        .session
        .with_untracked(|s| s.as_ref().is_some_and(|s| s.is_set()));
    if let (true, Some(a)) = (is_set, state.trace.get_untracked()) {
        hash = format!("trace={}&{hash}", encode(&a.trace.trace_id));
    }
    format!("{base}#{hash}")
}

fn encode(text: &str) -> String {
    js_sys::encode_uri_component(text)
        .as_string()
        .unwrap_or_else(|| text.to_string())
}

/// Adds `trace=<id>` to the hash (the rest of the link stays), without a history entry.
fn name_trace_in_hash(id: &str) {
    let Some(w) = web_sys::window() else {
        return;
    };
    let Some(params) = hash_params() else {
        return;
    };
    params.set("trace", id);
    let loc = w.location();
    let link = format!(
        "{}{}{}#{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default(),
        String::from(params.to_string())
    );
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&link));
    }
}

/// Replaces the address with the view now shown, without a history entry (a file of several traces just loaded).
pub fn replace_location(state: State) {
    if state.config.with_value(|c| c.embed) {
        return;
    }
    let link = current_link(state);
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&link));
    }
}

/// A new history entry for the view now shown (a trace opened from the list, or the list), so that Back returns to
/// the one before.
pub fn push_location(state: State) {
    if state.config.with_value(|c| c.embed) {
        return;
    }
    let link = current_link(state);
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.push_state_with_url(&JsValue::NULL, "", Some(&link));
    }
}

/// Keeps the hash in step with the selection and the zoom (replaceState: no history entries), once the view has been
/// still for a moment: a zoom changes the window every frame, and each URL change costs the browser a navigation
/// (Chromium re-fetches the favicon and throttles a page that changes its URL hundreds of times in seconds).
pub fn sync_hash(state: State) {
    let settle = super::Debounce::new(std::time::Duration::from_millis(250));
    Effect::new(move |_| {
        let _ = state.selected.get();
        let _ = state.window.get();
        let _ = state.focus.get();
        let _ = state.view.get();
        state.bar_label.track();
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
