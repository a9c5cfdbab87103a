//! Composite-indicator methods in the syntax tree: normalisations with parameters,
//! outlier treatment, non-compensatory aggregation (Copeland, dominance), relative
//! weights written or read from a file, and the share basis of `missing exclude`.
//!
//! Each construct follows the JRC/OECD practice as its reference implementation, the R
//! package COINr (1.1.14), defines it; `docs/language.md` names the COINr function and
//! the cases where chiso deliberately differs.

use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::ast::{Aggregation, Ident, Method, MissingPolicy, Normalise, Score, WeightsFile};
use super::{Lower, Rule, inner};
use crate::source::Loc;

/// How tied units share a rank (R's `ties.method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// The lowest rank of the tied group (R's default in COINr's `n_prank`, `n_borda`).
    Min,
    /// The highest rank of the tied group.
    Max,
    /// The mean of the group's ranks.
    Average,
}

impl Ties {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Ties::Min => "min",
            Ties::Max => "max",
            Ties::Average => "average",
        }
    }
}

/// Outlier treatment of one column (COINr `Treat` with `winsorise` and `log_CT`).
#[derive(Debug, Clone, PartialEq)]
pub struct Treatment {
    /// At most this many points are winsorised (COINr `winmax`, 5).
    pub winsorise_max: u32,
    /// The column passes when |skew| is below this (COINr `skew_thresh`, 2) …
    pub skew: Decimal,
    /// … or its kurtosis below this (COINr `kurt_thresh`, 3.5).
    pub kurtosis: Decimal,
    /// When winsorisation does not make it pass: the log transform of the original
    /// values (`else log`, the default) or the values untouched (`else nothing`).
    pub log: bool,
}

impl Default for Treatment {
    fn default() -> Self {
        Self {
            winsorise_max: 5,
            skew: Decimal::TWO,
            kurtosis: Decimal::new(35, 1),
            log: true,
        }
    }
}

/// A normalisation with parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Normaliser {
    /// `minmax onto l .. u`: l + (x − min) / (max − min) × (u − l).
    MinMaxOnto {
        /// The value of the worst unit.
        low: Decimal,
        /// The value of the best unit.
        high: Decimal,
    },
    /// `zscore as m ± s`: m + s × (x − mean) / sd.
    ZScoreAs {
        /// The mean of the result.
        mean: Decimal,
        /// Its standard deviation.
        sd: Decimal,
    },
    /// `goalposts l .. u [scale a] [unclamped]`: (x − l) / (u − l) × a.
    Goalposts {
        /// Low goalpost.
        low: Decimal,
        /// High goalpost.
        high: Decimal,
        /// Multiplier of the result.
        scale: Decimal,
        /// Values beyond the posts are cut to the posts.
        clamp: bool,
    },
    /// `scaled l .. u [scale a]`: (x − l) / (u − l) × a, never clamped.
    Scaled {
        /// The value that maps to 0.
        low: Decimal,
        /// The value that maps to `scale`.
        high: Decimal,
        /// Multiplier of the result.
        scale: Decimal,
    },
    /// `distance to target t [capped]`: (x − min) / (t − min).
    Target {
        /// The target value.
        target: Decimal,
        /// Results above 1 become 1.
        capped: bool,
    },
    /// `distance to "unit" capped`: 1 − (ref − x) / (ref − min), at most 1.
    Reference {
        /// The reference unit.
        unit: String,
        /// Results above 1 become 1.
        capped: bool,
    },
    /// `borda [ties …]`: rank from the worst, minus 1.
    Borda(Ties),
    /// `percentile ties …`: (rank from the worst − 1) / (n − 1).
    Percentile(Ties),
    /// `treat x …`: outliers winsorised or the column log-transformed.
    Treat(Treatment),
}

