//! Non-compensatory aggregation over the outranking matrix of a score's members:
//! Copeland scores (COINr `a_copeland`) and dominance (COINr `outrankMatrix`, whose
//! `nDominant` and `fracDominant` `--explain` shows for the cohort).
//!
//! Unit a outranks unit b by the weight of the members on which a is higher, plus half
//! the weight of those on which they are equal (COINr's matrix entry). a *beats* b when
//! the members on which a is higher weigh more than those on which b is higher (COINr:
//! entry > ½); a *dominates* b when b is higher or equal on no member of positive weight
//! (COINr: entry = 1). A Copeland score is wins − losses; ties count 0.
//!
//! Missing values: COINr leaves a missing comparison out of the entry of whichever unit
//! of the pair comes first in the data and gives its weight to the other (the lower
//! triangle of its matrix is 1 − the upper), so its results depend on the order of the
//! rows. chiso compares two units over the members both have, for both alike, so the
//! order of the units never matters; the score's `missing` policy decides which units
//! take part (`missing error`, the default: only units with every member; `missing zero`:
//! everyone, missing as 0; `missing exclude [at least N% …]`: units with enough members).
//! A unit whose member could not be computed (not missing: an error) is left out.
//!
//! Sums of weights are compared, never divided, so relative weights (1, 2, 3) are exact.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::aggregate::{enough_present, none_present};
use super::cohort::CohortStats;
use super::{Eval, Fault, Slots, arith};
use crate::compile::{AggregateNode, Aggregation, Arith, Cohort, MissingPolicy, Node, Program};
use crate::value::Value;

/// One unit's members, as the cohort saw them (`None`: missing).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The unit.
    pub unit: Arc<str>,
    /// Its members' values, in the order of the score.
    pub values: Vec<Option<Decimal>>,
}

/// Every unit's row of a Copeland or dominance score's cohort.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    /// Units whose members are numbers or missing.
    pub rows: Vec<Row>,
    /// Units left out because a member could not be computed, with the reason.
    pub left_out: Vec<(Arc<str>, Arc<Fault>)>,
}

/// One unit against the other units of the cohort.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Units it was compared with.
    pub others: usize,
    /// Units it beats (weighted majority of the members both have).
    pub wins: usize,
    /// Units that beat it.
    pub losses: usize,
    /// Units neither beats.
    pub ties: usize,
    /// Units it dominates (higher on every member of positive weight both have).
    pub dominates: usize,
    /// Units that dominate it.
    pub dominated_by: usize,
    /// Comparisons made over fewer than all the members (one of the two misses some).
    pub partial: usize,
}

/// The cohort as a whole (COINr's `nDominant` and `fracDominant`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Units taking part.
    pub units: usize,
    /// Units left out (missing members under the policy, or a member in error), by name.
    pub left_out: Vec<String>,
    /// Pairs of units one of which dominates the other (COINr `nDominant`).
    pub dominant_pairs: usize,
    /// Pairs of units, n (n − 1) / 2.
    pub pairs: usize,
}

impl Summary {
    /// The share of pairs with a dominant unit (COINr `fracDominant`); `None` with fewer
    /// than two units.
    pub fn dominant_share(&self) -> Option<Decimal> {
        Decimal::from(self.dominant_pairs).checked_div(Decimal::from(self.pairs))
    }
}

/// Adds one unit's row to an outranking cohort.
pub(super) fn collect(eval: &Eval<'_>, cohort: &Cohort, unit: Option<&Arc<str>>, acc: &mut Rows) {
    let unit = unit.cloned().unwrap_or_else(|| Arc::from(""));
    let mut values = Vec::with_capacity(cohort.members.len());
    for m in &cohort.members {
        match eval.num(m) {
            Ok(x) => values.push(Some(x)),
            Err(f) if f.is_missing() => values.push(None),
            Err(f) => {
                acc.left_out.push((unit, f));
                return;
            }
        }
    }
    acc.rows.push(Row { unit, values });
}

/// The weights of the members (1 each when the score has none).
fn weights(node: &AggregateNode) -> Vec<Decimal> {
    match &node.weights {
        Some(w) => w.clone(),
        None => vec![Decimal::ONE; node.members.len()],
    }
}

/// Members present, their weight and the weight of those missing.
fn weigh(
    row: &[Option<Decimal>],
    weights: &[Decimal],
    node: &AggregateNode,
) -> Result<(usize, Decimal, Decimal), Arc<Fault>> {
    let (mut present, mut weight, mut missing) = (0, Decimal::ZERO, Decimal::ZERO);
    for (x, w) in row.iter().zip(weights) {
        if x.is_some() {
            present += 1;
            weight = arith(Arith::Add, weight, *w, &node.at)?;
        } else {
            missing = arith(Arith::Add, missing, *w, &node.at)?;
        }
    }
    Ok((present, weight, missing))
}

