//! Property test of the analysis core: random sizes, strides, bit depths and contents (photo
//! crops, their 2x down-ups, noise, flat, stripes, ramps, pixel-repeated noise) never panic and
//! always give finite figures in range.

mod common;

use std::sync::OnceLock;

use common::clip::{Photo, down_up, load_photo};
use common::fixture;
use gstsharpmeter::analysis::{Analyzer, FrameFigures, LumaPlane, Metrics};

fn photo() -> &'static Photo {
    static PHOTO: OnceLock<Photo> = OnceLock::new();
    PHOTO.get_or_init(|| load_photo(&fixture("gray_camera__blur__0.png")))
}

/// Small deterministic generator (64-bit LCG, high bits).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// Kinds of content at or above this are photo crops; from `DOWN_UP` on, down-up by 2.
const PHOTO: u32 = 5;
const DOWN_UP: u32 = 7;

/// Row-major content of `w` x `h` with values below `max`, and its kind.
fn content(rng: &mut Rng, w: usize, h: usize, max: u32) -> (u32, Vec<u32>) {
    let kind = rng.below(9);
    let level = rng.below(max);
    let period = 1 + rng.below(9) as usize;
    let factor = 2 + rng.below(3) as usize;
    let mut noise: Vec<u32> = (0..w * h).map(|_| rng.below(max)).collect();
    match kind {
        0 => {}
        1 => noise.iter_mut().for_each(|v| *v = level),
        2 => {
            for (i, v) in noise.iter_mut().enumerate() {
                *v = if ((i % w) / period).is_multiple_of(2) {
                    level
                } else {
                    max - 1
                };
            }
        }
        3 => {
            // Each row repeats its own samples `factor` times: a nearest-neighbour upscale.
            for y in 0..h {
                for x in 0..w {
                    noise[y * w + x] = noise[y * w + (x / factor) * factor];
                }
            }
        }
        4 => {
            for (i, v) in noise.iter_mut().enumerate() {
                *v = ((i % w) as u32 * max / w as u32).min(max - 1);
            }
        }
        _ => {
            // A crop of the photo (wrapped past its edges), down-up by 2 for kinds 7 and 8.
            let p = photo();
            let (ox, oy) = (rng.below(200) as usize, rng.below(200) as usize);
            let mut rgb = vec![0u8; w * h * 3];
            for y in 0..h {
                for x in 0..w {
                    let (sx, sy) = ((x + ox) % p.width, (y + oy) % p.height);
                    rgb[(y * w + x) * 3..][..3]
                        .copy_from_slice(&p.rgb[(sy * p.width + sx) * 3..][..3]);
                }
            }
            if kind >= DOWN_UP {
                rgb = down_up(&rgb, w, h, 2);
            }
            for (v, px) in noise.iter_mut().zip(rgb.chunks(3)) {
                *v = px[0] as u32 * (max / 256);
            }
        }
    }
    (kind, noise)
}

fn check(f: &FrameFigures, w: usize, h: usize, what: &str) {
    assert!(
        f.sharpness.is_finite() && (0.0..=1.0).contains(&f.sharpness),
        "{what}: {f:?}"
    );
    assert!(f.noise.is_finite() && f.noise >= 0.0, "{what}: {f:?}");
    assert!((0.0..=1.0).contains(&f.texture), "{what}: {f:?}");
    if !f.valid {
        assert_eq!(f.sharpness, 0.0, "{what}");
        assert_eq!(
            (f.effective_width, f.effective_height),
            (None, None),
            "{what}"
        );
    }
    for v in [f.laplacian_variance, f.tenengrad, f.edge_width]
        .into_iter()
        .flatten()
    {
        assert!(v.is_finite() && v >= 0.0, "{what}: {f:?}");
    }
    if let Some(b) = f.blur_effect {
        assert!(b.is_finite() && (0.0..=1.0).contains(&b), "{what}: {f:?}");
    }
    assert!(
        f.effective_width.is_none_or(|e| e as usize <= w),
        "{what}: {f:?}"
    );
    assert!(
        f.effective_height.is_none_or(|e| e as usize <= h),
        "{what}: {f:?}"
    );
    assert!(
        f.upscaled_from_width.is_none_or(|e| (e as usize) < w),
        "{what}: {f:?}"
    );
    assert!(
        f.upscaled_from_height.is_none_or(|e| (e as usize) < h),
        "{what}: {f:?}"
    );
    if let Some(c) = f.upscale_confidence {
        assert!((0.0..=1.0).contains(&c), "{what}: {f:?}");
    }
}

