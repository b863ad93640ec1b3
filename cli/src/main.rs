//! `sharpmeter`: checks video files with the sharpmeter element, logs them, shows the trend.

mod analyse;
mod buckets;
mod check;
mod compare;
mod db;
mod inputs;
mod plot;
mod record;
mod sink;
mod stats;
mod trend;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Checks video files for lost sharpness and detail with the sharpmeter GStreamer element
/// (uridecodebin ! videoconvert ! sharpmeter ! fakesink), logs them, and shows the trend.
#[derive(Parser)]
#[command(name = "sharpmeter", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Element {
    /// Sets a sharpmeter property, as gst-launch-1.0 would (repeatable), e.g.
    /// --set threshold=0.3 --set drop=0.25.
    #[arg(long = "set", value_name = "PROP=VALUE", value_parser = parse_property)]
    set: Vec<(String, String)>,
    /// Files analysed at once (1 to 64; each holds a decoding pipeline in memory).
    #[arg(long, short, value_name = "N", default_value_t = default_jobs(),
          value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS as i64))]
    jobs: u16,
    /// Gives a file up when it shows no video frame for this many seconds (also the wait
    /// for a stream to appear).
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    stall: u64,
    /// Analyses this much of each input, then stops (e.g. 30s, 5min, 1h); a live source
    /// (udp://, rtsp://, ...) needs it.
    #[arg(long, value_name = "TIME", value_parser = humantime::parse_duration)]
    duration: Option<Duration>,
}

#[derive(Subcommand)]
enum Command {
    /// Analyses files, folders (recursively), globs and URIs; prints a line per file (in the
    /// order given, folders in name order) and a total. Exit status: 0 all clean, 1 some file
    /// raised an alarm, 2 some file could not be analysed, 3 some result could not be logged.
    Check {
        /// Files, folders, globs or URIs.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<OsString>,
        #[command(flatten)]
        element: Element,
        /// Writes every file's figures as JSON to FILE (`-`: standard output, and no lines).
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Writes every file's figures as CSV to FILE (`-`: standard output, and no lines).
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Logs each file in this SQLite database; a file checked before with the same
        /// content and properties is read from it, not analysed again.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Also logs the element's report messages (one row per interval) in the database.
        #[arg(long, requires = "db")]
        db_reports: bool,
        /// Seconds a write to the database waits while another process writes to it; a
        /// result still not logged then is said on its line (exit status 3).
        #[arg(long, value_name = "SECONDS", default_value_t = db::DEFAULT_WAIT.as_secs(), requires = "db")]
        db_wait: u64,
    },
    /// Median and spread of the logged files' sharpness and effective share by hour of day,
    /// day or week of their creation time.
    Trend {
        /// The database `check --db` wrote.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        #[arg(long, value_enum, default_value_t = buckets::By::Hour)]
        by: buckets::By,
        /// Writes a plot (.svg or .png).
        #[arg(long, value_name = "FILE")]
        plot: Option<PathBuf>,
        /// Cuts hours and days in UTC instead of this machine's time zone.
        #[arg(long)]
        utc: bool,
    },
    /// Compares two sets of files: folders, globs, or `db:FROM..TO` selections of the
    /// database by creation time (FROM and TO as YYYY-MM-DD or YYYY-MM-DDTHH:MM, either may be
    /// empty). Prints each set's medians, the change with a 95% interval, and a Mann-Whitney U
    /// test over the files' median sharpness.
    Compare {
        /// The reference set.
        a: String,
        /// The set compared with it.
        b: String,
        /// Reads `db:` selections from, and logs analysed files to, this database.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        #[command(flatten)]
        element: Element,
        /// Reads times in UTC instead of this machine's time zone.
        #[arg(long)]
        utc: bool,
    },
    /// Plots one input's sharpness and effective share frame by frame, with the threshold and
    /// each alarm reason shaded; with --compare, a second input beside it.
    Plot {
        /// A file or URI.
        input: String,
        /// A second input to draw and compare with.
        #[arg(long, value_name = "OTHER")]
        compare: Option<String>,
        /// The plot (.svg or .png).
        #[arg(long, short, value_name = "FILE", default_value = "sharpmeter.svg")]
        output: PathBuf,
        /// Writes the first input's frames (time, valid, sharpness, effective share and size)
        /// as CSV to FILE (`-`: standard output).
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        #[command(flatten)]
        element: Element,
    },
}

