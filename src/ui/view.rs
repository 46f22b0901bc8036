//! The memos that turn the view settings into what is drawn: the search's hits and the rows shown. The decisions are
//! the core's (`analysis::search`, `layout::rows`); this file only wires them to signals, so that each is recomputed
//! only when what it depends on changes.

use std::sync::Arc;

use leptos::prelude::*;

use super::Session;
use crate::analysis::search::{parse_query, search_with_mask, Filters};
use crate::analysis::Analyzed;
use crate::layout::folding::Folding;
use crate::layout::{kept, shown_kept, Kept, RowView, ServiceColors, Shown};

/// The result of the search and filters on the trace shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hits {
    /// A query or a filter is set.
    pub active: bool,
    /// Only filters (no text) are set: the view is narrowed to the hits.
    pub filtering: bool,
    /// Matching spans in row order.
    pub list: Vec<u32>,
    /// Per span: is it a hit.
    pub mask: Vec<bool>,
}

/// The signals the memos read.
#[derive(Clone, Copy)]
pub struct Inputs {
    pub trace: Signal<Option<Arc<Analyzed>>>,
    pub folding: RwSignal<Folding>,
    pub query: RwSignal<String>,
    pub filters: RwSignal<Filters>,
    pub matches_only: RwSignal<bool>,
    pub critical_only: RwSignal<bool>,
    pub highlight: RwSignal<Option<Arc<Vec<bool>>>>,
    pub highlight_filter: RwSignal<bool>,
    /// The span whose subtree is in focus, if any.
    pub focus: RwSignal<Option<u32>>,
}

impl Inputs {
    /// The view settings of a page just opened: no search, filter, narrowing or focus.
    pub fn new(trace: Signal<Option<Arc<Analyzed>>>, folding: RwSignal<Folding>) -> Inputs {
        Inputs {
            trace,
            folding,
            query: RwSignal::new(String::new()),
            filters: RwSignal::new(Filters::default()),
            matches_only: RwSignal::new(false),
            critical_only: RwSignal::new(false),
            highlight: RwSignal::new(None),
            highlight_filter: RwSignal::new(false),
            focus: RwSignal::new(None),
        }
    }
}

/// The hits, and the rows shown with their count.
pub fn memos(i: Inputs) -> (Memo<Arc<Hits>>, Memo<Arc<Shown>>) {
    // The spans that pass the filters: the rows are narrowed to them whatever the search box holds.
    let filtered = Memo::new(move |_| {
        let a = i.trace.get()?;
        let f = i.filters.get();
        (!f.is_empty()).then(|| {
            let (list, _) = search_with_mask(&a.trace, &a.tree, a.search_index(), &[], &f);
            Arc::new(list)
        })
    });
    let hits = Memo::new(move |_| hits(i, filtered));
    // The search's matches, when "matches only" narrows the rows to them: typing with it off leaves the rows as they
    // are, so a keystroke does not walk the whole tree again.
    let matches = Memo::new(move |_| {
        let on = i.matches_only.get();
        hits.with(|h| (on && h.active && !h.filtering).then(|| Arc::new(h.list.clone())))
    });
    let narrowings = Memo::new(move |_| Narrowings {
        matches: matches.get(),
        filtered: filtered.get(),
        highlighted: i
            .highlight_filter
            .get()
            .then(|| i.highlight.get())
            .flatten(),
        critical_only: i.critical_only.get(),
    });
    // What the narrowings keep: O(spans), so kept while the user folds and unfolds.
    let narrowing = Memo::new(move |_| {
        let a = i.trace.get()?;
        narrowings.with(|n| kept(&a, &n.view(&Folding::default())).map(Arc::new))
    });
    let rows = Memo::new(move |_| {
        let Some(a) = i.trace.get() else {
            return Arc::new(Shown::default());
        };
        let keep: Option<Arc<Kept>> = narrowing.get();
        let focus = i.focus.get();
        narrowings.with(|n| {
            i.folding.with(|fold| {
                let view = RowView {
                    focus,
                    ..n.view(fold)
                };
                Arc::new(shown_kept(&a, &view, keep.as_deref()))
            })
        })
    });
    (hits, rows)
}

/// What narrows the rows, apart from folding.
#[derive(Clone, Debug, PartialEq)]
struct Narrowings {
    matches: Option<Arc<Vec<u32>>>,
    filtered: Option<Arc<Vec<u32>>>,
    highlighted: Option<Arc<Vec<bool>>>,
    critical_only: bool,
}

impl Narrowings {
    fn view<'a>(&'a self, fold: &'a Folding) -> RowView<'a> {
        RowView {
            collapsed: &fold.collapsed,
            expanded_groups: &fold.expanded_groups,
            matches: self.matches.as_deref().map(|v| &v[..]),
            filtered: self.filtered.as_deref().map(|v| &v[..]),
            highlighted: self.highlighted.as_deref().map(|v| &v[..]),
            critical_only: self.critical_only,
            focus: None,
        }
    }
}

fn hits(i: Inputs, filtered: Memo<Option<Arc<Vec<u32>>>>) -> Arc<Hits> {
    let Some(a) = i.trace.get() else {
        return Arc::new(Hits::default());
    };
    let terms = i.query.with(|q| parse_query(q));
    let f = i.filters.get();
    if terms.is_empty() && f.is_empty() {
        return Arc::new(Hits::default());
    }
    // Filters alone: the same spans as `filtered`, which has already scanned for them.
    let (list, mask) = match filtered.get().filter(|_| terms.is_empty()) {
        Some(list) => {
            let mut mask = vec![false; a.trace.spans.len()];
            for &s in list.iter() {
                if let Some(m) = mask.get_mut(s as usize) {
                    *m = true;
                }
            }
            (list.to_vec(), mask)
        }
        None => search_with_mask(&a.trace, &a.tree, a.search_index(), &terms, &f),
    };
    Arc::new(Hits {
        active: true,
        filtering: terms.is_empty(),
        list,
        mask,
    })
}

/// The colors of the services of the trace on screen.
pub fn colors_of(
    trace: Signal<Option<Arc<Analyzed>>>,
    session: RwSignal<Option<Arc<Session>>>,
) -> Memo<Arc<ServiceColors>> {
    Memo::new(move |_| {
        let colors = trace.with(|t| {
            let a = t.as_ref()?;
            Some(session.with_untracked(|s| match s {
                Some(s) => s.colors_for(a),
                None => ServiceColors::new(&a.trace),
            }))
        });
        Arc::new(colors.unwrap_or_default())
    })
}
