//! `sharpmeter check`: analyses inputs `--jobs` at a time, prints a line each (in input
//! order) and a total, writes JSON or CSV, logs to the database. Exit status: 0 clean, 1 an
//! alarm, 2 a failure, 3 a result that could not be logged.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gstsharpmeter::messages::Report;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::analyse::{self, analyse, file_uri};
use crate::db::Db;
use crate::inputs::{Input, expand};
use crate::record::{FIELDS, Record, Verdict};
use crate::sink::Sink;

/// What `check` was asked.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub paths: Vec<OsString>,
    pub jobs: usize,
    /// `-` is standard output.
    pub json: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub db: Option<PathBuf>,
    /// Also log the element's report messages in the database.
    pub db_reports: bool,
    /// How long a database write waits for another writer.
    pub db_wait: Duration,
    /// The element's properties, the stall time and `--duration`.
    pub analysis: analyse::Settings,
}

/// One input's outcome.
#[derive(Debug)]
pub enum Outcome {
    Checked {
        record: Box<Record>,
        reports: Vec<Report>,
        /// Read from the database, not analysed again.
        cached: bool,
        /// Why the result could not be written to the database.
        not_logged: Option<String>,
    },
    Failed {
        name: String,
        reason: String,
    },
}

impl Outcome {
    fn json(&self) -> Value {
        match self {
            Outcome::Checked {
                record, not_logged, ..
            } => {
                let mut v = record.to_json();
                if let Some(e) = not_logged {
                    v["not_logged"] = Value::from(e.as_str());
                }
                v
            }
            Outcome::Failed { name, reason } => json!({"path": name, "error": reason}),
        }
    }
}

/// The element settings as stored: `name=value` pairs, sorted.
pub fn settings_key(props: &[(String, String)]) -> String {
    let mut p: Vec<String> = props.iter().map(|(n, v)| format!("{n}={v}")).collect();
    p.sort();
    p.join(" ")
}

/// SHA-256 of a file's bytes, hex.
fn file_hash(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Checks one input; consults the database first when there is one.
fn check_one(
    input: &Input,
    o: &CheckOptions,
    db: Option<&Db>,
    frames: &AtomicU64,
    permille: &AtomicU64,
) -> Outcome {
    let failed = |reason: String| Outcome::Failed {
        name: input.name(),
        reason,
    };
    let (name, hash, created, uri) = match input {
        Input::Failed { reason, .. } => return failed(reason.clone()),
        // Each check of a URI is a delivery of its own, dated when it was checked.
        Input::Uri(u) => {
            let now = chrono::Utc::now();
            let key = format!("{u}#{}", now.to_rfc3339());
            (
                u.clone(),
                key,
                Some((now.timestamp(), "checked")),
                u.clone(),
            )
        }
        Input::File(p) => {
            let meta = match std::fs::metadata(p) {
                Ok(m) if m.is_file() => m,
                Ok(_) => return failed("not a regular file".into()),
                Err(e) => return failed(e.to_string()),
            };
            if meta.len() == 0 {
                return failed("empty file".into());
            }
            let hash = match file_hash(p) {
                Ok(h) => h,
                Err(e) => return failed(e.to_string()),
            };
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| (d.as_secs() as i64, "mtime"));
            (p.display().to_string(), hash, mtime, file_uri(p))
        }
    };
    let settings = settings_key(&o.analysis.props);
    if let Some(db) = db
        && !matches!(input, Input::Uri(_))
    {
        match db.find(&hash, &settings) {
            Ok(Some(mut record)) => {
                record.path = name;
                return Outcome::Checked {
                    record: Box::new(record),
                    reports: Vec::new(),
                    cached: true,
                    not_logged: None,
                };
            }
            Ok(None) => {}
            Err(e) => return failed(format!("database: {e}")),
        }
    }
    match analyse(&uri, &o.analysis, frames, permille) {
        Ok(a) => Outcome::Checked {
            record: Box::new(Record::new(name, hash, &a, created)),
            reports: a.reports,
            cached: false,
            not_logged: None,
        },
        Err(e) => failed(e),
    }
}

