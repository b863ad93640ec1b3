//! Every supported format at odd and even sizes through a gst-check Harness: bytes out equal
//! bytes in, the output is backed by the same memory (no pixel copy), and the figures in the
//! meta equal those of the same luma as GRAY8 (10-bit samples are the 8-bit ones times 4,
//! 16-bit ones times 256, RGB pixels gray).

mod common;

use common::clip::load_photo;
use common::{fixture, init, rel};
use gst_check::Harness;
use gst_video::VideoFormat;
use gst_video::prelude::*;
use gstsharpmeter::analysis::FrameFigures;
use gstsharpmeter::meta::SharpMeterMeta;
use gstsharpmeter::sharpmeter::FORMATS;

const SIZES: &[(u32, u32)] = &[
    (1, 1),
    (2, 2),
    (3, 5),
    (33, 17),
    (64, 64),
    (97, 71),
    (128, 96),
    (1920, 1080),
    (4096, 2304),
];

/// Frames larger than this many pixels skip the slow optional metrics (blur-effect,
/// edge-width) to keep the test short; the rest are computed at every size.
const ALL_METRICS_UP_TO: u32 = 256 * 256;

/// A deterministic byte generator.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> u8 {
        self.0 = self.0.wrapping_mul(1664525).wrapping_add(1013904223);
        (self.0 >> 24) as u8
    }
}

/// Mirror index into `0..n` with period `2n`.
fn mirror(i: usize, n: usize) -> usize {
    let i = i % (2 * n);
    if i < n { i } else { 2 * n - 1 - i }
}

/// A `w x h` crop of a real photo (mirrored past its edges), row-major 8-bit luma.
fn photo_luma(w: u32, h: u32) -> Vec<u8> {
    let p = load_photo(&fixture("gray_camera__blur__0.png"));
    let (w, h) = (w as usize, h as usize);
    (0..h)
        .flat_map(|y| (0..w).map(move |x| (y + 100, x + 150)))
        .map(|(y, x)| p.rgb[(mirror(y, p.height) * p.width + mirror(x, p.width)) * 3])
        .collect()
}

/// A frame of `format` whose luma is `luma`. Chroma, alpha and padding bytes are random.
fn make_frame(
    format: VideoFormat,
    w: u32,
    h: u32,
    luma: &[u8],
) -> (gst_video::VideoInfo, gst::Buffer) {
    let info = gst_video::VideoInfo::builder(format, w, h).build().unwrap();
    let mut noise = Noise(w * 7919 + h * 31 + format.to_str().len() as u32);
    let mut buf = gst::Buffer::with_size(info.size()).unwrap();
    {
        let mut map = buf.get_mut().unwrap().map_writable().unwrap();
        map.iter_mut().for_each(|b| *b = noise.next());
    }
    let mut frame = gst_video::VideoFrame::from_buffer_writable(buf, &info).unwrap();
    let finfo = info.format_info();
    for c in 0..finfo.n_components() as usize {
        let (cw, ch) = (
            finfo.scale_width(c as u8, w) as usize,
            finfo.scale_height(c as u8, h) as usize,
        );
        let plane = finfo.plane()[c];
        let (poffset, pstride) = (
            finfo.poffset()[c] as usize,
            finfo.pixel_stride()[c] as usize,
        );
        let (depth, shift) = (finfo.depth()[c], finfo.shift()[c]);
        let stride = frame.plane_stride()[plane as usize] as usize;
        let is_luma = if finfo.is_rgb() { c < 3 } else { c == 0 };
        let data = frame.plane_data_mut(plane).unwrap();
        for y in 0..ch {
            for x in 0..cw {
                let v8 = if is_luma {
                    luma[y * w as usize + x]
                } else {
                    noise.next()
                };
                let off = y * stride + x * pstride + poffset;
                if depth <= 8 {
                    data[off] = v8;
                } else {
                    let raw = ((v8 as u16) << (depth - 8)) << shift;
                    data[off..off + 2].copy_from_slice(&raw.to_le_bytes());
                }
            }
        }
    }
    (info, frame.into_buffer())
}

fn assert_same_figures(got: &FrameFigures, want: &FrameFigures, what: &str) {
    assert_eq!(got.valid, want.valid, "{what}: valid");
    let close = |a: Option<f64>, b: Option<f64>, tol: f64| match (a, b) {
        (Some(x), Some(y)) => x.is_finite() && rel(x, y) <= tol,
        (None, None) => true,
        _ => false,
    };
    for (name, g, w, tol) in [
        ("sharpness", Some(got.sharpness), Some(want.sharpness), 1e-6),
        ("noise", Some(got.noise), Some(want.noise), 1e-9),
        ("texture", Some(got.texture), Some(want.texture), 0.0),
        (
            "laplacian-variance",
            got.laplacian_variance,
            want.laplacian_variance,
            1e-9,
        ),
        ("tenengrad", got.tenengrad, want.tenengrad, 1e-9),
        ("blur-effect", got.blur_effect, want.blur_effect, 1e-9),
        ("edge-width", got.edge_width, want.edge_width, 1e-9),
        ("detail", got.detail, want.detail, 1e-9),
        (
            "upscale-confidence",
            got.upscale_confidence,
            want.upscale_confidence,
            1e-9,
        ),
    ] {
        assert!(close(g, w, tol), "{what}: {name} {g:?} vs {w:?}");
    }
    assert_eq!(
        (
            got.effective_width,
            got.effective_height,
            got.upscaled_from_width,
            got.upscaled_from_height
        ),
        (
            want.effective_width,
            want.effective_height,
            want.upscaled_from_width,
            want.upscaled_from_height
        ),
        "{what}: sizes"
    );
}

