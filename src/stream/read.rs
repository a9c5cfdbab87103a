//! Records read one at a time from data files, so a stream never holds a whole file.
//!
//! A CSV file (`.csv`, `.tsv`, `.txt`) is read row by row through the loader's own table
//! reader and text decoder, so a row is the record [`Dataset::load_with`] makes of it under
//! the same [`LoadOptions`]: encoding (a byte-order mark, or the declared one), delimiter
//! detected or declared, title rows above the header skipped, blank rows skipped, missing
//! markers, decimal commas and thousands separators, a unit's alias mapped to its name.
//! JSON Lines (`.jsonl`, `.ndjson`) is read line by line, each line one record as in
//! [`Dataset::from_values`]. A `.json` file is one document and a workbook one archive,
//! so they are read whole (their records then handed out one by one).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::data::csv_file::CsvTable;
use crate::data::decode::Decoding;
use crate::data::{DataError, Dataset, LoadOptions, Origin, RawValue, Record};

/// The records of several data files, in order, read lazily.
pub struct Records {
    paths: VecDeque<PathBuf>,
    options: LoadOptions,
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
    /// Records read whole; their aliases already mapped.
    Loaded(std::vec::IntoIter<Record>),
}

struct CsvRows {
    file: String,
    table: CsvTable<Decoding<BufReader<File>>>,
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
    /// Other names of units, mapped to their canonical names.
    pub aliases: &'a crate::data::Aliases,
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
    /// The records of `paths` read with the default options; `key` names the field
    /// holding each unit's name.
    pub fn open<P: AsRef<Path>>(paths: &[P], key: &str) -> Self {
        Self::open_with(paths, LoadOptions::new(key))
    }

    /// The records of `paths` read as `options` say (a rule set's are
    /// [`crate::RuleSet::load_options`]): the records [`Dataset::load_with`] reads, one
    /// at a time.
    ///
    /// ```no_run
    /// let rules = chiso::RuleSet::load("rules/it-staffing")?;
    /// let mut options = rules.load_options();
    /// options.encoding = Some("windows-1258".into());
    /// let records = chiso::stream::Records::open_with(&["so-lieu.csv"], options);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_with<P: AsRef<Path>>(paths: &[P], options: LoadOptions) -> Self {
        Records {
            paths: paths.iter().map(|p| p.as_ref().to_path_buf()).collect(),
            options,
            current: None,
            opened: 0,
            empty: None,
        }
    }

    /// The options the files are read with.
    pub fn options(&self) -> &LoadOptions {
        &self.options
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
            options: LoadOptions::new(key),
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
        let encoding = self.options.encoding.as_deref();
        match extension.as_deref() {
            Some("csv" | "tsv" | "txt") => {
                let reader = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
                let text = Decoding::new(&file, reader, encoding);
                let table = CsvTable::open(&file, text, &self.options)?;
                Ok(Source::Csv(Box::new(CsvRows {
                    file,
                    table,
                    cells: Vec::new(),
                })))
            }
            Some("jsonl" | "ndjson") => {
                let text = Decoding::new(&file, File::open(path).map_err(io)?, encoding);
                Ok(Source::Lines {
                    reader: Box::new(BufReader::with_capacity(1 << 16, text)),
                    file,
                    line: 0,
                    buf: String::new(),
                })
            }
            _ => Ok(Source::Loaded(
                Dataset::load_with(path, &self.options)?.records.into_iter(),
            )),
        }
    }
}

