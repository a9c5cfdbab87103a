//! Excel (`.xlsx`, `.xlsm`, `.xls`) and OpenDocument (`.ods`) submissions, read with
//! calamine.
//!
//! Numeric cells: a spreadsheet stores a number as a binary float. chiso reads it as the
//! shortest decimal that converts back to exactly that float (Rust's float formatting),
//! which is the number the spreadsheet displays at full precision: a cell typed as
//! `0.6396` reads as `0.6396`, never `0.63959999999999994`. Integers read as integers.
//! Date cells read as ISO dates (`2022-08-15`); a date-time keeps only its date when the
//! time is midnight and is otherwise text. Text cells go through the declared number
//! format and missing markers like CSV cells; error cells (`#N/A`, `#DIV/0!`) are
//! missing values.

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
    let book = open_workbook_auto(path).map_err(|e| unreadable(file, &e))?;
    from_book(book, file, options)
}

/// The records of a workbook held in memory (its format told by its bytes).
pub(super) fn records_from_bytes(
    bytes: &[u8],
    file: &str,
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    let book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(file, &e))?;
    from_book(book, file, options)
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
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, min, s, ms) = dt.to_ymd_hms_milli();
            if (h, min, s, ms) == (0, 0, 0, 0) {
                Cell::Text(format!("{y:04}-{m:02}-{d:02}"))
            } else {
                Cell::Text(format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}"))
            }
        }
        Data::DateTime(dt) => Cell::Text(float_text(dt.as_f64())),
        Data::DateTimeIso(s) => Cell::Text(s.strip_suffix("T00:00:00").unwrap_or(s).to_string()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
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
    fn floats_read_as_the_shortest_decimal_that_round_trips() {
        assert_eq!(float_text(0.6396), "0.6396");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(1e-7), "0.0000001");
        assert_eq!(float_text(200.5), "200.5");
    }
}
