//! Fuzzes the analysis core: the input chooses size, stride padding, sample depth, scale
//! shift and metrics, and fills the plane (cycled). Every figure must be finite and in range.
//!
//! `cargo +nightly fuzz run analysis` from the crate root.
#![no_main]

use gstsharpmeter::analysis::{Analyzer, LumaPlane, Metrics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    if input.len() < 8 {
        return;
    }
    let (head, body) = input.split_at(8);
    let w = 1 + (u16::from_le_bytes([head[0], head[1]]) as usize % 400);
    let h = 1 + (u16::from_le_bytes([head[2], head[3]]) as usize % 400);
    let stride = w + (head[4] as usize % 16);
    let deep = head[5] & 1 == 1;
    let shift = (head[5] >> 1) as u32 % 9;
    let metrics = Metrics {
        laplacian_variance: head[6] & 1 != 0,
        tenengrad: head[6] & 2 != 0,
        blur_effect: head[6] & 4 != 0,
        edge_width: head[6] & 8 != 0,
        effective_resolution: head[6] & 16 != 0,
    };
    let fill = if body.is_empty() {
        &[head[7]][..]
    } else {
        body
    };
    let len = stride * (h - 1) + w;
    let mut analyzer = Analyzer::new();
    let f = if deep {
        let data: Vec<u16> = (0..len)
            .map(|i| {
                u16::from_le_bytes([fill[(2 * i) % fill.len()], fill[(2 * i + 1) % fill.len()]])
            })
            .collect();
        analyzer.analyze(
            &LumaPlane::new_u16(&data, w, h, stride, shift).unwrap(),
            metrics,
        )
    } else {
        let data: Vec<u8> = (0..len).map(|i| fill[i % fill.len()]).collect();
        analyzer.analyze(&LumaPlane::new_u8(&data, w, h, stride).unwrap(), metrics)
    };
    assert!(f.sharpness.is_finite() && (0.0..=1.0).contains(&f.sharpness));
    assert!(f.noise.is_finite() && (0.0..=1.0).contains(&f.texture));
    for v in [
        f.laplacian_variance,
        f.tenengrad,
        f.blur_effect,
        f.edge_width,
        f.upscale_confidence,
    ]
    .into_iter()
    .flatten()
    {
        assert!(v.is_finite() && v >= 0.0);
    }
    assert!(f.effective_width.is_none_or(|e| e as usize <= w));
    assert!(f.effective_height.is_none_or(|e| e as usize <= h));
});
