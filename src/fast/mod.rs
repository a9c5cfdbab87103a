//! The typed core: rules compiled from a [`Program`] into a form specialised for numbers,
//! evaluated a column at a time (or a row at a time) with no `Value` matching, no
//! `Result` per node and no allocation per unit, exact at thresholds.
//!
//! The reference evaluator ([`crate::evaluate`]) stays the definition of every result:
//! the typed core decides a finding only when it can prove the reference decides the
//! same, and hands every other case back to it.
//!
//! - **Numbers are exact rationals** `n / d` of 64-bit integers (inputs are scaled
//!   integers: `0.59` is `59 / 100`, a count is `n / 1`). `+ − ×` and `÷` are integer
//!   operations; a comparison `a / b >= c` becomes a cross-multiplication. No rounding
//!   ever happens, so the comparison is the exact one. An overflow hands the case back.
//! - **Agreement with the reference.** The reference computes in 28-digit decimals and
//!   rounds after a division that does not terminate. Each rational therefore carries a
//!   bound on how far the reference's decimal can be from it (0 until a division, then
//!   about 10⁻²⁷ relative per operation, propagated to first order with a safety factor),
//!   kept multiplied by the denominator so that carrying it needs no floating-point
//!   division. A comparison is decided when the exact difference is larger than twice the
//!   bounds of both sides, or when it is an exact tie of values the reference computed
//!   without rounding.
//! - **Ties after a division are settled at compile time.** For `side op constant` where
//!   `side` is one division of division-free operands followed by `+ − ×` with constants,
//!   a tie means the quotient is one known number; when that number is a decimal, the
//!   reference's division returns it exactly and the reference's own arithmetic (run once
//!   in [`plan`]) lands on the constant, so the tie is decided here. `a / b >= 40%` at
//!   2/5 is decided by the typed core; `a / b * 3 >= 1` at ⅓ (where 28 digits fall short)
//!   and near ties beyond the 27th digit are `Undecided` and the reference decides.
//! - **One flat plan, rows and columns.** Rules and values lower to a list of number
//!   registers and a list of truth registers, hash-consed (a ratio a rule tests and an
//!   indicator reports is computed once). A row runs the registers in order on one unit
//!   with nothing allocated; columns run each register over a chunk of 1,024 units as one
//!   loop over structure-of-arrays, with per-chunk bounds proving what a row checks per
//!   unit (see `column/mod.rs`).
//! - **Faults are validity, not values.** A missing or invalid input, a value that does
//!   not fit 64 bits, a division by zero: the unit's finding is `Undecided` and the
//!   reference produces the `error` with its exact reason. Kleene `and`/`or` as in the
//!   reference: false wins an `and` and true an `or` over an undecided side.
//! - **What is compiled.** Number inputs, numeric constants, `+ − × ÷`, unary minus,
//!   comparisons, `and`, `or`, `not`, `when`, and indicators used by rules (inlined).
//!   A rule using anything else (hooks, collections, dates, text, targets, periods in
//!   force, cohort operations) runs on the reference evaluator entirely; [`FastProgram::
//!   coverage`] lists which rules and why.

mod column;
mod intake;
mod plan;
mod row;
#[cfg(test)]
mod tests;
mod values;

use rust_decimal::Decimal;

use crate::compile::{Cmp, Program, Slot};
use crate::evaluate::{self, BoundData, Status};
use plan::FastRule;
pub use values::ValueColumns;

pub use column::Columns;
pub use intake::Intake;
#[cfg(feature = "arrow")]
pub(crate) use intake::WholeRange;
pub use row::RowBuffer;

/// An exact rational `n / d` (`d > 0`) and a bound on how far the reference evaluator's
/// decimal for the same computation can be from it, kept as `ed = bound × d` (a bound on
/// the numerator): then no operation needs a floating-point division to carry it, and a
/// comparison's slack is a product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rational {
    /// Numerator.
    pub n: i64,
    /// Denominator, positive.
    pub d: i64,
    /// Bound on the reference's rounding error times `d`; 0 when it computed the value
    /// exactly.
    pub ed: f64,
}

/// Relative rounding of one 28-digit decimal operation, with a safety factor of 10.
const DECIMAL_ULP: f64 = 1e-26;
/// Absolute rounding of a decimal operation at the smallest scale (28 decimals).
const DECIMAL_FLOOR: f64 = 1e-27;
/// Only values whose magnitude keeps at least 21 significant decimal digits in a
/// `rust_decimal` (≥ 10⁻⁷) get relative error bounds; a smaller non-zero intermediate
/// after a division is handed back.
const SMALLEST: f64 = 1e-7;

