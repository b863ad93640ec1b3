//! The analysis core allocates nothing per frame once its scratch memory has grown, on one
//! thread or two: a counting global allocator watches a pan analysed with every metric, a
//! region, a tile map and the RGB-to-luma conversion. It counts every thread's allocations,
//! so this file holds one test.

mod common;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use common::clip;
use counting_alloc::allocations;
use gstsharpmeter::analysis::{
    FrameMeter, LumaLayout, LumaScratch, MeterSettings, Metrics, luma_plane,
};

#[test]
fn analysing_a_frame_allocates_nothing_after_the_first() {
    let (w, h) = (640, 360);
    let pan = clip::Clip {
        photo: clip::load_photo(&common::fixture("color_astronaut__blur__0.png")),
        width: w,
        height: h,
        fps: 25,
        frames: 6,
        soft: 3..6,
        factor: 2,
        fade: 0..0,
    };
    let frames: Vec<Vec<u8>> = (0..pan.frames).map(|i| pan.frame(i)).collect();
    let layout = LumaLayout::PACKED_RGB;
    for threads in [1, 2] {
        let mut scratch = LumaScratch::default();
        let mut meter = FrameMeter::new();
        let settings = MeterSettings {
            metrics: Metrics::ALL,
            roi: (16, 8, w as u32 - 48, h as u32 - 24),
            tiles: (2, 2),
            threads,
            ..MeterSettings::DEFAULT
        };
        let mut analyze = |rgb: &[u8]| {
            let plane = luma_plane(rgb, w, h, w * 3, layout, &mut scratch).unwrap();
            let (figures, _) = meter.measure(&plane, &settings);
            assert!(figures.valid && figures.effective_width.is_some());
            assert_eq!(meter.tiles().len(), 4);
        };
        analyze(&frames[0]);
        let before = allocations();
        for f in &frames[1..] {
            analyze(f);
        }
        let after = allocations();
        assert_eq!(
            after - before,
            0,
            "allocations over {} frames with {threads} thread(s)",
            frames.len() - 1
        );
    }
}
