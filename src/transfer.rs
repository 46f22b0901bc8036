//! A compact binary encoding of parsed traces and their trees, for moving them from the parse worker to the page.
//!
//! Wasm memory cannot be shared between the worker and the page, and structured cloning of Rust structures (via
//! serde-wasm-bindgen) costs 25x a byte copy. So the worker writes every trace and tree into a list of byte chunks of
//! about [`CHUNK`] bytes, transfers them as `ArrayBuffer`s, and the page reads them back one chunk at a time, so it
//! never holds the whole encoding in wasm memory next to the decoded model.
//!
//! The format is private to one build of Stitch (worker and page come from the same crate): a magic number with a
//! version, then fixed-width little-endian fields. Every read is checked; a short or corrupt input gives an error,
//! never a panic.

use crate::analysis::tree::Tree;
use crate::model::{
    Attr, Event, Format, IndexRange, Interner, Link, ParentRef, RefType, Resource, Span, SpanKind,
    StatusCode, Str, Trace, Value, Warning, WarningKind,
};

/// Target chunk size.
pub const CHUNK: usize = 8 << 20;
const MAGIC: &[u8; 8] = b"STITCH01";

/// A block of `len` bytes, every one written, or `None` if memory runs out. The first write to fresh wasm memory costs
/// about as much as the writing itself, so both sides of a load touch blocks while they would otherwise wait, and free
/// them for the load to reuse (`SPARE` in the worker, `prefault` on the page).
pub fn touched_block(len: usize) -> Option<Vec<u8>> {
    let mut block = Vec::new();
    block.try_reserve_exact(len).ok()?;
    // Written (any value) so that every page of it is committed now.
    block.resize(len, 1u8);
    Some(block)
}

/// What the worker sends: the file's name, format and every trace with its tree.
#[derive(Debug)]
pub struct Prepared {
    pub name: String,
    pub format: Format,
    pub gzipped: bool,
    pub traces: Vec<(Trace, Tree)>,
}

impl Prepared {
    /// The worker's half of a load: every trace of `loaded` with its tree built ([`crate::analysis::prepare`]).
    pub fn new(loaded: crate::formats::Loaded) -> Prepared {
        Prepared {
            name: loaded.name,
            format: loaded.format,
            gzipped: loaded.gzipped,
            traces: loaded
                .traces
                .into_iter()
                .map(crate::analysis::prepare)
                .collect(),
        }
    }
}

// ---- Writing ----

/// Writes into chunks of about `chunk` bytes.
pub struct Writer {
    chunk: usize,
    done: Vec<Vec<u8>>,
    cur: Vec<u8>,
}

impl Writer {
    pub fn new(chunk: usize) -> Writer {
        let chunk = chunk.max(1);
        Writer {
            chunk,
            done: Vec::new(),
            cur: Vec::with_capacity(chunk.min(CHUNK)),
        }
    }
    fn room(&mut self) {
        if self.cur.len() >= self.chunk {
            self.next_chunk();
        }
    }
    fn next_chunk(&mut self) {
        let full = std::mem::replace(&mut self.cur, Vec::with_capacity(self.chunk.min(CHUNK)));
        self.done.push(full);
    }
    /// Starts a record of `n` bytes in a new chunk if it would not fit in this one, so that fixed-size records never
    /// straddle two chunks and the reader can take each chunk as it comes, without joining it to the last.
    fn record(&mut self, n: usize) {
        if !self.cur.is_empty() && self.cur.len() + n > self.chunk {
            self.next_chunk();
        }
    }
    fn put(&mut self, b: &[u8]) {
        self.room();
        self.cur.extend_from_slice(b);
    }
    fn u8(&mut self, v: u8) {
        self.put(&[v]);
    }
    fn u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.put(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.put(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    /// A length-prefixed byte string, split across chunks when long.
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        for piece in b.chunks(self.chunk) {
            self.put(piece);
        }
    }
    fn str(&mut self, s: Str) {
        self.u32(s.off);
        self.u32(s.len);
    }
    fn range(&mut self, r: IndexRange) {
        self.u32(r.start);
        self.u32(r.end);
    }
    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        for &x in v {
            self.u32(x);
        }
    }
    /// The chunks written, the last one possibly short.
    pub fn finish(mut self) -> Vec<Vec<u8>> {
        if !self.cur.is_empty() {
            self.done.push(self.cur);
        }
        self.done
    }
}

