//! OTLP JSON (`ExportTraceServiceRequest`), with the wrappers APIs put around it:
//! `{"resourceSpans":…}`, Tempo's `{"batches":…}` and `{"trace":{"resourceSpans":…}}`, Jaeger v3's
//! `{"result":{"resourceSpans":…}}`, the legacy `instrumentationLibrarySpans`, and JSON Lines as the Collector's
//! file exporter writes them (one request per line, traces spread across lines, merged by trace ID).

use serde::Deserialize;
use std::borrow::Cow;

use super::counted::{counted_id, Counted};
use super::ids::normalize_otlp_id;
use super::json::{null_default, opt_str, CowStr};
use super::scalar::Scalar;
use super::time::{span_duration, span_start, TimeUnit};
use super::trace_set::TraceSet;
use crate::model::{
    flags, Event, IndexRange, Link, ParentRef, RefType, Resource, Span, SpanKind, StatusCode,
    Trace, Value, WarningKind,
};

#[derive(Deserialize, Default)]
struct Request<'a> {
    #[serde(
        borrow,
        default,
        rename = "resourceSpans",
        deserialize_with = "null_default"
    )]
    resource_spans: Vec<ResourceSpans<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    batches: Vec<ResourceSpans<'a>>,
    #[serde(borrow, default)]
    result: Option<Box<Request<'a>>>,
    #[serde(borrow, default)]
    trace: Option<Box<Request<'a>>>,
}

#[derive(Deserialize, Default)]
struct ResourceSpans<'a> {
    #[serde(borrow, default)]
    resource: Option<Attributed<'a>>,
    #[serde(
        borrow,
        default,
        rename = "scopeSpans",
        deserialize_with = "null_default"
    )]
    scope_spans: Vec<ScopeSpans<'a>>,
    #[serde(
        borrow,
        default,
        rename = "instrumentationLibrarySpans",
        deserialize_with = "null_default"
    )]
    library_spans: Vec<ScopeSpans<'a>>,
}

#[derive(Deserialize, Default)]
struct Attributed<'a> {
    #[serde(borrow, default, deserialize_with = "null_default")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct ScopeSpans<'a> {
    #[serde(borrow, default)]
    scope: Option<Scope<'a>>,
    #[serde(borrow, default, rename = "instrumentationLibrary")]
    library: Option<Scope<'a>>,
    #[serde(borrow, default)]
    spans: Counted<OSpan<'a>>,
}

#[derive(Deserialize, Default)]
struct Scope<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct OSpan<'a> {
    #[serde(borrow, default, rename = "traceId")]
    trace_id: Cow<'a, str>,
    #[serde(borrow, default, rename = "spanId", deserialize_with = "counted_id")]
    span_id: Cow<'a, str>,
    #[serde(borrow, default, rename = "parentSpanId")]
    parent_span_id: Cow<'a, str>,
    #[serde(borrow, default, rename = "traceState")]
    trace_state: Cow<'a, str>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    kind: Scalar<'a>,
    #[serde(borrow, default, rename = "startTimeUnixNano")]
    start: Scalar<'a>,
    #[serde(borrow, default, rename = "endTimeUnixNano")]
    end: Scalar<'a>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    attributes: Vec<KeyValue<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    events: Vec<OEvent<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    links: Vec<OLink<'a>>,
    #[serde(borrow, default)]
    status: Option<Status<'a>>,
}

