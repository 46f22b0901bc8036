//! The trace model: flat, index-based, built to hold a million spans.
//!
//! * Spans live in one `Vec<Span>` and are addressed by `u32` index.
//! * Service, operation and attribute-key strings are interned (`Sym`).
//! * Every other string (IDs, attribute values, event names) is a `Str`: a slice of one text arena.
//! * Attributes, events and links of a span are index ranges into shared vectors.
//! * Times are integer nanoseconds since the Unix epoch (`i64`). Nothing here is `f64` time.

use std::collections::HashMap;
use std::ops::Range;

/// An interned string: an index into [`Interner`].
pub type Sym = u32;

/// A string stored in a [`Trace`]'s text arena: byte offset and length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Str {
    pub off: u32,
    pub len: u32,
}

/// A compact `u32` range into one of the trace's side vectors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexRange {
    pub start: u32,
    pub end: u32,
}

impl IndexRange {
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// A fast, non-cryptographic hasher (the Fx hash used by rustc) for maps keyed by strings from the file.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = HashMap<K, V, FxBuild>;

/// Deduplicating string table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interner {
    strings: Vec<Box<str>>,
    map: FxHashMap<Box<str>, Sym>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.strings.len() as Sym;
        self.strings.push(s.into());
        self.map.insert(s.into(), id);
        id
    }
    pub fn get(&self, sym: Sym) -> &str {
        self.strings.get(sym as usize).map(|s| &**s).unwrap_or("")
    }
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }
    pub fn len(&self) -> usize {
        self.strings.len()
    }
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
    /// Parses names used by Jaeger (`server`), Zipkin (`SERVER`) and OTLP (`SPAN_KIND_SERVER`).
    pub fn parse(s: &str) -> SpanKind {
        let s = s.strip_prefix("SPAN_KIND_").unwrap_or(s);
        // Compared without a lower-cased copy: this runs once per span.
        [
            ("internal", SpanKind::Internal),
            ("server", SpanKind::Server),
            ("client", SpanKind::Client),
            ("producer", SpanKind::Producer),
            ("consumer", SpanKind::Consumer),
        ]
        .into_iter()
        .find(|(name, _)| s.eq_ignore_ascii_case(name))
        .map_or(SpanKind::Unspecified, |(_, k)| k)
    }
    /// OTLP's numeric encoding.
    pub fn from_otlp(n: i64) -> SpanKind {
        match n {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }
}

/// How a span relates to its parent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RefType {
    #[default]
    ChildOf,
    FollowsFrom,
}

/// Bit flags on a span.
pub mod flags {
    /// The span is marked as an error (see the README for each format's rule).
    pub const ERROR: u8 = 1;
    /// The file gave no start timestamp; the span was placed at its parent's start (or the trace start).
    pub const NO_TIMESTAMP: u8 = 2;
    /// The file gave no duration.
    pub const NO_DURATION: u8 = 4;
    /// The parent is linked by FOLLOWS_FROM rather than CHILD_OF.
    pub const FOLLOWS_FROM: u8 = 8;
    /// Another span in the trace has the same span ID.
    pub const DUPLICATE_ID: u8 = 16;
    /// Shared server span (Zipkin) that reuses its client's ID.
    pub const SHARED: u8 = 32;
}

/// OTLP status code, also derived for other formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Str(Str),
    /// Integers are exact: an int64 written as a string beyond 2^53 stays exact.
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Binary data, kept as the text the file gave (base64 or hex).
    Bytes(Str),
    /// Arrays and key/value lists, kept as compact JSON text.
    Json(Str),
}

/// Where an attribute came from, for grouping in the detail panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AttrScope {
    #[default]
    Span,
    /// OTLP resource attributes, Jaeger process tags, Zipkin endpoint fields.
    Resource,
    /// OTLP instrumentation scope.
    Scope,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attr {
    pub key: Sym,
    pub value: Value,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    pub time_ns: i64,
    pub name: Str,
    pub attrs: IndexRange,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub trace_id: Str,
    pub span_id: Str,
    pub ref_type: RefType,
    pub attrs: IndexRange,
}

/// A resource (OTLP resource + scope, Jaeger process, Zipkin local endpoint), shared by many spans.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Resource {
    pub attrs: IndexRange,
    pub scope_name: Str,
    pub scope_version: Str,
    pub scope_attrs: IndexRange,
}

