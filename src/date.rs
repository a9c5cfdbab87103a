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
/// negative when `to` is before `from`.
pub fn working_days_between(from: i32, to: i32, holidays: &[i32]) -> i64 {
    let (lo, hi, sign) = if to >= from {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let count = (lo + 1..=hi)
        .filter(|d| weekday(*d) < 5 && !holidays.contains(d))
        .count() as i64;
    sign * count
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
    }
}
