//! Record batches → records of raw values, one row at a time.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float16Type, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use indexmap::IndexMap;

use super::{ArrowOptions, FloatRule};
use crate::data::{DataError, Origin, RawValue, Record};

/// The records of one record batch, read lazily: a stream over a large batch never holds
/// more than one of its records.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
/// let units: ArrayRef = Arc::new(StringArray::from(vec!["A", "B"]));
/// let staff: ArrayRef = Arc::new(Int64Array::from(vec![Some(3), None]));
/// let batch = RecordBatch::try_from_iter([("unit", units), ("staff", staff)])?;
/// let options = chiso::arrow::ArrowOptions::new("unit");
/// let records: Vec<_> = chiso::arrow::BatchRecords::new(&batch, &options, 0)?.collect::<Result<_, _>>()?;
/// assert_eq!(records[1].unit, "B");
/// assert_eq!(records[1].origin.position, "row 1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct BatchRecords {
    columns: Vec<(String, ArrayRef)>,
    key: String,
    source: String,
    floats: FloatRule,
    row: usize,
    rows: usize,
    first_row: usize,
}

impl BatchRecords {
    /// The records of `batch`; `first_row` is the number of rows before it (positions in
    /// messages count from the first batch). The columns read must exist with a type
    /// chiso reads, and the unit key must be one of them.
    pub fn new(
        batch: &RecordBatch,
        options: &ArrowOptions,
        first_row: usize,
    ) -> Result<Self, DataError> {
        let shape = |message: String| DataError::Shape {
            file: options.source.clone(),
            message,
        };
        let schema = batch.schema();
        if schema.column_with_name(&options.key).is_none() {
            let names: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| format!("`{}`", f.name()))
                .collect();
            return Err(shape(format!(
                "no column `{}` naming the units (the columns are {})",
                options.key,
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
        let mut columns: Vec<(String, ArrayRef)> = Vec::new();
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            if !options.reads(field.name()) {
                continue;
            }
            if columns.iter().any(|(name, _)| name == field.name()) {
                return Err(shape(format!(
                    "column `{}` appears twice; a record has one value per field",
                    field.name()
                )));
            }
            if let Err(found) = readable(field.data_type()) {
                return Err(shape(format!(
                    "column `{}` is of Arrow type `{found}`, which chiso does not read; give it as integers, decimals (decimal128), text, booleans or dates",
                    field.name()
                )));
            }
            columns.push((field.name().clone(), column.clone()));
        }
        Ok(BatchRecords {
            columns,
            key: options.key.clone(),
            source: options.source.clone(),
            floats: options.floats,
            row: 0,
            rows: batch.num_rows(),
            first_row,
        })
    }
}

impl Iterator for BatchRecords {
    type Item = Result<Record, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.row >= self.rows {
            return None;
        }
        let row = self.row;
        self.row += 1;
        let origin = Origin {
            file: self.source.clone(),
            position: format!("row {}", self.first_row + row),
        };
        let mut fields = IndexMap::with_capacity(self.columns.len());
        for (name, array) in &self.columns {
            match cell(array.as_ref(), row, self.floats) {
                Ok(value) => {
                    fields.insert(name.clone(), value);
                }
                Err(message) => {
                    return Some(Err(DataError::Record {
                        origin,
                        message: format!("`{name}` {message}"),
                    }));
                }
            }
        }
        Some(Record::new(fields, origin, &self.key))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.rows.saturating_sub(self.row);
        (left, Some(left))
    }
}

/// `Ok` when chiso reads columns of this type; else the (innermost) type it does not read.
fn readable(data_type: &DataType) -> Result<(), &DataType> {
    match data_type {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..)
        | DataType::Decimal256(..)
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Date32
        | DataType::Date64
        | DataType::Timestamp(_, None) => Ok(()),
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            readable(f.data_type())
        }
        DataType::Struct(fields) => fields.iter().try_for_each(|f| readable(f.data_type())),
        DataType::Dictionary(key, value) if key.is_dictionary_key_type() => readable(value),
        other => Err(other),
    }
}

/// Days per unit of a timestamp.
fn per_day(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 86_400,
        TimeUnit::Millisecond => 86_400_000,
        TimeUnit::Microsecond => 86_400_000_000,
        TimeUnit::Nanosecond => 86_400_000_000_000,
    }
}

