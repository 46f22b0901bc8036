//! How the flame graph's rectangles look: their colour (service, or self time on a heat scale), their label cut to
//! fit (and moved past a narrower sibling drawn over its start), the marks of a match, the selection and an error, the
//! order to draw them in, and the hover card's lines. Which rectangles a frame keeps is [`super::flame`]'s.

use crate::analysis::Analyzed;
use crate::layout::flame::Placed;
use crate::layout::focus::subtree_spans;
use crate::layout::ServiceColors;
use crate::text::format_duration;

/// The width a label's character is allowed (the 11 px font's widest common characters), px.
pub const CHAR_W: f64 = 6.6;
/// Space left and right of a label inside its rectangle, px.
pub const LABEL_PAD: f64 = 4.0;
/// The narrowest stretch that takes a label (three characters), px.
pub const LABEL_MIN: f64 = 2.0 * LABEL_PAD + 3.0 * CHAR_W;

/// What a rectangle's colour says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColourBy {
    /// The span's service, as in the waterfall and the legend.
    #[default]
    Service,
    /// The span's self time, on a heat scale from none to the largest self time of any span shown.
    SelfTime,
}

/// The largest self time of any span shown (the whole trace, or the subtree of `focus`): the top of the heat scale.
pub fn max_self_ns(a: &Analyzed, focus: Option<u32>) -> i64 {
    let shown = match focus {
        Some(f) => subtree_spans(&a.tree, f),
        None => &a.tree.preorder[..],
    };
    shown
        .iter()
        .filter_map(|&i| a.self_ns.get(i as usize))
        .copied()
        .max()
        .unwrap_or(0)
}

/// A colour, red, green, blue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, or the first palette colour if `hex` is not one.
    pub fn from_hex(hex: &str) -> Rgb {
        let h = hex.strip_prefix('#').unwrap_or(hex);
        let part = |k: usize| h.get(k..k + 2).and_then(|p| u8::from_str_radix(p, 16).ok());
        match (h.len(), part(0), part(2), part(4)) {
            (6, Some(r), Some(g), Some(b)) => Rgb(r, g, b),
            _ => Rgb(0x3b, 0x82, 0xf6),
        }
    }
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
    /// Relative luminance (WCAG), 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }
    /// The text colour that reads on this fill: near-black on light fills, white on dark ones.
    pub fn text_on(self) -> Rgb {
        if self.luminance() > 0.3 {
            Rgb(0x1b, 0x1f, 0x24)
        } else {
            Rgb(0xff, 0xff, 0xff)
        }
    }
}

/// The heat scale's stops, from no self time to the most: pale yellow to burnt orange. No red: red means error.
pub const HEAT: [Rgb; 4] = [
    Rgb(0xfd, 0xf0, 0xc2),
    Rgb(0xfc, 0xc2, 0x5c),
    Rgb(0xf0, 0x8c, 0x1a),
    Rgb(0xa8, 0x47, 0x0b),
];

/// The heat colour of `share` (0 to 1, clamped; not a number counts as 0), linear between the stops.
pub fn heat(share: f64) -> Rgb {
    let s = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = s * (HEAT.len() - 1) as f64;
    let k = (pos.floor() as usize).min(HEAT.len() - 2);
    let f = pos - k as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (HEAT[k], HEAT[k + 1]);
    Rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A rectangle's label: "service: operation", cut with an ellipsis to what fits `w` px, or nothing if fewer than
/// three characters fit.
pub fn label(service: &str, operation: &str, w: f64) -> Option<String> {
    let fits = ((w - 2.0 * LABEL_PAD) / CHAR_W).floor();
    if fits < 3.0 {
        return None;
    }
    let fits = fits as usize;
    let full = format!("{service}: {operation}");
    if full.chars().count() <= fits {
        return Some(full);
    }
    let mut cut: String = full.chars().take(fits - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    Some(cut)
}

/// What the rectangles' look depends on besides the span.
#[derive(Clone, Copy, Debug)]
pub struct Paint<'a> {
    pub colour_by: ColourBy,
    pub colors: &'a ServiceColors,
    /// Top of the heat scale ([`max_self_ns`]).
    pub max_self_ns: i64,
    /// Per span: does it match the search or filters (`None`: nothing is searched).
    pub hits: Option<&'a [bool]>,
    /// Filters narrow the view: spans that do not match are dimmed.
    pub dim_misses: bool,
    pub selected: Option<u32>,
}

/// A rectangle as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct FlameRect {
    pub span: u32,
    pub row: u32,
    pub x: f64,
    pub w: f64,
    pub fill: Rgb,
    pub text: Rgb,
    /// The label and where its stretch of the rectangle begins, px (see [`label_runs`]).
    pub label: Option<String>,
    pub label_x: f64,
    /// Matches the search.
    pub hit: bool,
    /// Does not match the filters.
    pub dim: bool,
    pub selected: bool,
    pub error: bool,
}

