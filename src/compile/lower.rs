//! Lowering: syntax-tree expressions → [`Node`]s over slot numbers, constants inlined,
//! cohort operations given their cohort, calls resolved to built-ins or external
//! functions.

use std::sync::Arc;

use super::{
    Arith, Cmp, Cohort, CollectionNode, CollectionOp, ExternalCall, Lowering, Method, Node,
    NormaliseNode, RankNode, Slot,
};
use crate::check::Builtin;
use crate::hooks::Target;
use crate::parse::ast::{self, BinaryOp, ExprKind, UnaryOp};
use crate::value::Value;

impl Lowering<'_> {
    pub(super) fn hook(&self, method: &Method) -> Option<Target> {
        match method {
            Method::Hook(name) => self.externals.resolve(name),
            _ => None,
        }
    }

    pub(super) fn slot(&self, name: &str) -> Slot {
        self.slot_of.get(name).copied().unwrap_or(0)
    }

    /// Registers a cohort and returns its index.
    pub(super) fn cohort(
        &self,
        column: Slot,
        filter: Option<&ast::Expr>,
        rounded: Option<u32>,
        method: &Method,
    ) -> usize {
        let filter = filter.map(|f| self.expr(f));
        let mut cohorts = self.cohorts.borrow_mut();
        cohorts.push(Cohort {
            column,
            filter,
            rounded,
            reference: match method {
                Method::Distance(unit) => Some(unit.clone()),
                Method::Composite(n) => n.reference().map(str::to_string),
                _ => None,
            },
            ordered: false,
            moments: false,
            treatment: match method {
                Method::Composite(crate::parse::composite::Normaliser::Treat(t)) => Some(t.clone()),
                _ => None,
            },
            audit: None,
            members: Vec::new(),
        });
        cohorts.len() - 1
    }

    pub(super) fn rank(&self, spec: &ast::RankSpec) -> RankNode {
        let column = self.slot(&spec.column.name);
        RankNode {
            column,
            ascending: spec.ascending,
            cohort: self.cohort(column, spec.cohort.as_ref(), spec.rounded, &Method::Rank),
            group: spec.group.as_ref().map(|g| self.slot(&g.name)),
            at: spec.column.loc.clone(),
        }
    }

    pub(super) fn name(&self, name: &str) -> Node {
        if self
            .scope
            .borrow()
            .iter()
            .rev()
            .any(|s| s.contains_key(name))
        {
            return if name == "it" {
                Node::It
            } else {
                Node::Field(Arc::from(name))
            };
        }
        if let Some(v) = self.constants.get(name) {
            return Node::Const(v.clone());
        }
        match self.slot_of.get(name) {
            Some(&s) => Node::Slot(s),
            // Unreachable after a successful check; a false constant keeps this total.
            None => Node::Const(Value::Bool(false)),
        }
    }

    pub(super) fn expr(&self, e: &ast::Expr) -> Node {
        let b = |x: &ast::Expr| Box::new(self.expr(x));
        match &e.kind {
            ExprKind::Number(n) => Node::Const(Value::Number(*n)),
            ExprKind::Date(d) => Node::Const(Value::Date(*d)),
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
            ExprKind::Normalise(n) => {
                let column = self.slot(&n.column.name);
                Node::Normalise(Box::new(NormaliseNode {
                    column,
                    method: n.method.clone(),
                    lower_is_better: n.lower_is_better,
                    cohort: self.cohort(column, n.cohort.as_ref(), None, &n.method),
                    hook: self.hook(&n.method),
                    at: e.loc.clone(),
                }))
            }
            ExprKind::Rank(r) => Node::Rank(Box::new(self.rank(r))),
            ExprKind::Audit(a) => self.audit_expr(a, &e.loc),
            ExprKind::List(items) => Node::List(items.iter().map(|i| self.expr(i)).collect()),
            ExprKind::Project(list, field) => {
                Node::Project(self.slot(&list.name), Arc::from(field.name.as_str()))
            }
            ExprKind::Collection(c) => {
                match crate::check::element_scope(self.items, &c.list.name) {
                    Some(scope) => {
                        self.scope.borrow_mut().push(scope);
                        let filter = c.filter.as_ref().map(|f| self.expr(f));
                        self.scope.borrow_mut().pop();
                        Node::Collection(Box::new(CollectionNode {
                            op: c.op,
                            list: self.slot(&c.list.name),
                            field: c.field.as_ref().map(|f| Arc::from(f.name.as_str())),
                            filter,
                            at: e.loc.clone(),
                        }))
                    }
                    None => {
                        let builtin = match c.op {
                            CollectionOp::Sum => Builtin::Sum,
                            CollectionOp::Mean => Builtin::Mean,
                            CollectionOp::Min => Builtin::Min,
                            _ => Builtin::Max,
                        };
                        Node::Call(builtin, vec![self.name(&c.list.name)], e.loc.clone())
                    }
                }
            }
            ExprKind::Call(f, args) => match Builtin::from_name(&f.name) {
                Some(builtin) => Node::Call(
                    builtin,
                    args.iter().map(|a| self.expr(a)).collect(),
                    e.loc.clone(),
                ),
                None => match self.externals.resolve(&f.name) {
                    Some(target) => Node::External(Box::new(ExternalCall {
                        target,
                        args: args.iter().map(|a| self.expr(a)).collect(),
                        at: e.loc.clone(),
                    })),
                    None => Node::Const(Value::Bool(false)),
                },
            },
        }
    }
}

pub(super) fn literal(e: &ast::Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Number(n) => Some(Value::Number(*n)),
        ExprKind::Date(d) => Some(Value::Date(*d)),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        ExprKind::Text(t) => Some(Value::Text(Arc::from(t.as_str()))),
        ExprKind::List(items) => items
            .iter()
            .map(literal)
            .collect::<Option<Vec<_>>>()
            .map(|v| Value::List(Arc::from(v))),
        _ => None,
    }
}