impl Rational {
    /// An integer.
    pub fn int(n: i64) -> Self {
        Rational { n, d: 1, ed: 0.0 }
    }

    /// A decimal, if it fits: mantissa and a power of ten.
    pub fn decimal(x: Decimal) -> Option<Self> {
        let n = i64::try_from(x.mantissa()).ok()?;
        let d = 10i64.checked_pow(x.scale())?;
        Some(Rational { n, d, ed: 0.0 })
    }

    /// The value as a float, for bounds and quick looks (never for decisions).
    #[inline]
    pub fn to_f64(self) -> f64 {
        if self.d == 1 {
            self.n as f64
        } else {
            self.n as f64 / self.d as f64
        }
    }

    /// The bound on how far the reference's decimal can be from this value.
    pub fn error(self) -> f64 {
        self.ed / self.d as f64
    }

    /// The numerator bound of a result `n / d` computed by one decimal operation from
    /// operands whose own bounds add up to `carried` (already times `d`).
    #[inline(always)]
    fn rounded(n: i64, d: i64, carried: f64) -> f64 {
        carried + (n as f64).abs() * DECIMAL_ULP + DECIMAL_FLOOR * d as f64
    }

    #[inline]
    fn add(self, o: Self) -> Option<Self> {
        let exact = self.ed == 0.0 && o.ed == 0.0;
        if self.d == o.d {
            let n = self.n.checked_add(o.n)?;
            let ed = if exact {
                0.0
            } else {
                Rational::rounded(n, self.d, self.ed + o.ed)
            };
            return Some(Rational { n, d: self.d, ed });
        }
        let n = self
            .n
            .checked_mul(o.d)?
            .checked_add(o.n.checked_mul(self.d)?)?;
        let d = self.d.checked_mul(o.d)?;
        let ed = if exact {
            0.0
        } else {
            // e₁·d = ed₁·d₂ and e₂·d = ed₂·d₁.
            let carried = self.ed * o.d as f64 + o.ed * self.d as f64;
            Rational::rounded(n, d, carried)
        };
        Some(Rational { n, d, ed })
    }

    /// `self op o`, the typed core's arithmetic for each operation it compiles (`^` is
    /// not compiled, and has no result here).
    #[inline(always)]
    fn arith(self, op: crate::compile::Arith, o: Self) -> Option<Self> {
        use crate::compile::Arith;
        match op {
            Arith::Add => self.add(o),
            Arith::Sub => self.sub(o),
            Arith::Mul => self.mul(o),
            Arith::Div => self.div(o),
            Arith::Pow => None,
        }
    }

    #[inline]
    fn sub(self, o: Self) -> Option<Self> {
        self.add(o.neg()?)
    }

    #[inline]
    fn neg(self) -> Option<Self> {
        Some(Rational {
            n: self.n.checked_neg()?,
            ..self
        })
    }

    #[inline]
    fn mul(self, o: Self) -> Option<Self> {
        let n = self.n.checked_mul(o.n)?;
        let d = self.d.checked_mul(o.d)?;
        if self.ed == 0.0 && o.ed == 0.0 {
            return Some(Rational { n, d, ed: 0.0 });
        }
        // (|a|·e₂ + |b|·e₁ + e₁·e₂)·d₁·d₂ in numerator bounds.
        let (a, b) = ((self.n as f64).abs(), (o.n as f64).abs());
        let carried = a * o.ed + b * self.ed + self.ed * o.ed;
        Some(Rational {
            n,
            d,
            ed: Rational::rounded(n, d, carried),
        })
    }

    /// `None` when the divisor is zero (the reference names that fault) or the result
    /// cannot be bounded.
    #[inline]
    fn div(self, o: Self) -> Option<Self> {
        if o.n == 0 {
            return None;
        }
        let (mut n, mut d) = (self.n.checked_mul(o.d)?, self.d.checked_mul(o.n)?);
        if d < 0 {
            n = n.checked_neg()?;
            d = d.checked_neg()?;
        }
        let (nf, df) = ((n as f64).abs(), d as f64);
        if n != 0 && nf < SMALLEST * df {
            return None;
        }
        // First order: the reference divided values off by e₁ and e₂, then rounded;
        // times d = d₁·|n₂| that is (ed₁·d₂·|n₂| + |n|·ed₂) / (|n₂| − ed₂).
        let carried = if self.ed == 0.0 && o.ed == 0.0 {
            0.0
        } else {
            let b = (o.n as f64).abs();
            if o.ed >= b {
                return None;
            }
            (self.ed * o.d as f64 * b + nf * o.ed) / (b - o.ed)
        };
        Some(Rational {
            n,
            d,
            ed: Rational::rounded(n, d, carried),
        })
    }

