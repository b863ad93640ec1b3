//! Properties of the `sharpness` score on real photographs, through the analysis core.

mod common;

use common::clip::load_photo;
use common::fixture;
use gstsharpmeter::analysis::{Analyzer, FrameFigures, LumaLayout, LumaScratch, luma_plane};

fn analyse(gray: &[u8], w: usize, h: usize) -> FrameFigures {
    let mut scratch = LumaScratch::default();
    let layout = LumaLayout::Bytes { pixel_stride: 1 };
    let plane = luma_plane(gray, w, h, w, layout, &mut scratch).unwrap();
    Analyzer::new().analyze(&plane)
}

fn gray_fixture(name: &str) -> (Vec<u8>, usize, usize) {
    let p = load_photo(&fixture(name));
    let gray = p.rgb.chunks(3).map(|px| px[0]).collect();
    (gray, p.width, p.height)
}

#[test]
fn half_contrast_changes_sharpness_by_less_than_0_01() {
    for name in [
        "gray_camera__blur__0.png",
        "gray_chelsea__blur__0.png",
        "gray_text__blur__0.png",
        "gray_coins__jpeg__20.png",
        "gray_camera__blur__2.png",
    ] {
        let (gray, w, h) = gray_fixture(name);
        let full = analyse(&gray, w, h);
        let half: Vec<u8> = gray.iter().map(|&v| v.div_ceil(2)).collect();
        let halved = analyse(&half, w, h);
        assert!(full.valid && halved.valid);
        let d = (full.sharpness - halved.sharpness).abs();
        assert!(
            d < 0.01,
            "{name}: {} vs {} at half contrast",
            full.sharpness,
            halved.sharpness
        );
        // The raw figures are not contrast-invariant: on detailed pictures they scale by
        // about a quarter (on soft ones the rounding noise of halving adds to that).
        if full.laplacian_variance > 100.0 {
            assert!(
                halved.laplacian_variance < 0.3 * full.laplacian_variance,
                "{name}"
            );
        }
    }
}

#[test]
fn uniform_and_black_frames_are_not_valid() {
    for value in [0u8, 16, 128, 255] {
        let f = analyse(&vec![value; 320 * 240], 320, 240);
        assert!(!f.valid, "uniform {value}");
        assert_eq!(f.sharpness, 0.0);
        assert_eq!(f.laplacian_variance, 0.0);
    }
    // A smooth ramp has no detail either.
    let ramp: Vec<u8> = (0..320 * 240)
        .map(|i| ((i % 320) * 255 / 319) as u8)
        .collect();
    assert!(!analyse(&ramp, 320, 240).valid);
}

#[test]
fn photos_are_valid_and_in_range() {
    for name in [
        "gray_camera__blur__4.png",
        "gray_brick__downup__2.png",
        "gray_text__blur__0.png",
    ] {
        let (gray, w, h) = gray_fixture(name);
        let f = analyse(&gray, w, h);
        assert!(f.valid, "{name}");
        assert!(
            f.sharpness > 0.0 && f.sharpness < 1.0,
            "{name}: {}",
            f.sharpness
        );
    }
}
