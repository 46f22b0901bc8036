//! Pieces shared by the parsers: a JSON scalar that accepts what exporters really write, and a set of traces
//! keyed by trace ID.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::model::{Trace, Value};

/// Any JSON value, with strings borrowed from the input where possible; arrays and objects are skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Scalar<'a> {
    #[default]
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'a, str>),
    /// An array or object (content skipped).
    Nested,
}

impl<'a> Scalar<'a> {
    /// An integer, from a number or a decimal string. Exact for all of i64.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Scalar::I64(v) => Some(*v),
            Scalar::U64(v) => i64::try_from(*v).ok(),
            Scalar::F64(f) if f.is_finite() && f.abs() < 9.2e18 => Some(f.round() as i64),
            Scalar::Str(s) => {
                let t = s.trim();
                t.parse::<i64>().ok().or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                        .map(|f| f.round() as i64)
                })
            }
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::I64(v) => Some(*v as f64),
            Scalar::U64(v) => Some(*v as f64),
            Scalar::F64(f) => Some(*f),
            Scalar::Str(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            Scalar::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Scalar::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            Scalar::I64(v) => Some(*v != 0),
            Scalar::U64(v) => Some(*v != 0),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Scalar::Null)
    }
    /// Text for display.
    pub fn to_text(&self) -> String {
        match self {
            Scalar::Null => String::new(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::I64(v) => v.to_string(),
            Scalar::U64(v) => v.to_string(),
            Scalar::F64(f) => crate::model::format_float(*f),
            Scalar::Str(s) => s.to_string(),
            Scalar::Nested => "[…]".to_string(),
        }
    }
    /// Stores this scalar as a model value, keeping integers exact.
    pub fn to_value(&self, t: &mut Trace) -> Value {
        match self {
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::I64(v) => Value::Int(*v),
            Scalar::U64(v) => match i64::try_from(*v) {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Str(t.push_str(&v.to_string())),
            },
            Scalar::F64(f) => Value::Float(*f),
            Scalar::Str(s) => Value::Str(t.push_str(s)),
            Scalar::Null => Value::Str(Default::default()),
            Scalar::Nested => Value::Str(t.push_str("[…]")),
        }
    }
}

struct ScalarVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ScalarVisitor(std::marker::PhantomData))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Nested)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor(std::marker::PhantomData))
    }
}

/// A string that may be escaped in the file (then owned) or not (then borrowed).
pub type CowStr<'a> = Cow<'a, str>;

/// Parses JSON from bytes. Input that is valid UTF-8 as a whole (any trace file but a broken one) is checked once and
/// parsed as text, so that each string need not be checked again as it is borrowed (6% of a Jaeger parse); other input
/// is parsed as bytes, which finds the error and its place.
pub fn from_json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// A JSON list that may be `null` (read as empty). Deserialized in place it keeps its buffer: a parser that reads
/// each span into one scratch value allocates its tag and reference lists once, not once per span.
#[derive(Default, Clone)]
pub struct List<T>(pub Vec<T>);

impl<T> std::ops::Deref for List<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut list = List(Vec::new());
        Self::deserialize_in_place(d, &mut list)?;
        Ok(list)
    }
    fn deserialize_in_place<D: Deserializer<'de>>(d: D, place: &mut Self) -> Result<(), D::Error> {
        struct Items<'p, T>(&'p mut Vec<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<(), E> {
                Ok(())
            }
            fn visit_unit<E: de::Error>(self) -> Result<(), E> {
                Ok(())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_seq(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while let Some(x) = seq.next_element()? {
                    self.0.push(x);
                }
                Ok(())
            }
        }
        place.0.clear();
        d.deserialize_option(Items(&mut place.0))
    }
}

/// Deserializes a value into `place`, reusing what it owns (see [`List`]).
pub struct InPlace<'p, T>(pub &'p mut T);

impl<'de, T: Deserialize<'de>> de::DeserializeSeed<'de> for InPlace<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        T::deserialize_in_place(d, self.0)
    }
}

