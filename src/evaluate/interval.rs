//! Interval arithmetic for `~=`: recomputing an aggregate from published, rounded figures.
//!
//! A `decimal` input stands for every value that rounds to it (`0.59` → `[0.585, 0.595]`).
//! Recomputing a formula over such inputs gives an interval that surely contains the
//! true aggregate; `a ~= b` holds when the intervals of both sides overlap. Results
//! that decimal division or multiplication had to round are widened outward by one unit
//! in the last place, so the enclosure stays sound.

use std::cell::Cell;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Fault, Slots, arith};
use crate::check::Builtin;
use crate::compile::{AggregateNode, Aggregation, Arith, Node, Program, SlotKind};
use crate::parse::ast::InputType;
use crate::source::Loc;
use crate::value::{Value, printed_interval, round_half_up};

/// A closed interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// Lower end.
    pub lo: Decimal,
    /// Upper end.
    pub hi: Decimal,
}

impl Interval {
    /// A single value.
    pub fn point(v: Decimal) -> Self {
        Self { lo: v, hi: v }
    }

    /// Do the two share a value?
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.lo <= other.hi && other.lo <= self.hi
    }

    fn contains_zero(&self) -> bool {
        self.lo <= Decimal::ZERO && self.hi >= Decimal::ZERO
    }
}

/// The interval of `node` for one unit's slots.
pub fn of(program: &Program, slots: Slots<'_>, node: &Node) -> Result<Interval, Arc<Fault>> {
    Walk {
        program,
        slots,
        depth: Cell::new(0),
    }
    .node(node)
}

/// The interval of a slot (an input's published precision, or its formula recomputed).
pub fn of_slot(program: &Program, slots: Slots<'_>, slot: usize) -> Result<Interval, Arc<Fault>> {
    Walk {
        program,
        slots,
        depth: Cell::new(0),
    }
    .slot(slot)
}

/// Most indicators one `~=` may recompute through, one inside the other.
pub const MAX_RECOMPUTE_DEPTH: u32 = 64;

struct Walk<'a> {
    program: &'a Program,
    slots: Slots<'a>,
    /// Indicators being recomputed, one inside the other.
    depth: Cell<u32>,
}

fn unsupported(at: &Loc, what: &str) -> Arc<Fault> {
    Arc::new(Fault::Domain {
        at: at.clone(),
        what: format!("`~=` cannot recompute {what} as an interval"),
    })
}

/// `[v - u, v + u]` with `u` one unit in the last place of `v`; an overflow is a fault.
fn widen(v: Decimal, at: &Loc) -> Result<(Decimal, Decimal), Arc<Fault>> {
    let ulp = Decimal::new(1, v.scale());
    match (v.checked_sub(ulp), v.checked_add(ulp)) {
        (Some(lo), Some(hi)) => Ok((lo, hi)),
        _ => Err(Arc::new(Fault::Overflow { at: at.clone() })),
    }
}

