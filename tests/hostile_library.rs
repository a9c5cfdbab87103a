//! Regression tests for hostile inputs found by fuzzing and by hand (issue 16), at the
//! library level: each failed (a crash, a hang, a sandbox escape) before its fix. The
//! command-line corpus is `tests/hostile.rs` with its cases in `tests/hostile/`.

use chiso::format::format_source;
use chiso::source::Source;
use chiso::{Dataset, LoadError, RuleSet};

const HEADER: &str = "methodology \"D\" version 1\ninput a: number\ninput g: number\n";

fn first_error(text: &str) -> String {
    match RuleSet::from_text("deep.chiso", text) {
        Err(LoadError::Invalid { diagnostics }) => diagnostics[0].render(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("should not load"),
    }
}

/// Runs `f` on a thread with the smallest stack Rust gives a thread by default (2 MB),
/// as test harnesses, thread pools and embedding programs do.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deep_nesting_of_every_recursive_production_is_a_diagnostic_at_its_position() {
    on_small_stack(|| {
        let cases = [
            (
                format!(
                    "constant c = {}1{}\n",
                    "[".repeat(10_000),
                    "]".repeat(10_000)
                ),
                "4:",
            ),
            (
                format!(
                    "indicator b = a + {}1{}\n",
                    "[".repeat(3000),
                    "]".repeat(3000)
                ),
                "4:",
            ),
            (
                format!(
                    "indicator b = {}0\n",
                    "if a > 1 then 1 else ".repeat(10_000)
                ),
                "4:",
            ),
            (
                format!(
                    "indicator b = normalise a by max among {}a > 1\n",
                    "rank of a among ".repeat(5000)
                ),
                "4:",
            ),
            (
                format!("rule r require {}a > 1\n", "if a > 1 then ".repeat(5000)),
                "4:",
            ),
        ];
        for (body, line) in cases {
            let d = first_error(&format!("{HEADER}{body}"));
            assert!(
                d.contains("formula nested more than 64 levels deep"),
                "{}",
                &d[..200.min(d.len())]
            );
            assert!(d.contains(&format!("deep.chiso:{line}")), "{}", &d[..200]);
        }
    });
}

#[test]
fn the_deepest_allowed_formula_goes_through_every_stage_on_a_small_stack() {
    on_small_stack(|| {
        // 64 levels of brackets and `if` (32 of them parentheses), the deepest allowed.
        let mut formula = String::from("a");
        for k in 0..48 {
            formula = match k % 3 {
                0 => format!("if g > {k} then ({formula}) else 0"),
                1 => format!("max({formula}, 1)"),
                _ => format!("if g < 100 then {formula} else 1"),
            };
        }
        let one_more = format!("{HEADER}indicator b = if g > 0 then {formula} else 0\n");
        assert!(first_error(&one_more).contains("nested more than 64 levels"));
        let text = format!(
            "{HEADER}indicator b = {formula}\nindicator n = normalise a by max among g > 1 and \
             (rank of a among g > 0) > 0\nrule r require b >= 0\n"
        );
        let rules = RuleSet::from_text("deep.chiso", &text).unwrap_or_else(|e| panic!("{e}"));
        let data = Dataset::from_json_str(
            "d.json",
            r#"[{"unit": "u", "a": 3, "g": 50}, {"unit": "v", "a": 4, "g": 2}]"#,
            "unit",
        )
        .unwrap();
        let report = rules.evaluate(&data);
        assert_eq!(report.units[0].values["b"].to_string(), "3");
        assert!(!report.to_text().is_empty());
        let formatted = format_source(&Source::new("deep.chiso", &*text)).unwrap();
        assert!(RuleSet::from_text("deep.chiso", &formatted).is_ok());
    });
}

/// A fresh folder under the system's temporary folder, for tests that need files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("chiso-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load_error(path: &std::path::Path) -> String {
    match RuleSet::load(path) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{} should not load", path.display()),
    }
}

#[cfg(feature = "rhai")]
mod sandbox {
    use super::*;
    use chiso::{Limits, Status};

    fn with_script(name: &str, script: &str, rule_file: &str) -> std::path::PathBuf {
        let dir = scratch(name);
        std::fs::write(dir.join("s.rhai"), script).unwrap();
        std::fs::write(dir.join("r.chiso"), rule_file).unwrap();
        dir.join("r.chiso")
    }

