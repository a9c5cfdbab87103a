use std::path::Path;

use super::*;
use crate::data::Dataset;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shipped() -> Vec<(RuleSet, Dataset)> {
    crate::fuzzing::shipped_samples(root())
}

fn by_unit_then_rule(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (&a.unit, &a.rule).cmp(&(&b.unit, &b.rule)));
}

#[test]
fn a_lean_report_with_default_options_is_the_full_report() {
    for (rules, data) in shipped() {
        assert_eq!(
            rules.evaluate_lean(&data, &StreamOptions::default()),
            rules.evaluate(&data),
            "{}",
            rules.methodology().name
        );
    }
}

#[test]
fn failing_findings_only_keep_the_counts_of_all() {
    let options = StreamOptions {
        findings: FindingFilter::Failing,
        values: ValueFilter::None,
    };
    let mut some_failing = 0;
    for (rules, data) in shipped() {
        let full = rules.evaluate(&data);
        let lean = rules.evaluate_lean(&data, &options);
        assert_eq!(lean.summary, full.summary);
        assert!(lean.units.is_empty());
        let failing: Vec<&Finding> = full
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
            .collect();
        some_failing += failing.len();
        assert_eq!(lean.findings.iter().collect::<Vec<_>>(), failing);
    }
    assert!(some_failing > 20);
}

#[test]
fn a_stream_decides_what_the_whole_dataset_decides() {
    let mut streamed_some = false;
    for (rules, data) in shipped() {
        let full = rules.evaluate(&data);
        let records = data.records.clone().into_iter().map(Ok);
        let stream = match rules.stream(records, StreamOptions::default()) {
            Ok(s) => s,
            Err(StreamError::Cohort { .. }) => {
                assert!(!cohort_operations(rules.program()).is_empty());
                continue;
            }
            Err(e) => panic!("{e}"),
        };
        streamed_some = true;
        let mut units = Vec::new();
        let mut findings = Vec::new();
        for item in stream {
            match item.unwrap() {
                StreamItem::Unit(u) => units.push(u),
                StreamItem::Finding(f) => findings.push(f),
            }
        }
        assert_eq!(units, full.units);
        let mut expected = full.findings.clone();
        by_unit_then_rule(&mut expected);
        by_unit_then_rule(&mut findings);
        assert_eq!(findings, expected, "{}", rules.methodology().name);
    }
    assert!(streamed_some);
}

#[test]
fn cohort_operations_cannot_be_streamed_and_are_named() {
    let rules = RuleSet::load(root().join("rules/ict-index/2019")).unwrap();
    let Err(err) = rules.stream(std::iter::empty(), StreamOptions::default()) else {
        panic!("a normalised index streamed");
    };
    let message = err.to_string();
    assert!(
        message.starts_with("the rule set compares units with each other (`"),
        "{message}"
    );
    assert!(message.contains("rank `"), "{message}");
}

#[test]
fn unit_counts_and_rank_bounds_cannot_be_streamed_either() {
    // `count of units` and `best rank of` read the whole cohort: streamed a record at a
    // time, every table would have counted one unit.
    let rules = RuleSet::load(root().join("rules/published-audit")).unwrap();
    let Err(err) = rules.stream(std::iter::empty(), StreamOptions::default()) else {
        panic!("an audit of a whole table streamed");
    };
    let message = err.to_string();
    assert!(message.contains("`units_in_table`"), "{message}");
    assert!(message.contains("`best_possible_rank`"), "{message}");
}

#[test]
fn a_unit_twice_stops_the_stream_naming_both_places() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let data = Dataset::from_csv_str(
        "twice.csv",
        "unit,staff_total\nSở Y tế,10\nSở Tư pháp,5\nSở Y tế,12\n",
        "unit",
    )
    .unwrap_err();
    let expected = data.to_string();
    let path = std::env::temp_dir().join(format!("chiso-twice-{}.csv", std::process::id()));
    std::fs::write(
        &path,
        "unit,staff_total\nSở Y tế,10\nSở Tư pháp,5\nSở Y tế,12\n",
    )
    .unwrap();
    let options = StreamOptions {
        findings: FindingFilter::Failing,
        values: ValueFilter::None,
    };
    let mut out = Vec::new();
    let err = rules
        .write_jsonl(Records::open(&[&path], "unit"), options, &mut out)
        .unwrap_err();
    let expected = expected.replace("twice.csv", &path.display().to_string());
    assert_eq!(err.to_string(), expected);
    // The first two units were decided and written before the duplicate was read.
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\"unit\":\"Sở Tư pháp\""), "{text}");
}

#[test]
fn json_lines_name_rules_once_and_keep_passing_findings_short() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let data = root().join("examples/it-staffing/quang-ninh-2020.json");
    let full = rules.evaluate(&rules.load_data(&[&data]).unwrap());
    let options = StreamOptions {
        findings: FindingFilter::All,
        values: ValueFilter::Declared,
    };
    let mut out = Vec::new();
    let summary = rules
        .write_jsonl(Records::open(&[&data], "unit"), options, &mut out)
        .unwrap();
    assert_eq!(summary, full.summary);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let header = &lines[0];
    assert_eq!(header["format"], JSONL_FORMAT);
    assert_eq!(
        header["rules"].as_array().unwrap().len(),
        full.summary.rules
    );
    assert_eq!(header["rules"][0]["severity"], "error");
    assert_eq!(
        lines.last().unwrap()["summary"]["failed"],
        full.summary.failed
    );
    let passing: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("\"status\":\"pass\""))
        .collect();
    assert!(!passing.is_empty());
    for l in &passing {
        assert!(l.len() < 100, "a passing finding is tens of bytes: {l}");
        assert!(!l.contains("cite"), "{l}");
    }
    // Each failing finding keeps its message and evidence, as in the full report.
    for f in full.findings.iter().filter(|f| f.status == Status::Fail) {
        let line = lines
            .iter()
            .find(|l| l["unit"] == f.unit.as_str() && l["rule"] == f.rule.as_str())
            .unwrap();
        assert_eq!(line["message"], f.message.as_str());
        assert_eq!(line["evidence"], serde_json::to_value(&f.evidence).unwrap());
    }
    // Values come once per unit, before its findings.
    let values = lines.iter().filter(|l| l.get("values").is_some()).count();
    assert_eq!(values, full.units.len());
}

#[test]
fn all_values_add_the_inputs() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let data = rules
        .load_data(&[root().join("examples/it-staffing/quang-ninh-2020.json")])
        .unwrap();
    let options = StreamOptions {
        findings: FindingFilter::Failing,
        values: ValueFilter::All,
    };
    let lean = rules.evaluate_lean(&data, &options);
    let first = &lean.units[0];
    let keys: Vec<&str> = first.values.keys().map(String::as_str).collect();
    assert_eq!(keys.first(), Some(&"staff_total"));
    assert_eq!(keys.last(), Some(&"share_trained_infosec"));
}