/// Encodes everything a load produced.
pub fn encode(p: &Prepared, chunk: usize) -> Vec<Vec<u8>> {
    let mut w = Writer::new(chunk);
    w.put(MAGIC);
    w.bytes(p.name.as_bytes());
    w.u8(format_code(p.format));
    w.u8(p.gzipped as u8);
    w.len(p.traces.len());
    for (t, tree) in &p.traces {
        encode_trace(&mut w, t);
        encode_tree(&mut w, tree);
    }
    w.finish()
}

fn format_code(f: Format) -> u8 {
    match f {
        Format::Jaeger => 0,
        Format::Zipkin => 1,
        Format::Otlp => 2,
        Format::Chrome => 3,
    }
}

const WARNING_KINDS: [WarningKind; 9] = [
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

fn warning_code(k: WarningKind) -> u8 {
    WARNING_KINDS.iter().position(|&x| x == k).unwrap_or(7) as u8
}

const KINDS: [SpanKind; 6] = [
    SpanKind::Unspecified,
    SpanKind::Internal,
    SpanKind::Server,
    SpanKind::Client,
    SpanKind::Producer,
    SpanKind::Consumer,
];

fn encode_trace(w: &mut Writer, t: &Trace) {
    let Trace {
        trace_id,
        spans,
        strings,
        text,
        attrs,
        events,
        links,
        resources,
        warnings,
        warning_counts,
    } = t;
    w.bytes(trace_id.as_bytes());
    w.len(strings.len());
    for i in 0..strings.len() {
        w.bytes(strings.get(i as u32).as_bytes());
    }
    w.bytes(text.as_bytes());
    w.len(spans.len());
    for s in spans {
        w.record(SPAN_BYTES);
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
        } = *s;
        w.str(span_id);
        // Fixed size (tag + 8 bytes), so that spans are fixed-size records.
        match parent {
            ParentRef::None => {
                w.u8(0);
                w.u64(0);
            }
            ParentRef::Id(id) => {
                w.u8(1);
                w.str(id);
            }
            ParentRef::Index(i) => {
                w.u8(2);
                w.u32(i);
                w.u32(0);
            }
        }
        w.u32(service);
        w.u32(operation);
        w.i64(start_ns);
        w.i64(duration_ns);
        w.u8(KINDS.iter().position(|&k| k == kind).unwrap_or(0) as u8);
        w.u8(match status {
            StatusCode::Unset => 0,
            StatusCode::Ok => 1,
            StatusCode::Error => 2,
        });
        w.u8(flags);
        w.str(status_message);
        w.u32(resource);
        w.range(attrs);
        w.range(events);
        w.range(links);
    }
    w.len(attrs.len());
    for a in attrs {
        w.record(ATTR_BYTES);
        w.u32(a.key);
        // Fixed size: tag + 8 bytes (a `Str` packs its offset in the low and its length in the high half).
        let packed = |s: Str| s.off as u64 | (s.len as u64) << 32;
        let (tag, payload) = match a.value {
            Value::Str(s) => (0, packed(s)),
            Value::Int(i) => (1, i as u64),
            Value::Float(f) => (2, f.to_bits()),
            Value::Bool(b) => (3, b as u64),
            Value::Bytes(s) => (4, packed(s)),
            Value::Json(s) => (5, packed(s)),
        };
        w.u8(tag);
        w.u64(payload);
    }
    w.len(events.len());
    for e in events {
        w.record(EVENT_BYTES);
        w.i64(e.time_ns);
        w.str(e.name);
        w.range(e.attrs);
    }
    w.len(links.len());
    for l in links {
        w.record(LINK_BYTES);
        w.str(l.trace_id);
        w.str(l.span_id);
        w.u8(matches!(l.ref_type, RefType::FollowsFrom) as u8);
        w.range(l.attrs);
    }
    w.len(resources.len());
    for r in resources {
        w.record(RESOURCE_BYTES);
        w.range(r.attrs);
        w.str(r.scope_name);
        w.str(r.scope_version);
        w.range(r.scope_attrs);
    }
    w.len(warnings.len());
    for x in warnings {
        w.u8(warning_code(x.kind));
        w.u32(x.span.unwrap_or(u32::MAX));
        w.bytes(x.message.as_bytes());
    }
    w.len(warning_counts.len());
    for (&k, &n) in warning_counts {
        w.u8(warning_code(k));
        w.len(n);
    }
}

