//! What a person reads: values keep their type up to the report (percents as percents,
//! published figures with their digits), the text report lists every value aligned by
//! display width, and the wording is right.

use chiso::report::Report;
use chiso::{Dataset, RuleSet};
use unicode_width::UnicodeWidthStr;

fn evaluate(rules: &str, data: &str) -> Report {
    let rules = RuleSet::from_text("test.chiso", rules).unwrap_or_else(|e| panic!("{e}"));
    let data = Dataset::from_json_str("data.json", data, rules.unit_key())
        .unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&data)
}

const HEADER: &str = "methodology \"Test\" version 1\n  unit agency\n";

#[test]
fn percents_are_shown_as_percents_in_messages_and_evidence() {
    let report = evaluate(
        &format!(
            "{HEADER}
input built: percent in 0% .. 100%
rule enough require built >= 80%
  message \"{{unit}} built {{built}} of its databases ({{built:2}} to two decimals)\"
"
        ),
        r#"[{"unit": "Quảng Bình", "built": 78.5}]"#,
    );
    let f = &report.findings[0];
    assert_eq!(
        f.message,
        "Quảng Bình built 78.5% of its databases (78.50% to two decimals)"
    );
    let text = report.to_text();
    assert!(text.contains("built = 78.5%"), "{text}");
    // JSON keeps the exact fraction.
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        json["findings"][0]["evidence"]["built"].to_string(),
        "0.785"
    );
}

#[test]
fn a_target_on_a_percent_shows_its_gap_in_points() {
    let report = evaluate(
        "methodology \"T\" version 2025
  unit province
  dated by reported
input reported: date
input built: percent in 0% .. 100%
rule built_target require built >= 80% by 2025
",
        r#"[{"unit": "Quảng Bình", "reported": "2025-12-31", "built": "78.5%"}]"#,
    );
    let text = report.to_text();
    assert!(
        text.contains("built = 78.5%, target = 80%, gap to target = 1.5 points"),
        "{text}"
    );
}

#[test]
fn a_published_decimal_is_quoted_with_its_published_digits() {
    let report = evaluate(
        &format!(
            "{HEADER}
input published: decimal in 0 .. 1
input a: number
input b: number
indicator recomputed = (a + b) / 2
rule agrees require published ~= recomputed
  message \"published {{published}} is not the mean {{recomputed}}\"
"
        ),
        r#"[{"unit": "X", "published": 0.7320, "a": 0.7, "b": 0.8}]"#,
    );
    let f = &report.findings[0];
    assert_eq!(f.message, "published 0.7320 is not the mean 0.75");
    let text = report.to_text();
    assert!(text.contains("published = 0.7320"), "{text}");
    assert!(
        text.contains("published.interval = [0.73195, 0.73205]"),
        "{text}"
    );
}

#[test]
fn every_value_is_listed_whether_or_not_it_declares_a_display() {
    let report = evaluate(
        &format!(
            "{HEADER}
input a: number
input b: number
indicator shown \"Có hiển thị\" = a / b display 2
indicator undeclared = a / b
"
        ),
        r#"[{"unit": "X", "a": 2, "b": 3}]"#,
    );
    let text = report.to_text();
    assert!(text.contains("shown       0.67"), "{text}");
    // No declared display: at most four decimals, and the report says so.
    assert!(text.contains("undeclared  0.6667"), "{text}");
    assert!(text.contains("at most 4 decimals"), "{text}");
    assert!(!text.contains("0.66666"), "{text}");
}

#[test]
fn plural_forms_are_right() {
    let report = evaluate(
        &format!("{HEADER}\ninput a: number\nrule positive require a > 0\n"),
        r#"[{"unit": "X", "a": 1}]"#,
    );
    let text = report.to_text();
    assert!(text.contains("Summary: 1 unit, 1 rule:"), "{text}");
}

#[test]
fn ranking_columns_align_with_vietnamese_names_in_either_normal_form() {
    // "Đà Nẵng" written with combining marks, as some spreadsheets export it.
    let nfd = "Đa\u{300} Na\u{306}\u{303}ng";
    let data = format!(
        r#"[{{"unit": "{nfd}", "x": 3}}, {{"unit": "Hà Nội", "x": 2}}, {{"unit": "Huế", "x": 1}}]"#
    );
    let report = evaluate(
        &format!("{HEADER}\ninput x: number\nindicator v = x / 1\nrank v\n"),
        &data,
    );
    let text = report.to_text();
    let ranking: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Ranking"))
        .skip(1)
        .take(3)
        .collect();
    let ends: Vec<usize> = ranking.iter().map(|l| l.width()).collect();
    assert_eq!(ends[0], ends[1], "{text}");
    assert_eq!(ends[1], ends[2], "{text}");
}

#[test]
fn explain_calls_a_weighted_mean_weighted_and_rounds_what_it_announces() {
    let rules = RuleSet::from_text(
        "t.chiso",
        &format!(
            "{HEADER}
input a: number
input b: number
indicator na = normalise a by max
score s = weighted mean of na weight 0.7, b weight 0.3
"
        ),
    )
    .unwrap();
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "X", "a": 25, "b": 1}, {"unit": "Y", "a": 75, "b": 1}, {"unit": "Z", "a": 8.333333333333333333333333333, "b": 1}]"#,
        rules.unit_key(),
    )
    .unwrap();
    let options = chiso::RunOptions {
        explain: Some("Z"),
        ..Default::default()
    };
    let text = rules.evaluate_with(&data, &options).unwrap().to_text();
    let explanation = &text[text.find("Explanation").unwrap()..];
    assert!(
        explanation.contains("= weighted mean of 2"),
        "{explanation}"
    );
    assert!(
        explanation.contains("rounded to 6 decimals"),
        "{explanation}"
    );
    for number in explanation
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| t.contains('.') && t.chars().next().is_some_and(|c| c.is_ascii_digit()))
    {
        let decimals = number.split('.').nth(1).unwrap_or("").len();
        assert!(decimals <= 6, "`{number}` in {explanation}");
    }
}
