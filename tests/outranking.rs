//! Copeland and dominance scores (COINr `a_copeland`, `outrankMatrix`): properties the
//! independent computation in `tests/independent/` cannot show — the scores do not depend
//! on the order of the units, with missing values under every policy (COINr's do) — and
//! weights read from a file.

use std::path::PathBuf;

use chiso::report::Report;
use chiso::{Dataset, RuleSet};

const HEADER: &str = "methodology \"Test\" version 2019\n  unit unit\n";

/// Every outranking score under every missing-data policy, with weights.
const SCORES: &str = "
input a: number optional
input b: number optional
input c: number optional
input d: number optional
score cop_error = copeland of a, b, c, d
score cop_exclude = copeland of a, b, c, d
  missing exclude
score cop_half = copeland of a, b, c, d
  missing exclude at least 50% of members
  weights relative 1, 2, 3, 4
score cop_zero = copeland of a, b, c, d
  missing zero
score dom_exclude = dominance count of a, b, c, d
  missing exclude at least 60% of weight
  weights relative 3, 1, 1, 0
score share_zero = dominance share of a, b, c, d
  missing zero
score share_exclude = weighted dominance share of a weight 0.4, b weight 0.3, c weight 0.2, d weight 0.1
  missing exclude
";

const NAMES: [&str; 7] = [
    "cop_error",
    "cop_exclude",
    "cop_half",
    "cop_zero",
    "dom_exclude",
    "share_zero",
    "share_exclude",
];

fn rules(body: &str) -> RuleSet {
    RuleSet::from_text("test.chiso", &format!("{HEADER}{body}")).unwrap_or_else(|e| panic!("{e}"))
}

