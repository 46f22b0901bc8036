//! The rows in view, the axis and a title, as one standalone SVG document (styled inline, every trace text escaped):
//! the SVG export, and the PNG export's source. Drawn from [`super::geometry`], as the screen is.

use super::bar_labels::{bar_label_text, BarLabel};
use super::geometry::{group_label, kind_mark, pills, Frame, LABEL_GAP, ROW_H};
use super::{ticks, xml_escape, ServiceColors, GROUP_ROW};
use crate::analysis::Analyzed;
use crate::text::format_duration;

/// Height of the axis, px.
const AXIS: f64 = 30.0;
/// Height of the title, px.
const HEAD: f64 = 34.0;

/// The colors of a theme.
pub struct Palette {
    pub background: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
    pub critical: &'static str,
    pub error: &'static str,
}

pub const LIGHT: Palette = Palette {
    background: "#ffffff",
    text: "#1d2330",
    muted: "#667085",
    grid: "#e2e6ec",
    critical: "#1d2330",
    error: "#d92d20",
};

pub const DARK: Palette = Palette {
    background: "#161a22",
    text: "#e4e7ec",
    muted: "#98a2b3",
    grid: "#2a303c",
    critical: "#f5f7fa",
    error: "#f97066",
};

/// What an export draws.
pub struct Picture<'a> {
    pub analyzed: &'a Analyzed,
    /// The rows in view, as `layout::rows` gives them (span indices, and `GROUP_ROW | g` for group rows).
    pub rows: &'a [u32],
    pub frame: Frame,
    pub colors: &'a ServiceColors,
    pub palette: &'a Palette,
    pub show_critical: bool,
    /// What shows beside each bar, as on screen.
    pub label: &'a BarLabel,
}