fn encode_tree(w: &mut Writer, t: &Tree) {
    let Tree {
        parent,
        child_off,
        children,
        roots,
        preorder,
        row_of,
        depth,
        descendants,
        error_below,
        max_depth,
        incomplete,
    } = t;
    for v in [
        parent,
        child_off,
        children,
        roots,
        preorder,
        row_of,
        depth,
        descendants,
    ] {
        w.u32s(v);
    }
    w.len(error_below.len());
    for &b in error_below {
        w.u8(b as u8);
    }
    w.u32(*max_depth);
    w.u8(*incomplete as u8);
}

// ---- Reading ----

/// Where the chunks come from: a list in memory, or `ArrayBuffer`s handed over one at a time.
pub trait Source {
    fn next_chunk(&mut self) -> Option<Vec<u8>>;
}

impl Source for std::vec::IntoIter<Vec<u8>> {
    fn next_chunk(&mut self) -> Option<Vec<u8>> {
        self.next()
    }
}

/// The encoding is short or malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the parsed trace could not be handed over: {}", self.0)
    }
}

type R<T> = Result<T, DecodeError>;

fn bad(what: &str) -> DecodeError {
    DecodeError(what.to_string())
}

struct Reader<S: Source> {
    src: S,
    buf: Vec<u8>,
    pos: usize,
}

/// Fixed-width little-endian fields, read from a chunked stream ([`Reader`]) or from one record ([`Rec`]).
/// Always inlined: the page's binary is built for size, which would otherwise make each field a call.
trait Fields {
    fn take<const N: usize>(&mut self) -> R<[u8; N]>;
    #[inline(always)]
    fn u8(&mut self) -> R<u8> {
        Ok(self.take::<1>()?[0])
    }
    #[inline(always)]
    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    #[inline(always)]
    fn u64(&mut self) -> R<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    #[inline(always)]
    fn i64(&mut self) -> R<i64> {
        Ok(i64::from_le_bytes(self.take()?))
    }
    #[inline(always)]
    fn str(&mut self) -> R<Str> {
        Ok(Str {
            off: self.u32()?,
            len: self.u32()?,
        })
    }
    #[inline(always)]
    fn range(&mut self) -> R<IndexRange> {
        Ok(IndexRange {
            start: self.u32()?,
            end: self.u32()?,
        })
    }
}

