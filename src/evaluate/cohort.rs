//! Cohort statistics and what is computed from them: normalisations and ranks.
//!
//! A cohort is the set of units whose values of one column make up the statistics
//! (all units, or those meeting an `among` condition). Units whose value is missing or
//! invalid are left out of the statistics; their own normalised value is `error`.
//! Every unit is normalised (and ranked) against the cohort, member or not.

use std::sync::Arc;

use std::cmp::Ordering;

use rust_decimal::{Decimal, MathematicalOps};

use super::{Fault, cmp_decimal};
use crate::compile::{Method, NormaliseNode};
use crate::source::Loc;
use crate::value::round_half_up;

/// The statistics of one cohort.
#[derive(Debug, Clone, Default)]
pub struct CohortStats {
    /// Member values, ascending (rounded when the cohort compares rounded values); only
    /// kept when a rank or percentile needs the order.
    pub sorted: Vec<Decimal>,
    /// Number of members.
    pub n: usize,
    /// Smallest member value.
    pub min: Option<Decimal>,
    /// Largest member value.
    pub max: Option<Decimal>,
    /// Arithmetic mean of the members.
    pub mean: Option<Decimal>,
    /// Sample standard deviation (n − 1), when there are two members or more.
    pub sd: Option<Decimal>,
    /// The value of the `distance to` reference unit.
    pub reference: Option<Result<Decimal, Arc<Fault>>>,
    /// Decimals values are compared at.
    pub rounded: Option<u32>,
    /// The outlier treatment decided for the cohort (`treat x`).
    pub treated: Option<Arc<super::treat::Treated>>,
    /// What an auditing construct gathered (`count of units`, printed values and ranks).
    pub audit: super::audit::AuditStats,
    /// Copeland and dominance: every unit's members.
    pub outrank: super::outrank::Rows,
}

impl CohortStats {
    /// Statistics of `values` (member values, any order); `ordered` keeps them sorted
    /// for ranks and percentiles, `moments` computes the mean and standard deviation
    /// for z-scores (a square root at 28 digits is not free).
    pub fn new(
        mut values: Vec<Decimal>,
        rounded: Option<u32>,
        ordered: bool,
        moments: bool,
    ) -> Self {
        if let Some(d) = rounded {
            for v in &mut values {
                *v = round_half_up(*v, d);
            }
        }
        let n = values.len();
        let min = values.iter().copied().min_by(cmp_decimal);
        let max = values.iter().copied().max_by(cmp_decimal);
        let sum = if moments {
            values
                .iter()
                .try_fold(Decimal::ZERO, |a, b| a.checked_add(*b))
        } else {
            None
        };
        let mean = sum.and_then(|s| s.checked_div(Decimal::from(n)));
        let sd = match (mean, n) {
            (Some(m), 2..) => values
                .iter()
                .try_fold(Decimal::ZERO, |acc, v| {
                    let d = v.checked_sub(m)?;
                    acc.checked_add(d.checked_mul(d)?)
                })
                .and_then(|ss| ss.checked_div(Decimal::from(n - 1)))
                .and_then(|var| var.sqrt()),
            _ => None,
        };
        if ordered {
            values.sort_unstable_by(cmp_decimal);
        } else {
            values = Vec::new();
        }
        Self {
            sorted: values,
            n,
            min,
            max,
            mean,
            sd,
            reference: None,
            rounded,
            treated: None,
            audit: super::audit::AuditStats::default(),
            outrank: super::outrank::Rows::default(),
        }
    }

    pub(super) fn min(&self) -> Option<Decimal> {
        self.min
    }

    pub(super) fn max(&self) -> Option<Decimal> {
        self.max
    }

    /// Competition rank of `x` ("1, 2, 2, 4"): 1 + the number of members strictly better.
    pub fn rank(&self, x: Decimal, ascending: bool) -> usize {
        let x = match self.rounded {
            Some(d) => round_half_up(x, d),
            None => x,
        };
        let better = if ascending {
            self.sorted
                .partition_point(|v| cmp_decimal(v, &x) == Ordering::Less)
        } else {
            self.sorted.len()
                - self
                    .sorted
                    .partition_point(|v| cmp_decimal(v, &x) != Ordering::Greater)
        };
        better + 1
    }
}

pub(super) fn fault(at: &Loc, what: String) -> Arc<Fault> {
    Arc::new(Fault::Domain {
        at: at.clone(),
        what,
    })
}

pub(super) fn div(a: Decimal, b: Decimal, at: &Loc) -> Result<Decimal, Arc<Fault>> {
    super::arith(crate::compile::Arith::Div, a, b, at)
}

pub(super) fn sub(a: Decimal, b: Decimal, at: &Loc) -> Result<Decimal, Arc<Fault>> {
    super::arith(crate::compile::Arith::Sub, a, b, at)
}

