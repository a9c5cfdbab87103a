//! Data files as auditors receive them: name variants mapped by aliases, comma decimals
//! declared by the rule set, files joined on the unit, nested fields, near-miss columns,
//! percents stored as fractions, and a previous year with other spellings.

use std::path::PathBuf;
use std::process::Command;

use chiso::{Dataset, RuleSet, Status};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/names")
}

#[test]
fn aliases_and_declared_comma_decimals_give_canonical_units() {
    let rules = RuleSet::load(dir().join("rules.chiso")).unwrap();
    let data = rules
        .load_data(&[dir().join("provinces-2019.csv")])
        .unwrap();
    let names: Vec<&str> = data.records.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(
        names,
        ["Hồ Chí Minh", "Khánh Hòa", "Thừa Thiên Huế", "Đà Nẵng"]
    );
    let report = rules.evaluate(&data);
    let hcm = &report.units[0];
    assert_eq!(hcm.values["idx"].to_string(), "0.6512");
    assert_eq!(hcm.ranks["idx"], 3);
    assert!(
        hcm.notes["written as"].contains("TP. Hồ Chí Minh"),
        "{:?}",
        hcm.notes
    );
    // `as fraction`: 0,85 is 85%.
    assert_eq!(hcm.values["online"].to_string(), "0.85");
    // "NA" and "-" are the declared missing markers: absent, so `online` is an error
    // naming the missing input, not a misread number.
    assert!(
        report.units[3].errors["online"].contains("is missing"),
        "{:?}",
        report.units[3].errors
    );
}

#[test]
fn previous_year_with_other_spellings_matches_and_names_the_rest() {
    let rules = RuleSet::load(dir().join("rules.chiso")).unwrap();
    let data = rules
        .load_data(&[dir().join("provinces-2019.csv")])
        .unwrap();
    let previous = rules
        .load_previous(&dir().join("provinces-2018.csv"))
        .unwrap();
    let report = rules
        .evaluate_with(
            &data,
            &chiso::RunOptions {
                previous: Some(&previous),
                ..Default::default()
            },
        )
        .unwrap();
    let changes: Vec<usize> = report.units.iter().map(|u| u.changes.len()).collect();
    assert_eq!(
        changes,
        [1, 1, 1, 0],
        "three provinces matched across spellings"
    );
    assert_eq!(report.units[0].changes["idx"].points.to_string(), "0.0111");
    let notes = report.notes.join("\n");
    assert!(
        notes.contains("not in the previous year's data") && notes.contains("`Đà Nẵng`"),
        "{notes}"
    );
    assert!(notes.contains("`Hà Giang`"), "{notes}");
}

#[test]
fn two_files_join_on_the_unit_and_a_disagreement_names_both() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput staff: integer\ninput posts: integer\nrule r require posts >= staff",
    )
    .unwrap();
    let mut survey = Dataset::from_csv_str("survey.csv", "unit,staff\nA,5\nB,2\n", "unit").unwrap();
    survey
        .extend(
            Dataset::from_csv_str(
                "inspection.csv",
                "unit,posts,staff\nA,7,5.0\nB,1,2\n",
                "unit",
            )
            .unwrap(),
        )
        .unwrap();
    let report = rules.evaluate(&survey);
    let statuses: Vec<Status> = report.findings.iter().map(|f| f.status).collect();
    assert_eq!(statuses, [Status::Pass, Status::Fail]);
    let mut a = Dataset::from_csv_str("survey.csv", "unit,staff\nA,5\n", "unit").unwrap();
    let err = a
        .extend(Dataset::from_csv_str("inspection.csv", "unit,staff\nA,6\n", "unit").unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("survey.csv")
            && err.contains("inspection.csv")
            && err.contains('5')
            && err.contains('6'),
        "{err}"
    );
}

#[test]
fn a_nested_json_field_is_reachable_by_a_dotted_path() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput v: decimal from \"published.value\"\nrule r require v > 0.5",
    )
    .unwrap();
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "A", "published": {"value": "0.7320"}}]"#,
        "unit",
    )
    .unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(
        report.findings[0].status,
        Status::Pass,
        "{}",
        report.findings[0].message
    );
}

