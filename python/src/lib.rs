//! `chiso._chiso`: the Python face of the chiso library. A thin layer: rule sets are
//! loaded, checked, compiled and evaluated by the library, data cross as Arrow (C data
//! interface) or as exact JSON values, reports come back as the CLI's JSON and as Arrow
//! tables. The GIL is released while the library works.

mod convert;
mod ffi;
mod stream;

use std::path::PathBuf;
use std::sync::Arc;

use chiso::arrow::{ArrowOptions, FloatRule};
use chiso::stream::{FindingFilter, StreamOptions, ValueFilter};
use chiso::{Dataset, LoadError};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

/// mimalloc instead of the system allocator: findings are millions of small strings built
/// and dropped batch by batch, which glibc's allocator spends a third of the time on.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    chiso,
    ChisoError,
    PyException,
    "The base of chiso's errors."
);
create_exception!(
    chiso,
    RuleError,
    ChisoError,
    "A rule set cannot be loaded: `diagnostics` lists each problem (file, line, column, message); the text is what `chiso check` prints."
);
create_exception!(
    chiso,
    DataError,
    ChisoError,
    "The data cannot be used at all (no unit column, a unit twice, a value of a type chiso does not read); the text is what `chiso run` prints after `error:`."
);
create_exception!(
    chiso,
    EvaluationError,
    ChisoError,
    "The run could not decide everything (`chiso run` exits 1 for it): a finding is `error` (missing or invalid data, a hook stopped by its sandbox) or a value could not be computed for a unit a rule applies to. The text lists each with the CLI's message; `report` holds the whole report, `findings` the undecided findings, `value_errors` the values not computed. `evaluate(..., strict=False)` returns the report instead."
);
create_exception!(
    chiso,
    CohortError,
    ChisoError,
    "The rule set compares units with each other (normalise, rank, rescaled): it needs every unit at once, so it cannot be streamed or run batch by batch."
);

/// One problem found in a rule file.
#[pyclass(module = "chiso._chiso", frozen, get_all)]
struct Diagnostic {
    /// `"error"` or `"warning"`.
    level: String,
    /// What is wrong (lowercase, names in backticks).
    message: String,
    /// The file, when the problem has a place.
    file: Option<String>,
    /// 1-based line.
    line: Option<usize>,
    /// 1-based column.
    column: Option<usize>,
    /// The text under the caret.
    label: String,
    /// What to do about it.
    help: Vec<String>,
    /// The whole diagnostic as `chiso check` prints it (file:line:column, source line, caret).
    rendered: String,
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => {
                format!("<Diagnostic {}: {f}:{l}:{c}: {}>", self.level, self.message)
            }
            _ => format!("<Diagnostic {}: {}>", self.level, self.message),
        }
    }

    fn __str__(&self) -> String {
        self.rendered.clone()
    }
}

impl Diagnostic {
    fn of(d: &chiso::Diagnostic) -> Self {
        let (file, line, column) = match &d.loc {
            Some(loc) => {
                let (line, column) = loc.line_col();
                (Some(loc.source.name.clone()), Some(line), Some(column))
            }
            None => (None, None, None),
        };
        Diagnostic {
            level: if d.is_error() { "error" } else { "warning" }.to_string(),
            message: d.message.clone(),
            file,
            line,
            column,
            label: d.label.clone(),
            help: d.help.clone(),
            rendered: d.render(),
        }
    }
}

