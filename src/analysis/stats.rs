//! Statistics per service and operation, critical-path contributors, and the one-line summary.

use std::collections::HashMap;

use super::critical::Section;
use super::tree::{Tree, NONE};
use crate::model::{SpanKind, Sym, Trace, Value};
use crate::text::format_duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupBy {
    Service,
    Operation,
    Both,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatRow {
    pub service: Sym,
    /// `None` when grouped by service alone.
    pub operation: Option<Sym>,
    pub count: u64,
    pub total_ns: i64,
    pub self_ns: i64,
    pub min_ns: i64,
    pub max_ns: i64,
    pub p95_ns: i64,
    pub errors: u64,
}

impl StatRow {
    /// A row with no calls yet, for `service` (and `operation`, unless grouped by service alone).
    pub fn empty(service: Sym, operation: Option<Sym>) -> StatRow {
        StatRow {
            service,
            operation,
            count: 0,
            total_ns: 0,
            self_ns: 0,
            min_ns: i64::MAX,
            max_ns: i64::MIN,
            p95_ns: 0,
            errors: 0,
        }
    }

    pub fn avg_ns(&self) -> i64 {
        if self.count == 0 {
            0
        } else {
            self.total_ns / self.count as i64
        }
    }
}

/// Nearest-rank percentile of `v` (reorders it).
pub(crate) fn percentile(v: &mut [i64], p: f64) -> i64 {
    if v.is_empty() {
        return 0;
    }
    *v.select_nth_unstable(nearest_rank(v.len(), p) - 1).1
}

/// The 1-based nearest rank of percentile `p` (0..=1) among `len` sorted values: the smallest rank with at least a
/// fraction `p` of the values at or below it (at least 1, at most `len`; 1 when `len` is 0).
pub(crate) fn nearest_rank(len: usize, p: f64) -> usize {
    ((p * len as f64).ceil() as usize).clamp(1, len.max(1))
}

/// Rows grouped by service, operation (within its service), or both; sorted by total time, largest first.
/// `by == Operation` groups by operation name across services (service is then the most common one).
pub fn stats(trace: &Trace, self_ns: &[i64], by: GroupBy) -> Vec<StatRow> {
    stats_of(trace, self_ns, by, 0..trace.spans.len() as u32)
}

/// [`stats`] over some of the spans only (a focused subtree's, say).
pub fn stats_of(
    trace: &Trace,
    self_ns: &[i64],
    by: GroupBy,
    spans: impl IntoIterator<Item = u32>,
) -> Vec<StatRow> {
    let mut index: HashMap<(Sym, Sym), usize> = HashMap::new();
    let mut rows: Vec<StatRow> = Vec::new();
    let mut durs: Vec<Vec<i64>> = Vec::new();
    for i in spans {
        let i = i as usize;
        let Some(s) = trace.spans.get(i) else {
            continue;
        };
        let key = match by {
            GroupBy::Service => (s.service, Sym::MAX),
            GroupBy::Operation => (Sym::MAX, s.operation),
            GroupBy::Both => (s.service, s.operation),
        };
        let r = *index.entry(key).or_insert_with(|| {
            rows.push(StatRow::empty(
                s.service,
                (by != GroupBy::Service).then_some(s.operation),
            ));
            durs.push(Vec::new());
            rows.len() - 1
        });
        let row = &mut rows[r];
        let d = s.duration_ns.max(0);
        row.count += 1;
        row.total_ns += d;
        row.self_ns += self_ns.get(i).copied().unwrap_or(0);
        row.min_ns = row.min_ns.min(d);
        row.max_ns = row.max_ns.max(d);
        if s.is_error() {
            row.errors += 1;
        }
        durs[r].push(d);
    }
    for (row, d) in rows.iter_mut().zip(durs.iter_mut()) {
        row.p95_ns = percentile(d, 0.95);
    }
    rows.sort_by(|a, b| b.total_ns.cmp(&a.total_ns).then(a.service.cmp(&b.service)));
    rows
}

/// Critical-path time per (service, operation), largest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Contributor {
    pub service: Sym,
    pub operation: Option<Sym>,
    pub critical_ns: i64,
    /// Share of the whole critical path, 0..=1.
    pub share: f64,
}

