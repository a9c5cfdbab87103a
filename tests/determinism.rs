//! Determinism (issue 16): the same rule set over the same data gives byte-identical
//! reports — from one run to the next, whatever the order of the units in the data (once
//! the report's units are put in one order), on 1 thread or 8 sharing one `RuleSet`, and
//! from the command line as from the library.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chiso::report::compare::PreviousYear;
use chiso::{Dataset, RuleSet, RunOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Each shipped rule set with its sample data.
const SHIPPED: &[(&str, &str)] = &[
    (
        "rules/it-staffing",
        "examples/it-staffing/quang-ninh-2020.json",
    ),
    (
        "rules/ict-index/2019",
        "examples/ict-index/provinces-2019.json",
    ),
    (
        "rules/ict-index/2018",
        "examples/ict-index/provinces-2018.json",
    ),
    (
        "rules/online-services/2019",
        "examples/online-services/provinces-2019.json",
    ),
    (
        "rules/decree-43-2011",
        "examples/decree-43-2011/portals-2020.json",
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
        "rules/published-audit/truncated",
        "examples/published-audit/mic-2017-provinces.json",
    ),
    (
        "rules/quang-ninh-2020-plan",
        "examples/quang-ninh-2020-plan/quang-ninh.json",
    ),
    (
        "rules/quang-binh-2025-plan",
        "examples/quang-binh-2025-plan/quang-binh.json",
    ),
];

fn load(rules: &str, data: &str) -> (RuleSet, Dataset) {
    let rules = RuleSet::load(root().join(rules)).unwrap_or_else(|e| panic!("{rules}: {e}"));
    let data = rules.load_data(&[root().join(data)]).unwrap();
    (rules, data)
}

/// The full report, text and JSON, with every option a rule set supports.
fn full(rules: &RuleSet, data: &Dataset) -> (String, String) {
    let previous = PreviousYear::from_report(&rules.evaluate(data));
    let first = data.records.first().map(|r| r.unit.clone());
    let sensitivity = (rules.program().sensitivity.is_some() && !rules.program().ranks.is_empty())
        .then_some((10, 7));
    let options = RunOptions {
        explain: first.as_deref(),
        previous: Some(&previous),
        sensitivity,
        ..Default::default()
    };
    let report = rules.evaluate_with(data, &options).unwrap();
    (report.to_text(), report.to_json())
}

#[test]
fn reports_are_byte_identical_from_run_to_run() {
    for (rules_path, data_path) in SHIPPED {
        let (rules, data) = load(rules_path, data_path);
        let once = full(&rules, &data);
        // A rule set compiled again and data read again, too.
        let (again_rules, again_data) = load(rules_path, data_path);
        assert_eq!(once, full(&again_rules, &again_data), "{rules_path}");
        assert_eq!(once, full(&rules, &data), "{rules_path}");
    }
}

/// A fixed pseudo-random permutation.
fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((state >> 33) as usize) % (i + 1);
        items.swap(i, j);
    }
    items
}

/// The JSON report with units, findings and sensitivity spreads sorted by unit name:
/// what is left when the order of the units in the data is taken out.
fn in_unit_order(json: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    let name = |x: &serde_json::Value| x["unit"].as_str().unwrap_or("").to_string();
    if let Some(units) = v["units"].as_array_mut() {
        units.sort_by_key(name);
    }
    if let Some(findings) = v["findings"].as_array_mut() {
        // Findings are grouped by rule in declaration order; within a rule, by unit.
        findings.sort_by_key(|f| (f["rule"].as_str().unwrap_or("").to_string(), name(f)));
    }
    if let Some(ranks) = v["sensitivity"]["ranks"].as_object_mut() {
        for spreads in ranks.values_mut() {
            if let Some(list) = spreads.as_array_mut() {
                list.sort_by_key(name);
            }
        }
    }
    v
}

#[test]
fn reports_do_not_depend_on_the_order_of_the_units() {
    for (rules_path, data_path) in SHIPPED {
        let (rules, data) = load(rules_path, data_path);
        let report = |data: &Dataset| {
            let options = RunOptions {
                sensitivity: (rules.program().sensitivity.is_some()
                    && !rules.program().ranks.is_empty())
                .then_some((10, 3)),
                ..Default::default()
            };
            in_unit_order(&rules.evaluate_with(data, &options).unwrap().to_json())
        };
        let expected = report(&data);
        for seed in [1, 2, 3] {
            let mut records = data.records.clone();
            records = shuffled(records, seed);
            let permuted = Dataset::from_records(records).unwrap();
            // Sensitivity draws one random factor per weight and run, not per unit: the
            // same seed perturbs the same way whatever the order.
            assert_eq!(
                report(&permuted),
                expected,
                "{rules_path}, permutation {seed}"
            );
        }
        let reversed = Dataset::from_records(data.records.iter().rev().cloned()).unwrap();
        assert_eq!(report(&reversed), expected, "{rules_path}, reversed");
    }
}

#[test]
fn eight_threads_sharing_one_rule_set_report_what_one_thread_does() {
    for (rules_path, data_path) in SHIPPED {
        let (rules, data) = load(rules_path, data_path);
        let expected = full(&rules, &data);
        let (rules, data) = (Arc::new(rules), Arc::new(data));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (rules, data) = (Arc::clone(&rules), Arc::clone(&data));
                std::thread::spawn(move || (0..2).map(|_| full(&rules, &data)).collect::<Vec<_>>())
            })
            .collect();
        for t in threads {
            for got in t.join().unwrap() {
                assert_eq!(got, expected, "{rules_path}");
            }
        }
    }
}

#[test]
fn the_command_line_reports_what_the_library_does() {
    for (rules_path, data_path) in SHIPPED {
        let (rules, data) = load(rules_path, data_path);
        let report = rules.evaluate(&data);
        for (format, expected) in [
            ("json", report.to_json() + "\n"),
            ("text", report.to_text()),
        ] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
                .args([
                    "run", "--rules", rules_path, "--data", data_path, "--format", format,
                ])
                .current_dir(root())
                .output()
                .unwrap();
            assert!(matches!(out.status.code(), Some(0 | 1)), "{rules_path}");
            assert_eq!(
                String::from_utf8(out.stdout).unwrap(),
                expected,
                "{rules_path} --format {format}"
            );
        }
    }
    // And with the options.
    let (rules, data) = load(SHIPPED[1].0, SHIPPED[1].1);
    let previous = rules
        .load_previous(Path::new(
            &root().join("examples/ict-index/provinces-2018.json"),
        ))
        .unwrap();
    let report = rules
        .evaluate_with(
            &data,
            &RunOptions {
                explain: Some("Quảng Ninh"),
                previous: Some(&previous),
                sensitivity: Some((20, 5)),
                ..Default::default()
            },
        )
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args([
            "run",
            "--rules",
            SHIPPED[1].0,
            "--data",
            SHIPPED[1].1,
            "--explain",
            "Quảng Ninh",
            "--previous",
            "examples/ict-index/provinces-2018.json",
            "--sensitivity",
            "20",
            "--seed",
            "5",
            "--format",
            "json",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        report.to_json() + "\n"
    );
}
