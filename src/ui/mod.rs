//! The Leptos UI: thin components that read the core. All state lives in [`State`], shared by context.

mod bar_label;
mod browser;
mod compare;
mod compare_rows;
mod config;
mod debounce;
mod detail;
mod download;
mod embed;
mod engine;
mod events;
mod exceptions;
mod export;
mod flame;
mod focus;
mod handover;
mod header;
mod insight;
mod keys;
mod link_arrows;
mod load;
mod loader;
mod messages;
mod minimap;
mod rows;
mod scatter;
mod search;
mod service_graph;
mod session;
mod set_insight;
mod span_table;
mod status;
mod tabs;
mod tasks;
mod theme;
mod view;
mod waterfall;

use std::sync::Arc;

use leptos::prelude::*;

use crate::access::{Parent, Trust};
use crate::analysis::search::Filters;
use crate::analysis::Analyzed;
use crate::layout::folding::Folding;
use crate::layout::geometry::Frame;
use crate::layout::trace_views::TraceView;
use crate::layout::{ServiceColors, Shown, TimeWindow};
pub use session::Session;

/// How long a newly shown trace is drawn without the waterfall's overscan (see `State::fresh`).
const FRESH_FOR: std::time::Duration = std::time::Duration::from_millis(150);

pub use debounce::Debounce;

pub use crate::text::group_digits;

pub use view::Hits;

pub use crate::layout::geometry::ROW_H;

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct State {
    pub session: RwSignal<Option<Arc<Session>>>,
    /// Index of the trace shown, in `session.traces`.
    pub current: RwSignal<usize>,
    /// The trace browser is shown instead of a trace (a file of several traces).
    pub browsing: RwSignal<bool>,
    /// The trace browser's filters, order and scroll position.
    pub browser: browser::Browser,
    /// The session's spans ranked against their operation's calls, once built (see `ranks_soon`).
    pub ranks: RwSignal<Option<Arc<crate::analysis::ranks::OperationRanks>>>,
    /// Two traces of the session compared (A, B), shown instead of a trace or the browser.
    pub comparing: RwSignal<Option<(usize, usize)>>,
    pub error: RwSignal<Option<String>>,
    /// What is folded in the current trace (collapsed spans, opened groups, the level).
    pub folding: RwSignal<Folding>,
    pub window: RwSignal<TimeWindow>,
    pub selected: RwSignal<Option<u32>>,
    /// The span row under the pointer (its link arrows show, as the selected span's do).
    pub hovered: RwSignal<Option<u32>>,
    /// The references between the trace's spans (`layout::link_arrows`), built when first read.
    pub link_index: Memo<Arc<crate::layout::link_arrows::LinkIndex>>,
    /// The flame graph's structure of the trace (`layout::flame`), built soon after the trace shows.
    pub flame: Memo<Option<flame::Built>>,
    /// The span whose subtree is in focus (`z`): only it and its descendants show, in every view.
    pub focus: RwSignal<Option<u32>>,
    /// The view of the trace on screen: waterfall, flame graph, span table or service graph.
    pub view: RwSignal<TraceView>,
    /// The span table's order.
    pub table_order: RwSignal<crate::layout::span_table::SpanOrder>,
    /// What shows beside each bar (kept in the browser and in the link).
    pub bar_label: RwSignal<crate::layout::bar_labels::BarLabel>,
    pub scroll_top: RwSignal<f64>,
    pub viewport_h: RwSignal<f64>,
    /// Width of the whole waterfall, px.
    pub width: RwSignal<f64>,
    pub name_w: RwSignal<f64>,
    pub dark: RwSignal<bool>,
    pub show_critical: RwSignal<bool>,
    /// Show the clock-skew-adjusted trace (off by default).
    pub skew_on: RwSignal<bool>,
    /// Asks the waterfall to scroll to this offset (px).
    pub scroll_request: RwSignal<Option<f64>>,
    /// A trace has just been shown: the waterfall draws only the rows in view, without its overscan, so that the
    /// first paint comes sooner; the overscan follows a moment later.
    pub fresh: RwSignal<bool>,
    /// Clears `fresh` once a trace has been on screen for [`FRESH_FOR`].
    fresh_settle: Debounce,
    /// A file is being dragged over the page.
    pub dragging: RwSignal<bool>,
    pub query: RwSignal<String>,
    pub filters: RwSignal<Filters>,
    pub matches_only: RwSignal<bool>,
    pub critical_only: RwSignal<bool>,
    pub match_cursor: RwSignal<usize>,
    /// The user has stepped through matches (the count shows "i / n").
    pub match_started: RwSignal<bool>,
    /// Bumped to focus the search box.
    pub focus_search: RwSignal<u32>,
    /// The row with keyboard focus.
    pub focused: RwSignal<Option<u32>>,
    pub help: RwSignal<bool>,
    /// Spans highlighted from the summary or the statistics.
    pub highlight: RwSignal<Option<Arc<Vec<bool>>>>,
    /// Show only the highlighted spans (and their ancestors).
    pub highlight_filter: RwSignal<bool>,
    pub show_stats: RwSignal<bool>,
    /// The events table (`events::EventsPanel`) is shown.
    pub show_events: RwSignal<bool>,
    /// URL parameters, read once.
    pub config: StoredValue<embed::Config>,
    /// Who may learn about which trace: set from `stitch.config.json` once it is read (until then, Stitch's own
    /// origin only).
    pub trust: StoredValue<Trust>,
    /// The origin of the window that frames Stitch, as far as it is known.
    pub parent: StoredValue<Parent>,
    /// Link templates to the team's own tools: `stitch.config.json`'s, replaced by `?config=`'s, then by a trusted
    /// host's `stitch:config`.
    pub links: RwSignal<Arc<Vec<crate::link_templates::LinkTemplate>>>,
    /// The built-in demo on screen, if a demo (not a file) is.
    pub demo: RwSignal<Option<usize>>,
    /// The load in progress (download, read, parse), if any.
    pub progress: RwSignal<Option<crate::loading::Progress>>,
    /// The loads and the engines that parse them (see `loader`).
    pub loader: StoredValue<loader::Loader, LocalStorage>,
    pub link_copied: RwSignal<bool>,
    /// The trace on screen.
    pub trace: Signal<Option<Arc<Analyzed>>>,
    /// The colors of its services.
    pub colors: Memo<Arc<ServiceColors>>,
    pub hits: Memo<Arc<Hits>>,
    /// The rows shown (span indices, and `GROUP_ROW | g` for group rows) and their count, from `layout::shown`.
    pub rows: Memo<Arc<Shown>>,
    /// What row geometry depends on: the waterfall's width, the name column's, and the time in view.
    pub frame: Memo<Frame>,
}