/// A `RuleError` carrying the diagnostics; its text is what the CLI prints.
fn rule_error(py: Python<'_>, e: &LoadError) -> PyErr {
    let (text, diagnostics) = match e {
        LoadError::Invalid { diagnostics } => (
            e.to_string(),
            diagnostics.iter().map(Diagnostic::of).collect::<Vec<_>>(),
        ),
        other => {
            let path = match other {
                LoadError::Io { path, .. } | LoadError::NoRuleFiles { path } => {
                    Some(path.display().to_string())
                }
                LoadError::Invalid { .. } => None,
            };
            let message = other.to_string();
            let rendered = format!("error: {message}\n");
            (
                rendered.clone(),
                vec![Diagnostic {
                    level: "error".into(),
                    message,
                    file: path,
                    line: None,
                    column: None,
                    label: String::new(),
                    help: Vec::new(),
                    rendered,
                }],
            )
        }
    };
    let err = RuleError::new_err(text.trim_end().to_string());
    let attached =
        PyList::new(py, diagnostics).and_then(|list| err.value(py).setattr("diagnostics", list));
    match attached {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// A `DataError` with the library's message (the CLI's, after `error:`).
fn data_error(e: &chiso::DataError) -> PyErr {
    let mut message = e.to_string();
    if message.ends_with("opt in to reading floats as their shortest decimal") {
        message.push_str(" (floats=\"shortest\")");
    }
    DataError::new_err(message)
}

/// The summary as a dict with the report's keys.
fn summary_dict<'py>(
    py: Python<'py>,
    summary: &chiso::report::Summary,
) -> PyResult<Bound<'py, PyAny>> {
    json_to_python(py, &serde_json::to_string(summary).map_err(json_error)?)
}

fn json_error(e: serde_json::Error) -> PyErr {
    PyValueError::new_err(format!("cannot write the report as JSON: {e}"))
}

/// JSON text → Python objects, numbers with a fraction as `decimal.Decimal`.
fn json_to_python<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let json = py.import("json")?;
    let decimal = py.import("decimal")?.getattr("Decimal")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("parse_float", decimal)?;
    json.call_method("loads", (text,), Some(&kwargs))
}

fn float_rule(floats: &str) -> PyResult<FloatRule> {
    match floats {
        "whole" => Ok(FloatRule::WholeOnly),
        "shortest" => Ok(FloatRule::Shortest),
        other => Err(PyValueError::new_err(format!(
            "floats must be \"whole\" or \"shortest\", not {other:?}"
        ))),
    }
}

fn stream_options(findings: &str, values: &str) -> PyResult<StreamOptions> {
    let findings = match findings {
        "all" => FindingFilter::All,
        "failing" => FindingFilter::Failing,
        other => {
            return Err(PyValueError::new_err(format!(
                "findings must be \"all\" or \"failing\", not {other:?}"
            )));
        }
    };
    let values = value_filter(values)?;
    Ok(StreamOptions { findings, values })
}

fn value_filter(values: &str) -> PyResult<ValueFilter> {
    match values {
        "none" => Ok(ValueFilter::None),
        "declared" => Ok(ValueFilter::Declared),
        "all" => Ok(ValueFilter::All),
        other => Err(PyValueError::new_err(format!(
            "values must be \"none\", \"declared\" or \"all\", not {other:?}"
        ))),
    }
}

/// A compiled rule set: load it once, evaluate many datasets. Immutable and shareable
/// between threads.
#[pyclass(module = "chiso._chiso", frozen)]
struct RuleSet {
    inner: Arc<chiso::RuleSet>,
}

/// What `evaluate` was given, read into a dataset.
enum Input {
    Records(Vec<serde_json::Value>),
    Arrow(ffi::Imported),
}

