//! A frame measured as the element measures it: the figures of one frame and the set of
//! optional metrics, the analyser that computes them (on one or two threads), letterbox bars,
//! the region of interest and the tile map. Uses every room below it.

pub mod analyzer;
pub mod frame_figures;
pub mod frame_meter;
pub mod letterbox;
mod worker;
