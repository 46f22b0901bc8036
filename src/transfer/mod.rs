//! A compact binary encoding of parsed traces and their trees, for moving them from the parse worker to the page.
//!
//! Wasm memory cannot be shared between the worker and the page, and structured cloning of Rust structures (via
//! serde-wasm-bindgen) costs far more than a byte copy. So the worker writes every trace and tree into a list of byte
//! chunks of about [`CHUNK`] bytes, transfers them as `ArrayBuffer`s, and the page reads them back one chunk at a time,
//! so it never holds the whole encoding in wasm memory next to the decoded model.
//!
//! The format is private to one build of Stitch (worker and page come from the same crate): a magic number with a
//! version, then fixed-width little-endian fields. Every read is checked; a short or corrupt input gives an error,
//! never a panic.
//!
//! * `wire`: what both directions share: the code of each enum, the layout of each fixed-size record.
//! * `writer`: the worker's side, [`encode`].
//! * `reader`: fields read from the chunks as they come in ([`Source`]).
//! * `decoder`: the page's side, [`decode`] in bounded steps ([`Decoder`], [`Receiver`]).
//! * `validation`: what a decoded trace and tree must satisfy before the views index with them.
//! * `memory`: memory touched ahead of a load ([`touched_block`]).

mod decoder;
mod memory;
mod reader;
mod validation;
mod wire;
mod writer;

pub use decoder::{decode, Decoder, Received, Receiver};
pub use memory::touched_block;
pub use reader::{DecodeError, Source};
pub use writer::{encode, Writer};

use crate::analysis::tree::Tree;
use crate::model::{Format, Trace};

/// Target chunk size.
pub const CHUNK: usize = 8 << 20;
/// The start of every encoding; the version changes with the format.
const MAGIC: &[u8; 8] = b"STITCH01";

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
