//! Which rows show, read as text (`layout::rows_text`): collapse, sibling groups, filters, matches and the critical path.

use stitch::analysis::search::{search_with_mask, Filters};
use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;
use stitch::layout::{rows_text, RowView};

/// A request that writes 5 order rows in a loop (an N+1 group), with a user lookup started between the first two
/// writes. Times in µs: writes at 10, 30, 50, 70 and 90 (5 each; those at 30 and 70 fail), the lookup at 20 (5),
/// its fetch at 21 (2); the request runs 0 to 1000.
const N_PLUS_ONE: &str = r#"{"data": [{"traceID": "t1",
  "processes": {"api": {"serviceName": "api"}, "email": {"serviceName": "email"}, "db": {"serviceName": "db"}},
  "spans": [
    {"traceID": "t1", "spanID": "root", "operationName": "GET /orders", "startTime": 1000000, "duration": 1000, "processID": "api"},
    {"traceID": "t1", "spanID": "w1", "operationName": "INSERT orders", "startTime": 1000010, "duration": 5, "processID": "email",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "root"}]},
    {"traceID": "t1", "spanID": "u", "operationName": "SELECT user", "startTime": 1000020, "duration": 5, "processID": "db",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "root"}]},
    {"traceID": "t1", "spanID": "f", "operationName": "fetch", "startTime": 1000021, "duration": 2, "processID": "db",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "u"}]},
    {"traceID": "t1", "spanID": "w2", "operationName": "INSERT orders", "startTime": 1000030, "duration": 5, "processID": "email",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "root"}], "tags": [{"key": "error", "type": "bool", "value": true}]},
    {"traceID": "t1", "spanID": "w3", "operationName": "INSERT orders", "startTime": 1000050, "duration": 5, "processID": "email",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "root"}]},
    {"traceID": "t1", "spanID": "w4", "operationName": "INSERT orders", "startTime": 1000070, "duration": 5, "processID": "email",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "root"}], "tags": [{"key": "error", "type": "bool", "value": true}]},
    {"traceID": "t1", "spanID": "w5", "operationName": "INSERT orders", "startTime": 1000090, "duration": 5, "processID": "email",
     "references": [{"refType": "CHILD_OF", "traceID": "t1", "spanID": "root"}]}
  ]}]}"#;

