//! Evaluating a node for one unit: values read from slots in place, arithmetic and
//! comparisons on exact decimals, three-valued `and`/`or`, built-in and external calls,
//! collection conditions over a list's elements.

use std::cmp::Ordering;
use std::sync::Arc;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::cohort::{self, CohortStats};
use super::dates::date_arith;
use super::{Eval, Fault, Outcome, aggregate, interval};
use crate::check::Builtin;
use crate::compile::{Arith, Cmp, Node};
use crate::value::{Value, round_half_up};

impl Eval<'_> {
    pub(super) fn column_name(&self, slot: usize) -> &str {
        self.program.slots.get(slot).map_or("", |s| &s.name)
    }

    pub(super) fn stats(
        &self,
        cohort: usize,
        at: &crate::source::Loc,
    ) -> Result<&CohortStats, Arc<Fault>> {
        self.cohorts
            .get(cohort)
            .and_then(Option::as_ref)
            .ok_or_else(|| {
                Arc::new(Fault::Domain {
                    at: at.clone(),
                    what: "cohort statistics are not available here".into(),
                })
            })
    }

    pub(super) fn no_element(&self, name: &str) -> Arc<Fault> {
        Arc::new(Fault::WrongKind {
            what: format!("`{name}` is only known inside a collection condition"),
        })
    }

    /// The same evaluation, looking at one element of a collection.
    pub(super) fn at<'e>(&'e self, element: &'e Value) -> Eval<'e> {
        Eval {
            program: self.program,
            slots: self.slots,
            cohorts: self.cohorts,
            element: Some(element),
        }
    }

    /// An aggregate over a collection input.
    pub(super) fn collection(&self, c: &crate::compile::CollectionNode) -> Outcome {
        use crate::compile::CollectionOp as Op;
        let items = match self.slots.get(c.list) {
            Some(Ok(Value::List(items))) => Arc::clone(items),
            Some(Err(f)) => return Err(Arc::clone(f)),
            _ => return Err(self.no_element("the collection")),
        };
        let empty = || {
            Arc::new(Fault::Domain {
                at: c.at.clone(),
                what: "no elements to aggregate".into(),
            })
        };
        let (mut matching, mut total) = (0usize, Decimal::ZERO);
        let mut best: Option<Value> = None;
        for item in items.iter() {
            let eval = self.at(item);
            if let Some(filter) = &c.filter
                && !eval.bool(filter)?
            {
                continue;
            }
            matching += 1;
            let value = || match &c.field {
                Some(f) => eval.node(&Node::Field(Arc::clone(f))),
                None => eval.node(&Node::It),
            };
            match c.op {
                Op::Sum | Op::Mean => {
                    let x = match value()? {
                        Value::Number(x) => x,
                        other => return Err(self.wrong(&Node::It, &other, "a number")),
                    };
                    total = arith(Arith::Add, total, x, &c.at)?;
                }
                Op::Min | Op::Max => {
                    let v = value()?;
                    let better = match &best {
                        None => true,
                        Some(b) if c.op == Op::Min => compare(Cmp::Lt, &v, b),
                        Some(b) => compare(Cmp::Gt, &v, b),
                    };
                    if better {
                        best = Some(v);
                    }
                }
                _ => {}
            }
        }
        let n = items.len();
        Ok(match c.op {
            Op::Count => Value::Number(Decimal::from(matching)),
            Op::Share if n == 0 => return Err(empty()),
            Op::Share => Value::Number(arith(
                Arith::Div,
                Decimal::from(matching),
                Decimal::from(n),
                &c.at,
            )?),
            Op::Sum => Value::Number(total),
            Op::Mean if matching == 0 => return Err(empty()),
            Op::Mean => Value::Number(arith(Arith::Div, total, Decimal::from(matching), &c.at)?),
            Op::Min | Op::Max => best.ok_or_else(empty)?,
            Op::All => Value::Bool(matching == n),
            Op::Any => Value::Bool(matching > 0),
            Op::None => Value::Bool(matching == 0),
        })
    }

    /// The required items missing from a list.
    pub(super) fn missing(&self, args: &[Node]) -> Result<Vec<Value>, Arc<Fault>> {
        let list = |node: Option<&Node>| -> Result<Arc<[Value]>, Arc<Fault>> {
            match node.map(|n| self.node(n)).transpose()? {
                Some(Value::List(items)) => Ok(items),
                _ => Err(self.no_element("a list")),
            }
        };
        let (have, need) = (list(args.first())?, list(args.get(1))?);
        Ok(need
            .iter()
            .filter(|item| !have.iter().any(|h| compare(Cmp::Eq, h, item)))
            .cloned()
            .collect())
    }

    /// A hook returned the wrong kind of value.
    pub(super) fn hook_type(
        &self,
        call: &crate::compile::ExternalCall,
        found: &str,
        expected: &str,
    ) -> Arc<Fault> {
        Arc::new(Fault::Hook {
            origin: self.program.externals.origin(call.target),
            message: format!("returned {found}, expected {expected}"),
            at: call.at.clone(),
        })
    }

    /// A value of the wrong kind where the checker could not know it (hook results).
    pub(super) fn wrong(&self, node: &Node, found: &Value, expected: &str) -> Arc<Fault> {
        match node {
            Node::External(call) => self.hook_type(call, found.kind(), expected),
            _ => Arc::new(Fault::WrongKind {
                what: format!("found {}, expected {expected}", found.kind()),
            }),
        }
    }

    pub(super) fn call_external(&self, call: &crate::compile::ExternalCall) -> Outcome {
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            args.push(self.node(a)?);
        }
        self.program.externals.call(call.target, &args, &call.at)
    }

    /// A number without cloning: slots and constants are read in place.
    pub(super) fn num(&self, node: &Node) -> Result<Decimal, Arc<Fault>> {
        match node {
            Node::Slot(s) => match self.slots.get(*s) {
                Some(Ok(Value::Number(n))) => Ok(*n),
                Some(Err(f)) => Err(Arc::clone(f)),
                // The checker guarantees numbers here; zero keeps this total.
                _ => Ok(Decimal::ZERO),
            },
            Node::Const(Value::Number(n)) => Ok(*n),
            _ => match self.node(node)? {
                Value::Number(n) => Ok(n),
                other => Err(self.wrong(node, &other, "a number")),
            },
        }
    }

    pub(super) fn bool(&self, node: &Node) -> Result<bool, Arc<Fault>> {
        match node {
            Node::Slot(s) => match self.slots.get(*s) {
                Some(Ok(Value::Bool(b))) => Ok(*b),
                Some(Err(f)) => Err(Arc::clone(f)),
                _ => Ok(false),
            },
            Node::Cmp(op, a, b) => self.compare(*op, a, b),
            Node::And(..)
            | Node::Or(..)
            | Node::Not(_)
            | Node::Const(_)
            | Node::If(..)
            | Node::Approx(..)
            | Node::External(_)
            | Node::Field(_)
            | Node::It
            | Node::Collection(_)
            | Node::Audit(_)
            | Node::Call(..) => match self.node(node)? {
                Value::Bool(b) => Ok(b),
                other => Err(self.wrong(node, &other, "true or false")),
            },
            _ => Ok(false),
        }
    }

    /// A value by reference where it already exists (slots, constants).
    pub(super) fn value_ref<'v>(
        &'v self,
        node: &'v Node,
    ) -> Result<std::borrow::Cow<'v, Value>, Arc<Fault>> {
        use std::borrow::Cow;
        match node {
            Node::Slot(s) => match self.slots.get(*s) {
                Some(Ok(v)) => Ok(Cow::Borrowed(v)),
                Some(Err(f)) => Err(Arc::clone(f)),
                None => Ok(Cow::Owned(Value::Bool(false))),
            },
            Node::Const(v) => Ok(Cow::Borrowed(v)),
            _ => self.node(node).map(Cow::Owned),
        }
    }

    /// A number held in a slot or constant, by reference; `None` for anything else.
    /// References, not copies: building and copying a 16-byte decimal through an
    /// `Option<Result<…>>` costs more than the comparison itself.
    pub(super) fn direct_number<'v>(
        &'v self,
        node: &'v Node,
    ) -> Option<Result<&'v Decimal, &'v Arc<Fault>>> {
        match node {
            Node::Slot(s) => match self.slots.get(*s)? {
                Ok(Value::Number(n)) => Some(Ok(n)),
                Err(f) => Some(Err(f)),
                Ok(_) => None,
            },
            Node::Const(Value::Number(n)) => Some(Ok(n)),
            _ => None,
        }
    }

    pub(super) fn compare(&self, op: Cmp, a: &Node, b: &Node) -> Result<bool, Arc<Fault>> {
        // Most comparisons are between numbers already in slots or constants.
        if let (Some(x), Some(y)) = (self.direct_number(a), self.direct_number(b)) {
            let x = x.map_err(Arc::clone)?;
            let y = y.map_err(Arc::clone)?;
            return Ok(order_holds(op, cmp_decimal(x, y)));
        }
        let (va, vb) = (self.value_ref(a)?, self.value_ref(b)?);
        // Values of two kinds meet only when a hook returned the wrong kind (the checker
        // types everything else): that is no comparison, not a `false` (or a `!=` true).
        if std::mem::discriminant(&*va) != std::mem::discriminant(&*vb) {
            return Err(match (&*va, &*vb) {
                (Value::Number(_), other) => self.wrong_at(b, other, "a number"),
                (other, Value::Number(_)) => self.wrong_at(a, other, "a number"),
                (expected, other) => self.wrong_at(b, other, expected.kind()),
            });
        }
        Ok(compare(op, &va, &vb))
    }

    /// [`Eval::wrong`] naming the value when it is a named one: `` `b` is text ``.
    pub(super) fn wrong_at(&self, node: &Node, found: &Value, expected: &str) -> Arc<Fault> {
        match node {
            Node::Slot(s) => Arc::new(Fault::WrongKind {
                what: format!(
                    "`{}` is {}, expected {expected}",
                    self.program.slots.get(*s).map_or("?", |i| i.name.as_ref()),
                    found.kind()
                ),
            }),
            _ => self.wrong(node, found, expected),
        }
    }

    pub(super) fn node(&self, node: &Node) -> Outcome {
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Slot(s) => match self.slots.get(*s) {
                Some(v) => v.clone(),
                None => Ok(Value::Bool(false)),
            },
            Node::Neg(x) => Ok(Value::Number(-self.num(x)?)),
            Node::Not(x) => Ok(Value::Bool(!self.bool(x)?)),
            Node::Arith(op, a, b, at) => match (self.direct_number(a), self.direct_number(b)) {
                (Some(x), Some(y)) => {
                    let (x, y) = (*x.map_err(Arc::clone)?, *y.map_err(Arc::clone)?);
                    arith(*op, x, y, at).map(Value::Number)
                }
                _ => match (self.node(a)?, self.node(b)?) {
                    (Value::Number(x), Value::Number(y)) => arith(*op, x, y, at).map(Value::Number),
                    (x @ Value::Date(_), y) | (x, y @ Value::Date(_)) => {
                        date_arith(*op, &x, &y, at)
                    }
                    (Value::Number(_), other) => Err(self.wrong(b, &other, "a number")),
                    (other, _) => Err(self.wrong(a, &other, "a number")),
                },
            },
            Node::Cmp(op, a, b) => self.compare(*op, a, b).map(Value::Bool),
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
            Node::Call(Builtin::Missing, args, _) => {
                Ok(Value::List(Arc::from(self.missing(args)?)))
            }
            Node::Call(Builtin::Duplicates, args, _) => match args.first().map(|a| self.node(a)) {
                Some(Ok(Value::List(items))) => Ok(Value::List(Arc::from(duplicates(&items)))),
                Some(Err(f)) => Err(f),
                _ => Err(self.no_element("a list")),
            },
            Node::Call(
                f @ (Builtin::DaysBetween
                | Builtin::WorkingDaysBetween
                | Builtin::WeeksWithFewer
                | Builtin::LongestGap),
                args,
                at,
            ) => self.calendar(*f, args, at),
            Node::Call(Builtin::ContainsAll, args, _) => {
                Ok(Value::Bool(self.missing(args)?.is_empty()))
            }
            Node::Call(f, args, at) => self.call(*f, args, at).map(Value::Number),
            Node::Aggregate(agg) => aggregate::aggregate(self, agg).map(Value::Number),
            Node::External(call) => self.call_external(call),
            Node::It => self.element.cloned().ok_or_else(|| self.no_element("it")),
            Node::Field(name) => match self.element {
                Some(Value::Record(fields)) => {
                    fields.get(name.as_ref()).cloned().ok_or_else(|| {
                        Arc::new(Fault::Missing {
                            input: name.to_string(),
                            field: name.to_string(),
                        })
                    })
                }
                _ => Err(self.no_element(name)),
            },
            Node::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.node(item)?);
                }
                Ok(Value::List(Arc::from(values)))
            }
            Node::Collection(c) => self.collection(c),
            Node::Project(list, field) => match self.slots.get(*list) {
                Some(Ok(Value::List(items))) => Ok(Value::List(Arc::from(
                    items
                        .iter()
                        .filter_map(|item| match item {
                            Value::Record(fields) => fields.get(field.as_ref()).cloned(),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ))),
                Some(Err(f)) => Err(Arc::clone(f)),
                _ => Err(self.no_element("a collection")),
            },
            Node::Normalise(n) => {
                let x = self.num(&Node::Slot(n.column))?;
                let stats = self.stats(n.cohort, &n.at)?;
                cohort::normalise(
                    n,
                    stats,
                    x,
                    self.column_name(n.column),
                    &self.program.externals,
                )
                .map(Value::Number)
            }
            Node::Audit(a) => self.audit(a),
            Node::Rank(r) => {
                let x = self.num(&Node::Slot(r.column))?;
                let stats = self.stats(r.cohort, &r.at)?;
                Ok(Value::Number(Decimal::from(stats.rank(x, r.ascending))))
            }
        }
    }

    pub(super) fn call(
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
            // Lists and dates are handled in `node`; they never reach a numeric call.
            Builtin::ContainsAll
            | Builtin::Missing
            | Builtin::Duplicates
            | Builtin::DaysBetween
            | Builtin::WorkingDaysBetween
            | Builtin::WeeksWithFewer
            | Builtin::LongestGap => Decimal::ZERO,
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

/// The items occurring more than once, each once, in order of their second occurrence.
/// Items are keyed by their display text, so a 10,000-member list stays linear.
fn duplicates(items: &[Value]) -> Vec<Value> {
    let mut seen = std::collections::HashMap::with_capacity(items.len());
    let mut out = Vec::new();
    for item in items {
        let count = seen.entry(item.to_string()).or_insert(0u32);
        *count += 1;
        if *count == 2 {
            out.push(item.clone());
        }
    }
    out
}

fn compare(op: Cmp, a: &Value, b: &Value) -> bool {
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => cmp_decimal(x, y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        // Lists are equal item by item (`thin_weeks = []`); they have no order.
        (Value::List(x), Value::List(y)) if matches!(op, Cmp::Eq | Cmp::Ne) => {
            let equal =
                x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| compare(Cmp::Eq, a, b));
            return equal == (op == Cmp::Eq);
        }
        _ => return op == Cmp::Ne,
    };
    order_holds(op, ord)
}

