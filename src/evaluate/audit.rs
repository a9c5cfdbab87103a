//! Evaluating the auditing constructs: presence, unit counts, and ranks judged from
//! printed values read as intervals (see [`crate::value::printed_interval`]).
//!
//! A printed pair of ranks is flagged only when no true values inside the two printed
//! intervals could give that order: a unit ranked above another needs a value that can
//! exceed the other's, and a printed tie needs intervals that share a value.

use std::cmp::Ordering;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Eval, Fault, Outcome};
use crate::compile::Cohort;
use crate::compile::audit::{AuditCohort, AuditNode};
use crate::value::{Value, printed_interval};

/// One member of a cohort of printed values.
#[derive(Debug, Clone)]
pub struct PrintedMember {
    /// The unit.
    pub unit: Arc<str>,
    /// Its printed value (with the decimals it was printed with).
    pub value: Decimal,
    /// Its printed rank, when the construct reads one.
    pub rank: Option<Decimal>,
}

/// What an auditing cohort gathered over the units.
#[derive(Debug, Clone, Default)]
pub struct AuditStats {
    /// Units meeting the condition (`count of units`).
    pub count: usize,
    /// Members with a printed value (and rank).
    pub members: Vec<PrintedMember>,
    /// A unit whose condition could not be decided: the count is then unknown.
    pub undecided: Option<Arc<Fault>>,
}

/// Adds one unit to an auditing cohort's gathering.
pub(super) fn collect(
    eval: &Eval<'_>,
    kind: AuditCohort,
    cohort: &Cohort,
    unit: Option<&Arc<str>>,
    acc: &mut AuditStats,
) {
    let member = match &cohort.filter {
        None => Ok(true),
        Some(f) => eval.bool(f),
    };
    let member = match member {
        Ok(m) => m,
        Err(f) => {
            acc.undecided.get_or_insert(f);
            return;
        }
    };
    if !member {
        return;
    }
    match kind {
        AuditCohort::Units => acc.count += 1,
        AuditCohort::Printed { ranks } => {
            let value = match eval.slots.get(cohort.column) {
                Some(Ok(Value::Number(x))) => *x,
                _ => return,
            };
            let rank = match ranks.map(|r| eval.slots.get(r)) {
                None => None,
                Some(Some(Ok(Value::Number(r)))) => Some(*r),
                Some(_) => return,
            };
            acc.members.push(PrintedMember {
                unit: unit.cloned().unwrap_or_else(|| Arc::from("")),
                value,
                rank,
            });
        }
    }
}

/// Where an auditing expression is written (for faults).
pub fn at_of(a: &AuditNode) -> crate::source::Loc {
    match a {
        AuditNode::UnitCount { at, .. }
        | AuditNode::RankBound { at, .. }
        | AuditNode::RankCheck { at, .. } => at.clone(),
        AuditNode::Present { .. } => crate::source::Loc {
            source: crate::source::Source::new("", ""),
            range: 0..0,
        },
    }
}

/// A conflict between the unit's printed rank and another unit's.
struct Conflict {
    other: Arc<str>,
    text: String,
}

