//! Search and filters over one trace.
//!
//! A query is space-separated terms, all of which must match (AND):
//! * `word` — a case-insensitive substring of the service, operation, span ID, or any attribute key or value
//!   (span, resource and scope attributes);
//! * `"a phrase"` — the same, with spaces;
//! * `key=value` — an attribute whose key is `key` and whose value contains `value`; `service=`, `operation=`
//!   (or `name=`) and `id=` match those fields.
//!
//! Filters (services in or out, minimum duration, errors only) narrow the hits further. Matching uses a lower-cased
//! copy of the text arena (ASCII lowering keeps byte offsets), built once per trace.

use super::tree::{Tree, NONE};
use crate::model::{Str, Sym, Trace, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Text(String),
    KeyValue(String, String),
}

/// Splits a query into terms, honouring double quotes.
pub fn parse_query(q: &str) -> Vec<Term> {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .into_iter()
        .map(|w| {
            let w = w.to_lowercase();
            match w.split_once('=') {
                Some((k, v)) if !k.is_empty() => Term::KeyValue(k.to_string(), v.to_string()),
                _ => Term::Text(w),
            }
        })
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    /// When non-empty, only these services.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// When set, only spans of this operation (the service graph's operation nodes set it).
    pub operation: Option<String>,
    pub min_duration_ns: i64,
    pub errors_only: bool,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.include.is_empty()
            && self.exclude.is_empty()
            && self.operation.is_none()
            && self.min_duration_ns <= 0
            && !self.errors_only
    }
}

/// Lower-cased views of a trace's strings, built once.
pub struct SearchIndex {
    lower_text: String,
    lower_syms: Vec<String>,
    /// Whether every span ID is hexadecimal (so a word that is not cannot be in one).
    hex_ids: bool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} bytes)", self.lower_text.len())
    }
}

impl SearchIndex {
    pub fn new(t: &Trace) -> SearchIndex {
        let n = t.strings.len();
        SearchIndex {
            lower_text: t.text.to_ascii_lowercase(),
            lower_syms: (0..n as Sym).map(|s| t.sym(s).to_lowercase()).collect(),
            hex_ids: t
                .spans
                .iter()
                .all(|s| t.str(s.span_id).bytes().all(|c| c.is_ascii_hexdigit())),
        }
    }
    fn s(&self, s: Str) -> &str {
        self.lower_text
            .get(s.off as usize..(s.off + s.len) as usize)
            .unwrap_or("")
    }
    fn sym(&self, s: Sym) -> &str {
        self.lower_syms
            .get(s as usize)
            .map(|s| s.as_str())
            .unwrap_or("")
    }
}

/// Which kinds of non-text values a needle could be found in (decided once per term, so that numbers are only
/// formatted when their text could contain the needle at all).
#[derive(Clone, Copy)]
struct CouldMatch {
    /// Whether the needle is hexadecimal (else it cannot be in a hexadecimal span ID).
    hex: bool,
    int: bool,
    float: bool,
    bool: bool,
}

impl CouldMatch {
    fn new(needle: &str) -> CouldMatch {
        let b = needle.as_bytes();
        CouldMatch {
            hex: b.iter().all(|c| c.is_ascii_hexdigit()),
            int: b.iter().all(|c| c.is_ascii_digit() || *c == b'-'),
            float: b.iter().all(|c| b"0123456789.-+eEinfaINF".contains(c)),
            bool: "true".contains(needle) || "false".contains(needle),
        }
    }
}

fn value_contains(
    t: &Trace,
    ix: &SearchIndex,
    v: &Value,
    needle: &str,
    could: CouldMatch,
    finder: &memchr::memmem::Finder,
    buf: &mut String,
) -> bool {
    use std::fmt::Write as _;
    match v {
        Value::Str(s) | Value::Bytes(s) | Value::Json(s) => {
            finder.find(ix.s(*s).as_bytes()).is_some()
        }
        // Numbers and booleans: formatted into a reused buffer, only when they could match.
        Value::Int(i) if could.int => {
            buf.clear();
            let _ = write!(buf, "{i}");
            buf.contains(needle)
        }
        Value::Bool(b) if could.bool => (if *b { "true" } else { "false" }).contains(needle),
        Value::Float(_) if could.float => {
            buf.clear();
            let _ = write!(buf, "{}", t.value_text(v));
            buf.contains(needle)
        }
        _ => false,
    }
}

/// A search term compiled against one trace: which interned strings and resources it matches, decided once.
struct CompiledTerm<'q> {
    term: &'q Term,
    /// Substring finder for the word (text terms) or the value (key=value terms), built once.
    finder: memchr::memmem::Finder<'q>,
    /// Text terms: interned strings (services, operations, keys) containing the word.
    /// Key=value terms: keys equal to the key.
    sym_hit: Vec<bool>,
    /// Whether numbers or booleans could contain the word or value.
    could: CouldMatch,
    /// Per resource: whether its attributes (or scope attributes) match, decided once: resources are shared.
    res_hit: Vec<bool>,
}

