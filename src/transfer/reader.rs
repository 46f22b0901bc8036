//! Reading fields from the chunks as they come in: from a chunked stream ([`Reader`]) or from one record ([`Rec`]).

use super::wire::{from_code, Record, Wire};

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

pub(super) type R<T> = Result<T, DecodeError>;

pub(super) fn bad(what: &str) -> DecodeError {
    DecodeError(what.to_string())
}

/// Fixed-width little-endian fields, read from a chunked stream ([`Reader`]) or from one record ([`Rec`]).
/// Always inlined: the page's binary is built for size, which would otherwise make each field a call.
pub(super) trait Fields {
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
}

/// The chunks of a [`Source`], read as one stream.
pub(super) struct Reader<S: Source> {
    src: S,
    buf: Vec<u8>,
    pos: usize,
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
    pub(super) fn new(src: S) -> Reader<S> {
        Reader {
            src,
            buf: Vec::new(),
            pos: 0,
        }
    }
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
    /// A count or a length, refused past `limit`.
    pub(super) fn len(&mut self, limit: usize) -> R<usize> {
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
    pub(super) fn string(&mut self) -> R<String> {
        String::from_utf8(self.bytes()?).map_err(|_| bad("a string is not UTF-8"))
    }
    /// A counted vector of fixed-size records, whole.
    pub(super) fn records<T: Record>(&mut self) -> R<Vec<T>> {
        let mut v = Vec::new();
        let n = self.counted(&mut v)?;
        self.some_records(&mut v, n, usize::MAX)?;
        Ok(v)
    }
    /// Starts a counted vector: reads the count and makes room for it in `v`; the count.
    pub(super) fn counted<T>(&mut self, v: &mut Vec<T>) -> R<usize> {
        let n = self.len(u32::MAX as usize)?;
        v.try_reserve_exact(n)
            .map_err(|_| bad("not enough memory"))?;
        Ok(n)
    }
    /// Reads up to `max` of the `left` records still to come into `v`, parsed in batches straight from the buffer;
    /// how many are still to come after.
    pub(super) fn some_records<T: Record>(
        &mut self,
        v: &mut Vec<T>,
        mut left: usize,
        max: usize,
    ) -> R<usize> {
        let mut now = left.min(max);
        while now > 0 {
            // The whole records buffered now (at least one): a record never waits for more than itself, so chunks
            // are appended only when the buffer is nearly empty, and copied once.
            self.need(T::BYTES)?;
            let k = now.min((self.buf.len() - self.pos) / T::BYTES);
            for b in self.buf[self.pos..self.pos + k * T::BYTES].chunks_exact(T::BYTES) {
                let mut x = T::blank();
                x.fields(&mut Rec::new(b))?;
                v.push(x);
            }
            self.pos += k * T::BYTES;
            now -= k;
            left -= k;
        }
        Ok(left)
    }
    /// A counted vector of `u32`s, converted a buffered run at a time (a loop the compiler turns into copies).
    pub(super) fn u32_array(&mut self) -> R<Vec<u32>> {
        let mut v = Vec::new();
        let mut left = self.counted(&mut v)?;
        while left > 0 {
            self.need(4)?;
            let k = left.min((self.buf.len() - self.pos) / 4);
            let run = &self.buf[self.pos..self.pos + k * 4];
            v.extend(
                run.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            self.pos += k * 4;
            left -= k;
        }
        Ok(v)
    }
    /// A counted vector of items of any size, each read by `item`.
    pub(super) fn vec<T>(&mut self, mut item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        let mut v = Vec::new();
        let n = self.counted(&mut v)?;
        for _ in 0..n {
            v.push(item(self)?);
        }
        Ok(v)
    }
}

/// One fixed-size record being read.
pub(super) struct Rec<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Rec<'a> {
    #[inline(always)]
    pub(super) fn new(b: &'a [u8]) -> Rec<'a> {
        Rec { b, i: 0 }
    }
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

/// Reading a record's fields (see [`Record::fields`]).
impl Wire for Rec<'_> {
    type Error = DecodeError;
    #[inline(always)]
    fn fixed<const N: usize>(&mut self, b: &mut [u8; N]) -> R<()> {
        *b = self.take()?;
        Ok(())
    }
    #[inline(always)]
    fn code<T: Copy + PartialEq>(&mut self, v: &mut T, table: &[T], what: &str) -> R<()> {
        *v = from_code(table, self.take::<1>()?[0], what)?;
        Ok(())
    }
}
