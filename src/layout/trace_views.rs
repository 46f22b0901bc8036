//! The four views of one trace (the waterfall, the flame graph, the span table and the service graph): their names
//! in tabs and links, and their keys. All four share the selection, the focus, the search and the filters.

/// One view of the trace on screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TraceView {
    #[default]
    Waterfall,
    Flame,
    Table,
    Graph,
}

impl TraceView {
    /// Every view, in the order of the tabs and of the keys `1`–`4`.
    pub const ALL: [TraceView; 4] = [
        TraceView::Waterfall,
        TraceView::Flame,
        TraceView::Table,
        TraceView::Graph,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            TraceView::Waterfall => "Waterfall",
            TraceView::Flame => "Flame graph",
            TraceView::Table => "Span table",
            TraceView::Graph => "Service graph",
        }
    }

    /// The view's name in a link (`#view=flame`).
    pub fn link_name(self) -> &'static str {
        match self {
            TraceView::Waterfall => "waterfall",
            TraceView::Flame => "flame",
            TraceView::Table => "table",
            TraceView::Graph => "graph",
        }
    }

    /// The view a link names; `None` for a name no view has.
    pub fn from_link(name: &str) -> Option<TraceView> {
        TraceView::ALL
            .into_iter()
            .find(|v| v.link_name().eq_ignore_ascii_case(name.trim()))
    }

    /// The view a key (`"1"`–`"4"`) switches to.
    pub fn from_key(key: &str) -> Option<TraceView> {
        match key {
            "1" => Some(TraceView::Waterfall),
            "2" => Some(TraceView::Flame),
            "3" => Some(TraceView::Table),
            "4" => Some(TraceView::Graph),
            _ => None,
        }
    }

    /// The key that switches to this view.
    pub fn key(self) -> &'static str {
        match self {
            TraceView::Waterfall => "1",
            TraceView::Flame => "2",
            TraceView::Table => "3",
            TraceView::Graph => "4",
        }
    }

    /// Whether a key acts in this view. The keys that fold rows or move the keyboard focus between them (`[` `]` `o`
    /// `p` `f` `b` Enter Space) are the waterfall's: in another view they would change rows no one sees, and Enter
    /// and Space keep their usual meaning there (a button, the page). Every other key (the window, the views,
    /// search, focus on a subtree, events, help) acts in all four.
    pub fn takes_key(self, key: &str) -> bool {
        const ROW_KEYS: [&str; 8] = ["[", "]", "o", "p", "f", "b", "Enter", " "];
        self == TraceView::Waterfall || !ROW_KEYS.contains(&key)
    }
}