/// A small deterministic generator (xorshift), so the generated cases are the same on
/// every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Units with values from a small range (so ties are common), about one value in five
/// missing.
fn generate(rng: &mut Rng, units: usize) -> Vec<String> {
    (0..units)
        .map(|u| {
            let mut fields = Vec::new();
            for f in ["a", "b", "c", "d"] {
                if rng.below(5) != 0 {
                    fields.push(format!(r#""{f}": {}"#, rng.below(4)));
                }
            }
            let sep = if fields.is_empty() { "" } else { ", " };
            format!(r#"{{"unit": "u{u}"{sep}{}}}"#, fields.join(", "))
        })
        .collect()
}

fn run(rules: &RuleSet, rows: &[&String]) -> Report {
    let text = format!(
        "[{}]",
        rows.iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let data = Dataset::from_json_str("data.json", &text, rules.unit_key())
        .unwrap_or_else(|e| panic!("{e}"));
    rules.evaluate(&data)
}

/// Every unit's every score (value or error) and notes, by unit name.
fn results(report: &Report) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report
        .units
        .iter()
        .flat_map(|u| {
            NAMES.iter().map(move |n| {
                let v = match u.values.get(*n) {
                    Some(v) => v.to_string(),
                    None => format!("error: {}", u.errors[*n]),
                };
                (format!("{}.{n}", u.unit), v)
            })
        })
        .chain(report.units.iter().flat_map(|u| {
            u.notes
                .iter()
                .map(move |(k, v)| (format!("{}.note {k}", u.unit), v.clone()))
        }))
        .collect();
    out.sort();
    out
}

#[test]
fn copeland_and_dominance_do_not_depend_on_the_order_of_units() {
    let rules = rules(SCORES);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..40 {
        let units = 2 + (case % 9);
        let rows = generate(&mut rng, units);
        let in_order: Vec<&String> = rows.iter().collect();
        let reference = run(&rules, &in_order);
        let expected = results(&reference);
        // Reversed, and three shuffles.
        let mut orders = vec![in_order.iter().rev().copied().collect::<Vec<_>>()];
        for _ in 0..3 {
            let mut order = in_order.clone();
            for i in (1..order.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                order.swap(i, j);
            }
            orders.push(order);
        }
        for order in orders {
            assert_eq!(
                results(&run(&rules, &order)),
                expected,
                "case {case}: {rows:?}"
            );
        }
        check_invariants(&reference, case);
    }
}

/// Wins and losses cancel over the cohort; a dominance share lies in [0, 1].
fn check_invariants(report: &Report, case: usize) {
    for name in ["cop_error", "cop_exclude", "cop_half", "cop_zero"] {
        let total: i64 = report
            .units
            .iter()
            .filter_map(|u| u.values.get(name))
            .map(|v| v.to_string().parse::<i64>().unwrap())
            .sum();
        assert_eq!(total, 0, "case {case}: {name} sums to {total}");
    }
    for name in ["share_zero", "share_exclude"] {
        for u in &report.units {
            if let Some(v) = u.values.get(name) {
                let v: f64 = v.to_string().parse().unwrap();
                assert!((0.0..=1.0).contains(&v), "case {case}: {name} = {v}");
            }
        }
    }
}

#[test]
fn a_unit_missing_a_member_is_left_out_under_missing_error_and_others_are_told() {
    let rules = rules(SCORES);
    let rows = [
        r#"{"unit": "p", "a": 3, "b": 3, "c": 3, "d": 3}"#.to_string(),
        r#"{"unit": "q", "a": 1, "b": 1, "c": 1, "d": 1}"#.to_string(),
        r#"{"unit": "r", "a": 2, "c": 2, "d": 2}"#.to_string(),
    ];
    let report = run(&rules, &rows.iter().collect::<Vec<_>>());
    let unit = |n: &str| report.units.iter().find(|u| u.unit == n).unwrap();
    assert_eq!(unit("r").errors["cop_error"], "`b` is missing");
    assert_eq!(unit("p").values["cop_error"].to_string(), "1");
    assert_eq!(
        unit("p").notes["cop_error"],
        "copeland: compared with the 1 other units that have the members; left out: `r`"
    );
    // Excluded, r is compared over a, c and d: below p, above q.
    assert_eq!(unit("r").values["cop_exclude"].to_string(), "0");
    assert_eq!(unit("p").values["cop_exclude"].to_string(), "2");
    // Zero: r's b counts 0, below q's 1, but r is higher on three members of four.
    assert_eq!(unit("r").values["cop_zero"].to_string(), "0");
    // p dominates q and r (over the members both have); r dominates q.
    assert_eq!(unit("p").values["dom_exclude"].to_string(), "2");
    assert_eq!(unit("r").values["dom_exclude"].to_string(), "1");
    // With `missing zero` r's 0 on b is below q's 1: r does not dominate q.
    assert_eq!(unit("r").values["share_zero"].to_string(), "0");
    assert_eq!(unit("p").values["share_zero"].to_string(), "1");
}

#[test]
fn copeland_counts_a_balanced_pair_as_a_tie_and_a_zero_weight_member_not_at_all() {
    let rules = rules(
        "input a: number\ninput b: number\ninput c: number
score cop = copeland of a, b, c
  weights relative 1, 1, 2
score dom = dominance count of a, b, c
  weights relative 1, 1, 0
",
    );
    let rows = [
        r#"{"unit": "x", "a": 2, "b": 2, "c": 0}"#.to_string(),
        r#"{"unit": "y", "a": 1, "b": 1, "c": 9}"#.to_string(),
    ];
    let report = run(&rules, &rows.iter().collect::<Vec<_>>());
    let v =
        |u: &str, n: &str| report.units.iter().find(|r| r.unit == u).unwrap().values[n].to_string();
    // x is higher on a and b (weight 2), y on c (weight 2): COINr's entry is ½, a tie.
    assert_eq!((v("x", "cop"), v("y", "cop")), ("0".into(), "0".into()));
    // c has weight 0: x is higher on every member that counts.
    assert_eq!((v("x", "dom"), v("y", "dom")), ("1".into(), "0".into()));
}

#[test]
fn outranking_scores_are_refused_where_they_make_no_sense() {
    let err = |body: &str| match RuleSet::from_text("t.chiso", &format!("{HEADER}{body}")) {
        Ok(_) => panic!("accepted:\n{body}"),
        Err(e) => e.to_string(),
    };
    let e =
        err("input a: number\ninput b: number\nscore s = copeland of a weight 0.5, b weight 0.5\n");
    assert!(e.contains("a weight in an unweighted `copeland of`"), "{e}");
    assert!(e.contains("write `weighted copeland of`"), "{e}");
    let e = err(
        "input a: number\ninput b: number\nscore s = weighted dominance count of a weight 0.5, b weight 0.6\n",
    );
    assert!(e.contains("sum to 1.1, not 1"), "{e}");
    let e = err(
        "input a: number\ninput b: number\nscore s = copeland of a, b\n  weights relative 0, 0\n",
    );
    assert!(e.contains("add up to 0"), "{e}");
    let e = err("input a: text\ninput b: number\nscore s = copeland of a, b\n");
    assert!(e.contains("`a` is text"), "{e}");
}

#[test]
fn a_stream_refuses_an_outranking_score() {
    let rules = rules("input a: number\ninput b: number\nscore s = copeland of a, b\n");
    let e = match rules.stream(std::iter::empty(), Default::default()) {
        Ok(_) => panic!("streamed"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("compares units with each other (`s`)"), "{e}");
}

// ---------------------------------------------------------------- weights from a file

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chiso-weights-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load(dir: &std::path::Path, rule: &str, weights: &str) -> Result<RuleSet, String> {
    std::fs::write(dir.join("weights.csv"), weights).unwrap();
    std::fs::write(dir.join("rules.chiso"), format!("{HEADER}{rule}")).unwrap();
    RuleSet::load(dir.join("rules.chiso")).map_err(|e| e.to_string())
}

const MEAN_FROM_FILE: &str = "input a: number\ninput b: number\ninput c: number
score s = mean of a, b, c
  weights from \"weights.csv\"
";

#[test]
fn weights_are_read_for_the_methodology_version_and_shown_in_the_explanation() {
    let dir = folder("version");
    let rules = load(
        &dir,
        MEAN_FROM_FILE,
        "member;weight;year\na;1;2018\nb;1;2018\nc;1;2018\na;1;2019\nb;2;2019\nc;3;2019\n",
    )
    .unwrap();
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "u", "a": 6, "b": 12, "c": 18}]"#,
        "unit",
    )
    .unwrap();
    let options = chiso::RunOptions {
        explain: Some("u"),
        ..Default::default()
    };
    let report = rules.evaluate_with(&data, &options).unwrap();
    assert_eq!(report.units[0].values["s"].to_string(), "14");
    let how = serde_json::to_string(&report.explain).unwrap();
    assert!(
        how.contains("(weights from weights.csv, year 2019)"),
        "{how}"
    );
    assert!(how.contains("0.1666666666666666666666666667"), "{how}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_weights_file_with_problems_is_refused_with_the_reason() {
    let dir = folder("problems");
    for (weights, says) in [
        ("member,weight\na,0\nb,0\nc,0\n", "add up to 0"),
        (
            "member,weight\na,1\nbb,1\nc,1\n",
            "names `bb` (row 3), which is not a member of `s`",
        ),
        ("member,weight\na,1\nbb,1\nc,1\n", "did you mean `b`?"),
        ("member,weight\na,1\nc,1\n", "has no weight for `b` of `s`"),
        (
            "member,weight\na,1\nb,1\nc,1\na,2\n",
            "gives `a` two weights (row 2 and row 5)",
        ),
        (
            "member,weight\na,1\nb,-1\nc,1\n",
            "weights cannot be negative",
        ),
        (
            "member,weight\na,1\nb,x\nc,1\n",
            "is `x` (row 3), not a number",
        ),
        ("member,weigth\na,1\nb,1\nc,1\n", "did you mean `weight`?"),
        (
            "member,weight,year\na,1,2018\nb,1,2018\nc,1,2018\n",
            "has no rows for year 2019, the methodology's version",
        ),
    ] {
        let e = load(&dir, MEAN_FROM_FILE, weights)
            .err()
            .unwrap_or_default();
        assert!(e.contains(says), "{weights}: {e}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_weights_file_outside_the_rule_sets_folder_is_refused() {
    let dir = folder("outside");
    for (path, says) in [
        ("../weights.csv", "is outside the rule set's folder"),
        ("/etc/weights.csv", "is an absolute path"),
    ] {
        let rule = MEAN_FROM_FILE.replace("weights.csv", path);
        let e = load(&dir, &rule, "member,weight\na,1\nb,1\nc,1\n")
            .err()
            .unwrap_or_default();
        assert!(e.contains(says), "{path}: {e}");
    }
    let rule = MEAN_FROM_FILE.replace("weights.csv", "missing.csv");
    let e = load(&dir, &rule, "").err().unwrap_or_default();
    assert!(
        e.contains("the weights file `missing.csv` cannot be read"),
        "{e}"
    );
    let rule = format!("{MEAN_FROM_FILE}  weights relative 1, 2, 3\n");
    let e = load(&dir, &rule, "member,weight\na,1\nb,1\nc,1\n")
        .err()
        .unwrap_or_default();
    assert!(e.contains("has weights twice"), "{e}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_formatter_keeps_the_outranking_scores_and_the_weights_file() {
    let text = format!(
        "{HEADER}{SCORES}score f = copeland of a, b, c, d
  weights from \"weights.csv\"
"
    );
    let source = chiso::source::Source::new("t.chiso", text);
    let once = chiso::format::format_source(&source).unwrap();
    for piece in [
        "= copeland of a, b, c, d",
        "= dominance count of a, b, c, d",
        "= dominance share of a, b, c, d",
        "= weighted dominance share of a weight 0.4",
        "weights from \"weights.csv\"",
        "weights relative 3, 1, 1, 0",
    ] {
        assert!(once.contains(piece), "{piece} lost:\n{once}");
    }
    let again =
        chiso::format::format_source(&chiso::source::Source::new("t.chiso", once.clone())).unwrap();
    assert_eq!(once, again, "formatting is a fixed point");
}

#[test]
fn an_extending_methodology_reads_the_weights_of_its_own_version() {
    let dir = folder("extends");
    let base = dir.join("2019");
    let next = dir.join("2020");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&next).unwrap();
    std::fs::write(
        base.join("weights.csv"),
        "member,weight,year\na,1,2019\nb,1,2019\na,3,2020\nb,1,2020\n",
    )
    .unwrap();
    std::fs::write(
        base.join("index.chiso"),
        "methodology \"Index\" version 2019\ninput a: number\ninput b: number
score s = mean of a, b
  weights from \"weights.csv\"
",
    )
    .unwrap();
    std::fs::write(
        next.join("index.chiso"),
        "methodology \"Index\" version 2020\n  extends \"../2019\"\n",
    )
    .unwrap();
    let data =
        Dataset::from_json_str("d.json", r#"[{"unit": "u", "a": 4, "b": 8}]"#, "unit").unwrap();
    let value = |folder: &std::path::Path| {
        let rules = RuleSet::load(folder).unwrap_or_else(|e| panic!("{e}"));
        rules.evaluate(&data).units[0].values["s"].to_string()
    };
    assert_eq!(value(&base), "6");
    // (3 × 4 + 8) ÷ 4: the 2020 rows of the base's file.
    assert_eq!(value(&next), "5");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_copeland_score_can_be_rescaled_ranked_and_aggregated_further() {
    let rules = rules(
        "input a: number\ninput b: number\ninput c: number
score cop = copeland of a, b, c
  rescaled by minmax
score both = mean of cop, a
rank cop
",
    );
    let rows = [
        r#"{"unit": "x", "a": 1, "b": 1, "c": 1}"#.to_string(),
        r#"{"unit": "y", "a": 0.5, "b": 2, "c": 2}"#.to_string(),
        r#"{"unit": "z", "a": 0, "b": 0, "c": 0}"#.to_string(),
    ];
    let report = run(&rules, &rows.iter().collect::<Vec<_>>());
    let unit = |n: &str| report.units.iter().find(|u| u.unit == n).unwrap();
    // Copeland: y 2, x 0, z −2; rescaled onto 0 .. 1.
    assert_eq!(unit("y").values["cop"].to_string(), "1");
    assert_eq!(unit("x").values["cop"].to_string(), "0.5");
    assert_eq!(unit("z").values["cop"].to_string(), "0");
    assert_eq!(unit("x").values["both"].to_string(), "0.75");
    assert_eq!(
        (
            unit("y").ranks["cop"],
            unit("x").ranks["cop"],
            unit("z").ranks["cop"]
        ),
        (1, 2, 3)
    );
}

/// A rule set held in memory (the playground, WebAssembly) reads its weights file from the
/// same texts, under the same rule: the file must sit in the rule file's folder.
#[test]
fn a_weights_file_is_read_from_the_rule_sets_files_in_memory() {
    let rule = format!("{HEADER}{MEAN_FROM_FILE}");
    let files = chiso::Files::memory([
        ("sets/m/rules.chiso", rule.as_str()),
        ("sets/m/weights.csv", "member,weight\na,1\nb,2\nc,3\n"),
    ]);
    let rules = RuleSet::builder()
        .files(files)
        .load("sets/m")
        .unwrap_or_else(|e| panic!("{e}"));
    let data = chiso::Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "U", "a": 6, "b": 3, "c": 2}]"#,
        rules.unit_key(),
    )
    .unwrap();
    // (1×6 + 2×3 + 3×2) ÷ 6 = 3.
    assert_eq!(rules.evaluate(&data).units[0].values["s"].to_string(), "3");
    let outside = rule.replace("weights.csv", "../weights.csv");
    let files = chiso::Files::memory([
        ("sets/m/rules.chiso", outside.as_str()),
        ("sets/weights.csv", "member,weight\na,1\nb,2\nc,3\n"),
    ]);
    let e = RuleSet::builder()
        .files(files)
        .load("sets/m")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("is outside the rule set's folder"), "{e}");
}
