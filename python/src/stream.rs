//! `RuleSet.validate_batches`: an iterator of record batches in, findings batches out,
//! through the library's stream (bounded memory; a unit twice in any batches is refused).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use arrow_array::RecordBatch;
use chiso::arrow::{ArrowOptions, ArrowStream};
use chiso::stream::StreamOptions;
use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;

use crate::{ffi, summary_dict};

/// The batches waiting to be decided; the library's stream pulls them one at a time.
#[derive(Clone, Default)]
pub struct Queue(Arc<Mutex<VecDeque<RecordBatch>>>);

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<RecordBatch>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Iterator for Queue {
    type Item = RecordBatch;

    fn next(&mut self) -> Option<RecordBatch> {
        self.lock().pop_front()
    }
}

type Stream<'a> = ArrowStream<'a, Queue>;

self_cell::self_cell!(
    /// The compiled rule set and the stream that borrows it.
    struct Owned {
        owner: Arc<chiso::RuleSet>,
        #[covariant]
        dependent: Stream,
    }
);

/// The findings of a stream of record batches: one `pyarrow.RecordBatch` of findings per
/// batch in (with `values`, a `(findings, values)` pair). `summary` counts every finding
/// decided so far.
#[pyclass(module = "chiso._chiso", name = "BatchValidator")]
pub struct BatchValidator {
    owned: Owned,
    queue: Queue,
    source: Py<PyAny>,
    pending: Mutex<Option<crate::ffi::Imported>>,
    with_values: bool,
    finished: bool,
}

impl BatchValidator {
    /// A validator over the Python iterable `batches`.
    pub fn new(
        py: Python<'_>,
        rules: Arc<chiso::RuleSet>,
        batches: &Bound<'_, PyAny>,
        options: StreamOptions,
        arrow: ArrowOptions,
    ) -> PyResult<Self> {
        let queue = Queue::default();
        let feed = queue.clone();
        let owned = Owned::try_new(rules, |rules| rules.validate_batches(feed, options, arrow))
            .map_err(|e| crate::CohortError::new_err(e.to_string()))?;
        let source = batches.try_iter()?.into_any().unbind();
        let _ = py;
        Ok(BatchValidator {
            owned,
            queue,
            source,
            pending: Mutex::new(None),
            with_values: options.values != chiso::stream::ValueFilter::None,
            finished: false,
        })
    }

    /// The next batch in: from the table being read, else from the Python iterator.
    fn next_batch(&mut self, py: Python<'_>) -> PyResult<Option<RecordBatch>> {
        let pending = self
            .pending
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            if let Some(imported) = pending.as_mut() {
                match imported.next() {
                    Some(batch) => return batch.map(Some).map_err(ffi::arrow_error),
                    None => *pending = None,
                }
            }
            let source = self.source.bind(py);
            match source.call_method0("__next__") {
                Ok(item) => *pending = Some(ffi::import(&item)?),
                Err(e) if e.is_instance_of::<PyStopIteration>(py) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
    }
}

#[pymethods]
impl BatchValidator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        if self.finished {
            return Ok(None);
        }
        let Some(batch) = self.next_batch(py)? else {
            self.finished = true;
            // The end of the batches: the library's stream, pulled once more with nothing
            // queued, checks the units it kept on disk (a unit given twice far apart).
            let owned = &mut self.owned;
            let last = py.detach(|| owned.with_dependent_mut(|_, stream| stream.next()));
            if let Some(Err(e)) = last {
                return Err(crate::data_error(&e));
            }
            return Ok(None);
        };
        self.queue.lock().push_back(batch);
        let owned = &mut self.owned;
        let result = py.detach(|| owned.with_dependent_mut(|_, stream| stream.next()));
        let validated = match result {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                self.finished = true;
                return Err(crate::data_error(&e));
            }
            None => {
                self.finished = true;
                return Ok(None);
            }
        };
        let findings = ffi::record_batch(py, validated.findings)?;
        match (self.with_values, validated.values) {
            (true, Some(values)) => {
                let values = ffi::record_batch(py, values)?;
                Ok(Some(
                    pyo3::types::PyTuple::new(py, [findings, values])?.into_any(),
                ))
            }
            _ => Ok(Some(findings)),
        }
    }

    /// Counts over every finding decided so far (kept or not), as the JSON report's
    /// `summary`.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        summary_dict(py, self.owned.borrow_dependent().summary())
    }

    /// The rows read so far.
    #[getter]
    fn rows(&self) -> usize {
        self.owned.borrow_dependent().rows()
    }
}
