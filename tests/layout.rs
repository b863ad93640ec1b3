//! The layout of the code (docs/architecture.md), read from the sources' tokens (lexed by
//! `proc-macro2`, so strings and comments are not read as code): no two
//! files import each other, directly or around a circle (the library and `cli/`); the rooms
//! of the measurement core use only the rooms below them; the core and the temporal logic
//! name no GStreamer item; only `mod.rs` lies directly in `src/analysis/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// The rooms of `src/analysis/`, lowest first: each uses only the rooms before it.
const ROOMS: [&str; 4] = ["frame", "kernels", "figures", "meter"];

/// The one pair of files that name each other by construction: a GObject subclass's wrapper
/// type (`glib::wrapper!` in mod.rs) and its implementation (`ObjectSubclass::Type` in
/// imp.rs), as in gst-plugins-rs.
const SUBCLASS: [&str; 2] = ["src/sharpmeter/imp.rs", "src/sharpmeter/mod.rs"];

/// Crates whose items neither the measurement core nor the temporal logic may name.
const GSTREAMER: [&str; 5] = ["gst", "gst_base", "gst_video", "glib", "gst_app"];

/// One crate's files by module path (`analysis::kernels::simd` -> its file).
struct Crate {
    modules: BTreeMap<Vec<String>, PathBuf>,
}

impl Crate {
    /// The `.rs` files under `root`, whose crate root is `root_file` (lib.rs or main.rs).
    fn read(root: &Path, root_file: &str) -> Crate {
        let mut modules = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let rel = path.strip_prefix(root).unwrap();
                let mut module: Vec<String> = rel
                    .parent()
                    .unwrap()
                    .iter()
                    .map(|c| c.to_string_lossy().into_owned())
                    .collect();
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                let at_root = module.is_empty() && stem == root_file;
                if stem != "mod" && !at_root {
                    module.push(stem);
                }
                modules.insert(module, path);
            }
        }
        Crate { modules }
    }

    /// The file that holds the item at `path` (the longest prefix that is a file's module).
    fn file_of(&self, path: &[String]) -> Option<&PathBuf> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.modules.get(&path[..n]))
    }
}

/// Paths a file names that start at `crate`, `super`, `self` or a child module, resolved
/// against the module they are written in, and the first segments of the other paths.
struct Names<'k> {
    krate: &'k Crate,
    /// The module of the file, then the inline modules (`mod tests { .. }`) around the
    /// visitor.
    scope: Vec<String>,
    /// Resolved absolute paths within the crate.
    internal: Vec<Vec<String>>,
    /// First segments of paths that do not start at `crate`, `super` or `self`.
    roots: BTreeSet<String>,
}

