//! Chrome Trace Event JSON: an array of events or `{"traceEvents":[…]}`.
//!
//! `X` (complete) events and `B`/`E` pairs become spans, nested by time within each (pid, tid); each thread is a
//! service, named from `M` metadata events when present. Unbalanced or badly nested events give warnings.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// The trace ID of every Chrome trace: the format has none.
pub const TRACE_ID: &str = "chrome-trace";

use serde::Deserialize;
use serde_json::value::RawValue;

use super::counted::{counted_id, Counted};
use super::json::{from_json, CowStr};
use super::scalar::Scalar;
use crate::model::{IndexRange, ParentRef, Span, Sym, Trace, Value, WarningKind};

#[derive(Deserialize, Default)]
struct Doc<'a> {
    #[serde(borrow, default, rename = "traceEvents")]
    trace_events: Counted<Ev<'a>>,
}

#[derive(Deserialize, Default)]
struct Ev<'a> {
    #[serde(borrow, default, deserialize_with = "counted_id")]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    cat: Cow<'a, str>,
    #[serde(borrow, default)]
    ph: Cow<'a, str>,
    #[serde(borrow, default)]
    ts: Scalar<'a>,
    #[serde(borrow, default)]
    dur: Scalar<'a>,
    #[serde(borrow, default)]
    pid: Scalar<'a>,
    #[serde(borrow, default)]
    tid: Scalar<'a>,
    #[serde(borrow, default)]
    args: Option<BTreeMap<CowStr<'a>, &'a RawValue>>,
}

struct Interval<'e, 'a> {
    start: i64,
    end: i64,
    ev: &'e Ev<'a>,
}

/// A thread: its process ID and thread ID, as text.
type ThreadKey = (String, String);

fn us_to_ns(s: &Scalar) -> Option<i64> {
    s.as_f64()
        .filter(|f| f.is_finite() && f.abs() < 9e12)
        .map(|f| (f * 1000.0).round() as i64)
}

/// Parses Chrome Trace Event JSON into one trace.
pub fn parse(bytes: &[u8]) -> Result<Vec<Trace>, serde_json::Error> {
    let is_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let docs: Vec<Doc> = if is_array {
        vec![Doc {
            trace_events: from_json(bytes)?,
        }]
    } else {
        vec![from_json(bytes)?]
    };
    let events: Vec<&Ev> = docs.iter().flat_map(|d| d.trace_events.0.iter()).collect();
    let mut t = Trace::new(TRACE_ID);
    let names = Names::from_metadata(&events);
    let mut warnings: Vec<String> = Vec::new();
    for ((pid, tid), ivs) in Threads::pair(&events, &mut warnings) {
        if ivs.is_empty() {
            continue;
        }
        let service = names.service(&pid, &tid);
        nest_thread(&mut t, &service, ivs, &mut warnings);
    }
    for w in warnings {
        t.warn(WarningKind::Format, None, w);
    }
    Ok(vec![t])
}

/// Process and thread names from `M` (metadata) events.
#[derive(Default)]
struct Names {
    process: HashMap<String, String>,
    thread: HashMap<ThreadKey, String>,
}

impl Names {
    fn from_metadata(events: &[&Ev]) -> Names {
        let mut names = Names::default();
        for e in events.iter().filter(|e| e.ph == "M") {
            let name = e
                .args
                .as_ref()
                .and_then(|a| a.get("name"))
                .and_then(|r| serde_json::from_str::<String>(r.get()).ok());
            if let Some(n) = name {
                if e.name == "process_name" {
                    names.process.insert(e.pid.to_text(), n);
                } else if e.name == "thread_name" {
                    names.thread.insert((e.pid.to_text(), e.tid.to_text()), n);
                }
            }
        }
        names
    }

    /// A thread's service name: "process / thread", each named by metadata or by its ID.
    fn service(&self, pid: &str, tid: &str) -> String {
        let pname = self
            .process
            .get(pid)
            .cloned()
            .unwrap_or_else(|| format!("pid {pid}"));
        match self.thread.get(&(pid.to_string(), tid.to_string())) {
            Some(tn) => format!("{pname} / {tn}"),
            None => format!("{pname} / tid {tid}"),
        }
    }
}

/// Events paired into intervals, per thread: `X` events, and `B` events with the `E` events that end them.
#[derive(Default)]
struct Threads<'e, 'a> {
    /// Each thread's intervals, in file order; threads in the order they first appear.
    list: Vec<(ThreadKey, Vec<Interval<'e, 'a>>)>,
    index: HashMap<ThreadKey, usize>,
    /// Per thread, the begin events not yet ended, with their times.
    open: HashMap<ThreadKey, Vec<(i64, &'e Ev<'a>)>>,
    /// Per thread, the last time seen: where a begin event that never ends is closed.
    last_ts: HashMap<ThreadKey, i64>,
}

impl<'e, 'a> Threads<'e, 'a> {
    /// Pairs `events`, in file order; a problem is a warning.
    fn pair(
        events: &[&'e Ev<'a>],
        warnings: &mut Vec<String>,
    ) -> Vec<(ThreadKey, Vec<Interval<'e, 'a>>)> {
        let mut threads = Threads::default();
        for &e in events {
            threads.add(e, warnings);
        }
        threads.close_open(warnings);
        threads.list
    }

