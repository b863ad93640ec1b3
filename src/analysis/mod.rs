//! The measurement core: plain functions over a luma plane, free of GStreamer types.

pub mod band_energy;
pub mod blur_effect;
pub mod derivatives;
pub mod diagonal_energy;
mod diagonal_energy_u8;
pub mod edge_width;
pub mod effective_resolution;
pub mod figures;
pub mod frame_meter;
pub mod letterbox;
pub mod line_spectrum;
pub mod luma;
pub mod noise;
pub mod plane;
mod real_fft;
pub mod region;
pub mod sharpness;
mod simd;
pub mod thumbnail;
pub mod upscale;
mod worker;

pub use figures::{Analyzer, FrameFigures, Metrics};
pub use frame_meter::{FrameMeter, MeterSettings, effective_share};
pub use luma::{LumaLayout, LumaScratch, luma_plane};
pub use plane::{LumaPlane, PlaneError};
pub use region::Rect;
