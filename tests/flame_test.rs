//! The flame graph's rectangles, read off a hand-written trace: tests/fixtures/flame/checkout.json (Jaeger, times
//! in µs from the root's start; 1 µs = 1,000 ns):
//!
//! ```text
//! depth 0  frontend: GET /checkout   0 – 1000
//! depth 1  cart: load cart          10 – 300     payment: charge 400 – 900     frontend: render 950 – 1000
//! depth 2  cart-db: SELECT ...      20 – 290     bank: authorize 450 – 850     payment: audit log 880 – 883 (error)
//! depth 3                                        bank: sign      460 – 463
//! depth 4                                        bank: hsm.call  460 – 700 (outlives its parent, sign)
//! ```
//!
//! Self times (duration minus what the children cover): authorize 400 − 3 = 397 µs is the largest; load cart
//! 290 − 270 = 20 µs; sign 0 (its child covers it).

use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;
use stitch::layout::flame::{
    heat, hover_lines, label, label_runs, max_self_ns, paint, span_at, ColourBy, Flame, Paint,
    Placed, Rgb, View, HEAT, ROW_H,
};
use stitch::layout::{ServiceColors, TimeWindow};

fn checkout() -> Analyzed {
    let bytes = std::fs::read("tests/fixtures/flame/checkout.json").expect("fixture");
    let mut loaded = load("checkout.json", &bytes).expect("loads");
    analyze(loaded.traces.remove(0))
}

/// The span whose operation is `op`.
fn span(a: &Analyzed, op: &str) -> u32 {
    (0..a.trace.spans.len() as u32)
        .find(|&i| a.trace.operation(i) == op)
        .expect(op)
}

fn us(t: f64) -> f64 {
    t * 1_000.0
}

fn view(start_us: f64, end_us: f64, width: f64) -> View {
    View {
        window: TimeWindow {
            start: us(start_us),
            end: us(end_us),
        },
        width,
        top_row: 0,
        rows: 100,
        focus: None,
    }
}

/// Each rectangle as (row, operation, x, width), x and width rounded to 0.1 px.
fn rects(a: &Analyzed, placed: &[Placed]) -> Vec<(u32, String, f64, f64)> {
    let r = |v: f64| (v * 10.0).round() / 10.0;
    placed
        .iter()
        .map(|p| (p.row, a.trace.operation(p.span).to_string(), r(p.x), r(p.w)))
        .collect()
}

fn row(r: u32, op: &str, x: f64, w: f64) -> (u32, String, f64, f64) {
    (r, op.to_string(), x, w)
}

#[test]
fn the_whole_trace_one_pixel_per_microsecond() {
    let a = checkout();
    let f = Flame::new(&a);
    assert_eq!(f.row_count(&a, None), 5);
    let got = rects(&a, &f.place(&a, &view(0.0, 1000.0, 1000.0)));
    assert_eq!(
        got,
        vec![
            row(0, "GET /checkout", 0.0, 1000.0),
            row(1, "load cart", 10.0, 290.0),
            row(1, "charge", 400.0, 500.0),
            row(1, "render", 950.0, 50.0),
            row(2, "SELECT cart_items", 20.0, 270.0),
            row(2, "authorize", 450.0, 400.0),
            row(2, "audit log", 880.0, 3.0),
            row(3, "sign", 460.0, 3.0),
            row(4, "hsm.call", 460.0, 240.0),
        ]
    );
}

#[test]
fn spans_narrower_than_a_pixel_are_not_drawn_but_a_child_that_outlives_them_is() {
    let a = checkout();
    let f = Flame::new(&a);
    // 200 px for 1000 µs: 5 µs a pixel, so the 3 µs spans (sign, audit log) are 0.6 px wide.
    let got = rects(&a, &f.place(&a, &view(0.0, 1000.0, 200.0)));
    assert_eq!(
        got,
        vec![
            row(0, "GET /checkout", 0.0, 200.0),
            row(1, "load cart", 2.0, 58.0),
            row(1, "charge", 80.0, 100.0),
            row(1, "render", 190.0, 10.0),
            row(2, "SELECT cart_items", 4.0, 54.0),
            row(2, "authorize", 90.0, 80.0),
            // sign is skipped, its 240 µs child (clock skew) is not.
            row(4, "hsm.call", 92.0, 48.0),
        ]
    );
}

