//! Row-at-a-time evaluation on the same compiled form: one unit, every rule, nothing
//! allocated (for a single submission, or a stream).

use super::{Columns, FastProgram, FastRule, Num, Pred, Rational};
use crate::evaluate::Status;

/// The decisions of one unit, reused from unit to unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowBuffer {
    /// Per rule, the status, or `None` where the reference evaluator decides.
    pub statuses: Vec<Option<Status>>,
    /// Per compiled value ([`FastProgram::value_slots`]), its exact value.
    pub values: Vec<Option<Rational>>,
}

/// Kleene `and` with undecided as unknown: false wins.
#[inline]
pub(super) fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Kleene `or`: true wins.
#[inline]
pub(super) fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

#[inline]
pub(super) fn status(holds: Option<bool>) -> Option<Status> {
    holds.map(|b| if b { Status::Pass } else { Status::Fail })
}

#[inline]
fn num(n: &Num, cols: &Columns, u: usize) -> Option<Rational> {
    match n {
        Num::Input(k) => cols.get(*k, u),
        Num::Const(c) => Some(*c),
        Num::Neg(x) => num(x, cols, u)?.neg(),
        Num::Add(a, b) => num(a, cols, u)?.add(num(b, cols, u)?),
        Num::Sub(a, b) => num(a, cols, u)?.add(num(b, cols, u)?.neg()?),
        Num::Mul(a, b) => num(a, cols, u)?.mul(num(b, cols, u)?),
        Num::Div(a, b) => num(a, cols, u)?.div(num(b, cols, u)?),
    }
}

#[inline]
fn pred(p: &Pred, cols: &Columns, u: usize) -> Option<bool> {
    match p {
        Pred::Const(b) => Some(*b),
        Pred::Cmp(op, a, b) => num(a, cols, u)?.compare(*op, num(b, cols, u)?),
        Pred::Not(x) => pred(x, cols, u).map(|b| !b),
        // Both sides are looked at, as the reference does: an undecidable left side is
        // still false when the right side is.
        Pred::And(a, b) => and(pred(a, cols, u), pred(b, cols, u)),
        Pred::Or(a, b) => or(pred(a, cols, u), pred(b, cols, u)),
    }
}

impl FastProgram {
    /// A buffer for [`FastProgram::evaluate_row`].
    pub fn row_buffer(&self) -> RowBuffer {
        RowBuffer {
            statuses: vec![None; self.rules.len()],
            values: vec![None; self.values.len()],
        }
    }

    /// Evaluates one unit (row `u` of `cols`) into `out`: every compiled value, then every
    /// rule; `None` where the reference evaluator decides.
    pub fn evaluate_row(&self, cols: &Columns, u: usize, out: &mut RowBuffer) {
        for ((_, n), cell) in self.values.iter().zip(out.values.iter_mut()) {
            *cell = num(n, cols, u);
        }
        for (rule, cell) in self.rules.iter().zip(out.statuses.iter_mut()) {
            *cell = match rule {
                FastRule::Reference(_) => None,
                FastRule::Typed { when, require } => {
                    match when.as_ref().map(|w| pred(w, cols, u)) {
                        Some(Some(false)) => Some(Status::Skip),
                        Some(None) => None,
                        Some(Some(true)) | None => status(pred(require, cols, u)),
                    }
                }
            };
        }
    }
}

impl RowBuffer {
    /// Decides what the typed core left open with the reference evaluator, for this one
    /// unit (its inputs are row `u` of `bound`). Nothing is evaluated again when the typed
    /// core decided every rule.
    pub fn complete(
        &mut self,
        program: &crate::compile::Program,
        bound: &crate::evaluate::BoundData,
        u: usize,
    ) {
        if self.statuses.iter().all(Option::is_some) {
            return;
        }
        let one = crate::evaluate::BoundData {
            units: bound.units.get(u).cloned().into_iter().collect(),
            inputs: bound.inputs.get(u).cloned().into_iter().collect(),
        };
        let results = crate::evaluate::evaluate(program, &one);
        if let Some(result) = results.unit(0) {
            for (cell, decision) in self.statuses.iter_mut().zip(result.decisions) {
                if cell.is_none() {
                    *cell = Some(decision.status);
                }
            }
        }
    }
}
