//! Rules, scores and ranks: cohort columns, normalisation and hook methods, ranks and
//! `sensitivity`, score members and weights, and each rule's clauses (`when`, `require`,
//! message, target, `in force`).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Checker, SymbolKind, Ty, as_percent};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::parse::ast::*;
use crate::source::Loc;

impl Checker<'_> {
    /// A name used as a cohort column: an input, indicator or score holding numbers.
    pub(super) fn column(&mut self, column: &Ident, what: &str) {
        let ty = self.name_ty(&column.name, &column.loc);
        let kind = self.symbols.get(&column.name).map(|s| s.kind);
        if kind == Some(SymbolKind::Constant) {
            self.diags.push(
                Diagnostic::error(
                    format!("constant `{}` cannot be {what} across units", column.name),
                    &column.loc,
                )
                .with_label("the same for every unit")
                .with_help("name an input, indicator or score"),
            );
        } else if ty != Ty::Number && ty != Ty::Unknown {
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "`{}` is {}, but only numbers can be {what}",
                        column.name,
                        ty.describe()
                    ),
                    &column.loc,
                )
                .with_label(format!("this is {}", ty.describe())),
            );
        }
    }

    /// A hook used as a normaliser (`f(x, cohort)`) or aggregator (`f(values, weights)`).
    pub(super) fn hook_of_two(&mut self, name: &str, loc: &Loc, role: &str) {
        match self.externals.resolve(name) {
            Some(target) => self.external_arity(name, loc, target, 2),
            None => {
                let names = self.externals.names();
                let mut d =
                    Diagnostic::error(format!("no hook function `{name}` to use as {role}"), loc)
                        .with_label("not defined by the hook scripts");
                if let Some(s) = did_you_mean(name, names.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else {
                    d = d.with_help("define it in a script named by `hooks \"…\"`");
                }
                self.diags.push(d);
            }
        }
    }

    pub(super) fn check_method(&mut self, method: &Method, loc: &Loc) {
        if let Method::Hook(name) = method {
            self.hook_of_two(name, loc, "a normaliser");
        }
        if let Method::Composite(n) = method {
            self.check_composite(n, loc);
        }
        if let Method::Goalposts(lo, hi) = method
            && lo >= hi
        {
            self.diags.push(
                Diagnostic::error(format!("goalposts `{lo} .. {hi}` are empty: the low post must be below the high one"), loc)
                    .with_label("empty goalposts")
                    .with_help("write the worst value first and state the direction: `goalposts 0 .. 100 lower is better`"),
            );
        }
        if let Method::Distance(unit) = method
            && unit.trim().is_empty()
        {
            self.diags.push(
                Diagnostic::error("`distance to` needs the name of a unit", loc)
                    .with_label("no unit"),
            );
        }
    }

    pub(super) fn rank_spec(&mut self, r: &RankSpec) {
        self.column(&r.column, "ranked");
        self.check_rank_group(r);
        if let Some(c) = &r.cohort {
            self.expect(c, Ty::Bool, "the `among` condition");
        }
    }

    pub(super) fn check_ranks_and_sensitivity(&mut self) {
        for item in self.items {
            match item {
                Item::Rank(rank) => self.rank_spec(&rank.spec),
                Item::Sensitivity(sens) => {
                    if let Some((v, loc)) = &sens.weights_vary
                        && (*v <= Decimal::ZERO || *v >= Decimal::ONE)
                    {
                        self.diags.push(
                            Diagnostic::error(
                                format!(
                                    "weights can vary by more than 0% and less than 100%, not {}",
                                    as_percent(*v)
                                ),
                                loc,
                            )
                            .with_label("out of range")
                            .with_help("write e.g. `weights vary 25%`"),
                        );
                    }
                    if let [(_, loc)] = sens.alternatives.as_slice() {
                        self.diags.push(
                            Diagnostic::error("`alternatives` needs at least two methods", loc)
                                .with_help("write e.g. `alternatives max, minmax`"),
                        );
                    }
                    for (m, loc) in &sens.alternatives {
                        if matches!(
                            m,
                            Method::Goalposts(..) | Method::Distance(_) | Method::Composite(_)
                        ) {
                            self.diags.push(
                                Diagnostic::error(
                                    format!(
                                        "`{}` has parameters and cannot be an alternative",
                                        m.describe()
                                    ),
                                    loc,
                                )
                                .with_label("parameterised method")
                                .with_help(
                                    "alternatives are max, minmax, zscore, percentile and rank",
                                ),
                            );
                        }
                    }
                    if sens.weights_vary.is_none() && sens.alternatives.is_empty() {
                        self.diags.push(
                            Diagnostic::error("`sensitivity` perturbs nothing", &sens.keyword.loc)
                                .with_help("add `weights vary 25%` or `alternatives max, minmax`"),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn check_scores(&mut self) {
        for item in self.items {
            let Item::Score(score) = item else { continue };
            let mut seen: HashMap<&str, &Loc> = HashMap::new();
            for m in &score.members {
                if let Some(first) = seen.insert(&m.name.name, &m.name.loc) {
                    self.diags.push(
                        Diagnostic::error(
                            format!(
                                "`{}` appears twice in score `{}`",
                                m.name.name, score.name.name
                            ),
                            &m.name.loc,
                        )
                        .with_label("again")
                        .with_secondary(first, "first here")
                        .with_help("give it a larger weight instead of listing it twice"),
                    );
                }
                match (&m.weight, score.weighted) {
                    (Some((_, loc)), false) => self.diags.push(
                        Diagnostic::error(
                            format!(
                                "a weight in an unweighted `{} of`",
                                score.aggregation.describe()
                            ),
                            loc,
                        )
                        .with_label("weight")
                        .with_help(if score.aggregation.is_outranking() {
                            format!(
                                "write `weighted {} of` to weight the members",
                                score.aggregation.describe()
                            )
                        } else {
                            "write `weighted mean of` to weight the members of a mean".into()
                        }),
                    ),
                    (None, true) => self.diags.push(
                        Diagnostic::error(
                            format!("`{}` has no weight in a weighted mean", m.name.name),
                            &m.name.loc,
                        )
                        .with_label("no weight")
                        .with_help(format!("write `{} weight 0.5`", m.name.name)),
                    ),
                    (Some((w, loc)), true) if *w <= Decimal::ZERO => self.diags.push(
                        Diagnostic::error(format!("weight `{w}` must be greater than 0"), loc)
                            .with_label("not positive"),
                    ),
                    _ => {}
                }
            }
            if score.weighted && score.members.iter().all(|m| m.weight.is_some()) {
                let total = score
                    .members
                    .iter()
                    .filter_map(|m| m.weight.as_ref().map(|w| w.0))
                    .try_fold(Decimal::ZERO, Decimal::checked_add);
                if total != Some(Decimal::ONE) {
                    let total = total.map_or_else(
                        || "more than can be represented".to_string(),
                        |t| t.to_string(),
                    );
                    self.diags.push(
                        Diagnostic::error(format!("the weights of `{}` sum to {total}, not 1", score.name.name), &score.loc)
                            .with_label("weights")
                            .with_help("weights are not rescaled silently; make them sum to 1, or use `mean of` for equal weights"),
                    );
                }
            }
            if let Aggregation::Hook(name) = &score.aggregation {
                self.hook_of_two(name, &score.loc, "an aggregator");
            }
            self.check_composite_score(score);
            if let Aggregation::Power(p) = score.aggregation
                && p.is_zero()
            {
                self.diags.push(
                    Diagnostic::error(
                        "a power mean with exponent 0 is the geometric mean",
                        &score.loc,
                    )
                    .with_label("exponent 0")
                    .with_help("write `geometric mean of`"),
                );
            }
            if let Some((MissingPolicy::Exclude(Some(share)), loc)) = &score.missing
                && (*share <= Decimal::ZERO || *share > Decimal::ONE)
            {
                self.diags.push(
                    Diagnostic::error(format!("the share of members required must be above 0% and at most 100%, not {}", as_percent(*share)), loc)
                        .with_label("out of range")
                        .with_help("write e.g. `missing exclude at least 50%`"),
                );
            }
            if let Some((method, cohort, loc)) = &score.rescale {
                self.check_method(method, loc);
                if let Some(c) = cohort {
                    self.expect(c, Ty::Bool, "the `among` condition");
                }
            }
        }
    }

    pub(super) fn check_rules(&mut self) {
        for item in self.items {
            let Item::Rule(rule) = item else { continue };
            if let Some(crate::parse::ast::Target {
                loc,
                baseline: Some(_),
                ..
            }) = &rule.target
            {
                let simple = rule
                    .require
                    .first()
                    .is_some_and(|r| r.as_threshold().is_some());
                if !simple {
                    self.diags.push(
                        Diagnostic::error(
                            "a target with a baseline needs a requirement `value >= number` (or >, <=, <)",
                            loc,
                        )
                        .with_label("no straight line to a yes/no target")
                        .with_help("write e.g. `require share_level_4 >= 50% by 2025 from 10% in 2019`"),
                    );
                }
            }
            for (clause, loc) in &rule.repeated {
                self.diags.push(
                    Diagnostic::error(
                        format!("rule `{}` has more than one `{clause}`", rule.name.name),
                        loc,
                    )
                    .with_label("repeated clause"),
                );
            }
            match rule.require.as_slice() {
                [] => self.diags.push(
                    Diagnostic::error(
                        format!("rule `{}` has no `require`", rule.name.name),
                        &rule.name.loc,
                    )
                    .with_label("nothing to check")
                    .with_help("add `require <condition>`"),
                ),
                [_] => {}
                [_, second, ..] => self.diags.push(
                    Diagnostic::error(
                        format!("rule `{}` has more than one `require`", rule.name.name),
                        &second.loc,
                    )
                    .with_label("second requirement")
                    .with_help("join them with `and`, or write two rules"),
                ),
            }
            if let Some(when) = &rule.when {
                self.expect(when, Ty::Bool, "the `when` condition");
            }
            for req in &rule.require {
                self.expect(req, Ty::Bool, "the `require` condition");
            }
            if let Some((parts, _)) = &rule.message {
                for part in parts {
                    if let MessagePart::Value { name, .. } = part {
                        let last_year = name
                            .name
                            .strip_prefix("previous ")
                            .map(str::trim)
                            .filter(|of| self.symbols.contains_key(*of));
                        if let Some(of) = last_year {
                            self.previous_of(&crate::parse::ast::Ident {
                                name: of.to_string(),
                                loc: name.loc.clone(),
                            });
                        } else if self.symbols.contains_key(&name.name) {
                            self.name_ty(&name.name, &name.loc);
                        } else {
                            self.unknown(&name.name, &name.loc, "name in message");
                        }
                    }
                }
            }
        }
    }
}
