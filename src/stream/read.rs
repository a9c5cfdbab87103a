//! Records read one at a time from data files, so a stream never holds a whole file.
//!
//! CSV is read row by row with the same rules as [`Dataset::from_csv_str`] (header row,
//! trimmed cells, an empty cell is absent, a byte-order mark ignored); JSON Lines
//! (`.jsonl`, `.ndjson`) line by line, each line one record as in
//! [`Dataset::from_values`]. A `.json` file is one document, so it is read whole (its
//! records are then handed out one by one).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::data::{DataError, Dataset, Origin, RawValue, Record};

/// The records of several data files, in order, read lazily.
pub struct Records {
    paths: VecDeque<PathBuf>,
    key: String,
    current: Option<Source>,
    /// Files opened so far.
    opened: usize,
    /// The file being read, while it has given nothing: a file that ends so is an error
    /// ([`DataError::NoUnits`]), as loading it whole is.
    empty: Option<String>,
}

enum Source {
    Csv(Box<CsvRows>),
    Lines {
        file: String,
        reader: Box<dyn BufRead>,
        line: usize,
        buf: String,
    },
    Loaded(std::vec::IntoIter<Record>),
}

struct CsvRows {
    file: String,
    reader: csv::Reader<Box<dyn Read>>,
    headers: Vec<String>,
    row: csv::StringRecord,
    /// The cells of the last row read by [`Records::next_row`], reused row to row.
    cells: Vec<RawValue>,
}

/// What [`Records::next_row`] read: a CSV row as cells (nothing allocated per row), or a
/// record of another kind of file.
pub(crate) enum Next<'a> {
    /// A CSV row.
    Row(Row<'a>),
    /// A record of a JSON or JSON Lines file.
    Record(Record),
}

/// One CSV row, borrowed until the next is read.
pub(crate) struct Row<'a> {
    /// The file.
    pub file: &'a str,
    /// Its line (`row N` in messages).
    pub line: u64,
    /// The header's names, in NFC.
    pub headers: &'a [String],
    /// The cells, in header order: an empty cell is [`RawValue::Null`], any other text.
    pub cells: &'a [RawValue],
    /// Counts the files read: the headers change only when it does.
    pub file_number: usize,
    /// The field naming each unit.
    pub key: &'a str,
}

impl Row<'_> {
    /// Where the row was read.
    pub fn origin(&self) -> Origin {
        Origin {
            file: self.file.to_string(),
            position: format!("row {}", self.line),
        }
    }
}

impl Records {
    /// The records of `paths`; `key` names the field holding each unit's name.
    pub fn open<P: AsRef<Path>>(paths: &[P], key: &str) -> Self {
        Records {
            paths: paths.iter().map(|p| p.as_ref().to_path_buf()).collect(),
            key: key.to_string(),
            current: None,
            opened: 0,
            empty: None,
        }
    }

    /// The records of JSON Lines read from `reader` (a socket, a pipe, bytes in memory);
    /// `file` names it in messages.
    ///
    /// ```
    /// let lines = "{\"unit\": \"A\", \"x\": 1}\n{\"unit\": \"B\"}\n";
    /// let records = chiso::stream::Records::from_json_lines("queue", std::io::Cursor::new(lines), "unit");
    /// assert_eq!(records.count(), 2);
    /// ```
    pub fn from_json_lines(file: &str, reader: impl BufRead + 'static, key: &str) -> Self {
        Records {
            paths: VecDeque::new(),
            key: key.to_string(),
            opened: 1,
            empty: None,
            current: Some(Source::Lines {
                file: file.to_string(),
                reader: Box::new(reader),
                line: 0,
                buf: String::new(),
            }),
        }
    }

    fn open_next(&mut self, path: &Path) -> Result<Source, DataError> {
        let file = path.display().to_string();
        let io = |source| DataError::Io {
            file: file.clone(),
            source,
        };
        crate::data::not_a_device(path, &file)?;
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => {
                let mut reader = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
                // A byte-order mark (spreadsheet exports) is not part of the first field.
                if reader.fill_buf().map_err(io)?.starts_with(b"\xEF\xBB\xBF") {
                    reader.consume(3);
                }
                let boxed: Box<dyn Read> = Box::new(reader);
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .trim(csv::Trim::All)
                    .from_reader(boxed);
                let cells: Vec<String> = reader
                    .headers()
                    .map_err(|e| csv_error(&file, &e))?
                    .iter()
                    .map(str::to_string)
                    .collect();
                // The same header rules as a whole file: names in NFC, a column named
                // twice refused.
                let headers = crate::data::table::header(&file, 1, &cells)?.names;
                if !headers.contains(&crate::data::names::nfc(&self.key)) {
                    return Err(DataError::Shape {
                        file,
                        message: format!(
                            "the header row has no `{}` column naming the units",
                            self.key
                        ),
                    });
                }
                Ok(Source::Csv(Box::new(CsvRows {
                    file,
                    reader,
                    headers,
                    row: csv::StringRecord::new(),
                    cells: Vec::new(),
                })))
            }
            Some("jsonl" | "ndjson") => Ok(Source::Lines {
                reader: Box::new(BufReader::new(File::open(path).map_err(io)?)),
                file,
                line: 0,
                buf: String::new(),
            }),
            Some("json") => Ok(Source::Loaded(
                Dataset::load(path, &self.key)?.records.into_iter(),
            )),
            _ => Err(DataError::UnknownFormat {
                file,
                expected: "a `.csv`, `.jsonl`, `.ndjson` or `.json` file (the formats a stream reads)",
            }),
        }
    }
}

