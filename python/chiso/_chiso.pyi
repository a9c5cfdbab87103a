"""Type stubs of the native module `chiso._chiso` (re-exported by `chiso`)."""

import os
from typing import Any, Dict, Generic, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Tuple, TypeVar, Union, overload

import pyarrow

#: What `RuleSet.evaluate` reads: a list (or tuple) of dicts, a pandas or polars
#: DataFrame, or Arrow data (pyarrow Table, RecordBatch, RecordBatchReader, any object
#: with `__arrow_c_stream__` or `__arrow_c_array__`).
Data = Union[Sequence[Mapping[str, Any]], Any]
Floats = Literal["whole", "shortest"]

class ChisoError(Exception):
    """The base of chiso's errors."""

class RuleError(ChisoError):
    """A rule set cannot be loaded. `str(error)` is what `chiso check` prints."""

    diagnostics: List["Diagnostic"]

class DataError(ChisoError):
    """The data cannot be used at all: no unit column, a unit twice, a value of a type
    chiso does not read (a float that is not whole, a set…). `str(error)` is the CLI's
    message after `error:`."""

class EvaluationError(ChisoError):
    """Raised by `evaluate` (unless `strict=False`) when the run could not decide
    everything — what makes `chiso run` exit 1 besides a failed rule: a finding is
    `error` (missing or invalid data, a hook stopped by its sandbox) or a value could not
    be computed for a unit a rule applies to. The text lists `rule, unit: message` for
    each undecided finding and `unit, value: reason` for each value not computed, with
    the CLI's messages (at most 20 lines; the attributes have them all)."""

    #: The whole report, as `evaluate(..., strict=False)` returns it.
    report: "Report"
    #: The undecided findings, as in `report.to_dict()["findings"]`.
    findings: List[Dict[str, Any]]
    #: The values not computed: `{"unit": …, "value": …, "message": …}`, as in the
    #: report's `units[…]["errors"]`.
    value_errors: List[Dict[str, str]]

class CohortError(ChisoError):
    """The rule set compares units with each other (normalise, rank, rescaled), so it
    cannot be streamed or run partition by partition."""

class Diagnostic:
    """One problem found in a rule file."""

    level: Literal["error", "warning"]
    message: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    label: str
    help: List[str]
    #: The diagnostic as `chiso check` prints it: file:line:column, source line, caret.
    rendered: str

class RuleSet:
    """A compiled rule set: load once, evaluate many datasets; shareable between threads."""

    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "RuleSet":
        """A `.chiso` file or a folder of them; raises `RuleError`."""

    @staticmethod
    def from_text(name: str, text: str) -> "RuleSet":
        """One rule file's text; `name` is shown in diagnostics. Raises `RuleError`."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def unit_key(self) -> str:
        """The field naming each unit (`"unit"` unless the rule set says otherwise)."""
    @property
    def fields(self) -> List[str]:
        """The data fields the inputs are read from."""
    @property
    def rules(self) -> List[str]:
        """The rule ids, in order."""
    @property
    def warnings(self) -> List[Diagnostic]: ...
    @property
    def cohort_operations(self) -> List[str]:
        """What compares units with each other; empty for a row-local rule set."""

    def evaluate(
        self,
        data: Data,
        *,
        floats: Floats = "whole",
        strict: bool = True,
        source: str = "data",
    ) -> "Report":
        """Evaluates `data` and returns the report (the GIL is released meanwhile).

        `floats="whole"` reads whole floats exactly (NaN is missing) and refuses any
        other float with `DataError`; `"shortest"` reads each float as its shortest
        decimal. A run that could not decide everything (an `error` finding, a value not
        computed for a unit a rule applies to) raises `EvaluationError`, whose `report`
        is the whole report; `strict=False` returns the report instead. Failed rules never
        raise. `source` names the data in messages (the CLI names the file). Raises
        `DataError` for unusable data (the CLI's exit 2), `TypeError` for an object that
        is not data."""

    @overload
    def validate_batches(
        self,
        batches: Iterable[Any],
        *,
        findings: Literal["all", "failing"] = "all",
        values: Literal["none"] = "none",
        floats: Floats = "whole",
        source: str = "arrow",
    ) -> "BatchValidator[pyarrow.RecordBatch]": ...
    @overload
    def validate_batches(
        self,
        batches: Iterable[Any],
        *,
        findings: Literal["all", "failing"] = "all",
        values: Literal["declared", "all"],
        floats: Floats = "whole",
        source: str = "arrow",
    ) -> "BatchValidator[Tuple[pyarrow.RecordBatch, pyarrow.RecordBatch]]": ...
    def validate_batches(self, batches: Iterable[Any], **options: Any) -> "BatchValidator[Any]":
        """Decides a row-local rule set over Arrow batches, one at a time, in bounded
        memory: one findings batch per batch in (with `values`, `(findings, values)`
        pairs). Undecided findings are rows with status `error` (counted in `summary`),
        not exceptions. Raises `CohortError` for a rule set comparing units; iteration
        raises `DataError` for a unit appearing twice (in any batches) or an unreadable
        batch."""

    @staticmethod
    def findings_schema() -> pyarrow.Schema:
        """rule, title, unit, status, severity, message, evidence (JSON text), cite."""

    def values_schema(self, values: Literal["declared", "all"] = "declared") -> pyarrow.Schema:
        """unit, then one column per value: numbers as exact decimal text, bool as bool."""

class Report:
    """The report of one evaluation."""

    def to_json(self) -> str:
        """Exactly what `chiso run --format json` writes."""
    def to_dict(self) -> Dict[str, Any]:
        """The JSON report as Python objects; fractional numbers are `decimal.Decimal`."""
    def to_text(self) -> str:
        """The report as `chiso run` prints it."""
    @property
    def findings(self) -> pyarrow.Table:
        """One row per finding, in report order (`RuleSet.findings_schema()`)."""
    @property
    def values(self) -> pyarrow.Table:
        """One row per unit: `unit`, each value (numbers as exact `decimal128(38, s)`),
        each declared rank as `rank.<name>`."""
    @property
    def summary(self) -> Dict[str, int]: ...
    @property
    def has_errors(self) -> bool:
        """`chiso run` would exit 1: an error-severity finding failed, a finding could not
        be decided, or a value could not be computed for a unit a rule applies to."""

_T = TypeVar("_T")

class BatchValidator(Iterator[_T], Generic[_T]):
    """The iterator `RuleSet.validate_batches` returns."""

    def __iter__(self) -> "BatchValidator[_T]": ...
    def __next__(self) -> _T: ...
    @property
    def summary(self) -> Dict[str, int]:
        """Counts over every finding decided so far."""
    @property
    def rows(self) -> int:
        """Rows read so far."""
