//! `chiso fmt` over every rule file in the repository (shipped rule sets, the broken
//! corpus where it parses, hook and method fixtures): formatting is idempotent, and the
//! formatted file compiles to the same rule set, ignoring layout.

use std::path::{Path, PathBuf};

use chiso::format::format_source;
use chiso::source::Source;
use chiso::{LoadError, RuleSet};

fn chiso_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            chiso_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "chiso") {
            out.push(p);
        }
    }
}

/// Every rule file, as a path relative to the package root (so hook scripts resolve).
fn all_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    chiso_files(Path::new("rules"), &mut files);
    chiso_files(Path::new("tests"), &mut files);
    files
}

fn compiled(name: &str, text: &str) -> Result<String, String> {
    match RuleSet::from_text(name, text) {
        Ok(rules) => Ok(format!("{:?}", rules.program())),
        Err(LoadError::Invalid { diagnostics }) => {
            Err(diagnostics.iter().map(|d| d.message.clone()).collect())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn formatting_is_idempotent_and_meaning_preserving() {
    let (mut formatted_files, mut compared) = (0, 0);
    for path in all_files() {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(once) = format_source(&Source::new(&name, &*text)) else {
            continue; // a syntax error in the broken corpus
        };
        formatted_files += 1;
        let twice = format_source(&Source::new(&name, &*once))
            .unwrap_or_else(|d| panic!("{name}: {}", d[0].render()));
        assert_eq!(
            once, twice,
            "{name}: formatting twice differs from formatting once"
        );
        // Comments survive.
        assert_eq!(
            text.matches('#').count(),
            once.matches('#').count(),
            "{name}: comments lost"
        );
        let before = compiled(&name, &text);
        let after = compiled(&name, &once);
        match (&before, &after) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    a, b,
                    "{name}: the formatted file compiles to another rule set"
                );
                compared += 1;
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "{name}: the formatted file has other diagnostics")
            }
            _ => panic!("{name}: compiles before or after formatting only: {before:?} / {after:?}"),
        }
    }
    assert!(
        formatted_files >= 40,
        "only {formatted_files} files formatted"
    );
    assert!(compared >= 8, "only {compared} rule sets compared");
}

#[test]
fn a_target_without_a_requirement_is_written_back_not_dropped() {
    // Found by the `format` fuzzer: the target was written only after the first
    // requirement, so a rule with none lost it, and with it the checker's error.
    let text =
        "methodology \"T\" version 1\ninput a: number\nrule r by 2020-12-31 from 0 in 2019\n";
    let once = format_source(&Source::new("t.chiso", text)).unwrap();
    assert!(once.contains("  by 2020-12-31 from 0 in 2019\n"), "{once}");
    let twice = format_source(&Source::new("t.chiso", &*once)).unwrap();
    assert_eq!(once, twice);
    for written in [text, once.as_str()] {
        let err = RuleSet::from_text("t.chiso", written)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a target with a baseline needs a requirement"),
            "{err}"
        );
    }
}

/// A clause written twice is an error, and `fmt` must not settle it by dropping one: both
/// stay in the formatted file, in the order the author wrote them.
#[test]
fn a_repeated_clause_is_written_back_not_dropped() {
    let name = "tests/broken/repeated_message.chiso";
    let text = std::fs::read_to_string(name).unwrap();
    let once = format_source(&Source::new(name, &*text)).unwrap();
    let first = once.find("message \"first wins\"").expect(&once);
    let second = once.find("message \"second is reported\"").expect(&once);
    assert!(first < second, "{once}");
    assert!(once.contains("in force from 2021-01-01"), "{once}");
    let name = "tests/broken/repeated_input_clauses.chiso";
    let text = std::fs::read_to_string(name).unwrap();
    let once = format_source(&Source::new(name, &*text)).unwrap();
    for kept in [
        "default 0",
        "default 1",
        "from \"Tổng số cán bộ\"",
        "from \"staff\"",
        "\"Cán bộ\" / \"Staff members\"",
    ] {
        assert!(once.contains(kept), "`{kept}` lost:\n{once}");
    }
    // The first of each stays in force: the checker reports the later ones.
    let Err(LoadError::Invalid { diagnostics }) = RuleSet::from_text(name, &text) else {
        panic!("a repeated input clause compiled");
    };
    let lines: Vec<usize> = diagnostics
        .iter()
        .map(|d| d.loc.as_ref().map_or(0, |l| l.line_col().0))
        .collect();
    assert_eq!(diagnostics.len(), 3, "{diagnostics:?}");
    assert!(lines.iter().all(|&l| l == 3 || l == 4), "{lines:?}");
}

#[test]
fn shipped_rule_files_are_formatted() {
    let mut files = Vec::new();
    chiso_files(Path::new("rules"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted = format_source(&Source::new(path.display().to_string(), &*text)).unwrap();
        assert_eq!(
            formatted,
            text,
            "{} is not formatted: run `chiso fmt rules/`",
            path.display()
        );
    }
}
