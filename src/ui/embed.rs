//! Embedding: URL parameters, deep links in the hash, `?url=` loading, and the postMessage API (version 1).

use std::sync::Arc;

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use super::{reveal, State};
use crate::analysis::stats::{contributors, stats, GroupBy};
use crate::analysis::Analyzed;
use crate::layout::TimeWindow;
use crate::model::flags;

pub const API_VERSION: u32 = 1;

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

// ---- outbound events ----

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TraceInfo {
    trace_id: String,
    spans: usize,
    services: usize,
    roots: usize,
    errors: usize,
    duration_us: i64,
    warnings: usize,
}

fn trace_info(a: &Analyzed) -> TraceInfo {
    TraceInfo {
        trace_id: a.trace.trace_id.clone(),
        spans: a.trace.spans.len(),
        services: a.trace.service_count(),
        roots: a.tree.roots.len(),
        errors: a.trace.error_count(),
        duration_us: a.duration_ns() / 1000,
        warnings: a.trace.warning_total(),
    }
}

/// Posts `msg` to the parent (the page itself when not framed): to each allowed origin, or to "*".
pub fn post(state: State, msg: &impl Serialize) {
    let Some(w) = web_sys::window() else {
        return;
    };
    let target = w.parent().ok().flatten().unwrap_or_else(|| w.clone());
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let Ok(v) = msg.serialize(&ser) else {
        return;
    };
    let origins = state.config.with_value(|c| c.origins.clone());
    if origins.is_empty() {
        let _ = target.post_message(&v, "*");
    } else {
        for o in origins {
            let _ = target.post_message(&v, &o);
        }
    }
}

pub fn post_ready(state: State) {
    #[derive(Serialize)]
    struct Ready {
        r#type: &'static str,
        version: u32,
    }
    post(
        state,
        &Ready {
            r#type: "stitch:ready",
            version: API_VERSION,
        },
    );
}

pub fn post_loaded(state: State, session: &super::Session) {
    #[derive(Serialize)]
    struct Loaded {
        r#type: &'static str,
        name: String,
        format: &'static str,
        traces: Vec<TraceInfo>,
        shown: String,
    }
    let shown = state
        .trace
        .with_untracked(|t| t.as_ref().map(|a| a.trace.trace_id.clone()))
        .unwrap_or_default();
    let msg = Loaded {
        r#type: "stitch:loaded",
        name: session.name.clone(),
        format: session.format.id(),
        traces: session.traces.iter().map(|a| trace_info(a)).collect(),
        shown,
    };
    // After the load has been painted.
    request_animation_frame(move || post(state, &msg));
}

