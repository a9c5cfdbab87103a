//! The fuzz targets' saved inputs replayed on stable: every file of the curated corpus
//! (`fuzz/seeds/<target>/`; `format` starts from `rule_text`'s), of the corpus the fuzzer
//! grew, minimised to a set covering the same features (`fuzz/grown/<target>/`), and every
//! minimised crash (`fuzz/regressions/<target>/`) goes
//! through the same body the fuzzer runs (`chiso::fuzzing`), so a finding once fixed
//! stays fixed without a nightly toolchain. `cargo +nightly fuzz run <target>` explores;
//! this test only replays.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of seeds a target starts from: the formatter reads the same rule files as
/// the parser.
fn seeds_of(target: &str) -> &str {
    if target == "format" {
        "rule_text"
    } else {
        target
    }
}

/// Every file under `fuzz/seeds/<seeds>`, `fuzz/grown/<target>` and
/// `fuzz/regressions/<target>`, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (kind, folder) in [
        ("seeds", seeds_of(target)),
        ("grown", target),
        ("regressions", target),
    ] {
        let dir = root().join("fuzz").join(kind).join(folder);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files
}

/// Runs `body` on every saved input of `target` on a 2 MB stack (as small as a thread
/// gets by default), naming the input that fails.
fn replay(target: &str, minimum: usize, body: fn(&[u8])) {
    let files = inputs(target);
    assert!(
        files.len() >= minimum,
        "{target}: only {} saved inputs",
        files.len()
    );
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let name = file.clone();
        let outcome = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || body(&bytes))
            .unwrap()
            .join();
        assert!(outcome.is_ok(), "{target}: {} fails", name.display());
    }
}

#[test]
fn rule_text_inputs_replay() {
    replay("rule_text", 50, chiso::fuzzing::rule_text);
}

#[test]
fn format_inputs_replay() {
    replay("format", 50, chiso::fuzzing::format);
}

#[test]
fn hook_inputs_replay() {
    replay("hook", 5, chiso::fuzzing::hook);
}

#[test]
fn differential_inputs_replay() {
    replay("differential", 10, chiso::fuzzing::differential);
}

#[test]
fn data_inputs_replay() {
    let shipped = chiso::fuzzing::shipped_rule_sets(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(shipped.len() >= 10, "{} shipped rule sets", shipped.len());
    for file in inputs("data") {
        let bytes = std::fs::read(&file).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            chiso::fuzzing::data(&shipped, &bytes)
        }));
        assert!(outcome.is_ok(), "data: {} fails", file.display());
    }
}
