//! The worker's side: everything a load produced, written into chunks ([`encode`]).

use std::collections::BTreeMap;
use std::convert::Infallible;

use super::wire::{code_of, index_arrays, Record, Wire, FORMATS, NO_SPAN, WARNING_KINDS};
use super::{Prepared, CHUNK, MAGIC};
use crate::analysis::tree::Tree;
use crate::model::{Interner, Trace, Warning, WarningKind};

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
    #[inline(always)]
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
    fn len(&mut self, n: usize) {
        self.put(&(n as u64).to_le_bytes());
    }
    /// A length-prefixed byte string, split across chunks when long.
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        for piece in b.chunks(self.chunk) {
            self.put(piece);
        }
    }
    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        for &x in v {
            self.u32(x);
        }
    }
    /// A counted vector of fixed-size records.
    pub(super) fn records<T: Record>(&mut self, v: &[T]) {
        self.len(v.len());
        for &x in v {
            self.record(T::BYTES);
            let mut x = x;
            let Ok(()) = x.fields(self);
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

/// Writing a record's fields (see [`Record::fields`]) cannot fail.
impl Wire for Writer {
    type Error = Infallible;
    #[inline(always)]
    fn fixed<const N: usize>(&mut self, b: &mut [u8; N]) -> Result<(), Infallible> {
        self.put(b);
        Ok(())
    }
    #[inline(always)]
    fn code<T: Copy + PartialEq>(
        &mut self,
        v: &mut T,
        table: &[T],
        _: &str,
    ) -> Result<(), Infallible> {
        self.put(&[code_of(table, *v)]);
        Ok(())
    }
}

/// Encodes everything a load produced.
pub fn encode(p: &Prepared, chunk: usize) -> Vec<Vec<u8>> {
    let mut w = Writer::new(chunk);
    w.put(MAGIC);
    w.bytes(p.name.as_bytes());
    w.u8(code_of(&FORMATS, p.format));
    w.u8(p.gzipped as u8);
    w.len(p.traces.len());
    for (t, tree) in &p.traces {
        encode_trace(&mut w, t);
        encode_tree(&mut w, tree);
    }
    w.finish()
}

/// A trace, in the order the decoder reads it: its head, its records, its warnings.
fn encode_trace(w: &mut Writer, t: &Trace) {
    // Destructured, so that a field added to `Trace` cannot be left out.
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
    encode_head(w, trace_id, strings, text);
    w.records(spans);
    w.records(attrs);
    w.records(events);
    w.records(links);
    w.records(resources);
    encode_warnings(w, warnings, warning_counts);
}

/// The trace's ID, its string table and its text.
fn encode_head(w: &mut Writer, trace_id: &str, strings: &Interner, text: &str) {
    w.bytes(trace_id.as_bytes());
    w.len(strings.len());
    for i in 0..strings.len() {
        w.bytes(strings.get(i as u32).as_bytes());
    }
    w.bytes(text.as_bytes());
}

/// The warnings kept, and the count of each kind.
fn encode_warnings(w: &mut Writer, warnings: &[Warning], counts: &BTreeMap<WarningKind, usize>) {
    w.len(warnings.len());
    for x in warnings {
        w.u8(code_of(&WARNING_KINDS, x.kind));
        w.u32(x.span.unwrap_or(NO_SPAN));
        w.bytes(x.message.as_bytes());
    }
    w.len(counts.len());
    for (&k, &n) in counts {
        w.u8(code_of(&WARNING_KINDS, k));
        w.len(n);
    }
}

fn encode_tree(w: &mut Writer, t: &Tree) {
    for a in index_arrays!(t, &) {
        w.u32s(a);
    }
    w.records(&t.error_below);
    w.u32(t.max_depth);
    w.u8(t.incomplete as u8);
}
