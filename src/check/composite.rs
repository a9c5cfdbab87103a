//! Checks of the composite-indicator constructs: parameters of normalisations and
//! treatment, relative weights, the share basis of `missing exclude`, rank groups.

use rust_decimal::Decimal;

use super::{Checker, as_percent};
use crate::diagnostic::Diagnostic;
use crate::parse::ast::{Aggregation, MissingPolicy, RankSpec, Score};
use crate::parse::composite::Normaliser;
use crate::source::Loc;

impl Checker<'_> {
    /// Parameters that make a method meaningless (empty ranges, zero spread).
    pub(super) fn check_composite(&mut self, n: &Normaliser, loc: &Loc) {
        let mut error = |msg: String, help: &str| {
            self.diags.push(
                Diagnostic::error(msg, loc)
                    .with_label("this method")
                    .with_help(help.to_string()),
            );
        };
        match n {
            Normaliser::MinMaxOnto { low, high } if low == high => error(
                format!("`minmax onto {low} .. {high}` maps every unit to {low}"),
                "write the value of the worst unit, then the best: `minmax onto 0 .. 100`",
            ),
            Normaliser::ZScoreAs { sd, .. } if *sd <= Decimal::ZERO => error(
                format!("a z-score's standard deviation must be above 0, not {sd}"),
                "write e.g. `zscore as 100 ± 10`",
            ),
            Normaliser::Goalposts { low, high, .. } | Normaliser::Scaled { low, high, .. }
                if low >= high =>
            {
                error(
                    format!("`{low} .. {high}` is empty: the low value must be below the high one"),
                    "write the low value first and state the direction: `… lower is better`",
                )
            }
            Normaliser::Reference { unit, .. } if unit.trim().is_empty() => error(
                "`distance to` needs the name of a unit".into(),
                "write e.g. `distance to \"Đà Nẵng\" capped`",
            ),
            Normaliser::Treat(t) if t.skew <= Decimal::ZERO || t.kurtosis <= Decimal::ZERO => {
                error(
                    format!(
                        "treatment limits must be above 0 (skew {}, kurtosis {})",
                        t.skew, t.kurtosis
                    ),
                    "COINr's defaults are `within skew 2 kurtosis 3.5`",
                )
            }
            _ => {}
        }
    }

    /// `weights relative …`, `weights from …`, `missing exclude at least N% of members`.
    pub(super) fn check_composite_score(&mut self, score: &Score) {
        if let Some((MissingPolicy::ExcludeMembers(share), loc)) = &score.missing
            && (*share <= Decimal::ZERO || *share > Decimal::ONE)
        {
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "the share of members required must be above 0% and at most 100%, not {}",
                        as_percent(*share)
                    ),
                    loc,
                )
                .with_label("out of range")
                .with_help("write e.g. `missing exclude at least 50% of members`"),
            );
        }
        let file = score.weights_file.as_ref().map(|f| &f.loc);
        let Some(loc) = score.relative.as_ref().map(|r| &r.1).or(file) else {
            return;
        };
        let inline = score.weighted || score.members.iter().any(|m| m.weight.is_some());
        if inline || (score.relative.is_some() && file.is_some()) {
            self.diags.push(
                Diagnostic::error(
                    format!("`{}` has weights twice", score.name.name),
                    loc,
                )
                .with_label("relative weights")
                .with_help("write `mean of a, b weights relative 1, 2`, `… weights from \"weights.csv\"` or `weighted mean of a weight 0.33, b weight 0.67`, one of them"),
            );
        }
        if matches!(score.aggregation, Aggregation::Minimum | Aggregation::Sum) {
            self.diags.push(
                Diagnostic::error(
                    format!("a {} has no weights", score.aggregation.describe()),
                    loc,
                )
                .with_label("relative weights")
                .with_help("weights apply to means, Copeland scores and dominance"),
            );
        }
        // Weights read from a file were checked against the members when they were read.
        let Some((weights, loc)) = &score.relative else {
            return;
        };
        if weights.len() != score.members.len() {
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "{} relative weights for {} members",
                        weights.len(),
                        score.members.len()
                    ),
                    loc,
                )
                .with_label("one weight per member, in order")
                .with_help(format!(
                    "`{}` has the members {}",
                    score.name.name,
                    score
                        .members
                        .iter()
                        .map(|m| format!("`{}`", m.name.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
        let total = weights
            .iter()
            .try_fold(Decimal::ZERO, |a, (w, _)| a.checked_add(*w));
        match total {
            Some(t) if t.is_zero() => self.diags.push(
                Diagnostic::error(
                    format!(
                        "the relative weights of `{}` add up to 0: they cannot be divided by their total",
                        score.name.name
                    ),
                    loc,
                )
                .with_label("total 0")
                .with_help("give at least one member a weight above 0"),
            ),
            None => self.diags.push(
                Diagnostic::error("the relative weights add up to more than can be represented", loc)
                    .with_label("too large"),
            ),
            _ => {}
        }
    }

    /// `rank x by group`: the group is a declared value of each unit.
    pub(super) fn check_rank_group(&mut self, spec: &RankSpec) {
        if let Some(g) = &spec.group {
            let _ = self.name_ty(&g.name, &g.loc);
        }
    }
}
