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