#[test]
fn near_miss_columns_and_fraction_like_percents_are_said_once() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput students: integer\ninput it_teachers: integer\ninput share: percent\nrule r require it_teachers <= students",
    )
    .unwrap();
    let data = Dataset::from_csv_str(
        "schools.csv",
        "unit,Students,it_teacher,share\nA,100,3,0.85\nB,50,2,1\n",
        "unit",
    )
    .unwrap();
    let report = rules.evaluate(&data);
    let notes = report.notes.join("\n");
    assert!(
        notes.contains("column `Students` is not an input; did you mean `students`?"),
        "{notes}"
    );
    assert!(
        notes.contains("column `it_teacher` is not an input; did you mean `it_teachers`?"),
        "{notes}"
    );
    assert!(notes.contains("percent as fraction"), "{notes}");
    assert!(report.has_errors());
}

#[test]
fn an_indicator_that_could_not_be_computed_in_a_rule_set_without_rules_exits_1() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\ninput x: number\nindicator y = x * 2",
    )
    .unwrap();
    let data = Dataset::from_csv_str("c.csv", "unit,x\nA,\"1,5\"\nB,\"2,5\"\n", "unit").unwrap();
    let report = rules.evaluate(&data);
    assert!(report.has_errors());
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("`x` could not be read for any of the 2 units")),
        "{:?}",
        report.notes
    );
}

#[test]
fn strict_refuses_unknown_columns_and_the_cli_names_the_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["run", "--rules"])
        .arg(dir().join("rules.chiso"))
        .arg("--data")
        .arg(dir().join("provinces-2018.csv"))
        .arg("--strict")
        .output()
        .unwrap();
    // provinces-2018.csv has no column the rule set does not read: not refused (exit 1
    // only because `online` cannot be computed without `ty_le`).
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tmp = std::env::temp_dir().join("chiso-strict-extra.csv");
    std::fs::write(&tmp, "tinh;chi_so;ghi_chu\nĐà Nẵng;0,8;x\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["run", "--rules"])
        .arg(dir().join("rules.chiso"))
        .arg("--data")
        .arg(&tmp)
        .arg("--strict")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("column `ghi_chu` is not an input"), "{err}");
}

#[test]
fn an_alias_of_two_units_and_a_table_outside_the_folder_are_diagnostics() {
    let err = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\nalias \"HCM\" for \"Hồ Chí Minh\"\nalias \"HCM\" for \"Hà Nội\"\ninput x: number",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("alias of two units"), "{err}");
    let err = RuleSet::from_text(
        "tests/data/names/t.chiso",
        "methodology \"T\" version 1\naliases \"../../../Cargo.toml\"\ninput x: number",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("cannot read the alias table") || err.contains("invalid"),
        "{err}"
    );
}

#[test]
fn the_header_declares_grouped_comma_numbers() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1\n  decimal comma\n  thousands \".\"\ninput pop: number\nindicator k = pop / 1000",
    )
    .unwrap();
    let data = Dataset::load_with(
        &{
            let p = std::env::temp_dir().join("chiso-grouped.csv");
            std::fs::write(&p, "unit;pop\nA;1.234.567,5\n").unwrap();
            p
        },
        &rules.load_options(),
    )
    .unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(report.units[0].values["k"].to_string(), "1234.5675");
}

/// Alias tables are read through the rule set's files: from texts held in memory too
/// (the playground), and only from the declaring rule file's folder.
#[test]
fn alias_tables_are_read_from_the_rule_sets_files_in_memory() {
    let rule =
        "methodology \"T\" version 1\naliases \"names.csv\"\ninput x: number\nrule r require x > 0";
    let files = chiso::Files::memory([
        ("sets/t/rules.chiso", rule),
        ("sets/t/names.csv", "alias,name\nTP. HCM,Hồ Chí Minh\n"),
    ]);
    let rules = RuleSet::builder().files(files).load("sets/t").unwrap();
    assert_eq!(rules.aliases().resolve("TP. HCM"), "Hồ Chí Minh");
    let files = chiso::Files::memory([("sets/t/rules.chiso", rule)]);
    let err = RuleSet::builder()
        .files(files)
        .load("sets/t")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("cannot read the alias table `names.csv`"),
        "{err}"
    );
    assert!(err.contains("the table cannot be read"), "{err}");
}
