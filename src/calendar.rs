//! Holiday calendars: which years a rule set declares its public holidays for, and the
//! refusal to count working days in a year it does not.
//!
//! A working-day count over a year whose holidays nobody declared would silently treat
//! Tết as working days; instead the count is a fault naming the year.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::source::Loc;
use crate::value::Fault;

/// The calendar years that hold at least one declared holiday.
pub fn declared_years(holidays: &[i32]) -> BTreeSet<i32> {
    holidays
        .iter()
        .map(|d| crate::date::civil_from_days(*d).0)
        .collect()
}

/// Working days after `from` up to and including `to` (negative when `to` is before
/// `from`): Monday–Friday minus `holidays`, plus the weekend days declared `working`
/// (a Saturday worked in exchange for a bridged day off).
pub fn working_days(from: i32, to: i32, holidays: &[i32], working: &[i32]) -> i64 {
    let weekdays = crate::date::working_days_between(from, to, holidays);
    let (lo, hi, sign) = if to >= from {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let extra = crate::date::in_span(working, lo, hi, |d| {
        crate::date::weekday(d) >= 5 && crate::date::in_span(holidays, d - 1, d, |_| true) == 0
    });
    weekdays + sign * extra
}

/// `Ok` when every year of the days after `from` up to `to` (either order) has declared
/// holidays; otherwise a fault at the call naming the first year without any.
pub fn require_declared_years(
    from: i32,
    to: i32,
    holidays: &[i32],
    at: &Loc,
) -> Result<(), Arc<Fault>> {
    let (lo, hi) = if to >= from { (from, to) } else { (to, from) };
    if lo == hi {
        return Ok(());
    }
    let first = crate::date::civil_from_days(lo + 1).0;
    let last = crate::date::civil_from_days(hi).0;
    let missing = |sorted: &[i32]| {
        // One walk through the years and the holidays among them, no allocation: a
        // count over millennia costs the years it spans, not years times holidays.
        let mut next = sorted.partition_point(|d| *d < crate::date::days_from_civil(first, 1, 1));
        (first..=last).find(|&y| {
            let (start, end) = (
                crate::date::days_from_civil(y, 1, 1),
                crate::date::days_from_civil(y + 1, 1, 1),
            );
            while sorted.get(next).is_some_and(|d| *d < start) {
                next += 1;
            }
            sorted.get(next).is_none_or(|d| *d >= end)
        })
    };
    let gap = if holidays.is_sorted() {
        missing(holidays)
    } else {
        let mut sorted = holidays.to_vec();
        sorted.sort_unstable();
        missing(&sorted)
    };
    match gap {
        None => Ok(()),
        Some(year) => Err(Arc::new(Fault::Domain {
            at: at.clone(),
            what: format!(
                "no public holidays are declared for {year}, so its working days cannot be counted \
                 (declare them with `holidays`)"
            ),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse;
    use crate::source::Source;

    fn at() -> Loc {
        Loc {
            source: Source::new("t", "working_days_between(a, b)"),
            range: 0..27,
        }
    }

    #[test]
    fn make_up_saturdays_are_working_days() {
        // 2019: Monday 29 April bridged to the 30 April holiday, worked back on Saturday 4 May.
        let holidays = [
            parse("2019-04-29").unwrap(),
            parse("2019-04-30").unwrap(),
            parse("2019-05-01").unwrap(),
        ];
        let working = [parse("2019-05-04").unwrap()];
        let (a, b) = (parse("2019-04-26").unwrap(), parse("2019-05-06").unwrap());
        // Thu 2, Fri 3, Sat 4 (worked), Mon 6.
        assert_eq!(working_days(a, b, &holidays, &working), 4);
        assert_eq!(working_days(b, a, &holidays, &working), -4);
        assert_eq!(working_days(a, b, &holidays, &[]), 3);
    }

    #[test]
    fn a_year_without_holidays_is_refused() {
        let holidays = [parse("2020-01-01").unwrap(), parse("2020-04-30").unwrap()];
        let (a, b) = (parse("2020-12-20").unwrap(), parse("2021-02-20").unwrap());
        let fault = require_declared_years(a, b, &holidays, &at()).unwrap_err();
        assert!(
            fault
                .to_string()
                .contains("no public holidays are declared for 2021")
        );
        assert!(require_declared_years(b, a, &holidays, &at()).is_err());
        let inside = parse("2020-05-04").unwrap();
        assert!(require_declared_years(a, inside, &holidays, &at()).is_ok());
        // The count starts the day after `from`: 31 December is not counted.
        let eve = parse("2019-12-31").unwrap();
        assert!(require_declared_years(eve, a, &holidays, &at()).is_ok());
        assert!(require_declared_years(eve - 1, a, &holidays, &at()).is_err());
    }

    /// Regression (issue 16, found by the hostile corpus): the check built a set of the
    /// declared years on every call, so 1,000 counts over 9,000 declared years took 20 s.
    #[test]
    fn declared_years_over_millennia_are_checked_fast() {
        let holidays: Vec<i32> = (1000..10_000)
            .map(|y| crate::date::days_from_civil(y, 1, 1))
            .collect();
        let (a, b) = (parse("1000-01-02").unwrap(), parse("9999-12-30").unwrap());
        let started = std::time::Instant::now();
        for _ in 0..1000 {
            assert!(require_declared_years(a, b, &holidays, &at()).is_ok());
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let mut gap = holidays.clone();
        gap.remove(5000);
        let fault = require_declared_years(a, b, &gap, &at()).unwrap_err();
        assert!(fault.to_string().contains("declared for 6000"), "{fault}");
    }
}
