"""chiso from Python: scoring methodologies and compliance rules as rule files.

A thin layer over the Rust library: rule sets are loaded, checked, compiled and
evaluated by it; data cross as Arrow (the C data interface, no copy through Python
objects) or as exact values from a list of dicts; reports come back as the CLI's JSON
report and as Arrow tables. Decimals never become floats.

    import chiso
    rules = chiso.RuleSet.load("rules/it-staffing")
    report = rules.evaluate(df)          # pandas / polars DataFrame, pyarrow Table, list of dicts
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
