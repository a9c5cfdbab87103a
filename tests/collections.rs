//! Collections: list and record inputs, aggregates with `where`, membership, and evidence
//! that names what is missing and which members fail; bad nested data names its path.

use chiso::{Dataset, Report, RuleSet, Status};

fn run(data: &str) -> Report {
    let rules = RuleSet::load("tests/collections/portal.chiso").unwrap_or_else(|e| panic!("{e}"));
    let data = Dataset::from_json_str("portals.json", data, rules.unit_key()).unwrap();
    rules.evaluate(&data)
}

fn sample() -> Report {
    run(&std::fs::read_to_string("tests/collections/portals.json").unwrap())
}

fn finding<'a>(r: &'a Report, rule: &str, unit: &str) -> &'a chiso::report::Finding {
    r.findings
        .iter()
        .find(|f| f.rule == rule && f.unit == unit)
        .unwrap()
}

#[test]
fn aggregates_over_records_and_values() {
    let r = sample();
    let a = &r.units[0];
    assert_eq!(a.values["level_3_4"].to_string(), "2");
    assert_eq!(a.values["share_4"].to_string(), "0.5");
    assert_eq!(a.values["mean_level"].to_string(), "3.5");
    assert_eq!(a.values["top"].to_string(), "4");
    assert_eq!(a.values["gaps"], serde_json::json!(["direction", "laws"]));
    assert_eq!(finding(&r, "some_news", "a.gov.vn").status, Status::Pass);
    assert_eq!(finding(&r, "some_news", "c.gov.vn").status, Status::Fail);
}

#[test]
fn evidence_names_missing_items_and_failing_members() {
    let r = sample();
    let f = finding(&r, "mandatory_sections", "a.gov.vn");
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.evidence["missing from sections"],
        serde_json::json!(["direction", "laws"])
    );
    let f = finding(&r, "level_2_has_forms", "a.gov.vn");
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.evidence["services failing"], serde_json::json!(["S2"]));
    assert!(
        !finding(&r, "mandatory_sections", "b.gov.vn")
            .evidence
            .contains_key("missing from sections")
    );
}

#[test]
fn bad_nested_data_names_its_path() {
    let r = sample();
    let c = r.units.iter().find(|u| u.unit == "c.gov.vn").unwrap();
    assert_eq!(
        c.errors["level_3_4"],
        "`services` (field `services[0].level`) is \"three\", expected a whole number"
    );
    assert_eq!(
        finding(&r, "level_2_has_forms", "c.gov.vn").status,
        Status::Error
    );
    let r = run(r#"[{"unit": "x", "sections": "intro", "services": [{"id": "S1", "level": 1}]}]"#);
    let x = &r.units[0];
    assert_eq!(
        x.errors["gaps"],
        "`sections` is \"intro\", expected a list (a JSON array)"
    );
    assert_eq!(
        x.errors["level_3_4"],
        "`services` (field `services[0].has_forms`) is missing"
    );
    let r = run(r#"[{"unit": "y", "sections": [], "services": [7]}]"#);
    assert_eq!(
        r.units[0].errors["top"],
        "`services` (field `services[0]`) is 7, expected a record (a JSON object)"
    );
    // An empty collection has no mean and no share, but counts to 0.
    let r = run(r#"[{"unit": "z", "sections": [], "services": []}]"#);
    assert_eq!(r.units[0].values["level_3_4"].to_string(), "0");
    assert!(r.units[0].errors["share_4"].starts_with("no elements to aggregate"));
}

#[test]
fn duplicate_ids_are_refused_and_duplicates_are_listed() {
    let r = run(
        r#"[{"unit": "d", "sections": ["news", "news", "intro", "news", "intro"], "services": [
            {"id": "S1", "level": 2, "has_forms": true},
            {"id": "S2", "level": 3, "has_forms": true},
            {"id": "S1", "level": 4, "has_forms": true}]}]"#,
    );
    assert_eq!(
        r.units[0].errors["level_3_4"],
        "`services` (field `services[2].id`) is \"S1\", expected a unique id (services[0] has the same one)"
    );
    assert_eq!(finding(&r, "level_2_has_forms", "d").status, Status::Error);
    assert_eq!(
        r.units[0].values["repeated_sections"],
        serde_json::json!(["news", "intro"])
    );
    let r = sample();
    assert_eq!(
        r.units[0].values["repeated_sections"],
        serde_json::json!([])
    );
}

