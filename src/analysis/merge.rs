//! Several files read as one load: their traces are listed together, and spans of one trace ID found in different
//! files (one Zipkin file per service, say) are joined into one trace, whose tree and analysis are built again.

use std::collections::HashMap;

use super::member::Member;
use crate::formats::is_made_up_trace_id;
use crate::model::{flags, Format, ParentRef, Trace};

/// One file of the load, as read: its name, format and traces.
pub type FileRead = (String, Format, Vec<Member>);

/// The files of one load, joined.
pub struct MergedLoad {
    /// What the load is called: the file's name, or the first file's and how many more.
    pub name: String,
    /// The first file's format.
    pub format: Format,
    /// The files, in the order given; a member's `files` index this list.
    pub files: Vec<String>,
    /// Every trace, sorted by start; each names the files its spans came from.
    pub traces: Vec<Member>,
}

/// Joins the files of one load. A trace found in one file only is kept as it was read (its analysis too); a trace
/// whose ID is in several files gets every file's spans, in the order of the files.
pub fn merge_files(files: Vec<FileRead>) -> MergedLoad {
    let name = load_name(&files);
    let format = files.first().map_or(Format::Otlp, |f| f.1);
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    // Each trace ID's parts, in the order the IDs were first seen.
    let mut order: Vec<Vec<(u32, Member)>> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (k, (_, _, members)) in files.into_iter().enumerate() {
        for mut m in members {
            let id = m.trace_id().to_string();
            if is_made_up_trace_id(&id) {
                // Not the same trace because a parser gave both the same ID: kept apart, renamed if it is taken.
                if by_id.contains_key(&id) {
                    m.set_trace_id(format!("{id}-{}", k + 1));
                }
                by_id.insert(m.trace_id().to_string(), order.len());
                order.push(vec![(k as u32, m)]);
                continue;
            }
            let slot = *by_id.entry(id).or_insert_with(|| {
                order.push(Vec::new());
                order.len() - 1
            });
            order[slot].push((k as u32, m));
        }
    }
    let single = order.len() == 1;
    let mut traces: Vec<Member> = order.into_iter().map(|parts| join(parts, single)).collect();
    traces.sort_by_key(|m| m.summary.start_ns);
    MergedLoad {
        name,
        format,
        files: names,
        traces,
    }
}

/// "a.json", "a.json + b.json", or "a.json + 2 more files".
fn load_name(files: &[FileRead]) -> String {
    match files {
        [] => String::new(),
        [one] => one.0.clone(),
        [a, b] => format!("{} + {}", a.0, b.0),
        [a, rest @ ..] => format!("{} + {} more files", a.0, rest.len()),
    }
}

/// One trace ID's parts (file index, member) as one member. `analyze_now`: the load holds this trace only, so it is
/// analysed at once, as a file of one trace is.
fn join(mut parts: Vec<(u32, Member)>, analyze_now: bool) -> Member {
    let files: Vec<u32> = parts.iter().map(|p| p.0).collect();
    if parts.len() == 1 {
        let (_, mut m) = parts.remove(0);
        m.files = files;
        return m;
    }
    let mut traces = parts.into_iter().map(|(_, m)| m.into_trace());
    let mut joined = traces.next().map(without_rechecked).unwrap_or_default();
    for t in traces {
        joined.absorb(&without_rechecked(t));
    }
    link_shared_across_files(&mut joined);
    let (trace, tree) = super::prepare(joined);
    let mut m = if analyze_now {
        Member::analyzed(super::finish(trace, tree))
    } else {
        Member::prepared(trace, tree)
    };
    m.files = files;
    m
}

/// A part's trace without the warnings and flags of the checks that run again on the joined trace.
fn without_rechecked(mut t: Trace) -> Trace {
    t.forget_warnings(&super::RECHECKED);
    for s in t.spans.iter_mut() {
        s.flags &= !flags::DUPLICATE_ID;
    }
    t
}

/// A Zipkin server span that shares its client's ID is the client's child. Its parser links the two when both are in
/// one file; when the client was in another file, the server span still names the client's parent, and is linked
/// here to the client.
fn link_shared_across_files(t: &mut Trace) {
    let mut client_of: HashMap<&str, u32> = HashMap::new();
    for (i, s) in t.spans.iter().enumerate() {
        if !s.has(flags::SHARED) {
            client_of.entry(t.str(s.span_id)).or_insert(i as u32);
        }
    }
    let links: Vec<(usize, u32)> = t
        .spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.has(flags::SHARED) && !matches!(s.parent, ParentRef::Index(_)))
        .filter_map(|(i, s)| client_of.get(t.str(s.span_id)).map(|&c| (i, c)))
        .collect();
    for (i, c) in links {
        t.spans[i].parent = ParentRef::Index(c);
    }
}

/// Two files of one trace each, with different trace IDs: the user wants them compared. Returns the traces as
/// (A, B), the shorter first (the normal one: the comparison explains why B is slower).
pub fn pair_of_files(files: usize, traces: &[Member]) -> Option<(usize, usize)> {
    match traces {
        [x, y] if files == 2 && x.files.len() == 1 && y.files.len() == 1 && x.files != y.files => {
            if y.summary.duration_ns < x.summary.duration_ns {
                Some((1, 0))
            } else {
                Some((0, 1))
            }
        }
        _ => None,
    }
}