/// Deserializes `null` as the default.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Either one `T` or a sequence of them, decided by the JSON (no buffering); a sequence's items are counted towards
/// the span limit, like [`Counted`]'s.
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(x) = seq.next_element()? {
                    // Spans, or trace objects (few): counted as spans, see [`Counted`].
                    count_span()?;
                    out.push(x);
                }
                Ok(OneOrMany::Many(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Traces of one file, in the order their IDs were first seen.
#[derive(Default)]
pub struct TraceSet {
    index: HashMap<String, usize>,
    /// The last ID looked up and its index: spans of one trace come in runs.
    last: Option<(String, usize)>,
    pub traces: Vec<Trace>,
}

impl TraceSet {
    /// The index of the trace with this ID, created if new.
    pub fn index(&mut self, trace_id: &str) -> usize {
        if let Some((id, i)) = &self.last {
            if id == trace_id {
                return *i;
            }
        }
        let i = match self.index.get(trace_id) {
            Some(&i) => i,
            None => {
                let i = self.traces.len();
                self.index.insert(trace_id.to_string(), i);
                self.traces.push(Trace::new(trace_id));
                i
            }
        };
        self.last = Some((trace_id.to_string(), i));
        i
    }
    pub fn get(&mut self, trace_id: &str) -> &mut Trace {
        let i = self.index(trace_id);
        &mut self.traces[i]
    }
    /// Adds a whole trace: kept as it is if its ID is new, else its spans are copied into the trace with that ID.
    pub fn adopt(&mut self, t: Trace) {
        match self.index.get(&t.trace_id) {
            Some(&i) => {
                let all: Vec<u32> = (0..t.spans.len() as u32).collect();
                let dst = &mut self.traces[i];
                dst.append_spans(&t, &all);
                for w in t.warnings.iter().filter(|w| w.span.is_none()) {
                    dst.warn(w.kind, None, w.message.clone());
                }
            }
            None => {
                self.index.insert(t.trace_id.clone(), self.traces.len());
                self.traces.push(t);
            }
        }
    }
    pub fn into_traces(self) -> Vec<Trace> {
        self.traces
    }
}

/// Normalises a hex ID for matching: lower case, leading zeros dropped (Zipkin and Jaeger pad differently).
pub fn normalize_hex_id(id: &str) -> String {
    let t = id.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        let s = t.trim_start_matches('0');
        if s.is_empty() {
            "0".to_string()
        } else {
            s.to_ascii_lowercase()
        }
    } else {
        t.to_string()
    }
}

// ---- Parse progress and the span limit ----
//
// A parse is one `serde_json` call, so progress is reported from inside it. Every list a parser reads spans from is a
// [`Counted`] (or a [`OneOrMany`]), which counts each item as it is read, whatever fields it has, and fails the parse
// at one more than the limit. Every span-ID field goes through [`counted_id`], which, every `PROGRESS_EVERY` spans,
// tells the hook how many spans were found and how far into the input the parser is (the ID is borrowed from the
// input, so its address gives the offset).

/// Spans between two progress reports.
pub const PROGRESS_EVERY: u64 = 8192;

struct ProgressState {
    base: usize,
    len: usize,
    spans: u64,
    /// `spans` at the last progress report.
    reported: u64,
    /// The most spans the parse may find: one more stops it.
    max_spans: u64,
    hook: Box<dyn FnMut(u64, usize)>,
}

thread_local! {
    static PROGRESS: std::cell::RefCell<Option<ProgressState>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `hook(spans_found, bytes_parsed)` called while `input` is parsed; the parse fails as soon as it finds
/// more than `max_spans` spans. Returns `f`'s result and the number of spans found.
pub fn with_progress<R>(
    input: &[u8],
    max_spans: u64,
    hook: Box<dyn FnMut(u64, usize)>,
    f: impl FnOnce() -> R,
) -> (R, u64) {
    PROGRESS.with(|p| {
        *p.borrow_mut() = Some(ProgressState {
            base: input.as_ptr() as usize,
            len: input.len(),
            spans: 0,
            reported: 0,
            max_spans,
            hook,
        })
    });
    let r = f();
    let spans = PROGRESS.with(|p| p.borrow_mut().take().map_or(0, |st| st.spans));
    (r, spans)
}

/// Counts one item of a span list; `false` once there are more than the parse may hold.
fn count_one() -> bool {
    PROGRESS.with(|p| {
        match p
            .try_borrow_mut()
            .ok()
            .as_deref_mut()
            .and_then(Option::as_mut)
        {
            Some(st) => {
                st.spans += 1;
                st.spans <= st.max_spans
            }
            None => true,
        }
    })
}

/// Tells the hook how far the parse is, every [`PROGRESS_EVERY`] spans; `s` is borrowed from the input.
fn report(s: &str) {
    PROGRESS.with(|p| {
        if let Some(st) = p
            .try_borrow_mut()
            .ok()
            .as_deref_mut()
            .and_then(Option::as_mut)
        {
            if st.spans >= st.reported + PROGRESS_EVERY {
                st.reported = st.spans;
                let a = s.as_ptr() as usize;
                let off = if a >= st.base && a < st.base + st.len {
                    a - st.base
                } else {
                    0
                };
                (st.hook)(st.spans, off);
            }
        }
    })
}

/// The error that stops a parse at one span more than the limit (see [`with_progress`]).
pub fn too_many<E: de::Error>() -> E {
    E::custom("too many spans")
}

/// A list of spans (or of trace objects), `null` read as empty: each item is counted as it is read, and the parse
/// fails at one more than the limit, before the list can outgrow it.
pub struct Counted<T>(pub Vec<T>);

impl<T> Default for Counted<T> {
    fn default() -> Self {
        Counted(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Counted<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Items<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
            type Value = Counted<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Counted::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Counted::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_seq(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element()? {
                    if !count_one() {
                        return Err(too_many());
                    }
                    out.push(x);
                }
                Ok(Counted(out))
            }
        }
        d.deserialize_option(Items(std::marker::PhantomData))
    }
}

/// Counts one item read from a span list (see [`Counted`]): `Err` at one more than the limit.
pub fn count_span<E: de::Error>() -> Result<(), E> {
    if count_one() {
        Ok(())
    } else {
        Err(too_many())
    }
}

/// A string, borrowed from the input unless it has escapes.
struct CowVisitor;

impl<'de> Visitor<'de> for CowVisitor {
    type Value = CowStr<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// An optional string, borrowed from the input unless it has escapes (serde borrows a `Cow<str>` field, but copies
/// one inside an `Option`: three allocations per Jaeger span).
pub fn opt_str<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<CowStr<'a>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<CowStr<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(CowVisitor).map(Some)
        }
    }
    d.deserialize_option(V)
}

/// Deserializes a span's ID (borrowed from the input unless it has escapes), reporting progress from its place.
pub fn counted_id<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<CowStr<'a>, D::Error> {
    let s = d.deserialize_str(CowVisitor)?;
    report(&s);
    Ok(s)
}
