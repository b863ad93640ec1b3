//! A coarse picture of the frame for comparing consecutive frames: the mean luma of each
//! cell of a [`SIDE`] x [`SIDE`] grid, from every second row.

/// Cells per side of the grid.
pub const SIDE: usize = 16;
/// Cells in a thumbnail, row-major.
pub const CELLS: usize = SIDE * SIDE;

use crate::analysis::frame::plane::LumaPlane;

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
                Some(r) => byte_sum(&r[a..b]) as f64,
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

/// Sum of `bytes`; on x86_64, 16 at a time with SSE2's sum of absolute differences from 0.
#[inline(always)]
fn byte_sum(bytes: &[u8]) -> u32 {
    // SAFETY: every x86_64 CPU has SSE2.
    #[cfg(target_arch = "x86_64")]
    return unsafe { sse2::byte_sum(bytes) };
    #[cfg(not(target_arch = "x86_64"))]
    bytes.iter().map(|&v| v as u32).sum()
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// [`super::byte_sum`] (SSE2 is part of x86_64).
    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn byte_sum(bytes: &[u8]) -> u32 {
        let blocks = bytes.chunks_exact(16);
        let rest = blocks.remainder();
        let mut sums = _mm_setzero_si128();
        for b in blocks {
            // SAFETY: `b` holds 16 bytes; unaligned loads are allowed.
            let v = unsafe { _mm_loadu_si128(b.as_ptr() as *const __m128i) };
            sums = _mm_add_epi64(sums, _mm_sad_epu8(v, _mm_setzero_si128()));
        }
        // Then 8 bytes, if as many are left, and the last few one by one.
        let (eight, few) = rest.split_at(rest.len() / 8 * 8);
        if let Ok(e) = <[u8; 8]>::try_from(eight) {
            let v = _mm_set_epi64x(0, i64::from_le_bytes(e));
            sums = _mm_add_epi64(sums, _mm_sad_epu8(v, _mm_setzero_si128()));
        }
        let tail: u32 = few.iter().map(|&v| v as u32).sum();
        let mut halves = [0u64; 2];
        // SAFETY: `halves` has room for 16 bytes.
        unsafe { _mm_storeu_si128(halves.as_mut_ptr() as *mut __m128i, sums) };
        tail + (halves[0] + halves[1]) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sums_equal_the_plain_sum() {
        let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 256) as u8).collect();
        for n in [0, 1, 8, 15, 16, 17, 31, 33, 44, 120, 4096, 5000] {
            let plain: u32 = bytes[..n].iter().map(|&v| v as u32).sum();
            assert_eq!(byte_sum(&bytes[..n]), plain, "{n}");
        }
        assert_eq!(byte_sum(&[255; 70_000]), 255 * 70_000);
    }

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