#[derive(Deserialize, Default)]
struct OEvent<'a> {
    #[serde(borrow, default, rename = "timeUnixNano")]
    time: Scalar<'a>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct OLink<'a> {
    #[serde(borrow, default, rename = "traceId")]
    trace_id: Cow<'a, str>,
    #[serde(borrow, default, rename = "spanId")]
    span_id: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    attributes: Vec<KeyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct Status<'a> {
    #[serde(borrow, default)]
    code: Scalar<'a>,
    #[serde(borrow, default)]
    message: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
struct KeyValue<'a> {
    #[serde(borrow, default)]
    key: Cow<'a, str>,
    #[serde(borrow, default)]
    value: Option<AnyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct AnyValue<'a> {
    #[serde(deserialize_with = "opt_str", borrow, default, rename = "stringValue")]
    string_value: Option<CowStr<'a>>,
    #[serde(borrow, default, rename = "boolValue")]
    bool_value: Option<Scalar<'a>>,
    #[serde(borrow, default, rename = "intValue")]
    int_value: Option<Scalar<'a>>,
    #[serde(borrow, default, rename = "doubleValue")]
    double_value: Option<Scalar<'a>>,
    #[serde(deserialize_with = "opt_str", borrow, default, rename = "bytesValue")]
    bytes_value: Option<CowStr<'a>>,
    #[serde(borrow, default, rename = "arrayValue")]
    array_value: Option<ArrayValue<'a>>,
    #[serde(borrow, default, rename = "kvlistValue")]
    kvlist_value: Option<KvList<'a>>,
}

#[derive(Deserialize, Default)]
struct ArrayValue<'a> {
    #[serde(borrow, default, deserialize_with = "null_default")]
    values: Vec<AnyValue<'a>>,
}

#[derive(Deserialize, Default)]
struct KvList<'a> {
    #[serde(borrow, default, deserialize_with = "null_default")]
    values: Vec<KeyValue<'a>>,
}

/// Parses one OTLP JSON document, or several (JSON Lines), merging spans by trace ID.
pub fn parse(bytes: &[u8]) -> Result<Vec<Trace>, serde_json::Error> {
    let mut set = TraceSet::default();
    // Valid UTF-8 is checked once and read as text (see `json::from_json`).
    let docs: Box<dyn Iterator<Item = Result<Request, serde_json::Error>>> =
        match std::str::from_utf8(bytes) {
            Ok(text) => Box::new(serde_json::Deserializer::from_str(text).into_iter()),
            Err(_) => Box::new(serde_json::Deserializer::from_slice(bytes).into_iter()),
        };
    for doc in docs {
        let mut req = doc?;
        // Unwrap API envelopes iteratively.
        while let Some(inner) = req.result.take().or_else(|| req.trace.take()) {
            let mut inner = *inner;
            inner.resource_spans.append(&mut req.resource_spans);
            inner.batches.append(&mut req.batches);
            req = inner;
        }
        for rs in req.resource_spans.iter().chain(req.batches.iter()) {
            add_resource_spans(&mut set, rs);
        }
    }
    Ok(set.into_traces())
}

fn add_resource_spans(set: &mut TraceSet, rs: &ResourceSpans) {
    let res_attrs: &[KeyValue] = rs
        .resource
        .as_ref()
        .map(|r| &r.attributes[..])
        .unwrap_or(&[]);
    let service = res_attrs
        .iter()
        .find(|kv| kv.key == "service.name")
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.string_value.as_deref())
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown_service");
    for ss in rs.scope_spans.iter().chain(rs.library_spans.iter()) {
        let scope = ss.scope.as_ref().or(ss.library.as_ref());
        // One resource record per (trace, scope block).
        let mut res_for: Vec<(usize, u32)> = Vec::new();
        for s in &ss.spans.0 {
            let tid = normalize_otlp_id(&s.trace_id, 16);
            let ti = set.index(&tid);
            let t = &mut set.traces[ti];
            let resource = match res_for.iter().find(|(i, _)| *i == ti) {
                Some(&(_, r)) => r,
                None => {
                    let r = push_resource(t, res_attrs, scope);
                    res_for.push((ti, r));
                    r
                }
            };
            add_span(t, s, service, resource);
        }
    }
}

