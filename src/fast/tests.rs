//! The typed core against the reference evaluator: over a seeded corpus of generated
//! rule sets and data (ties, near ties, zero divisors, missing values, huge values), every
//! finding the typed core decides equals the reference's, row and column agree, and after
//! completion every finding equals the reference's.

use super::*;
use crate::{Dataset, RuleSet};

/// A fixed generator: the same corpus on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % m.max(1)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next(xs.len() as u64) as usize]
    }
}

const INPUTS: [&str; 5] = ["a", "b", "c", "d", "p"];

fn number(g: &mut Gen, depth: usize) -> String {
    if depth == 0 || g.next(3) == 0 {
        return match g.next(6) {
            0 => g
                .pick(&["2", "0.4", "40%", "100", "1.5", "0", "3"])
                .to_string(),
            1 => "ind".to_string(),
            _ => g.pick(&INPUTS).to_string(),
        };
    }
    let op = g.pick(&["+", "-", "*", "/", "/"]);
    format!("({} {op} {})", number(g, depth - 1), number(g, depth - 1))
}

fn condition(g: &mut Gen, depth: usize) -> String {
    if depth == 0 || g.next(2) == 0 {
        let op = g.pick(&[">=", ">", "<=", "<", "=", "!="]);
        return format!("{} {op} {}", number(g, 2), number(g, 1));
    }
    match g.next(3) {
        0 => format!(
            "({} and {})",
            condition(g, depth - 1),
            condition(g, depth - 1)
        ),
        1 => format!(
            "({} or {})",
            condition(g, depth - 1),
            condition(g, depth - 1)
        ),
        _ => format!("not ({})", condition(g, depth - 1)),
    }
}

fn rule_set(g: &mut Gen) -> String {
    let mut text = String::from(
        "methodology \"G\" version 1\ninput a: integer\ninput b: integer\ninput c: integer\ninput d: decimal\ninput p: percent\n",
    );
    text.push_str(&format!(
        "indicator ind = {}\n",
        number(g, 2).replace("ind", "a")
    ));
    for i in 0..6 {
        text.push_str(&format!("rule r{i}\n"));
        if g.next(3) == 0 {
            text.push_str(&format!("  when {}\n", condition(g, 1)));
        }
        text.push_str(&format!("  require {}\n", condition(g, 2)));
    }
    text
}

fn value(g: &mut Gen, decimal: bool) -> serde_json::Value {
    match g.next(20) {
        0 => serde_json::Value::Null,
        1 => serde_json::json!(0),
        2 => serde_json::json!("9223372036854775807"),
        3 => serde_json::json!("not a number"),
        _ if decimal => serde_json::json!(format!("{}.{:02}", g.next(50), g.next(100))),
        _ => serde_json::json!(g.next(12) as i64 - 2),
    }
}

fn data(g: &mut Gen, units: usize) -> Dataset {
    let records = (0..units).map(|u| {
        let mut record = serde_json::Map::new();
        record.insert("unit".into(), serde_json::json!(format!("u{u}")));
        for name in INPUTS {
            record.insert(name.into(), value(g, matches!(name, "d" | "p")));
        }
        // Ties: some units copy one input into another.
        if g.next(4) == 0 {
            let a = record.get("a").cloned().unwrap_or_default();
            record.insert("b".into(), a);
        }
        serde_json::Value::Object(record)
    });
    Dataset::from_values("generated", records, "unit").unwrap()
}

