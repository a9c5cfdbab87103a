//! Excel (`.xlsx`, `.xlsm`, `.xls`) and OpenDocument (`.ods`) submissions, read with
//! calamine.
//!
//! Numeric cells: a spreadsheet stores a number as a binary float. chiso reads it as the
//! shortest decimal that converts back to exactly that float (Rust's float formatting),
//! which is the number the spreadsheet displays at full precision: a cell typed as
//! `0.6396` reads as `0.6396`, never `0.63959999999999994`. Integers read as integers.
//! Date cells read as ISO dates (`2022-08-15`); a date-time keeps only its date when the
//! time is midnight and is otherwise text (`2022-08-15T14:30:00`, to the nearest second),
//! which a `date` input refuses rather than drop the time. Text cells go through the
//! declared number format and missing markers like CSV cells; error cells (`#N/A`,
//! `#DIV/0!`) are missing values.

use std::path::Path;

use std::io::{Read, Seek};

use calamine::{Data, Reader, Sheets, open_workbook_auto, open_workbook_auto_from_rs};

use super::table::{self, Cell, HEADER_SEARCH_ROWS};
use super::{DataError, LoadOptions, Origin, Record};

pub(super) fn records(
    path: &Path,
    file: &str,
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    guarded(file, || {
        let book = open_workbook_auto(path).map_err(|e| unreadable(file, &e))?;
        from_book(book, file, options)
    })
}

/// The records of a workbook held in memory (its format told by its bytes).
pub(super) fn records_from_bytes(
    bytes: &[u8],
    file: &str,
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    guarded(file, || {
        let book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| unreadable(file, &e))?;
        from_book(book, file, options)
    })
}

/// Reads a workbook with the panics of the spreadsheet reader turned into an error: a
/// malformed cell reference overflows calamine's column arithmetic (`AAAAAAAAA1`, found
/// by the `data` fuzzer), which panics where overflow is checked (debug builds) and wraps
/// where it is not. A submission must not bring its reader down either way.
fn guarded(
    file: &str,
    read: impl FnOnce() -> Result<Vec<Record>, DataError>,
) -> Result<Vec<Record>, DataError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err(DataError::Shape {
            file: file.to_string(),
            message: "cannot read the workbook: the spreadsheet reader failed on malformed content"
                .to_string(),
        })
    })
}

fn unreadable(file: &str, e: &calamine::Error) -> DataError {
    DataError::Shape {
        file: file.to_string(),
        message: format!("cannot read the workbook: {e}"),
    }
}

fn from_book<RS: Read + Seek>(
    mut book: Sheets<RS>,
    file: &str,
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    let shape = |message: String| DataError::Shape {
        file: file.to_string(),
        message,
    };
    let names = book.sheet_names();
    let sheet = match &options.sheet {
        None => names.first().cloned(),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n >= 1 && !names.contains(s) => names.get(n - 1).cloned(),
            _ => names
                .iter()
                .find(|n| *n == s || n.trim() == s.trim())
                .cloned(),
        },
    };
    let Some(sheet) = sheet else {
        return Err(shape(format!(
            "no sheet {}; the workbook's sheets are: {}",
            options
                .sheet
                .as_deref()
                .map_or("at all".into(), |s| format!("`{s}`")),
            names.join(", ")
        )));
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| shape(format!("cannot read sheet `{sheet}`: {e}")))?;
    // Row numbers as the spreadsheet shows them (the range may start below row 1).
    let first_row = range.start().map_or(0, |(r, _)| r as usize) + 1;
    let file = format!("{file}#{sheet}");
    let head: Vec<Vec<String>> = range
        .rows()
        .take(
            HEADER_SEARCH_ROWS.max(
                options
                    .header_row
                    .map_or(0, |n| n.saturating_sub(first_row - 1)),
            ),
        )
        .map(|row| row.iter().map(cell_text).collect())
        .collect();
    let mut shifted = options.clone();
    // `--header-row` counts the sheet's rows; the range counts from its first used row.
    shifted.header_row = options.header_row.map(|n| n.saturating_sub(first_row - 1));
    let at = table::find_header(&file, &head, &shifted, "")?;
    let header = table::header(&file, first_row + at, &head[at])?;
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate().skip(at + 1) {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let origin = Origin {
            file: file.clone(),
            position: format!("row {}", first_row + i),
        };
        let cells = row
            .iter()
            .map(cell)
            .chain(std::iter::repeat_with(|| Cell::Empty));
        out.push(table::record(&header, cells, origin, options)?);
    }
    Ok(out)
}

