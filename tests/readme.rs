//! The documentation's snippets (README.md and docs/*.md) are the tested files, verbatim, and
//! they run: the gst-launch lines, the Rust snippet (`examples/readme.rs`), the Python snippet
//! (`examples/python/readme.py`) and the gst-rtsp-server excerpt (`examples/rtsp_server.rs`,
//! run by tests/rtsp.rs). The README stays short.

mod common;
#[allow(dead_code)]
#[path = "../examples/readme.rs"]
mod readme_example;

use std::path::Path;

use common::run_with_plugin;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page of docs/, one after the other.
fn documentation() -> String {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The contents of every fenced block tagged `tag` in the documentation.
fn blocks(tag: &str) -> Vec<String> {
    let text = documentation();
    let fence = format!("```{tag}\n");
    text.match_indices(&fence)
        .map(|(i, m)| {
            let body = &text[i + m.len()..];
            body[..body.find("```").expect("closed block")].to_string()
        })
        .collect()
}

#[test]
fn the_gst_launch_lines_run() {
    let lines = blocks("gst-launch");
    let lines: Vec<&str> = lines.iter().flat_map(|b| b.lines()).collect();
    assert!(lines.len() >= 2, "{lines:?}");
    for line in lines {
        let args: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(args[0], "gst-launch-1.0");
        let stdout = run_with_plugin(args[0], &args[1..], "readme-launch.bin");
        assert!(stdout.contains("sharpmeter-summary"), "{line}: {stdout}");
    }
}

#[test]
fn the_rust_snippet_is_examples_readme_rs_and_reports_an_alarm() {
    let file = std::fs::read_to_string(root().join("examples/readme.rs")).unwrap();
    assert!(
        blocks("rust").contains(&file),
        "the documentation must show examples/readme.rs verbatim"
    );
    let lines = readme_example::run().unwrap();
    assert!(lines[0].starts_with("alarm (threshold) since"), "{lines:?}");
    assert!(lines.iter().filter(|l| l.starts_with("report: ")).count() >= 3);
}

#[test]
fn the_python_snippet_is_examples_python_readme_py_and_prints_frames_and_reports() {
    let path = root().join("examples/python/readme.py");
    let file = std::fs::read_to_string(&path).unwrap();
    assert!(
        blocks("python").contains(&file),
        "the documentation must show readme.py verbatim"
    );
    let stdout = run_with_plugin("/usr/bin/python3", &[&path], "readme-python.bin");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("frame 0.")).count(),
        10
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("report ")).count(),
        10
    );
}

#[test]
fn the_rtsp_excerpt_is_from_examples_rtsp_server_rs() {
    let source = std::fs::read_to_string(root().join("examples/rtsp_server.rs")).unwrap();
    let excerpt = blocks("rust")
        .into_iter()
        .find(|b| b.contains("handle-message::element"))
        .expect("an RTSP excerpt");
    for line in excerpt.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            source.contains(line.trim()),
            "not in rtsp_server.rs: {line}"
        );
    }
}

#[test]
fn the_readme_stays_short() {
    let lines = std::fs::read_to_string(root().join("README.md"))
        .unwrap()
        .lines()
        .count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines; reference goes to docs/"
    );
}

/// (names, type) of each row of the first table after the heading `heading` in `page`.
fn field_table(page: &str, heading: &str) -> Vec<(Vec<String>, String)> {
    let text = &page[page.find(heading).unwrap_or_else(|| panic!("no {heading}"))..];
    text.lines()
        .skip_while(|l| !l.starts_with("| field"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let names = cells[1]
                .split(',')
                .map(|n| n.trim().trim_matches('`').to_string())
                .collect();
            (names, cells[2].to_string())
        })
        .collect()
}

/// Checks that `table` names exactly `fields` (name, type), in the same order.
fn assert_table_is_schema(what: &str, table: &[(Vec<String>, String)], fields: &[(&str, &str)]) {
    let documented: Vec<(String, String)> = table
        .iter()
        .flat_map(|(names, ty)| names.iter().map(move |n| (n.clone(), ty.clone())))
        .collect();
    let schema: Vec<(String, String)> = fields
        .iter()
        .map(|&(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert_eq!(
        documented, schema,
        "{what}: docs/messages.md against the schema"
    );
}

#[test]
fn the_field_tables_of_docs_messages_md_are_the_schema() {
    use gstsharpmeter::messages::{ALARM_FIELDS, REPORT_FIELDS, SUMMARY_FIELDS};
    use gstsharpmeter::meta::META_FIELDS;
    let page = std::fs::read_to_string(root().join("docs/messages.md")).unwrap();
    macro_rules! names {
        ($fields:expr) => {
            $fields
                .iter()
                .map(|f| (f.name, f.ty.doc_name()))
                .collect::<Vec<_>>()
        };
    }
    let cases = [
        ("## `sharpmeter` (report)", names!(REPORT_FIELDS)),
        ("## `sharpmeter-alarm`", names!(ALARM_FIELDS)),
        ("## `sharpmeter-summary`", names!(SUMMARY_FIELDS)),
        ("## Buffer meta", names!(META_FIELDS)),
    ];
    for (heading, fields) in cases {
        assert_table_is_schema(heading, &field_table(&page, heading), &fields);
    }
}
