//! The measurement core: plain functions over a luma plane, free of GStreamer types.
//!
//! Four rooms, each using only the rooms before it:
//! [`frame`] (plane views) <- [`kernels`] (pixel passes) <- [`figures`] (one figure a file)
//! <- [`meter`] (a frame measured as the element measures it).

pub mod figures;
pub mod frame;
pub mod kernels;
pub mod meter;

pub use frame::luma::{LumaLayout, LumaScratch, luma_plane};
pub use frame::plane::{LumaPlane, PlaneError};
pub use frame::rect::Rect;
pub use kernels::thumbnail::Thumbnail;
pub use meter::analyzer::Analyzer;
pub use meter::frame_figures::{FrameFigures, Metrics, effective_share};
pub use meter::frame_meter::{FrameMeter, MeterSettings};
