//! The postMessage API (version 1): events out to the framing page, requests in from host pages.
//!
//! Who may learn what is decided by `crate::access`; this module only reads messages and posts what it is told to.

use std::sync::Arc;

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use super::embed::{export_span_id, find_span};
use super::{reveal, Session, State};
use crate::access::{self, Owner, Parent, Request};
use crate::analysis::member::Member;
use crate::analysis::Analyzed;

mod answers;

pub const API_VERSION: u32 = 1;

/// Where Stitch's events go: the framing window, or the page itself when not framed.
fn parent_window() -> Option<web_sys::Window> {
    let w = web_sys::window()?;
    Some(w.parent().ok().flatten().unwrap_or(w))
}

/// What this page knows of the origin of the window that frames it.
pub fn parent_origin() -> Parent {
    let Some(w) = web_sys::window() else {
        return Parent::Unknown;
    };
    let framed = w
        .parent()
        .ok()
        .flatten()
        .is_some_and(|p| !js_sys::Object::is(&p, &w));
    if !framed {
        return Parent::Own;
    }
    // Chromium and Safari list the framing origins; elsewhere the referrer of the frame's first load names it.
    let ancestors = js_sys::Reflect::get(&w.location(), &"ancestorOrigins".into())
        .ok()
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|o| o.as_string());
    let referrer = || {
        let r = w.document()?.referrer();
        web_sys::Url::new(&r).ok().map(|u| u.origin())
    };
    match ancestors.or_else(referrer) {
        Some(o) => access::normalize_origin(&o).map_or(Parent::Unknown, Parent::Known),
        None => Parent::Unknown,
    }
}

fn to_js(msg: &impl Serialize) -> Option<JsValue> {
    msg.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
}

/// Posts an event about a trace `owner` loaded to the parent, if the parent may learn about it (see
/// `access::Trust::deliveries`): with its origin as the target, so the browser checks it too.
fn post_about(state: State, owner: &Owner, msg: &impl Serialize) {
    let Some(target) = parent_window() else {
        return;
    };
    let parent = state.parent.get_value();
    let origins = state.trust.with_value(|t| t.deliveries(&parent, owner));
    if let (false, Some(m)) = (origins.is_empty(), to_js(msg)) {
        for origin in origins {
            let _ = target.post_message(&m, &origin);
        }
    }
}

/// Answers a request: to the window that sent it, at its origin only.
fn reply(ev: &web_sys::MessageEvent, msg: &impl Serialize) {
    let Some(source) = ev.source() else {
        return;
    };
    // A window of another origin fails an `instanceof Window` check, so the source is not checked: posting to
    // anything else fails harmlessly.
    let win: web_sys::Window = source.unchecked_into();
    if let Some(m) = to_js(msg) {
        let _ = win.post_message(&m, &ev.origin());
    }
}

pub fn post_ready(state: State) {
    #[derive(Serialize)]
    struct Ready {
        r#type: &'static str,
        version: u32,
    }
    let Some(target) = parent_window() else {
        return;
    };
    let msg = Ready {
        r#type: "stitch:ready",
        version: API_VERSION,
    };
    if let Some(m) = to_js(&msg) {
        for origin in state.trust.with_value(|t| t.ready_targets()) {
            let _ = target.post_message(&m, &origin);
        }
    }
}

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

fn trace_info(m: &Member) -> TraceInfo {
    let (t, s) = (m.trace(), &m.summary);
    TraceInfo {
        trace_id: t.trace_id.clone(),
        spans: t.spans.len(),
        services: s.service_count(),
        roots: m.tree().roots.len(),
        errors: s.errors as usize,
        duration_us: s.duration_ns / 1000,
        warnings: t.warning_total(),
    }
}

pub fn post_loaded(state: State, session: &Session) {
    #[derive(Serialize)]
    struct Loaded {
        r#type: &'static str,
        name: String,
        format: &'static str,
        traces: Vec<TraceInfo>,
        /// The trace on screen; none while the trace browser lists a file of several.
        shown: Option<String>,
    }
    let mut msg = Loaded {
        r#type: "stitch:loaded",
        name: session.name.clone(),
        format: session.format.id(),
        traces: session.traces.iter().map(trace_info).collect(),
        shown: None,
    };
    let owner = session.owner.clone();
    // After the load has been painted, and after `?trace=` has picked the trace shown.
    request_animation_frame(move || {
        msg.shown = state
            .trace
            .with_untracked(|t| t.as_ref().map(|a| a.trace.trace_id.clone()));
        post_about(state, &owner, &msg)
    });
}