    fn add(&mut self, e: &'e Ev<'a>, warnings: &mut Vec<String>) {
        let key = (e.pid.to_text(), e.tid.to_text());
        let Some(ts) = us_to_ns(&e.ts) else {
            if e.ph == "X" || e.ph == "B" || e.ph == "E" {
                warnings.push(format!(
                    "event \"{}\" ({}) has no valid ts; skipped",
                    e.name, e.ph
                ));
            }
            return;
        };
        let lt = self.last_ts.entry(key.clone()).or_insert(ts);
        *lt = (*lt).max(ts);
        let list = &mut self.list;
        let ti = *self.index.entry(key.clone()).or_insert_with(|| {
            list.push((key.clone(), Vec::new()));
            list.len() - 1
        });
        match &*e.ph {
            "X" => {
                let dur = us_to_ns(&e.dur).unwrap_or(0).max(0);
                *self.last_ts.entry(key).or_insert(ts) = (ts + dur).max(ts);
                self.list[ti].1.push(Interval {
                    start: ts,
                    end: ts + dur,
                    ev: e,
                });
            }
            "B" => self.open.entry(key).or_default().push((ts, e)),
            "E" => self.end(key, ti, ts, e, warnings),
            _ => {}
        }
    }

    /// An `E` event at `ts` ends the thread's innermost open `B` event.
    fn end(&mut self, key: ThreadKey, ti: usize, ts: i64, e: &Ev, warnings: &mut Vec<String>) {
        let stack = self.open.entry(key).or_default();
        match stack.pop() {
            Some((start, b)) => {
                if !e.name.is_empty() && e.name != b.name {
                    warnings.push(format!(
                        "end event \"{}\" at {}µs closes \"{}\"; events are not properly nested",
                        e.name,
                        ts / 1000,
                        b.name
                    ));
                }
                self.list[ti].1.push(Interval {
                    start,
                    end: ts.max(start),
                    ev: b,
                });
            }
            None => warnings.push(format!(
                "end event \"{}\" at {}µs has no matching begin; ignored",
                e.name,
                ts / 1000
            )),
        }
    }

    /// Begin events that never end are closed at their thread's last timestamp.
    fn close_open(&mut self, warnings: &mut Vec<String>) {
        for (key, stack) in std::mem::take(&mut self.open) {
            let end = self.last_ts.get(&key).copied().unwrap_or(0);
            let ti = self.index.get(&key).copied();
            for (start, b) in stack {
                warnings.push(format!(
                    "begin event \"{}\" has no end; closed at the thread's last timestamp",
                    b.name
                ));
                if let Some(ti) = ti {
                    self.list[ti].1.push(Interval {
                        start,
                        end: end.max(start),
                        ev: b,
                    });
                }
            }
        }
    }
}

/// Turns a thread's intervals into spans of `service`, each the child of the innermost interval enclosing it.
fn nest_thread(t: &mut Trace, service: &str, mut ivs: Vec<Interval>, warnings: &mut Vec<String>) {
    let svc = t.strings.intern(service);
    ivs.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut stack: Vec<(i64, u32)> = Vec::new(); // (end, span index)
    for iv in ivs {
        while let Some(&(end, _)) = stack.last() {
            if end <= iv.start {
                stack.pop();
            } else {
                break;
            }
        }
        if let Some(&(end, _)) = stack.last() {
            if iv.end > end {
                warnings.push(format!(
                    "\"{}\" starts inside its enclosing event but ends after it; events are badly nested",
                    iv.ev.name
                ));
            }
        }
        let parent = match stack.last() {
            Some(&(_, p)) => ParentRef::Index(p),
            None => ParentRef::None,
        };
        let idx = push_span(t, &iv, parent, svc);
        stack.push((iv.end, idx));
    }
}

/// Adds an interval's span to `t`, with its category and args as attributes; returns its index.
fn push_span(t: &mut Trace, iv: &Interval, parent: ParentRef, service: Sym) -> u32 {
    let idx = t.spans.len() as u32;
    let a0 = t.attrs.len() as u32;
    if !iv.ev.cat.is_empty() {
        t.push_str_attr("category", &iv.ev.cat);
    }
    if let Some(args) = &iv.ev.args {
        for (k, raw) in args {
            let text = raw.get();
            let v = match serde_json::from_str::<Scalar>(text) {
                Ok(Scalar::Nested) | Err(_) => Value::Json(t.push_str(text)),
                Ok(s) => s.to_value(t),
            };
            let key = format!("args.{k}");
            t.push_attr(&key, v);
        }
    }
    let span = Span {
        span_id: t.push_str(&format!("{idx}")),
        parent,
        service,
        operation: t.strings.intern(&iv.ev.name),
        start_ns: iv.start,
        duration_ns: iv.end - iv.start,
        attrs: IndexRange {
            start: a0,
            end: t.attrs.len() as u32,
        },
        ..Span::default()
    };
    t.spans.push(span);
    idx
}
