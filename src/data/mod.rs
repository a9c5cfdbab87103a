//! Loading submissions: JSON and CSV files → records of raw field values.
//!
//! Loading only checks the shape of a file (records, unit names, duplicates). Whether a
//! field's value fits its declared type is decided per unit when a rule set binds the
//! data, so one bad cell makes that unit's affected findings `error` instead of
//! discarding the whole submission.

mod aliases;
pub(crate) mod csv_file;
pub(crate) mod decode;
pub(crate) mod json_file;
pub mod names;
pub mod numbers;
mod options;
#[cfg(feature = "excel")]
mod sheet;
pub(crate) mod table;

pub use aliases::Aliases;
pub use options::LoadOptions;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use indexmap::IndexMap;

/// A field's value as it was written, before it meets a declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// JSON `null` or an empty CSV cell: absent.
    Null,
    /// JSON `true` / `false`.
    Bool(bool),
    /// A JSON number, with all the digits it was written with.
    Number(String),
    /// A string (every CSV cell is one).
    Text(String),
    /// A JSON array or object, kept as JSON (boxed: a record's fields stay small, which
    /// is what reading a column of them costs).
    Nested(Box<serde_json::Value>),
}

impl fmt::Display for RawValue {
    /// The value as the author of the file wrote it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawValue::Null => f.write_str("null"),
            RawValue::Bool(b) => write!(f, "{b}"),
            RawValue::Number(n) => f.write_str(n),
            RawValue::Text(t) => write!(f, "{t:?}"),
            RawValue::Nested(v) => write!(f, "{v}"),
        }
    }
}

/// A JSON value as a raw field value.
pub fn raw_value(v: serde_json::Value) -> RawValue {
    json_file::raw(v)
}

/// Where a record came from: file and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The data file.
    pub file: String,
    /// `units[3]` in JSON, `row 5` in CSV.
    pub position: String,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.file, self.position)
    }
}

/// One unit's submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The unit's name.
    pub unit: String,
    /// Where it came from.
    pub origin: Origin,
    /// Its fields, in file order.
    pub fields: IndexMap<String, RawValue>,
    /// The names the unit was written with where a declared alias mapped them to `unit`
    /// (`TP. Hồ Chí Minh` for `Hồ Chí Minh`), with the file of each.
    pub written: Vec<(String, String)>,
}

impl Record {
    /// The value at `path`: a field of the record, or with dots a field nested in a JSON
    /// object (`published.value`). A field whose own name holds the dots wins.
    pub fn field(&self, path: &str) -> Option<std::borrow::Cow<'_, RawValue>> {
        use std::borrow::Cow;
        if let Some(v) = self.fields.get(path) {
            return Some(Cow::Borrowed(v));
        }
        let (head, rest) = path.split_once('.')?;
        let RawValue::Nested(nested) = self.fields.get(head)? else {
            return None;
        };
        let mut value = (**nested).clone();
        for key in rest.split('.') {
            value = value.get_mut(key)?.take();
        }
        Some(Cow::Owned(raw_value(value)))
    }
}

/// Units to evaluate, in the order they were loaded.
///
/// Build one with a loader or [`Dataset::from_records`] / [`Dataset::push`]: the dataset
/// keeps an index of unit names beside `records` so that the duplicate check stays a hash
/// lookup (a 100,000-row file used to take minutes).
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The records.
    pub records: Vec<Record>,
    /// Unit name (NFC) → position in `records`. Rebuilt when `records` was changed
    /// directly (its length no longer matches).
    index: HashMap<String, usize>,
}

impl PartialEq for Dataset {
    fn eq(&self, other: &Self) -> bool {
        self.records == other.records
    }
}

