//! The view model, without the web: the time window → pixels, tick marks, which rows show ([`rows`]) and what is
//! folded ([`folding`]), where a row's parts go ([`geometry`]), the export ([`export`]), service colors, and the
//! rules and texts of the legend, the overview, the search bar, the statistics table and the span panel. The UI draws
//! what these plain functions decide.
//!
//! Times here are `f64` nanoseconds *relative to the trace start*; absolute epoch times never reach `f64`.

pub mod bar_labels;
pub mod browser;
pub mod compare_view;
pub mod detail_text;
pub mod events_table;
pub mod export;
pub mod flame;
pub mod flame_paint;
pub mod focus;
pub mod folding;
pub mod geometry;
pub mod graph_layout;
pub mod legend;
pub mod link_arrows;
pub mod overview;
pub mod rows;
pub mod scatter;
pub mod search_text;
pub mod set_colors;
pub mod span_table;
pub mod stats_table;
pub mod tool_links;
pub mod trace_views;

pub use rows::{
    count_text, kept, rows, rows_text, shown, shown_kept, Kept, RowView, Shown, GROUP_ROW,
};

use crate::analysis::tree::Tree;
use crate::model::{Span, Trace};
use crate::text::format_duration;

/// The part of the trace shown on the time axis, in ns since the trace start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWindow {
    pub start: f64,
    pub end: f64,
}

/// Smallest window: 100 ns, so a zoom can never reach zero width.
pub const MIN_WINDOW_NS: f64 = 100.0;

impl TimeWindow {
    pub fn full(duration_ns: i64) -> TimeWindow {
        TimeWindow {
            start: 0.0,
            end: (duration_ns.max(1)) as f64,
        }
    }
    pub fn width(&self) -> f64 {
        (self.end - self.start).max(1e-9)
    }
    /// x in pixels for time `t`, on an axis `px` wide.
    pub fn x(&self, t: f64, px: f64) -> f64 {
        (t - self.start) / self.width() * px
    }
    /// Time at pixel `x`.
    pub fn t_at(&self, x: f64, px: f64) -> f64 {
        self.start + x / px.max(1.0) * self.width()
    }
    /// Zooms by `factor` (< 1 zooms in) keeping time `t` at the same pixel, clamped to `[0, total]`.
    pub fn zoom_around(&self, t: f64, factor: f64, total: f64) -> TimeWindow {
        let total = total.max(MIN_WINDOW_NS);
        let w = (self.width() * factor).clamp(MIN_WINDOW_NS.min(total), total);
        let frac = ((t - self.start) / self.width()).clamp(0.0, 1.0);
        let start = t - frac * w;
        TimeWindow {
            start,
            end: start + w,
        }
        .clamped(total)
    }
    /// After a wheel turn over an axis `px` wide, at pixel `x`: Shift or a mostly horizontal gesture pans by the
    /// gesture's distance; otherwise the window zooms around the time under the pointer (the waterfall's bars and
    /// the flame graph alike).
    pub fn after_wheel(
        &self,
        (dx, dy): (f64, f64),
        shift: bool,
        x: f64,
        px: f64,
        total: f64,
    ) -> TimeWindow {
        let px = px.max(1.0);
        if shift || dx.abs() > dy.abs() {
            let d = if dx.abs() > dy.abs() { dx } else { dy };
            self.pan(d / px * self.width(), total)
        } else {
            let factor = (dy * 0.002).exp().clamp(0.2, 5.0);
            self.zoom_around(self.t_at(x, px), factor, total)
        }
    }
    /// Moves by `dt` ns, clamped.
    pub fn pan(&self, dt: f64, total: f64) -> TimeWindow {
        TimeWindow {
            start: self.start + dt,
            end: self.end + dt,
        }
        .clamped(total)
    }
    /// Keeps the window's width but moves it inside `[0, total]`.
    pub fn clamped(&self, total: f64) -> TimeWindow {
        let w = self.width().min(total.max(MIN_WINDOW_NS));
        let start = self.start.clamp(0.0, (total - w).max(0.0));
        TimeWindow {
            start,
            end: start + w,
        }
    }
    /// A window from two times in either order, at least [`MIN_WINDOW_NS`] wide; the whole trace if either time is not
    /// a finite number.
    pub fn between(a: f64, b: f64, total: f64) -> TimeWindow {
        if !a.is_finite() || !b.is_finite() {
            return TimeWindow::full(total.max(1.0) as i64);
        }
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let hi = hi.max(lo + MIN_WINDOW_NS);
        TimeWindow { start: lo, end: hi }.clamped(total)
    }
    pub fn is_full(&self, total: f64) -> bool {
        self.start <= 0.0 && self.end >= total
    }
}

