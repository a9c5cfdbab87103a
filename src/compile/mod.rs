//! Stage 3: a checked rule set → the program the evaluator runs.
//!
//! Every name becomes a slot number or an inlined constant; scores become mean nodes;
//! rules list the slots their evidence shows. Evaluation never looks a name up by string.

use std::sync::Arc;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::check::{Builtin, Checked, SymbolKind, Ty};
use crate::parse::ast::{
    self, BinaryOp, BoundOp, ExprKind, InputType, Item, Label, MessagePart, Severity, UnaryOp,
};
use crate::source::Loc;
use crate::value::Value;

/// An index into a unit's value slots.
pub type Slot = usize;

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub enum Node {
    /// A literal or constant.
    Const(Value),
    /// The value in a slot.
    Slot(Slot),
    /// `-x`.
    Neg(Box<Node>),
    /// `not x`.
    Not(Box<Node>),
    /// Arithmetic; the location names the operation when it fails.
    Arith(Arith, Box<Node>, Box<Node>, Loc),
    /// A comparison.
    Cmp(Cmp, Box<Node>, Box<Node>),
    /// `a ~= b`: the published-precision intervals of both sides overlap.
    Approx(Box<Node>, Box<Node>, Loc),
    /// `a and b` (Kleene: false wins over an error).
    And(Box<Node>, Box<Node>),
    /// `a or b` (Kleene: true wins over an error).
    Or(Box<Node>, Box<Node>),
    /// `if c then a else b`.
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A built-in function.
    Call(Builtin, Vec<Node>, Loc),
    /// A score: (weighted) arithmetic mean. Weights are `None` for equal weights.
    Mean(Vec<Node>, Option<Vec<Decimal>>, Loc),
}

/// What a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    /// A value read from the data.
    Input,
    /// A computed indicator.
    Indicator,
    /// A computed score.
    Score,
}

/// Description of one slot, for reports.
#[derive(Debug, Clone)]
pub struct SlotInfo {
    /// The declared name.
    pub name: Arc<str>,
    /// What it holds.
    pub kind: SlotKind,
    /// Its label.
    pub label: Label,
    /// Decimals shown in text reports.
    pub display: Option<u32>,
    /// Its type.
    pub ty: Ty,
    /// Declared type, for inputs.
    pub input_type: Option<InputType>,
}

/// How to read one input from a data record.
#[derive(Debug, Clone)]
pub struct InputPlan {
    /// Where the value goes.
    pub slot: Slot,
    /// The input's name.
    pub name: Arc<str>,
    /// The data field it is read from.
    pub field: String,
    /// Declared type.
    pub ty: InputType,
    /// Bounds that must all hold.
    pub bounds: Vec<(BoundOp, Decimal)>,
    /// May be absent.
    pub optional: bool,
    /// Value when absent.
    pub default: Option<Value>,
    /// The declaration, for messages.
    pub loc: Loc,
}

/// A computed slot and its formula.
#[derive(Debug, Clone)]
pub struct Formula {
    /// Where the result goes.
    pub slot: Slot,
    /// How it is computed.
    pub node: Node,
}

