//! A trace written back out as normalized OTLP JSON (an `ExportTraceServiceRequest`), which [`super::otlp`] reads.
//!
//! * One `resourceSpans` per (service, resource) in order of first appearance, each with one `scopeSpans` (the
//!   model keeps one scope per resource); `service.name` in the resource is the span's service.
//! * IDs are lower-case hex of 32 (trace) and 16 (span) digits: shorter hex IDs are padded with zeros; an ID that
//!   is not hex, or all zeros, is replaced by a hash of its text. A span that shares its ID with another (a Zipkin
//!   `shared` server span under the client whose ID it reuses, a later span of a duplicate ID, flagged by
//!   `analysis::tree`) gets an ID of its own, as Jaeger's span ID deduper does, so the tree
//!   survives: each span's `parentSpanId` is its parent in the tree shown, by that parent's written ID.
//! * Times are integer nanoseconds, written as decimal strings; `intValue` too, as protobuf's JSON mapping has it.
//! * Arrays and key/value lists kept as JSON text become `arrayValue` / `kvlistValue` again; `bytesValue` is the
//!   text the file gave. The `w3c.tracestate` attribute the reader makes of `traceState` goes back there.
//! * OTLP has no place for a reference's type: a FOLLOWS_FROM parent is written as the parent, and a link's
//!   CHILD_OF / FOLLOWS_FROM is not written.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::model::{
    flags, Attr, Event, Link, ParentRef, Span, SpanKind, StatusCode, Sym, Trace, Value,
};

/// No parent in the tree (as `analysis::tree::NONE`).
const NONE: u32 = u32::MAX;

/// The whole trace as OTLP JSON. `parents` is the tree's parent of each span (`u32::MAX` for a root); when its
/// length is not the span count, the parents the file named are written instead.
pub fn trace_json(trace: &Trace, parents: &[u32]) -> String {
    let w = Writer::new(trace, parents);
    let groups = w.groups();
    serde_json::to_string(&Document {
        w: &w,
        groups: &groups,
    })
    .unwrap_or_default()
}

/// One span as an OTLP JSON document of its own (its resource, scope and the span), pretty-printed: what "Copy
/// JSON" copies. Empty for an index out of range.
pub fn span_json(trace: &Trace, parents: &[u32], span: u32) -> String {
    let Some(s) = trace.spans.get(span as usize) else {
        return String::new();
    };
    let w = Writer::new(trace, parents);
    let groups = [(s.service, s.resource, vec![span])];
    serde_json::to_string_pretty(&Document {
        w: &w,
        groups: &groups,
    })
    .unwrap_or_default()
}

/// The trace ID as written: 32 lower-case hex digits.
pub fn trace_id(trace: &Trace) -> String {
    hex_or_hash(&trace.trace_id, 32)
}

/// The span ID written for span `i` (see the module's notes); `parents` as for [`trace_json`].
pub fn span_id(trace: &Trace, parents: &[u32], i: u32) -> String {
    let Some(s) = trace.spans.get(i as usize) else {
        return String::new();
    };
    let text = trace.str(s.span_id);
    if s.has(flags::DUPLICATE_ID) || reuses_parent_id(trace, parents, i, s) {
        hashed(text, u64::from(i) + 1, 16)
    } else {
        hex_or_hash(text, 16)
    }
}

/// A Zipkin `shared` server span under the client span whose ID it reuses.
fn reuses_parent_id(t: &Trace, parents: &[u32], i: u32, s: &Span) -> bool {
    if !s.has(flags::SHARED) {
        return false;
    }
    let parent = match parents.get(i as usize) {
        Some(&p) if parents.len() == t.spans.len() => p,
        _ => match s.parent {
            ParentRef::Index(p) => p,
            _ => NONE,
        },
    };
    parent != NONE && parent != i && t.span_id(parent) == t.str(s.span_id)
}

/// `id` padded to `digits` lower-case hex digits, or, when it is not hex, longer, or all zeros, a hash of it.
fn hex_or_hash(id: &str, digits: usize) -> String {
    let id = id.trim();
    let hex = !id.is_empty() && id.len() <= digits && id.bytes().all(|b| b.is_ascii_hexdigit());
    if hex && !id.bytes().all(|b| b == b'0') {
        format!("{:0>digits$}", id.to_ascii_lowercase())
    } else {
        hashed(id, 0, digits)
    }
}