    /// The comparison, if the reference is sure to decide it the same way. `tie`: an
    /// exact tie is known to be the reference's tie too (the plan proved it).
    #[inline]
    fn compare(self, op: Cmp, o: Self, tie: bool) -> Option<bool> {
        let left = i128::from(self.n) * i128::from(o.d);
        let right = i128::from(o.n) * i128::from(self.d);
        let ord = left.cmp(&right);
        if (self.ed != 0.0 || o.ed != 0.0) && !(tie && ord.is_eq()) {
            // The exact difference n₁·d₂ − n₂·d₁ must exceed what the reference's rounding
            // can move it, 2·(e₁ + e₂)·d₁·d₂ = 2·(ed₁·d₂ + ed₂·d₁). Under a slack below 1
            // any non-zero integer difference does; a NaN slack decides nothing.
            let slack = 2.0 * (self.ed * o.d as f64 + o.ed * self.d as f64);
            let diff = (left - right).unsigned_abs();
            let decided = if slack < 1.0 {
                diff != 0
            } else {
                diff as f64 > slack
            };
            if !decided {
                return None;
            }
        }
        Some(holds(op, ord))
    }
}

/// Whether `op` holds of an ordering.
#[inline(always)]
fn holds(op: Cmp, ord: std::cmp::Ordering) -> bool {
    match op {
        Cmp::Eq => ord.is_eq(),
        Cmp::Ne => ord.is_ne(),
        Cmp::Lt => ord.is_lt(),
        Cmp::Le => ord.is_le(),
        Cmp::Gt => ord.is_gt(),
        Cmp::Ge => ord.is_ge(),
    }
}

/// A three-valued truth: false, unknown (the reference evaluator decides), true. Kleene
/// `and` is the minimum and `or` the maximum, so a column of truths combines without
/// branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Truth(u8);

impl Truth {
    const FALSE: Truth = Truth(0);
    const UNKNOWN: Truth = Truth(1);
    const TRUE: Truth = Truth(2);

    #[inline(always)]
    fn known(b: Option<bool>) -> Truth {
        match b {
            Some(b) => Truth::from(b),
            None => Truth::UNKNOWN,
        }
    }

    /// Kleene `and`: false wins, then unknown.
    #[inline(always)]
    fn and(self, o: Truth) -> Truth {
        self.min(o)
    }

    /// Kleene `or`: true wins, then unknown.
    #[inline(always)]
    fn or(self, o: Truth) -> Truth {
        self.max(o)
    }

    #[inline(always)]
    fn not(self) -> Truth {
        Truth(2 - self.0.min(2))
    }
}

impl From<bool> for Truth {
    #[inline(always)]
    fn from(b: bool) -> Truth {
        if b { Truth::TRUE } else { Truth::FALSE }
    }
}

/// A rule's status from its `when` (if any) and its `require`: skipped when the `when` is
/// false, the reference's to decide when anything needed is unknown.
#[inline(always)]
fn decide(when: Option<Truth>, require: Truth) -> Option<Status> {
    match when {
        Some(Truth::FALSE) => Some(Status::Skip),
        Some(Truth::TRUE) | None => match require {
            Truth::TRUE => Some(Status::Pass),
            Truth::FALSE => Some(Status::Fail),
            _ => None,
        },
        Some(_) => None,
    }
}

/// A compiled program's rules in the typed core.
#[derive(Debug, Clone)]
pub struct FastProgram {
    plan: plan::Plan,
    /// For rows: the input registers to load (register, input), then the arithmetic
    /// registers to compute in order; constants are filled once per buffer.
    loads: Vec<(usize, usize)>,
    steps: Vec<(usize, plan::NumOp)>,
    /// Per number register, whether a division is under it: then every valid unit's error
    /// bound is positive (the reference may have rounded), else every one is 0.
    divided: Vec<bool>,
}

