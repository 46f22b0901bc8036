//! The trace browser's scatter plot, without the web: start time across, duration up (linear or log), where each
//! trace sits, the axes' ticks, the trace nearest the pointer, and the area a drag brushes.
//!
//! The axes span every trace of the set, not only those listed: a filter then leaves the other points where they
//! were instead of rescaling the plot.

use super::browser::Brush;
use super::{ticks, TimeWindow};
use crate::analysis::member::TraceSummary;
use crate::text::format_duration;

/// Space kept for the axes' labels, px: left of the plot and below it.
pub const LEFT: f64 = 64.0;
pub const BOTTOM: f64 = 22.0;
/// Space above the highest point and right of the latest, px.
const PAD: f64 = 8.0;

/// Where the scatter plot puts traces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plot {
    /// Size of the whole plot, axes included, px.
    pub width: f64,
    pub height: f64,
    /// Earliest and latest start, ns since the epoch.
    pub start_ns: (i64, i64),
    /// Shortest and longest duration, ns.
    pub duration_ns: (i64, i64),
    pub log: bool,
}

/// A labelled tick of an axis, at `at` px along it.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisTick {
    pub at: f64,
    pub label: String,
}

impl Plot {
    /// The plot of these traces in `width` × `height` px.
    pub fn new<'a>(
        traces: impl IntoIterator<Item = &'a TraceSummary>,
        width: f64,
        height: f64,
        log: bool,
    ) -> Plot {
        let (mut s, mut d) = ((i64::MAX, i64::MIN), (i64::MAX, i64::MIN));
        for t in traces {
            s = (s.0.min(t.start_ns), s.1.max(t.start_ns));
            d = (d.0.min(t.duration_ns), d.1.max(t.duration_ns));
        }
        if s.0 > s.1 {
            (s, d) = ((0, 1), (0, 1));
        }
        Plot {
            width,
            height,
            start_ns: s,
            duration_ns: (d.0.max(0), d.1.max(d.0 + 1)),
            log,
        }
    }

    fn inner_w(&self) -> f64 {
        (self.width - LEFT - PAD).max(1.0)
    }
    fn inner_h(&self) -> f64 {
        (self.height - BOTTOM - PAD).max(1.0)
    }

    /// The log scale's lower end: the shortest duration, at least 1µs (a duration of 0 sits on the axis).
    fn log_floor(&self) -> f64 {
        (self.duration_ns.0 as f64).max(1_000.0)
    }

    /// How far up a duration sits, 0 (bottom) to 1 (top).
    fn height_of(&self, ns: i64) -> f64 {
        let (lo, hi) = self.duration_ns;
        if self.log {
            let floor = self.log_floor();
            let top = (hi as f64).max(floor * 10.0);
            ((ns as f64).max(floor) / floor).log10() / (top / floor).log10()
        } else {
            (ns - lo.min(0)) as f64 / (hi - lo.min(0)).max(1) as f64
        }
    }

    /// The duration at a height (the inverse of `height_of`).
    fn duration_at(&self, h: f64) -> i64 {
        let (lo, hi) = self.duration_ns;
        let h = h.clamp(0.0, 1.0);
        if self.log {
            let floor = self.log_floor();
            let top = (hi as f64).max(floor * 10.0);
            (floor * (top / floor).powf(h)).round() as i64
        } else {
            lo.min(0) + (h * (hi - lo.min(0)) as f64).round() as i64
        }
    }

    /// The point of a trace, px from the plot's top left.
    pub fn point(&self, t: &TraceSummary) -> (f64, f64) {
        let span = (self.start_ns.1 - self.start_ns.0).max(1) as f64;
        let x = LEFT + (t.start_ns - self.start_ns.0) as f64 / span * self.inner_w();
        let y = PAD + (1.0 - self.height_of(t.duration_ns)) * self.inner_h();
        (x, y)
    }

    /// The area between two corners of a drag, px, as start times and durations.
    pub fn brush(&self, (x0, y0): (f64, f64), (x1, y1): (f64, f64)) -> Brush {
        let span = (self.start_ns.1 - self.start_ns.0).max(1) as f64;
        let start_at = |x: f64| {
            self.start_ns.0 + (((x - LEFT) / self.inner_w()).clamp(0.0, 1.0) * span).round() as i64
        };
        let duration_at = |y: f64| self.duration_at(1.0 - (y - PAD) / self.inner_h());
        let (a, b) = (start_at(x0.min(x1)), start_at(x0.max(x1)));
        // Screen y grows downwards: the lower edge is the shorter duration.
        let (short, long) = (duration_at(y0.max(y1)), duration_at(y0.min(y1)));
        Brush {
            start_ns: (a, b),
            duration_ns: (short, long),
        }
    }

    /// The trace nearest to the pointer among `listed` (indices into `traces`), if one is within `reach` px.
    pub fn nearest(
        &self,
        traces: &[&TraceSummary],
        listed: &[u32],
        (px, py): (f64, f64),
        reach: f64,
    ) -> Option<u32> {
        let mut best: Option<(f64, u32)> = None;
        for &i in listed {
            let Some(t) = traces.get(i as usize) else {
                continue;
            };
            let (x, y) = self.point(t);
            let d = (x - px).powi(2) + (y - py).powi(2);
            if d <= reach * reach && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i));
            }
        }
        best.map(|(_, i)| i)
    }

    /// Ticks of the time axis, at least `min_px` apart, labelled with the time of day (UTC).
    pub fn start_ticks(&self, min_px: f64) -> Vec<AxisTick> {
        let span = (self.start_ns.1 - self.start_ns.0).max(1);
        let w = TimeWindow {
            start: 0.0,
            end: span as f64,
        };
        ticks(&w, self.inner_w(), min_px)
            .into_iter()
            .map(|t| AxisTick {
                at: LEFT + t.x,
                label: time_of_day(self.start_ns.0 + t.t as i64, span),
            })
            .collect()
    }

    /// Ticks of the duration axis, at least `min_px` apart: a nice step on the linear scale, powers of ten on the log
    /// scale.
    pub fn duration_ticks(&self, min_px: f64) -> Vec<AxisTick> {
        let h = self.inner_h();
        let y = |ns: i64| PAD + (1.0 - self.height_of(ns)) * h;
        if !self.log {
            let top = (self.duration_ns.1 - self.duration_ns.0.min(0)) as f64;
            let w = TimeWindow {
                start: 0.0,
                end: top,
            };
            return ticks(&w, h, min_px)
                .into_iter()
                .map(|t| AxisTick {
                    at: y(t.t as i64),
                    label: format_duration(t.t),
                })
                .collect();
        }
        let mut out: Vec<AxisTick> = Vec::new();
        let mut ns = 10f64.powf(self.log_floor().log10().ceil());
        while self.height_of(ns as i64) <= 1.0 + 1e-9 && out.len() < 20 {
            let at = y(ns as i64);
            if out.last().is_none_or(|l| l.at - at >= min_px) {
                out.push(AxisTick {
                    at,
                    label: format_duration(ns),
                });
            }
            ns *= 10.0;
        }
        out
    }
}