impl<'k> Names<'k> {
    fn of(krate: &'k Crate, file: &Path, module: &[String]) -> Names<'k> {
        let text = std::fs::read_to_string(file).unwrap();
        let tokens: TokenStream = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        let mut names = Names {
            krate,
            scope: module.to_vec(),
            internal: Vec::new(),
            roots: BTreeSet::new(),
        };
        names.walk(tokens);
        names
    }

    /// Reads the paths of `tokens`: `use` trees, inline modules (`mod name { .. }`) and every
    /// other path of two or more segments, inside groups and macro arguments too.
    fn walk(&mut self, tokens: TokenStream) {
        let t: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < t.len() {
            match &t[i] {
                TokenTree::Ident(id) if id == "mod" => {
                    if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                        (t.get(i + 1), t.get(i + 2))
                        && body.delimiter() == Delimiter::Brace
                    {
                        self.scope.push(name.to_string());
                        self.walk(body.stream());
                        self.scope.pop();
                        i += 3;
                        continue;
                    }
                }
                TokenTree::Ident(id) if id == "use" => {
                    let end = (i + 1..t.len())
                        .find(|&j| matches!(&t[j], TokenTree::Punct(p) if p.as_char() == ';'))
                        .unwrap_or(t.len());
                    let mut paths = Vec::new();
                    use_paths(&t[i + 1..end], Vec::new(), &mut paths);
                    for p in paths {
                        self.add(p);
                    }
                    i = end + 1;
                    continue;
                }
                TokenTree::Ident(_) if !(i >= 2 && is_path_separator(&t, i - 2)) => {
                    let (path, next) = read_path(&t, i);
                    if path.len() > 1 {
                        self.add(path);
                    }
                    i = next;
                    continue;
                }
                TokenTree::Group(g) => self.walk(g.stream()),
                _ => {}
            }
            i += 1;
        }
    }

    fn add(&mut self, segments: Vec<String>) {
        let Some(first) = segments.first() else {
            return;
        };
        let mut at = match first.as_str() {
            "crate" => Vec::new(),
            "super" | "self" => self.scope.clone(),
            // `use child::Item` names a module declared here.
            child
                if self
                    .krate
                    .modules
                    .contains_key(&[self.scope.as_slice(), &[child.to_string()]].concat()) =>
            {
                let mut at = self.scope.clone();
                at.extend(segments.iter().cloned());
                self.internal.push(at);
                return;
            }
            _ => {
                self.roots.insert(first.clone());
                return;
            }
        };
        let mut rest = &segments[1..];
        if first == "super" {
            at.pop();
            while rest.first().is_some_and(|s| s == "super") {
                at.pop();
                rest = &rest[1..];
            }
        }
        at.extend(rest.iter().cloned());
        self.internal.push(at);
    }
}

/// Whether `t[j]` and `t[j + 1]` are the path separator `::` (not a type's `:`).
fn is_path_separator(t: &[TokenTree], j: usize) -> bool {
    matches!(
        (t.get(j), t.get(j + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// The path that starts with the identifier at `t[i]` (`a::b::c`), and the index after it.
fn read_path(t: &[TokenTree], i: usize) -> (Vec<String>, usize) {
    let mut path = vec![t[i].to_string()];
    let mut j = i + 1;
    while is_path_separator(t, j)
        && let Some(TokenTree::Ident(next)) = t.get(j + 2)
    {
        path.push(next.to_string());
        j += 3;
    }
    (path, j)
}

/// Every path the tokens of a use tree name (after `use`, before `;`), `{..}` groups
/// expanded; a glob names its module, `self` in a group its parent.
fn use_paths(t: &[TokenTree], mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    for token in t {
        match token {
            TokenTree::Ident(id) if id == "as" => break,
            TokenTree::Ident(id) if id == "self" && !prefix.is_empty() => {}
            TokenTree::Ident(id) => prefix.push(id.to_string()),
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                for part in inner.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                {
                    if !part.is_empty() {
                        use_paths(part, prefix.clone(), out);
                    }
                }
                return;
            }
            _ => {}
        }
    }
    out.push(prefix);
}

/// Each file's imports of other files of `krate` (by path relative to the repository), and
/// the other crates it names.
struct Imports {
    files: BTreeMap<String, BTreeSet<String>>,
    roots: BTreeMap<String, BTreeSet<String>>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn imports(dir: &str, root_file: &str) -> Imports {
    let repo = repo();
    let krate = Crate::read(&repo.join(dir), root_file);
    let rel = |p: &Path| p.strip_prefix(&repo).unwrap().display().to_string();
    let mut files = BTreeMap::new();
    let mut roots = BTreeMap::new();
    for (module, file) in &krate.modules {
        let names = Names::of(&krate, file, module);
        let targets: BTreeSet<String> = names
            .internal
            .iter()
            .filter_map(|p| krate.file_of(p))
            .filter(|t| *t != file)
            .map(|t| rel(t))
            .collect();
        files.insert(rel(file), targets);
        roots.insert(rel(file), names.roots);
    }
    Imports { files, roots }
}

/// The circles of files that import each other: every group of two or more files that all
/// reach each other (strongly connected components, Kosaraju).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    fn finish<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        seen: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a str>,
    ) {
        if !seen.insert(node) {
            return;
        }
        for next in graph.get(node).into_iter().flatten() {
            finish(next, graph, seen, order);
        }
        order.push(node);
    }
    fn gather<'a>(
        node: &'a str,
        reverse: &BTreeMap<&'a str, Vec<&'a str>>,
        seen: &mut BTreeSet<&'a str>,
        group: &mut BTreeSet<String>,
    ) {
        if !seen.insert(node) {
            return;
        }
        group.insert(node.to_string());
        for &prev in reverse.get(node).into_iter().flatten() {
            gather(prev, reverse, seen, group);
        }
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for node in graph.keys() {
        finish(node, graph, &mut seen, &mut order);
    }
    let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, tos) in graph {
        for to in tos {
            reverse.entry(to).or_default().push(from);
        }
    }
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for node in order.into_iter().rev() {
        let mut group = BTreeSet::new();
        gather(node, &reverse, &mut seen, &mut group);
        if group.len() > 1 {
            found.push(group);
        }
    }
    found
}

/// The room of a file in `src/analysis/`, by rank; None elsewhere.
fn room(file: &str) -> Option<usize> {
    let rest = file.strip_prefix("src/analysis/")?;
    let (dir, _) = rest.split_once('/')?;
    ROOMS.iter().position(|r| *r == dir)
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let mut found = Vec::new();
    for (dir, root) in [("src", "lib"), ("cli/src", "main")] {
        let mut graph = imports(dir, root).files;
        assert!(graph.len() > 5, "{dir}: read {} files", graph.len());
        if let Some(imp) = graph.get_mut(SUBCLASS[0]) {
            assert!(imp.remove(SUBCLASS[1]), "imp.rs names its wrapper type");
        }
        found.extend(circles(&graph));
    }
    assert!(
        found.is_empty(),
        "files that import each other, around a circle: {found:?}"
    );
}

#[test]
fn the_rooms_of_the_core_use_only_the_rooms_below_them() {
    let lib = imports("src", "lib");
    let mut checked = 0;
    for (file, targets) in &lib.files {
        if !file.starts_with("src/analysis/") {
            continue;
        }
        for t in targets {
            assert!(
                t.starts_with("src/analysis/"),
                "{file} uses {t}, outside the measurement core"
            );
            let (Some(from), Some(to)) = (room(file), room(t)) else {
                continue;
            };
            checked += 1;
            assert!(
                to <= from,
                "{file} ({}) uses {t} ({}), a room above it",
                ROOMS[from],
                ROOMS[to]
            );
            let figures = ROOMS.iter().position(|r| *r == "figures");
            assert!(
                !(from == to && Some(from) == figures),
                "{file} uses {t}: figures use kernels, not each other"
            );
        }
    }
    assert!(checked > 20, "only {checked} imports between rooms read");
}

#[test]
fn the_core_and_the_temporal_logic_name_nothing_of_gstreamer() {
    let lib = imports("src", "lib");
    for (file, roots) in &lib.roots {
        if !(file.starts_with("src/analysis/") || file.starts_with("src/temporal/")) {
            continue;
        }
        let named: Vec<&String> = roots
            .iter()
            .filter(|r| GSTREAMER.contains(&r.as_str()))
            .collect();
        assert!(named.is_empty(), "{file} names {named:?}");
        if file.starts_with("src/temporal/") {
            for t in &lib.files[file] {
                assert!(
                    t.starts_with("src/temporal/")
                        || t.starts_with("src/analysis/")
                        || t == "src/baseline_file.rs",
                    "{file} uses {t}: the temporal logic is fed numbers, the glue makes messages"
                );
            }
        }
    }
}

#[test]
fn only_mod_rs_lies_directly_in_the_core() {
    let (mut files, mut rooms) = (BTreeSet::new(), BTreeSet::new());
    for entry in std::fs::read_dir(repo().join("src/analysis")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            &mut rooms
        } else {
            &mut files
        }
        .insert(name);
    }
    assert_eq!(files, BTreeSet::from(["mod.rs".to_string()]));
    assert_eq!(rooms, ROOMS.iter().map(|r| r.to_string()).collect());
}

#[test]
fn a_circle_is_found_and_named() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a", "d"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v.into_iter().map(String::from).collect()))
    .collect();
    let abc: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    assert_eq!(circles(&graph), [abc]);
    let mut open = graph;
    open.get_mut("c").unwrap().remove("a");
    assert!(circles(&open).is_empty());
    open.get_mut("d").unwrap().insert("d".into());
    assert!(circles(&open).is_empty(), "a file is no circle of its own");
}

#[test]
fn docs_architecture_md_is_short_and_names_files_that_exist() {
    let page = std::fs::read_to_string(repo().join("docs/architecture.md")).unwrap();
    assert!(page.lines().count() <= 120, "docs/architecture.md is long");
    let named: Vec<&str> = page
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            ["src/", "cli/", "tests/", "examples/"]
                .iter()
                .any(|p| s.starts_with(p))
                && !s.contains('<')
        })
        .collect();
    assert!(named.len() > 10, "{named:?}");
    for path in named {
        assert!(
            repo().join(path).exists(),
            "docs/architecture.md names {path}"
        );
    }
}
