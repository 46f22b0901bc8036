//! Jaeger JSON, as the Jaeger query service and UI write it, in every shape seen in the wild:
//! `{"data":[trace…]}`, `{"data":{trace}}`, `{"data":{"services":[…],"spans":[…]}}`, a trace object, an array of
//! traces, and a bare array of spans carrying an inline `process`.

use std::borrow::Cow;
use std::collections::HashMap;

/// The trace ID of spans that name none (and whose trace names none either).
pub const UNKNOWN_TRACE_ID: &str = "unknown";

use serde::Deserialize;

use super::counted::{count_span, counted_id, OneOrMany};
use super::json::{from_json, null_default, opt_str, CowStr, InPlace, List};
use super::scalar::Scalar;
use super::time::{span_duration, span_start, TimeUnit};
use super::trace_set::TraceSet;
use crate::model::{
    flags, Event, IndexRange, Link, ParentRef, RefType, Resource, Span, SpanKind, StatusCode, Str,
    Sym, Trace, Value, WarningKind,
};

#[derive(Deserialize, Default)]
struct JSpan<'a> {
    // Wrapper and trace fields: one struct serves every shape, so nothing is buffered.
    #[serde(borrow, default)]
    data: Option<OneOrMany<Box<JSpan<'a>>>>,
    /// A trace's spans, converted into the model while they are parsed (see [`Staged`]).
    #[serde(default)]
    spans: Option<Staged>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    processes: HashMap<CowStr<'a>, Process<'a>>,
    // Span fields (also a trace's `traceID` and `warnings`).
    #[serde(deserialize_with = "opt_str", borrow, default, rename = "traceID")]
    trace_id: Option<CowStr<'a>>,
    #[serde(borrow, default, rename = "spanID", deserialize_with = "counted_id")]
    span_id: Cow<'a, str>,
    #[serde(deserialize_with = "opt_str", borrow, default, rename = "parentSpanID")]
    parent_span_id: Option<CowStr<'a>>,
    #[serde(borrow, default, rename = "operationName")]
    operation_name: Cow<'a, str>,
    #[serde(borrow, default)]
    references: List<Reference<'a>>,
    #[serde(borrow, default, rename = "startTime")]
    start_time: Scalar<'a>,
    #[serde(borrow, default)]
    duration: Scalar<'a>,
    #[serde(borrow, default)]
    tags: List<Tag<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    logs: Vec<Log<'a>>,
    #[serde(deserialize_with = "opt_str", borrow, default, rename = "processID")]
    process_id: Option<CowStr<'a>>,
    #[serde(borrow, default)]
    process: Option<Process<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    warnings: Vec<CowStr<'a>>,
    #[serde(borrow, default)]
    flags: Scalar<'a>,
}

#[derive(Deserialize, Default)]
struct Reference<'a> {
    #[serde(borrow, default, rename = "refType")]
    ref_type: Cow<'a, str>,
    #[serde(borrow, default, rename = "traceID")]
    trace_id: Cow<'a, str>,
    #[serde(borrow, default, rename = "spanID")]
    span_id: Cow<'a, str>,
}

#[derive(Deserialize, Default, Clone)]
struct Tag<'a> {
    #[serde(borrow, default)]
    key: Cow<'a, str>,
    #[serde(borrow, default, rename = "type")]
    ty: Cow<'a, str>,
    #[serde(borrow, default)]
    value: Scalar<'a>,
}

#[derive(Deserialize, Default)]
struct Log<'a> {
    #[serde(borrow, default)]
    timestamp: Scalar<'a>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    fields: Vec<Tag<'a>>,
}

#[derive(Deserialize, Default, Clone)]
struct Process<'a> {
    #[serde(borrow, default, rename = "serviceName")]
    service_name: Cow<'a, str>,
    #[serde(borrow, default)]
    tags: List<Tag<'a>>,
}

/// Parses Jaeger JSON into traces.
///
/// A trace object's `spans` are converted one by one while they are parsed, into [`PendingSpans`] (see [`Staged`]),
/// so the parsed form of a million spans never exists at once. A trace object's `processes` come after its spans in
/// Jaeger's files, so each pending span keeps its process ID, and resources are resolved when the object is complete.
pub fn parse(bytes: &[u8]) -> Result<Vec<Trace>, serde_json::Error> {
    PENDING.with(|s| s.borrow_mut().clear());
    let top: Result<OneOrMany<Box<JSpan>>, _> = from_json(bytes);
    let mut pending: Vec<Option<PendingSpans>> =
        PENDING.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let top = top?;
    let mut set = TraceSet::default();
    let mut stack: Vec<Box<JSpan>> = top.into_vec();
    stack.reverse();
    let mut loose = PendingSpans::default();
    // Flatten `data` wrappers (iteratively; they nest at most a couple of levels in practice).
    while let Some(mut node) = stack.pop() {
        if let Some(data) = node.data.take() {
            let mut inner = data.into_vec();
            inner.reverse();
            stack.extend(inner);
        }
        if let Some(Staged(k)) = node.spans.take() {
            if let Some(spans) = pending.get_mut(k).and_then(Option::take) {
                resolve_pending(
                    &mut set,
                    spans,
                    node.trace_id.as_deref(),
                    &node.processes,
                    &node.warnings,
                );
            }
        } else if !node.span_id.is_empty() {
            loose.add(&node);
        }
    }
    if !loose.t.spans.is_empty() {
        resolve_pending(&mut set, loose, None, &HashMap::new(), &[]);
    }
    Ok(set.into_traces())
}