/// The window of a link's `t=<start>-<end>` (µs since the trace start), or `None` unless both are finite numbers.
pub fn window_from_link(t: &str, total: f64) -> Option<TimeWindow> {
    let (a, b) = t.split_once('-')?;
    let us = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    Some(TimeWindow::between(us(a)? * 1000.0, us(b)? * 1000.0, total))
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// ns since trace start
    pub t: f64,
    pub x: f64,
    pub label: String,
}

/// Ticks at a "nice" step (1, 2, 5 × 10^k ns) at least `min_px` apart.
pub fn ticks(w: &TimeWindow, px: f64, min_px: f64) -> Vec<Tick> {
    if px <= 0.0 {
        return Vec::new();
    }
    let raw = w.width() * min_px / px;
    let step = nice_step(raw);
    let first = (w.start / step).ceil() * step;
    let mut out = Vec::new();
    let mut k = 0.0;
    loop {
        let t = first + k * step;
        if t > w.end + step * 1e-9 || out.len() > 1000 {
            break;
        }
        out.push(Tick {
            t,
            x: w.x(t, px),
            label: format_duration(t),
        });
        k += 1.0;
    }
    out
}

fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= raw {
            return (m * mag).max(1.0);
        }
    }
    (10.0 * mag).max(1.0)
}

/// The slice of rows that intersects the viewport, plus `overscan` rows each side.
pub fn row_window(
    scroll_top: f64,
    viewport_h: f64,
    row_h: f64,
    rows: usize,
    overscan: usize,
) -> std::ops::Range<usize> {
    if rows == 0 || row_h <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_h).floor() as usize;
    let count = (viewport_h.max(0.0) / row_h).ceil() as usize + 1;
    let a = first.saturating_sub(overscan).min(rows);
    let b = (first + count + overscan).min(rows);
    a..b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_spaced() {
        let w = TimeWindow {
            start: 0.0,
            end: 812e6,
        };
        let t = ticks(&w, 800.0, 80.0);
        // 812 ms over 800 px, 80 px apart → ≥ 81.2 ms per tick → 100 ms steps.
        let labels: Vec<_> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels[..3], ["0", "100ms", "200ms"]);
        assert_eq!(t.len(), 9);
        assert!((t[1].x - 100e6 / 812e6 * 800.0).abs() < 1e-6);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let w = TimeWindow::full(1_000_000);
        let z = w.zoom_around(250_000.0, 0.5, 1e6);
        assert!((z.width() - 500_000.0).abs() < 1e-6);
        // 250 µs was at 25% of the axis and still is.
        assert!(((250_000.0 - z.start) / z.width() - 0.25).abs() < 1e-9);
        // Zooming out past the trace clamps to the trace.
        let out = z.zoom_around(0.0, 100.0, 1e6);
        assert_eq!(out, TimeWindow::full(1_000_000));
    }

    #[test]
    fn row_window_covers_viewport_plus_overscan() {
        assert_eq!(row_window(0.0, 100.0, 20.0, 1000, 5), 0..11);
        assert_eq!(row_window(2000.0, 100.0, 20.0, 1000, 5), 95..111);
        assert_eq!(row_window(19990.0, 100.0, 20.0, 1000, 5), 994..1000);
        assert_eq!(row_window(0.0, 100.0, 20.0, 0, 5), 0..0);
    }
}