/// The trace shown: trace `current` of the session, clock-skew-adjusted when `skew_on` and anything is skewed; none
/// while the trace browser is shown.
fn trace_on_screen(
    session: RwSignal<Option<Arc<Session>>>,
    current: RwSignal<usize>,
    skew_on: RwSignal<bool>,
    browsing: RwSignal<bool>,
    comparing: RwSignal<Option<(usize, usize)>>,
) -> Signal<Option<Arc<Analyzed>>> {
    Signal::derive(move || {
        if browsing.get() || comparing.with(|c| c.is_some()) {
            return None;
        }
        let s = session.get()?;
        let i = current.get();
        if skew_on.get() {
            if let Some((a, _)) = s.adjusted(i) {
                return Some(a);
            }
        }
        s.open(i)
    })
}

impl State {
    fn new() -> State {
        let session: RwSignal<Option<Arc<Session>>> = RwSignal::new(None);
        let current = RwSignal::new(0usize);
        let folding = RwSignal::new(Folding::default());
        let skew_on = RwSignal::new(false);
        let browsing = RwSignal::new(false);
        let comparing = RwSignal::new(None);
        let trace = trace_on_screen(session, current, skew_on, browsing, comparing);
        let inputs = view::Inputs::new(trace, folding);
        let (hits, rows) = view::memos(inputs);
        let (window, width, name_w) = (
            RwSignal::new(TimeWindow::full(1)),
            RwSignal::new(1000.0),
            RwSignal::new(340.0),
        );
        let frame = Memo::new(move |_| Frame {
            width: width.get(),
            name_w: name_w.get(),
            window: window.get(),
        });
        State {
            session,
            current,
            browsing,
            browser: browser::Browser::new(session),
            comparing,
            ranks: RwSignal::new(None),
            frame,
            error: RwSignal::new(None),
            folding,
            window,
            selected: RwSignal::new(None),
            hovered: RwSignal::new(None),
            link_index: link_arrows::index_of(trace),
            flame: flame::built_of(trace),
            focus: inputs.focus,
            view: RwSignal::new(TraceView::default()),
            table_order: RwSignal::new(Default::default()),
            bar_label: RwSignal::new(bar_label::remembered()),
            scroll_top: RwSignal::new(0.0),
            viewport_h: RwSignal::new(600.0),
            width,
            name_w,
            dark: RwSignal::new(false),
            show_critical: RwSignal::new(true),
            skew_on,
            query: inputs.query,
            filters: inputs.filters,
            matches_only: inputs.matches_only,
            critical_only: inputs.critical_only,
            match_cursor: RwSignal::new(0),
            match_started: RwSignal::new(false),
            focus_search: RwSignal::new(0),
            focused: RwSignal::new(None),
            help: RwSignal::new(false),
            highlight: inputs.highlight,
            highlight_filter: inputs.highlight_filter,
            show_stats: RwSignal::new(false),
            show_events: RwSignal::new(false),
            config: StoredValue::new(embed::read_config()),
            trust: StoredValue::new(Trust::default()),
            parent: StoredValue::new(messages::parent_origin()),
            links: RwSignal::new(Arc::default()),
            progress: RwSignal::new(None),
            loader: StoredValue::new_local(loader::Loader::default()),
            demo: RwSignal::new(None),
            link_copied: RwSignal::new(false),
            hits,
            dragging: RwSignal::new(false),
            scroll_request: RwSignal::new(None),
            fresh: RwSignal::new(false),
            fresh_settle: Debounce::new(FRESH_FOR),
            trace,
            colors: view::colors_of(trace, session),
            rows,
        }
    }