impl<S: Source> Fields for Reader<S> {
    #[inline(always)]
    fn take<const N: usize>(&mut self) -> R<[u8; N]> {
        self.need(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        Ok(a)
    }
}

impl<S: Source> Reader<S> {
    /// Makes sure `n` bytes are buffered at `pos`.
    fn need(&mut self, n: usize) -> R<()> {
        while self.buf.len() - self.pos < n {
            let next = self.src.next_chunk().ok_or_else(|| bad("it ends early"))?;
            if self.pos == self.buf.len() {
                // Everything buffered was read: take the chunk as it is, without a copy.
                self.buf = next;
            } else {
                self.buf.drain(..self.pos);
                self.buf.extend_from_slice(&next);
            }
            self.pos = 0;
        }
        Ok(())
    }
    /// A count of items of at least `min_size` bytes each; checked against what is left so that a corrupt count
    /// cannot make us reserve gigabytes.
    fn len(&mut self, limit: usize) -> R<usize> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= limit)
            .ok_or_else(|| bad("a length is out of range"))
    }
    fn bytes(&mut self) -> R<Vec<u8>> {
        let n = self.len(u32::MAX as usize)?;
        let mut out = Vec::new();
        out.try_reserve_exact(n)
            .map_err(|_| bad("not enough memory"))?;
        while out.len() < n {
            if self.pos == self.buf.len() {
                self.need(1)?;
            }
            let k = (n - out.len()).min(self.buf.len() - self.pos);
            out.extend_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
        }
        Ok(out)
    }
    fn string(&mut self) -> R<String> {
        String::from_utf8(self.bytes()?).map_err(|_| bad("a string is not UTF-8"))
    }
    /// A counted vector of fixed-size records of `N` bytes, parsed in batches straight from the buffer.
    fn records<T, const N: usize>(&mut self, mut item: impl FnMut(&mut Rec) -> R<T>) -> R<Vec<T>> {
        let mut p = self.counted()?;
        self.some_records::<T, N>(&mut p, usize::MAX, &mut item)?;
        Ok(p.v)
    }
    /// Starts a counted vector, to be filled by [`Reader::some_records`].
    fn counted<T>(&mut self) -> R<Partial<T>> {
        let n = self.len(u32::MAX as usize)?;
        let mut v = Vec::new();
        v.try_reserve_exact(n)
            .map_err(|_| bad("not enough memory"))?;
        Ok(Partial { v, left: n })
    }
    /// Reads up to `max` more records of `p`; true once it is complete.
    fn some_records<T, const N: usize>(
        &mut self,
        p: &mut Partial<T>,
        max: usize,
        item: &mut impl FnMut(&mut Rec) -> R<T>,
    ) -> R<bool> {
        let mut left = p.left.min(max);
        while left > 0 {
            // The whole records buffered now (at least one): a record never waits for more than itself, so chunks
            // are appended only when the buffer is nearly empty, and copied once.
            self.need(N)?;
            let k = left.min((self.buf.len() - self.pos) / N);
            for b in self.buf[self.pos..self.pos + k * N].chunks_exact(N) {
                p.v.push(item(&mut Rec { b, i: 0 })?);
            }
            self.pos += k * N;
            left -= k;
            p.left -= k;
        }
        Ok(p.left == 0)
    }
    /// A counted vector of `u32`s, converted a buffered run at a time (a loop the compiler turns into copies).
    fn u32_array(&mut self) -> R<Vec<u32>> {
        let mut p = self.counted::<u32>()?;
        while p.left > 0 {
            self.need(4)?;
            let k = p.left.min((self.buf.len() - self.pos) / 4);
            let run = &self.buf[self.pos..self.pos + k * 4];
            p.v.extend(
                run.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            self.pos += k * 4;
            p.left -= k;
        }
        Ok(p.v)
    }
    fn vec<T>(&mut self, mut item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        let n = self.len(u32::MAX as usize)?;
        let mut v = Vec::new();
        v.try_reserve_exact(n)
            .map_err(|_| bad("not enough memory"))?;
        for _ in 0..n {
            v.push(item(self)?);
        }
        Ok(v)
    }
}

/// One fixed-size record being read.
struct Rec<'a> {
    b: &'a [u8],
    i: usize,
}

impl Fields for Rec<'_> {
    #[inline(always)]
    fn take<const N: usize>(&mut self) -> R<[u8; N]> {
        let a: [u8; N] = self
            .b
            .get(self.i..self.i + N)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| bad("a record is short"))?;
        self.i += N;
        Ok(a)
    }
}

// Record sizes, as written by `encode_trace`.
const SPAN_BYTES: usize = 8 + 9 + 4 + 4 + 8 + 8 + 1 + 1 + 1 + 8 + 4 + 8 + 8 + 8;
const ATTR_BYTES: usize = 4 + 1 + 8;
const EVENT_BYTES: usize = 8 + 8 + 8;
const LINK_BYTES: usize = 8 + 8 + 1 + 8;
const RESOURCE_BYTES: usize = 8 + 8 + 8 + 8;

/// Decodes what [`encode`] wrote, pulling chunks from `src` as needed.
pub fn decode(src: impl Source) -> R<Prepared> {
    let mut d = Decoder::new(src);
    loop {
        if let Some(p) = d.step()? {
            return Ok(p);
        }
    }
}

/// Records decoded per [`Decoder::step`] (a few milliseconds each).
const BATCH: usize = 1 << 15;

/// A vector being read: the items so far, and how many are still to come.
struct Partial<T> {
    v: Vec<T>,
    left: usize,
}

/// A trace whose parts are still being read.
struct TraceParts {
    trace_id: String,
    strings: Interner,
    text: String,
    spans: Vec<Span>,
    attrs: Vec<Attr>,
}

enum Stage {
    Header,
    /// The next trace's ID, string table and text, or the end.
    TraceHead,
    Spans(TraceParts, Partial<Span>),
    Attrs(TraceParts, Partial<Attr>),
    /// Events, links, resources and warnings (few), then the checks of the whole trace.
    Rest(TraceParts),
    /// The tree's index arrays read so far.
    Tree(Box<Trace>, Vec<Vec<u32>>),
    Done,
}

/// [`decode`] in steps, each a bounded amount of work, so that the page can decode a large trace in many short tasks.
pub struct Decoder<S: Source> {
    r: Reader<S>,
    stage: Stage,
    head: Option<(String, Format, bool)>,
    /// Traces still to read.
    left: usize,
    traces: Vec<(Trace, Tree)>,
}