#[test]
fn sum_of_a_number_is_still_the_built_in() {
    let rules = RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput a: number\nindicator s = sum(a)\nindicator m = max(a)\n").unwrap();
    let data = Dataset::from_json_str("d.json", r#"[{"unit": "u", "a": 3}]"#, "unit").unwrap();
    let r = rules.evaluate(&data);
    assert_eq!(r.units[0].values["s"].to_string(), "3");
    assert_eq!(r.units[0].values["m"].to_string(), "3");
}

#[test]
fn dates_weeks_gaps_and_working_days() {
    let rules = RuleSet::load("tests/collections/posts.chiso").unwrap_or_else(|e| panic!("{e}"));
    let data = rules.load_data(&["tests/collections/posts.json"]).unwrap();
    let r = rules.evaluate(&data);
    let p = &r.units[0];
    assert_eq!(p.values["last_post"], serde_json::json!("2020-01-24"));
    // Posts on Jan 6 and 8, 15, 20 and 24: only the week of Monday Jan 13 has fewer than 2.
    assert_eq!(p.values["thin_weeks"], serde_json::json!(["2020-01-13"]));
    assert_eq!(p.values["gap"].to_string(), "7");
    // Dec 31, Jan 2 and Jan 3 (Jan 1 is a declared holiday).
    assert_eq!(p.values["working_days"].to_string(), "3");
    // Published within the 7 days before the report date (Jan 26): Jan 20 and 24.
    assert_eq!(p.values["recent"].to_string(), "2");
    assert_eq!(r.findings[0].status, Status::Pass);
    // A date that is not one is an error naming field and value.
    let bad = Dataset::from_json_str(
        "bad.json",
        r#"[{"unit": "q", "report_date": "2020-02-30", "deadline": "2020-01-03", "posts": [{"title": "a", "published": "2020-01-06"}]}]"#,
        "unit",
    )
    .unwrap();
    let r = rules.evaluate(&bad);
    assert_eq!(
        r.units[0].errors["recent"],
        "`report_date` is \"2020-02-30\", expected a date such as \"2022-08-15\""
    );
    // Deep inside a list, the path says which member and field.
    let bad = Dataset::from_json_str(
        "bad.json",
        r#"[{"unit": "q", "report_date": "2020-01-26", "deadline": "2020-01-03", "posts": [{"title": "a", "published": "2020-01-06"}, {"title": "b", "published": "6/1/2020"}]}]"#,
        "unit",
    )
    .unwrap();
    let r = rules.evaluate(&bad);
    assert_eq!(
        r.units[0].errors["thin_weeks"],
        "`posts` (field `posts[1].published`) is \"6/1/2020\", expected a date such as \"2022-08-15\""
    );
    assert_eq!(r.findings[0].status, Status::Error);
}

#[test]
fn targets_report_their_gap_and_the_straight_line() {
    let rules = RuleSet::load("tests/collections/targets.chiso").unwrap_or_else(|e| panic!("{e}"));
    for result in chiso::testing::run(&rules) {
        assert!(result.passed(), "{result}");
    }
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "behind", "report_date": "2022-12-31", "level_4_share": 20, "portal_items_share": 90}]"#,
        "unit",
    )
    .unwrap();
    let r = rules.evaluate(&data);
    let f = r.findings.iter().find(|f| f.rule == "level_4").unwrap();
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.message,
        "behind: behind the straight line to the 2025 target"
    );
    assert_eq!(f.evidence["gap to target"].to_string(), "0.3");
    assert_eq!(f.evidence["expected in 2022"].to_string(), "0.3");
    let p = r
        .findings
        .iter()
        .find(|f| f.rule == "portal_content")
        .unwrap();
    assert_eq!(
        p.message,
        "does not apply: not in force on 2022-12-31: in force from 2011-10-01 until 2022-08-15"
    );
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "after", "report_date": "2020-08-01", "level_4_share": 20, "soc_in_operation": false}]"#,
        "unit",
    )
    .unwrap();
    let r = rules.evaluate(&data);
    let f = r.findings.iter().find(|f| f.rule == "by_july").unwrap();
    assert_eq!(
        (f.status, f.message.as_str()),
        (Status::Fail, "after: target for 2020-07-31 not met")
    );
    assert_eq!(f.evidence["deadline"].to_string(), "\"2020-07-31\"");
    assert_eq!(f.evidence["gap to target"].to_string(), "0.1");
    let soc = r.findings.iter().find(|f| f.rule == "soc").unwrap();
    assert_eq!(
        (soc.status, soc.message.as_str()),
        (
            Status::Skip,
            "does not apply: target date 2020-12-31 not reached (2020-08-01)"
        )
    );
}
