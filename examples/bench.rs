//! `make bench`: what sharpmeter costs on one core, against baselines measured in the same run.
//!
//! 1. The analysis core on a corpus photo mirrored to 704x1280, 1920x1080 and 3840x2160
//!    (GRAY8): milliseconds per frame for each metric set and each pass of the default set,
//!    and the ratio to a pass that only reads every luma byte; last, the default set on one
//!    frame of a pan again and again against 40 frames in turn (read from memory).
//! 2. Allocations per analysed frame after the first (a counting global allocator).
//! 3. Whole processes pinned to one core on the same raw I420 1080p frames:
//!    `gst-launch-1.0 filesrc ! rawvideoparse ! sharpmeter ! fakesink` (also with
//!    `analyze-every=8`) against `identity`, and
//!    `ffmpeg -threads 1 -vf blurdetect` against `-vf null`; the time each adds per frame and
//!    the ratio.
//!
//! 4. The `sharpmeter check --jobs 2` command on six 704x1280 10 s x264 clips against
//!    decoding them alone (`gst-launch-1.0 uridecodebin ! fakesink`, two at a time): files/s
//!    and frames/s.
//!
//! `cargo run --release --example bench [-- --quick|--command]` (`--quick`: the core at 1080p
//! only; `--command`: part 4 only)

// Shared with the tests and the demo; only the photo tiling is used here.
#[allow(dead_code)]
#[path = "../tests/common/clip.rs"]
mod clip;

#[path = "../tests/common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use gstsharpmeter::analysis::figures::detail::{DetailScratch, SEGMENT as DETAIL_SEGMENT, detail};
use gstsharpmeter::analysis::figures::effective_resolution::effective_share;
use gstsharpmeter::analysis::figures::upscale::{UpscaleScratch, detect};
use gstsharpmeter::analysis::kernels::band_energy::{self, BandScratch, BlockEnergies};
use gstsharpmeter::analysis::kernels::derivatives::{DerivativeScratch, derivatives};
use gstsharpmeter::analysis::kernels::diagonal_energy;
use gstsharpmeter::analysis::kernels::line_spectrum::{Axis, SpectrumScratch, line_spectrum};
use gstsharpmeter::analysis::kernels::local_contrast::{
    LocalContrast, LocalContrastScratch, local_contrast,
};
use gstsharpmeter::analysis::kernels::thumbnail::{CELLS, ThumbnailScratch, thumbnail};
use gstsharpmeter::analysis::{FrameMeter, LumaPlane, MeterSettings, Metrics};

/// The system allocator, counting allocations.
/// Best and median milliseconds per call of `f` over `runs` calls. On a shared VM the best is
/// the steadier figure; the median shows the spread.
fn time_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[0], t[runs / 2])
}

/// Frame `i` of a slow pan over the camera photo, mirrored to `w x h`, as packed GRAY8.
fn gray_frames(w: usize, h: usize, frames: usize) -> Vec<Vec<u8>> {
    let photo = clip::load_photo(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gray_camera__blur__0.png"),
    );
    let c = clip::Clip {
        photo,
        width: w,
        height: h,
        fps: 30,
        frames,
        soft: 0..0,
        factor: 1,
        fade: 0..0,
    };
    (0..frames)
        .map(|i| c.frame(i).chunks(3).map(|p| p[0]).collect())
        .collect()
}

const NONE: Metrics = Metrics {
    laplacian_variance: false,
    tenengrad: false,
    blur_effect: false,
    edge_width: false,
    effective_resolution: false,
    detail: false,
};