/// Palette for services: 14 colors that read on both the light and the dark background. No reds or pinks: red
/// means error.
pub const PALETTE: [&str; 14] = [
    "#3b82f6", "#f76707", "#2f9e44", "#ae3ec9", "#0c8599", "#f59f00", "#4c6ef5", "#74b816",
    "#7048e8", "#15aabf", "#5c940d", "#099268", "#1971c2", "#9c36b5",
];

fn fnv(name: &str) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in name.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    h
}

/// A stable color for a service name (FNV-1a hash into [`PALETTE`]).
pub fn service_color(name: &str) -> &'static str {
    PALETTE[(fnv(name) % PALETTE.len() as u32) as usize]
}

/// Colors for a set of service names: each starts at its hash slot and moves to the next free one, so up to 14
/// services never share a color, and a given set always gets the same colors.
pub fn service_colors(names: &[&str]) -> Vec<&'static str> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(names[b]));
    let mut used = [false; PALETTE.len()];
    let mut out = vec![PALETTE[0]; names.len()];
    for (k, &i) in order.iter().enumerate() {
        let mut slot = (fnv(names[i]) % PALETTE.len() as u32) as usize;
        if k < PALETTE.len() {
            while used[slot] {
                slot = (slot + 1) % PALETTE.len();
            }
            used[slot] = true;
        }
        out[i] = PALETTE[slot];
    }
    out
}

/// The color of each service of one trace (a service's interned name indexes it), distinct for up to 14 services.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceColors {
    by_sym: Vec<&'static str>,
}

impl ServiceColors {
    pub fn new(trace: &Trace) -> ServiceColors {
        let mut is_service = vec![false; trace.strings.len()];
        for s in &trace.spans {
            if let Some(v) = is_service.get_mut(s.service as usize) {
                *v = true;
            }
        }
        let syms: Vec<u32> = (0..trace.strings.len() as u32)
            .filter(|&s| is_service[s as usize])
            .collect();
        let names: Vec<&str> = syms.iter().map(|&s| trace.sym(s)).collect();
        let picked = service_colors(&names);
        let mut by_sym = vec![PALETTE[0]; trace.strings.len()];
        for (&s, c) in syms.iter().zip(picked) {
            by_sym[s as usize] = c;
        }
        ServiceColors { by_sym }
    }
    /// The color of the service interned as `sym`.
    pub fn sym(&self, sym: u32) -> &'static str {
        self.by_sym.get(sym as usize).copied().unwrap_or(PALETTE[0])
    }
    /// The color of span `i`'s service.
    pub fn span(&self, trace: &Trace, i: u32) -> &'static str {
        trace
            .spans
            .get(i as usize)
            .map_or(PALETTE[0], |s| self.sym(s.service))
    }
    /// The color of the service named `name` (a hashed one if the trace has no such service).
    pub fn service(&self, trace: &Trace, name: &str) -> &'static str {
        match trace.strings.lookup(name) {
            Some(s) => self.sym(s),
            None => service_color(name),
        }
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn service_colors_are_stable_and_distinct() {
        assert_eq!(service_color("geo-index"), service_color("geo-index"));
        assert!(PALETTE.contains(&service_color("")));
        let names: Vec<String> = (0..14).map(|i| format!("svc-{i}")).collect();
        let refs: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        let colors = service_colors(&refs);
        let mut uniq = colors.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), 14);
        let mut rev = refs.clone();
        rev.reverse();
        let again = service_colors(&rev);
        assert_eq!(
            again[0], colors[13],
            "the same set gets the same colors in any order"
        );
    }
}

