//! Zipkin v2 JSON: an array of spans, or an array of traces (arrays of spans).
//!
//! * Fragments of one span (same trace, ID, `shared` flag and local service) are merged.
//! * A `shared: true` server span reuses its client's ID: it is kept as its own span, the client's child.
//! * Trace IDs of 16 and 32 hex digits are matched on their low 64 bits, as Zipkin does by default.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::counted::{counted_id, Counted, OneOrMany};
use super::ids::normalize_hex_id;
use super::json::{from_json, null_default, opt_str, CowStr};
use super::scalar::Scalar;
use super::time::{span_duration, span_start, TimeUnit};
use super::trace_set::TraceSet;
use crate::model::{
    flags, Event, IndexRange, ParentRef, Resource, Span, SpanKind, StatusCode, Trace, Value,
    WarningKind,
};

#[derive(Deserialize, Default, Clone)]
struct ZSpan<'a> {
    #[serde(borrow, default, rename = "traceId")]
    trace_id: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "counted_id")]
    id: Cow<'a, str>,
    #[serde(deserialize_with = "opt_str", borrow, default, rename = "parentId")]
    parent_id: Option<CowStr<'a>>,
    #[serde(deserialize_with = "opt_str", borrow, default)]
    name: Option<CowStr<'a>>,
    #[serde(deserialize_with = "opt_str", borrow, default)]
    kind: Option<CowStr<'a>>,
    #[serde(borrow, default)]
    timestamp: Scalar<'a>,
    #[serde(borrow, default)]
    duration: Scalar<'a>,
    #[serde(borrow, default, rename = "localEndpoint")]
    local: Option<Endpoint<'a>>,
    #[serde(borrow, default, rename = "remoteEndpoint")]
    remote: Option<Endpoint<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    annotations: Vec<Annotation<'a>>,
    #[serde(borrow, default, deserialize_with = "null_default")]
    tags: BTreeMap<CowStr<'a>, Scalar<'a>>,
    #[serde(default, deserialize_with = "null_default")]
    shared: bool,
}

#[derive(Deserialize, Default, Clone, PartialEq)]
struct Endpoint<'a> {
    #[serde(deserialize_with = "opt_str", borrow, default, rename = "serviceName")]
    service_name: Option<CowStr<'a>>,
    #[serde(deserialize_with = "opt_str", borrow, default)]
    ipv4: Option<CowStr<'a>>,
    #[serde(deserialize_with = "opt_str", borrow, default)]
    ipv6: Option<CowStr<'a>>,
    #[serde(borrow, default)]
    port: Scalar<'a>,
}

#[derive(Deserialize, Default, Clone)]
struct Annotation<'a> {
    #[serde(borrow, default)]
    timestamp: Scalar<'a>,
    #[serde(borrow, default)]
    value: Cow<'a, str>,
}

/// Parses Zipkin v2 JSON into traces.
pub fn parse(bytes: &[u8]) -> Result<Vec<Trace>, serde_json::Error> {
    let top: Counted<OneOrMany<ZSpan>> = from_json(bytes)?;
    // Group by trace (low 64 bits), merging fragments.
    let mut groups: Vec<(String, Vec<ZSpan>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut frag_of: HashMap<(usize, String, bool, String), usize> = HashMap::new();
    let mut merged_count: Vec<usize> = Vec::new();
    for item in top.0 {
        for s in item.into_vec() {
            let norm = normalize_hex_id(&s.trace_id);
            let low = if norm.len() > 16 {
                norm[norm.len() - 16..].to_string()
            } else {
                norm
            };
            let g = *group_of.entry(low).or_insert_with(|| {
                groups.push((s.trace_id.to_string(), Vec::new()));
                merged_count.push(0);
                groups.len() - 1
            });
            // Show the longest form of the trace ID seen.
            if s.trace_id.len() > groups[g].0.len() {
                groups[g].0 = s.trace_id.to_string();
            }
            let svc = s
                .local
                .as_ref()
                .and_then(|l| l.service_name.as_deref())
                .unwrap_or("")
                .to_ascii_lowercase();
            let key = (g, normalize_hex_id(&s.id), s.shared, svc);
            match frag_of.get(&key) {
                Some(&i) => {
                    merge(&mut groups[g].1[i], s);
                    merged_count[g] += 1;
                }
                None => {
                    frag_of.insert(key, groups[g].1.len());
                    groups[g].1.push(s);
                }
            }
        }
    }

    let mut set = TraceSet::default();
    for (g, (tid, spans)) in groups.into_iter().enumerate() {
        let t = set.get(&tid);
        if merged_count[g] > 0 {
            t.warn(
                WarningKind::Format,
                None,
                format!(
                    "{} span fragments were merged into the spans they belong to",
                    merged_count[g]
                ),
            );
        }
        build_trace(t, &spans);
    }
    Ok(set.into_traces())
}

/// Folds a later fragment into the first one.
fn merge<'a>(a: &mut ZSpan<'a>, b: ZSpan<'a>) {
    let (a_start, b_start) = (a.timestamp.as_i64(), b.timestamp.as_i64());
    let (a_end, b_end) = (
        a_start.zip(a.duration.as_i64()).map(|(s, d)| s + d),
        b_start.zip(b.duration.as_i64()).map(|(s, d)| s + d),
    );
    let start = match (a_start, b_start) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let end = match (a_end, b_end) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    if let Some(s) = start {
        a.timestamp = Scalar::I64(s);
    }
    if let (Some(s), Some(e)) = (start, end) {
        a.duration = Scalar::I64(e - s);
    } else if a.duration.is_null() {
        a.duration = b.duration;
    }
    if a.parent_id.as_deref().is_none_or(str::is_empty) {
        a.parent_id = b.parent_id;
    }
    if a.name
        .as_deref()
        .is_none_or(|n| n.is_empty() || n == "unknown")
        && b.name.is_some()
    {
        a.name = b.name;
    }
    if a.kind.is_none() {
        a.kind = b.kind;
    }
    if a.local.is_none() {
        a.local = b.local;
    }
    if a.remote.is_none() {
        a.remote = b.remote;
    }
    a.annotations.extend(b.annotations);
    for (k, v) in b.tags {
        a.tags.entry(k).or_insert(v);
    }
}

