//! A read-only view of one luma plane: samples, size and row stride.

use super::rect::Rect;

/// Sample storage of a luma plane.
#[derive(Debug, Clone, Copy)]
pub enum Samples<'a> {
    /// 8-bit samples.
    U8(&'a [u8]),
    /// 16-bit container samples (native endianness).
    U16(&'a [u16]),
}

/// Why a plane view could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaneError {
    /// Width or height is zero.
    Empty,
    /// The stride is smaller than the width.
    StrideTooSmall { width: usize, stride: usize },
    /// The sample slice does not cover `stride * (height - 1) + width` samples.
    TooShort { needed: usize, got: usize },
    /// A crop reaches outside the plane.
    OutsidePlane,
}

impl std::fmt::Display for PlaneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlaneError::Empty => write!(f, "plane has no pixels"),
            PlaneError::StrideTooSmall { width, stride } => {
                write!(f, "stride {stride} is smaller than width {width}")
            }
            PlaneError::TooShort { needed, got } => {
                write!(f, "plane needs {needed} samples, got {got}")
            }
            PlaneError::OutsidePlane => write!(f, "area reaches outside the plane"),
        }
    }
}

impl std::error::Error for PlaneError {}

/// One luma plane. Sample values are divided by `2^scale_shift` to reach the 8-bit range
/// (0 for 8-bit data, 2 for 10-bit, 8 for 16-bit containers).
#[derive(Debug, Clone, Copy)]
pub struct LumaPlane<'a> {
    samples: Samples<'a>,
    width: usize,
    height: usize,
    stride: usize,
    scale_shift: u32,
}

impl<'a> LumaPlane<'a> {
    /// An 8-bit plane; `stride` is in samples.
    pub fn new_u8(
        data: &'a [u8],
        width: usize,
        height: usize,
        stride: usize,
    ) -> Result<Self, PlaneError> {
        Self::new(Samples::U8(data), data.len(), width, height, stride, 0)
    }

    /// A 16-bit container plane; `stride` is in samples and `scale_shift` maps values to 8 bits.
    pub fn new_u16(
        data: &'a [u16],
        width: usize,
        height: usize,
        stride: usize,
        scale_shift: u32,
    ) -> Result<Self, PlaneError> {
        Self::new(
            Samples::U16(data),
            data.len(),
            width,
            height,
            stride,
            scale_shift.min(16),
        )
    }