/// Decimal order, with the common case of equal scales (counts against counts,
/// figures against figures of the same precision) compared as plain integers.
#[inline]
pub(crate) fn cmp_decimal(a: &Decimal, b: &Decimal) -> Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(b)
    }
}

pub(super) fn order_holds(op: Cmp, ord: Ordering) -> bool {
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

    pub(super) fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    pub(super) fn at() -> Loc {
        Loc {
            source: Source::new("t", "a / b"),
            range: 0..5,
        }
    }

    #[test]
    pub(super) fn division_by_zero_is_a_fault_not_a_panic() {
        let err = arith(Arith::Div, d("1"), d("0"), &at()).unwrap_err();
        assert_eq!(err.to_string(), "division by zero in `a / b` (t:1:1)");
    }

    #[test]
    pub(super) fn overflow_is_a_fault() {
        let err = arith(Arith::Mul, Decimal::MAX, d("10"), &at()).unwrap_err();
        assert!(matches!(*err, Fault::Overflow { .. }));
        assert!(arith(Arith::Add, Decimal::MAX, Decimal::MAX, &at()).is_err());
    }

    #[test]
    pub(super) fn exact_decimal_means() {
        // (0.9941 + 0.8956) / 2 is exactly 0.94485, which floats cannot represent.
        let sum = arith(Arith::Add, d("0.9941"), d("0.8956"), &at()).unwrap();
        assert_eq!(arith(Arith::Div, sum, d("2"), &at()).unwrap(), d("0.94485"));
    }

    #[test]
    pub(super) fn powers() {
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
    pub(super) fn comparisons_ignore_trailing_zeros() {
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
