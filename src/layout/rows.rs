//! Which rows the waterfall shows: the view model, one pure function of the analysed trace and the view settings.
//!
//! The rules, in the order they apply:
//! - **Narrowing.** Filters (service, errors only, minimum duration), "matches only", "critical path only" and
//!   "highlighted only" each keep a set of spans and their ancestors; together they keep the spans every one keeps.
//! - **Sibling groups** (≥ 5 children of one parent with one service and operation) fold into one row at the place of
//!   their first member. An expanded group shows its members, each with its subtree, right under its row, in row order,
//!   however the other siblings are interleaved with them in time. Under narrowing, a group still folds when every one
//!   of its members passes the narrowing itself (not merely as the ancestor of a span that does); otherwise its kept
//!   members show as rows of their own, so nothing a filter, a search or a highlight let through is hidden in a fold.
//! - **Collapsed** spans show, without their descendants.
//! - **Focus** on a subtree shows only that span and its descendants, under the same rules.
//!
//! Costs O(rows shown + members of groups + spans when narrowing); no recursion.

use crate::analysis::search::keep_with_ancestors;
use crate::analysis::tree::NONE;
use crate::analysis::Analyzed;
use crate::text::format_duration;

/// A row that stands for a sibling group has this bit set; the rest is the group's index.
pub const GROUP_ROW: u32 = 1 << 31;

/// The settings that decide the rows. Empty slices mean "nothing collapsed", "no group expanded".
#[derive(Clone, Copy, Debug, Default)]
pub struct RowView<'a> {
    /// Per span: its descendants are hidden.
    pub collapsed: &'a [bool],
    /// Per sibling group: its members show under its row.
    pub expanded_groups: &'a [bool],
    /// Only these spans (matches of the search with "matches only") and their ancestors.
    pub matches: Option<&'a [u32]>,
    /// Only these spans (those that pass the filters) and their ancestors.
    pub filtered: Option<&'a [u32]>,
    /// Only the spans marked here (highlighted from the summary or the statistics) and their ancestors.
    pub highlighted: Option<&'a [bool]>,
    /// Only spans on the critical path and their ancestors.
    pub critical_only: bool,
    /// Only this span and its descendants (focus on a subtree): the span shows as a row of its own, even when it is a
    /// member of a folded sibling group.
    pub focus: Option<u32>,
}

impl RowView<'_> {
    fn narrows(&self) -> bool {
        self.matches.is_some()
            || self.filtered.is_some()
            || self.highlighted.is_some()
            || self.critical_only
    }
}

/// What the narrowings keep, when any narrows: per span, whether every narrowing keeps it or one of its descendants
/// (`shown`), and whether every narrowing keeps the span itself (`itself`). It depends on the narrowings alone, not
/// on what is folded, so the UI keeps it while the user folds and unfolds (see [`shown_kept`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    shown: Vec<bool>,
    itself: Vec<bool>,
}

/// What `v`'s narrowings keep; `None` when nothing narrows. O(spans).
pub fn kept(a: &Analyzed, v: &RowView) -> Option<Kept> {
    if !v.narrows() {
        return None;
    }
    let n = a.trace.spans.len();
    let mut k = Kept {
        shown: vec![true; n],
        itself: vec![true; n],
    };
    let mut and = |only: &[u32]| {
        let with_ancestors = keep_with_ancestors(&a.tree, only);
        k.shown
            .iter_mut()
            .zip(with_ancestors)
            .for_each(|(x, y)| *x &= y);
        let mut mask = vec![false; n];
        for &i in only {
            if let Some(m) = mask.get_mut(i as usize) {
                *m = true;
            }
        }
        k.itself.iter_mut().zip(mask).for_each(|(x, y)| *x &= y);
    };
    if let Some(m) = v.matches {
        and(m);
    }
    if let Some(f) = v.filtered {
        and(f);
    }
    if let Some(h) = v.highlighted {
        let list: Vec<u32> = (0..n as u32)
            .filter(|&i| h.get(i as usize) == Some(&true))
            .collect();
        and(&list);
    }
    if v.critical_only {
        let on_path: Vec<u32> = (0..n as u32)
            .filter(|&i| a.crit_ns.get(i as usize).is_some_and(|&c| c > 0))
            .collect();
        and(&on_path);
    }
    Some(k)
}