#[test]
fn the_typed_core_decides_what_the_reference_decides() {
    let mut g = Gen(20_260_213);
    let (mut decided, mut total, mut typed_rules, mut rules_seen) = (0, 0, 0, 0);
    for case in 0..300 {
        let text = rule_set(&mut g);
        let Ok(rules) = RuleSet::from_text("generated.chiso", &text) else {
            continue;
        };
        let program = rules.program();
        let fast = FastProgram::compile(program);
        let coverage = fast.coverage(program);
        rules_seen += coverage.len();
        typed_rules += coverage.iter().filter(|(_, why)| why.is_none()).count();
        let dataset = data(&mut g, 40);
        let bound = rules.bind(&dataset);
        let reference = rules.evaluate_bound(&bound);
        let cols = Columns::from_bound(program, &bound);
        let mut typed = fast.evaluate_columns(&cols);
        let mut row = fast.row_buffer();
        for u in 0..cols.len() {
            fast.evaluate_row(&cols, u, &mut row);
            let expected = reference.unit(u).unwrap().decisions;
            for (r, d) in expected.iter().enumerate() {
                total += 1;
                assert_eq!(row.statuses[r], typed.status(u, r), "row ≠ column\n{text}");
                if let Some(s) = typed.status(u, r) {
                    decided += 1;
                    assert_eq!(
                        s, d.status,
                        "case {case}, unit {u}, rule r{r}\n{text}\n{:?}",
                        dataset.records[u].fields
                    );
                }
            }
        }
        for u in 0..cols.len() {
            fast.evaluate_row(&cols, u, &mut row);
            row.complete(program, &bound, u);
            let expected: Vec<Option<Status>> = reference
                .unit(u)
                .unwrap()
                .decisions
                .iter()
                .map(|d| Some(d.status))
                .collect();
            assert_eq!(row.statuses, expected);
        }
        typed.complete(program, &bound);
        assert_eq!(typed.undecided(), 0);
        let all: Vec<Vec<Option<Status>>> = reference
            .units()
            .map(|u| u.decisions.iter().map(|d| Some(d.status)).collect())
            .collect();
        assert_eq!(typed.by_unit(), all, "{text}");
    }
    // Not vacuous: most rules compile and most findings are decided without the reference.
    assert!(
        typed_rules * 10 >= rules_seen * 9,
        "{typed_rules} of {rules_seen}"
    );
    assert!(decided * 2 >= total, "{decided} of {total}");
}

/// Data over several chunks, each in its own regime: positive counts (the bounded path's
/// case), counts with zeros, negatives and missing values, and values near 2⁶³.
fn chunked_data(g: &mut Gen, units: usize) -> Dataset {
    let records = (0..units).map(|u| {
        let regime = (u / 1024) % 4;
        let mut record = serde_json::Map::new();
        record.insert("unit".into(), serde_json::json!(format!("u{u}")));
        for name in INPUTS {
            let decimal = matches!(name, "d" | "p");
            let v = match regime {
                0 | 1 if decimal => serde_json::json!(format!("{}.{:02}", g.next(50), g.next(100))),
                0 => serde_json::json!(1 + g.next(100_000)),
                1 => serde_json::json!(1 + g.next(9)),
                2 => value(g, decimal),
                _ if g.next(50) == 0 => serde_json::json!("9223372036854775807"),
                _ => serde_json::json!(1 + g.next(1_000_000_000)),
            };
            record.insert(name.into(), v);
        }
        if g.next(4) == 0 {
            let a = record.get("a").cloned().unwrap_or_default();
            record.insert("b".into(), a);
        }
        serde_json::Value::Object(record)
    });
    Dataset::from_values("generated", records, "unit").unwrap()
}

/// The bounded path decides exactly what the exact path decides, and computes the same
/// values under a bound never below the exact path's, over generated rule sets and data
/// spanning chunks of every regime; and it is not vacuous: most registers take it.
#[test]
fn bounded_chunks_decide_what_exact_chunks_decide() {
    let mut g = Gen(20_261_203);
    let (mut fast_registers, mut registers) = (0, 0);
    for case in 0..40 {
        let text = rule_set(&mut g);
        let Ok(rules) = RuleSet::from_text("generated.chiso", &text) else {
            continue;
        };
        let program = rules.program();
        let fast = FastProgram::compile(program);
        let dataset = chunked_data(&mut g, 4_200);
        let bound = rules.bind(&dataset);
        let cols = Columns::from_bound(program, &bound);
        let (bounded, ran, of) = fast.columns_by(&cols, true);
        let (exact, none, _) = fast.columns_by(&cols, false);
        assert_eq!(none, 0);
        (fast_registers, registers) = (fast_registers + ran, registers + of);
        assert_eq!(bounded.by_unit(), exact.by_unit(), "case {case}\n{text}");
        assert_eq!(bounded.undecided(), exact.undecided());
        for k in 0..fast.value_slots().count() {
            for u in 0..cols.len() {
                let (b, e) = (bounded.values.get(k, u), exact.values.get(k, u));
                assert_eq!(b.map(|b| (b.n, b.d)), e.map(|e| (e.n, e.d)), "case {case}");
                if let (Some(b), Some(e)) = (b, e) {
                    assert!(b.ed >= e.ed, "case {case}, unit {u}: {b:?} {e:?}");
                }
            }
        }
        // The reference agrees where the bounded path decided.
        let reference = rules.evaluate_bound(&bound);
        for u in (0..cols.len()).step_by(7) {
            for (r, d) in reference.unit(u).unwrap().decisions.iter().enumerate() {
                if let Some(s) = bounded.status(u, r) {
                    assert_eq!(s, d.status, "case {case}, unit {u}, rule r{r}\n{text}");
                }
            }
        }
    }
    assert!(
        fast_registers * 2 >= registers,
        "{fast_registers} of {registers} registers bounded"
    );
}