impl RuleSet {
    /// The data as the library's input: Arrow when it speaks the PyCapsule protocol (or is
    /// a pandas DataFrame, converted by pyarrow), else a list of dicts.
    fn input(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        floats: FloatRule,
        source: &str,
    ) -> PyResult<Input> {
        if ffi::is_arrow(data)? {
            return Ok(Input::Arrow(ffi::import(data)?));
        }
        let module = data
            .get_type()
            .getattr("__module__")
            .and_then(|m| m.extract::<String>())
            .unwrap_or_default();
        if module.starts_with("pandas") && data.hasattr("columns")? {
            let kwargs = PyDict::new(py);
            kwargs.set_item("preserve_index", false)?;
            let table = py
                .import("pyarrow")?
                .getattr("Table")?
                .call_method("from_pandas", (data,), Some(&kwargs))
                .map_err(|e| {
                    DataError::new_err(format!(
                        "{source}: pyarrow cannot convert the DataFrame to Arrow: {e}"
                    ))
                })?;
            return Ok(Input::Arrow(ffi::import(&table)?));
        }
        if module.starts_with("polars") && data.hasattr("to_arrow")? {
            let table = data.call_method0("to_arrow")?;
            return Ok(Input::Arrow(ffi::import(&table)?));
        }
        if data.is_instance_of::<PyList>() || data.is_instance_of::<PyTuple>() {
            return match convert::records(py, data, source, floats)? {
                Ok(records) => Ok(Input::Records(records)),
                Err(refused) => Err(data_error(&chiso::DataError::Record {
                    origin: refused.origin,
                    message: refused.message,
                })),
            };
        }
        let kind = data.get_type().name()?;
        Err(PyTypeError::new_err(format!(
            "cannot evaluate a `{kind}`: give a list of dicts, a pandas or polars DataFrame, or Arrow data (a pyarrow Table or RecordBatch, any object with `__arrow_c_stream__`)"
        )))
    }

    /// The data of a call and the Arrow options it is read with (`floats`, `source`).
    fn read(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        floats: &str,
        source: &str,
    ) -> PyResult<(Input, ArrowOptions)> {
        let floats = float_rule(floats)?;
        let input = self.input(py, data, floats, source)?;
        let options = ArrowOptions {
            source: source.to_string(),
            floats,
            ..self.inner.arrow_options()
        };
        Ok((input, options))
    }

    /// Reads the input into a dataset (without the GIL for Arrow).
    fn dataset(&self, input: Input, options: &ArrowOptions) -> Result<Dataset, PyErr> {
        let data = match input {
            Input::Records(records) => Dataset::from_values(&options.source, records, &options.key)
                .map_err(|e| data_error(&e))?,
            Input::Arrow(imported) => {
                let batches = imported
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(ffi::arrow_error)?;
                Dataset::from_arrow(&batches, options).map_err(|e| data_error(&e))?
            }
        };
        if data.records.is_empty() {
            return Err(data_error(&chiso::DataError::NoUnits {
                file: options.source.clone(),
                detail: "the data holds no records (a unit is a record naming it)".into(),
            }));
        }
        Ok(data)
    }
}

