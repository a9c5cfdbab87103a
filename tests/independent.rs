//! Every normalisation and aggregation method against values computed without chiso:
//! `tests/independent/compute.py` implements the formulas the README states in 50-digit
//! decimal arithmetic and wrote `tests/independent/expected.json` (regenerate with
//! `python3 tests/independent/compute.py > tests/independent/expected.json`).
//! The fixture has ties, zeros, a constant column and a missing value.

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
    assert_eq!(compared, 72 * 6, "every indicator and score of every unit");
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
    // A misses nothing; its only notes say how `treat` changed its values.
    assert_eq!(
        a.notes.keys().collect::<Vec<_>>(),
        ["l_t_log", "l_t_none"],
        "{:?}",
        a.notes
    );
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