/// The SVG document, with its width and height.
pub fn view_svg(p: &Picture) -> (String, f64, f64) {
    let width = p.frame.width;
    let height = HEAD + AXIS + p.rows.len() as f64 * ROW_H + 8.0;
    let c = p.palette;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, 'Liberation Sans', sans-serif" font-size="12"><rect width="100%" height="100%" fill="{}"/>"#,
        c.background
    );
    s.push_str(&format!(
        r#"<text x="12" y="22" font-size="15" font-weight="600" fill="{}">{}</text>"#,
        c.text,
        xml_escape(&title(p.analyzed))
    ));
    let name_w = p.frame.name_w;
    for tk in ticks(&p.frame.window, p.frame.timeline_width(), 90.0) {
        let x = name_w + tk.x;
        s.push_str(&format!(
            r#"<line x1="{x}" x2="{x}" y1="{HEAD}" y2="{height}" stroke="{}"/><text x="{}" y="{}" fill="{}" font-size="11">{}</text>"#,
            c.grid,
            x + 4.0,
            HEAD + 18.0,
            c.muted,
            xml_escape(&tk.label)
        ));
    }
    for (k, &row) in p.rows.iter().enumerate() {
        let y = HEAD + AXIS + k as f64 * ROW_H;
        s.push_str(&format!(r#"<g transform="translate(0,{y})">"#));
        if row & GROUP_ROW != 0 {
            group_row(&mut s, p, row & !GROUP_ROW);
        } else {
            span_row(&mut s, p, row);
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    (s, width, height)
}

/// "service: operation — duration" of the trace's root.
fn title(a: &Analyzed) -> String {
    let t = &a.trace;
    a.root
        .map(|r| {
            format!(
                "{}: {} — {}",
                t.service(r),
                t.operation(r),
                format_duration(a.duration_ns() as f64)
            )
        })
        .unwrap_or_default()
}

fn span_row(s: &mut String, p: &Picture, i: u32) {
    let (a, c, name_w) = (p.analyzed, p.palette, p.frame.name_w);
    let t = &a.trace;
    let Some(sp) = t.spans.get(i as usize) else {
        return;
    };
    let duration = bar_label_text(a, i, p.label);
    let pill_list = pills(a, i);
    let Some(g) = p.frame.span_row(a, i, &duration, &pill_list) else {
        return;
    };
    let color = p.colors.span(t, i);
    let kind = kind_mark(sp.kind);
    s.push_str(&format!(
        r#"<text x="{}" y="17.5" fill="{}">{}<tspan fill="{color}" font-weight="600">{}</tspan> {}{}</text>"#,
        g.indent + LABEL_GAP,
        c.text,
        if sp.is_error() { "⚠ " } else { "" },
        xml_escape(t.service(i)),
        if kind.is_empty() { String::new() } else { format!("{kind} ") },
        xml_escape(t.operation(i)),
    ));
    let stroke = if sp.is_error() {
        format!(r#" stroke="{}" stroke-width="2""#, c.error)
    } else {
        String::new()
    };
    s.push_str(&format!(
        r#"<rect x="{}" y="6" width="{}" height="12" rx="2" fill="{color}" fill-opacity="0.85"{stroke}/>"#,
        name_w + g.bar_x,
        g.bar_w,
    ));
    if p.show_critical {
        for (x, w) in &g.sections {
            s.push_str(&format!(
                r#"<rect x="{}" y="19" width="{w}" height="3" fill="{}"/>"#,
                name_w + x,
                c.critical
            ));
        }
    }
    for x in &g.events {
        let x = name_w + x;
        s.push_str(&format!(
            r#"<line x1="{x}" x2="{x}" y1="6" y2="18" stroke="{}"/>"#,
            c.text
        ));
    }
    for ((x, w), pill) in g.pills.iter().zip(&pill_list) {
        let fill = if pill.bad { c.error } else { c.muted };
        s.push_str(&format!(
            r#"<rect x="{}" y="5" width="{w}" height="15" rx="7" fill="none" stroke="{fill}"/><text x="{}" y="16" fill="{fill}" font-size="11">{}</text>"#,
            name_w + x,
            name_w + x + 5.0,
            xml_escape(&pill.label)
        ));
    }
    s.push_str(&format!(
        r#"<text x="{}" y="16.5" text-anchor="{}" fill="{}" font-size="11">{}</text>"#,
        name_w + g.duration.x,
        g.duration.anchor,
        if g.duration.inside {
            c.background
        } else {
            c.muted
        },
        xml_escape(&duration)
    ));
}

fn group_row(s: &mut String, p: &Picture, g: u32) {
    let (a, c, name_w) = (p.analyzed, p.palette, p.frame.name_w);
    let (Some(grp), Some(geo), Some((label, total))) = (
        a.groups.get(g as usize),
        p.frame.group_row(a, g),
        group_label(a, g),
    ) else {
        return;
    };
    let color = p.colors.sym(grp.service);
    let total_color = if grp.errors > 0 { c.error } else { c.muted };
    s.push_str(&format!(
        r#"<text x="{}" y="17.5" fill="{}">▸ <tspan fill="{color}" font-weight="600">{}</tspan><tspan dx="6" fill="{total_color}">{}</tspan></text>"#,
        geo.indent,
        c.text,
        xml_escape(&label),
        xml_escape(&total)
    ));
    s.push_str(&format!(
        r#"<g transform="translate({name_w},0)"><rect x="{}" y="5" width="{}" height="14" rx="2" fill="{color}" fill-opacity="0.35"/><path d="{}" fill="{color}"/></g>"#,
        geo.band_x, geo.band_w, geo.marks
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::geometry::duration_text;
    use crate::layout::{rows, RowView, TimeWindow};

    fn demo() -> Analyzed {
        let d = &crate::demo::DEMOS[0];
        let loaded = crate::formats::load(d.name, d.json.as_bytes()).expect("the demo parses");
        let t = loaded.traces.into_iter().next().expect("one trace");
        crate::analysis::analyze(t)
    }

    fn picture_of<'a>(a: &'a Analyzed, rows: &'a [u32], colors: &'a ServiceColors) -> Picture<'a> {
        Picture {
            analyzed: a,
            rows,
            frame: Frame {
                width: 1000.0,
                name_w: 340.0,
                window: TimeWindow::full(a.duration_ns()),
            },
            colors,
            palette: &LIGHT,
            show_critical: true,
            label: &BarLabel::Duration,
        }
    }

    #[test]
    fn an_exported_view_holds_its_group_rows() {
        let a = demo();
        let colors = ServiceColors::new(&a.trace);
        let (collapsed, expanded) = (
            vec![false; a.trace.spans.len()],
            vec![false; a.groups.len()],
        );
        let view = RowView {
            collapsed: &collapsed,
            expanded_groups: &expanded,
            ..RowView::default()
        };
        let all = rows(&a, &view);
        let groups: Vec<u32> = all.iter().copied().filter(|r| r & GROUP_ROW != 0).collect();
        assert!(!groups.is_empty(), "the demo folds repeated siblings");
        // A view of group rows only is not an empty axis: each shows its label and band.
        let (svg, _, height) = view_svg(&picture_of(&a, &groups, &colors));
        let (label, total) = group_label(&a, groups[0] & !GROUP_ROW).expect("a group");
        // By hand: dispatch calls routing.ComputeETA eight times under one parent in the demo.
        assert_eq!(label, "8 × dispatch: routing.ComputeETA");
        assert!(svg.contains(&xml_escape(&label)) && svg.contains(&total));
        assert_eq!(svg.matches(r#"height="14" rx="2""#).count(), groups.len());
        assert_eq!(height, 34.0 + 30.0 + groups.len() as f64 * 26.0 + 8.0);
    }

    #[test]
    fn every_span_row_has_its_bar_and_duration() {
        let a = demo();
        let colors = ServiceColors::new(&a.trace);
        let spans: Vec<u32> = vec![0, 1, 2];
        let (svg, _, _) = view_svg(&picture_of(&a, &spans, &colors));
        assert_eq!(svg.matches(r#"height="12" rx="2""#).count(), 3);
        for &i in &spans {
            assert!(svg.contains(&xml_escape(a.trace.operation(i))));
            assert!(svg.contains(&format!(">{}</text>", duration_text(&a, i))));
        }
    }

    #[test]
    fn an_exported_view_labels_its_bars_as_the_screen_does() {
        let a = demo();
        let colors = ServiceColors::new(&a.trace);
        let spans: Vec<u32> = vec![0, 1, 2];
        for (label, shown) in [(BarLabel::Nothing, 0), (BarLabel::SelfTime, 3)] {
            let picture = Picture {
                label: &label,
                ..picture_of(&a, &spans, &colors)
            };
            let (svg, _, _) = view_svg(&picture);
            assert_eq!(svg.matches(">self ").count(), shown, "{label:?}");
            for &i in &spans {
                let duration = format!(">{}</text>", duration_text(&a, i));
                assert!(!svg.contains(&duration), "{label:?}: {duration}");
            }
        }
    }
}
