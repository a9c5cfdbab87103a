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
//! Every pair of units is compared once per evaluation, on each member's place among the
//! cohort's values and on the weights as integers at their common scale.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

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
    /// Every pair compared, once, the first time a unit's score asks (a cohort belongs to
    /// one score, whose weights and policy do not change within an evaluation).
    table: OnceLock<Result<Arc<Table>, Arc<Fault>>>,
}

/// The comparisons of every pair of units that take part.
#[derive(Debug, Default, PartialEq)]
struct Table {
    /// Each unit's tally, by its row (units with equal rows fare alike).
    tallies: HashMap<Vec<Option<Decimal>>, Tally>,
    /// The cohort as a whole.
    summary: Summary,
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

/// A weight that sums exactly: the weights as integers at their common scale, or (when
/// they do not fit) as decimals.
trait Weight: Copy + Ord {
    const ZERO: Self;
    fn plus(self, other: Self) -> Option<Self>;
}

impl Weight for i128 {
    const ZERO: Self = 0;
    fn plus(self, other: Self) -> Option<Self> {
        self.checked_add(other)
    }
}

impl Weight for Decimal {
    const ZERO: Self = Decimal::ZERO;
    fn plus(self, other: Self) -> Option<Self> {
        self.checked_add(other)
    }
}

/// The weights as integers at their largest scale, if they (and their total) fit.
fn integer_weights(w: &[Decimal]) -> Option<Vec<i128>> {
    let scale = w.iter().map(|x| x.scale()).max().unwrap_or(0);
    let out: Vec<i128> = w
        .iter()
        .map(|x| {
            x.mantissa()
                .checked_mul(10i128.checked_pow(scale - x.scale())?)
        })
        .collect::<Option<_>>()?;
    out.iter().try_fold(0i128, |a, x| a.checked_add(*x))?;
    Some(out)
}

/// Each member's value as its place among that member's values in the cohort (equal
/// values share a place), so comparing places compares values; missing stays `None`
/// (`zero`: counts as 0).
fn places(rows: &[&Row], members: usize, zero: bool) -> Vec<Vec<Option<u32>>> {
    let value = |r: &Row, j: usize| match r.values.get(j).copied().flatten() {
        Some(v) => Some(v),
        None => zero.then_some(Decimal::ZERO),
    };
    let mut out: Vec<Vec<Option<u32>>> = vec![Vec::with_capacity(members); rows.len()];
    for j in 0..members {
        let mut column: Vec<Decimal> = rows.iter().filter_map(|r| value(r, j)).collect();
        column.sort_unstable();
        column.dedup();
        for (r, row_places) in rows.iter().zip(out.iter_mut()) {
            let place = value(r, j)
                .and_then(|v| column.binary_search(&v).ok())
                .and_then(|p| u32::try_from(p).ok());
            row_places.push(place);
        }
    }
    out
}

/// Compares every pair of units once, over the members both have: each unit's tally
/// (in the order of `places`) and the number of pairs with a dominant unit.
fn compare_all<W: Weight>(places: &[Vec<Option<u32>>], w: &[W]) -> Option<(Vec<Tally>, usize)> {
    let n = places.len();
    let blank = Tally {
        others: n.saturating_sub(1),
        ..Tally::default()
    };
    let mut tallies = vec![blank; n];
    let mut dominant_pairs = 0;
    for (a, pa) in places.iter().enumerate() {
        for (b, pb) in places.iter().enumerate().skip(a + 1) {
            let (mut for_a, mut for_b, mut tied) = (W::ZERO, W::ZERO, W::ZERO);
            let mut partial = false;
            for ((x, y), weight) in pa.iter().zip(pb).zip(w) {
                let (Some(x), Some(y)) = (x, y) else {
                    partial = true;
                    continue;
                };
                let side = match x.cmp(y) {
                    Ordering::Greater => &mut for_a,
                    Ordering::Less => &mut for_b,
                    Ordering::Equal => &mut tied,
                };
                *side = side.plus(*weight)?;
            }
            let a_dominates = for_a > W::ZERO && for_b == W::ZERO && tied == W::ZERO;
            let b_dominates = for_b > W::ZERO && for_a == W::ZERO && tied == W::ZERO;
            dominant_pairs += usize::from(a_dominates || b_dominates);
            for (me, mine, theirs, dominates, dominated) in [
                (a, for_a, for_b, a_dominates, b_dominates),
                (b, for_b, for_a, b_dominates, a_dominates),
            ] {
                let t = tallies.get_mut(me)?;
                t.wins += usize::from(mine > theirs);
                t.losses += usize::from(theirs > mine);
                t.dominates += usize::from(dominates);
                t.dominated_by += usize::from(dominated);
                t.partial += usize::from(partial);
            }
        }
    }
    for t in &mut tallies {
        t.ties = t.others.saturating_sub(t.wins + t.losses);
    }
    Some((tallies, dominant_pairs))
}

/// The comparisons of the cohort of `node`, made the first time they are needed.
fn table<'r>(rows: &'r Rows, node: &AggregateNode) -> Result<&'r Table, Arc<Fault>> {
    match rows.table.get_or_init(|| build(rows, node).map(Arc::new)) {
        Ok(t) => Ok(t),
        Err(f) => Err(Arc::clone(f)),
    }
}