/// A date from a count of `per_day` units since 1970-01-01, when it is a whole day.
fn whole_day(value: i64, per_day: i64) -> Result<RawValue, String> {
    if value.rem_euclid(per_day) != 0 {
        return Err(
            "is a timestamp with a time of day; chiso reads dates (give the column as Arrow `date32` or as text)"
                .to_string(),
        );
    }
    match i32::try_from(value.div_euclid(per_day)) {
        Ok(days) => Ok(RawValue::Text(crate::date::format(days))),
        Err(_) => Err("is a date beyond the calendar chiso reads".to_string()),
    }
}

/// A float as the rule says.
fn float(
    value: f64,
    shortest: impl FnOnce() -> String,
    rule: FloatRule,
) -> Result<RawValue, String> {
    if value.is_nan() {
        return Ok(RawValue::Null);
    }
    if value.is_infinite() {
        return Err(format!(
            "is the float {value}, which is not a number chiso reads"
        ));
    }
    if value.fract() == 0.0 {
        // Exact: a whole float printed with no decimals is its exact integer value.
        return Ok(RawValue::Number(format!("{value:.0}")));
    }
    match rule {
        FloatRule::Shortest => Ok(RawValue::Number(shortest())),
        FloatRule::WholeOnly => Err(format!(
            "is the binary float {}, which is not an exact decimal: give the column as decimals (Arrow decimal128) or text, or opt in to reading floats as their shortest decimal",
            shortest()
        )),
    }
}

/// `123`, scale 2 → `1.23`; scale -2 → `12300`.
fn decimal_text(digits: String, scale: i8) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", digits.as_str()),
    };
    let mut out = String::with_capacity(digits.len() + 3);
    out.push_str(sign);
    if scale <= 0 {
        out.push_str(digits);
        if digits != "0" {
            out.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        }
        return out;
    }
    let scale = usize::from(scale.unsigned_abs());
    if digits.len() <= scale {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(digits);
    } else {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// The value of the dictionary array `array` at `row`, through its keys.
fn dictionary_cell(array: &dyn Array, row: usize, rule: FloatRule) -> Result<RawValue, String> {
    macro_rules! by_key {
        ($($key:ty),*) => {
            $(if let Some(d) = array.as_dictionary_opt::<$key>() {
                let key = d.keys().value(row);
                let index = usize::try_from(key).map_err(|_| "has a negative dictionary key".to_string())?;
                if index >= d.values().len() {
                    return Err("has a dictionary key beyond its values".to_string());
                }
                return cell(d.values().as_ref(), index, rule);
            })*
        };
    }
    by_key!(
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type
    );
    Err(format!(
        "is of Arrow type `{}`, which chiso does not read",
        array.data_type()
    ))
}

/// One cell as the raw value a JSON file would have given.
pub(crate) fn cell(array: &dyn Array, row: usize, rule: FloatRule) -> Result<RawValue, String> {
    if array.is_null(row) {
        return Ok(RawValue::Null);
    }
    macro_rules! int {
        ($t:ty) => {
            Ok(RawValue::Number(
                array.as_primitive::<$t>().value(row).to_string(),
            ))
        };
    }
    match array.data_type() {
        DataType::Null => Ok(RawValue::Null),
        DataType::Boolean => Ok(RawValue::Bool(array.as_boolean().value(row))),
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float16 => {
            let v = array.as_primitive::<Float16Type>().value(row).to_f32();
            float(f64::from(v), || v.to_string(), rule)
        }
        DataType::Float32 => {
            let v = array.as_primitive::<Float32Type>().value(row);
            float(f64::from(v), || v.to_string(), rule)
        }
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            float(v, || v.to_string(), rule)
        }
        DataType::Decimal128(_, scale) => Ok(RawValue::Number(decimal_text(
            array
                .as_primitive::<Decimal128Type>()
                .value(row)
                .to_string(),
            *scale,
        ))),
        DataType::Decimal256(_, scale) => Ok(RawValue::Number(decimal_text(
            array
                .as_primitive::<Decimal256Type>()
                .value(row)
                .to_string(),
            *scale,
        ))),
        DataType::Utf8 => Ok(RawValue::Text(
            array.as_string::<i32>().value(row).to_string(),
        )),
        DataType::LargeUtf8 => Ok(RawValue::Text(
            array.as_string::<i64>().value(row).to_string(),
        )),
        DataType::Utf8View => Ok(RawValue::Text(
            array.as_string_view().value(row).to_string(),
        )),
        DataType::Date32 => Ok(RawValue::Text(crate::date::format(
            array.as_primitive::<Date32Type>().value(row),
        ))),
        DataType::Date64 => whole_day(array.as_primitive::<Date64Type>().value(row), 86_400_000),
        DataType::Timestamp(unit, None) => {
            let value = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row),
                TimeUnit::Millisecond => {
                    array.as_primitive::<TimestampMillisecondType>().value(row)
                }
                TimeUnit::Microsecond => {
                    array.as_primitive::<TimestampMicrosecondType>().value(row)
                }
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row),
            };
            whole_day(value, per_day(*unit))
        }
        DataType::Dictionary(..) => dictionary_cell(array, row, rule),
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::Struct(_) => Ok(RawValue::Nested(Box::new(nested(array, row, rule)?))),
        other => Err(format!(
            "is of Arrow type `{other}`, which chiso does not read"
        )),
    }
}

