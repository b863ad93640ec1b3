//! A frame's luma as every pass reads it: read-only plane views, the rectangles cut from
//! them, and their making from raw frame bytes. Uses nothing else of the crate.

pub mod luma;
pub mod plane;
pub mod rect;
