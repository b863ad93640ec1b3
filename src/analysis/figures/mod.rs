//! One figure a file, each computed from kernel outputs or a plane view: the sharpness
//! score, the peers' blur effect and edge width, the effective share of a spectrum, the
//! upscale search and `detail`. They use [`super::kernels`] and [`super::frame`], never each other.

pub mod blur_effect;
pub mod detail;
pub mod edge_width;
pub mod effective_resolution;
pub mod sharpness;
pub mod upscale;
