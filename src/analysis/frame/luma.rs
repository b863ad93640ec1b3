//! Luma plane views over raw frame bytes: borrowed where the samples are contiguous,
//! converted into reusable scratch memory otherwise (packed YUV, RGB, unaligned 16-bit).

use super::plane::{LumaPlane, PlaneError};

/// Where the luma samples are in a frame's bytes. Offsets are relative to the data slice start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LumaLayout {
    /// One byte per sample, `pixel_stride` bytes apart (1 for planar Y, 2 for YUY2-like).
    Bytes { pixel_stride: usize },
    /// Little-endian 16-bit samples, `pixel_stride` bytes apart; values are divided by
    /// `2^scale_shift` to reach the 8-bit range.
    Words {
        pixel_stride: usize,
        scale_shift: u32,
    },
    /// 8-bit R, G and B at byte offsets within a pixel of `pixel_stride` bytes; luma is
    /// BT.601 in OpenCV's RGB2GRAY integer form.
    Rgb {
        r: usize,
        g: usize,
        b: usize,
        pixel_stride: usize,
    },
}

impl LumaLayout {
    /// Packed 8-bit RGB, three bytes a pixel.
    pub const PACKED_RGB: LumaLayout = LumaLayout::Rgb {
        r: 0,
        g: 1,
        b: 2,
        pixel_stride: 3,
    };

    fn pixel_stride(&self) -> usize {
        match *self {
            LumaLayout::Bytes { pixel_stride }
            | LumaLayout::Words { pixel_stride, .. }
            | LumaLayout::Rgb { pixel_stride, .. } => pixel_stride,
        }
    }

    /// Bytes a pixel's samples reach past its first byte, plus one.
    fn sample_extent(&self) -> usize {
        match *self {
            LumaLayout::Bytes { .. } => 1,
            LumaLayout::Words { .. } => 2,
            LumaLayout::Rgb { r, g, b, .. } => r.max(g).max(b) + 1,
        }
    }
}

/// Memory reused across frames for layouts that need conversion.
#[derive(Debug, Default)]
pub struct LumaScratch {
    bytes: Vec<u8>,
    words: Vec<u16>,
}

/// OpenCV's RGB2GRAY for 8-bit: fixed point with 14 fractional bits, rounded.
#[inline]
pub fn rgb_to_luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 4899 + g as u32 * 9617 + b as u32 * 1868 + (1 << 13)) >> 14) as u8
}

/// Builds the luma plane of a frame. `stride` is in bytes.
pub fn luma_plane<'a>(
    data: &'a [u8],
    width: usize,
    height: usize,
    stride: usize,
    layout: LumaLayout,
    scratch: &'a mut LumaScratch,
) -> Result<LumaPlane<'a>, PlaneError> {
    if width == 0 || height == 0 {
        return Err(PlaneError::Empty);
    }
    let ps = layout.pixel_stride();
    let row_bytes = (width - 1)
        .checked_mul(ps)
        .and_then(|n| n.checked_add(layout.sample_extent()))
        .unwrap_or(usize::MAX);
    if stride < row_bytes {
        return Err(PlaneError::StrideTooSmall {
            width: row_bytes,
            stride,
        });
    }
    let needed = stride
        .checked_mul(height - 1)
        .and_then(|n| n.checked_add(row_bytes))
        .unwrap_or(usize::MAX);
    if data.len() < needed {
        return Err(PlaneError::TooShort {
            needed,
            got: data.len(),
        });
    }
    let rows = (0..height).map(|y| &data[y * stride..y * stride + row_bytes]);
    match layout {
        LumaLayout::Bytes { pixel_stride: 1 } => LumaPlane::new_u8(data, width, height, stride),
        LumaLayout::Bytes { pixel_stride } => {
            let out = &mut scratch.bytes;
            out.clear();
            for row in rows {
                out.extend(row.iter().step_by(pixel_stride));
            }
            LumaPlane::new_u8(out, width, height, width)
        }
        LumaLayout::Words {
            pixel_stride,
            scale_shift,
        } => {
            if let Some(words) = borrow_words(data, stride, pixel_stride) {
                return LumaPlane::new_u16(words, width, height, stride / 2, scale_shift);
            }
            let out = &mut scratch.words;
            out.clear();
            for row in rows {
                out.extend(
                    row.chunks(pixel_stride)
                        .map(|px| u16::from_le_bytes([px[0], px[1]])),
                );
            }
            LumaPlane::new_u16(out, width, height, width, scale_shift)
        }
        LumaLayout::Rgb {
            r,
            g,
            b,
            pixel_stride,
        } => {
            let out = &mut scratch.bytes;
            out.clear();
            for row in rows {
                out.extend(
                    row.chunks(pixel_stride)
                        .take(width)
                        .map(|px| rgb_to_luma(px[r], px[g], px[b])),
                );
            }
            LumaPlane::new_u8(out, width, height, width)
        }
    }
}

