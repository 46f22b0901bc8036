//! Sibling groups: many children of one parent with the same service and operation (N+1 query loops) are shown
//! as one expandable row, "42 × postgres: SELECT … (total 310 ms)".

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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
    let n = trace.spans.len();
    let fan_out = |p: u32| tree.children_of(p).len();
    // 1. In storage order (children are scattered in storage, and a parent can have a million of them): each
    //    (parent, service, operation) of a parent with enough children gets a slot that counts and sums its spans.
    let mut slot_of: HashMap<(u32, Sym, Sym), u32, BuildHasherDefault<SymHasher>> =
        HashMap::default();
    let mut slots: Vec<Slot> = Vec::new();
    let mut slot = vec![NONE; n];
    for (c, s) in trace.spans.iter().enumerate() {
        let p = tree.parent.get(c).copied().unwrap_or(NONE);
        if p == NONE || fan_out(p) < GROUP_MIN {
            continue;
        }
        let id = *slot_of
            .entry((p, s.service, s.operation))
            .or_insert_with(|| {
                slots.push(Slot {
                    parent: p,
                    service: s.service,
                    operation: s.operation,
                    count: 0,
                    total_ns: 0,
                    start_ns: i64::MAX,
                    end_ns: i64::MIN,
                    errors: 0,
                    first: NONE,
                    group: NONE,
                });
                slots.len() as u32 - 1
            });
        let sl = &mut slots[id as usize];
        sl.count += 1;
        sl.total_ns += s.duration_ns.max(0);
        sl.start_ns = sl.start_ns.min(s.start_ns);
        sl.end_ns = sl.end_ns.max(s.end_ns());
        if s.is_error() {
            sl.errors += 1;
        }
        slot[c] = id;
    }
    drop(slot_of);
    // 2. Each slot's first member in row order, for the parents that have a group.
    let mut has_group = vec![false; n];
    for sl in slots.iter().filter(|sl| sl.count >= GROUP_MIN) {
        has_group[sl.parent as usize] = true;
    }
    for p in (0..n as u32).filter(|&p| has_group[p as usize]) {
        for &c in tree.children_of(p) {
            if let Some(sl) = slots.get_mut(slot[c as usize] as usize) {
                if sl.first == NONE {
                    sl.first = c;
                }
            }
        }
    }
    // 3. Groups by parent, then by first member; members in row order.
    let mut order: Vec<(u32, u32, u32)> = slots
        .iter()
        .enumerate()
        .filter(|(_, sl)| sl.count >= GROUP_MIN)
        .map(|(id, sl)| (sl.parent, sl.first, id as u32))
        .collect();
    order.sort_unstable();
    let mut groups: Vec<SiblingGroup> = Vec::with_capacity(order.len());
    for &(_, _, id) in &order {
        let sl = &mut slots[id as usize];
        sl.group = groups.len() as u32;
        groups.push(SiblingGroup {
            parent: sl.parent,
            service: sl.service,
            operation: sl.operation,
            members: Vec::with_capacity(sl.count),
            total_ns: sl.total_ns,
            start_ns: sl.start_ns,
            end_ns: sl.end_ns,
            errors: sl.errors,
        });
    }
    let mut group_of = vec![NONE; n];
    for p in (0..n as u32).filter(|&p| has_group[p as usize]) {
        for &c in tree.children_of(p) {
            let g = slots
                .get(slot[c as usize] as usize)
                .map_or(NONE, |sl| sl.group);
            if let Some(sg) = groups.get_mut(g as usize) {
                sg.members.push(c);
                group_of[c as usize] = g;
            }
        }
    }
    (groups, group_of)
}

/// The spans of one parent with one service and operation.
struct Slot {
    parent: u32,
    service: Sym,
    operation: Sym,
    count: usize,
    total_ns: i64,
    start_ns: i64,
    end_ns: i64,
    errors: u32,
    /// First member in row order.
    first: u32,
    group: u32,
}

/// A fast hash for span and interned-string indices (small integers; no untrusted keys reach it unhashed by
/// interning, so the flooding resistance of the default hasher is not needed).
#[derive(Default)]
struct SymHasher(u64);

impl Hasher for SymHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
