//! The aligned comparison view's decisions (`layout::compare_view`): which pairs show under folding, the search and
//! "only differences"; where each side's bar goes on the shared axis; the delta cells; the detail pane's lines. The
//! little traces are written here and every expected value is worked out by hand in a comment.

use stitch::analysis::compare::{compare, Comparison};
use stitch::analysis::{analyze, Analyzed};
use stitch::layout::compare_view::{
    delta_text, pair_attributes, pair_facts, pairs_count_text, position_of, row_names,
    search_matches, visible_rows, DeltaText, DetailLine, PairBars, PairFrame, PairView,
};
use stitch::model::{Attr, IndexRange, ParentRef, Span, Trace, Value};

/// A span as (ID, parent ID or "", service, operation, start ms, duration ms).
type SpanSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
);

/// An attribute value, written short.
enum V {
    S(&'static str),
    I(i64),
    B(bool),
}

const MS: i64 = 1_000_000;

/// A trace starting `base_ms` after the epoch; `attrs` as (span position, key, value), in span order.
fn trace(base_ms: i64, spans: &[SpanSpec], attrs: &[(usize, &str, V)]) -> Analyzed {
    let mut t = Trace::new("t");
    let mut list = Vec::new();
    for (k, &(id, parent, service, operation, start, duration)) in spans.iter().enumerate() {
        let parent = match spans.iter().position(|s| s.0 == parent) {
            Some(p) => ParentRef::Index(p as u32),
            None => ParentRef::None,
        };
        let first = t.attrs.len() as u32;
        for (_, key, v) in attrs.iter().filter(|(s, _, _)| *s == k) {
            let value = match v {
                V::S(s) => Value::Str(t.push_str(s)),
                V::I(i) => Value::Int(*i),
                V::B(b) => Value::Bool(*b),
            };
            let key = t.strings.intern(key);
            t.attrs.push(Attr { key, value });
        }
        list.push(Span {
            span_id: t.push_str(id),
            parent,
            service: t.strings.intern(service),
            operation: t.strings.intern(operation),
            start_ns: (base_ms + start) * MS,
            duration_ns: duration * MS,
            attrs: IndexRange {
                start: first,
                end: t.attrs.len() as u32,
            },
            ..Span::default()
        });
    }
    t.spans = list;
    analyze(t)
}

/// A charge: api GET /pay > pay charge > (fraud score, ledger INSERT), then notify send under the root.
///
/// A: api 0–100 > pay 10–90 > fraud 20–40, ledger 50–55 (rows=1); notify 92–98.
/// B: api 0–145 > pay 10–135 > fraud 20–40, ledger 50–100 (rows=3, retry=true); notify 137–143.
/// Rows: 0 api (depth 0), 1 pay (1), 2 fraud (2), 3 ledger (2), 4 notify (1).
/// Self times, A: api 100−80−6 = 14, pay 80−20−5 = 55, fraud 20, ledger 5, notify 6.
///             B: api 145−125−6 = 14, pay 125−20−50 = 55, fraud 20, ledger 50, notify 6.
/// The threshold of "only differences" is 1% of 145 ms = 1.45 ms: api (duration +45), pay (duration +45) and
/// ledger (self and duration +45) changed; fraud and notify did not (notify only moved).
fn charge() -> (Analyzed, Analyzed, Comparison) {
    let a = trace(
        1_000,
        &[
            ("r", "", "api", "GET /pay", 0, 100),
            ("p", "r", "pay", "charge", 10, 80),
            ("f", "p", "fraud", "score", 20, 20),
            ("l", "p", "ledger", "INSERT", 50, 5),
            ("n", "r", "notify", "send", 92, 6),
        ],
        &[(3, "db.system", V::S("postgresql")), (3, "rows", V::I(1))],
    );
    let b = trace(
        9_000,
        &[
            ("r", "", "api", "GET /pay", 0, 145),
            ("p", "r", "pay", "charge", 10, 125),
            ("f", "p", "fraud", "score", 20, 20),
            ("l", "p", "ledger", "INSERT", 50, 50),
            ("n", "r", "notify", "send", 137, 6),
        ],
        &[
            (3, "db.system", V::S("postgresql")),
            (3, "rows", V::I(3)),
            (3, "retry", V::B(true)),
        ],
    );
    let c = compare(&a, &b);
    (a, b, c)
}

/// An extra call in B: api GET /order > auth check, (cache GET only in B), db SELECT.
///
/// A: api 0–100 > auth 10–20, db 30–60. B: api 0–130 > auth 10–20, cache 20–50, db 60–90.
/// Rows: 0 api, 1 auth, 2 cache (only in B), 3 db. Self: api 60 in both, auth 10, cache 0 | 30, db 30.
fn extra_call() -> (Analyzed, Analyzed, Comparison) {
    let a = trace(
        1_000,
        &[
            ("r", "", "api", "GET /order", 0, 100),
            ("au", "r", "auth", "check", 10, 10),
            ("q", "r", "db", "SELECT", 30, 30),
        ],
        &[],
    );
    let b = trace(
        5_000,
        &[
            ("r", "", "api", "GET /order", 0, 130),
            ("au", "r", "auth", "check", 10, 10),
            ("ca", "r", "cache", "GET", 20, 30),
            ("q", "r", "db", "SELECT", 60, 30),
        ],
        &[],
    );
    let c = compare(&a, &b);
    (a, b, c)
}

/// The visible rows for a view, with its query searched.
fn visible(a: &Analyzed, b: &Analyzed, c: &Comparison, v: &PairView) -> Vec<u32> {
    let m = search_matches(&a.trace, &b.trace, c, &v.query);
    visible_rows(c, v, m.as_deref())
}

#[test]
fn the_rows_follow_the_merged_tree_and_only_differences_hides_what_did_not_change() {
    let (a, b, c) = charge();
    let names: Vec<(&str, &str)> = c
        .rows
        .iter()
        .map(|r| row_names(&a.trace, &b.trace, r))
        .collect();
    assert_eq!(
        names,
        vec![
            ("api", "GET /pay"),
            ("pay", "charge"),
            ("fraud", "score"),
            ("ledger", "INSERT"),
            ("notify", "send")
        ]
    );
    let mut v = PairView::new(&c);
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 2, 3, 4]);
    assert_eq!(pairs_count_text(5, 5), "5 pairs");
    // api, pay and ledger changed (see `charge`); fraud and notify did not.
    v.only_differences = true;
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 3]);
    assert_eq!(pairs_count_text(3, 5), "3 of 5 pairs");
    assert_eq!(pairs_count_text(1, 1), "1 pair");
}

