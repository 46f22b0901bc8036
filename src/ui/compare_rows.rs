//! The aligned view of two traces compared: one row per pair, A's bar above B's on one time axis, the deltas beside
//! them, a toolbar ("only differences", the search, the count), and the detail pane of the selected pair. Only the
//! rows in view are drawn. Which rows show, where the bars go and what the cells say come from
//! `layout::compare_view`; this file draws it and forwards input.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::compare::{pair_name, Compared};
use crate::analysis::compare::{Comparison, Side};
use crate::layout::compare_view::{
    delta_text, only_label, pair_attributes, pair_facts, pair_key, pairs_count_text, position_of,
    search_matches, visible_rows, DetailLine, PairFrame, PairKey, PairView, DELTA_W,
};
use crate::layout::geometry::{LABEL_GAP, ROW_H};
use crate::layout::row_window;
use crate::layout::set_colors::SetColors;

/// Width of the name column, px.
const NAME_W: f64 = 340.0;
/// Rows drawn above and below the viewport.
const OVERSCAN: usize = 10;
/// Characters of an attribute value shown in the detail pane.
const VALUE_SHOWN: usize = 300;

/// The aligned view's state, shared by the differences list (a click reveals a row) and the view.
#[derive(Clone, Copy)]
pub struct Aligned {
    /// Folding, "only differences" and the search.
    pub view: RwSignal<PairView>,
    /// The selected row (an index into the comparison's rows).
    pub selected: RwSignal<Option<u32>>,
    scroll_top: RwSignal<f64>,
    viewport_h: RwSignal<f64>,
    width: RwSignal<f64>,
    /// Per row, whether it matches the search (`None`: no search).
    matches: Memo<Option<Arc<Vec<bool>>>>,
    /// The rows shown, in order (`layout::compare_view::visible_rows`).
    visible: Memo<Arc<Vec<u32>>>,
    frame: Memo<PairFrame>,
    scroll_ref: NodeRef<leptos::html::Div>,
    comparison: StoredValue<Arc<Comparison>>,
}

impl Aligned {
    /// A fresh view of a comparison: everything open, nothing searched or selected.
    pub fn new(c: &Compared) -> Aligned {
        let comparison = c.comparison.clone();
        let view = RwSignal::new(PairView::new(&comparison));
        let (a, b, cmp) = (c.a.clone(), c.b.clone(), comparison.clone());
        let query = Memo::new(move |_| view.with(|v| v.query.clone()));
        let matches = Memo::new(move |_| {
            query.with(|q| search_matches(&a.trace, &b.trace, &cmp, q).map(Arc::new))
        });
        let cmp = comparison.clone();
        let visible = Memo::new(move |_| {
            let m = matches.get();
            view.with(|v| Arc::new(visible_rows(&cmp, v, m.as_deref().map(Vec::as_slice))))
        });
        let width = RwSignal::new(1000.0);
        let cmp = comparison.clone();
        let frame = Memo::new(move |_| PairFrame::new(&cmp, width.get(), NAME_W));
        Aligned {
            view,
            selected: RwSignal::new(None),
            scroll_top: RwSignal::new(0.0),
            viewport_h: RwSignal::new(400.0),
            width,
            matches,
            visible,
            frame,
            scroll_ref: NodeRef::new(),
            comparison: StoredValue::new(comparison),
        }
    }

    /// Selects row `row` and scrolls to it, opening its collapsed ancestors (and lifting "only differences" or the
    /// search if they hide it).
    pub fn reveal(self, row: u32) {
        let m = self.matches.get_untracked();
        let c = self.comparison.get_value();
        self.view
            .update(|v| v.reveal(&c, m.as_deref().map(Vec::as_slice), row));
        self.selected.set(Some(row));
        // Once the rows (and the spacer's height) follow the change.
        request_animation_frame(move || self.scroll_to(row));
    }

