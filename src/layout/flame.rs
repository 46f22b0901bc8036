//! The flame graph (an icicle): the span tree with its roots on the top row, one row per depth, time across. It shares
//! the waterfall's [`TimeWindow`], so zooming one zooms the other; with a subtree in focus only that subtree shows,
//! its root on the top row.
//!
//! What a frame draws. Concurrent siblings share their depth's row, and a narrower rectangle is drawn over a wider
//! one, so a frame keeps, row by row, only rectangles that are on top at one pixel at least: where thousands of calls
//! run at once a row still shows at most one rectangle per pixel. It takes the spans narrowest first and keeps each
//! one that still has a pixel no kept rectangle covers, skipping whatever is already covered, so its work follows
//! what is drawn, not the trace's size.
//!
//! "Narrowest first" is by duration class: [`Flame::new`] sorts the spans once per trace by depth, then into classes
//! of a sixteenth of a doubling (from 16 ns up, durations in one class differ by less than 7%), narrowest first, each class in
//! depth-first order, so that a subtree is one run of each class. Within a class the first in depth-first order wins
//! a pixel. Over blocks of [`BLOCK`] consecutive spans it keeps a tree of their earliest start and latest end; a frame
//! walks each class of a row in view down that tree, skipping every block that lies outside the window or under
//! pixels already covered.
//!
//! Each span is judged on its own, not through its parent: a child can outlive its parent (clock skew), so a parent
//! narrower than a pixel, or outside the window, does not hide its children. Such a child is drawn where its times
//! put it, past its parent's edge.

use crate::analysis::tree::NONE;
use crate::analysis::Analyzed;
use crate::layout::focus::{subtree_rows, subtree_spans};
use crate::layout::{ServiceColors, TimeWindow};
use crate::text::format_duration;

/// Height of one depth row, px.
pub const ROW_H: f64 = 20.0;
/// A span narrower than this in the window is not drawn, px.
pub const MIN_PX: f64 = 1.0;
/// The width a label's character is allowed (the 11 px font's widest common characters), px.
pub const CHAR_W: f64 = 6.6;
/// Space left and right of a label inside its rectangle, px.
pub const LABEL_PAD: f64 = 4.0;
/// The narrowest stretch that takes a label (three characters), px.
pub const LABEL_MIN: f64 = 2.0 * LABEL_PAD + 3.0 * CHAR_W;
/// Spans per block of the skipping tree.
pub const BLOCK: usize = 32;

/// What a rectangle's colour says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColourBy {
    /// The span's service, as in the waterfall and the legend.
    #[default]
    Service,
    /// The span's self time, on a heat scale from none to the largest self time of any span shown.
    SelfTime,
}

/// The spans sorted by depth and duration class, and the tree that skips blocks of them.
#[derive(Clone, Debug, Default)]
pub struct Flame {
    /// Positions in the tree's depth-first order (`tree.preorder`): by depth, then by class (narrowest first), each
    /// class in depth-first order.
    order: Vec<u32>,
    /// `classes[depth_classes[d]..depth_classes[d + 1]]` are the classes at depth `d`, narrowest first.
    depth_classes: Vec<u32>,
    classes: Vec<Class>,
    blocks: BlockTree,
}

/// The spans of one depth whose durations fall in one class: `order[start..end]`.
#[derive(Clone, Copy, Debug, Default)]
struct Class {
    start: u32,
    end: u32,
    /// The longest duration the class can hold (its upper bound), ns.
    longest_ns: i64,
}

/// Over blocks of [`BLOCK`] positions of `order`: a complete binary tree (node 1 the root, leaves from `size`) of the
/// earliest start and latest end below each node, ns since the trace start.
#[derive(Clone, Debug, Default)]
struct BlockTree {
    size: usize,
    min_start: Vec<f64>,
    max_end: Vec<f64>,
}

/// What a frame shows: the time window on an axis `width` px wide, the depth rows from `top_row` (0 = the shown
/// tree's roots), `rows` of them, and the subtree in focus.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub window: TimeWindow,
    pub width: f64,
    pub top_row: u32,
    pub rows: u32,
    pub focus: Option<u32>,
}

/// One span's rectangle: its row (0 = the shown tree's roots), x and width in px on the axis, clipped to the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    pub span: u32,
    pub row: u32,
    pub x: f64,
    pub w: f64,
}

/// Duration classes per doubling.
const PER_DOUBLING: u32 = 16;
/// Classes in all (durations are below 2^63 ns).
const CLASSES: usize = 64 * PER_DOUBLING as usize;

