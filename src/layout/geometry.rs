//! Where each part of a waterfall row goes, in pixels: the name column, the timeline, a span's indent, bar, duration
//! label, attribute pills, critical-path sections and event ticks, and a sibling group's band and marks. The SVG rows
//! on screen (`ui::waterfall`) and the SVG/PNG export (`layout::export`) both draw from here, so an exported image
//! shows what the screen shows.

use super::{marks_path, TimeWindow};
use crate::analysis::Analyzed;
use crate::model::Value;
use crate::text::format_duration;

/// Height of a row, px.
pub const ROW_H: f64 = 26.0;
/// Indent per tree level, px.
pub const INDENT: f64 = 14.0;
/// Deeper levels are drawn at this depth's indent (the name column has room for no more).
pub const MAX_INDENT_DEPTH: u32 = 40;
/// Members of a sibling group drawn as marks, at most.
pub const MAX_GROUP_MARKS: usize = 2000;
/// Event ticks drawn per span, at most.
pub const MAX_EVENT_TICKS: usize = 64;
/// Event markers (with a tooltip each) drawn on the selected span's bar, at most.
pub const MAX_EVENT_MARKS: usize = 500;

/// What a row's geometry depends on: the waterfall's width, the name column's, and the time in view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub name_w: f64,
    pub window: TimeWindow,
}

/// Where a text goes and which end of it is there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    pub x: f64,
    /// `"start"` or `"end"` (SVG's `text-anchor`).
    pub anchor: &'static str,
    /// Drawn inside the bar's right end (no room on either side).
    pub inside: bool,
}

/// A label such as `GET` or `503` drawn after a span's duration; `bad` marks a server error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pill {
    pub label: String,
    pub bad: bool,
}

/// A span row's parts, x in px from the timeline's left edge (name-column parts from the row's left edge).
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRow {
    /// The chevron's x; the label starts [`LABEL_GAP`] after it.
    pub indent: f64,
    /// The tree guides' x, one per ancestor level.
    pub guides: Vec<f64>,
    pub bar_x: f64,
    pub bar_w: f64,
    pub duration: Place,
    /// x and width of each pill that fits.
    pub pills: Vec<(f64, f64)>,
    /// x and width of each critical-path section.
    pub sections: Vec<(f64, f64)>,
    pub events: Vec<f64>,
}

/// A sibling group row's parts.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRow {
    pub indent: f64,
    pub band_x: f64,
    pub band_w: f64,
    /// One SVG path with a thin mark per member.
    pub marks: String,
}

/// From the chevron to the label, px.
pub const LABEL_GAP: f64 = 16.0;

impl Frame {
    /// The timeline's width, px: right of the name column, with a margin.
    pub fn timeline_width(&self) -> f64 {
        (self.width - self.name_w - 12.0).max(80.0)
    }

    /// The chevron's x at tree depth `depth`.
    pub fn indent(&self, depth: u32) -> f64 {
        (8.0 + depth.min(MAX_INDENT_DEPTH) as f64 * INDENT).min(self.name_w - 120.0)
    }

    /// x of time `t` (ns since the trace start), kept just around the timeline.
    pub fn x(&self, t: f64) -> f64 {
        let tl = self.timeline_width();
        self.window.x(t, tl).clamp(-2.0, tl + 2.0)
    }

    /// x and width of what lasts from `t0` to `t1` (ns since the trace start), at least `min_w` wide.
    pub fn extent(&self, t0: f64, t1: f64, min_w: f64) -> (f64, f64) {
        let (x0, x1) = (self.x(t0), self.x(t1));
        (x0, (x1 - x0).max(min_w))
    }

    /// Where span `span`'s parts go; `duration_text` is its duration as shown, and `pills` its pills.
    pub fn span_row(
        &self,
        a: &Analyzed,
        span: u32,
        duration_text: &str,
        pills: &[Pill],
    ) -> Option<SpanRow> {
        Some(self.place_span(&SpanTimes::of(a, span)?, duration_text, pills))
    }