#[test]
fn the_window_clips_and_leaves_out_what_is_outside() {
    let a = checkout();
    let f = Flame::new(&a);
    // 400 – 900 µs over 500 px: load cart, its query and render lie outside; the root is clipped to the window.
    let got = rects(&a, &f.place(&a, &view(400.0, 900.0, 500.0)));
    assert_eq!(
        got,
        vec![
            row(0, "GET /checkout", 0.0, 500.0),
            row(1, "charge", 0.0, 500.0),
            row(2, "authorize", 50.0, 400.0),
            row(2, "audit log", 480.0, 3.0),
            row(3, "sign", 60.0, 3.0),
            row(4, "hsm.call", 60.0, 240.0),
        ]
    );
    // Rows scrolled: from row 2, two rows.
    let v = View {
        top_row: 2,
        rows: 2,
        ..view(400.0, 900.0, 500.0)
    };
    let ops: Vec<_> = rects(&a, &f.place(&a, &v))
        .into_iter()
        .map(|r| (r.0, r.1))
        .collect();
    assert_eq!(
        ops,
        vec![
            (2, "authorize".to_string()),
            (2, "audit log".to_string()),
            (3, "sign".to_string())
        ]
    );
}

#[test]
fn a_focused_subtree_starts_on_the_top_row() {
    let a = checkout();
    let f = Flame::new(&a);
    let charge = span(&a, "charge");
    assert_eq!(f.row_count(&a, Some(charge)), 4);
    assert_eq!(f.row_count(&a, Some(span(&a, "render"))), 1);
    let v = View {
        focus: Some(charge),
        ..view(400.0, 900.0, 500.0)
    };
    assert_eq!(
        rects(&a, &f.place(&a, &v)),
        vec![
            row(0, "charge", 0.0, 500.0),
            row(1, "authorize", 50.0, 400.0),
            row(1, "audit log", 480.0, 3.0),
            row(2, "sign", 60.0, 3.0),
            row(3, "hsm.call", 60.0, 240.0),
        ]
    );
    // Focused on load cart with the whole trace in view: only it and its query, nothing of payment.
    let v = View {
        focus: Some(span(&a, "load cart")),
        ..view(0.0, 1000.0, 1000.0)
    };
    assert_eq!(
        rects(&a, &f.place(&a, &v)),
        vec![
            row(0, "load cart", 10.0, 290.0),
            row(1, "SELECT cart_items", 20.0, 270.0)
        ]
    );
    assert_eq!(max_self_ns(&a, None), 397_000);
    assert_eq!(max_self_ns(&a, Some(span(&a, "load cart"))), 270_000);
}

#[test]
fn hit_testing_finds_the_span_under_the_pointer() {
    let a = checkout();
    let f = Flame::new(&a);
    let placed = f.place(&a, &view(0.0, 1000.0, 1000.0));
    let at = |x: f64, r: f64| span_at(&placed, x, r * ROW_H + ROW_H / 2.0);
    assert_eq!(at(500.0, 0.0), Some(span(&a, "GET /checkout")));
    assert_eq!(at(500.0, 1.0), Some(span(&a, "charge")));
    assert_eq!(at(350.0, 1.0), None, "between load cart and charge");
    assert_eq!(at(600.0, 2.0), Some(span(&a, "authorize")));
    assert_eq!(at(461.0, 3.0), Some(span(&a, "sign")));
    assert_eq!(at(600.0, 4.0), Some(span(&a, "hsm.call")));
    assert_eq!(at(600.0, 5.0), None, "below the deepest row");
    assert_eq!(span_at(&placed, 500.0, -1.0), None);
}

