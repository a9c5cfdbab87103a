//! Outlier treatment across a cohort (`treat x`), as COINr's `Treat` does it by default:
//! a column whose |skewness| and kurtosis are both at or above their thresholds has its
//! most extreme points winsorised, one value at a time on the side the skew points to,
//! until it passes or the number of winsorised points reaches the limit; if it still
//! does not pass, the original values are log-transformed instead (`log_CT`:
//! ln(x − min + 0.01 × (max − min))).
//!
//! Skewness and kurtosis are the bias-corrected sample statistics COINr takes from
//! `e1071` (type 2). They are computed on deviations divided by the largest one, so
//! that fourth powers stay within exact decimal range whatever the column's scale (both
//! statistics are scale-free).

use std::sync::Arc;

use rust_decimal::{Decimal, MathematicalOps};

use super::cohort::{CohortStats, fault};
use super::{Fault, Slots, cmp_decimal};
use crate::compile::{Method, Node, Program};
use crate::parse::composite::{Normaliser, Treatment};
use crate::source::Loc;
use crate::value::Value;

/// A winsorisation bound and how many values it replaced.
type Cap = (Decimal, usize);

/// What the treatment did to a cohort.
#[derive(Debug, Clone, PartialEq)]
pub enum Treated {
    /// Fewer than four members: kurtosis is undefined, nothing is treated.
    TooFew(usize),
    /// Every member has the same value.
    Constant,
    /// The column passed as it was.
    Passed {
        /// Skewness.
        skew: Decimal,
        /// Kurtosis.
        kurtosis: Decimal,
    },
    /// Extreme values were replaced by the nearest remaining ones.
    Winsorised {
        /// Skewness and kurtosis before.
        before: (Decimal, Decimal),
        /// … and after.
        after: (Decimal, Decimal),
        /// Values above this became this (and how many there were).
        high: Option<(Decimal, usize)>,
        /// Values below this became this (and how many there were).
        low: Option<(Decimal, usize)>,
        /// The treatment passed (false only when the log fallback is `else nothing`).
        passed: bool,
    },
    /// Winsorising the allowed number of points was not enough: the original values
    /// are log-transformed.
    Logged {
        /// Skewness and kurtosis before.
        before: (Decimal, Decimal),
        /// … after winsorising the allowed points.
        winsorised: (Decimal, Decimal),
        /// The cohort minimum.
        min: Decimal,
        /// 0.01 × (max − min).
        shift: Decimal,
        /// How many points winsorising would have taken.
        points: usize,
    },
}

/// Skewness and kurtosis (bias-corrected, as COINr's `skew` and `kurt`); `None` for
/// fewer than four values or a constant column.
pub fn skew_kurtosis(values: &[Decimal]) -> Option<(Decimal, Decimal)> {
    let n = values.len();
    if n < 4 {
        return None;
    }
    match centred_power_sums(values) {
        Some(sums) => from_power_sums(n, sums),
        None => by_largest_deviation(values),
    }
}

/// Skewness and kurtosis from deviations divided by the largest one (any scale).
fn by_largest_deviation(values: &[Decimal]) -> Option<(Decimal, Decimal)> {
    let n = values.len();
    let nd = Decimal::from(n);
    let sum = values
        .iter()
        .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))?;
    let mean = sum.checked_div(nd)?;
    let deviations: Vec<Decimal> = values
        .iter()
        .map(|v| v.checked_sub(mean))
        .collect::<Option<_>>()?;
    let largest = deviations.iter().map(|d| d.abs()).max()?;
    if largest.is_zero() {
        return None;
    }
    let (mut m2, mut m3, mut m4) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for d in deviations {
        let e = d.checked_div(largest)?;
        let e2 = e.checked_mul(e)?;
        m2 = m2.checked_add(e2)?;
        m3 = m3.checked_add(e2.checked_mul(e)?)?;
        m4 = m4.checked_add(e2.checked_mul(e2)?)?;
    }
    // skew = √n · m3 / m2^(3/2) · √(n(n − 1)) / (n − 2)
    let root_n = nd.sqrt()?;
    let m2_32 = m2.checked_mul(m2.sqrt()?)?;
    let correction = nd
        .checked_mul(nd - Decimal::ONE)?
        .sqrt()?
        .checked_div(nd - Decimal::TWO)?;
    let skew = root_n
        .checked_mul(m3)?
        .checked_div(m2_32)?
        .checked_mul(correction)?;
    // r = n · m4 / m2²; kurtosis = ((n + 1)(r − 3) + 6)(n − 1) / ((n − 2)(n − 3))
    let r = nd.checked_mul(m4)?.checked_div(m2.checked_mul(m2)?)?;
    let three = Decimal::from(3);
    let kurtosis = (nd + Decimal::ONE)
        .checked_mul(r - three)?
        .checked_add(Decimal::from(6))?
        .checked_mul(nd - Decimal::ONE)?
        .checked_div((nd - Decimal::TWO).checked_mul(nd - three)?)?;
    Some((skew, kurtosis))
}