fn build(rows: &Rows, node: &AggregateNode) -> Result<Table, Arc<Fault>> {
    let w = weights(node);
    let zero = node.missing == MissingPolicy::Zero;
    let (taking_part, policy_out): (Vec<&Row>, Vec<&Row>) =
        rows.rows.iter().partition(|r| usable(&r.values, node, &w));
    let places = places(&taking_part, node.members.len(), zero);
    let compared = match integer_weights(&w) {
        Some(w) => compare_all(&places, &w),
        None => compare_all(&places, &w),
    };
    let (tallies, dominant_pairs) = compared.ok_or_else(|| {
        Arc::new(Fault::Overflow {
            at: node.at.clone(),
        })
    })?;
    let mut left_out: Vec<String> = rows
        .left_out
        .iter()
        .map(|(u, _)| u.to_string())
        .chain(policy_out.iter().map(|r| r.unit.to_string()))
        .collect();
    left_out.sort();
    let n = taking_part.len();
    Ok(Table {
        tallies: taking_part
            .iter()
            .map(|r| r.values.clone())
            .zip(tallies)
            .collect(),
        summary: Summary {
            units: n,
            left_out,
            dominant_pairs,
            pairs: n * n.saturating_sub(1) / 2,
        },
    })
}

/// The unit's own row as the cohort holds it (`None`: missing), or why the policy gives
/// it no score.
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
            Err(f) if f.is_missing() && node.missing != MissingPolicy::Error => {
                row.push(None);
                missing.push((i, f));
            }
            Err(f) => return Err(f),
        }
    }
    if node.missing == MissingPolicy::Zero {
        return Ok(row);
    }
    let (present, weight, missing_weight) = weigh(&row, w, node)?;
    if weight.is_zero() {
        return Err(none_present(eval, node, missing));
    }
    enough_present(node, present, weight, missing_weight)?;
    Ok(row)
}

fn tally_of(eval: &Eval<'_>, node: &AggregateNode) -> Result<Tally, Arc<Fault>> {
    let own = own_row(eval, node, &weights(node))?;
    let stats = eval.stats(node.cohort.unwrap_or(usize::MAX), &node.at)?;
    let table = table(&stats.outrank, node)?;
    table.tallies.get(&own).copied().ok_or_else(|| {
        Arc::new(Fault::Domain {
            at: node.at.clone(),
            what: "the unit is not among the units its score compares".into(),
        })
    })
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

/// The cohort of `node` as a whole: its units, those left out, and its dominant pairs.
pub fn summary(cohorts: &[Option<CohortStats>], node: &AggregateNode) -> Option<Summary> {
    let stats = cohorts.get(node.cohort?)?.as_ref()?;
    table(&stats.outrank, node).ok().map(|t| t.summary.clone())
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
        let Some(Summary {
            units, left_out, ..
        }) = summary(cohorts, agg)
        else {
            continue;
        };
        if left_out.is_empty() {
            continue;
        }
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

    /// The tallies of units with these rows and weights.
    fn tallies(rows: &[Vec<Option<Decimal>>], w: &[i64], zero: bool) -> Vec<Tally> {
        let rows: Vec<Row> = rows
            .iter()
            .map(|values| Row {
                unit: Arc::from("u"),
                values: values.clone(),
            })
            .collect();
        let refs: Vec<&Row> = rows.iter().collect();
        let places = places(&refs, w.len(), zero);
        let w: Vec<Decimal> = w.iter().map(|x| Decimal::from(*x)).collect();
        let by_integers = compare_all(&places, &integer_weights(&w).unwrap()).unwrap();
        let by_decimals = compare_all(&places, &w).unwrap();
        assert_eq!(by_integers, by_decimals);
        by_integers.0
    }

    #[test]
    fn a_weighted_majority_beats_and_a_clean_sweep_dominates() {
        // a higher on the members of weight 1 and 2, lower on 3: 3 against 3, a tie.
        let t = tallies(
            &[vec![d(5), d(5), d(1)], vec![d(1), d(1), d(5)]],
            &[1, 2, 3],
            false,
        );
        assert_eq!(
            (t[0].wins, t[0].losses, t[0].ties, t[0].dominates),
            (0, 0, 1, 0)
        );
        let t = tallies(
            &[vec![d(5), d(5), d(5)], vec![d(1), d(1), d(1)]],
            &[1, 2, 3],
            false,
        );
        assert_eq!((t[0].wins, t[0].dominates, t[1].dominated_by), (1, 1, 1));
        // An equal member prevents dominance, as COINr's entry of 1 − w/2 < 1 does.
        let t = tallies(
            &[vec![d(5), d(5), d(1)], vec![d(1), d(1), d(1)]],
            &[1, 2, 3],
            false,
        );
        assert_eq!((t[0].wins, t[0].dominates), (1, 0));
    }

    #[test]
    fn missing_members_are_left_out_of_both_sides() {
        let rows = [vec![d(5), None, d(1)], vec![d(1), d(9), d(1)]];
        let t = tallies(&rows, &[1, 1, 1], false);
        assert_eq!(
            (t[0].wins, t[1].losses, t[0].partial, t[1].partial),
            (1, 1, 1, 1)
        );
        assert_eq!((t[0].dominates, t[1].dominated_by), (0, 0));
        // As 0, the missing member is b's: a tie.
        let t = tallies(&rows, &[1, 1, 1], true);
        assert_eq!((t[0].wins, t[0].ties, t[0].partial), (0, 1, 0));
    }
}
