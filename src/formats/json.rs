//! How the parsers read JSON with serde: valid UTF-8 parsed as text, strings borrowed from the input, lists that may
//! be `null` and are read in place.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

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

/// A string, borrowed from the input unless it has escapes.
pub(super) struct CowVisitor;

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
