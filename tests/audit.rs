//! Auditing published tables: interval arithmetic on printed figures, declared rounding,
//! presence and counts, interval-aware ranks, previous-year values, holiday calendars —
//! and the bugs found while auditing real tables, each with the case that exposed it.

use chiso::report::{Finding, Report};
use chiso::{Dataset, RuleSet, Status};

fn evaluate(rules: &str, data: &str) -> Report {
    let rules = RuleSet::from_text("test.chiso", rules).unwrap_or_else(|e| panic!("{e}"));
    let data = Dataset::from_json_str("data.json", data, rules.unit_key())
        .unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&data)
}

fn finding<'a>(report: &'a Report, rule: &str, unit: &str) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule && f.unit == unit)
        .unwrap_or_else(|| panic!("no finding {rule}/{unit}"))
}

fn value(report: &Report, unit: &str, name: &str) -> String {
    let u = report.units.iter().find(|u| u.unit == unit).unwrap();
    match u.values.get(name) {
        Some(v) => v.to_string(),
        None => format!("error: {}", u.errors[name]),
    }
}

const HEADER: &str = "methodology \"Audit\" version 1\n  unit province\n";

#[test]
fn round_inside_approx_reads_the_value_of_its_places_not_their_digits() {
    // `2.0` was read by its digits, 20 places: `round` then changed nothing.
    let rules = format!(
        "{HEADER}
input stated: number
input a: decimal
rule agrees require stated ~= round(a, 2.0)
rule agrees_int require stated ~= round(a, 2)
"
    );
    // 0.741 stands for [0.7405, 0.7415]: rounded to 2 places, exactly 0.74.
    let report = evaluate(
        &rules,
        r#"[{"unit": "u", "stated": 0.74, "a": "0.741"},
            {"unit": "v", "stated": 0.741, "a": "0.741"}]"#,
    );
    for rule in ["agrees", "agrees_int"] {
        assert_eq!(finding(&report, rule, "u").status, Status::Pass, "{rule}");
        assert_eq!(finding(&report, rule, "v").status, Status::Fail, "{rule}");
    }
}

#[test]
fn optional_inputs_take_negative_defaults() {
    let rules = format!(
        "{HEADER}
input y: number optional default -1
input z: percent optional default −5%
indicator yz = y + z
rule r require y < 0
"
    );
    let report = evaluate(&rules, r#"[{"unit": "u"}, {"unit": "v", "y": 2}]"#);
    assert_eq!(value(&report, "u", "yz"), "-1.05");
    assert_eq!(finding(&report, "r", "u").status, Status::Pass);
    assert_eq!(finding(&report, "r", "v").status, Status::Fail);
}

const POSTS: &str = "methodology \"Posts\" version 1
  unit portal
holidays 2020-01-01, 2020-04-30
input from: date
input to: date
input posts: list of record { title: text, published: date }
indicator thin = weeks_with_fewer(posts.published, 2, from, to)
";

#[test]
fn weeks_with_fewer_refuses_a_period_that_ends_before_it_starts() {
    let report = evaluate(
        POSTS,
        r#"[{"unit": "p", "from": "2020-01-31", "to": "2020-01-22", "posts": []}]"#,
    );
    let v = value(&report, "p", "thin");
    assert!(
        v.starts_with("error:") && v.contains("starts on 2020-01-31 after it ends on 2020-01-22"),
        "{v}"
    );
}

#[test]
fn an_inspection_on_a_monday_does_not_judge_the_week_that_began_that_day() {
    // 2020-01-06 and 2020-01-13 are Mondays; two posts in the week of the 6th.
    let data = |to: &str| {
        format!(
            r#"[{{"unit": "p", "from": "2020-01-06", "to": "{to}", "posts": [
                {{"title": "a", "published": "2020-01-07"}}, {{"title": "b", "published": "2020-01-09"}}]}}]"#
        )
    };
    let monday = evaluate(POSTS, &data("2020-01-13"));
    assert_eq!(value(&monday, "p", "thin"), "[]");
    // Inspected on the Tuesday, the week of the 13th has begun and has no post yet.
    let tuesday = evaluate(POSTS, &data("2020-01-14"));
    assert_eq!(value(&tuesday, "p", "thin"), "[\"2020-01-13\"]");
}