/// A compiled message template piece.
#[derive(Debug, Clone)]
pub enum MessagePiece {
    /// Literal text.
    Text(String),
    /// The unit's name.
    Unit,
    /// A slot's value, with decimals.
    Slot(Slot, Option<u32>),
    /// A constant's value.
    Const(Value, Option<u32>),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct RulePlan {
    /// Rule id.
    pub id: Arc<str>,
    /// Title.
    pub title: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Applicability condition.
    pub when: Option<Node>,
    /// The requirement.
    pub require: Node,
    /// Failure message.
    pub message: Vec<MessagePiece>,
    /// Citation.
    pub cite: Option<String>,
    /// Slots shown as evidence, in order of first mention.
    pub evidence: Vec<Slot>,
    /// Slots compared with `~=`: their intervals are evidence too.
    pub interval_evidence: Vec<Slot>,
    /// Where the rule is declared.
    pub loc: Loc,
}

/// A compiled rule set.
///
/// Slots are numbered inputs first (in declaration order), then indicators and scores in
/// evaluation order, so `formulas[k]` fills slot `input_count + k` and a unit's computed
/// values are simply pushed in order.
#[derive(Debug, Clone)]
pub struct Program {
    /// Every slot.
    pub slots: Vec<SlotInfo>,
    /// Inputs in declaration order; input `k` fills slot `k`.
    pub inputs: Vec<InputPlan>,
    /// Indicators and scores in evaluation order.
    pub formulas: Vec<Formula>,
    /// Indicators and scores in declaration order, for reports.
    pub display_order: Vec<Slot>,
    /// Rules in declaration order.
    pub rules: Vec<RulePlan>,
    /// Slot by name.
    pub slot_of: IndexMap<Arc<str>, Slot>,
}

impl Program {
    /// Number of input slots (the first slots).
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// The formula that computes `slot`, if it is computed.
    pub fn formula_of(&self, slot: Slot) -> Option<&Formula> {
        slot.checked_sub(self.inputs.len())
            .and_then(|k| self.formulas.get(k))
    }
}

/// Compiles a checked rule set.
pub fn compile(checked: &Checked) -> Program {
    let mut slots = Vec::new();
    let mut slot_of: IndexMap<Arc<str>, Slot> = IndexMap::new();
    let mut constants: IndexMap<&str, Value> = IndexMap::new();
    let mut add_slot = |name: &str, info: SlotInfo| {
        slot_of.insert(Arc::from(name), slots.len());
        slots.push(info);
    };
    for (name, sym) in &checked.symbols {
        match (sym.kind, checked.items.get(sym.item)) {
            (SymbolKind::Constant, Some(Item::Constant(c))) => {
                if let Some(v) = literal(&c.value) {
                    constants.insert(name.as_str(), v);
                }
            }
            (SymbolKind::Input, Some(Item::Input(i))) => add_slot(
                name,
                SlotInfo {
                    name: Arc::from(name.as_str()),
                    kind: SlotKind::Input,
                    label: i.label.clone(),
                    display: None,
                    ty: sym.ty,
                    input_type: Some(i.ty),
                },
            ),
            _ => {}
        }
    }
    for &index in &checked.order {
        let (name, kind, label, display) = match checked.items.get(index) {
            Some(Item::Indicator(i)) => (&i.name.name, SlotKind::Indicator, &i.label, i.display),
            Some(Item::Score(s)) => (&s.name.name, SlotKind::Score, &s.label, s.display),
            _ => continue,
        };
        let ty = checked.symbols.get(name).map_or(Ty::Unknown, |s| s.ty);
        add_slot(
            name,
            SlotInfo {
                name: Arc::from(name.as_str()),
                kind,
                label: label.clone(),
                display,
                ty,
                input_type: None,
            },
        );
    }
    let lower = Lowering {
        slot_of: &slot_of,
        constants: &constants,
    };
    let mut inputs = Vec::new();
    let mut rules = Vec::new();
    let mut display_order = Vec::new();
    for item in &checked.items {
        match item {
            Item::Input(i) => {
                let Some(&slot) = slot_of.get(i.name.name.as_str()) else {
                    continue;
                };
                inputs.push(InputPlan {
                    slot,
                    name: Arc::from(i.name.name.as_str()),
                    field: i.field.clone().unwrap_or_else(|| i.name.name.clone()),
                    ty: i.ty,
                    bounds: i.bounds.iter().map(|b| (b.op, b.value)).collect(),
                    optional: i.optional,
                    default: i.default.as_ref().and_then(literal),
                    loc: i.name.loc.clone(),
                });
            }
            Item::Indicator(_) | Item::Score(_) => {
                if let Some(&slot) = slot_of.get(item.ident().name.as_str()) {
                    display_order.push(slot);
                }
            }
            Item::Rule(r) => rules.push(lower.rule(r)),
            Item::Constant(_) => {}
        }
    }
    let mut formulas = Vec::new();
    for &index in &checked.order {
        let (name, node) = match checked.items.get(index) {
            Some(Item::Indicator(i)) => (&i.name.name, lower.expr(&i.formula)),
            Some(Item::Score(s)) => {
                let members = s.members.iter().map(|m| lower.name(&m.name.name)).collect();
                let weights = s.weighted.then(|| {
                    s.members
                        .iter()
                        .map(|m| m.weight.as_ref().map_or(Decimal::ZERO, |w| w.0))
                        .collect()
                });
                (&s.name.name, Node::Mean(members, weights, s.loc.clone()))
            }
            _ => continue,
        };
        let Some(&slot) = slot_of.get(name.as_str()) else {
            continue;
        };
        formulas.push(Formula { slot, node });
    }
    Program {
        slots,
        inputs,
        formulas,
        display_order,
        rules,
        slot_of,
    }
}

fn literal(e: &ast::Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Number(n) => Some(Value::Number(*n)),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        ExprKind::Text(t) => Some(Value::Text(Arc::from(t.as_str()))),
        _ => None,
    }
}

struct Lowering<'a> {
    slot_of: &'a IndexMap<Arc<str>, Slot>,
    constants: &'a IndexMap<&'a str, Value>,
}

