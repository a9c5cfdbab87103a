//! Stage 4: a compiled program × a dataset → values and findings.
//!
//! A unit's inputs are bound from its record once; evaluation then computes every
//! indicator and score once, in dependency order (pushing them after the inputs, so
//! nothing is copied), then decides every rule. A value that cannot be computed is a [`Fault`] carried in its slot, so what
//! depends on it is `error` with the original reason.

mod aggregate;
pub mod audit;
mod bind;
pub(crate) use bind::previous_value;
pub mod cohort;
pub mod interval;
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
use rust_decimal::prelude::ToPrimitive;

pub use crate::value::Fault;
pub use bind::parse_decimal;
pub use interval::Interval;

use crate::check::Builtin;
use crate::compile::{Arith, Cmp, Node, Program};
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
    let mut units = Vec::with_capacity(data.records.len());
    let mut all = Vec::with_capacity(data.records.len());
    for record in &data.records {
        let inputs = program
            .inputs
            .iter()
            .map(|plan| match &plan.previous {
                Some(of) => Err(bind::no_previous_year(of)),
                None => bind::bind_input(plan, record.field(&plan.field).as_deref()),
            })
            .collect();
        units.push(Arc::from(record.unit.as_str()));
        all.push(inputs);
    }
    BoundData { units, inputs: all }
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
    for stage in &program.stages {
        let mut needed = Vec::new();
        for formula in program.formulas.get(stage.clone()).unwrap_or(&[]) {
            cohorts_in(&formula.node, &mut needed);
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
    for rule in &program.rules {
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

/// What made a requirement fail, member by member: the items `contains_all` misses, the
/// elements `all(…)` finds failing and `none(…)` finds matching, named by their `id` (or
/// `name`, `title`, or position). Empty when the requirement has none of these.
pub fn requirement_evidence(
    program: &Program,
    slots: Slots<'_>,
    cohorts: &[Option<CohortStats>],
    node: &Node,
) -> indexmap::IndexMap<String, serde_json::Value> {
    let eval = Eval {
        program,
        slots,
        cohorts,
        element: None,
    };
    let mut out = indexmap::IndexMap::new();
    eval.evidence(node, &mut out);
    out
}

/// Dates plus or minus days, and date minus date (days).
fn date_arith(op: Arith, a: &Value, b: &Value, at: &crate::source::Loc) -> Outcome {
    let days = |n: &Decimal| -> Result<i32, Arc<Fault>> {
        n.trunc()
            .to_i32()
            .filter(|_| n.fract().is_zero())
            .ok_or_else(|| {
                Arc::new(Fault::Domain {
                    at: at.clone(),
                    what: format!("{n} is not a whole number of days"),
                })
            })
    };
    let shifted = |d: i32, n: i32| {
        d.checked_add(n)
            .map(Value::Date)
            .ok_or_else(|| Arc::new(Fault::Overflow { at: at.clone() }))
    };
    match (op, a, b) {
        (Arith::Add, Value::Date(d), Value::Number(n))
        | (Arith::Add, Value::Number(n), Value::Date(d)) => shifted(*d, days(n)?),
        (Arith::Sub, Value::Date(d), Value::Number(n)) => shifted(*d, -days(n)?),
        (Arith::Sub, Value::Date(x), Value::Date(y)) => {
            Ok(Value::Number(Decimal::from(i64::from(*x) - i64::from(*y))))
        }
        _ => Err(Arc::new(Fault::WrongKind {
            what: format!("cannot combine {} with {}", a.kind(), b.kind()),
        })),
    }
}

/// How evidence names a collection element: its `id`, `name` or `title`, or its position.
fn member_name(index: usize, item: &Value) -> serde_json::Value {
    match item {
        Value::Record(fields) => ["id", "name", "title"]
            .iter()
            .find_map(|k| fields.get(*k).map(Value::to_json))
            .unwrap_or_else(|| serde_json::Value::String(format!("#{}", index + 1))),
        other => other.to_json(),
    }
}

/// Cohort indices used anywhere in `node`.
fn cohorts_in(node: &Node, out: &mut Vec<usize>) {
    match node {
        Node::Normalise(n) => out.push(n.cohort),
        Node::Rank(r) => out.push(r.cohort),
        Node::Audit(a) => out.extend(a.cohort()),
        Node::Aggregate(a) => out.extend(a.cohort),
        _ => {}
    }
    for child in crate::compile::children(node) {
        cohorts_in(child, out);
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

impl Eval<'_> {
    fn column_name(&self, slot: usize) -> &str {
        self.program.slots.get(slot).map_or("", |s| &s.name)
    }

    fn stats(&self, cohort: usize, at: &crate::source::Loc) -> Result<&CohortStats, Arc<Fault>> {
        self.cohorts
            .get(cohort)
            .and_then(Option::as_ref)
            .ok_or_else(|| {
                Arc::new(Fault::Domain {
                    at: at.clone(),
                    what: "cohort statistics are not available here".into(),
                })
            })
    }

    /// The date of the unit's data (`dated by`), if the rule set has one.
    fn data_date(&self) -> Option<Result<i32, Arc<Fault>>> {
        match self.slots.get(self.program.dated_by?)? {
            Ok(Value::Date(d)) => Some(Ok(*d)),
            Ok(_) => None,
            Err(f) => Some(Err(Arc::clone(f))),
        }
    }

    fn decide(&self, rule: &crate::compile::RulePlan) -> Decision {
        if let (Some((from, until)), Some(date)) = (rule.in_force, self.data_date()) {
            let d = match date {
                Ok(d) => d,
                Err(f) => return Decision::error(f),
            };
            if d < from || until.is_some_and(|u| d >= u) {
                let period = match until {
                    Some(u) => format!(
                        "from {} until {}",
                        crate::date::format(from),
                        crate::date::format(u)
                    ),
                    None => format!("from {}", crate::date::format(from)),
                };
                return Decision::noted(
                    Status::Skip,
                    format!(
                        "not in force on {}: in force {period}",
                        crate::date::format(d)
                    ),
                    None,
                );
            }
        }
        if let Some(when) = &rule.when {
            match self.bool(when) {
                Ok(true) => {}
                Ok(false) => return Decision::of(Status::Skip),
                Err(f) => return Decision::error(f),
            }
        }
        if let Some(target) = &rule.target {
            return self.target(target);
        }
        // A hook predicate may return a record: `#{ pass: …, evidence: #{ … } }`.
        if let Node::External(call) = &rule.require {
            return match self.node(&rule.require) {
                Ok(Value::Bool(b)) => Decision::of(if b { Status::Pass } else { Status::Fail }),
                Ok(Value::Record(r)) => match r.get("pass") {
                    Some(Value::Bool(b)) => {
                        let status = if *b { Status::Pass } else { Status::Fail };
                        match r.get("evidence") {
                            Some(Value::Record(e)) => {
                                Decision::with_evidence(status, Arc::clone(e))
                            }
                            _ => Decision::of(status),
                        }
                    }
                    _ => Decision::error(self.hook_type(
                        call,
                        "a record without a true/false `pass`",
                        "true/false or a record with `pass`",
                    )),
                },
                Ok(other) => Decision::error(self.hook_type(
                    call,
                    other.kind(),
                    "true/false or a record with `pass`",
                )),
                Err(f) => Decision::error(f),
            };
        }
        match self.bool(&rule.require) {
            Ok(true) => Decision::of(Status::Pass),
            Ok(false) => Decision::of(Status::Fail),
            Err(f) => Decision::error(f),
        }
    }

    fn no_element(&self, name: &str) -> Arc<Fault> {
        Arc::new(Fault::WrongKind {
            what: format!("`{name}` is only known inside a collection condition"),
        })
    }

    fn evidence(&self, node: &Node, out: &mut indexmap::IndexMap<String, serde_json::Value>) {
        match node {
            Node::Call(Builtin::ContainsAll, args, _) => {
                if let Ok(missing) = self.missing(args) {
                    let list = match args.first() {
                        Some(Node::Slot(s)) => self
                            .program
                            .slots
                            .get(*s)
                            .map_or("list".to_string(), |i| i.name.to_string()),
                        _ => "list".to_string(),
                    };
                    out.insert(
                        format!("missing from {list}"),
                        Value::List(Arc::from(missing)).to_json(),
                    );
                }
            }
            Node::Collection(c)
                if matches!(
                    c.op,
                    crate::compile::CollectionOp::All | crate::compile::CollectionOp::None
                ) =>
            {
                let (Some(filter), Some(Ok(Value::List(items)))) =
                    (&c.filter, self.slots.get(c.list))
                else {
                    return;
                };
                let all = c.op == crate::compile::CollectionOp::All;
                let members: Vec<serde_json::Value> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, item)| self.at(item).bool(filter).is_ok_and(|holds| holds != all))
                    .map(|(i, item)| member_name(i, item))
                    .collect();
                let list = self
                    .program
                    .slots
                    .get(c.list)
                    .map_or("list".to_string(), |i| i.name.to_string());
                let key = if all {
                    format!("{list} failing")
                } else {
                    format!("{list} matching")
                };
                out.insert(key, serde_json::Value::Array(members));
            }
            Node::Audit(a) => self.audit_evidence(a, out),
            Node::Approx(a, b, at) => self.approx_evidence(a, b, at, out),
            _ => {
                for child in crate::compile::children(node) {
                    self.evidence(child, out);
                }
            }
        }
    }

    /// The same evaluation, looking at one element of a collection.
    fn at<'e>(&'e self, element: &'e Value) -> Eval<'e> {
        Eval {
            program: self.program,
            slots: self.slots,
            cohorts: self.cohorts,
            element: Some(element),
        }
    }

    /// An aggregate over a collection input.
    fn collection(&self, c: &crate::compile::CollectionNode) -> Outcome {
        use crate::compile::CollectionOp as Op;
        let items = match self.slots.get(c.list) {
            Some(Ok(Value::List(items))) => Arc::clone(items),
            Some(Err(f)) => return Err(Arc::clone(f)),
            _ => return Err(self.no_element("the collection")),
        };
        let empty = || {
            Arc::new(Fault::Domain {
                at: c.at.clone(),
                what: "no elements to aggregate".into(),
            })
        };
        let (mut matching, mut total) = (0usize, Decimal::ZERO);
        let mut best: Option<Value> = None;
        for item in items.iter() {
            let eval = self.at(item);
            if let Some(filter) = &c.filter
                && !eval.bool(filter)?
            {
                continue;
            }
            matching += 1;
            let value = || match &c.field {
                Some(f) => eval.node(&Node::Field(Arc::clone(f))),
                None => eval.node(&Node::It),
            };
            match c.op {
                Op::Sum | Op::Mean => {
                    let x = match value()? {
                        Value::Number(x) => x,
                        other => return Err(self.wrong(&Node::It, &other, "a number")),
                    };
                    total = arith(Arith::Add, total, x, &c.at)?;
                }
                Op::Min | Op::Max => {
                    let v = value()?;
                    let better = match &best {
                        None => true,
                        Some(b) if c.op == Op::Min => compare(Cmp::Lt, &v, b),
                        Some(b) => compare(Cmp::Gt, &v, b),
                    };
                    if better {
                        best = Some(v);
                    }
                }
                _ => {}
            }
        }
        let n = items.len();
        Ok(match c.op {
            Op::Count => Value::Number(Decimal::from(matching)),
            Op::Share if n == 0 => return Err(empty()),
            Op::Share => Value::Number(arith(
                Arith::Div,
                Decimal::from(matching),
                Decimal::from(n),
                &c.at,
            )?),
            Op::Sum => Value::Number(total),
            Op::Mean if matching == 0 => return Err(empty()),
            Op::Mean => Value::Number(arith(Arith::Div, total, Decimal::from(matching), &c.at)?),
            Op::Min | Op::Max => best.ok_or_else(empty)?,
            Op::All => Value::Bool(matching == n),
            Op::Any => Value::Bool(matching > 0),
            Op::None => Value::Bool(matching == 0),
        })
    }

    /// The required items missing from a list.
    fn missing(&self, args: &[Node]) -> Result<Vec<Value>, Arc<Fault>> {
        let list = |node: Option<&Node>| -> Result<Arc<[Value]>, Arc<Fault>> {
            match node.map(|n| self.node(n)).transpose()? {
                Some(Value::List(items)) => Ok(items),
                _ => Err(self.no_element("a list")),
            }
        };
        let (have, need) = (list(args.first())?, list(args.get(1))?);
        Ok(need
            .iter()
            .filter(|item| !have.iter().any(|h| compare(Cmp::Eq, h, item)))
            .cloned()
            .collect())
    }

    /// A target by a year or a deadline: met, on the straight line from its baseline, or
    /// behind.
    fn target(&self, t: &crate::compile::TargetPlan) -> Decision {
        let mut evidence = indexmap::IndexMap::new();
        let (met, x) = match t.compare {
            Some((op, threshold)) => {
                let x = match self.num(&t.value) {
                    Ok(x) => x,
                    Err(f) => return Decision::error(f),
                };
                evidence.insert("target".to_string(), Value::Number(threshold));
                // The gap is how far the value falls short, so a target exceeded shows 0,
                // not a negative shortfall.
                let short = match op {
                    Cmp::Ge | Cmp::Gt => threshold.checked_sub(x),
                    _ => x.checked_sub(threshold),
                };
                if let Some(gap) = short {
                    evidence.insert(
                        "gap to target".to_string(),
                        Value::Number(gap.max(Decimal::ZERO)),
                    );
                }
                (order_holds(op, cmp_decimal(&x, &threshold)), Some(x))
            }
            None => match self.bool(&t.value) {
                Ok(b) => (b, None),
                Err(f) => return Decision::error(f),
            },
        };
        match t.deadline {
            Some(day) => evidence.insert("deadline".to_string(), Value::Date(day)),
            None => evidence.insert(
                "target year".to_string(),
                Value::Number(Decimal::from(t.year)),
            ),
        };
        if met {
            return Decision::noted(Status::Pass, "target met".into(), Some(Arc::new(evidence)));
        }
        let (year, day) = match self.data_date() {
            Some(Ok(d)) => (crate::date::civil_from_days(d).0, d),
            Some(Err(f)) => return Decision::error(f),
            None => {
                return Decision::error(Arc::new(Fault::WrongKind {
                    what: "a target by a year needs the date of the data: add `dated by <date input>` to the header".into(),
                }));
            }
        };
        // A deadline is judged the day after it; a target year from its first day.
        let (due, by) = match t.deadline {
            Some(deadline) => (day > deadline, crate::date::format(deadline)),
            None => (year >= t.year, t.year.to_string()),
        };
        if due {
            return Decision::noted(
                Status::Fail,
                format!("target for {by} not met"),
                Some(Arc::new(evidence)),
            );
        }
        let baseline = t.baseline.filter(|(_, y)| *y < t.year);
        let (Some((base, base_year)), Some((op, threshold)), Some(x)) = (baseline, t.compare, x)
        else {
            let when = match t.deadline {
                Some(_) => crate::date::format(day),
                None => year.to_string(),
            };
            return Decision::noted(
                Status::Skip,
                format!("target date {by} not reached ({when})"),
                Some(Arc::new(evidence)),
            );
        };
        // The straight line from the baseline to the target.
        let expected = Decimal::from(year - base_year)
            .checked_div(Decimal::from(t.year - base_year))
            .and_then(|share| threshold.checked_sub(base)?.checked_mul(share))
            .and_then(|step| base.checked_add(step));
        let Some(expected) = expected else {
            return Decision::error(Arc::new(Fault::WrongKind {
                what: "the straight line to the target cannot be computed".into(),
            }));
        };
        evidence.insert(format!("expected in {year}"), Value::Number(expected));
        if order_holds(op, cmp_decimal(&x, &expected)) {
            Decision::noted(
                Status::Pass,
                format!("on track for {}", t.year),
                Some(Arc::new(evidence)),
            )
        } else {
            Decision::noted(
                Status::Fail,
                format!("behind the straight line to the {} target", t.year),
                Some(Arc::new(evidence)),
            )
        }
    }

    /// The calendar built-ins.
    fn calendar(&self, f: Builtin, args: &[Node], at: &crate::source::Loc) -> Outcome {
        let date = |i: usize| -> Result<i32, Arc<Fault>> {
            match args.get(i).map(|a| self.node(a)).transpose()? {
                Some(Value::Date(d)) => Ok(d),
                _ => Err(self.no_element("a date")),
            }
        };
        let dates = |i: usize| -> Result<Vec<i32>, Arc<Fault>> {
            match args.get(i).map(|a| self.node(a)).transpose()? {
                Some(Value::List(items)) => items
                    .iter()
                    .map(|v| match v {
                        Value::Date(d) => Ok(*d),
                        _ => Err(self.no_element("a list of dates")),
                    })
                    .collect(),
                _ => Err(self.no_element("a list of dates")),
            }
        };
        Ok(match f {
            Builtin::DaysBetween => {
                Value::Number(Decimal::from(i64::from(date(1)?) - i64::from(date(0)?)))
            }
            Builtin::WorkingDaysBetween => {
                let (from, to) = (date(0)?, date(1)?);
                crate::calendar::require_declared_years(from, to, &self.program.holidays, at)?;
                Value::Number(Decimal::from(crate::calendar::working_days(
                    from,
                    to,
                    &self.program.holidays,
                    &self.program.working_days,
                )))
            }
            Builtin::LongestGap => {
                let mut ds = dates(0)?;
                ds.sort_unstable();
                let gap = ds
                    .windows(2)
                    .map(|w| w.get(1).copied().unwrap_or(0) - w.first().copied().unwrap_or(0))
                    .max()
                    .unwrap_or(0);
                Value::Number(Decimal::from(gap))
            }
            _ => {
                let ds = dates(0)?;
                let n = match args.get(1).map(|a| self.num(a)).transpose()? {
                    Some(n) => n,
                    None => Decimal::ZERO,
                };
                let (from, to) = (date(2)?, date(3)?);
                if from > to {
                    return Err(Arc::new(Fault::Domain {
                        at: at.clone(),
                        what: format!(
                            "the period starts on {} after it ends on {}",
                            crate::date::format(from),
                            crate::date::format(to)
                        ),
                    }));
                }
                // A period ending on a Monday holds only that Monday of its last week:
                // that week has not happened yet and is not judged.
                let last = if crate::date::weekday(to) == 0 && to > from {
                    to - 1
                } else {
                    to
                };
                // One pass over the dates into per-week counts, then one over the weeks.
                let first = crate::date::week_start(from);
                let week_count = usize::try_from((last - first).max(-1) / 7 + 1).unwrap_or(0);
                let mut counts = vec![0usize; week_count];
                for d in ds.iter().filter(|d| **d >= from && **d <= to) {
                    if let Some(c) = usize::try_from((d - first) / 7)
                        .ok()
                        .and_then(|w| counts.get_mut(w))
                    {
                        *c += 1;
                    }
                }
                let weeks: Vec<Value> = counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| Decimal::from(**c) < n)
                    .map(|(w, _)| Value::Date(first + 7 * w as i32))
                    .collect();
                Value::List(Arc::from(weeks))
            }
        })
    }

    /// A hook returned the wrong kind of value.
    fn hook_type(
        &self,
        call: &crate::compile::ExternalCall,
        found: &str,
        expected: &str,
    ) -> Arc<Fault> {
        Arc::new(Fault::Hook {
            origin: self.program.externals.origin(call.target),
            message: format!("returned {found}, expected {expected}"),
            at: call.at.clone(),
        })
    }

    /// A value of the wrong kind where the checker could not know it (hook results).
    fn wrong(&self, node: &Node, found: &Value, expected: &str) -> Arc<Fault> {
        match node {
            Node::External(call) => self.hook_type(call, found.kind(), expected),
            _ => Arc::new(Fault::WrongKind {
                what: format!("found {}, expected {expected}", found.kind()),
            }),
        }
    }

    fn call_external(&self, call: &crate::compile::ExternalCall) -> Outcome {
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            args.push(self.node(a)?);
        }
        self.program.externals.call(call.target, &args, &call.at)
    }

    /// A number without cloning: slots and constants are read in place.
    fn num(&self, node: &Node) -> Result<Decimal, Arc<Fault>> {
        match node {
            Node::Slot(s) => match self.slots.get(*s) {
                Some(Ok(Value::Number(n))) => Ok(*n),
                Some(Err(f)) => Err(Arc::clone(f)),
                // The checker guarantees numbers here; zero keeps this total.
                _ => Ok(Decimal::ZERO),
            },
            Node::Const(Value::Number(n)) => Ok(*n),
            _ => match self.node(node)? {
                Value::Number(n) => Ok(n),
                other => Err(self.wrong(node, &other, "a number")),
            },
        }
    }

    fn bool(&self, node: &Node) -> Result<bool, Arc<Fault>> {
        match node {
            Node::Slot(s) => match self.slots.get(*s) {
                Some(Ok(Value::Bool(b))) => Ok(*b),
                Some(Err(f)) => Err(Arc::clone(f)),
                _ => Ok(false),
            },
            Node::Cmp(op, a, b) => self.compare(*op, a, b),
            Node::And(..)
            | Node::Or(..)
            | Node::Not(_)
            | Node::Const(_)
            | Node::If(..)
            | Node::Approx(..)
            | Node::External(_)
            | Node::Field(_)
            | Node::It
            | Node::Collection(_)
            | Node::Audit(_)
            | Node::Call(..) => match self.node(node)? {
                Value::Bool(b) => Ok(b),
                other => Err(self.wrong(node, &other, "true or false")),
            },
            _ => Ok(false),
        }
    }

    /// A value by reference where it already exists (slots, constants).
    fn value_ref<'v>(&'v self, node: &'v Node) -> Result<std::borrow::Cow<'v, Value>, Arc<Fault>> {
        use std::borrow::Cow;
        match node {
            Node::Slot(s) => match self.slots.get(*s) {
                Some(Ok(v)) => Ok(Cow::Borrowed(v)),
                Some(Err(f)) => Err(Arc::clone(f)),
                None => Ok(Cow::Owned(Value::Bool(false))),
            },
            Node::Const(v) => Ok(Cow::Borrowed(v)),
            _ => self.node(node).map(Cow::Owned),
        }
    }

    /// A number held in a slot or constant, by reference; `None` for anything else.
    /// References, not copies: building and copying a 16-byte decimal through an
    /// `Option<Result<…>>` costs more than the comparison itself.
    fn direct_number<'v>(&'v self, node: &'v Node) -> Option<Result<&'v Decimal, &'v Arc<Fault>>> {
        match node {
            Node::Slot(s) => match self.slots.get(*s)? {
                Ok(Value::Number(n)) => Some(Ok(n)),
                Err(f) => Some(Err(f)),
                Ok(_) => None,
            },
            Node::Const(Value::Number(n)) => Some(Ok(n)),
            _ => None,
        }
    }

    fn compare(&self, op: Cmp, a: &Node, b: &Node) -> Result<bool, Arc<Fault>> {
        // Most comparisons are between numbers already in slots or constants.
        if let (Some(x), Some(y)) = (self.direct_number(a), self.direct_number(b)) {
            let x = x.map_err(Arc::clone)?;
            let y = y.map_err(Arc::clone)?;
            return Ok(order_holds(op, cmp_decimal(x, y)));
        }
        let (va, vb) = (self.value_ref(a)?, self.value_ref(b)?);
        // Values of two kinds meet only when a hook returned the wrong kind (the checker
        // types everything else): that is no comparison, not a `false` (or a `!=` true).
        if std::mem::discriminant(&*va) != std::mem::discriminant(&*vb) {
            return Err(match (&*va, &*vb) {
                (Value::Number(_), other) => self.wrong_at(b, other, "a number"),
                (other, Value::Number(_)) => self.wrong_at(a, other, "a number"),
                (expected, other) => self.wrong_at(b, other, expected.kind()),
            });
        }
        Ok(compare(op, &va, &vb))
    }

    /// [`Eval::wrong`] naming the value when it is a named one: `` `b` is text ``.
    fn wrong_at(&self, node: &Node, found: &Value, expected: &str) -> Arc<Fault> {
        match node {
            Node::Slot(s) => Arc::new(Fault::WrongKind {
                what: format!(
                    "`{}` is {}, expected {expected}",
                    self.program.slots.get(*s).map_or("?", |i| i.name.as_ref()),
                    found.kind()
                ),
            }),
            _ => self.wrong(node, found, expected),
        }
    }

    fn node(&self, node: &Node) -> Outcome {
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Slot(s) => match self.slots.get(*s) {
                Some(v) => v.clone(),
                None => Ok(Value::Bool(false)),
            },
            Node::Neg(x) => Ok(Value::Number(-self.num(x)?)),
            Node::Not(x) => Ok(Value::Bool(!self.bool(x)?)),
            Node::Arith(op, a, b, at) => match (self.direct_number(a), self.direct_number(b)) {
                (Some(x), Some(y)) => {
                    let (x, y) = (*x.map_err(Arc::clone)?, *y.map_err(Arc::clone)?);
                    arith(*op, x, y, at).map(Value::Number)
                }
                _ => match (self.node(a)?, self.node(b)?) {
                    (Value::Number(x), Value::Number(y)) => arith(*op, x, y, at).map(Value::Number),
                    (x @ Value::Date(_), y) | (x, y @ Value::Date(_)) => {
                        date_arith(*op, &x, &y, at)
                    }
                    (Value::Number(_), other) => Err(self.wrong(b, &other, "a number")),
                    (other, _) => Err(self.wrong(a, &other, "a number")),
                },
            },
            Node::Cmp(op, a, b) => self.compare(*op, a, b).map(Value::Bool),
            Node::Approx(a, b, _) => {
                let ia = interval::of(self.program, self.slots, a)?;
                let ib = interval::of(self.program, self.slots, b)?;
                Ok(Value::Bool(ia.overlaps(&ib)))
            }
            Node::And(a, b) => match self.bool(a) {
                Ok(false) => Ok(Value::Bool(false)),
                Ok(true) => Ok(Value::Bool(self.bool(b)?)),
                // Kleene: an undecidable left side is still false when the right side is.
                Err(f) => match self.bool(b) {
                    Ok(false) => Ok(Value::Bool(false)),
                    _ => Err(f),
                },
            },
            Node::Or(a, b) => match self.bool(a) {
                Ok(true) => Ok(Value::Bool(true)),
                Ok(false) => Ok(Value::Bool(self.bool(b)?)),
                Err(f) => match self.bool(b) {
                    Ok(true) => Ok(Value::Bool(true)),
                    _ => Err(f),
                },
            },
            Node::If(c, a, b) => {
                if self.bool(c)? {
                    self.node(a)
                } else {
                    self.node(b)
                }
            }
            Node::Call(Builtin::Missing, args, _) => {
                Ok(Value::List(Arc::from(self.missing(args)?)))
            }
            Node::Call(Builtin::Duplicates, args, _) => match args.first().map(|a| self.node(a)) {
                Some(Ok(Value::List(items))) => Ok(Value::List(Arc::from(duplicates(&items)))),
                Some(Err(f)) => Err(f),
                _ => Err(self.no_element("a list")),
            },
            Node::Call(
                f @ (Builtin::DaysBetween
                | Builtin::WorkingDaysBetween
                | Builtin::WeeksWithFewer
                | Builtin::LongestGap),
                args,
                at,
            ) => self.calendar(*f, args, at),
            Node::Call(Builtin::ContainsAll, args, _) => {
                Ok(Value::Bool(self.missing(args)?.is_empty()))
            }
            Node::Call(f, args, at) => self.call(*f, args, at).map(Value::Number),
            Node::Aggregate(agg) => aggregate::aggregate(self, agg).map(Value::Number),
            Node::External(call) => self.call_external(call),
            Node::It => self.element.cloned().ok_or_else(|| self.no_element("it")),
            Node::Field(name) => match self.element {
                Some(Value::Record(fields)) => {
                    fields.get(name.as_ref()).cloned().ok_or_else(|| {
                        Arc::new(Fault::Missing {
                            input: name.to_string(),
                            field: name.to_string(),
                        })
                    })
                }
                _ => Err(self.no_element(name)),
            },
            Node::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.node(item)?);
                }
                Ok(Value::List(Arc::from(values)))
            }
            Node::Collection(c) => self.collection(c),
            Node::Project(list, field) => match self.slots.get(*list) {
                Some(Ok(Value::List(items))) => Ok(Value::List(Arc::from(
                    items
                        .iter()
                        .filter_map(|item| match item {
                            Value::Record(fields) => fields.get(field.as_ref()).cloned(),
                            _ => None,
                        })
                        .collect::<Vec<_>>(),
                ))),
                Some(Err(f)) => Err(Arc::clone(f)),
                _ => Err(self.no_element("a collection")),
            },
            Node::Normalise(n) => {
                let x = self.num(&Node::Slot(n.column))?;
                let stats = self.stats(n.cohort, &n.at)?;
                cohort::normalise(
                    n,
                    stats,
                    x,
                    self.column_name(n.column),
                    &self.program.externals,
                )
                .map(Value::Number)
            }
            Node::Audit(a) => self.audit(a),
            Node::Rank(r) => {
                let x = self.num(&Node::Slot(r.column))?;
                let stats = self.stats(r.cohort, &r.at)?;
                Ok(Value::Number(Decimal::from(stats.rank(x, r.ascending))))
            }
        }
    }

    fn call(
        &self,
        f: Builtin,
        args: &[Node],
        at: &crate::source::Loc,
    ) -> Result<Decimal, Arc<Fault>> {
        let first = || args.first().map_or(Ok(Decimal::ZERO), |a| self.num(a));
        Ok(match f {
            Builtin::Min | Builtin::Max => {
                let mut best: Option<Decimal> = None;
                for a in args {
                    let v = self.num(a)?;
                    best = Some(match best {
                        None => v,
                        Some(b) if f == Builtin::Min => b.min(v),
                        Some(b) => b.max(v),
                    });
                }
                best.unwrap_or(Decimal::ZERO)
            }
            Builtin::Sum | Builtin::Mean => {
                let mut total = Decimal::ZERO;
                for a in args {
                    total = arith(Arith::Add, total, self.num(a)?, at)?;
                }
                if f == Builtin::Mean {
                    arith(Arith::Div, total, Decimal::from(args.len()), at)?
                } else {
                    total
                }
            }
            // Lists and dates are handled in `node`; they never reach a numeric call.
            Builtin::ContainsAll
            | Builtin::Missing
            | Builtin::Duplicates
            | Builtin::DaysBetween
            | Builtin::WorkingDaysBetween
            | Builtin::WeeksWithFewer
            | Builtin::LongestGap => Decimal::ZERO,
            Builtin::Abs => first()?.abs(),
            Builtin::Floor => first()?.floor(),
            Builtin::Ceil => first()?.ceil(),
            Builtin::Sqrt => {
                let x = first()?;
                rust_decimal::MathematicalOps::sqrt(&x).ok_or_else(|| {
                    Arc::new(Fault::Domain {
                        at: at.clone(),
                        what: format!("square root of the negative number {x}"),
                    })
                })?
            }
            Builtin::Round => {
                let x = first()?;
                let places = match args.get(1) {
                    Some(p) => self.num(p)?.to_u32().unwrap_or(0),
                    None => 0,
                };
                round_half_up(x, places)
            }
        })
    }
}