impl Walk<'_> {
    fn slot(&self, slot: usize) -> Result<Interval, Arc<Fault>> {
        let info = self.program.slots.get(slot);
        // A value computed from exact inputs only is exact: its computed value is its
        // interval, even where interval arithmetic has no rule (a normalisation).
        if self.program.formula_of(slot).is_some()
            && let Some(Ok(Value::Number(n))) = self.slots.get(slot)
            && !reads_published(self.program, slot, 0)
        {
            return Ok(Interval::point(*n));
        }
        if let Some(formula) = self.program.formula_of(slot) {
            if self.depth.get() >= MAX_RECOMPUTE_DEPTH {
                return Err(Arc::new(Fault::TooDeep {
                    what: format!(
                        "`~=` recomputes through more than {MAX_RECOMPUTE_DEPTH} indicators"
                    ),
                }));
            }
            self.depth.set(self.depth.get() + 1);
            let result = self.node(&formula.node);
            self.depth.set(self.depth.get() - 1);
            return result;
        }
        let value = self
            .slots
            .get(slot)
            .cloned()
            .unwrap_or(Ok(Value::Bool(false)))?;
        let Value::Number(n) = value else {
            return Ok(Interval::point(Decimal::ZERO));
        };
        let published = info
            .is_some_and(|i| i.kind == SlotKind::Input && i.input_type == Some(InputType::Decimal));
        Ok(if published {
            // How the figure was rounded decides what it stands for (`rounded down`).
            let rounding = info.map(|i| i.rounding).unwrap_or_default();
            let (lo, hi) = printed_interval(n, rounding);
            Interval { lo, hi }
        } else {
            Interval::point(n)
        })
    }

    fn point_value(&self, node: &Node) -> super::Outcome {
        super::Eval {
            program: self.program,
            slots: self.slots,
            cohorts: &[],
            element: None,
        }
        .node(node)
    }

    fn node(&self, node: &Node) -> Result<Interval, Arc<Fault>> {
        match node {
            Node::Const(Value::Number(n)) => Ok(Interval::point(*n)),
            Node::Slot(s) => self.slot(*s),
            Node::Neg(x) => {
                let i = self.node(x)?;
                Ok(Interval {
                    lo: -i.hi,
                    hi: -i.lo,
                })
            }
            Node::Arith(op, a, b, at) => {
                let (a, b) = (self.node(a)?, self.node(b)?);
                self.arith(*op, a, b, at)
            }
            Node::If(c, a, b) => match self.point_value(c)? {
                Value::Bool(true) => self.node(a),
                _ => self.node(b),
            },
            Node::Call(f, args, at) => self.call(*f, args, at),
            Node::Aggregate(agg) => self.aggregate(agg),
            Node::Normalise(n) => Err(unsupported(&n.at, "a normalisation across the cohort")),
            Node::Rank(r) => Err(unsupported(&r.at, "a rank")),
            Node::Audit(a) => match self.point_value(node)? {
                Value::Number(n) => Ok(Interval::point(n)),
                _ => Err(unsupported(
                    &crate::evaluate::audit::at_of(a),
                    "a comparison",
                )),
            },
            Node::External(call) => Err(unsupported(&call.at, "a hook function")),
            Node::Collection(c) => Err(unsupported(&c.at, "an aggregate over a collection")),
            Node::Field(_) | Node::It | Node::List(_) | Node::Project(..) => {
                Ok(Interval::point(Decimal::ZERO))
            }
            Node::Const(_) => Ok(Interval::point(Decimal::ZERO)),
            Node::Not(_) | Node::Cmp(..) | Node::And(..) | Node::Or(..) => {
                Ok(Interval::point(Decimal::ZERO))
            }
            Node::Approx(_, _, at) => Err(unsupported(at, "a comparison")),
        }
    }

    /// Arithmetic means, sums and minimums of intervals; other aggregations are refused.
    fn aggregate(&self, agg: &AggregateNode) -> Result<Interval, Arc<Fault>> {
        let at = &agg.at;
        let mut total = Interval::point(Decimal::ZERO);
        let mut weight_sum = Decimal::ZERO;
        let mut min: Option<Interval> = None;
        for (i, m) in agg.members.iter().enumerate() {
            let x = self.node(m)?;
            let w = agg
                .weights
                .as_ref()
                .and_then(|w| w.get(i).copied())
                .unwrap_or(Decimal::ONE);
            let term = match agg.kind {
                Aggregation::Arithmetic => self.arith(Arith::Mul, Interval::point(w), x, at)?,
                Aggregation::Sum => x,
                Aggregation::Minimum => {
                    min = Some(min.map_or(x, |m| Interval {
                        lo: m.lo.min(x.lo),
                        hi: m.hi.min(x.hi),
                    }));
                    continue;
                }
                _ => return Err(unsupported(at, &format!("a {}", agg.kind.describe()))),
            };
            total = self.arith(Arith::Add, total, term, at)?;
            weight_sum = super::arith(Arith::Add, weight_sum, w, at)?;
        }
        match agg.kind {
            Aggregation::Minimum => Ok(min.unwrap_or(Interval::point(Decimal::ZERO))),
            Aggregation::Sum => Ok(total),
            _ => self.arith(Arith::Div, total, Interval::point(weight_sum), at),
        }
    }

    /// `op` applied to every pair of endpoints; the hull of the results.
    fn arith(&self, op: Arith, a: Interval, b: Interval, at: &Loc) -> Result<Interval, Arc<Fault>> {
        match op {
            Arith::Add => Ok(Interval {
                lo: arith(op, a.lo, b.lo, at)?,
                hi: arith(op, a.hi, b.hi, at)?,
            }),
            Arith::Sub => Ok(Interval {
                lo: arith(op, a.lo, b.hi, at)?,
                hi: arith(op, a.hi, b.lo, at)?,
            }),
            Arith::Mul | Arith::Div => {
                if op == Arith::Div && b.contains_zero() {
                    if b.lo == b.hi {
                        return Err(Arc::new(Fault::DivisionByZero { at: at.clone() }));
                    }
                    return Err(unsupported(at, "a division whose divisor may be zero"));
                }
                let mut lo: Option<Decimal> = None;
                let mut hi: Option<Decimal> = None;
                for x in [a.lo, a.hi] {
                    for y in [b.lo, b.hi] {
                        let r = arith(op, x, y, at)?;
                        let exact = match op {
                            Arith::Div => r.checked_mul(y) == Some(x),
                            _ => y.is_zero() || r.checked_div(y) == Some(x),
                        };
                        let (down, up) = if exact { (r, r) } else { widen(r, at)? };
                        lo = Some(lo.map_or(down, |l| l.min(down)));
                        hi = Some(hi.map_or(up, |h| h.max(up)));
                    }
                }
                Ok(Interval {
                    lo: lo.unwrap_or_default(),
                    hi: hi.unwrap_or_default(),
                })
            }
            Arith::Pow => {
                let k = b.lo;
                if b.lo != b.hi
                    || !k.fract().is_zero()
                    || k.is_sign_negative()
                    || a.lo.is_sign_negative()
                {
                    return Err(unsupported(
                        at,
                        "a power other than a whole power of a non-negative number",
                    ));
                }
                Ok(Interval {
                    lo: arith(op, a.lo, k, at)?,
                    hi: arith(op, a.hi, k, at)?,
                })
            }
        }
    }

    fn call(&self, f: Builtin, args: &[Node], at: &Loc) -> Result<Interval, Arc<Fault>> {
        let all: Vec<Interval> = args
            .iter()
            .map(|a| self.node(a))
            .collect::<Result<_, _>>()?;
        let first = all
            .first()
            .copied()
            .unwrap_or(Interval::point(Decimal::ZERO));
        Ok(match f {
            Builtin::ContainsAll
            | Builtin::Missing
            | Builtin::Duplicates
            | Builtin::DaysBetween
            | Builtin::WorkingDaysBetween
            | Builtin::WeeksWithFewer
            | Builtin::LongestGap => return Err(unsupported(at, "a list or a date")),
            Builtin::Min => Interval {
                lo: all.iter().map(|i| i.lo).min().unwrap_or_default(),
                hi: all.iter().map(|i| i.hi).min().unwrap_or_default(),
            },
            Builtin::Max => Interval {
                lo: all.iter().map(|i| i.lo).max().unwrap_or_default(),
                hi: all.iter().map(|i| i.hi).max().unwrap_or_default(),
            },
            Builtin::Sum | Builtin::Mean => {
                let mut total = Interval::point(Decimal::ZERO);
                for i in &all {
                    total = self.arith(Arith::Add, total, *i, at)?;
                }
                if f == Builtin::Mean {
                    self.arith(
                        Arith::Div,
                        total,
                        Interval::point(Decimal::from(all.len())),
                        at,
                    )?
                } else {
                    total
                }
            }
            Builtin::Abs => {
                if first.contains_zero() {
                    Interval {
                        lo: Decimal::ZERO,
                        hi: first.lo.abs().max(first.hi.abs()),
                    }
                } else {
                    let (a, b) = (first.lo.abs(), first.hi.abs());
                    Interval {
                        lo: a.min(b),
                        hi: a.max(b),
                    }
                }
            }
            Builtin::Floor => Interval {
                lo: first.lo.floor(),
                hi: first.hi.floor(),
            },
            Builtin::Ceil => Interval {
                lo: first.lo.ceil(),
                hi: first.hi.ceil(),
            },
            Builtin::Round => {
                // The number of places is a value (`2.0` is two places), not its digits.
                let places = match all.get(1) {
                    None => 0,
                    Some(p) => whole_places(p).ok_or_else(|| {
                        Arc::new(Fault::Domain {
                            at: at.clone(),
                            what: "`round` needs a whole number of places from 0 to 28".into(),
                        })
                    })?,
                };
                Interval {
                    lo: round_half_up(first.lo, places),
                    hi: round_half_up(first.hi, places),
                }
            }
            Builtin::Sqrt => {
                if first.lo.is_sign_negative() && !first.lo.is_zero() {
                    return Err(unsupported(
                        at,
                        "the square root of a possibly negative number",
                    ));
                }
                let root = |x: Decimal| rust_decimal::MathematicalOps::sqrt(&x).unwrap_or_default();
                let (lo, _) = widen(root(first.lo), at)?;
                let (_, hi) = widen(root(first.hi), at)?;
                Interval {
                    lo: lo.max(Decimal::ZERO),
                    hi,
                }
            }
        })
    }
}

