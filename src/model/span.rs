//! One span and what it points into: attributes and their values, events, links and resources.

use std::ops::Range;

use super::strings::{Str, Sym};

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