    /// A key pressed anywhere on the page while the comparison shows (not in a text box); true if it was the view's.
    fn on_key(self, key: &str) -> bool {
        let page = (self.viewport_h.get_untracked() / ROW_H).floor().max(1.0) as usize;
        let key = match key {
            "ArrowDown" | "j" => PairKey::Next,
            "ArrowUp" | "k" => PairKey::Previous,
            "PageDown" => PairKey::PageDown(page),
            "PageUp" => PairKey::PageUp(page),
            "Home" => PairKey::First,
            "End" => PairKey::Last,
            "ArrowRight" => PairKey::Open,
            "ArrowLeft" => PairKey::Close,
            " " => PairKey::Toggle,
            "[" => return self.fold(PairView::expand_all),
            "]" => {
                let c = self.comparison.get_value();
                return self.fold(move |v| v.collapse_all(&c));
            }
            "Escape" => {
                self.selected.set(None);
                return true;
            }
            _ => return false,
        };
        let c = self.comparison.get_value();
        let visible = self.visible.get_untracked();
        let selected = self.selected.get_untracked();
        let mut next = None;
        self.view
            .update(|v| next = pair_key(&c, v, &visible, selected, key));
        self.selected.set(next);
        if let Some(row) = next {
            request_animation_frame(move || self.scroll_to(row));
        }
        true
    }

    /// Changes the folding (expand all, collapse all); the selection stays if it still shows.
    fn fold(self, change: impl FnOnce(&mut PairView)) -> bool {
        self.view.update(change);
        if let Some(row) = self.selected.get_untracked() {
            request_animation_frame(move || self.scroll_to(row));
        }
        true
    }

    /// Scrolls row `row` into view, a third of the way down, unless it is in view already.
    fn scroll_to(self, row: u32) {
        let Some(pos) = self.visible.with_untracked(|v| position_of(v, row)) else {
            return;
        };
        let y = pos as f64 * ROW_H;
        let (top, h) = (
            self.scroll_top.get_untracked(),
            self.viewport_h.get_untracked(),
        );
        if y >= top && y + ROW_H <= top + h {
            return;
        }
        let to = (y - h / 3.0).max(0.0);
        if let Some(el) = self.scroll_ref.get_untracked() {
            let el: &web_sys::Element = el.as_ref();
            el.set_scroll_top(to as i32);
        }
        self.scroll_top.set(to);
    }
}

/// The toolbar, the axis, the rows in view, and the selected pair's detail.
#[component]
pub fn AlignedView(compared: Compared, aligned: Aligned) -> impl IntoView {
    let al = aligned;
    track_size(al);
    let keys = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        let tag = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            .map(|el| el.tag_name())
            .unwrap_or_default();
        // Text boxes keep every key; a focused button or link keeps Space and Enter, which press it.
        let taken = matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || (matches!(tag.as_str(), "BUTTON" | "A") && matches!(key.as_str(), " " | "Enter"));
        if !(taken || ev.ctrl_key() || ev.meta_key() || ev.alt_key()) && al.on_key(&key) {
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());
    let range = Memo::new(move |_| {
        let n = al.visible.with(|v| v.len());
        row_window(al.scroll_top.get(), al.viewport_h.get(), ROW_H, n, OVERSCAN)
    });
    let in_view = Memo::new(move |_| {
        let r = range.get();
        al.visible.with(|v| {
            r.filter_map(|p| v.get(p).map(|&row| (p, row)))
                .collect::<Vec<_>>()
        })
    });
    let colors = compared.colors.clone();
    let total = compared.comparison.rows.len();
    let for_rows = compared.clone();
    view! {
        <div class="aligned" data-testid="aligned">
            <div class="aligned-main">
                <Toolbar aligned=al total=total />
                <PairAxis aligned=al />
                <div
                    class="pairs-scroll"
                    node_ref=al.scroll_ref
                    data-testid="pairs-scroll"
                    tabindex="0"
                    role="tree"
                    aria-label="Pairs of spans"
                    on:scroll=move |ev| {
                        if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                            al.scroll_top.set(t.scroll_top() as f64);
                        }
                    }
                >
                    <div
                        class="pairs-spacer"
                        style:height=move || format!("{}px", al.visible.with(|v| v.len()) as f64 * ROW_H)
                    >
                        <For
                            each=move || in_view.get()
                            key=|&k| k
                            children=move |(pos, row)| pair_row_view(al, &for_rows, &colors, pos, row)
                        />
                    </div>
                </div>
            </div>
            {move || al.selected.get().map(|row| view! { <PairDetail compared=compared.clone() row=row aligned=al /> })}
        </div>
    }
}