/// Adds a resource with its scope to `t`; returns its index.
fn push_resource(t: &mut Trace, res_attrs: &[KeyValue], scope: Option<&Scope>) -> u32 {
    let attrs = push_kvs(t, res_attrs);
    let scope_attrs = push_kvs(t, scope.map_or(&[], |sc| &sc.attributes[..]));
    let (mut sn, mut sv) = (Default::default(), Default::default());
    if let Some(sc) = scope {
        sn = t.push_str(&sc.name);
        sv = t.push_str(&sc.version);
    }
    t.resources.push(Resource {
        attrs,
        scope_name: sn,
        scope_version: sv,
        scope_attrs,
    });
    (t.resources.len() - 1) as u32
}

fn add_span(t: &mut Trace, s: &OSpan, service: &str, resource: u32) {
    let span_id = normalize_otlp_id(&s.span_id, 8);
    let mut span = Span {
        span_id: t.push_str(&span_id),
        service: t.strings.intern(service),
        operation: t.strings.intern(&s.name),
        resource,
        ..Span::default()
    };
    let parent = normalize_otlp_id(&s.parent_span_id, 8);
    if !parent.is_empty() {
        span.parent = ParentRef::Id(t.push_str(&parent));
    }
    span.kind = span_kind(&s.kind);
    read_times(t, &mut span, s, &span_id);
    if let Some(st) = &s.status {
        span.status = status_code(&st.code);
        if span.status == StatusCode::Error {
            span.flags |= flags::ERROR;
        }
        span.status_message = t.push_str(&st.message);
    }
    span.attrs = push_kvs(t, &s.attributes);
    if !s.trace_state.is_empty() {
        t.push_str_attr("w3c.tracestate", &s.trace_state);
        span.attrs.end = t.attrs.len() as u32;
    }
    span.events = push_events(t, &s.events);
    span.links = push_links(t, &s.links);
    t.spans.push(span);
}

/// A span's kind: OTLP's number (also written as a string), or a name.
fn span_kind(kind: &Scalar) -> SpanKind {
    match kind {
        Scalar::Str(k) => match k.parse::<i64>() {
            Ok(n) => SpanKind::from_otlp(n),
            Err(_) => SpanKind::parse(k),
        },
        k => SpanKind::from_otlp(k.as_i64().unwrap_or(0)),
    }
}

/// A status code: OTLP's number (also written as a string), or its name.
fn status_code(code: &Scalar) -> StatusCode {
    let code = match code {
        Scalar::Str(c) => match c.parse::<i64>() {
            Ok(n) => n,
            Err(_) => match c.trim_start_matches("STATUS_CODE_") {
                "OK" => 1,
                "ERROR" => 2,
                _ => 0,
            },
        },
        c => c.as_i64().unwrap_or(0),
    };
    match code {
        1 => StatusCode::Ok,
        2 => StatusCode::Error,
        _ => StatusCode::Unset,
    }
}

/// The span's start and duration (from its end), flagged and warned about when missing or out of range. The span is
/// the next one of `t`.
fn read_times(t: &mut Trace, span: &mut Span, s: &OSpan, span_id: &str) {
    let idx = t.spans.len() as u32;
    let (start, start_warning) =
        span_start(&s.start, TimeUnit::Nanos, "startTimeUnixNano", span_id);
    let (end, end_warning) = span_duration(&s.end, TimeUnit::Nanos, "endTimeUnixNano", span_id);
    for w in [&start_warning, &end_warning].into_iter().flatten() {
        t.warn(WarningKind::TimeValue, Some(idx), w.clone());
    }
    match start {
        Some(st) if st > 0 => span.start_ns = st,
        _ => {
            span.flags |= flags::NO_TIMESTAMP;
            if start_warning.is_none() {
                t.warn(
                    WarningKind::MissingTimestamp,
                    Some(idx),
                    format!("span {span_id} has no startTimeUnixNano"),
                );
            }
        }
    }
    // Both in 1970..2116: the difference fits.
    match (start, end) {
        (Some(st), Some(en)) if en > 0 => span.duration_ns = en - st,
        _ => span.flags |= flags::NO_DURATION,
    }
}

