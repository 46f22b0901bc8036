//! One trace: its spans and the vectors they point into, and the accessors that read them.

use super::span::{Attr, Event, IndexRange, Link, Resource, Span, Value};
use super::strings::{Interner, Str, Sym};
use super::warnings::{Warning, WarningKind};

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
    /// Warnings from the parser and the tree builder; at most
    /// [`MAX_WARNINGS_PER_KIND`](super::MAX_WARNINGS_PER_KIND) of each kind are kept, while `warning_counts` counts
    /// them all.
    pub warnings: Vec<Warning>,
    pub warning_counts: std::collections::BTreeMap<WarningKind, usize>,
}

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

    /// Adds an attribute at the end of `attrs` (the caller records the range it belongs to).
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
            Value::Float(f) => crate::text::format_float(*f),
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