/// Why a data file cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read data file `{file}`: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{file}:{line}:{column}: invalid JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The file is not valid CSV.
    #[error("{file}:{line}: invalid CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// What went wrong.
        message: String,
    },
    /// The file's overall shape is wrong.
    #[error("{file}: {message}")]
    Shape {
        /// The file.
        file: String,
        /// What was expected.
        message: String,
    },
    /// One record cannot be used.
    #[error("{origin}: {message}")]
    Record {
        /// Where.
        origin: Origin,
        /// What is wrong.
        message: String,
    },
    /// Two files give one unit's field different values.
    #[error("{0}")]
    Conflict(Box<Conflict>),
    /// A data column that is not an input, refused by `--strict`.
    #[error("{file}: column `{column}` is not an input of the rule set{hint}")]
    UnknownColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
        /// A did-you-mean, when one is close.
        hint: String,
    },
    /// Two records name the same unit.
    #[error("{second}: unit `{unit}` appears twice (first at {first})")]
    DuplicateUnit {
        /// The unit.
        unit: String,
        /// First record.
        first: Origin,
        /// Second record.
        second: Origin,
    },
    /// The file's extension is not one chiso reads.
    #[error("{file}: unknown data format; expected {expected}")]
    UnknownFormat {
        /// The file.
        file: String,
        /// The formats this build reads.
        expected: &'static str,
    },
    /// The file's bytes are not valid in its encoding.
    #[error(
        "{file}: byte {offset} (line {line}) is not valid {encoding}; declare the file's encoding (e.g. `--encoding windows-1258`) or save it as UTF-8"
    )]
    Encoding {
        /// The file.
        file: String,
        /// 0-based byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line it is on.
        line: usize,
        /// The encoding the file was read in.
        encoding: String,
    },
    /// The file holds no records.
    #[error("no units in {file}: {detail}")]
    NoUnits {
        /// The file.
        file: String,
        /// What the file held instead.
        detail: String,
    },
}

/// The formats this build reads, for messages.
#[cfg(feature = "excel")]
const FORMATS: &str =
    "a `.json`, `.jsonl`, `.csv` (`.tsv`, `.txt`), `.xlsx`, `.xls` or `.ods` file";
#[cfg(not(feature = "excel"))]
const FORMATS: &str =
    "a `.json`, `.jsonl` or `.csv` (`.tsv`, `.txt`) file (this build has no Excel support)";

impl Dataset {
    /// Loads a JSON, CSV or spreadsheet file with the default options; `key` names the
    /// field that holds the unit's name.
    pub fn load(path: &Path, key: &str) -> Result<Self, DataError> {
        Self::load_with(path, &LoadOptions::new(key))
    }

    /// Loads a data file as `options` say: JSON, CSV (`.csv`, `.tsv`, `.txt`), or with the
    /// `excel` feature a spreadsheet (`.xlsx`, `.xlsm`, `.xls`, `.ods`; `book.xlsx#Sheet`
    /// picks a sheet). A file without records is an error ([`DataError::NoUnits`]).
    pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Self, DataError> {
        let mut data = Self::from_records(load_records(path, options)?)?;
        data.apply_aliases(&options.aliases)?;
        Ok(data)
    }

    /// Reads CSV bytes in the options' encoding, delimiter, number format and missing
    /// markers.
    pub fn from_csv_bytes(
        file: &str,
        bytes: &[u8],
        options: &LoadOptions,
    ) -> Result<Self, DataError> {
        let text = decode::decode(file, bytes, options.encoding.as_deref())?;
        let mut data = Self::from_records(csv_file::records(file, &text, options)?)?;
        data.apply_aliases(&options.aliases)?;
        Ok(data)
    }

    /// Reads a spreadsheet (`.xlsx`, `.xls`, `.ods`) from its bytes, as `options` say (sheet,
    /// header row, number format, missing markers); `file` names it in messages.
    #[cfg(feature = "excel")]
    pub fn from_sheet_bytes(
        file: &str,
        bytes: &[u8],
        options: &LoadOptions,
    ) -> Result<Self, DataError> {
        let mut data = Self::from_records(sheet::records_from_bytes(bytes, file, options)?)?;
        data.apply_aliases(&options.aliases)?;
        Ok(data)
    }

