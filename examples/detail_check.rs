//! Prints the `detail` figure of each PNG given, measured as the element measures it (default
//! properties, luma from RGB): one line per file, `PATH<TAB>DETAIL` (`none` without a figure).
//! `tools/detail_check.py` runs it over the calibration set's stills and their versions.
//!
//! `cargo run --release --example detail_check -- FILE.png...`

use std::path::Path;

// Shared with the tests and the demo; only the PNG loader is used here.
#[allow(dead_code)]
#[path = "../tests/common/clip.rs"]
mod clip;

use gstsharpmeter::analysis::{FrameMeter, LumaLayout, LumaScratch, MeterSettings, luma_plane};

fn main() {
    let mut meter = FrameMeter::new();
    let mut scratch = LumaScratch::default();
    for path in std::env::args().skip(1) {
        let img = clip::load_photo(Path::new(&path));
        let plane = luma_plane(
            &img.rgb,
            img.width,
            img.height,
            img.width * 3,
            LumaLayout::PACKED_RGB,
            &mut scratch,
        )
        .expect("plane");
        let figures = meter.measure(&plane, &MeterSettings::DEFAULT).0;
        match figures.detail {
            Some(d) => println!("{path}\t{d}"),
            None => println!("{path}\tnone"),
        }
    }
}
