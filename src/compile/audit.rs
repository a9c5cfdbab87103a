//! Compiled auditing constructs: presence of an input, the number of units, and ranks
//! read from printed values as intervals. Their cohorts are ordinary [`Cohort`]s that
//! also keep what an audit needs ([`AuditCohort`]).

use super::{Arith, Cohort, Lowering, Node, Slot};
use crate::parse::audit::{AuditExpr, previous_slot_name};
use crate::source::Loc;
use crate::value::Value;

/// An auditing expression, compiled.
#[derive(Debug, Clone)]
pub enum AuditNode {
    /// `x is present` / `x is missing`.
    Present {
        /// The input.
        slot: Slot,
        /// `present` (else `missing`).
        present: bool,
    },
    /// `count of units [where …]`.
    UnitCount {
        /// The cohort counted.
        cohort: usize,
        /// Where it is written.
        at: Loc,
    },
    /// `best rank of x` / `worst rank of x`.
    RankBound {
        /// `best` (else `worst`).
        best: bool,
        /// The printed values.
        column: Slot,
        /// Lowest value ranks first.
        ascending: bool,
        /// The cohort of printed values.
        cohort: usize,
        /// Where it is written.
        at: Loc,
    },
    /// `r is rank of x`.
    RankCheck {
        /// The printed ranks.
        rank: Slot,
        /// The printed values.
        column: Slot,
        /// Lowest value ranks first.
        ascending: bool,
        /// The cohort of printed values and ranks.
        cohort: usize,
        /// Where it is written.
        at: Loc,
    },
}

impl AuditNode {
    /// Its cohort, if it has one.
    pub fn cohort(&self) -> Option<usize> {
        match self {
            AuditNode::Present { .. } => None,
            AuditNode::UnitCount { cohort, .. }
            | AuditNode::RankBound { cohort, .. }
            | AuditNode::RankCheck { cohort, .. } => Some(*cohort),
        }
    }

    /// The slots it reads for the unit itself.
    pub fn slots(&self) -> Vec<Slot> {
        match self {
            AuditNode::Present { slot, .. } => vec![*slot],
            AuditNode::UnitCount { .. } => Vec::new(),
            AuditNode::RankBound { column, .. } => vec![*column],
            AuditNode::RankCheck { rank, column, .. } => vec![*rank, *column],
        }
    }
}

/// What an auditing cohort keeps besides the usual statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCohort {
    /// Every unit meeting the condition counts, with or without a value.
    Units,
    /// Each member's name and printed value (and printed rank, when given).
    Printed {
        /// The printed ranks read beside the values.
        ranks: Option<Slot>,
    },
}

impl Lowering<'_> {
    /// Lowers an auditing expression. Last year's `x` is an input slot of its own
    /// (filled by the run), so `previous x` is that slot and a change is arithmetic on
    /// it: both evaluators, intervals and the fast path read them like any input.
    pub(super) fn audit_expr(&self, a: &AuditExpr, at: &Loc) -> Node {
        match a {
            AuditExpr::Previous { name } => Node::Slot(self.slot(&previous_slot_name(&name.name))),
            AuditExpr::Change { name, percent } => {
                let now = || Box::new(Node::Slot(self.slot(&name.name)));
                let then = || Box::new(Node::Slot(self.slot(&previous_slot_name(&name.name))));
                let points = Node::Arith(Arith::Sub, now(), then(), at.clone());
                if *percent {
                    let share = Node::Arith(Arith::Div, Box::new(points), then(), at.clone());
                    Node::Arith(
                        Arith::Mul,
                        Box::new(share),
                        Box::new(Node::Const(Value::Number(
                            rust_decimal::Decimal::ONE_HUNDRED,
                        ))),
                        at.clone(),
                    )
                } else {
                    points
                }
            }
            _ => Node::Audit(Box::new(self.audit(a, at))),
        }
    }

    /// Lowers an auditing expression, registering its cohort.
    fn audit(&self, a: &AuditExpr, at: &Loc) -> AuditNode {
        let with = |column: Slot, audit: AuditCohort| {
            let index = self.cohort(
                column,
                a.condition(),
                None,
                &crate::parse::ast::Method::Rank,
            );
            if let Some(c) = self.cohorts.borrow_mut().get_mut(index) {
                c.audit = Some(audit);
            }
            index
        };
        match a {
            AuditExpr::Presence {
                input,
                present,
                previous,
            } => AuditNode::Present {
                slot: if *previous {
                    self.slot(&previous_slot_name(&input.name))
                } else {
                    self.slot(&input.name)
                },
                present: *present,
            },
            // Lowered to slots and arithmetic by `audit_expr`, never here; were they, the
            // answer would be whether last year has the value.
            AuditExpr::Previous { name } | AuditExpr::Change { name, .. } => AuditNode::Present {
                slot: self.slot(&previous_slot_name(&name.name)),
                present: true,
            },
            AuditExpr::UnitCount { .. } => AuditNode::UnitCount {
                cohort: with(0, AuditCohort::Units),
                at: at.clone(),
            },
            AuditExpr::RankBound {
                best,
                column,
                ascending,
                ..
            } => {
                let column = self.slot(&column.name);
                AuditNode::RankBound {
                    best: *best,
                    column,
                    ascending: *ascending,
                    cohort: with(column, AuditCohort::Printed { ranks: None }),
                    at: at.clone(),
                }
            }
            AuditExpr::RankCheck {
                rank,
                column,
                ascending,
                ..
            } => {
                let (rank, column) = (self.slot(&rank.name), self.slot(&column.name));
                AuditNode::RankCheck {
                    rank,
                    column,
                    ascending: *ascending,
                    cohort: with(column, AuditCohort::Printed { ranks: Some(rank) }),
                    at: at.clone(),
                }
            }
        }
    }
}

/// Slots a cohort needs for every unit beyond its column and condition.
pub(super) fn extra_cohort_slots(c: &Cohort) -> Option<Slot> {
    match c.audit {
        Some(AuditCohort::Printed { ranks }) => ranks,
        _ => None,
    }
}
