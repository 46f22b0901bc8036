//! What a decoded trace and tree must satisfy before the UI trusts them: every index the views use is in range, so
//! that a corrupt encoding gives an error here instead of a panic there.

use super::reader::{bad, R};
use crate::analysis::tree::{Tree, NONE};
use crate::model::{IndexRange, ParentRef, Str, Trace, Value};

/// Everything the views index with must be in range, so a corrupt encoding cannot make them panic.
pub(super) fn check(t: &Trace) -> R<()> {
    let text = t.text.len();
    let str_ok = |s: Str| (s.off as usize + s.len as usize) <= text;
    let sym_ok = |s: u32| (s as usize) < t.strings.len();
    let range_ok = |r: IndexRange, n: usize| r.start <= r.end && r.end as usize <= n;
    let n = t.spans.len();
    for s in &t.spans {
        let parent_ok = match s.parent {
            ParentRef::None => true,
            ParentRef::Id(id) => str_ok(id),
            ParentRef::Index(i) => (i as usize) < n,
        };
        if !(str_ok(s.span_id)
            && parent_ok
            && sym_ok(s.service)
            && sym_ok(s.operation)
            && str_ok(s.status_message)
            && (s.resource as usize) < t.resources.len().max(1)
            && range_ok(s.attrs, t.attrs.len())
            && range_ok(s.events, t.events.len())
            && range_ok(s.links, t.links.len()))
        {
            return Err(bad("a span points outside the trace"));
        }
    }
    let a = t.attrs.len();
    let value_ok = |v: &Value| match v {
        Value::Str(s) | Value::Bytes(s) | Value::Json(s) => str_ok(*s),
        _ => true,
    };
    if !t.attrs.iter().all(|x| sym_ok(x.key) && value_ok(&x.value))
        || !t
            .events
            .iter()
            .all(|e| str_ok(e.name) && range_ok(e.attrs, a))
        || !t
            .links
            .iter()
            .all(|l| str_ok(l.trace_id) && str_ok(l.span_id) && range_ok(l.attrs, a))
        || !t.resources.iter().all(|x| {
            range_ok(x.attrs, a)
                && range_ok(x.scope_attrs, a)
                && str_ok(x.scope_name)
                && str_ok(x.scope_version)
        })
        || !t
            .warnings
            .iter()
            .all(|w| w.span.is_none_or(|s| (s as usize) < n))
    {
        return Err(bad("an attribute, event or link points outside the trace"));
    }
    // Str offsets must also fall on character boundaries, or slicing the text would fail.
    let on_boundary = |s: Str| {
        t.text.is_char_boundary(s.off as usize) && t.text.is_char_boundary((s.off + s.len) as usize)
    };
    if !t.spans.iter().all(|s| on_boundary(s.span_id)) {
        return Err(bad("a span ID is cut inside a character"));
    }
    Ok(())
}

/// The tree's arrays fit each other and index only spans.
pub(super) fn check_tree(t: &Tree) -> R<()> {
    let n = t.parent.len();
    let idx_ok = |v: &[u32]| v.iter().all(|&i| (i as usize) < n);
    let parent_ok = t.parent.iter().all(|&p| p == NONE || (p as usize) < n);
    let off_ok = t.child_off.len() == n + 1
        && t.child_off.windows(2).all(|w| w[0] <= w[1])
        && t.child_off
            .last()
            .is_some_and(|&e| e as usize == t.children.len());
    if !(parent_ok
        && off_ok
        && idx_ok(&t.children)
        && idx_ok(&t.roots)
        && idx_ok(&t.preorder)
        && t.preorder.len() == n
        && t.row_of.len() == n
        && idx_ok(&t.row_of)
        && t.depth.len() == n
        && t.descendants.len() == n
        && t.error_below.len() == n)
    {
        return Err(bad("the span tree is inconsistent"));
    }
    Ok(())
}
