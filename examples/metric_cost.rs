//! Per-metric cost of the analysis core on one core: a corpus photo mirrored to
//! 1920x1080 GRAY8, each metric set analysed repeatedly, with the time of a pass that only
//! reads every luma byte as the baseline measured in the same run.
//!
//! `cargo run --release --example metric_cost [-- WIDTH HEIGHT]`

// Shared with the tests and the demo; only the photo tiling is used here.
#[allow(dead_code)]
#[path = "../tests/common/clip.rs"]
mod clip;

use std::time::Instant;

use gstsharpmeter::analysis::diagonal_energy;
use gstsharpmeter::analysis::effective_resolution::effective_share;
use gstsharpmeter::analysis::line_spectrum::{Axis, SpectrumScratch, line_spectrum};
use gstsharpmeter::analysis::upscale::{UpscaleScratch, detect};
use gstsharpmeter::analysis::{Analyzer, LumaPlane, Metrics};

/// Median milliseconds per call of `f` over `runs` calls.
fn time_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[runs / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (w, h) = (
        *args.first().unwrap_or(&1920),
        *args.get(1).unwrap_or(&1080),
    );
    let photo = clip::load_photo(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/gray_camera__blur__0.png"),
    );
    let c = clip::Clip {
        photo,
        width: w,
        height: h,
        fps: 25,
        frames: 1,
        soft: 0..0,
        factor: 1,
        fade: 0..0,
    };
    let gray: Vec<u8> = c.frame(0).chunks(3).map(|p| p[0]).collect();
    let plane = LumaPlane::new_u8(&gray, w, h, w).unwrap();
    let runs = 15;
    let read = time_ms(runs, || {
        let s: u64 = gray.iter().map(|&v| v as u64).sum();
        std::hint::black_box(s);
    });
    let mut analyzer = Analyzer::new();
    let none = Metrics {
        laplacian_variance: false,
        tenengrad: false,
        blur_effect: false,
        edge_width: false,
        effective_resolution: false,
    };
    let sets = [
        ("sharpness, valid, noise, texture (always)", none),
        (
            "+ effective-resolution",
            Metrics {
                effective_resolution: true,
                ..none
            },
        ),
        (
            "default (+ lapvar, tenengrad, effective-res.)",
            Metrics::DEFAULT,
        ),
        (
            "default + blur-effect",
            Metrics {
                blur_effect: true,
                ..Metrics::DEFAULT
            },
        ),
        (
            "default + edge-width",
            Metrics {
                edge_width: true,
                ..Metrics::DEFAULT
            },
        ),
        ("all metrics", Metrics::ALL),
    ];
    println!("{w}x{h} GRAY8, median of {runs} runs, one core");
    println!("  {:<44} {:>9} {:>9}", "metric set", "ms/frame", "x read");
    println!(
        "  {:<44} {:>9.2} {:>9.1}",
        "baseline: read every luma byte", read, 1.0
    );
    for (name, m) in sets {
        let t = time_ms(runs, || {
            std::hint::black_box(analyzer.analyze(&plane, m));
        });
        println!("  {:<44} {:>9.2} {:>9.1}", name, t, t / read);
    }
    let (mut diagonal_scratch, mut diagonal) = Default::default();
    let t = time_ms(runs, || {
        diagonal_energy::diagonal(&plane, &mut diagonal_scratch, &mut diagonal);
    });
    println!(
        "  {:<44} {:>9.2} {:>9.1}",
        "sharpness: diagonal energies (part of always)",
        t,
        t / read
    );
    let mut spectrum = SpectrumScratch::default();
    let mut upscale = UpscaleScratch::default();
    // The photo has no upscale, so every search runs to the end: the worst case.
    for (name, with_upscale, corners) in [
        ("effective resolution: line spectra", false, false),
        ("  + upscale, pixel centres (full detail)", true, false),
        ("  + upscale, both alignments (worst case)", true, true),
    ] {
        let t = time_ms(runs, || {
            for axis in [Axis::Rows, Axis::Columns] {
                let share = line_spectrum(&plane, axis, &mut spectrum).and_then(effective_share);
                std::hint::black_box(share);
                if with_upscale {
                    std::hint::black_box(detect(&plane, axis, &mut upscale, corners));
                }
            }
        });
        println!("  {:<44} {:>9.2} {:>9.1}", name, t, t / read);
    }
}