/// `digits` hex digits (16 or 32) of FNV-1a hashes of `text` with `salt`; never all zeros.
fn hashed(text: &str, salt: u64, digits: usize) -> String {
    let fnv = |seed: u64| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in salt.to_le_bytes().iter().chain(text.as_bytes()) {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        h.max(1)
    };
    let mut out = format!("{:016x}", fnv(0));
    if digits > 16 {
        out.push_str(&format!("{:016x}", fnv(0x9e37_79b9_7f4a_7c15)));
    }
    out
}

/// OTLP's number for a span kind.
fn kind_number(k: SpanKind) -> u8 {
    match k {
        SpanKind::Unspecified => 0,
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

struct Writer<'a> {
    t: &'a Trace,
    parents: &'a [u32],
    trace_id: String,
    tracestate: Option<Sym>,
    service_name: Option<Sym>,
}

impl<'a> Writer<'a> {
    fn new(t: &'a Trace, parents: &'a [u32]) -> Writer<'a> {
        Writer {
            t,
            parents,
            trace_id: trace_id(t),
            tracestate: t.strings.lookup("w3c.tracestate"),
            service_name: t.strings.lookup("service.name"),
        }
    }

    /// Spans by (service, resource), in order of first appearance.
    fn groups(&self) -> Vec<(Sym, u32, Vec<u32>)> {
        let mut at: crate::model::FxHashMap<(Sym, u32), usize> = Default::default();
        let mut groups: Vec<(Sym, u32, Vec<u32>)> = Vec::new();
        for (i, s) in self.t.spans.iter().enumerate() {
            let g = *at.entry((s.service, s.resource)).or_insert_with(|| {
                groups.push((s.service, s.resource, Vec::new()));
                groups.len() - 1
            });
            groups[g].2.push(i as u32);
        }
        groups
    }

    /// The written ID of span `i`'s parent: its parent in the tree, else (a parent not in the trace) the ID the
    /// file named.
    fn parent_id(&self, i: u32, s: &Span) -> Option<String> {
        if self.parents.len() == self.t.spans.len() {
            let p = self.parents[i as usize];
            if p != NONE {
                return Some(span_id(self.t, self.parents, p));
            }
        } else if let ParentRef::Index(p) = s.parent {
            return (p != i).then(|| span_id(self.t, self.parents, p));
        }
        match s.parent {
            ParentRef::Id(pid) => {
                let text = self.t.str(pid);
                let none = text.bytes().all(|b| b == b'0') || text == self.t.str(s.span_id);
                (!none).then(|| hex_or_hash(text, 16))
            }
            _ => None,
        }
    }

    /// OTLP's status code for a span: ERROR for a span Stitch counts as an error.
    fn status_code(s: &Span) -> u8 {
        if s.is_error() {
            2
        } else if s.status == StatusCode::Ok {
            1
        } else {
            0
        }
    }
}

struct Document<'a, 'w> {
    w: &'a Writer<'w>,
    groups: &'a [(Sym, u32, Vec<u32>)],
}

impl Serialize for Document<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(1))?;
        let groups: Vec<Group> = self
            .groups
            .iter()
            .map(|(service, resource, spans)| Group {
                w: self.w,
                service: *service,
                resource: *resource,
                spans,
            })
            .collect();
        m.serialize_entry("resourceSpans", &groups)?;
        m.end()
    }
}

struct Group<'a, 'w> {
    w: &'a Writer<'w>,
    service: Sym,
    resource: u32,
    spans: &'a [u32],
}

impl Serialize for Group<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.w.t;
        let res = t
            .resources
            .get(self.resource as usize)
            .copied()
            .unwrap_or_default();
        let mut m = ser.serialize_map(Some(2))?;
        let resource = ResourceOut {
            w: self.w,
            service: t.sym(self.service),
            attrs: t.attr_range(res.attrs),
        };
        m.serialize_entry("resource", &resource)?;
        let mut scope = serde_json::Map::new();
        for (key, text) in [("name", res.scope_name), ("version", res.scope_version)] {
            if text.len > 0 {
                scope.insert(key.into(), t.str(text).into());
            }
        }
        let spans: Vec<SpanOut> = self
            .spans
            .iter()
            .map(|&i| SpanOut { w: self.w, i })
            .collect();
        let scope_attrs = Attrs {
            w: self.w,
            attrs: t.attr_range(res.scope_attrs),
            skip: None,
        };
        m.serialize_entry(
            "scopeSpans",
            &[ScopeSpans {
                scope: &scope,
                scope_attrs: &scope_attrs,
                spans: &spans,
            }],
        )?;
        m.end()
    }
}

/// A resource's attributes, with `service.name` set to the spans' service (first when the file had none).
struct ResourceOut<'a, 'w> {
    w: &'a Writer<'w>,
    service: &'a str,
    attrs: &'a [Attr],
}