    /// Shows built-in demo `i` (already parsed, see `crate::demo`); the host page is not told.
    pub fn open_demo(&self, i: usize) {
        let Some(d) = crate::demo::DEMOS.get(i) else {
            return;
        };
        match crate::transfer::decode(vec![d.encoded.to_vec()].into_iter()) {
            Ok(p) => {
                self.show_loaded(Arc::new(Session::from_prepared(p)), true);
                self.demo.set(Some(i));
            }
            Err(e) => self.error.set(Some(format!("{}: {e}", d.name))),
        }
    }

    /// Shows a loaded file and tells the host page (unless `quiet`: the built-in demo).
    pub fn show_loaded(&self, s: Arc<Session>, quiet: bool) {
        self.error.set(None);
        self.demo.set(None);
        // A new file starts with a clean view: a search or filter meant for the last one would hide this one's rows.
        self.query.set(String::new());
        self.filters.set(Filters::default());
        self.matches_only.set(false);
        self.critical_only.set(false);
        self.skew_on.set(false);
        self.comparing.set(None);
        self.ranks.set(None);
        self.browser.reset();
        if s.is_set() && !self.config.with_value(|c| c.embed) {
            // A file of several traces opens on the list of them; `?trace=` or the link's `#trace=` opens one after.
            self.session.set(Some(s.clone()));
            self.browsing.set(true);
            // Two files of one trace each: the two are compared.
            if let Some((a, b)) = crate::analysis::merge::pair_of_files(s.files.len(), &s.traces) {
                self.show_comparison(a, b);
            }
            embed::replace_location(*self);
            self.ranks_soon(&s);
        } else {
            self.show_session(s.clone(), 0);
        }
        if !quiet {
            messages::post_loaded(*self, &s);
        }
    }

    pub fn show_session(&self, s: Arc<Session>, index: usize) {
        self.session.set(Some(s.clone()));
        self.show_trace(index);
        // Build the search index once the waterfall is on screen, so the first keystroke is as fast as the rest.
        set_timeout(
            move || {
                if let Some(a) = s.open(index) {
                    let _ = a.search_index();
                }
            },
            std::time::Duration::from_millis(400),
        );
    }

    /// Switches to trace `index` of the session, resetting the view.
    pub fn show_trace(&self, index: usize) {
        let Some(s) = self.session.get_untracked() else {
            return;
        };
        let Some(t) = s.open(index) else {
            return;
        };
        self.folding.set(Folding::new(&t));
        self.window.set(TimeWindow::full(t.duration_ns()));
        self.selected.set(None);
        self.hovered.set(None);
        self.focus.set(None);
        self.focused.set(None);
        self.highlight.set(None);
        self.highlight_filter.set(false);
        self.match_started.set(false);
        self.scroll_top.set(0.0);
        self.scroll_request.set(Some(0.0));
        self.current.set(index);
        self.browsing.set(false);
        self.comparing.set(None);
        self.fresh.set(true);
        let fresh = self.fresh;
        self.fresh_settle.call(move || fresh.set(false));
    }