#[test]
fn working_days_in_a_year_without_declared_holidays_are_an_error() {
    let rules = "methodology \"Deadlines\" version 1
  unit portal
holidays 2020-01-01, 2020-01-23, 2020-01-24, 2020-01-27, 2020-01-28, 2020-01-29
input issued: date
input posted: date
indicator took = working_days_between(issued, posted)
rule on_time require took <= 2
";
    let report = evaluate(
        rules,
        r#"[{"unit": "2020", "issued": "2020-01-22", "posted": "2020-01-30"},
            {"unit": "2021", "issued": "2021-02-09", "posted": "2021-02-18"}]"#,
    );
    assert_eq!(value(&report, "2020", "took"), "1");
    assert_eq!(finding(&report, "on_time", "2020").status, Status::Pass);
    let f = finding(&report, "on_time", "2021");
    assert_eq!(f.status, Status::Error);
    assert!(
        f.message
            .contains("no public holidays are declared for 2021"),
        "{}",
        f.message
    );
}

#[test]
fn a_partial_table_is_judged_only_where_values_were_published() {
    let rules = format!(
        "{HEADER}
input index: decimal optional
input infrastructure: decimal optional
input application: decimal optional
indicator provinces = count of units
indicator printed = count of units where index is present
rule index_agrees
  when index is present and infrastructure is present and application is present
  require index ~= (infrastructure + application) / 2
rule partial_is_noted
  severity info
  when index is missing
  require false
"
    );
    let mut units = Vec::new();
    for i in 0..63 {
        units.push(if i < 5 {
            format!(
                r#"{{"unit": "P{i}", "index": "0.63", "infrastructure": "0.59", "application": "0.67"}}"#
            )
        } else {
            format!(r#"{{"unit": "P{i}"}}"#)
        });
    }
    let report = evaluate(&rules, &format!("[{}]", units.join(",")));
    assert_eq!(value(&report, "P0", "provinces"), "63");
    assert_eq!(value(&report, "P9", "printed"), "5");
    assert_eq!(finding(&report, "index_agrees", "P0").status, Status::Pass);
    assert_eq!(finding(&report, "index_agrees", "P9").status, Status::Skip);
    assert_eq!(
        finding(&report, "partial_is_noted", "P9").status,
        Status::Fail
    );
    assert_eq!(report.summary.errors, 0);
    assert!(
        report
            .findings
            .iter()
            .filter(|f| f.rule == "index_agrees")
            .all(|f| f.status != Status::Error)
    );
}

#[test]
fn presence_is_only_asked_of_inputs() {
    let rules = format!(
        "{HEADER}\ninput a: number\nindicator b = a * 2\nrule r when b is present require a > 0\n"
    );
    let err = RuleSet::from_text("test.chiso", &rules)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("only an input can be present or missing"),
        "{err}"
    );
}

#[test]
fn an_invalid_value_is_neither_present_nor_missing() {
    let rules =
        format!("{HEADER}\ninput a: number optional\nrule r when a is present require a > 0\n");
    let report = evaluate(&rules, r#"[{"unit": "u", "a": "many"}]"#);
    assert_eq!(finding(&report, "r", "u").status, Status::Error);
}

const RANKS: &str = "methodology \"Ranks\" version 1
  unit province
input value: decimal
input printed_rank: integer >= 1
indicator best = best rank of value
indicator worst = worst rank of value
rule rank_consistent require printed_rank is rank of value
";

#[test]
fn mixed_precision_ranks_are_not_flagged() {
    // 0.66 stands for [0.655, 0.665]: it may well be above 0.6614.
    let report = evaluate(
        RANKS,
        r#"[{"unit": "A", "value": "0.66", "printed_rank": 1},
            {"unit": "B", "value": "0.6614", "printed_rank": 2},
            {"unit": "C", "value": "0.6", "printed_rank": 3}]"#,
    );
    for u in ["A", "B", "C"] {
        assert_eq!(
            finding(&report, "rank_consistent", u).status,
            Status::Pass,
            "{u}"
        );
    }
    // A may rank 1st or 2nd, B 1st or 2nd; C (0.6: [0.55, 0.65]) is surely 3rd.
    assert_eq!(value(&report, "A", "best"), "1");
    assert_eq!(value(&report, "A", "worst"), "2");
    assert_eq!(value(&report, "B", "best"), "1");
    assert_eq!(value(&report, "B", "worst"), "2");
    assert_eq!(value(&report, "C", "best"), "3");
    assert_eq!(value(&report, "C", "worst"), "3");
}