    fn new(
        samples: Samples<'a>,
        len: usize,
        width: usize,
        height: usize,
        stride: usize,
        scale_shift: u32,
    ) -> Result<Self, PlaneError> {
        if width == 0 || height == 0 {
            return Err(PlaneError::Empty);
        }
        if stride < width {
            return Err(PlaneError::StrideTooSmall { width, stride });
        }
        let needed = stride
            .checked_mul(height - 1)
            .and_then(|n| n.checked_add(width))
            .unwrap_or(usize::MAX);
        if len < needed {
            return Err(PlaneError::TooShort { needed, got: len });
        }
        Ok(LumaPlane {
            samples,
            width,
            height,
            stride,
            scale_shift,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    /// The part of the plane inside `area`, which must lie within the plane and not be
    /// empty.
    pub fn crop(&self, area: Rect) -> Result<LumaPlane<'a>, PlaneError> {
        if area.x + area.width > self.width || area.y + area.height > self.height {
            return Err(PlaneError::OutsidePlane);
        }
        if area.width == 0 || area.height == 0 {
            return Err(PlaneError::Empty);
        }
        let start = area.y * self.stride + area.x;
        let (samples, len) = match self.samples {
            Samples::U8(d) => (Samples::U8(&d[start..]), d.len() - start),
            Samples::U16(d) => (Samples::U16(&d[start..]), d.len() - start),
        };
        Self::new(
            samples,
            len,
            area.width,
            area.height,
            self.stride,
            self.scale_shift,
        )
    }

    /// Power of two that divides raw sample values to reach the 8-bit range.
    /// Bits of the sample container: 8 or 16.
    pub fn sample_bits(&self) -> u32 {
        match self.samples {
            Samples::U8(_) => 8,
            Samples::U16(_) => 16,
        }
    }

    pub fn scale_shift(&self) -> u32 {
        self.scale_shift
    }

    /// Row `y`'s samples when they are 8-bit (already in the 8-bit range).
    #[inline(always)]
    pub fn row_u8(&self, y: usize) -> Option<&'a [u8]> {
        match self.samples {
            Samples::U8(d) => Some(&d[y * self.stride..y * self.stride + self.width]),
            Samples::U16(_) => None,
        }
    }

    /// Writes row `y` as raw integer samples into `out` (length `width`).
    #[inline(always)]
    pub fn row_i32(&self, y: usize, out: &mut [i32]) {
        let start = y * self.stride;
        match self.samples {
            Samples::U8(d) => {
                for (o, &s) in out.iter_mut().zip(&d[start..start + self.width]) {
                    *o = s as i32;
                }
            }
            Samples::U16(d) => {
                for (o, &s) in out.iter_mut().zip(&d[start..start + self.width]) {
                    *o = s as i32;
                }
            }
        }
    }

    /// Writes row `y` as samples in the 8-bit range into `out` (length `width`).
    #[inline(always)]
    pub fn row_f32(&self, y: usize, out: &mut [f32]) {
        self.span_f32(y, 0, out);
    }

    /// Replaces `out` with every sample, row after row without stride, in the 8-bit range and
    /// passed through `convert`; `line` is scratch for one row.
    pub fn to_packed<T>(&self, line: &mut Vec<f32>, out: &mut Vec<T>, convert: impl Fn(f32) -> T) {
        line.resize(self.width, 0.0);
        out.clear();
        for y in 0..self.height {
            self.row_f32(y, line);
            out.extend(line.iter().map(|&v| convert(v)));
        }
    }

    /// Writes samples `x0..x0 + out.len()` of row `y`, in the 8-bit range, into `out`.
    #[inline(always)]
    pub fn span_f32(&self, y: usize, x0: usize, out: &mut [f32]) {
        let start = y * self.stride + x0;
        let end = start + out.len().min(self.width - x0);
        match self.samples {
            Samples::U8(d) => {
                for (o, &s) in out.iter_mut().zip(&d[start..end]) {
                    *o = s as f32;
                }
            }
            Samples::U16(d) => {
                let k = 1.0 / (1u32 << self.scale_shift) as f32;
                for (o, &s) in out.iter_mut().zip(&d[start..end]) {
                    *o = s as f32 * k;
                }
            }
        }
    }

    /// Writes column `x`, in the 8-bit range, into `out` (length `height`).
    #[inline(always)]
    pub fn column_f32(&self, x: usize, out: &mut [f32]) {
        let n = out.len().min(self.height);
        match self.samples {
            Samples::U8(d) => {
                for (o, &s) in out[..n].iter_mut().zip(d[x..].iter().step_by(self.stride)) {
                    *o = s as f32;
                }
            }
            Samples::U16(d) => {
                let k = 1.0 / (1u32 << self.scale_shift) as f32;
                for (o, &s) in out[..n].iter_mut().zip(d[x..].iter().step_by(self.stride)) {
                    *o = s as f32 * k;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_data_and_small_stride() {
        assert_eq!(
            LumaPlane::new_u8(&[0; 5], 3, 2, 3).unwrap_err(),
            PlaneError::TooShort { needed: 6, got: 5 }
        );
        assert_eq!(
            LumaPlane::new_u8(&[0; 8], 3, 2, 2).unwrap_err(),
            PlaneError::StrideTooSmall {
                width: 3,
                stride: 2
            }
        );
        assert_eq!(
            LumaPlane::new_u8(&[], 0, 1, 1).unwrap_err(),
            PlaneError::Empty
        );
        // The last row needs only `width` samples, not a full stride.
        assert!(LumaPlane::new_u8(&[0; 7], 3, 2, 4).is_ok());
    }

    #[test]
    fn a_crop_reads_its_area_only() {
        let data: Vec<u8> = (0..20).collect();
        let p = LumaPlane::new_u8(&data, 4, 4, 5).unwrap();
        let c = p.crop(Rect::new(1, 2, 2, 2)).unwrap();
        assert_eq!((c.width(), c.height()), (2, 2));
        let mut row = [0i32; 2];
        c.row_i32(1, &mut row);
        assert_eq!(row, [16, 17]);
        let mut column = [0f32; 2];
        c.column_f32(1, &mut column);
        assert_eq!(column, [12.0, 17.0]);
        assert_eq!(
            p.crop(Rect::new(3, 0, 2, 1)).unwrap_err(),
            PlaneError::OutsidePlane
        );
        assert_eq!(
            p.crop(Rect::new(0, 0, 0, 1)).unwrap_err(),
            PlaneError::Empty
        );
        // An empty area past the last row, whose stride padding is not there.
        let short = LumaPlane::new_u8(&data[..19], 4, 4, 5).unwrap();
        assert_eq!(
            short.crop(Rect::new(0, 4, 4, 0)).unwrap_err(),
            PlaneError::Empty
        );
    }

    #[test]
    fn rows_skip_stride_padding_and_scale_deep_samples() {
        let data = [1u8, 2, 99, 3, 4, 99];
        let p = LumaPlane::new_u8(&data, 2, 2, 3).unwrap();
        let mut row = [0i32; 2];
        p.row_i32(1, &mut row);
        assert_eq!(row, [3, 4]);
        let deep = [400u16, 1020];
        let p = LumaPlane::new_u16(&deep, 2, 1, 2, 2).unwrap();
        let mut row = [0f32; 2];
        p.row_f32(0, &mut row);
        assert_eq!(row, [100.0, 255.0]);
        let p = LumaPlane::new_u16(&deep, 1, 2, 1, 2).unwrap();
        p.column_f32(0, &mut row);
        assert_eq!(row, [100.0, 255.0]);
        let p = LumaPlane::new_u8(&data, 2, 2, 3).unwrap();
        p.column_f32(1, &mut row);
        assert_eq!(row, [2.0, 4.0]);
    }
}