    /// Ranks the spans of a set in a task of its own, while the user reads the list: the slow-call badges then show
    /// as soon as a trace opens. (A single trace is ranked when the detail panel first needs it.)
    fn ranks_soon(&self, s: &Arc<Session>) {
        let (state, s) = (*self, s.clone());
        set_timeout(
            move || {
                let same = state
                    .session
                    .with_untracked(|now| now.as_ref().is_some_and(|now| Arc::ptr_eq(now, &s)));
                if same {
                    state.ranks.set(Some(s.ranks()));
                }
            },
            std::time::Duration::from_millis(300),
        );
    }

    /// The rank of span `i` of the trace on screen among its operation's calls, once the ranks are built.
    pub fn rank_of(&self, i: u32) -> Option<crate::analysis::ranks::Rank> {
        let trace = self.current.get_untracked();
        self.ranks.with(|r| r.as_ref()?.rank(trace, i))
    }

    /// Opens trace `index` from the trace browser: a new history entry, so that Back returns to the list.
    pub fn open_from_list(&self, index: usize) {
        self.show_trace(index);
        embed::push_location(*self);
    }

    /// Back to the trace browser (the "All traces" link): a new history entry.
    pub fn show_list(&self) {
        if self
            .session
            .with_untracked(|s| s.as_ref().is_some_and(|s| s.is_set()))
        {
            self.comparing.set(None);
            self.browsing.set(true);
            embed::push_location(*self);
        }
    }

    /// Compares traces `a` and `b` of the session (A the normal one, B the slow one).
    pub fn show_comparison(&self, a: usize, b: usize) {
        let n = self
            .session
            .with_untracked(|s| s.as_ref().map_or(0, |s| s.traces.len()));
        if a < n && b < n && a != b {
            self.comparing.set(Some((a, b)));
            self.browsing.set(false);
        }
    }

    pub fn is_collapsed(&self, span: u32) -> bool {
        self.folding.with(|f| f.is_collapsed(span))
    }

    pub fn group_open(&self, g: u32) -> bool {
        self.folding.with(|f| f.group_open(g))
    }

    pub fn toggle_group(&self, g: u32) {
        self.folding.update(|f| f.toggle_group(g));
    }

    pub fn toggle_collapse(&self, span: u32) {
        self.folding.update(|f| f.toggle(span));
    }

    /// Applies a change to the folding of the trace on screen (see `layout::folding`).
    pub fn fold(&self, change: impl FnOnce(&mut Folding, &Analyzed)) {
        if let Some(a) = self.trace.get_untracked() {
            self.folding.update(|f| change(f, &a));
        }
    }

    pub fn total_ns(&self) -> f64 {
        self.trace
            .with_untracked(|t| t.as_ref().map(|t| t.duration_ns().max(1) as f64))
            .unwrap_or(1.0)
    }
}

/// Selects span `i`, expanding its ancestors and scrolling its row into view.
pub fn reveal(state: State, i: u32) {
    let Some(a) = state.trace.get_untracked() else {
        return;
    };
    // A span outside the focused subtree has no row: leave the focus to show it.
    if state
        .focus
        .get_untracked()
        .is_some_and(|f| !crate::layout::focus::in_subtree(&a.tree, f, i))
    {
        focus::leave_focus(state);
    }
    state.folding.update(|f| f.reveal(&a, i));
    state.selected.set(Some(i));
    let row = state
        .rows
        .with_untracked(|r| r.iter().position(|&s| s == i));
    if let Some(row) = row {
        let y = row as f64 * ROW_H;
        let top = state.scroll_top.get_untracked();
        let h = state.viewport_h.get_untracked();
        if y < top || y + ROW_H > top + h {
            state.scroll_request.set(Some((y - h / 3.0).max(0.0)));
        }
    }
}

pub fn use_state() -> State {
    expect_context::<State>()
}

