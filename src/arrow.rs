//! Arrow record batches in and out (feature `arrow`): the interchange of the Python
//! package, Spark and any program that holds its data as Arrow.
//!
//! **In.** [`Dataset::from_arrow`] reads record batches into a dataset, one record per
//! row; [`RuleSet::validate_batches`] decides a row-local rule set batch by batch in
//! bounded memory (the streaming path of [`RuleSet::stream`]). A cell becomes the raw
//! value a JSON file would have given:
//!
//! | Arrow type | read as |
//! |---|---|
//! | integers (8–64 bits, signed or not) | the number, exactly |
//! | `decimal128`, `decimal256` | the number with its scale (`0.590` keeps three decimals) |
//! | `float16/32/64` | see [`FloatRule`]: whole floats exactly (`3.0` is 3), others refused unless asked for |
//! | `utf8`, `large_utf8`, `utf8_view` | text (a number written as text is read as a number where one is declared) |
//! | `bool` | true / false |
//! | `date32`, `date64`, a timestamp at midnight without time zone | a date |
//! | `list`, `large_list`, `fixed_size_list`, `struct` | a collection, as the JSON array or object it stands for |
//! | a dictionary of any of these (pandas and polars categoricals) | its value |
//! | null, or a float NaN | missing |
//!
//! Any other type (binary, time of day, duration, a timestamp with a time of day or a
//! time zone, map, union) in a column the rule set reads is a [`DataError::Shape`] naming
//! the column and its type; columns the rule set does not read are not looked at
//! ([`ArrowOptions::columns`]). Messages name the source and the row (`row 0` is the
//! first, as in a DataFrame).
//!
//! **Out.** [`findings_batch`] writes findings as a batch ([`findings_schema`]: rule,
//! title, unit, status, severity, message, evidence, cite; the evidence is the JSON
//! object of the report, every digit kept). [`report_values_batch`] writes a report's
//! values one row per unit, a number column as `decimal128(38, s)` with `s` the largest
//! number of decimals in the column (or, when some value would need more than 38 digits
//! at that scale, as exact decimal text); the stream writes them with a schema fixed in
//! advance ([`values_schema`]), numbers as exact decimal text. No number ever becomes a
//! float.

mod batches;
mod lean;
mod read;
mod write;

pub use batches::{ArrowStream, Validated};
pub use read::BatchRecords;
pub use write::{
    findings_batch, findings_schema, report_values_batch, values_batch, values_schema,
};

use crate::data::{DataError, Dataset};
use crate::ruleset::RuleSet;

/// How float columns are read. A binary float cannot say how many decimals its writer
/// meant (`0.1` is stored as 0.1000000000000000055511151231257827…), and chiso's numbers
/// are exact decimals, so floats are never read silently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FloatRule {
    /// Whole floats are read exactly (`3.0` is 3: a pandas integer column with missing
    /// values is a float column); NaN is missing; any other float is refused with a
    /// [`DataError::Record`] naming the column, row and value.
    #[default]
    WholeOnly,
    /// Every finite float is read as the shortest decimal that reads back as the same
    /// float (`0.1` → 0.1, `0.30000000000000004` stays so); NaN is missing. The caller
    /// accepts that this is what the writer meant.
    Shortest,
}

/// How record batches are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrowOptions {
    /// Names the data in messages (`arrow, row 12: …`).
    pub source: String,
    /// The column that names each unit.
    pub key: String,
    /// The columns to read (the unit key is always read); `None` reads every column.
    /// Columns left out are not looked at, whatever their type.
    pub columns: Option<Vec<String>>,
    /// How float columns are read.
    pub floats: FloatRule,
}

impl ArrowOptions {
    /// Every column of the batches, units named by column `key`, floats whole only.
    pub fn new(key: &str) -> Self {
        ArrowOptions {
            source: "arrow".to_string(),
            key: key.to_string(),
            columns: None,
            floats: FloatRule::default(),
        }
    }

    /// True when column `name` is read.
    pub(crate) fn reads(&self, name: &str) -> bool {
        name == self.key
            || self
                .columns
                .as_ref()
                .is_none_or(|c| c.iter().any(|n| n == name))
    }
}

impl RuleSet {
    /// The options that read batches for this rule set: its unit key and the data fields
    /// its inputs are declared with (other columns are not looked at).
    ///
    /// ```
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number from \"X\"\nrule r require x > 0")?;
    /// let options = rules.arrow_options();
    /// assert_eq!(options.key, "unit");
    /// assert_eq!(options.columns, Some(vec!["X".to_string()]));
    /// # Ok::<(), chiso::LoadError>(())
    /// ```
    pub fn arrow_options(&self) -> ArrowOptions {
        ArrowOptions {
            columns: Some(
                self.program()
                    .inputs
                    .iter()
                    .map(|i| i.field.clone())
                    .collect(),
            ),
            ..ArrowOptions::new(self.unit_key())
        }
    }
}

impl Dataset {
    /// Reads record batches into a dataset: one record per row, in order; a unit may
    /// appear only once.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Decimal128Array, RecordBatch, StringArray};
    /// let units: ArrayRef = Arc::new(StringArray::from(vec!["A", "B"]));
    /// let index: ArrayRef = Arc::new(Decimal128Array::from(vec![Some(590), None]).with_precision_and_scale(5, 3)?);
    /// let batch = RecordBatch::try_from_iter([("unit", units), ("index", index)])?;
    /// let data = chiso::Dataset::from_arrow([&batch], &chiso::arrow::ArrowOptions::new("unit"))?;
    /// assert_eq!(data.records[0].fields["index"], chiso::data::RawValue::Number("0.590".into()));
    /// assert_eq!(data.records[1].fields["index"], chiso::data::RawValue::Null);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_arrow<'b>(
        batches: impl IntoIterator<Item = &'b arrow_array::RecordBatch>,
        options: &ArrowOptions,
    ) -> Result<Self, DataError> {
        let mut data = Dataset::default();
        let mut first_row = 0;
        for batch in batches {
            for record in BatchRecords::new(batch, options, first_row)? {
                data.push(record?)?;
            }
            first_row += batch.num_rows();
        }
        Ok(data)
    }
}
