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
//!   bound `e` on how far the reference's decimal can be from it (0 until a division,
//!   then about 10⁻²⁷ relative per operation, propagated to first order with a safety
//!   factor). A comparison is decided when the exact difference is larger than twice the
//!   bounds of both sides, or when it is an exact tie of values the reference computed
//!   without rounding; otherwise (a tie after a division, a near tie beyond the 27th digit)
//!   it is `Undecided` and the reference decides.
//! - **Faults are validity, not values.** A missing or invalid input, a value that does
//!   not fit 64 bits, a division by zero: the unit's finding is `Undecided` and the
//!   reference produces the `error` with its exact reason. Kleene `and`/`or` are decided
//!   only when both sides are known.
//! - **What is compiled.** Number inputs, numeric constants, `+ − × ÷`, unary minus,
//!   comparisons, `and`, `or`, `not`, `when`, and indicators used by rules (inlined).
//!   A rule using anything else (hooks, collections, dates, text, targets, periods in
//!   force, cohort operations) runs on the reference evaluator entirely; [`FastProgram::
//!   coverage`] lists which rules and why.

mod column;
mod row;
#[cfg(test)]
mod tests;

use rust_decimal::Decimal;

use crate::compile::{Arith, Cmp, Node, Program, Slot};
use crate::evaluate::{self, BoundData, Status};
use crate::value::Value;

pub use column::Columns;
pub use row::RowBuffer;