/// Whether the policy lets a unit with this row take part (`missing error`: every member
/// present; `missing exclude at least …`: enough of them; `missing zero`: always).
fn usable(values: &[Option<Decimal>], node: &AggregateNode, w: &[Decimal]) -> bool {
    match node.missing {
        MissingPolicy::Zero => return true,
        MissingPolicy::Error => return values.iter().all(Option::is_some),
        MissingPolicy::Exclude(_) | MissingPolicy::ExcludeMembers(_) => {}
    }
    let Ok((present, weight, missing)) = weigh(values, w, node) else {
        return false;
    };
    !weight.is_zero() && enough_present(node, present, weight, missing).is_ok()
}

/// How a compares with b over the members both have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pair {
    beats: bool,
    beaten: bool,
    dominates: bool,
    dominated: bool,
    partial: bool,
}

/// `zero`: a missing value counts as 0 (`missing zero`), else the member is left out of
/// the comparison.
fn compare(
    a: &[Option<Decimal>],
    b: &[Option<Decimal>],
    w: &[Decimal],
    zero: bool,
    at: &crate::source::Loc,
) -> Result<Pair, Arc<Fault>> {
    let (mut for_a, mut for_b, mut tied) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut partial = false;
    let or_zero = |v: &Option<Decimal>| {
        if zero {
            Some(v.unwrap_or_default())
        } else {
            *v
        }
    };
    for ((x, y), weight) in a.iter().zip(b).zip(w) {
        let (Some(x), Some(y)) = (or_zero(x), or_zero(y)) else {
            partial = true;
            continue;
        };
        let side = match x.cmp(&y) {
            std::cmp::Ordering::Greater => &mut for_a,
            std::cmp::Ordering::Less => &mut for_b,
            std::cmp::Ordering::Equal => &mut tied,
        };
        *side = arith(Arith::Add, *side, *weight, at)?;
    }
    Ok(Pair {
        beats: for_a > for_b,
        beaten: for_b > for_a,
        dominates: for_a > Decimal::ZERO && for_b.is_zero() && tied.is_zero(),
        dominated: for_b > Decimal::ZERO && for_a.is_zero() && tied.is_zero(),
        partial,
    })
}

/// The unit's own row under the policy, or why it has no score.
fn own_row(
    eval: &Eval<'_>,
    node: &AggregateNode,
    w: &[Decimal],
) -> Result<Vec<Option<Decimal>>, Arc<Fault>> {
    let mut row = Vec::with_capacity(node.members.len());
    let mut missing = Vec::new();
    for (i, m) in node.members.iter().enumerate() {
        match eval.num(m) {
            Ok(x) => row.push(Some(x)),
            Err(f) if f.is_missing() => match node.missing {
                MissingPolicy::Error => return Err(f),
                MissingPolicy::Zero => row.push(Some(Decimal::ZERO)),
                MissingPolicy::Exclude(_) | MissingPolicy::ExcludeMembers(_) => {
                    row.push(None);
                    missing.push((i, f));
                }
            },
            Err(f) => return Err(f),
        }
    }
    let (present, weight, missing_weight) = weigh(&row, w, node)?;
    if weight.is_zero() {
        return Err(none_present(eval, node, missing));
    }
    enough_present(node, present, weight, missing_weight)?;
    Ok(row)
}

fn tally_of(eval: &Eval<'_>, node: &AggregateNode) -> Result<Tally, Arc<Fault>> {
    let w = weights(node);
    let own = own_row(eval, node, &w)?;
    let stats = eval.stats(node.cohort.unwrap_or(usize::MAX), &node.at)?;
    let zero = node.missing == MissingPolicy::Zero;
    let mut t = Tally::default();
    let mut compared: usize = 0;
    for other in &stats.outrank.rows {
        if !usable(&other.values, node, &w) {
            continue;
        }
        compared += 1;
        let p = compare(&own, &other.values, &w, zero, &node.at)?;
        t.wins += usize::from(p.beats);
        t.losses += usize::from(p.beaten);
        t.dominates += usize::from(p.dominates);
        t.dominated_by += usize::from(p.dominated);
        t.partial += usize::from(p.partial);
    }
    // The unit's own row is among the cohort's: a tie with itself, not another unit.
    t.others = compared.saturating_sub(1);
    t.ties = t.others.saturating_sub(t.wins + t.losses);
    t.partial = t.partial.min(t.others);
    Ok(t)
}

/// The Copeland or dominance score of the unit being evaluated.
pub(super) fn score(eval: &Eval<'_>, node: &AggregateNode) -> Result<Decimal, Arc<Fault>> {
    let t = tally_of(eval, node)?;
    match node.kind {
        Aggregation::Dominance { share: true } => {
            if t.others == 0 {
                return Err(Arc::new(Fault::Domain {
                    at: node.at.clone(),
                    what: "a dominance share needs at least one other unit to compare with".into(),
                }));
            }
            arith(
                Arith::Div,
                Decimal::from(t.dominates),
                Decimal::from(t.others),
                &node.at,
            )
        }
        Aggregation::Dominance { share: false } => Ok(Decimal::from(t.dominates)),
        _ => Ok(Decimal::from(t.wins) - Decimal::from(t.losses)),
    }
}

