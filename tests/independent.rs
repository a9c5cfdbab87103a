//! Every normalisation and aggregation method against values computed without chiso:
//! `tests/independent/compute.py` implements the formulas the README states in 50-digit
//! decimal arithmetic and wrote `tests/independent/expected.json` (regenerate with
//! `python3 tests/independent/compute.py > tests/independent/expected.json`).
//! The fixture has ties, zeros, a constant column and a missing value. Copeland and
//! dominance scores are computed there with COINr's `outrankMatrix` and `a_copeland` in
//! exact fractions (and, with missing values, with the rule chiso documents).

use std::path::PathBuf;
use std::str::FromStr;

use chiso::RuleSet;
use rust_decimal::Decimal;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/independent")
}

/// Exact methods agree to the last of chiso's 28 digits (give or take rounding of the
/// last digit); exp/ln-based values (geometric and power means, the log transform of
/// `treat`) to 1e-18.
fn tolerance(name: &str) -> Decimal {
    if name.contains("geo") || name.contains("pow") || name.contains("log") {
        Decimal::new(1, 18)
    } else {
        Decimal::new(1, 24)
    }
}

#[test]
fn every_method_matches_the_independent_computation() {
    let rules = RuleSet::load(dir().join("methods.chiso")).unwrap_or_else(|e| panic!("{e}"));
    let data = rules.load_data(&[dir().join("cohort.json")]).unwrap();
    let report = rules.evaluate(&data);
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    let mut compared = 0;
    for (name, per_unit) in expected["values"].as_object().unwrap() {
        for (unit, want) in per_unit.as_object().unwrap() {
            let u = report.units.iter().find(|u| &u.unit == unit).unwrap();
            match want.as_str() {
                None => assert!(
                    u.errors.contains_key(name),
                    "{name} of {unit} should be an error, chiso gives {:?}",
                    u.values.get(name)
                ),
                Some(want) => {
                    let got = u
                        .values
                        .get(name)
                        .unwrap_or_else(|| panic!("{name} of {unit}: {:?}", u.errors.get(name)));
                    let got = Decimal::from_str(&got.to_string()).unwrap();
                    // Python writes 30 decimals; keep 26, which a decimal can always hold.
                    let (int, frac) = want.split_once('.').unwrap_or((want, ""));
                    let want_d =
                        Decimal::from_str(&format!("{int}.{}", &frac[..frac.len().min(26)]))
                            .unwrap();
                    assert!(
                        (got - want_d).abs() <= tolerance(name),
                        "{name} of {unit}: chiso {got}, independent {want}"
                    );
                }
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 85 * 6, "every indicator and score of every unit");
    for (key, per_unit) in expected["ranks"].as_object().unwrap() {
        for (unit, want) in per_unit.as_object().unwrap() {
            let u = report.units.iter().find(|u| &u.unit == unit).unwrap();
            assert_eq!(
                u.ranks.get(key).map(|r| *r as u64),
                want.as_u64(),
                "rank {key} of {unit}"
            );
        }
    }
}

#[test]
fn missing_policies_are_reported_per_unit() {
    let rules = RuleSet::load(dir().join("methods.chiso")).unwrap();
    let data = rules.load_data(&[dir().join("cohort.json")]).unwrap();
    let report = rules.evaluate(&data);
    let b = report.units.iter().find(|u| u.unit == "B").unwrap();
    assert_eq!(
        b.notes["s_excl"],
        "missing exclude: `m_max` left out, the other members re-weighted"
    );
    assert_eq!(b.notes["s_zero"], "missing zero: `m_max` counted as 0");
    assert!(
        b.errors["s_excl_required"]
            .starts_with("only 66.7% of the members' weight is present, at least 80% is required"),
        "{}",
        b.errors["s_excl_required"]
    );
    assert_eq!(b.errors["s_err"], "`m` is missing");
    assert!(
        b.errors["c_minmax"]
            .starts_with("every unit of the cohort has `c` = 5: min–max has no spread")
    );
    let a = report.units.iter().find(|u| u.unit == "A").unwrap();
    // A misses nothing; its notes say how `treat` changed its values, and that B (missing
    // `m`) is not among the units its Copeland score compares it with.
    assert_eq!(
        a.notes.keys().collect::<Vec<_>>(),
        ["l_t_log", "l_t_none", "s_copeland_missing"],
        "{:?}",
        a.notes
    );
    assert_eq!(
        a.notes["s_copeland_missing"],
        "copeland: compared with the 4 other units that have the members; left out: `B`"
    );
    assert_eq!(
        b.notes["s_copeland_excl"],
        "missing exclude: `m` left out, other units compared with it over the members both have"
    );
    assert_eq!(b.errors["s_copeland_missing"], "`m` is missing");
    assert_eq!(
        a.notes["l_t_log"],
        "log-transformed, ln(x − min + 1% of the range): skew 2.16, kurtosis 4.699 \
         (|skew| < 2 or kurtosis < 3.5 passes); winsorising 0 points left skew 2.16, kurtosis 4.699"
    );
    assert!(a.notes["l_t_none"].starts_with("not treated: skew 2.16, kurtosis 4.699"));
    let e = report.units.iter().find(|u| u.unit == "E").unwrap();
    assert_eq!(
        e.notes["o_t"],
        "winsorised from 100 to 4: skew 2.446, kurtosis 5.986 before (|skew| < 2 or kurtosis < 3.5 \
         passes); 1 point winsorised, skew -0.075, kurtosis -1.55 after"
    );
    // Units whose value the treatment left alone get no note.
    assert!(!a.notes.contains_key("o_t") && !a.notes.contains_key("l_t"));
    assert!(
        b.errors["s_members"].starts_with(
            "only 2 of the 3 members are present (66.7%), at least 70% of the members are \
             required in `mean of x_max, m_max, z_max`"
        ),
        "{}",
        b.errors["s_members"]
    );
}

/// COINr's `nDominant` and `fracDominant` of every Copeland and dominance score: the sum of
/// the units' dominance counts, and what `--explain` reports for the cohort.
#[test]
fn dominant_pairs_match_the_independent_outranking_matrix() {
    let rules = RuleSet::load(dir().join("methods.chiso")).unwrap_or_else(|e| panic!("{e}"));
    let data = rules.load_data(&[dir().join("cohort.json")]).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("expected.json")).unwrap())
            .unwrap();
    let outranking = expected["outranking"].as_object().unwrap();
    assert_eq!(outranking.len(), 12);
    let report = rules.evaluate(&data);
    let options = chiso::RunOptions {
        explain: Some("A"),
        ..Default::default()
    };
    let explained = rules.evaluate_with(&data, &options).unwrap();
    let how = serde_json::to_string(&explained.explain).unwrap();
    for (name, want) in outranking {
        if name.starts_with("s_dom") && !name.contains("share") {
            let total: u64 = report
                .units
                .iter()
                .filter_map(|u| u.values.get(name))
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(total, want["nDominant"].as_u64().unwrap(), "{name}");
        }
        if name.starts_with("s_dom") {
            let frac = want["fracDominant"].as_str().unwrap();
            let frac = Decimal::from_str(&frac[..30])
                .unwrap()
                .round_dp(6)
                .normalize();
            let text = format!(
                "COINr nDominant {}, fracDominant {frac}",
                want["nDominant"].as_u64().unwrap()
            );
            assert!(how.contains(&text), "{name}: {text} not in {how}");
        }
    }
}
