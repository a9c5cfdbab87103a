//! Lowering a compiled [`Program`]'s numeric rules into the typed core's flat plan: one
//! list of number operations and one of truth operations, each result a register named by
//! its index. Equal subexpressions are one register (a ratio a rule tests and an indicator
//! reports is computed once), and whether a comparison's exact tie can be decided without
//! the reference evaluator is settled here, once, not per unit.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::Rational;
use crate::compile::{Arith, Cmp, Node, Program, RulePlan, Slot};
use crate::parse::ast::InputType;
use crate::value::Value;

/// A register index.
pub(super) type Reg = u32;

/// A number operation; its result is the register of its own index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum NumOp {
    /// An input slot's value.
    Input(usize),
    /// A constant (index into [`Plan::constants`]).
    Const(usize),
    Add(Reg, Reg),
    Sub(Reg, Reg),
    Mul(Reg, Reg),
    Div(Reg, Reg),
    Neg(Reg),
}

impl NumOp {
    /// A binary operation's operands and its arithmetic (applied by
    /// [`Rational::arith`], for rows and columns alike); `None` for inputs, constants
    /// and negation.
    pub(super) fn binary(self) -> Option<(Reg, Reg, Arith)> {
        match self {
            NumOp::Add(a, b) => Some((a, b, Arith::Add)),
            NumOp::Sub(a, b) => Some((a, b, Arith::Sub)),
            NumOp::Mul(a, b) => Some((a, b, Arith::Mul)),
            NumOp::Div(a, b) => Some((a, b, Arith::Div)),
            NumOp::Input(_) | NumOp::Const(_) | NumOp::Neg(_) => None,
        }
    }
}

/// A truth operation over number and truth registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TruthOp {
    Const(bool),
    /// `a op b` over number registers; `tie` when an exact tie is the reference's tie too
    /// (see [`tie_is_exact`]).
    Cmp {
        op: Cmp,
        a: Reg,
        b: Reg,
        tie: bool,
    },
    /// Kleene `and`, `or`, `not` over truth registers.
    And(Reg, Reg),
    Or(Reg, Reg),
    Not(Reg),
}

impl std::hash::Hash for TruthOp {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match *self {
            TruthOp::Const(b) => (0u8, b).hash(h),
            TruthOp::Cmp { op, a, b, tie } => (1u8, op as u8, a, b, tie).hash(h),
            TruthOp::And(a, b) => (2u8, a, b).hash(h),
            TruthOp::Or(a, b) => (3u8, a, b).hash(h),
            TruthOp::Not(a) => (4u8, a).hash(h),
        }
    }
}

/// A rule in the typed core, or why it stays on the reference evaluator.
#[derive(Debug, Clone)]
pub(super) enum FastRule {
    Typed { when: Option<Reg>, require: Reg },
    Reference(&'static str),
}

/// The flat plan of a program's typed rules and values.
#[derive(Debug, Clone, Default)]
pub(super) struct Plan {
    pub nums: Vec<NumOp>,
    pub truths: Vec<TruthOp>,
    /// Constants, exact and as the reference holds them.
    pub constants: Vec<(Rational, Decimal)>,
    pub rules: Vec<FastRule>,
    /// Computed values (indicators) and their registers.
    pub values: Vec<(Slot, Reg)>,
}

/// Formulas inlined deeper than this stay on the reference evaluator.
const MAX_DEPTH: usize = 64;

/// Lowering state: the plan so far and its hash-consing tables.
struct Lower<'a> {
    program: &'a Program,
    plan: Plan,
    nums: HashMap<NumOp, Reg>,
    truths: HashMap<TruthOp, Reg>,
    /// Each constant's index in [`Plan::constants`], by mantissa and scale.
    constants: HashMap<(i128, u32), usize>,
    /// The reference's view of each number register, for the tie analysis.
    shapes: Vec<Shape>,
    /// Where each arithmetic register is written, for the reference's arithmetic.
    locs: HashMap<Reg, crate::source::Loc>,
}

/// What the tie analysis needs to know of a number register.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Computed without a division: the reference holds it exactly.
    Exact,
    /// A constant.
    Constant(usize),
    /// Anything with a division in it.
    Divided,
}

