//! Findings and values → record batches. Numbers are decimal128 or exact decimal text,
//! never floats.

use std::str::FromStr;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, NullArray, RecordBatch, StringArray,
    UInt64Array,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::check::Ty;
use crate::compile::Program;
use crate::evaluate::Status;
use crate::report::{Finding, Report, UnitReport};
use crate::stream::ValueFilter;

/// The most digits a `decimal128` holds.
const DECIMAL128_DIGITS: u8 = 38;

/// The schema of [`findings_batch`]: `rule`, `title`, `unit`, `status` (`pass`, `fail`,
/// `error`, `skip`), `severity`, `message`, `evidence` (the JSON object of the report's
/// evidence, every digit kept), `cite` — the fields of a finding in the JSON report, in
/// its order. Every column is text; `title` and `cite` may be null.
pub fn findings_schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        text("rule", false),
        text("title", true),
        text("unit", false),
        text("status", false),
        text("severity", false),
        text("message", false),
        text("evidence", false),
        text("cite", true),
    ]))
}

/// The word a status is written with in reports.
fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Skip => "skip",
    }
}

/// Findings as one record batch of [`findings_schema`], in the order given.
pub fn findings_batch(findings: &[Finding]) -> Result<RecordBatch, ArrowError> {
    let text = |f: &dyn Fn(&Finding) -> Option<&str>| -> ArrayRef {
        Arc::new(findings.iter().map(f).collect::<StringArray>())
    };
    // The evidence objects written one after the other into one buffer.
    let mut evidence = StringBuilder::with_capacity(findings.len(), findings.len() * 48);
    let mut buffer = Vec::with_capacity(256);
    for f in findings {
        buffer.clear();
        serde_json::to_writer(&mut buffer, &f.evidence)
            .map_err(|e| ArrowError::ExternalError(Box::new(e)))?;
        let json =
            std::str::from_utf8(&buffer).map_err(|e| ArrowError::ExternalError(Box::new(e)))?;
        evidence.append_value(json);
    }
    RecordBatch::try_new(
        findings_schema(),
        vec![
            text(&|f| Some(f.rule.as_str())),
            text(&|f| f.title.as_deref()),
            text(&|f| Some(f.unit.as_str())),
            text(&|f| Some(status_word(f.status))),
            text(&|f| Some(f.severity.keyword())),
            text(&|f| Some(f.message.as_str())),
            Arc::new(evidence.finish()),
            text(&|f| f.cite.as_deref()),
        ],
    )
}

/// The values a stream lists for `filter`, by name and type.
fn listed(program: &Program, filter: ValueFilter) -> Vec<(String, Ty)> {
    let slots: Vec<usize> = match filter {
        ValueFilter::None => Vec::new(),
        ValueFilter::Declared => program.display_order.clone(),
        ValueFilter::All => program
            .inputs
            .iter()
            .map(|i| i.slot)
            .chain(program.display_order.iter().copied())
            .collect(),
    };
    slots
        .into_iter()
        .filter_map(|s| program.slots.get(s))
        .map(|info| (info.name.to_string(), info.ty))
        .collect()
}

/// The schema of the values a stream writes ([`values_batch`]), fixed by the rule set so
/// that every batch of a stream has it: `unit`, then one column per value the filter
/// lists, in report order. A true/false value is `bool`; any other value is text: a
/// number as its exact decimal (`0.7349666666666666666666666667`), a date as
/// `2022-08-15`, a list as JSON. A value that could not be computed is null (the
/// findings that need it say why).
pub fn values_schema(program: &Program, filter: ValueFilter) -> SchemaRef {
    let mut fields = vec![Field::new("unit", DataType::Utf8, false)];
    for (name, ty) in listed(program, filter) {
        let data_type = if ty == Ty::Bool {
            DataType::Boolean
        } else {
            DataType::Utf8
        };
        fields.push(Field::new(name, data_type, true));
    }
    Arc::new(Schema::new(fields))
}

/// A JSON value as text: a string as itself, a number with every digit, others as JSON.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Units' values as one batch of [`values_schema`] (`units` as a stream of this rule set
/// and filter gives them).
pub fn values_batch(
    program: &Program,
    filter: ValueFilter,
    units: &[UnitReport],
) -> Result<RecordBatch, ArrowError> {
    let mut columns: Vec<ArrayRef> = vec![Arc::new(
        units
            .iter()
            .map(|u| Some(u.unit.as_str()))
            .collect::<StringArray>(),
    )];
    for (name, ty) in listed(program, filter) {
        let values = units.iter().map(|u| u.values.get(&name));
        if ty == Ty::Bool {
            columns.push(Arc::new(
                values
                    .map(|v| v.and_then(serde_json::Value::as_bool))
                    .collect::<BooleanArray>(),
            ));
        } else {
            columns.push(Arc::new(
                values.map(|v| v.map(json_text)).collect::<StringArray>(),
            ));
        }
    }
    RecordBatch::try_new(values_schema(program, filter), columns)
}