/// Exact arithmetic; failures name the operation.
pub(crate) fn arith(
    op: Arith,
    a: Decimal,
    b: Decimal,
    at: &crate::source::Loc,
) -> Result<Decimal, Arc<Fault>> {
    let overflow = || Arc::new(Fault::Overflow { at: at.clone() });
    match op {
        Arith::Add => a.checked_add(b).ok_or_else(overflow),
        Arith::Sub => a.checked_sub(b).ok_or_else(overflow),
        Arith::Mul => a.checked_mul(b).ok_or_else(overflow),
        Arith::Div => {
            if b.is_zero() {
                Err(Arc::new(Fault::DivisionByZero { at: at.clone() }))
            } else {
                a.checked_div(b).ok_or_else(overflow)
            }
        }
        Arith::Pow => power(a, b).ok_or_else(|| {
            if a.is_zero() && b.is_sign_negative() {
                Arc::new(Fault::DivisionByZero { at: at.clone() })
            } else if a.is_sign_negative() && !b.fract().is_zero() {
                Arc::new(Fault::Domain {
                    at: at.clone(),
                    what: format!("fractional power of the negative number {a}"),
                })
            } else {
                overflow()
            }
        }),
    }
}

fn power(a: Decimal, b: Decimal) -> Option<Decimal> {
    use rust_decimal::MathematicalOps;
    if a.is_zero() && b.is_sign_negative() {
        return None;
    }
    if b.fract().is_zero() {
        let k = b.to_i64()?;
        return a.checked_powi(k);
    }
    if a.is_sign_negative() {
        return None;
    }
    a.checked_powd(b)
}

