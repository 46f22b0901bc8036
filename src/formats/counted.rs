//! Parse progress and the span limit.
//!
//! A parse is one `serde_json` call, so progress is reported from inside it. Every list a parser reads spans from is a
//! [`Counted`] (or a [`OneOrMany`]), which counts each item as it is read, whatever fields it has, and fails the parse
//! at one more than the limit. Every span-ID field goes through [`counted_id`], which, every `PROGRESS_EVERY` spans,
//! tells the hook how many spans were found and how far into the input the parser is (the ID is borrowed from the
//! input, so its address gives the offset).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::json::{CowStr, CowVisitor};

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
fn too_many<E: de::Error>() -> E {
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
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                counted_items(seq).map(Counted)
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

/// The items of a span list (of a [`Counted`] or a [`OneOrMany`]), each counted as it is read.
fn counted_items<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
    mut seq: A,
) -> Result<Vec<T>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
    while let Some(x) = seq.next_element()? {
        count_span()?;
        out.push(x);
    }
    Ok(out)
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
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                // Spans, or trace objects (few): counted as spans, see [`Counted`].
                counted_items(seq).map(OneOrMany::Many)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Deserializes a span's ID (borrowed from the input unless it has escapes), reporting progress from its place.
pub fn counted_id<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<CowStr<'a>, D::Error> {
    let s = d.deserialize_str(CowVisitor)?;
    report(&s);
    Ok(s)
}