/// A cell as text, for finding the header row.
fn cell_text(c: &Data) -> String {
    match cell(c) {
        Cell::Text(t) | Cell::Number(t) => t,
        Cell::Bool(b) => b.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A cell as chiso reads it (see the module's documentation).
fn cell(c: &Data) -> Cell {
    match c {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(i.to_string()),
        Data::Float(f) if f.is_finite() => Cell::Number(float_text(*f)),
        Data::Float(f) => Cell::Text(f.to_string()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => Cell::Text(datetime_text(dt.to_ymd_hms_milli())),
        Data::DateTime(dt) => Cell::Text(float_text(dt.as_f64())),
        // OpenDocument's `date-value`: `2020-03-15`, or with a time (`T00:00:00`, maybe
        // `T00:00:00.000`) that is dropped only at midnight.
        Data::DateTimeIso(s) => match s.split_once('T') {
            Some((date, time)) if time.chars().all(|c| matches!(c, '0' | ':' | '.')) => {
                Cell::Text(date.to_string())
            }
            _ => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

/// A date-time cell's parts (calamine's `to_ymd_hms_milli`) as ISO text to the nearest
/// second: `2020-03-15` at midnight, `2020-03-15T14:30:00` otherwise. calamine truncates
/// the time to the second and rounds the milliseconds apart, so a time of day stored as a
/// binary float comes back a hair early (14:30 as 14:29:59 and 999 ms; a midnight computed
/// by a formula as 23:59:59 and 1000 ms of the day before): the rounding carries into the
/// seconds, and past midnight into the date.
fn datetime_text((y, m, d, h, min, s, ms): (u16, u8, u8, u8, u8, u8, u16)) -> String {
    let mut seconds =
        u32::from(h) * 3600 + u32::from(min) * 60 + u32::from(s) + u32::from(ms >= 500);
    let (mut y, mut m, mut d) = (i32::from(y), u32::from(m), u32::from(d));
    if seconds >= 86_400 {
        seconds -= 86_400;
        (y, m, d) = crate::date::civil_from_days(crate::date::days_from_civil(y, m, d) + 1);
    }
    if seconds == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        let (h, min, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}")
    }
}

/// The shortest decimal that reads back as `f` (never an exponent: `1e-7` → `0.0000001`).
fn float_text(f: f64) -> String {
    let shortest = format!("{f}");
    if !shortest.contains(['e', 'E']) {
        return shortest;
    }
    match rust_decimal::Decimal::from_scientific(&format!("{f:e}")) {
        Ok(d) => d.to_string(),
        Err(_) => shortest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_that_breaks_the_reader_is_an_error_naming_the_file() {
        // The `data` fuzzer's input: two option bytes, then a workbook whose cell
        // reference overflows calamine's column arithmetic.
        let input = include_bytes!("../../fuzz/regressions/data/crash-xlsx-column-overflow");
        let options = LoadOptions::new("unit");
        let err = records_from_bytes(&input[2..], "book.xlsx", &options).unwrap_err();
        assert!(err.to_string().starts_with("book.xlsx: "), "{err}");
    }

    #[test]
    fn floats_read_as_the_shortest_decimal_that_round_trips() {
        assert_eq!(float_text(0.6396), "0.6396");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(1e-7), "0.0000001");
        assert_eq!(float_text(200.5), "200.5");
    }

    #[test]
    fn date_times_read_to_the_nearest_second() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let text = |serial: f64| match cell(&Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))) {
            Cell::Text(t) => t,
            _ => unreachable!("a date-time reads as text"),
        };
        // 43905 is 2020-03-15; 14:30 is 29/48 of a day, not exact in binary.
        assert_eq!(text(43905.0), "2020-03-15");
        assert_eq!(text(43905.0 + 29.0 / 48.0), "2020-03-15T14:30:00");
        assert_eq!(text(43905.0 + 0.5), "2020-03-15T12:00:00");
        // Midnight a hair early (a formula's result) is the next day, not 23:59:59.
        assert_eq!(text(43905.0 - 1e-9), "2020-03-15");
        assert_eq!(text(43831.0 - 1e-9), "2020-01-01");
        let iso = |s: &str| match cell(&Data::DateTimeIso(s.into())) {
            Cell::Text(t) => t,
            _ => unreachable!("an ISO date-time reads as text"),
        };
        assert_eq!(iso("2020-03-15"), "2020-03-15");
        assert_eq!(iso("2020-03-15T00:00:00"), "2020-03-15");
        assert_eq!(iso("2020-03-15T00:00:00.000"), "2020-03-15");
        assert_eq!(iso("2020-03-15T14:30:00"), "2020-03-15T14:30:00");
        // A duration is its number of days, as text.
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert!(matches!(cell(&Data::DateTime(duration)), Cell::Text(n) if n == "1.5"));
    }
}
