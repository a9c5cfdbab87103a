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

const TWO_UNITS: &str = r#"[{"unit": "u", "a": 3, "g": 50}, {"unit": "v", "a": 4, "g": 2}]"#;

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

/// Regression (issue 16, found by the hostile corpus): a hook returning text where a
/// number was compared made the comparison silently false — a `fail` (and `!=` a pass) —
/// instead of an error naming the value.
#[cfg(feature = "rhai")]
#[test]
fn a_comparison_of_two_kinds_is_an_error_not_a_verdict() {
    let dir = scratch("kinds");
    std::fs::write(dir.join("s.rhai"), "fn f(x) { \"many\" }").unwrap();
    std::fs::write(
        dir.join("r.chiso"),
        "methodology \"K\" version 1\nhooks \"s.rhai\"\ninput a: number\nindicator b = f(a)\nrule less require b > 0\nrule other require b != 0\nrule direct require f(a) < 1\n",
    )
    .unwrap();
    let rules = RuleSet::load(dir.join("r.chiso")).unwrap_or_else(|e| panic!("{e}"));
    let data = Dataset::from_json_str("d.json", r#"[{"unit": "u", "a": 1}]"#, "unit").unwrap();
    let report = rules.evaluate(&data);
    for f in &report.findings {
        assert_eq!(f.status, chiso::Status::Error, "{}: {}", f.rule, f.message);
    }
    assert!(
        report.findings[0]
            .message
            .contains("`b` is text, expected a number"),
        "{}",
        report.findings[0].message
    );
    assert!(
        report.findings[2]
            .message
            .contains("returned text, expected a number"),
        "{}",
        report.findings[2].message
    );
}

/// Regression (issue 16): a data file (or last year's report) linked to `/dev/zero` was
/// read until memory ran out; a device is no data file.
#[cfg(unix)]
#[test]
fn devices_are_no_data_files() {
    let dir = scratch("devices");
    for name in ["zero.json", "zero.csv", "zero.jsonl"] {
        std::os::unix::fs::symlink("/dev/zero", dir.join(name)).unwrap();
    }
    let rules = RuleSet::from_text("d.chiso", &format!("{HEADER}rule r require a > 0\n")).unwrap();
    for name in ["zero.json", "zero.csv"] {
        let e = rules.load_data(&[dir.join(name)]).unwrap_err().to_string();
        assert!(e.contains("is a device, not a data file"), "{e}");
    }
    let e = rules
        .load_previous(&dir.join("zero.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("is a device"), "{e}");
    let mut out = Vec::new();
    let records = chiso::stream::Records::open(&[dir.join("zero.jsonl")], "unit");
    let e = rules
        .write_jsonl(records, chiso::stream::StreamOptions::default(), &mut out)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is a device"), "{e}");
}

/// Which files rule files may read (`hooks`; `extends` below).
#[cfg(feature = "rhai")]
mod access {
    use super::*;

    /// Regression (issue 16): `hooks "/dev/zero"` took 2 GB; `hooks "../../x"` and an
    /// absolute path showed the named file's content in the diagnostic.
    #[test]
    fn hooks_read_only_rhai_files_inside_the_rule_set_root() {
        let dir = scratch("hooks-paths");
        let inner = dir.join("family/set");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(dir.join("secret.rhai"), "secret line one\n").unwrap();
        std::fs::write(dir.join("secret.txt"), "secret line one\n").unwrap();
        std::fs::write(dir.join("family/shared.rhai"), "fn f(x) { x }").unwrap();
        let absolute = dir.join("secret.rhai");
        let cases = [
            ("../../secret.rhai", "outside the rule-set root"),
            ("../../secret.txt", "hook scripts are `.rhai` files"),
            ("/dev/zero", "is an absolute path"),
            (absolute.to_str().unwrap(), "is an absolute path"),
        ];
        for (named, expected) in cases {
            std::fs::write(
                inner.join("r.chiso"),
                format!("methodology \"H\" version 1\nhooks \"{named}\"\ninput a: number\nindicator b = a\n"),
            )
            .unwrap();
            let e = load_error(&inner);
            assert!(e.contains(expected), "{named}: {e}");
            assert!(!e.contains("secret line"), "{named} shows the file: {e}");
        }
        // A symbolic link inside the rule set that leads outside is outside.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.rhai"), inner.join("link.rhai")).unwrap();
            std::fs::write(
                inner.join("r.chiso"),
                "methodology \"H\" version 1\nhooks \"link.rhai\"\ninput a: number\nindicator b = a\n",
            )
            .unwrap();
            let e = load_error(&inner);
            assert!(
                e.contains("outside the rule-set root") && !e.contains("secret line"),
                "{e}"
            );
            // A script in the folder above the rule set's folder (the root) is read.
            std::fs::write(
                inner.join("r.chiso"),
                "methodology \"H\" version 1\nhooks \"../shared.rhai\"\ninput a: number\nindicator b = f(a)\n",
            )
            .unwrap();
            assert!(RuleSet::load(&inner).is_ok());
        }
    }

    /// The embedding program decides: no files at all, a folder of its choosing, or any.
    #[test]
    fn the_embedding_program_sets_the_file_access() {
        use chiso::FileAccess;
        let dir = scratch("access");
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("far.rhai"), "fn f(x) { x }").unwrap();
        let text = "methodology \"H\" version 1\nhooks \"../../far.rhai\"\ninput a: number\nindicator b = f(a)\n";
        let file = dir.join("a/b/r.chiso");
        std::fs::write(&file, text).unwrap();
        assert!(RuleSet::load(&file).is_err());
        let within = RuleSet::builder()
            .file_access(FileAccess::Within(dir.clone()))
            .load(&file);
        assert!(within.is_ok(), "{:?}", within.err().map(|e| e.to_string()));
        assert!(
            RuleSet::builder()
                .file_access(FileAccess::Anywhere)
                .load(&file)
                .is_ok()
        );
        let e = RuleSet::builder()
            .file_access(FileAccess::Nothing)
            .load(&file)
            .unwrap_err()
            .to_string();
        assert!(e.contains("may not read other files"), "{e}");
    }
}

/// Regression (issue 16): `extends` of a file that is not a rule file printed its content.
#[test]
fn extends_reads_only_rule_files_inside_the_root() {
    let dir = scratch("extends");
    std::fs::create_dir_all(dir.join("family/2019")).unwrap();
    std::fs::write(dir.join("secret.txt"), "secret line one\n").unwrap();
    std::fs::create_dir_all(dir.join("family/2018")).unwrap();
    std::fs::write(
        dir.join("family/2018/base.chiso"),
        "methodology \"Base\" version 2018\ninput a: number\nrule r require a > 0\n",
    )
    .unwrap();
    for (named, expected) in [
        ("../../secret.txt", "is not a rule file"),
        ("../../../../../../../../etc/passwd", "is not a rule file"),
        ("../../..", "outside the rule-set root"),
        ("/etc", "is an absolute path"),
    ] {
        std::fs::write(
            dir.join("family/2019/r.chiso"),
            format!("methodology \"E\" version 2019\n  extends \"{named}\"\ninput b: number\n"),
        )
        .unwrap();
        let e = load_error(&dir.join("family/2019"));
        assert!(e.contains(expected), "{named}: {e}");
        assert!(
            !e.contains("secret line") && !e.contains("root:"),
            "{named}: {e}"
        );
    }
    std::fs::copy(dir.join("secret.txt"), dir.join("family/notes.txt")).unwrap();
    std::fs::write(
        dir.join("family/2019/r.chiso"),
        "methodology \"E\" version 2019\n  extends \"../notes.txt\"\ninput b: number\n",
    )
    .unwrap();
    let e = load_error(&dir.join("family/2019"));
    assert!(
        e.contains("is not a rule file") && !e.contains("secret line"),
        "{e}"
    );
    // The sibling version is inside the root.
    std::fs::write(
        dir.join("family/2019/r.chiso"),
        "methodology \"E\" version 2019\n  extends \"../2018\"\ninput b: number\nrule s require b > 0\n",
    )
    .unwrap();
    assert!(RuleSet::load(dir.join("family/2019")).is_ok());
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

mod resources {
    use super::*;
    use chiso::ResourceLimits;
    use std::time::Duration;

    fn limited(limits: ResourceLimits) -> chiso::RuleSetBuilder {
        RuleSet::builder().resources(limits)
    }

    #[test]
    fn rule_files_beyond_the_size_limit_are_refused_unread() {
        let small = ResourceLimits {
            rule_file_bytes: 1000,
            ..Default::default()
        };
        let text = format!("{HEADER}{}", "# padding\n".repeat(200));
        let e = limited(small)
            .from_text("big.chiso", &text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("big.chiso") && e.contains("larger than 1000 bytes"),
            "{e}"
        );
        let dir = scratch("size");
        std::fs::write(dir.join("big.chiso"), &text).unwrap();
        let e = limited(small)
            .load(dir.join("big.chiso"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("larger than 1000 bytes"), "{e}");
    }

    #[test]
    fn expression_depth_is_the_programs_to_lower() {
        let shallow = ResourceLimits {
            expression_depth: 3,
            ..Default::default()
        };
        let text = format!("{HEADER}indicator b = max(max(max(max(a, 1), 1), 1), 1)\n");
        assert!(RuleSet::from_text("d.chiso", &text).is_ok());
        let e = limited(shallow)
            .from_text("d.chiso", &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nested more than 3 levels"), "{e}");
    }

    #[test]
    fn data_files_beyond_the_size_or_record_limit_are_refused() {
        let rules = limited(ResourceLimits {
            data_file_bytes: 100,
            records: 2,
            ..Default::default()
        })
        .from_text("d.chiso", &format!("{HEADER}rule r require a > 0\n"))
        .unwrap();
        let dir = scratch("data-limits");
        let big = dir.join("big.json");
        std::fs::write(
            &big,
            format!("[{}]", [r#"{"unit": "u", "a": 1}"#; 10].join(",")),
        )
        .unwrap();
        let e = rules.load_data(&[&big]).unwrap_err().to_string();
        assert!(
            e.contains("big.json") && e.contains("data-file size limit"),
            "{e}"
        );
        let three = dir.join("three.csv");
        std::fs::write(&three, "unit,a,g\nu,1,1\nv,1,1\nw,1,1\n").unwrap();
        let e = rules.load_data(&[&three]).unwrap_err().to_string();
        assert!(e.contains("more than 2 units"), "{e}");
    }

    #[test]
    fn a_run_past_its_time_limit_reports_what_was_not_reached() {
        let rules = limited(ResourceLimits {
            run_time: Some(Duration::ZERO),
            ..Default::default()
        })
        .from_text(
            "d.chiso",
            &format!("{HEADER}indicator b = a * 2\nrule r require b > 0\n"),
        )
        .unwrap();
        let data = Dataset::from_json_str("d.json", TWO_UNITS, "unit").unwrap();
        let report = rules.evaluate(&data);
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.status == chiso::Status::Error)
        );
        assert!(
            report.findings[0].message.contains("time limit ran out"),
            "{}",
            report.findings[0].message
        );
        assert!(report.units[1].errors["b"].contains("time limit ran out"));
        assert!(report.has_errors());
    }

    #[test]
    fn reports_beyond_the_size_limit_are_an_error() {
        let rules = RuleSet::from_text(
            "d.chiso",
            &format!("{HEADER}indicator b = a * 2\nrule r require b > 0\n"),
        )
        .unwrap();
        let data = Dataset::from_json_str("d.json", TWO_UNITS, "unit").unwrap();
        let report = rules.evaluate(&data);
        let full = report.to_text();
        assert_eq!(report.to_text_within(full.len()).unwrap(), full);
        let e = report
            .to_text_within(full.len() - 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("the report would be larger than"), "{e}");
        let json = report.to_json();
        assert_eq!(report.to_json_within(json.len()).unwrap(), json);
        assert!(report.to_json_within(json.len() - 1).is_err());
    }
}

/// Regression (issue 16, found by the differential fuzz target): checking typed the left
/// operand of `+ - < <= > >=` again to see whether it was a date, so each level of
/// nesting tripled the work — 23 nested `(if … > 2 then 2 else 2) > 2` took minutes.
/// Every stage, at the deepest nesting allowed, takes well under a second.
#[test]
fn the_deepest_formulas_cost_time_linear_in_their_size() {
    let mut shapes = Vec::new();
    let mut x = String::from("a");
    for _ in 0..30 {
        x = format!("(if {x} > 2 then 2 else 2)");
    }
    shapes.push(format!("{x} > 1"));
    shapes.push(format!(
        "max(a, 1) >= 0 and {}",
        "not ".repeat(60) + "a > 1"
    ));
    let mut z = String::from("a > 1");
    for _ in 0..31 {
        z = format!("({z} and a >= 0 or g < 1)");
    }
    shapes.push(z);
    let mut m = String::from("a");
    for _ in 0..15 {
        m = format!("max(min({m}, g), 1) - 0");
    }
    shapes.push(format!("{m} > 0"));
    let data = Dataset::from_json_str("d.json", TWO_UNITS, "unit").unwrap();
    for shape in shapes {
        let started = std::time::Instant::now();
        let text = format!("{HEADER}rule r require {shape}\n");
        let rules = RuleSet::from_text("d.chiso", &text).unwrap_or_else(|e| panic!("{e}"));
        let report = rules.evaluate(&data);
        assert_eq!(report.findings.len(), 2);
        let _ = chiso::fast::FastProgram::compile(rules.program());
        let formatted = format_source(&Source::new("d.chiso", &*text)).unwrap();
        assert!(RuleSet::from_text("d.chiso", &formatted).is_ok());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?} for {}",
            started.elapsed(),
            &shape[..80.min(shape.len())]
        );
    }
}

/// Spreadsheets from bytes (the `data` fuzz target reads them so): the same records as
/// from the file, and a workbook cut short or garbled is an error naming it.
#[cfg(feature = "excel")]
#[test]
fn spreadsheets_from_bytes_read_as_files_do_and_broken_ones_are_refused() {
    let options = chiso::LoadOptions::new("tinh");
    for name in ["published-2017.xlsx", "published-2017.ods"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/intake")
            .join(name);
        let bytes = std::fs::read(&path).unwrap();
        let from_file = Dataset::load_with(&path, &options).unwrap_or_else(|e| panic!("{e}"));
        let from_bytes = Dataset::from_sheet_bytes(name, &bytes, &options).unwrap();
        assert!(!from_file.records.is_empty());
        assert_eq!(from_bytes.records.len(), from_file.records.len());
        for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            let e = Dataset::from_sheet_bytes(name, &bytes[..cut], &options).unwrap_err();
            assert!(e.to_string().starts_with(name), "{e}");
        }
        let mut garbled = bytes.clone();
        for b in garbled.iter_mut().skip(200).step_by(37) {
            *b ^= 0x5a;
        }
        if let Err(e) = Dataset::from_sheet_bytes(name, &garbled, &options) {
            assert!(e.to_string().starts_with(name), "{e}");
        }
    }
}
