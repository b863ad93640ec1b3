//! `SharpMeterMeta`: a GstCustomMeta whose structure holds one frame's figures under the
//! report's field names. Readable from C (`gst_buffer_get_custom_meta`) and Python
//! (`buf.get_custom_meta("SharpMeterMeta").get_structure()`) once the plugin is loaded.
//!
//! Tags: `video` and `size`. Copies of a buffer (queue, tee, identity, writable copies) keep
//! the meta, and so do transforms that keep the picture's size (videoconvert, or
//! videoconvertscale converting only the format); a rescale to another size drops it, since
//! the figures describe the picture at its original size.

use std::ffi::{CString, c_char, c_void};

use gst::glib;
use gst::glib::translate::{FromGlib, IntoGlib, ToGlibPtr};
use gst::meta::CustomMeta;

use crate::analysis::{FrameFigures, Rect};
use crate::messages::SCHEMA_VERSION;

/// Registered name of the meta.
pub const META_NAME: &str = "SharpMeterMeta";
/// Tags the meta is registered with.
pub const META_TAGS: &[&str] = &["video", "size"];

/// Registers the meta once per process.
pub fn register() {
    if CustomMeta::is_registered(META_NAME) {
        return;
    }
    let tags: Vec<CString> = META_TAGS
        .iter()
        .map(|t| CString::new(*t).expect("tags have no NUL"))
        .collect();
    let mut tags: Vec<*const c_char> = tags
        .iter()
        .map(|t| t.as_ptr())
        .chain([std::ptr::null()])
        .collect();
    // SAFETY: name and tags are NUL-terminated and copied by GStreamer; the transform
    // function matches GstCustomMetaTransformFunction and needs no user data.
    unsafe {
        gst::ffi::gst_meta_register_custom(
            META_NAME.to_glib_none().0,
            tags.as_mut_ptr(),
            Some(transform),
            std::ptr::null_mut(),
            None,
        );
    }
}

/// Copies the meta on plain copies and on a "scale" transform between equal sizes; refuses
/// every other transform. Never unwinds into C.
unsafe extern "C" fn transform(
    dest: *mut gst::ffi::GstBuffer,
    meta: *mut gst::ffi::GstCustomMeta,
    _src: *mut gst::ffi::GstBuffer,
    kind: glib::ffi::GQuark,
    data: *mut c_void,
    _user_data: *mut c_void,
) -> glib::ffi::gboolean {
    let keep = std::panic::catch_unwind(|| {
        // SAFETY: GStreamer passes valid pointers; for the scale transform `data` is a
        // GstVideoMetaTransform whose infos are valid for the call.
        unsafe {
            #[cfg(feature = "fault-injection")]
            if gst::BufferRef::from_ptr(_src).pts() == Some(crate::sharpmeter::FAULT_PTS) {
                panic!("fault injected in the meta transform");
            }
            let kind = glib::Quark::from_glib(kind);
            let same_size = if kind == glib::Quark::from_str("gst-copy") {
                true
            } else if kind.into_glib() == gst_video::ffi::gst_video_meta_transform_scale_get_quark()
            {
                let t = &*(data as *const gst_video::ffi::GstVideoMetaTransform);
                let (i, o) = (&*t.in_info, &*t.out_info);
                i.width == o.width && i.height == o.height
            } else {
                false
            };
            if !same_size {
                return false;
            }
            let from = (*(meta as *const CustomMeta)).structure().to_owned();
            let dest = gst::BufferRef::from_mut_ptr(dest);
            match CustomMeta::add(dest, META_NAME) {
                Ok(mut to) => {
                    let s = to.mut_structure();
                    for (name, value) in from.iter() {
                        s.set_value(name, value.clone());
                    }
                    true
                }
                Err(_) => false,
            }
        }
    });
    keep.unwrap_or(false).into_glib()
}