/// Entry point of the wasm app.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let state = State::new();
    provide_context(state);
    // ?theme=, else the theme the user picked last, else the system's.
    let cfg = state.config.get_value();
    // An embed follows its host (?theme=, stitch:theme) or the system, not a pick made in Stitch's own page.
    let remembered = (!cfg.embed).then(theme::remembered_theme).flatten();
    match cfg.theme.clone().or(remembered).as_deref() {
        Some("dark") => state.dark.set(true),
        Some("light") => state.dark.set(false),
        _ => {
            if let Some(w) = web_sys::window() {
                if let Ok(Some(mq)) = w.match_media("(prefers-color-scheme: dark)") {
                    state.dark.set(mq.matches());
                }
            }
        }
    }
    Effect::new(move |_| {
        let dark = state.dark.get();
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
    });
    // The tab names the trace on screen.
    Effect::new(move |_| {
        let title = state.trace.with(|t| {
            let a = t.as_ref()?;
            let r = a.root?;
            Some(format!(
                "{}: {} — Stitch",
                a.trace.service(r),
                a.trace.operation(r)
            ))
        });
        document().set_title(title.as_deref().unwrap_or("Stitch — trace viewer"));
    });
    // A link edited in the address bar, or Back, changes only the hash: apply it.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| embed::apply_hash(state));
    // Back and Forward between the trace browser and a trace opened from it.
    let _ = window_event_listener(leptos::ev::popstate, move |_| embed::apply_hash(state));
    // The first demo shows until something is loaded (not when a ?url= load is coming).
    if cfg.url.is_none() {
        state.open_demo(0);
        embed::apply_hash(state);
    }
    load::install_global_handlers(state);
    keys::install(state);
    flame::build_soon(state);
    embed::sync_hash(state);
    Effect::new(move |prev: Option<Option<u32>>| {
        let sel = state.selected.get();
        if let (Some(i), Some(p)) = (sel, prev) {
            if Some(i) != p {
                messages::post_selected(state, i);
            }
        }
        sel
    });
    // Host pages are answered, and ?url= is downloaded, once the deployer's stitch.config.json says whom to trust
    // (and ?config= has given its links, so a host's stitch:config comes after them).
    messages::install(state);
    leptos::task::spawn_local(async move {
        config::read_deployment(state, &cfg.origins).await;
        if let Some(url) = cfg.config_url.as_deref() {
            config::read_url_links(state, url).await;
        }
        messages::trust_known(state);
        messages::post_ready(state);
        if let Some(url) = cfg.url.clone() {
            download::load_url(state, url, Box::new(embed::after_url_load));
        }
    });
    let embed_mode = cfg.embed;
    // Only a change from nothing to something (or back) remounts the waterfall, not every new trace.
    let has_trace = Memo::new(move |_| state.session.with(|s| s.is_some()));
    let browsing = state.browsing;
    let show_summary = cfg.show_summary;

    view! {
        <div class="app" class:embed=embed_mode>
            {(!embed_mode).then(|| view! { <header::TopBar /> })}
            // The landmark for everything below the top bar (`display: contents`: no box of its own).
            <main class="app-main">
                <status::Progress />
                <status::ErrorBanner />
                {(!embed_mode).then(|| view! {
                    <header::TraceHeader />
                })}
                {show_summary.then(|| view! { <insight::Summary /> })}
                {move || (!embed_mode && !browsing.get() && state.comparing.with(|c| c.is_none())).then(|| view! {
                    <insight::StatsPanel />
                    <search::Legend />
                    <search::SearchBar />
                })}
                // The waterfall stays mounted while the trace browser shows (it draws nothing then): its observers and
                // listeners live as long as the page.
                {move || browsing.get().then(|| view! { <browser::TraceBrowser /> })}
                {move || state.comparing.get().is_some().then(|| view! { <compare::CompareView /> })}
                {move || if has_trace.get() {
                    view! {
                        <div class="main" class:hidden=move || browsing.get() || state.comparing.with(|c| c.is_some())>
                            <div class="views">
                                <tabs::ViewTabs />
                                <focus::Breadcrumb />
                                // The waterfall stays mounted under the other views, as under the browser.
                                <div class="view-pane" class:hidden=move || state.view.get() != TraceView::Waterfall>
                                    <waterfall::Waterfall />
                                </div>
                                {move || match state.view.get() {
                                    TraceView::Flame => view! { <flame::FlameGraph /> }.into_any(),
                                    TraceView::Table => view! { <span_table::SpanTable /> }.into_any(),
                                    TraceView::Graph => view! { <service_graph::ServiceGraphView /> }.into_any(),
                                    _ => ().into_any(),
                                }}
                            </div>
                            <detail::Detail />
                        </div>
                    }.into_any()
                } else {
                    view! { <status::EmptyState /> }.into_any()
                }}
                <events::EventsPanel />
            </main>
            {(!embed_mode).then(|| view! { <load::DropOverlay /> })}
            <keys::HelpOverlay />
        </div>
    }
}