/// The metric sets the core is timed with.
fn metric_sets() -> [(&'static str, Metrics); 8] {
    [
        ("sharpness, valid, noise, texture (always)", NONE),
        (
            "+ effective-resolution",
            Metrics {
                effective_resolution: true,
                ..NONE
            },
        ),
        (
            "+ detail",
            Metrics {
                detail: true,
                ..NONE
            },
        ),
        (
            "default without detail",
            Metrics {
                detail: false,
                ..Metrics::DEFAULT
            },
        ),
        (
            "default (+ lapvar, tenengrad, eff.-res., detail)",
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
    ]
}

/// Prints the core's cost at `w x h`.
fn core_table(w: usize, h: usize) {
    let gray = gray_frames(w, h, 1).remove(0);
    let plane = LumaPlane::new_u8(&gray, w, h, w).unwrap();
    let runs = if w * h > 4_000_000 { 9 } else { 21 };
    let read = time_ms(runs, || {
        let s: u64 = gray.iter().map(|&v| v as u64).sum();
        std::hint::black_box(s);
    });
    let mut meter = FrameMeter::new();
    let with = |metrics, threads| MeterSettings {
        metrics,
        threads,
        ..MeterSettings::DEFAULT
    };
    println!("\n{w}x{h} GRAY8, {runs} runs, one thread");
    println!(
        "  {:<46} {:>8} {:>8} {:>8}",
        "metric set or part", "best ms", "median", "x read"
    );
    let row = |name: &str, (best, median): (f64, f64)| {
        println!(
            "  {:<46} {:>8.2} {:>8.2} {:>8.1}",
            name,
            best,
            median,
            best / read.0
        )
    };
    row("baseline: read every luma byte", read);
    for (name, m) in metric_sets() {
        let t = time_ms(runs, || {
            std::hint::black_box(meter.measure(&plane, &with(m, 1)));
        });
        row(name, t);
    }
    let mut two = FrameMeter::new();
    for (name, m) in [
        ("default, threads=2 (wall time)", Metrics::DEFAULT),
        ("all metrics, threads=2 (wall time)", Metrics::ALL),
    ] {
        let t = time_ms(runs, || {
            std::hint::black_box(two.measure(&plane, &with(m, 2)));
        });
        row(name, t);
    }
    let (mut diagonal_scratch, mut diagonal) = Default::default();
    let t = time_ms(runs, || {
        diagonal_energy::diagonal(&plane, &mut diagonal_scratch, &mut diagonal);
    });
    row("part: diagonal energies (in always)", t);
    let mut derivative_scratch = DerivativeScratch::default();
    let t = time_ms(runs, || {
        std::hint::black_box(derivatives(&plane, &mut derivative_scratch));
    });
    row("part: derivatives and noise (in always)", t);
    let (mut bands, mut energies) = (BandScratch::default(), BlockEnergies::default());
    let t = time_ms(runs, || {
        band_energy::horizontal(&plane, &mut bands, &mut energies);
    });
    row("part: horizontal band pyramid (in always)", t);
    let t = time_ms(runs, || {
        band_energy::vertical(&plane, &mut bands, &mut energies);
    });
    row("part: vertical band pyramid (in always)", t);
    let (mut thumbnail_scratch, mut cells) = (ThumbnailScratch::default(), [0.0; CELLS]);
    let t = time_ms(runs, || {
        thumbnail(&plane, &mut thumbnail_scratch, &mut cells);
    });
    row("part: scene-cut thumbnail (in always)", t);
    let (mut contrast_scratch, mut contrast) =
        (LocalContrastScratch::default(), LocalContrast::default());
    let mut detail_scratch = DetailScratch::default();
    let t = time_ms(runs, || {
        local_contrast(&plane, DETAIL_SEGMENT, &mut contrast_scratch, &mut contrast);
        std::hint::black_box(detail(&contrast, &mut detail_scratch));
    });
    row("part: local contrast and detail (in default)", t);
    let mut spectrum = SpectrumScratch::default();
    let mut upscale = UpscaleScratch::default();
    // The photo has no upscale, so every search runs to the end: the worst case.
    for (name, with_upscale, corners) in [
        ("part: line spectra (effective resolution)", false, false),
        ("  + upscale, pixel centres (full detail)", true, false),
        ("  + upscale, both alignments (worst case)", true, true),
    ] {
        let t = time_ms(runs, || {
            for axis in [Axis::Rows, Axis::Columns] {
                let share = line_spectrum(&plane, axis, &mut spectrum).and_then(effective_share);
                std::hint::black_box(share);
                if with_upscale {
                    let read = spectrum.lines_read(axis);
                    std::hint::black_box(detect(&plane, axis, &mut upscale, corners, read));
                }
            }
        });
        row(name, t);
    }
    // The default set on one frame of a pan, then on frames that left the cache since their
    // last turn (about 80 MB): what reading from memory adds. Last, as the frames stay allocated.
    let turns = if w * h > 4_000_000 { 10 } else { 40 };
    let pan = gray_frames(w, h, turns);
    let planes: Vec<LumaPlane> = pan
        .iter()
        .map(|f| LumaPlane::new_u8(f, w, h, w).unwrap())
        .collect();
    let t = time_ms(runs, || {
        std::hint::black_box(meter.measure(&planes[0], &with(Metrics::DEFAULT, 1)));
    });
    row("default, one frame of a pan again and again", t);
    let mut turn = planes.iter().cycle();
    let t = time_ms(runs, || {
        let plane = turn.next().unwrap();
        std::hint::black_box(meter.measure(plane, &with(Metrics::DEFAULT, 1)));
    });
    row(&format!("default, {turns} frames of a pan in turn"), t);
}

/// Allocations per analysed frame after the first, with every metric, over a pan.
fn allocations_per_frame() {
    let (w, h) = (1920, 1080);
    let frames = gray_frames(w, h, 12);
    let mut meter = FrameMeter::new();
    let settings = MeterSettings {
        metrics: Metrics::ALL,
        ..MeterSettings::DEFAULT
    };
    let mut analyze = |f: &[u8]| {
        let plane = LumaPlane::new_u8(f, w, h, w).unwrap();
        std::hint::black_box(meter.measure(&plane, &settings));
    };
    analyze(&frames[0]);
    let before = allocations();
    for f in &frames[1..] {
        analyze(f);
    }
    let n = allocations() - before;
    println!(
        "\nallocations per analysed frame after the first (1920x1080, all metrics, {} frames): {:.1}",
        frames.len() - 1,
        n as f64 / (frames.len() - 1) as f64
    );
}

/// Best wall time of three runs of `program args` pinned to CPU 0, seconds; None when it
/// cannot run.
fn best_of_three(program: &str, args: &[String], plugin_dir: &Path) -> Option<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = Instant::now();
        let out = Command::new("taskset")
            .arg("-c")
            .arg("0")
            .arg(program)
            .args(args)
            .env("GST_PLUGIN_PATH", plugin_dir)
            .output()
            .ok()?;
        let t = start.elapsed().as_secs_f64();
        if !out.status.success() {
            eprintln!(
                "{program} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        best = best.min(t);
    }
    Some(best)
}

/// Writes [`gray_frames`] as raw I420 (gray chroma) to `path`.
fn write_i420(path: &Path, w: usize, h: usize, frames: usize) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let chroma = vec![128u8; w * h / 2];
    for y in gray_frames(w, h, frames) {
        f.write_all(&y)?;
        f.write_all(&chroma)?;
    }
    f.flush()
}

/// `analyze-every` of the pipeline row that analyses one frame in this many.
const EVERY: u32 = 8;

/// Whole-process times on raw I420 1080p frames: sharpmeter (every frame, and one in
/// [`EVERY`]) against identity, ffmpeg's blurdetect against null.
fn pipelines() -> std::io::Result<()> {
    let (w, h, frames) = (1920usize, 1080usize, 100usize);
    let exe = std::env::current_exe()?;
    let plugin_dir: PathBuf = exe.parent().unwrap().parent().unwrap().to_path_buf();
    if !plugin_dir.join("libgstsharpmeter.so").exists() {
        eprintln!(
            "{} has no libgstsharpmeter.so: cargo build --release --lib",
            plugin_dir.display()
        );
        return Ok(());
    }
    let raw = std::env::temp_dir().join(format!("sharpmeter-bench-{}.i420", std::process::id()));
    write_i420(&raw, w, h, frames)?;
    let loc = raw.display().to_string();
    let gst = |element: &str| -> Vec<String> {
        format!(
            "-q filesrc location={loc} ! rawvideoparse width={w} height={h} format=i420 framerate=30/1 ! {element} ! fakesink"
        )
        .split(' ')
        .map(String::from)
        .collect()
    };
    let ffmpeg = |filter: &str| -> Vec<String> {
        format!(
            "-hide_banner -loglevel error -nostdin -threads 1 -filter_threads 1 -f rawvideo -pix_fmt yuv420p -s {w}x{h} -framerate 30 -i {loc} -vf {filter} -f null -"
        )
        .split(' ')
        .map(String::from)
        .collect()
    };
    println!("\nwhole processes on CPU 0, {frames} raw I420 {w}x{h} frames, best of 3 runs");
    let per_frame = |a: f64, b: f64| (a - b) / frames as f64 * 1e3;
    let identity = best_of_three("gst-launch-1.0", &gst("identity"), &plugin_dir);
    let sharp = best_of_three("gst-launch-1.0", &gst("sharpmeter"), &plugin_dir);
    let every = best_of_three(
        "gst-launch-1.0",
        &gst(&format!("sharpmeter analyze-every={EVERY}")),
        &plugin_dir,
    );
    let null = best_of_three("ffmpeg", &ffmpeg("null"), &plugin_dir);
    let blur = best_of_three("ffmpeg", &ffmpeg("blurdetect"), &plugin_dir);
    std::fs::remove_file(&raw)?;
    let mut added = None;
    if let (Some(i), Some(s)) = (identity, sharp) {
        let a = per_frame(s, i);
        println!(
            "  gst-launch identity {:.2} s, sharpmeter (defaults) {:.2} s: sharpmeter adds {:.2} ms/frame",
            i, s, a
        );
        added = Some(a);
    }
    if let (Some(i), Some(e)) = (identity, every) {
        println!(
            "  sharpmeter analyze-every={EVERY} {:.2} s: adds {:.2} ms/frame",
            e,
            per_frame(e, i)
        );
    }
    match (null, blur) {
        (Some(n), Some(b)) => {
            let a = per_frame(b, n);
            println!(
                "  ffmpeg -vf null {:.2} s, -vf blurdetect {:.2} s: blurdetect adds {:.2} ms/frame",
                n, b, a
            );
            if let Some(s) = added {
                println!("  blurdetect / sharpmeter added time: {:.1}x", a / s);
            }
        }
        _ => println!("  ffmpeg not found or failed (make bench installs Debian's ffmpeg)"),
    }
    Ok(())
}

/// `sharpmeter check --jobs 2` on six 704x1280 10 s clips against decoding them alone, two
/// at a time.
fn command() -> std::io::Result<()> {
    let (w, h, frames, files) = (704usize, 1280usize, 300usize, 6usize);
    let exe = std::env::current_exe()?;
    let release = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let cli = release.join("sharpmeter");
    if !cli.exists() {
        eprintln!(
            "{} is missing: cargo build --release -p sharpmeter-cli",
            cli.display()
        );
        return Ok(());
    }
    let dir = std::env::temp_dir().join(format!("sharpmeter-bench-clips-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let raw = dir.join("pan.i420");
    write_i420(&raw, w, h, frames)?;
    // Each clip at its own bitrate, so the files differ.
    for i in 0..files {
        let status = Command::new("gst-launch-1.0")
            .args(format!(
                "-q filesrc location={} ! rawvideoparse width={w} height={h} format=i420 framerate=30/1 \
                 ! x264enc speed-preset=veryfast bitrate={} ! mp4mux ! filesink location={}",
                raw.display(),
                4000 + 100 * i,
                dir.join(format!("clip{i}.mp4")).display()
            )
            .split_whitespace())
            .status()?;
        if !status.success() {
            eprintln!("x264 encoding failed");
            return Ok(());
        }
    }
    std::fs::remove_file(&raw)?;
    let clips: Vec<PathBuf> = (0..files)
        .map(|i| dir.join(format!("clip{i}.mp4")))
        .collect();
    let decode_alone = || -> f64 {
        let start = Instant::now();
        std::thread::scope(|s| {
            for half in clips.chunks(files / 2) {
                s.spawn(move || {
                    for c in half {
                        let _ = Command::new("gst-launch-1.0")
                            .args(["-q", "uridecodebin"])
                            .arg(format!("uri=file://{}", c.display()))
                            .args(["!", "fakesink", "sync=false"])
                            .output();
                    }
                });
            }
        });
        start.elapsed().as_secs_f64()
    };
    let check = || -> Option<f64> {
        let start = Instant::now();
        let out = Command::new(&cli)
            .args(["check", "--jobs", "2"])
            .arg(&dir)
            .output()
            .ok()?;
        // Exit status 0 or 1 (an alarm) is a finished check.
        matches!(out.status.code(), Some(0 | 1)).then(|| start.elapsed().as_secs_f64())
    };
    let best =
        |f: &dyn Fn() -> Option<f64>| (0..3).filter_map(|_| f()).fold(f64::INFINITY, f64::min);
    let decode = best(&|| Some(decode_alone()));
    let checked = best(&check);
    std::fs::remove_dir_all(&dir)?;
    let total = (files * frames) as f64;
    println!(
        "\nsharpmeter check --jobs 2 on {files} x264 {w}x{h} clips of {frames} frames, best of 3 runs"
    );
    println!(
        "  decoding alone, two at a time: {decode:.2} s ({:.2} files/s, {:.0} frames/s)",
        files as f64 / decode,
        total / decode
    );
    if checked.is_finite() {
        println!(
            "  sharpmeter check: {checked:.2} s ({:.2} files/s, {:.0} frames/s): {:.1}x the decoding time",
            files as f64 / checked,
            total / checked,
            checked / decode
        );
    } else {
        println!("  sharpmeter check failed");
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    println!(
        "sharpmeter bench: {cpu}, {} CPUs",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if quick {
        core_table(1920, 1080);
        return Ok(());
    }
    if std::env::args().any(|a| a == "--command") {
        return command();
    }
    for (w, h) in [(704, 1280), (1920, 1080), (3840, 2160)] {
        core_table(w, h);
    }
    allocations_per_frame();
    pipelines()?;
    command()
}