fn build_trace(t: &mut Trace, spans: &[ZSpan]) {
    let mut resources: Vec<(Option<Endpoint>, u32)> = Vec::new();
    let mut links = Linking::default();
    for s in spans {
        let resource = match resources.iter().find(|(e, _)| *e == s.local) {
            Some(&(_, r)) => r,
            None => {
                let r = push_resource(t, s.local.as_ref());
                resources.push((s.local.clone(), r));
                r
            }
        };
        let span = convert_span(t, s, resource, &mut links);
        t.spans.push(span);
    }
    links.link(t);
}

/// The names an endpoint's fields are kept under, as attributes.
struct EndpointKeys {
    /// `None`: the service name is not kept (it is the span's service).
    service_name: Option<&'static str>,
    ipv4: &'static str,
    ipv6: &'static str,
    port: &'static str,
}

const LOCAL_ENDPOINT: EndpointKeys = EndpointKeys {
    service_name: None,
    ipv4: "ipv4",
    ipv6: "ipv6",
    port: "port",
};

const REMOTE_ENDPOINT: EndpointKeys = EndpointKeys {
    service_name: Some("remoteEndpoint.serviceName"),
    ipv4: "remoteEndpoint.ipv4",
    ipv6: "remoteEndpoint.ipv6",
    port: "remoteEndpoint.port",
};

fn push_endpoint(t: &mut Trace, e: &Endpoint, keys: &EndpointKeys) {
    if let (Some(key), Some(n)) = (keys.service_name, &e.service_name) {
        t.push_str_attr(key, n);
    }
    if let Some(ip) = &e.ipv4 {
        t.push_str_attr(keys.ipv4, ip);
    }
    if let Some(ip) = &e.ipv6 {
        t.push_str_attr(keys.ipv6, ip);
    }
    if let Some(p) = e.port.as_i64() {
        t.push_attr(keys.port, Value::Int(p));
    }
}

/// Adds the resource of a local endpoint (its addresses) to `t`; returns its index.
fn push_resource(t: &mut Trace, local: Option<&Endpoint>) -> u32 {
    let a0 = t.attrs.len() as u32;
    if let Some(l) = local {
        push_endpoint(t, l, &LOCAL_ENDPOINT);
    }
    t.resources.push(Resource {
        attrs: IndexRange {
            start: a0,
            end: t.attrs.len() as u32,
        },
        ..Resource::default()
    });
    (t.resources.len() - 1) as u32
}

/// Converts a span for `t`, of which it will be the next; its parent is noted in `links`.
fn convert_span(t: &mut Trace, s: &ZSpan, resource: u32, links: &mut Linking) -> Span {
    let service = s
        .local
        .as_ref()
        .and_then(|l| l.service_name.as_deref())
        .filter(|n| !n.is_empty())
        .unwrap_or("unknown");
    let mut span = Span {
        span_id: t.push_str(&s.id),
        service: t.strings.intern(service),
        operation: t.strings.intern(s.name.as_deref().unwrap_or("")),
        resource,
        kind: s.kind.as_deref().map(SpanKind::parse).unwrap_or_default(),
        ..Span::default()
    };
    read_times(t, &mut span, s);
    links.note(t, &mut span, s);
    span.attrs = push_tags(t, &mut span, s);
    span.events = push_annotations(t, s);
    span
}

