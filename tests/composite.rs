//! Composite-indicator methods (issue 11): properties the independent computation in
//! `tests/independent/` cannot show (order invariance), and the fixes found comparing
//! chiso with COINr, each with the input that showed the problem.

use chiso::report::Report;
use chiso::{Dataset, RuleSet, RunOptions};

const HEADER: &str = "methodology \"Test\" version 1\n  unit unit\n";

fn rules(body: &str) -> RuleSet {
    RuleSet::from_text("test.chiso", &format!("{HEADER}{body}")).unwrap_or_else(|e| panic!("{e}"))
}

fn run(rules: &RuleSet, data: &str) -> Report {
    let data = Dataset::from_json_str("data.json", data, rules.unit_key())
        .unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&data)
}

fn value(report: &Report, unit: &str, name: &str) -> String {
    let u = report.units.iter().find(|u| u.unit == unit).unwrap();
    match u.values.get(name) {
        Some(v) => v.to_string(),
        None => format!("error: {}", u.errors[name]),
    }
}

fn check_error(body: &str) -> String {
    match RuleSet::from_text("test.chiso", &format!("{HEADER}{body}")) {
        Ok(_) => panic!("accepted:\n{body}"),
        Err(e) => e.to_string(),
    }
}

/// Every parameterised normalisation and the treatment, over data with ties, an
/// outlier and a missing value.
const METHODS: &str = "
input x: number optional
input o: number
indicator a = normalise x by minmax onto 1 .. 100
indicator b = normalise x by zscore as 100 ± 10 lower is better
indicator c = normalise x by goalposts 10 .. 30 scale 100 unclamped
indicator d = normalise x by scaled 0 .. 50 scale 100
indicator e = normalise x by distance to target 30 capped
indicator f = normalise x by distance to \"u3\" capped
indicator g = normalise x by borda ties average
indicator h = normalise x by percentile ties min lower is better
indicator t = treat o
indicator n = normalise t by minmax onto 0 .. 100
";

const UNITS: [(&str, &str, u32); 7] = [
    ("u1", "10", 1),
    ("u2", "20", 2),
    ("u3", "20", 3),
    ("u4", "40", 4),
    ("u5", "5", 100),
    ("u6", "null", 2),
    ("u7", "25", 3),
];