/// An exact rational `n / d` (`d > 0`) and a bound `e` on how far the reference
/// evaluator's decimal for the same computation can be from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rational {
    /// Numerator.
    pub n: i64,
    /// Denominator, positive.
    pub d: i64,
    /// Bound on the reference's rounding error; 0 when it computed the value exactly.
    pub e: f64,
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
        Rational { n, d: 1, e: 0.0 }
    }

    /// A decimal, if it fits: mantissa and a power of ten.
    pub fn decimal(x: Decimal) -> Option<Self> {
        let n = i64::try_from(x.mantissa()).ok()?;
        let d = 10i64.checked_pow(x.scale())?;
        Some(Rational { n, d, e: 0.0 })
    }

    /// The value as a float, for bounds and quick looks (never for decisions).
    pub fn to_f64(self) -> f64 {
        self.n as f64 / self.d as f64
    }

    /// The error bound of a result computed by one decimal operation from `self` and
    /// `other` with bound `carried`.
    fn rounded(self, carried: f64) -> f64 {
        carried + self.to_f64().abs() * DECIMAL_ULP + DECIMAL_FLOOR
    }

    #[inline]
    fn add(self, o: Self) -> Option<Self> {
        let (n, d) = if self.d == o.d {
            (self.n.checked_add(o.n)?, self.d)
        } else {
            (
                self.n
                    .checked_mul(o.d)?
                    .checked_add(o.n.checked_mul(self.d)?)?,
                self.d.checked_mul(o.d)?,
            )
        };
        let r = Rational { n, d, e: 0.0 };
        let carried = self.e + o.e;
        Some(Rational {
            e: if carried == 0.0 {
                0.0
            } else {
                r.rounded(carried)
            },
            ..r
        })
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
        let r = Rational {
            n: self.n.checked_mul(o.n)?,
            d: self.d.checked_mul(o.d)?,
            e: 0.0,
        };
        if self.e == 0.0 && o.e == 0.0 {
            return Some(r);
        }
        let (a, b) = (self.to_f64().abs(), o.to_f64().abs());
        let carried = a * o.e + b * self.e + self.e * o.e;
        Some(Rational {
            e: r.rounded(carried),
            ..r
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
        let r = Rational { n, d, e: 0.0 };
        let q = r.to_f64().abs();
        if n != 0 && q < SMALLEST {
            return None;
        }
        let b = o.to_f64().abs();
        if o.e >= b {
            return None;
        }
        // First order: the reference divided values off by e₁ and e₂, then rounded.
        let carried = (self.e + q * o.e) / (b - o.e);
        Some(Rational {
            e: r.rounded(carried),
            ..r
        })
    }

    /// The comparison, if the reference is sure to decide it the same way.
    #[inline]
    fn compare(self, op: Cmp, o: Self) -> Option<bool> {
        let left = i128::from(self.n) * i128::from(o.d);
        let right = i128::from(o.n) * i128::from(self.d);
        let ord = left.cmp(&right);
        if self.e != 0.0 || o.e != 0.0 {
            // The exact difference must exceed what the reference's rounding can move.
            let gap = (left - right).unsigned_abs() as f64 / (self.d as f64 * o.d as f64);
            // (A NaN gap is not decided either.)
            let decided =
                gap.partial_cmp(&(2.0 * (self.e + o.e))) == Some(std::cmp::Ordering::Greater);
            if !decided {
                return None;
            }
        }
        Some(match op {
            Cmp::Eq => ord.is_eq(),
            Cmp::Ne => ord.is_ne(),
            Cmp::Lt => ord.is_lt(),
            Cmp::Le => ord.is_le(),
            Cmp::Gt => ord.is_gt(),
            Cmp::Ge => ord.is_ge(),
        })
    }
}

/// A number expression over input columns.
#[derive(Debug, Clone)]
enum Num {
    Input(usize),
    Const(Rational),
    Add(Box<Num>, Box<Num>),
    Sub(Box<Num>, Box<Num>),
    Mul(Box<Num>, Box<Num>),
    Div(Box<Num>, Box<Num>),
    Neg(Box<Num>),
}

/// A condition.
#[derive(Debug, Clone)]
enum Pred {
    Const(bool),
    Cmp(Cmp, Num, Num),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
}

/// A rule in the typed core, or why it stays on the reference evaluator.
#[derive(Debug, Clone)]
enum FastRule {
    Typed { when: Option<Pred>, require: Pred },
    Reference(&'static str),
}

/// A compiled program's rules in the typed core.
#[derive(Debug, Clone)]
pub struct FastProgram {
    rules: Vec<FastRule>,
    /// Computed values compiled too (indicators), by slot.
    values: Vec<(Slot, Num)>,
}

/// Lowering from the compiled program's nodes.
struct Lower<'a> {
    program: &'a Program,
}

/// Formulas inlined deeper than this stay on the reference evaluator.
const MAX_DEPTH: usize = 64;

impl Lower<'_> {
    fn num(&self, node: &Node, depth: usize) -> Result<Num, &'static str> {
        if depth > MAX_DEPTH {
            return Err("formula nested too deeply");
        }
        let bin = |a: &Node, b: &Node| -> Result<(Box<Num>, Box<Num>), &'static str> {
            Ok((
                Box::new(self.num(a, depth + 1)?),
                Box::new(self.num(b, depth + 1)?),
            ))
        };
        Ok(match node {
            Node::Const(Value::Number(x)) => {
                Num::Const(Rational::decimal(*x).ok_or("constant beyond 64-bit integers")?)
            }
            Node::Slot(s) => match self.program.formula_of(*s) {
                Some(f) => self.num(&f.node, depth + 1)?,
                None => match self.program.inputs.get(*s).map(|i| i.ty) {
                    Some(
                        crate::parse::ast::InputType::Number
                        | crate::parse::ast::InputType::Integer
                        | crate::parse::ast::InputType::Decimal
                        | crate::parse::ast::InputType::Percent,
                    ) if self
                        .program
                        .inputs
                        .get(*s)
                        .is_some_and(|i| i.list.is_none()) =>
                    {
                        Num::Input(*s)
                    }
                    _ => return Err("an input that is not a number"),
                },
            },
            Node::Neg(x) => Num::Neg(Box::new(self.num(x, depth + 1)?)),
            Node::Arith(op, a, b, _) => {
                let (a, b) = bin(a, b)?;
                match op {
                    Arith::Add => Num::Add(a, b),
                    Arith::Sub => Num::Sub(a, b),
                    Arith::Mul => Num::Mul(a, b),
                    Arith::Div => Num::Div(a, b),
                    Arith::Pow => return Err("a power"),
                }
            }
            Node::Aggregate(_) => return Err("a score"),
            Node::Normalise(_) | Node::Rank(_) => return Err("a cohort operation"),
            Node::External(_) => return Err("a hook"),
            Node::Call(..) => return Err("a built-in function"),
            Node::Collection(_) | Node::Project(..) | Node::List(_) => {
                return Err("a collection");
            }
            _ => return Err("a value that is not a number"),
        })
    }

    fn pred(&self, node: &Node, depth: usize) -> Result<Pred, &'static str> {
        if depth > MAX_DEPTH {
            return Err("condition nested too deeply");
        }
        let two = |a: &Node, b: &Node| -> Result<(Box<Pred>, Box<Pred>), &'static str> {
            Ok((
                Box::new(self.pred(a, depth + 1)?),
                Box::new(self.pred(b, depth + 1)?),
            ))
        };
        Ok(match node {
            Node::Const(Value::Bool(b)) => Pred::Const(*b),
            Node::Cmp(op, a, b) => Pred::Cmp(*op, self.num(a, depth + 1)?, self.num(b, depth + 1)?),
            Node::And(a, b) => {
                let (a, b) = two(a, b)?;
                Pred::And(a, b)
            }
            Node::Or(a, b) => {
                let (a, b) = two(a, b)?;
                Pred::Or(a, b)
            }
            Node::Not(x) => Pred::Not(Box::new(self.pred(x, depth + 1)?)),
            Node::Slot(s) => match self.program.formula_of(*s) {
                Some(f) => self.pred(&f.node, depth + 1)?,
                None => return Err("a yes/no input"),
            },
            Node::Approx(..) => return Err("`~=`"),
            Node::External(_) => return Err("a hook"),
            _ => return Err("a condition the typed core does not compile"),
        })
    }

    fn rule(&self, rule: &crate::compile::RulePlan) -> FastRule {
        if rule.target.is_some() {
            return FastRule::Reference("a target by a year");
        }
        if rule.in_force.is_some() && self.program.dated_by.is_some() {
            return FastRule::Reference("a period in force");
        }
        let when = match rule.when.as_ref().map(|w| self.pred(w, 0)).transpose() {
            Ok(w) => w,
            Err(why) => return FastRule::Reference(why),
        };
        match self.pred(&rule.require, 0) {
            Ok(require) => FastRule::Typed { when, require },
            Err(why) => FastRule::Reference(why),
        }
    }
}