/// The whole trace downsampled to a `w × h` grid for the overview: for each cell, how many spans cover it.
/// Rows map to y in depth-first order, time to x. O(spans + w·h); spans are read in storage order, their rows taken
/// from `tree.row_of` (reading them in row order missed the cache on nearly every span of a million).
pub fn minimap_density(
    tree: &Tree,
    spans: &[Span],
    t0: i64,
    total_ns: f64,
    w: usize,
    h: usize,
) -> Vec<u32> {
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let mut diff = vec![0i32; (w + 1) * h];
    let n = tree.row_of.len().max(1);
    for (s, &row) in spans.iter().zip(&tree.row_of) {
        let y = (row as usize * h / n).min(h - 1);
        let x0 = (((s.start_ns - t0) as f64 / total_ns) * w as f64)
            .floor()
            .clamp(0.0, (w - 1) as f64) as usize;
        let x1 = (((s.end_ns() - t0) as f64 / total_ns) * w as f64)
            .ceil()
            .clamp(x0 as f64 + 1.0, w as f64) as usize;
        diff[y * (w + 1) + x0] += 1;
        diff[y * (w + 1) + x1] -= 1;
    }
    let mut out = vec![0u32; w * h];
    for y in 0..h {
        let mut acc = 0i32;
        for x in 0..w {
            acc += diff[y * (w + 1) + x];
            out[y * w + x] = acc.max(0) as u32;
        }
    }
    out
}

/// Escapes text for XML/SVG output (`& < > " '`).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            // Not characters in XML 1.0: an exported image with one would not open.
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn xml_escape_neutralises_markup() {
        assert_eq!(
            super::xml_escape(r#"<img src=x onerror="a('b')"> & co"#),
            "&lt;img src=x onerror=&quot;a(&apos;b&apos;)&quot;&gt; &amp; co"
        );
    }

    #[test]
    fn xml_escape_leaves_only_characters_xml_allows() {
        let out = super::xml_escape("a\u{FFFE}b\u{FFFF}c\u{0}d\u{1B}e\u{10FFFF}\u{FFFD}");
        assert_eq!(out, "a\u{FFFD}b\u{FFFD}c d e\u{10FFFF}\u{FFFD}");
        let allowed = |c: char| matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
        let every: String = (0..=0x10FFFFu32).filter_map(char::from_u32).collect();
        assert!(super::xml_escape(&every).chars().all(allowed));
    }

    #[test]
    fn a_link_time_range_must_be_two_finite_numbers() {
        use super::{window_from_link, TimeWindow};
        let total = 1_000_000_000.0; // 1 s
        assert_eq!(
            window_from_link("100000-300000", total),
            Some(TimeWindow {
                start: 100_000_000.0,
                end: 300_000_000.0
            })
        );
        for bad in [
            "0-NaN", "NaN-NaN", "inf-5", "5-1e400", "x-5", "5", "-5-10", "",
        ] {
            assert_eq!(window_from_link(bad, total), None, "{bad}");
        }
        // Whatever reaches it, a window is never NaN.
        let w = TimeWindow::between(f64::NAN, 5.0, total);
        assert!(w.start.is_finite() && w.end.is_finite());
    }
}

/// The marks of a group's members (sorted by start) as one path: marks that touch at pixel resolution are merged, so
/// the path has at most one segment per pixel column whatever the group's size.
pub fn marks_path(marks: &[(f64, f64)], x: impl Fn(f64) -> f64) -> String {
    use std::fmt::Write as _;
    let mut d = String::new();
    let mut cur: Option<(f64, f64)> = None;
    let flush = |d: &mut String, (a, b): (f64, f64)| {
        let _ = write!(
            d,
            "M{a:.1} 7h{:.1}v10h-{:.1}Z",
            (b - a).max(1.0),
            (b - a).max(1.0)
        );
    };
    for &(s, e) in marks {
        let (a, b) = (x(s), x(e).max(x(s) + 1.0));
        cur = match cur {
            Some((ca, cb)) if a <= cb + 0.5 => Some((ca, cb.max(b))),
            Some(c) => {
                flush(&mut d, c);
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some(c) = cur {
        flush(&mut d, c);
    }
    d
}
