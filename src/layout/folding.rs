//! What the user has folded and unfolded in one trace: collapsed spans, opened sibling groups, and the level the
//! `o`/`p` keys collapse from. The changes the UI asks for (expand all, collapse to a level, reveal a span) are
//! methods here, tested natively; `rows` reads the result through [`super::RowView`].

use crate::analysis::tree::NONE;
use crate::analysis::Analyzed;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Folding {
    /// Per span: its descendants are hidden.
    pub collapsed: Vec<bool>,
    /// Per sibling group: its members show one by one.
    pub expanded_groups: Vec<bool>,
    /// Spans at this depth or deeper were collapsed by the last level step.
    pub level: u32,
}

impl Folding {
    /// Everything open, groups folded: how a trace first shows.
    pub fn new(a: &Analyzed) -> Folding {
        Folding {
            collapsed: vec![false; a.trace.spans.len()],
            expanded_groups: vec![false; a.groups.len()],
            level: a.tree.max_depth,
        }
    }

    pub fn is_collapsed(&self, span: u32) -> bool {
        self.collapsed.get(span as usize).copied().unwrap_or(false)
    }

    pub fn group_open(&self, g: u32) -> bool {
        self.expanded_groups
            .get(g as usize)
            .copied()
            .unwrap_or(false)
    }

    pub fn toggle(&mut self, span: u32) {
        if let Some(v) = self.collapsed.get_mut(span as usize) {
            *v = !*v;
        }
    }

    pub fn toggle_group(&mut self, g: u32) {
        if let Some(v) = self.expanded_groups.get_mut(g as usize) {
            *v = !*v;
        }
    }

    /// Collapses every span at depth ≥ `level` that has children, and opens the ones above.
    pub fn collapse_to_level(&mut self, a: &Analyzed, level: u32) {
        self.collapsed = (0..a.trace.spans.len() as u32)
            .map(|i| {
                a.tree.depth.get(i as usize).is_some_and(|&d| d >= level)
                    && !a.tree.children_of(i).is_empty()
            })
            .collect();
        self.level = level;
    }

    /// One level more shown (`o`).
    pub fn open_one_level(&mut self, a: &Analyzed) {
        self.collapse_to_level(a, (self.level + 1).min(a.tree.max_depth));
    }

    /// One level fewer shown (`p`).
    pub fn close_one_level(&mut self, a: &Analyzed) {
        let level = self.level.min(a.tree.max_depth).saturating_sub(1);
        self.collapse_to_level(a, level);
    }

    /// Only the root shows, with every group folded.
    pub fn collapse_all(&mut self, a: &Analyzed) {
        self.collapse_to_level(a, 0);
        self.expanded_groups.iter_mut().for_each(|v| *v = false);
    }

    /// Every span shows, and every group is opened.
    pub fn expand_all(&mut self, a: &Analyzed) {
        self.collapsed.iter_mut().for_each(|v| *v = false);
        self.expanded_groups.iter_mut().for_each(|v| *v = true);
        self.level = a.tree.max_depth;
    }

    /// Opens what hides `span`: its collapsed ancestors, and the sibling groups it or an ancestor folds into.
    pub fn reveal(&mut self, a: &Analyzed, span: u32) {
        let ancestors = a.tree.ancestors(span);
        for &s in std::iter::once(&span).chain(ancestors.iter()) {
            let g = a.group_of.get(s as usize).copied().unwrap_or(NONE);
            if let Some(open) = self.expanded_groups.get_mut(g as usize) {
                *open = true;
            }
        }
        for p in ancestors {
            if let Some(c) = self.collapsed.get_mut(p as usize) {
                *c = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{rows_text, RowView};

    fn demo() -> Analyzed {
        let d = &crate::demo::DEMOS[0];
        let loaded = crate::formats::load(d.name, d.json.as_bytes()).expect("the demo parses");
        crate::analysis::analyze(loaded.traces.into_iter().next().expect("one trace"))
    }

    fn shown(a: &Analyzed, f: &Folding) -> String {
        let view = RowView {
            collapsed: &f.collapsed,
            expanded_groups: &f.expanded_groups,
            ..RowView::default()
        };
        rows_text(a, &view)
    }

    #[test]
    fn collapse_all_shows_the_root_alone_and_expand_all_opens_every_group() {
        let a = demo();
        let mut f = Folding::new(&a);
        f.collapse_all(&a);
        let text = shown(&a, &f);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.starts_with("api-gateway: POST /v1/rides"), "{text}");
        f.expand_all(&a);
        // All 60 spans of the demo, one row each, and the open group's own row (which folds it again).
        assert_eq!(shown(&a, &f).lines().count(), 61);
    }

    #[test]
    fn level_steps_open_and_close_one_depth_at_a_time() {
        let a = demo();
        let mut f = Folding::new(&a);
        f.collapse_to_level(&a, 1);
        // Depth 0 is the root; at level 1 the root's children show but not their children.
        let one = shown(&a, &f);
        assert!(
            one.lines()
                .skip(1)
                .all(|l| l.starts_with("  ") && !l.starts_with("    ")),
            "{one}"
        );
        f.open_one_level(&a);
        assert_eq!(f.level, 2);
        assert!(shown(&a, &f)
            .lines()
            .any(|l| l.starts_with("    ") && !l.starts_with("      ")));
        f.close_one_level(&a);
        assert_eq!(shown(&a, &f), one);
    }

    #[test]
    fn reveal_opens_the_ancestors_and_the_group_that_hide_a_span() {
        let a = demo();
        let mut f = Folding::new(&a);
        f.collapse_all(&a);
        // A member of the folded group of eight routing.ComputeETA calls.
        let g = a
            .group_of
            .iter()
            .position(|&g| g != NONE)
            .expect("a grouped span") as u32;
        f.reveal(&a, g);
        let text = shown(&a, &f);
        assert!(f.group_open(a.group_of[g as usize]));
        assert!(a.tree.ancestors(g).iter().all(|&p| !f.is_collapsed(p)));
        // The eight calls show one by one under their open group's row.
        let members = text
            .lines()
            .filter(|l| l.contains("dispatch: routing.ComputeETA") && !l.contains(" × "))
            .count();
        assert_eq!(members, 8, "{text}");
    }
}