impl FastProgram {
    /// Compiles what the typed core can of a program; the rest stays on the reference.
    pub fn compile(program: &Program) -> Self {
        let lower = Lower { program };
        let rules = program.rules.iter().map(|r| lower.rule(r)).collect();
        let values = program
            .display_order
            .iter()
            .filter_map(|&slot| {
                let f = program.formula_of(slot)?;
                lower.num(&f.node, 0).ok().map(|n| (slot, n))
            })
            .collect();
        FastProgram { rules, values }
    }

    /// Each rule's id with `None` when the typed core decides it, or why the reference
    /// evaluator does.
    pub fn coverage<'p>(&self, program: &'p Program) -> Vec<(&'p str, Option<&'static str>)> {
        program
            .rules
            .iter()
            .zip(&self.rules)
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
        self.rules.len()
    }

    /// The computed values (indicators) the typed core computes too, by slot.
    pub fn value_slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.values.iter().map(|(s, _)| *s)
    }
}

/// Decisions of the typed core for every unit, rule by rule; `None` where the reference
/// evaluator decides ([`TypedEvaluation::complete`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypedEvaluation {
    units: usize,
    /// `statuses[rule * units + unit]`.
    statuses: Vec<Option<Status>>,
    /// Computed values as exact rationals, per [`FastProgram::value_slots`], unit by
    /// unit; `None` where a fault or overflow left it to the reference.
    pub values: Vec<Vec<Option<Rational>>>,
}

impl TypedEvaluation {
    /// The status of `rule` for `unit`, `None` when it is the reference's to decide.
    pub fn status(&self, unit: usize, rule: usize) -> Option<Status> {
        self.statuses
            .get(rule * self.units + unit)
            .copied()
            .flatten()
    }

    /// How many findings the reference evaluator has to decide.
    pub fn undecided(&self) -> usize {
        self.statuses.iter().filter(|s| s.is_none()).count()
    }

    /// Decides what is left with the reference evaluator, on the units that need it
    /// only. The program must have no cohort operations (units are evaluated alone).
    pub fn complete(&mut self, program: &Program, bound: &BoundData) {
        let rules = program.rules.len();
        let needed: Vec<usize> = (0..self.units)
            .filter(|&u| (0..rules).any(|r| self.status(u, r).is_none()))
            .collect();
        if needed.is_empty() {
            return;
        }
        let subset = BoundData {
            units: needed
                .iter()
                .filter_map(|&u| bound.units.get(u).cloned())
                .collect(),
            inputs: needed
                .iter()
                .filter_map(|&u| bound.inputs.get(u).cloned())
                .collect(),
        };
        let results = evaluate::evaluate(program, &subset);
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
    }

    /// Every status, unit by unit (after [`TypedEvaluation::complete`]).
    pub fn by_unit(&self) -> Vec<Vec<Option<Status>>> {
        let rules = self.statuses.len().checked_div(self.units).unwrap_or(0);
        (0..self.units)
            .map(|u| (0..rules).map(|r| self.status(u, r)).collect())
            .collect()
    }
}
