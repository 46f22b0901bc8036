//! Jaeger JSON, as the Jaeger query service and UI write it, in every shape seen in the wild:
//! `{"data":[trace…]}`, `{"data":{trace}}`, `{"data":{"services":[…],"spans":[…]}}`, a trace object, an array of
//! traces, and a bare array of spans carrying an inline `process`.

use std::collections::HashMap;

use serde::Deserialize;

use super::common::{counted_id, null_default, CowStr, OneOrMany, Scalar, TraceSet};
use crate::model::{
    flags, Event, Link, ParentRef, RefType, Resource, Span, SpanKind, Trace, Value,
};

#[derive(Deserialize, Default)]
struct JSpan<'a> {
    // Wrapper and trace fields: one struct serves every shape, so nothing is buffered.
    #[serde(borrow, default)]
    data: Option<OneOrMany<Box<JSpan<'a>>>>,
    #[serde(borrow, default)]
    spans: Option<Vec<JSpan<'a>>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    processes: HashMap<CowStr<'a>, Process<'a>>,
    // Span fields (also a trace's `traceID` and `warnings`).
    #[serde(borrow, default, rename = "traceID")]
    trace_id: Option<CowStr<'a>>,
    #[serde(borrow, default, rename = "spanID", deserialize_with = "counted_id")]
    span_id: CowStr<'a>,
    #[serde(borrow, default, rename = "parentSpanID")]
    parent_span_id: Option<CowStr<'a>>,
    #[serde(borrow, default, rename = "operationName")]
    operation_name: CowStr<'a>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    references: Vec<Reference<'a>>,
    #[serde(borrow, default, rename = "startTime")]
    start_time: Scalar<'a>,
    #[serde(borrow, default)]
    duration: Scalar<'a>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    tags: Vec<Tag<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    logs: Vec<Log<'a>>,
    #[serde(borrow, default, rename = "processID")]
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
    ref_type: CowStr<'a>,
    #[serde(borrow, default, rename = "traceID")]
    trace_id: CowStr<'a>,
    #[serde(borrow, default, rename = "spanID")]
    span_id: CowStr<'a>,
}

#[derive(Deserialize, Default, Clone)]
struct Tag<'a> {
    #[serde(borrow, default)]
    key: CowStr<'a>,
    #[serde(borrow, default, rename = "type")]
    ty: CowStr<'a>,
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
    service_name: CowStr<'a>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    tags: Vec<Tag<'a>>,
}

/// Parses Jaeger JSON into traces.
pub fn parse(bytes: &[u8]) -> Result<Vec<Trace>, serde_json::Error> {
    let top: OneOrMany<Box<JSpan>> = serde_json::from_slice(bytes)?;
    let mut set = TraceSet::default();
    let mut stack: Vec<Box<JSpan>> = top.into_vec();
    stack.reverse();
    let mut loose: Vec<JSpan> = Vec::new();
    // Flatten `data` wrappers (iteratively; they nest at most a couple of levels in practice).
    while let Some(mut node) = stack.pop() {
        if let Some(data) = node.data.take() {
            let mut inner = data.into_vec();
            inner.reverse();
            stack.extend(inner);
        }
        if let Some(spans) = node.spans.take() {
            add_trace(
                &mut set,
                node.trace_id.as_deref(),
                spans,
                &node.processes,
                &node.warnings,
            );
        } else if !node.span_id.is_empty() {
            loose.push(*node);
        }
    }
    if !loose.is_empty() {
        add_trace(&mut set, None, loose, &HashMap::new(), &[]);
    }
    Ok(set.into_traces())
}

fn add_trace(
    set: &mut TraceSet,
    trace_id: Option<&str>,
    spans: Vec<JSpan>,
    processes: &HashMap<CowStr, Process>,
    warnings: &[CowStr],
) {
    // Processes become resources, once per trace: (trace index, process ID) → (resource, service).
    let mut res_of: crate::model::FxHashMap<(usize, &str), (u32, crate::model::Sym)> =
        Default::default();
    let mut warned = false;
    let mut last_tid: Option<(&str, usize)> = None;
    for s in spans.iter() {
        let tid_str = s
            .trace_id
            .as_deref()
            .filter(|t| !t.is_empty())
            .or(trace_id)
            .unwrap_or("unknown");
        let tkey = match last_tid {
            Some((l, i)) if l == tid_str => i,
            _ => {
                let i = set.index(tid_str);
                last_tid = Some((tid_str, i));
                i
            }
        };
        let tid = tid_str;
        let t = &mut set.traces[tkey];
        if !warned {
            warned = true;
            for w in warnings {
                t.warn(
                    crate::model::WarningKind::Format,
                    None,
                    format!("exporter warning: {w}"),
                );
            }
        }

        // Resource: the referenced process (cached), or the inline one.
        let cached = match (&s.process, s.process_id.as_deref()) {
            (None, Some(pid)) => res_of.get(&(tkey, pid)).copied(),
            _ => None,
        };
        let (resource, service) = match cached {
            Some(r) => r,
            None => {
                let p = match (&s.process, s.process_id.as_deref()) {
                    (Some(p), _) => Some(p),
                    (None, Some(pid)) => processes.get(pid),
                    (None, None) => None,
                };
                let a0 = t.attrs.len() as u32;
                if let Some(p) = p {
                    for tag in &p.tags {
                        let v = tag_value(t, tag);
                        t.push_attr(&tag.key, v);
                    }
                }
                let a1 = t.attrs.len() as u32;
                t.resources.push(Resource {
                    attrs: crate::model::Span32 { start: a0, end: a1 },
                    ..Resource::default()
                });
                let svc_name = match p {
                    Some(p) if !p.service_name.is_empty() => &p.service_name,
                    _ => "unknown service",
                };
                let r = ((t.resources.len() - 1) as u32, t.strings.intern(svc_name));
                if let (None, Some(pid)) = (&s.process, s.process_id.as_deref()) {
                    res_of.insert((tkey, pid), r);
                }
                r
            }
        };

        let mut span = Span {
            span_id: t.push_str(&s.span_id),
            service,
            operation: t.strings.intern(&s.operation_name),
            resource,
            ..Span::default()
        };
        match s.start_time.as_i64() {
            Some(us) => span.start_ns = us.saturating_mul(1000),
            None => span.flags |= flags::NO_TIMESTAMP,
        }
        match s.duration.as_i64() {
            Some(us) => span.duration_ns = us.saturating_mul(1000),
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
            let same_trace = r.trace_id.is_empty() || r.trace_id == tid;
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
        span.links = crate::model::Span32 {
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
                "span.kind" => span.kind = SpanKind::parse(&tag.value.to_text()),
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
        span.attrs = crate::model::Span32 {
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
                attrs: crate::model::Span32 {
                    start: ev_a0,
                    end: t.attrs.len() as u32,
                },
            });
        }
        span.events = crate::model::Span32 {
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
        if span.has(flags::NO_TIMESTAMP) {
            t.warn(
                crate::model::WarningKind::MissingTimestamp,
                Some(idx),
                format!("span {} has no startTime", s.span_id),
            );
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
