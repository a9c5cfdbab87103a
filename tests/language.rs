//! The language's meaning, rule file by rule file: each test compiles a small rule set,
//! evaluates it on inline data and checks values, statuses and messages.

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

const HEADER: &str = "methodology \"Test\" version 1\n  unit agency\n";

#[test]
fn missing_data_is_error_never_pass_and_kleene_logic_decides_what_it_can() {
    let rules = format!(
        "{HEADER}
input a: number
input b: number
rule both require a > 0 and b > 0
rule either require a > 0 or b > 0
rule guarded when a > 0 require b > 0
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "no b, a positive", "a": 1}, {"unit": "no b, a negative", "a": -1}, {"unit": "no a", "b": 1}]"#,
    );
    // a > 0 is true and b is unknown: `and` cannot be decided, `or` is true anyway.
    assert_eq!(
        finding(&report, "both", "no b, a positive").status,
        Status::Error
    );
    assert_eq!(
        finding(&report, "either", "no b, a positive").status,
        Status::Pass
    );
    // a > 0 is false: `and` is false whatever b is; `or` depends on b.
    assert_eq!(
        finding(&report, "both", "no b, a negative").status,
        Status::Fail
    );
    assert_eq!(
        finding(&report, "either", "no b, a negative").status,
        Status::Error
    );
    // A condition that cannot be decided makes the finding error, not skip.
    assert_eq!(finding(&report, "guarded", "no a").status, Status::Error);
    assert_eq!(
        finding(&report, "guarded", "no b, a negative").status,
        Status::Skip
    );
    assert_eq!(
        finding(&report, "guarded", "no a").message,
        "cannot decide: `a` is missing"
    );
    assert_eq!(report.summary.errors, 5);
}

#[test]
fn division_by_zero_names_the_formula_and_its_position() {
    let rules = format!(
        "{HEADER}
input part: integer >= 0
input whole: integer >= 0
indicator share = part / whole
rule majority require share > 50%
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "empty", "part": 0, "whole": 0}, {"unit": "ok", "part": 3, "whole": 4}]"#,
    );
    assert_eq!(
        value(&report, "empty", "share"),
        "error: division by zero in `part / whole` (test.chiso:6:19)"
    );
    assert_eq!(finding(&report, "majority", "empty").status, Status::Error);
    assert_eq!(value(&report, "ok", "share"), "0.75");
    assert_eq!(finding(&report, "majority", "ok").status, Status::Pass);
}

#[test]
fn optional_inputs_take_their_default() {
    let rules = format!(
        "{HEADER}
input a: number
input bonus: number optional default 10
indicator total = a + bonus
rule big require total >= 15
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "x", "a": 5}, {"unit": "y", "a": 5, "bonus": 1}]"#,
    );
    assert_eq!(value(&report, "x", "total"), "15");
    assert_eq!(value(&report, "y", "total"), "6");
}

#[test]
fn percentages_read_as_written_and_compare_with_percent_literals() {
    let rules = format!(
        "{HEADER}
input level4: percent in 0% .. 100%
rule target require level4 >= 50%
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "a", "level4": 50}, {"unit": "b", "level4": "49.5%"}, {"unit": "c", "level4": 120}]"#,
    );
    assert_eq!(finding(&report, "target", "a").status, Status::Pass);
    assert_eq!(
        finding(&report, "target", "a").evidence["level4"].to_string(),
        "0.5"
    );
    assert_eq!(finding(&report, "target", "b").status, Status::Fail);
    assert_eq!(
        finding(&report, "target", "c").message,
        "cannot decide: `level4` is 1.20, outside its declared range (must be <= 100%)"
    );
}

#[test]
fn booleans_texts_and_if() {
    let rules = format!(
        "{HEADER}
input kind: text
input has_portal: boolean
indicator points = if has_portal and kind = \"district\" then 2 else 1
rule portal when kind != \"commune\" require has_portal message \"{{unit}} ({{kind}}) has no portal\"
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "d", "kind": "district", "has_portal": true},
            {"unit": "p", "kind": "department", "has_portal": "no"},
            {"unit": "c", "kind": "commune", "has_portal": false},
            {"unit": "x", "kind": "district", "has_portal": "maybe"}]"#,
    );
    assert_eq!(value(&report, "d", "points"), "2");
    assert_eq!(value(&report, "p", "points"), "1");
    assert_eq!(
        finding(&report, "portal", "p").message,
        "p (department) has no portal"
    );
    assert_eq!(finding(&report, "portal", "c").status, Status::Skip);
    assert_eq!(
        finding(&report, "portal", "x").message,
        "cannot decide: `has_portal` is \"maybe\", expected true or false"
    );
}