/// Σ d², Σ d³, Σ d⁴ of the deviations d from the mean, from the values as integers at
/// their largest scale (X), shifted by their rounded mean c: with Y = X − c, T = Σ Y and
/// Pₖ = Σ Yᵏ summed exactly in 128 bits, Σ d² = P₂ − T²/n, Σ d³ = P₃ − 3TP₂/n + 2T³/n²,
/// Σ d⁴ = P₄ − 4TP₃/n + 6T²P₂/n² − 3T⁴/n³ (|T| ≤ n/2, so nothing cancels badly). `None`
/// when a sum would not fit (the caller then divides by the largest deviation in
/// decimals instead). Skewness and kurtosis are scale-free, so 10^scale cancels.
fn centred_power_sums(values: &[Decimal]) -> Option<(Decimal, Decimal, Decimal)> {
    let scale = values.iter().map(|v| v.scale()).max()?;
    let mut xs = Vec::with_capacity(values.len());
    for v in values {
        let factor = 10i128.checked_pow(scale - v.scale())?;
        xs.push(v.mantissa().checked_mul(factor)?);
    }
    let count = i128::try_from(xs.len()).ok()?;
    let total = xs.iter().try_fold(0i128, |a, x| a.checked_add(*x))?;
    // The mean rounded to an integer (half away from zero).
    let c = (total.checked_mul(2)? + count * total.signum()) / (2 * count);
    let (mut t, mut p2, mut p3, mut p4) = (0i128, 0i128, 0i128, 0i128);
    for x in xs {
        let y = x.checked_sub(c)?;
        let y2 = y.checked_mul(y)?;
        t = t.checked_add(y)?;
        p2 = p2.checked_add(y2)?;
        p3 = p3.checked_add(y2.checked_mul(y)?)?;
        p4 = p4.checked_add(y2.checked_mul(y2)?)?;
    }
    let dec = |v: i128| Decimal::try_from_i128_with_scale(v, 0).ok();
    let (n, t, p2, p3, p4) = (Decimal::from(count), dec(t)?, dec(p2)?, dec(p3)?, dec(p4)?);
    let t_n = t.checked_div(n)?;
    let t_n2 = t_n.checked_mul(t_n)?;
    let m2 = p2.checked_sub(t.checked_mul(t_n)?)?;
    let m3 = p3
        .checked_sub(Decimal::from(3).checked_mul(t_n)?.checked_mul(p2)?)?
        .checked_add(Decimal::TWO.checked_mul(t_n2)?.checked_mul(t)?)?;
    let m4 = p4
        .checked_sub(Decimal::from(4).checked_mul(t_n)?.checked_mul(p3)?)?
        .checked_add(Decimal::from(6).checked_mul(t_n2)?.checked_mul(p2)?)?
        .checked_sub(
            Decimal::from(3)
                .checked_mul(t_n2)?
                .checked_mul(t_n)?
                .checked_mul(t)?,
        )?;
    Some((m2, m3, m4))
}

/// Skewness and kurtosis from Σ d², Σ d³, Σ d⁴ of n deviations (any common factor).
fn from_power_sums(
    n: usize,
    (m2, m3, m4): (Decimal, Decimal, Decimal),
) -> Option<(Decimal, Decimal)> {
    if m2.is_zero() {
        return None;
    }
    let nd = Decimal::from(n);
    // skew = √n · m3 / m2^(3/2) · √(n(n − 1)) / (n − 2) = n √(n − 1) m3 / ((n − 2) m2 √m2)
    let skew = nd
        .checked_mul((nd - Decimal::ONE).sqrt()?)?
        .checked_div(nd - Decimal::TWO)?
        .checked_mul(m3.checked_div(m2)?)?
        .checked_div(m2.sqrt()?)?;
    // r = n · m4 / m2²; kurtosis = ((n + 1)(r − 3) + 6)(n − 1) / ((n − 2)(n − 3))
    let r = nd.checked_mul(m4.checked_div(m2)?)?.checked_div(m2)?;
    let three = Decimal::from(3);
    let kurtosis = (nd + Decimal::ONE)
        .checked_mul(r - three)?
        .checked_add(Decimal::from(6))?
        .checked_mul(nd - Decimal::ONE)?
        .checked_div((nd - Decimal::TWO).checked_mul(nd - three)?)?;
    Some((skew, kurtosis))
}