/// How unit `slots` compares with the rest of the cohort of `node` (for `--explain`).
pub fn tally(
    program: &Program,
    slots: Slots<'_>,
    cohorts: &[Option<CohortStats>],
    node: &AggregateNode,
) -> Result<Tally, Arc<Fault>> {
    let eval = Eval {
        program,
        slots,
        cohorts,
        element: None,
    };
    tally_of(&eval, node)
}

/// The units of the data left out of the cohort of `node` (a member missing under its
/// policy, or in error), by name.
fn left_out(stats: &CohortStats, node: &AggregateNode, w: &[Decimal]) -> Vec<String> {
    let mut out: Vec<String> = stats
        .outrank
        .left_out
        .iter()
        .map(|(u, _)| u.to_string())
        .chain(
            stats
                .outrank
                .rows
                .iter()
                .filter(|r| !usable(&r.values, node, w))
                .map(|r| r.unit.to_string()),
        )
        .collect();
    out.sort();
    out
}

/// The cohort of `node` as a whole: its units, those left out, and its dominant pairs.
pub fn summary(cohorts: &[Option<CohortStats>], node: &AggregateNode) -> Option<Summary> {
    let stats = cohorts.get(node.cohort?)?.as_ref()?;
    let w = weights(node);
    let zero = node.missing == MissingPolicy::Zero;
    let rows: Vec<&Row> = stats
        .outrank
        .rows
        .iter()
        .filter(|r| usable(&r.values, node, &w))
        .collect();
    let n = rows.len();
    let mut dominant_pairs = 0;
    for (i, a) in rows.iter().enumerate() {
        for b in rows.iter().skip(i + 1) {
            let p = compare(&a.values, &b.values, &w, zero, &node.at).ok()?;
            dominant_pairs += usize::from(p.dominates || p.dominated);
        }
    }
    Some(Summary {
        units: n,
        left_out: left_out(stats, node, &w),
        dominant_pairs,
        pairs: n * n.saturating_sub(1) / 2,
    })
}

/// A note on each Copeland or dominance score of a unit when units were left out of the
/// comparison (so the score is over fewer units than the data holds), keyed by the score.
pub fn notes(
    program: &Program,
    slots: Slots<'_>,
    cohorts: &[Option<CohortStats>],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for formula in &program.formulas {
        let Node::Aggregate(agg) = &formula.node else {
            continue;
        };
        if !matches!(slots.get(formula.slot), Some(Ok(Value::Number(_)))) {
            continue;
        }
        let Some(Some(stats)) = agg.cohort.map(|c| cohorts.get(c).and_then(Option::as_ref)) else {
            continue;
        };
        let w = weights(agg);
        let left_out = left_out(stats, agg, &w);
        if left_out.is_empty() {
            continue;
        }
        let units = stats.outrank.rows.len() + stats.outrank.left_out.len() - left_out.len();
        let name = program
            .slots
            .get(formula.slot)
            .map(|i| i.name.to_string())
            .unwrap_or_default();
        let name = name
            .strip_suffix(crate::compile::RAW_SUFFIX)
            .map(str::to_string)
            .unwrap_or(name);
        out.push((
            name,
            format!(
                "{}: compared with the {} other units that have the members; left out: {}",
                agg.kind.describe(),
                units.saturating_sub(1),
                left_out
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: i64) -> Option<Decimal> {
        Some(Decimal::from(v))
    }

    fn at() -> crate::source::Loc {
        crate::source::Loc {
            source: crate::source::Source::new("t", "copeland"),
            range: 0..8,
        }
    }

    #[test]
    fn a_weighted_majority_beats_and_a_clean_sweep_dominates() {
        let w = [Decimal::ONE, Decimal::TWO, Decimal::from(3)];
        // a higher on the members of weight 1 and 2, lower on 3: 3 against 3, a tie.
        let p = compare(&[d(5), d(5), d(1)], &[d(1), d(1), d(5)], &w, false, &at()).unwrap();
        assert!(!p.beats && !p.beaten && !p.dominates);
        let p = compare(&[d(5), d(5), d(5)], &[d(1), d(1), d(1)], &w, false, &at()).unwrap();
        assert!(p.beats && p.dominates && !p.dominated);
        // An equal member prevents dominance, as COINr's entry of 1 − w/2 < 1 does.
        let p = compare(&[d(5), d(5), d(1)], &[d(1), d(1), d(1)], &w, false, &at()).unwrap();
        assert!(p.beats && !p.dominates);
    }

    #[test]
    fn missing_members_are_left_out_of_both_sides() {
        let w = [Decimal::ONE; 3];
        let p = compare(&[d(5), None, d(1)], &[d(1), d(9), d(1)], &w, false, &at()).unwrap();
        let q = compare(&[d(1), d(9), d(1)], &[d(5), None, d(1)], &w, false, &at()).unwrap();
        assert!(p.beats && p.partial && q.beaten && q.partial);
        assert_eq!((p.dominates, q.dominated), (false, false));
    }
}