/// Pushes `buf` through a fresh harness; checks bytes and memory; returns the meta figures.
fn through_harness(info: &gst_video::VideoInfo, buf: gst::Buffer, what: &str) -> FrameFigures {
    let mut h = Harness::new("sharpmeter");
    let metrics = if info.width() * info.height() <= ALL_METRICS_UP_TO {
        "laplacian-variance+tenengrad+blur-effect+edge-width+effective-resolution+detail"
    } else {
        "laplacian-variance+tenengrad+effective-resolution+detail"
    };
    h.element()
        .unwrap()
        .set_property_from_str("metrics", metrics);
    h.set_src_caps(info.to_caps().unwrap());
    let before = buf.map_readable().unwrap().to_vec();
    let in_data = buf.map_readable().unwrap().as_ptr();
    let in_memory = buf.peek_memory(0).as_ptr();
    // The harness keeps no other reference: `buf` stays alive here, so the element must
    // make the buffer writable (a new GstBuffer) without copying its memory.
    h.push(buf.clone()).unwrap();
    let out = h.pull().unwrap();
    assert_eq!(
        out.map_readable().unwrap().as_slice(),
        &before[..],
        "{what}: bytes changed"
    );
    assert_eq!(out.n_memory(), buf.n_memory(), "{what}");
    assert_eq!(
        out.peek_memory(0).as_ptr(),
        in_memory,
        "{what}: memory replaced"
    );
    assert_eq!(
        out.map_readable().unwrap().as_ptr(),
        in_data,
        "{what}: pixels copied"
    );
    SharpMeterMeta::from_buffer(&out)
        .unwrap_or_else(|| panic!("{what}: no meta"))
        .figures
}

#[test]
fn every_format_passes_bit_exact_without_copy_and_reads_the_same_luma() {
    init();
    assert_eq!(FORMATS.len(), 26);
    for &(w, hgt) in SIZES {
        let luma = photo_luma(w, hgt);
        let (info, buf) = make_frame(VideoFormat::Gray8, w, hgt, &luma);
        let reference = through_harness(&info, buf, &format!("GRAY8 {w}x{hgt}"));
        assert_eq!(reference.valid, w >= 64 && hgt >= 64, "{w}x{hgt}");
        let all = w * hgt <= ALL_METRICS_UP_TO;
        assert_eq!(
            reference.blur_effect.is_some(),
            all && w >= 4 && hgt >= 4,
            "{w}x{hgt}"
        );
        if all && w >= 64 {
            assert!(reference.edge_width.is_some(), "a photo crop has edges");
        }
        assert_eq!(
            reference.effective_width.is_some(),
            w >= 128 && hgt >= 64,
            "{w}x{hgt}"
        );
        assert!(reference.sharpness.is_finite() && reference.noise.is_finite());
        for &format in FORMATS {
            let what = format!("{} {w}x{hgt}", format.to_str());
            let (info, buf) = make_frame(format, w, hgt, &luma);
            let figures = through_harness(&info, buf, &what);
            assert_same_figures(&figures, &reference, &what);
        }
    }
}

#[test]
fn padded_strides_and_plane_offsets_give_the_packed_figures() {
    init();
    let (w, hgt) = (97u32, 71u32);
    let luma = photo_luma(w, hgt);
    for format in [
        VideoFormat::I420,
        VideoFormat::Nv12,
        VideoFormat::Rgbx,
        VideoFormat::I42010le,
    ] {
        let (info, buf) = make_frame(format, w, hgt, &luma);
        let packed = through_harness(&info, buf.clone(), "packed");
        // The same planes, each row padded by 64 bytes and each plane 100 bytes further on.
        let pad = 64usize;
        let src = buf.map_readable().unwrap();
        let mut bytes = Vec::new();
        let (mut offsets, mut strides) = (vec![], vec![]);
        let finfo = info.format_info();
        for p in 0..info.n_planes() as usize {
            bytes.extend(std::iter::repeat_n(0xA5u8, 100));
            offsets.push(bytes.len());
            let stride = info.stride()[p] as usize;
            strides.push((stride + pad) as i32);
            let comp = (0..finfo.n_components() as usize)
                .find(|&c| finfo.plane()[c] as usize == p)
                .unwrap();
            let rows = finfo.scale_height(comp as u8, hgt) as usize;
            for y in 0..rows {
                let start = info.offset()[p] + y * stride;
                bytes.extend_from_slice(&src[start..start + stride]);
                bytes.extend(std::iter::repeat_n(0x5Au8, pad));
            }
        }
        drop(src);
        let mut padded = gst::Buffer::from_mut_slice(bytes);
        gst_video::VideoMeta::add_full(
            padded.get_mut().unwrap(),
            gst_video::VideoFrameFlags::empty(),
            format,
            w,
            hgt,
            &offsets,
            &strides,
        )
        .unwrap();
        let got = through_harness(&info, padded, "padded");
        assert_same_figures(&got, &packed, &format!("{} padded", format.to_str()));
    }
}