/// Who the parent is, as the file says it; resolved into a tree by `analysis::tree`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParentRef {
    #[default]
    None,
    /// The parent's span ID as written in the file.
    Id(Str),
    /// A parent already resolved by the parser (Zipkin shared spans).
    Index(u32),
}

/// One span. About 100 bytes; everything variable-length is elsewhere.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Span {
    pub span_id: Str,
    pub parent: ParentRef,
    pub service: Sym,
    pub operation: Sym,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub kind: SpanKind,
    pub status: StatusCode,
    pub flags: u8,
    pub status_message: Str,
    pub resource: u32,
    pub attrs: IndexRange,
    pub events: IndexRange,
    pub links: IndexRange,
}

impl Span {
    pub fn end_ns(&self) -> i64 {
        self.start_ns.saturating_add(self.duration_ns.max(0))
    }
    pub fn is_error(&self) -> bool {
        self.flags & flags::ERROR != 0
    }
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Something imperfect about the data, shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// The span concerned, if any.
    pub span: Option<u32>,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningKind {
    MissingParent,
    ParentCycle,
    DuplicateSpanId,
    ChildOutsideParent,
    NonPositiveDuration,
    MissingTimestamp,
    ClockSkew,
    Format,
    /// A time out of range (before 1970, after 2116), or in a unit other than its field's.
    TimeValue,
}

impl WarningKind {
    pub fn label(self) -> &'static str {
        match self {
            WarningKind::MissingParent => "missing parent",
            WarningKind::ParentCycle => "parent cycle",
            WarningKind::DuplicateSpanId => "duplicate span ID",
            WarningKind::ChildOutsideParent => "child outside parent",
            WarningKind::NonPositiveDuration => "zero or negative duration",
            WarningKind::MissingTimestamp => "missing timestamp",
            WarningKind::ClockSkew => "clock skew",
            WarningKind::Format => "format",
            WarningKind::TimeValue => "time value",
        }
    }
}

/// One trace: all its spans and the data they point into.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub trace_id: String,
    pub spans: Vec<Span>,
    pub strings: Interner,
    pub text: String,
    pub attrs: Vec<Attr>,
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    pub resources: Vec<Resource>,
    /// Warnings from the parser and the tree builder; at most [`MAX_WARNINGS_PER_KIND`] of each kind are kept,
    /// while `warning_counts` counts them all.
    pub warnings: Vec<Warning>,
    pub warning_counts: std::collections::BTreeMap<WarningKind, usize>,
}

/// How many warning messages of one kind are kept (all are counted).
pub const MAX_WARNINGS_PER_KIND: usize = 200;

impl Trace {
    pub fn new(trace_id: &str) -> Trace {
        let mut t = Trace {
            trace_id: trace_id.to_string(),
            ..Trace::default()
        };
        // Resource 0 is the empty resource, and Sym 0 is the empty string.
        t.resources.push(Resource::default());
        t.strings.intern("");
        t
    }

    /// Stores `s` in the text arena.
    pub fn push_str(&mut self, s: &str) -> Str {
        if s.is_empty() {
            return Str::default();
        }
        let off = self.text.len() as u32;
        self.text.push_str(s);
        Str {
            off,
            len: s.len() as u32,
        }
    }

    pub fn str(&self, s: Str) -> &str {
        self.text
            .get(s.off as usize..(s.off + s.len) as usize)
            .unwrap_or("")
    }

    pub fn sym(&self, s: Sym) -> &str {
        self.strings.get(s)
    }

    pub fn service(&self, i: u32) -> &str {
        self.spans
            .get(i as usize)
            .map(|s| self.sym(s.service))
            .unwrap_or("")
    }
    pub fn operation(&self, i: u32) -> &str {
        self.spans
            .get(i as usize)
            .map(|s| self.sym(s.operation))
            .unwrap_or("")
    }
    pub fn span_id(&self, i: u32) -> &str {
        self.spans
            .get(i as usize)
            .map(|s| self.str(s.span_id))
            .unwrap_or("")
    }

    pub fn span_attrs(&self, i: u32) -> &[Attr] {
        match self.spans.get(i as usize) {
            Some(s) => &self.attrs[s.attrs.range()],
            None => &[],
        }
    }

