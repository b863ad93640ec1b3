//! `SharpMeterMeta`: a GstCustomMeta whose structure holds one frame's figures under the
//! report's field names. Readable from C (`gst_buffer_get_custom_meta`) and Python
//! (`buf.get_custom_meta("SharpMeterMeta").get_structure()`) once the plugin is loaded.
//!
//! Tags: `video` and `size`. Elements that pass buffers on (queue, tee, identity) and
//! elements that keep the picture's size (videoconvert) keep the meta; elements that
//! rescale (videoscale to another size) drop it, since the figures describe the picture at
//! its original size.

use gst::glib;
use gst::meta::CustomMeta;

use crate::analysis::FrameFigures;
use crate::messages::SCHEMA_VERSION;

/// Registered name of the meta.
pub const META_NAME: &str = "SharpMeterMeta";
/// Tags the meta is registered with.
pub const META_TAGS: &[&str] = &["video", "size"];

/// Registers the meta once per process.
pub fn register() {
    if !CustomMeta::is_registered(META_NAME) {
        CustomMeta::register(META_NAME, META_TAGS);
    }
}

/// Typed access to the meta.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharpMeterMeta {
    pub figures: FrameFigures,
}

impl SharpMeterMeta {
    /// Attaches `figures` to `buffer`, replacing an earlier SharpMeterMeta.
    pub fn add(buffer: &mut gst::BufferRef, figures: &FrameFigures) -> Result<(), glib::BoolError> {
        if let Ok(old) = CustomMeta::from_mut_buffer(buffer, META_NAME) {
            old.remove()?;
        }
        let mut meta = CustomMeta::add(buffer, META_NAME)?;
        let s = meta.mut_structure();
        s.set("schema-version", SCHEMA_VERSION);
        s.set("sharpness", figures.sharpness);
        s.set("valid", figures.valid);
        s.set("laplacian-variance", figures.laplacian_variance);
        s.set("tenengrad", figures.tenengrad);
        Ok(())
    }

    /// The figures attached to `buffer`, if any.
    pub fn from_buffer(buffer: &gst::BufferRef) -> Option<Self> {
        let meta = CustomMeta::from_buffer(buffer, META_NAME).ok()?;
        let s = meta.structure();
        Some(SharpMeterMeta {
            figures: FrameFigures {
                sharpness: s.get("sharpness").ok()?,
                valid: s.get("valid").ok()?,
                laplacian_variance: s.get("laplacian-variance").ok()?,
                tenengrad: s.get("tenengrad").ok()?,
            },
        })
    }
}
