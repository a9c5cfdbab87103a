//! Year-over-year claims checked inside rules (issue 12): `previous x` reads the unit's
//! value in the previous year's data (`--previous`), as printed when `x` is a published
//! decimal; `change of x in points` and `change of x in percent of previous` recompute a
//! printed change; units are matched by canonical name and an unmatched one is named.

use std::path::{Path, PathBuf};
use std::process::Command;

use chiso::{Report, RuleSet, RunOptions, Status};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/previous")
}

/// The report of `rules` on the 2020 table with `previous` as the previous year.
fn run(rules: &RuleSet, previous: &Path) -> Report {
    let data = rules.load_data(&[dir().join("plan-2020.csv")]).unwrap();
    let previous = rules.load_previous(previous).unwrap();
    let options = RunOptions {
        previous: Some(&previous),
        ..Default::default()
    };
    rules.evaluate_with(&data, &options).unwrap()
}

/// Each (rule, unit) → status of a run of `rules` on the 2020 table with the 2019 one.
fn verdicts(rules: &RuleSet) -> Vec<(String, String, Status)> {
    run(rules, &dir().join("plan-2019.csv"))
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.unit.clone(), f.status))
        .collect()
}

fn failing(verdicts: &[(String, String, Status)], rule: &str) -> Vec<String> {
    verdicts
        .iter()
        .filter(|(r, _, s)| r == rule && *s == Status::Fail)
        .map(|(_, u, _)| u.clone())
        .collect()
}

fn status(verdicts: &[(String, String, Status)], rule: &str, unit: &str) -> Status {
    verdicts
        .iter()
        .find(|(r, u, _)| r == rule && u == unit)
        .map(|(_, _, s)| *s)
        .unwrap_or_else(|| panic!("no finding of {rule} for {unit}"))
}

/// Both years printed with two decimals (0.95 and 0.73): under half-up the true change
/// in per cent lies in [28.57, 31.72], so 28.5 (printed with one decimal: [28.45, 28.55])
/// cannot be right while 31.6 can; truncated figures ([0.95, 0.96) and [0.73, 0.74))
/// allow [28.38, 31.51] instead, and the verdicts on those two swap.
#[test]
fn exactly_the_printed_changes_that_cannot_be_right_are_flagged() {
    let half_up = RuleSet::load(dir().join("yoy.chiso")).unwrap();
    let v = verdicts(&half_up);
    assert_eq!(failing(&v, "points_consistent"), ["Hải Dương"]);
    assert_eq!(failing(&v, "percent_consistent"), ["Hà Nam", "Hải Dương"]);
    assert_eq!(status(&v, "percent_consistent", "Bắc Ninh"), Status::Pass);
    // Written "Tỉnh Bắc Giang" last year: the alias matches it.
    assert_eq!(status(&v, "percent_consistent", "Bắc Giang"), Status::Pass);
    // Not in last year's table: the rule does not apply (`previous hr is present`).
    assert_eq!(status(&v, "points_consistent", "Lạng Sơn"), Status::Skip);

    let text = std::fs::read_to_string(dir().join("yoy.chiso")).unwrap();
    let truncated_text = text.replace(
        "input hr: decimal optional\n",
        "input hr: decimal optional rounded down\n",
    );
    assert_ne!(text, truncated_text);
    let truncated = RuleSet::from_text(
        &dir().join("yoy.chiso").display().to_string(),
        &truncated_text,
    )
    .unwrap();
    let v = verdicts(&truncated);
    assert_eq!(failing(&v, "points_consistent"), ["Hải Dương"]);
    assert_eq!(failing(&v, "percent_consistent"), ["Bắc Ninh", "Hải Dương"]);
    assert_eq!(status(&v, "percent_consistent", "Hà Nam"), Status::Pass);
}

