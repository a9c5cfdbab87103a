//! `chiso test`: the examples written inside rule files (`test "…" given … expect …`),
//! run against the rule set they belong to.

use std::fmt;

use indexmap::IndexMap;

use crate::RuleSet;
use crate::data::{Dataset, Origin, RawValue, Record};
use crate::evaluate::parse_decimal;
use crate::parse::ast::{Expected, ExprKind, Test};
use crate::source::Loc;
use crate::value::round_half_up;

/// The result of one test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Where it is written.
    pub loc: Loc,
    /// Each expectation that did not hold: where it is written and what differed.
    pub failures: Vec<(Loc, String)>,
}

impl TestResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl fmt::Display for TestResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return write!(f, "ok      {}", self.name);
        }
        write!(f, "FAILED  {} ({})", self.name, self.loc)?;
        for (loc, why) in &self.failures {
            write!(f, "\n        {loc}: {why}")?;
        }
        Ok(())
    }
}

/// The test's data as a dataset (unit names in NFC, like data files').
fn dataset(test: &Test, key: &str) -> Result<Dataset, crate::DataError> {
    let records = test
        .given
        .iter()
        .map(|g| {
            let mut fields = IndexMap::new();
            fields.insert(key.to_string(), RawValue::Text(g.unit.clone()));
            for (name, value) in &g.fields {
                let raw = match &value.kind {
                    ExprKind::Bool(b) => RawValue::Bool(*b),
                    ExprKind::Text(t) => RawValue::Text(t.clone()),
                    ExprKind::List(_) => RawValue::Nested(Box::new(json(value))),
                    // Numbers and dates as written, so `40%` reaches a percent input as a
                    // percentage.
                    _ => RawValue::Text(value.loc.text().to_string()),
                };
                fields.insert(name.name.clone(), raw);
            }
            Record {
                unit: g.unit.clone(),
                origin: Origin {
                    file: g.loc.source.name.clone(),
                    position: format!("test `{}`", test.name.name),
                },
                fields,
                written: Vec::new(),
            }
        })
        .collect::<Vec<_>>();
    Dataset::from_records(records)
}

/// A literal of a test as the JSON a submission would carry.
fn json(value: &crate::parse::ast::Expr) -> serde_json::Value {
    match &value.kind {
        ExprKind::Bool(b) => serde_json::Value::Bool(*b),
        ExprKind::Text(t) => serde_json::Value::String(t.clone()),
        ExprKind::List(items) => serde_json::Value::Array(items.iter().map(json).collect()),
        _ => serde_json::Value::String(value.loc.text().to_string()),
    }
}

/// Runs every test of a rule set.
pub fn run(rules: &RuleSet) -> Vec<TestResult> {
    rules.tests().iter().map(|t| run_one(rules, t)).collect()
}

fn run_one(rules: &RuleSet, test: &Test) -> TestResult {
    let data = match dataset(test, rules.unit_key()) {
        Ok(data) => data,
        Err(e) => {
            return TestResult {
                name: test.name.name.clone(),
                loc: test.name.loc.clone(),
                failures: vec![(test.name.loc.clone(), e.to_string())],
            };
        }
    };
    let report = rules.evaluate(&data);
    let mut failures = Vec::new();
    for e in &test.expect {
        let expected_unit = crate::data::names::nfc(&e.unit);
        let unit = report.units.iter().find(|u| u.unit == expected_unit);
        let failure = match (&e.kind, unit) {
            (_, None) => Some(format!("no unit `{}`", e.unit)),
            (Expected::Finding { rule, status }, Some(_)) => {
                match report
                    .findings
                    .iter()
                    .find(|f| f.rule == rule.name && f.unit == expected_unit)
                {
                    None => Some(format!("no finding of `{}` for `{}`", rule.name, e.unit)),
                    Some(f) => {
                        let found = serde_json::to_value(f.status)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        (found != *status).then(|| {
                            format!(
                                "expected `{}` for `{}` to be {status}, found {found}: {}",
                                rule.name, e.unit, f.message
                            )
                        })
                    }
                }
            }
            (Expected::Rank { key, rank }, Some(u)) => match u.ranks.get(&key.name) {
                Some(r) if r == rank => None,
                Some(r) => Some(format!(
                    "expected rank {rank} of `{}` for `{}`, found {r}",
                    key.name, e.unit
                )),
                None => Some(format!("`{}` has no rank `{}`", e.unit, key.name)),
            },
            (
                Expected::Value {
                    name,
                    value,
                    within,
                    decimals,
                },
                Some(u),
            ) => match (u.values.get(&name.name), u.errors.get(&name.name)) {
                (Some(v), _) => {
                    let actual = parse_decimal(&v.to_string());
                    let holds = actual.is_some_and(|a| match (within, decimals) {
                        (Some(t), _) => (a - *value).abs() <= *t,
                        (None, Some(d)) => round_half_up(a, *d) == round_half_up(*value, *d),
                        (None, None) => a == *value,
                    });
                    (!holds).then(|| {
                        let how = match (within, decimals) {
                            (Some(t), _) => format!(" within {t}"),
                            (None, Some(d)) => format!(" at {d} decimals"),
                            (None, None) => String::new(),
                        };
                        format!(
                            "expected `{}` of `{}` = {value}{how}, found {v}",
                            name.name, e.unit
                        )
                    })
                }
                (None, Some(err)) => Some(format!(
                    "expected `{}` of `{}` = {value}, found an error: {err}",
                    name.name, e.unit
                )),
                (None, None) => Some(format!("`{}` has no value `{}`", e.unit, name.name)),
            },
        };
        if let Some(why) = failure {
            failures.push((e.loc.clone(), why));
        }
    }
    TestResult {
        name: test.name.name.clone(),
        loc: test.name.loc.clone(),
        failures,
    }
}
