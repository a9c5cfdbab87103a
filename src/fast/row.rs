//! Row-at-a-time evaluation on the same plan: one unit, every register in order, then
//! every rule; nothing allocated per unit (for a single submission, or a stream).

use super::plan::{FastRule, NumOp, TruthOp};
use super::{Columns, FastProgram, Rational, Truth};
use crate::evaluate::Status;

/// The decisions of one unit and its registers, reused from unit to unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowBuffer {
    /// Per rule, the status, or `None` where the reference evaluator decides.
    pub statuses: Vec<Option<Status>>,
    /// Per compiled value ([`FastProgram::value_slots`]), its exact value.
    pub values: Vec<Option<Rational>>,
    nums: Vec<Option<Rational>>,
    truths: Vec<Truth>,
}

impl FastProgram {
    /// A buffer for [`FastProgram::evaluate_row`].
    pub fn row_buffer(&self) -> RowBuffer {
        // Constants are the same for every unit: their registers are filled once here.
        let nums = self
            .plan
            .nums
            .iter()
            .map(|op| match op {
                NumOp::Const(k) => self.plan.constants.get(*k).map(|c| c.0),
                _ => None,
            })
            .collect();
        RowBuffer {
            statuses: vec![None; self.plan.rules.len()],
            values: vec![None; self.plan.values.len()],
            nums,
            truths: vec![Truth::UNKNOWN; self.plan.truths.len()],
        }
    }

    /// Evaluates one unit (row `u` of `cols`) into `out`: every compiled value, then every
    /// rule; `None` where the reference evaluator decides.
    pub fn evaluate_row(&self, cols: &Columns, u: usize, out: &mut RowBuffer) {
        let plan = &self.plan;
        if out.nums.len() != plan.nums.len() || out.truths.len() != plan.truths.len() {
            *out = self.row_buffer();
        }
        let nums = &mut out.nums;
        for &(r, k) in &self.loads {
            if let Some(cell) = nums.get_mut(r) {
                *cell = cols.get(k, u);
            }
        }
        for &(i, op) in &self.steps {
            let get = |r: u32| nums.get(r as usize).copied().flatten();
            let v = match (op, op.binary()) {
                (_, Some((a, b, f))) => get(a).zip(get(b)).and_then(|(a, b)| a.arith(f, b)),
                (NumOp::Neg(x), _) => get(x).and_then(Rational::neg),
                // Steps hold arithmetic only (inputs and constants are loaded apart).
                _ => continue,
            };
            if let Some(cell) = nums.get_mut(i) {
                *cell = v;
            }
        }
        let truths = &mut out.truths;
        for i in 0..plan.truths.len() {
            let t = |r: u32| truths.get(r as usize).copied().unwrap_or(Truth::UNKNOWN);
            let v = match plan.truths[i] {
                TruthOp::Const(b) => Truth::from(b),
                TruthOp::Cmp { op, a, b, tie } => {
                    let get = |r: u32| nums.get(r as usize).copied().flatten();
                    match get(a).zip(get(b)) {
                        Some((a, b)) => Truth::known(a.compare(op, b, tie)),
                        None => Truth::UNKNOWN,
                    }
                }
                TruthOp::Not(x) => t(x).not(),
                TruthOp::And(a, b) => t(a).and(t(b)),
                TruthOp::Or(a, b) => t(a).or(t(b)),
            };
            truths[i] = v;
        }
        let t = |r: u32| truths.get(r as usize).copied().unwrap_or(Truth::UNKNOWN);
        for (rule, cell) in plan.rules.iter().zip(out.statuses.iter_mut()) {
            *cell = match rule {
                FastRule::Reference(_) => None,
                FastRule::Typed { when, require } => super::decide(when.map(t), t(*require)),
            };
        }
        for ((_, r), cell) in plan.values.iter().zip(out.values.iter_mut()) {
            *cell = nums.get(*r as usize).copied().flatten();
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
        let results = crate::evaluate::evaluate(program, &bound.subset(&[u]));
        if let Some(result) = results.unit(0) {
            for (cell, decision) in self.statuses.iter_mut().zip(result.decisions) {
                if cell.is_none() {
                    *cell = Some(decision.status);
                }
            }
        }
    }
}
