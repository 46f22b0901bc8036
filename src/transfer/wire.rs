//! What both directions share, so that the writer and the reader cannot disagree:
//!
//! * one table per enum: the writer writes a value's position in it ([`code_of`]), the reader maps the code back
//!   ([`from_code`]), and a code past the table is a [`DecodeError`](super::DecodeError);
//! * the layout of each fixed-size record ([`Record`]): one field list, which the writer writes and the reader reads,
//!   next to the record's size.

use super::reader::{bad, R};
use crate::model::{
    Attr, Event, Format, IndexRange, Link, ParentRef, RefType, Resource, Span, SpanKind,
    StatusCode, Str, Value, WarningKind,
};

// ---- Enum codes: an enum's code is its position in its table ----

pub(super) const FORMATS: [Format; 4] =
    [Format::Jaeger, Format::Zipkin, Format::Otlp, Format::Chrome];

pub(super) const WARNING_KINDS: [WarningKind; 9] = [
    WarningKind::MissingParent,
    WarningKind::ParentCycle,
    WarningKind::DuplicateSpanId,
    WarningKind::ChildOutsideParent,
    WarningKind::NonPositiveDuration,
    WarningKind::MissingTimestamp,
    WarningKind::ClockSkew,
    WarningKind::Format,
    WarningKind::TimeValue,
];

const SPAN_KINDS: [SpanKind; 6] = [
    SpanKind::Unspecified,
    SpanKind::Internal,
    SpanKind::Server,
    SpanKind::Client,
    SpanKind::Producer,
    SpanKind::Consumer,
];

const STATUS_CODES: [StatusCode; 3] = [StatusCode::Unset, StatusCode::Ok, StatusCode::Error];

const REF_TYPES: [RefType; 2] = [RefType::ChildOf, RefType::FollowsFrom];

/// Which [`ParentRef`] a span has, without its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ParentKind {
    None,
    Id,
    Index,
}

const PARENT_KINDS: [ParentKind; 3] = [ParentKind::None, ParentKind::Id, ParentKind::Index];

/// Which [`Value`] an attribute has, without its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    Str,
    Int,
    Float,
    Bool,
    Bytes,
    Json,
}

const VALUE_KINDS: [ValueKind; 6] = [
    ValueKind::Str,
    ValueKind::Int,
    ValueKind::Float,
    ValueKind::Bool,
    ValueKind::Bytes,
    ValueKind::Json,
];

