//! Keyboard navigation and the `?` overlay that lists every shortcut.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::search::step_match;
use super::{reveal, use_state, State};
use crate::layout::folding::Folding;
use crate::layout::trace_views::TraceView;
use crate::layout::TimeWindow;

pub const SHORTCUTS: &[(&str, &str)] = &[
    ("← → or a d", "pan the time axis (Shift: bigger steps)"),
    ("↑ ↓", "zoom in / out (Shift: bigger steps)"),
    (
        "wheel over bars",
        "zoom around the cursor; Shift+wheel pans",
    ),
    ("drag on the time axis", "zoom to that range"),
    ("0", "reset zoom"),
    (
        "1 2 3 4",
        "waterfall / flame graph / span table / service graph",
    ),
    (
        "z or right-click a row",
        "focus on the selected span's subtree (Esc leaves)",
    ),
    ("f / b", "waterfall: focus the next / previous span"),
    ("Enter", "waterfall: open the focused span's detail"),
    ("Space", "waterfall: collapse or expand the focused span"),
    ("[ / ]", "waterfall: expand all / collapse all"),
    ("o / p", "waterfall: expand / collapse one more level"),
    ("e", "show / hide every event in time order"),
    ("/ or Ctrl+F", "search"),
    ("n / N", "next / previous match"),
    ("Esc", "clear search and selection, close this help"),
    ("?", "show this help"),
    (
        "↑ ↓ j k, Page Up/Down",
        "trace list: move through the traces",
    ),
    ("Enter", "trace list: open the trace"),
    (
        "↑ ↓ j k, Page Up/Down, Home/End",
        "comparison: move through the pairs",
    ),
    (
        "← → or Space, [ / ]",
        "comparison: fold a pair; expand all / collapse all",
    ),
];

fn move_focus(state: State, step: i64) {
    let rows = state.rows.get_untracked();
    if rows.is_empty() {
        return;
    }
    let cur = state
        .focused
        .get_untracked()
        .and_then(|f| rows.iter().position(|&s| s == f));
    let mut next = match cur {
        Some(p) => (p as i64 + step).clamp(0, rows.len() as i64 - 1) as usize,
        None => 0,
    };
    // Skip sibling-group rows: focus is on spans.
    while rows[next] & crate::layout::GROUP_ROW != 0 {
        let n = next as i64 + if step < 0 { -1 } else { 1 };
        if n < 0 || n >= rows.len() as i64 {
            return;
        }
        next = n as usize;
    }
    let span = rows[next];
    state.focused.set(Some(span));
    reveal_focus(state, next);
}

fn reveal_focus(state: State, row: usize) {
    let y = row as f64 * super::ROW_H;
    let top = state.scroll_top.get_untracked();
    let h = state.viewport_h.get_untracked();
    if y < top {
        state.scroll_request.set(Some(y));
    } else if y + super::ROW_H > top + h {
        state.scroll_request.set(Some(y + super::ROW_H - h));
    }
}

pub fn install(state: State) {
    let _ = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        let key = ev.key();
        let in_input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if (ev.ctrl_key() || ev.meta_key()) && key == "f" {
            ev.prevent_default();
            state.focus_search.update(|n| *n += 1);
            return;
        }
        if in_input || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        // The comparison view has keys of its own (`compare_rows::Aligned::on_key`); the waterfall's stay off.
        if state.comparing.with_untracked(|c| c.is_some()) {
            match key.as_str() {
                "?" => state.help.update(|h| *h = !*h),
                "Escape" => state.help.set(false),
                _ => {}
            }
            return;
        }
        if state.browsing.get_untracked() {
            if key == "?" {
                state.help.update(|h| *h = !*h);
            } else if super::browser::on_key(state, &key) {
                ev.prevent_default();
            }
            return;
        }
        if trace_key(state, &key, ev.shift_key()) {
            ev.prevent_default();
        }
    });
}

/// A key on the trace's views; false if it is not one of theirs, or not one of the view on screen.
fn trace_key(state: State, key: &str, big: bool) -> bool {
    if !state.view.get_untracked().takes_key(key) {
        return false;
    }
    let total = state.total_ns();
    let w = state.window.get_untracked();
    let pan = if big { 0.5 } else { 0.1 } * w.width();
    let zoom = if big { 0.5 } else { 0.8 };
    let mut handled = true;
    match key {
        "ArrowLeft" | "a" | "A" => state.window.set(w.pan(-pan, total)),
        "ArrowRight" | "d" | "D" => state.window.set(w.pan(pan, total)),
        "ArrowUp" => state
            .window
            .set(w.zoom_around((w.start + w.end) / 2.0, zoom, total)),
        "ArrowDown" => state
            .window
            .set(w.zoom_around((w.start + w.end) / 2.0, 1.0 / zoom, total)),
        "0" => state.window.set(TimeWindow::full(total as i64)),
        "[" => state.fold(Folding::expand_all),
        "]" => state.fold(Folding::collapse_all),
        "p" => state.fold(Folding::close_one_level),
        "o" => state.fold(Folding::open_one_level),
        "e" => state.show_events.update(|v| *v = !*v),
        "f" => move_focus(state, 1),
        "b" => move_focus(state, -1),
        "n" => step_match(state, 1),
        "N" => step_match(state, -1),
        "Enter" => {
            if let Some(f) = state.focused.get_untracked() {
                reveal(state, f);
            }
        }
        " " => {
            if let Some(f) = state.focused.get_untracked() {
                state.toggle_collapse(f);
            }
        }
        "/" => state.focus_search.update(|n| *n += 1),
        "?" => state.help.update(|h| *h = !*h),
        "z" => {
            if let Some(i) = state
                .selected
                .get_untracked()
                .or(state.focused.get_untracked())
            {
                super::focus::focus_on(state, i);
            }
        }
        "1" | "2" | "3" | "4" => {
            if let Some(v) = TraceView::from_key(key) {
                state.view.set(v);
            }
        }
        // Esc leaves a focus first; the next clears the search and the selection.
        "Escape" if state.focus.get_untracked().is_some() && !state.help.get_untracked() => {
            super::focus::leave_focus(state)
        }
        "Escape" => {
            state.help.set(false);
            state.query.set(String::new());
            state.selected.set(None);
            super::insight::clear_highlight(state);
        }
        _ => handled = false,
    }
    handled
}
#[component]
pub fn HelpOverlay() -> impl IntoView {
    let state = use_state();
    move || {
        state.help.get().then(|| {
            let rows = SHORTCUTS
                .iter()
                .map(|(k, d)| view! { <tr><th><kbd>{*k}</kbd></th><td>{*d}</td></tr> })
                .collect_view();
            view! {
                <div class="overlay" data-testid="help" on:click=move |_| state.help.set(false)>
                    <div class="help-box" role="dialog" aria-label="Keyboard shortcuts">
                        <h2>"Keyboard shortcuts"</h2>
                        <table>{rows}</table>
                    </div>
                </div>
            }
        })
    }
}