/// Keeps the measured width and height of the rows' viewport in sync with the element.
fn track_size(al: Aligned) {
    let measure = move || {
        if let Some(el) = al.scroll_ref.get_untracked() {
            let el: &web_sys::Element = el.as_ref();
            al.width.set(el.client_width() as f64);
            al.viewport_h.set(el.client_height() as f64);
        }
    };
    Effect::new(move |_| {
        if let Some(el) = al.scroll_ref.get() {
            measure();
            let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
            if let Ok(ro) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
                let el: &web_sys::Element = el.as_ref();
                ro.observe(el);
            }
            cb.forget(); // as long as the element: a new pair mounts a new one
        }
    });
}

/// "Only differences", the search box, the count of pairs shown, and the bars' key.
#[component]
fn Toolbar(aligned: Aligned, total: usize) -> impl IntoView {
    let al = aligned;
    view! {
        <div class="aligned-tools">
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="only-differences"
                    prop:checked=move || al.view.with(|v| v.only_differences)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        al.view.update(|v| v.only_differences = on);
                    }
                />
                " Only differences"
            </label>
            <input
                class="search-input"
                type="search"
                placeholder="Search service or operation"
                aria-label="Search pairs"
                data-testid="pair-search"
                prop:value=move || al.view.with(|v| v.query.clone())
                on:input=move |ev| {
                    let q = event_target_value(&ev);
                    al.view.update(|v| v.query = q);
                }
            />
            <button class="btn" data-testid="pairs-expand-all" title="Expand all ([)" on:click=move |_| { al.fold(PairView::expand_all); }>"Expand all"</button>
            <button class="btn" data-testid="pairs-collapse-all" title="Collapse all (])" on:click=move |_| {
                let c = al.comparison.get_value();
                al.fold(move |v| v.collapse_all(&c));
            }>"Collapse all"</button>
            <span class="muted" data-testid="pair-count">
                {move || pairs_count_text(al.visible.with(|v| v.len()), total)}
            </span>
            <span class="spacer"></span>
            <span class="pair-key"><i class="key-a"></i>"A (normal)"<i class="key-b"></i>"B"</span>
        </div>
    }
}

/// The shared time axis: 0 is each root's start.
#[component]
fn PairAxis(aligned: Aligned) -> impl IntoView {
    let al = aligned;
    view! {
        <div class="pair-axis">
            <span class="pair-axis-title">"Service · Operation"</span>
            {move || {
                let f = al.frame.get();
                let ticks = f
                    .ticks(90.0)
                    .into_iter()
                    .map(|t| view! { <span class="pair-tick" style:left=format!("{}px", f.name_w + t.x)>{t.label}</span> })
                    .collect_view();
                view! {
                    {ticks}
                    <span class="pair-axis-title" style:left=format!("{}px", f.delta_x())>"Self Δ · Duration Δ"</span>
                }
            }}
        </div>
    }
}