/// The items occurring more than once, each once, in order of their second occurrence.
/// Items are keyed by their display text, so a 10,000-member list stays linear.
fn duplicates(items: &[Value]) -> Vec<Value> {
    let mut seen = std::collections::HashMap::with_capacity(items.len());
    let mut out = Vec::new();
    for item in items {
        let count = seen.entry(item.to_string()).or_insert(0u32);
        *count += 1;
        if *count == 2 {
            out.push(item.clone());
        }
    }
    out
}

fn compare(op: Cmp, a: &Value, b: &Value) -> bool {
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => cmp_decimal(x, y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        // Lists are equal item by item (`thin_weeks = []`); they have no order.
        (Value::List(x), Value::List(y)) if matches!(op, Cmp::Eq | Cmp::Ne) => {
            let equal =
                x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| compare(Cmp::Eq, a, b));
            return equal == (op == Cmp::Eq);
        }
        _ => return op == Cmp::Ne,
    };
    order_holds(op, ord)
}

/// Decimal order, with the common case of equal scales (counts against counts,
/// figures against figures of the same precision) compared as plain integers.
#[inline]
pub(crate) fn cmp_decimal(a: &Decimal, b: &Decimal) -> Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(b)
    }
}

fn order_holds(op: Cmp, ord: Ordering) -> bool {
    match op {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Loc, Source};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn at() -> Loc {
        Loc {
            source: Source::new("t", "a / b"),
            range: 0..5,
        }
    }

    #[test]
    fn division_by_zero_is_a_fault_not_a_panic() {
        let err = arith(Arith::Div, d("1"), d("0"), &at()).unwrap_err();
        assert_eq!(err.to_string(), "division by zero in `a / b` (t:1:1)");
    }

    #[test]
    fn overflow_is_a_fault() {
        let err = arith(Arith::Mul, Decimal::MAX, d("10"), &at()).unwrap_err();
        assert!(matches!(*err, Fault::Overflow { .. }));
        assert!(arith(Arith::Add, Decimal::MAX, Decimal::MAX, &at()).is_err());
    }

    #[test]
    fn exact_decimal_means() {
        // (0.9941 + 0.8956) / 2 is exactly 0.94485, which floats cannot represent.
        let sum = arith(Arith::Add, d("0.9941"), d("0.8956"), &at()).unwrap();
        assert_eq!(arith(Arith::Div, sum, d("2"), &at()).unwrap(), d("0.94485"));
    }

    #[test]
    fn powers() {
        assert_eq!(
            arith(Arith::Pow, d("2"), d("10"), &at()).unwrap(),
            d("1024")
        );
        assert_eq!(arith(Arith::Pow, d("2"), d("-1"), &at()).unwrap(), d("0.5"));
        assert!(matches!(
            *arith(Arith::Pow, d("0"), d("-1"), &at()).unwrap_err(),
            Fault::DivisionByZero { .. }
        ));
        assert!(matches!(
            *arith(Arith::Pow, d("-8"), d("0.5"), &at()).unwrap_err(),
            Fault::Domain { .. }
        ));
        let root = arith(Arith::Pow, d("16"), d("0.5"), &at()).unwrap();
        assert!((root - d("4")).abs() < d("0.0000001"), "{root}");
    }

    #[test]
    fn comparisons_ignore_trailing_zeros() {
        assert!(compare(
            Cmp::Eq,
            &Value::Number(d("0.50")),
            &Value::Number(d("0.5"))
        ));
        assert!(compare(
            Cmp::Le,
            &Value::Number(d("2")),
            &Value::Number(d("2.0"))
        ));
        assert!(!compare(
            Cmp::Lt,
            &Value::Number(d("2")),
            &Value::Number(d("2.0"))
        ));
    }
}
