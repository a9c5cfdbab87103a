//! Calendar dates as days since 1970-01-01 (proleptic Gregorian), and the calendar
//! arithmetic rules need: ISO weeks, weekdays, working days.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses `YYYY-MM-DD`; `None` for anything else or an impossible date.
pub fn parse(text: &str) -> Option<i32> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// `YYYY-MM-DD`.
pub fn format(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// 0 = Monday … 6 = Sunday.
pub fn weekday(days: i32) -> i32 {
    (days + 3).rem_euclid(7)
}

/// The Monday of the week of `days`.
pub fn week_start(days: i32) -> i32 {
    days - weekday(days)
}

/// Working days after `from` up to and including `to` (Monday–Friday, minus `holidays`);
/// negative when `to` is before `from`. Computed from whole weeks and a binary search of
/// the holidays, so a span of centuries costs no more than a span of days.
pub fn working_days_between(from: i32, to: i32, holidays: &[i32]) -> i64 {
    let (lo, hi, sign) = if to >= from {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let weekdays = weekdays_through(hi) - weekdays_through(lo);
    let off = in_span(holidays, lo, hi, |d| weekday(d) < 5);
    sign * (weekdays - off)
}

/// Monday–Friday days from a fixed Monday up to and including `day` (a difference of two
/// of these counts the weekdays between).
fn weekdays_through(day: i32) -> i64 {
    // Day -3 (1969-12-29) is a Monday.
    let since = i64::from(day) + 3;
    let (weeks, rest) = (since.div_euclid(7), since.rem_euclid(7));
    weeks * 5 + (rest + 1).min(5)
}

/// The distinct days of `days` after `lo` up to and including `hi` that `keep` accepts.
/// `days` is searched in O(log n) when sorted (as compiled rule sets hold them).
pub fn in_span(days: &[i32], lo: i32, hi: i32, keep: impl Fn(i32) -> bool) -> i64 {
    let count = |sorted: &[i32]| {
        let start = sorted.partition_point(|d| *d <= lo);
        let end = sorted.partition_point(|d| *d <= hi);
        let mut previous = None;
        let mut n = 0;
        for &d in sorted.get(start..end).unwrap_or(&[]) {
            if previous != Some(d) && keep(d) {
                n += 1;
            }
            previous = Some(d);
        }
        n
    };
    if days.is_sorted() {
        count(days)
    } else {
        let mut sorted = days.to_vec();
        sorted.sort_unstable();
        count(&sorted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_weekdays() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(parse("2022-08-15"), Some(19_219));
        assert_eq!(format(19_219), "2022-08-15");
        assert_eq!(parse("2024-02-30"), None);
        assert_eq!(parse("2024-2-3"), None);
        assert_eq!(weekday(parse("2022-08-15").unwrap()), 0); // a Monday
        assert_eq!(
            format(week_start(parse("2022-08-21").unwrap())),
            "2022-08-15"
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let fri = parse("2022-08-12").unwrap();
        let next_fri = parse("2022-08-19").unwrap();
        assert_eq!(working_days_between(fri, next_fri, &[]), 5);
        let holiday = parse("2022-08-17").unwrap();
        assert_eq!(working_days_between(fri, next_fri, &[holiday]), 4);
        assert_eq!(working_days_between(next_fri, fri, &[]), -5);
        // A holiday written twice, or out of order, counts once.
        assert_eq!(
            working_days_between(fri, next_fri, &[holiday, fri, holiday]),
            4
        );
    }

    /// The arithmetic count equals counting day by day, for every start weekday and span.
    #[test]
    fn working_days_by_weeks_equal_counting_days() {
        let holidays: Vec<i32> = (0..40).map(|k| 19_000 + k * 3).collect();
        for from in 18_990..19_004 {
            for to in from - 20..from + 130 {
                let (lo, hi) = (from.min(to), from.max(to));
                let by_day = (lo + 1..=hi)
                    .filter(|d| weekday(*d) < 5 && !holidays.contains(d))
                    .count() as i64;
                let sign = if to >= from { 1 } else { -1 };
                assert_eq!(
                    working_days_between(from, to, &holidays),
                    sign * by_day,
                    "{from} {to}"
                );
            }
        }
    }

    /// Regression (issue 16): 1,000 counts over eight thousand years with a holiday in
    /// each year took minutes (a day-by-day walk with a linear holiday search).
    #[test]
    fn working_days_over_millennia_are_fast() {
        let holidays: Vec<i32> = (1000..9000).map(|y| days_from_civil(y, 1, 1)).collect();
        let (from, to) = (days_from_civil(1000, 1, 2), days_from_civil(9999, 12, 30));
        let started = std::time::Instant::now();
        let mut total = 0;
        for _ in 0..1000 {
            total += working_days_between(from, to, &holidays);
        }
        assert!(total > 0);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
