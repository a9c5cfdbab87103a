//! Compiled scores: the aggregate node of a score, with its weights as written, as
//! read from a weights file, or equal; Copeland and dominance scores also get a cohort
//! whose statistics are the members' rows of every unit (the outranking matrix is
//! computed from them, [`crate::evaluate::outrank`]).

use rust_decimal::Decimal;

use super::{AggregateNode, Aggregation, Cohort, Lowering, MissingPolicy};
use crate::parse::ast::Score;

impl Lowering<'_> {
    /// The aggregate node of a score.
    pub(super) fn aggregate(&self, s: &Score) -> AggregateNode {
        let members: Vec<_> = s.members.iter().map(|m| self.name(&m.name.name)).collect();
        // Relative weights are kept as written: a mean divides by their total exactly
        // once, and Copeland compares sums of them.
        let weights = s.relative_weights().or_else(|| {
            s.weighted.then(|| {
                s.members
                    .iter()
                    .map(|m| m.weight.as_ref().map_or(Decimal::ZERO, |w| w.0))
                    .collect()
            })
        });
        let cohort = s.aggregation.is_outranking().then(|| {
            let first = s.members.first().map_or(0, |m| self.slot(&m.name.name));
            let mut cohorts = self.cohorts.borrow_mut();
            cohorts.push(Cohort {
                column: first,
                filter: None,
                rounded: None,
                reference: None,
                ordered: false,
                moments: false,
                treatment: None,
                audit: None,
                members: members.clone(),
            });
            cohorts.len() - 1
        });
        AggregateNode {
            kind: s.aggregation.clone(),
            members,
            weights,
            missing: s.missing.as_ref().map_or(MissingPolicy::Error, |m| m.0),
            hook: match &s.aggregation {
                Aggregation::Hook(name) => self.externals.resolve(name),
                _ => None,
            },
            cohort,
            weights_source: s.weights_file.as_ref().map(|f| match &f.year {
                Some(year) => format!("{}, year {year}", f.path),
                None => f.path.clone(),
            }),
            at: s.loc.clone(),
        }
    }
}
