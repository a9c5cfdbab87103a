//! Deciding rules: a rule's condition and requirement (three-valued), a hook predicate's
//! record, a target by a year or a deadline; and what a failed requirement shows as
//! evidence, member by member.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::cohort::CohortStats;
use super::{Decision, Eval, Fault, Slots, Status, cmp_decimal, order_holds};
use crate::check::Builtin;
use crate::compile::{Cmp, Node, Program};
use crate::value::Value;

impl Eval<'_> {
    pub(super) fn decide(&self, rule: &crate::compile::RulePlan) -> Decision {
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

    /// A target by a year or a deadline: met, on the straight line from its baseline, or
    /// behind.
    pub(super) fn target(&self, t: &crate::compile::TargetPlan) -> Decision {
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

    pub(super) fn evidence(
        &self,
        node: &Node,
        out: &mut indexmap::IndexMap<String, serde_json::Value>,
    ) {
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
