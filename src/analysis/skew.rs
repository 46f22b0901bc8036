//! Clock skew between RPC client and server spans, and the adjustment Zipkin Lens makes.
//!
//! A server (or consumer-less RPC) span in another service than its client parent should lie inside the client
//! span. When it does not, the two hosts' clocks disagree. The adjustment shifts the server span and its whole
//! subtree so the server sits centred in the client (or starts with it, when it is longer than the client).

use super::tree::{Tree, NONE};
use crate::model::{SpanKind, Trace};

/// A server span whose clock disagrees with its client's, and the shift that fixes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Skew {
    pub server: u32,
    pub client: u32,
    pub shift_ns: i64,
}

/// Client → server pairs across services where the server is not inside the client.
pub fn detect(trace: &Trace, tree: &Tree) -> Vec<Skew> {
    let mut out = Vec::new();
    for (i, s) in trace.spans.iter().enumerate() {
        let p = tree.parent[i];
        if p == NONE || s.kind != SpanKind::Server {
            continue;
        }
        let c = &trace.spans[p as usize];
        if c.kind != SpanKind::Client || c.service == s.service {
            continue;
        }
        if s.start_ns >= c.start_ns && s.end_ns() <= c.end_ns() {
            continue;
        }
        let (cd, sd) = (c.duration_ns.max(0), s.duration_ns.max(0));
        let target = if sd <= cd {
            c.start_ns + (cd - sd) / 2
        } else {
            c.start_ns
        };
        let shift = target - s.start_ns;
        if shift != 0 {
            out.push(Skew {
                server: i as u32,
                client: p,
                shift_ns: shift,
            });
        }
    }
    out
}

/// A copy of the trace with each skewed server subtree shifted, and how many spans moved.
/// Shifts accumulate down the tree: a nested skewed server moves with its ancestors' shifts too.
pub fn adjust(trace: &Trace, tree: &Tree, skews: &[Skew]) -> (Trace, usize) {
    let n = trace.spans.len();
    let mut own = vec![0i64; n];
    for s in skews {
        own[s.server as usize] = s.shift_ns;
    }
    let mut total = vec![0i64; n];
    let mut t = trace.clone();
    let mut moved = 0;
    for &i in &tree.preorder {
        let p = tree.parent[i as usize];
        let inherited = if p == NONE { 0 } else { total[p as usize] };
        total[i as usize] = inherited + own[i as usize];
        let d = total[i as usize];
        if d != 0 {
            moved += 1;
            let s = &mut t.spans[i as usize];
            s.start_ns += d;
            for e in &mut t.events[s.events.range()] {
                e.time_ns += d;
            }
        }
    }
    // The adjusted copy keeps the parser's warnings only; the tree builder adds its own again.
    t.forget_warnings(&super::RECHECKED);
    (t, moved)
}
