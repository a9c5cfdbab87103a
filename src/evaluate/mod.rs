//! Stage 4: a compiled program × a dataset → values and findings.
//!
//! A unit's inputs are bound from its record once; evaluation then computes every
//! indicator and score once, in dependency order (pushing them after the inputs, so
//! nothing is copied), then decides every rule. A value that cannot be computed is a [`Fault`] carried in its slot, so what
//! depends on it is `error` with the original reason.

mod aggregate;
pub mod audit;
mod bind;
pub(crate) use bind::{bind_input, no_previous_year, previous_value};
pub mod cohort;
mod dates;
mod decide;
pub mod interval;
mod node;
pub mod normalise;
pub mod outrank;
mod power_mean;
mod range;
pub mod sensitivity;
pub mod treat;
pub mod unranked;

use std::cmp::Ordering;
use std::sync::Arc;

use rust_decimal::Decimal;

pub use crate::value::Fault;
pub use bind::{FieldCursor, parse_decimal};
pub use decide::requirement_evidence;
pub use interval::Interval;
use node::order_holds;
pub(crate) use node::{arith, cmp_decimal};

use crate::compile::{Program, cohorts_in};
use crate::data::Dataset;
use crate::value::{Value, round_half_up};
use cohort::CohortStats;

/// A value, or why there is none.
pub type Outcome = Result<Value, Arc<Fault>>;

/// A finding's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// The requirement does not hold.
    Fail,
    /// Could not be decided (missing or invalid data, a failed computation).
    Error,
    /// The rule's condition does not apply to this unit.
    Skip,
}

/// One rule decided for one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The status.
    pub status: Status,
    /// Why it is `error`, or what a hook predicate returned as evidence. Boxed and rare:
    /// a decision stays two words, returned in registers on the hot path.
    detail: Option<Box<Detail>>,
}

/// The rare parts of a decision.
#[derive(Debug, Clone, PartialEq)]
struct Detail {
    fault: Option<Arc<Fault>>,
    evidence: Option<Arc<indexmap::IndexMap<String, Value>>>,
    note: Option<String>,
}

impl Decision {
    fn of(status: Status) -> Self {
        Self {
            status,
            detail: None,
        }
    }

    fn error(fault: Arc<Fault>) -> Self {
        Self {
            status: Status::Error,
            detail: Some(Box::new(Detail {
                fault: Some(fault),
                evidence: None,
                note: None,
            })),
        }
    }

    fn with_evidence(status: Status, evidence: Arc<indexmap::IndexMap<String, Value>>) -> Self {
        Self {
            status,
            detail: Some(Box::new(Detail {
                fault: None,
                evidence: Some(evidence),
                note: None,
            })),
        }
    }

    fn noted(
        status: Status,
        note: String,
        evidence: Option<Arc<indexmap::IndexMap<String, Value>>>,
    ) -> Self {
        Self {
            status,
            detail: Some(Box::new(Detail {
                fault: None,
                evidence,
                note: Some(note),
            })),
        }
    }

    /// Why the rule did not apply, or how a target was judged.
    pub fn note(&self) -> Option<&str> {
        self.detail.as_ref().and_then(|d| d.note.as_deref())
    }

    /// The reason, when the status is `error`.
    pub fn fault(&self) -> Option<&Arc<Fault>> {
        self.detail.as_ref().and_then(|d| d.fault.as_ref())
    }

    /// Evidence a hook predicate returned with its decision.
    pub fn evidence(&self) -> Option<&Arc<indexmap::IndexMap<String, Value>>> {
        self.detail.as_ref().and_then(|d| d.evidence.as_ref())
    }
}

/// One unit's computed values and decisions, borrowed from an [`Evaluation`].
#[derive(Debug, Clone, Copy)]
pub struct UnitResult<'a> {
    /// Indicators and scores, in the program's evaluation order.
    pub computed: &'a [Outcome],
    /// One decision per rule, in rule order.
    pub decisions: &'a [Decision],
    /// One rank per declared `rank`; `None` outside its cohort or without a value.
    pub ranks: &'a [Option<usize>],
}

/// Every unit's computed values and decisions, stored in two flat vectors so that
/// evaluating a unit allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    units: usize,
    formulas: usize,
    rules: usize,
    computed: Vec<Outcome>,
    decisions: Vec<Decision>,
    rank_count: usize,
    ranks: Vec<Option<usize>>,
    /// Statistics of every cohort, for explanations.
    pub cohorts: Vec<Option<CohortStats>>,
}

impl Evaluation {
    /// Number of units evaluated.
    pub fn len(&self) -> usize {
        self.units
    }