/// Every unit exactly on a threshold, beside units one below and one above, against an
/// exact reference computed here in 128-bit integers.
#[test]
fn boundary_units_are_exact() {
    let rules = RuleSet::from_text(
        "b.chiso",
        "methodology \"B\" version 1
input l4: integer
input total: integer
input phones: integer
input population: integer
indicator share = l4 / total
rule level4 require l4 / total >= 40%
rule via_indicator require share >= 0.4
rule phones require phones / population * 100 >= 15
rule thirds require l4 / total * 3 >= 1.2",
    )
    .unwrap();
    let mut records = Vec::new();
    for k in 1..200i64 {
        for delta in [-1i64, 0, 1] {
            records.push(serde_json::json!({
                "unit": format!("{k}/{delta}"),
                "l4": 2 * k * 1_000 + delta, "total": 5 * k * 1_000,
                "phones": 3 * k * 1_000 + delta, "population": 20 * k * 1_000,
            }));
        }
    }
    let data = Dataset::from_values("b", records, "unit").unwrap();
    let bound = rules.bind(&data);
    let program = rules.program();
    let fast = FastProgram::compile(program);
    assert!(fast.coverage(program).iter().all(|(_, why)| why.is_none()));
    let cols = Columns::from_bound(program, &bound);
    let mut typed = fast.evaluate_columns(&cols);
    let undecided_before = typed.undecided();
    // The columns' computed values are the rows' ones, unit by unit: the same exact
    // `n / d`, and a bound (the chunk's) never below the unit's own.
    let mut row = fast.row_buffer();
    assert_eq!(fast.value_slots().count(), 1);
    for u in 0..cols.len() {
        fast.evaluate_row(&cols, u, &mut row);
        let (Some(column), Some(row)) = (typed.values.get(0, u), row.values[0]) else {
            panic!("unit {u}: a value missing");
        };
        assert_eq!((column.n, column.d), (row.n, row.d), "unit {u}");
        assert!(column.ed >= row.ed && column.error() < 1e-15, "unit {u}");
    }
    typed.complete(program, &bound);
    let reference = rules.evaluate_bound(&bound);
    for (u, record) in data.records.iter().enumerate() {
        let f = |k: &str| record.fields[k].to_string().parse::<i128>().unwrap();
        let (l4, total, phones, population) = (f("l4"), f("total"), f("phones"), f("population"));
        let exact = [
            l4 * 100 >= 40 * total,
            l4 * 10 >= 4 * total,
            phones * 100 * 100 >= 15 * population * 100,
            l4 * 3 * 10 >= 12 * total,
        ];
        for (r, holds) in exact.iter().enumerate() {
            let want = if *holds { Status::Pass } else { Status::Fail };
            assert_eq!(typed.status(u, r), Some(want), "{} rule {r}", record.unit);
            assert_eq!(reference.unit(u).unwrap().decisions[r].status, want);
        }
    }
    // Every tie here is a decimal quotient (0.4, 0.15, 1.2 / 3), so the plan proved each
    // one is the reference's tie too: nothing is left to the reference.
    assert_eq!(undecided_before, 0);
}