#[test]
fn scores_are_exact_weighted_means_and_nest() {
    let rules = format!(
        "{HEADER}
input a: number
input b: number
input c: number
score ab = weighted mean of a weight 0.25, b weight 0.75
score all = mean of ab, c
rule r require all >= 0
"
    );
    let report = evaluate(&rules, r#"[{"unit": "u", "a": 1, "b": 2, "c": "0.1"}]"#);
    assert_eq!(value(&report, "u", "ab"), "1.75");
    assert_eq!(value(&report, "u", "all"), "0.925");
}

#[test]
fn builtins_round_half_up_and_keep_exactness() {
    let rules = format!(
        "{HEADER}
input x: number
indicator r2 = round(x, 2)
indicator lo = min(x, 1, 2) + max(abs(-x), 0)
indicator m = mean(x, 0.1, 0.2)
indicator p = 2 ^ 3 ^ 2
rule r require r2 >= 0
"
    );
    let report = evaluate(&rules, r#"[{"unit": "u", "x": "0.125"}]"#);
    assert_eq!(value(&report, "u", "r2"), "0.13");
    assert_eq!(value(&report, "u", "lo"), "0.25");
    assert_eq!(value(&report, "u", "m"), "0.1416666666666666666666666667");
    assert_eq!(value(&report, "u", "p"), "512");
}

#[test]
fn approx_on_exact_numbers_is_equality_and_on_published_decimals_is_overlap() {
    let rules = format!(
        "{HEADER}
input exact: number
input published: decimal
input part1: decimal
input part2: decimal
score total = mean of part1, part2
rule exact_equal require exact ~= 0.5
rule agrees require published ~= total
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "u", "exact": 0.50, "published": "0.7", "part1": "0.64", "part2": "0.75"},
            {"unit": "v", "exact": 0.51, "published": "0.70", "part1": "0.64", "part2": "0.75"}]"#,
    );
    assert_eq!(finding(&report, "exact_equal", "u").status, Status::Pass);
    assert_eq!(finding(&report, "exact_equal", "v").status, Status::Fail);
    // 0.7 stands for [0.65, 0.75]; the mean of [0.635, 0.645] and [0.745, 0.755] is [0.69, 0.7].
    assert_eq!(finding(&report, "agrees", "u").status, Status::Pass);
    // 0.70 claims [0.695, 0.705]: still overlaps.
    assert_eq!(finding(&report, "agrees", "v").status, Status::Pass);
    assert_eq!(
        finding(&report, "agrees", "v").evidence["total.interval"],
        serde_json::json!([0.69, 0.7])
    );
}