#[derive(Serialize)]
struct Error {
    r#type: &'static str,
    name: String,
    message: String,
}

impl Error {
    fn new(name: &str, message: &str) -> Error {
        Error {
            r#type: "stitch:error",
            name: name.to_string(),
            message: message.to_string(),
        }
    }
}

/// Tells the parent that a load `owner` started failed (or was cancelled), if it may learn about that load.
pub fn post_load_error(state: State, owner: &Owner, name: &str, message: &str) {
    post_about(state, owner, &Error::new(name, message));
}

pub fn post_selected(state: State, span: u32) {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Selected {
        r#type: &'static str,
        trace_id: String,
        span_id: String,
    }
    let (Some(a), Some(s)) = (state.trace.get_untracked(), state.session.get_untracked()) else {
        return;
    };
    let msg = Selected {
        r#type: "stitch:selected",
        trace_id: a.trace.trace_id.clone(),
        span_id: export_span_id(&a, span),
    };
    post_about(state, &s.owner, &msg);
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
    let Some(request) = field(&data, "type")
        .as_string()
        .and_then(|t| Request::parse(&t))
    else {
        return; // not ours: ignored silently
    };
    let origin = ev.origin();
    if !state.trust.with_value(|t| t.obeys(&origin)) {
        warn(&format!(
            "Stitch: ignored {} from origin {origin} (not in ?origin=)",
            request.name()
        ));
        return;
    }
    let owner = state
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.owner.clone()))
        .unwrap_or_default();
    if let Err(refusal) = state
        .trust
        .with_value(|t| t.allow(request, &origin, &owner))
    {
        return reply(&ev, &Error::new("", &refusal.to_string()));
    }
    match request {
        Request::Load => load(state, &data, Owner::Origin(origin)),
        Request::Select => select(state, &data),
        Request::Theme => match field(&data, "theme").as_string().as_deref() {
            Some("dark") => state.dark.set(true),
            Some("light") => state.dark.set(false),
            _ => warn("Stitch: stitch:theme needs theme: \"dark\" or \"light\""),
        },
        Request::Analyze => analyze(state, &ev, &data),
        Request::Compare => compare(state, &ev, &data),
        Request::Config => configure(state, &data),
    }
}

/// `stitch:config` from a trusted origin: `config`'s link templates replace those on screen.
fn configure(state: State, data: &JsValue) {
    let config = field(data, "config");
    let text = (config.is_object())
        .then(|| js_sys::JSON::stringify(&config).ok())
        .flatten()
        .and_then(|t| t.as_string());
    match text.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) {
        Some(value) => super::config::set_links(state, &value, "stitch:config"),
        None => {
            warn("Stitch: stitch:config needs config: an object like {version: 1, links: [...]}")
        }
    }
}

/// `stitch:analyze`: one trace (`traceId`, or the one on screen), or with `scope: "set"` every trace of the file.
fn analyze(state: State, ev: &web_sys::MessageEvent, data: &JsValue) {
    let scope = field(data, "scope");
    match scope.as_string().as_deref() {
        _ if scope.is_undefined() => {}
        Some("trace") => {}
        Some("set") => {
            return match state.session.get_untracked() {
                Some(s) => reply(ev, &answers::set_analysis(&s.traces)),
                None => reply(ev, &Error::new("", "stitch:analyze: no file is loaded")),
            };
        }
        _ => return warn("Stitch: stitch:analyze: scope is \"trace\" or \"set\""),
    }
    let want = field(data, "traceId").as_string();
    let a: Option<Arc<Analyzed>> = match &want {
        None => state.trace.get_untracked(),
        Some(id) => opened(state, id),
    };
    match a {
        Some(a) => reply(ev, &answers::analysis(&a)),
        None => {
            let which = want.unwrap_or_else(|| "on screen".into());
            let msg = format!("stitch:analyze: no trace {which} is loaded");
            reply(ev, &Error::new("", &msg));
        }
    }
}

/// The loaded trace with this ID, analysed (on its first opening).
fn opened(state: State, trace_id: &str) -> Option<Arc<Analyzed>> {
    state
        .session
        .with_untracked(|s| s.as_ref().and_then(|s| s.open(s.position(trace_id)?)))
}

