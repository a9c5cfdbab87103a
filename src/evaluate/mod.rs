//! Stage 4: a compiled program × a dataset → values and findings.
//!
//! Each unit gets one vector of slots: inputs are bound from its record, then every
//! indicator and score is computed once, in dependency order, then every rule is
//! decided. A value that cannot be computed is a [`Fault`] carried in its slot, so what
//! depends on it is `error` with the original reason.

mod bind;
mod fault;
pub mod interval;

use std::cmp::Ordering;
use std::sync::Arc;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

pub use bind::parse_decimal;
pub use fault::Fault;
pub use interval::Interval;

use crate::check::Builtin;
use crate::compile::{Arith, Cmp, Node, Program};
use crate::data::Dataset;
use crate::value::{Value, round_half_up};

/// A value, or why there is none.
pub type Outcome = Result<Value, Arc<Fault>>;

/// A finding's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// The requirement does not hold.
    Fail,
    /// Could not be decided (missing or invalid data, a failed computation).
    Error,
    /// The rule's condition does not apply to this unit.
    Skip,
}

/// One rule decided for one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The status.
    pub status: Status,
    /// The reason, when the status is `error`.
    pub fault: Option<Arc<Fault>>,
}

/// One unit's evaluated slots and decisions.
#[derive(Debug, Clone)]
pub struct UnitResult {
    /// Every slot's outcome (inputs, indicators, scores).
    pub slots: Vec<Outcome>,
    /// One decision per rule, in rule order.
    pub decisions: Vec<Decision>,
}

/// Input values of every unit, converted and checked against the declarations.
#[derive(Debug, Clone)]
pub struct BoundData {
    /// Unit names.
    pub units: Vec<Arc<str>>,
    /// Per unit, every slot: inputs filled, computed slots empty.
    pub slots: Vec<Vec<Outcome>>,
}

/// Converts every record's fields to the declared input types.
pub fn bind(program: &Program, data: &Dataset) -> BoundData {
    let pending: Arc<Fault> = Arc::new(Fault::Missing {
        input: String::new(),
        field: String::new(),
    });
    let mut units = Vec::with_capacity(data.records.len());
    let mut all = Vec::with_capacity(data.records.len());
    for record in &data.records {
        let mut slots: Vec<Outcome> = vec![Err(Arc::clone(&pending)); program.slots.len()];
        for plan in &program.inputs {
            if let Some(slot) = slots.get_mut(plan.slot) {
                *slot = bind::bind_input(plan, record.fields.get(&plan.field));
            }
        }
        units.push(Arc::from(record.unit.as_str()));
        all.push(slots);
    }
    BoundData { units, slots: all }
}

/// Evaluates every unit of bound data.
pub fn evaluate(program: &Program, data: &BoundData) -> Vec<UnitResult> {
    data.slots
        .iter()
        .map(|inputs| evaluate_unit(program, inputs.clone()))
        .collect()
}

/// Evaluates one unit, given its bound slots.
pub fn evaluate_unit(program: &Program, mut slots: Vec<Outcome>) -> UnitResult {
    for formula in &program.formulas {
        let value = Eval {
            program,
            slots: &slots,
        }
        .node(&formula.node);
        if let Some(slot) = slots.get_mut(formula.slot) {
            *slot = value;
        }
    }
    let eval = Eval {
        program,
        slots: &slots,
    };
    let decisions = program.rules.iter().map(|rule| eval.decide(rule)).collect();
    UnitResult { slots, decisions }
}

struct Eval<'a> {
    program: &'a Program,
    slots: &'a [Outcome],
}