#[test]
fn a_span_only_in_b_always_shows_with_only_differences() {
    let (a, b, c) = extra_call();
    let mut v = PairView::new(&c);
    v.only_differences = true;
    // Threshold 1.3 ms: api's duration changed by 30 ms; cache is only in B; auth and db did not change at all.
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 2]);
}

#[test]
fn collapsing_a_row_hides_its_subtree_and_only_that() {
    let (a, b, c) = charge();
    let mut v = PairView::new(&c);
    v.toggle(1); // pay: fraud and ledger go
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 4]);
    assert!(v.is_collapsed(1));
    v.toggle(1);
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 2, 3, 4]);
    v.toggle(0); // the root: nothing else
    assert_eq!(visible(&a, &b, &c, &v), vec![0]);
}

#[test]
fn the_search_keeps_matching_pairs_and_their_ancestors() {
    let (a, b, c) = charge();
    let mut v = PairView::new(&c);
    // "ledger" is row 3's service: with pay (1) and api (0) above it.
    v.query = "ledger".into();
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 3]);
    // Operations are searched too, and case does not matter: "SCORE" is fraud's operation.
    v.query = "SCORE".into();
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 2]);
    // Blank searches nothing.
    v.query = "  ".into();
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 2, 3, 4]);
    // notify did not change: with only differences, searching for it leaves nothing.
    v.query = "send".into();
    v.only_differences = true;
    assert_eq!(visible(&a, &b, &c, &v), Vec::<u32>::new());
    // A match under a collapsed row: the row shows, its subtree does not.
    v.only_differences = false;
    v.query = "ledger".into();
    v.toggle(1);
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1]);
}

#[test]
fn the_search_finds_a_span_only_in_b_by_b_names() {
    let (a, b, c) = extra_call();
    let mut v = PairView::new(&c);
    // "cache" is a name only B has (row 2).
    v.query = "cache".into();
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 2]);
}

#[test]
fn revealing_a_row_opens_its_ancestors_and_lifts_what_hides_it() {
    let (a, b, c) = charge();
    let mut v = PairView::new(&c);
    v.toggle(0);
    v.toggle(1);
    // ledger (3) is under pay (1) under api (0): both open; nothing else changes.
    v.reveal(&c, None, 3);
    assert_eq!((v.is_collapsed(0), v.is_collapsed(1)), (false, false));
    let shown = visible(&a, &b, &c, &v);
    assert_eq!(shown, vec![0, 1, 2, 3, 4]);
    assert_eq!(position_of(&shown, 3), Some(3));
    // notify (4) did not change: "only differences" is turned off to show it; the search stays blank.
    v.only_differences = true;
    v.reveal(&c, None, 4);
    assert!(!v.only_differences);
    assert_eq!(position_of(&visible(&a, &b, &c, &v), 4), Some(4));
    // fraud (2) does not match "ledger": the search is cleared.
    v.query = "ledger".into();
    let m = search_matches(&a.trace, &b.trace, &c, &v.query);
    v.reveal(&c, m.as_deref(), 2);
    assert_eq!(v.query, "");
    // A row that shows already changes nothing.
    v.only_differences = true;
    v.reveal(&c, None, 3);
    assert!(v.only_differences);
    assert_eq!(position_of(&[0, 1, 3], 2), None);
}

