//! # sharpmeter
//!
//! Measures the sharpness of every video frame without touching its pixels, attaches the
//! figures to the buffer as `SharpMeterMeta`, and posts element messages: `sharpmeter`
//! reports every `interval`, `sharpmeter-alarm` when the smoothed sharpness stays below
//! `threshold` for `min-duration` (and when it recovers), and `sharpmeter-summary` at EOS.
//!
//! ```text
//! gst-launch-1.0 -m videotestsrc num-buffers=100 ! sharpmeter ! fakesink
//! ```
//!
//! The message and meta fields are described in the README and typed in
//! [`crate::messages`] and [`crate::meta`].

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    pub struct SharpMeter(ObjectSubclass<imp::SharpMeter>)
        @extends gst_base::BaseTransform, gst::Element, gst::Object;
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