    /// Reads JSON text: an array of records, or an object whose `units` is one. A leading
    /// byte-order mark (as spreadsheet exports write) is ignored.
    ///
    /// ```
    /// let data = chiso::Dataset::from_json_str(
    ///     "sample.json",
    ///     r#"{"units": [{"unit": "Quảng Ninh", "ict_index": "0.735"}]}"#,
    ///     "unit",
    /// )?;
    /// assert_eq!(data.records.len(), 1);
    /// # Ok::<(), chiso::DataError>(())
    /// ```
    pub fn from_json_str(file: &str, text: &str, key: &str) -> Result<Self, DataError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut data = Dataset::default();
        for record in json_file::records(file, text, key)? {
            data.push(record)?;
        }
        Ok(data)
    }

    /// Builds a dataset from JSON records in memory (from serde, a message queue, an API),
    /// e.g. `serde_json::json!({"unit": "Sở Y tế", "staff_total": 95})`; `source` names
    /// where they came from in messages.
    ///
    /// ```
    /// let data = chiso::Dataset::from_values(
    ///     "queue",
    ///     [serde_json::json!({"unit": "Sở Y tế", "staff_total": 95})],
    ///     "unit",
    /// )?;
    /// assert_eq!(data.records[0].unit, "Sở Y tế");
    /// # Ok::<(), chiso::DataError>(())
    /// ```
    pub fn from_values(
        source: &str,
        records: impl IntoIterator<Item = serde_json::Value>,
        key: &str,
    ) -> Result<Self, DataError> {
        let mut data = Dataset::default();
        for (index, value) in records.into_iter().enumerate() {
            let origin = Origin {
                file: source.to_string(),
                position: format!("[{index}]"),
            };
            let record = json_file::record(value, origin, key)?;
            data.push(record)?;
        }
        Ok(data)
    }

    /// Reads CSV text: a header row of field names, then one row per unit. A leading
    /// byte-order mark (as spreadsheet exports write) is ignored.
    pub fn from_csv_str(file: &str, text: &str, key: &str) -> Result<Self, DataError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Self::from_records(csv_file::records(file, text, &LoadOptions::new(key))?)
    }

    /// Adds the records of another dataset (another file of the same submission); a unit
    /// both name is joined field by field: a field given by both must have the same value
    /// ([`DataError::Conflict`] names both files and values otherwise).
    ///
    /// ```
    /// let mut survey = chiso::Dataset::from_csv_str("survey.csv", "unit,staff\nA,5\n", "unit")?;
    /// let inspection = chiso::Dataset::from_csv_str("inspection.csv", "unit,staff,posts\nA,5,12\n", "unit")?;
    /// survey.extend(inspection)?;
    /// assert_eq!(survey.records.len(), 1);
    /// assert_eq!(survey.records[0].fields.len(), 3);
    /// # Ok::<(), chiso::DataError>(())
    /// ```
    pub fn extend(&mut self, other: Dataset) -> Result<(), DataError> {
        if self.records.is_empty() {
            // Nothing to join with: `other` is checked for duplicates already, and
            // inserting each of its records again would cost as much as loading it.
            *self = other;
            return Ok(());
        }
        self.sync_index();
        for record in other.records {
            let unit = names::nfc(&record.unit);
            match self.index.get(&unit) {
                None => self.push(record)?,
                Some(&at) => self.join(at, record)?,
            }
        }
        Ok(())
    }

    /// Joins `record`'s fields into the record at `at` (the same unit, another file).
    fn join(&mut self, at: usize, record: Record) -> Result<(), DataError> {
        let Some(first) = self.records.get_mut(at) else {
            return Ok(());
        };
        if first.origin.file == record.origin.file {
            return Err(DataError::DuplicateUnit {
                unit: first.unit.clone(),
                first: first.origin.clone(),
                second: record.origin,
            });
        }
        // The key field holds each file's spelling of the unit (an alias, another Unicode
        // form): those differ without conflicting.
        let names_unit = |v: &RawValue| match v {
            RawValue::Text(t) | RawValue::Number(t) => {
                let t = names::nfc(t.trim());
                t == first.unit
                    || t == record.unit
                    || first
                        .written
                        .iter()
                        .chain(&record.written)
                        .any(|(w, _)| *w == t)
            }
            _ => false,
        };
        let mut conflict = None;
        for (field, value) in &record.fields {
            match first.fields.get(field) {
                None | Some(RawValue::Null) => {}
                Some(existing) => {
                    if *value == RawValue::Null
                        || same_value(existing, value)
                        || (names_unit(existing) && names_unit(value))
                    {
                        continue;
                    }
                    conflict = Some((field.clone(), existing.to_string(), value.to_string()));
                    break;
                }
            }
        }
        if let Some((field, first_value, second_value)) = conflict {
            return Err(DataError::Conflict(Box::new(Conflict {
                unit: first.unit.clone(),
                field,
                first: first.origin.clone(),
                first_value,
                second: record.origin,
                second_value,
            })));
        }
        for (field, value) in record.fields {
            if matches!(first.fields.get(&field), None | Some(RawValue::Null)) {
                first.fields.insert(field, value);
            }
        }
        first.written.extend(record.written);
        Ok(())
    }

    /// Maps every unit written with a declared alias to its canonical name, keeping the
    /// name as written; two records that turn out to name one unit are refused as
    /// duplicates.
    pub fn apply_aliases(&mut self, aliases: &Aliases) -> Result<(), DataError> {
        if aliases.is_empty() {
            return Ok(());
        }
        let records = std::mem::take(&mut self.records);
        self.index.clear();
        for mut record in records {
            if let Some(canonical) = aliases.canonical(&record.unit) {
                let written = std::mem::replace(&mut record.unit, canonical.to_string());
                record.written.push((written, record.origin.file.clone()));
            }
            self.push(record)?;
        }
        Ok(())
    }

    /// A dataset of records built elsewhere; a unit may appear only once.
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Result<Self, DataError> {
        let mut data = Dataset::default();
        for record in records {
            data.push(record)?;
        }
        Ok(data)
    }

    /// Adds one record; a unit may appear only once (names compared in Unicode NFC, so
    /// "Sở Y tế" typed on two systems is one unit).
    pub fn push(&mut self, mut record: Record) -> Result<(), DataError> {
        self.sync_index();
        record.unit = names::nfc(&record.unit);
        if let Some(&first) = self.index.get(&record.unit) {
            return Err(DataError::DuplicateUnit {
                unit: record.unit,
                first: self.records[first].origin.clone(),
                second: record.origin,
            });
        }
        self.index.insert(record.unit.clone(), self.records.len());
        self.records.push(record);
        Ok(())
    }

    /// The position of unit `name` (compared in NFC), if the dataset has it.
    pub fn position(&self, name: &str) -> Option<usize> {
        let name = names::nfc(name);
        if self.index.len() == self.records.len() {
            self.index.get(&name).copied()
        } else {
            self.records.iter().position(|r| r.unit == name)
        }
    }

    /// Rebuilds the index when `records` was edited directly.
    fn sync_index(&mut self) {
        if self.index.len() != self.records.len() {
            self.index = self
                .records
                .iter()
                .enumerate()
                .map(|(i, r)| (names::nfc(&r.unit), i))
                .collect();
        }
    }
}