    /// True when no unit was evaluated.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The results of unit `index` (in dataset order).
    pub fn unit(&self, index: usize) -> Option<UnitResult<'_>> {
        if index >= self.units {
            return None;
        }
        let computed = self
            .computed
            .get(index * self.formulas..(index + 1) * self.formulas)?;
        let decisions = self
            .decisions
            .get(index * self.rules..(index + 1) * self.rules)?;
        let ranks = self
            .ranks
            .get(index * self.rank_count..(index + 1) * self.rank_count)?;
        Some(UnitResult {
            computed,
            decisions,
            ranks,
        })
    }

    /// Every unit's results, in dataset order.
    pub fn units(&self) -> impl Iterator<Item = UnitResult<'_>> {
        (0..self.len()).filter_map(|i| self.unit(i))
    }
}

/// Input values of every unit, converted and checked against the declarations.
#[derive(Debug, Clone)]
pub struct BoundData {
    /// Unit names.
    pub units: Vec<Arc<str>>,
    /// Per unit, the input slots.
    pub inputs: Vec<Vec<Outcome>>,
}

impl BoundData {
    /// The units at `positions` only, in that order (for evaluating a few units alone).
    pub fn subset(&self, positions: &[usize]) -> BoundData {
        BoundData {
            units: positions
                .iter()
                .filter_map(|&u| self.units.get(u).cloned())
                .collect(),
            inputs: positions
                .iter()
                .filter_map(|&u| self.inputs.get(u).cloned())
                .collect(),
        }
    }
}

/// All slots of one unit: its inputs, then its computed values.
#[derive(Debug, Clone, Copy)]
pub struct Slots<'a> {
    /// Input slots.
    pub inputs: &'a [Outcome],
    /// Computed slots (possibly only those computed so far).
    pub computed: &'a [Outcome],
}

impl<'a> Slots<'a> {
    /// The outcome in slot `s`.
    pub fn get(&self, s: usize) -> Option<&'a Outcome> {
        match s.checked_sub(self.inputs.len()) {
            None => self.inputs.get(s),
            Some(k) => self.computed.get(k),
        }
    }
}

/// Converts every record's fields to the declared input types.
pub fn bind(program: &Program, data: &Dataset) -> BoundData {
    bind_records(program, data.records.iter())
}

/// [`bind`] over some records only (the units a lean report must evaluate), in order.
pub fn bind_records<'r>(
    program: &Program,
    records: impl ExactSizeIterator<Item = &'r crate::data::Record>,
) -> BoundData {
    let mut units = Vec::with_capacity(records.len());
    let mut all = Vec::with_capacity(records.len());
    let mut cursor = FieldCursor::new(program);
    for record in records {
        let mut inputs = Vec::with_capacity(program.inputs.len());
        inputs.extend(
            program
                .inputs
                .iter()
                .enumerate()
                .map(|(k, plan)| cursor.bind(k, plan, record)),
        );
        units.push(Arc::from(record.unit.as_str()));
        all.push(inputs);
    }
    BoundData { units, inputs: all }
}

/// Converts one record's fields to the declared input types into `out` (emptied first),
/// as [`bind`] does for each record; a stream reuses `out` from record to record.
pub fn bind_record(program: &Program, record: &crate::data::Record, out: &mut Vec<Outcome>) {
    out.clear();
    out.extend(program.inputs.iter().map(|plan| match &plan.previous {
        Some(of) => Err(bind::no_previous_year(of)),
        None => bind::bind_input(plan, record.field(&plan.field).as_deref()),
    }));
}

/// Evaluates every unit of bound data, stage by stage: before a stage, the statistics
/// of the cohorts it needs are computed over every unit; within a stage, units are
/// evaluated one after the other.
pub fn evaluate(program: &Program, data: &BoundData) -> Evaluation {
    evaluate_by(program, data, None)
}

/// The fault of a value or finding the run's time limit cut off.
fn out_of_time(at: &crate::source::Loc) -> Arc<Fault> {
    Arc::new(Fault::Domain {
        at: at.clone(),
        what: "the run's time limit ran out before this was computed".into(),
    })
}

