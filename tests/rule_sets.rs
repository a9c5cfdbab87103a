//! Every shipped rule set on its sample data: the text and JSON reports are snapshots,
//! and the outcomes the issue and the domain brief fix are asserted outright.

use std::path::{Path, PathBuf};

use chiso::{Report, RuleSet, Status};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reference data shared by the team lives beside the checkout.
fn shared(file: &str) -> PathBuf {
    root().join("../shared/data").join(file)
}

fn run(rules: &str, data: &Path) -> Report {
    let rules = RuleSet::load(root().join(rules)).unwrap_or_else(|e| panic!("{e}"));
    let dataset = rules.load_data(&[data]).unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&dataset)
}

/// Paths in reports are relative, so snapshots do not depend on the checkout location.
fn finding<'a>(report: &'a Report, rule: &str, unit: &str) -> &'a chiso::report::Finding {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule && f.unit == unit)
        .unwrap_or_else(|| panic!("no finding {rule} for {unit}"))
}

#[test]
fn it_staffing_on_the_quang_ninh_sample() {
    let report = run(
        "rules/it-staffing",
        &shared("it-staffing-quang-ninh-sample.json"),
    );
    let attt: Vec<(&str, Status)> = report
        .findings
        .iter()
        .filter(|f| f.rule == "attt_staffing")
        .map(|f| (f.unit.as_str(), f.status))
        .collect();
    let failed: Vec<&str> = attt
        .iter()
        .filter(|(_, s)| *s == Status::Fail)
        .map(|(u, _)| *u)
        .collect();
    assert_eq!(failed, ["Sở Y tế", "Sở Tài chính"]);
    assert_eq!(
        finding(&report, "attt_staffing", "Sở Nội vụ").status,
        Status::Error
    );
    assert!(
        finding(&report, "attt_staffing", "Sở Nội vụ")
            .message
            .contains("`infosec_staff` is missing")
    );
    for unit in ["Sở Tư pháp", "UBND huyện Ba Chẽ", "UBND huyện Cô Tô"] {
        assert_eq!(
            finding(&report, "attt_staffing", unit).status,
            Status::Skip,
            "{unit}"
        );
    }
    let y_te = finding(&report, "attt_staffing", "Sở Y tế");
    assert_eq!(y_te.evidence["it_qualified_staff"], serde_json::json!(3));
    assert_eq!(y_te.evidence["infosec_staff"], serde_json::json!(0));
    assert!(report.has_errors());
    insta::assert_snapshot!("it_staffing_text", report.to_text());
    insta::assert_snapshot!("it_staffing_json", report.to_json());
}

#[test]
fn bundled_example_is_the_shared_sample() {
    let bundled =
        std::fs::read_to_string(root().join("examples/it-staffing/quang-ninh-2020.json")).unwrap();
    let shared = std::fs::read_to_string(shared("it-staffing-quang-ninh-sample.json")).unwrap();
    assert_eq!(
        bundled, shared,
        "examples/ should carry the shared sample unchanged"
    );
}

#[test]
fn ict_index_published_figures_are_consistent() {
    let report = run(
        "rules/ict-index-published/2019",
        &shared("ict-index-2019-quang-ninh-reported.json"),
    );
    let qn = &report.units[0];
    assert_eq!(qn.unit, "Quảng Ninh");
    // Exact decimal recomputation from the published sub-pillars (domain brief §3.4).
    assert_eq!(qn.values["infrastructure"].to_string(), "0.5876");
    assert_eq!(qn.values["human_resources"].to_string(), "0.94485");
    assert_eq!(qn.values["application"].to_string(), "0.67245");
    assert_eq!(
        qn.values["ict_index"].to_string(),
        "0.7349666666666666666666666667"
    );
    for rule in [
        "infrastructure_consistent",
        "human_resources_consistent",
        "application_consistent",
        "ict_index_consistent",
    ] {
        assert_eq!(
            finding(&report, rule, "Quảng Ninh").status,
            Status::Pass,
            "{rule}"
        );
    }
    let index = finding(&report, "ict_index_consistent", "Quảng Ninh");
    assert_eq!(
        index.evidence["published_ict_index.interval"],
        serde_json::json!([0.7345, 0.7355])
    );
    assert!(!report.has_errors());
    insta::assert_snapshot!("ict_index_published_text", report.to_text());
    insta::assert_snapshot!("ict_index_published_json", report.to_json());
}

#[test]
fn a_misprinted_aggregate_fails_the_consistency_check() {
    let rules = RuleSet::load(root().join("rules/ict-index-published/2019")).unwrap();
    let text = std::fs::read_to_string(shared("ict-index-2019-quang-ninh-reported.json")).unwrap();
    // 0.9448 cannot be the mean of 0.9941 and 0.8956 rounded half-up, but its interval
    // [0.94475, 0.94485] still touches the recomputed one; 0.9447 does not.
    let wrong = text.replace(
        "\"human_resources\": \"0.9449\"",
        "\"human_resources\": \"0.9447\"",
    );
    assert_ne!(wrong, text);
    let data = chiso::Dataset::from_json_str("wrong.json", &wrong, rules.unit_key()).unwrap();
    let report = rules.evaluate(&data);
    let f = finding(&report, "human_resources_consistent", "Quảng Ninh");
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.message,
        "Quảng Ninh: published human resources 0.9447 cannot be the mean of its sub-pillars (0.9449)"
    );
    assert!(report.has_errors());
    // The index itself is recomputed from the leaves, so it still passes.
    assert_eq!(
        finding(&report, "ict_index_consistent", "Quảng Ninh").status,
        Status::Pass
    );
}

#[test]
fn published_precision_decides_consistency() {
    // The same figure printed with more decimals claims more precision, and can fail.
    let rules = RuleSet::load(root().join("rules/ict-index-published/2019")).unwrap();
    let text = std::fs::read_to_string(shared("ict-index-2019-quang-ninh-reported.json")).unwrap();
    let precise = text.replace(
        "\"infrastructure\": \"0.59\"",
        "\"infrastructure\": \"0.5900\"",
    );
    let data = chiso::Dataset::from_json_str("precise.json", &precise, rules.unit_key()).unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(
        finding(&report, "infrastructure_consistent", "Quảng Ninh").status,
        Status::Fail
    );
}