/// A duration's class: its doubling (bit length) and which sixteenth of it, so classes grow with the duration and,
/// from 16 ns up, the durations in one class differ by less than 7%.
fn class_of(duration_ns: i64) -> u16 {
    let d = duration_ns.max(0) as u64;
    let bits = 64 - d.leading_zeros();
    let part = if bits > 4 { (d >> (bits - 5)) & 15 } else { 0 };
    (bits * PER_DOUBLING + part as u32) as u16
}

/// The longest duration of class `c` (of [`class_of`]), ns.
fn longest_of(c: u16) -> i64 {
    let (bits, part) = (
        u32::from(c) / PER_DOUBLING,
        u64::from(c) % u64::from(PER_DOUBLING),
    );
    if bits <= 4 {
        return (1i64 << bits) - 1;
    }
    (((16 + part + 1) << (bits - 5)) - 1).min(i64::MAX as u64) as i64
}

impl Flame {
    /// Sorts the spans by depth and class and builds the skipping tree: once per trace, O(spans). The spans are read
    /// once, in stored order; the sorting works on what that read gathered, in depth-first order.
    pub fn new(a: &Analyzed) -> Flame {
        let tree = &a.tree;
        let n = tree.preorder.len();
        // Each span's depth, class and extent at its position in the depth-first order: read in stored order, written
        // where the order puts them.
        let mut depth = vec![0u32; n];
        let mut class = vec![0u16; n];
        let mut extent = vec![(f64::INFINITY, f64::NEG_INFINITY); n];
        for (i, s) in a.trace.spans.iter().enumerate() {
            let Some(r) = tree.row_of.get(i).map(|&r| r as usize).filter(|&r| r < n) else {
                continue;
            };
            depth[r] = tree.depth.get(i).copied().unwrap_or(0);
            class[r] = class_of(s.duration_ns);
            extent[r] = (
                (s.start_ns - a.start_ns) as f64,
                (s.end_ns() - a.start_ns) as f64,
            );
        }
        let (mut order, depth_off) = by_depth(&depth);
        let mut depth_classes = vec![0u32];
        let mut classes = Vec::new();
        for d in 0..depth_off.len().saturating_sub(1) {
            let (lo, hi) = (depth_off[d] as usize, depth_off[d + 1] as usize);
            sort_by_class(&mut order[lo..hi], &class);
            let mut at = lo;
            for run in order[lo..hi].chunk_by(|&x, &y| class[x as usize] == class[y as usize]) {
                let c = run.first().map_or(0, |&r| class[r as usize]);
                classes.push(Class {
                    start: at as u32,
                    end: (at + run.len()) as u32,
                    longest_ns: longest_of(c),
                });
                at += run.len();
            }
            depth_classes.push(classes.len() as u32);
        }
        let blocks = BlockTree::new(&extent, &order);
        Flame {
            order,
            depth_classes,
            classes,
            blocks,
        }
    }

