//! Loading submissions: JSON and CSV files → records of raw field values.
//!
//! Loading only checks the shape of a file (records, unit names, duplicates). Whether a
//! field's value fits its declared type is decided per unit when a rule set binds the
//! data, so one bad cell makes that unit's affected findings `error` instead of
//! discarding the whole submission.

mod csv_file;
pub(crate) mod decode;
pub(crate) mod json_file;
pub mod names;
pub mod numbers;
mod options;
#[cfg(feature = "excel")]
mod sheet;
pub(crate) mod table;

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
    /// A JSON array or object, kept as JSON.
    Nested(serde_json::Value),
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
const FORMATS: &str = "a `.json`, `.csv` (`.tsv`, `.txt`), `.xlsx`, `.xls` or `.ods` file";
#[cfg(not(feature = "excel"))]
const FORMATS: &str = "a `.json` or `.csv` (`.tsv`, `.txt`) file (this build has no Excel support)";

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
        let (path, sheet) = split_sheet(path);
        #[cfg(not(feature = "excel"))]
        let _ = sheet;
        let file = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        not_a_device(&path, &file)?;
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.is_file()
            && meta.len() > options.max_bytes
        {
            return Err(too_large(&file, meta.len(), options.max_bytes));
        }
        let data = match ext.as_str() {
            "json" | "csv" | "tsv" | "txt" => {
                let bytes =
                    read_at_most(&path, options.max_bytes).map_err(|source| DataError::Io {
                        file: file.clone(),
                        source,
                    })?;
                if bytes.len() as u64 > options.max_bytes {
                    return Err(too_large(&file, bytes.len() as u64, options.max_bytes));
                }
                if ext == "json" {
                    let text = decode::decode(&file, &bytes, options.encoding.as_deref())?;
                    Self::from_json_str(&file, &text, &options.key)?
                } else {
                    Self::from_csv_bytes(&file, &bytes, options)?
                }
            }
            #[cfg(feature = "excel")]
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => {
                let mut options = options.clone();
                if sheet.is_some() {
                    options.sheet = sheet;
                }
                Self::from_records(sheet::records(&path, &file, &options)?)?
            }
            _ => {
                return Err(DataError::UnknownFormat {
                    file,
                    expected: FORMATS,
                });
            }
        };
        if data.records.len() > options.max_records {
            return Err(too_many(&file, options.max_records));
        }
        if data.records.is_empty() {
            return Err(DataError::NoUnits {
                file,
                detail: "the file holds no records (a unit is a record naming it)".into(),
            });
        }
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
        Self::from_records(csv_file::records(file, &text, options)?)
    }

    /// Reads a spreadsheet (`.xlsx`, `.xls`, `.ods`) from its bytes, as `options` say (sheet,
    /// header row, number format, missing markers); `file` names it in messages.
    #[cfg(feature = "excel")]
    pub fn from_sheet_bytes(
        file: &str,
        bytes: &[u8],
        options: &LoadOptions,
    ) -> Result<Self, DataError> {
        Self::from_records(sheet::records_from_bytes(bytes, file, options)?)
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

    /// Adds the records of another dataset (another file of the same submission).
    pub fn extend(&mut self, other: Dataset) -> Result<(), DataError> {
        for record in other.records {
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

/// At most `max + 1` bytes of a file (a special file such as `/dev/zero` never ends).
fn read_at_most(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
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
        })
    }
}
