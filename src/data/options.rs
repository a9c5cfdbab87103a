//! How data files are read: the options a run (or a rule set) declares.

use super::Aliases;
use super::numbers::{DEFAULT_MISSING, NumberFormat};

/// How to read data files. [`LoadOptions::new`] gives the defaults: delimiter detected,
/// UTF-8 (or UTF-16 with a byte-order mark), `.` decimals without grouping, missing
/// markers `NA`, `N/A`, `n/a`, `-`, `…`, `...`, the first sheet, the header row found.
///
/// ```
/// use chiso::data::{LoadOptions, numbers::NumberFormat};
/// let mut options = LoadOptions::new("unit");
/// options.numbers = NumberFormat { decimal: ',', thousands: Some('.') };
/// options.delimiter = Some(b';');
/// let data = chiso::Dataset::from_csv_bytes("vn.csv", "unit;x\nA;1.234,5\n".as_bytes(), &options)?;
/// assert_eq!(data.records[0].fields["x"], chiso::data::RawValue::Number("1234.5".into()));
/// # Ok::<(), chiso::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// The field that names each unit.
    pub key: String,
    /// The CSV delimiter; `None` detects it among `,` `;` tab `|` from the header row.
    pub delimiter: Option<u8>,
    /// The text encoding of CSV and JSON files, as a WHATWG label (`utf-8`, `utf-16le`,
    /// `windows-1258`, …); `None` reads UTF-8. A byte-order mark always wins.
    pub encoding: Option<String>,
    /// How numbers are written in CSV and spreadsheet text cells.
    pub numbers: NumberFormat,
    /// Cell texts that mean "no value" (compared after trimming); an empty cell always
    /// does.
    pub missing: Vec<String>,
    /// The spreadsheet's sheet, by name or 1-based number; `None` takes the first.
    pub sheet: Option<String>,
    /// The 1-based row holding the column names; `None` takes the first row, among the
    /// first twenty, that has the key column (title rows above it are skipped).
    pub header_row: Option<usize>,
    /// Other names of units (a rule set's `alias` declarations): records written with
    /// one are read under the unit's canonical name.
    pub aliases: Aliases,
    /// Columns that are not inputs of the rule set are errors, not warnings
    /// (`RuleSet::load_data_with` checks them).
    pub strict: bool,
    /// Largest file read, in bytes (a larger file is an error naming the limit).
    pub max_bytes: u64,
    /// Most records (units) read from the files of one dataset.
    pub max_records: usize,
}

impl LoadOptions {
    /// The defaults, with `key` naming the units.
    pub fn new(key: &str) -> Self {
        LoadOptions {
            key: key.to_string(),
            delimiter: None,
            encoding: None,
            numbers: NumberFormat::default(),
            missing: DEFAULT_MISSING.iter().map(|m| m.to_string()).collect(),
            sheet: None,
            header_row: None,
            aliases: Aliases::default(),
            strict: false,
            max_bytes: crate::limits::ResourceLimits::default().data_file_bytes,
            max_records: crate::limits::ResourceLimits::default().records,
        }
    }

    /// True when `cell` (trimmed) means "no value".
    pub(crate) fn is_missing(&self, cell: &str) -> bool {
        cell.is_empty() || self.missing.iter().any(|m| m == cell)
    }
}