fn push_events(t: &mut Trace, events: &[OEvent]) -> IndexRange {
    let e0 = t.events.len() as u32;
    for e in events {
        let attrs = push_kvs(t, &e.attributes);
        let name = t.push_str(&e.name);
        t.events.push(Event {
            time_ns: e.time.as_i64().unwrap_or(0),
            name,
            attrs,
        });
    }
    IndexRange {
        start: e0,
        end: t.events.len() as u32,
    }
}

fn push_links(t: &mut Trace, links: &[OLink]) -> IndexRange {
    let l0 = t.links.len() as u32;
    for l in links {
        let attrs = push_kvs(t, &l.attributes);
        let link = Link {
            trace_id: t.push_str(&normalize_otlp_id(&l.trace_id, 16)),
            span_id: t.push_str(&normalize_otlp_id(&l.span_id, 8)),
            ref_type: RefType::FollowsFrom,
            attrs,
        };
        t.links.push(link);
    }
    IndexRange {
        start: l0,
        end: t.links.len() as u32,
    }
}

/// Adds attributes to `t`; returns their range.
fn push_kvs(t: &mut Trace, kvs: &[KeyValue]) -> IndexRange {
    let a0 = t.attrs.len() as u32;
    for kv in kvs {
        push_kv(t, kv);
    }
    IndexRange {
        start: a0,
        end: t.attrs.len() as u32,
    }
}

fn push_kv(t: &mut Trace, kv: &KeyValue) {
    let v = match &kv.value {
        Some(v) => any_value(t, v),
        None => Value::Str(Default::default()),
    };
    t.push_attr(&kv.key, v);
}

fn any_value(t: &mut Trace, v: &AnyValue) -> Value {
    if let Some(s) = &v.string_value {
        return Value::Str(t.push_str(s));
    }
    if let Some(b) = &v.bool_value {
        return Value::Bool(b.as_bool().unwrap_or(false));
    }
    if let Some(i) = &v.int_value {
        return match i.as_i64() {
            Some(n) => Value::Int(n),
            None => i.to_value(t),
        };
    }
    if let Some(d) = &v.double_value {
        return match d.as_f64() {
            Some(f) => Value::Float(f),
            None => d.to_value(t),
        };
    }
    if let Some(b) = &v.bytes_value {
        return Value::Bytes(t.push_str(b));
    }
    if v.array_value.is_some() || v.kvlist_value.is_some() {
        let mut out = String::new();
        json_text(v, &mut out);
        return Value::Json(t.push_str(&out));
    }
    Value::Str(Default::default())
}

/// Compact JSON for nested values. Nesting is bounded by serde_json's recursion limit (128) during parsing.
fn json_text(v: &AnyValue, out: &mut String) {
    if let Some(s) = &v.string_value {
        out.push_str(&serde_json::to_string(&**s).unwrap_or_default());
    } else if let Some(b) = &v.bool_value {
        out.push_str(if b.as_bool().unwrap_or(false) {
            "true"
        } else {
            "false"
        });
    } else if let Some(i) = &v.int_value {
        out.push_str(
            &i.as_i64()
                .map(|n| n.to_string())
                .unwrap_or_else(|| "null".into()),
        );
    } else if let Some(d) = &v.double_value {
        match d.as_f64().filter(|f| f.is_finite()) {
            Some(f) => out.push_str(&crate::text::format_float(f)),
            None => out.push_str("null"),
        }
    } else if let Some(b) = &v.bytes_value {
        out.push_str(&serde_json::to_string(&**b).unwrap_or_default());
    } else if let Some(a) = &v.array_value {
        out.push('[');
        for (i, x) in a.values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_text(x, out);
        }
        out.push(']');
    } else if let Some(kv) = &v.kvlist_value {
        out.push('{');
        for (i, x) in kv.values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(&*x.key).unwrap_or_default());
            out.push(':');
            match &x.value {
                Some(v) => json_text(v, out),
                None => out.push_str("null"),
            }
        }
        out.push('}');
    } else {
        out.push_str("null");
    }
}
