//! Sibling groups: many children of one parent with the same service and operation (N+1 query loops) are shown
//! as one expandable row, "42 × postgres: SELECT … (total 310 ms)".

use std::collections::HashMap;

use super::tree::{Tree, NONE};
use crate::model::{Sym, Trace};

/// Children with the same service and operation that make a group.
pub const GROUP_MIN: usize = 5;

#[derive(Clone, Debug, PartialEq)]
pub struct SiblingGroup {
    pub parent: u32,
    pub service: Sym,
    pub operation: Sym,
    /// Members in row order.
    pub members: Vec<u32>,
    pub total_ns: i64,
    pub start_ns: i64,
    pub end_ns: i64,
    pub errors: u32,
}

/// Groups, and for each span the group it belongs to ([`NONE`] if none).
pub fn sibling_groups(trace: &Trace, tree: &Tree) -> (Vec<SiblingGroup>, Vec<u32>) {
    let mut groups = Vec::new();
    let mut group_of = vec![NONE; trace.spans.len()];
    let mut by_key: HashMap<(Sym, Sym), Vec<u32>> = HashMap::new();
    for p in 0..trace.spans.len() as u32 {
        let kids = tree.children_of(p);
        if kids.len() < GROUP_MIN {
            continue;
        }
        by_key.clear();
        for &c in kids {
            let s = &trace.spans[c as usize];
            by_key.entry((s.service, s.operation)).or_default().push(c);
        }
        let mut keys: Vec<_> = by_key
            .iter()
            .filter(|(_, v)| v.len() >= GROUP_MIN)
            .map(|(k, v)| (v[0], *k))
            .collect();
        keys.sort();
        for (_, key) in keys {
            let members = by_key.remove(&key).unwrap_or_default();
            let g = groups.len() as u32;
            let mut sg = SiblingGroup {
                parent: p,
                service: key.0,
                operation: key.1,
                members: Vec::with_capacity(members.len()),
                total_ns: 0,
                start_ns: i64::MAX,
                end_ns: i64::MIN,
                errors: 0,
            };
            for m in members {
                let s = &trace.spans[m as usize];
                group_of[m as usize] = g;
                sg.total_ns += s.duration_ns.max(0);
                sg.start_ns = sg.start_ns.min(s.start_ns);
                sg.end_ns = sg.end_ns.max(s.end_ns());
                if s.is_error() {
                    sg.errors += 1;
                }
                sg.members.push(m);
            }
            groups.push(sg);
        }
    }
    (groups, group_of)
}