impl<S: Source> Decoder<S> {
    pub fn new(src: S) -> Decoder<S> {
        Decoder {
            r: Reader {
                src,
                buf: Vec::new(),
                pos: 0,
            },
            stage: Stage::Header,
            head: None,
            left: 0,
            traces: Vec::new(),
        }
    }

    /// Does the next piece of work; the result once everything is read.
    pub fn step(&mut self) -> R<Option<Prepared>> {
        let r = &mut self.r;
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Header => {
                if &r.take::<8>()? != MAGIC {
                    return Err(bad("it was written by a different version of Stitch"));
                }
                let name = r.string()?;
                let format = match r.u8()? {
                    0 => Format::Jaeger,
                    1 => Format::Zipkin,
                    2 => Format::Otlp,
                    3 => Format::Chrome,
                    _ => return Err(bad("unknown format")),
                };
                let gzipped = r.u8()? != 0;
                self.head = Some((name, format, gzipped));
                self.left = r.len(u32::MAX as usize)?;
                Stage::TraceHead
            }
            Stage::TraceHead => {
                if self.left == 0 {
                    let (name, format, gzipped) =
                        self.head.take().ok_or_else(|| bad("no header"))?;
                    return Ok(Some(Prepared {
                        name,
                        format,
                        gzipped,
                        traces: std::mem::take(&mut self.traces),
                    }));
                }
                self.left -= 1;
                let trace_id = r.string()?;
                let mut strings = Interner::default();
                let names = r.vec(|r| r.string())?;
                for s in &names {
                    strings.intern(s);
                }
                if strings.len() != names.len() {
                    return Err(bad("the string table has duplicates"));
                }
                let text = r.string()?;
                let parts = TraceParts {
                    trace_id,
                    strings,
                    text,
                    spans: Vec::new(),
                    attrs: Vec::new(),
                };
                Stage::Spans(parts, r.counted()?)
            }
            Stage::Spans(mut parts, mut p) => {
                if r.some_records::<_, SPAN_BYTES>(&mut p, BATCH, &mut span_record)? {
                    parts.spans = p.v;
                    Stage::Attrs(parts, r.counted()?)
                } else {
                    Stage::Spans(parts, p)
                }
            }
            Stage::Attrs(mut parts, mut p) => {
                if r.some_records::<_, ATTR_BYTES>(&mut p, BATCH, &mut attr_record)? {
                    parts.attrs = p.v;
                    Stage::Rest(parts)
                } else {
                    Stage::Attrs(parts, p)
                }
            }
            Stage::Rest(parts) => Stage::Tree(Box::new(decode_rest(r, parts)?), Vec::new()),
            Stage::Tree(t, mut arrays) => {
                if arrays.len() < 8 {
                    arrays.push(r.u32_array()?);
                    Stage::Tree(t, arrays)
                } else {
                    let tree = decode_tree(r, arrays)?;
                    if tree.len() != t.spans.len() {
                        return Err(bad("the span tree does not fit the spans"));
                    }
                    self.traces.push((*t, tree));
                    Stage::TraceHead
                }
            }
            Stage::Done => return Err(bad("read past its end")),
        };
        Ok(None)
    }
}

/// The page's whole receiving side, in steps: [`Decoder`], then [`crate::analysis::Finishing`] for each trace.
/// Each [`Receiver::step`] is a bounded piece of work; the last one returns the file's name, format and traces.
pub struct Receiver<S: Source> {
    decoder: Option<Decoder<S>>,
    head: Option<(String, Format)>,
    left: std::vec::IntoIter<(Trace, Tree)>,
    current: Option<crate::analysis::Finishing>,
    finished: Vec<crate::analysis::Analyzed>,
}

/// What a [`Receiver`] ends with: the file's name and format, and every trace analysed.
pub type Received = (String, Format, Vec<crate::analysis::Analyzed>);

impl<S: Source> Receiver<S> {
    pub fn new(src: S) -> Receiver<S> {
        Receiver {
            decoder: Some(Decoder::new(src)),
            head: None,
            left: Vec::new().into_iter(),
            current: None,
            finished: Vec::new(),
        }
    }

    /// Whether decoding is over (the rest is analysis).
    pub fn decoded(&self) -> bool {
        self.decoder.is_none()
    }