fn csv_error(file: &str, e: &csv::Error) -> DataError {
    DataError::Csv {
        file: file.to_string(),
        line: e.position().map_or(1, csv::Position::line),
        message: e.to_string(),
    }
}

impl Source {
    fn next(&mut self, key: &str) -> Option<Result<Record, DataError>> {
        match self {
            Source::Loaded(records) => records.next().map(Ok),
            Source::Csv(rows) => {
                let CsvRows {
                    file,
                    reader,
                    headers,
                    row,
                    ..
                } = rows.as_mut();
                match reader.read_record(row) {
                    Ok(false) => None,
                    Err(e) => Some(Err(csv_error(file, &e))),
                    Ok(true) => {
                        let line = row.position().map_or(0, csv::Position::line);
                        let origin = Origin {
                            file: file.clone(),
                            position: format!("row {line}"),
                        };
                        let fields: IndexMap<String, RawValue> = headers
                            .iter()
                            .zip(row.iter())
                            .map(|(h, cell)| {
                                let v = if cell.is_empty() {
                                    RawValue::Null
                                } else {
                                    RawValue::Text(cell.to_string())
                                };
                                (h.clone(), v)
                            })
                            .collect();
                        Some(Record::new(fields, origin, key))
                    }
                }
            }
            Source::Lines {
                file,
                reader,
                line,
                buf,
            } => loop {
                buf.clear();
                *line += 1;
                match reader.read_line(buf) {
                    Ok(0) => return None,
                    Err(source) => {
                        return Some(Err(DataError::Io {
                            file: file.clone(),
                            source,
                        }));
                    }
                    Ok(_) => {}
                }
                let text = if *line == 1 {
                    buf.trim_start_matches('\u{feff}')
                } else {
                    buf.as_str()
                };
                if text.trim().is_empty() {
                    continue;
                }
                let value: serde_json::Value = match crate::data::json_file::parse_unique(text) {
                    Ok(v) => v,
                    Err(e) => {
                        return Some(Err(DataError::Json {
                            file: file.clone(),
                            line: *line,
                            column: e.column(),
                            message: e
                                .to_string()
                                .split(" at line")
                                .next()
                                .unwrap_or_default()
                                .to_string(),
                        }));
                    }
                };
                let position = format!("line {line}");
                let record = match Dataset::from_values(file, [value], key) {
                    Ok(data) => data.records.into_iter().next(),
                    Err(DataError::Record {
                        mut origin,
                        message,
                    }) => {
                        origin.position = position;
                        return Some(Err(DataError::Record { origin, message }));
                    }
                    Err(other) => return Some(Err(other)),
                };
                if let Some(mut record) = record {
                    record.origin.position = position;
                    return Some(Ok(record));
                }
            },
        }
    }
}

impl Records {
    /// The next CSV row as cells, or the next record of another file; the same rows and
    /// errors, in the same order, as the iterator (a CSV row becomes a record with
    /// [`Record::new`] from these cells).
    pub(crate) fn next_row(&mut self) -> Option<Result<Next<'_>, DataError>> {
        loop {
            if matches!(self.current, Some(Source::Csv(_))) {
                match self.read_cells() {
                    Ok(true) => {
                        self.empty = None;
                        break;
                    }
                    Ok(false) => {
                        if let Some(e) = self.end_of_file() {
                            return Some(Err(e));
                        }
                    }
                    Err(e) => return Some(Err(e)),
                }
                continue;
            }
            if self.current.is_some() {
                return self.next().map(|r| r.map(Next::Record));
            }
            if let Err(e) = self.open_following()? {
                return Some(Err(e));
            }
        }
        let Some(Source::Csv(rows)) = &self.current else {
            return None;
        };
        Some(Ok(Next::Row(Row {
            file: &rows.file,
            line: rows.row.position().map_or(0, csv::Position::line),
            headers: &rows.headers,
            cells: &rows.cells,
            file_number: self.opened,
            key: &self.key,
        })))
    }

    /// Opens the next file as the current source: `None` when there is none left, an
    /// error when it cannot be opened (which ends the stream).
    fn open_following(&mut self) -> Option<Result<(), DataError>> {
        let path = self.paths.pop_front()?;
        Some(match self.open_next(&path) {
            Ok(source) => {
                self.opened += 1;
                // A `.json` file is loaded whole, which refuses it empty already.
                self.empty = match &source {
                    Source::Csv(rows) => Some(rows.file.clone()),
                    Source::Lines { file, .. } => Some(file.clone()),
                    Source::Loaded(_) => None,
                };
                self.current = Some(source);
                Ok(())
            }
            Err(e) => {
                self.paths.clear();
                Err(e)
            }
        })
    }

    /// The file being read has ended: the error when it gave nothing (the files after it
    /// are not read).
    fn end_of_file(&mut self) -> Option<DataError> {
        self.current = None;
        let file = self.empty.take()?;
        self.paths.clear();
        Some(crate::data::no_records(&file))
    }

    /// Reads the next row of the CSV file being read into its cells; false at its end.
    fn read_cells(&mut self) -> Result<bool, DataError> {
        let Some(Source::Csv(rows)) = &mut self.current else {
            return Ok(false);
        };
        let CsvRows {
            file,
            reader,
            headers,
            row,
            cells,
        } = rows.as_mut();
        if !reader.read_record(row).map_err(|e| csv_error(file, &e))? {
            return Ok(false);
        }
        // As the iterator pairs headers and cells: as many as both have.
        let width = row.len().min(headers.len());
        cells.truncate(width);
        for (k, cell) in row.iter().take(width).enumerate() {
            let fresh = || {
                if cell.is_empty() {
                    RawValue::Null
                } else {
                    RawValue::Text(cell.to_string())
                }
            };
            match cells.get_mut(k) {
                Some(RawValue::Text(t)) if !cell.is_empty() => {
                    t.clear();
                    t.push_str(cell);
                }
                Some(c) => *c = fresh(),
                None => cells.push(fresh()),
            }
        }
        Ok(true)
    }
}