fn passes(t: &Treatment, (skew, kurtosis): (Decimal, Decimal)) -> bool {
    skew.abs() < t.skew || kurtosis < t.kurtosis
}

/// Decides the treatment of a cohort from its members' values.
pub fn decide(values: &[Decimal], t: &Treatment) -> Treated {
    if values.len() < 4 {
        return Treated::TooFew(values.len());
    }
    let Some(before) = skew_kurtosis(values) else {
        return Treated::Constant;
    };
    if passes(t, before) {
        return Treated::Passed {
            skew: before.0,
            kurtosis: before.1,
        };
    }
    let mut x: Vec<Decimal> = values.to_vec();
    x.sort_unstable_by(cmp_decimal);
    let mut hi: Option<Cap> = None;
    let mut lo: Option<Cap> = None;
    let mut now = before;
    let limit = usize::try_from(t.winsorise_max).unwrap_or(usize::MAX);
    let count = |h: &Option<Cap>, l: &Option<Cap>| h.map_or(0, |h| h.1) + l.map_or(0, |l| l.1);
    while !passes(t, now) && count(&hi, &lo) < limit {
        // The highest (or lowest) value, all its ties, become the next value inward.
        let (Some(&first), Some(&last)) = (x.first(), x.last()) else {
            break;
        };
        if now.0 >= Decimal::ZERO {
            let Some(&next) = x.iter().rev().find(|v| **v < last) else {
                break;
            };
            for v in x.iter_mut().filter(|v| **v == last) {
                *v = next;
            }
            let changed = values.iter().filter(|v| **v > next).count();
            hi = Some((next, changed));
        } else {
            let Some(&next) = x.iter().find(|v| **v > first) else {
                break;
            };
            for v in x.iter_mut().filter(|v| **v == first) {
                *v = next;
            }
            let changed = values.iter().filter(|v| **v < next).count();
            lo = Some((next, changed));
        }
        match skew_kurtosis(&x) {
            Some(s) => now = s,
            None => break,
        }
    }
    if passes(t, now) || !t.log {
        return Treated::Winsorised {
            before,
            after: now,
            high: hi,
            low: lo,
            passed: passes(t, now),
        };
    }
    let (min, max) = (
        values.iter().copied().min().unwrap_or_default(),
        values.iter().copied().max().unwrap_or_default(),
    );
    Treated::Logged {
        before,
        winsorised: now,
        min,
        shift: (max - min) * Decimal::new(1, 2),
        points: count(&hi, &lo),
    }
}

/// The treated value of `x`.
pub(super) fn value(
    stats: &CohortStats,
    x: Decimal,
    column: &str,
    at: &Loc,
) -> Result<Decimal, Arc<Fault>> {
    match stats.treated.as_deref() {
        Some(Treated::Winsorised { high, low, .. }) => {
            let x = high.map_or(x, |(cap, _)| x.min(cap));
            Ok(low.map_or(x, |(cap, _)| x.max(cap)))
        }
        Some(Treated::Logged { min, shift, .. }) => {
            let arg = x - *min + *shift;
            if arg <= Decimal::ZERO {
                return Err(fault(
                    at,
                    format!(
                        "the log transform of `{column}` needs a value above {}, not {x}",
                        *min - *shift
                    ),
                ));
            }
            arg.checked_ln()
                .ok_or_else(|| fault(at, format!("the logarithm of {arg} cannot be represented")))
        }
        Some(_) => Ok(x),
        None => Err(fault(
            at,
            format!("the treatment of `{column}` was not computed"),
        )),
    }
}

fn shown(v: Decimal) -> Decimal {
    crate::value::round_half_up(v, 3).normalize()
}

