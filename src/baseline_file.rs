//! Saved baselines: a stream's sharpness baseline as versioned JSON, read at start and
//! written atomically (a temporary file in the same directory, then a rename) at EOS or on
//! request. Free of GStreamer.
//!
//! ```json
//! {
//!   "format": "sharpmeter-baseline",
//!   "version": 1,
//!   "sharpness": [[0.05, 0.61], [0.1, 0.63], ..., [0.95, 0.74]],
//!   "learned-ns": 10000000000,
//!   "frames": 250,
//!   "effective-width": 640,
//!   "effective-height": 360,
//!   "caps": "video/x-raw, format=(string)RGB, width=(int)640, ..."
//! }
//! ```

use std::fmt;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

/// Value of the `format` field.
pub const FORMAT: &str = "sharpmeter-baseline";
/// Value of the `version` field this build writes and reads.
pub const VERSION: u64 = 1;
/// Quantiles of learned sharpness that are saved.
pub const QUANTILES: [f64; 9] = [0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95];

/// A baseline as saved.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedBaseline {
    /// (quantile, sharpness) pairs, ascending in both.
    pub sharpness: Vec<(f64, f64)>,
    /// ns of frames learned.
    pub learned: u64,
    /// Frames learned.
    pub frames: u64,
    /// Median effective size of the stream, pixels.
    pub effective_size: Option<(u32, u32)>,
    /// Caps of the stream it was learned on.
    pub caps: Option<String>,
}

/// Why a baseline file was not used.
#[derive(Debug)]
pub enum LoadError {
    Io(std::io::Error),
    Json(serde_json::Error),
    Invalid(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "cannot read it: {e}"),
            LoadError::Json(e) => write!(f, "not JSON: {e}"),
            LoadError::Invalid(why) => write!(f, "not a sharpmeter baseline: {why}"),
        }
    }
}

impl std::error::Error for LoadError {}

fn invalid(why: impl Into<String>) -> LoadError {
    LoadError::Invalid(why.into())
}

impl SavedBaseline {
    pub fn to_json(&self) -> String {
        let mut v = json!({
            "format": FORMAT,
            "version": VERSION,
            "sharpness": self.sharpness.iter().map(|&(q, s)| json!([q, s])).collect::<Vec<_>>(),
            "learned-ns": self.learned,
            "frames": self.frames,
        });
        let o = v.as_object_mut().expect("an object");
        if let Some((w, h)) = self.effective_size {
            o.insert("effective-width".into(), w.into());
            o.insert("effective-height".into(), h.into());
        }
        if let Some(caps) = &self.caps {
            o.insert("caps".into(), caps.clone().into());
        }
        serde_json::to_string_pretty(&v).expect("JSON values serialise") + "\n"
    }

    pub fn from_json(text: &str) -> Result<Self, LoadError> {
        let v: Value = serde_json::from_str(text).map_err(LoadError::Json)?;
        let o = v.as_object().ok_or_else(|| invalid("not an object"))?;
        match o.get("format").and_then(Value::as_str) {
            Some(FORMAT) => {}
            other => return Err(invalid(format!("format {other:?}, expected {FORMAT:?}"))),
        }
        match o.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            other => {
                return Err(invalid(format!(
                    "version {other:?}, this build reads {VERSION}"
                )));
            }
        }
        let pairs = o
            .get("sharpness")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("no sharpness quantiles"))?;
        let mut sharpness = Vec::with_capacity(pairs.len());
        for p in pairs {
            let pair = p
                .as_array()
                .filter(|a| a.len() == 2)
                .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)))
                .ok_or_else(|| invalid("a sharpness entry is not [quantile, value]"))?;
            if !(0.0..=1.0).contains(&pair.0) || !(0.0..=1.0).contains(&pair.1) {
                return Err(invalid("a sharpness quantile or value is outside 0..1"));
            }
            if sharpness
                .last()
                .is_some_and(|&(q, s): &(f64, f64)| pair.0 <= q || pair.1 < s)
            {
                return Err(invalid("sharpness quantiles are not ascending"));
            }
            sharpness.push(pair);
        }
        if sharpness.is_empty() {
            return Err(invalid("no sharpness quantiles"));
        }
        let count = |name: &str| {
            o.get(name)
                .and_then(Value::as_u64)
                .ok_or_else(|| invalid(format!("no {name}")))
        };
        let size = |name: &str| o.get(name).and_then(Value::as_u64).map(|v| v as u32);
        Ok(SavedBaseline {
            sharpness,
            learned: count("learned-ns")?,
            frames: count("frames")?,
            effective_size: size("effective-width").zip(size("effective-height")),
            caps: o.get("caps").and_then(Value::as_str).map(str::to_owned),
        })
    }
}

/// Largest baseline file read; a baseline is a few KB.
pub const MAX_SIZE: u64 = 1 << 20;

/// Prefix and suffix of this crate's temporary files beside a baseline named NAME:
/// `.NAME.sharpmeter-<pid>-<n>.tmp`.
const TMP_TAG: &str = ".sharpmeter-";
const TMP_SUFFIX: &str = ".tmp";
/// A temporary file older than this is stale even when its process may still run.
const TMP_STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);
/// Symbolic links followed at most when resolving a location.
const MAX_LINKS: usize = 40;

