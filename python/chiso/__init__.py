"""chiso from Python: scoring methodologies and compliance rules as rule files.

A thin layer over the Rust library: rule sets are loaded, checked, compiled and
evaluated by it; data cross as Arrow (the C data interface, no copy through Python
objects) or as exact values from a list of dicts; reports come back as the CLI's JSON
report and as Arrow tables. Decimals never become floats.

    import chiso
    rules = chiso.RuleSet.load("rules/it-staffing")
    report = rules.evaluate(df)          # pandas / polars DataFrame, pyarrow Table, list of dicts

Errors are exceptions, with the CLI's messages: `RuleError` (a rule set that does not
compile), `DataError` (unusable data), `EvaluationError` (the run could not decide
everything: an undecided finding, such as a hook stopped by its sandbox, or a value not
computed; `evaluate(..., strict=False)` returns the report instead, and the exception's
`report` holds it). Failed rules are not errors: they are the report.
"""

from ._chiso import (
    BatchValidator,
    ChisoError,
    CohortError,
    DataError,
    Diagnostic,
    EvaluationError,
    Report,
    RuleError,
    RuleSet,
)

__all__ = [
    "BatchValidator",
    "ChisoError",
    "CohortError",
    "DataError",
    "Diagnostic",
    "EvaluationError",
    "Report",
    "RuleError",
    "RuleSet",
]