#[pymethods]
impl RuleSet {
    /// Loads a rule set from a `.chiso` file or a folder of them (as `chiso run --rules`).
    /// Raises `RuleError` with the diagnostics when it does not compile.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let loaded = py.detach(|| chiso::RuleSet::load(&path));
        match loaded {
            Ok(rules) => Ok(RuleSet {
                inner: Arc::new(rules),
            }),
            Err(e) => Err(rule_error(py, &e)),
        }
    }

    /// Compiles a rule set from one rule file's text; `name` is the file name shown in
    /// diagnostics (hook scripts are found relative to it). Raises `RuleError`.
    #[staticmethod]
    fn from_text(py: Python<'_>, name: &str, text: &str) -> PyResult<Self> {
        let loaded = py.detach(|| chiso::RuleSet::from_text(name, text));
        match loaded {
            Ok(rules) => Ok(RuleSet {
                inner: Arc::new(rules),
            }),
            Err(e) => Err(rule_error(py, &e)),
        }
    }

    /// The methodology's name.
    #[getter]
    fn name(&self) -> String {
        self.inner.methodology().name.clone()
    }

    /// The methodology's version (a year, usually).
    #[getter]
    fn version(&self) -> String {
        self.inner.methodology().version.clone()
    }

    /// The data field naming each unit (`"unit"` unless the rule set says otherwise).
    #[getter]
    fn unit_key(&self) -> String {
        self.inner.unit_key().to_string()
    }

    /// The data fields the rule set reads (its inputs), besides the unit key.
    #[getter]
    fn fields(&self) -> Vec<String> {
        self.inner
            .program()
            .inputs
            .iter()
            .map(|i| i.field.clone())
            .collect()
    }

    /// The rule ids, in order.
    #[getter]
    fn rules(&self) -> Vec<String> {
        self.inner
            .program()
            .rules
            .iter()
            .map(|r| r.id.to_string())
            .collect()
    }

    /// Warnings the checker found (the rule set is usable).
    #[getter]
    fn warnings(&self) -> Vec<Diagnostic> {
        self.inner.warnings().iter().map(Diagnostic::of).collect()
    }

    /// The values and rules that compare units with each other (normalise, rank,
    /// rescaled); empty for a row-local rule set, which can be streamed and run on Spark.
    #[getter]
    fn cohort_operations(&self) -> Vec<String> {
        chiso::stream::cohort_operations(self.inner.program())
    }

    /// Evaluates a dataset: a list of dicts, a pandas or polars DataFrame, or Arrow data
    /// (pyarrow Table / RecordBatch / RecordBatchReader, any object with
    /// `__arrow_c_stream__`). Returns the `Report`.
    ///
    /// `floats`: `"whole"` (default) reads whole floats exactly and refuses others;
    /// `"shortest"` reads each float as its shortest decimal. When the run could not
    /// decide everything (a finding is `error`, or a value could not be computed for a
    /// unit a rule applies to: what makes `chiso run` exit 1 besides a failed rule) it
    /// raises `EvaluationError`, which carries the report; `strict=False` returns the
    /// report instead. Failed rules never raise: they are the report's verdict.
    #[pyo3(signature = (data, *, floats="whole", strict=true, source="data"))]
    fn evaluate(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        floats: &str,
        strict: bool,
        source: &str,
    ) -> PyResult<Report> {
        let (input, options) = self.read(py, data, floats, source)?;
        let rules = Arc::clone(&self.inner);
        let report = py.detach(|| -> PyResult<chiso::Report> {
            let data = self.dataset(input, &options)?;
            Ok(rules.evaluate(&data))
        })?;
        let report = Report {
            inner: Arc::new(report),
        };
        if strict && let Some(e) = report.undecided(py)? {
            return Err(e);
        }
        Ok(report)
    }

    /// Decides and counts every finding and lists the failing ones (`fail` and `error`)
    /// by rule and row, without their messages: the fast path for "which rows fail
    /// which rule" over large data. Returns a dict: `summary` (as the report's),
    /// `notes`, and `findings`, a list of `{"rule", "row", "status"}` with `row` the
    /// position in the data given (a DataFrame's `iloc`). Arrow data of integer columns
    /// goes straight into chiso's typed core. `evaluate(...)` gives the same findings
    /// with their words.
    #[pyo3(signature = (data, *, floats="whole", source="data"))]
    fn decide_failing<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        floats: &str,
        source: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (input, options) = self.read(py, data, floats, source)?;
        let rules = Arc::clone(&self.inner);
        let lean = py.detach(|| -> PyResult<chiso::report::lean::LeanReport> {
            match input {
                Input::Arrow(imported) => {
                    let batches = imported
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(ffi::arrow_error)?;
                    if batches.iter().all(|b| b.num_rows() == 0) {
                        return Err(data_error(&chiso::DataError::NoUnits {
                            file: options.source.clone(),
                            detail: "the data holds no records (a unit is a record naming it)"
                                .into(),
                        }));
                    }
                    rules
                        .decide_failing_batches(&batches, &options)
                        .map_err(|e| data_error(&e))
                }
                records => Ok(rules.decide_failing(&self.dataset(records, &options)?)),
            }
        })?;
        let program = self.inner.program();
        let findings: Vec<serde_json::Value> = lean
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "rule": program.rules.get(f.rule).map(|r| r.id.as_ref()),
                    "row": f.unit,
                    "status": f.status,
                })
            })
            .collect();
        let out = serde_json::json!({
            "summary": lean.summary,
            "notes": lean.notes,
            "findings": findings,
        });
        json_to_python(py, &out.to_string())
    }

    /// Decides a row-local rule set over an iterable of Arrow batches (pyarrow
    /// RecordBatches or Tables, any objects with `__arrow_c_stream__`), one batch at a
    /// time in bounded memory: yields one `pyarrow.RecordBatch` of findings per batch in,
    /// or `(findings, values)` pairs when `values` is `"declared"` or `"all"`. `findings`:
    /// `"all"` or `"failing"` (fail and error). Undecided findings are rows with status
    /// `error`, not exceptions (the findings are the output). Raises `CohortError` for a
    /// rule set that compares units, `DataError` for a unit appearing twice or a batch it
    /// cannot read.
    #[pyo3(signature = (batches, *, findings="all", values="none", floats="whole", source="arrow"))]
    fn validate_batches(
        &self,
        py: Python<'_>,
        batches: &Bound<'_, PyAny>,
        findings: &str,
        values: &str,
        floats: &str,
        source: &str,
    ) -> PyResult<stream::BatchValidator> {
        let options = stream_options(findings, values)?;
        let arrow = ArrowOptions {
            source: source.to_string(),
            floats: float_rule(floats)?,
            ..self.inner.arrow_options()
        };
        stream::BatchValidator::new(py, Arc::clone(&self.inner), batches, options, arrow)
    }

    /// The schema of the findings batches (`rule`, `title`, `unit`, `status`, `severity`,
    /// `message`, `evidence` as JSON text, `cite`).
    #[staticmethod]
    fn findings_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        ffi::schema(py, chiso::arrow::findings_schema())
    }

    /// The schema of the values batches of `validate_batches(values=…)`: `unit`, then one
    /// column per value (numbers as exact decimal text, true/false as bool).
    #[pyo3(signature = (values="declared"))]
    fn values_schema<'py>(&self, py: Python<'py>, values: &str) -> PyResult<Bound<'py, PyAny>> {
        let filter = value_filter(values)?;
        ffi::schema(
            py,
            chiso::arrow::values_schema(self.inner.program(), filter),
        )
    }

    fn __repr__(&self) -> String {
        let m = self.inner.methodology();
        format!("<chiso.RuleSet {:?} version {}>", m.name, m.version)
    }
}

