//! A buffer's luma as a plane view for the measurement core: where luma lies in each
//! accepted format, the mapped bytes it is read from (checked against the mapping), and the
//! visible rectangle of `GstVideoCropMeta`.

use gst_video::prelude::*;

use crate::analysis::{LumaLayout, LumaPlane, LumaScratch, Rect, luma_plane};

/// What the negotiated caps say about where luma is.
pub struct Format {
    pub info: gst_video::VideoInfo,
    layout: LumaLayout,
    /// RGB formats read whole pixels from plane 0; YUV and gray read component 0.
    rgb: bool,
}

impl Format {
    /// The format of `info`; None for formats without 8-bit RGB or a luma component.
    pub fn new(info: gst_video::VideoInfo) -> Option<Self> {
        let (layout, rgb) = luma_layout(&info.format_info())?;
        Some(Format { info, layout, rgb })
    }

    pub fn layout(&self) -> LumaLayout {
        self.layout
    }
}

/// Where luma is for `finfo`, and whether it is computed from RGB.
fn luma_layout(finfo: &gst_video::VideoFormatInfo) -> Option<(LumaLayout, bool)> {
    let pstride = usize::try_from(*finfo.pixel_stride().first()?).ok()?;
    if finfo.is_rgb() {
        if finfo.bits() != 8 {
            return None;
        }
        let off = finfo.poffset();
        let layout = LumaLayout::Rgb {
            r: off[0] as usize,
            g: off[1] as usize,
            b: off[2] as usize,
            pixel_stride: pstride,
        };
        return Some((layout, true));
    }
    let depth = finfo.depth()[0];
    let shift = finfo.shift()[0];
    let layout = if depth + shift <= 8 {
        LumaLayout::Bytes {
            pixel_stride: pstride,
        }
    } else {
        LumaLayout::Words {
            pixel_stride: pstride,
            scale_shift: depth + shift - 8,
        }
    };
    Some((layout, false))
}

/// The bytes of `frame`'s `plane` from `offset` past its start to the end of the memory
/// mapped for it; None when that start lies outside the mapping (a video meta whose offsets
/// do not fit the buffer).
fn mapped_bytes<'a>(
    frame: &'a gst_video::VideoFrameRef<&gst::BufferRef>,
    plane: usize,
    offset: usize,
) -> Option<&'a [u8]> {
    // SAFETY: the frame stays mapped for reading while it is borrowed. GStreamer maps each
    // plane into `map[plane]` when the buffer has a video meta, and the whole buffer into
    // `map[0]` otherwise; `data[plane]` points into that mapping when the meta is sane, and
    // the slice is only made after checking that it does.
    unsafe {
        let raw = &*frame.as_ptr();
        let map = if raw.meta.is_null() {
            &raw.map[0]
        } else {
            raw.map.get(plane)?
        };
        if map.data.is_null() {
            return None;
        }
        let start = map.data as usize;
        let end = start.checked_add(map.size)?;
        let data = (*raw.data.get(plane)? as usize).checked_add(offset)?;
        if data < start || data > end {
            return None;
        }
        Some(std::slice::from_raw_parts(data as *const u8, end - data))
    }
}

/// Maps `buf` read-only and runs `f` on the visible rectangle of its luma (RGB converted
/// into `scratch`). Err: why the frame cannot be read.
pub fn with_luma<R>(
    buf: &gst::BufferRef,
    format: &Format,
    scratch: &mut LumaScratch,
    f: impl FnOnce(&LumaPlane) -> R,
) -> Result<R, String> {
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buf, &format.info)
        .map_err(|err| format!("it cannot be mapped for reading ({err})"))?;
    let (plane, offset) = if format.rgb {
        (0, 0)
    } else {
        let p = format.info.format_info().plane()[0] as usize;
        (p, format.info.comp_poffset(0) as usize)
    };
    let stride = frame.plane_stride()[plane];
    let stride = usize::try_from(stride)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| format!("its luma stride is {stride}"))?;
    let data = mapped_bytes(&frame, plane, offset)
        .ok_or("its luma plane starts outside the mapped memory")?;
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let plane = luma_plane(data, width, height, stride, format.layout, scratch)
        .map_err(|err| format!("its luma plane does not fit the buffer ({err})"))?;
    let plane = match buf.meta::<gst_video::VideoCropMeta>() {
        Some(crop) => {
            let (x, y, w, h) = crop.rect();
            let rect = Rect::new(x as usize, y as usize, w as usize, h as usize);
            plane.crop(rect).map_err(|_| {
                format!(
                    "its crop rectangle {x},{y} {w}x{h} is not inside the {width}x{height} frame"
                )
            })?
        }
        None => plane,
    };
    Ok(f(&plane))
}