/// Field names and values of the optional figures; absent ones are left out.
fn optional_fields(f: &FrameFigures) -> [(&'static str, Option<f64>); 4] {
    [
        ("laplacian-variance", f.laplacian_variance),
        ("tenengrad", f.tenengrad),
        ("blur-effect", f.blur_effect),
        ("edge-width", f.edge_width),
    ]
}

/// Field names and values of the optional sizes in pixels; absent ones are left out.
fn size_fields(f: &FrameFigures) -> [(&'static str, Option<u32>); 4] {
    [
        ("effective-width", f.effective_width),
        ("effective-height", f.effective_height),
        ("upscaled-from-width", f.upscaled_from_width),
        ("upscaled-from-height", f.upscaled_from_height),
    ]
}

/// Typed access to the meta.
#[derive(Debug, Clone, PartialEq)]
pub struct SharpMeterMeta {
    pub figures: FrameFigures,
    /// Sharpness of each tile of the tile map, row-major; -1 where a tile cannot be judged;
    /// empty when the map is off.
    pub tiles: Vec<f64>,
}

impl SharpMeterMeta {
    /// Attaches `figures` and the tile map's `tiles` (none: no `tiles` field) to `buffer`,
    /// replacing an earlier SharpMeterMeta.
    pub fn add(
        buffer: &mut gst::BufferRef,
        figures: &FrameFigures,
        tiles: &[f64],
    ) -> Result<(), glib::BoolError> {
        if let Ok(old) = CustomMeta::from_mut_buffer(buffer, META_NAME) {
            old.remove()?;
        }
        let mut meta = CustomMeta::add(buffer, META_NAME)?;
        let s = meta.mut_structure();
        s.set("schema-version", SCHEMA_VERSION);
        s.set("sharpness", figures.sharpness);
        s.set("valid", figures.valid);
        s.set("noise", figures.noise);
        s.set("texture", figures.texture);
        for (name, value) in optional_fields(figures) {
            if let Some(v) = value {
                s.set(name, v);
            }
        }
        for (name, value) in size_fields(figures) {
            if let Some(v) = value {
                s.set(name, v);
            }
        }
        if let Some(v) = figures.upscale_confidence {
            s.set("upscale-confidence", v);
        }
        s.set("scene-cut", figures.scene_cut);
        if !tiles.is_empty() {
            s.set("tiles", gst::Array::new(tiles.iter().copied()));
        }
        if let Some(a) = figures.active_area {
            let fields =
                [a.x, a.y, a.width, a.height].map(|v| i32::try_from(v).unwrap_or(i32::MAX));
            s.set("active-area", gst::Array::new(fields));
        }
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
                noise: s.get("noise").ok()?,
                texture: s.get("texture").ok()?,
                laplacian_variance: s.get("laplacian-variance").ok(),
                tenengrad: s.get("tenengrad").ok(),
                blur_effect: s.get("blur-effect").ok(),
                edge_width: s.get("edge-width").ok(),
                effective_width: s.get("effective-width").ok(),
                effective_height: s.get("effective-height").ok(),
                upscaled_from_width: s.get("upscaled-from-width").ok(),
                upscaled_from_height: s.get("upscaled-from-height").ok(),
                upscale_confidence: s.get("upscale-confidence").ok(),
                tile_min: None,
                tiles_below: None,
                scene_cut: s.get("scene-cut").unwrap_or(false),
                active_area: s.get::<gst::Array>("active-area").ok().and_then(|a| {
                    let v: Vec<usize> = a
                        .iter()
                        .map(|v| v.get::<i32>().ok().and_then(|v| usize::try_from(v).ok()))
                        .collect::<Option<_>>()?;
                    match v[..] {
                        [x, y, width, height] => Some(Rect::new(x, y, width, height)),
                        _ => None,
                    }
                }),
            },
            tiles: s
                .get::<gst::Array>("tiles")
                .map(|a| a.iter().filter_map(|v| v.get::<f64>().ok()).collect())
                .unwrap_or_default(),
        })
    }
}