/// `HH:MM:SS` (UTC) of a time, with milliseconds when the whole axis spans under ten seconds.
fn time_of_day(ns: i64, span_ns: i64) -> String {
    let text = crate::text::format_epoch(ns);
    // "2023-11-14 22:13:20.123 UTC": the time of day is after the date.
    let time = text.get(11..23).unwrap_or("");
    if span_ns < 10_000_000_000 {
        time.to_string()
    } else {
        time.get(..8).unwrap_or(time).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(start_ns: i64, duration_ns: i64) -> TraceSummary {
        TraceSummary {
            start_ns,
            duration_ns,
            root: None,
            spans: 1,
            errors: 0,
            service_time: Vec::new(),
        }
    }

    #[test]
    fn points_span_the_plot_and_a_brush_reads_them_back() {
        // Starts 0..10s, durations 0..100ms; 264 × 130 px leaves 192 × 100 px inside the axes.
        let t = [
            summary(0, 0),
            summary(10_000_000_000, 100_000_000),
            summary(5_000_000_000, 50_000_000),
        ];
        let p = Plot::new(t.iter(), 264.0, 130.0, false);
        assert_eq!(p.point(&t[0]), (LEFT, PAD + 100.0));
        assert_eq!(p.point(&t[1]), (LEFT + 192.0, PAD));
        assert_eq!(p.point(&t[2]), (LEFT + 96.0, PAD + 50.0));
        // A drag over the right half and the upper half: starts 5..10s, durations 50..100ms.
        let b = p.brush((LEFT + 192.0, PAD), (LEFT + 96.0, PAD + 50.0));
        assert_eq!(b.start_ns, (5_000_000_000, 10_000_000_000));
        assert_eq!(b.duration_ns, (50_000_000, 100_000_000));
        let all: Vec<&TraceSummary> = t.iter().collect();
        assert_eq!(
            p.nearest(&all, &[0, 1, 2], (LEFT + 94.0, PAD + 52.0), 6.0),
            Some(2)
        );
        assert_eq!(
            p.nearest(&all, &[0, 1], (LEFT + 94.0, PAD + 52.0), 6.0),
            None
        );
    }

    #[test]
    fn the_log_scale_puts_each_power_of_ten_at_the_same_step() {
        // 1ms, 10ms and 100ms: the floor is 1ms, so 10ms is halfway up and 100ms at the top.
        let t = [
            summary(0, 1_000_000),
            summary(1, 10_000_000),
            summary(2, 100_000_000),
        ];
        let p = Plot::new(t.iter(), 264.0, 130.0, true);
        assert_eq!(p.point(&t[0]).1, PAD + 100.0);
        assert!((p.point(&t[1]).1 - (PAD + 50.0)).abs() < 1e-9);
        assert_eq!(p.point(&t[2]).1, PAD);
        let labels: Vec<String> = p
            .duration_ticks(20.0)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(labels, ["1ms", "10ms", "100ms"]);
    }
}