/// A trace of one service from (span ID, parent, operation, start µs, duration µs), in Jaeger's format.
fn jaeger(spans: &[(u32, Option<u32>, &str, i64, i64)]) -> Analyzed {
    let t0 = 1_700_000_000_000_000i64;
    let spans: Vec<String> = spans
        .iter()
        .map(|&(id, parent, op, st, du)| {
            let refs = parent.map_or(String::new(), |p| {
                format!(r#"{{"refType":"CHILD_OF","traceID":"1","spanID":"{p:016x}"}}"#)
            });
            format!(
                r#"{{"traceID":"1","spanID":"{id:016x}","operationName":"{op}","references":[{refs}],"startTime":{},"duration":{du},"processID":"p1"}}"#,
                t0 + st
            )
        })
        .collect();
    let json = format!(
        r#"{{"data":[{{"traceID":"1","spans":[{}],"processes":{{"p1":{{"serviceName":"svc"}}}}}}]}}"#,
        spans.join(",")
    );
    let mut loaded = load("made.json", json.as_bytes()).expect("loads");
    analyze(loaded.traces.remove(0))
}

#[test]
fn many_tiny_siblings_are_skipped_by_block_and_found_when_zoomed_in() {
    // A root of 10 ms with 2,000 children of 1 µs every 5 µs, and one of 3 ms among them, at 5 ms.
    let mut spans = vec![(1, None, "root", 0, 10_000)];
    for k in 0..2_000 {
        let wide = k == 1_000;
        spans.push((
            2 + k,
            Some(1),
            if wide { "wide" } else { "tiny" },
            i64::from(k) * 5,
            if wide { 3_000 } else { 1 },
        ));
    }
    let a = jaeger(&spans);
    let f = Flame::new(&a);
    // 10 µs a pixel: only the root and the wide child.
    let got = rects(&a, &f.place(&a, &view(0.0, 10_000.0, 1_000.0)));
    assert_eq!(
        got,
        vec![row(0, "root", 0.0, 1000.0), row(1, "wide", 500.0, 300.0)]
    );
    // 0 – 500 µs over 1,000 px: 2 px per tiny child, the 100 that start in the window.
    let got = f.place(&a, &view(0.0, 500.0, 1_000.0));
    assert_eq!(got.iter().filter(|p| p.row == 1).count(), 100);
    assert!(got
        .iter()
        .filter(|p| p.row == 1)
        .all(|p| (p.w - 2.0).abs() < 1e-9));
}

#[test]
fn colours_labels_and_marks() {
    let a = checkout();
    let f = Flame::new(&a);
    let placed = f.place(&a, &view(0.0, 1000.0, 1000.0));
    let colors = ServiceColors::new(&a.trace);
    let mut hits = vec![false; a.trace.spans.len()];
    hits[span(&a, "charge") as usize] = true;
    let mut p = Paint {
        colour_by: ColourBy::Service,
        colors: &colors,
        max_self_ns: max_self_ns(&a, None),
        hits: Some(&hits),
        dim_misses: false,
        selected: Some(span(&a, "authorize")),
    };
    let by_op = |rects: &[stitch::layout::flame::FlameRect], op: &str| {
        rects
            .iter()
            .find(|r| a.trace.operation(r.span) == op)
            .cloned()
            .expect(op)
    };
    let drawn = paint(&a, &placed, &p);
    let root = by_op(&drawn, "GET /checkout");
    assert_eq!(
        root.fill,
        Rgb::from_hex(colors.service(&a.trace, "frontend"))
    );
    assert_eq!(root.label.as_deref(), Some("frontend: GET /checkout"));
    assert!(!root.hit && !root.dim && !root.selected && !root.error);
    assert!(by_op(&drawn, "charge").hit);
    assert!(by_op(&drawn, "authorize").selected);
    assert!(by_op(&drawn, "audit log").error);
    // 3 px: no room for a label.
    assert_eq!(by_op(&drawn, "audit log").label, None);
    // render, 50 px: (50 − 8) / 6.6 = 6.4 → 6 characters, 5 and an ellipsis.
    assert_eq!(by_op(&drawn, "render").label.as_deref(), Some("front…"));

    // Drawn wider first: the narrower of two overlapping spans stays on top (and is what a click there finds).
    assert!(drawn.windows(2).all(|w| w[0].w >= w[1].w));
    assert_eq!(
        drawn.first().map(|r| r.span),
        Some(span(&a, "GET /checkout"))
    );

    // Filters: what does not match is dimmed.
    p.dim_misses = true;
    let drawn = paint(&a, &placed, &p);
    assert!(by_op(&drawn, "GET /checkout").dim && !by_op(&drawn, "charge").dim);

    // Self time: authorize has the most (397 µs), sign none (its child covers it).
    p.colour_by = ColourBy::SelfTime;
    let drawn = paint(&a, &placed, &p);
    assert_eq!(by_op(&drawn, "authorize").fill, HEAT[3]);
    assert_eq!(by_op(&drawn, "sign").fill, HEAT[0]);
    assert_eq!(by_op(&drawn, "load cart").fill, heat(20.0 / 397.0));
    // Dark text on the pale end, white on the dark end.
    assert_eq!(HEAT[0].text_on(), Rgb(0x1b, 0x1f, 0x24));
    assert_eq!(HEAT[3].text_on(), Rgb(0xff, 0xff, 0xff));
}

#[test]
fn labels_fit_their_rectangle() {
    // 11 characters fit 80 px: (80 − 8) / 6.6 = 10.9 → 10 characters, 9 and an ellipsis.
    assert_eq!(
        label("cart", "load cart", 80.0).as_deref(),
        Some("cart: loa…")
    );
    assert_eq!(
        label("cart", "load cart", 200.0).as_deref(),
        Some("cart: load cart")
    );
    assert_eq!(label("cart", "load cart", 20.0), None);
    // A cut never ends in a space before the ellipsis.
    assert_eq!(label("cart", "load cart", 55.0).as_deref(), Some("cart:…"));
}

#[test]
fn a_label_moves_past_a_narrower_span_drawn_over_its_start() {
    let at = |span: u32, x: f64, w: f64| Placed { span, row: 1, x, w };
    // A 300 px call with a 40 px concurrent sibling over its first 40 px: its label starts after the sibling.
    assert_eq!(
        label_runs(&[at(0, 0.0, 300.0), at(1, 0.0, 40.0)]),
        vec![Some((40.0, 260.0)), Some((0.0, 40.0))]
    );
    // A sibling in its middle: the label keeps the first 100 px.
    assert_eq!(
        label_runs(&[at(0, 0.0, 300.0), at(1, 100.0, 20.0)])[0],
        Some((0.0, 100.0))
    );
    // Covered but for 10 px: no room for three characters; nor in a 20 px rectangle.
    assert_eq!(label_runs(&[at(0, 0.0, 50.0), at(1, 0.0, 40.0)])[0], None);
    assert_eq!(label_runs(&[at(0, 0.0, 20.0)]), vec![None]);
}

#[test]
fn the_hover_card_says_duration_and_self_time() {
    let a = checkout();
    let lines = hover_lines(&a, span(&a, "load cart")).expect("a span");
    assert_eq!(
        lines,
        [
            "cart".to_string(),
            "load cart".to_string(),
            "Duration 290µs".to_string(),
            "Self time 20µs (7%)".to_string()
        ]
    );
    assert_eq!(hover_lines(&a, 999), None);
}

#[test]
fn a_call_covered_at_every_pixel_by_narrower_ones_is_not_drawn() {
    // Under a root of 200 µs, at 1 px a µs: "whole" (0–100 µs) lies under "first half" (0–50) and "second half"
    // (50–100), drawn over it since they are narrower, so it is not drawn; "later" (120–130) is. Under "first half",
    // "long" (0–110) and "short" (0–80) start together: "short" is drawn over "long", which shows past its end.
    let a = jaeger(&[
        (1, None, "root", 0, 200),
        (2, Some(1), "whole", 0, 100),
        (3, Some(1), "first half", 0, 50),
        (4, Some(1), "second half", 50, 50),
        (5, Some(1), "later", 120, 10),
        (6, Some(3), "long", 0, 110),
        (7, Some(3), "short", 0, 80),
    ]);
    let f = Flame::new(&a);
    let got = rects(&a, &f.place(&a, &view(0.0, 200.0, 200.0)));
    let ops: Vec<(u32, &str)> = got.iter().map(|r| (r.0, r.1.as_str())).collect();
    assert_eq!(
        ops,
        [
            (0, "root"),
            (1, "first half"),
            (1, "second half"),
            (1, "later"),
            (2, "long"),
            (2, "short"),
        ]
    );
}

#[test]
fn thousands_of_concurrent_calls_draw_at_most_one_rectangle_per_pixel() {
    // 20,000 calls under one root, all running at once, each a little shorter than the one before: 1,000 µs to
    // 1,000 − 0.045 × k. At 1 px a µs over 1,000 px they cover the same pixels; the shortest is on top everywhere
    // but its last pixel, where the next-shortest ends later.
    let mut spans = vec![(1, None, "root", 0, 1_000)];
    for k in 0..20_000u32 {
        spans.push((2 + k, Some(1), "call", 0, 1_000 - i64::from(k) / 22));
    }
    let a = jaeger(&spans);
    let f = Flame::new(&a);
    let row1: Vec<Placed> = f
        .place(&a, &view(0.0, 1_000.0, 1_000.0))
        .into_iter()
        .filter(|p| p.row == 1)
        .collect();
    assert!(
        !row1.is_empty() && row1.len() <= 1_001,
        "{} rectangles",
        row1.len()
    );
    // The narrowest call lasts 1,000 − 19,999 / 22 = 91 µs. Calls whose durations differ by less than 7% may win a
    // pixel in depth-first order (the module's rule), so the narrowest drawn is within 7% of it: 91 to 94 µs.
    let narrowest = row1.iter().map(|p| p.w).fold(f64::INFINITY, f64::min);
    assert!((91.0..=94.0).contains(&narrowest), "{narrowest}");
}
