//! Power means with a positive exponent, (Σ w·xᵖ / Σ w)^(1/p), as the reference
//! (COINr `a_genmean`) computes them: negative members are accepted (an integer power of
//! a negative number is defined), and members whose powers would exceed exact decimal
//! range are divided by the largest of them first (the mean scales with its members),
//! so `power 3 mean of a, b` with `a = 1e15` is computed rather than refused.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Fault, arith};
use crate::compile::Arith;
use crate::source::Loc;

fn sum_of_powers(
    members: &[(Decimal, Decimal)],
    scale: Decimal,
    p: Decimal,
    at: &Loc,
) -> Result<Decimal, Arc<Fault>> {
    members.iter().try_fold(Decimal::ZERO, |acc, (w, x)| {
        let x = if scale == Decimal::ONE {
            *x
        } else {
            arith(Arith::Div, *x, scale, at)?
        };
        let term = arith(Arith::Mul, *w, arith(Arith::Pow, x, p, at)?, at)?;
        arith(Arith::Add, acc, term, at)
    })
}

/// The p-th root of the mean of p-th powers.
fn root(mean: Decimal, p: Decimal, at: &Loc) -> Result<Decimal, Arc<Fault>> {
    if p == Decimal::ONE {
        return Ok(mean);
    }
    if mean.is_sign_negative() && !mean.is_zero() {
        return Err(Arc::new(Fault::Domain {
            at: at.clone(),
            what: format!(
                "the weighted mean of the members raised to the power {p} is negative ({mean}): it has no real root"
            ),
        }));
    }
    let inverse = arith(Arith::Div, Decimal::ONE, p, at)?;
    arith(Arith::Pow, mean, inverse, at)
}

/// (Σ w·xᵖ / Σ w)^(1/p) for p > 0; `weight` is Σ w.
pub(super) fn positive(
    members: &[(Decimal, Decimal)],
    weight: Decimal,
    p: Decimal,
    at: &Loc,
) -> Result<Decimal, Arc<Fault>> {
    match sum_of_powers(members, Decimal::ONE, p, at) {
        Ok(sum) => root(arith(Arith::Div, sum, weight, at)?, p, at),
        Err(f) if matches!(*f, Fault::Overflow { .. }) => {
            let scale = members
                .iter()
                .map(|(_, x)| x.abs())
                .max()
                .filter(|s| !s.is_zero())
                .ok_or(f)?;
            let sum = sum_of_powers(members, scale, p, at)?;
            let mean = root(arith(Arith::Div, sum, weight, at)?, p, at)?;
            arith(Arith::Mul, scale, mean, at)
        }
        Err(f) => Err(f),
    }
}
