//! Normalisations with parameters (`minmax onto`, `zscore as`, `goalposts … scale`,
//! `scaled`, `distance to target`, `distance to "unit" capped`, `borda`, `percentile
//! ties …`) and the value of `treat x`, computed from the cohort's statistics.
//!
//! The formulas are COINr's (`n_minmax`, `n_zscore`, `n_goalposts`, `n_scaled`,
//! `n_dist2targ`, `n_dist2ref`, `n_borda`, `n_prank`); where COINr returns NaN or
//! infinity chiso gives the unit an error that says why, and where its result would be
//! meaningless (percentiles of a constant column) chiso defines one and documents it.

use std::cmp::Ordering;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::cohort::{CohortStats, distance, div, fault, sub};
use super::{Fault, arith, cmp_decimal};
use crate::compile::{Arith, NormaliseNode};
use crate::parse::composite::{Normaliser, Ties};
use crate::source::Loc;

fn mul(a: Decimal, b: Decimal, at: &Loc) -> Result<Decimal, Arc<Fault>> {
    arith(Arith::Mul, a, b, at)
}

fn add(a: Decimal, b: Decimal, at: &Loc) -> Result<Decimal, Arc<Fault>> {
    arith(Arith::Add, a, b, at)
}

/// `x` normalised by a method with parameters.
pub(super) fn composite(
    method: &Normaliser,
    node: &NormaliseNode,
    stats: &CohortStats,
    x: Decimal,
    column: &str,
) -> Result<Decimal, Arc<Fault>> {
    let at = &node.at;
    let lower = node.lower_is_better;
    let empty = || fault(at, format!("the cohort of `{column}` has no values"));
    match method {
        Normaliser::MinMaxOnto { low, high } => {
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
            let share = div(num, sub(max, min, at)?, at)?;
            add(*low, mul(share, sub(*high, *low, at)?, at)?, at)
        }
        Normaliser::ZScoreAs { mean: m, sd: s } => {
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
            add(*m, mul(div(num, sd, at)?, *s, at)?, at)
        }
        Normaliser::Goalposts {
            low,
            high,
            scale,
            clamp,
        } => {
            let num = if lower {
                sub(*high, x, at)?
            } else {
                sub(x, *low, at)?
            };
            let mut v = div(num, sub(*high, *low, at)?, at)?;
            if *clamp {
                v = v.clamp(Decimal::ZERO, Decimal::ONE);
            }
            mul(v, *scale, at)
        }
        Normaliser::Scaled { low, high, scale } => {
            let num = if lower {
                sub(*high, x, at)?
            } else {
                sub(x, *low, at)?
            };
            mul(div(num, sub(*high, *low, at)?, at)?, *scale, at)
        }
        Normaliser::Target { target, capped } => {
            let (num, den) = if lower {
                let max = stats.max().ok_or_else(empty)?;
                (sub(max, x, at)?, sub(max, *target, at)?)
            } else {
                let min = stats.min().ok_or_else(empty)?;
                (sub(x, min, at)?, sub(*target, min, at)?)
            };
            if den.is_zero() {
                return Err(fault(
                    at,
                    format!(
                        "the target {target} is the cohort's {} `{column}`: the distance to it is undefined",
                        if lower { "highest" } else { "lowest" }
                    ),
                ));
            }
            let v = div(num, den, at)?;
            Ok(if *capped { v.min(Decimal::ONE) } else { v })
        }
        Normaliser::Reference { unit, capped } => {
            let v = distance(unit, stats, x, lower, column, at)?;
            Ok(if *capped { v.min(Decimal::ONE) } else { v })
        }
        Normaliser::Borda(ties) => {
            if stats.n == 0 {
                return Err(empty());
            }
            sub(
                rank_from_worst(stats, x, lower, *ties, at)?,
                Decimal::ONE,
                at,
            )
        }
        Normaliser::Percentile(ties) => {
            let n = stats.n;
            if n == 0 {
                return Err(empty());
            }
            if n == 1 {
                // A single unit is a constant column: the value every tie method gives
                // a constant column of two units or more (COINr gives NaN).
                return Ok(match ties {
                    Ties::Min => Decimal::ZERO,
                    Ties::Max => Decimal::ONE,
                    Ties::Average => Decimal::new(5, 1),
                });
            }
            let r = rank_from_worst(stats, x, lower, *ties, at)?;
            div(sub(r, Decimal::ONE, at)?, Decimal::from(n - 1), at)
        }
        Normaliser::Treat(_) => super::treat::value(stats, x, column, at),
    }
}

/// Rank counted from the worst unit (1 = worst), ties resolved as declared. A value that
/// is not a member (outside an `among` cohort) ranks as if it were one more member.
fn rank_from_worst(
    stats: &CohortStats,
    x: Decimal,
    lower: bool,
    ties: Ties,
    at: &Loc,
) -> Result<Decimal, Arc<Fault>> {
    let sorted = &stats.sorted;
    let less = sorted.partition_point(|v| cmp_decimal(v, &x) == Ordering::Less);
    let less_or_equal = sorted.partition_point(|v| cmp_decimal(v, &x) != Ordering::Greater);
    let equal = (less_or_equal - less).max(1);
    let worse = if lower {
        sorted.len() - less_or_equal
    } else {
        less
    };
    let first = Decimal::from(worse + 1);
    let last = Decimal::from(worse + equal);
    Ok(match ties {
        Ties::Min => first,
        Ties::Max => last,
        Ties::Average => div(add(first, last, at)?, Decimal::TWO, at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(values: &[i64]) -> CohortStats {
        CohortStats::new(
            values.iter().map(|v| Decimal::from(*v)).collect(),
            None,
            true,
            true,
        )
    }

    fn at() -> Loc {
        Loc {
            source: crate::source::Source::new("t", "x"),
            range: 0..1,
        }
    }

    #[test]
    fn ranks_from_the_worst_resolve_ties_as_declared() {
        let s = stats(&[5, 20, 20, 40]);
        let r = |x, lower, ties| rank_from_worst(&s, Decimal::from(x), lower, ties, &at()).unwrap();
        assert_eq!(r(20, false, Ties::Min), Decimal::from(2));
        assert_eq!(r(20, false, Ties::Max), Decimal::from(3));
        assert_eq!(r(20, false, Ties::Average), Decimal::new(25, 1));
        assert_eq!(r(5, true, Ties::Min), Decimal::from(4));
        assert_eq!(r(40, true, Ties::Min), Decimal::from(1));
        assert_eq!(r(20, true, Ties::Max), Decimal::from(3));
    }
}