pub fn contributors(trace: &Trace, crit: &[i64], by: GroupBy) -> Vec<Contributor> {
    let total: i64 = crit.iter().sum();
    let mut acc: HashMap<(Sym, Sym), i64> = HashMap::new();
    for (i, &c) in crit.iter().enumerate() {
        if c <= 0 {
            continue;
        }
        let s = &trace.spans[i];
        let key = match by {
            GroupBy::Service => (s.service, Sym::MAX),
            GroupBy::Operation => (Sym::MAX, s.operation),
            GroupBy::Both => (s.service, s.operation),
        };
        *acc.entry(key).or_insert(0) += c;
    }
    let mut out: Vec<Contributor> = acc
        .into_iter()
        .map(|((svc, op), c)| Contributor {
            service: svc,
            operation: if op == Sym::MAX { None } else { Some(op) },
            critical_ns: c,
            share: if total > 0 {
                c as f64 / total as f64
            } else {
                0.0
            },
        })
        .collect();
    out.sort_by(|a, b| {
        b.critical_ns
            .cmp(&a.critical_ns)
            .then(a.service.cmp(&b.service))
            .then(a.operation.cmp(&b.operation))
    });
    out
}

/// The one-line answer to "where did the time go".
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub sentence: String,
    /// The span that dominates the critical path.
    pub dominant: Option<u32>,
    /// Where that span spends its own critical time, if in a descendant.
    pub waiting_on: Option<u32>,
}

/// Finds the deepest span holding at least half the critical path (with its descendants), and the descendant
/// where most of that time is spent.
pub fn summarize(trace: &Trace, tree: &Tree, path: &[Section], root: u32) -> Summary {
    let n = trace.spans.len();
    let crit = super::critical::critical_time(n, path);
    let total: i64 = crit.iter().sum();
    if total <= 0 || root as usize >= n {
        return Summary {
            sentence: "The trace has no measurable duration.".into(),
            dominant: None,
            waiting_on: None,
        };
    }
    let incl = inclusive_times(tree, &crit);
    let deepest = deepest_half_holder(tree, &incl, root, total);
    // No child holds half the path, and the root's own time is not half either: that the root holds all of it says
    // nothing. Name what holds the most critical time of its own instead.
    if deepest == root && !tree.children_of(root).is_empty() && crit[root as usize] * 2 < total {
        return largest_own_share(trace, &crit, total);
    }
    // The caller named must be in the subtree described (a selected or focused client span's caller is not).
    let within = |c: &u32| {
        let (at, r) = (tree.row_of[*c as usize], tree.row_of[root as usize]);
        at >= r && at <= r + tree.descendants[root as usize]
    };
    let (dominant, waiting_on) = match caller_of(trace, tree, deepest).filter(within) {
        Some(server) => (server, Some(deepest)),
        None => (deepest, busiest_inside(tree, &crit, &incl, deepest)),
    };
    let name = |i: u32| format!("{}: {}", trace.service(i), trace.operation(i));
    let d = incl[dominant as usize];
    let pct = (d as f64 * 100.0 / total as f64).round();
    let mut sentence = format!(
        "{} of {} ({pct}%) on the critical path is {}",
        format_duration(d as f64),
        format_duration(total as f64),
        name(dominant)
    );
    if let Some(w) = waiting_on {
        sentence.push_str(&format!(
            " (waiting on {}: {}, {})",
            peer_name(trace, w),
            trace.operation(w),
            format_duration(incl[w as usize] as f64)
        ));
    }
    Summary {
        sentence,
        dominant: Some(dominant),
        waiting_on,
    }
}

/// Inclusive critical time of each span (its own and its descendants'), children before parents.
fn inclusive_times(tree: &Tree, crit: &[i64]) -> Vec<i64> {
    let mut incl = crit.to_vec();
    for &i in tree.preorder.iter().rev() {
        let p = tree.parent[i as usize];
        if p != NONE {
            incl[p as usize] += incl[i as usize];
        }
    }
    incl
}

