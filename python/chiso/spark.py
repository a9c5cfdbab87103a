"""A row-local rule set over a Spark DataFrame, partition by partition, with ``mapInArrow``.

    from chiso import spark as chiso_spark
    findings = chiso_spark.findings(df, "rules/it-staffing")          # a DataFrame of findings
    values = chiso_spark.values(df, "rules/it-staffing")              # one row per unit

How it runs: the rule set's files (``.chiso`` and ``.rhai``) are read on the driver and
shipped as text inside the task closure; each Python worker writes them to a temporary
folder and compiles them once (cached for the life of the worker, so once per executor
process with Spark's default worker reuse); each partition's Arrow batches go through
``RuleSet.validate_batches``, the library's stream: memory per task is bounded by the
batch size (``spark.sql.execution.arrow.maxRecordsPerBatch``), not by the partition.

What it cannot do: a rule set whose values compare units with each other (``normalise``,
``rank of``, ``rescaled by``, declared ranks) needs every unit at once; it raises
``chiso.CohortError`` on the driver before any job runs. Evaluate such a rule set with
``RuleSet.evaluate`` on the collected data (a national cohort is 63 provinces, not
millions of rows). A unit appearing twice is refused within a partition (the task fails
with ``chiso.DataError``); across partitions it is not checked — repartition by the unit
key first if duplicates are possible. ``extends`` of a rule set outside its folder is not
shipped.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, Tuple, Union

from ._chiso import CohortError, DataError, RuleSet

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow
    from pyspark.sql import DataFrame

__all__ = ["findings", "values", "ship"]

#: A rule set as shipped to executors: (file name, text) pairs.
Shipped = Tuple[Tuple[str, str], ...]

_SUFFIXES = (".chiso", ".rhai")


def ship(rules: Union[str, "os.PathLike[str]", Dict[str, str]]) -> Shipped:
    """The files of a rule set as (name, text) pairs: a ``.chiso`` file with the ``.rhai``
    scripts beside it, the ``.chiso`` and ``.rhai`` files of a folder, or a dict of
    ``{file name: text}`` given directly."""
    if isinstance(rules, dict):
        return tuple(sorted((str(k), str(v)) for k, v in rules.items()))
    path = Path(rules)
    if path.is_file():
        folder, names = path.parent, [path.name]
        names += [p.name for p in folder.iterdir() if p.suffix == ".rhai"]
    elif path.is_dir():
        folder = path
        names = [p.name for p in path.iterdir() if p.is_file() and p.suffix in _SUFFIXES]
    else:
        # Let the library say what is wrong with the path, as the CLI does.
        RuleSet.load(path)
        raise FileNotFoundError(path)  # pragma: no cover
    return tuple(sorted((n, (folder / n).read_text(encoding="utf-8")) for n in set(names)))


_compiled: Dict[str, RuleSet] = {}
_lock = threading.Lock()


def _key(shipped: Shipped) -> str:
    digest = hashlib.sha256()
    for name, text in shipped:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def compiled(shipped: Shipped) -> RuleSet:
    """The rule set of ``shipped``, compiled once per Python process."""
    key = _key(shipped)
    with _lock:
        rules = _compiled.get(key)
        if rules is None:
            folder = Path(tempfile.mkdtemp(prefix="chiso-rules-"))
            for name, text in shipped:
                (folder / name).write_text(text, encoding="utf-8")
            rules = RuleSet.load(folder)
            _compiled[key] = rules
        return rules


def _prepare(df: "DataFrame", rules) -> Tuple[Shipped, RuleSet, "DataFrame"]:
    # A bad rule file raises RuleError here, on the driver, before any job runs.
    rule_set = RuleSet.load(rules) if not isinstance(rules, dict) else None
    shipped = ship(rules)
    if rule_set is None:
        rule_set = compiled(shipped)
    cohort = rule_set.cohort_operations
    if cohort:
        raise CohortError(
            "the rule set compares units with each other ("
            + ", ".join(cohort)
            + "): Spark evaluates each partition on its own, so normalise, rank and rescaled "
            "cannot run there; collect the data and use RuleSet.evaluate"
        )
    if rule_set.unit_key not in df.columns:
        raise DataError(
            "spark: no column `%s` naming the units (the columns are %s)"
            % (rule_set.unit_key, ", ".join("`%s`" % c for c in df.columns))
        )
    compiled(shipped)  # what the executors compile: `extends` outside the folder fails here
    read = [rule_set.unit_key] + [f for f in rule_set.fields if f in df.columns and f != rule_set.unit_key]
    return shipped, rule_set, df.select(*read)


def _spark_schema(schema: "pyarrow.Schema"):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def findings(
    df: "DataFrame",
    rules,
    *,
    findings: str = "all",
    floats: str = "whole",
) -> "DataFrame":
    """The findings of a row-local rule set over ``df``: a DataFrame with the columns of
    ``RuleSet.findings_schema()`` (rule, title, unit, status, severity, message,
    evidence as JSON text, cite). ``rules`` is a rule-set path or ``{file name: text}``;
    ``findings="failing"`` keeps only fail and error; ``floats`` as in
    ``RuleSet.evaluate``. Only the unit key and the fields the rule set reads are sent
    to Python."""
    shipped, _, selected = _prepare(df, rules)
    keep = findings

    def run(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        rule_set = compiled(shipped)
        yield from rule_set.validate_batches(batches, findings=keep, floats=floats, source="spark")

    return selected.mapInArrow(run, _spark_schema(RuleSet.findings_schema()))


def values(
    df: "DataFrame",
    rules,
    *,
    values: str = "declared",
    floats: str = "whole",
) -> "DataFrame":
    """The values of a row-local rule set over ``df``, one row per unit: ``unit`` then
    each indicator and score (``values="all"``: the inputs too); numbers are exact
    decimal text (cast them to ``DecimalType(38, s)`` as needed), true/false values are
    booleans. A value that could not be computed is null; the findings say why."""
    shipped, rule_set, selected = _prepare(df, rules)
    which = values
    if which not in ("declared", "all"):
        raise ValueError('values must be "declared" or "all", not %r' % (which,))

    def run(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        rule_set = compiled(shipped)
        for _, unit_values in rule_set.validate_batches(
            batches, findings="failing", values=which, floats=floats, source="spark"
        ):
            yield unit_values

    return selected.mapInArrow(run, _spark_schema(rule_set.values_schema(which)))