    /// Does the next piece of work; the result once every trace is analysed.
    pub fn step(&mut self) -> R<Option<Received>> {
        if let Some(d) = self.decoder.as_mut() {
            if let Some(p) = d.step()? {
                self.decoder = None;
                self.head = Some((p.name, p.format));
                self.left = p.traces.into_iter();
            }
            return Ok(None);
        }
        let f = match self.current.as_mut() {
            Some(f) => f,
            None => match self.left.next() {
                Some((t, tree)) => self
                    .current
                    .insert(crate::analysis::Finishing::new(t, tree)),
                None => {
                    let (name, format) =
                        self.head.take().ok_or_else(|| bad("read past its end"))?;
                    return Ok(Some((name, format, std::mem::take(&mut self.finished))));
                }
            },
        };
        if f.step() {
            if let Some(f) = self.current.take() {
                self.finished.push(f.done());
            }
        }
        Ok(None)
    }
}

fn span_record(r: &mut Rec) -> R<Span> {
    let span_id = r.str()?;
    let parent = match (r.u8()?, r.u32()?, r.u32()?) {
        (0, _, _) => ParentRef::None,
        (1, off, len) => ParentRef::Id(Str { off, len }),
        (2, i, _) => ParentRef::Index(i),
        _ => return Err(bad("unknown parent kind")),
    };
    Ok(Span {
        span_id,
        parent,
        service: r.u32()?,
        operation: r.u32()?,
        start_ns: r.i64()?,
        duration_ns: r.i64()?,
        kind: *KINDS
            .get(r.u8()? as usize)
            .ok_or_else(|| bad("unknown span kind"))?,
        status: match r.u8()? {
            0 => StatusCode::Unset,
            1 => StatusCode::Ok,
            2 => StatusCode::Error,
            _ => return Err(bad("unknown status")),
        },
        flags: r.u8()?,
        status_message: r.str()?,
        resource: r.u32()?,
        attrs: r.range()?,
        events: r.range()?,
        links: r.range()?,
    })
}

fn attr_record(r: &mut Rec) -> R<Attr> {
    let key = r.u32()?;
    let tag = r.u8()?;
    let payload = r.u64()?;
    let s = Str {
        off: payload as u32,
        len: (payload >> 32) as u32,
    };
    let value = match tag {
        0 => Value::Str(s),
        1 => Value::Int(payload as i64),
        2 => Value::Float(f64::from_bits(payload)),
        3 => Value::Bool(payload != 0),
        4 => Value::Bytes(s),
        5 => Value::Json(s),
        _ => return Err(bad("unknown value type")),
    };
    Ok(Attr { key, value })
}

/// The rest of a trace after its spans and attributes, and the checks of the whole.
fn decode_rest<S: Source>(r: &mut Reader<S>, parts: TraceParts) -> R<Trace> {
    let events = r.records::<_, EVENT_BYTES>(|r| {
        Ok(Event {
            time_ns: r.i64()?,
            name: r.str()?,
            attrs: r.range()?,
        })
    })?;
    let links = r.records::<_, LINK_BYTES>(|r| {
        Ok(Link {
            trace_id: r.str()?,
            span_id: r.str()?,
            ref_type: if r.u8()? == 1 {
                RefType::FollowsFrom
            } else {
                RefType::ChildOf
            },
            attrs: r.range()?,
        })
    })?;
    let resources = r.records::<_, RESOURCE_BYTES>(|r| {
        Ok(Resource {
            attrs: r.range()?,
            scope_name: r.str()?,
            scope_version: r.str()?,
            scope_attrs: r.range()?,
        })
    })?;
    let warning_kind = |c: u8| {
        WARNING_KINDS
            .get(c as usize)
            .copied()
            .ok_or_else(|| bad("unknown warning kind"))
    };
    let warnings = r.vec(|r| {
        let kind = warning_kind(r.u8()?)?;
        let span = Some(r.u32()?).filter(|&s| s != u32::MAX);
        Ok(Warning {
            kind,
            span,
            message: r.string()?,
        })
    })?;
    let counts = r.vec(|r| Ok((warning_kind(r.u8()?)?, r.len(usize::MAX)?)))?;
    let TraceParts {
        trace_id,
        strings,
        text,
        spans,
        attrs,
    } = parts;
    let t = Trace {
        trace_id,
        spans,
        strings,
        text,
        attrs,
        events,
        links,
        resources,
        warnings,
        warning_counts: counts.into_iter().collect(),
    };
    check(&t)?;
    Ok(t)
}