/// Why the treatment did what it did to one unit's value, for the report's notes;
/// `None` when the unit's value is left as it was and nothing about the column needs
/// saying.
fn note(t: &Treatment, treated: &Treated, x: Decimal) -> Option<String> {
    let limits = format!("|skew| < {} or kurtosis < {} passes", t.skew, t.kurtosis);
    let why = |(s, k): (Decimal, Decimal)| format!("skew {}, kurtosis {}", shown(s), shown(k));
    match treated {
        Treated::TooFew(n) => Some(format!(
            "not treated: {n} units, skewness and kurtosis need at least 4"
        )),
        Treated::Constant | Treated::Passed { .. } => None,
        Treated::Winsorised {
            before,
            after,
            high,
            low,
            passed,
        } => {
            let points = high.map_or(0, |h| h.1) + low.map_or(0, |l| l.1);
            let plural = if points == 1 { "" } else { "s" };
            let cap = match (high, low) {
                (Some((c, _)), _) if x > *c => Some(c),
                (_, Some((c, _))) if x < *c => Some(c),
                _ => None,
            };
            match (cap, passed) {
                (Some(cap), true) => Some(format!(
                    "winsorised from {x} to {cap}: {} before ({limits}); {points} point{plural} winsorised, {} after",
                    why(*before),
                    why(*after),
                )),
                (Some(cap), false) => Some(format!(
                    "winsorised from {x} to {cap}: {} before ({limits}); {points} point{plural} winsorised still leave {} and `else nothing` keeps it so",
                    why(*before),
                    why(*after),
                )),
                (None, false) => Some(format!(
                    "not treated: {} ({limits}); {points} point{plural} winsorised leave {} and `else nothing` keeps the values",
                    why(*before),
                    why(*after),
                )),
                (None, true) => None,
            }
        }
        Treated::Logged {
            before,
            winsorised,
            points,
            ..
        } => Some(format!(
            "log-transformed, ln(x − min + 1% of the range): {} ({limits}); winsorising {points} point{} left {}",
            why(*before),
            if *points == 1 { "" } else { "s" },
            why(*winsorised)
        )),
    }
}

/// For each `treat` in the program that changed this unit's value (or could not be
/// decided), what it did and why, keyed by the indicator's name.
pub fn notes(
    program: &Program,
    slots: Slots<'_>,
    cohorts: &[Option<CohortStats>],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for formula in &program.formulas {
        let Node::Normalise(n) = &formula.node else {
            continue;
        };
        let Method::Composite(Normaliser::Treat(t)) = &n.method else {
            continue;
        };
        let (Some(Some(stats)), Some(Ok(Value::Number(x)))) =
            (cohorts.get(n.cohort), slots.get(n.column))
        else {
            continue;
        };
        let Some(treated) = stats.treated.as_deref() else {
            continue;
        };
        if let (Some(text), Some(info)) = (note(t, treated, *x), program.slots.get(formula.slot)) {
            out.push((info.name.to_string(), text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: &str) -> Decimal {
        v.parse().unwrap()
    }

    #[test]
    fn exact_power_sums_agree_with_scaled_deviations() {
        for column in [
            vec!["1", "2", "3", "4", "100", "2"],
            vec!["4.52", "9.52", "4.96", "127.54", "0.87", "33.2", "61.8"],
            vec!["-3", "0.001", "7", "7", "2.5"],
        ] {
            let values: Vec<Decimal> = column.iter().map(|v| d(v)).collect();
            let exact = centred_power_sums(&values)
                .and_then(|s| from_power_sums(values.len(), s))
                .unwrap();
            let scaled = by_largest_deviation(&values).unwrap();
            let close = |a: Decimal, b: Decimal| (a - b).abs() < d("0.0000000000000000001");
            assert!(close(exact.0, scaled.0), "{exact:?} {scaled:?}");
            assert!(close(exact.1, scaled.1), "{exact:?} {scaled:?}");
        }
        // A large cohort with a mean far from 0 and a long tail.
        let large: Vec<Decimal> = (0..10_000i64)
            .map(|i| {
                Decimal::new(
                    1_000_000 + (i * 37) % 1013 + (i % 997 == 0) as i64 * 90_000,
                    2,
                )
            })
            .collect();
        let exact = centred_power_sums(&large)
            .and_then(|s| from_power_sums(large.len(), s))
            .unwrap();
        let scaled = by_largest_deviation(&large).unwrap();
        assert!(
            (exact.0 - scaled.0).abs() < d("0.000000000000000001"),
            "{exact:?} {scaled:?}"
        );
        assert!(
            (exact.1 - scaled.1).abs() < d("0.000000000000000001"),
            "{exact:?} {scaled:?}"
        );
        // Too large for integers: the scaled path answers.
        let huge = vec![d("79228162514264337593543950"), d("1"), d("2"), d("3")];
        assert!(centred_power_sums(&huge).is_none());
        assert!(skew_kurtosis(&huge).is_some());
        assert!(skew_kurtosis(&[d("5"), d("5"), d("5"), d("5")]).is_none());
    }
}
