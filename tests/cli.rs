//! The `chiso` binary: commands, exit codes (0 / 1 / 2) and what it prints.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chiso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("chiso runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn check_accepts_every_shipped_rule_set() {
    let out = chiso(&["check", "rules/"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("ok: rules/it-staffing"));
    assert!(stdout(&out).contains("ok: rules/ict-index-published/2019"));
}

#[test]
fn check_rejects_a_broken_rule_file_with_its_position() {
    let out = chiso(&["check", "tests/broken/unknown_name_typo.chiso"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("tests/broken/unknown_name_typo.chiso:4:16"),
        "{err}"
    );
    assert!(err.contains("did you mean `infosec_staff`?"), "{err}");
}

#[test]
fn check_exits_1_on_warnings_only() {
    let out = chiso(&["check", "tests/broken/warning_unused_input.chiso"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: input `unused` is never used"));
}

#[test]
fn check_of_a_missing_path_is_unusable() {
    let out = chiso(&["check", "no/such/folder"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot read `no/such/folder`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn run_ict_index_published_passes_with_json() {
    let out = chiso(&[
        "run",
        "--rules",
        "rules/ict-index-published/2019",
        "--data",
        "../shared/data/ict-index-2019-quang-ninh-reported.json",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["methodology"]["version"], "2019");
    assert_eq!(report["units"][0]["unit"], "Quảng Ninh");
    let index = report["units"][0]["values"]["ict_index"].as_f64().unwrap();
    assert!((index - 0.73497).abs() < 0.000005, "{index}");
    assert_eq!(report["summary"]["passed"], 4);
    assert_eq!(report["summary"]["failed"], 0);
}

#[test]
fn run_it_staffing_exits_1_on_error_findings() {
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        "examples/it-staffing/quang-ninh-2020.json",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL  Sở Y tế: Sở Y tế has 3 IT-qualified staff"),
        "{text}"
    );
    assert!(
        text.contains("ERROR Sở Nội vụ: cannot decide: `infosec_staff` is missing"),
        "{text}"
    );
}

#[test]
fn run_reads_csv_and_writes_to_a_file() {
    let dir = std::env::temp_dir().join(format!("chiso-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("report.json");
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        "tests/data/staffing.csv",
        "--format",
        "json",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let statuses: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "attt_staffing")
        .map(|f| {
            (
                f["unit"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("Sở Xây dựng".to_string(), "fail".to_string()),
            ("Sở Công Thương".to_string(), "pass".to_string()),
            ("UBND huyện Vân Đồn".to_string(), "skip".to_string()),
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn run_with_invalid_json_names_file_line_and_column() {
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        "tests/data/bad-syntax.json",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("tests/data/bad-syntax.json:2:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn run_with_duplicate_units_is_unusable() {
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        "tests/data/duplicate-units.json",
    ]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "error: tests/data/duplicate-units.json, units[1]: unit `A` appears twice (first at tests/data/duplicate-units.json, units[0])"
    );
}

#[test]
fn run_with_a_broken_rule_set_is_unusable() {
    let out = chiso(&[
        "run",
        "--rules",
        "tests/broken/cycle_self.chiso",
        "--data",
        "tests/data/staffing.csv",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("tests/broken/cycle_self.chiso:4:15"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_arguments_are_unusable() {
    assert_eq!(code(&chiso(&["run", "--rules", "rules/it-staffing"])), 2);
    assert_eq!(code(&chiso(&["frobnicate"])), 2);
    let out = chiso(&["run", "--rules", "rules/it-staffing", "--data", "README.md"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown data format; expected a `.json`, `.jsonl`, `.csv`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_values_make_findings_error_naming_unit_field_and_value() {
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        "tests/data/staffing-bad-values.json",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = |rule: &str, unit: &str| -> String {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule && f["unit"] == unit)
            .map(|f| {
                format!(
                    "{} {}",
                    f["status"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .unwrap()
    };
    assert_eq!(
        message("attt_staffing", "Negative"),
        "error cannot decide: `it_qualified_staff` is -1, outside its declared range (must be >= 0)"
    );
    assert_eq!(
        message("attt_staffing", "Fractional"),
        "error cannot decide: `it_qualified_staff` is 2.5, expected a whole number"
    );
    assert_eq!(
        message("attt_staffing", "Comma"),
        "error cannot decide: `infosec_staff` is \"one\", expected a whole number"
    );
    assert_eq!(
        message("infosec_training", "Comma"),
        "error cannot decide: `staff_total` is \"1,5\", expected a whole number; \"1,5\" was not read as a number: its comma may be a decimal comma or a thousands separator (declare which: `--decimal-comma` or `--thousands ,`)"
    );
    assert_eq!(
        message("infosec_training", "Zero staff"),
        "error cannot decide: `staff_total` is 0, outside its declared range (must be >= 1)"
    );
    // Values that cannot be computed are listed with their reason, never as numbers.
    let errors = &report["units"][3]["errors"];
    assert_eq!(
        errors["share_trained_infosec"],
        "`staff_total` is 0, outside its declared range (must be >= 1)"
    );
}

const ICT: [&str; 5] = [
    "run",
    "--rules",
    "rules/ict-index/2019",
    "--data",
    "examples/ict-index/provinces-2019.json",
];

fn ict(extra: &[&str]) -> Output {
    let args: Vec<&str> = ICT.iter().chain(extra).copied().collect();
    chiso(&args)
}

#[test]
fn run_ict_index_ranks_and_explains() {
    let out = ict(&["--explain", "Quảng Ninh"]);
    // The sample leaves two provinces' inputs out on purpose: an indicator that could not
    // be computed in a rule set without rules exits 1 (PRODUCT.md's exit codes).
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Ranking by ict_index"), "{text}");
    assert!(text.contains("Explanation for Quảng Ninh"), "{text}");
    assert!(
        text.contains("fixed_phones_per_100 (input) 11.62"),
        "{text}"
    );
}

#[test]
fn explain_of_an_unknown_unit_is_unusable() {
    let out = ict(&["--explain", "Quang Ninh"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "error: no unit `Quang Ninh` in the data; did you mean `Quảng Ninh`?"
    );
}

#[test]
fn previous_year_changes_and_sensitivity_in_json() {
    let out = ict(&[
        "--previous",
        "examples/ict-index/provinces-2018.json",
        "--sensitivity",
        "20",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["previous_version"], "2019");
    let qn = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "Quảng Ninh")
        .unwrap();
    assert!(qn["changes"]["ict_index"]["points"].is_number());
    assert!(qn["changes"]["ict_index"]["places"].is_number());
    assert_eq!(report["sensitivity"]["runs"], 20);
    assert_eq!(report["sensitivity"]["seed"], 3);
    assert_eq!(
        report["sensitivity"]["ranks"]["ict_index"]
            .as_array()
            .unwrap()
            .len(),
        63
    );
}

#[test]
fn sensitivity_needs_a_declaration_and_seed_needs_sensitivity() {
    let out = chiso(&[
        "run",
        "--rules",
        "rules/it-staffing",
        "--data",
        "examples/it-staffing/quang-ninh-2020.json",
        "--sensitivity",
        "10",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("the rule set declares no `sensitivity`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&ict(&["--seed", "4"])), 2);
    assert_eq!(code(&ict(&["--sensitivity", "0"])), 2);
}

#[test]
fn fmt_check_passes_on_shipped_rules_and_flags_a_messy_file() {
    let out = chiso(&["fmt", "--check", "rules/"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let dir = std::env::temp_dir().join(format!("chiso-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let messy = dir.join("messy.chiso");
    std::fs::write(
        &messy,
        "methodology \"M\" version 1\ninput   a :number\nrule r require   ((a))>0 # keep me\n",
    )
    .unwrap();
    let out = chiso(&["fmt", "--check", messy.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("not formatted"), "{}", stdout(&out));
    let out = chiso(&["fmt", messy.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "methodology \"M\" version 1\n\ninput a: number\n# keep me\nrule r\n  require a > 0\n"
    );
    let out = chiso(&["fmt", "tests/broken/syntax_missing_colon.chiso"]);
    assert_eq!(code(&out), 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn test_runs_the_examples_in_rule_files() {
    let out = chiso(&["test", "rules/"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("ok      the ATTT rule applies from two IT-qualified staff"),
        "{text}"
    );
    // Every shipped rule set carries tests; the count grows with each new one.
    let last = text.trim_end().lines().last().unwrap_or_default();
    let passed: usize = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert!(passed >= 8, "{text}");
}

#[test]
fn a_broken_expectation_fails_with_expected_and_found() {
    let out = chiso(&["test", "tests/testing/wrong_expectation.chiso"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains(
            "FAILED  expectations that do not hold (tests/testing/wrong_expectation.chiso:15:6)"
        ),
        "{text}"
    );
    assert!(
        text.contains("tests/testing/wrong_expectation.chiso:18:3: expected `enough` for `X` to be pass, found fail"),
        "{text}"
    );
    assert!(
        text.contains("expected `ratio` of `X` = 0.3 within 0.01, found 0.25"),
        "{text}"
    );
    assert!(
        text.contains("expected rank 2 of `ratio` for `Y`, found 1"),
        "{text}"
    );
    assert!(
        !text.contains("found pass"),
        "the expectation that holds is not reported: {text}"
    );
    assert!(text.trim_end().ends_with("0 passed, 1 failed"), "{text}");
}

#[test]
fn diff_between_versions_in_text_and_json() {
    let out = chiso(&["diff", "rules/ict-index/2018", "rules/ict-index/2019"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out)
            .trim_end()
            // The third addition is the outlier-treatment check (treatment.chiso).
            .ends_with("3 added, 2 removed, 2 changed"),
        "{}",
        stdout(&out)
    );
    let out = chiso(&[
        "diff",
        "rules/ict-index/2018",
        "rules/ict-index/2019",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0);
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["changes"].as_array().unwrap().len(), 7);
    assert_eq!(
        d["changes"][0]["old_at"],
        "rules/ict-index/2018/ict-index.chiso:100:7"
    );
    assert_eq!(
        code(&chiso(&["diff", "rules/ict-index/2018", "no/such/dir"])),
        2
    );
}

/// Regression (issue 16): `chiso run … | head -c 100` panicked ("failed printing to
/// stdout: Broken pipe", exit 101) and so did a closed standard error; now chiso ends
/// by SIGPIPE, as a Unix tool does (a shell reports 141), and never panics.
#[test]
fn a_reader_that_stops_reading_ends_the_run_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    for format in ["text", "json", "jsonl"] {
        let mut args = vec![
            "run",
            "--rules",
            "rules/ict-index/2019",
            "--data",
            "examples/ict-index/provinces-2019.json",
            "--format",
            format,
        ];
        if format == "jsonl" {
            // A stream of the staffing rules over many units (the index ranks, so it
            // cannot stream).
            args = vec!["run", "--rules", "rules/it-staffing", "--data"];
        }
        let big;
        if format == "jsonl" {
            let dir = std::env::temp_dir().join(format!("chiso-pipe-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            big = dir.join("units.jsonl");
            let line = r#"{"unit": "U", "it_qualified_staff": 3, "infosec_staff": 0, "staff_total": 10, "staff_trained_infosec": 1}"#;
            let text: String = (0..20_000)
                .map(|k| line.replace("\"U\"", &format!("\"U{k}\"")) + "\n")
                .collect();
            std::fs::write(&big, text).unwrap();
            args.extend([big.to_str().unwrap(), "--format", "jsonl"]);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
            .args(&args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The pipe is closed here, with most of the report unread.
        let out = child.wait_with_output().unwrap();
        // Ended as `head` expects of a Unix tool: by SIGPIPE (which a shell reports as 141).
        assert!(
            ended_by_closed_pipe(&out.status),
            "{format}: {:?} {}",
            out.status,
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    // A standard error closed by its reader is no crash either.
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["check", "tests/broken/unknown_name_typo.chiso"])
        .current_dir(root())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert!(
        status.code() == Some(2) || ended_by_closed_pipe(&status),
        "{status:?}"
    );
}

/// Ended by SIGPIPE, or exited with the code a shell gives that (128 + 13).
fn ended_by_closed_pipe(status: &std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if status.signal() == Some(13) {
            return true;
        }
    }
    status.code() == Some(141)
}