/// Reads the baseline at `path`; Ok(None) when there is no file. Only a regular file of at
/// most [`MAX_SIZE`] bytes is read; it is opened without blocking, so a FIFO or device is
/// refused at once.
pub fn load(path: &Path) -> Result<Option<SavedBaseline>, LoadError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path);
    let file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(LoadError::Io(e)),
    };
    let meta = file.metadata().map_err(LoadError::Io)?;
    if !meta.is_file() {
        return Err(invalid("not a regular file"));
    }
    if meta.len() > MAX_SIZE {
        return Err(invalid(format!(
            "{} bytes, larger than {MAX_SIZE}",
            meta.len()
        )));
    }
    let mut text = String::new();
    file.take(MAX_SIZE + 1)
        .read_to_string(&mut text)
        .map_err(LoadError::Io)?;
    if text.len() as u64 > MAX_SIZE {
        return Err(invalid(format!("larger than {MAX_SIZE} bytes")));
    }
    SavedBaseline::from_json(&text).map(Some)
}

/// Where a save to `path` writes: `path` itself, or the file its chain of symbolic links
/// ends at (which may not exist yet).
fn resolve(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// The temporary-file prefix of a baseline named `name`: `.NAME.sharpmeter-`.
fn tmp_prefix(name: &std::ffi::OsStr) -> std::ffi::OsString {
    let mut s = std::ffi::OsString::from(".");
    s.push(name);
    s.push(TMP_TAG);
    s
}

/// Writes `baseline` to `path` atomically: a temporary file of its own (created exclusively,
/// named after this process and a counter) beside the target, synced, then renamed over
/// it; the last complete write wins and readers never see a partial file. A symbolic link
/// is followed and its target replaced; a target that exists and is not a regular file is
/// refused. A failure leaves any earlier file as it was.
pub fn save(path: &Path, baseline: &SavedBaseline) -> std::io::Result<()> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let target = resolve(path)?;
    match std::fs::metadata(&target) {
        Ok(m) if !m.is_file() => {
            return Err(std::io::Error::other(format!(
                "{} exists and is not a regular file",
                target.display()
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let name = target
        .file_name()
        .ok_or_else(|| std::io::Error::other("the location has no file name"))?;
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut tmp_name = tmp_prefix(name);
    tmp_name.push(format!("{}-{n}{TMP_SUFFIX}", std::process::id()));
    let tmp = target.with_file_name(tmp_name);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)?;
    let mut write = || -> std::io::Result<()> {
        f.write_all(baseline.to_json().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Removes temporary files that an earlier save to `path` left behind (a process killed
/// while saving): those of processes that no longer run, and any older than ten minutes.
/// Returns how many were removed.
pub fn remove_stale_temporaries(path: &Path) -> usize {
    let Ok(target) = resolve(path) else { return 0 };
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return 0;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = tmp_prefix(name);
    let prefix = prefix.as_encoded_bytes();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.as_encoded_bytes().strip_prefix(prefix) else {
            continue;
        };
        let Some(pid) = std::str::from_utf8(rest)
            .ok()
            .and_then(|r| r.strip_suffix(TMP_SUFFIX))
            .and_then(|r| r.split_once('-'))
            .and_then(|(pid, n)| n.parse::<u64>().ok().and(pid.parse::<u32>().ok()))
        else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > TMP_STALE_AFTER);
        if (old || !process_runs(pid)) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether process `pid` runs (or cannot be told not to).
fn process_runs(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SavedBaseline {
        SavedBaseline {
            sharpness: QUANTILES.iter().map(|&q| (q, 0.5 + q / 4.0)).collect(),
            learned: 10_000_000_000,
            frames: 250,
            effective_size: Some((640, 360)),
            caps: Some("video/x-raw, width=(int)640".into()),
        }
    }

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sharpmeter-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn round_trips_through_json_and_a_file() {
        let b = sample();
        assert_eq!(SavedBaseline::from_json(&b.to_json()).unwrap(), b);
        let d = dir("round-trip");
        let path = d.join("baseline.json");
        assert!(load(&path).unwrap().is_none(), "a missing file is no error");
        save(&path, &b).unwrap();
        assert_eq!(load(&path).unwrap(), Some(b));
        // Only the file itself is left: the temporary one was renamed.
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let good = sample().to_json();
        let cases = [
            ("{", "not JSON"),
            ("[]", "not an object"),
            (&good.replace(FORMAT, "other"), "format"),
            (&good.replace("\"version\": 1", "\"version\": 2"), "version"),
            (&good.replace("0.5125", "1.5"), "outside 0..1"),
            (&good.replace("\"frames\"", "\"frame\""), "no frames"),
        ];
        for (text, why) in cases {
            let err = SavedBaseline::from_json(text).unwrap_err().to_string();
            assert!(err.contains(why), "{why}: {err}");
        }
        let descending = SavedBaseline {
            sharpness: vec![(0.1, 0.6), (0.5, 0.4)],
            ..sample()
        };
        let err = SavedBaseline::from_json(&descending.to_json()).unwrap_err();
        assert!(err.to_string().contains("ascending"), "{err}");
    }

    #[test]
    fn a_failed_save_keeps_the_old_file() {
        let d = dir("failed-save");
        let path = d.join("baseline.json");
        save(&path, &sample()).unwrap();
        // A directory in the way of the temporary file's rename target makes the save fail.
        let blocked = d.join("sub");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), "x").unwrap();
        assert!(save(&blocked, &sample()).is_err());
        assert_eq!(load(&path).unwrap(), Some(sample()));
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            2,
            "no temporary file left"
        );
    }
}
