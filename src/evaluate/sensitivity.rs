//! `--sensitivity N`: how stable the ranks are. The index is re-run N times with every
//! weight scaled by a random factor within the declared bound and every normalisation
//! whose method is among the declared alternatives replaced by a random alternative; each
//! unit's ranks over the runs are summarised by their median and 5–95% interval.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{BoundData, evaluate};
use crate::compile::{Node, Program, SensitivityPlan};

/// SplitMix64: small, fast and deterministic for a given seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }

    /// An exact decimal uniformly drawn from [−1, 1] in steps of 10⁻⁶.
    pub fn signed_unit(&mut self) -> Decimal {
        let steps = self.below(2_000_001) as i64 - 1_000_000;
        Decimal::new(steps, 6)
    }
}

/// One unit's rank summary.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankSpread {
    /// The unit.
    pub unit: String,
    /// Its rank with the declared weights and methods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// Median rank over the runs.
    pub median: usize,
    /// 5th percentile of the ranks (nearest rank).
    pub p5: usize,
    /// 95th percentile of the ranks (nearest rank).
    pub p95: usize,
}

/// The result of a sensitivity analysis.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SensitivityReport {
    /// Number of runs.
    pub runs: usize,
    /// The seed.
    pub seed: u64,
    /// What was perturbed.
    pub weights_vary: Option<serde_json::Value>,
    /// Methods that replaced each other.
    pub alternatives: Vec<String>,
    /// Per declared rank, every unit's spread, in dataset order.
    pub ranks: IndexMap<String, Vec<RankSpread>>,
}

/// A copy of `program` with weights and methods perturbed.
pub fn perturb(program: &Program, plan: &SensitivityPlan, rng: &mut Rng) -> Program {
    let mut p = program.clone();
    for formula in &mut p.formulas {
        perturb_node(&mut formula.node, plan, rng);
    }
    // A normalisation that became a rank or percentile needs its cohort in order.
    for formula in &p.formulas {
        crate::compile::mark_ordered(&formula.node, &mut p.cohorts);
    }
    p
}

fn perturb_node(node: &mut Node, plan: &SensitivityPlan, rng: &mut Rng) {
    match node {
        Node::Aggregate(agg) => {
            if let Some(vary) = plan.weights_vary {
                let base = agg
                    .weights
                    .clone()
                    .unwrap_or_else(|| vec![Decimal::ONE; agg.members.len()]);
                let varied = base
                    .into_iter()
                    .map(|w| {
                        let factor = Decimal::ONE + vary * rng.signed_unit();
                        w.checked_mul(factor).unwrap_or(w)
                    })
                    .collect();
                agg.weights = Some(varied);
            }
            for m in &mut agg.members {
                perturb_node(m, plan, rng);
            }
        }
        Node::Normalise(n) => {
            if plan.alternatives.contains(&n.method)
                && let Some(m) = plan.alternatives.get(rng.below(plan.alternatives.len()))
            {
                n.method = m.clone();
            }
        }
        Node::Neg(x) | Node::Not(x) => perturb_node(x, plan, rng),
        Node::Arith(_, a, b, _)
        | Node::Cmp(_, a, b)
        | Node::Approx(a, b, _)
        | Node::And(a, b)
        | Node::Or(a, b) => {
            perturb_node(a, plan, rng);
            perturb_node(b, plan, rng);
        }
        Node::If(c, a, b) => {
            perturb_node(c, plan, rng);
            perturb_node(a, plan, rng);
            perturb_node(b, plan, rng);
        }
        Node::Call(_, args, _) => args.iter_mut().for_each(|a| perturb_node(a, plan, rng)),
        Node::External(call) => call
            .args
            .iter_mut()
            .for_each(|a| perturb_node(a, plan, rng)),
        Node::Collection(c) => {
            if let Some(f) = c.filter.as_mut() {
                perturb_node(f, plan, rng);
            }
        }
        Node::List(items) => items.iter_mut().for_each(|i| perturb_node(i, plan, rng)),
        Node::Const(_)
        | Node::Slot(_)
        | Node::Rank(_)
        | Node::Audit(_)
        | Node::Field(_)
        | Node::It
        | Node::Project(..) => {}
    }
}

