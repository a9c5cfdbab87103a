//! Loading submissions: JSON and CSV files → records of raw field values.
//!
//! Loading only checks the shape of a file (records, unit names, duplicates). Whether a
//! field's value fits its declared type is decided per unit when a rule set binds the
//! data, so one bad cell makes that unit's affected findings `error` instead of
//! discarding the whole submission.

mod csv_file;
mod json_file;
pub mod names;
pub mod numbers;

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
    #[error("{file}: unknown data format; expected a `.json` or `.csv` file")]
    UnknownFormat {
        /// The file.
        file: String,
    },
}

impl Dataset {
    /// Loads a JSON or CSV file; `key` names the field that holds the unit's name.
    pub fn load(path: &Path, key: &str) -> Result<Self, DataError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
            file: file.clone(),
            source,
        })?;
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Self::from_json_str(&file, &text, key),
            Some("csv") => Self::from_csv_str(&file, &text, key),
            _ => Err(DataError::UnknownFormat { file }),
        }
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
        data.push_all(json_file::records(file, text, key)?)?;
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
        data.push_each(records.into_iter().enumerate().map(|(index, value)| {
            let origin = Origin {
                file: source.to_string(),
                position: format!("[{index}]"),
            };
            json_file::record(value, origin, key)
        }))?;
        Ok(data)
    }

    /// Reads CSV text: a header row of field names, then one row per unit. A leading
    /// byte-order mark (as spreadsheet exports write) is ignored.
    pub fn from_csv_str(file: &str, text: &str, key: &str) -> Result<Self, DataError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut data = Dataset::default();
        data.push_all(csv_file::records(file, text, key)?)?;
        Ok(data)
    }

    /// Adds the records of another dataset (another file of the same submission).
    pub fn extend(&mut self, other: Dataset) -> Result<(), DataError> {
        self.push_all(other.records)
    }

    /// Adds many records, finding duplicates through a map of unit names (one lookup per
    /// record, not a scan of every record loaded before it).
    fn push_all(&mut self, records: impl IntoIterator<Item = Record>) -> Result<(), DataError> {
        self.push_each(records.into_iter().map(Ok))
    }

    /// [`Self::push_all`] over records that may each fail to build (in order).
    fn push_each(
        &mut self,
        records: impl IntoIterator<Item = Result<Record, DataError>>,
    ) -> Result<(), DataError> {
        let mut seen: std::collections::HashMap<String, usize> = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.unit.clone(), i))
            .collect();
        for record in records {
            let record = record?;
            if let Some(first) = seen.get(&record.unit).and_then(|&i| self.records.get(i)) {
                return Err(DataError::DuplicateUnit {
                    unit: record.unit,
                    first: first.origin.clone(),
                    second: record.origin,
                });
            }
            seen.insert(record.unit.clone(), self.records.len());
            self.records.push(record);
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