/// For each rectangle of one row, where its label goes: the first stretch of it, from the left, that no rectangle
/// drawn over it (a narrower one of the same row, see [`paint`]) covers and that holds three characters; `None` if
/// there is no such stretch. Concurrent siblings share their depth's row, so a call can cover part of its sibling.
pub fn label_runs(row: &[Placed]) -> Vec<Option<(f64, f64)>> {
    let mut by_x: Vec<usize> = (0..row.len()).collect();
    by_x.sort_by(|&i, &j| row[i].x.total_cmp(&row[j].x));
    let over = |i: usize, k: usize| row[i].w < row[k].w || (row[i].w == row[k].w && i > k);
    row.iter()
        .enumerate()
        .map(|(k, r)| {
            if r.w < LABEL_MIN {
                return None;
            }
            let end = r.x + r.w;
            // Whatever covers part of r is narrower than r, so it starts less than r.w before r.
            let from = by_x.partition_point(|&i| row[i].x <= r.x - r.w);
            let mut at = r.x;
            for &i in &by_x[from..] {
                let o = &row[i];
                if o.x >= end {
                    break;
                }
                if i == k || !over(i, k) || o.x + o.w <= at {
                    continue;
                }
                if o.x - at >= LABEL_MIN {
                    return Some((at, o.x - at));
                }
                at = at.max(o.x + o.w);
            }
            (end - at >= LABEL_MIN).then_some((at, end - at))
        })
        .collect()
}

/// Colours, label and marks of each placed rectangle (given row by row, as [`super::flame::Flame::place`] gives them), in the order
/// to draw them: wider first, so that where siblings overlap in time the narrower stays in sight, drawn on top.
pub fn paint(a: &Analyzed, placed: &[Placed], p: &Paint) -> Vec<FlameRect> {
    let runs: Vec<Option<(f64, f64)>> = placed
        .chunk_by(|x, y| x.row == y.row)
        .flat_map(label_runs)
        .collect();
    let mut order: Vec<(&Placed, Option<(f64, f64)>)> = placed.iter().zip(runs).collect();
    order.sort_by(|x, y| y.0.w.total_cmp(&x.0.w));
    order
        .into_iter()
        .map(|(r, run)| {
            let s = a.trace.spans.get(r.span as usize);
            let fill = match p.colour_by {
                ColourBy::Service => Rgb::from_hex(p.colors.span(&a.trace, r.span)),
                ColourBy::SelfTime => {
                    let own = a.self_ns.get(r.span as usize).copied().unwrap_or(0);
                    heat(own as f64 / p.max_self_ns.max(1) as f64)
                }
            };
            let matched = p
                .hits
                .is_some_and(|m| m.get(r.span as usize) == Some(&true));
            let (label_x, label_w) = run.unwrap_or((r.x, 0.0));
            FlameRect {
                span: r.span,
                row: r.row,
                x: r.x,
                w: r.w,
                fill,
                text: fill.text_on(),
                label: label(a.trace.service(r.span), a.trace.operation(r.span), label_w),
                label_x,
                hit: matched,
                dim: p.dim_misses && !matched,
                selected: p.selected == Some(r.span),
                error: s.is_some_and(|s| s.is_error()),
            }
        })
        .collect()
}

/// The hover card's lines: service, operation, duration, and self time with its share of the duration.
pub fn hover_lines(a: &Analyzed, span: u32) -> Option<[String; 4]> {
    let s = a.trace.spans.get(span as usize)?;
    let own = a.self_ns.get(span as usize).copied().unwrap_or(0);
    let share = if s.duration_ns > 0 {
        format!(" ({:.0}%)", own as f64 / s.duration_ns as f64 * 100.0)
    } else {
        String::new()
    };
    Some([
        a.trace.service(span).to_string(),
        a.trace.operation(span).to_string(),
        format!("Duration {}", format_duration(s.duration_ns.max(0) as f64)),
        format!("Self time {}{share}", format_duration(own as f64)),
    ])
}