impl Serialize for ResourceOut<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(1))?;
        struct List<'a, 'b, 'w>(&'b ResourceOut<'a, 'w>);
        impl Serialize for List<'_, '_, '_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let r = self.0;
                let named = |a: &Attr| Some(a.key) == r.w.service_name;
                let mut seq = ser.serialize_seq(None)?;
                if !r.attrs.iter().any(named) {
                    seq.serialize_element(&ServiceName(r.service))?;
                }
                for a in r.attrs {
                    if named(a) {
                        seq.serialize_element(&ServiceName(r.service))?;
                    } else {
                        seq.serialize_element(&KeyValue { w: r.w, attr: a })?;
                    }
                }
                seq.end()
            }
        }
        m.serialize_entry("attributes", &List(self))?;
        m.end()
    }
}

struct ServiceName<'a>(&'a str);

impl Serialize for ServiceName<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(2))?;
        m.serialize_entry("key", "service.name")?;
        m.serialize_entry("value", &serde_json::json!({ "stringValue": self.0 }))?;
        m.end()
    }
}

struct ScopeSpans<'a, 'w> {
    scope: &'a serde_json::Map<String, serde_json::Value>,
    scope_attrs: &'a Attrs<'a, 'w>,
    spans: &'a [SpanOut<'a, 'w>],
}

impl Serialize for ScopeSpans<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        struct Scope<'a, 'b, 'w>(&'b ScopeSpans<'a, 'w>);
        impl Serialize for Scope<'_, '_, '_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut m = ser.serialize_map(None)?;
                for (k, v) in self.0.scope {
                    m.serialize_entry(k, v)?;
                }
                if !self.0.scope_attrs.attrs.is_empty() {
                    m.serialize_entry("attributes", self.0.scope_attrs)?;
                }
                m.end()
            }
        }
        let mut m = ser.serialize_map(Some(2))?;
        m.serialize_entry("scope", &Scope(self))?;
        m.serialize_entry("spans", self.spans)?;
        m.end()
    }
}

struct SpanOut<'a, 'w> {
    w: &'a Writer<'w>,
    i: u32,
}

impl Serialize for SpanOut<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let (w, t) = (self.w, self.w.t);
        let Some(s) = t.spans.get(self.i as usize) else {
            return ser.serialize_map(Some(0))?.end();
        };
        let attrs = t.attr_range(s.attrs);
        let tracestate = attrs.iter().find(|a| Some(a.key) == w.tracestate);
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("traceId", &w.trace_id)?;
        m.serialize_entry("spanId", &span_id(t, w.parents, self.i))?;
        if let Some(p) = w.parent_id(self.i, s) {
            m.serialize_entry("parentSpanId", &p)?;
        }
        if let Some(Attr {
            value: Value::Str(ts),
            ..
        }) = tracestate
        {
            m.serialize_entry("traceState", t.str(*ts))?;
        }
        m.serialize_entry("name", t.sym(s.operation))?;
        m.serialize_entry("kind", &kind_number(s.kind))?;
        m.serialize_entry("startTimeUnixNano", &s.start_ns.to_string())?;
        let end = s.start_ns.saturating_add(s.duration_ns);
        m.serialize_entry("endTimeUnixNano", &end.to_string())?;
        let skip = tracestate.filter(|a| matches!(a.value, Value::Str(_)));
        m.serialize_entry("attributes", &Attrs { w, attrs, skip })?;
        if !s.events.is_empty() {
            let events: Vec<EventOut> = t
                .events
                .get(s.events.range())
                .unwrap_or(&[])
                .iter()
                .map(|e| EventOut { w, e })
                .collect();
            m.serialize_entry("events", &events)?;
        }
        if !s.links.is_empty() {
            let links: Vec<LinkOut> = t
                .links
                .get(s.links.range())
                .unwrap_or(&[])
                .iter()
                .map(|l| LinkOut { w, l })
                .collect();
            m.serialize_entry("links", &links)?;
        }
        let code = Writer::status_code(s);
        if code != 0 || s.status_message.len > 0 {
            let mut status = serde_json::json!({ "code": code });
            if s.status_message.len > 0 {
                status["message"] = t.str(s.status_message).into();
            }
            m.serialize_entry("status", &status)?;
        }
        m.end()
    }
}

struct EventOut<'a, 'w> {
    w: &'a Writer<'w>,
    e: &'a Event,
}

impl Serialize for EventOut<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.w.t;
        let mut m = ser.serialize_map(Some(3))?;
        m.serialize_entry("timeUnixNano", &self.e.time_ns.to_string())?;
        m.serialize_entry("name", t.str(self.e.name))?;
        let attrs = Attrs {
            w: self.w,
            attrs: t.attr_range(self.e.attrs),
            skip: None,
        };
        m.serialize_entry("attributes", &attrs)?;
        m.end()
    }
}

