//! The `sharpmeter` element: registration, the `metrics` flags and the accepted formats;
//! the element itself is in `imp.rs`.

/**
 * element-sharpmeter:
 * @title: sharpmeter
 *
 * Measures the sharpness and the effective resolution of every video frame without touching
 * its pixels (in-place, bit-exact, no copy), attaches the figures to the buffer as
 * `SharpMeterMeta`, and posts element messages:
 *
 * - `sharpmeter`: a report every `interval` (means, minimum, effective size, skipped frames);
 * - `sharpmeter-alarm`: start and end of an episode, reason `threshold` (smoothed sharpness
 *   below `threshold`), `resolution` (smoothed effective share below `resolution-threshold`)
 *   or `drop` (smoothed sharpness more than `drop` below the stream's baseline), each lasting
 *   `min-duration` and ending at its limit plus `hysteresis`;
 * - `sharpmeter-summary`: totals at EOS.
 *
 * `roi-*` restricts every figure to a region, `detect-bars` leaves letterbox and pillarbox
 * bars out, `GstVideoCropMeta` is honoured, `tile-columns` x `tile-rows` adds a tile map to
 * the meta. `baseline-location` keeps the stream's baseline across runs (action signal
 * `baseline-save`). With `qos` (on), late frames pass without analysis and are counted.
 * Every message and meta field carries `schema-version`; the fields are documented in
 * docs/messages.md and typed in [`crate::messages`] and [`crate::meta`].
 *
 * ## Example launch line
 * ```text
 * gst-launch-1.0 -m videotestsrc num-buffers=100 ! sharpmeter ! fakesink
 * ```
 */
use gst::glib;
use gst::prelude::*;

mod frame_view;
mod imp;
mod monitor_messages;

glib::wrapper! {
    pub struct SharpMeter(ObjectSubclass<imp::SharpMeter>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Optional metrics for the `metrics` property; `sharpness`, `valid`, `noise` and
/// `texture` are always computed.
#[glib::flags(name = "GstSharpMeterMetrics")]
pub enum MetricFlags {
    #[flags_value(
        name = "Variance of the Laplacian (OpenCV, higher = sharper)",
        nick = "laplacian-variance"
    )]
    LAPLACIAN_VARIANCE = 0b0001,
    #[flags_value(
        name = "Tenengrad (OpenCV Sobel, higher = sharper)",
        nick = "tenengrad"
    )]
    TENENGRAD = 0b0010,
    #[flags_value(
        name = "Blur effect (scikit-image, higher = blurrier)",
        nick = "blur-effect"
    )]
    BLUR_EFFECT = 0b0100,
    #[flags_value(
        name = "Edge width in pixels (ffmpeg blurdetect, higher = blurrier)",
        nick = "edge-width"
    )]
    EDGE_WIDTH = 0b1000,
    #[flags_value(
        name = "Effective resolution in pixels (from the line spectra)",
        nick = "effective-resolution"
    )]
    EFFECTIVE_RESOLUTION = 0b1_0000,
    #[flags_value(
        name = "Fine detail between edges (normalised luma variance, lower = painted over)",
        nick = "detail"
    )]
    DETAIL = 0b10_0000,
}

impl From<MetricFlags> for crate::analysis::Metrics {
    fn from(f: MetricFlags) -> Self {
        crate::analysis::Metrics {
            laplacian_variance: f.contains(MetricFlags::LAPLACIAN_VARIANCE),
            tenengrad: f.contains(MetricFlags::TENENGRAD),
            blur_effect: f.contains(MetricFlags::BLUR_EFFECT),
            edge_width: f.contains(MetricFlags::EDGE_WIDTH),
            effective_resolution: f.contains(MetricFlags::EFFECTIVE_RESOLUTION),
            detail: f.contains(MetricFlags::DETAIL),
        }
    }
}

impl From<crate::analysis::Metrics> for MetricFlags {
    fn from(m: crate::analysis::Metrics) -> Self {
        let mut f = MetricFlags::empty();
        f.set(MetricFlags::LAPLACIAN_VARIANCE, m.laplacian_variance);
        f.set(MetricFlags::TENENGRAD, m.tenengrad);
        f.set(MetricFlags::BLUR_EFFECT, m.blur_effect);
        f.set(MetricFlags::EDGE_WIDTH, m.edge_width);
        f.set(MetricFlags::EFFECTIVE_RESOLUTION, m.effective_resolution);
        f.set(MetricFlags::DETAIL, m.detail);
        f
    }
}

/// Formats the element accepts, identical on both pads.
pub const FORMATS: &[gst_video::VideoFormat] = {
    use gst_video::VideoFormat::*;
    &[
        Gray8, Gray16Le, I420, Yv12, Nv12, Nv21, Y41b, Y42b, Y444, I42010le, I42210le, Y44410le,
        P01010le, Yuy2, Yvyu, Uyvy, Rgb, Bgr, Rgbx, Bgrx, Xrgb, Xbgr, Rgba, Bgra, Argb, Abgr,
    ]
};

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "sharpmeter",
        gst::Rank::NONE,
        SharpMeter::static_type(),
    )
}