    /// The classes at `depth`, each as the positions in `order` of its spans in the shown tree: all of them, or
    /// those under `focus`.
    fn runs<'f>(
        &'f self,
        a: &'f Analyzed,
        depth: usize,
        focus: Option<u32>,
    ) -> impl Iterator<Item = (Class, std::ops::Range<usize>)> + 'f {
        let (lo, hi) = match (
            self.depth_classes.get(depth),
            self.depth_classes.get(depth + 1),
        ) {
            (Some(&lo), Some(&hi)) => (lo as usize, hi as usize),
            _ => (0, 0),
        };
        let rows = focus.map(|f| subtree_rows(&a.tree, f));
        self.classes[lo..hi].iter().map(move |&c| {
            let (s, e) = (c.start as usize, c.end as usize);
            let Some(rows) = &rows else {
                return (c, s..e);
            };
            let part = &self.order[s..e];
            let a0 = part.partition_point(|&r| (r as usize) < rows.start);
            let a1 = part.partition_point(|&r| (r as usize) < rows.end);
            (c, s + a0..s + a1)
        })
    }

    /// The depth of the shown tree's top row: 0, or the focused span's.
    fn base(a: &Analyzed, focus: Option<u32>) -> usize {
        focus
            .and_then(|f| a.tree.depth.get(f as usize))
            .map_or(0, |&d| d as usize)
    }

    /// How many depth rows the shown tree has (the whole trace, or the subtree in focus).
    pub fn row_count(&self, a: &Analyzed, focus: Option<u32>) -> u32 {
        let base = Flame::base(a, focus);
        let mut d = base;
        // A subtree's depths are contiguous: the first empty one ends it.
        while self.runs(a, d, focus).any(|(_, r)| !r.is_empty()) {
            d += 1;
        }
        (d - base) as u32
    }

    /// The rectangles of a frame, row by row from the top, each row in depth-first order.
    pub fn place(&self, a: &Analyzed, v: &View) -> Vec<Placed> {
        let mut out = Vec::new();
        if v.width <= 0.0 || a.trace.spans.is_empty() {
            return out;
        }
        let base = Flame::base(a, v.focus);
        let mut frame = Frame::new(v);
        for row in v.top_row..v.top_row.saturating_add(v.rows) {
            let first = out.len();
            let mut any = false;
            frame.next_row();
            for (class, run) in self.runs(a, base + row as usize, v.focus) {
                any |= !run.is_empty();
                if run.is_empty() || (class.longest_ns as f64) < frame.min_dur {
                    continue;
                }
                self.place_class(a, run, row, &mut frame, &mut out);
                if frame.free == 0 {
                    break;
                }
            }
            if !any {
                break;
            }
            out[first..].sort_unstable_by_key(|p| a.tree.row_of.get(p.span as usize).copied());
        }
        out
    }

    /// Adds to `out` the spans of one class (positions `run` of `order`) that still have an uncovered pixel of
    /// `row` when their turn comes, in depth-first order, and covers their pixels.
    fn place_class(
        &self,
        a: &Analyzed,
        run: std::ops::Range<usize>,
        row: u32,
        frame: &mut Frame,
        out: &mut Vec<Placed>,
    ) {
        let window = frame.view.window;
        let mut stack = std::mem::take(&mut frame.stack);
        self.blocks.visit(
            run.clone(),
            &mut stack,
            |f: &mut Frame, lo, hi| f.hides(lo, hi),
            |blk, frame: &mut Frame| {
                let from = (blk * BLOCK).max(run.start);
                let to = ((blk + 1) * BLOCK).min(run.end);
                for &r in &self.order[from..to] {
                    let Some(&span) = a.tree.preorder.get(r as usize) else {
                        continue;
                    };
                    let Some(s) = a.trace.spans.get(span as usize) else {
                        continue;
                    };
                    let st = (s.start_ns - a.start_ns) as f64;
                    let en = (s.end_ns() - a.start_ns) as f64;
                    let (l, r) = (st.max(window.start), en.min(window.end));
                    let w = (r - l) * frame.scale;
                    if w < MIN_PX {
                        continue;
                    }
                    let x = window.x(l, frame.view.width);
                    if frame.cover(x, x + w) {
                        out.push(Placed { span, row, x, w });
                    }
                }
            },
            frame,
        );
        frame.stack = stack;
    }
}

/// The positions of the depth-first order grouped by depth (`depth`: each position's), each depth in depth-first
/// order, and where each depth begins (one past the last: the end).
fn by_depth(depth: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let depths = depth.iter().copied().max().map_or(0, |d| d as usize + 1);
    let mut depth_off = vec![0u32; depths + 1];
    for &d in depth {
        depth_off[d as usize + 1] += 1;
    }
    for d in 0..depths {
        depth_off[d + 1] += depth_off[d];
    }
    let mut next = depth_off.clone();
    let mut order = vec![NONE; depth.len()];
    for (r, &d) in depth.iter().enumerate() {
        let slot = &mut next[d as usize];
        order[*slot as usize] = r as u32;
        *slot += 1;
    }
    (order, depth_off)
}

/// Sorts one depth's positions by class (`class`: each position's), keeping their depth-first order within a class: a counting sort for a long run,
/// a stable sort for a short one (a deep chain has a million depths of one span each).
fn sort_by_class(run: &mut [u32], class: &[u16]) {
    let of = |i: &u32| class.get(*i as usize).copied().unwrap_or(0);
    if run.len() < CLASSES {
        run.sort_by_key(of);
        return;
    }
    let mut next = vec![0usize; CLASSES + 1];
    for i in run.iter() {
        next[of(i) as usize + 1] += 1;
    }
    for c in 0..CLASSES {
        next[c + 1] += next[c];
    }
    let mut sorted = vec![NONE; run.len()];
    for i in run.iter() {
        let slot = &mut next[of(i) as usize];
        sorted[*slot] = *i;
        *slot += 1;
    }
    run.copy_from_slice(&sorted);
}

/// One frame's state while it is placed: the scale, and for the row being placed, which pixels the rectangles kept
/// so far cover.
struct Frame {
    view: View,
    /// px per ns.
    scale: f64,
    /// A span shorter than this is narrower than [`MIN_PX`], ns.
    min_dur: f64,
    /// Pixels of the row (one more than the axis's width, partly drawn at its right edge).
    cols: usize,
    /// `next[p]`: the first pixel at or after `p` that no rectangle kept so far covers (`cols`: none).
    next: Vec<u32>,
    /// Pixels not covered yet.
    free: usize,
    stack: Vec<(usize, usize, usize)>,
}

