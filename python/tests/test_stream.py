"""`validate_batches`: the library's stream over Arrow batches — the same findings as
`evaluate`, bounded memory over a million rows, clear errors."""

from __future__ import annotations

import decimal
import json
import os
import subprocess
import sys

import pyarrow as pa
import pytest

import chiso
import staffing as generated
from conftest import PYTHON, ROOT

STAFFING = ROOT / "rules" / "it-staffing"


@pytest.fixture(scope="module")
def rules():
    return chiso.RuleSet.load(STAFFING)


def test_batches_give_the_findings_of_evaluate(rules):
    table = generated.table(5_000)
    expected = rules.evaluate(table, strict=False)
    by_unit = {}
    for f in expected.to_dict()["findings"]:
        by_unit[(f["unit"], f["rule"])] = f
    validator = rules.validate_batches(table.to_batches(max_chunksize=1_000))
    seen = 0
    for findings in validator:
        assert isinstance(findings, pa.RecordBatch)
        assert findings.schema == chiso.RuleSet.findings_schema()
        for row in findings.to_pylist():
            f = by_unit[(row["unit"], row["rule"])]
            assert row["status"] == f["status"]
            assert row["message"] == f["message"]
            assert json.loads(row["evidence"], parse_float=decimal.Decimal) == f["evidence"]
            seen += 1
    assert seen == len(by_unit)
    assert validator.summary == expected.summary
    assert validator.rows == 5_000


def test_failing_findings_and_values_in_pairs(rules):
    table = generated.table(3_000)
    expected = rules.evaluate(table, strict=False)
    failing = [f for f in expected.to_dict()["findings"] if f["status"] in ("fail", "error")]
    kept = 0
    shares = {}
    for findings, values in rules.validate_batches([table], findings="failing", values="declared"):
        kept += findings.num_rows
        assert set(findings.column("status").to_pylist()) <= {"fail", "error"}
        assert values.schema == rules.values_schema("declared")
        for unit, share in zip(values.column("unit").to_pylist(), values.column("share_trained_infosec").to_pylist()):
            shares[unit] = share
    assert kept == len(failing)
    for unit in expected.to_dict()["units"]:
        share = unit["values"].get("share_trained_infosec")
        assert shares[unit["unit"]] == (None if share is None else str(share))


def test_a_unit_twice_across_batches_is_a_data_error(rules):
    first = generated.table(10)
    again = generated.table(1)
    validator = rules.validate_batches([first, again])
    assert next(validator).num_rows == 50
    with pytest.raises(chiso.DataError, match=r"arrow, row 10: unit `agency 0000000` appears twice \(first at arrow, row 0\)"):
        next(validator)
    assert list(validator) == []


def test_a_unit_twice_far_apart_is_found_when_the_batches_end():
    # Past the ~115,000 units kept in memory, names go to disk and are checked once, at
    # the end: the validator must still raise after its last batch.
    rules = chiso.RuleSet.from_text("t.chiso", 'methodology "T" version 1\ninput x: integer\nrule r require x >= 0')
    rows = 12_000
    batches = []
    for b in range(11):
        names = [f"U {b * rows + r}" for r in range(rows)]
        if b == 10:
            names[5_000] = "U 118000"
        batches.append(pa.table({"unit": names, "x": pa.array([1] * rows, pa.int64())}))
    validator = rules.validate_batches(batches, findings="failing")
    seen = 0
    with pytest.raises(chiso.DataError, match=r"unit `U 118000` appears twice"):
        for _ in validator:
            seen += 1
    assert seen == 11


def test_a_rule_set_comparing_units_cannot_be_streamed():
    ranked = chiso.RuleSet.load(ROOT / "rules" / "ict-index" / "2019")
    with pytest.raises(chiso.CohortError, match="compares units with each other"):
        ranked.validate_batches([])


def test_bad_items_and_options_raise_clear_errors(rules):
    with pytest.raises(TypeError, match="is not Arrow data"):
        list(rules.validate_batches([[{"unit": "A"}]]))
    with pytest.raises(TypeError):
        rules.validate_batches(42)
    with pytest.raises(ValueError, match="findings must be"):
        rules.validate_batches([], findings="some")
    with pytest.raises(ValueError, match="values must be"):
        rules.validate_batches([], values="many")
    with pytest.raises(chiso.DataError, match="no column `unit`"):
        list(rules.validate_batches([pa.table({"x": [1]})]))


def test_a_million_rows_in_flat_memory():
    """The bench script in a fresh interpreter: 1,000,000 Arrow rows validated, peak RSS of
    the whole process (Python, pyarrow, the table, chiso) under 400 MB."""
    rows = int(os.environ.get("CHISO_RSS_ROWS", "1000000"))
    done = subprocess.run(
        [sys.executable, str(PYTHON / "bench" / "rss_stream.py"), str(rows)],
        capture_output=True, text=True, check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == rows
    assert result["findings"] == 5 * rows
    assert result["peak_rss_mb"] < 400, (result["peak_rss_mb"], result["rss_after_table_mb"], result["batch_rows"])
    print(result)
