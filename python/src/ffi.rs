//! Arrow across the boundary through the C data interface (the PyCapsule protocol):
//! tables come in and go out without passing through Python objects.

use std::ffi::CStr;
use std::sync::{Arc, Mutex};

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{Array, RecordBatch, RecordBatchIterator, StructArray};
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// True when `obj` speaks the Arrow PyCapsule protocol.
pub fn is_arrow(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(obj.hasattr("__arrow_c_stream__")? || obj.hasattr("__arrow_c_array__")?)
}

/// A Python error for an Arrow error at the boundary.
pub fn arrow_error(e: ArrowError) -> PyErr {
    PyTypeError::new_err(format!("cannot read the Arrow data: {e}"))
}

/// The batches of an object with `__arrow_c_stream__` (a pyarrow Table or RecordBatchReader,
/// a polars DataFrame…) or `__arrow_c_array__` (a pyarrow RecordBatch), as a reader that
/// owns the stream.
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<Imported> {
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.cast::<PyCapsule>()?;
        let pointer = capsule.pointer_checked(Some(STREAM))?;
        // SAFETY: the capsule holds an `ArrowArrayStream` (its name says so); `from_raw`
        // moves it out and leaves a released stream behind, as the protocol asks of a
        // consumer, so the capsule's destructor does not release it twice.
        let reader = unsafe { RecordBatchStreamReader::from_raw(pointer.as_ptr().cast()) }
            .map_err(arrow_error)?;
        return Ok(Imported::Stream(reader));
    }
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let pair = pair.cast::<PyTuple>()?;
        let schema = pair.get_item(0)?;
        let schema = schema.cast::<PyCapsule>()?;
        let array = pair.get_item(1)?;
        let array = array.cast::<PyCapsule>()?;
        let schema_pointer = schema.pointer_checked(Some(SCHEMA))?;
        let array_pointer = array.pointer_checked(Some(ARRAY))?;
        // SAFETY: the capsules hold an `ArrowSchema` and an `ArrowArray` (their names say
        // so); the array is moved out (released behind), the schema is only read while its
        // capsule is alive.
        let data = unsafe {
            let array = FFI_ArrowArray::from_raw(array_pointer.as_ptr().cast());
            let schema: &FFI_ArrowSchema = &*schema_pointer.as_ptr().cast::<FFI_ArrowSchema>();
            from_ffi(array, schema)
        }
        .map_err(arrow_error)?;
        if !matches!(data.data_type(), arrow_schema::DataType::Struct(_)) {
            return Err(PyTypeError::new_err(format!(
                "expected a table or record batch, found an Arrow array of type `{}`",
                data.data_type()
            )));
        }
        let batch = RecordBatch::from(StructArray::from(data));
        return Ok(Imported::Batch(Some(batch)));
    }
    let kind = obj.get_type().name()?;
    Err(PyTypeError::new_err(format!(
        "`{kind}` is not Arrow data (it has no `__arrow_c_stream__` or `__arrow_c_array__`)"
    )))
}

/// Imported batches.
pub enum Imported {
    /// A stream, read batch by batch.
    Stream(RecordBatchStreamReader),
    /// One batch.
    Batch(Option<RecordBatch>),
}

impl Iterator for Imported {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Imported::Stream(reader) => reader.next(),
            Imported::Batch(batch) => batch.take().map(Ok),
        }
    }
}

/// Batches on their way out, handed to pyarrow through `__arrow_c_stream__`.
#[pyclass(module = "chiso._chiso", name = "_ArrowStream")]
pub struct StreamExport {
    schema: SchemaRef,
    batches: Mutex<Option<Vec<RecordBatch>>>,
}

#[pymethods]
impl StreamExport {
    /// The batches as an `ArrowArrayStream` capsule (once: the stream is consumed).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = take(&self.batches)?;
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), self.schema.clone());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, STREAM)
    }
}

/// One batch on its way out, handed to pyarrow through `__arrow_c_array__`.
#[pyclass(module = "chiso._chiso", name = "_ArrowBatch")]
pub struct BatchExport {
    batch: Mutex<Option<Vec<RecordBatch>>>,
}

#[pymethods]
impl BatchExport {
    /// The batch as `ArrowSchema` and `ArrowArray` capsules (once).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let Some(batch) = take(&self.batch)?.pop() else {
            return Err(PyTypeError::new_err("no record batch to export"));
        };
        let array = StructArray::from(batch);
        let schema = FFI_ArrowSchema::try_from(array.data_type()).map_err(arrow_error)?;
        let array = FFI_ArrowArray::new(&array.to_data());
        Ok((
            PyCapsule::new_with_value(py, schema, SCHEMA)?,
            PyCapsule::new_with_value(py, array, ARRAY)?,
        ))
    }
}

/// The batches of an export, once.
fn take(slot: &Mutex<Option<Vec<RecordBatch>>>) -> PyResult<Vec<RecordBatch>> {
    slot.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
        .ok_or_else(|| PyTypeError::new_err("these Arrow data were already exported"))
}

/// A `pyarrow.Table` of `batches`.
pub fn table<'py>(
    py: Python<'py>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'py, PyAny>> {
    let export = StreamExport {
        schema,
        batches: Mutex::new(Some(batches)),
    };
    py.import("pyarrow")?
        .call_method1("table", (Bound::new(py, export)?,))
}

/// A `pyarrow.RecordBatch` of `batch`.
pub fn record_batch<'py>(py: Python<'py>, batch: RecordBatch) -> PyResult<Bound<'py, PyAny>> {
    let export = BatchExport {
        batch: Mutex::new(Some(vec![batch])),
    };
    py.import("pyarrow")?
        .call_method1("record_batch", (Bound::new(py, export)?,))
}

/// A `pyarrow.Schema` of `schema`.
pub fn schema<'py>(py: Python<'py>, schema: SchemaRef) -> PyResult<Bound<'py, PyAny>> {
    table(py, Arc::clone(&schema), Vec::new())?.getattr("schema")
}