/// `stitch:compare`: trace `a` (the normal one) against trace `b` (the one to explain), both of the loaded file.
fn compare(state: State, ev: &web_sys::MessageEvent, data: &JsValue) {
    let (Some(a), Some(b)) = (field(data, "a").as_string(), field(data, "b").as_string()) else {
        return warn("Stitch: stitch:compare needs a and b (trace IDs)");
    };
    match (opened(state, &a), opened(state, &b)) {
        (Some(ta), Some(tb)) => reply(ev, &answers::comparison(&ta, &tb)),
        (ta, _) => {
            let missing = if ta.is_none() { a } else { b };
            let msg = format!("stitch:compare: no trace {missing} is loaded");
            reply(ev, &Error::new("", &msg));
        }
    }
}

/// `stitch:load`: the bytes of `data` (a string, an ArrayBuffer, a Uint8Array or a parsed object) are opened like a
/// file, on behalf of `owner`; `files: [{name, data}, …]` opens several as one set, like several dropped files.
fn load(state: State, data: &JsValue, owner: Owner) {
    let files = field(data, "files");
    if js_sys::Array::is_array(&files) {
        let files = js_sys::Array::from(&files);
        let list: Vec<(String, super::engine::Input)> = files
            .iter()
            .enumerate()
            .filter_map(|(k, f)| Some((name_of(&f, k), input_of(&field(&f, "data"))?)))
            .collect();
        if list.is_empty() || list.len() < files.length() as usize {
            // Loading the others alone would show a set the host did not send.
            return warn("Stitch: stitch:load: each of files needs data: a string, an ArrayBuffer or an object; nothing was loaded");
        }
        return super::loader::open_files(state, list, owner);
    }
    match input_of(&field(data, "data")) {
        Some(input) => super::loader::open(state, name_of(data, 0), input, owner, None),
        None => warn("Stitch: stitch:load needs data: a string, an ArrayBuffer or an object"),
    }
}

/// A loaded buffer's `name`, or "message" (with its place in `files` after the first).
fn name_of(item: &JsValue, k: usize) -> String {
    field(item, "name").as_string().unwrap_or_else(|| match k {
        0 => "message".to_string(),
        _ => format!("message {}", k + 1),
    })
}

/// The input of a loaded buffer: a string, an ArrayBuffer, a Uint8Array or a parsed object.
fn input_of(d: &JsValue) -> Option<super::engine::Input> {
    // A string or an object becomes a Blob (UTF-8, made by the browser): its size is checked before any of it is
    // copied into wasm memory, and a large one goes to the worker like a file.
    let text = if d.is_string() {
        Some(d.clone())
    } else if d.is_object()
        && !d.is_instance_of::<js_sys::ArrayBuffer>()
        && !d.is_instance_of::<js_sys::Uint8Array>()
    {
        js_sys::JSON::stringify(d).ok().map(JsValue::from)
    } else {
        None
    };
    match text {
        Some(t) => web_sys::Blob::new_with_str_sequence(&js_sys::Array::of1(&t))
            .ok()
            .map(super::engine::Input::Blob),
        None if d.is_instance_of::<js_sys::ArrayBuffer>() => {
            Some(super::engine::Input::Buffer(d.clone().unchecked_into()))
        }
        None if d.is_instance_of::<js_sys::Uint8Array>() => {
            let a: js_sys::Uint8Array = d.clone().unchecked_into();
            Some(super::engine::Input::Buffer(
                a.slice(0, a.length()).buffer(),
            ))
        }
        None => None,
    }
}

fn select(state: State, data: &JsValue) {
    let Some(id) = field(data, "spanId").as_string() else {
        return warn("Stitch: stitch:select needs spanId (a string)");
    };
    match state.trace.get_untracked().and_then(|a| find_span(&a, &id)) {
        Some(i) => reveal(state, i),
        None => warn(&format!(
            "Stitch: stitch:select: no span {id} in the trace shown"
        )),
    }
}

thread_local! {
    /// Messages that came before `stitch.config.json` was read, answered once it is ([`trust_known`]); `None` after.
    static EARLY: std::cell::RefCell<Option<Vec<web_sys::MessageEvent>>> =
        const { std::cell::RefCell::new(Some(Vec::new())) };
}

/// Listens for host pages' messages from the start; they are answered once [`trust_known`] is called.
pub fn install(state: State) {
    let _ = window_event_listener(leptos::ev::message, move |ev: web_sys::MessageEvent| {
        let waiting = EARLY.with(|e| {
            e.borrow_mut()
                .as_mut()
                .map(|q| q.push(ev.clone()))
                .is_some()
        });
        if !waiting {
            on_message(state, ev);
        }
    });
}

/// `state.trust` is set: answers the messages that waited for it, in the order they came.
pub fn trust_known(state: State) {
    for ev in EARLY.with(|e| e.borrow_mut().take()).unwrap_or_default() {
        on_message(state, ev);
    }
}