/// `x` normalised against its cohort.
pub fn normalise(
    node: &NormaliseNode,
    stats: &CohortStats,
    x: Decimal,
    column: &str,
    externals: &crate::hooks::Externals,
) -> Result<Decimal, Arc<Fault>> {
    let at = &node.at;
    let lower = node.lower_is_better;
    let empty = || fault(at, format!("the cohort of `{column}` has no values"));
    match &node.method {
        Method::Max => {
            if lower {
                let min = stats.min().ok_or_else(empty)?;
                if min <= Decimal::ZERO || x <= Decimal::ZERO {
                    return Err(fault(
                        at,
                        format!(
                            "`min / x` needs positive values of `{column}` (cohort minimum {min}, value {x})"
                        ),
                    ));
                }
                div(min, x, at)
            } else {
                let max = stats.max().ok_or_else(empty)?;
                if max <= Decimal::ZERO {
                    return Err(fault(
                        at,
                        format!(
                            "the cohort maximum of `{column}` is {max}, so `x / max` is undefined"
                        ),
                    ));
                }
                div(x, max, at)
            }
        }
        Method::MinMax => {
            let (min, max) = (
                stats.min().ok_or_else(empty)?,
                stats.max().ok_or_else(empty)?,
            );
            if min == max {
                return Err(fault(
                    at,
                    format!(
                        "every unit of the cohort has `{column}` = {min}: min–max has no spread"
                    ),
                ));
            }
            let num = if lower {
                sub(max, x, at)?
            } else {
                sub(x, min, at)?
            };
            div(num, sub(max, min, at)?, at)
        }
        Method::ZScore => {
            let (Some(mean), Some(sd)) = (stats.mean, stats.sd) else {
                return Err(fault(
                    at,
                    format!("a z-score of `{column}` needs at least two units in the cohort"),
                ));
            };
            if sd.is_zero() {
                return Err(fault(
                    at,
                    format!(
                        "every unit of the cohort has `{column}` = {mean}: the standard deviation is 0"
                    ),
                ));
            }
            let num = if lower {
                sub(mean, x, at)?
            } else {
                sub(x, mean, at)?
            };
            div(num, sd, at)
        }
        Method::Rank => Ok(Decimal::from(stats.rank(x, lower))),
        Method::Percentile => {
            let n = stats.n;
            if n == 0 {
                return Err(empty());
            }
            if n == 1 {
                return Ok(Decimal::ONE);
            }
            let rank = stats.rank(x, lower).min(n);
            div(Decimal::from(n - rank), Decimal::from(n - 1), at)
        }
        Method::Goalposts(lo, hi) => {
            let num = if lower {
                sub(*hi, x, at)?
            } else {
                sub(x, *lo, at)?
            };
            let v = div(num, sub(*hi, *lo, at)?, at)?;
            Ok(v.clamp(Decimal::ZERO, Decimal::ONE))
        }
        Method::Hook(name) => {
            let Some(target) = node.hook else {
                return Err(fault(at, format!("no hook function `{name}`")));
            };
            let cohort: Vec<crate::value::Value> = stats
                .sorted
                .iter()
                .map(|v| crate::value::Value::Number(*v))
                .collect();
            let args = [
                crate::value::Value::Number(x),
                crate::value::Value::List(Arc::from(cohort)),
            ];
            match externals.call(target, &args, at)? {
                crate::value::Value::Number(n) => Ok(n),
                other => Err(Arc::new(Fault::Hook {
                    origin: externals.origin(target),
                    message: format!("returned {}, expected a number", other.kind()),
                    at: at.clone(),
                })),
            }
        }
        Method::Distance(unit) => distance(unit, stats, x, lower, column, at),
        Method::Composite(n) => super::normalise::composite(n, node, stats, x, column),
    }
}

/// `distance to "unit"`: 1 − (ref − x) / (ref − min); lower is better:
/// 1 − (x − ref) / (max − ref).
pub(super) fn distance(
    unit: &str,
    stats: &CohortStats,
    x: Decimal,
    lower: bool,
    column: &str,
    at: &Loc,
) -> Result<Decimal, Arc<Fault>> {
    let empty = || fault(at, format!("the cohort of `{column}` has no values"));
    let reference = match &stats.reference {
        Some(Ok(r)) => *r,
        // The reference's own fault would read as this unit's ("`x` is missing").
        Some(Err(f)) => {
            return Err(fault(
                at,
                format!("the reference unit `{unit}` has no `{column}` to measure against ({f})"),
            ));
        }
        None => {
            return Err(fault(
                at,
                format!("the reference unit `{unit}` is not in the data"),
            ));
        }
    };
    let (min, max) = (
        stats.min().ok_or_else(empty)?,
        stats.max().ok_or_else(empty)?,
    );
    let (num, den) = if lower {
        (sub(x, reference, at)?, sub(max, reference, at)?)
    } else {
        (sub(reference, x, at)?, sub(reference, min, at)?)
    };
    if den.is_zero() {
        return Err(fault(
            at,
            format!(
                "`{unit}` has the {} `{column}` of the cohort: distance to it is undefined",
                if lower { "highest" } else { "lowest" }
            ),
        ));
    }
    sub(Decimal::ONE, div(num, den, at)?, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn stats(values: &[&str]) -> CohortStats {
        CohortStats::new(values.iter().map(|v| d(v)).collect(), None, true, true)
    }

    #[test]
    fn competition_ranks_share_and_skip() {
        let s = stats(&["0.9", "0.633", "0.633", "0.5"]);
        assert_eq!(s.rank(d("0.9"), false), 1);
        assert_eq!(s.rank(d("0.633"), false), 2);
        assert_eq!(s.rank(d("0.5"), false), 4);
        assert_eq!(s.rank(d("0.5"), true), 1);
        assert_eq!(s.rank(d("0.633"), true), 2);
        assert_eq!(s.rank(d("0.9"), true), 4);
    }

    #[test]
    fn ranks_can_compare_rounded_values() {
        let s = CohortStats::new(
            vec![d("0.6331"), d("0.6329"), d("0.7")],
            Some(3),
            true,
            false,
        );
        assert_eq!(s.rank(d("0.6331"), false), 2);
        assert_eq!(s.rank(d("0.6329"), false), 2);
    }

    #[test]
    fn sample_standard_deviation() {
        let s = stats(&["2", "4", "4", "4", "5", "5", "7", "9"]);
        assert_eq!(s.mean, Some(d("5")));
        // Σ(x − 5)² = 32; 32 / 7 = 4.571…; √ = 2.138…
        let sd = s.sd.unwrap();
        assert!(
            (sd - d("2.1380899352993950")).abs() < d("0.000000000000001"),
            "{sd}"
        );
    }
}