/// The rows shown and the toolbar's count, computed with one pass of the narrowing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    pub rows: Vec<u32>,
    /// See [`count_text`].
    pub count: String,
}

impl std::ops::Deref for Shown {
    type Target = Vec<u32>;
    fn deref(&self) -> &Vec<u32> {
        &self.rows
    }
}

/// [`rows`] and [`count_text`] together.
pub fn shown(a: &Analyzed, v: &RowView) -> Shown {
    shown_kept(a, v, kept(a, v).as_ref())
}

/// [`shown`], with what the narrowings keep already computed by [`kept`] from the same narrowings.
pub fn shown_kept(a: &Analyzed, v: &RowView, keep: Option<&Kept>) -> Shown {
    let rows = rows_kept(a, v, keep);
    let count = count_kept(a, v, keep, &rows);
    Shown { rows, count }
}

/// The rows shown, in order: span indices, and `GROUP_ROW | g` for the row of sibling group `g`.
pub fn rows(a: &Analyzed, v: &RowView) -> Vec<u32> {
    rows_kept(a, v, kept(a, v).as_ref())
}

fn rows_kept(a: &Analyzed, v: &RowView, keep: Option<&Kept>) -> Vec<u32> {
    let tree = &a.tree;
    let is_kept = |i: usize| keep.is_none_or(|k| k.shown.get(i) == Some(&true));
    let kept_itself = |i: usize| keep.is_none_or(|k| k.itself.get(i) == Some(&true));
    // Per group: it folds (see the module's rules).
    let folds: Vec<bool> = a
        .groups
        .iter()
        .map(|g| g.members.iter().all(|&m| kept_itself(m as usize)))
        .collect();
    let group_of = |i: usize| {
        let g = a.group_of.get(i).copied().unwrap_or(NONE);
        (g != NONE && folds.get(g as usize) == Some(&true)).then_some(g)
    };
    let mut out = Vec::with_capacity(tree.preorder.len().min(1 << 16));
    // Ranges of preorder positions still to walk, the next on top; `true` when the range is one member's subtree,
    // walked under its group's row (its first span is then not folded again).
    let mut todo: Vec<(usize, usize, bool)> = match v.focus {
        Some(f) => {
            let r = super::focus::subtree_rows(tree, f);
            vec![(r.start, r.end, true)]
        }
        None => vec![(0, tree.preorder.len(), false)],
    };
    while let Some((mut r, end, mut as_member)) = todo.pop() {
        while r < end {
            let Some(i) = tree.preorder.get(r).map(|&i| i as usize) else {
                break;
            };
            let skip = tree.descendants.get(i).map_or(1, |&d| d as usize + 1);
            if !is_kept(i) {
                r += skip;
                continue;
            }
            if let Some(g) = group_of(i).filter(|_| !as_member) {
                let members = a.groups.get(g as usize).map_or(&[][..], |g| &g.members[..]);
                if members.first() == Some(&(i as u32)) {
                    out.push(GROUP_ROW | g);
                    if v.expanded_groups.get(g as usize) == Some(&true) {
                        todo.push((r + skip, end, false));
                        for &m in members.iter().rev() {
                            let at = tree.row_of.get(m as usize).map_or(0, |&p| p as usize);
                            let len = tree
                                .descendants
                                .get(m as usize)
                                .map_or(1, |&d| d as usize + 1);
                            todo.push((at, at + len, true));
                        }
                        break;
                    }
                }
                // A folded member, or one already shown under its expanded group's row.
                r += skip;
                continue;
            }
            as_member = false;
            out.push(i as u32);
            r += if v.collapsed.get(i) == Some(&true) {
                skip
            } else {
                1
            };
        }
    }
    out
}