/// Everything the views index with must be in range, so a corrupt encoding cannot make them panic.
fn check(t: &Trace) -> R<()> {
    let text = t.text.len();
    let str_ok = |s: Str| (s.off as usize + s.len as usize) <= text;
    let sym_ok = |s: u32| (s as usize) < t.strings.len();
    let range_ok = |r: IndexRange, n: usize| r.start <= r.end && r.end as usize <= n;
    let n = t.spans.len();
    for s in &t.spans {
        let parent_ok = match s.parent {
            ParentRef::None => true,
            ParentRef::Id(id) => str_ok(id),
            ParentRef::Index(i) => (i as usize) < n,
        };
        if !(str_ok(s.span_id)
            && parent_ok
            && sym_ok(s.service)
            && sym_ok(s.operation)
            && str_ok(s.status_message)
            && (s.resource as usize) < t.resources.len().max(1)
            && range_ok(s.attrs, t.attrs.len())
            && range_ok(s.events, t.events.len())
            && range_ok(s.links, t.links.len()))
        {
            return Err(bad("a span points outside the trace"));
        }
    }
    let a = t.attrs.len();
    let value_ok = |v: &Value| match v {
        Value::Str(s) | Value::Bytes(s) | Value::Json(s) => str_ok(*s),
        _ => true,
    };
    if !t.attrs.iter().all(|x| sym_ok(x.key) && value_ok(&x.value))
        || !t
            .events
            .iter()
            .all(|e| str_ok(e.name) && range_ok(e.attrs, a))
        || !t
            .links
            .iter()
            .all(|l| str_ok(l.trace_id) && str_ok(l.span_id) && range_ok(l.attrs, a))
        || !t.resources.iter().all(|x| {
            range_ok(x.attrs, a)
                && range_ok(x.scope_attrs, a)
                && str_ok(x.scope_name)
                && str_ok(x.scope_version)
        })
        || !t
            .warnings
            .iter()
            .all(|w| w.span.is_none_or(|s| (s as usize) < n))
    {
        return Err(bad("an attribute, event or link points outside the trace"));
    }
    // Str offsets must also fall on character boundaries, or slicing the text would fail.
    let on_boundary = |s: Str| {
        t.text.is_char_boundary(s.off as usize) && t.text.is_char_boundary((s.off + s.len) as usize)
    };
    if !t.spans.iter().all(|s| on_boundary(s.span_id)) {
        return Err(bad("a span ID is cut inside a character"));
    }
    Ok(())
}

/// The tree, once its eight index arrays are read.
fn decode_tree<S: Source>(r: &mut Reader<S>, v: Vec<Vec<u32>>) -> R<Tree> {
    let error_below = r.records::<_, 1>(|r| Ok(r.u8()? != 0))?;
    let max_depth = r.u32()?;
    let incomplete = r.u8()? != 0;
    let mut it = v.into_iter();
    let mut next = || it.next().unwrap_or_default();
    let tree = Tree {
        parent: next(),
        child_off: next(),
        children: next(),
        roots: next(),
        preorder: next(),
        row_of: next(),
        depth: next(),
        descendants: next(),
        error_below,
        max_depth,
        incomplete,
    };
    check_tree(&tree)?;
    Ok(tree)
}

fn check_tree(t: &Tree) -> R<()> {
    let n = t.parent.len();
    let idx_ok = |v: &[u32]| v.iter().all(|&i| (i as usize) < n);
    let parent_ok = t
        .parent
        .iter()
        .all(|&p| p == crate::analysis::tree::NONE || (p as usize) < n);
    let off_ok = t.child_off.len() == n + 1
        && t.child_off.windows(2).all(|w| w[0] <= w[1])
        && t.child_off
            .last()
            .is_some_and(|&e| e as usize == t.children.len());
    if !(parent_ok
        && off_ok
        && idx_ok(&t.children)
        && idx_ok(&t.roots)
        && idx_ok(&t.preorder)
        && t.preorder.len() == n
        && t.row_of.len() == n
        && idx_ok(&t.row_of)
        && t.depth.len() == n
        && t.descendants.len() == n
        && t.error_below.len() == n)
    {
        return Err(bad("the span tree is inconsistent"));
    }
    Ok(())
}
