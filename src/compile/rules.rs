//! Compiled rules: a rule's condition, requirement, message pieces and target, and the
//! slots its evidence shows — the values the rule names, and the operands of `~=` whose
//! printed intervals it reports.

use std::sync::Arc;

use super::{Cmp, Lowering, MessagePiece, Node, RulePlan, Slot, TargetPlan};
use crate::parse::ast::{self, BinaryOp, ExprKind, MessagePart, Severity};
use crate::value::Value;

impl Lowering<'_> {
    pub(super) fn rule(&self, r: &ast::Rule) -> RulePlan {
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
            in_force: r.in_force.or(self.in_force),
            target: r.target.as_ref().and_then(|t| {
                let require = r.require.first()?;
                let (value, compare) = match require.as_threshold() {
                    Some((op, value, threshold)) => {
                        let op = match op {
                            BinaryOp::Ge => Cmp::Ge,
                            BinaryOp::Gt => Cmp::Gt,
                            BinaryOp::Le => Cmp::Le,
                            _ => Cmp::Lt,
                        };
                        (self.expr(value), Some((op, threshold)))
                    }
                    None => (self.expr(require), None),
                };
                Some(TargetPlan {
                    year: t.year,
                    deadline: t.deadline,
                    baseline: t.baseline,
                    value,
                    compare,
                })
            }),
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
