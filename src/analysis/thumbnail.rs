//! A coarse picture of the frame for comparing consecutive frames: the mean luma of each
//! cell of a [`SIDE`] x [`SIDE`] grid, from every second row.

/// Cells per side of the grid.
pub const SIDE: usize = 16;
/// Cells in a thumbnail, row-major.
pub const CELLS: usize = SIDE * SIDE;

use super::plane::LumaPlane;

/// Mean luma (8-bit range) per cell, row-major.
pub type Thumbnail = [f32; CELLS];

/// Reusable row memory.
#[derive(Debug, Default)]
pub struct ThumbnailScratch {
    row: Vec<f32>,
    sums: Vec<f64>,
    counts: Vec<u32>,
}

/// Fills `out` with the thumbnail of `plane`; cells that no sample falls in (frames under
/// [`SIDE`] pixels on a side) take the mean of the frame.
pub fn thumbnail(plane: &LumaPlane, scratch: &mut ThumbnailScratch, out: &mut Thumbnail) {
    let (w, h) = (plane.width(), plane.height());
    let ThumbnailScratch { row, sums, counts } = scratch;
    sums.clear();
    sums.resize(CELLS, 0.0);
    counts.clear();
    counts.resize(CELLS, 0);
    row.resize(w, 0.0);
    // Column x belongs to cell x * SIDE / w: cell c spans ceil(c * w / SIDE) onwards.
    let bounds: [usize; SIDE + 1] = std::array::from_fn(|c| (c * w).div_ceil(SIDE));
    for y in (0..h).step_by(2) {
        let first = (y * SIDE / h) * SIDE;
        // 8-bit spans are summed as integers: the f32 sum of at most 2^16 8-bit values is exact,
        // so both paths agree.
        let bytes = plane.row_u8(y);
        if bytes.is_none() {
            plane.row_f32(y, row);
        }
        for c in 0..SIDE {
            let (a, b) = (bounds[c], bounds[c + 1]);
            sums[first + c] += match bytes {
                Some(r) => r[a..b].iter().map(|&v| v as u32).sum::<u32>() as f64,
                None => row[a..b].iter().sum::<f32>() as f64,
            };
            counts[first + c] += (b - a) as u32;
        }
    }
    let total: f64 = sums.iter().sum();
    let n: u32 = counts.iter().sum();
    let mean = if n > 0 { total / n as f64 } else { 0.0 };
    for ((o, &s), &c) in out.iter_mut().zip(sums.iter()).zip(counts.iter()) {
        *o = if c > 0 {
            (s / c as f64) as f32
        } else {
            mean as f32
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_hold_the_mean_of_their_area() {
        // Left half 0, right half 200.
        let (w, h) = (64, 32);
        let data: Vec<u8> = (0..w * h)
            .map(|i| if i % w < w / 2 { 0 } else { 200 })
            .collect();
        let plane = LumaPlane::new_u8(&data, w, h, w).unwrap();
        let mut t = [0.0; CELLS];
        thumbnail(&plane, &mut ThumbnailScratch::default(), &mut t);
        for r in 0..SIDE {
            for c in 0..SIDE {
                let want = if c < SIDE / 2 { 0.0 } else { 200.0 };
                assert_eq!(t[r * SIDE + c], want, "cell {r},{c}");
            }
        }
    }

    #[test]
    fn tiny_frames_fill_every_cell() {
        let data = [10u8, 20, 30, 40, 50, 60];
        let plane = LumaPlane::new_u8(&data, 3, 2, 3).unwrap();
        let mut t = [f32::NAN; CELLS];
        thumbnail(&plane, &mut ThumbnailScratch::default(), &mut t);
        assert!(t.iter().all(|v| v.is_finite()));
    }
}