impl Iterator for Records {
    type Item = Result<Record, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(source) = &mut self.current {
                match source.next(&self.key) {
                    Some(item) => {
                        self.empty = None;
                        return Some(item);
                    }
                    None => {
                        if let Some(e) = self.end_of_file() {
                            return Some(Err(e));
                        }
                    }
                }
            }
            if let Err(e) = self.open_following()? {
                return Some(Err(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("chiso-stream-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn csv_rows_are_the_records_the_whole_file_loader_makes() {
        let text = "\u{feff}unit, a ,b\n Sở Y tế ,1,\n\"Sở, Tư pháp\",2,3\n";
        let path = write("rows.csv", text);
        let streamed: Vec<Record> = Records::open(&[&path], "unit")
            .collect::<Result<_, _>>()
            .unwrap();
        let loaded = Dataset::load(&path, "unit").unwrap().records;
        assert_eq!(streamed, loaded);
    }

    #[test]
    fn json_lines_name_their_line() {
        let path = write("rows.jsonl", "{\"unit\": \"A\", \"x\": 1}\n\n{\"x\": 2}\n");
        let mut records = Records::open(&[&path], "unit");
        assert_eq!(records.next().unwrap().unwrap().unit, "A");
        let err = records.next().unwrap().unwrap_err().to_string();
        assert!(
            err.ends_with("rows.jsonl, line 3: record has no `unit` field naming its unit"),
            "{err}"
        );
        let bad = write("bad.jsonl", "{\"unit\": \"A\",\n");
        let err = Records::open(&[&bad], "unit").next().unwrap().unwrap_err();
        assert!(err.to_string().contains("bad.jsonl:1:"), "{err}");
    }

    #[test]
    fn a_file_without_records_is_an_error_as_when_loaded_whole() {
        for (name, text) in [("header-only.csv", "unit,a\n"), ("blank.jsonl", "\n\n")] {
            let empty = write(name, text);
            let full = write(&format!("full-{name}"), "unit,a\nA,1\n");
            let full = if name.ends_with("jsonl") {
                write("full.jsonl", "{\"unit\": \"A\"}\n")
            } else {
                full
            };
            let loaded = crate::data::no_records(&empty.display().to_string()).to_string();
            if name.ends_with("csv") {
                assert_eq!(
                    Dataset::load(&empty, "unit").unwrap_err().to_string(),
                    loaded
                );
            }
            // Before, between or after other files; through records and through rows.
            for paths in [vec![&empty, &full], vec![&full, &empty]] {
                let streamed: Vec<_> = Records::open(&paths, "unit").collect();
                let Some(Err(e)) = streamed.last() else {
                    panic!("{name}: {streamed:?}");
                };
                assert_eq!(e.to_string(), loaded);
                let mut rows = Records::open(&paths, "unit");
                let mut last = None;
                while let Some(next) = rows.next_row() {
                    last = Some(next.map(|_| ()));
                }
                assert_eq!(last.unwrap().unwrap_err().to_string(), loaded);
            }
        }
        // A reader that is not a file (a queue) may be empty.
        let queue = Records::from_json_lines("queue", std::io::Cursor::new(""), "unit");
        assert_eq!(queue.count(), 0);
    }

    #[test]
    fn a_missing_file_is_an_error_not_an_empty_stream() {
        let mut records = Records::open(&["/nonexistent/x.csv"], "unit");
        assert!(matches!(records.next(), Some(Err(DataError::Io { .. }))));
        assert!(records.next().is_none());
        let mut records = Records::open(&["x.txt"], "unit");
        assert!(matches!(
            records.next(),
            Some(Err(DataError::UnknownFormat { .. }))
        ));
    }
}