thread_local! {
    /// The `spans` arrays of the parse in progress, converted but not yet resolved, by [`Staged`] index.
    static PENDING: std::cell::RefCell<Vec<Option<PendingSpans>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A `spans` array, converted while parsed: an index into [`PENDING`].
struct Staged(usize);

impl<'de> Deserialize<'de> for Staged {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Staged;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of spans")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Staged, A::Error> {
                let mut spans = PendingSpans::default();
                // Every span is read into one scratch value, so its lists are allocated once.
                let mut s = JSpan::default();
                while seq.next_element_seed(InPlace(&mut s))?.is_some() {
                    count_span()?;
                    spans.add(&s);
                }
                Ok(Staged(PENDING.with(|p| {
                    let mut st = p.borrow_mut();
                    st.push(Some(spans));
                    st.len() - 1
                })))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A `spans` array converted into the model before its trace object is complete: its spans wait for the object's
/// processes (their resources and services) and, where they name none of their own, its trace ID.
struct PendingSpans {
    t: Trace,
    /// Per span: its own `traceID` (empty if it has none).
    tid: Vec<Str>,
    /// Per span: its `processID`, still to be resolved (empty when the process was inline or missing).
    pid: Vec<Str>,
    /// The last `traceID` a span of this array had: spans without one are taken to be in the same trace.
    last_tid: String,
}

impl Default for PendingSpans {
    fn default() -> PendingSpans {
        PendingSpans {
            t: Trace::new(""),
            tid: Vec::new(),
            pid: Vec::new(),
            last_tid: String::new(),
        }
    }
}

impl PendingSpans {
    /// Converts a span, keeping its own trace ID and its process ID for [`resolve_pending`].
    fn add(&mut self, s: &JSpan) {
        let own_tid = s.trace_id.as_deref().filter(|t| !t.is_empty());
        if let Some(tid) = own_tid {
            if tid != self.last_tid {
                self.last_tid = tid.to_string();
            }
        }
        let t = &mut self.t;
        self.tid.push(t.push_str(own_tid.unwrap_or("")));
        // The resource: an inline process now; a process ID once the trace's processes are known.
        let (resource, service, pid) = match (&s.process, s.process_id.as_deref()) {
            (Some(p), _) => {
                let (r, svc) = push_process(t, Some(p));
                (r, svc, Str::default())
            }
            (None, Some(pid)) if !pid.is_empty() => (u32::MAX, 0, t.push_str(pid)),
            _ => (u32::MAX, 0, Str::default()),
        };
        self.pid.push(pid);
        convert_span(t, s, &self.last_tid, resource, service);
    }

    /// Gives each span that has no resource yet its process's: processes become resources, once per process ID.
    fn resolve_processes(&mut self, processes: &HashMap<CowStr, Process>) {
        let mut res_of: HashMap<String, (u32, Sym)> = HashMap::new();
        for i in 0..self.t.spans.len() {
            if self.t.spans[i].resource != u32::MAX {
                continue;
            }
            let r = match res_of.get(self.t.str(self.pid[i])) {
                Some(&r) => r,
                None => {
                    let pid = self.t.str(self.pid[i]).to_string();
                    let r = push_process(&mut self.t, processes.get(pid.as_str()));
                    res_of.insert(pid, r);
                    r
                }
            };
            let span = &mut self.t.spans[i];
            span.resource = r.0;
            span.service = r.1;
        }
    }
}

/// Turns a process into a resource of `t`; returns it and the interned service name.
fn push_process(t: &mut Trace, p: Option<&Process>) -> (u32, Sym) {
    let a0 = t.attrs.len() as u32;
    if let Some(p) = p {
        for tag in &p.tags {
            let v = tag_value(t, tag);
            t.push_attr(&tag.key, v);
        }
    }
    let a1 = t.attrs.len() as u32;
    t.resources.push(Resource {
        attrs: IndexRange { start: a0, end: a1 },
        ..Resource::default()
    });
    let svc_name = match p {
        Some(p) if !p.service_name.is_empty() => &p.service_name,
        _ => "unknown service",
    };
    ((t.resources.len() - 1) as u32, t.strings.intern(svc_name))
}

/// Resolves a converted array's processes and moves its spans into the trace set, by trace ID.
fn resolve_pending(
    set: &mut TraceSet,
    mut st: PendingSpans,
    trace_id: Option<&str>,
    processes: &HashMap<CowStr, Process>,
    warnings: &[CowStr],
) {
    st.resolve_processes(processes);
    for w in warnings {
        st.t.warn(WarningKind::Format, None, format!("exporter warning: {w}"));
    }
    let fallback = trace_id
        .filter(|t| !t.is_empty())
        .unwrap_or(UNKNOWN_TRACE_ID);
    fn tid_of<'t>(t: &'t Trace, s: Str, fallback: &'t str) -> &'t str {
        match t.str(s) {
            "" => fallback,
            id => id,
        }
    }
    let Some(first) = st
        .tid
        .first()
        .map(|&s| tid_of(&st.t, s, fallback).to_string())
    else {
        return;
    };
    if st.tid.iter().all(|&s| tid_of(&st.t, s, fallback) == first) {
        st.t.trace_id = first;
        set.adopt(st.t);
        return;
    }
    let tids: Vec<String> = st
        .tid
        .iter()
        .map(|&s| tid_of(&st.t, s, fallback).to_string())
        .collect();
    // Spans of several traces in one array: copy each trace's spans over (rare).
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, t) in tids.iter().enumerate() {
        groups
            .entry(t.as_str())
            .or_insert_with(|| {
                order.push(t.as_str());
                Vec::new()
            })
            .push(i as u32);
    }
    for (k, tid) in order.iter().enumerate() {
        let dst = set.get(tid);
        dst.append_spans(&st.t, &groups[tid]);
        if k == 0 {
            for w in st.t.warnings.iter().filter(|w| w.span.is_none()) {
                dst.warn(w.kind, None, w.message.clone());
            }
        }
    }
}

/// Converts one span into `t`, with its resource and service already known (or `u32::MAX` for later).
fn convert_span(t: &mut Trace, s: &JSpan, tid: &str, resource: u32, service: Sym) {
    let mut span = Span {
        span_id: t.push_str(&s.span_id),
        service,
        operation: t.strings.intern(&s.operation_name),
        resource,
        ..Span::default()
    };
    // Jaeger's `flags` (the debug bit) are read but not used.
    let time_warnings = read_times(&mut span, s);
    let parent = pick_parent(&s.references, tid);
    span.links = push_links(t, &s.references, parent);
    set_parent(t, &mut span, s, parent);
    span.attrs = push_tags(t, &mut span, &s.tags);
    span.events = push_logs(t, &s.logs);
    warn_span(t, &span, s, time_warnings);
    t.spans.push(span);
}

/// A span's start and duration, flagged when missing; returns the warnings about them (out of range, another unit).
fn read_times(span: &mut Span, s: &JSpan) -> [Option<String>; 2] {
    let (start, start_warning) =
        span_start(&s.start_time, TimeUnit::Micros, "startTime", &s.span_id);
    match start {
        Some(ns) => span.start_ns = ns,
        None => span.flags |= flags::NO_TIMESTAMP,
    }
    let (duration, duration_warning) =
        span_duration(&s.duration, TimeUnit::Micros, "duration", &s.span_id);
    match duration {
        Some(ns) => span.duration_ns = ns,
        None => span.flags |= flags::NO_DURATION,
    }
    [start_warning, duration_warning]
}

fn ref_type(r: &Reference) -> RefType {
    if r.ref_type.eq_ignore_ascii_case("FOLLOWS_FROM") {
        RefType::FollowsFrom
    } else {
        RefType::ChildOf
    }
}

/// The reference that is the span's parent: the first CHILD_OF reference in the same trace, else the first
/// FOLLOWS_FROM one in it. `tid` is empty when no span so far named its trace: then every reference is in the trace.
fn pick_parent(refs: &[Reference], tid: &str) -> Option<(usize, RefType)> {
    let mut parent: Option<(usize, RefType)> = None;
    for (ri, r) in refs.iter().enumerate() {
        let rt = ref_type(r);
        let same_trace = r.trace_id.is_empty() || tid.is_empty() || r.trace_id == tid;
        let better = match parent {
            None => same_trace,
            Some((_, RefType::FollowsFrom)) => same_trace && rt == RefType::ChildOf,
            Some(_) => false,
        };
        if better {
            parent = Some((ri, rt));
        }
    }
    parent
}

/// Every reference but the parent becomes a link.
fn push_links(t: &mut Trace, refs: &[Reference], parent: Option<(usize, RefType)>) -> IndexRange {
    let l0 = t.links.len() as u32;
    for (ri, r) in refs.iter().enumerate() {
        if parent.is_some_and(|(p, _)| p == ri) {
            continue;
        }
        let link = Link {
            trace_id: t.push_str(&r.trace_id),
            span_id: t.push_str(&r.span_id),
            ref_type: ref_type(r),
            attrs: Default::default(),
        };
        t.links.push(link);
    }
    IndexRange {
        start: l0,
        end: t.links.len() as u32,
    }
}

/// The parent reference if there is one, else `parentSpanID`.
fn set_parent(t: &mut Trace, span: &mut Span, s: &JSpan, parent: Option<(usize, RefType)>) {
    match parent {
        Some((ri, rt)) => {
            span.parent = ParentRef::Id(t.push_str(&s.references[ri].span_id));
            if rt == RefType::FollowsFrom {
                span.flags |= flags::FOLLOWS_FROM;
            }
        }
        None => {
            if let Some(p) = s.parent_span_id.as_deref().filter(|p| !p.is_empty()) {
                span.parent = ParentRef::Id(t.push_str(p));
            }
        }
    }
}

/// Tags become attributes; span.kind, error, otel.status_* are read as well as kept.
fn push_tags(t: &mut Trace, span: &mut Span, tags: &[Tag]) -> IndexRange {
    let a0 = t.attrs.len() as u32;
    for tag in tags {
        match &*tag.key {
            "span.kind" => {
                span.kind = match tag.value.as_str() {
                    Some(k) => SpanKind::parse(k),
                    None => SpanKind::parse(&tag.value.to_text()),
                }
            }
            "error" if tag.value.as_bool() == Some(true) => {
                span.flags |= flags::ERROR;
                span.status = StatusCode::Error;
            }
            "otel.status_code" => {
                let c = tag.value.to_text();
                if c.eq_ignore_ascii_case("ERROR") {
                    span.status = StatusCode::Error;
                } else if c.eq_ignore_ascii_case("OK") {
                    span.status = StatusCode::Ok;
                }
            }
            "otel.status_description" => span.status_message = t.push_str(&tag.value.to_text()),
            _ => {}
        }
        let v = tag_value(t, tag);
        t.push_attr(&tag.key, v);
    }
    IndexRange {
        start: a0,
        end: t.attrs.len() as u32,
    }
}

/// Logs become events, named by their `event` or `message` field.
fn push_logs(t: &mut Trace, logs: &[Log]) -> IndexRange {
    let e0 = t.events.len() as u32;
    for log in logs {
        let ev_a0 = t.attrs.len() as u32;
        let mut name = String::new();
        for f in &log.fields {
            if (f.key == "event" || f.key == "message") && name.is_empty() {
                name = f.value.to_text();
            }
            let v = tag_value(t, f);
            t.push_attr(&f.key, v);
        }
        let name = t.push_str(if name.is_empty() { "log" } else { &name });
        let time_ns = log.timestamp.as_i64().unwrap_or(0).saturating_mul(1000);
        t.events.push(Event {
            time_ns,
            name,
            attrs: IndexRange {
                start: ev_a0,
                end: t.attrs.len() as u32,
            },
        });
    }
    IndexRange {
        start: e0,
        end: t.events.len() as u32,
    }
}

/// The span's own warnings (the exporter's, a missing start, its times), before it is pushed.
fn warn_span(t: &mut Trace, span: &Span, s: &JSpan, time_warnings: [Option<String>; 2]) {
    let idx = t.spans.len() as u32;
    for w in &s.warnings {
        t.warn(
            WarningKind::Format,
            Some(idx),
            format!("span {}: {w}", s.span_id),
        );
    }
    let [start_warning, _] = &time_warnings;
    if span.has(flags::NO_TIMESTAMP) && start_warning.is_none() {
        t.warn(
            WarningKind::MissingTimestamp,
            Some(idx),
            format!("span {} has no startTime", s.span_id),
        );
    }
    for w in time_warnings.into_iter().flatten() {
        t.warn(WarningKind::TimeValue, Some(idx), w);
    }
}

/// A Jaeger tag's value, by its declared type. int64 values written as strings stay exact.
fn tag_value(t: &mut Trace, tag: &Tag) -> Value {
    match &*tag.ty {
        "int64" => match tag.value.as_i64() {
            Some(i) if !matches!(tag.value, Scalar::F64(_)) => Value::Int(i),
            _ => tag.value.to_value(t),
        },
        "float64" => match tag.value.as_f64() {
            Some(f) => Value::Float(f),
            None => tag.value.to_value(t),
        },
        "bool" => match tag.value.as_bool() {
            Some(b) => Value::Bool(b),
            None => tag.value.to_value(t),
        },
        "binary" => Value::Bytes(t.push_str(&tag.value.to_text())),
        _ => tag.value.to_value(t),
    }
}
