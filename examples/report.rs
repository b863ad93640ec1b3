//! Analyses a video file or URI with sharpmeter as fast as it decodes, and writes what it
//! found: one row per frame (CSV and/or JSON lines, every figure), a plot of sharpness and
//! effective resolution over time with alarm episodes shaded (SVG or PNG), and a summary.
//! `--compare` analyses a second input and draws both: `report today.mp4 --compare
//! last-week.mp4` says how today's differs from last week's.
//!
//! `cargo run --release --example report -- INPUT [--csv FILE] [--jsonl FILE]
//! [--plot FILE.svg|FILE.png] [--compare OTHER_INPUT]`
//!
//! Progress goes to stderr when it is a terminal. PNG text uses DejaVu Sans from Debian's
//! fonts-dejavu-core.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use gst::prelude::*;
use gstsharpmeter::analysis::FrameFigures;
use gstsharpmeter::messages::{Alarm, AlarmEvent, AlarmReason, Summary};
use gstsharpmeter::meta::{META_FIELDS, SharpMeterMeta};
use gstsharpmeter::schema::FieldValue;
use plotters::prelude::*;

/// Every optional metric of the element.
const ALL_METRICS: &str =
    "laplacian-variance+tenengrad+blur-effect+edge-width+effective-resolution";
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// One analysed frame.
#[derive(Debug, Clone)]
pub struct Row {
    /// Seconds from the first frame.
    pub time: f64,
    pub figures: FrameFigures,
    /// The frame starts a new scene.
    pub scene_cut: bool,
    /// Frame size, for effective shares.
    pub size: (u32, u32),
}

/// An alarm episode, in seconds from the first frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Episode {
    pub reason: AlarmReason,
    pub start: f64,
    pub end: f64,
}

/// What one input gave.
#[derive(Debug)]
pub struct Analysis {
    pub input: String,
    pub rows: Vec<Row>,
    pub episodes: Vec<Episode>,
    pub summary: Option<Summary>,
}

fn uri_of(input: &str) -> String {
    if input.contains("://") {
        return input.to_string();
    }
    let path = std::fs::canonicalize(input).unwrap_or_else(|_| PathBuf::from(input));
    gst::glib::filename_to_uri(&path, None).map_or(input.to_string(), |u| u.to_string())
}

/// Runs `input` through `uridecodebin ! videoconvert ! sharpmeter ! appsink` as fast as it
/// decodes, every metric on.
pub fn analyse(input: &str) -> Result<Analysis, String> {
    let pipeline = gst::parse::launch(&format!(
        "uridecodebin name=src ! videoconvert ! sharpmeter metrics={ALL_METRICS} \
         ! appsink name=sink sync=false"
    ))
    .map_err(|e| e.to_string())?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline")?;
    pipeline
        .by_name("src")
        .ok_or("no uridecodebin")?
        .set_property("uri", uri_of(input));
    let sink = pipeline
        .by_name("sink")
        .ok_or("no appsink")?
        .downcast::<gst_app::AppSink>()
        .map_err(|_| "not an appsink")?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| format!("{input}: {e}"))?;
    let progress = std::io::stderr().is_terminal();
    let mut rows: Vec<Row> = Vec::new();
    let mut first = None;
    let mut last_print = std::time::Instant::now();
    while let Ok(sample) = sink.pull_sample() {
        let Some(buf) = sample.buffer() else { continue };
        let (Some(meta), Some(pts)) = (SharpMeterMeta::from_buffer(buf), buf.pts()) else {
            continue;
        };
        let info = sample
            .caps()
            .and_then(|c| gst_video::VideoInfo::from_caps(c).ok());
        let size = info.map_or((0, 0), |i| (i.width(), i.height()));
        let t0 = *first.get_or_insert(pts);
        let time = pts.saturating_sub(t0).nseconds() as f64 / 1e9;
        rows.push(Row {
            time,
            figures: meta.figures,
            scene_cut: meta.scene_cut,
            size,
        });
        if progress && last_print.elapsed().as_millis() > 200 {
            last_print = std::time::Instant::now();
            let total = pipeline
                .query_duration::<gst::ClockTime>()
                .map(|d| format!(" of {:.1}", d.nseconds() as f64 / 1e9))
                .unwrap_or_default();
            eprint!("\r{input}: {time:.1}{total} s, {} frames", rows.len());
        }
    }
    if progress {
        eprintln!();
    }
    let origin = first.map_or(0, |f| f.nseconds());
    let seconds = |t: Option<gst::ClockTime>| {
        t.map_or(0.0, |t| t.nseconds().saturating_sub(origin) as f64 / 1e9)
    };
    let bus = pipeline.bus().ok_or("no bus")?;
    let mut episodes = Vec::new();
    let mut open: Vec<(AlarmReason, f64)> = Vec::new();
    let mut summary = None;
    let mut error = None;
    while let Some(msg) = bus.pop() {
        if let gst::MessageView::Error(e) = msg.view() {
            error = Some(format!("{input}: {}", e.error()));
        }
        if let Some(a) = Alarm::from_message(&msg) {
            let at = seconds(a.times.timestamp);
            match a.event {
                AlarmEvent::Start => open.push((a.reason, at)),
                AlarmEvent::End => {
                    if let Some(i) = open.iter().position(|(r, _)| *r == a.reason) {
                        let (reason, start) = open.remove(i);
                        episodes.push(Episode {
                            reason,
                            start,
                            end: at,
                        });
                    }
                }
            }
        }
        summary = summary.or_else(|| Summary::from_message(&msg));
    }
    pipeline
        .set_state(gst::State::Null)
        .map_err(|e| e.to_string())?;
    if let Some(e) = error {
        return Err(e);
    }
    Ok(Analysis {
        input: input.to_string(),
        rows,
        episodes,
        summary,
    })
}