/// A cell as JSON: lists as arrays, structs as objects, numbers with every digit.
fn nested(array: &dyn Array, row: usize, rule: FloatRule) -> Result<serde_json::Value, String> {
    if array.is_null(row) {
        return Ok(serde_json::Value::Null);
    }
    let items = |list: ArrayRef| -> Result<serde_json::Value, String> {
        (0..list.len())
            .map(|i| nested(list.as_ref(), i, rule))
            .collect::<Result<Vec<_>, _>>()
            .map(serde_json::Value::Array)
    };
    match array.data_type() {
        DataType::List(_) => items(array.as_list::<i32>().value(row)),
        DataType::LargeList(_) => items(array.as_list::<i64>().value(row)),
        DataType::FixedSizeList(..) => items(array.as_fixed_size_list().value(row)),
        DataType::Struct(_) => {
            let s = array.as_struct();
            let mut object = serde_json::Map::new();
            for (name, column) in s.column_names().into_iter().zip(s.columns()) {
                object.insert(name.to_string(), nested(column.as_ref(), row, rule)?);
            }
            Ok(serde_json::Value::Object(object))
        }
        _ => Ok(match cell(array, row, rule)? {
            RawValue::Null => serde_json::Value::Null,
            RawValue::Bool(b) => serde_json::Value::Bool(b),
            RawValue::Number(n) => match n.parse::<serde_json::Number>() {
                Ok(number) => serde_json::Value::Number(number),
                Err(_) => serde_json::Value::String(n),
            },
            RawValue::Text(t) => serde_json::Value::String(t),
            RawValue::Nested(v) => *v,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_places_the_point_by_the_scale() {
        assert_eq!(decimal_text("590".into(), 3), "0.590");
        assert_eq!(decimal_text("-5".into(), 3), "-0.005");
        assert_eq!(decimal_text("12345".into(), 2), "123.45");
        assert_eq!(decimal_text("12".into(), -2), "1200");
        assert_eq!(decimal_text("0".into(), -2), "0");
        assert_eq!(decimal_text("7".into(), 0), "7");
    }

    #[test]
    fn floats_are_exact_or_refused_unless_asked_for() {
        let shortest = |v: f64| move || v.to_string();
        assert_eq!(
            float(3.0, shortest(3.0), FloatRule::WholeOnly),
            Ok(RawValue::Number("3".into()))
        );
        assert_eq!(
            float(f64::NAN, shortest(0.0), FloatRule::WholeOnly),
            Ok(RawValue::Null)
        );
        let refused = float(0.1, shortest(0.1), FloatRule::WholeOnly).unwrap_err();
        assert!(refused.contains("binary float 0.1"), "{refused}");
        assert_eq!(
            float(0.1, shortest(0.1), FloatRule::Shortest),
            Ok(RawValue::Number("0.1".into()))
        );
        assert!(float(f64::INFINITY, shortest(0.0), FloatRule::Shortest).is_err());
        assert_eq!(
            float(1e20, shortest(1e20), FloatRule::WholeOnly),
            Ok(RawValue::Number("100000000000000000000".into()))
        );
    }

    #[test]
    fn timestamps_are_dates_only_at_midnight() {
        assert_eq!(
            whole_day(86_400 * 2, 86_400),
            Ok(RawValue::Text("1970-01-03".into()))
        );
        assert!(whole_day(86_400 * 2 + 1, 86_400).is_err());
        assert_eq!(
            whole_day(-86_400, 86_400),
            Ok(RawValue::Text("1969-12-31".into()))
        );
    }
}