impl Normaliser {
    /// The method as written (canonical form).
    pub fn describe(&self) -> String {
        match self {
            Normaliser::MinMaxOnto { low, high } => format!("minmax onto {low} .. {high}"),
            Normaliser::ZScoreAs { mean, sd } => format!("zscore as {mean} ± {sd}"),
            Normaliser::Goalposts {
                low,
                high,
                scale,
                clamp,
            } => format!(
                "goalposts {low} .. {high} scale {scale}{}",
                if *clamp { "" } else { " unclamped" }
            ),
            Normaliser::Scaled { low, high, scale } => {
                format!("scaled {low} .. {high} scale {scale}")
            }
            Normaliser::Target { target, capped } => format!(
                "distance to target {target}{}",
                if *capped { " capped" } else { "" }
            ),
            Normaliser::Reference { unit, capped } => format!(
                "distance to {unit:?}{}",
                if *capped { " capped" } else { "" }
            ),
            Normaliser::Borda(t) => format!("borda ties {}", t.keyword()),
            Normaliser::Percentile(t) => format!("percentile ties {}", t.keyword()),
            Normaliser::Treat(t) => format!(
                "treatment: winsorising up to {} points within skew {} kurtosis {} else {}",
                t.winsorise_max,
                t.skew,
                t.kurtosis,
                if t.log { "log" } else { "nothing" }
            ),
        }
    }

    /// The reference unit whose value the cohort must provide.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Normaliser::Reference { unit, .. } => Some(unit),
            _ => None,
        }
    }
}

/// `copeland`, `dominance count` or `dominance share`.
pub(super) fn outranking(pair: Pair<'_, Rule>) -> Aggregation {
    let mut dominance = None;
    for p in pair.into_inner().flatten() {
        match p.as_rule() {
            Rule::kw_share => dominance = Some(true),
            Rule::kw_count => dominance = dominance.or(Some(false)),
            _ => {}
        }
    }
    match dominance {
        Some(share) => Aggregation::Dominance { share },
        None => Aggregation::Copeland,
    }
}

fn ties(pair: Option<Pair<'_, Rule>>) -> Ties {
    let method = pair.and_then(|t| inner(t).find(|m| m.as_rule() == Rule::tie_method));
    match method.as_ref().map(Pair::as_str) {
        Some("min") => Ties::Min,
        Some("average") => Ties::Average,
        _ => Ties::Max,
    }
}

impl Lower {
    /// The numbers of a method's parameters, in order, and whether `rule` was written.
    fn numbers_and(&mut self, pair: Pair<'_, Rule>, flag: Rule) -> (Vec<Decimal>, bool) {
        let mut numbers = Vec::new();
        let mut seen = false;
        for p in pair.into_inner().flatten() {
            match p.as_rule() {
                Rule::signed_number | Rule::unsigned_number => numbers.push(self.number(&p)),
                r if r == flag => seen = true,
                _ => {}
            }
        }
        (numbers, seen)
    }

    /// A method of the `composite_method` block.
    pub(super) fn composite_method(&mut self, m: Pair<'_, Rule>) -> Option<Normaliser> {
        let nth = |v: &[Decimal], i: usize, d: Decimal| v.get(i).copied().unwrap_or(d);
        Some(match m.as_rule() {
            Rule::m_minmax_onto => {
                let (v, _) = self.numbers_and(m, Rule::EOI);
                Normaliser::MinMaxOnto {
                    low: nth(&v, 0, Decimal::ZERO),
                    high: nth(&v, 1, Decimal::ONE),
                }
            }
            Rule::m_zscore_as => {
                let (v, _) = self.numbers_and(m, Rule::EOI);
                Normaliser::ZScoreAs {
                    mean: nth(&v, 0, Decimal::ZERO),
                    sd: nth(&v, 1, Decimal::ONE),
                }
            }
            Rule::m_goalposts_scaled => {
                let (v, unclamped) = self.numbers_and(m, Rule::unclamped);
                Normaliser::Goalposts {
                    low: nth(&v, 0, Decimal::ZERO),
                    high: nth(&v, 1, Decimal::ONE),
                    scale: nth(&v, 2, Decimal::ONE),
                    clamp: !unclamped,
                }
            }
            Rule::m_scaled => {
                let (v, _) = self.numbers_and(m, Rule::EOI);
                Normaliser::Scaled {
                    low: nth(&v, 0, Decimal::ZERO),
                    high: nth(&v, 1, Decimal::ONE),
                    scale: nth(&v, 2, Decimal::ONE),
                }
            }
            Rule::m_target => {
                let (v, capped) = self.numbers_and(m, Rule::capped);
                Normaliser::Target {
                    target: nth(&v, 0, Decimal::ONE),
                    capped,
                }
            }
            Rule::m_reference_capped => {
                let unit = inner(m)
                    .find(|p| p.as_rule() == Rule::string)
                    .map(|u| self.string(&u))
                    .unwrap_or_default();
                Normaliser::Reference { unit, capped: true }
            }
            // COINr's `n_borda` defaults to `ties.method = "min"`.
            Rule::m_borda => match inner(m).find(|p| p.as_rule() == Rule::ties) {
                Some(t) => Normaliser::Borda(ties(Some(t))),
                None => Normaliser::Borda(Ties::Min),
            },
            Rule::m_percentile_ties => {
                Normaliser::Percentile(ties(inner(m).find(|p| p.as_rule() == Rule::ties)))
            }
            _ => return None,
        })
    }