/// Column names of a row, in order: `time`, then the meta's fields (`gstsharpmeter::meta::
/// META_FIELDS`) but the tile map, with `active-area` as four columns.
pub static COLUMNS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut c = vec!["time"];
    for f in META_FIELDS.iter() {
        match f.name {
            "tiles" => {}
            "active-area" => c.extend(["active-x", "active-y", "active-width", "active-height"]),
            name => c.push(name),
        }
    }
    c
});

/// A row's values as JSON, in [`COLUMNS`] order; null where absent.
fn values(r: &Row) -> Vec<serde_json::Value> {
    use serde_json::Value;
    let meta = SharpMeterMeta {
        figures: r.figures,
        scene_cut: r.scene_cut,
        tiles: Vec::new(),
    };
    let mut v = vec![Value::from(r.time)];
    for f in META_FIELDS.iter() {
        let value = (f.get)(&meta);
        match f.name {
            "tiles" => {}
            "active-area" => match value {
                Some(FieldValue::IntArray(a)) => v.extend(a.into_iter().map(Value::from)),
                _ => v.extend([Value::Null, Value::Null, Value::Null, Value::Null]),
            },
            _ => v.push(value.map_or(Value::Null, |x| x.to_json())),
        }
    }
    v
}

pub fn write_csv(a: &Analysis, path: &Path) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{}", COLUMNS.join(","))?;
    for r in &a.rows {
        let cells: Vec<String> = values(r)
            .into_iter()
            .map(|v| {
                if v.is_null() {
                    String::new()
                } else {
                    v.to_string()
                }
            })
            .collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    out.flush()
}

pub fn write_jsonl(a: &Analysis, path: &Path) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for r in &a.rows {
        let object: serde_json::Map<String, serde_json::Value> = COLUMNS
            .iter()
            .map(|c| c.to_string())
            .zip(values(r))
            .collect();
        writeln!(out, "{}", serde_json::Value::Object(object))?;
    }
    out.flush()
}

/// Median of the values present.
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| v[v.len() / 2])
}

/// Effective share of the analysed area (worse axis) of a valid row with an estimate.
fn share(r: &Row) -> Option<f64> {
    let f = &r.figures;
    let size = f
        .active_area
        .map_or(r.size, |a| (a.width as u32, a.height as u32));
    gstsharpmeter::analysis::effective_share(f, size)
}

/// Median sharpness and effective share over valid frames.
pub fn medians(a: &Analysis) -> (Option<f64>, Option<f64>) {
    let valid = a.rows.iter().filter(|r| r.figures.valid);
    (
        median(valid.clone().map(|r| r.figures.sharpness).collect()),
        median(a.rows.iter().filter_map(share).collect()),
    )
}

/// A few lines on one analysis.
pub fn summary_text(a: &Analysis) -> String {
    let (sharpness, share) = medians(a);
    let valid = a.rows.iter().filter(|r| r.figures.valid).count();
    let fmt = |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
    let mut text = format!(
        "{}: {} frames ({valid} valid), {:.1} s; median sharpness {}, median effective share {}; {} alarm episode(s)",
        a.input,
        a.rows.len(),
        a.rows.last().map_or(0.0, |r| r.time),
        fmt(sharpness, 3),
        fmt(share, 2),
        a.episodes.len()
    );
    for e in &a.episodes {
        text += &format!(
            "\n  {} alarm from {:.2} s to {:.2} s",
            e.reason.as_str(),
            e.start,
            e.end
        );
    }
    text
}

/// How `a` (the input) differs from `b` (the one it is compared with), in words.
pub fn compare_text(a: &Analysis, b: &Analysis) -> String {
    let ((sa, ra), (sb, rb)) = (medians(a), medians(b));
    let change = |x: Option<f64>, reference: Option<f64>| match (x, reference) {
        (Some(x), Some(r)) if r > 0.0 => format!("{:+.0}%", 100.0 * (x / r - 1.0)),
        _ => "-".into(),
    };
    format!(
        "{} against {}: median sharpness {}, median effective share {}, alarm episodes {} against {}",
        a.input,
        b.input,
        change(sa, sb),
        change(ra, rb),
        a.episodes.len(),
        b.episodes.len()
    )
}

