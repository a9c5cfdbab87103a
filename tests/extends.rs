//! `extends`, `remove`, `replace` and `chiso diff`: a methodology written as the changes
//! to an earlier one, every misuse a diagnostic at its place, and the difference between
//! versions listed declaration by declaration.

use chiso::{Dataset, LoadError, RuleSet};

fn errors(path: &str) -> String {
    match RuleSet::load(path) {
        Err(LoadError::Invalid { diagnostics }) => diagnostics.iter().map(|d| d.render()).collect(),
        Err(e) => e.to_string(),
        Ok(_) => panic!("{path} should not load"),
    }
}

#[test]
fn an_extension_adds_replaces_and_inherits() {
    let rules = RuleSet::load("tests/extends/valid.chiso").unwrap_or_else(|e| panic!("{e}"));
    let m = rules.methodology();
    assert_eq!((m.name.as_str(), m.version.as_str()), ("Next", "2"));
    assert_eq!(m.extends.as_deref(), Some("Base 1"));
    // The unit and source are the base's unless restated.
    assert_eq!(m.unit.as_deref(), Some("agency"));
    assert_eq!(m.sources, ["Base document"]);
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "A", "a": 1, "b": 4, "c": 2}]"#,
        "unit",
    )
    .unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(report.units[0].values["twice"].to_string(), "0.75");
    let rules_run: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules_run, ["positive", "c_positive"]);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["methodology"]["extends"], "Base 1");
}

#[test]
fn removing_what_is_still_used_points_at_the_use() {
    let e = errors("tests/extends/removes_referenced.chiso");
    assert!(e.contains("error: unknown name `ratio`"), "{e}");
    assert!(e.contains("tests/extends/base/base.chiso:9:19"), "{e}");
    assert!(
        e.contains("`ratio` is removed by `remove` at tests/extends/removes_referenced.chiso:4:18"),
        "{e}"
    );
}

#[test]
fn misuses_of_remove_replace_and_extends() {
    let e = errors("tests/extends/removes_and_replaces_missing.chiso");
    assert!(
        e.contains("`base` has no indicator `nothing` to remove"),
        "{e}"
    );
    assert!(e.contains("`base` has no rule `absent` to replace"), "{e}");
    let e = errors("tests/extends/adds_existing.chiso");
    assert!(
        e.contains("input `a` is already in the extended methodology"),
        "{e}"
    );
    assert!(e.contains("write `replace input …` to change it"), "{e}");
    let e = errors("tests/extends/extends_missing.chiso");
    assert!(
        e.contains("cannot read the extended rule set `tests/extends/nowhere`"),
        "{e}"
    );
    let e = errors("tests/extends/remove_without_extends.chiso");
    assert!(
        e.contains("`remove` needs an `extends` in the header"),
        "{e}"
    );
    let e = errors("tests/extends/cycle_a");
    assert!(e.contains("`extends` nested more than 8 deep"), "{e}");
}

#[test]
fn diff_lists_exactly_the_2019_changes() {
    let old = RuleSet::load("rules/ict-index/2018").unwrap();
    let new = RuleSet::load("rules/ict-index/2019").unwrap();
    let d = chiso::diff::diff(&old, &new);
    let changes: Vec<(&str, &str, &str)> = d
        .changes
        .iter()
        .map(|c| (c.change, c.kind, c.name.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("changed", "score", "human_resources_social"),
            ("changed", "score", "application_online_services"),
            ("added", "input", "portal_compliance"),
            ("added", "indicator", "n_portal"),
            // Not a change of the method: the check of what outlier treatment would change.
            ("added", "rule", "outlier_treatment_changes_nothing"),
            ("removed", "input", "universities_teaching_it"),
            ("removed", "indicator", "n_universities_it"),
        ]
    );
    let text = d.to_text();
    assert!(text.contains("    - = mean of n_literacy, n_attendance, n_schools_it, n_universities_it\n    + = mean of n_literacy, n_attendance, n_schools_it\n"), "{text}");
    assert!(text.contains("methodology version: 2018 → 2019"), "{text}");
    // Layout and comments are not changes: a rule set against itself differs in nothing.
    assert!(chiso::diff::diff(&new, &new).changes.is_empty());
}