/// The toolbar's count for `rows` (made by [`rows`] from `v`): "60 spans", or "12 of 60 spans shown", and ", 24 in 1
/// folded group" when closed group rows hold spans (their members and those of the members' descendants that the
/// narrowing keeps).
pub fn count_text(a: &Analyzed, v: &RowView, rows: &[u32]) -> String {
    count_kept(a, v, kept(a, v).as_ref(), rows)
}

fn count_kept(a: &Analyzed, v: &RowView, keep: Option<&Kept>, rows: &[u32]) -> String {
    let digits = |n: usize| crate::text::group_digits(n as u64);
    let total = a.trace.spans.len();
    let tree = &a.tree;
    // Spans a folded member stands for: its subtree, less what the narrowing drops.
    let held = |m: u32| {
        let len = tree
            .descendants
            .get(m as usize)
            .map_or(1, |&d| d as usize + 1);
        match keep {
            None => len,
            Some(k) => {
                let at = tree.row_of.get(m as usize).map_or(0, |&p| p as usize);
                let run = tree.preorder.get(at..at + len).unwrap_or(&[]);
                run.iter()
                    .filter(|&&i| k.shown.get(i as usize) == Some(&true))
                    .count()
            }
        }
    };
    let (mut spans, mut folded, mut groups) = (0, 0, 0);
    for &r in rows {
        if r & GROUP_ROW == 0 {
            spans += 1;
            continue;
        }
        let g = (r & !GROUP_ROW) as usize;
        if let (false, Some(grp)) = (v.expanded_groups.get(g) == Some(&true), a.groups.get(g)) {
            groups += 1;
            folded += grp.members.iter().map(|&m| held(m)).sum::<usize>();
        }
    }
    let shown = spans + folded;
    let head = if shown >= total {
        format!("{} spans", digits(total))
    } else {
        format!("{} of {} spans shown", digits(shown), digits(total))
    };
    match groups {
        0 => head,
        1 => format!("{head}, {} in 1 folded group", digits(folded)),
        n => format!("{head}, {} in {n} folded groups", digits(folded)),
    }
}

/// The rows as text, one per line, indented two spaces per level: `service: operation duration` and its marks
/// (`error`, `critical`, `+N hidden` for a collapsed span), or `N × service: operation (total …)` for a group. For tests
/// that read like the screen.
pub fn rows_text(a: &Analyzed, v: &RowView) -> String {
    let t = &a.trace;
    let mut out = String::new();
    for row in rows(a, v) {
        let line = if row & GROUP_ROW != 0 {
            let Some(g) = a.groups.get((row & !GROUP_ROW) as usize) else {
                continue;
            };
            let depth = a.tree.depth.get(g.parent as usize).map_or(0, |d| d + 1);
            let mut l = format!(
                "{}{} × {}: {} (total {})",
                "  ".repeat(depth as usize),
                g.members.len(),
                t.sym(g.service),
                t.sym(g.operation),
                format_duration(g.total_ns as f64)
            );
            if g.errors > 0 {
                l.push_str(" error");
            }
            l
        } else {
            let i = row as usize;
            let (Some(s), Some(&depth)) = (t.spans.get(i), a.tree.depth.get(i)) else {
                continue;
            };
            let mut l = format!(
                "{}{}: {} {}",
                "  ".repeat(depth as usize),
                t.service(row),
                t.operation(row),
                format_duration(s.duration_ns as f64)
            );
            if s.is_error() {
                l.push_str(" error");
            }
            if a.crit_ns.get(i).is_some_and(|&c| c > 0) {
                l.push_str(" critical");
            }
            let hidden = a.tree.descendants.get(i).copied().unwrap_or(0);
            if v.collapsed.get(i) == Some(&true) && hidden > 0 {
                l.push_str(&format!(" +{hidden} hidden"));
            }
            l
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