    /// Regression (issue 16): rhai reads a limit of 0 as "no limit", so `limits string 0`
    /// in a rule file switched the sandbox off (a 1 GB string, 29 s, exit 0).
    #[test]
    fn a_rule_file_cannot_switch_the_sandbox_off() {
        for (limit, value) in [
            ("string", "0"),
            ("array", "0"),
            ("map", "0"),
            ("operations", "0"),
            ("depth", "0"),
            ("calls", "1000000"),
            ("milliseconds", "100000000"),
        ] {
            let file = with_script(
                &format!("limit-{limit}"),
                "fn f(x) { x }",
                &format!(
                    "methodology \"H\" version 1\nhooks \"s.rhai\" limits {limit} {value}\ninput a: number\nindicator b = f(a)\n"
                ),
            );
            let e = load_error(&file);
            assert!(
                e.contains(&format!("the `{limit}` limit must be between 1 and")),
                "{e}"
            );
            assert!(e.contains("r.chiso:2:"), "{e}");
        }
    }

    /// An embedding program's 0 is the least that runs, never unlimited; its depths are
    /// capped at what a thread stack holds.
    #[test]
    fn embedding_limits_are_bounded() {
        let file = with_script(
            "embedding",
            "fn grow(x) { let s = \"x\"; for i in 0..40 { s += s; } s.len() }\nfn deep(n) { if n == 0 { 0 } else { 1 + deep(n - 1) } }",
            "methodology \"H\" version 1\nhooks \"s.rhai\"\ninput a: number\nindicator b = grow(a)\nindicator c = deep(a)\n",
        );
        let rules = RuleSet::builder()
            .limits(Limits {
                string_size: 0,
                call_depth: 1_000_000,
                operations: 0,
                ..Limits::default()
            })
            .load(&file)
            .unwrap_or_else(|e| panic!("{e}"));
        let data =
            Dataset::from_json_str("d.json", r#"[{"unit": "u", "a": 100000}]"#, "unit").unwrap();
        let report = on_small_stack(move || rules.evaluate(&data));
        let errors = &report.units[0].errors;
        assert!(
            errors.contains_key("b") && errors.contains_key("c"),
            "{errors:?}"
        );
    }

    /// Regression (issue 16): the time limit was read between operations only; one long
    /// native operation ran 6.7 s under a 100 ms limit and its value counted (exit 0).
    #[test]
    fn a_call_past_its_time_limit_does_not_count() {
        let file = with_script(
            "time",
            "fn pad(x) { let a = []; a.pad(1000000, 1); a.len() }",
            "methodology \"H\" version 1\nhooks \"s.rhai\"\ninput a: number\nindicator b = pad(a)\nrule r require b > 0\n",
        );
        let rules = RuleSet::builder()
            .limits(Limits {
                array_size: 1_000_000,
                time: std::time::Duration::from_millis(1),
                ..Limits::default()
            })
            .load(&file)
            .unwrap_or_else(|e| panic!("{e}"));
        let data = Dataset::from_json_str("d.json", r#"[{"unit": "u", "a": 1}]"#, "unit").unwrap();
        let report = rules.evaluate(&data);
        assert_eq!(report.findings[0].status, Status::Error);
        let e = &report.units[0].errors["b"];
        assert!(
            e.contains("beyond the time limit") || e.contains("stopped after 1 ms"),
            "{e}"
        );
    }
}

/// Regression (issue 16): a symbolic link back up a rule folder hung `chiso check`.
#[cfg(unix)]
#[test]
fn symlink_loops_in_a_rule_tree_are_walked_once() {
    let dir = scratch("loop");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(
        dir.join("a/r.chiso"),
        "methodology \"L\" version 1\ninput a: number\nrule r require a > 0\n",
    )
    .unwrap();
    for name in ["x", "y", "z"] {
        std::os::unix::fs::symlink("..", dir.join("a").join(name)).unwrap();
    }
    let sets = chiso::ruleset::find_rule_sets(&dir).unwrap();
    assert_eq!(sets.len(), 1, "{sets:?}");
}

/// Regression (issue 16): a comment after `missing exclude` or after an `expect value`
/// line was duplicated by `chiso fmt`, and two spaces in a unit name became one, so the
/// formatted file no longer checked.
#[test]
fn fmt_keeps_comments_once_and_strings_as_written() {
    let text = "methodology \"F\" version 1\ninput a: number\ninput b: number\nscore s = mean of a, b\n  missing exclude # keep going\nindicator c = a * 2 # double\ntest \"t\"\n  given \"Sở  Y tế\" a = 1, b = 2\n  expect value c \"Sở  Y tế\" = 2 # the value\n  # trailing\n";
    let once = format_source(&Source::new("f.chiso", text)).unwrap();
    let twice = format_source(&Source::new("f.chiso", once.as_str())).unwrap();
    assert_eq!(once, twice, "not a fixed point:\n{once}");
    for comment in ["# keep going", "# double", "# the value", "# trailing"] {
        assert_eq!(once.matches(comment).count(), 1, "{comment} in\n{once}");
    }
    assert!(once.contains("expect value c \"Sở  Y tế\" = 2"), "{once}");
    let rules = RuleSet::from_text("f.chiso", &once).unwrap_or_else(|e| panic!("{e}\n{once}"));
    assert!(chiso::testing::run(&rules).iter().all(|r| r.passed()));
}

/// Regression (issue 16): an NFD spelling of a declared name was an unknown name with no
/// hint, and NFC/NFD twins were two inputs; a data field in NFD was missing.
#[test]
fn names_are_one_name_in_either_unicode_form() {
    let nfc = "điểm_số";
    let nfd: String = unicode_nfd(nfc);
    assert_ne!(nfc, nfd);
    let rules = RuleSet::from_text(
        "u.chiso",
        &format!("methodology \"U\" version 1\ninput {nfc}: number\nrule r require {nfd} > 0 message \"{{{nfd}}}\"\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let data = Dataset::from_json_str(
        "u.json",
        &format!(r#"[{{"unit": "a", "{nfd}": 2}}]"#),
        "unit",
    )
    .unwrap();
    assert_eq!(
        rules.evaluate(&data).findings[0].status,
        chiso::Status::Pass
    );
    let twins = first_error(&format!(
        "methodology \"U\" version 1\ninput {nfc}: number\ninput {nfd}: number\n"
    ));
    assert!(
        twins.contains("declared twice") || twins.contains("already"),
        "{twins}"
    );
    // A key written in both forms is one key written twice.
    let e = Dataset::from_json_str(
        "u.json",
        &format!(r#"[{{"unit": "a", "{nfc}": 1, "{nfd}": 2}}]"#),
        "unit",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("written twice"), "{e}");
}

/// NFD by hand for the few letters the test uses (no extra dependency in the tests).
fn unicode_nfd(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            'đ' => vec!['đ'],
            'ể' => vec!['e', '\u{302}', '\u{309}'],
            'ố' => vec!['o', '\u{302}', '\u{301}'],
            other => vec![other],
        })
        .collect()
}

/// Regression (issue 16): the streaming reader (`--format jsonl`) let a JSON key or a CSV
/// column written twice through, the last silently winning.
#[test]
fn the_stream_refuses_keys_and_columns_written_twice() {
    use chiso::stream::{Records, StreamOptions};
    let rules = RuleSet::from_text(
        "s.chiso",
        "methodology \"S\" version 1\ninput n: number\nrule r require n > 0\n",
    )
    .unwrap();
    let lines = "{\"unit\": \"a\", \"n\": 5, \"n\": -5}\n";
    let records = Records::from_json_lines("s.jsonl", std::io::Cursor::new(lines), "unit");
    let mut out = Vec::new();
    let e = rules
        .write_jsonl(records, StreamOptions::default(), &mut out)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("s.jsonl:1:") && e.contains("written twice"),
        "{e}"
    );
    let dir = scratch("stream-csv");
    let csv = dir.join("s.csv");
    std::fs::write(&csv, "unit,n,n\na,5,-5\n").unwrap();
    let mut out = Vec::new();
    let e = rules
        .write_jsonl(
            Records::open(&[&csv], "unit"),
            StreamOptions::default(),
            &mut out,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("columns 2 and 3 are both named `n`"), "{e}");
}