impl Eval<'_> {
    fn interval(&self, slot: usize, x: Decimal) -> (Decimal, Decimal) {
        let info = self.program.slots.get(slot);
        let published = info.is_some_and(|i| {
            i.kind == crate::compile::SlotKind::Input
                && i.input_type == Some(crate::parse::ast::InputType::Decimal)
        });
        if published {
            printed_interval(x, info.map(|i| i.rounding).unwrap_or_default())
        } else {
            (x, x)
        }
    }

    fn audit_stats(
        &self,
        cohort: usize,
        at: &crate::source::Loc,
    ) -> Result<&AuditStats, Arc<Fault>> {
        let stats = self.stats(cohort, at)?;
        match &stats.audit.undecided {
            Some(f) => Err(Arc::clone(f)),
            None => Ok(&stats.audit),
        }
    }

    /// The value of an auditing expression for this unit.
    pub(super) fn audit(&self, a: &AuditNode) -> Outcome {
        match a {
            AuditNode::Present { slot, present } => match self.slots.get(*slot) {
                Some(Ok(_)) => Ok(Value::Bool(*present)),
                Some(Err(f))
                    if matches!(
                        **f,
                        Fault::Missing { .. } | Fault::Previous { missing: true, .. }
                    ) =>
                {
                    Ok(Value::Bool(!*present))
                }
                // Present but unusable: neither answer would be true.
                Some(Err(f)) => Err(Arc::clone(f)),
                None => Ok(Value::Bool(!*present)),
            },
            AuditNode::UnitCount { cohort, at } => Ok(Value::Number(Decimal::from(
                self.audit_stats(*cohort, at)?.count,
            ))),
            AuditNode::RankBound {
                best,
                column,
                ascending,
                cohort,
                at,
            } => {
                let x = self.num(&crate::compile::Node::Slot(*column))?;
                let stats = self.audit_stats(*cohort, at)?;
                let (lo, hi) = self.interval(*column, x);
                let mut own_skipped = false;
                let mut count = 1usize;
                for m in &stats.members {
                    if !own_skipped && m.value == x && m.value.scale() == x.scale() {
                        // The unit itself (or a twin printed identically).
                        own_skipped = true;
                        continue;
                    }
                    let (mlo, mhi) = self.interval(*column, m.value);
                    let above = match (*best, *ascending) {
                        // Surely better: every value it may have beats every value of ours.
                        (true, false) => mlo > hi,
                        (true, true) => mhi < lo,
                        // Possibly better.
                        (false, false) => mhi > lo,
                        (false, true) => mlo < hi,
                    };
                    if above {
                        count += 1;
                    }
                }
                Ok(Value::Number(Decimal::from(count)))
            }
            AuditNode::RankCheck { .. } => Ok(Value::Bool(self.rank_conflicts(a)?.is_empty())),
        }
    }

    fn rank_conflicts(&self, a: &AuditNode) -> Result<Vec<Conflict>, Arc<Fault>> {
        let AuditNode::RankCheck {
            rank,
            column,
            ascending,
            cohort,
            at,
        } = a
        else {
            return Ok(Vec::new());
        };
        let x = self.num(&crate::compile::Node::Slot(*column))?;
        let r = self.num(&crate::compile::Node::Slot(*rank))?;
        let stats = self.audit_stats(*cohort, at)?;
        let (lo, hi) = self.interval(*column, x);
        let show = |v: Decimal, lo: Decimal, hi: Decimal| {
            format!("{v} [{}, {}]", lo.normalize(), hi.normalize())
        };
        let mut out = Vec::new();
        for m in &stats.members {
            let Some(mr) = m.rank else { continue };
            let (mlo, mhi) = self.interval(*column, m.value);
            // Ours must be able to be strictly better (or worse, or equal) than theirs.
            let impossible = match r.cmp(&mr) {
                Ordering::Equal => hi < mlo || mhi < lo,
                Ordering::Less if !*ascending => hi <= mlo,
                Ordering::Less => lo >= mhi,
                Ordering::Greater if !*ascending => mhi <= lo,
                Ordering::Greater => mlo >= hi,
            };
            if impossible {
                let relation = match r.cmp(&mr) {
                    Ordering::Equal => "tied with",
                    Ordering::Less => "above",
                    Ordering::Greater => "below",
                };
                out.push(Conflict {
                    other: Arc::clone(&m.unit),
                    text: format!(
                        "ranked {} with {} {relation} {} ranked {} with {}",
                        r.normalize(),
                        show(x, lo, hi),
                        m.unit,
                        mr.normalize(),
                        show(m.value, mlo, mhi)
                    ),
                });
            }
        }
        Ok(out)
    }

    /// Evidence of a failing `a ~= b` whose sides are expressions, not names: the interval
    /// each side was recomputed to, keyed by the side as written (named sides are already
    /// in the evidence as `name.interval`).
    pub(super) fn approx_evidence(
        &self,
        a: &crate::compile::Node,
        b: &crate::compile::Node,
        at: &crate::source::Loc,
        out: &mut indexmap::IndexMap<String, serde_json::Value>,
    ) {
        let text = at.text();
        let Some((left, right)) = text.split_once("~=").or_else(|| text.split_once('≈')) else {
            return;
        };
        for (side, written) in [(a, left), (b, right)] {
            if matches!(side, crate::compile::Node::Slot(_)) {
                continue;
            }
            let written = written.split_whitespace().collect::<Vec<_>>().join(" ");
            if let Ok(i) = super::interval::of(self.program, self.slots, side) {
                out.insert(
                    format!("{written}.interval"),
                    serde_json::Value::Array(vec![
                        crate::value::number_to_json(i.lo),
                        crate::value::number_to_json(i.hi),
                    ]),
                );
            }
        }
    }

    /// Evidence of a failing auditing expression: the pairs whose printed order cannot be.
    pub(super) fn audit_evidence(
        &self,
        a: &AuditNode,
        out: &mut indexmap::IndexMap<String, serde_json::Value>,
    ) {
        if let Ok(conflicts) = self.rank_conflicts(a)
            && !conflicts.is_empty()
        {
            out.insert(
                "rank conflicts".into(),
                serde_json::Value::Array(
                    conflicts
                        .iter()
                        .map(|c| serde_json::Value::String(c.text.clone()))
                        .collect(),
                ),
            );
            out.insert(
                "conflicting units".into(),
                serde_json::Value::Array(
                    conflicts
                        .iter()
                        .map(|c| serde_json::Value::String(c.other.to_string()))
                        .collect(),
                ),
            );
        }
    }
}
