//! The page's side, in bounded steps: the chunks decoded ([`Decoder`]), then each trace analysed ([`Receiver`]).

use super::reader::{bad, Fields, Reader, Source, R};
use super::validation::{check, check_tree};
use super::wire::{from_code, index_arrays, FORMATS, NO_SPAN, WARNING_KINDS};
use super::{Prepared, MAGIC};
use crate::analysis::member::Member;
use crate::analysis::tree::Tree;
use crate::model::{Format, Trace, Warning, WarningKind};

/// Decodes what [`encode`](super::encode) wrote, pulling chunks from `src` as needed.
pub fn decode(src: impl Source) -> R<Prepared> {
    let mut d = Decoder::new(src);
    loop {
        if let Some(p) = d.step()? {
            return Ok(p);
        }
    }
}

/// Records decoded per [`Decoder::step`]: enough for the steps to be few, few enough for each step to be short.
const BATCH: usize = 1 << 15;

/// What the next [`Decoder::step`] reads. A trace is read into its place as its parts come, with how many records of
/// the part being read are still to come.
enum DecodeStep {
    /// The magic number, the file's name and format, and the number of traces.
    Header,
    /// The next trace's ID, string table and text, or the end.
    TraceHead,
    Spans(Box<Trace>, usize),
    Attrs(Box<Trace>, usize),
    /// Events, links, resources and warnings (few), then the checks of the whole trace.
    Rest(Box<Trace>),
    /// The tree's next index array, with how many are read; after the last, the rest of the tree and its checks.
    Tree(Box<Trace>, Box<Tree>, usize),
    /// Nothing: the result was returned, or a step failed.
    Done,
}

/// [`decode`] in steps, each a bounded amount of work, so that the page can decode a large trace in many short tasks.
pub struct Decoder<S: Source> {
    r: Reader<S>,
    next: DecodeStep,
    head: Option<(String, Format, bool)>,
    /// Traces still to read.
    left: usize,
    traces: Vec<(Trace, Tree)>,
}

impl<S: Source> Decoder<S> {
    pub fn new(src: S) -> Decoder<S> {
        Decoder {
            r: Reader::new(src),
            next: DecodeStep::Header,
            head: None,
            left: 0,
            traces: Vec::new(),
        }
    }

    /// Does the next piece of work; the result once everything is read.
    pub fn step(&mut self) -> R<Option<Prepared>> {
        let r = &mut self.r;
        self.next = match std::mem::replace(&mut self.next, DecodeStep::Done) {
            DecodeStep::Header => self.header()?,
            DecodeStep::TraceHead if self.left == 0 => return self.finish().map(Some),
            DecodeStep::TraceHead => self.trace_head()?,
            DecodeStep::Spans(mut t, left) => match r.some_records(&mut t.spans, left, BATCH)? {
                0 => {
                    let left = r.counted(&mut t.attrs)?;
                    DecodeStep::Attrs(t, left)
                }
                left => DecodeStep::Spans(t, left),
            },
            DecodeStep::Attrs(mut t, left) => match r.some_records(&mut t.attrs, left, BATCH)? {
                0 => DecodeStep::Rest(t),
                left => DecodeStep::Attrs(t, left),
            },
            DecodeStep::Rest(mut t) => {
                trace_rest(r, &mut t)?;
                DecodeStep::Tree(t, Box::default(), 0)
            }
            DecodeStep::Tree(t, tree, read) => self.tree(t, tree, read)?,
            DecodeStep::Done => return Err(bad("read past its end")),
        };
        Ok(None)
    }

    fn header(&mut self) -> R<DecodeStep> {
        let r = &mut self.r;
        if &r.take::<8>()? != MAGIC {
            return Err(bad("it was written by a different version of Stitch"));
        }
        let name = r.string()?;
        let format = from_code(&FORMATS, r.u8()?, "format")?;
        let gzipped = r.u8()? != 0;
        self.head = Some((name, format, gzipped));
        self.left = r.len(u32::MAX as usize)?;
        Ok(DecodeStep::TraceHead)
    }

    /// The result, once every trace is read.
    fn finish(&mut self) -> R<Prepared> {
        let (name, format, gzipped) = self.head.take().ok_or_else(|| bad("no header"))?;
        Ok(Prepared {
            name,
            format,
            gzipped,
            traces: std::mem::take(&mut self.traces),
        })
    }

    /// The next trace's ID, string table and text; its spans next.
    fn trace_head(&mut self) -> R<DecodeStep> {
        self.left -= 1;
        let r = &mut self.r;
        let mut t = Box::new(Trace {
            trace_id: r.string()?,
            ..Trace::default()
        });
        let names = r.vec(|r| r.string())?;
        for s in &names {
            t.strings.intern(s);
        }
        if t.strings.len() != names.len() {
            return Err(bad("the string table has duplicates"));
        }
        t.text = r.string()?;
        let left = r.counted(&mut t.spans)?;
        Ok(DecodeStep::Spans(t, left))
    }

