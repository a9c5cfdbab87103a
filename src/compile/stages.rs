//! Stages and what cohorts need: the formulas cut where a cohort operation needs a column
//! complete for every unit, and which statistics each cohort must compute.

use std::ops::Range;

use super::{Cohort, Formula, Method, Node, Slot, audit, children, slots_in};
use crate::parse::composite::Normaliser;

/// Splits the formulas into stages: a formula whose cohort needs a value computed in
/// the current stage (for every unit) starts a new one.
pub(super) fn stages(
    formulas: &[Formula],
    cohorts: &[Cohort],
    input_count: usize,
) -> Vec<Range<usize>> {
    let mut stages = Vec::new();
    let mut start = 0;
    for (k, formula) in formulas.iter().enumerate() {
        let mut needed = Vec::new();
        cohort_uses(&formula.node, cohorts, &mut needed);
        let needs_current = needed
            .iter()
            .any(|&slot| slot >= input_count + start && slot < input_count + k);
        if needs_current {
            stages.push(start..k);
            start = k;
        }
    }
    stages.push(start..formulas.len());
    stages
}

/// Marks what the cohorts of the ranks and normalisations in `node` need computed:
/// the members in order (ranks, percentiles), or their mean and deviation (z-scores).
pub(crate) fn mark_ordered(node: &Node, cohorts: &mut [Cohort]) {
    let (index, method) = match node {
        Node::Rank(r) => (Some(r.cohort), Some(&Method::Rank)),
        Node::Normalise(n) => (Some(n.cohort), Some(&n.method)),
        _ => (None, None),
    };
    if let (Some(c), Some(method)) = (index.and_then(|i| cohorts.get_mut(i)), method) {
        match method {
            Method::Rank | Method::Percentile | Method::Hook(_) => c.ordered = true,
            Method::ZScore => c.moments = true,
            Method::Composite(n) => (c.ordered, c.moments) = needs(n, c.ordered, c.moments),
            _ => {}
        }
    }
    for child in children(node) {
        mark_ordered(child, cohorts);
    }
}

/// Slots whose values a node's cohorts need for every unit.
fn cohort_uses(node: &Node, cohorts: &[Cohort], out: &mut Vec<Slot>) {
    let mut cohort = |index: usize| {
        if let Some(c) = cohorts.get(index) {
            out.push(c.column);
            c.members.iter().for_each(|m| slots_in(m, out));
            if let Some(filter) = &c.filter {
                slots_in(filter, out);
            }
        }
    };
    match node {
        Node::Normalise(n) => cohort(n.cohort),
        Node::Rank(r) => cohort(r.cohort),
        Node::Aggregate(a) => a.cohort.into_iter().for_each(cohort),
        Node::Audit(a) => {
            if let Some(c) = a.cohort() {
                cohort(c);
                out.extend(cohorts.get(c).and_then(audit::extra_cohort_slots));
            }
        }
        _ => {}
    }
    for child in children(node) {
        cohort_uses(child, cohorts, out);
    }
}

/// What a method needs of its cohort: the members in order, the mean and deviation.
fn needs(n: &Normaliser, ordered: bool, moments: bool) -> (bool, bool) {
    match n {
        Normaliser::Borda(_) | Normaliser::Percentile(_) => (true, moments),
        Normaliser::ZScoreAs { .. } => (ordered, true),
        _ => (ordered, moments),
    }
}
