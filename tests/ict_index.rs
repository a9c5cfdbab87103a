//! The Vietnam ICT Index 2019 rule set over the synthetic 63-province dataset: ranking,
//! the documented aggregation arithmetic, explanations, year-over-year changes and rank
//! sensitivity.

use std::path::PathBuf;
use std::str::FromStr;

use chiso::report::compare::PreviousYear;
use chiso::{Report, RuleSet, RunOptions};
use rust_decimal::Decimal;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rules() -> RuleSet {
    RuleSet::load(root().join("rules/ict-index/2019")).unwrap_or_else(|e| panic!("{e}"))
}

fn run(options: &RunOptions<'_>) -> Report {
    let rules = rules();
    let data = rules
        .load_data(&[root().join("examples/ict-index/provinces-2019.json")])
        .unwrap();
    rules.evaluate_with(&data, options).unwrap()
}

fn value(report: &Report, unit: &str, name: &str) -> Decimal {
    let u = report.units.iter().find(|u| u.unit == unit).unwrap();
    Decimal::from_str(&u.values[name].to_string()).unwrap()
}

const SUB_PILLARS: [&str; 6] = [
    "infrastructure_social",
    "infrastructure_state",
    "human_resources_social",
    "human_resources_state",
    "application_agencies",
    "application_online_services",
];

#[test]
fn ranks_all_63_provinces_with_competition_ranking() {
    let report = run(&RunOptions::default());
    assert_eq!(report.units.len(), 63);
    let mut ranks: Vec<usize> = report.units.iter().map(|u| u.ranks["ict_index"]).collect();
    ranks.sort_unstable();
    // Competition ranking: rank r is held by units that have exactly r − 1 units above them.
    for (i, r) in ranks.iter().enumerate() {
        let above = ranks.iter().filter(|x| *x < r).count();
        assert_eq!(*r, above + 1, "rank {r} at position {i}");
    }
    // Only the two indicators whose input was not reported have no value.
    let errors: Vec<(&str, &str)> = report
        .units
        .iter()
        .flat_map(|u| u.errors.keys().map(move |k| (u.unit.as_str(), k.as_str())))
        .collect();
    assert_eq!(
        errors,
        [
            ("Kon Tum", "n_households_computer"),
            ("Lai Châu", "n_bandwidth")
        ]
    );
}

#[test]
fn aggregation_follows_the_verified_arithmetic() {
    let report = run(&RunOptions::default());
    for sub in SUB_PILLARS {
        // Each sub-pillar is rescaled so that its best province scores exactly 1.
        let best = report
            .units
            .iter()
            .map(|u| value(&report, &u.unit, sub))
            .max()
            .unwrap();
        assert_eq!(best, Decimal::ONE, "{sub}");
    }
    for u in &report.units {
        let v = |n| value(&report, &u.unit, n);
        let two = Decimal::from(2);
        assert_eq!(
            v("infrastructure"),
            (v("infrastructure_social") + v("infrastructure_state")) / two
        );
        assert_eq!(
            v("human_resources"),
            (v("human_resources_social") + v("human_resources_state")) / two
        );
        assert_eq!(
            v("application"),
            (v("application_agencies") + v("application_online_services")) / two
        );
        let index =
            (v("infrastructure") + v("human_resources") + v("application")) / Decimal::from(3);
        assert!(
            (v("ict_index") - index).abs() < Decimal::new(1, 26),
            "{}",
            u.unit
        );
    }
    // Pillars and the index are not rescaled.
    let best_index = report
        .units
        .iter()
        .map(|u| value(&report, &u.unit, "ict_index"))
        .max()
        .unwrap();
    assert!(best_index < Decimal::ONE);
}

#[test]
fn missing_indicators_are_excluded_and_noted() {
    let report = run(&RunOptions::default());
    let kon_tum = report.units.iter().find(|u| u.unit == "Kon Tum").unwrap();
    assert_eq!(
        kon_tum.notes["infrastructure_social"],
        "missing exclude: `n_households_computer` left out, the other members re-weighted"
    );
    let lai_chau = report.units.iter().find(|u| u.unit == "Lai Châu").unwrap();
    assert!(lai_chau.notes["infrastructure_state"].contains("`n_bandwidth` left out"));
}

#[test]
fn explain_shows_the_tree_with_weights_and_contributions() {
    let report = run(&RunOptions {
        explain: Some("Quảng Ninh"),
        ..RunOptions::default()
    });
    let e = report.explain.as_ref().unwrap();
    assert_eq!(e.unit, "Quảng Ninh");
    let index = e.nodes.iter().find(|n| n.name == "ict_index").unwrap();
    assert_eq!(index.children.len(), 3);
    let contributions: Decimal = index
        .children
        .iter()
        .map(|c| Decimal::from_str(&c.contribution.as_ref().unwrap().to_string()).unwrap())
        .sum();
    assert!(
        (contributions - value(&report, "Quảng Ninh", "ict_index")).abs() < Decimal::new(1, 25)
    );
    let infra = &index.children[0];
    let social = &infra.children[0];
    assert_eq!(social.name, "infrastructure_social");
    assert_eq!(social.children.len(), 7);
    assert!(
        social
            .how
            .as_ref()
            .unwrap()
            .contains("then normalise by max")
    );
    let phones = &social.children[0];
    assert_eq!(phones.children[0].name, "fixed_phones_per_100");
    assert_eq!(phones.children[0].value.to_string(), "11.62");
    let text = report.to_text();
    let start = text.find("Explanation for Quảng Ninh").unwrap();
    insta::assert_snapshot!("ict_index_explain_quang_ninh", &text[start..]);
}