    /// `treat x …` as a normalisation of `x` by its treatment.
    pub(super) fn treat(&mut self, pair: Pair<'_, Rule>) -> Normalise {
        let loc = self.loc(&pair);
        let mut treatment = Treatment::default();
        let mut column = Ident {
            name: String::new(),
            loc: loc.clone(),
        };
        let mut cohort = None;
        for p in inner(pair) {
            match p.as_rule() {
                Rule::ident => column = self.ident(&p),
                Rule::winsor_clause => {
                    if let Some(n) = inner(p).find(|q| q.as_rule() == Rule::integer) {
                        treatment.winsorise_max = n.as_str().parse().unwrap_or(u32::MAX);
                    }
                }
                Rule::within_clause => {
                    let (v, _) = self.numbers_and(p, Rule::EOI);
                    treatment.skew = v.first().copied().unwrap_or(treatment.skew);
                    treatment.kurtosis = v.get(1).copied().unwrap_or(treatment.kurtosis);
                }
                Rule::fallback_clause => {
                    treatment.log = inner(p).any(|q| q.as_rule() == Rule::log_fallback);
                }
                Rule::cohort => cohort = self.cohort(p),
                _ => {}
            }
        }
        Normalise {
            column,
            method: Method::Composite(Normaliser::Treat(treatment)),
            method_loc: loc,
            lower_is_better: false,
            cohort,
        }
    }

    /// `weights relative 1, 2, 3` or `weights from "weights.csv"` of a score.
    pub(super) fn score_weights(&mut self, pair: Pair<'_, Rule>, score: &mut Score) {
        if pair.as_rule() == Rule::relative_weights {
            score.relative = Some(self.relative_weights(pair));
            return;
        }
        let loc = self.loc(&pair);
        if let Some(path) = inner(pair).find(|p| p.as_rule() == Rule::string) {
            score.weights_file = Some(WeightsFile {
                path: self.string(&path),
                loc,
                weights: None,
                year: None,
            });
        }
    }

    /// `weights relative 1, 2, 3`.
    pub(super) fn relative_weights(&mut self, pair: Pair<'_, Rule>) -> (Vec<(Decimal, Loc)>, Loc) {
        let loc = self.loc(&pair);
        let weights = inner(pair)
            .filter(|p| p.as_rule() == Rule::unsigned_number)
            .map(|p| (self.number(&p), self.loc(&p)))
            .collect();
        (weights, loc)
    }

    /// `exclude [at least N% [of members | of weight]]`, after the `exclude` keyword.
    pub(super) fn exclude_policy<'i>(
        &mut self,
        mut parts: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> MissingPolicy {
        let Some(share) = parts.next().map(|n| self.number(&n)) else {
            return MissingPolicy::Exclude(None);
        };
        let members = parts
            .next()
            .is_some_and(|b| inner(b).any(|q| q.as_rule() == Rule::basis_members));
        if members {
            MissingPolicy::ExcludeMembers(share)
        } else {
            MissingPolicy::Exclude(Some(share))
        }
    }
}