/// One unit's field with different values in two joined files.
#[derive(Debug, thiserror::Error)]
#[error(
    "{second}: unit `{unit}` has `{field}` = {second_value} here but {first_value} in {first}; files joined on the unit must agree"
)]
pub struct Conflict {
    /// The unit.
    pub unit: String,
    /// The field.
    pub field: String,
    /// Where the unit was read first.
    pub first: Origin,
    /// The value read there.
    pub first_value: String,
    /// Where the other value was read.
    pub second: Origin,
    /// The other value.
    pub second_value: String,
}

/// Two values written for one field are the same: equal as written, or the same number
/// written with other digits (`5` and `5.0`).
fn same_value(a: &RawValue, b: &RawValue) -> bool {
    if a == b {
        return true;
    }
    let number = |v: &RawValue| match v {
        RawValue::Number(n) | RawValue::Text(n) => n.trim().parse::<rust_decimal::Decimal>().ok(),
        _ => None,
    };
    matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

/// Reads the records of a JSON, CSV or spreadsheet file as [`Dataset::load_with`] does,
/// without requiring each record's key to be unique (a table of weights by year names a
/// member once per year). A file without records is an error ([`DataError::NoUnits`]).
pub fn load_records(path: &Path, options: &LoadOptions) -> Result<Vec<Record>, DataError> {
    let (path, sheet) = split_sheet(path);
    #[cfg(not(feature = "excel"))]
    let _ = sheet;
    let file = path.display().to_string();
    let ext = extension(&path);
    not_a_device(&path, &file)?;
    if let Ok(meta) = std::fs::metadata(&path)
        && meta.is_file()
        && meta.len() > options.max_bytes
    {
        return Err(too_large(&file, meta.len(), options.max_bytes));
    }
    let records = match ext.as_str() {
        "json" | "jsonl" | "ndjson" | "csv" | "tsv" | "txt" => {
            let bytes =
                crate::files::read_bytes_bounded(&path, options.max_bytes).map_err(|source| {
                    DataError::Io {
                        file: file.clone(),
                        source,
                    }
                })?;
            if bytes.len() as u64 > options.max_bytes {
                return Err(too_large(&file, bytes.len() as u64, options.max_bytes));
            }
            text_records(&file, &ext, &bytes, options)?
        }
        #[cfg(feature = "excel")]
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => {
            let mut options = options.clone();
            if sheet.is_some() {
                options.sheet = sheet;
            }
            sheet::records(&path, &file, &options)?
        }
        _ => {
            return Err(DataError::UnknownFormat {
                file,
                expected: FORMATS,
            });
        }
    };
    counted(&file, records, options)
}

/// `records` of `file` if there are some, and no more than the record limit.
fn counted(
    file: &str,
    records: Vec<Record>,
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    if records.len() > options.max_records {
        return Err(too_many(file, options.max_records));
    }
    if records.is_empty() {
        return Err(no_records(file));
    }
    Ok(records)
}

/// A data file that holds no records: an error, never a run that decides nothing.
pub(crate) fn no_records(file: &str) -> DataError {
    DataError::NoUnits {
        file: file.to_string(),
        detail: "the file holds no records (a unit is a record naming it)".into(),
    }
}

/// The lower-case extension of a file name, which tells its format.
fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// Refuses a device or socket named as a data file (a `data.json` linked to `/dev/zero`
/// never ends); regular files and pipes are read.
pub(crate) fn not_a_device(path: &Path, file: &str) -> Result<(), DataError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    #[cfg(unix)]
    let device = {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        t.is_char_device() || t.is_block_device() || t.is_socket()
    };
    #[cfg(not(unix))]
    let device = !meta.is_file() && !meta.is_dir();
    if device {
        return Err(DataError::Shape {
            file: file.to_string(),
            message: "is a device, not a data file".into(),
        });
    }
    Ok(())
}