/// Does the value in `slot` depend on a published `decimal` input, directly, through
/// formulas or through the cohorts of its normalisations and ranks? (When unsure, yes.)
fn reads_published(program: &Program, slot: usize, depth: u32) -> bool {
    if depth > MAX_RECOMPUTE_DEPTH {
        return true;
    }
    let Some(formula) = program.formula_of(slot) else {
        return program
            .slots
            .get(slot)
            .is_none_or(|i| i.kind == SlotKind::Input && i.input_type == Some(InputType::Decimal));
    };
    let mut read = Vec::new();
    crate::compile::slots_in(&formula.node, &mut read);
    cohort_slots(program, &formula.node, &mut read);
    read.iter()
        .any(|s| *s == slot || reads_published(program, *s, depth + 1))
}

/// Slots the cohorts of a node's normalisations, ranks and audits read (their conditions).
fn cohort_slots(program: &Program, node: &Node, out: &mut Vec<usize>) {
    let cohort = match node {
        Node::Normalise(n) => Some(n.cohort),
        Node::Rank(r) => Some(r.cohort),
        Node::Audit(a) => a.cohort(),
        _ => None,
    };
    if let Some(c) = cohort.and_then(|c| program.cohorts.get(c)) {
        out.push(c.column);
        if let Some(f) = &c.filter {
            crate::compile::slots_in(f, out);
        }
    }
    for child in crate::compile::children(node) {
        cohort_slots(program, child, out);
    }
}

