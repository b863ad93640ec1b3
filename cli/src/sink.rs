//! The files `check` writes (`--json`, `--csv`): checked and opened before any input is
//! analysed, written to a temporary file beside the target and moved over it once complete,
//! so a failed run leaves no torn file and an input is never overwritten; `-` is standard
//! output.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub enum Sink {
    Stdout(std::io::Stdout),
    File {
        path: PathBuf,
        tmp: PathBuf,
        file: BufWriter<File>,
    },
}

/// Where `path` leads: its canonical form, or its folder's with its name when it does not
/// exist yet.
fn resolved(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok().or_else(|| {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
    })
}

impl Sink {
    /// Opens `path` (`-`: standard output) for a run over `inputs`: refused when it is one
    /// of them, a folder, or in a folder that cannot be written.
    pub fn open(path: &Path, inputs: &[&Path]) -> Result<Sink, String> {
        if path == Path::new("-") {
            return Ok(Sink::Stdout(std::io::stdout()));
        }
        let shown = path.display();
        if path.is_dir() {
            return Err(format!("{shown}: is a folder"));
        }
        let target = resolved(path).ok_or_else(|| format!("{shown}: no such folder"))?;
        if inputs
            .iter()
            .any(|i| std::fs::canonicalize(i).is_ok_and(|i| i == target))
        {
            return Err(format!(
                "{shown}: is also an input; it would be overwritten"
            ));
        }
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let tmp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| format!("{shown}: {e}"))?;
        Ok(Sink::File {
            path: path.to_path_buf(),
            tmp,
            file: BufWriter::new(file),
        })
    }

    /// Writes what is buffered and puts the file in place.
    pub fn finish(mut self) -> Result<(), String> {
        self.flush().map_err(|e| e.to_string())?;
        if let Sink::File {
            path, tmp, file, ..
        } = &self
        {
            file.get_ref()
                .sync_all()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            std::fs::rename(tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(s) => s.write(buf),
            Sink::File { file, .. } => file.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(s) => s.flush(),
            Sink::File { file, .. } => file.flush(),
        }
    }
}

impl Drop for Sink {
    /// A sink not finished leaves nothing behind (the rename already moved a finished one).
    fn drop(&mut self) {
        if let Sink::File { tmp, .. } = self {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