    pub fn attr_range(&self, r: IndexRange) -> &[Attr] {
        self.attrs.get(r.range()).unwrap_or(&[])
    }

    /// Adds an attribute and returns its index.
    pub fn push_attr(&mut self, key: &str, value: Value) {
        let key = self.strings.intern(key);
        self.attrs.push(Attr { key, value });
    }

    pub fn push_str_attr(&mut self, key: &str, value: &str) {
        let v = self.push_str(value);
        self.push_attr(key, Value::Str(v));
    }

    /// Renders a value as text, for display and search.
    pub fn value_text(&self, v: &Value) -> String {
        match v {
            Value::Str(s) | Value::Bytes(s) | Value::Json(s) => self.str(*s).to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Bool(b) => b.to_string(),
        }
    }

    /// The first span attribute with this key.
    pub fn find_attr(&self, span: u32, key: &str) -> Option<&Value> {
        let k = self.strings.lookup(key)?;
        self.span_attrs(span)
            .iter()
            .find(|a| a.key == k)
            .map(|a| &a.value)
    }

    pub fn warn(&mut self, kind: WarningKind, span: Option<u32>, message: impl Into<String>) {
        let n = self.warning_counts.entry(kind).or_insert(0);
        *n += 1;
        if *n <= MAX_WARNINGS_PER_KIND {
            self.warnings.push(Warning {
                kind,
                span,
                message: message.into(),
            });
        }
    }

    /// Copies spans `idx` of `src`, with their attributes, events, links, resources and warnings, to the end of this
    /// trace (used when spans parsed apart turn out to belong to one trace). Parents given by index are kept when
    /// the parent is copied too.
    pub fn append_spans(&mut self, src: &Trace, idx: &[u32]) {
        let base = self.spans.len() as u32;
        let mut new_index = vec![u32::MAX; src.spans.len()];
        for (k, &i) in idx.iter().enumerate() {
            if let Some(slot) = new_index.get_mut(i as usize) {
                *slot = base + k as u32;
            }
        }
        let mut sym_map = vec![u32::MAX; src.strings.len()];
        let mut res_map = vec![u32::MAX; src.resources.len()];
        for &i in idx {
            let Some(&s) = src.spans.get(i as usize) else {
                continue;
            };
            let mut d = s;
            d.span_id = self.copy_str(src, s.span_id);
            d.parent = match s.parent {
                ParentRef::None => ParentRef::None,
                ParentRef::Id(id) => ParentRef::Id(self.copy_str(src, id)),
                ParentRef::Index(j) => match new_index.get(j as usize) {
                    Some(&n) if n != u32::MAX => ParentRef::Index(n),
                    _ => ParentRef::None,
                },
            };
            d.service = self.copy_sym(src, s.service, &mut sym_map);
            d.operation = self.copy_sym(src, s.operation, &mut sym_map);
            d.status_message = self.copy_str(src, s.status_message);
            d.resource = match res_map.get(s.resource as usize) {
                Some(&r) if r != u32::MAX => r,
                Some(_) => {
                    let r = src.resources[s.resource as usize];
                    let copy = Resource {
                        attrs: self.copy_attrs(src, r.attrs, &mut sym_map),
                        scope_name: self.copy_str(src, r.scope_name),
                        scope_version: self.copy_str(src, r.scope_version),
                        scope_attrs: self.copy_attrs(src, r.scope_attrs, &mut sym_map),
                    };
                    self.resources.push(copy);
                    let n = (self.resources.len() - 1) as u32;
                    res_map[s.resource as usize] = n;
                    n
                }
                None => 0,
            };
            d.attrs = self.copy_attrs(src, s.attrs, &mut sym_map);
            let e0 = self.events.len() as u32;
            for e in src.events.get(s.events.range()).unwrap_or(&[]) {
                let ev = Event {
                    time_ns: e.time_ns,
                    name: self.copy_str(src, e.name),
                    attrs: self.copy_attrs(src, e.attrs, &mut sym_map),
                };
                self.events.push(ev);
            }
            d.events = IndexRange {
                start: e0,
                end: self.events.len() as u32,
            };
            let l0 = self.links.len() as u32;
            for l in src.links.get(s.links.range()).unwrap_or(&[]) {
                let link = Link {
                    trace_id: self.copy_str(src, l.trace_id),
                    span_id: self.copy_str(src, l.span_id),
                    ref_type: l.ref_type,
                    attrs: self.copy_attrs(src, l.attrs, &mut sym_map),
                };
                self.links.push(link);
            }
            d.links = IndexRange {
                start: l0,
                end: self.links.len() as u32,
            };
            self.spans.push(d);
        }
        for w in &src.warnings {
            if let Some(n) = w.span.and_then(|s| new_index.get(s as usize)) {
                if *n != u32::MAX {
                    self.warn(w.kind, Some(*n), w.message.clone());
                }
            }
        }
    }

