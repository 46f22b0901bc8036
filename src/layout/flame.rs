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
//!
//! How the kept rectangles look (colours, labels, marks, the hover card) is [`super::flame_paint`]'s.

use crate::analysis::tree::NONE;
use crate::analysis::Analyzed;
use crate::layout::focus::subtree_rows;
use crate::layout::TimeWindow;

pub use super::flame_paint::{
    heat, hover_lines, label, label_runs, max_self_ns, paint, ColourBy, FlameRect, Paint, Rgb,
    CHAR_W, HEAT, LABEL_MIN, LABEL_PAD,
};

/// Height of one depth row, px.
pub const ROW_H: f64 = 20.0;
/// A span narrower than this in the window is not drawn, px.
pub const MIN_PX: f64 = 1.0;
/// Spans per block of the skipping tree.
pub const BLOCK: usize = 32;

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
