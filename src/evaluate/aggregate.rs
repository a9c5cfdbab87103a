//! Scores: members combined by a mean, a minimum or a sum, under a missing-data policy.

use std::sync::Arc;

use rust_decimal::{Decimal, MathematicalOps};

use super::{Eval, Fault, arith};
use crate::compile::{AggregateNode, Aggregation, Arith, MissingPolicy};
use crate::source::Loc;

/// Running totals of one aggregation.
struct Totals {
    /// Σ w·f(x), where f depends on the kind of mean.
    weighted: Decimal,
    /// Σ w of the members present.
    weight: Decimal,
    /// Σ w of the members left out as missing.
    missing_weight: Decimal,
    /// A present member is 0 (geometric and harmonic means are then 0).
    has_zero: bool,
    /// The smallest member (for `minimum`).
    min: Option<Decimal>,
}

fn domain(at: &Loc, what: String) -> Arc<Fault> {
    Arc::new(Fault::Domain {
        at: at.clone(),
        what,
    })
}

/// A member's value under the missing-data policy: `Ok(None)` when it drops out.
fn member(
    eval: &Eval<'_>,
    node: &AggregateNode,
    member: &crate::compile::Node,
) -> Result<Option<Decimal>, Arc<Fault>> {
    match eval.num(member) {
        Ok(x) => Ok(Some(x)),
        Err(f) if f.is_missing() => match node.missing {
            MissingPolicy::Error => Err(f),
            MissingPolicy::Zero => Ok(Some(Decimal::ZERO)),
            MissingPolicy::Exclude(_) | MissingPolicy::ExcludeMembers(_) => Ok(None),
        },
        Err(f) => Err(f),
    }
}

/// `hook f of …`: the function gets the present members' values and weights.
fn hook(eval: &Eval<'_>, node: &AggregateNode) -> Result<Decimal, Arc<Fault>> {
    use crate::value::Value;
    let mut values = Vec::with_capacity(node.members.len());
    let mut weights = Vec::with_capacity(node.members.len());
    for (i, m) in node.members.iter().enumerate() {
        if let Some(x) = member(eval, node, m)? {
            values.push(Value::Number(x));
            let w = node
                .weights
                .as_ref()
                .and_then(|w| w.get(i).copied())
                .unwrap_or(Decimal::ONE);
            weights.push(Value::Number(w));
        }
    }
    let Some(target) = node.hook else {
        return Err(domain(&node.at, "no hook function".into()));
    };
    let externals = &eval.program.externals;
    match externals.call(
        target,
        &[
            Value::List(Arc::from(values)),
            Value::List(Arc::from(weights)),
        ],
        &node.at,
    )? {
        Value::Number(n) => Ok(n),
        other => Err(Arc::new(Fault::Hook {
            origin: externals.origin(target),
            message: format!("returned {}, expected a number", other.kind()),
            at: node.at.clone(),
        })),
    }
}