impl Eval<'_> {
    fn decide(&self, rule: &crate::compile::RulePlan) -> Decision {
        if let Some(when) = &rule.when {
            match self.node(when) {
                Ok(Value::Bool(true)) => {}
                Ok(_) => {
                    return Decision {
                        status: Status::Skip,
                        fault: None,
                    };
                }
                Err(f) => {
                    return Decision {
                        status: Status::Error,
                        fault: Some(f),
                    };
                }
            }
        }
        match self.node(&rule.require) {
            Ok(Value::Bool(true)) => Decision {
                status: Status::Pass,
                fault: None,
            },
            Ok(_) => Decision {
                status: Status::Fail,
                fault: None,
            },
            Err(f) => Decision {
                status: Status::Error,
                fault: Some(f),
            },
        }
    }

    fn num(&self, node: &Node) -> Result<Decimal, Arc<Fault>> {
        match self.node(node)? {
            Value::Number(n) => Ok(n),
            // The checker guarantees numbers here; zero keeps this total.
            _ => Ok(Decimal::ZERO),
        }
    }

    fn bool(&self, node: &Node) -> Result<bool, Arc<Fault>> {
        match self.node(node)? {
            Value::Bool(b) => Ok(b),
            _ => Ok(false),
        }
    }

    fn node(&self, node: &Node) -> Outcome {
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Slot(s) => match self.slots.get(*s) {
                Some(v) => v.clone(),
                None => Ok(Value::Bool(false)),
            },
            Node::Neg(x) => Ok(Value::Number(-self.num(x)?)),
            Node::Not(x) => Ok(Value::Bool(!self.bool(x)?)),
            Node::Arith(op, a, b, at) => {
                let (a, b) = (self.num(a)?, self.num(b)?);
                arith(*op, a, b, at).map(Value::Number)
            }
            Node::Cmp(op, a, b) => {
                let (a, b) = (self.node(a)?, self.node(b)?);
                Ok(Value::Bool(compare(*op, &a, &b)))
            }
            Node::Approx(a, b, _) => {
                let ia = interval::of(self.program, self.slots, a)?;
                let ib = interval::of(self.program, self.slots, b)?;
                Ok(Value::Bool(ia.overlaps(&ib)))
            }
            Node::And(a, b) => match self.bool(a) {
                Ok(false) => Ok(Value::Bool(false)),
                Ok(true) => Ok(Value::Bool(self.bool(b)?)),
                // Kleene: an undecidable left side is still false when the right side is.
                Err(f) => match self.bool(b) {
                    Ok(false) => Ok(Value::Bool(false)),
                    _ => Err(f),
                },
            },
            Node::Or(a, b) => match self.bool(a) {
                Ok(true) => Ok(Value::Bool(true)),
                Ok(false) => Ok(Value::Bool(self.bool(b)?)),
                Err(f) => match self.bool(b) {
                    Ok(true) => Ok(Value::Bool(true)),
                    _ => Err(f),
                },
            },
            Node::If(c, a, b) => {
                if self.bool(c)? {
                    self.node(a)
                } else {
                    self.node(b)
                }
            }
            Node::Call(f, args, at) => self.call(*f, args, at).map(Value::Number),
            Node::Mean(members, weights, at) => {
                let mut total = Decimal::ZERO;
                let mut weight_sum = Decimal::ZERO;
                for (i, m) in members.iter().enumerate() {
                    let x = self.num(m)?;
                    let w = weights
                        .as_ref()
                        .and_then(|w| w.get(i).copied())
                        .unwrap_or(Decimal::ONE);
                    let term = arith(Arith::Mul, w, x, at)?;
                    total = arith(Arith::Add, total, term, at)?;
                    weight_sum += w;
                }
                arith(Arith::Div, total, weight_sum, at).map(Value::Number)
            }
        }
    }

    fn call(
        &self,
        f: Builtin,
        args: &[Node],
        at: &crate::source::Loc,
    ) -> Result<Decimal, Arc<Fault>> {
        let first = || args.first().map_or(Ok(Decimal::ZERO), |a| self.num(a));
        Ok(match f {
            Builtin::Min | Builtin::Max => {
                let mut best: Option<Decimal> = None;
                for a in args {
                    let v = self.num(a)?;
                    best = Some(match best {
                        None => v,
                        Some(b) if f == Builtin::Min => b.min(v),
                        Some(b) => b.max(v),
                    });
                }
                best.unwrap_or(Decimal::ZERO)
            }
            Builtin::Sum | Builtin::Mean => {
                let mut total = Decimal::ZERO;
                for a in args {
                    total = arith(Arith::Add, total, self.num(a)?, at)?;
                }
                if f == Builtin::Mean {
                    arith(Arith::Div, total, Decimal::from(args.len()), at)?
                } else {
                    total
                }
            }
            Builtin::Abs => first()?.abs(),
            Builtin::Floor => first()?.floor(),
            Builtin::Ceil => first()?.ceil(),
            Builtin::Sqrt => {
                let x = first()?;
                rust_decimal::MathematicalOps::sqrt(&x).ok_or_else(|| {
                    Arc::new(Fault::Domain {
                        at: at.clone(),
                        what: format!("square root of the negative number {x}"),
                    })
                })?
            }
            Builtin::Round => {
                let x = first()?;
                let places = match args.get(1) {
                    Some(p) => self.num(p)?.to_u32().unwrap_or(0),
                    None => 0,
                };
                round_half_up(x, places)
            }
        })
    }
}