/// One pair's row: the indented name (with its triangle), A's and B's bars, and the deltas.
fn pair_row_view(al: Aligned, c: &Compared, colors: &SetColors, pos: usize, row: u32) -> AnyView {
    let Some(r) = c.comparison.rows.get(row as usize).copied() else {
        return ().into_any();
    };
    let (service, operation) = pair_name(c, &r);
    let color = colors.color(&service);
    let delta = delta_text(&r);
    let has_children = r.descendants > 0;
    let collapsed = move || al.view.with(|v| v.is_collapsed(row));
    let is_selected = move || al.selected.get() == Some(row);
    let side_class = match r.only() {
        Some(Side::A) => " only-a",
        Some(Side::B) => " only-b",
        None => "",
    };
    let indent = al.frame.with_untracked(|f| f.indent(r.depth));
    let title = format!(
        "{service}: {operation} — self time {} · duration {}",
        delta.self_delta, delta.duration_delta
    );
    let chevron = has_children.then(|| {
        view! {
            <span
                class="pair-chevron"
                data-testid="pair-chevron"
                on:click=move |ev: web_sys::MouseEvent| {
                    ev.stop_propagation();
                    al.view.update(|v| v.toggle(row));
                }
            >{move || if collapsed() { "▸" } else { "▾" }}</span>
        }
    });
    view! {
        <div
            class=move || format!("pair-row{side_class}{}", if is_selected() { " selected" } else { "" })
            data-testid="pair-row"
            data-row=row.to_string()
            role="treeitem"
            attr:aria-level=(r.depth + 1).to_string()
            aria-selected=move || is_selected().to_string()
            aria-expanded=move || has_children.then(|| (!collapsed()).to_string())
            title=title
            style:top=format!("{}px", pos as f64 * ROW_H)
            on:click=move |_| al.selected.set(Some(row))
        >
            <div class="pair-name" style:width=format!("{}px", NAME_W - 6.0) style:padding-left=format!("{indent}px")>
                <span class="pair-chevron-slot" style:width=format!("{LABEL_GAP}px")>{chevron}</span>
                <span class="svc" style:color=color>{service}</span>
                <span class="op">{format!(" {operation}")}</span>
                {delta.only.map(|o| view! { <span class="only-tag" data-testid="only-tag">{o}</span> })}
                {move || (collapsed() && has_children).then(|| view! {
                    <span class="hidden-count">{format!("+{}", r.descendants)}</span>
                })}
            </div>
            {move || {
                let f = al.frame.get();
                let g = f.place(&r);
                let bar = |class: &'static str, xw: Option<(f64, f64)>, fill: Option<&'static str>| {
                    xw.map(|(x, w)| view! {
                        <div class=class style:left=format!("{x}px") style:width=format!("{w}px") style:background-color=fill></div>
                    })
                };
                view! {
                    <div class="pair-bars" style:left=format!("{}px", f.name_w) style:width=format!("{}px", f.timeline_width())>
                        {bar("bar-a", g.a, None)}
                        {bar("bar-b", g.b, Some(color))}
                    </div>
                    <div class="pair-delta" style:left=format!("{}px", f.delta_x()) style:width=format!("{DELTA_W}px")>
                        <span class=format!("self-delta {}", delta.tone) data-testid="self-delta">{delta.self_delta.clone()}</span>
                        <span class="dur-delta" data-testid="duration-delta">{delta.duration_delta.clone()}</span>
                    </div>
                }
            }}
        </div>
    }
    .into_any()
}

/// The selected pair, A beside B: its facts and attributes, with the values that differ marked.
#[component]
fn PairDetail(compared: Compared, row: u32, aligned: Aligned) -> impl IntoView {
    let Some(r) = compared.comparison.rows.get(row as usize).copied() else {
        return ().into_any();
    };
    let facts = pair_facts(&compared.a, &compared.b, &r);
    let attrs = pair_attributes(&compared.a.trace, &compared.b.trace, &r);
    let (service, operation) = pair_name(&compared, &r);
    let no_attrs = attrs.is_empty();
    view! {
        <aside class="detail pair-detail" data-testid="pair-detail" aria-label="Pair detail">
            <div class="detail-head">
                <h2><span class="svc">{service}</span><span class="op">{operation}</span></h2>
                <button class="btn small" title="Close" on:click=move |_| aligned.selected.set(None)>"×"</button>
            </div>
            {only_label(&r).map(|o| view! { <p class="only-tag">{o}</p> })}
            <table class="pair-lines">
                <thead><tr><th></th><th>"A"</th><th>"B"</th></tr></thead>
                <tbody>{detail_lines(facts, "fact")}</tbody>
            </table>
            <h3>"Attributes"</h3>
            {if no_attrs {
                view! { <p class="muted">"None on either side."</p> }.into_any()
            } else {
                view! { <table class="pair-lines"><tbody>{detail_lines(attrs, "attr")}</tbody></table> }.into_any()
            }}
        </aside>
    }
    .into_any()
}

/// Table rows of label, A's value and B's value; a row whose values differ is marked.
fn detail_lines(lines: Vec<DetailLine>, testid: &'static str) -> impl IntoView {
    let shown = |s: &str| match crate::text::fold(s, VALUE_SHOWN) {
        (short, 0) => short.to_string(),
        (short, _) => format!("{short}…"),
    };
    lines
        .into_iter()
        .map(|l| {
            view! {
                <tr data-testid=testid data-label=l.label.clone() class:differs=l.differs>
                    <th>{l.label.clone()}</th>
                    <td class="val side-a">{shown(&l.a)}</td>
                    <td class="val side-b">{shown(&l.b)}</td>
                </tr>
            }
        })
        .collect_view()
}
