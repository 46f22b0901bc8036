//! Chrome Trace Event JSON: an array of events or `{"traceEvents":[…]}`.
//!
//! `X` (complete) events and `B`/`E` pairs become spans, nested by time within each (pid, tid); each thread is a
//! service, named from `M` metadata events when present. Unbalanced or badly nested events give warnings.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::value::RawValue;

use super::common::{counted_id, Counted, CowStr, Scalar};
use crate::model::{IndexRange, ParentRef, Span, Trace, Value, WarningKind};

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
            trace_events: super::common::from_json(bytes)?,
        }]
    } else {
        vec![super::common::from_json(bytes)?]
    };
    let events: Vec<&Ev> = docs.iter().flat_map(|d| d.trace_events.0.iter()).collect();
    let mut t = Trace::new("chrome-trace");

    // Names from metadata.
    let mut process_name: HashMap<String, String> = HashMap::new();
    let mut thread_name: HashMap<(String, String), String> = HashMap::new();
    for e in &events {
        if e.ph == "M" {
            let name = e
                .args
                .as_ref()
                .and_then(|a| a.get("name"))
                .and_then(|r| serde_json::from_str::<String>(r.get()).ok());
            if let Some(n) = name {
                if e.name == "process_name" {
                    process_name.insert(e.pid.to_text(), n);
                } else if e.name == "thread_name" {
                    thread_name.insert((e.pid.to_text(), e.tid.to_text()), n);
                }
            }
        }
    }

    // Intervals per thread, in file order.
    let mut threads: Vec<((String, String), Vec<Interval>)> = Vec::new();
    let mut thread_ix: HashMap<(String, String), usize> = HashMap::new();
    let mut open: HashMap<(String, String), Vec<(i64, &Ev)>> = HashMap::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut last_ts: HashMap<(String, String), i64> = HashMap::new();
    for e in &events {
        let key = (e.pid.to_text(), e.tid.to_text());
        let Some(ts) = us_to_ns(&e.ts) else {
            if e.ph == "X" || e.ph == "B" || e.ph == "E" {
                warnings.push(format!(
                    "event \"{}\" ({}) has no valid ts; skipped",
                    e.name, e.ph
                ));
            }
            continue;
        };
        let lt = last_ts.entry(key.clone()).or_insert(ts);
        *lt = (*lt).max(ts);
        let ti = *thread_ix.entry(key.clone()).or_insert_with(|| {
            threads.push((key.clone(), Vec::new()));
            threads.len() - 1
        });
        match &*e.ph {
            "X" => {
                let dur = us_to_ns(&e.dur).unwrap_or(0).max(0);
                *last_ts.entry(key).or_insert(ts) = (ts + dur).max(ts);
                threads[ti].1.push(Interval {
                    start: ts,
                    end: ts + dur,
                    ev: e,
                });
            }
            "B" => open.entry(key).or_default().push((ts, e)),
            "E" => {
                let stack = open.entry(key).or_default();
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
                        threads[ti].1.push(Interval {
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
            _ => {}
        }
    }
    for (key, stack) in open {
        let end = last_ts.get(&key).copied().unwrap_or(0);
        let ti = thread_ix.get(&key).copied();
        for (start, b) in stack {
            warnings.push(format!(
                "begin event \"{}\" has no end; closed at the thread's last timestamp",
                b.name
            ));
            if let Some(ti) = ti {
                threads[ti].1.push(Interval {
                    start,
                    end: end.max(start),
                    ev: b,
                });
            }
        }
    }

    for ((pid, tid), mut ivs) in threads {
        if ivs.is_empty() {
            continue;
        }
        let pname = process_name
            .get(&pid)
            .cloned()
            .unwrap_or_else(|| format!("pid {pid}"));
        let service = match thread_name.get(&(pid.clone(), tid.clone())) {
            Some(tn) => format!("{pname} / {tn}"),
            None => format!("{pname} / tid {tid}"),
        };
        let svc = t.strings.intern(&service);
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
                        Ok(s) => s.to_value(&mut t),
                    };
                    let key = format!("args.{k}");
                    t.push_attr(&key, v);
                }
            }
            let span = Span {
                span_id: t.push_str(&format!("{idx}")),
                parent: match stack.last() {
                    Some(&(_, p)) => ParentRef::Index(p),
                    None => ParentRef::None,
                },
                service: svc,
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
            stack.push((iv.end, idx));
        }
    }
    for w in warnings {
        t.warn(WarningKind::Format, None, w);
    }
    Ok(vec![t])
}
