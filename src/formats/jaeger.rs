//! Jaeger JSON, as the Jaeger query service and UI write it, in every shape seen in the wild:
//! `{"data":[trace…]}`, `{"data":{trace}}`, `{"data":{"services":[…],"spans":[…]}}`, a trace object, an array of
//! traces, and a bare array of spans carrying an inline `process`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::common::{
    counted_id, null_default, opt_str, CowStr, InPlace, List, OneOrMany, Scalar, TraceSet,
};
use super::time::{span_duration, span_start, TimeUnit};
use crate::model::{
    flags, Event, Link, ParentRef, RefType, Resource, Span, SpanKind, Str, Trace, Value,
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
/// A trace object's `spans` are converted one by one while they are parsed, into a staging trace (see [`Staged`]),
/// so the parsed form of a million spans never exists at once. A trace object's `processes` come after its spans in
/// Jaeger's files, so each staged span keeps its process ID, and resources are resolved when the object is complete.
pub fn parse(bytes: &[u8]) -> Result<Vec<Trace>, serde_json::Error> {
    STAGES.with(|s| s.borrow_mut().clear());
    let top: Result<OneOrMany<Box<JSpan>>, _> = super::common::from_json(bytes);
    let mut stages: Vec<Option<Stage>> = STAGES.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let top = top?;
    let mut set = TraceSet::default();
    let mut stack: Vec<Box<JSpan>> = top.into_vec();
    stack.reverse();
    let mut loose = Stage::default();
    // Flatten `data` wrappers (iteratively; they nest at most a couple of levels in practice).
    while let Some(mut node) = stack.pop() {
        if let Some(data) = node.data.take() {
            let mut inner = data.into_vec();
            inner.reverse();
            stack.extend(inner);
        }
        if let Some(Staged(k)) = node.spans.take() {
            if let Some(stage) = stages.get_mut(k).and_then(Option::take) {
                finish_stage(
                    &mut set,
                    stage,
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
        finish_stage(&mut set, loose, None, &HashMap::new(), &[]);
    }
    Ok(set.into_traces())
}

thread_local! {
    /// Staged span arrays of the parse in progress, by [`Staged`] index.
    static STAGES: std::cell::RefCell<Vec<Option<Stage>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A `spans` array, converted while parsed: an index into the staged arrays of this parse.
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
                let mut stage = Stage::default();
                // Every span is read into one scratch value, so its lists are allocated once.
                let mut s = JSpan::default();
                while seq.next_element_seed(InPlace(&mut s))?.is_some() {
                    super::common::count_span()?;
                    stage.add(&s);
                }
                Ok(Staged(STAGES.with(|st| {
                    let mut st = st.borrow_mut();
                    st.push(Some(stage));
                    st.len() - 1
                })))
            }
        }
        d.deserialize_seq(V)
    }
}

/// Spans converted before their trace object is complete.
struct Stage {
    t: Trace,
    /// Per span: its own `traceID` (empty if it has none).
    tid: Vec<Str>,
    /// Per span: its `processID`, still to be resolved (empty when the process was inline or missing).
    pid: Vec<Str>,
    /// The last `traceID` a span of this array had: spans without one are taken to be in the same trace.
    last_tid: String,
}

impl Default for Stage {
    fn default() -> Stage {
        Stage {
            t: Trace::new(""),
            tid: Vec::new(),
            pid: Vec::new(),
            last_tid: String::new(),
        }
    }
}

impl Stage {
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
}

/// Turns a process into a resource of `t`; returns it and the interned service name.
fn push_process(t: &mut Trace, p: Option<&Process>) -> (u32, crate::model::Sym) {
    let a0 = t.attrs.len() as u32;
    if let Some(p) = p {
        for tag in &p.tags {
            let v = tag_value(t, tag);
            t.push_attr(&tag.key, v);
        }
    }
    let a1 = t.attrs.len() as u32;
    t.resources.push(Resource {
        attrs: crate::model::IndexRange { start: a0, end: a1 },
        ..Resource::default()
    });
    let svc_name = match p {
        Some(p) if !p.service_name.is_empty() => &p.service_name,
        _ => "unknown service",
    };
    ((t.resources.len() - 1) as u32, t.strings.intern(svc_name))
}

/// Resolves a staged array's processes and moves its spans into the trace set, by trace ID.
fn finish_stage(
    set: &mut TraceSet,
    mut st: Stage,
    trace_id: Option<&str>,
    processes: &HashMap<CowStr, Process>,
    warnings: &[CowStr],
) {
    // Processes become resources, once per process ID.
    let mut res_of: HashMap<String, (u32, crate::model::Sym)> = HashMap::new();
    for i in 0..st.t.spans.len() {
        if st.t.spans[i].resource != u32::MAX {
            continue;
        }
        let r = match res_of.get(st.t.str(st.pid[i])) {
            Some(&r) => r,
            None => {
                let pid = st.t.str(st.pid[i]).to_string();
                let r = push_process(&mut st.t, processes.get(pid.as_str()));
                res_of.insert(pid, r);
                r
            }
        };
        let span = &mut st.t.spans[i];
        span.resource = r.0;
        span.service = r.1;
    }
    for w in warnings {
        st.t.warn(
            crate::model::WarningKind::Format,
            None,
            format!("exporter warning: {w}"),
        );
    }
    let fallback = trace_id.filter(|t| !t.is_empty()).unwrap_or("unknown");
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
fn convert_span(t: &mut Trace, s: &JSpan, tid: &str, resource: u32, service: crate::model::Sym) {
    {
        let mut span = Span {
            span_id: t.push_str(&s.span_id),
            service,
            operation: t.strings.intern(&s.operation_name),
            resource,
            ..Span::default()
        };
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
        if s.flags.as_i64().is_some_and(|f| f & 2 != 0) {
            // Jaeger's debug flag; nothing to do, kept for completeness.
        }

        // Parent: first CHILD_OF reference in the same trace, else FOLLOWS_FROM, else parentSpanID.
        let l0 = t.links.len() as u32;
        let mut parent: Option<(usize, RefType)> = None;
        for (ri, r) in s.references.iter().enumerate() {
            let rt = if r.ref_type.eq_ignore_ascii_case("FOLLOWS_FROM") {
                RefType::FollowsFrom
            } else {
                RefType::ChildOf
            };
            // `tid` is empty when no span so far named its trace: then every reference counts as in the trace.
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
        for (ri, r) in s.references.iter().enumerate() {
            if parent.is_some_and(|(p, _)| p == ri) {
                continue;
            }
            let rt = if r.ref_type.eq_ignore_ascii_case("FOLLOWS_FROM") {
                RefType::FollowsFrom
            } else {
                RefType::ChildOf
            };
            let link = Link {
                trace_id: t.push_str(&r.trace_id),
                span_id: t.push_str(&r.span_id),
                ref_type: rt,
                attrs: Default::default(),
            };
            t.links.push(link);
        }
        span.links = crate::model::IndexRange {
            start: l0,
            end: t.links.len() as u32,
        };
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

        // Tags: span.kind, error, otel.status_* are read as well as kept.
        let a0 = t.attrs.len() as u32;
        for tag in &s.tags {
            match &*tag.key {
                "span.kind" => {
                    span.kind = match tag.value.as_str() {
                        Some(k) => SpanKind::parse(k),
                        None => SpanKind::parse(&tag.value.to_text()),
                    }
                }
                "error" if tag.value.as_bool() == Some(true) => {
                    span.flags |= flags::ERROR;
                    span.status = crate::model::StatusCode::Error;
                }
                "otel.status_code" => {
                    let c = tag.value.to_text();
                    if c.eq_ignore_ascii_case("ERROR") {
                        span.status = crate::model::StatusCode::Error;
                    } else if c.eq_ignore_ascii_case("OK") {
                        span.status = crate::model::StatusCode::Ok;
                    }
                }
                "otel.status_description" => span.status_message = t.push_str(&tag.value.to_text()),
                _ => {}
            }
            let v = tag_value(t, tag);
            t.push_attr(&tag.key, v);
        }
        span.attrs = crate::model::IndexRange {
            start: a0,
            end: t.attrs.len() as u32,
        };

        let e0 = t.events.len() as u32;
        for log in &s.logs {
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
                attrs: crate::model::IndexRange {
                    start: ev_a0,
                    end: t.attrs.len() as u32,
                },
            });
        }
        span.events = crate::model::IndexRange {
            start: e0,
            end: t.events.len() as u32,
        };
        let idx = t.spans.len() as u32;
        for w in &s.warnings {
            t.warn(
                crate::model::WarningKind::Format,
                Some(idx),
                format!("span {}: {w}", s.span_id),
            );
        }
        if span.has(flags::NO_TIMESTAMP) && start_warning.is_none() {
            t.warn(
                crate::model::WarningKind::MissingTimestamp,
                Some(idx),
                format!("span {} has no startTime", s.span_id),
            );
        }
        for w in [start_warning, duration_warning].into_iter().flatten() {
            t.warn(crate::model::WarningKind::TimeValue, Some(idx), w);
        }
        t.spans.push(span);
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
