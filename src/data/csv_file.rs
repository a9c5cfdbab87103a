//! CSV submissions: a header row of field names (title rows above it skipped), then one
//! row per unit. The delimiter is detected among `,` `;` tab `|` unless declared.

use super::table::{self, Cell, HEADER_SEARCH_ROWS};
use super::{DataError, LoadOptions, Origin, Record};

/// The delimiters chiso tries, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The delimiter of `text`: the one that splits a line of the first rows into the most
/// fields one of which is the key column (the header row); failing that, the one most
/// frequent in the first line.
pub(super) fn detect_delimiter(text: &str, key: &str) -> u8 {
    let lines: Vec<&str> = text.lines().take(HEADER_SEARCH_ROWS).collect();
    let key = super::names::nfc(key);
    let mut best: Option<(usize, u8)> = None;
    for d in DELIMITERS {
        for line in &lines {
            let fields: Vec<&str> = line
                .split(d as char)
                .map(|f| f.trim().trim_matches('"'))
                .collect();
            if fields.len() > 1 && fields.iter().any(|f| super::names::nfc(f) == key) {
                if best.is_none_or(|(n, _)| fields.len() > n) {
                    best = Some((fields.len(), d));
                }
                break;
            }
        }
    }
    if let Some((_, d)) = best {
        return d;
    }
    let first = lines.first().copied().unwrap_or_default();
    DELIMITERS
        .into_iter()
        .max_by_key(|d| {
            (
                first.bytes().filter(|b| b == d).count(),
                std::cmp::Reverse(*d == b'|'),
            )
        })
        .unwrap_or(b',')
}

/// A delimiter as people name it.
fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        other => format!("`{}`", other as char),
    }
}

pub(super) fn records(
    file: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| detect_delimiter(text, &options.key));
    let how = format!(" (read with delimiter {})", delimiter_name(delimiter));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| DataError::Csv {
        file: file.to_string(),
        line: e.position().map_or(1, csv::Position::line),
        message: e.to_string(),
    };
    let mut rows = reader.records();
    // The first rows, as text, to find the header among title rows.
    let mut head = Vec::new();
    for row in rows
        .by_ref()
        .take(HEADER_SEARCH_ROWS.max(options.header_row.unwrap_or(0)))
    {
        let row = row.map_err(csv_error)?;
        let line = row.position().map_or(0, csv::Position::line);
        head.push((line, row));
    }
    let texts: Vec<Vec<String>> = head
        .iter()
        .map(|(_, r)| r.iter().map(str::to_string).collect())
        .collect();
    let at = table::find_header(file, &texts, options, &how)?;
    let header_line = head.get(at).map_or(1, |(line, _)| *line as usize);
    let header = table::header(file, header_line, &texts[at])?;
    let width = header.names.len();
    let mut out = Vec::new();
    let after = head.into_iter().skip(at + 1).map(Ok);
    for item in
        after.chain(rows.map(|r| r.map(|row| (row.position().map_or(0, csv::Position::line), row))))
    {
        let (line, row) = item.map_err(csv_error)?;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Spreadsheets pad rows with empty cells; anything else that does not fit the
        // header is an error at its line.
        let extra_filled = row.iter().skip(width).any(|c| !c.trim().is_empty());
        if row.len() < width || extra_filled {
            return Err(DataError::Csv {
                file: file.to_string(),
                line,
                message: format!(
                    "found record with {} fields, but the header row (line {header_line}) has {width}{how}",
                    row.len()
                ),
            });
        }
        let origin = Origin {
            file: file.to_string(),
            position: format!("row {line}"),
        };
        let cells = row.iter().map(|c| {
            if c.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(c.to_string())
            }
        });
        out.push(table::record(&header, cells, origin, options)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::RawValue;

    fn read(text: &str) -> Result<Vec<Record>, DataError> {
        records("t.csv", text, &LoadOptions::new("unit"))
    }

    #[test]
    fn empty_cells_and_missing_markers_are_absent() {
        let recs = read("unit,a,b,c,d\nX,1,,NA, - \n").unwrap();
        assert_eq!(recs[0].fields["a"], RawValue::Text("1".into()));
        assert_eq!(recs[0].fields["b"], RawValue::Null);
        assert_eq!(recs[0].fields["c"], RawValue::Null);
        assert_eq!(recs[0].fields["d"], RawValue::Null);
        assert_eq!(recs[0].origin.position, "row 2");
    }

    #[test]
    fn ragged_rows_are_errors_with_a_line() {
        let err = read("unit,a\nX,1\nY,1,2\n").unwrap_err();
        assert!(err.to_string().starts_with("t.csv:3:"), "{err}");
        // Trailing empty cells, as spreadsheets write them, are not.
        assert_eq!(read("unit,a\nX,1,,\n").unwrap().len(), 1);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_field() {
        let data = crate::Dataset::from_csv_str("t.csv", "\u{feff}unit,a\nX,1\n", "unit").unwrap();
        assert_eq!(data.records[0].unit, "X");
        let data =
            crate::Dataset::from_json_str("t.json", "\u{feff}[{\"unit\": \"Y\"}]", "unit").unwrap();
        assert_eq!(data.records[0].unit, "Y");
    }

    #[test]
    fn a_column_named_twice_is_an_error_naming_both() {
        let err = read("unit,a,b,a\nX,1,2,3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:1: invalid CSV: columns 2 and 4 are both named `a`; which one holds the data?"
        );
    }

    #[test]
    fn missing_key_column() {
        let err = read("name,a\nX,1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: no row has a `unit` column naming the units (read with delimiter `,`); the first row's columns are: name, a (declare the header row with `--header-row N` if it is further down)"
        );
    }

    #[test]
    fn delimiters_are_found_from_the_header_row() {
        assert_eq!(detect_delimiter("unit;x;y\nA;0,5;1,5\n", "unit"), b';');
        assert_eq!(detect_delimiter("unit\tx\nA\t1\n", "unit"), b'\t');
        assert_eq!(detect_delimiter("unit|x\nA|1\n", "unit"), b'|');
        assert_eq!(detect_delimiter("unit,x\nA,1\n", "unit"), b',');
        assert_eq!(
            detect_delimiter("Bảng 1. Chỉ số\n\nunit;x\nA;1\n", "unit"),
            b';'
        );
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let recs = read("Bảng 1: Chỉ số ICT 2019,,\n,,\nunit,x,y\nA,1,2\n").unwrap();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].origin.position, "row 4");
    }
}