/// [`evaluate`] within a wall-clock deadline: values and findings not reached by then are
/// `error` (saying the time limit ran out), and hook calls stop at it too.
pub fn evaluate_by(
    program: &Program,
    data: &BoundData,
    deadline: Option<crate::limits::Instant>,
) -> Evaluation {
    let _run = crate::hooks::RunDeadline::set(deadline);
    // The earlier of this run's deadline and that of a run it is part of (sensitivity).
    let deadline = crate::hooks::RunDeadline::current();
    let late = || deadline.is_some_and(|d| crate::limits::Instant::now() >= d);
    let units = data.inputs.len();
    let width = program.formulas.len();
    let mut out = Evaluation {
        units,
        formulas: width,
        rules: program.rules.len(),
        computed: vec![Ok(Value::Bool(false)); units * width],
        decisions: Vec::with_capacity(units * program.rules.len()),
        rank_count: program.ranks.len(),
        ranks: Vec::with_capacity(units * program.ranks.len()),
        cohorts: vec![None; program.cohorts.len()],
    };
    // Without cohorts there is nothing to look for (a stream evaluates one record at a
    // time: walking every formula for cohorts cost more than evaluating it).
    let cohorts = !program.cohorts.is_empty();
    for stage in &program.stages {
        let mut needed = Vec::new();
        for formula in program.formulas.get(stage.clone()).unwrap_or(&[]) {
            if cohorts {
                cohorts_in(&formula.node, &mut needed);
            }
        }
        compute_cohorts(program, data, &mut out, &needed);
        for (u, inputs) in data.inputs.iter().enumerate() {
            let start = u * width;
            let late = late();
            for k in stage.clone() {
                let Some(formula) = program.formulas.get(k) else {
                    continue;
                };
                let value = if late {
                    Err(out_of_time(&formula.loc))
                } else {
                    Eval::for_unit(program, inputs, (&out.computed, &out.cohorts), u)
                        .node(&formula.node)
                };
                if let Some(cell) = out.computed.get_mut(start + k) {
                    *cell = value;
                }
            }
        }
    }
    // Rules may use cohorts of their own (declared ranks sort their members themselves).
    let mut needed = Vec::new();
    for rule in program.rules.iter().filter(|_| cohorts) {
        cohorts_in(&rule.require, &mut needed);
        if let Some(w) = &rule.when {
            cohorts_in(w, &mut needed);
        }
    }
    compute_cohorts(program, data, &mut out, &needed);
    for (u, inputs) in data.inputs.iter().enumerate() {
        if late() {
            out.decisions.extend(
                program
                    .rules
                    .iter()
                    .map(|rule| Decision::error(out_of_time(&rule.loc))),
            );
            continue;
        }
        let eval = Eval::for_unit(program, inputs, (&out.computed, &out.cohorts), u);
        out.decisions
            .extend(program.rules.iter().map(|rule| eval.decide(rule)));
    }
    declared_ranks(program, data, &mut out);
    out
}

/// Every declared rank: the cohort's members sorted once, competition ranks handed out in
/// one pass ("1, 2, 2, 4"), values compared at the declared decimals.
fn declared_ranks(program: &Program, data: &BoundData, out: &mut Evaluation) {
    let count = program.ranks.len();
    out.ranks = vec![None; data.inputs.len() * count];
    for (k, plan) in program.ranks.iter().enumerate() {
        let Some(cohort) = program.cohorts.get(plan.node.cohort) else {
            continue;
        };
        // Units are ranked within their group (`rank x by region`); one group otherwise.
        let mut members: Vec<(String, Decimal, usize)> = Vec::with_capacity(data.inputs.len());
        for (u, inputs) in data.inputs.iter().enumerate() {
            let eval = Eval::for_unit(program, inputs, (&out.computed, &out.cohorts), u);
            let member = cohort
                .filter
                .as_ref()
                .is_none_or(|f| eval.bool(f).unwrap_or(false));
            let group = match plan.node.group.map(|g| eval.slots.get(g)) {
                None => Some(String::new()),
                Some(Some(Ok(v))) => Some(v.to_json().to_string()),
                Some(_) => None,
            };
            if let (true, Some(group), Some(Ok(Value::Number(x)))) =
                (member, group, eval.slots.get(plan.node.column))
            {
                let x = cohort.rounded.map_or(*x, |d| round_half_up(*x, d));
                members.push((group, x, u));
            }
        }
        members.sort_by(|a, b| {
            let order = cmp_decimal(&a.1, &b.1);
            a.0.cmp(&b.0).then(if plan.node.ascending {
                order
            } else {
                order.reverse()
            })
        });
        let mut previous: Option<(&str, Decimal, usize)> = None;
        let mut position = 0;
        for (group, x, u) in &members {
            position = match previous {
                Some((g, ..)) if g == group.as_str() => position + 1,
                _ => 1,
            };
            let rank = match previous {
                Some((g, p, r)) if g == group.as_str() && cmp_decimal(&p, x) == Ordering::Equal => {
                    r
                }
                _ => position,
            };
            previous = Some((group.as_str(), *x, rank));
            if let Some(cell) = out.ranks.get_mut(u * count + k) {
                *cell = Some(rank);
            }
        }
    }
}

