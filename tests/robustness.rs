//! Bad input never panics: deep or long formulas get diagnostics, and thousands of
//! mutated rule files and data files either load and evaluate, or are refused with an
//! error — never a crash.

use std::path::PathBuf;

use chiso::{Dataset, LoadError, RuleSet};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn first_error(text: &str) -> String {
    match RuleSet::from_text("deep.chiso", text) {
        Err(LoadError::Invalid { diagnostics }) => diagnostics[0].message.clone(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("should not load"),
    }
}

const HEADER: &str = "methodology \"D\" version 1\ninput a: number\n";

#[test]
fn nesting_and_length_are_bounded_with_diagnostics() {
    let parens = format!(
        "{HEADER}indicator b = {}a{}\nrule r require b > 0\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    assert_eq!(first_error(&parens), "parentheses nested more than 32 deep");
    let long = format!(
        "{HEADER}indicator b = a{}\nrule r require b > 0\n",
        " + a".repeat(100_000)
    );
    assert_eq!(
        first_error(&long),
        "expression has 200001 operators and operands; at most 400"
    );
    let negations = format!(
        "{HEADER}indicator b = {}a\nrule r require b > 0\n",
        "- ".repeat(50_000)
    );
    assert!(first_error(&negations).starts_with("expression has 50001"));
    let powers = format!(
        "{HEADER}indicator b = a{}\nrule r require b > 0\n",
        " ^ a".repeat(150)
    );
    assert_eq!(
        first_error(&powers),
        "expression nested more than 100 levels deep"
    );
    let deep = format!(
        "{HEADER}indicator b = {}a{}{}\nrule r require b > 0\n",
        "(a + ".repeat(30),
        ")".repeat(30),
        " + a".repeat(90)
    );
    assert_eq!(
        first_error(&deep),
        "expression nested more than 100 levels deep"
    );
}

#[test]
fn parentheses_group() {
    let text = format!(
        "{HEADER}indicator b = (a + 1) * 2 - -(a) + (((a)))\nrule r require not (b > 100)\n"
    );
    let rules = RuleSet::from_text("p.chiso", &text).unwrap();
    let data = Dataset::from_json_str("d.json", r#"[{"unit": "u", "a": 3}]"#, "unit").unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(report.units[0].values["b"].to_string(), "14");
}

#[test]
fn long_chains_of_indicators_evaluate_and_bound_recomputation() {
    let mut text =
        String::from("methodology \"D\" version 1\ninput a: decimal\ninput p: decimal\n");
    for k in 0..3000 {
        let prev = if k == 0 {
            "a".to_string()
        } else {
            format!("i{}", k - 1)
        };
        text.push_str(&format!("indicator i{k} = {prev} + 1\n"));
    }
    text.push_str("rule r require p ~= i2999\nrule s require i2999 > 0\n");
    let rules = RuleSet::from_text("chain.chiso", &text).unwrap();
    let data = Dataset::from_json_str(
        "d.json",
        r#"[{"unit": "u", "a": "1.0", "p": "3001.0"}]"#,
        "unit",
    )
    .unwrap();
    let report = rules.evaluate(&data);
    assert_eq!(report.units[0].values["i2999"].to_string(), "3001");
    assert_eq!(
        report.findings[0].message,
        "cannot decide: `~=` recomputes through more than 64 indicators"
    );
    assert_eq!(report.findings[1].status, chiso::Status::Pass);
}

/// A fixed pseudo-random sequence, so every run tries the same mutations.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "\"",
    "{",
    "}",
    "~=",
    " and ",
    " not ",
    "if ",
    " then ",
    " else ",
    "0",
    "-1",
    "1e400",
    "99999999999999999999999999999999",
    "%",
    "..",
    ",",
    ":",
    "=",
    " / 0",
    "\n",
    "#",
    "rule r require ",
    "indicator x = ",
    "input q: integer ",
    "score s = mean of ",
    " weight ",
    "weighted ",
    "\\",
    "ộ",
    "\u{0}",
    "normalise ",
    " by max",
    " by zscore",
    " rescaled by minmax",
    "rank of ",
    " among ",
    " missing exclude",
    " geometric mean of ",
    "hook ",
    "sensitivity weights vary 10%",
    " rounded 2",
    "level_score(",
];

fn mutate(text: &str, rng: &mut Lcg) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    for _ in 0..1 + rng.next(3) {
        let at = rng.next(out.len() + 1);
        match rng.next(4) {
            0 => {
                let end = (at + rng.next(12)).min(out.len());
                out.drain(at..end);
            }
            1 | 2 => {
                let frag = FRAGMENTS[rng.next(FRAGMENTS.len())];
                for (k, c) in frag.chars().enumerate() {
                    out.insert(at + k, c);
                }
            }
            _ => {
                let from = rng.next(chars.len());
                let end = (from + rng.next(40)).min(chars.len());
                for (k, c) in chars[from..end].iter().enumerate() {
                    out.insert((at + k).min(out.len()), *c);
                }
            }
        }
    }
    out.into_iter().collect()
}

#[test]
fn mutated_rule_files_never_panic() {
    let staffing =
        std::fs::read_to_string(root().join("rules/it-staffing/it-staffing.chiso")).unwrap();
    let published =
        std::fs::read_to_string(root().join("rules/ict-index-published/2019/published.chiso"))
            .unwrap();
    let staffing_data =
        std::fs::read_to_string(root().join("examples/it-staffing/quang-ninh-2020.json")).unwrap();
    let data = Dataset::from_json_str("sample.json", &staffing_data, "unit").unwrap();
    let mut rng = Lcg(7);
    let (mut loaded, mut refused) = (0, 0);
    for round in 0..1500 {
        let base = if round % 2 == 0 {
            &staffing
        } else {
            &published
        };
        let text = mutate(base, &mut rng);
        match RuleSet::from_text("mutated.chiso", &text) {
            Ok(rules) => {
                loaded += 1;
                let report = rules.evaluate(&data);
                let _ = report.to_text();
                let _ = report.to_json();
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    // Both outcomes occur, so the mutations exercise the checker and the evaluator.
    assert!(
        loaded > 50 && refused > 50,
        "loaded {loaded}, refused {refused}"
    );
}

#[test]
fn mutated_data_files_never_panic() {
    let rules = RuleSet::load(root().join("rules/it-staffing")).unwrap();
    let text =
        std::fs::read_to_string(root().join("examples/it-staffing/quang-ninh-2020.json")).unwrap();
    let mut rng = Lcg(11);
    let (mut loaded, mut refused) = (0, 0);
    for _ in 0..1500 {
        let mutated = mutate(&text, &mut rng);
        match Dataset::from_json_str("mutated.json", &mutated, rules.unit_key()) {
            Ok(data) => {
                loaded += 1;
                let _ = rules.evaluate(&data).to_json();
            }
            Err(e) => {
                refused += 1;
                assert!(e.to_string().starts_with("mutated.json"), "{e}");
            }
        }
        let csv = mutated.replace(['{', '}', '[', ']'], "\n");
        if let Ok(data) = Dataset::from_csv_str("mutated.csv", &csv, rules.unit_key()) {
            let _ = rules.evaluate(&data).to_text();
        }
    }
    assert!(
        loaded > 50 && refused > 50,
        "loaded {loaded}, refused {refused}"
    );
}