impl Frame {
    fn new(v: &View) -> Frame {
        let scale = v.width / v.window.width();
        Frame {
            view: *v,
            scale,
            min_dur: MIN_PX / scale,
            cols: v.width.max(0.0).ceil() as usize + 1,
            next: Vec::new(),
            free: 0,
            stack: Vec::new(),
        }
    }

    fn next_row(&mut self) {
        self.next.clear();
        self.next.extend(0..=self.cols as u32);
        self.free = self.cols;
    }

    /// The pixels from `x0` to `x1`, px.
    fn pixels(&self, x0: f64, x1: f64) -> (usize, usize) {
        let cols = self.cols as f64;
        (
            x0.floor().clamp(0.0, cols) as usize,
            x1.ceil().clamp(0.0, cols) as usize,
        )
    }

    /// Whether the time from `t0` to `t1` (ns since the trace start) is outside the window, or under pixels that
    /// are all covered.
    fn hides(&mut self, t0: f64, t1: f64) -> bool {
        let w = &self.view.window;
        if t0 >= w.end || t1 <= w.start {
            return true;
        }
        let px = self.view.width;
        let (from, to) = self.pixels(w.x(t0.max(w.start), px), w.x(t1.min(w.end), px));
        first_free(&mut self.next, from) >= to
    }

    /// Covers the pixels from `x0` to `x1`; whether any of them was free.
    fn cover(&mut self, x0: f64, x1: f64) -> bool {
        let (from, to) = self.pixels(x0, x1);
        let mut p = first_free(&mut self.next, from);
        let any = p < to;
        while p < to {
            self.next[p] = p as u32 + 1;
            self.free -= 1;
            p = first_free(&mut self.next, p + 1);
        }
        any
    }
}

/// The first uncovered pixel at or after `p` (with path halving, so a run of covered pixels is crossed once).
fn first_free(next: &mut [u32], mut p: usize) -> usize {
    while let Some(&n) = next.get(p) {
        if n as usize == p {
            return p;
        }
        let skip = next.get(n as usize).copied().unwrap_or(n);
        next[p] = skip;
        p = skip as usize;
    }
    p
}

impl BlockTree {
    /// `extent`: each position's earliest start and latest end, ns since the trace start.
    fn new(extent: &[(f64, f64)], order: &[u32]) -> BlockTree {
        let blocks = order.len().div_ceil(BLOCK).max(1);
        let size = blocks.next_power_of_two();
        let mut t = BlockTree {
            size,
            min_start: vec![f64::INFINITY; 2 * size],
            max_end: vec![f64::NEG_INFINITY; 2 * size],
        };
        for (p, &r) in order.iter().enumerate() {
            if let Some(&(st, en)) = extent.get(r as usize) {
                let leaf = size + p / BLOCK;
                t.min_start[leaf] = t.min_start[leaf].min(st);
                t.max_end[leaf] = t.max_end[leaf].max(en);
            }
        }
        for k in (1..size).rev() {
            t.min_start[k] = t.min_start[2 * k].min(t.min_start[2 * k + 1]);
            t.max_end[k] = t.max_end[2 * k].max(t.max_end[2 * k + 1]);
        }
        t
    }

    /// Calls `leaf` with each block, in order, that overlaps the positions `run` and whose spans' extent (earliest
    /// start, latest end) `hidden` does not rule out. Walks down from the root with an explicit stack.
    fn visit<C>(
        &self,
        run: std::ops::Range<usize>,
        stack: &mut Vec<(usize, usize, usize)>,
        hidden: impl Fn(&mut C, f64, f64) -> bool,
        mut leaf: impl FnMut(usize, &mut C),
        cx: &mut C,
    ) {
        let (first, last) = (run.start / BLOCK, (run.end - 1) / BLOCK);
        stack.clear();
        stack.push((1, 0, self.size));
        while let Some((k, lo, hi)) = stack.pop() {
            if hi <= first || lo > last || hidden(cx, self.min_start[k], self.max_end[k]) {
                continue;
            }
            if k >= self.size {
                leaf(lo, cx);
            } else {
                let mid = (lo + hi) / 2;
                stack.push((2 * k + 1, mid, hi));
                stack.push((2 * k, lo, mid));
            }
        }
    }
}

/// The span drawn at `(x, y)`, px from the top left of the flame graph's content (row 0 at y = 0): the last drawn
/// rectangle there, since later ones are drawn on top.
pub fn span_at(placed: &[Placed], x: f64, y: f64) -> Option<u32> {
    if y < 0.0 {
        return None;
    }
    let row = (y / ROW_H).floor() as u32;
    placed
        .iter()
        .rev()
        .find(|p| p.row == row && x >= p.x && x < p.x + p.w.max(1.0))
        .map(|p| p.span)
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

/// Colours, label and marks of each placed rectangle (given row by row, as [`Flame::place`] gives them), in the order
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
