//! sharpmeter: a GStreamer element that measures per-frame sharpness.

pub mod analysis;
pub mod messages;
pub mod temporal;