impl Lower<'_> {
    fn push_num(&mut self, op: NumOp, shape: Shape) -> Reg {
        if let Some(r) = self.nums.get(&op) {
            return *r;
        }
        let r = self.plan.nums.len() as Reg;
        self.plan.nums.push(op);
        self.shapes.push(shape);
        self.nums.insert(op, r);
        r
    }

    fn push_truth(&mut self, op: TruthOp) -> Reg {
        if let Some(r) = self.truths.get(&op) {
            return *r;
        }
        let r = self.plan.truths.len() as Reg;
        self.plan.truths.push(op);
        self.truths.insert(op, r);
        r
    }

    fn shape(&self, r: Reg) -> Shape {
        self.shapes
            .get(r as usize)
            .copied()
            .unwrap_or(Shape::Divided)
    }

    fn constant(&mut self, x: Decimal) -> Result<Reg, &'static str> {
        let exact = Rational::decimal(x).ok_or("constant beyond 64-bit integers")?;
        // Constants are hash-consed by their exact value and scale (`0.9` and `0.90`
        // stay apart: the reference holds them with their own scales).
        let constants = &mut self.plan.constants;
        let k = *self
            .constants
            .entry((x.mantissa(), x.scale()))
            .or_insert_with(|| {
                constants.push((exact, x));
                constants.len() - 1
            });
        Ok(self.push_num(NumOp::Const(k), Shape::Constant(k)))
    }

    /// The constant a register holds, if it is one.
    fn constant_of(&self, r: Reg) -> Option<Decimal> {
        match self.shape(r) {
            Shape::Constant(k) => self.plan.constants.get(k).map(|(_, d)| *d),
            _ => None,
        }
    }

    fn num(&mut self, node: &Node, depth: usize) -> Result<Reg, &'static str> {
        if depth > MAX_DEPTH {
            return Err("formula nested too deeply");
        }
        Ok(match node {
            Node::Const(Value::Number(x)) => self.constant(*x)?,
            Node::Slot(s) => match self.program.formula_of(*s) {
                Some(f) => self.num(&f.node, depth + 1)?,
                None => match self.program.inputs.get(*s) {
                    Some(i)
                        if i.list.is_none()
                            && matches!(
                                i.ty,
                                InputType::Number
                                    | InputType::Integer
                                    | InputType::Decimal
                                    | InputType::Percent
                            ) =>
                    {
                        self.push_num(NumOp::Input(*s), Shape::Exact)
                    }
                    _ => return Err("an input that is not a number"),
                },
            },
            Node::Neg(x) => {
                let x = self.num(x, depth + 1)?;
                // `-0.8` is a constant to the tie analysis (the reference negates
                // exactly).
                if let Some(k) = self.constant_of(x) {
                    return self.constant(-k);
                }
                let shape = match self.shape(x) {
                    Shape::Divided => Shape::Divided,
                    _ => Shape::Exact,
                };
                self.push_num(NumOp::Neg(x), shape)
            }
            Node::Arith(op, a, b, at) => {
                let (a, b) = (self.num(a, depth + 1)?, self.num(b, depth + 1)?);
                let divided = matches!(self.shape(a), Shape::Divided)
                    || matches!(self.shape(b), Shape::Divided)
                    || *op == Arith::Div;
                let shape = if divided {
                    Shape::Divided
                } else {
                    Shape::Exact
                };
                let op = match op {
                    Arith::Add => NumOp::Add(a, b),
                    Arith::Sub => NumOp::Sub(a, b),
                    Arith::Mul => NumOp::Mul(a, b),
                    Arith::Div => NumOp::Div(a, b),
                    Arith::Pow => return Err("a power"),
                };
                let r = self.push_num(op, shape);
                self.locs.entry(r).or_insert_with(|| at.clone());
                r
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

    fn pred(&mut self, node: &Node, depth: usize) -> Result<Reg, &'static str> {
        if depth > MAX_DEPTH {
            return Err("condition nested too deeply");
        }
        Ok(match node {
            Node::Const(Value::Bool(b)) => self.push_truth(TruthOp::Const(*b)),
            Node::Cmp(op, a, b) => {
                let (a, b) = (self.num(a, depth + 1)?, self.num(b, depth + 1)?);
                let tie = self.tie_is_exact(a, b) || self.tie_is_exact(b, a);
                self.push_truth(TruthOp::Cmp { op: *op, a, b, tie })
            }
            Node::And(a, b) => {
                let (a, b) = (self.pred(a, depth + 1)?, self.pred(b, depth + 1)?);
                self.push_truth(TruthOp::And(a, b))
            }
            Node::Or(a, b) => {
                let (a, b) = (self.pred(a, depth + 1)?, self.pred(b, depth + 1)?);
                self.push_truth(TruthOp::Or(a, b))
            }
            Node::Not(x) => {
                let x = self.pred(x, depth + 1)?;
                self.push_truth(TruthOp::Not(x))
            }
            Node::Slot(s) => match self.program.formula_of(*s) {
                Some(f) => self.pred(&f.node, depth + 1)?,
                None => return Err("a yes/no input"),
            },
            Node::Approx(..) => return Err("`~=`"),
            Node::External(_) => return Err("a hook"),
            _ => return Err("a condition the typed core does not compile"),
        })
    }

    /// Whether `side = constant` holding exactly means the reference computed `side` as
    /// exactly that constant. True when `side` is one division of division-free operands
    /// followed by `+ − ×` with constants: at a tie the division's exact quotient is then
    /// one known number `t`; if `t` is a decimal the reference's division returns it
    /// exactly, and the reference's own arithmetic, run here on `t`, must give the
    /// constant back. Anything else (a quotient like ⅓ at the tie, two divisions) leaves a
    /// tie to the reference evaluator.
    fn tie_is_exact(&self, side: Reg, constant: Reg) -> bool {
        let Shape::Constant(k) = self.shape(constant) else {
            return false;
        };
        let Some(&(_, c)) = self.plan.constants.get(k) else {
            return false;
        };
        // Walk down from the comparison to the division, undoing each exact operation
        // on the target, and remember the way back up.
        let mut target = c;
        let mut way: Vec<(Reg, NumOp, Decimal, bool)> = Vec::new();
        let mut at = side;
        loop {
            let Some(op) = self.plan.nums.get(at as usize).copied() else {
                return false;
            };
            let konst = |r: Reg| self.constant_of(r);
            let undone = match op {
                NumOp::Div(a, b) => {
                    let exact = |r| matches!(self.shape(r), Shape::Exact | Shape::Constant(_));
                    if !(exact(a) && exact(b)) {
                        return false;
                    }
                    break;
                }
                NumOp::Neg(x) => {
                    way.push((at, op, Decimal::ZERO, true));
                    at = x;
                    Some(-target)
                }
                NumOp::Add(x, y) | NumOp::Sub(x, y) | NumOp::Mul(x, y) => {
                    let (other, k, left) = match (konst(x), konst(y)) {
                        (None, Some(k)) => (x, k, true),
                        (Some(k), None) => (y, k, false),
                        _ => return false,
                    };
                    way.push((at, op, k, left));
                    at = other;
                    match (op, left) {
                        (NumOp::Add(..), _) => target.checked_sub(k),
                        (NumOp::Sub(..), true) => target.checked_add(k),
                        (NumOp::Sub(..), false) => k.checked_sub(target),
                        _ if k.is_zero() => None,
                        // The quotient must be exact: a target 1 under `× 3` is not.
                        _ => target
                            .checked_div(k)
                            .filter(|q| q.checked_mul(k) == Some(target)),
                    }
                }
                NumOp::Input(_) | NumOp::Const(_) => return false,
            };
            match undone {
                Some(t) => target = t,
                None => return false,
            }
        }
        // The quotient at the tie must be what a decimal holds: forward again with the
        // reference's own arithmetic must land exactly on the constant.
        if Rational::decimal(target).is_none_or(|t| t.d > 1_000_000_000_000_000_000) {
            return false;
        }
        let mut value = target;
        for (reg, op, k, left) in way.iter().rev() {
            if matches!(op, NumOp::Neg(_)) {
                value = -value;
                continue;
            }
            let Some(at) = self.locs.get(reg) else {
                return false;
            };
            let step = match (op, left) {
                (NumOp::Add(..), true) => crate::evaluate::arith(Arith::Add, value, *k, at),
                (NumOp::Add(..), false) => crate::evaluate::arith(Arith::Add, *k, value, at),
                (NumOp::Sub(..), true) => crate::evaluate::arith(Arith::Sub, value, *k, at),
                (NumOp::Sub(..), false) => crate::evaluate::arith(Arith::Sub, *k, value, at),
                (_, true) => crate::evaluate::arith(Arith::Mul, value, *k, at),
                (_, false) => crate::evaluate::arith(Arith::Mul, *k, value, at),
            };
            match step {
                Ok(v) => value = v,
                Err(_) => return false,
            }
        }
        value == c
    }

    fn rule(&mut self, rule: &RulePlan) -> FastRule {
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

/// Lowers what the typed core can of a program; the rest stays on the reference.
pub(super) fn lower(program: &Program) -> Plan {
    let mut lower = Lower {
        program,
        plan: Plan::default(),
        nums: HashMap::new(),
        truths: HashMap::new(),
        constants: HashMap::new(),
        shapes: Vec::new(),
        locs: HashMap::new(),
    };
    let rules: Vec<FastRule> = program.rules.iter().map(|r| lower.rule(r)).collect();
    let mut values = Vec::new();
    for &slot in &program.display_order {
        if let Some(f) = program.formula_of(slot)
            && let Ok(r) = lower.num(&f.node, 0)
        {
            values.push((slot, r));
        }
    }
    let mut plan = lower.plan;
    plan.rules = rules;
    plan.values = values;
    plan
}