/// A file beyond the size limit.
fn too_large(file: &str, size: u64, max: u64) -> DataError {
    DataError::Shape {
        file: file.to_string(),
        message: format!(
            "the file is {} ({size} bytes), more than the {} this program reads (its data-file size limit)",
            crate::limits::bytes(size),
            crate::limits::bytes(max)
        ),
    }
}

/// A dataset beyond the record limit.
pub(crate) fn too_many(file: &str, max: usize) -> DataError {
    DataError::Shape {
        file: file.to_string(),
        message: format!(
            "more than {max} units, the most this program reads into one dataset (its record limit)"
        ),
    }
}

/// The records of a JSON or CSV file's bytes.
fn text_records(
    file: &str,
    ext: &str,
    bytes: &[u8],
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    let text = decode::decode(file, bytes, options.encoding.as_deref())?;
    if ext == "json" {
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        json_file::records(file, text, &options.key)
    } else if ext == "jsonl" || ext == "ndjson" {
        json_file::lines_records(file, &text, &options.key)
    } else {
        csv_file::records(file, &text, options)
    }
}

/// Reads the records of a file held in memory as [`load_records`] reads them from the
/// disk; the format is told by `file`'s extension (JSON, CSV, or a workbook). A rule set's
/// alias tables and weights files are read this way, through its file-access policy.
pub fn records_from_bytes(
    file: &str,
    bytes: &[u8],
    options: &LoadOptions,
) -> Result<Vec<Record>, DataError> {
    let ext = extension(Path::new(file));
    let records = match ext.as_str() {
        "json" | "jsonl" | "ndjson" | "csv" | "tsv" | "txt" => {
            text_records(file, &ext, bytes, options)?
        }
        #[cfg(feature = "excel")]
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => {
            sheet::records_from_bytes(bytes, file, options)?
        }
        _ => {
            return Err(DataError::UnknownFormat {
                file: file.to_string(),
                expected: FORMATS,
            });
        }
    };
    counted(file, records, options)
}

/// `book.xlsx#Sheet 2` → the file and the sheet, when the whole path does not exist.
fn split_sheet(path: &Path) -> (std::path::PathBuf, Option<String>) {
    let text = path.to_string_lossy();
    if !path.exists()
        && let Some((file, sheet)) = text.rsplit_once('#')
        && Path::new(file).exists()
    {
        return (file.into(), Some(sheet.to_string()));
    }
    (path.to_path_buf(), None)
}

impl Record {
    /// A record from its fields; `key` names the field holding the unit's name.
    pub(crate) fn new(
        fields: IndexMap<String, RawValue>,
        origin: Origin,
        key: &str,
    ) -> Result<Self, DataError> {
        let unit = match fields.get(key) {
            Some(RawValue::Text(t)) if !t.trim().is_empty() => {
                names::check_unit_name(t.trim()).map_err(|message| DataError::Record {
                    origin: origin.clone(),
                    message,
                })?;
                names::nfc(t.trim())
            }
            Some(RawValue::Number(n)) => n.clone(),
            None | Some(RawValue::Null) => {
                return Err(DataError::Record {
                    origin,
                    message: format!("record has no `{key}` field naming its unit"),
                });
            }
            Some(other) => {
                return Err(DataError::Record {
                    origin,
                    message: format!("`{key}` must name the unit, found {other}"),
                });
            }
        };
        Ok(Record {
            unit,
            origin,
            fields,
            written: Vec::new(),
        })
    }
}
