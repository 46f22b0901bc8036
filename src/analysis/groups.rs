//! Sibling groups: many children of one parent with the same service and operation (N+1 query loops) are shown
//! as one expandable row, "42 × postgres: SELECT … (total 310 ms)".

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::tree::{Tree, NONE};
use crate::model::{Span, Sym, Trace};

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
    let (mut slots, slot_of) = count_slots(trace, tree);
    let parents = parents_with_groups(&slots, trace.spans.len());
    mark_first_members(tree, &parents, &slot_of, &mut slots);
    let mut groups = groups_in_order(&mut slots);
    let group_of = fill_members(tree, &parents, &slot_of, &slots, &mut groups);
    (groups, group_of)
}

/// The parents with at least one group, in index order.
fn parents_with_groups(slots: &[Slot], n: usize) -> Vec<u32> {
    let mut has_group = vec![false; n];
    for sl in slots.iter().filter(|sl| sl.count >= GROUP_MIN) {
        has_group[sl.parent as usize] = true;
    }
    (0..n as u32).filter(|&p| has_group[p as usize]).collect()
}

/// Each slot's first member in row order (children are in row order), for the parents that have a group.
fn mark_first_members(tree: &Tree, parents: &[u32], slot_of: &[u32], slots: &mut [Slot]) {
    for &p in parents {
        for &c in tree.children_of(p) {
            if let Some(sl) = slots.get_mut(slot_of[c as usize] as usize) {
                if sl.first == NONE {
                    sl.first = c;
                }
            }
        }
    }
}

/// Puts each grouped child in its group, in row order; returns each span's group ([`NONE`] if none).
fn fill_members(
    tree: &Tree,
    parents: &[u32],
    slot_of: &[u32],
    slots: &[Slot],
    groups: &mut [SiblingGroup],
) -> Vec<u32> {
    let mut group_of = vec![NONE; slot_of.len()];
    for &p in parents {
        for &c in tree.children_of(p) {
            let g = slots
                .get(slot_of[c as usize] as usize)
                .map_or(NONE, |sl| sl.group);
            if let Some(sg) = groups.get_mut(g as usize) {
                sg.members.push(c);
                group_of[c as usize] = g;
            }
        }
    }
    group_of
}

/// In storage order (children are scattered in storage, and a parent can have a million of them): each (parent,
/// service, operation) of a parent with enough children gets a slot that counts and sums its spans. Returns the
/// slots and each span's slot ([`NONE`] if none).
fn count_slots(trace: &Trace, tree: &Tree) -> (Vec<Slot>, Vec<u32>) {
    let mut slot_ids: HashMap<(u32, Sym, Sym), u32, BuildHasherDefault<SymHasher>> =
        HashMap::default();
    let mut slots: Vec<Slot> = Vec::new();
    let mut slot_of = vec![NONE; trace.spans.len()];
    for (c, s) in trace.spans.iter().enumerate() {
        let p = tree.parent.get(c).copied().unwrap_or(NONE);
        if p == NONE || tree.children_of(p).len() < GROUP_MIN {
            continue;
        }
        let id = *slot_ids
            .entry((p, s.service, s.operation))
            .or_insert_with(|| {
                slots.push(Slot::new(p, s));
                slots.len() as u32 - 1
            });
        slots[id as usize].add(s);
        slot_of[c] = id;
    }
    (slots, slot_of)
}

/// The groups (slots with at least [`GROUP_MIN`] spans) by parent, then by first member, with no members yet; sets
/// each slot's `group`.
fn groups_in_order(slots: &mut [Slot]) -> Vec<SiblingGroup> {
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
    groups
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

impl Slot {
    /// An empty slot for the children of `parent` with the service and operation of `s`.
    fn new(parent: u32, s: &Span) -> Slot {
        Slot {
            parent,
            service: s.service,
            operation: s.operation,
            count: 0,
            total_ns: 0,
            start_ns: i64::MAX,
            end_ns: i64::MIN,
            errors: 0,
            first: NONE,
            group: NONE,
        }
    }

    fn add(&mut self, s: &Span) {
        self.count += 1;
        self.total_ns += s.duration_ns.max(0);
        self.start_ns = self.start_ns.min(s.start_ns);
        self.end_ns = self.end_ns.max(s.end_ns());
        if s.is_error() {
            self.errors += 1;
        }
    }
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