#[test]
fn an_inversion_beyond_rounding_is_flagged_naming_the_pair() {
    let report = evaluate(
        RANKS,
        r#"[{"unit": "Hà Nội", "value": "0.6514", "printed_rank": 3},
            {"unit": "Huế", "value": "0.664", "printed_rank": 4},
            {"unit": "Đà Nẵng", "value": "0.70", "printed_rank": 1},
            {"unit": "HCM", "value": "0.6652", "printed_rank": 2}]"#,
    );
    let f = finding(&report, "rank_consistent", "Hà Nội");
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.evidence["rank conflicts"],
        serde_json::json!([
            "ranked 3 with 0.6514 [0.65135, 0.65145] above Huế ranked 4 with 0.664 [0.6635, 0.6645]"
        ])
    );
    let g = finding(&report, "rank_consistent", "Huế");
    assert_eq!(g.status, Status::Fail);
    assert_eq!(
        g.evidence["conflicting units"],
        serde_json::json!(["Hà Nội"])
    );
    assert_eq!(
        finding(&report, "rank_consistent", "HCM").status,
        Status::Pass
    );
    assert_eq!(
        finding(&report, "rank_consistent", "Đà Nẵng").status,
        Status::Pass
    );
}

#[test]
fn equal_printed_values_may_hold_different_ranks_but_a_tie_needs_overlap() {
    let report = evaluate(
        RANKS,
        r#"[{"unit": "Thanh Hóa", "value": "0.633", "printed_rank": 17},
            {"unit": "Bà Rịa-Vũng Tàu", "value": "0.633", "printed_rank": 18},
            {"unit": "X", "value": "0.620", "printed_rank": 19},
            {"unit": "Y", "value": "0.610", "printed_rank": 19}]"#,
    );
    for u in ["Thanh Hóa", "Bà Rịa-Vũng Tàu"] {
        assert_eq!(
            finding(&report, "rank_consistent", u).status,
            Status::Pass,
            "{u}"
        );
    }
    // 0.620 and 0.610 cannot be equal: the printed tie is impossible.
    let f = finding(&report, "rank_consistent", "X");
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.evidence["rank conflicts"][0]
            .as_str()
            .unwrap()
            .contains("tied with Y")
    );
}

#[test]
fn declared_truncation_changes_what_a_printed_figure_stands_for() {
    let rules = |rounding: &str| {
        format!(
            "{HEADER}
input a: decimal
input b: decimal
input mean: decimal {rounding}
rule agrees require mean ~= (a + b) / 2
"
        )
    };
    // (0.8490 + 0.8481) / 2 = 0.84855: printed 0.8485 when truncated, 0.8486 half-up.
    let data = r#"[{"unit": "u", "a": "0.8490", "b": "0.8481", "mean": "0.8485"}]"#;
    let exact = |r: &str| {
        let rules = format!(
            "{HEADER}
input a: number
input b: number
input mean: decimal {r}
rule agrees require mean ~= (a + b) / 2
"
        );
        finding(&evaluate(&rules, data), "agrees", "u").status
    };
    assert_eq!(exact(""), Status::Pass); // [0.84845, 0.84855] touches 0.84855
    assert_eq!(exact("rounded down"), Status::Pass); // [0.8485, 0.8486]
    let data = r#"[{"unit": "u", "a": "0.8490", "b": "0.8482", "mean": "0.8485"}]"#;
    let exact2 = |r: &str| {
        let rules = format!(
            "{HEADER}
input a: number
input b: number
input mean: decimal {r}
rule agrees require mean ~= (a + b) / 2
"
        );
        finding(&evaluate(&rules, data), "agrees", "u").status
    };
    // 0.8486 truncates to 0.8485 but rounds half-up to 0.8486.
    assert_eq!(exact2(""), Status::Fail);
    assert_eq!(exact2("rounded down"), Status::Pass);
    assert_eq!(exact2("rounded half-even"), Status::Fail);
    let _ = rules;
}