#[test]
fn explaining_an_unknown_unit_suggests_the_closest() {
    let rules = rules();
    let data = rules
        .load_data(&[root().join("examples/ict-index/provinces-2019.json")])
        .unwrap();
    let err = rules
        .evaluate_with(
            &data,
            &RunOptions {
                explain: Some("Quang Ninh"),
                ..RunOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no unit `Quang Ninh` in the data; did you mean `Quảng Ninh`?"
    );
}

#[test]
fn previous_year_from_data_and_from_a_report_agree() {
    let rules = rules();
    let from_data = rules
        .load_previous(&root().join("examples/ict-index/provinces-2018.json"))
        .unwrap();
    let data_2018 = rules
        .load_data(&[root().join("examples/ict-index/provinces-2018.json")])
        .unwrap();
    let report_2018 = rules.evaluate(&data_2018).to_json();
    let from_report = PreviousYear::from_report_json(&report_2018).unwrap();
    assert_eq!(from_data, from_report);
    let report = run(&RunOptions {
        previous: Some(&from_data),
        ..RunOptions::default()
    });
    let qn = report
        .units
        .iter()
        .find(|u| u.unit == "Quảng Ninh")
        .unwrap();
    let change = &qn.changes["ict_index"];
    let now = value(&report, "Quảng Ninh", "ict_index");
    let before = Decimal::from_str(&change.previous.to_string()).unwrap();
    assert_eq!(
        Decimal::from_str(&change.points.to_string()).unwrap(),
        now - before
    );
    let percent = Decimal::from_str(&change.percent.as_ref().unwrap().to_string()).unwrap();
    assert!((percent - (now - before) * Decimal::ONE_HUNDRED / before).abs() < Decimal::new(1, 24));
    assert_eq!(
        change.places,
        Some(change.previous_rank.unwrap() as i64 - qn.ranks["ict_index"] as i64)
    );
}

#[test]
fn sensitivity_is_deterministic_and_brackets_the_nominal_rank() {
    let options = RunOptions {
        sensitivity: Some((50, 7)),
        ..RunOptions::default()
    };
    let a = run(&options).sensitivity.unwrap();
    let b = run(&options).sensitivity.unwrap();
    assert_eq!(a, b, "same seed, same result");
    let other = run(&RunOptions {
        sensitivity: Some((50, 8)),
        ..RunOptions::default()
    })
    .sensitivity
    .unwrap();
    assert_ne!(a, other, "another seed draws other perturbations");
    let spreads = &a.ranks["ict_index"];
    assert_eq!(spreads.len(), 63);
    for s in spreads {
        assert!(s.p5 <= s.median && s.median <= s.p95, "{s:?}");
    }
    // Perturbations move some ranks.
    assert!(spreads.iter().any(|s| s.p5 != s.p95));
}

/// Outlier treatment (COINr `Treat`) over the shipped 2019 sample: the rule of
/// `rules/ict-index/2019/treatment.chiso` passes for every province, and a variant of the
/// methodology that normalises the treated columns gives the same values and ranks.
#[test]
fn outlier_treatment_changes_nothing_for_the_shipped_data() {
    let report = run(&RunOptions::default());
    let findings: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "outlier_treatment_changes_nothing")
        .collect();
    assert_eq!(findings.len(), 63);
    assert!(
        findings.iter().all(|f| f.status == chiso::Status::Pass),
        "{:?}",
        findings
            .iter()
            .filter(|f| f.status != chiso::Status::Pass)
            .map(|f| &f.unit)
            .collect::<Vec<_>>()
    );
    // The treated variant: every `normalise x by max` normalises `treat x` instead.
    let mut variant = format!(
        "methodology \"ICT treated\" version 2019\n  unit province\n  extends {:?}\n",
        root().join("rules/ict-index/2019").display().to_string()
    );
    let mut replaced = 0;
    for item in rules().items() {
        let chiso::parse::ast::Item::Indicator(ind) = item else {
            continue;
        };
        let chiso::parse::ast::ExprKind::Normalise(n) = &ind.formula.kind else {
            continue;
        };
        let (name, column) = (&ind.name.name, &n.column.name);
        variant.push_str(&format!(
            "indicator t_{column} = treat {column}\nreplace indicator {name} = normalise t_{column} by max\n"
        ));
        replaced += 1;
    }
    assert_eq!(replaced, 27, "every raw indicator");
    let dir = std::env::temp_dir().join(format!("chiso-ict-treated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("treated.chiso"), variant).unwrap();
    // The variant lives outside the repository and names the shipped rule set by its
    // absolute path, which only a program that allows it lets a rule file read.
    let treated = RuleSet::builder()
        .file_access(chiso::FileAccess::Anywhere)
        .load(dir.join("treated.chiso"))
        .unwrap_or_else(|e| panic!("{e}"));
    let data = treated
        .load_data(&[root().join("examples/ict-index/provinces-2019.json")])
        .unwrap();
    let with_treatment = treated.evaluate(&data);
    std::fs::remove_dir_all(&dir).ok();
    for (plain, treated) in report.units.iter().zip(&with_treatment.units) {
        assert_eq!(plain.unit, treated.unit);
        assert_eq!(plain.ranks, treated.ranks, "{}", plain.unit);
        for name in SUB_PILLARS.iter().chain(&["ict_index"]) {
            assert_eq!(
                plain.values.get(*name),
                treated.values.get(*name),
                "{name} of {}",
                plain.unit
            );
        }
        // The treatment says, per province, that it left the column alone (no note).
        assert!(
            !treated.notes.keys().any(|k| k.starts_with("t_")),
            "{:?}",
            treated.notes
        );
    }
}