/// Computes the statistics of the listed cohorts not computed yet.
fn compute_cohorts(program: &Program, data: &BoundData, out: &mut Evaluation, needed: &[usize]) {
    let mut todo: Vec<usize> = needed
        .iter()
        .copied()
        .filter(|&c| out.cohorts.get(c).is_some_and(Option::is_none))
        .collect();
    todo.sort_unstable();
    todo.dedup();
    if todo.is_empty() {
        return;
    }
    // One pass over the units collects the values of every cohort: a column-by-column
    // pass would stride through memory once per cohort.
    let mut values: Vec<Vec<Decimal>> = vec![Vec::with_capacity(data.inputs.len()); todo.len()];
    let mut references: Vec<Option<Result<Decimal, Arc<Fault>>>> = vec![None; todo.len()];
    let mut audits: Vec<audit::AuditStats> = vec![audit::AuditStats::default(); todo.len()];
    let mut rows: Vec<outrank::Rows> = vec![outrank::Rows::default(); todo.len()];
    for (u, inputs) in data.inputs.iter().enumerate() {
        let eval = Eval::for_unit(program, inputs, (&out.computed, &out.cohorts), u);
        for (k, &c) in todo.iter().enumerate() {
            let Some(cohort) = program.cohorts.get(c) else {
                continue;
            };
            if let (Some(kind), Some(acc)) = (cohort.audit, audits.get_mut(k)) {
                audit::collect(&eval, kind, cohort, data.units.get(u), acc);
                continue;
            }
            if let (false, Some(acc)) = (cohort.members.is_empty(), rows.get_mut(k)) {
                outrank::collect(&eval, cohort, data.units.get(u), acc);
                continue;
            }
            let value = eval.slots.get(cohort.column);
            if let Some(name) = &cohort.reference
                && data
                    .units
                    .get(u)
                    .is_some_and(|n| n.as_ref() == name.as_str())
                && let Some(r) = references.get_mut(k)
            {
                *r = Some(match value {
                    Some(Ok(Value::Number(x))) => Ok(*x),
                    Some(Err(f)) => Err(Arc::clone(f)),
                    _ => Err(Arc::new(Fault::Missing {
                        input: name.clone(),
                        field: String::new(),
                    })),
                });
            }
            let member = match &cohort.filter {
                None => true,
                Some(filter) => eval.bool(filter).unwrap_or(false),
            };
            if let (true, Some(Ok(Value::Number(x))), Some(list)) =
                (member, value, values.get_mut(k))
            {
                list.push(*x);
            }
        }
    }
    let gathered = audits.into_iter().zip(rows);
    for (((c, list), reference), (audit, rows)) in
        todo.into_iter().zip(values).zip(references).zip(gathered)
    {
        let Some(cohort) = program.cohorts.get(c) else {
            continue;
        };
        // The treatment sorts a copy of the values only when it winsorises.
        let treated = (cohort.treatment.as_ref()).map(|t| Arc::new(treat::decide(&list, t)));
        let mut stats = CohortStats::new(list, cohort.rounded, cohort.ordered, cohort.moments);
        stats.reference = reference;
        stats.treated = treated;
        stats.audit = audit;
        stats.outrank = rows;
        if let Some(cell) = out.cohorts.get_mut(c) {
            *cell = Some(stats);
        }
    }
}

/// One unit's evaluation: its slots, the cohorts computed so far and, inside a collection
/// condition, the element looked at (the methods are in `node.rs`, `decide.rs` and
/// `dates.rs`).
struct Eval<'a> {
    program: &'a Program,
    slots: Slots<'a>,
    cohorts: &'a [Option<CohortStats>],
    /// The element a collection condition is looking at.
    element: Option<&'a Value>,
}

impl<'a> Eval<'a> {
    /// The evaluator for unit `u`: its inputs and the values computed for it so far.
    /// Takes the evaluation's fields apart so callers may still push decisions meanwhile.
    fn for_unit(
        program: &'a Program,
        inputs: &'a [Outcome],
        (computed, cohorts): (&'a [Outcome], &'a [Option<CohortStats>]),
        u: usize,
    ) -> Self {
        let width = program.formulas.len();
        Eval {
            program,
            slots: Slots {
                inputs,
                computed: computed.get(u * width..(u + 1) * width).unwrap_or(&[]),
            },
            cohorts,
            element: None,
        }
    }
}