#[test]
fn both_bars_sit_on_one_axis_from_each_root_start() {
    let (_, _, c) = charge();
    // 1072 px wide, 300 px of names, 12 px gap and 180 px of deltas: a 580 px timeline for 145 ms, 4 px a ms.
    let f = PairFrame::new(&c, 1072.0, 300.0);
    assert_eq!(f.total_ns, 145 * MS);
    assert_eq!(f.timeline_width(), 580.0);
    assert_eq!(f.delta_x(), 892.0);
    // ledger: A 50–55 ms → x 200, 20 wide; B 50–100 ms → x 200, 200 wide; depth 2 → indent 8 + 2 × 14 = 36.
    assert_eq!(
        f.place(&c.rows[3]),
        PairBars {
            indent: 36.0,
            a: Some((200.0, 20.0)),
            b: Some((200.0, 200.0))
        }
    );
    // notify: A 92–98 → x 368, 24 wide; B 137–143 → x 548, 24 wide (it moved, as B's ledger took longer).
    assert_eq!(f.place(&c.rows[4]).a, Some((368.0, 24.0)));
    assert_eq!(f.place(&c.rows[4]).b, Some((548.0, 24.0)));
    // The root of B fills the timeline; A's root ends at 100 ms → 400 px.
    assert_eq!(f.place(&c.rows[0]).b, Some((0.0, 580.0)));
    assert_eq!(f.place(&c.rows[0]).a, Some((0.0, 400.0)));
    // The axis: ticks at least 90 px apart are at least 22.5 ms apart, so 50 ms steps; 50 ms is at 200 px.
    let ticks = f.ticks(90.0);
    assert_eq!(ticks[1].label, "50ms");
    assert_eq!(ticks[1].x, 200.0);
    // 0, 50 and 100 ms; 150 ms would be past the axis, and none is so near its end (580 px) that its label would run
    // into the delta cells (a label needs 44 px, 12 of them in the gap).
    assert_eq!(ticks.len(), 3);
    // On an axis of 150 ms, the 150 ms tick sits at the very end: its label would cover the deltas, so it goes.
    let f = PairFrame {
        total_ns: 150 * MS,
        ..f
    };
    let labels: Vec<String> = f.ticks(90.0).into_iter().map(|t| t.label).collect();
    assert_eq!(labels, vec!["0", "50ms", "100ms"]);
}

#[test]
fn a_span_in_one_trace_has_one_bar_and_short_spans_stay_visible() {
    let (_, _, c) = extra_call();
    // 1012 px: a 520 px timeline for 130 ms, 4 px a ms. cache (only in B): 20–50 ms → x 80, 120 wide; no A bar.
    let f = PairFrame::new(&c, 1012.0, 300.0);
    assert_eq!(
        f.place(&c.rows[2]),
        PairBars {
            indent: 22.0,
            a: None,
            b: Some((80.0, 120.0))
        }
    );
    // A span of no time is 1.5 px wide, and one at the axis's end stays on it.
    assert_eq!(f.bar(40 * MS, 0), (160.0, 1.5));
    assert_eq!(f.bar(130 * MS, 0), (518.5, 1.5));
    // Deep rows stop indenting where the label would have less than 120 px: 300 − 120 = 180.
    assert_eq!(f.indent(1_000_000), 180.0);
}

#[test]
fn the_delta_cells_say_how_b_differs() {
    let (_, _, c) = charge();
    // ledger: self 5 → 50 ms, duration 5 → 50 ms.
    assert_eq!(
        delta_text(&c.rows[3]),
        DeltaText {
            self_delta: "+45ms".into(),
            duration_delta: "+45ms".into(),
            tone: "slower",
            only: None
        }
    );
    // api: self 14 ms in both; duration 100 → 145 ms.
    let api = delta_text(&c.rows[0]);
    assert_eq!(
        (
            api.self_delta.as_str(),
            api.duration_delta.as_str(),
            api.tone
        ),
        ("0", "+45ms", "same")
    );
    let (_, _, c) = extra_call();
    // cache, only in B: 30 ms of its own.
    let cache = delta_text(&c.rows[2]);
    assert_eq!(
        (cache.self_delta.as_str(), cache.only),
        ("+30ms", Some("only in B"))
    );
    // Swapped, it is only in A and B is 30 ms faster there.
    let (a, b, _) = extra_call();
    let swapped = compare(&b, &a);
    let cache = delta_text(&swapped.rows[2]);
    assert_eq!(
        (cache.self_delta.as_str(), cache.tone, cache.only),
        ("-30ms", "faster", Some("only in A"))
    );
}