    /// [`Frame::span_row`] from times read once per row ([`SpanTimes::of`]), so that a zoom only does the arithmetic.
    pub fn place_span(&self, t: &SpanTimes, duration_text: &str, pills: &[Pill]) -> SpanRow {
        let (bar_x, bar_w) = self.extent(t.start, t.end, 1.5);
        let duration = self.duration_place(bar_x, bar_w);
        let tl = self.timeline_width();
        SpanRow {
            indent: self.indent(t.depth),
            guides: (0..t.depth.min(MAX_INDENT_DEPTH))
                .map(|k| 8.0 + k as f64 * INDENT + 5.0)
                .collect(),
            bar_x,
            bar_w,
            pills: self.pill_places(bar_x, bar_w, duration, duration_text, pills),
            duration,
            sections: t
                .sections
                .iter()
                .map(|&(s, e)| self.extent(s, e, 1.0))
                .collect(),
            events: t.events.iter().map(|&e| self.window.x(e, tl)).collect(),
        }
    }

    /// The duration goes right of the bar, else left of it, else inside its right end.
    fn duration_place(&self, bar_x: f64, bar_w: f64) -> Place {
        let tl = self.timeline_width();
        if bar_x + bar_w + 60.0 < tl {
            Place {
                x: bar_x + bar_w + 5.0,
                anchor: "start",
                inside: false,
            }
        } else if bar_x > 60.0 {
            Place {
                x: bar_x - 5.0,
                anchor: "end",
                inside: false,
            }
        } else {
            Place {
                x: bar_x + bar_w - 5.0,
                anchor: "end",
                inside: true,
            }
        }
    }

    /// Pills follow the duration when it is right of the bar, or the bar when the duration is left of it; none when
    /// the duration is inside the bar. A pill that would pass the timeline's end is left out, with those after it.
    fn pill_places(
        &self,
        bar_x: f64,
        bar_w: f64,
        duration: Place,
        duration_text: &str,
        pills: &[Pill],
    ) -> Vec<(f64, f64)> {
        if duration.inside {
            return Vec::new();
        }
        let tl = self.timeline_width();
        let mut x = if duration.anchor == "start" {
            duration.x + duration_text.chars().count() as f64 * 6.8 + 8.0
        } else {
            bar_x + bar_w + 6.0
        };
        let mut out = Vec::new();
        for p in pills {
            let w = p.label.chars().count() as f64 * 6.2 + 10.0;
            if x + w >= tl {
                break;
            }
            out.push((x, w));
            x += w + 4.0;
        }
        out
    }

    /// The x of each of `marks` that falls on the timeline, with its index in `marks`.
    pub fn mark_places(&self, marks: &[EventMark]) -> Vec<(usize, f64)> {
        let tl = self.timeline_width();
        marks
            .iter()
            .enumerate()
            .map(|(k, m)| (k, self.window.x(m.t, tl)))
            .filter(|&(_, x)| (0.0..=tl).contains(&x))
            .collect()
    }

    /// Where sibling group `g`'s parts go.
    pub fn group_row(&self, a: &Analyzed, g: u32) -> Option<GroupRow> {
        Some(self.place_group(&GroupTimes::of(a, g)?))
    }

    /// [`Frame::group_row`] from times read once per row ([`GroupTimes::of`]).
    pub fn place_group(&self, t: &GroupTimes) -> GroupRow {
        let (band_x, band_w) = self.extent(t.start, t.end, 1.5);
        GroupRow {
            indent: self.indent(t.depth),
            band_x,
            band_w,
            marks: marks_path(&t.marks, |x| self.x(x)),
        }
    }
}

/// A span's times relative to the trace start (ns), and its depth: what its row's geometry needs from the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanTimes {
    pub depth: u32,
    pub start: f64,
    pub end: f64,
    /// Its critical-path sections.
    pub sections: Vec<(f64, f64)>,
    /// Its events, [`MAX_EVENT_TICKS`] at most.
    pub events: Vec<f64>,
}

impl SpanTimes {
    pub fn of(a: &Analyzed, span: u32) -> Option<SpanTimes> {
        let s = a.trace.spans.get(span as usize)?;
        let rel = |ns: i64| (ns - a.start_ns) as f64;
        Some(SpanTimes {
            depth: a.tree.depth.get(span as usize).copied().unwrap_or(0),
            start: rel(s.start_ns),
            end: rel(s.end_ns()),
            sections: a
                .sections_of(span)
                .map(|c| (rel(c.start_ns), rel(c.end_ns)))
                .collect(),
            events: a.trace.events[s.events.range()]
                .iter()
                .take(MAX_EVENT_TICKS)
                .map(|e| rel(e.time_ns))
                .collect(),
        })
    }
}

