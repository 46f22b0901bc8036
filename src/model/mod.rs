//! The trace model: flat, index-based, built to hold a million spans.
//!
//! * Spans live in one `Vec<Span>` and are addressed by `u32` index.
//! * Service, operation and attribute-key strings are interned (`Sym`).
//! * Every other string (IDs, attribute values, event names) is a `Str`: a slice of one text arena.
//! * Attributes, events and links of a span are index ranges into shared vectors.
//! * Times are integer nanoseconds since the Unix epoch (`i64`). Nothing here is `f64` time.
//!
//! By concern: `strings` (the arena's `Str`, the interner), `span` (a span and what it points into), `trace` (the
//! trace and its accessors), `append` (copying spans between traces), `warnings`. The submodules are private and
//! everything is re-exported here: name it `crate::model::X`.

mod append;
mod span;
mod strings;
mod trace;
mod warnings;

pub use span::{
    flags, Attr, AttrScope, Event, IndexRange, Link, ParentRef, RefType, Resource, Span, SpanKind,
    StatusCode, Value,
};
pub use strings::{FxBuild, FxHashMap, FxHasher, Interner, Str, Sym};
pub use trace::Trace;
pub use warnings::{Warning, WarningKind, MAX_WARNINGS_PER_KIND};

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