/// Most files analysed at once.
const MAX_JOBS: u16 = 64;

fn default_jobs() -> u16 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_JOBS as usize) as u16)
}

fn parse_property(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .filter(|(n, _)| !n.is_empty())
        .ok_or_else(|| format!("{s:?}: expected PROP=VALUE"))
}

fn options(element: Element, db: Option<PathBuf>) -> check::CheckOptions {
    check::CheckOptions {
        paths: Vec::new(),
        jobs: element.jobs.into(),
        json: None,
        csv: None,
        db,
        db_reports: false,
        db_wait: db::DEFAULT_WAIT,
        analysis: analyse::Settings {
            props: element.set,
            stall: Duration::from_secs(element.stall.max(1)),
            limit: element.duration,
        },
    }
}

fn plot_command(
    input: &str,
    compare: Option<&str>,
    output: &std::path::Path,
    csv: Option<&std::path::Path>,
    element: Element,
) -> Result<i32, String> {
    let o = options(element, None);
    analyse::check_properties(&o.analysis.props)?;
    let (frames, permille) = (AtomicU64::new(0), AtomicU64::new(0));
    let run = |input: &str| {
        analyse::analyse(&analyse::uri_of(input), &o.analysis, &frames, &permille)
            .map_err(|e| format!("{input}: {e}"))
    };
    let first = run(input)?;
    let second = compare.map(run).transpose()?;
    let name = |s: &str| s.to_string();
    let mut runs = vec![plot::Run {
        name: name(input),
        analysis: &first,
    }];
    if let (Some(other), Some(a)) = (compare, &second) {
        runs.push(plot::Run {
            name: name(other),
            analysis: a,
        });
    }
    plot::per_frame(&runs, output)?;
    if let Some(path) = csv {
        let mut w = csv::Writer::from_writer(check::output(path)?);
        let e = |e: csv::Error| e.to_string();
        w.write_record([
            "time",
            "valid",
            "sharpness",
            "effective_share",
            "effective_width",
            "effective_height",
        ])
        .map_err(e)?;
        let opt = |v: Option<String>| v.unwrap_or_default();
        for f in &first.frames {
            w.write_record([
                format!("{:.6}", f.time),
                f.valid.to_string(),
                if f.valid {
                    format!("{:.6}", f.sharpness)
                } else {
                    String::new()
                },
                opt(f.share.map(|v| format!("{v:.6}"))),
                opt(f.effective_width.map(|v| v.to_string())),
                opt(f.effective_height.map(|v| v.to_string())),
            ])
            .map_err(e)?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    // With the frames on standard output, the description goes to standard error.
    let text = format!("{}\nplot: {}", plot::describe(&runs), output.display());
    if csv == Some(std::path::Path::new("-")) {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
    Ok(0)
}

fn main() {
    let cli = Cli::parse();
    let status = gst::init()
        .map_err(|e| e.to_string())
        .and_then(|_| gstsharpmeter::plugin_register_static().map_err(|e| e.to_string()))
        .and_then(|_| match cli.command {
            Command::Check {
                paths,
                element,
                json,
                csv,
                db,
                db_reports,
                db_wait,
            } => check::run(&check::CheckOptions {
                paths,
                json,
                csv,
                db_reports,
                db_wait: Duration::from_secs(db_wait),
                ..options(element, db)
            }),
            Command::Trend { db, by, plot, utc } => trend::run(&db, by, utc, plot.as_deref()),
            Command::Compare {
                a,
                b,
                db,
                element,
                utc,
            } => compare::run(&a, &b, &options(element, db), utc),
            Command::Plot {
                input,
                compare,
                output,
                csv,
                element,
            } => plot_command(&input, compare.as_deref(), &output, csv.as_deref(), element),
        });
    match status {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("sharpmeter: {e}");
            std::process::exit(2);
        }
    }
}