/// Opens `path` for writing, or standard output for `-`.
pub fn output(path: &Path) -> Result<Box<dyn Write>, String> {
    if path == Path::new("-") {
        Ok(Box::new(std::io::stdout()))
    } else {
        std::fs::File::create(path)
            .map(|f| Box::new(std::io::BufWriter::new(f)) as Box<dyn Write>)
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Progress on standard error when it is a terminal, in thousandths of a file, so it moves
/// as each file decodes.
pub fn progress_bar(len: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len as u64 * 1000),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {percent:>3}% {msg} [{elapsed}, eta {eta}]")
    {
        bar.set_style(style);
    }
    bar
}

/// What a batch gave: outcomes in input order and the frames analysed.
pub struct Batch {
    pub outcomes: Vec<Outcome>,
    pub frames: u64,
}

/// The line of an outcome.
fn line(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Checked {
            record,
            cached,
            not_logged,
            ..
        } => {
            let mut line = record.line();
            if *cached {
                line += " (from the database)";
            }
            if let Some(e) = not_logged {
                line += &format!(" (not logged: {e})");
            }
            line
        }
        Outcome::Failed { name, reason } => format!("{name}: cannot be analysed: {reason}"),
    }
}

/// Checks `inputs` `o.jobs` at a time. Each result is logged to `db` as it ends (a result
/// that cannot be is said on standard error at once); `on_line` gets the lines in input
/// order.
pub fn check_all(
    inputs: &[Input],
    o: &CheckOptions,
    db: Option<&Db>,
    bar: &ProgressBar,
    on_line: &dyn Fn(&str),
) -> Batch {
    let started = Instant::now();
    let frames = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..inputs.len()).map(|_| None).collect());
    // Thousandths of each input decoded; 1000 once it ended.
    let decoded: Vec<AtomicU64> = inputs.iter().map(|_| AtomicU64::new(0)).collect();
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let jobs = o.jobs.clamp(1, inputs.len().max(1));
    // The first input whose line is not printed yet, and how many ended.
    let (mut printed, mut ended) = (0, 0);
    let show = |ended: usize| {
        bar.set_position(
            decoded
                .iter()
                .map(|d| d.load(Ordering::Relaxed).min(1000))
                .sum(),
        );
        bar.set_message(format!(
            "{ended}/{} files, {} frames/s",
            inputs.len(),
            (frames.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()) as u64
        ));
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, outcomes, frames, decoded) = (&next, &outcomes, &frames, &decoded);
            // Each worker reads the database through its own connection.
            let reader = o.db.as_deref().map(|p| Db::open(p, o.db_wait));
            scope.spawn(move || {
                let reader = reader.and_then(Result::ok);
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(input) = inputs.get(i) else { break };
                    let outcome = check_one(input, o, reader.as_ref(), frames, &decoded[i]);
                    outcomes.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
                    if tx.send(i).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        loop {
            let i = match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(i) => i,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    show(ended);
                    continue;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let mut all = outcomes.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(Outcome::Checked {
                record,
                reports,
                cached: false,
                not_logged,
            }) = all[i].as_mut()
                && let Some(db) = db
            {
                let reports = if o.db_reports { &reports[..] } else { &[] };
                if let Err(e) = db.insert(record, &settings_key(&o.analysis.props), reports) {
                    bar.suspend(|| {
                        eprintln!("sharpmeter: {}: result not logged: {e}", record.path)
                    });
                    *not_logged = Some(e);
                }
            }
            if let Some(Outcome::Checked { reports, .. }) = all[i].as_mut() {
                reports.clear();
            }
            let mut lines = Vec::new();
            while let Some(Some(outcome)) = all.get(printed) {
                lines.push(line(outcome));
                printed += 1;
            }
            drop(all);
            bar.suspend(|| lines.iter().for_each(|l| on_line(l)));
            decoded[i].store(1000, Ordering::Relaxed);
            ended += 1;
            show(ended);
        }
    });
    bar.finish_and_clear();
    Batch {
        outcomes: outcomes
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .flatten()
            .collect(),
        frames: frames.load(Ordering::Relaxed),
    }
}

