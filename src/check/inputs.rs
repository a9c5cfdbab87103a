//! Inputs and tests: declared types, defaults, bounds and ranges that can hold; the
//! `test` blocks of a rule set (given values, expected values and statuses).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Checker, SymbolKind, Ty};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::parse::ast::*;
use crate::source::Loc;

impl Checker<'_> {
    pub(super) fn check_inputs(&mut self) {
        for item in self.items {
            let Item::Input(input) = item else { continue };
            let numeric = !matches!(input.ty, InputType::Boolean | InputType::Text);
            if !numeric && let Some(b) = input.bounds.first() {
                self.diags.push(
                    Diagnostic::error(
                        format!("a {} input cannot have a range", input.ty.keyword()),
                        &b.loc,
                    )
                    .with_label("range on a non-number")
                    .with_secondary(&input.ty_loc, "declared type"),
                );
            }
            if input.optional && input.required {
                self.diags.push(
                    Diagnostic::error(
                        format!(
                            "input `{}` is both `optional` and `required`",
                            input.name.name
                        ),
                        &input.name.loc,
                    )
                    .with_label("choose one"),
                );
            }
            for (clause, loc) in &input.repeated {
                self.diags.push(
                    Diagnostic::error(format!("input `{}` repeats {clause}", input.name.name), loc)
                        .with_label("repeated clause")
                        .with_help("write each clause once: only one of them could be used"),
                );
            }
            self.check_range(input);
            if let Some(default) = &input.default {
                if !input.optional {
                    self.diags.push(
                        Diagnostic::error(
                            "only an `optional` input can have a default",
                            &default.loc,
                        )
                        .with_label("default of a required input")
                        .with_help(format!(
                            "write `optional default …` or remove the default of `{}`",
                            input.name.name
                        )),
                    );
                }
                let ty = match &default.kind {
                    ExprKind::Number(_) => Ty::Number,
                    ExprKind::Text(_) => Ty::Text,
                    _ => Ty::Bool,
                };
                let want = self
                    .symbols
                    .get(&input.name.name)
                    .map_or(Ty::Unknown, |s| s.ty);
                if ty != want && want != Ty::Unknown {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "the default of a {} input must be {}",
                                input.ty.keyword(),
                                want.describe()
                            ),
                            &default.loc,
                        )
                        .with_label(format!("this is {}", ty.describe())),
                    );
                } else if let ExprKind::Number(n) = &default.kind {
                    if let Some(b) = input
                        .bounds
                        .iter()
                        .find(|b| !bound_holds(b.op, *n, b.value))
                    {
                        self.diags.push(
                            Diagnostic::error(
                                format!("the default `{n}` is outside the declared range"),
                                &default.loc,
                            )
                            .with_label("out of range")
                            .with_secondary(&b.loc, "this bound"),
                        );
                    }
                    if input.ty == InputType::Integer && !n.fract().is_zero() {
                        self.diags.push(
                            Diagnostic::error(
                                format!("the default `{n}` of an integer input is not whole"),
                                &default.loc,
                            )
                            .with_label("not an integer"),
                        );
                    }
                }
            }
        }
    }

    /// Reports bounds that no value can meet together.
    pub(super) fn check_range(&mut self, input: &Input) {
        let lower = input
            .bounds
            .iter()
            .filter(|b| matches!(b.op, BoundOp::Ge | BoundOp::Gt))
            .max_by(|a, b| {
                a.value
                    .cmp(&b.value)
                    .then((a.op == BoundOp::Gt).cmp(&(b.op == BoundOp::Gt)))
            });
        let upper = input
            .bounds
            .iter()
            .filter(|b| matches!(b.op, BoundOp::Le | BoundOp::Lt))
            .min_by(|a, b| {
                a.value
                    .cmp(&b.value)
                    .then((a.op == BoundOp::Lt).cmp(&(b.op == BoundOp::Lt)).reverse())
            });
        if let (Some(lo), Some(hi)) = (lower, upper) {
            let empty = lo.value > hi.value
                || (lo.value == hi.value && (lo.op == BoundOp::Gt || hi.op == BoundOp::Lt));
            if empty {
                self.diags.push(
                    Diagnostic::error(
                        format!(
                            "the range of `{}` cannot hold: no value meets every bound",
                            input.name.name
                        ),
                        &hi.loc,
                    )
                    .with_label("this bound")
                    .with_secondary(&lo.loc, "contradicts this one")
                    .with_help("write the lower bound first, e.g. `in 0 .. 100`"),
                );
            }
        }
        if input.ty == InputType::Integer {
            for b in &input.bounds {
                if !b.value.fract().is_zero() {
                    self.diags.push(
                        Diagnostic::warning(
                            format!("integer input `{}` has a fractional bound", input.name.name),
                            &b.loc,
                        )
                        .with_label("not a whole number"),
                    );
                }
            }
        }
    }

    /// Tests name inputs' data fields, rules, values, ranks and their own units.
    pub(super) fn check_tests(&mut self) {
        let fields: Vec<String> = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Input(input) => Some(
                    input
                        .field
                        .clone()
                        .unwrap_or_else(|| input.name.name.clone()),
                ),
                _ => None,
            })
            .collect();
        let rules: Vec<&str> = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Rule(r) => Some(r.name.name.as_str()),
                _ => None,
            })
            .collect();
        let ranks: Vec<&str> = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Rank(_) => Some(i.ident().name.as_str()),
                _ => None,
            })
            .collect();
        for item in self.items {
            let Item::Test(test) = item else { continue };
            let mut units: HashMap<&str, &Loc> = HashMap::new();
            for given in &test.given {
                if let Some(first) = units.insert(&given.unit, &given.loc) {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "unit `{}` is given twice in test `{}`",
                                given.unit, test.name.name
                            ),
                            &given.loc,
                        )
                        .with_secondary(first, "first given here"),
                    );
                }
                for (field, _) in &given.fields {
                    if !fields.contains(&field.name) {
                        let mut d = Diagnostic::error(
                            format!("`{}` is not a field any input reads", field.name),
                            &field.loc,
                        )
                        .with_label("unknown field");
                        if let Some(s) =
                            did_you_mean(&field.name, fields.iter().map(String::as_str))
                        {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                        self.diags.push(d);
                    }
                }
            }
            for e in &test.expect {
                if !units.contains_key(e.unit.as_str()) {
                    self.diags.push(
                        Diagnostic::error(
                            format!("test `{}` gives no unit `{}`", test.name.name, e.unit),
                            &e.loc,
                        )
                        .with_label("unit not given")
                        .with_help(format!("add `given \"{}\" …` to the test", e.unit)),
                    );
                }
                let (name, known, what) = match &e.kind {
                    Expected::Finding { rule, .. } => {
                        (rule, rules.contains(&rule.name.as_str()), "rule")
                    }
                    Expected::Rank { key, .. } => (key, ranks.contains(&key.name.as_str()), "rank"),
                    Expected::Value { name, .. } => (
                        name,
                        self.symbols.get(&name.name).is_some_and(|s| {
                            matches!(s.kind, SymbolKind::Indicator | SymbolKind::Score)
                        }),
                        "indicator or score",
                    ),
                };
                if !known {
                    let candidates: Vec<&str> = match &e.kind {
                        Expected::Finding { .. } => rules.clone(),
                        Expected::Rank { .. } => ranks.clone(),
                        Expected::Value { .. } => self.symbols.keys().map(String::as_str).collect(),
                    };
                    let mut d = Diagnostic::error(
                        format!("unknown {what} `{}` in test", name.name),
                        &name.loc,
                    )
                    .with_label("not declared");
                    if let Some(s) = did_you_mean(&name.name, candidates) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    self.diags.push(d);
                }
            }
        }
    }
}

/// Does `value op limit` hold?
pub fn bound_holds(op: BoundOp, value: Decimal, limit: Decimal) -> bool {
    match op {
        BoundOp::Ge => value >= limit,
        BoundOp::Gt => value > limit,
        BoundOp::Le => value <= limit,
        BoundOp::Lt => value < limit,
    }
}
