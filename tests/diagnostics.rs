//! Snapshot of the rendered diagnostics of every broken rule file in `tests/broken/`.
//!
//! Snapshots live in `tests/snapshots/`; after an intended change of wording, review
//! them with `cargo insta review` (or regenerate with `INSTA_UPDATE=always cargo test`).

use std::path::Path;

use chiso::{LoadError, RuleSet};

fn diagnostics_of(path: &Path) -> (String, bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(path).unwrap();
    match RuleSet::from_text(&relative, &text) {
        Ok(rules) => {
            let rendered: String = rules.warnings().iter().map(|d| d.render()).collect();
            (rendered, false)
        }
        Err(LoadError::Invalid { diagnostics }) => {
            let rendered: String = diagnostics.iter().map(|d| d.render()).collect();
            (rendered, true)
        }
        Err(other) => panic!("unexpected load error: {other}"),
    }
}

#[test]
fn broken_rule_files() {
    insta::glob!("broken/*.chiso", |path| {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let (rendered, failed) = diagnostics_of(path);
        if name.starts_with("warning_") {
            assert!(!failed, "{name} should load with warnings only");
            assert!(
                rendered.contains("warning:"),
                "{name}: no warning\n{rendered}"
            );
        } else {
            assert!(failed, "{name} should not load");
            assert!(rendered.contains("error"), "{name}: no error\n{rendered}");
        }
        // Every diagnostic points into the file, as file:line:column.
        let located = format!("tests/broken/{name}.chiso:");
        assert!(
            rendered.contains(&located),
            "{name}: no position\n{rendered}"
        );
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn the_corpus_is_large_enough() {
    let count = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "chiso")
        })
        .count();
    assert!(count >= 25, "only {count} broken rule files");
}