pub fn post_error(state: State, name: &str, message: &str) {
    #[derive(Serialize)]
    struct Error {
        r#type: &'static str,
        name: String,
        message: String,
    }
    post(
        state,
        &Error {
            r#type: "stitch:error",
            name: name.to_string(),
            message: message.to_string(),
        },
    );
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

pub fn post_selected(state: State, span: u32) {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Selected {
        r#type: &'static str,
        trace_id: String,
        span_id: String,
    }
    let Some(a) = state.trace.get_untracked() else {
        return;
    };
    post(
        state,
        &Selected {
            r#type: "stitch:selected",
            trace_id: a.trace.trace_id.clone(),
            span_id: export_span_id(&a, span),
        },
    );
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub span_id: String,
    pub start_us: i64,
    pub end_us: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contributor {
    pub service: String,
    pub operation: String,
    pub critical_us: i64,
    pub share: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stat {
    pub service: String,
    pub operation: String,
    pub count: u64,
    pub total_us: i64,
    pub self_us: i64,
    pub avg_us: i64,
    pub min_us: i64,
    pub max_us: i64,
    pub p95_us: i64,
    pub errors: u64,
}

/// The `stitch:analysis` message for one trace.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    pub r#type: &'static str,
    pub trace_id: String,
    pub duration_us: i64,
    pub critical_path: Vec<Section>,
    pub summary: String,
    pub contributors: Vec<Contributor>,
    pub stats: Vec<Stat>,
}

pub fn analysis(a: &Analyzed) -> Analysis {
    let t = &a.trace;
    Analysis {
        r#type: "stitch:analysis",
        trace_id: t.trace_id.clone(),
        duration_us: a.duration_ns() / 1000,
        critical_path: a
            .path
            .iter()
            .map(|s| Section {
                span_id: export_span_id(a, s.span),
                start_us: s.start_ns.div_euclid(1000),
                end_us: s.end_ns.div_euclid(1000),
            })
            .collect(),
        summary: a.summary.sentence.clone(),
        contributors: contributors(t, &a.crit_ns, GroupBy::Both)
            .into_iter()
            .map(|c| Contributor {
                service: t.sym(c.service).to_string(),
                operation: c
                    .operation
                    .map(|o| t.sym(o).to_string())
                    .unwrap_or_default(),
                critical_us: c.critical_ns / 1000,
                share: c.share,
            })
            .collect(),
        stats: stats(t, &a.self_ns, GroupBy::Both)
            .into_iter()
            .map(|r| Stat {
                service: t.sym(r.service).to_string(),
                operation: r
                    .operation
                    .map(|o| t.sym(o).to_string())
                    .unwrap_or_default(),
                count: r.count,
                total_us: r.total_ns / 1000,
                self_us: r.self_ns / 1000,
                avg_us: r.avg_ns() / 1000,
                min_us: r.min_ns / 1000,
                max_us: r.max_ns / 1000,
                p95_us: r.p95_ns / 1000,
                errors: r.errors,
            })
            .collect(),
    }
}

// ---- inbound messages ----

fn field(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

fn on_message(state: State, ev: web_sys::MessageEvent) {
    let data = ev.data();
    let Some(ty) = field(&data, "type").as_string() else {
        return; // not ours: ignored silently
    };
    if !matches!(
        ty.as_str(),
        "stitch:load" | "stitch:select" | "stitch:theme" | "stitch:analyze"
    ) {
        return;
    }
    let origins = state.config.with_value(|c| c.origins.clone());
    if !origins.is_empty() && !origins.iter().any(|o| o == &ev.origin()) {
        warn(&format!(
            "Stitch: ignored {ty} from origin {} (not in ?origin=)",
            ev.origin()
        ));
        return;
    }
    match ty.as_str() {
        "stitch:load" => {
            let name = field(&data, "name")
                .as_string()
                .unwrap_or_else(|| "message".to_string());
            let d = field(&data, "data");
            let text = if d.is_instance_of::<js_sys::ArrayBuffer>()
                || d.is_instance_of::<js_sys::Uint8Array>()
            {
                None
            } else if d.is_string() {
                Some(d.clone())
            } else if d.is_object() {
                js_sys::JSON::stringify(&d).ok().map(JsValue::from)
            } else {
                None
            };
            let input = match text {
                // UTF-8 bytes of the text, made by the browser (large texts then go to the worker like files).
                Some(t) => web_sys::TextEncoder::new()
                    .ok()
                    .and_then(|e| t.as_string().map(|t| e.encode_with_input(&t)))
                    .map(|b| js_sys::Uint8Array::from(&b[..]).buffer()),
                None if d.is_instance_of::<js_sys::ArrayBuffer>() => Some(d.unchecked_into()),
                None if d.is_instance_of::<js_sys::Uint8Array>() => {
                    let a: js_sys::Uint8Array = d.unchecked_into();
                    Some(a.slice(0, a.length()).buffer())
                }
                None => None,
            };
            match input {
                Some(b) => super::worker::open(state, name, super::worker::Input::Buffer(b), None),
                None => {
                    warn("Stitch: stitch:load needs data: a string, an ArrayBuffer or an object")
                }
            }
        }
        "stitch:select" => match field(&data, "spanId").as_string() {
            Some(id) => {
                let found = state.trace.get_untracked().and_then(|a| find_span(&a, &id));
                match found {
                    Some(i) => reveal(state, i),
                    None => warn(&format!(
                        "Stitch: stitch:select: no span {id} in the trace shown"
                    )),
                }
            }
            None => warn("Stitch: stitch:select needs spanId (a string)"),
        },
        "stitch:theme" => match field(&data, "theme").as_string().as_deref() {
            Some("dark") => state.dark.set(true),
            Some("light") => state.dark.set(false),
            _ => warn("Stitch: stitch:theme needs theme: \"dark\" or \"light\""),
        },
        "stitch:analyze" => {
            let want = field(&data, "traceId").as_string();
            let a: Option<Arc<Analyzed>> = match &want {
                None => state.trace.get_untracked(),
                Some(id) => state
                    .session
                    .get_untracked()
                    .and_then(|s| s.traces.iter().find(|a| &a.trace.trace_id == id).cloned()),
            };
            match a {
                Some(a) => post(state, &analysis(&a)),
                None => post_error(
                    state,
                    "",
                    &format!(
                        "stitch:analyze: no trace {} is loaded",
                        want.unwrap_or_else(|| "on screen".into())
                    ),
                ),
            }
        }
        _ => {}
    }
}

pub fn install_messages(state: State) {
    let _ = window_event_listener(leptos::ev::message, move |ev: web_sys::MessageEvent| {
        on_message(state, ev)
    });
}

// ---- ?url= loading with progress ----

pub fn load_url(state: State, url: String) {
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        return;
    };
    if xhr.open("GET", &url).is_err() {
        let msg = format!("{url}: not a URL Stitch can load");
        state.error.set(Some(msg.clone()));
        post_error(state, &url, &msg);
        return;
    }
    xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Arraybuffer);
    super::worker::warm(state);
    let name = url
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(&url)
        .to_string();
    let url_name = name.clone();
    let progress = move |done: f64, total: Option<f64>| super::LoadProgress {
        name: name.clone(),
        phase: super::LoadPhase::Download,
        done,
        total,
        spans: 0.0,
        cancellable: true,
    };
    state.progress.set(Some(progress(0.0, None)));
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            let total = e.length_computable().then(|| e.total());
            state.progress.set(Some(progress(e.loaded(), total)));
        });
    xhr.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    on_progress.forget();
    let x2 = xhr.clone();
    let name = url
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(&url)
        .to_string();
    let on_done = Closure::<dyn FnMut()>::new(move || {
        let current = DOWNLOAD.with(|d| d.borrow().as_ref().is_some_and(|(x, _)| x == &x2));
        if !current {
            return; // cancelled
        }
        DOWNLOAD.with(|d| d.borrow_mut().take());
        state.progress.set(None);
        let status = x2.status().unwrap_or(0);
        if status == 0 {
            let msg = format!(
                "{url}: the request failed (network error, or blocked by CORS: the server must send Access-Control-Allow-Origin for this page's origin)"
            );
            state.error.set(Some(msg.clone()));
            post_error(state, &name, &msg);
            return;
        }
        if !(200..300).contains(&status) {
            let text = x2.status_text().unwrap_or_default();
            let hint = match status {
                401 | 403 => " (the server wants credentials this page does not have)",
                404 => " (check the address and the trace ID)",
                _ => "",
            };
            let msg = format!("{url}: HTTP {status} {text}{hint}");
            state.error.set(Some(msg.clone()));
            post_error(state, &name, &msg);
            return;
        }
        match x2.response().map(|b| b.dyn_into::<js_sys::ArrayBuffer>()) {
            Ok(Ok(buf)) => {
                let then: super::worker::Then = Box::new(|state: State| {
                    let pick = state.config.with_value(|c| c.trace.clone());
                    if let (Some(id), Some(s)) = (pick, state.session.get_untracked()) {
                        if let Some(i) = s.traces.iter().position(|a| a.trace.trace_id == id) {
                            state.show_trace(i);
                        }
                    }
                    apply_hash(state);
                });
                super::worker::open(
                    state,
                    name.clone(),
                    super::worker::Input::Buffer(buf),
                    Some(then),
                );
            }
            _ => {
                let msg = format!("{url}: the response could not be read");
                state.error.set(Some(msg.clone()));
                post_error(state, &name, &msg);
            }
        }
    });
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    on_done.forget();
    DOWNLOAD.with(|d| *d.borrow_mut() = Some((xhr.clone(), url_name)));
    if xhr.send().is_err() {
        DOWNLOAD.with(|d| d.borrow_mut().take());
        state.progress.set(None);
    }
}

thread_local! {
    /// The `?url=` download in progress.
    static DOWNLOAD: std::cell::RefCell<Option<(web_sys::XmlHttpRequest, String)>> = const { std::cell::RefCell::new(None) };
}

/// Stops the `?url=` download in progress, if any, and returns the name of what it was loading.
pub fn abort_download() -> Option<String> {
    let (x, name) = DOWNLOAD.with(|d| d.borrow_mut().take())?;
    let _ = x.abort();
    Some(name)
}

// ---- deep links ----

/// Restores `#span=<id>&t=<start>-<end>` (times in µs since the trace start).
pub fn apply_hash(state: State) {
    let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) else {
        return;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(hash.trim_start_matches('#')) else {
        return;
    };
    if let Some(t) = params.get("t") {
        if let Some((a, b)) = t.split_once('-') {
            if let (Ok(a), Ok(b)) = (a.parse::<f64>(), b.parse::<f64>()) {
                state.window.set(TimeWindow::between(
                    a * 1000.0,
                    b * 1000.0,
                    state.total_ns(),
                ));
            }
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
