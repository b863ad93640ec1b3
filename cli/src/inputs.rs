//! The inputs a command line names: files, folders (recursive, in name order), globs and
//! URIs. What cannot be expanded is an input that failed, with its reason.

use std::path::{Path, PathBuf};

/// One input to analyse, or one that failed before analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Uri(String),
    Failed { name: String, reason: String },
}

impl Input {
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Uri(u) => u.clone(),
            Input::Failed { name, .. } => name.clone(),
        }
    }
}

/// `scheme://...`.
pub fn is_uri(arg: &str) -> bool {
    arg.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

fn walk(dir: &Path, out: &mut Vec<Input>) {
    let entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_file() => out.push(Input::File(e.into_path())),
            Ok(_) => {}
            Err(e) => {
                let name = e
                    .path()
                    .map_or(dir.display().to_string(), |p| p.display().to_string());
                let reason = if e.loop_ancestor().is_some() {
                    "a folder loop (a link to a folder that holds it)".to_string()
                } else {
                    e.io_error().map_or(e.to_string(), |io| io.to_string())
                };
                out.push(Input::Failed { name, reason });
            }
        }
    }
}

/// Expands `args` in order. Paths may hold any bytes; URIs and globs are text.
pub fn expand<A: AsRef<std::ffi::OsStr>>(args: &[A]) -> Vec<Input> {
    let mut out = Vec::new();
    for raw in args {
        let path = Path::new(raw.as_ref());
        let arg = &raw.as_ref().to_string_lossy().into_owned();
        let text = raw.as_ref().to_str().is_some();
        if text && is_uri(arg) {
            match arg.strip_prefix("file://") {
                Some(_) => match gst::glib::filename_from_uri(arg) {
                    Ok((p, _)) if p.is_dir() => walk(&p, &mut out),
                    Ok((p, _)) => out.push(Input::File(p)),
                    Err(e) => out.push(Input::Failed {
                        name: arg.clone(),
                        reason: e.to_string(),
                    }),
                },
                None => out.push(Input::Uri(arg.clone())),
            }
        } else if path.is_dir() {
            walk(path, &mut out);
        } else if path.exists() || path.is_symlink() {
            out.push(Input::File(path.to_path_buf()));
        } else if text && arg.contains(['*', '?', '[']) {
            let before = out.len();
            match glob::glob(arg) {
                Ok(paths) => {
                    for p in paths {
                        match p {
                            Ok(p) if p.is_dir() => walk(&p, &mut out),
                            Ok(p) => out.push(Input::File(p)),
                            Err(e) => out.push(Input::Failed {
                                name: e.path().display().to_string(),
                                reason: e.error().to_string(),
                            }),
                        }
                    }
                    if out.len() == before {
                        out.push(Input::Failed {
                            name: arg.clone(),
                            reason: "no file matches".into(),
                        });
                    }
                }
                Err(e) => out.push(Input::Failed {
                    name: arg.clone(),
                    reason: format!("not a valid pattern: {e}"),
                }),
            }
        } else {
            out.push(Input::Failed {
                name: arg.clone(),
                reason: "no such file or folder".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_globs_uris_and_loops() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        for f in ["b.mp4", "a.mp4", "sub/c.mp4", "note.txt"] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        std::os::unix::fs::symlink(d, d.join("sub/loop")).unwrap();
        let names = |inputs: Vec<Input>| {
            inputs
                .iter()
                .map(|i| match i {
                    Input::File(p) => p.strip_prefix(d).unwrap().display().to_string(),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
        };
        let all = expand(&[d.display().to_string()]);
        let n = names(all.clone());
        assert_eq!(&n[..3], ["a.mp4", "b.mp4", "note.txt"], "{n:?}");
        assert!(n.contains(&"sub/c.mp4".to_string()), "{n:?}");
        assert!(
            all.iter()
                .any(|i| matches!(i, Input::Failed { reason, .. } if reason.contains("loop"))),
            "{n:?}"
        );
        let globbed = expand(&[format!("{}/*.mp4", d.display())]);
        assert_eq!(names(globbed), ["a.mp4", "b.mp4"]);
        assert!(
            matches!(&expand(&["/no/such/file.mp4"])[0], Input::Failed { reason, .. } if reason == "no such file or folder")
        );
        assert!(
            matches!(&expand(&[format!("{}/*.mkv", d.display())])[0], Input::Failed { reason, .. } if reason == "no file matches")
        );
        assert_eq!(
            expand(&["rtsp://cam/1"]),
            [Input::Uri("rtsp://cam/1".into())]
        );
    }
}
