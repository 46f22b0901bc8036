//! Exceptions recorded in a trace, read from each format's conventions:
//! - OpenTelemetry: an event named `exception`, with `exception.type`, `exception.message`, `exception.stacktrace`
//!   and `exception.escaped`;
//! - Jaeger (OpenTracing): a log with `event: error`, or with `error.kind`, `error.object` or `stack`; its `message`
//!   is the message;
//! - Zipkin: the `error` tag, whose value is the message.
//!
//! The detail panel shows each as a card; the header counts them and steps through the spans that hold them.

use crate::model::{Attr, Event, Trace};

/// One exception of a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub span: u32,
    /// When it was recorded (ns since the epoch); `None` for a Zipkin `error` tag, which has no time.
    pub time_ns: Option<i64>,
    /// Its type (`exception.type`, `error.kind`); empty when the source names none.
    pub kind: String,
    pub message: String,
    /// The stack trace, its lines kept; empty when there is none.
    pub stacktrace: String,
    /// Whether it escaped the span (`exception.escaped`), when the source says.
    pub escaped: Option<bool>,
}

/// The exceptions of span `i`, in the order recorded (its events first, then a Zipkin `error` tag).
pub fn exceptions_of(trace: &Trace, i: u32) -> Vec<Exception> {
    let Some(s) = trace.spans.get(i as usize) else {
        return Vec::new();
    };
    let mut out: Vec<Exception> = trace
        .events
        .get(s.events.range())
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| from_event(trace, i, e))
        .collect();
    if out.is_empty() {
        out.extend(from_error_tag(trace, i));
    }
    out
}

/// The spans that hold at least one exception, in span order.
pub fn spans_with_exceptions(trace: &Trace) -> Vec<u32> {
    (0..trace.spans.len() as u32)
        .filter(|&i| !exceptions_of(trace, i).is_empty())
        .collect()
}

/// The text of attribute `key` among `attrs`, if present.
fn text_of(trace: &Trace, attrs: &[Attr], key: &str) -> Option<String> {
    let k = trace.strings.lookup(key)?;
    attrs
        .iter()
        .find(|a| a.key == k)
        .map(|a| trace.value_text(&a.value))
}

/// An OpenTelemetry `exception` event, or a Jaeger error log.
fn from_event(trace: &Trace, span: u32, e: &Event) -> Option<Exception> {
    let attrs = trace.attr_range(e.attrs);
    let text = |key: &str| text_of(trace, attrs, key);
    let name = trace.str(e.name);
    if name == "exception" {
        return Some(Exception {
            span,
            time_ns: Some(e.time_ns),
            kind: text("exception.type").unwrap_or_default(),
            message: text("exception.message").unwrap_or_default(),
            stacktrace: text("exception.stacktrace").unwrap_or_default(),
            escaped: text("exception.escaped").and_then(|v| v.parse().ok()),
        });
    }
    let error_log = text("event").is_some_and(|v| v == "error")
        || ["error.kind", "error.object", "stack"]
            .iter()
            .any(|k| text(k).is_some());
    error_log.then(|| Exception {
        span,
        time_ns: Some(e.time_ns),
        kind: text("error.kind").unwrap_or_default(),
        message: text("message")
            .or_else(|| text("error.object"))
            .unwrap_or_default(),
        stacktrace: text("stack").unwrap_or_default(),
        escaped: None,
    })
}

/// A Zipkin `error` tag with a message (`true` or an empty value says only that the span failed).
fn from_error_tag(trace: &Trace, span: u32) -> Option<Exception> {
    let v = text_of(trace, trace.span_attrs(span), "error")?;
    let message = v.trim();
    if message.is_empty() || message == "true" || message == "false" {
        return None;
    }
    Some(Exception {
        span,
        time_ns: None,
        kind: String::new(),
        message: message.to_string(),
        stacktrace: String::new(),
        escaped: None,
    })
}