/// An event marked on the selected span's bar: its time and its tooltip.
#[derive(Clone, Debug, PartialEq)]
pub struct EventMark {
    /// ns since the trace start.
    pub t: f64,
    /// `retry at 100ms (90ms into the span)`: the event's name and time, since the trace start and since the span's.
    pub title: String,
}

/// The markers of span `span`'s events ([`MAX_EVENT_MARKS`] at most), placed with [`Frame::mark_places`].
pub fn event_marks(a: &Analyzed, span: u32) -> Vec<EventMark> {
    let Some(s) = a.trace.spans.get(span as usize) else {
        return Vec::new();
    };
    a.trace
        .events
        .get(s.events.range())
        .unwrap_or(&[])
        .iter()
        .take(MAX_EVENT_MARKS)
        .map(|e| {
            let name = a.trace.str(e.name);
            let t = e.time_ns.saturating_sub(a.start_ns) as f64;
            let into = e.time_ns.saturating_sub(s.start_ns) as f64;
            EventMark {
                t,
                title: format!(
                    "{} at {} ({} into the span)",
                    if name.is_empty() { "event" } else { name },
                    format_duration(t),
                    format_duration(into)
                ),
            }
        })
        .collect()
}

/// A sibling group's times relative to the trace start (ns), its members' in start order, and its depth.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupTimes {
    pub depth: u32,
    pub start: f64,
    pub end: f64,
    /// [`MAX_GROUP_MARKS`] members at most.
    pub marks: Vec<(f64, f64)>,
}

impl GroupTimes {
    pub fn of(a: &Analyzed, g: u32) -> Option<GroupTimes> {
        let grp = a.groups.get(g as usize)?;
        let rel = |ns: i64| (ns - a.start_ns) as f64;
        let mut marks: Vec<(f64, f64)> = grp
            .members
            .iter()
            .take(MAX_GROUP_MARKS)
            .filter_map(|&m| a.trace.spans.get(m as usize))
            .map(|s| (rel(s.start_ns), rel(s.end_ns())))
            .collect();
        marks.sort_by(|a, b| a.0.total_cmp(&b.0));
        Some(GroupTimes {
            depth: a.tree.depth.get(grp.parent as usize).copied().unwrap_or(0) + 1,
            start: rel(grp.start_ns),
            end: rel(grp.end_ns),
            marks,
        })
    }
}

/// Labels for a span's key attributes, in this order: HTTP method, HTTP status (5xx marked bad), db.system,
/// rpc.system, messaging.system; four at most.
pub fn pills(a: &Analyzed, span: u32) -> Vec<Pill> {
    let t = &a.trace;
    let text = |k: &str| -> Option<String> {
        t.find_attr(span, k).map(|v| match v {
            Value::Str(s) => t.str(*s).to_string(),
            other => t.value_text(other),
        })
    };
    let mut out = Vec::new();
    if let Some(m) = text("http.request.method").or_else(|| text("http.method")) {
        out.push(Pill {
            label: m,
            bad: false,
        });
    }
    if let Some(c) = text("http.response.status_code").or_else(|| text("http.status_code")) {
        let bad = c.parse::<i64>().is_ok_and(|n| n >= 500);
        out.push(Pill { label: c, bad });
    }
    for k in ["db.system", "rpc.system", "messaging.system"] {
        if let Some(v) = text(k) {
            out.push(Pill {
                label: v,
                bad: false,
            });
        }
    }
    out.truncate(4);
    out
}

/// A span's duration as its row shows it.
pub fn duration_text(a: &Analyzed, span: u32) -> String {
    a.trace
        .spans
        .get(span as usize)
        .map(|s| format_duration(s.duration_ns as f64))
        .unwrap_or_default()
}

/// The mark drawn between a span's service and operation for its kind.
pub fn kind_mark(k: crate::model::SpanKind) -> &'static str {
    use crate::model::SpanKind;
    match k {
        SpanKind::Server => "⇥",
        SpanKind::Client => "↦",
        SpanKind::Producer => "⇡",
        SpanKind::Consumer => "⇣",
        _ => "",
    }
}