    fn copy_str(&mut self, src: &Trace, s: Str) -> Str {
        self.push_str(src.str(s))
    }

    fn copy_sym(&mut self, src: &Trace, s: Sym, map: &mut [u32]) -> Sym {
        match map.get(s as usize) {
            Some(&m) if m != u32::MAX => m,
            Some(_) => {
                let m = self.strings.intern(src.sym(s));
                map[s as usize] = m;
                m
            }
            None => 0,
        }
    }

    fn copy_attrs(&mut self, src: &Trace, r: IndexRange, map: &mut [u32]) -> IndexRange {
        let a0 = self.attrs.len() as u32;
        for a in src.attrs.get(r.range()).unwrap_or(&[]) {
            let key = self.copy_sym(src, a.key, map);
            let value = match a.value {
                Value::Str(s) => Value::Str(self.copy_str(src, s)),
                Value::Bytes(s) => Value::Bytes(self.copy_str(src, s)),
                Value::Json(s) => Value::Json(self.copy_str(src, s)),
                v => v,
            };
            self.attrs.push(Attr { key, value });
        }
        IndexRange {
            start: a0,
            end: self.attrs.len() as u32,
        }
    }

    /// Total number of warnings, counted per occurrence.
    pub fn warning_total(&self) -> usize {
        self.warning_counts.values().sum()
    }

    pub fn warning_count(&self, kind: WarningKind) -> usize {
        self.warning_counts.get(&kind).copied().unwrap_or(0)
    }

    /// Earliest start over all spans (0 for an empty trace).
    pub fn start_ns(&self) -> i64 {
        self.spans.iter().map(|s| s.start_ns).min().unwrap_or(0)
    }
    /// Latest end over all spans.
    pub fn end_ns(&self) -> i64 {
        self.spans.iter().map(|s| s.end_ns()).max().unwrap_or(0)
    }
    pub fn duration_ns(&self) -> i64 {
        self.end_ns() - self.start_ns()
    }
    pub fn error_count(&self) -> usize {
        self.spans.iter().filter(|s| s.is_error()).count()
    }
    pub fn service_count(&self) -> usize {
        let mut seen = vec![false; self.strings.len()];
        let mut n = 0;
        for s in &self.spans {
            if let Some(slot) = seen.get_mut(s.service as usize) {
                if !*slot {
                    *slot = true;
                    n += 1;
                }
            }
        }
        n
    }
}

pub fn format_float(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// The formats Stitch reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jaeger,
    Zipkin,
    Otlp,
    Chrome,
}

impl Format {
    /// The name used in messages and the postMessage API.
    pub fn id(self) -> &'static str {
        match self {
            Format::Jaeger => "jaeger",
            Format::Zipkin => "zipkin",
            Format::Otlp => "otlp",
            Format::Chrome => "chrome",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Format::Jaeger => "Jaeger JSON",
            Format::Zipkin => "Zipkin v2 JSON",
            Format::Otlp => "OTLP JSON",
            Format::Chrome => "Chrome Trace Event JSON",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SpanKind;

    #[test]
    fn span_kinds_parse_in_every_format_spelling() {
        assert_eq!(SpanKind::parse("server"), SpanKind::Server); // Jaeger
        assert_eq!(SpanKind::parse("CLIENT"), SpanKind::Client); // Zipkin
        assert_eq!(SpanKind::parse("SPAN_KIND_PRODUCER"), SpanKind::Producer); // OTLP
        assert_eq!(SpanKind::parse("Consumer"), SpanKind::Consumer);
        assert_eq!(SpanKind::parse("internal"), SpanKind::Internal);
        assert_eq!(SpanKind::parse("serverless"), SpanKind::Unspecified);
        assert_eq!(SpanKind::parse(""), SpanKind::Unspecified);
    }
}