#[test]
fn random_planes_give_finite_figures_in_range() {
    let mut rng = Rng(0x5eed);
    let mut analyzer = Analyzer::new();
    let (mut valid, mut estimated, mut upscaled) = (0, 0, 0);
    // SHARPMETER_CASES runs more (a longer search); the thresholds below scale with it.
    let cases: usize = std::env::var("SHARPMETER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    for case in 0..cases {
        // Mostly small frames, some past the 64- and 128-pixel limits of the analyses.
        let side = |rng: &mut Rng| match rng.below(4) {
            0 => 1 + rng.below(8) as usize,
            1 => 1 + rng.below(70) as usize,
            _ => 60 + rng.below(240) as usize,
        };
        let (w, h) = (side(&mut rng), side(&mut rng));
        let stride = w + rng.below(9) as usize;
        let shift = rng.below(9);
        let deep = rng.below(2) == 1;
        let max = if deep { 256 << shift } else { 256 };
        let metrics = if rng.below(2) == 0 {
            Metrics::ALL
        } else {
            Metrics::DEFAULT
        };
        let (kind, pixels) = content(&mut rng, w, h, max);
        let what = format!("case {case}: {w}x{h} stride {stride} deep {deep} shift {shift}");
        // Padding holds garbage, as uninitialised stride padding would; the last row is short.
        let len = stride * (h - 1) + w;
        let figures = if deep {
            let mut data: Vec<u16> = (0..len).map(|_| rng.next() as u16).collect();
            for y in 0..h {
                for x in 0..w {
                    data[y * stride + x] = pixels[y * w + x].min(u16::MAX as u32) as u16;
                }
            }
            let plane = LumaPlane::new_u16(&data, w, h, stride, shift).unwrap();
            analyzer.analyze(&plane, metrics)
        } else {
            let mut data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            for y in 0..h {
                for x in 0..w {
                    data[y * stride + x] = pixels[y * w + x] as u8;
                }
            }
            let plane = LumaPlane::new_u8(&data, w, h, stride).unwrap();
            analyzer.analyze(&plane, metrics)
        };
        check(&figures, w, h, &what);
        if (PHOTO..DOWN_UP).contains(&kind) {
            assert_eq!(
                figures.upscale_confidence, None,
                "{what}: untouched photo crop"
            );
        }
        valid += usize::from(figures.valid);
        estimated += usize::from(figures.effective_width.is_some());
        upscaled += usize::from(figures.upscaled_from_width.is_some());
    }
    // The cases reach every analysis, not only the early exits.
    eprintln!("valid {valid}, estimated {estimated}, upscaled {upscaled} of {cases}");
    assert!(valid * 10 >= cases && estimated * 15 >= cases && upscaled * 100 >= cases);
}

#[test]
fn padding_never_changes_the_figures() {
    let mut rng = Rng(42);
    let mut analyzer = Analyzer::new();
    for _ in 0..20 {
        let (w, h) = (100 + rng.below(200) as usize, 100 + rng.below(200) as usize);
        let pixels: Vec<u8> = content(&mut rng, w, h, 256)
            .1
            .into_iter()
            .map(|v| v as u8)
            .collect();
        let packed = analyzer.analyze(&LumaPlane::new_u8(&pixels, w, h, w).unwrap(), Metrics::ALL);
        let stride = w + 1 + rng.below(64) as usize;
        let mut padded: Vec<u8> = (0..stride * h).map(|_| rng.next() as u8).collect();
        for y in 0..h {
            padded[y * stride..y * stride + w].copy_from_slice(&pixels[y * w..(y + 1) * w]);
        }
        let strided = analyzer.analyze(
            &LumaPlane::new_u8(&padded, w, h, stride).unwrap(),
            Metrics::ALL,
        );
        assert_eq!(packed, strided, "{w}x{h} stride {stride}");
    }
}
