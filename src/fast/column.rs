//! Column-at-a-time evaluation: each expression node runs over every unit in one tight
//! loop (no dispatch per unit), on input columns of scaled integers with a validity mask.

use super::{FastProgram, FastRule, Num, Pred, Rational, TypedEvaluation};
use crate::compile::{Cmp, Program};
use crate::evaluate::{BoundData, Status};
use crate::value::Value;

/// A cohort's number inputs as columns: per input, each unit's value as an exact
/// rational, or `None` where it is missing, invalid, not a number or beyond 64 bits
/// (the validity mask: those units are the reference evaluator's to decide).
#[derive(Debug, Clone, Default)]
pub struct Columns {
    units: usize,
    /// `columns[input][unit]`.
    columns: Vec<Vec<Option<Rational>>>,
}

impl Columns {
    /// The number inputs of bound data, as columns.
    pub fn from_bound(program: &Program, bound: &BoundData) -> Self {
        let units = bound.inputs.len();
        let columns = (0..program.inputs.len())
            .map(|k| {
                bound
                    .inputs
                    .iter()
                    .map(|row| match row.get(k) {
                        Some(Ok(Value::Number(x))) => Rational::decimal(*x),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        Columns { units, columns }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units
    }

    /// True when there are no units.
    pub fn is_empty(&self) -> bool {
        self.units == 0
    }

    /// The value of input `input` for `unit`.
    #[inline]
    pub(super) fn get(&self, input: usize, unit: usize) -> Option<Rational> {
        self.columns.get(input)?.get(unit).copied().flatten()
    }
}

type Column = Vec<Option<Rational>>;

/// Three-valued results of a condition over every unit: `None` is undecided.
type Truths = Vec<Option<bool>>;

fn zip(a: &Column, b: &Column, f: impl Fn(Rational, Rational) -> Option<Rational>) -> Column {
    a.iter()
        .zip(b)
        .map(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => f(*x, *y),
            _ => None,
        })
        .collect()
}

fn num(n: &Num, cols: &Columns) -> Column {
    match n {
        Num::Input(k) => cols.columns.get(*k).cloned().unwrap_or_default(),
        Num::Const(c) => vec![Some(*c); cols.units],
        Num::Neg(x) => num(x, cols)
            .into_iter()
            .map(|v| v.and_then(Rational::neg))
            .collect(),
        Num::Add(a, b) => zip(&num(a, cols), &num(b, cols), Rational::add),
        Num::Sub(a, b) => zip(&num(a, cols), &num(b, cols), |x, y| x.add(y.neg()?)),
        Num::Mul(a, b) => zip(&num(a, cols), &num(b, cols), Rational::mul),
        Num::Div(a, b) => zip(&num(a, cols), &num(b, cols), Rational::div),
    }
}

/// `column op constant`, the commonest comparison, without materialising the constant.
fn compare_const(op: Cmp, a: &Column, c: Rational, flip: bool) -> Truths {
    a.iter()
        .map(|x| {
            let x = (*x)?;
            if flip {
                c.compare(op, x)
            } else {
                x.compare(op, c)
            }
        })
        .collect()
}

fn pred(p: &Pred, cols: &Columns) -> Truths {
    match p {
        Pred::Const(b) => vec![Some(*b); cols.units],
        Pred::Cmp(op, a, Num::Const(c)) => compare_const(*op, &num(a, cols), *c, false),
        Pred::Cmp(op, Num::Const(c), b) => compare_const(*op, &num(b, cols), *c, true),
        Pred::Cmp(op, a, b) => num(a, cols)
            .iter()
            .zip(&num(b, cols))
            .map(|(x, y)| x.as_ref()?.compare(*op, (*y)?))
            .collect(),
        Pred::Not(x) => pred(x, cols).into_iter().map(|t| t.map(|b| !b)).collect(),
        Pred::And(a, b) => pred(a, cols)
            .iter()
            .zip(pred(b, cols))
            .map(|(x, y)| super::row::and(*x, y))
            .collect(),
        Pred::Or(a, b) => pred(a, cols)
            .iter()
            .zip(pred(b, cols))
            .map(|(x, y)| super::row::or(*x, y))
            .collect(),
    }
}

impl FastProgram {
    /// Evaluates every rule (and every compiled value) over every unit, a column at a
    /// time. Findings the typed core cannot decide are left `None` for
    /// [`TypedEvaluation::complete`].
    pub fn evaluate_columns(&self, cols: &Columns) -> TypedEvaluation {
        let units = cols.units;
        let mut statuses = Vec::with_capacity(units * self.rules.len());
        for rule in &self.rules {
            match rule {
                FastRule::Reference(_) => statuses.extend(std::iter::repeat_n(None, units)),
                FastRule::Typed { when, require } => {
                    let holds = pred(require, cols);
                    match when {
                        None => statuses.extend(holds.into_iter().map(super::row::status)),
                        Some(w) => statuses.extend(pred(w, cols).into_iter().zip(holds).map(
                            |(applies, holds)| match applies {
                                Some(false) => Some(Status::Skip),
                                Some(true) => super::row::status(holds),
                                None => None,
                            },
                        )),
                    }
                }
            }
        }
        let values = self.values.iter().map(|(_, n)| num(n, cols)).collect();
        TypedEvaluation {
            units,
            statuses,
            values,
        }
    }
}