/// The code of `v`: its position in `table`. A value missing from its table gets a code past every table, which the
/// reader refuses, so that a forgotten entry fails the hand-over instead of changing the data.
#[inline(always)]
pub(super) fn code_of<T: Copy + PartialEq>(table: &[T], v: T) -> u8 {
    table
        .iter()
        .position(|&x| x == v)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// The value `code` stands for in `table`; an unknown code is an error that names `what` the table holds.
#[inline(always)]
pub(super) fn from_code<T: Copy>(table: &[T], code: u8, what: &str) -> R<T> {
    table
        .get(code as usize)
        .copied()
        .ok_or_else(|| bad(&format!("unknown {what}")))
}

/// A warning's span when it concerns no span.
pub(super) const NO_SPAN: u32 = u32::MAX;

// ---- Enums with a payload: a code for the kind, and a fixed-size payload ----

/// A parent as its kind and two `u32`s (zeros where it has less), so that spans are fixed-size records.
#[inline(always)]
fn pack_parent(p: ParentRef) -> (ParentKind, u32, u32) {
    match p {
        ParentRef::None => (ParentKind::None, 0, 0),
        ParentRef::Id(id) => (ParentKind::Id, id.off, id.len),
        ParentRef::Index(i) => (ParentKind::Index, i, 0),
    }
}

/// The inverse of [`pack_parent`].
#[inline(always)]
fn unpack_parent(kind: ParentKind, a: u32, b: u32) -> ParentRef {
    match kind {
        ParentKind::None => ParentRef::None,
        ParentKind::Id => ParentRef::Id(Str { off: a, len: b }),
        ParentKind::Index => ParentRef::Index(a),
    }
}

/// A value as its kind and 8 bytes of payload; a [`Str`] packs its offset in the low and its length in the high half.
#[inline(always)]
fn pack_value(v: Value) -> (ValueKind, u64) {
    let packed = |s: Str| s.off as u64 | (s.len as u64) << 32;
    match v {
        Value::Str(s) => (ValueKind::Str, packed(s)),
        Value::Int(i) => (ValueKind::Int, i as u64),
        Value::Float(f) => (ValueKind::Float, f.to_bits()),
        Value::Bool(b) => (ValueKind::Bool, b as u64),
        Value::Bytes(s) => (ValueKind::Bytes, packed(s)),
        Value::Json(s) => (ValueKind::Json, packed(s)),
    }
}

/// The inverse of [`pack_value`].
#[inline(always)]
fn unpack_value(kind: ValueKind, payload: u64) -> Value {
    let s = Str {
        off: payload as u32,
        len: (payload >> 32) as u32,
    };
    match kind {
        ValueKind::Str => Value::Str(s),
        ValueKind::Int => Value::Int(payload as i64),
        ValueKind::Float => Value::Float(f64::from_bits(payload)),
        ValueKind::Bool => Value::Bool(payload != 0),
        ValueKind::Bytes => Value::Bytes(s),
        ValueKind::Json => Value::Json(s),
    }
}

// ---- Records ----

/// One direction of the wire, as a record's field list sees it: the writer writes each field's value, the reader sets
/// each field to what it reads. Always inlined: the page's binary is built for size, which would otherwise make each
/// field a call.
pub(super) trait Wire {
    /// What can go wrong: [`std::convert::Infallible`] for the writer.
    type Error;
    /// `N` bytes, as they stand on the wire.
    fn fixed<const N: usize>(&mut self, b: &mut [u8; N]) -> Result<(), Self::Error>;
    /// An enum, as its code in `table` (see [`code_of`] and [`from_code`]; `what` names it in an error).
    fn code<T: Copy + PartialEq>(
        &mut self,
        v: &mut T,
        table: &[T],
        what: &str,
    ) -> Result<(), Self::Error>;

    /// `v` as `N` little-endian bytes.
    #[inline(always)]
    fn le<T: Copy, const N: usize>(
        &mut self,
        v: &mut T,
        to: fn(T) -> [u8; N],
        from: fn([u8; N]) -> T,
    ) -> Result<(), Self::Error> {
        let mut b = to(*v);
        self.fixed(&mut b)?;
        *v = from(b);
        Ok(())
    }
    #[inline(always)]
    fn u8(&mut self, v: &mut u8) -> Result<(), Self::Error> {
        self.le(v, u8::to_le_bytes, u8::from_le_bytes)
    }
    #[inline(always)]
    fn u32(&mut self, v: &mut u32) -> Result<(), Self::Error> {
        self.le(v, u32::to_le_bytes, u32::from_le_bytes)
    }
    #[inline(always)]
    fn u64(&mut self, v: &mut u64) -> Result<(), Self::Error> {
        self.le(v, u64::to_le_bytes, u64::from_le_bytes)
    }
    #[inline(always)]
    fn i64(&mut self, v: &mut i64) -> Result<(), Self::Error> {
        self.le(v, i64::to_le_bytes, i64::from_le_bytes)
    }
    #[inline(always)]
    fn str(&mut self, s: &mut Str) -> Result<(), Self::Error> {
        self.u32(&mut s.off)?;
        self.u32(&mut s.len)
    }
    #[inline(always)]
    fn range(&mut self, r: &mut IndexRange) -> Result<(), Self::Error> {
        self.u32(&mut r.start)?;
        self.u32(&mut r.end)
    }
    /// 9 bytes: the kind and two `u32`s.
    #[inline(always)]
    fn parent(&mut self, p: &mut ParentRef) -> Result<(), Self::Error> {
        let (mut kind, mut a, mut b) = pack_parent(*p);
        self.code(&mut kind, &PARENT_KINDS, "parent kind")?;
        self.u32(&mut a)?;
        self.u32(&mut b)?;
        *p = unpack_parent(kind, a, b);
        Ok(())
    }
    /// 9 bytes: the kind and the payload.
    #[inline(always)]
    fn value(&mut self, v: &mut Value) -> Result<(), Self::Error> {
        let (mut kind, mut payload) = pack_value(*v);
        self.code(&mut kind, &VALUE_KINDS, "value type")?;
        self.u64(&mut payload)?;
        *v = unpack_value(kind, payload);
        Ok(())
    }
}

/// A fixed-size record. A counted vector of records is read in batches straight from the buffer, so no record may
/// straddle two chunks (see [`Writer`](super::Writer)).
pub(super) trait Record: Copy {
    /// Its size on the wire, the sum of its fields' (checked by a test).
    const BYTES: usize;
    /// What a reader starts from, before it sets every field.
    fn blank() -> Self;
    /// Passes every field through `w`, in their order on the wire.
    fn fields<W: Wire>(&mut self, w: &mut W) -> Result<(), W::Error>;
}

impl Record for Span {
    const BYTES: usize = 8 + 9 + 4 + 4 + 8 + 8 + 1 + 1 + 1 + 8 + 4 + 8 + 8 + 8;
    fn blank() -> Span {
        Span::default()
    }
    #[inline(always)]
    fn fields<W: Wire>(&mut self, w: &mut W) -> Result<(), W::Error> {
        // Destructured, so that a field added to `Span` cannot be left out.
        let Span {
            span_id,
            parent,
            service,
            operation,
            start_ns,
            duration_ns,
            kind,
            status,
            flags,
            status_message,
            resource,
            attrs,
            events,
            links,
        } = self;
        w.str(span_id)?;
        w.parent(parent)?;
        w.u32(service)?;
        w.u32(operation)?;
        w.i64(start_ns)?;
        w.i64(duration_ns)?;
        w.code(kind, &SPAN_KINDS, "span kind")?;
        w.code(status, &STATUS_CODES, "status")?;
        w.u8(flags)?;
        w.str(status_message)?;
        w.u32(resource)?;
        w.range(attrs)?;
        w.range(events)?;
        w.range(links)
    }
}

impl Record for Attr {
    const BYTES: usize = 4 + 9;
    fn blank() -> Attr {
        Attr {
            key: 0,
            value: Value::Int(0),
        }
    }
    #[inline(always)]
    fn fields<W: Wire>(&mut self, w: &mut W) -> Result<(), W::Error> {
        let Attr { key, value } = self;
        w.u32(key)?;
        w.value(value)
    }
}

impl Record for Event {
    const BYTES: usize = 8 + 8 + 8;
    fn blank() -> Event {
        Event {
            time_ns: 0,
            name: Str::default(),
            attrs: IndexRange::default(),
        }
    }
    #[inline(always)]
    fn fields<W: Wire>(&mut self, w: &mut W) -> Result<(), W::Error> {
        let Event {
            time_ns,
            name,
            attrs,
        } = self;
        w.i64(time_ns)?;
        w.str(name)?;
        w.range(attrs)
    }
}

impl Record for Link {
    const BYTES: usize = 8 + 8 + 1 + 8;
    fn blank() -> Link {
        Link {
            trace_id: Str::default(),
            span_id: Str::default(),
            ref_type: RefType::default(),
            attrs: IndexRange::default(),
        }
    }
    #[inline(always)]
    fn fields<W: Wire>(&mut self, w: &mut W) -> Result<(), W::Error> {
        let Link {
            trace_id,
            span_id,
            ref_type,
            attrs,
        } = self;
        w.str(trace_id)?;
        w.str(span_id)?;
        w.code(ref_type, &REF_TYPES, "link type")?;
        w.range(attrs)
    }
}

impl Record for Resource {
    const BYTES: usize = 8 + 8 + 8 + 8;
    fn blank() -> Resource {
        Resource::default()
    }
    #[inline(always)]
    fn fields<W: Wire>(&mut self, w: &mut W) -> Result<(), W::Error> {
        let Resource {
            attrs,
            scope_name,
            scope_version,
            scope_attrs,
        } = self;
        w.range(attrs)?;
        w.str(scope_name)?;
        w.str(scope_version)?;
        w.range(scope_attrs)
    }
}

/// A flag (the tree's `error_below`): one byte, any but 0 read as true.
impl Record for bool {
    const BYTES: usize = 1;
    fn blank() -> bool {
        false
    }
    #[inline(always)]
    fn fields<W: Wire>(&mut self, w: &mut W) -> Result<(), W::Error> {
        let mut b = *self as u8;
        w.u8(&mut b)?;
        *self = b != 0;
        Ok(())
    }
}

/// The tree's index arrays, in their order on the wire: `index_arrays!(tree, &)` to write them,
/// `index_arrays!(tree, &mut)` to read into them.
macro_rules! index_arrays {
    ($tree:ident, $($borrow:tt)+) => {
        [
            $($borrow)+ $tree.parent,
            $($borrow)+ $tree.child_off,
            $($borrow)+ $tree.children,
            $($borrow)+ $tree.roots,
            $($borrow)+ $tree.preorder,
            $($borrow)+ $tree.row_of,
            $($borrow)+ $tree.depth,
            $($borrow)+ $tree.descendants,
        ]
    };
}
pub(super) use index_arrays;

#[cfg(test)]
mod tests {
    use super::super::reader::Rec;
    use super::super::writer::Writer;
    use super::*;

    /// `x` written as one record, and read back.
    fn through_the_wire<T: Record>(x: T) -> (usize, R<T>) {
        let mut w = Writer::new(usize::MAX);
        w.records(&[x]);
        let bytes = w.finish().concat();
        // After the count.
        let b = &bytes[8..];
        let mut back = T::blank();
        let read = back.fields(&mut Rec::new(b)).map(|()| back);
        (b.len(), read)
    }

    #[test]
    fn every_record_is_as_long_as_it_says() {
        assert_eq!(through_the_wire(Span::blank()).0, Span::BYTES);
        assert_eq!(through_the_wire(Attr::blank()).0, Attr::BYTES);
        assert_eq!(through_the_wire(Event::blank()).0, Event::BYTES);
        assert_eq!(through_the_wire(Link::blank()).0, Link::BYTES);
        assert_eq!(through_the_wire(Resource::blank()).0, Resource::BYTES);
        assert_eq!(through_the_wire(true).0, bool::BYTES);
    }

    #[test]
    fn every_parent_and_value_reads_back_as_written() {
        let s = Str { off: 3, len: 7 };
        for parent in [ParentRef::None, ParentRef::Id(s), ParentRef::Index(5)] {
            for (&kind, &status) in SPAN_KINDS.iter().zip(STATUS_CODES.iter().cycle()) {
                let span = Span {
                    parent,
                    kind,
                    status,
                    start_ns: -1,
                    ..Span::default()
                };
                assert_eq!(through_the_wire(span).1, Ok(span));
            }
        }
        let values = [
            Value::Str(s),
            Value::Int(-2),
            Value::Float(0.5),
            Value::Bool(true),
            Value::Bytes(s),
            Value::Json(s),
        ];
        for value in values {
            let a = Attr { key: 1, value };
            assert_eq!(through_the_wire(a).1, Ok(a));
        }
    }

    #[test]
    fn an_unknown_code_is_an_error() {
        assert_eq!(from_code(&FORMATS, 3, "format"), Ok(Format::Chrome));
        assert_eq!(from_code(&FORMATS, 4, "format"), Err(bad("unknown format")));
        let mut w = Writer::new(usize::MAX);
        w.records(&[Span::blank()]);
        let mut b = w.finish().concat().split_off(8);
        // The span kind's code, past the ID, the parent, the symbols and the times.
        b[8 + 9 + 4 + 4 + 8 + 8] = SPAN_KINDS.len() as u8;
        let mut back = Span::blank();
        assert_eq!(
            back.fields(&mut Rec::new(&b)),
            Err(bad("unknown span kind"))
        );
    }

    #[test]
    fn every_table_gives_each_value_its_own_code() {
        fn distinct<T: Copy + PartialEq>(table: &[T]) -> bool {
            table
                .iter()
                .enumerate()
                .all(|(i, &v)| code_of(table, v) as usize == i)
        }
        assert!(distinct(&FORMATS));
        assert!(distinct(&WARNING_KINDS));
        assert!(distinct(&SPAN_KINDS));
        assert!(distinct(&STATUS_CODES));
        assert!(distinct(&REF_TYPES));
        assert!(distinct(&PARENT_KINDS));
        assert!(distinct(&VALUE_KINDS));
    }
}