/// A tie whose quotient is not a decimal (⅓) is not the reference's tie: 28-digit
/// decimals make `1 / 3 * 3` fall short of 1. The typed core leaves exactly those to the
/// reference, and decides the ties of a decimal quotient in the same rule set.
#[test]
fn ties_of_quotients_that_are_not_decimals_go_to_the_reference() {
    let rules = RuleSet::from_text(
        "t.chiso",
        "methodology \"T\" version 1
input a: integer
input b: integer
rule thirds require a / b * 3 >= 1
rule offset require 2 - a / b <= 1.6
rule halves require -(a / b) * 2 = -0.8",
    )
    .unwrap();
    let records: Vec<_> = [(1, 3), (2, 6), (2, 5), (4, 10), (1, 2)]
        .iter()
        .map(|(a, b)| serde_json::json!({"unit": format!("{a}/{b}"), "a": a, "b": b}))
        .collect();
    let data = Dataset::from_values("t", records, "unit").unwrap();
    let bound = rules.bind(&data);
    let program = rules.program();
    let fast = FastProgram::compile(program);
    let cols = Columns::from_bound(program, &bound);
    let mut typed = fast.evaluate_columns(&cols);
    let reference = rules.evaluate_bound(&bound);
    let want = |u: usize, r: usize| reference.unit(u).unwrap().decisions[r].status;
    // ⅓ · 3 is 1 exactly, but not for the reference: left to it, which says fail.
    for u in [0, 1] {
        assert_eq!(typed.status(u, 0), None);
        assert_eq!(want(u, 0), Status::Fail);
    }
    // 0.4: every rule's tie is decided here, as the reference decides it.
    for u in [2, 3] {
        for r in 0..3 {
            assert_eq!(typed.status(u, r), Some(want(u, r)), "unit {u} rule {r}");
        }
        assert_eq!(want(u, 1), Status::Pass);
        assert_eq!(want(u, 2), Status::Pass);
    }
    typed.complete(program, &bound);
    for u in 0..data.records.len() {
        for r in 0..3 {
            assert_eq!(typed.status(u, r), Some(want(u, r)));
        }
    }
}

#[test]
fn rules_the_typed_core_does_not_compile_say_why() {
    let rules = RuleSet::from_text(
        "w.chiso",
        "methodology \"W\" version 1
input x: number
input name: text
input flag: boolean
rule power require x ^ 2 > 1
rule text require name = \"A\"
rule yes require flag
rule round require round(x, 1) > 1
rule plain require x > 1",
    )
    .unwrap();
    let fast = FastProgram::compile(rules.program());
    let why: Vec<Option<&str>> = fast
        .coverage(rules.program())
        .into_iter()
        .map(|(_, why)| why)
        .collect();
    assert_eq!(
        why,
        [
            Some("a power"),
            Some("an input that is not a number"),
            Some("a yes/no input"),
            Some("a built-in function"),
            None
        ]
    );
}

#[test]
fn rationals_are_exact_and_bounded() {
    let r = |s: &str| Rational::decimal(s.parse().unwrap()).unwrap();
    assert_eq!(
        r("0.40"),
        Rational {
            n: 40,
            d: 100,
            ed: 0.0
        }
    );
    // 2/5 = 0.4 exactly, but after a division a tie is the reference's to decide.
    let q = r("2").div(r("5")).unwrap();
    assert!(q.ed > 0.0);
    assert_eq!(q.compare(Cmp::Ge, r("0.4"), false), None);
    assert_eq!(q.compare(Cmp::Ge, r("0.41"), false), Some(false));
    // Integer ties are exact.
    assert_eq!(r("2").compare(Cmp::Ge, r("2.0"), false), Some(true));
    // Division by zero and overflow hand the case back.
    assert_eq!(r("1").div(r("0")), None);
    assert_eq!(Rational::int(i64::MAX).add(Rational::int(1)), None);
    // A near tie beyond the reference's 28 digits is the reference's.
    let third = r("1").div(r("3")).unwrap();
    assert_eq!(
        third.mul(r("3")).unwrap().compare(Cmp::Ge, r("1"), false),
        None
    );
}