struct LinkOut<'a, 'w> {
    w: &'a Writer<'w>,
    l: &'a Link,
}

impl Serialize for LinkOut<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.w.t;
        let tid = t.str(self.l.trace_id);
        let mut m = ser.serialize_map(Some(3))?;
        // A reference without a trace ID (Jaeger) is to a span of this trace.
        if tid.is_empty() {
            m.serialize_entry("traceId", &self.w.trace_id)?;
        } else {
            m.serialize_entry("traceId", &hex_or_hash(tid, 32))?;
        }
        m.serialize_entry("spanId", &hex_or_hash(t.str(self.l.span_id), 16))?;
        let attrs = Attrs {
            w: self.w,
            attrs: t.attr_range(self.l.attrs),
            skip: None,
        };
        m.serialize_entry("attributes", &attrs)?;
        m.end()
    }
}

/// A list of attributes as OTLP `KeyValue`s, leaving out `skip`.
struct Attrs<'a, 'w> {
    w: &'a Writer<'w>,
    attrs: &'a [Attr],
    skip: Option<&'a Attr>,
}

impl Serialize for Attrs<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut seq = ser.serialize_seq(None)?;
        for a in self.attrs {
            if self.skip.is_some_and(|s| std::ptr::eq(s, a)) {
                continue;
            }
            seq.serialize_element(&KeyValue { w: self.w, attr: a })?;
        }
        seq.end()
    }
}

struct KeyValue<'a, 'w> {
    w: &'a Writer<'w>,
    attr: &'a Attr,
}

impl Serialize for KeyValue<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.w.t;
        let mut m = ser.serialize_map(Some(2))?;
        m.serialize_entry("key", t.sym(self.attr.key))?;
        let value = match self.attr.value {
            Value::Str(s) => serde_json::json!({ "stringValue": t.str(s) }),
            Value::Int(i) => serde_json::json!({ "intValue": i.to_string() }),
            Value::Float(f) => serde_json::json!({ "doubleValue": double(f) }),
            Value::Bool(b) => serde_json::json!({ "boolValue": b }),
            Value::Bytes(s) => serde_json::json!({ "bytesValue": t.str(s) }),
            Value::Json(s) => json_any_value(t.str(s)),
        };
        m.serialize_entry("value", &value)?;
        m.end()
    }
}

/// A double as protobuf's JSON mapping writes it: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn double(f: f64) -> serde_json::Value {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        f.into()
    }
}

/// A value kept as JSON text (an OTLP array or key/value list, a Chrome argument object) as an OTLP `AnyValue`,
/// keys in their order; text that is not JSON stays a `stringValue`.
fn json_any_value(text: &str) -> serde_json::Value {
    match serde_json::from_str::<Ordered>(text) {
        Ok(v) => v.into_any_value(),
        Err(_) => serde_json::json!({ "stringValue": text }),
    }
}

/// Parsed JSON that keeps the order of an object's keys (serde_json's own map sorts them). Its depth is bounded by
/// serde_json's recursion limit.
enum Ordered {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    fn into_any_value(self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Ordered::Null => json!({}),
            Ordered::Bool(b) => json!({ "boolValue": b }),
            Ordered::Int(i) => json!({ "intValue": i.to_string() }),
            Ordered::Float(f) => json!({ "doubleValue": double(f) }),
            Ordered::Str(s) => json!({ "stringValue": s }),
            Ordered::List(items) => {
                let values: Vec<_> = items.into_iter().map(Ordered::into_any_value).collect();
                json!({ "arrayValue": { "values": values } })
            }
            Ordered::Object(entries) => {
                let values: Vec<_> = entries
                    .into_iter()
                    .map(|(k, v)| json!({ "key": k, "value": v.into_any_value() }))
                    .collect();
                json!({ "kvlistValue": { "values": values } })
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Ordered, D::Error> {
        de.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> serde::de::Visitor<'de> for OrderedVisitor {
    type Value = Ordered;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Ordered, E> {
        Ok(Ordered::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Ordered, E> {
        Ok(Ordered::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Ordered, E> {
        Ok(i64::try_from(u).map_or(Ordered::Float(u as f64), Ordered::Int))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Ordered, E> {
        Ok(Ordered::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Ordered, E> {
        Ok(Ordered::Str(s.to_string()))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Ordered::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
            entries.push((k, v));
        }
        Ok(Ordered::Object(entries))
    }
}