impl Lowering<'_> {
    fn name(&self, name: &str) -> Node {
        if let Some(v) = self.constants.get(name) {
            return Node::Const(v.clone());
        }
        match self.slot_of.get(name) {
            Some(&s) => Node::Slot(s),
            // Unreachable after a successful check; a false constant keeps this total.
            None => Node::Const(Value::Bool(false)),
        }
    }

    fn expr(&self, e: &ast::Expr) -> Node {
        let b = |x: &ast::Expr| Box::new(self.expr(x));
        match &e.kind {
            ExprKind::Number(n) => Node::Const(Value::Number(*n)),
            ExprKind::Text(t) => Node::Const(Value::Text(Arc::from(t.as_str()))),
            ExprKind::Bool(v) => Node::Const(Value::Bool(*v)),
            ExprKind::Name(n) => self.name(n),
            ExprKind::Unary(UnaryOp::Neg, x) => Node::Neg(b(x)),
            ExprKind::Unary(UnaryOp::Not, x) => Node::Not(b(x)),
            ExprKind::Binary(op, x, y) => {
                let arith = |a| Node::Arith(a, b(x), b(y), e.loc.clone());
                let cmp = |c| Node::Cmp(c, b(x), b(y));
                match op {
                    BinaryOp::Add => arith(Arith::Add),
                    BinaryOp::Sub => arith(Arith::Sub),
                    BinaryOp::Mul => arith(Arith::Mul),
                    BinaryOp::Div => arith(Arith::Div),
                    BinaryOp::Pow => arith(Arith::Pow),
                    BinaryOp::Eq => cmp(Cmp::Eq),
                    BinaryOp::Ne => cmp(Cmp::Ne),
                    BinaryOp::Lt => cmp(Cmp::Lt),
                    BinaryOp::Le => cmp(Cmp::Le),
                    BinaryOp::Gt => cmp(Cmp::Gt),
                    BinaryOp::Ge => cmp(Cmp::Ge),
                    BinaryOp::Approx => Node::Approx(b(x), b(y), e.loc.clone()),
                    BinaryOp::And => Node::And(b(x), b(y)),
                    BinaryOp::Or => Node::Or(b(x), b(y)),
                }
            }
            ExprKind::If(c, x, y) => Node::If(b(c), b(x), b(y)),
            ExprKind::Call(f, args) => match Builtin::from_name(&f.name) {
                Some(builtin) => Node::Call(
                    builtin,
                    args.iter().map(|a| self.expr(a)).collect(),
                    e.loc.clone(),
                ),
                None => Node::Const(Value::Bool(false)),
            },
        }
    }

    fn rule(&self, r: &ast::Rule) -> RulePlan {
        let mut evidence = Vec::new();
        let mut interval_evidence = Vec::new();
        let push = |s: Slot, list: &mut Vec<Slot>| {
            if !list.contains(&s) {
                list.push(s);
            }
        };
        let mut names = Vec::new();
        if let Some(w) = &r.when {
            crate::check::names_in(w, &mut names);
        }
        for req in &r.require {
            crate::check::names_in(req, &mut names);
            approx_operands(req, &mut |name| {
                if let Some(&s) = self.slot_of.get(name) {
                    push(s, &mut interval_evidence);
                }
            });
        }
        let mut message = Vec::new();
        if let Some((parts, _)) = &r.message {
            for part in parts {
                message.push(match part {
                    MessagePart::Text(t) => MessagePiece::Text(t.clone()),
                    MessagePart::Unit => MessagePiece::Unit,
                    MessagePart::Value { name, decimals } => {
                        names.push((name.name.clone(), name.loc.clone()));
                        match self.name(&name.name) {
                            Node::Slot(s) => MessagePiece::Slot(s, *decimals),
                            Node::Const(v) => MessagePiece::Const(v, *decimals),
                            _ => MessagePiece::Text(String::new()),
                        }
                    }
                });
            }
        }
        for (name, _) in &names {
            if let Some(&s) = self.slot_of.get(name.as_str()) {
                push(s, &mut evidence);
            }
        }
        RulePlan {
            id: Arc::from(r.name.name.as_str()),
            title: r.label.primary.clone(),
            severity: r.severity.as_ref().map_or(Severity::Error, |s| s.0),
            when: r.when.as_ref().map(|w| self.expr(w)),
            require: r
                .require
                .first()
                .map_or(Node::Const(Value::Bool(false)), |e| self.expr(e)),
            message,
            cite: r.cite.clone(),
            evidence,
            interval_evidence,
            loc: r.name.loc.clone(),
        }
    }
}

/// Calls `f` with each name that is a direct operand of `~=` in `e`.
fn approx_operands(e: &ast::Expr, f: &mut impl FnMut(&str)) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::Approx, a, b) => {
            for side in [a, b] {
                if let ExprKind::Name(n) = &side.kind {
                    f(n);
                }
            }
        }
        ExprKind::Binary(_, a, b) => {
            approx_operands(a, f);
            approx_operands(b, f);
        }
        ExprKind::Unary(_, x) => approx_operands(x, f),
        ExprKind::If(c, a, b) => {
            approx_operands(c, f);
            approx_operands(a, f);
            approx_operands(b, f);
        }
        _ => {}
    }
}
