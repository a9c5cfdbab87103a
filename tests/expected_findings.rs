//! Shipped rule sets on their sample data against expected findings written by hand
//! (`tests/expected/*.txt`).

use chiso::RuleSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `rules` on `data` and compares with the fixture's rows,
/// `rule | unit | status [| evidence key: expected value]`; every finding must cite `cite`.
fn check_against_fixture(rules: &str, data: &str, fixture: &str, cite: &str) -> usize {
    let set = RuleSet::load(root().join(rules)).unwrap_or_else(|e| panic!("{e}"));
    let data = set
        .load_data(&[Path::new(&root().join(data))])
        .unwrap_or_else(|e| panic!("{e}"));
    let report = set.evaluate(&data);
    let text = std::fs::read_to_string(root().join(fixture)).unwrap();
    let mut checked = 0;
    for row in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = row.split('|').map(str::trim).collect();
        let (rule, unit, status, gap) = match cols[..] {
            [rule, unit, status, gap] => (rule, unit, status, gap),
            [rule, unit, status] => (rule, unit, status, ""),
            _ => panic!("bad fixture row {row:?}"),
        };
        let finding = report
            .findings
            .iter()
            .find(|f| f.rule == rule && f.unit == unit)
            .unwrap_or_else(|| panic!("no finding for {rule} / {unit}"));
        assert_eq!(
            format!("{:?}", finding.status).to_lowercase(),
            status,
            "{rule} / {unit}: {}",
            finding.message
        );
        if let Some((key, expected)) = gap.split_once(": ") {
            let got = finding.evidence.get(key).map(|v| v.to_string());
            assert_eq!(
                got.as_deref().map(|g| g.trim_matches('"')),
                Some(expected),
                "{rule} / {unit}: evidence {key}"
            );
        }
        assert!(
            finding.cite.as_deref().unwrap_or("").contains(cite),
            "{rule}: {:?}",
            finding.cite
        );
        checked += 1;
    }
    checked
}

#[test]
fn quang_binh_2025_plan_matches_the_hand_written_findings() {
    let n = check_against_fixture(
        "rules/quang-binh-2025-plan",
        "examples/quang-binh-2025-plan/quang-binh.json",
        "tests/expected/quang-binh-2025-expected.txt",
        "2972/QĐ-UBND",
    );
    assert_eq!(n, 21);
}

/// Every plan id `PREFIX-01 … PREFIX-n` is cited by exactly one rule, and there are no others.
fn every_target_cited_once(rules: &str, prefix: &str, n: usize) {
    let set = RuleSet::load(root().join(rules)).unwrap_or_else(|e| panic!("{e}"));
    let cites: Vec<&str> = set
        .program()
        .rules
        .iter()
        .filter_map(|r| r.cite.as_deref())
        .collect();
    for k in 1..=n {
        let id = format!("{prefix}-{k:02}");
        let citing = cites.iter().filter(|c| c.ends_with(&id)).count();
        assert_eq!(citing, 1, "{id} is cited by {citing} rules");
    }
    assert_eq!(set.program().rules.len(), n);
}

#[test]
fn quang_binh_2025_plan_has_every_target_of_the_brief() {
    every_target_cited_once("rules/quang-binh-2025-plan", "QB", 16);
}

#[test]
fn quang_ninh_2020_plan_matches_the_hand_written_findings() {
    let n = check_against_fixture(
        "rules/quang-ninh-2020-plan",
        "examples/quang-ninh-2020-plan/quang-ninh.json",
        "tests/expected/quang-ninh-2020-expected.txt",
        "60/KH-UBND",
    );
    assert_eq!(n, 58);
}

#[test]
fn quang_ninh_2020_plan_has_every_target_of_the_brief() {
    every_target_cited_once("rules/quang-ninh-2020-plan", "QN", 29);
}

#[test]
fn decree_43_2011_names_exactly_what_each_portal_lacks() {
    let n = check_against_fixture(
        "rules/decree-43-2011",
        "examples/decree-43-2011/portals-2020.json",
        "tests/expected/decree-43-2011-expected.txt",
        "43/2011/NĐ-CP",
    );
    assert_eq!(n, 28);
}
