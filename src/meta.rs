//! `SharpMeterMeta`: a GstCustomMeta whose structure holds one frame's figures under the
//! report's field names. Readable from C (`gst_buffer_get_custom_meta`) and Python
//! (`buf.get_custom_meta("SharpMeterMeta").get_structure()`) once the plugin is loaded.
//!
//! Tags: `video` and `size`. Copies of a buffer (queue, tee, identity, writable copies) keep
//! the meta, and so do transforms that keep the picture's size (videoconvert, or
//! videoconvertscale converting only the format); a rescale to another size drops it, since
//! the figures describe the picture at its original size.

use std::ffi::{CString, c_char, c_void};
use std::sync::LazyLock;

use gst::glib;
use gst::glib::translate::{FromGlib, IntoGlib, ToGlibPtr};
use gst::meta::CustomMeta;

use crate::analysis::{FrameFigures, Rect};
use crate::schema::{
    self, Field, FieldType, FieldValue, SchemaError, optional, required, value_as,
};

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
            if gst::BufferRef::from_ptr(_src).pts() == Some(crate::fault::FAULT_PTS) {
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

/// Fields of the meta's structure (after `schema-version`), in the order they are written.
pub static META_FIELDS: LazyLock<Vec<Field<SharpMeterMeta>>> = LazyLock::new(|| {
    type M = SharpMeterMeta;
    vec![
        required!(
            M,
            "sharpness",
            figures.sharpness,
            Double,
            "0..1, higher = sharper; 0 when not valid"
        ),
        required!(
            M,
            "valid",
            figures.valid,
            Boolean,
            "whether the frame has enough structure to judge"
        ),
        required!(
            M,
            "noise",
            figures.noise,
            Double,
            "estimated noise sigma, 8-bit levels"
        ),
        required!(
            M,
            "texture",
            figures.texture,
            Double,
            "share of blocks with detail above the noise"
        ),
        optional!(
            M,
            "laplacian-variance",
            figures.laplacian_variance,
            Double,
            "variance of the Laplacian (OpenCV), when computed"
        ),
        optional!(
            M,
            "tenengrad",
            figures.tenengrad,
            Double,
            "mean squared Sobel gradient (OpenCV), when computed"
        ),
        optional!(
            M,
            "blur-effect",
            figures.blur_effect,
            Double,
            "scikit-image's blur effect, when computed"
        ),
        optional!(
            M,
            "edge-width",
            figures.edge_width,
            Double,
            "ffmpeg blurdetect's edge width, when computed and there are edges"
        ),
        optional!(
            M,
            "detail",
            figures.detail,
            Double,
            "mean squared normalised luma where the frame has structure (lower = less fine detail), when computed and the frame has structure"
        ),
        optional!(
            M,
            "effective-width",
            figures.effective_width,
            Uint,
            "effective width of the analysed area, pixels"
        ),
        optional!(
            M,
            "effective-height",
            figures.effective_height,
            Uint,
            "effective height of the analysed area, pixels"
        ),
        optional!(
            M,
            "upscaled-from-width",
            figures.upscaled_from_width,
            Uint,
            "identified source width of an upscale"
        ),
        optional!(
            M,
            "upscaled-from-height",
            figures.upscaled_from_height,
            Uint,
            "identified source height of an upscale"
        ),
        optional!(
            M,
            "upscale-confidence",
            figures.upscale_confidence,
            Double,
            "confidence of the identified upscale"
        ),
        required!(
            M,
            "scene-cut",
            scene_cut,
            Boolean,
            "true on the first frame of a new scene"
        ),
        Field::<M> {
            name: "tiles",
            ty: FieldType::DoubleArray,
            required: false,
            doc: "tile map only: each tile's sharpness, row-major; -1 where it cannot be judged",
            get: |m| (!m.tiles.is_empty()).then(|| FieldValue::DoubleArray(m.tiles.clone())),
            set: |m, x| {
                m.tiles = value_as!(x, DoubleArray);
                Ok(())
            },
        },
        Field::<M> {
            name: "active-area",
            ty: FieldType::IntArray,
            required: false,
            doc: "x, y, width, height of the analysed area in the visible picture",
            get: |m| {
                let a = m.figures.active_area?;
                let ints =
                    [a.x, a.y, a.width, a.height].map(|v| i32::try_from(v).unwrap_or(i32::MAX));
                Some(FieldValue::IntArray(ints.to_vec()))
            },
            set: |m, x| {
                let v: Vec<usize> = value_as!(x, IntArray)
                    .into_iter()
                    .map(|v| usize::try_from(v).map_err(|_| format!("negative value {v}")))
                    .collect::<Result<_, _>>()?;
                let [x, y, width, height] = v[..] else {
                    return Err(format!("{} values, expected 4", v.len()));
                };
                m.figures.active_area = Some(Rect::new(x, y, width, height));
                Ok(())
            },
        },
    ]
});

/// Typed access to the meta.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharpMeterMeta {
    /// The figures; `tile_min` and `tiles_below` are not carried.
    pub figures: FrameFigures,
    /// The frame starts a new scene (from the temporal scene-cut detector).
    pub scene_cut: bool,
    /// Sharpness of each tile of the tile map, row-major; -1 where a tile cannot be judged;
    /// empty when the map is off.
    pub tiles: Vec<f64>,
}

impl SharpMeterMeta {
    /// Attaches the meta to `buffer` (no `tiles` field when the map is empty), replacing an
    /// earlier SharpMeterMeta.
    pub fn add(&self, buffer: &mut gst::BufferRef) -> Result<(), glib::BoolError> {
        if let Ok(old) = CustomMeta::from_mut_buffer(buffer, META_NAME) {
            old.remove()?;
        }
        let mut meta = CustomMeta::add(buffer, META_NAME)?;
        let s = meta.mut_structure();
        schema::write(s, &META_FIELDS, self);
        Ok(())
    }

    /// The figures attached to `buffer`, if any and they parse.
    pub fn from_buffer(buffer: &gst::BufferRef) -> Option<Self> {
        Self::parse(buffer)?.ok()
    }

    /// The figures attached to `buffer`, if it has the meta: a field of another type than
    /// the schema's, or a missing required field, is an error.
    pub fn parse(buffer: &gst::BufferRef) -> Option<Result<Self, SchemaError>> {
        let meta = CustomMeta::from_buffer(buffer, META_NAME).ok()?;
        Some(schema::read(meta.structure(), &META_FIELDS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meta_round_trips_and_a_field_of_another_type_is_an_error() {
        gst::init().unwrap();
        register();
        let figures = FrameFigures {
            sharpness: 0.5,
            valid: true,
            effective_width: Some(320),
            active_area: Some(Rect::new(1, 2, 30, 40)),
            ..Default::default()
        };
        let mut buf = gst::Buffer::new();
        let meta = SharpMeterMeta {
            figures,
            scene_cut: true,
            tiles: vec![0.25, -1.0],
        };
        meta.add(buf.get_mut().unwrap()).unwrap();
        assert_eq!(SharpMeterMeta::from_buffer(&buf), Some(meta));
        let mut m = CustomMeta::from_mut_buffer(buf.get_mut().unwrap(), META_NAME).unwrap();
        m.mut_structure().set("valid", 1i32);
        let err = SharpMeterMeta::parse(&buf).unwrap().unwrap_err();
        assert!(err.to_string().contains("valid"), "{err}");
        assert_eq!(SharpMeterMeta::from_buffer(&buf), None);
        assert!(SharpMeterMeta::parse(&gst::Buffer::new()).is_none());
    }
}