impl Source {
    fn next(&mut self, options: &LoadOptions) -> Option<Result<Record, DataError>> {
        let key = options.key.as_str();
        match self {
            Source::Loaded(records) => records.next().map(Ok),
            Source::Csv(rows) => match rows.table.advance() {
                Ok(false) => None,
                Err(e) => Some(Err(e)),
                Ok(true) => Some(rows.table.record(options).map(|r| aliased(r, options))),
            },
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
                    Err(e) => return Some(Err(DataError::from_read(file, e))),
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
                match crate::data::json_file::line_record(file, *line, text, key) {
                    Ok(Some(record)) => return Some(Ok(aliased(record, options))),
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
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
            line: rows.table.line(),
            headers: rows.table.names(),
            cells: &rows.cells,
            file_number: self.opened,
            key: &self.options.key,
            aliases: &self.options.aliases,
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
        if !rows.table.advance()? {
            return Ok(false);
        }
        let width = rows.table.names().len();
        let cells = &mut rows.cells;
        cells.truncate(width);
        for (k, cell) in rows.table.row().iter().take(width).enumerate() {
            match cells.get_mut(k) {
                Some(slot) => crate::data::table::text_value_into(cell, &self.options, slot),
                None => cells.push(crate::data::table::text_value(cell, &self.options)),
            }
        }
        Ok(true)
    }
}

/// `record` under its unit's canonical name when it was written with an alias (the name
/// as written kept, as [`Dataset::apply_aliases`] keeps it).
fn aliased(mut record: Record, options: &LoadOptions) -> Record {
    if let Some(canonical) = options.aliases.canonical(&record.unit) {
        let written = std::mem::replace(&mut record.unit, canonical.to_string());
        record.written.push((written, record.origin.file.clone()));
    }
    record
}

impl Iterator for Records {
    type Item = Result<Record, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(source) = &mut self.current {
                match source.next(&self.options) {
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

    /// The records of `path` streamed, through records and through rows, and loaded whole.
    fn both_ways(path: &Path, options: &LoadOptions) -> (Vec<Record>, Vec<String>, Vec<Record>) {
        let streamed: Result<Vec<Record>, DataError> =
            Records::open_with(&[path], options.clone()).collect();
        let streamed = streamed.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut rows = Records::open_with(&[path], options.clone());
        let mut units = Vec::new();
        while let Some(next) = rows.next_row() {
            match next.unwrap() {
                Next::Row(row) => units.push(format!(
                    "{} row {}: {:?}",
                    row.cells
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    row.line,
                    row.cells
                )),
                Next::Record(r) => units.push(r.unit),
            }
        }
        let loaded = Dataset::load_with(path, options).unwrap().records;
        (streamed, units, loaded)
    }

    #[test]
    fn export_files_stream_as_the_loader_reads_them() {
        let vn = |mut o: LoadOptions| {
            o.numbers = crate::data::numbers::NumberFormat {
                decimal: ',',
                thousands: Some('.'),
            };
            o
        };
        let mut aliases = crate::data::Aliases::default();
        aliases
            .insert("TP. Hạ Long", "UBND thành phố Hạ Long")
            .unwrap();
        let mut with_aliases = LoadOptions::new("unit");
        with_aliases.aliases = aliases;
        let mut legacy = LoadOptions::new("unit");
        legacy.encoding = Some("windows-1258".into());
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(
                "unit\tx\r\nSở Y tế\t1\r\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        let cases: Vec<(&str, Vec<u8>, LoadOptions)> = vec![
            // Title rows, `;`, decimal commas, a missing marker, padding, a blank row.
            (
                "title.csv",
                "Báo cáo nhân sự CNTT năm 2020;;\n;;\nunit;x;y\nSở Y tế;1.234,5;NA;;\n;;\nSở Tư pháp;0,75; - \n"
                    .as_bytes()
                    .to_vec(),
                vn(LoadOptions::new("unit")),
            ),
            ("tabs.tsv", "unit\tx\nA\t1\n".as_bytes().to_vec(), LoadOptions::new("unit")),
            ("utf16.csv", utf16, LoadOptions::new("unit")),
            // Windows-1258 writes tone marks as combining characters.
            ("legacy.csv", b"unit,x\nS\xd5 Y t\xea\xec,1\n".to_vec(), legacy),
            (
                "alias.csv",
                "unit,x\nTP. Hạ Long,1\nSở Y tế,2\n".as_bytes().to_vec(),
                with_aliases.clone(),
            ),
        ];
        for (name, bytes, options) in cases {
            let dir =
                std::env::temp_dir().join(format!("chiso-stream-read-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(name);
            std::fs::write(&path, &bytes).unwrap();
            let (streamed, rows, loaded) = both_ways(&path, &options);
            assert_eq!(streamed, loaded, "{name}");
            assert_eq!(rows.len(), loaded.len(), "{name}: {rows:?}");
        }
        // JSON Lines (which only a stream reads) map aliases too.
        let lines = write("alias.jsonl", "{\"unit\": \"TP. Hạ Long\", \"x\": 1}\n");
        let record = Records::open_with(&[&lines], with_aliases)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(record.unit, "UBND thành phố Hạ Long");
        assert_eq!(record.written[0].0, "TP. Hạ Long");
    }

    #[test]
    fn a_bad_byte_in_a_streamed_file_is_named_as_when_loaded_whole() {
        let path = write("bad-byte.csv", "unit,x\nA,1\nB\u{0},2\n");
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.iter().position(|b| *b == 0).unwrap();
        bytes[at] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        let loaded = Dataset::load(&path, "unit").unwrap_err().to_string();
        let streamed: Vec<_> = Records::open(&[&path], "unit").collect();
        assert_eq!(
            streamed.last().unwrap().as_ref().unwrap_err().to_string(),
            loaded
        );
        assert!(
            loaded.contains("byte 12 (line 3) is not valid UTF-8"),
            "{loaded}"
        );
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
        let mut records = Records::open(&["x.pdf"], "unit");
        assert!(matches!(
            records.next(),
            Some(Err(DataError::UnknownFormat { .. }))
        ));
    }
}