/// Tags and the remote endpoint become attributes; the `error` tag is read as well as kept.
fn push_tags(t: &mut Trace, span: &mut Span, s: &ZSpan) -> IndexRange {
    let a0 = t.attrs.len() as u32;
    for (k, v) in &s.tags {
        if &**k == "error" {
            span.flags |= flags::ERROR;
            span.status = StatusCode::Error;
            span.status_message = t.push_str(&v.to_text());
        }
        let val = t.push_str(&v.to_text());
        t.push_attr(k, Value::Str(val));
    }
    if let Some(r) = &s.remote {
        push_endpoint(t, r, &REMOTE_ENDPOINT);
    }
    IndexRange {
        start: a0,
        end: t.attrs.len() as u32,
    }
}

/// Annotations become events.
fn push_annotations(t: &mut Trace, s: &ZSpan) -> IndexRange {
    let e0 = t.events.len() as u32;
    for a in &s.annotations {
        let name = t.push_str(&a.value);
        t.events.push(Event {
            time_ns: a.timestamp.as_i64().unwrap_or(0).saturating_mul(1000),
            name,
            attrs: IndexRange::default(),
        });
    }
    IndexRange {
        start: e0,
        end: t.events.len() as u32,
    }
}

/// The span's start and duration, flagged and warned about when missing or out of range. The span is the next of `t`.
fn read_times(t: &mut Trace, span: &mut Span, s: &ZSpan) {
    let idx = t.spans.len() as u32;
    let (start, start_warning) = span_start(&s.timestamp, TimeUnit::Micros, "timestamp", &s.id);
    let (duration, duration_warning) =
        span_duration(&s.duration, TimeUnit::Micros, "duration", &s.id);
    for w in [&start_warning, &duration_warning].into_iter().flatten() {
        t.warn(WarningKind::TimeValue, Some(idx), w.clone());
    }
    match start {
        Some(ns) if ns > 0 => span.start_ns = ns,
        _ => {
            span.flags |= flags::NO_TIMESTAMP;
            if start_warning.is_none() {
                let msg = format!(
                    "span {} has no timestamp; placed at its parent's start",
                    s.id
                );
                t.warn(WarningKind::MissingTimestamp, Some(idx), msg);
            }
        }
    }
    match duration {
        Some(ns) => span.duration_ns = ns,
        None => {
            span.flags |= flags::NO_DURATION;
            if duration_warning.is_none() {
                let msg = format!("span {} has no duration; drawn as an instant", s.id);
                t.warn(WarningKind::MissingTimestamp, Some(idx), msg);
            }
        }
    }
}

/// Spans by normalised ID, to give each its parent once all are converted.
#[derive(Default)]
struct Linking {
    /// The first span of each ID that is not `shared`: the client side of a shared ID.
    client_of: HashMap<String, u32>,
    /// `shared` spans: the server sides, each with its ID.
    shared: Vec<(u32, String)>,
    /// The first `shared` span of each ID.
    shared_of: HashMap<String, u32>,
    /// Spans with a parent ID, and that ID.
    parent_ids: Vec<(u32, String)>,
}

impl Linking {
    /// Notes `span`, converted from `s`, to be the next span of `t`; sets its parent ID (and its shared flag).
    fn note(&mut self, t: &mut Trace, span: &mut Span, s: &ZSpan) {
        let idx = t.spans.len() as u32;
        if s.shared {
            span.flags |= flags::SHARED;
            self.shared.push((idx, normalize_hex_id(&s.id)));
            self.shared_of.entry(normalize_hex_id(&s.id)).or_insert(idx);
        } else {
            self.client_of.entry(normalize_hex_id(&s.id)).or_insert(idx);
        }
        if let Some(p) = s.parent_id.as_deref().filter(|p| !p.is_empty()) {
            span.parent = ParentRef::Id(t.push_str(p));
            self.parent_ids.push((idx, normalize_hex_id(p)));
        }
    }

    /// Gives every noted span its parent by index.
    fn link(self, t: &mut Trace) {
        // Parents by normalised ID. A child of a shared ID belongs to the server side when it runs in the server's
        // service, else to the client side.
        for (idx, pid) in self.parent_ids {
            let svc = t.spans[idx as usize].service;
            let server = self.shared_of.get(&pid).copied();
            let client = self.client_of.get(&pid).copied();
            let p = match (server, client) {
                (Some(s), Some(c)) => {
                    if t.spans[s as usize].service == svc {
                        Some(s)
                    } else {
                        Some(c)
                    }
                }
                (s, c) => s.or(c),
            };
            if let Some(p) = p.filter(|&p| p != idx) {
                t.spans[idx as usize].parent = ParentRef::Index(p);
            }
        }
        // A shared server span is the child of the client span whose ID it reuses.
        for (idx, id) in self.shared {
            if let Some(&c) = self.client_of.get(&id) {
                t.spans[idx as usize].parent = ParentRef::Index(c);
            }
        }
    }
}