fn trace() -> Analyzed {
    let mut l = load("n-plus-one.json", N_PLUS_ONE.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    analyze(l.traces.remove(0))
}

fn passing(a: &Analyzed, f: &Filters) -> Vec<u32> {
    search_with_mask(&a.trace, &a.tree, a.search_index(), &[], f).0
}

// Every span is on the critical path: walking back from the request's end, each write ends before the next starts,
// and between the first two writes the lookup (with its fetch) is the last to end.

#[test]
fn a_closed_group_is_one_row_at_its_first_member() {
    let a = trace();
    assert_eq!(
        rows_text(&a, &RowView::default()),
        "\
api: GET /orders 1ms critical
  5 × email: INSERT orders (total 25µs) error
  db: SELECT user 5µs critical
    db: fetch 2µs critical
"
    );
}

#[test]
fn an_open_group_shows_all_its_members_under_its_row_even_when_other_siblings_come_between() {
    let a = trace();
    let view = RowView {
        expanded_groups: &[true],
        ..RowView::default()
    };
    assert_eq!(
        rows_text(&a, &view),
        "\
api: GET /orders 1ms critical
  5 × email: INSERT orders (total 25µs) error
  email: INSERT orders 5µs critical
  email: INSERT orders 5µs error critical
  email: INSERT orders 5µs critical
  email: INSERT orders 5µs error critical
  email: INSERT orders 5µs critical
  db: SELECT user 5µs critical
    db: fetch 2µs critical
"
    );
}

#[test]
fn a_filter_that_keeps_some_members_shows_them_as_rows_of_their_own() {
    let a = trace();
    let errors = passing(
        &a,
        &Filters {
            errors_only: true,
            ..Filters::default()
        },
    );
    let view = RowView {
        filtered: Some(&errors),
        ..RowView::default()
    };
    assert_eq!(
        rows_text(&a, &view),
        "\
api: GET /orders 1ms critical
  email: INSERT orders 5µs error critical
  email: INSERT orders 5µs error critical
"
    );
}

#[test]
fn a_filter_that_keeps_every_member_keeps_the_group_folded() {
    let a = trace();
    let email = passing(
        &a,
        &Filters {
            include: vec!["email".into()],
            ..Filters::default()
        },
    );
    let view = RowView {
        filtered: Some(&email),
        ..RowView::default()
    };
    assert_eq!(
        rows_text(&a, &view),
        "\
api: GET /orders 1ms critical
  5 × email: INSERT orders (total 25µs) error
"
    );
    // With "matches only" for the lookup too, nothing passes both but the request itself.
    let lookup = vec![2u32];
    assert_eq!(a.trace.span_id(2), "u");
    let both = RowView {
        matches: Some(&lookup),
        ..view
    };
    assert_eq!(rows_text(&a, &both), "api: GET /orders 1ms critical\n");
}

#[test]
fn a_collapsed_span_shows_how_many_it_hides() {
    let a = trace();
    let mut collapsed = vec![false; a.trace.spans.len()];
    collapsed[0] = true;
    let view = RowView {
        collapsed: &collapsed,
        ..RowView::default()
    };
    assert_eq!(
        rows_text(&a, &view),
        "api: GET /orders 1ms critical +7 hidden\n"
    );
    // Collapsing the lookup hides its fetch, and the group is unchanged.
    let mut collapsed = vec![false; a.trace.spans.len()];
    collapsed[2] = true;
    let view = RowView {
        collapsed: &collapsed,
        ..RowView::default()
    };
    assert_eq!(
        rows_text(&a, &view),
        "\
api: GET /orders 1ms critical
  5 × email: INSERT orders (total 25µs) error
  db: SELECT user 5µs critical +1 hidden
"
    );
}

#[test]
fn the_demo_folds_its_eight_eta_calls_and_highlight_only_narrows_to_one_branch() {
    let demo = &stitch::demo::DEMOS[0];
    let mut l = load(demo.name, demo.json.as_bytes()).expect("demo");
    let a = analyze(l.traces.remove(0));
    let text = rows_text(&a, &RowView::default());
    assert_eq!(text.lines().count(), 37, "{text}");
    assert!(
        text.contains("  8 × dispatch: routing.ComputeETA (total 116ms)\n"),
        "{text}"
    );
    // Highlight SELECT drivers (the slow query): it and its ancestors remain.
    let slow = (0..a.trace.spans.len() as u32)
        .find(|&i| a.trace.span_id(i) == "923a736994e3bf91")
        .expect("SELECT drivers");
    let mut marked = vec![false; a.trace.spans.len()];
    marked[slow as usize] = true;
    let view = RowView {
        highlighted: Some(&marked),
        ..RowView::default()
    };
    let text = rows_text(&a, &view);
    assert!(
        text.ends_with("\n          geo-index: SELECT drivers 540ms critical\n"),
        "{text}"
    );
    assert_eq!(
        text.lines().count() as u32,
        a.tree.depth[slow as usize] + 1,
        "{text}"
    );
}

#[test]
fn the_count_says_what_folded_groups_hold() {
    let demo = &stitch::demo::DEMOS[0];
    let mut l = load(demo.name, demo.json.as_bytes()).expect("demo");
    let a = analyze(l.traces.remove(0));
    let closed = RowView::default();
    let rows = stitch::layout::rows(&a, &closed);
    // 36 span rows and the group row, whose 8 calls hold 24 spans with their descendants: all 60.
    assert_eq!(
        stitch::layout::count_text(&a, &closed, &rows),
        "60 spans, 24 in 1 folded group"
    );
    let opened = RowView {
        expanded_groups: &[true],
        ..closed
    };
    let open = stitch::layout::rows(&a, &opened);
    assert_eq!(stitch::layout::count_text(&a, &opened, &open), "60 spans");
    // Without geo-index's 8 spans the group still folds, since each of its calls passes the filter itself.
    let not_geo = passing(
        &a,
        &Filters {
            exclude: vec!["geo-index".into()],
            ..Filters::default()
        },
    );
    let view = RowView {
        filtered: Some(&not_geo),
        ..closed
    };
    let rows = stitch::layout::rows(&a, &view);
    assert_eq!(
        stitch::layout::count_text(&a, &view, &rows),
        "52 of 60 spans shown, 24 in 1 folded group"
    );
    // Without routing's 16 spans (all below the calls), the 8 calls (dispatch spans) still pass and fold, holding
    // only themselves.
    let not_routing = passing(
        &a,
        &Filters {
            exclude: vec!["routing".into()],
            ..Filters::default()
        },
    );
    let view = RowView {
        filtered: Some(&not_routing),
        ..closed
    };
    let rows = stitch::layout::rows(&a, &view);
    assert_eq!(
        stitch::layout::count_text(&a, &view, &rows),
        "44 of 60 spans shown, 8 in 1 folded group"
    );
    // Highlighting the 8 routing servers under the calls opens the group: the calls pass only as their ancestors.
    let servers: Vec<bool> = (0..a.trace.spans.len() as u32)
        .map(|i| a.trace.operation(i) == "routing.v1.Routing/ComputeETA")
        .collect();
    assert_eq!(servers.iter().filter(|&&s| s).count(), 8);
    let view = RowView {
        highlighted: Some(&servers),
        ..closed
    };
    let rows = stitch::layout::rows(&a, &view);
    assert_eq!(
        stitch::layout::count_text(&a, &view, &rows),
        "19 of 60 spans shown"
    );
}