/// Runs `check`; the exit status.
pub fn run(o: &CheckOptions) -> Result<i32, String> {
    crate::analyse::check_properties(&o.analysis.props)?;
    let inputs = expand(&o.paths);
    if inputs.is_empty() {
        return Err("no input".into());
    }
    let stdout = Some(Path::new("-"));
    if o.json.as_deref() == stdout && o.csv.as_deref() == stdout {
        return Err("--json - and --csv - cannot both write to standard output".into());
    }
    // Outputs and the database are opened before any input is analysed.
    let files: Vec<&Path> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File(p) => Some(p.as_path()),
            _ => None,
        })
        .collect();
    let open = |p: &Option<PathBuf>| p.as_deref().map(|p| Sink::open(p, &files)).transpose();
    let (json_out, csv_out) = (open(&o.json)?, open(&o.csv)?);
    let db =
        o.db.as_deref()
            .map(|p| Db::open(p, o.db_wait))
            .transpose()?;
    // Lines go to standard output unless JSON or CSV does.
    let quiet = o.json.as_deref() == stdout || o.csv.as_deref() == stdout;
    let started = Instant::now();
    let bar = progress_bar(inputs.len());
    let batch = check_all(&inputs, o, db.as_ref(), &bar, &|line| {
        if !quiet {
            println!("{line}");
        }
    });
    let (outcomes, analysed) = (batch.outcomes, batch.frames);
    let count = |v: Verdict| {
        outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Checked { record, .. } if record.verdict == v))
            .count()
    };
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Failed { .. }))
        .count();
    let not_logged = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Outcome::Checked {
                    not_logged: Some(_),
                    ..
                }
            )
        })
        .count();
    let (clean, alarm, unjudged, incomplete) = (
        count(Verdict::Clean),
        count(Verdict::Alarm),
        count(Verdict::Unjudged),
        count(Verdict::Incomplete),
    );
    let seconds = started.elapsed().as_secs_f64();
    let more = |n: usize, what: &str| {
        if n > 0 {
            format!(", {n} {what}")
        } else {
            String::new()
        }
    };
    let (short, unlogged) = (
        more(incomplete, "incomplete"),
        more(not_logged, "not logged"),
    );
    let total = format!(
        "{} files: {clean} ok, {alarm} with alarms, {unjudged} unjudged, {failed} failed{short}{unlogged}; {analysed} frames in {seconds:.1} s ({:.0} frames/s)",
        outcomes.len(),
        analysed as f64 / seconds.max(1e-9)
    );
    if !quiet {
        println!("{total}");
    }
    if let Some(mut out) = json_out {
        let doc = json!({
            "files": outcomes.iter().map(Outcome::json).collect::<Vec<_>>(),
            "total": {"files": outcomes.len(), "ok": clean, "alarm": alarm, "unjudged": unjudged,
                      "failed": failed, "incomplete": incomplete, "not_logged": not_logged,
                      "frames": analysed,
                      "seconds": seconds},
        });
        serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| e.to_string())?;
        writeln!(out).map_err(|e| e.to_string())?;
        out.finish()?;
    }
    if let Some(out) = csv_out {
        let mut w = csv::Writer::from_writer(out);
        let mut header: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
        header.push("error");
        w.write_record(&header).map_err(|e| e.to_string())?;
        for outcome in &outcomes {
            let mut cells = match outcome {
                Outcome::Checked { record, .. } => record.csv_cells(),
                Outcome::Failed { name, .. } => {
                    let mut c = vec![String::new(); FIELDS.len()];
                    c[0] = name.clone();
                    c
                }
            };
            cells.push(match outcome {
                Outcome::Failed { reason, .. } => reason.clone(),
                Outcome::Checked {
                    not_logged: Some(e),
                    ..
                } => format!("not logged: {e}"),
                _ => String::new(),
            });
            w.write_record(&cells).map_err(|e| e.to_string())?;
        }
        w.into_inner().map_err(|e| e.to_string())?.finish()?;
    }
    Ok(if not_logged > 0 {
        3
    } else if failed + incomplete > 0 {
        2
    } else if alarm > 0 {
        1
    } else {
        0
    })
}