/// The report of one evaluation: the CLI's JSON report (`to_json`, `to_dict`) and its
/// findings and values as Arrow tables.
#[pyclass(module = "chiso._chiso", frozen)]
struct Report {
    inner: Arc<chiso::Report>,
}

/// Lines of the `EvaluationError` text shown before "… and N more".
const UNDECIDED_LINES: usize = 20;

impl Report {
    /// The `EvaluationError` of a run that could not decide everything, or `None`. Its
    /// text lists `rule, unit: message` for each undecided finding and `unit, value:
    /// reason` for each value not computed, with the CLI's messages.
    fn undecided(&self, py: Python<'_>) -> PyResult<Option<PyErr>> {
        let (findings, values) = self.inner.undecided();
        if findings.is_empty() && values.is_empty() {
            return Ok(None);
        }
        let mut text = Vec::new();
        let mut shown = 0;
        if !findings.is_empty() {
            text.push(format!(
                "{} could not be decided:",
                count(findings.len(), "finding", "findings")
            ));
            for f in findings.iter().take(UNDECIDED_LINES) {
                text.push(format!("  {}, {}: {}", f.rule, f.unit, f.message));
                shown += 1;
            }
            if findings.len() > shown {
                text.push(format!("  … and {} more", findings.len() - shown));
            }
        }
        if !values.is_empty() {
            text.push(format!(
                "{} could not be computed:",
                count(values.len(), "value", "values")
            ));
            let room = UNDECIDED_LINES.saturating_sub(shown).max(3);
            for (unit, name, reason) in values.iter().take(room) {
                text.push(format!("  {unit}, {name}: {reason}"));
            }
            if values.len() > room {
                text.push(format!("  … and {} more", values.len() - room));
            }
        }
        text.push(
            "(`chiso run` exits 1 for this; the error's `report` is the whole report, and evaluate(..., strict=False) returns it)"
                .to_string(),
        );
        let err = EvaluationError::new_err(text.join("\n"));
        let value = err.value(py);
        value.setattr(
            "report",
            Report {
                inner: Arc::clone(&self.inner),
            },
        )?;
        let as_python: Vec<Bound<'_, PyAny>> = findings
            .iter()
            .map(|f| json_to_python(py, &serde_json::to_string(f).map_err(json_error)?))
            .collect::<PyResult<_>>()?;
        value.setattr("findings", as_python)?;
        let value_errors = values
            .iter()
            .map(|(unit, name, reason)| {
                let item = PyDict::new(py);
                item.set_item("unit", unit)?;
                item.set_item("value", name)?;
                item.set_item("message", reason)?;
                Ok(item)
            })
            .collect::<PyResult<Vec<_>>>()?;
        value.setattr("value_errors", value_errors)?;
        Ok(Some(err))
    }
}

