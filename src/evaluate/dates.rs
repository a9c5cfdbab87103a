//! Dates in formulas: date plus or minus days, date minus date, the date of the data
//! (`dated by`), and the calendar built-ins (days and working days between dates, longest
//! gap, weeks short of a count).

use std::sync::Arc;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Eval, Fault, Outcome};
use crate::check::Builtin;
use crate::compile::{Arith, Node};
use crate::value::Value;

impl Eval<'_> {
    /// The date of the unit's data (`dated by`), if the rule set has one.
    pub(super) fn data_date(&self) -> Option<Result<i32, Arc<Fault>>> {
        match self.slots.get(self.program.dated_by?)? {
            Ok(Value::Date(d)) => Some(Ok(*d)),
            Ok(_) => None,
            Err(f) => Some(Err(Arc::clone(f))),
        }
    }

    /// The calendar built-ins.
    pub(super) fn calendar(&self, f: Builtin, args: &[Node], at: &crate::source::Loc) -> Outcome {
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
}

/// Dates plus or minus days, and date minus date (days).
pub(super) fn date_arith(op: Arith, a: &Value, b: &Value, at: &crate::source::Loc) -> Outcome {
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
