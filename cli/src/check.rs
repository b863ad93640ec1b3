//! `sharpmeter check`: analyses inputs `--jobs` at a time, prints a line each and a total,
//! writes JSON or CSV, logs to the database. Exit status: 0 clean, 1 an alarm, 2 a failure.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gstsharpmeter::messages::Report;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::analyse::analyse;
use crate::db::Db;
use crate::inputs::{Input, expand};
use crate::record::{FIELDS, Record, Verdict};

/// What `check` was asked.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub paths: Vec<String>,
    pub jobs: usize,
    /// `-` is standard output.
    pub json: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub db: Option<PathBuf>,
    /// Also log the element's report messages in the database.
    pub db_reports: bool,
    pub props: Vec<(String, String)>,
    /// A file that shows no frame for this long is given up.
    pub stall: Duration,
}

/// One input's outcome.
#[derive(Debug)]
pub enum Outcome {
    Checked {
        record: Box<Record>,
        reports: Vec<Report>,
        /// Read from the database, not analysed again.
        cached: bool,
    },
    Failed {
        name: String,
        reason: String,
    },
}

impl Outcome {
    fn json(&self) -> Value {
        match self {
            Outcome::Checked { record, .. } => record.to_json(),
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
fn check_one(input: &Input, o: &CheckOptions, db: Option<&Db>, frames: &AtomicU64) -> Outcome {
    let failed = |reason: String| Outcome::Failed {
        name: input.name(),
        reason,
    };
    let (name, hash, mtime) = match input {
        Input::Failed { reason, .. } => return failed(reason.clone()),
        Input::Uri(u) => (u.clone(), u.clone(), None),
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
                .map(|d| d.as_secs() as i64);
            (p.display().to_string(), hash, mtime)
        }
    };
    let settings = settings_key(&o.props);
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
                };
            }
            Ok(None) => {}
            Err(e) => return failed(format!("database: {e}")),
        }
    }
    match analyse(&name, &o.props, o.stall, frames) {
        Ok(a) => Outcome::Checked {
            record: Box::new(Record::new(name, hash, &a, mtime)),
            reports: a.reports,
            cached: false,
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

/// Progress on standard error when it is a terminal.
pub fn progress_bar(len: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(len as u64),
        if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} files, {msg} [{elapsed}, eta {eta}]")
    {
        bar.set_style(style);
    }
    bar
}

/// What a batch gave: outcomes in input order, frames analysed, the first database error.
pub struct Batch {
    pub outcomes: Vec<Outcome>,
    pub frames: u64,
    pub db_error: Option<String>,
}

/// Checks `inputs` `o.jobs` at a time; `on_line` gets each input's line as it ends.
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
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let jobs = o.jobs.clamp(1, inputs.len().max(1));
    let mut db_error = None;
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, outcomes, frames) = (&next, &outcomes, &frames);
            // Each worker reads the database through its own connection.
            let reader = o.db.as_deref().map(Db::open);
            scope.spawn(move || {
                let reader = reader.and_then(Result::ok);
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(input) = inputs.get(i) else { break };
                    let outcome = check_one(input, o, reader.as_ref(), frames);
                    outcomes.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(outcome);
                    if tx.send(i).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for i in rx {
            let mut all = outcomes.lock().unwrap_or_else(|e| e.into_inner());
            let line = match all[i].as_mut() {
                Some(Outcome::Checked {
                    record,
                    reports,
                    cached,
                }) => {
                    if let (Some(db), false) = (db, *cached)
                        && let Err(e) = db.insert(
                            record,
                            &settings_key(&o.props),
                            if o.db_reports { reports } else { &[] },
                        )
                    {
                        db_error.get_or_insert(e);
                    }
                    reports.clear();
                    record.line() + if *cached { " (from the database)" } else { "" }
                }
                Some(Outcome::Failed { name, reason }) => {
                    format!("{name}: cannot be analysed: {reason}")
                }
                None => continue,
            };
            drop(all);
            bar.suspend(|| on_line(&line));
            bar.set_message(format!(
                "{} frames/s",
                (frames.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()) as u64
            ));
            bar.inc(1);
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
        db_error,
    }
}

/// Runs `check`; the exit status.
pub fn run(o: &CheckOptions) -> Result<i32, String> {
    crate::analyse::check_properties(&o.props)?;
    let inputs = expand(&o.paths);
    if inputs.is_empty() {
        return Err("no input".into());
    }
    let db = o.db.as_deref().map(Db::open).transpose()?;
    // Lines go to standard output unless JSON or CSV does.
    let quiet = [&o.json, &o.csv]
        .iter()
        .any(|p| p.as_deref() == Some(Path::new("-")));
    let started = Instant::now();
    let bar = progress_bar(inputs.len());
    let batch = check_all(&inputs, o, db.as_ref(), &bar, &|line| {
        if !quiet {
            println!("{line}");
        }
    });
    let (outcomes, analysed, db_error) = (batch.outcomes, batch.frames, batch.db_error);
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
    let (clean, alarm, unjudged) = (
        count(Verdict::Clean),
        count(Verdict::Alarm),
        count(Verdict::Unjudged),
    );
    let seconds = started.elapsed().as_secs_f64();
    let total = format!(
        "{} files: {clean} ok, {alarm} with alarms, {unjudged} unjudged, {failed} failed; {analysed} frames in {seconds:.1} s ({:.0} frames/s)",
        outcomes.len(),
        analysed as f64 / seconds.max(1e-9)
    );
    if !quiet {
        println!("{total}");
    }
    if let Some(path) = &o.json {
        let doc = json!({
            "files": outcomes.iter().map(Outcome::json).collect::<Vec<_>>(),
            "total": {"files": outcomes.len(), "ok": clean, "alarm": alarm, "unjudged": unjudged,
                      "failed": failed, "frames": analysed, "seconds": seconds},
        });
        let mut out = output(path)?;
        serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| e.to_string())?;
        writeln!(out)
            .and_then(|_| out.flush())
            .map_err(|e| e.to_string())?;
    }
    if let Some(path) = &o.csv {
        let mut w = csv::Writer::from_writer(output(path)?);
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
                _ => String::new(),
            });
            w.write_record(&cells).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    if let Some(e) = db_error {
        return Err(format!("database: {e}"));
    }
    Ok(if failed > 0 {
        2
    } else if alarm > 0 {
        1
    } else {
        0
    })
}