/// A JSON number as an exact decimal.
fn json_decimal(value: &serde_json::Value) -> Option<Decimal> {
    let serde_json::Value::Number(n) = value else {
        return None;
    };
    let text = n.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

/// A column of numbers as `decimal128(38, s)`, `s` the most decimals any of them has;
/// `None` when one would need more than 38 digits at that scale.
fn decimal_column(values: &[Option<&serde_json::Value>]) -> Option<(ArrayRef, Field)> {
    let decimals: Vec<Option<Decimal>> = values
        .iter()
        .map(|v| v.map(json_decimal))
        .map(|v| match v {
            None => Some(None),
            Some(Some(d)) => Some(Some(d)),
            Some(None) => None,
        })
        .collect::<Option<_>>()?;
    let scale = decimals.iter().flatten().map(Decimal::scale).max()?;
    let limit = 10i128.checked_pow(u32::from(DECIMAL128_DIGITS))?;
    let mut scaled = Vec::with_capacity(decimals.len());
    for d in &decimals {
        scaled.push(match d {
            None => None,
            Some(d) => {
                let factor = 10i128.checked_pow(scale - d.scale())?;
                let v = d.mantissa().checked_mul(factor)?;
                if v.checked_abs()? >= limit {
                    return None;
                }
                Some(v)
            }
        });
    }
    let scale = i8::try_from(scale).ok()?;
    let array = Decimal128Array::from(scaled)
        .with_precision_and_scale(DECIMAL128_DIGITS, scale)
        .ok()?;
    let data_type = array.data_type().clone();
    Some((Arc::new(array), Field::new("", data_type, true)))
}

/// One column of a report's values, its type from the values themselves.
fn report_column(name: &str, values: &[Option<&serde_json::Value>]) -> (Field, ArrayRef) {
    let present = || values.iter().flatten();
    let named = |data_type: DataType| Field::new(name, data_type, true);
    if present().next().is_none() {
        return (
            named(DataType::Null),
            Arc::new(NullArray::new(values.len())),
        );
    }
    if present().all(|v| v.is_number())
        && let Some((array, field)) = decimal_column(values)
    {
        return (named(field.data_type().clone()), array);
    }
    if present().all(|v| v.is_boolean()) {
        let array: BooleanArray = values
            .iter()
            .map(|v| v.and_then(serde_json::Value::as_bool))
            .collect();
        return (named(DataType::Boolean), Arc::new(array));
    }
    let array: StringArray = values.iter().map(|v| v.map(json_text)).collect();
    (named(DataType::Utf8), Arc::new(array))
}

/// A report's values, one row per unit: `unit`, each value in report order, then each
/// declared rank as `rank.<name>` (`uint64`). A column of numbers is `decimal128(38, s)`,
/// `s` the most decimals any of its values has (every value exact); when one of them
/// would need more than 38 digits at that scale, the column is exact decimal text. A
/// true/false column is `bool`, a column that no unit has a value for is of type null,
/// others are text (lists as JSON). A value that could not be computed is null; the
/// report's `units[].errors` and the findings say why.
///
/// ```
/// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput x: number\nindicator y = x / 3\nrank y")?;
/// let data = chiso::Dataset::from_json_str("d.json", r#"[{"unit": "A", "x": 1}, {"unit": "B", "x": "2.5"}]"#, "unit")?;
/// let batch = chiso::arrow::report_values_batch(&rules.evaluate(&data))?;
/// assert_eq!(batch.schema().field(1).data_type(), &arrow_schema::DataType::Decimal128(38, 28));
/// assert_eq!(batch.schema().field(2).name(), "rank.y");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report_values_batch(report: &Report) -> Result<RecordBatch, ArrowError> {
    let mut names: IndexMap<&str, ()> = IndexMap::new();
    let mut ranks: IndexMap<&str, ()> = IndexMap::new();
    for unit in &report.units {
        names.extend(unit.values.keys().map(|k| (k.as_str(), ())));
        ranks.extend(unit.ranks.keys().map(|k| (k.as_str(), ())));
    }
    let mut fields = vec![Field::new("unit", DataType::Utf8, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(
        report
            .units
            .iter()
            .map(|u| Some(u.unit.as_str()))
            .collect::<StringArray>(),
    )];
    for name in names.keys() {
        let values: Vec<Option<&serde_json::Value>> =
            report.units.iter().map(|u| u.values.get(*name)).collect();
        let (field, column) = report_column(name, &values);
        fields.push(field);
        columns.push(column);
    }
    for name in ranks.keys() {
        fields.push(Field::new(format!("rank.{name}"), DataType::UInt64, true));
        columns.push(Arc::new(
            report
                .units
                .iter()
                .map(|u| u.ranks.get(*name).and_then(|r| u64::try_from(*r).ok()))
                .collect::<UInt64Array>(),
        ));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}
