//! The overview's arithmetic, without the web: its density as pixels, and where the brush goes.

use crate::layout::{TimeWindow, MIN_WINDOW_NS};

/// What the pointer is dragging in the overview.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Drag {
    /// The whole brush, held `grab` ns after its start.
    Move {
        grab: f64,
    },
    Left,
    Right,
}

/// The window once `drag` has brought the pointer to time `t` (of a trace `total` ns long), from window `w`.
pub fn dragged_window(drag: Drag, t: f64, w: TimeWindow, total: f64) -> TimeWindow {
    match drag {
        Drag::Move { grab } => TimeWindow {
            start: t - grab,
            end: t - grab + w.width(),
        }
        .clamped(total),
        Drag::Left => TimeWindow::between(t.min(w.end - MIN_WINDOW_NS), w.end, total),
        Drag::Right => TimeWindow::between(w.start, t.max(w.start + MIN_WINDOW_NS), total),
    }
}

/// Window `w` moved to be centred on time `t`, inside the trace.
pub fn centred_window(t: f64, w: TimeWindow, total: f64) -> TimeWindow {
    let half = w.width() / 2.0;
    TimeWindow {
        start: t - half,
        end: t + half,
    }
    .clamped(total)
}

/// The brush's left edge and width, px, for window `w` on an overview `px` wide; never too thin to grab.
pub fn brush_place(w: TimeWindow, total: f64, px: f64) -> (f64, f64) {
    (w.start / total * px, (w.width() / total * px).max(4.0))
}

/// The density grid (`layout::minimap_density`) as RGBA pixels, `cells` of them: empty cells clear, the others in
/// the accent color, more opaque where more spans are.
pub fn density_pixels(density: &[u32], cells: usize, dark: bool) -> Vec<u8> {
    let max = density.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (r, g, b) = if dark {
        (110u8, 160u8, 255u8)
    } else {
        (47u8, 111u8, 228u8)
    };
    let mut px = vec![0u8; cells * 4];
    for (p, &d) in px.chunks_exact_mut(4).zip(density) {
        if d > 0 {
            let alpha = 70.0 + 185.0 * ((d as f64).ln_1p() / max.ln_1p());
            p.copy_from_slice(&[r, g, b, alpha as u8]);
        }
    }
    px
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: TimeWindow = TimeWindow {
        start: 200.0,
        end: 400.0,
    };

    #[test]
    fn moving_keeps_the_width_inside_the_trace() {
        let w = dragged_window(Drag::Move { grab: 50.0 }, 350.0, W, 1000.0);
        assert_eq!((w.start, w.end), (300.0, 500.0));
        let w = dragged_window(Drag::Move { grab: 50.0 }, 1000.0, W, 1000.0);
        assert_eq!((w.start, w.end), (800.0, 1000.0));
    }

    #[test]
    fn an_edge_stops_short_of_the_other() {
        let w = dragged_window(Drag::Left, 390.0, W, 1000.0);
        assert_eq!((w.start, w.end), (300.0, 400.0));
        let w = dragged_window(Drag::Right, 250.0, W, 1000.0);
        assert_eq!((w.start, w.end), (200.0, 300.0));
        let w = dragged_window(Drag::Right, 700.0, W, 1000.0);
        assert_eq!((w.start, w.end), (200.0, 700.0));
    }

    #[test]
    fn centring_stays_inside_the_trace() {
        let w = centred_window(500.0, W, 1000.0);
        assert_eq!((w.start, w.end), (400.0, 600.0));
        let w = centred_window(20.0, W, 1000.0);
        assert_eq!((w.start, w.end), (0.0, 200.0));
    }

    #[test]
    fn the_brush_never_gets_too_thin() {
        assert_eq!(brush_place(W, 1000.0, 500.0), (100.0, 100.0));
        let thin = TimeWindow {
            start: 0.0,
            end: 1.0,
        };
        assert_eq!(brush_place(thin, 1000.0, 500.0), (0.0, 4.0));
    }

    #[test]
    fn empty_cells_stay_clear_and_the_busiest_is_most_opaque() {
        let px = density_pixels(&[0, 1, 3], 3, false);
        assert_eq!(px.len(), 12);
        assert_eq!(&px[..4], &[0, 0, 0, 0]);
        assert_eq!(&px[4..7], &[47, 111, 228]);
        assert!(px[7] >= 70 && px[7] < px[11]);
        assert_eq!(px[11], 255);
        assert_eq!(density_pixels(&[], 2, true), vec![0; 8]);
    }
}