/// Evaluates a score.
pub(super) fn aggregate(eval: &Eval<'_>, node: &AggregateNode) -> Result<Decimal, Arc<Fault>> {
    if let Aggregation::Hook(_) = node.kind {
        return hook(eval, node);
    }
    if node.kind.is_outranking() {
        return super::outrank::score(eval, node);
    }
    let at = &node.at;
    let mut t = Totals {
        weighted: Decimal::ZERO,
        weight: Decimal::ZERO,
        missing_weight: Decimal::ZERO,
        has_zero: false,
        min: None,
    };
    let mut missing: Vec<(usize, Arc<Fault>)> = Vec::new();
    let mut powers: Vec<(Decimal, Decimal)> = Vec::new();
    for (i, member) in node.members.iter().enumerate() {
        let w = node
            .weights
            .as_ref()
            .and_then(|w| w.get(i).copied())
            .unwrap_or(Decimal::ONE);
        let x = match eval.num(member) {
            Ok(x) => x,
            Err(f) if f.is_missing() => match node.missing {
                MissingPolicy::Error => return Err(f),
                MissingPolicy::Zero => Decimal::ZERO,
                MissingPolicy::Exclude(_) | MissingPolicy::ExcludeMembers(_) => {
                    t.missing_weight = arith(Arith::Add, t.missing_weight, w, at)?;
                    missing.push((i, f));
                    continue;
                }
            },
            Err(f) => return Err(f),
        };
        t.weight = arith(Arith::Add, t.weight, w, at)?;
        t.min = Some(t.min.map_or(x, |m| m.min(x)));
        let term = match &node.kind {
            Aggregation::Arithmetic if node.weights.is_none() => x,
            Aggregation::Arithmetic => arith(Arith::Mul, w, x, at)?,
            Aggregation::Sum => x,
            Aggregation::Minimum
            | Aggregation::Hook(_)
            | Aggregation::Copeland
            | Aggregation::Dominance { .. } => Decimal::ZERO,
            // A power mean with p > 0 takes negative members as the reference does; its
            // powers are summed after the loop, rescaled if they overflow.
            Aggregation::Power(p) if !p.is_sign_negative() => {
                powers.push((w, x));
                Decimal::ZERO
            }
            Aggregation::Geometric | Aggregation::Harmonic | Aggregation::Power(_) => {
                if x.is_sign_negative() && !x.is_zero() {
                    return Err(domain(
                        at,
                        format!("a {} of the negative value {x}", node.kind.describe()),
                    ));
                }
                if x.is_zero() {
                    t.has_zero = true;
                    Decimal::ZERO
                } else {
                    match &node.kind {
                        Aggregation::Geometric => {
                            let ln = x
                                .checked_ln()
                                .ok_or_else(|| Arc::new(Fault::Overflow { at: at.clone() }))?;
                            arith(Arith::Mul, w, ln, at)?
                        }
                        Aggregation::Harmonic => arith(Arith::Div, w, x, at)?,
                        Aggregation::Power(p) => {
                            arith(Arith::Mul, w, arith(Arith::Pow, x, *p, at)?, at)?
                        }
                        _ => Decimal::ZERO,
                    }
                }
            }
        };
        t.weighted = arith(Arith::Add, t.weighted, term, at)?;
    }
    if t.weight.is_zero() {
        return Err(none_present(eval, node, missing));
    }
    let present = node.members.len().saturating_sub(missing.len());
    enough_present(node, present, t.weight, t.missing_weight)?;
    match &node.kind {
        Aggregation::Arithmetic => arith(Arith::Div, t.weighted, t.weight, at),
        Aggregation::Sum => Ok(t.weighted),
        Aggregation::Minimum
        | Aggregation::Hook(_)
        | Aggregation::Copeland
        | Aggregation::Dominance { .. } => Ok(t.min.unwrap_or_default()),
        Aggregation::Geometric if t.has_zero => Ok(Decimal::ZERO),
        Aggregation::Harmonic if t.has_zero => Ok(Decimal::ZERO),
        Aggregation::Power(p) if t.has_zero && p.is_sign_negative() => Ok(Decimal::ZERO),
        Aggregation::Geometric => {
            let mean_ln = arith(Arith::Div, t.weighted, t.weight, at)?;
            mean_ln
                .checked_exp()
                .ok_or_else(|| Arc::new(Fault::Overflow { at: at.clone() }))
        }
        Aggregation::Harmonic => arith(Arith::Div, t.weight, t.weighted, at),
        Aggregation::Power(p) if !p.is_sign_negative() => {
            super::power_mean::positive(&powers, t.weight, *p, at)
        }
        Aggregation::Power(p) => {
            let mean = arith(Arith::Div, t.weighted, t.weight, at)?;
            let inverse = arith(Arith::Div, Decimal::ONE, *p, at)?;
            arith(Arith::Pow, mean, inverse, at)
        }
    }
}

/// Whether enough of a score's members are present under `missing exclude at least N%`
/// (of members or of weight): `present` members carrying `weight`, `missing_weight` left
/// out. Copeland and dominance apply it to every unit's row too.
pub(super) fn enough_present(
    node: &AggregateNode,
    present: usize,
    weight: Decimal,
    missing_weight: Decimal,
) -> Result<(), Arc<Fault>> {
    let at = &node.at;
    if let MissingPolicy::ExcludeMembers(required) = node.missing {
        let total = node.members.len();
        let share = arith(Arith::Div, Decimal::from(present), Decimal::from(total), at)?;
        if share < required {
            return Err(domain(
                at,
                format!(
                    "only {present} of the {total} members are present ({}%), at least {}% of the members are required",
                    crate::value::round_half_up(share * Decimal::ONE_HUNDRED, 1).normalize(),
                    (required * Decimal::ONE_HUNDRED).normalize()
                ),
            ));
        }
    }
    if let MissingPolicy::Exclude(Some(required)) = node.missing {
        let total = arith(Arith::Add, weight, missing_weight, at)?;
        let share = arith(Arith::Div, weight, total, at)?;
        if share < required {
            return Err(domain(
                at,
                format!(
                    "only {}% of the members' weight is present, at least {}% is required",
                    crate::value::round_half_up(share * Decimal::ONE_HUNDRED, 1).normalize(),
                    (required * Decimal::ONE_HUNDRED).normalize()
                ),
            ));
        }
    }
    Ok(())
}

/// The fault of a score none of whose members is present: every member named with its
/// own reason (a single missing member keeps its fault, so enclosing scores still see
/// a missing value).
pub(super) fn none_present(
    eval: &Eval<'_>,
    node: &AggregateNode,
    missing: Vec<(usize, Arc<Fault>)>,
) -> Arc<Fault> {
    if missing.len() <= 1 {
        return missing.into_iter().next().map_or_else(
            || domain(&node.at, "no members to aggregate".into()),
            |m| m.1,
        );
    }
    let members = missing
        .iter()
        .map(|(i, f)| {
            let name = match node.members.get(*i) {
                Some(crate::compile::Node::Slot(s)) => eval.program.slots.get(*s).map_or_else(
                    || format!("member {}", i + 1),
                    |info| format!("`{}`", info.name),
                ),
                _ => format!("member {}", i + 1),
            };
            format!("{name} ({f})")
        })
        .collect();
    Arc::new(Fault::MissingMembers { members })
}