/// `1 finding`, `2 findings`.
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[pymethods]
impl Report {
    /// The report as JSON, exactly as `chiso run --format json` writes it (version 1 of
    /// the contract).
    fn to_json(&self) -> String {
        self.inner.to_json() + "\n"
    }

    /// The JSON report as Python objects: numbers with a fraction are `decimal.Decimal`
    /// (never floats), whole numbers `int`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_python(py, &self.inner.to_json())
    }

    /// The findings as a `pyarrow.Table` (`rule`, `title`, `unit`, `status`, `severity`,
    /// `message`, `evidence` as JSON text, `cite`), in report order.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let batch = py
            .detach(|| chiso::arrow::findings_batch(&self.inner.findings))
            .map_err(ffi::arrow_error)?;
        ffi::table(py, chiso::arrow::findings_schema(), vec![batch])
    }

    /// The values as a `pyarrow.Table`, one row per unit: `unit`, each indicator and score
    /// (numbers as `decimal128(38, s)`, exact), each declared rank as `rank.<name>`.
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let batch = py
            .detach(|| chiso::arrow::report_values_batch(&self.inner))
            .map_err(ffi::arrow_error)?;
        ffi::table(py, batch.schema(), vec![batch])
    }

    /// Counts over all findings: `units`, `rules`, `passed`, `failed`, `errors`,
    /// `skipped`, `failed_errors`.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        summary_dict(py, &self.inner.summary)
    }

    /// True when a finding of severity error failed, a finding could not be decided, or a
    /// value could not be computed for a unit a rule applies to (`chiso run` then exits
    /// 1). Only the last two make `evaluate` raise `EvaluationError`.
    #[getter]
    fn has_errors(&self) -> bool {
        self.inner.has_errors()
    }

    /// The report as text, as `chiso run` prints it.
    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    fn __repr__(&self) -> String {
        let s = &self.inner.summary;
        format!(
            "<chiso.Report {} units: {} passed, {} failed, {} errors, {} skipped>",
            s.units, s.passed, s.failed, s.errors, s.skipped
        )
    }
}

/// The native module.
#[pymodule]
fn _chiso(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<RuleSet>()?;
    m.add_class::<Report>()?;
    m.add_class::<Diagnostic>()?;
    m.add_class::<stream::BatchValidator>()?;
    m.add_class::<ffi::StreamExport>()?;
    m.add_class::<ffi::BatchExport>()?;
    m.add("ChisoError", py.get_type::<ChisoError>())?;
    m.add("RuleError", py.get_type::<RuleError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("EvaluationError", py.get_type::<EvaluationError>())?;
    m.add("CohortError", py.get_type::<CohortError>())?;
    Ok(())
}