/// A number of decimal places known exactly: a point interval holding a whole number in 0..=28.
fn whole_places(p: &Interval) -> Option<u32> {
    use rust_decimal::prelude::ToPrimitive;
    if p.lo != p.hi || !p.lo.fract().is_zero() {
        return None;
    }
    p.lo.to_u32().filter(|n| *n <= 28)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn iv(lo: &str, hi: &str) -> Interval {
        Interval {
            lo: d(lo),
            hi: d(hi),
        }
    }

    fn walk_arith(op: Arith, a: Interval, b: Interval) -> Interval {
        let program = Program::default();
        let at = Loc {
            source: Source::new("t", "x"),
            range: 0..1,
        };
        Walk {
            program: &program,
            slots: Slots {
                inputs: &[],
                computed: &[],
            },
            depth: Cell::new(0),
        }
        .arith(op, a, b, &at)
        .unwrap()
    }

    #[test]
    fn sums_and_differences_of_published_figures() {
        let a = iv("0.53875", "0.53885");
        let b = iv("0.63635", "0.63645");
        assert_eq!(walk_arith(Arith::Add, a, b), iv("1.17510", "1.17530"));
        assert_eq!(walk_arith(Arith::Sub, a, b), iv("-0.09770", "-0.09750"));
    }

    #[test]
    fn inexact_division_is_widened_outward() {
        let r = walk_arith(
            Arith::Div,
            iv("2.202275", "2.207525"),
            Interval::point(d("3")),
        );
        assert!(r.lo < d("0.734091666666666666666666667") && r.lo > d("0.7340916666"));
        assert!(r.hi > d("2.207525") / d("3"));
        let exact = walk_arith(Arith::Div, iv("1", "2"), Interval::point(d("2")));
        assert_eq!(exact, iv("0.5", "1"));
    }

    #[test]
    fn products_take_the_hull_of_all_endpoint_pairs() {
        assert_eq!(
            walk_arith(Arith::Mul, iv("-1", "2"), iv("3", "4")),
            iv("-4", "8")
        );
    }

    #[test]
    fn overlap_is_inclusive() {
        assert!(iv("0.9448", "0.9449").overlaps(&iv("0.94485", "0.94495")));
        assert!(iv("0", "1").overlaps(&iv("1", "2")));
        assert!(!iv("0", "1").overlaps(&iv("1.0001", "2")));
    }
}
