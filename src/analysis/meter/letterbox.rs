//! Letterbox and pillarbox bars: uniform rows at the top and bottom and uniform columns at
//! the left and right of a plane, found from each edge inwards.
//!
//! A line (row or column) belongs to a bar when it is dark (mean at most [`BAR_LEVEL`]), its
//! samples vary by at most [`BAR_SD`] (standard deviation, 8-bit levels) and its mean is
//! within [`BAR_MEAN`] of the mean of the outermost line on that side, and the bar counts only
//! when the first line past it is textured (standard deviation above [`BAR_SD`]): uniform
//! bright lines (a clear sky at the top of a photo) and the dark end of a smooth gradient are
//! picture, not bars. Whatever lies inside the bars is the active area. When the
//! active area would be under [`MIN_ACTIVE`] of the plane on either axis (a frame that is
//! mostly uniform, such as black with a line of text), there are no bars: the whole plane is
//! active.

use crate::analysis::frame::plane::LumaPlane;
use crate::analysis::frame::rect::Rect;

/// Highest mean of a bar's line, 8-bit levels (black is 0, or 16 in limited range).
pub const BAR_LEVEL: f64 = 40.0;
/// Largest standard deviation of a bar's line, 8-bit levels.
pub const BAR_SD: f64 = 2.5;
/// Largest difference of a bar line's mean from the outermost line's, 8-bit levels.
pub const BAR_MEAN: f64 = 6.0;
/// Least share of each axis the active area keeps.
pub const MIN_ACTIVE: f64 = 0.25;

/// Reusable line memory.
#[derive(Debug, Default)]
pub struct LetterboxScratch {
    line: Vec<f32>,
}

/// Mean and standard deviation of `v`.
fn mean_sd(v: &[f32]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Number of bar lines from one edge: `read(i, line)` writes the `i`-th line from that edge.
fn bar_lines(count: usize, line: &mut [f32], mut read: impl FnMut(usize, &mut [f32])) -> usize {
    let mut edge_mean = None;
    for i in 0..count {
        read(i, line);
        let (mean, sd) = mean_sd(line);
        let edge = *edge_mean.get_or_insert(mean);
        if mean > BAR_LEVEL || sd > BAR_SD || (mean - edge).abs() > BAR_MEAN {
            return if sd > BAR_SD { i } else { 0 };
        }
    }
    count
}

/// The active area of `plane`, in its coordinates.
pub fn active_area(plane: &LumaPlane, scratch: &mut LetterboxScratch) -> Rect {
    let (w, h) = (plane.width(), plane.height());
    let full = Rect::full(w, h);
    let line = &mut scratch.line;
    line.resize(w, 0.0);
    let top = bar_lines(h, line, |i, out| plane.row_f32(i, out));
    if top == h {
        return full;
    }
    let bottom = bar_lines(h - top, line, |i, out| plane.row_f32(h - 1 - i, out));
    let rows = h - top - bottom;
    line.resize(rows, 0.0);
    let inner = plane
        .crop(Rect::new(0, top, w, rows))
        .expect("rows between the bars lie within the plane");
    let left = bar_lines(w, line, |i, out| inner.column_f32(i, out));
    let right = bar_lines(w - left, line, |i, out| inner.column_f32(w - 1 - i, out));
    let columns = w - left - right;
    let area = Rect::new(left, top, columns, rows);
    let keeps = |n: usize, of: usize| n as f64 >= MIN_ACTIVE * of as f64;
    if keeps(columns, w) && keeps(rows, h) {
        area
    } else {
        full
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` x `h` plane of `bar` with a noisy picture in `area`.
    fn framed(w: usize, h: usize, area: Rect, bar: u8) -> Vec<u8> {
        (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let inside = (area.x..area.x + area.width).contains(&x)
                    && (area.y..area.y + area.height).contains(&y);
                if inside {
                    ((x * 37 + y * 91) % 200) as u8 + 20
                } else {
                    bar
                }
            })
            .collect()
    }

    fn area_of(data: &[u8], w: usize, h: usize) -> Rect {
        let plane = LumaPlane::new_u8(data, w, h, w).unwrap();
        active_area(&plane, &mut LetterboxScratch::default())
    }

    #[test]
    fn letterbox_and_pillarbox_bars_are_left_out() {
        let letterbox = Rect::new(0, 30, 160, 60);
        assert_eq!(
            area_of(&framed(160, 120, letterbox, 16), 160, 120),
            letterbox
        );
        let pillarbox = Rect::new(20, 0, 100, 90);
        assert_eq!(area_of(&framed(140, 90, pillarbox, 0), 140, 90), pillarbox);
        let both = Rect::new(7, 5, 50, 41);
        assert_eq!(area_of(&framed(64, 50, both, 30), 64, 50), both);
        // Uniform bright edges (a clear sky) are picture.
        let all = Rect::full(64, 50);
        assert_eq!(area_of(&framed(64, 50, both, 200), 64, 50), all);
    }

    #[test]
    fn a_picture_without_bars_is_active_everywhere() {
        let all = Rect::full(64, 48);
        assert_eq!(area_of(&framed(64, 48, all, 0), 64, 48), all);
        // A uniform frame, and one that is uniform but for a small patch, have no bars.
        assert_eq!(area_of(&[40; 64 * 48], 64, 48), all);
        let patch = Rect::new(30, 20, 8, 8);
        assert_eq!(area_of(&framed(64, 48, patch, 0), 64, 48), all);
    }

    #[test]
    fn a_bar_must_end_at_texture() {
        // A black band, then a uniform gray band, then the picture: no bar.
        let mut data = framed(64, 64, Rect::new(0, 20, 64, 44), 0);
        for v in &mut data[10 * 64..20 * 64] {
            *v = 128;
        }
        assert_eq!(area_of(&data, 64, 64), Rect::full(64, 64));
        // A smooth dark-to-bright gradient has no bar at its dark end.
        let ramp: Vec<u8> = (0..64 * 64).map(|i| ((i % 64) * 4) as u8).collect();
        assert_eq!(area_of(&ramp, 64, 64), Rect::full(64, 64));
    }
}