impl<'q> CompiledTerm<'q> {
    fn new(t: &Trace, ix: &SearchIndex, term: &'q Term) -> CompiledTerm<'q> {
        let sym_hit = ix
            .lower_syms
            .iter()
            .map(|s| match term {
                Term::Text(w) => s.contains(w.as_str()),
                Term::KeyValue(k, _) => s == k,
            })
            .collect();
        let needle = match term {
            Term::Text(w) => w.as_str(),
            Term::KeyValue(_, v) => v.as_str(),
        };
        let mut c = CompiledTerm {
            term,
            finder: memchr::memmem::Finder::new(needle),
            sym_hit,
            could: CouldMatch::new(needle),
            res_hit: Vec::new(),
        };
        let mut buf = String::new();
        c.res_hit = t
            .resources
            .iter()
            .map(|r| {
                [r.attrs, r.scope_attrs]
                    .iter()
                    .any(|g| attrs_match(t, ix, &c, *g, &mut buf))
            })
            .collect();
        c
    }
}

/// Whether an attribute in `g` matches the term (a text term: its key or value; key=value: both).
fn attrs_match(
    t: &Trace,
    ix: &SearchIndex,
    p: &CompiledTerm,
    g: crate::model::IndexRange,
    buf: &mut String,
) -> bool {
    let hit = |sym: u32| p.sym_hit.get(sym as usize).copied().unwrap_or(false);
    match p.term {
        Term::Text(w) => t
            .attr_range(g)
            .iter()
            .any(|a| hit(a.key) || value_contains(t, ix, &a.value, w, p.could, &p.finder, buf)),
        Term::KeyValue(_, v) => t
            .attr_range(g)
            .iter()
            .any(|a| hit(a.key) && value_contains(t, ix, &a.value, v, p.could, &p.finder, buf)),
    }
}

fn span_matches(
    t: &Trace,
    ix: &SearchIndex,
    i: u32,
    terms: &[CompiledTerm],
    buf: &mut String,
) -> bool {
    let s = &t.spans[i as usize];
    let hit = |p: &CompiledTerm, sym: u32| p.sym_hit.get(sym as usize).copied().unwrap_or(false);
    let res_hit = |p: &CompiledTerm| p.res_hit.get(s.resource as usize).copied().unwrap_or(false);
    terms.iter().all(|p| match p.term {
        Term::Text(_) => {
            hit(p, s.service)
                || hit(p, s.operation)
                || ((p.could.hex || !ix.hex_ids)
                    && p.finder.find(ix.s(s.span_id).as_bytes()).is_some())
                || res_hit(p)
                || attrs_match(t, ix, p, s.attrs, buf)
        }
        Term::KeyValue(k, v) => match k.as_str() {
            "service" => ix.sym(s.service).contains(v.as_str()),
            "operation" | "name" => ix.sym(s.operation).contains(v.as_str()),
            "id" | "span" | "spanid" => ix.s(s.span_id).contains(v.as_str()),
            _ => res_hit(p) || attrs_match(t, ix, p, s.attrs, buf),
        },
    })
}

/// The filters' names as the trace's symbols.
struct FilterSyms {
    include: Vec<Sym>,
    exclude: Vec<Sym>,
    operation: Option<Sym>,
}

fn passes(t: &Trace, i: u32, f: &Filters, syms: &FilterSyms) -> bool {
    let s = &t.spans[i as usize];
    (f.include.is_empty() || syms.include.contains(&s.service))
        && !syms.exclude.contains(&s.service)
        && syms.operation.is_none_or(|o| s.operation == o)
        && s.duration_ns >= f.min_duration_ns
        && (!f.errors_only || s.is_error())
}

/// Spans that match every term and pass the filters, in depth-first (row) order.
pub fn search(t: &Trace, tree: &Tree, ix: &SearchIndex, terms: &[Term], f: &Filters) -> Vec<u32> {
    search_with_mask(t, tree, ix, terms, f).0
}

/// [`search`], with a flag per span (index = span) telling whether it is a hit.
pub fn search_with_mask(
    t: &Trace,
    tree: &Tree,
    ix: &SearchIndex,
    terms: &[Term],
    f: &Filters,
) -> (Vec<u32>, Vec<bool>) {
    let syms = |names: &[String]| -> Vec<Sym> {
        names.iter().filter_map(|n| t.strings.lookup(n)).collect()
    };
    let operation = f.operation.as_ref().map(|o| t.strings.lookup(o));
    let fs = FilterSyms {
        include: syms(&f.include),
        exclude: syms(&f.exclude),
        operation: operation.flatten(),
    };
    if (!f.include.is_empty() && fs.include.is_empty()) || operation == Some(None) {
        return (Vec::new(), vec![false; t.spans.len()]);
    }
    let compiled: Vec<CompiledTerm> = terms
        .iter()
        .map(|term| CompiledTerm::new(t, ix, term))
        .collect();
    let mut buf = String::new();
    // Visit spans in storage order (sequential memory), marking hits; then read them out in row order (one pass over
    // the depth-first order is cheaper than sorting a quarter of a million hits).
    let n = t.spans.len();
    let mut mask = vec![false; n];
    for i in 0..n as u32 {
        if passes(t, i, f, &fs)
            && (compiled.is_empty() || span_matches(t, ix, i, &compiled, &mut buf))
        {
            mask[i as usize] = true;
        }
    }
    let hits = if tree.preorder.len() == n {
        tree.preorder
            .iter()
            .copied()
            .filter(|&i| mask.get(i as usize).copied().unwrap_or(false))
            .collect()
    } else {
        let mut hits: Vec<u32> = (0..n as u32).filter(|&i| mask[i as usize]).collect();
        hits.sort_unstable_by_key(|&i| tree.row_of.get(i as usize).copied().unwrap_or(u32::MAX));
        hits
    };
    (hits, mask)
}

/// Spans to keep in a "matches only" view: the hits and their ancestors.
pub fn keep_with_ancestors(tree: &Tree, hits: &[u32]) -> Vec<bool> {
    let mut keep = vec![false; tree.parent.len()];
    for &h in hits {
        if h as usize >= keep.len() {
            continue;
        }
        let mut cur = h;
        while cur != NONE && !keep[cur as usize] {
            keep[cur as usize] = true;
            cur = tree.parent[cur as usize];
        }
    }
    keep
}
