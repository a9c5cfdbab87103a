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

/// A CSV table read a row at a time from any reader of UTF-8 text: the delimiter detected
/// from the first rows (or declared), the header row found among title rows, blank rows
/// skipped, a row that does not fit the header an error at its line. The whole-file
/// loader ([`records`]) and a stream (`stream::read`) both read CSV through it.
pub(crate) struct CsvTable<R> {
    file: String,
    reader: csv::Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>,
    /// Rows read while looking for the header, after it: handed out first.
    head: std::collections::VecDeque<(u64, csv::StringRecord)>,
    header: table::Header,
    header_line: usize,
    /// ` (read with delimiter …)`, for messages.
    how: String,
    row: csv::StringRecord,
    line: u64,
}

/// How many bytes of the first rows are looked at to detect the delimiter, at most.
const DETECT_BYTES: usize = 1 << 24;

impl<R: std::io::Read> CsvTable<R> {
    /// Opens the table of `input` (named `file` in messages) and reads its header row.
    pub(crate) fn open(file: &str, mut input: R, options: &LoadOptions) -> Result<Self, DataError> {
        // The first rows, as the whole file's first lines are, to detect the delimiter.
        let mut start = Vec::new();
        let mut byte = [0u8; 1 << 12];
        while start.iter().filter(|b| **b == b'\n').count() < HEADER_SEARCH_ROWS
            && start.len() < DETECT_BYTES
        {
            let n = match input.read(&mut byte) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(DataError::from_read(file, e)),
            };
            if n == 0 {
                break;
            }
            start.extend_from_slice(&byte[..n]);
        }
        let delimiter = options
            .delimiter
            .unwrap_or_else(|| detect_delimiter(&String::from_utf8_lossy(&start), &options.key));
        let how = format!(" (read with delimiter {})", delimiter_name(delimiter));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(std::io::Read::chain(std::io::Cursor::new(start), input));
        // The first rows, as text, to find the header among title rows.
        let mut head = std::collections::VecDeque::new();
        let wanted = HEADER_SEARCH_ROWS.max(options.header_row.unwrap_or(0));
        let mut row = csv::StringRecord::new();
        while head.len() < wanted && read(file, &mut reader, &mut row)? {
            head.push_back((row.position().map_or(0, csv::Position::line), row.clone()));
        }
        let texts: Vec<Vec<String>> = head
            .iter()
            .map(|(_, r)| r.iter().map(str::to_string).collect())
            .collect();
        let at = table::find_header(file, &texts, options, &how)?;
        let header_line = head.get(at).map_or(1, |(line, _)| *line as usize);
        let header = table::header(file, header_line, &texts[at])?;
        head.drain(..=at);
        Ok(CsvTable {
            file: file.to_string(),
            reader,
            head,
            header,
            header_line,
            how,
            row,
            line: 0,
        })
    }

    /// The column names (trimmed, NFC; a blank header cell is an empty name).
    pub(crate) fn names(&self) -> &[String] {
        &self.header.names
    }

    /// The row [`CsvTable::advance`] read last.
    pub(crate) fn row(&self) -> &csv::StringRecord {
        &self.row
    }

    /// The line the last row starts on.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Reads the next data row (blank rows skipped); false after the last.
    pub(crate) fn advance(&mut self) -> Result<bool, DataError> {
        loop {
            if let Some((line, row)) = self.head.pop_front() {
                self.row = row;
                self.line = line;
            } else if read(&self.file, &mut self.reader, &mut self.row)? {
                self.line = self.row.position().map_or(0, csv::Position::line);
            } else {
                return Ok(false);
            }
            if self.row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            // Spreadsheets pad rows with empty cells; anything else that does not fit the
            // header is an error at its line.
            let width = self.header.names.len();
            let extra_filled = self.row.iter().skip(width).any(|c| !c.trim().is_empty());
            if self.row.len() < width || extra_filled {
                return Err(DataError::Csv {
                    file: self.file.clone(),
                    line: self.line,
                    message: format!(
                        "found record with {} fields, but the header row (line {}) has {width}{}",
                        self.row.len(),
                        self.header_line,
                        self.how
                    ),
                });
            }
            return Ok(true);
        }
    }

    /// The last row as a record.
    pub(crate) fn record(&self, options: &LoadOptions) -> Result<Record, DataError> {
        let origin = Origin {
            file: self.file.clone(),
            position: format!("row {}", self.line),
        };
        let cells = self.row.iter().map(|c| {
            if c.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(c.to_string())
            }
        });
        table::record(&self.header, cells, origin, options)
    }
}

/// Reads one CSV row into `row`; false at the end.
fn read<R: std::io::Read>(
    file: &str,
    reader: &mut csv::Reader<R>,
    row: &mut csv::StringRecord,
) -> Result<bool, DataError> {
    reader.read_record(row).map_err(|e| csv_error(file, e))
}

/// A CSV reader's error as a data error: a decoding error the text reader carried comes
/// back as itself; otherwise the line and csv's message.
pub(crate) fn csv_error(file: &str, e: csv::Error) -> DataError {
    let line = e.position().map_or(1, csv::Position::line);
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => DataError::from_read(file, io),
        _ => DataError::Csv {
            file: file.to_string(),
            line,
            message,
        },
    }
}

pub(super) fn records(
    file: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    let mut table = CsvTable::open(file, text.as_bytes(), options)?;
    let mut out = Vec::new();
    while table.advance()? {
        out.push(table.record(options)?);
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