/// From `root` down, while the child with the most inclusive critical time holds at least half of `total`: the
/// deepest span reached.
fn deepest_half_holder(tree: &Tree, incl: &[i64], root: u32, total: i64) -> u32 {
    let mut cur = root;
    loop {
        let best = tree
            .children_of(cur)
            .iter()
            .copied()
            .max_by_key(|&c| (incl[c as usize], std::cmp::Reverse(c)));
        match best {
            Some(c) if incl[c as usize] * 2 >= total && incl[c as usize] > 0 => cur = c,
            _ => return cur,
        }
    }
}

/// Whether span `i` calls out: a client, a producer, or a database call.
fn is_call(trace: &Trace, i: u32) -> bool {
    matches!(
        trace.spans[i as usize].kind,
        SpanKind::Client | SpanKind::Producer
    ) || trace.find_attr(i, "db.system").is_some()
}

/// When `call` calls out, the span that made the call: its nearest server or consumer ancestor (else its root);
/// `None` when it is not a call, or has no parent.
fn caller_of(trace: &Trace, tree: &Tree, call: u32) -> Option<u32> {
    if !is_call(trace, call) {
        return None;
    }
    let mut h = call;
    loop {
        let p = tree.parent[h as usize];
        if p == NONE {
            break;
        }
        h = p;
        if matches!(
            trace.spans[h as usize].kind,
            SpanKind::Server | SpanKind::Consumer
        ) {
            break;
        }
    }
    (h != call).then_some(h)
}

/// Where inside `span` its critical time goes: the descendant with the most critical time of its own, if one has
/// more than `span` itself.
fn busiest_inside(tree: &Tree, crit: &[i64], incl: &[i64], span: u32) -> Option<u32> {
    if crit[span as usize] >= incl[span as usize] {
        return None;
    }
    let row = tree.row_of[span as usize] as usize;
    let end = row + tree.descendants[span as usize] as usize + 1;
    let mut best = (crit[span as usize], span);
    for &d in &tree.preorder[row + 1..end.min(tree.preorder.len())] {
        if crit[d as usize] > best.0 {
            best = (crit[d as usize], d);
        }
    }
    (best.1 != span).then_some(best.1)
}

/// The summary of a critical path that no one subtree dominates: the span with the most critical time of its own
/// ("api waiting on postgresql: INSERT orders" when it is a call).
fn largest_own_share(trace: &Trace, crit: &[i64], total: i64) -> Summary {
    let top = (0..crit.len() as u32)
        .max_by_key(|&i| (crit[i as usize], std::cmp::Reverse(i)))
        .unwrap_or(0);
    let own = crit.get(top as usize).copied().unwrap_or(0);
    let pct = (own as f64 * 100.0 / total as f64).round();
    let what = if is_call(trace, top) {
        let (svc, op) = (trace.service(top), trace.operation(top));
        format!("{svc} waiting on {}: {op}", peer_name(trace, top))
    } else {
        format!("{}: {} itself", trace.service(top), trace.operation(top))
    };
    Summary {
        sentence: format!(
            "{} of {} ({pct}%) on the critical path is {what}",
            format_duration(own as f64),
            format_duration(total as f64)
        ),
        dominant: Some(top),
        waiting_on: None,
    }
}

/// What a call talks to: the database system, the RPC service, the peer service or host, else its own service.
pub fn peer_name(trace: &Trace, i: u32) -> String {
    for key in [
        "db.system",
        "peer.service",
        "rpc.service",
        "server.address",
        "net.peer.name",
    ] {
        if let Some(v) = trace.find_attr(i, key) {
            let text = match v {
                Value::Str(s) => trace.str(*s).to_string(),
                other => trace.value_text(other),
            };
            if !text.is_empty() {
                return text;
            }
        }
    }
    trace.service(i).to_string()
}
