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
fn a_gathered_stream_decides_what_the_whole_dataset_decides() {
    let mut gathered_cohorts = 0;
    // Every shipped rule set that compares units, with its sample data.
    let more = [
        (
            "rules/ict-index/2018",
            "examples/ict-index/provinces-2018.json",
        ),
        (
            "rules/mic-it-application/2017",
            "examples/mic-it-application/agencies-2017-synthetic.json",
        ),
        (
            "rules/published-audit",
            "examples/published-audit/quang-ninh-2019.json",
        ),
        (
            "rules/published-audit",
            "examples/published-audit/mic-2017-provinces.json",
        ),
    ]
    .map(|(rules, data)| {
        let rules = RuleSet::load(root().join(rules)).unwrap();
        let data = rules.load_data(&[root().join(data)]).unwrap();
        (rules, data)
    });
    for (rules, data) in shipped().into_iter().chain(more) {
        let full = rules.evaluate(&data);
        let records = data.records.clone().into_iter().map(Ok);
        let options = StreamOptions {
            findings: FindingFilter::All,
            values: ValueFilter::Declared,
        };
        let mut units = Vec::new();
        let mut findings = Vec::new();
        for item in rules.gather(records, options) {
            match item.unwrap() {
                StreamItem::Unit(u) => units.push(u),
                StreamItem::Finding(f) => findings.push(f),
            }
        }
        let name = &rules.methodology().name;
        // Values (normalised, rescaled, ranked across every unit) as the full report has
        // them, unit by unit in the order of the records; findings likewise.
        assert_eq!(units.len(), full.units.len(), "{name}");
        for (got, want) in units.iter().zip(&full.units) {
            assert_eq!(got.unit, want.unit, "{name}");
            assert_eq!(got.values, want.values, "{name}: {}", got.unit);
            assert_eq!(got.ranks, want.ranks, "{name}: {}", got.unit);
            assert_eq!(got.errors, want.errors, "{name}: {}", got.unit);
        }
        let mut expected = full.findings.clone();
        by_unit_then_rule(&mut expected);
        by_unit_then_rule(&mut findings);
        assert_eq!(findings, expected, "{name}");
        if !cohort_operations(rules.program()).is_empty() {
            gathered_cohorts += 1;
        }
    }
    assert!(gathered_cohorts >= 6, "{gathered_cohorts}");
}

#[test]
fn a_gathered_stream_decides_nothing_when_a_record_is_bad() {
    let rules = RuleSet::load(root().join("rules/ict-index/2019")).unwrap();
    let data = crate::fuzzing::shipped_samples(root())
        .into_iter()
        .find(|(r, _)| r.methodology().name == rules.methodology().name)
        .map(|(_, d)| d)
        .unwrap();
    let bad = DataError::Record {
        origin: data.records[0].origin.clone(),
        message: "a bad record".into(),
    };
    let mut records: Vec<Result<Record, DataError>> =
        data.records.iter().cloned().map(Ok).collect();
    records.insert(30, Err(bad));
    let items: Vec<_> = rules
        .gather(records.into_iter(), StreamOptions::default())
        .collect();
    // Normalising without the rest of the cohort would decide every unit wrongly.
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        matches!(&items[0], Err(DataError::Record { message, .. }) if message == "a bad record")
    );
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

/// A CSV of `n` it-staffing units, with unit `of` named again at data row `place`.
fn staffing_csv(n: usize, twice: Option<(usize, usize)>) -> String {
    let mut csv = String::from("unit,staff_total,it_qualified_staff\n");
    for i in 0..n {
        let name = match twice {
            Some((place, of)) if place == i => of,
            _ => i,
        };
        csv.push_str(&format!("Đơn vị {name},{},{}\n", 20 + i % 7, i % 5));
    }
    csv
}

#[test]
fn a_unit_twice_beyond_the_index_in_memory_ends_the_stream_as_in_memory() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let options = StreamOptions {
        findings: FindingFilter::Failing,
        values: ValueFilter::None,
    };
    // 50 units in memory, runs of about ten names: the rest is merged on disk.
    unique::TEST_CAP.with(|c| c.set(Some((50, 256))));
    let dir = std::env::temp_dir();
    for (n, twice) in [(400, (300, 150)), (400, (399, 398)), (400, (200, 7))] {
        let csv = staffing_csv(n, Some(twice));
        let expected = Dataset::from_csv_str("twice.csv", &csv, "unit")
            .unwrap_err()
            .to_string();
        let path = dir.join(format!(
            "chiso-twice-{}-{}.csv",
            std::process::id(),
            twice.0
        ));
        std::fs::write(&path, &csv).unwrap();
        let expected = expected.replace("twice.csv", &path.display().to_string());
        // Records made one by one, and CSV rows bound from their cells.
        for by_rows in [false, true] {
            let records = Records::open(&[&path], "unit");
            let mut out = Vec::new();
            let err = if by_rows {
                rules.write_jsonl_files(records, options, &mut out)
            } else {
                rules.write_jsonl(records, options, &mut out)
            }
            .unwrap_err();
            assert_eq!(err.to_string(), expected, "{twice:?}, rows: {by_rows}");
            let text = String::from_utf8(out).unwrap();
            assert!(!text.contains("\"summary\""), "a summary after a duplicate");
        }
        // The stream of findings ends with the same error.
        let records = Records::open(&[&path], "unit");
        let last = rules.stream(records, options).unwrap().last().unwrap();
        assert_eq!(last.unwrap_err().to_string(), expected);
        std::fs::remove_file(&path).unwrap();
    }
    // With no unit twice, the same summary as all in memory.
    let csv = staffing_csv(400, None);
    let path = dir.join(format!("chiso-once-{}.csv", std::process::id()));
    std::fs::write(&path, &csv).unwrap();
    let mut bounded = Vec::new();
    let summary = rules
        .write_jsonl_files(Records::open(&[&path], "unit"), options, &mut bounded)
        .unwrap();
    unique::TEST_CAP.with(|c| c.set(None));
    let mut unbounded = Vec::new();
    let all = rules
        .write_jsonl_files(Records::open(&[&path], "unit"), options, &mut unbounded)
        .unwrap();
    assert_eq!(summary, all);
    assert_eq!(bounded, unbounded);
    std::fs::remove_file(&path).unwrap();
}