#[test]
fn the_recomputed_change_is_exact_and_an_unmatched_unit_is_named() {
    let rules = RuleSet::load(dir().join("yoy.chiso")).unwrap();
    let report = run(&rules, &dir().join("plan-2019.csv"));
    let unit = |name: &str| report.units.iter().find(|u| u.unit == name).unwrap();
    // (0.80 − 0.70) ÷ 0.70 × 100, exactly: 14.285714… to 28 significant digits.
    assert!(
        unit("Hưng Yên").values["hr_growth"]
            .to_string()
            .starts_with("14.2857142857142857142857"),
        "{}",
        unit("Hưng Yên").values["hr_growth"]
    );
    assert_eq!(
        unit("Lạng Sơn").errors["hr_growth"],
        "`previous hr`: `Lạng Sơn` is not in the previous year's data"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("Lạng Sơn") && n.contains("not in the previous year")),
        "{:?}",
        report.notes
    );
    assert!(
        report.notes.iter().any(|n| n.contains("Thái Bình")),
        "{:?}",
        report.notes
    );
    // The failing finding says why, with last year's printed value in the message and
    // the interval of the recomputed change in the evidence.
    let hai_duong = report
        .findings
        .iter()
        .find(|f| f.rule == "percent_consistent" && f.unit == "Hải Dương")
        .unwrap();
    assert!(
        hai_duong.message.contains("(0.95 − 0.73) ÷ 0.73"),
        "{}",
        hai_duong.message
    );
    assert_eq!(hai_duong.evidence["previous hr"].to_string(), "0.73");
}

#[test]
fn without_a_previous_year_the_findings_are_errors_that_say_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["run", "--rules"])
        .arg(dir().join("yoy.chiso"))
        .arg("--data")
        .arg(dir().join("plan-2020.csv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("`previous hr`: no previous year was given (run with `--previous FILE`"),
        "{stdout}"
    );
    assert!(stdout.contains("ERROR"), "{stdout}");
}

/// Last year's computed values come from its report (`chiso run --format json`) as well
/// as from its data; a report has no inputs, and a rule reading one says so.
#[test]
fn previous_values_of_indicators_come_from_last_years_report() {
    let text = "methodology \"P\" version 2\n  unit province key \"province\"\n\
        input hr: decimal\n\
        indicator hr_pct = hr * 100\n\
        indicator hr_pct_gain = change of hr_pct in points\n\
        indicator hr_gain = change of hr in points\n";
    let rules = RuleSet::from_text("p.chiso", text).unwrap();
    let last_year = rules
        .evaluate(&rules.load_data(&[dir().join("plan-2019.csv")]).unwrap())
        .to_json();
    let scratch = std::env::temp_dir().join(format!("chiso-previous-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let report_path = scratch.join("2019.json");
    std::fs::write(&report_path, last_year).unwrap();

    for (previous, hr_gain) in [
        (dir().join("plan-2019.csv"), Some("0.22")),
        (report_path.clone(), None),
    ] {
        let report = run(&rules, &previous);
        let ha_nam = report.units.iter().find(|u| u.unit == "Hà Nam").unwrap();
        assert_eq!(ha_nam.values["hr_pct_gain"].to_string(), "22");
        match hr_gain {
            Some(v) => assert_eq!(ha_nam.values["hr_gain"].to_string(), v),
            None => assert_eq!(
                ha_nam.errors["hr_gain"],
                "`previous hr`: the previous year's data has no value of `hr` for `Hà Nam`"
            ),
        }
    }
}

#[test]
fn previous_reads_numbers_of_this_rule_set() {
    let diagnostics = |body: &str| {
        let text = format!(
            "methodology \"P\" version 2\ninput hr: decimal\ninput name: text\nconstant k = 2\n{body}\n"
        );
        match RuleSet::from_text("p.chiso", &text) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    };
    assert!(
        diagnostics("indicator a = previous name")
            .contains("`previous` reads last year's number; `name` is text"),
        "{}",
        diagnostics("indicator a = previous name")
    );
    assert!(diagnostics("indicator a = previous k").contains("`k` is a constant"));
    assert!(diagnostics("indicator a = change of hrr in points").contains("unknown name `hrr`"));
    assert_eq!(
        diagnostics("indicator a = previous hr + change of hr in points"),
        ""
    );
    // An indicator may read its own previous value: last year's is no cycle.
    assert_eq!(
        diagnostics("indicator a = hr - previous a"),
        "",
        "previous a is last year's a"
    );
}

#[test]
fn formatting_keeps_previous_and_changes() {
    let path = dir().join("yoy.chiso");
    let text = std::fs::read_to_string(&path).unwrap();
    let source = chiso::source::Source::new(path.display().to_string(), text.clone());
    let formatted = chiso::format::format_source(&source).unwrap();
    assert_eq!(formatted, text, "the fixture is formatted");
    let messy = text.replace(
        "change of hr in percent of previous",
        "change   of hr in   percent of\n previous",
    );
    let source = chiso::source::Source::new("messy.chiso", messy);
    assert_eq!(chiso::format::format_source(&source).unwrap(), text);
}
