//! What CSV files and spreadsheets share: a header row found among title rows, column
//! names checked, cells turned into raw values with the declared number format and
//! missing markers.

use indexmap::IndexMap;

use super::{DataError, LoadOptions, Origin, RawValue, Record, names};

/// How far down title rows may push the header row before chiso stops looking.
pub(super) const HEADER_SEARCH_ROWS: usize = 20;

/// A cell of a table before it meets the number format.
#[cfg_attr(not(feature = "excel"), allow(dead_code))] // typed cells come from spreadsheets
pub(super) enum Cell {
    /// No value.
    Empty,
    /// Text as written (a CSV cell, a spreadsheet string).
    Text(String),
    /// A number already exact (a spreadsheet's numeric cell), canonical digits.
    Number(String),
    /// A spreadsheet's boolean.
    Bool(bool),
}

/// The header row of a table.
pub(crate) struct Header {
    /// Column names, trimmed and in NFC.
    pub names: Vec<String>,
}

/// The 0-based index of the header row among `rows` (the cells of the first rows as
/// text): the declared row, or the first one that names the key column.
pub(super) fn find_header(
    file: &str,
    rows: &[Vec<String>],
    options: &LoadOptions,
    how: &str,
) -> Result<usize, DataError> {
    let key = names::nfc(&options.key);
    let has_key = |row: &Vec<String>| row.iter().any(|c| names::nfc(c.trim()) == key);
    if let Some(n) = options.header_row {
        let row = n.checked_sub(1).and_then(|i| rows.get(i).map(|r| (i, r)));
        return match row {
            Some((i, r)) if has_key(r) => Ok(i),
            Some((_, r)) => Err(DataError::Shape {
                file: file.to_string(),
                message: format!(
                    "the header row {n} has no `{}` column naming the units{how}; its columns are: {}",
                    options.key,
                    r.join(", ")
                ),
            }),
            None => Err(DataError::Shape {
                file: file.to_string(),
                message: format!("there is no row {n} to use as the header row"),
            }),
        };
    }
    match rows.iter().position(has_key) {
        Some(i) => Ok(i),
        None => Err(DataError::Shape {
            file: file.to_string(),
            message: format!(
                "no row has a `{}` column naming the units{how}; the first row's columns are: {} (declare the header row with `--header-row N` if it is further down)",
                options.key,
                rows.first().map(|r| r.join(", ")).unwrap_or_default()
            ),
        }),
    }
}

/// The header from its cells; two columns of one name are an error naming both.
pub(crate) fn header(file: &str, line: usize, cells: &[String]) -> Result<Header, DataError> {
    let names: Vec<String> = cells.iter().map(|c| names::nfc(c.trim())).collect();
    for (i, h) in names.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(first) = names.iter().take(i).position(|g| g == h) {
            return Err(DataError::Csv {
                file: file.to_string(),
                line: line as u64,
                message: format!(
                    "columns {} and {} are both named `{h}`; which one holds the data?",
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    Ok(Header { names })
}

/// A text cell as a raw value: missing markers, then the declared number format.
pub(crate) fn text_value(cell: &str, options: &LoadOptions) -> RawValue {
    let cell = cell.trim();
    if options.is_missing(cell) {
        return RawValue::Null;
    }
    if !options.numbers.is_plain()
        && let Some(n) = options.numbers.canonical(cell)
    {
        return if n.ends_with('%') {
            RawValue::Text(n)
        } else {
            RawValue::Number(n)
        };
    }
    RawValue::Text(cell.to_string())
}

/// [`text_value`] into `slot`, reusing its text where the cell stays text (a stream
/// reads millions of cells into the same few values).
pub(crate) fn text_value_into(cell: &str, options: &LoadOptions, slot: &mut RawValue) {
    let trimmed = cell.trim();
    if options.numbers.is_plain() && !options.is_missing(trimmed) {
        if let RawValue::Text(t) = slot {
            t.clear();
            t.push_str(trimmed);
        } else {
            *slot = RawValue::Text(trimmed.to_string());
        }
        return;
    }
    *slot = text_value(cell, options);
}

/// One data row as a record. Columns without a name (a spreadsheet's blank header
/// cells) are left out.
pub(super) fn record(
    header: &Header,
    cells: impl Iterator<Item = Cell>,
    origin: Origin,
    options: &LoadOptions,
) -> Result<Record, DataError> {
    let mut fields = IndexMap::with_capacity(header.names.len());
    for (name, cell) in header.names.iter().zip(cells) {
        if name.is_empty() {
            continue;
        }
        let value = match cell {
            Cell::Empty => RawValue::Null,
            Cell::Text(t) => text_value(&t, options),
            Cell::Number(n) => RawValue::Number(n),
            Cell::Bool(b) => RawValue::Bool(b),
        };
        fields.insert(name.clone(), value);
    }
    Record::new(fields, origin, &options.key)
}
