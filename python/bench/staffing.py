"""Generated IT-staffing submissions for rules/it-staffing, as an Arrow table: the same
rows for a given size and seed, with a realistic mix of passes, failures, missing counts
(errors) and rules that do not apply (skips)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS = [
    "staff_total",
    "it_qualified_staff",
    "it_dedicated_staff",
    "it_dedicated_with_degree",
    "infosec_staff",
    "staff_trained_infosec",
]


def table(rows: int, seed: int = 2020, start: int = 0, chunk: int = 100_000) -> pa.Table:
    """``rows`` agencies named ``agency 0000000`` … (from ``start``), built ``chunk`` rows
    at a time so that the temporaries stay small beside the table."""
    chunks = [
        _chunk(min(chunk, rows - offset), seed, start + offset) for offset in range(0, rows, chunk)
    ]
    if not chunks:
        return _chunk(0, seed, start)
    return pa.concat_tables(chunks)


def _chunk(rows: int, seed: int, start: int) -> pa.Table:
    rng = np.random.default_rng(seed + start)
    staff_total = rng.integers(5, 400, rows)
    it_qualified = rng.integers(0, 12, rows)
    dedicated = rng.integers(0, 6, rows)
    # Most agencies meet the targets; about one in ten misses each of them.
    misses = lambda share: rng.random(rows) < share  # noqa: E731
    with_degree = np.where(misses(0.1), np.maximum(dedicated - 1, 0), dedicated)
    infosec = np.where(misses(0.1), 0, rng.integers(1, 3, rows))
    trained = np.where(misses(0.1), staff_total // 2, staff_total)
    # About 1 in 200 records has a count the consistency rule refuses.
    inconsistent = rng.random(rows) < 0.005
    it_qualified = np.where(inconsistent, staff_total + 1, it_qualified)
    # About 1 in 100 has no infosec count: its findings are `error`, never a pass.
    missing = rng.random(rows) < 0.01
    numbers = pc.cast(pa.array(np.arange(start, start + rows, dtype=np.int64)), pa.string())
    units = pc.binary_join_element_wise("agency ", pc.utf8_lpad(numbers, 7, "0"), "")
    return pa.table(
        {
            "unit": units,
            "staff_total": pa.array(staff_total, pa.int64()),
            "it_qualified_staff": pa.array(it_qualified, pa.int64()),
            "it_dedicated_staff": pa.array(dedicated, pa.int64()),
            "it_dedicated_with_degree": pa.array(with_degree, pa.int64()),
            "infosec_staff": pa.array(infosec, pa.int64(), mask=missing),
            "staff_trained_infosec": pa.array(trained, pa.int64()),
        }
    )


def write_csv(t: pa.Table, path: str) -> None:
    """The table as a CSV file the CLI reads (a missing count is an empty cell)."""
    import pyarrow.csv as csv

    csv.write_csv(t, path, csv.WriteOptions(quoting_style="needed"))