impl FastProgram {
    /// Compiles what the typed core can of a program; the rest stays on the reference.
    pub fn compile(program: &Program) -> Self {
        let plan = plan::lower(program);
        let loads = plan
            .nums
            .iter()
            .enumerate()
            .filter_map(|(r, op)| match op {
                plan::NumOp::Input(k) => Some((r, *k)),
                _ => None,
            })
            .collect();
        let steps = plan
            .nums
            .iter()
            .enumerate()
            .filter(|(_, op)| !matches!(op, plan::NumOp::Input(_) | plan::NumOp::Const(_)))
            .map(|(r, op)| (r, *op))
            .collect();
        let mut divided: Vec<bool> = Vec::with_capacity(plan.nums.len());
        for op in &plan.nums {
            let under = |r: plan::Reg| divided.get(r as usize).copied().unwrap_or(true);
            let d = match *op {
                plan::NumOp::Div(..) => true,
                plan::NumOp::Add(a, b) | plan::NumOp::Sub(a, b) | plan::NumOp::Mul(a, b) => {
                    under(a) || under(b)
                }
                plan::NumOp::Neg(x) => under(x),
                plan::NumOp::Input(_) | plan::NumOp::Const(_) => false,
            };
            divided.push(d);
        }
        FastProgram {
            plan,
            loads,
            steps,
            divided,
        }
    }

    /// Each rule's id with `None` when the typed core decides it, or why the reference
    /// evaluator does.
    pub fn coverage<'p>(&self, program: &'p Program) -> Vec<(&'p str, Option<&'static str>)> {
        program
            .rules
            .iter()
            .zip(&self.plan.rules)
            .map(|(plan, rule)| {
                let why = match rule {
                    FastRule::Typed { .. } => None,
                    FastRule::Reference(why) => Some(*why),
                };
                (plan.id.as_ref(), why)
            })
            .collect()
    }

    /// Number of rules.
    pub fn rule_count(&self) -> usize {
        self.plan.rules.len()
    }

    /// The computed values (indicators) the typed core computes too, by slot.
    pub fn value_slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.plan.values.iter().map(|(s, _)| *s)
    }
}

/// Decisions of the typed core for every unit, rule by rule; `None` where the reference
/// evaluator decides ([`TypedEvaluation::complete`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypedEvaluation {
    units: usize,
    /// `statuses[rule * units + unit]`.
    statuses: Vec<Option<Status>>,
    /// Computed values as exact rationals, per [`FastProgram::value_slots`].
    pub values: ValueColumns,
    /// How many statuses are `None` (nothing to complete when 0).
    open: usize,
}

impl TypedEvaluation {
    /// The status of `rule` for `unit`, `None` when it is the reference's to decide.
    pub fn status(&self, unit: usize, rule: usize) -> Option<Status> {
        self.statuses
            .get(rule * self.units + unit)
            .copied()
            .flatten()
    }

    /// Number of units.
    pub fn units(&self) -> usize {
        self.units
    }

    /// How many findings the reference evaluator has to decide.
    pub fn undecided(&self) -> usize {
        self.open
    }

    /// Decides what is left with the reference evaluator, on the units that need it
    /// only. The program must have no cohort operations (units are evaluated alone).
    pub fn complete(&mut self, program: &Program, bound: &BoundData) {
        if self.open == 0 {
            return;
        }
        let rules = program.rules.len();
        let needed: Vec<usize> = (0..self.units)
            .filter(|&u| (0..rules).any(|r| self.status(u, r).is_none()))
            .collect();
        if needed.is_empty() {
            return;
        }
        let results = evaluate::evaluate(program, &bound.subset(&needed));
        for (k, &u) in needed.iter().enumerate() {
            let Some(result) = results.unit(k) else {
                continue;
            };
            for (r, decision) in result.decisions.iter().enumerate() {
                if let Some(cell) = self.statuses.get_mut(r * self.units + u)
                    && cell.is_none()
                {
                    *cell = Some(decision.status);
                }
            }
        }
        self.open = self.statuses.iter().filter(|s| s.is_none()).count();
    }

    /// Every status, unit by unit (after [`TypedEvaluation::complete`]).
    pub fn by_unit(&self) -> Vec<Vec<Option<Status>>> {
        let rules = self.statuses.len().checked_div(self.units).unwrap_or(0);
        (0..self.units)
            .map(|u| (0..rules).map(|r| self.status(u, r)).collect())
            .collect()
    }
}