fn detail(label: &str, a: &str, b: &str, differs: bool) -> DetailLine {
    DetailLine {
        label: label.into(),
        a: a.into(),
        b: b.into(),
        differs,
    }
}

#[test]
fn the_detail_pane_puts_both_sides_together_and_marks_what_differs() {
    let (a, b, c) = charge();
    // ledger: 5 ms in A, 50 ms in B, all of it its own, both 50 ms after their root's start.
    assert_eq!(
        pair_facts(&a, &b, &c.rows[3]),
        vec![
            detail("Service", "ledger", "ledger", false),
            detail("Operation", "INSERT", "INSERT", false),
            detail("Duration", "5ms", "50ms", true),
            detail("Self time", "5ms", "50ms", true),
            detail("Start offset", "50ms", "50ms", false),
        ]
    );
    // A's keys in A's order, then retry, which only B has.
    assert_eq!(
        pair_attributes(&a.trace, &b.trace, &c.rows[3]),
        vec![
            detail("db.system", "postgresql", "postgresql", false),
            detail("rows", "1", "3", true),
            detail("retry", "—", "true", true),
        ]
    );
    let (a, b, c) = extra_call();
    // cache is only in B: A's side is empty.
    let facts = pair_facts(&a, &b, &c.rows[2]);
    assert_eq!(facts[0], detail("Service", "—", "cache", true));
    assert_eq!(facts[4], detail("Start offset", "—", "20ms", true));
}

#[test]
fn expand_all_and_collapse_all_open_everything_or_leave_the_roots() {
    let (a, b, c) = charge();
    let mut v = PairView::new(&c);
    // Rows (see `charge`): 0 api > 1 pay > (2 fraud, 3 ledger), 4 notify. Rows with rows below: api and pay.
    v.collapse_all(&c);
    assert_eq!(visible(&a, &b, &c, &v), vec![0]);
    assert!(v.is_collapsed(0) && v.is_collapsed(1) && !v.is_collapsed(2));
    v.toggle(0);
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 4]);
    v.expand_all();
    assert_eq!(visible(&a, &b, &c, &v), vec![0, 1, 2, 3, 4]);
}

#[test]
fn the_keyboard_moves_through_the_pairs_and_folds_them_like_a_tree() {
    use stitch::layout::compare_view::{pair_key, PairKey};
    let (a, b, c) = charge();
    let mut v = PairView::new(&c);
    let shown = |v: &PairView| visible(&a, &b, &c, v);
    // A key press, as the view makes it: on the rows shown before it.
    let press = |v: &mut PairView, sel: Option<u32>, k: PairKey| {
        let rows = shown(v);
        pair_key(&c, v, &rows, sel, k)
    };
    // Nothing selected: any move selects the first row.
    assert_eq!(press(&mut v, None, PairKey::Next), Some(0));
    assert_eq!(press(&mut v, Some(0), PairKey::Next), Some(1));
    assert_eq!(press(&mut v, Some(0), PairKey::Previous), Some(0));
    assert_eq!(press(&mut v, Some(1), PairKey::Last), Some(4));
    assert_eq!(press(&mut v, Some(1), PairKey::PageDown(2)), Some(3));
    assert_eq!(press(&mut v, Some(4), PairKey::PageUp(10)), Some(0));
    // ← on pay (open, with fraud and ledger below) closes it and stays; again, goes to its parent api.
    assert_eq!(press(&mut v, Some(1), PairKey::Close), Some(1));
    assert_eq!(shown(&v), vec![0, 1, 4]);
    assert_eq!(press(&mut v, Some(1), PairKey::Close), Some(0));
    // → on pay opens it; again, goes to fraud, the first row below; on fraud (a leaf) it stays.
    assert_eq!(press(&mut v, Some(1), PairKey::Open), Some(1));
    assert_eq!(shown(&v), vec![0, 1, 2, 3, 4]);
    assert_eq!(press(&mut v, Some(1), PairKey::Open), Some(2));
    assert_eq!(press(&mut v, Some(2), PairKey::Open), Some(2));
    // Space folds a row with rows below, and does nothing to a leaf.
    assert_eq!(press(&mut v, Some(0), PairKey::Toggle), Some(0));
    assert_eq!(shown(&v), vec![0]);
    assert_eq!(press(&mut v, Some(0), PairKey::Toggle), Some(0));
    assert_eq!(press(&mut v, Some(4), PairKey::Toggle), Some(4));
    assert_eq!(shown(&v), vec![0, 1, 2, 3, 4]);
    // A selection hidden by a fold starts again from the first row shown.
    v.toggle(1);
    assert_eq!(press(&mut v, Some(3), PairKey::Next), Some(0));
}