fn register_font() -> Result<(), String> {
    static FONT_BYTES: std::sync::OnceLock<Result<&'static [u8], String>> =
        std::sync::OnceLock::new();
    let bytes = FONT_BYTES
        .get_or_init(|| {
            std::fs::read(FONT)
                .map(|b| &*Box::leak(b.into_boxed_slice()))
                .map_err(|e| format!("{FONT}: {e} (apt-get install fonts-dejavu-core)"))
        })
        .clone()?;
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| format!("{FONT}: not a font"))
}

/// Picks a plotted value from a row.
type Figure = fn(&Row) -> Option<f64>;

/// The file name of an input, for legends.
fn name(input: &str) -> String {
    Path::new(input)
        .file_name()
        .map_or(input.to_string(), |n| n.to_string_lossy().into_owned())
}

const COLOURS: [RGBColor; 2] = [RGBColor(31, 119, 180), RGBColor(255, 127, 14)];

/// Draws sharpness and effective share over time for each analysis, with its alarm
/// episodes shaded in its colour.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    runs: &[&Analysis],
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let end = runs
        .iter()
        .filter_map(|a| a.rows.last().map(|r| r.time))
        .fold(1.0f64, f64::max);
    let panels = root.split_evenly((2, 1));
    let series: [(&str, Figure); 2] = [
        ("sharpness", |r| {
            r.figures.valid.then_some(r.figures.sharpness)
        }),
        ("effective share of the frame", share),
    ];
    for (panel, (label, value)) in panels.iter().zip(series) {
        let mut chart = ChartBuilder::on(panel)
            .caption(label, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(45)
            .build_cartesian_2d(0.0..end, 0.0..1.05f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("time (s)")
            .draw()
            .map_err(err)?;
        for (i, a) in runs.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            // The run's alarm episodes, shaded in its colour; one legend entry.
            let shade = colour.mix(0.15);
            let episodes: Vec<Rectangle<(f64, f64)>> = a
                .episodes
                .iter()
                .map(|e| Rectangle::new([(e.start, 0.0), (e.end, 1.05)], shade.filled()))
                .collect();
            if !episodes.is_empty() {
                chart
                    .draw_series(episodes)
                    .map_err(err)?
                    .label(format!("alarm, {}", name(&a.input)))
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 20, y + 5)], shade.filled())
                    });
            }
            let points: Vec<(f64, f64)> = a
                .rows
                .iter()
                .filter_map(|r| value(r).map(|v| (r.time, v.min(1.05))))
                .collect();
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                .map_err(err)?
                .label(name(&a.input))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// Plots `runs` into `path` (.svg or .png), 1000x700.
pub fn plot(runs: &[&Analysis], path: &Path) -> Result<(), String> {
    register_font()?;
    let size = (1000, 700);
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => draw(SVGBackend::new(path, size).into_drawing_area(), runs),
        Some("png") => draw(BitMapBackend::new(path, size).into_drawing_area(), runs),
        _ => Err(format!(
            "{}: the plot must end in .svg or .png",
            path.display()
        )),
    }
}

/// Parsed command line.
#[derive(Debug, Default)]
pub struct Options {
    pub input: String,
    pub csv: Option<PathBuf>,
    pub jsonl: Option<PathBuf>,
    pub plot: Option<PathBuf>,
    pub compare: Option<String>,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let usage = "usage: report INPUT [--csv FILE] [--jsonl FILE] [--plot FILE.svg|FILE.png] [--compare OTHER_INPUT]";
    let mut o = Options::default();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value\n{usage}"));
        match a.as_str() {
            "--csv" => o.csv = Some(value()?.into()),
            "--jsonl" => o.jsonl = Some(value()?.into()),
            "--plot" => o.plot = Some(value()?.into()),
            "--compare" => o.compare = Some(value()?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}\n{usage}")),
            _ if o.input.is_empty() => o.input = a,
            _ => return Err(usage.into()),
        }
    }
    if o.input.is_empty() {
        return Err(usage.into());
    }
    Ok(o)
}

/// Runs the report; what it prints.
pub fn run(o: &Options) -> Result<String, String> {
    gst::init().map_err(|e| e.to_string())?;
    gstsharpmeter::plugin_register_static().map_err(|e| e.to_string())?;
    let main = analyse(&o.input)?;
    let other = o.compare.as_deref().map(analyse).transpose()?;
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    if let Some(p) = &o.csv {
        write_csv(&main, p).map_err(|e| io(p, e))?;
    }
    if let Some(p) = &o.jsonl {
        write_jsonl(&main, p).map_err(|e| io(p, e))?;
    }
    let runs: Vec<&Analysis> = std::iter::once(&main).chain(other.as_ref()).collect();
    if let Some(p) = &o.plot {
        plot(&runs, p)?;
    }
    let mut text = runs
        .iter()
        .map(|a| summary_text(a))
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(b) = &other {
        text += "\n";
        text += &compare_text(&main, b);
    }
    Ok(text)
}

#[allow(dead_code)]
fn main() {
    let result = parse(std::env::args().skip(1)).and_then(|o| run(&o));
    match result {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