#[test]
fn constants_are_inlined_and_quoted_in_messages() {
    let rules = format!(
        "{HEADER}
constant minimum = 3 \"Minimum\"
input n: integer
rule enough require n >= minimum message \"{{unit}}: {{n}} < {{minimum}}\"
"
    );
    let report = evaluate(&rules, r#"[{"unit": "u", "n": 2}]"#);
    assert_eq!(finding(&report, "enough", "u").message, "u: 2 < 3");
}

#[test]
fn message_decimals_round_half_up() {
    let rules = format!(
        "{HEADER}
input x: number
rule r require x > 1 message \"{{x:2}} and {{x}}\"
"
    );
    let report = evaluate(&rules, r#"[{"unit": "u", "x": "0.125"}]"#);
    assert_eq!(finding(&report, "r", "u").message, "0.13 and 0.125");
}

#[test]
fn unit_key_can_be_renamed() {
    let rules = "methodology \"T\" version 1\n  unit portal key \"domain\"\ninput n: integer\nrule r require n > 0\n";
    let report = evaluate(rules, r#"[{"domain": "quangninh.gov.vn", "n": 1}]"#);
    assert_eq!(report.units[0].unit, "quangninh.gov.vn");
}

#[test]
fn a_rule_set_may_span_files_with_one_header() {
    let a =
        chiso::source::Source::new("a.chiso", "methodology \"T\" version 1\ninput n: integer\n");
    let b = chiso::source::Source::new("b.chiso", "rule r require n > 0\n");
    let rules = RuleSet::from_sources(&[a, b]).unwrap();
    assert_eq!(rules.program().rules.len(), 1);
    let c = chiso::source::Source::new("c.chiso", "methodology \"U\" version 2\n");
    let a2 = chiso::source::Source::new(
        "a.chiso",
        "methodology \"T\" version 1\ninput n: integer\nrule r require n > 0\n",
    );
    let err = RuleSet::from_sources(&[a2, c]).unwrap_err().to_string();
    assert!(
        err.contains("a rule set has one `methodology` header"),
        "{err}"
    );
    assert!(err.contains("c.chiso:1:1"), "{err}");
}

#[test]
fn vietnamese_names_work_everywhere() {
    let rules = "methodology \"Chỉ số\" version 2020\ninput số_cán_bộ: integer >= 0 \"Số cán bộ\"\nrule đủ \"Đủ cán bộ\" require số_cán_bộ >= 1 message \"{unit} thiếu cán bộ\"\n";
    let report = evaluate(rules, r#"[{"unit": "Sở Y tế", "số_cán_bộ": 0}]"#);
    let f = finding(&report, "đủ", "Sở Y tế");
    assert_eq!(
        (f.status, f.message.as_str()),
        (Status::Fail, "Sở Y tế thiếu cán bộ")
    );
}

#[test]
fn extreme_numbers_are_faults_not_crashes() {
    let rules = format!(
        "{HEADER}
input big: number
input fine: decimal
indicator doubled = big * 2
rule r require doubled > 0
rule agrees require fine ~= fine * 1
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "u", "big": "79228162514264337593543950335", "fine": "0.1234567890123456789012345678"},
            {"unit": "v", "big": "1e400", "fine": "0.5"}]"#,
    );
    assert!(
        finding(&report, "r", "u")
            .message
            .starts_with("cannot decide: number too large in `big * 2`"),
        "{}",
        finding(&report, "r", "u").message
    );
    assert_eq!(finding(&report, "agrees", "u").status, Status::Pass);
    assert_eq!(
        finding(&report, "r", "v").message,
        "cannot decide: `big` is \"1e400\", expected a number"
    );
}

#[test]
fn point_scoring_as_assessment_annexes_write_it() {
    // Category I of the ministry's scoring annex (brief §4.3): rate × maximum points, value
    // ÷ best × points, a share plus one point per application up to 5, points for a data
    // centre, and the best of two alternative ways to score it.
    let rules = format!(
        "{HEADER}
input staff_with_computer: percent
input licensed_antivirus: percent
input bandwidth_per_staff: number >= 0
input units_on_wan: percent
input apps_over_wan: integer >= 0
input has_data_centre: boolean
input server_room_standard: percent
indicator computers = staff_with_computer * 20
indicator antivirus = licensed_antivirus * 20
indicator bandwidth = (normalise bandwidth_per_staff by max) * 40
indicator wan = units_on_wan * 45 + min(apps_over_wan, 5)
indicator data_centre = max(if has_data_centre then 35 else 0, server_room_standard * 25)
score infrastructure_points = sum of computers, antivirus, bandwidth, wan, data_centre
rank infrastructure_points
"
    );
    let report = evaluate(
        &rules,
        r#"[{"unit": "Bộ A", "staff_with_computer": 95, "licensed_antivirus": 80, "bandwidth_per_staff": 10,
             "units_on_wan": 90, "apps_over_wan": 7, "has_data_centre": true, "server_room_standard": 50},
            {"unit": "Bộ B", "staff_with_computer": 100, "licensed_antivirus": 100, "bandwidth_per_staff": 20,
             "units_on_wan": 100, "apps_over_wan": 3, "has_data_centre": false, "server_room_standard": 80}]"#,
    );
    // Bộ A: 19 + 16 + 20 + (40.5 + 5) + 35 = 135.5; Bộ B: 20 + 20 + 40 + (45 + 3) + 20 = 148.
    assert_eq!(value(&report, "Bộ A", "infrastructure_points"), "135.5");
    assert_eq!(value(&report, "Bộ B", "infrastructure_points"), "148");
    assert_eq!(report.units[1].ranks["infrastructure_points"], 1);
    assert_eq!(report.units[0].ranks["infrastructure_points"], 2);
}