/// The nearest-rank percentile `p` (0–100) of sorted values.
fn percentile(sorted: &[usize], p: usize) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    let index = (p * sorted.len()).div_ceil(100).saturating_sub(1);
    sorted
        .get(index.min(sorted.len() - 1))
        .copied()
        .unwrap_or(0)
}

/// Runs the analysis. `None` when the program declares no `sensitivity`.
pub fn analyse(
    program: &Program,
    data: &BoundData,
    runs: usize,
    seed: u64,
) -> Option<SensitivityReport> {
    analyse_with(program, data, runs, seed, None)
}

/// [`analyse`], telling `progress` `(done, runs)` after each run.
pub fn analyse_with(
    program: &Program,
    data: &BoundData,
    runs: usize,
    seed: u64,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Option<SensitivityReport> {
    let plan = program.sensitivity.as_ref()?;
    let nominal = evaluate(program, data);
    let mut rng = Rng::new(seed);
    let units = data.units.len();
    let keys = program.ranks.len();
    // samples[k][u]: the ranks of unit u for declared rank k over the runs.
    let mut samples = vec![vec![Vec::with_capacity(runs); units]; keys];
    for run in 0..runs {
        // The run's time limit (if any) ends the perturbed runs; the caller says so.
        if crate::hooks::RunDeadline::current().is_some_and(|d| crate::limits::Instant::now() > d) {
            break;
        }
        if let Some(tell) = progress {
            tell(run, runs);
        }
        let perturbed = perturb(program, plan, &mut rng);
        let result = evaluate(&perturbed, data);
        for (u, unit) in result.units().enumerate() {
            for (k, rank) in unit.ranks.iter().enumerate() {
                if let (Some(r), Some(list)) = (rank, samples.get_mut(k).and_then(|s| s.get_mut(u)))
                {
                    list.push(*r);
                }
            }
        }
    }
    if let Some(tell) = progress {
        tell(runs, runs);
    }
    let mut ranks = IndexMap::new();
    for (k, plan_rank) in program.ranks.iter().enumerate() {
        let mut spreads = Vec::new();
        for (u, name) in data.units.iter().enumerate() {
            let Some(list) = samples.get_mut(k).and_then(|s| s.get_mut(u)) else {
                continue;
            };
            if list.is_empty() {
                continue;
            }
            list.sort_unstable();
            spreads.push(RankSpread {
                unit: name.to_string(),
                rank: nominal
                    .unit(u)
                    .and_then(|r| r.ranks.get(k).copied().flatten()),
                median: percentile(list, 50),
                p5: percentile(list, 5),
                p95: percentile(list, 95),
            });
        }
        ranks.insert(plan_rank.key.to_string(), spreads);
    }
    Some(SensitivityReport {
        runs,
        seed,
        weights_vary: plan.weights_vary.map(crate::value::number_to_json),
        alternatives: plan.alternatives.iter().map(|m| m.describe()).collect(),
        ranks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<usize> = (1..=20).collect();
        assert_eq!(percentile(&v, 50), 10);
        assert_eq!(percentile(&v, 5), 1);
        assert_eq!(percentile(&v, 95), 19);
        assert_eq!(percentile(&[7], 95), 7);
    }

    #[test]
    fn the_generator_is_deterministic_and_bounded() {
        let mut a = Rng::new(1);
        let mut b = Rng::new(1);
        for _ in 0..1000 {
            let x = a.signed_unit();
            assert_eq!(x, b.signed_unit());
            assert!(x >= -Decimal::ONE && x <= Decimal::ONE);
        }
    }
}