#[test]
fn rounding_is_declared_only_on_published_decimals() {
    let rules = format!("{HEADER}\ninput a: number rounded down\n");
    let err = RuleSet::from_text("test.chiso", &rules)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not a published `decimal`"), "{err}");
}

// ---------------------------------------------------------------- shipped rule sets

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_rule_set(rules: &str, data: &str) -> Report {
    let rules = RuleSet::load(root().join(rules)).unwrap_or_else(|e| panic!("{e}"));
    let dataset = rules
        .load_data(&[root().join(data)])
        .unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&dataset)
}

fn failing(report: &Report, rule: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule && f.status == Status::Fail)
        .map(|f| f.unit.clone())
        .collect()
}

#[test]
fn printed_changes_exactly_the_impossible_ones_fail_and_truncation_changes_the_verdict() {
    // Both years as printed (2 decimals), the printed changes in points and in per cent.
    // Half-up: 0.72 − 0.65 lies in [0.06, 0.08]; in per cent of the previous year, in
    // [0.06 ÷ 0.655, 0.08 ÷ 0.645] = [9.16, 12.41]. Truncated: [9.09, 12.31].
    let data = r#"{"units": [
        {"unit": "0.07 / 10.8", "value": "0.72", "previous_value": "0.65", "change_points": "0.07", "change_percent": "10.8"},
        {"unit": "0.09 / 13.8", "value": "0.72", "previous_value": "0.65", "change_points": "0.09", "change_percent": "13.8"},
        {"unit": "0.06 / 12.4", "value": "0.72", "previous_value": "0.65", "change_points": "0.06", "change_percent": "12.4"},
        {"unit": "0.08 / 9.1", "value": "0.72", "previous_value": "0.65", "change_points": "0.08", "change_percent": "9.1"},
        {"unit": "0.05 / 9.7", "value": "0.72", "previous_value": "0.65", "change_points": "0.05", "change_percent": "9.7"}
    ]}"#;
    let path =
        std::env::temp_dir().join(format!("chiso-audit-changes-{}.json", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let half_up = run_rule_set("rules/published-audit", path.to_str().unwrap());
    let truncated = run_rule_set("rules/published-audit/truncated", path.to_str().unwrap());
    std::fs::remove_file(&path).ok();
    // 13.8 is out of reach either way; 9.7 (0.07 ÷ 0.72: the wrong denominator) is inside
    // both ranges, since two decimals cannot tell; 12.4 and 9.1 sit on either edge.
    assert_eq!(
        failing(&half_up, "change_in_percent"),
        ["0.09 / 13.8", "0.08 / 9.1"]
    );
    assert_eq!(
        failing(&truncated, "change_in_percent"),
        ["0.09 / 13.8", "0.06 / 12.4"]
    );
    // 0.09 cannot be the difference under either reading; 0.05 only under half-up
    // ([0.045, 0.055] against [0.06, 0.08]); truncated, 0.05 stands for [0.05, 0.06].
    assert_eq!(
        failing(&half_up, "change_in_points"),
        ["0.09 / 13.8", "0.05 / 9.7"]
    );
    assert_eq!(failing(&truncated, "change_in_points"), ["0.09 / 13.8"]);
}

#[test]
fn the_published_mic_2017_table_is_a_consistent_partial_table() {
    let report = run_rule_set(
        "rules/published-audit",
        "examples/published-audit/mic-2017-provinces.json",
    );
    assert_eq!(report.summary.failed, 0);
    assert_eq!(report.summary.errors, 0);
    assert_eq!(
        finding(&report, "rank_consistent", "Bà Rịa-Vũng Tàu").status,
        Status::Pass
    );
    assert_eq!(value(&report, "Quảng Ninh", "units_with_value"), "11");
    assert_eq!(value(&report, "Thanh Hóa", "best_possible_rank"), "6");
    assert_eq!(value(&report, "Thanh Hóa", "worst_possible_rank"), "7");
    // Exit 0 from the command line too: 11 of 63 provinces printed, all consistent.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .current_dir(root())
        .args([
            "run",
            "--rules",
            "rules/published-audit",
            "--data",
            "examples/published-audit/mic-2017-provinces.json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn quang_ninh_2019_aggregates_agree_and_a_misprint_names_the_recomputed_interval() {
    let report = run_rule_set(
        "rules/published-audit",
        "examples/published-audit/quang-ninh-2019.json",
    );
    assert_eq!(report.summary.passed, 4);
    assert_eq!(report.summary.failed + report.summary.errors, 0);
    let rules = RuleSet::load(root().join("rules/published-audit")).unwrap();
    let data = Dataset::from_json_str(
        "misprint.json",
        r#"[{"unit": "2. Human resources", "value": "0.9447", "component_1": "0.9941", "component_2": "0.8956"}]"#,
        rules.unit_key(),
    )
    .unwrap();
    let report = rules.evaluate(&data);
    let f = finding(&report, "mean_of_two_components", "2. Human resources");
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.evidence["(component_1 + component_2) / 2.interval"],
        serde_json::json!([0.9448, 0.9449])
    );
}

#[test]
fn mic_2017_on_its_synthetic_sample() {
    let report = run_rule_set(
        "rules/mic-it-application/2017",
        "examples/mic-it-application/agencies-2017-synthetic.json",
    );
    assert_eq!(
        failing(&report, "published_index_agrees"),
        ["Tỉnh H (synthetic)"]
    );
    assert_eq!(
        failing(&report, "published_rank_consistent"),
        ["Tỉnh I (synthetic)", "Tỉnh K (synthetic)"]
    );
    assert_eq!(report.summary.errors, 0);
    let ranks = |u: &str| {
        report
            .units
            .iter()
            .find(|x| x.unit == u)
            .unwrap()
            .ranks
            .clone()
    };
    assert_eq!(ranks("Bộ A (synthetic)")["rank_ministries"], 1);
    assert_eq!(
        ranks("Cơ quan D (synthetic)")["rank_government_agencies"],
        1
    );
    assert_eq!(ranks("Tỉnh F (synthetic)")["rank_provinces"], 1);
    assert!(!ranks("Tỉnh F (synthetic)").contains_key("rank_ministries"));
    assert_eq!(
        value(&report, "Bộ A (synthetic)", "infrastructure"),
        "187.5"
    );
}

#[test]
fn decree_43_deadlines_across_tet_use_that_years_holidays_and_err_without_them() {
    let rules = RuleSet::load(root().join("rules/decree-43-2011")).unwrap();
    let portal = |name: &str, inspected: &str, issued: &str, posted: &str| {
        format!(
            r#"{{"unit": "{name}", "inspected_on": "{inspected}", "period_start": "{inspected}",
                "sections": [], "functions": [], "news": [], "services": [],
                "documents": [{{"title": "QĐ 1", "issued": "{issued}", "posted": "{posted}"}}]}}"#
        )
    };
    let data = format!(
        "[{}, {}, {}, {}]",
        // Issued the day before Tết 2021 (10–16 Feb off), posted on the second working day.
        portal("2021", "2021-03-01", "2021-02-09", "2021-02-18"),
        portal("2021 late", "2021-03-01", "2021-02-09", "2021-02-19"),
        // 2019: Monday 29 April bridged, Saturday 4 May worked back.
        portal("2019", "2019-05-10", "2019-04-26", "2019-05-06"),
        portal("2017", "2017-03-01", "2017-01-20", "2017-02-06"),
    );
    let data = Dataset::from_json_str("portals.json", &data, rules.unit_key()).unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(
        finding(&report, "issuer_posting_deadline", "2021").status,
        Status::Pass
    );
    assert_eq!(
        finding(&report, "issuer_posting_deadline", "2021 late").status,
        Status::Fail
    );
    // Thu 2, Fri 3, Sat 4 (worked), Mon 6: four working days.
    assert_eq!(
        finding(&report, "issuer_posting_deadline", "2019").status,
        Status::Fail
    );
    let f = finding(&report, "issuer_posting_deadline", "2017");
    assert_eq!(f.status, Status::Error);
    assert!(
        f.message
            .contains("no public holidays are declared for 2017"),
        "{}",
        f.message
    );
}