/// A sibling group row's label ("16 × email: INSERT orders") and its total ("total 41ms").
pub fn group_label(a: &Analyzed, g: u32) -> Option<(String, String)> {
    let grp = a.groups.get(g as usize)?;
    let t = &a.trace;
    let label = format!(
        "{} × {}: {}",
        grp.members.len(),
        t.sym(grp.service),
        t.sym(grp.operation)
    );
    Some((
        label,
        format!("total {}", format_duration(grp.total_ns as f64)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::formats::load;

    /// Two spans by hand: the root lasts 100 ms, its child starts 50 ms in and lasts 10 ms, with GET and 503.
    fn two_spans() -> Analyzed {
        let json = r#"{"data":[{"traceID":"t1","spans":[
            {"traceID":"t1","spanID":"a","operationName":"root","startTime":1000000,"duration":100000,"processID":"p1",
             "references":[],"tags":[]},
            {"traceID":"t1","spanID":"b","operationName":"call","startTime":1050000,"duration":10000,"processID":"p1",
             "references":[{"refType":"CHILD_OF","traceID":"t1","spanID":"a"}],
             "tags":[{"key":"http.method","type":"string","value":"GET"},
                     {"key":"http.status_code","type":"int64","value":503}]}],
            "processes":{"p1":{"serviceName":"api","tags":[]}}}]}"#;
        let loaded = load("two.json", json.as_bytes()).expect("valid Jaeger JSON");
        let t = loaded.traces.into_iter().next().expect("one trace");
        analyze(t)
    }

    fn frame() -> Frame {
        // 600 px wide, a 200 px name column: a timeline of 388 px showing the whole 100 ms.
        Frame {
            width: 600.0,
            name_w: 200.0,
            window: TimeWindow::full(100_000_000),
        }
    }

    #[test]
    fn a_child_is_indented_and_its_bar_starts_where_its_time_does() {
        let a = two_spans();
        let f = frame();
        assert_eq!(f.timeline_width(), 388.0);
        let root = f.span_row(&a, 0, "100ms", &[]).expect("row");
        assert_eq!((root.indent, root.bar_x, root.bar_w), (8.0, 0.0, 388.0));
        assert!(root.guides.is_empty());
        // The root's bar fills the timeline: its duration goes inside the bar's right end.
        assert!(root.duration.inside);
        let child = f.span_row(&a, 1, "10ms", &pills(&a, 1)).expect("row");
        assert_eq!(child.indent, 22.0);
        assert_eq!(child.guides, vec![13.0]);
        assert_eq!(child.bar_x, 194.0);
        assert!((child.bar_w - 38.8).abs() < 1e-9);
        assert_eq!(child.duration.anchor, "start");
        assert!((child.duration.x - 237.8).abs() < 1e-9);
    }

    #[test]
    fn pills_follow_the_duration_and_stop_at_the_timeline_end() {
        let a = two_spans();
        let p = pills(&a, 1);
        assert_eq!(
            p,
            vec![
                Pill {
                    label: "GET".into(),
                    bad: false
                },
                Pill {
                    label: "503".into(),
                    bad: true
                }
            ]
        );
        let child = frame().span_row(&a, 1, "10ms", &p).expect("row");
        // "10ms" is 4 characters: the first pill starts 4 × 6.8 + 8 px after the duration's x.
        let first = 237.8 + 27.2 + 8.0;
        assert_eq!(child.pills.len(), 2);
        assert!((child.pills[0].0 - first).abs() < 1e-9);
        assert!((child.pills[1].0 - (first + 3.0 * 6.2 + 10.0 + 4.0)).abs() < 1e-9);
        // Narrower, the duration fits on neither side of the bar and goes inside it: no pills then.
        let narrow = Frame {
            width: 330.0,
            ..frame()
        };
        let row = narrow.span_row(&a, 1, "10ms", &p).expect("row");
        assert!(row.pills.is_empty());
    }

    #[test]
    fn deep_rows_stop_indenting_where_the_name_column_ends() {
        let f = frame();
        assert_eq!(f.indent(2), 36.0);
        // 200 px column: the label keeps at least 120 px.
        assert_eq!(f.indent(10), 80.0);
        assert_eq!(f.indent(1_000_000), 80.0);
    }
}
