//! Failing findings decided straight from Arrow batches: integer columns become the typed
//! core's columns with no text in between.
//!
//! [`RuleSet::decide_failing_batches`] gives what `decide_failing` gives over
//! [`Dataset::from_arrow`] of the same batches. It reads the batches itself only in the
//! case it can read exactly as loading would: every column read besides the unit key is
//! an Arrow integer of at most 64 bits signed (32 unsigned), the key is text, every input
//! is a number read as written, and every unit name is printable, non-empty and given
//! once. Anything else — a bad name, a duplicate, a float column, a percent input — is
//! left to loading, which says what is wrong exactly as it always does. A unit the typed
//! core leaves open is read as a record (its row alone) and evaluated by the reference.

use std::borrow::Cow;
use std::collections::HashSet;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::{ArrowOptions, BatchRecords};
use crate::compile::InputPlan;
use crate::data::{DataError, Dataset, Record};
use crate::fast::{Columns, Intake, Rational, WholeRange};
use crate::parse::ast::InputType;
use crate::report::lean::LeanReport;
use crate::ruleset::RuleSet;
use crate::value::Value;

/// An integer column, whatever its width.
#[derive(Clone, Copy)]
enum Integers<'a> {
    I8(&'a arrow_array::PrimitiveArray<Int8Type>),
    I16(&'a arrow_array::PrimitiveArray<Int16Type>),
    I32(&'a arrow_array::PrimitiveArray<Int32Type>),
    I64(&'a arrow_array::PrimitiveArray<Int64Type>),
    U8(&'a arrow_array::PrimitiveArray<UInt8Type>),
    U16(&'a arrow_array::PrimitiveArray<UInt16Type>),
    U32(&'a arrow_array::PrimitiveArray<UInt32Type>),
}

impl<'a> Integers<'a> {
    /// The column as integers, when it is one loading reads as the integer written.
    fn of(array: &'a ArrayRef) -> Option<Self> {
        Some(match array.data_type() {
            DataType::Int8 => Integers::I8(array.as_primitive()),
            DataType::Int16 => Integers::I16(array.as_primitive()),
            DataType::Int32 => Integers::I32(array.as_primitive()),
            DataType::Int64 => Integers::I64(array.as_primitive()),
            DataType::UInt8 => Integers::U8(array.as_primitive()),
            DataType::UInt16 => Integers::U16(array.as_primitive()),
            DataType::UInt32 => Integers::U32(array.as_primitive()),
            _ => return None,
        })
    }

    /// The value at `row`; `None` when it is null.
    #[inline]
    fn get(self, row: usize) -> Option<i64> {
        macro_rules! at {
            ($a:expr) => {
                ($a.is_valid(row) && row < $a.len()).then(|| i64::from($a.value(row)))
            };
        }
        match self {
            Integers::I8(a) => at!(a),
            Integers::I16(a) => at!(a),
            Integers::I32(a) => at!(a),
            Integers::I64(a) => at!(a),
            Integers::U8(a) => at!(a),
            Integers::U16(a) => at!(a),
            Integers::U32(a) => at!(a),
        }
    }
}

/// What one input reads from a missing or null field (its default, or the reference's
/// fault), and whether that counts as read.
fn when_missing(plan: &InputPlan) -> (Option<Rational>, bool) {
    match crate::evaluate::bind_input(plan, None) {
        Ok(Value::Number(x)) => (Rational::decimal(x), true),
        Ok(_) => (None, true),
        Err(_) => (None, false),
    }
}

/// One batch as the typed core reads it: each input's integer column (`None`: the batch
/// has no such column read) and the rows before it.
struct Batch<'a> {
    batch: &'a RecordBatch,
    inputs: Vec<Option<Integers<'a>>>,
    first_row: usize,
}

impl RuleSet {
    /// [`RuleSet::decide_failing`] over Arrow record batches: every finding decided and
    /// counted, the failing ones kept by reference (`unit` is the row, counted from the
    /// first batch). It equals `decide_failing(&Dataset::from_arrow(batches, options)?)`,
    /// and [`RuleSet::render_lean`] with that dataset spells the findings out. Integer
    /// columns go straight into the typed core (see the module).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    /// let rules = chiso::RuleSet::from_text("t.chiso", "methodology \"T\" version 1\ninput staff: integer >= 0\ninput it: integer >= 0\nrule r \"Ten percent\" require it / staff >= 10%")?;
    /// let unit: ArrayRef = Arc::new(StringArray::from(vec!["A", "B"]));
    /// let staff: ArrayRef = Arc::new(Int64Array::from(vec![20, 50]));
    /// let it: ArrayRef = Arc::new(Int64Array::from(vec![2, 4]));
    /// let batch = RecordBatch::try_from_iter([("unit", unit), ("staff", staff), ("it", it)])?;
    /// let options = chiso::arrow::ArrowOptions::new("unit");
    /// let lean = rules.decide_failing_batches(&[batch], &options)?;
    /// assert_eq!((lean.summary.passed, lean.summary.failed), (1, 1));
    /// assert_eq!(lean.findings[0].unit, 1); // the second row, B
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide_failing_batches(
        &self,
        batches: &[RecordBatch],
        options: &ArrowOptions,
    ) -> Result<LeanReport, DataError> {
        match self.batches_direct(batches, options) {
            Some(lean) => Ok(lean),
            None => Ok(self.decide_failing(&Dataset::from_arrow(batches, options)?)),
        }
    }

    /// The lean report read straight from the batches; `None` where loading must read
    /// them (see the module). The tests check which batches it reads.
    #[doc(hidden)]
    pub fn batches_direct(
        &self,
        batches: &[RecordBatch],
        options: &ArrowOptions,
    ) -> Option<LeanReport> {
        let program = self.program();
        let numbers = program.inputs.iter().all(|plan| {
            plan.previous.is_none()
                && plan.field != options.key
                && plan.list.is_none()
                && matches!(
                    plan.ty,
                    InputType::Integer | InputType::Number | InputType::Decimal
                )
        });
        if !self.typed_applies() || !numbers {
            return None;
        }
        let mut read = Vec::with_capacity(batches.len());
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let mut names: HashSet<Cow<'_, str>> = HashSet::with_capacity(rows);
        let mut first_row = 0;
        for batch in batches {
            // The checks loading makes of a batch's columns; loading says what fails.
            BatchRecords::new(batch, options, first_row).ok()?;
            let schema = batch.schema();
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                let name = field.name();
                if options.reads(name) && *name != options.key && Integers::of(column).is_none() {
                    return None;
                }
            }
            let key = batch.column_by_name(&options.key)?;
            let text = |row: usize| -> Option<&str> {
                if !key.is_valid(row) {
                    return None;
                }
                match key.data_type() {
                    DataType::Utf8 => Some(key.as_string::<i32>().value(row)),
                    DataType::LargeUtf8 => Some(key.as_string::<i64>().value(row)),
                    _ => None,
                }
            };
            for row in 0..batch.num_rows() {
                let written = text(row)?.trim();
                if written.is_empty() || crate::data::names::check_unit_name(written).is_err() {
                    return None;
                }
                let name = match is_nfc_quick(written.chars()) {
                    IsNormalized::Yes => Cow::Borrowed(written),
                    _ => Cow::Owned(written.nfc().collect()),
                };
                if !names.insert(name) {
                    return None;
                }
            }
            let inputs = program
                .inputs
                .iter()
                .map(|plan| {
                    let column = batch.column_by_name(&plan.field);
                    column
                        .filter(|_| options.reads(&plan.field))
                        .and_then(Integers::of)
                })
                .collect();
            read.push(Batch {
                batch,
                inputs,
                first_row,
            });
            first_row += batch.num_rows();
        }
        let units = first_row;
        let intake = intake(self, &read, units);
        let (typed, open) = self.typed_open(&intake);
        let records = open
            .iter()
            .map(|&u| row_record(&read, u, options))
            .collect::<Option<Vec<Record>>>()?;
        // A batch's columns are every one of its records' fields: its first row stands for
        // them in the notes on columns.
        let firsts = read
            .iter()
            .filter(|b| b.batch.num_rows() > 0)
            .map(|b| row_record(&read, b.first_row, options))
            .collect::<Option<Vec<Record>>>()?;
        let mut notes = self.data_notes_said(&Dataset::from_records(firsts).ok()?);
        if units > 1 && intake.unread.iter().any(|&unread| unread) {
            let data = Dataset::from_arrow(batches, options).ok()?;
            notes.extend(self.unreadable_notes(&self.bind(&data)));
        }
        Some(self.typed_lean(&typed, &open, &records, notes))
    }
}

/// The typed core's columns of the batches' inputs, input by input and batch by batch.
fn intake(rules: &RuleSet, read: &[Batch<'_>], units: usize) -> Intake {
    let program = rules.program();
    let mut unread = vec![true; program.inputs.len()];
    let mut parts = Vec::with_capacity(program.inputs.len());
    for (k, plan) in program.inputs.iter().enumerate() {
        let (missing, missing_read) = when_missing(plan);
        // A missing value the reference binds to a number the typed core holds.
        let missing_ok = missing_read && missing.is_some();
        let missing = missing.unwrap_or(Rational::int(0));
        let range = WholeRange::of(&plan.bounds);
        let (mut n, mut d, mut ok) = (
            Vec::with_capacity(units),
            Vec::with_capacity(units),
            Vec::with_capacity(units),
        );
        let mut read_any = false;
        for batch in read {
            let rows = batch.batch.num_rows();
            match batch.inputs.get(k).copied().flatten() {
                Some(column) => {
                    for row in 0..rows {
                        match column.get(row) {
                            Some(value) => {
                                let within = range.contains(value);
                                n.push(value);
                                d.push(1);
                                ok.push(within);
                                read_any |= within;
                            }
                            None => {
                                n.push(missing.n);
                                d.push(missing.d);
                                ok.push(missing_ok);
                                read_any |= missing_read;
                            }
                        }
                    }
                }
                None => {
                    n.resize(n.len() + rows, missing.n);
                    d.resize(d.len() + rows, missing.d);
                    ok.resize(ok.len() + rows, missing_ok);
                    read_any |= missing_read && rows > 0;
                }
            }
        }
        if read_any && let Some(unread) = unread.get_mut(k) {
            *unread = false;
        }
        parts.push((n, d, ok));
    }
    Intake {
        columns: Columns::from_parts(units, parts),
        unread,
    }
}

/// Row `u` (counted from the first batch) as loading reads it.
fn row_record(read: &[Batch<'_>], u: usize, options: &ArrowOptions) -> Option<Record> {
    let batch = read
        .iter()
        .find(|b| u >= b.first_row && u < b.first_row + b.batch.num_rows())?;
    let row = u - batch.first_row;
    let one = batch.batch.slice(row, 1);
    let mut records = BatchRecords::new(&one, options, u).ok()?;
    let mut record = records.next()?.ok()?;
    crate::data::names::make_nfc(&mut record.unit);
    Some(record)
}