fn data(order: &[usize]) -> String {
    let rows: Vec<String> = order
        .iter()
        .map(|&i| {
            let (u, x, o) = UNITS[i];
            format!(r#"{{"unit": "{u}", "x": {x}, "o": {o}}}"#)
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// A unit's value of every method, in a fixed order.
fn values(report: &Report) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (u, ..) in UNITS {
        for name in ["a", "b", "c", "d", "e", "f", "g", "h", "t", "n"] {
            out.push((format!("{u}.{name}"), value(report, u, name)));
        }
    }
    out
}

#[test]
fn normalisations_and_treatment_do_not_depend_on_the_order_of_units() {
    let rules = rules(METHODS);
    let reference = values(&run(&rules, &data(&[0, 1, 2, 3, 4, 5, 6])));
    // Every rotation, and every rotation reversed: each unit at each position.
    for shift in 0..UNITS.len() {
        let mut order: Vec<usize> = (0..UNITS.len())
            .map(|i| (i + shift) % UNITS.len())
            .collect();
        assert_eq!(
            values(&run(&rules, &data(&order))),
            reference,
            "order {order:?}"
        );
        order.reverse();
        assert_eq!(
            values(&run(&rules, &data(&order))),
            reference,
            "order {order:?}"
        );
    }
    // The values themselves (spot checks; tests/independent has them all).
    let report = run(&rules, &data(&[0, 1, 2, 3, 4, 5, 6]));
    assert_eq!(value(&report, "u5", "a"), "1");
    assert_eq!(value(&report, "u4", "a"), "100");
    assert_eq!(value(&report, "u4", "c"), "150");
    assert_eq!(value(&report, "u4", "e"), "1");
    assert_eq!(value(&report, "u2", "g"), "2.5");
    assert_eq!(value(&report, "u5", "t"), "4");
    assert!(value(&report, "u6", "a").starts_with("error: `x` is missing"));
}

#[test]
fn distance_to_a_reference_unit_whose_value_is_missing_says_so() {
    let rules =
        rules("input x: number optional\nindicator d = normalise x by distance to \"u1\"\n");
    let report = run(
        &rules,
        r#"[{"unit": "u1"}, {"unit": "u2", "x": 3}, {"unit": "u3", "x": 5}]"#,
    );
    let d = value(&report, "u2", "d");
    assert!(
        d.starts_with(
            "error: the reference unit `u1` has no `x` to measure against (`x` is missing)"
        ),
        "{d}"
    );
}

#[test]
fn data_numbers_beyond_the_decimal_range_say_what_the_range_is() {
    let rules = rules("input x: number\nindicator y = x + 1\n");
    let report = run(
        &rules,
        r#"[{"unit": "a", "x": "8e28"}, {"unit": "b", "x": 1e-29}]"#,
    );
    for unit in ["a", "b"] {
        let e = value(&report, unit, "y");
        assert!(e.contains("out of the representable range"), "{e}");
        assert!(e.contains("79228162514264337593543950335"), "{e}");
        assert!(!e.contains("expected a number,"), "{e}");
    }
}

#[test]
fn power_means_take_large_and_negative_members_as_the_reference_does() {
    let rules = rules(
        "input a: number\ninput b: number
score p3 = power 3 mean of a, b
score p1 = power 1 mean of a, b
score m = mean of a, b
score p2 = power 2 mean of a, b
",
    );
    let report = run(
        &rules,
        r#"[{"unit": "big", "a": 1e15, "b": 1e15}, {"unit": "neg", "a": -3, "b": 5}, {"unit": "cube", "a": -3, "b": 1}]"#,
    );
    assert_eq!(value(&report, "big", "p3"), "1000000000000000");
    assert_eq!(value(&report, "neg", "p1"), value(&report, "neg", "m"));
    assert_eq!(value(&report, "neg", "p1"), "1");
    // ((9 + 25) / 2)^(1/2) = √17
    assert!(value(&report, "neg", "p2").starts_with("4.12310562561766054982"));
    // (−27 + 1) / 2 < 0 has no real cube root: an error that says so, not a number.
    assert!(value(&report, "cube", "p3").contains("is negative (-13)"));
}

#[test]
fn an_all_missing_row_names_every_member() {
    let rules = rules(
        "input a: number optional\ninput b: number optional\ninput c: number optional
score s = mean of a, b, c
  missing exclude
",
    );
    let report = run(
        &rules,
        r#"[{"unit": "empty"}, {"unit": "full", "a": 1, "b": 2, "c": 3}]"#,
    );
    assert_eq!(
        value(&report, "empty", "s"),
        "error: every member is missing: `a` (`a` is missing), `b` (`b` is missing), `c` (`c` is missing)"
    );
}

#[test]
fn an_unranked_unit_is_told_why() {
    let rules = rules(
        "input x: number optional\ninput region: text
rank x
rank x by region as x_in_region
",
    );
    let report = run(
        &rules,
        r#"[{"unit": "a", "x": 1, "region": "north"}, {"unit": "b", "region": "north"},
            {"unit": "c", "x": 3, "region": "south"}, {"unit": "d", "x": 2, "region": "north"}]"#,
    );
    let b = report.units.iter().find(|u| u.unit == "b").unwrap();
    assert!(b.ranks.is_empty());
    assert_eq!(b.notes["rank x"], "not ranked: `x` is missing");
    assert_eq!(b.notes["rank x_in_region"], "not ranked: `x` is missing");
    let rank = |u: &str, k: &str| report.units.iter().find(|r| r.unit == u).unwrap().ranks[k];
    assert_eq!((rank("c", "x"), rank("d", "x"), rank("a", "x")), (1, 2, 3));
    assert_eq!(
        (
            rank("c", "x_in_region"),
            rank("d", "x_in_region"),
            rank("a", "x_in_region")
        ),
        (1, 1, 2)
    );
}

#[test]
fn relative_weights_are_divided_by_their_total_and_shown_normalised() {
    let rules = rules(
        "input a: number\ninput b: number\ninput c: number
score s = mean of a, b, c
  weights relative 1, 2, 3
",
    );
    let data = Dataset::from_json_str(
        "data.json",
        r#"[{"unit": "u", "a": 6, "b": 12, "c": 18}]"#,
        rules.unit_key(),
    )
    .unwrap();
    let report = rules
        .evaluate_with(
            &data,
            &RunOptions {
                explain: Some("u"),
                ..Default::default()
            },
        )
        .unwrap();
    // (6 + 24 + 54) / 6 = 14
    assert_eq!(value(&report, "u", "s"), "14");
    let explain = serde_json::to_value(report.explain.as_ref().unwrap()).unwrap();
    let text = explain.to_string();
    assert!(text.contains("0.1666666666666666666666666667"), "{text}");
    assert!(text.contains("0.3333333333333333333333333333"), "{text}");
    assert!(
        text.contains("\"weight\":0.5") || text.contains("\"weight\":\"0.5\""),
        "{text}"
    );
}

#[test]
fn relative_weights_that_cannot_be_normalised_are_refused() {
    let zero = check_error(
        "input a: number\ninput b: number\nscore s = mean of a, b\n  weights relative 0, 0\n",
    );
    assert!(zero.contains("add up to 0"), "{zero}");
    let count = check_error(
        "input a: number\ninput b: number\nscore s = mean of a, b\n  weights relative 1, 2, 3\n",
    );
    assert!(
        count.contains("3 relative weights for 2 members"),
        "{count}"
    );
    let twice = check_error(
        "input a: number\ninput b: number
score s = weighted mean of a weight 0.5, b weight 0.5
  weights relative 1, 1
",
    );
    assert!(twice.contains("has weights twice"), "{twice}");
    let members = check_error(
        "input a: number\ninput b: number\nscore s = mean of a, b\n  missing exclude at least 150% of members\n",
    );
    assert!(members.contains("share of members required"), "{members}");
}

#[test]
fn methods_with_meaningless_parameters_are_refused() {
    for (body, says) in [
        ("normalise x by minmax onto 5 .. 5", "maps every unit to 5"),
        ("normalise x by zscore as 100 ± 0", "must be above 0"),
        ("normalise x by scaled 50 .. 0", "is empty"),
        ("normalise x by goalposts 30 .. 10 scale 100", "is empty"),
        ("treat x within skew 0 kurtosis 3.5", "must be above 0"),
    ] {
        let e = check_error(&format!("input x: number\nindicator y = {body}\n"));
        assert!(e.contains(says), "{body}: {e}");
    }
}

#[test]
fn the_formatter_keeps_every_new_construct() {
    let text = format!(
        "{HEADER}{METHODS}input r: text
score s = mean of a, c
  missing exclude at least 50% of members
  weights relative 1, 3
rank s by r
"
    );
    let source = chiso::source::Source::new("t.chiso", text);
    let once = chiso::format::format_source(&source).unwrap();
    for piece in [
        "minmax onto 1 .. 100",
        "zscore as 100 ± 10 lower is better",
        "goalposts 10 .. 30 scale 100 unclamped",
        "scaled 0 .. 50 scale 100",
        "distance to target 30 capped",
        "distance to \"u3\" capped",
        "borda ties average",
        "percentile ties min lower is better",
        "indicator t = treat o",
        "weights relative 1, 3",
        "at least 50% of members",
        "rank s by r",
    ] {
        assert!(once.contains(piece), "{piece} lost:\n{once}");
    }
    let again =
        chiso::format::format_source(&chiso::source::Source::new("t.chiso", once.clone())).unwrap();
    assert_eq!(once, again, "formatting is a fixed point");
}