/// Exact arithmetic; failures name the operation.
pub(crate) fn arith(
    op: Arith,
    a: Decimal,
    b: Decimal,
    at: &crate::source::Loc,
) -> Result<Decimal, Arc<Fault>> {
    let overflow = || Arc::new(Fault::Overflow { at: at.clone() });
    match op {
        Arith::Add => a.checked_add(b).ok_or_else(overflow),
        Arith::Sub => a.checked_sub(b).ok_or_else(overflow),
        Arith::Mul => a.checked_mul(b).ok_or_else(overflow),
        Arith::Div => {
            if b.is_zero() {
                Err(Arc::new(Fault::DivisionByZero { at: at.clone() }))
            } else {
                a.checked_div(b).ok_or_else(overflow)
            }
        }
        Arith::Pow => power(a, b).ok_or_else(|| {
            if a.is_zero() && b.is_sign_negative() {
                Arc::new(Fault::DivisionByZero { at: at.clone() })
            } else if a.is_sign_negative() && !b.fract().is_zero() {
                Arc::new(Fault::Domain {
                    at: at.clone(),
                    what: format!("fractional power of the negative number {a}"),
                })
            } else {
                overflow()
            }
        }),
    }
}

fn power(a: Decimal, b: Decimal) -> Option<Decimal> {
    use rust_decimal::MathematicalOps;
    if a.is_zero() && b.is_sign_negative() {
        return None;
    }
    if b.fract().is_zero() {
        let k = b.to_i64()?;
        return a.checked_powi(k);
    }
    if a.is_sign_negative() {
        return None;
    }
    a.checked_powd(b)
}

fn compare(op: Cmp, a: &Value, b: &Value) -> bool {
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => return op == Cmp::Ne,
    };
    match op {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Loc, Source};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn at() -> Loc {
        Loc {
            source: Source::new("t", "a / b"),
            range: 0..5,
        }
    }

    #[test]
    fn division_by_zero_is_a_fault_not_a_panic() {
        let err = arith(Arith::Div, d("1"), d("0"), &at()).unwrap_err();
        assert_eq!(err.to_string(), "division by zero in `a / b` (t:1:1)");
    }

    #[test]
    fn overflow_is_a_fault() {
        let err = arith(Arith::Mul, Decimal::MAX, d("10"), &at()).unwrap_err();
        assert!(matches!(*err, Fault::Overflow { .. }));
        assert!(arith(Arith::Add, Decimal::MAX, Decimal::MAX, &at()).is_err());
    }

    #[test]
    fn exact_decimal_means() {
        // (0.9941 + 0.8956) / 2 is exactly 0.94485, which floats cannot represent.
        let sum = arith(Arith::Add, d("0.9941"), d("0.8956"), &at()).unwrap();
        assert_eq!(arith(Arith::Div, sum, d("2"), &at()).unwrap(), d("0.94485"));
    }

    #[test]
    fn powers() {
        assert_eq!(
            arith(Arith::Pow, d("2"), d("10"), &at()).unwrap(),
            d("1024")
        );
        assert_eq!(arith(Arith::Pow, d("2"), d("-1"), &at()).unwrap(), d("0.5"));
        assert!(matches!(
            *arith(Arith::Pow, d("0"), d("-1"), &at()).unwrap_err(),
            Fault::DivisionByZero { .. }
        ));
        assert!(matches!(
            *arith(Arith::Pow, d("-8"), d("0.5"), &at()).unwrap_err(),
            Fault::Domain { .. }
        ));
        let root = arith(Arith::Pow, d("16"), d("0.5"), &at()).unwrap();
        assert!((root - d("4")).abs() < d("0.0000001"), "{root}");
    }

    #[test]
    fn comparisons_ignore_trailing_zeros() {
        assert!(compare(
            Cmp::Eq,
            &Value::Number(d("0.50")),
            &Value::Number(d("0.5"))
        ));
        assert!(compare(
            Cmp::Le,
            &Value::Number(d("2")),
            &Value::Number(d("2.0"))
        ));
        assert!(!compare(
            Cmp::Lt,
            &Value::Number(d("2")),
            &Value::Number(d("2.0"))
        ));
    }
}