/// Reinterprets planar little-endian 16-bit samples in place when the host and alignment allow.
fn borrow_words(data: &[u8], stride: usize, pixel_stride: usize) -> Option<&[u16]> {
    if !cfg!(target_endian = "little") || pixel_stride != 2 || !stride.is_multiple_of(2) {
        return None;
    }
    // SAFETY: every bit pattern is a valid u16; align_to only yields aligned middle elements.
    let (head, words, _) = unsafe { data.align_to::<u16>() };
    head.is_empty().then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_u8(p: &LumaPlane) -> Vec<Vec<i32>> {
        (0..p.height())
            .map(|y| {
                let mut r = vec![0; p.width()];
                p.row_i32(y, &mut r);
                r
            })
            .collect()
    }

    #[test]
    fn opencv_gray_conversion() {
        assert_eq!(rgb_to_luma(255, 255, 255), 255);
        assert_eq!(rgb_to_luma(0, 0, 0), 0);
        // 0.299*255 = 76.245; 0.587*255 = 149.685; 0.114*255 = 29.07
        assert_eq!(rgb_to_luma(255, 0, 0), 76);
        assert_eq!(rgb_to_luma(0, 255, 0), 150);
        assert_eq!(rgb_to_luma(0, 0, 255), 29);
    }

    #[test]
    fn packed_yuv_takes_every_other_byte() {
        // UYVY rows of two pixels: U Y0 V Y1; the slice starts at the first Y byte.
        let frame = [1u8, 10, 2, 20, 3, 30, 4, 40];
        let mut s = LumaScratch::default();
        let layout = LumaLayout::Bytes { pixel_stride: 2 };
        let p = luma_plane(&frame[1..], 2, 2, 4, layout, &mut s).unwrap();
        assert_eq!(rows_u8(&p), vec![vec![10, 20], vec![30, 40]]);
    }

    #[test]
    fn rgbx_uses_opencv_weights_and_ignores_padding() {
        let frame = [255u8, 0, 0, 9, 0, 255, 0, 9, 0xEE, 0xEE];
        let mut s = LumaScratch::default();
        let layout = LumaLayout::Rgb {
            r: 0,
            g: 1,
            b: 2,
            pixel_stride: 4,
        };
        let p = luma_plane(&frame, 2, 1, 10, layout, &mut s).unwrap();
        assert_eq!(rows_u8(&p), vec![vec![76, 150]]);
    }

    #[test]
    fn words_borrowed_or_converted_give_same_samples() {
        let values = [1u16, 1023, 512, 4];
        let mut bytes = vec![0u8];
        for v in values {
            bytes.extend(v.to_le_bytes());
        }
        let layout = LumaLayout::Words {
            pixel_stride: 2,
            scale_shift: 2,
        };
        let mut s = LumaScratch::default();
        let unaligned = luma_plane(&bytes[1..], 2, 2, 4, layout, &mut s).unwrap();
        let a = rows_u8(&unaligned);
        let aligned_store: Vec<u16> = values.to_vec();
        // SAFETY: viewing initialised u16 memory as bytes.
        let aligned_bytes = unsafe { aligned_store.align_to::<u8>().1 };
        let mut s2 = LumaScratch::default();
        let aligned = luma_plane(aligned_bytes, 2, 2, 4, layout, &mut s2).unwrap();
        assert_eq!(a, rows_u8(&aligned));
        assert_eq!(a, vec![vec![1, 1023], vec![512, 4]]);
        assert_eq!(aligned.scale_shift(), 2);
    }

    #[test]
    fn short_data_is_an_error_not_a_panic() {
        let mut s = LumaScratch::default();
        let layout = LumaLayout::PACKED_RGB;
        assert!(matches!(
            luma_plane(&[0; 8], 3, 1, 9, layout, &mut s),
            Err(PlaneError::TooShort { .. })
        ));
    }
}