    /// The tree's next index array; after the last, the rest of the tree, and the trace is done.
    fn tree(&mut self, t: Box<Trace>, mut tree: Box<Tree>, read: usize) -> R<DecodeStep> {
        let next = index_arrays!(tree, &mut).into_iter().nth(read);
        if let Some(array) = next {
            *array = self.r.u32_array()?;
            return Ok(DecodeStep::Tree(t, tree, read + 1));
        }
        tree_rest(&mut self.r, &mut tree)?;
        if tree.len() != t.spans.len() {
            return Err(bad("the span tree does not fit the spans"));
        }
        self.traces.push((*t, *tree));
        Ok(DecodeStep::TraceHead)
    }
}

/// The rest of a trace after its spans and attributes, then the checks of the whole.
fn trace_rest<S: Source>(r: &mut Reader<S>, t: &mut Trace) -> R<()> {
    t.events = r.records()?;
    t.links = r.records()?;
    t.resources = r.records()?;
    let warning_kind = |r: &mut Reader<S>| -> R<WarningKind> {
        from_code(&WARNING_KINDS, r.u8()?, "warning kind")
    };
    t.warnings = r.vec(|r| {
        Ok(Warning {
            kind: warning_kind(r)?,
            span: Some(r.u32()?).filter(|&s| s != NO_SPAN),
            message: r.string()?,
        })
    })?;
    let counts = r.vec(|r| Ok((warning_kind(r)?, r.len(usize::MAX)?)))?;
    t.warning_counts = counts.into_iter().collect();
    check(t)
}

/// The rest of a tree after its index arrays, then the checks of the whole.
fn tree_rest<S: Source>(r: &mut Reader<S>, tree: &mut Tree) -> R<()> {
    tree.error_below = r.records()?;
    tree.max_depth = r.u32()?;
    tree.incomplete = r.u8()? != 0;
    check_tree(tree)
}

/// The page's whole receiving side, in steps: [`Decoder`], then the members of the set. A file of one trace is
/// analysed in full ([`crate::analysis::Finishing`], in steps: it may hold a million spans); the traces of a file of
/// several are only summarised, in blocks of about [`SUMMARY_BLOCK`] spans, and analysed when opened (see
/// [`crate::analysis::member`]). Each [`Receiver::step`] is a bounded piece of work; the last one returns the file's
/// name, format and traces.
pub struct Receiver<S: Source> {
    decoder: Option<Decoder<S>>,
    head: Option<(String, Format)>,
    left: std::vec::IntoIter<(Trace, Tree)>,
    /// Whether the file holds one trace (analysed now) or several (analysed when opened).
    single: bool,
    current: Option<crate::analysis::Finishing>,
    finished: Vec<Member>,
}

/// Spans summarised per step of a [`Receiver`] reading a file of several traces.
const SUMMARY_BLOCK: usize = 1 << 16;

/// What a [`Receiver`] ends with: the file's name and format, and its traces.
pub type Received = (String, Format, Vec<Member>);

impl<S: Source> Receiver<S> {
    pub fn new(src: S) -> Receiver<S> {
        Receiver {
            decoder: Some(Decoder::new(src)),
            head: None,
            left: Vec::new().into_iter(),
            single: false,
            current: None,
            finished: Vec::new(),
        }
    }

    /// Whether decoding is over (the rest is analysis).
    pub fn decoded(&self) -> bool {
        self.decoder.is_none()
    }

    /// Does the next piece of work; the result once every trace is analysed or summarised.
    pub fn step(&mut self) -> R<Option<Received>> {
        if let Some(d) = self.decoder.as_mut() {
            if let Some(p) = d.step()? {
                self.decoder = None;
                self.head = Some((p.name, p.format));
                self.single = p.traces.len() == 1;
                self.left = p.traces.into_iter();
            }
            return Ok(None);
        }
        if !self.single {
            return self.summarise_block();
        }
        let f = match self.current.as_mut() {
            Some(f) => f,
            None => match self.left.next() {
                Some((t, tree)) => self
                    .current
                    .insert(crate::analysis::Finishing::new(t, tree)),
                None => return self.received().map(Some),
            },
        };
        if f.step() {
            if let Some(f) = self.current.take() {
                self.finished.push(Member::analyzed(f.done()));
            }
        }
        Ok(None)
    }

    /// Summarises the next traces of a file of several; the result once none is left.
    fn summarise_block(&mut self) -> R<Option<Received>> {
        let mut spans = 0;
        while spans < SUMMARY_BLOCK {
            let Some((t, tree)) = self.left.next() else {
                return self.received().map(Some);
            };
            spans += t.spans.len().max(1);
            self.finished.push(Member::prepared(t, tree));
        }
        Ok(None)
    }

    fn received(&mut self) -> R<Received> {
        let (name, format) = self.head.take().ok_or_else(|| bad("read past its end"))?;
        Ok((name, format, std::mem::take(&mut self.finished)))
    }
}
