"""Evaluating lists of dicts, pandas and polars DataFrames and Arrow data: one report,
decimals exact, bad input a clear exception (never a crash, never a silent pass)."""

from __future__ import annotations

import datetime
import decimal
import threading
import time

import pyarrow as pa
import pytest

import chiso
from conftest import ROOT, records

STAFFING = ROOT / "rules" / "it-staffing"
SAMPLE = ROOT / "examples" / "it-staffing" / "quang-ninh-2020.json"

PUBLISHED = """methodology "Published" version 1
input index: decimal
input a: decimal
input b: decimal
indicator mean_ab = (a + b) / 2
rule agrees require index ~= mean_ab
"""


@pytest.fixture(scope="module")
def staffing():
    return chiso.RuleSet.load(STAFFING)


@pytest.fixture(scope="module")
def rows():
    return records(SAMPLE)


@pytest.fixture(scope="module")
def expected(staffing, rows):
    return staffing.evaluate(rows).to_json()


def test_a_list_of_dicts_gives_a_report(staffing, rows):
    report = staffing.evaluate(rows)
    summary = report.summary
    assert summary["units"] == len(rows)
    assert summary["rules"] == 5
    assert summary["passed"] + summary["failed"] + summary["errors"] + summary["skipped"] == 5 * len(rows)
    assert report.has_errors
    assert "FAIL" in report.to_text()
    assert "units" in repr(report)


def test_pandas_polars_and_arrow_give_the_same_report(staffing, rows, expected):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame(rows)
    # A pandas integer column with a missing value is float64: whole floats read exactly.
    assert str(frame["infosec_staff"].dtype) == "float64"
    assert staffing.evaluate(frame).to_json() == expected
    assert staffing.evaluate(pl.DataFrame(rows)).to_json() == expected
    table = pa.Table.from_pylist(rows)
    assert staffing.evaluate(table).to_json() == expected
    assert staffing.evaluate(table.to_batches()[0]).to_json() == expected
    assert staffing.evaluate(pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=3))).to_json() == expected
    assert staffing.evaluate(tuple(rows)).to_json() == expected


def test_findings_and_values_are_arrow_tables(staffing, rows):
    report = staffing.evaluate(rows)
    findings = report.findings
    assert isinstance(findings, pa.Table)
    assert findings.schema == chiso.RuleSet.findings_schema()
    assert findings.num_rows == len(report.to_dict()["findings"])
    as_dict = report.to_dict()["findings"]
    for row, expected in zip(findings.to_pylist(), as_dict):
        assert row["rule"] == expected["rule"]
        assert row["status"] == expected["status"]
        assert row["message"] == expected["message"]
    values = report.values
    assert values.column_names == ["unit", "share_trained_infosec"]
    assert pa.types.is_decimal(values.schema.field("share_trained_infosec").type)
    shares = values.column("share_trained_infosec").to_pylist()
    units = report.to_dict()["units"]
    for share, unit in zip(shares, units):
        assert share == unit["values"].get("share_trained_infosec")
        assert share is None or isinstance(share, decimal.Decimal)


def test_published_decimals_keep_their_digits_through_every_path():
    rules = chiso.RuleSet.from_text("published.chiso", PUBLISHED)
    # 0.735 against (0.73 + 0.74) / 2 = 0.735: agrees. Read as floats it would not be exact.
    rows = [{"unit": "Quảng Ninh", "index": decimal.Decimal("0.735"), "a": decimal.Decimal("0.73"), "b": decimal.Decimal("0.74")}]
    report = rules.evaluate(rows)
    assert report.to_dict()["findings"][0]["status"] == "pass"
    evidence = report.to_dict()["findings"][0]["evidence"]
    assert evidence["index"] == decimal.Decimal("0.735")
    as_text = [{"unit": "Quảng Ninh", "index": "0.735", "a": "0.73", "b": "0.74"}]
    assert rules.evaluate(as_text).to_json() == report.to_json()
    table = pa.table({
        "unit": ["Quảng Ninh"],
        "index": pa.array([decimal.Decimal("0.735")], pa.decimal128(10, 3)),
        "a": pa.array([decimal.Decimal("0.73")], pa.decimal128(10, 2)),
        "b": pa.array([decimal.Decimal("0.74")], pa.decimal128(10, 2)),
    })
    assert rules.evaluate(table).to_json() == report.to_json()
    values = rules.evaluate(table).values
    assert values.column("mean_ab").to_pylist() == [decimal.Decimal("0.735")]


def test_a_float_that_is_not_whole_is_refused_unless_asked_for():
    rules = chiso.RuleSet.from_text("published.chiso", PUBLISHED)
    rows = [{"unit": "A", "index": 0.735, "a": decimal.Decimal("0.73"), "b": decimal.Decimal("0.74")}]
    with pytest.raises(chiso.DataError) as raised:
        rules.evaluate(rows)
    assert str(raised.value).startswith("data, [0]: `index` is the binary float 0.735, which is not an exact decimal")
    assert 'floats="shortest"' in str(raised.value)
    table = pa.table({"unit": ["A"], "index": [0.735], "a": [0.73], "b": [0.74]})
    with pytest.raises(chiso.DataError) as raised:
        rules.evaluate(table)
    assert str(raised.value).startswith("data, row 0: `index` is the binary float 0.735")
    assert 'floats="shortest"' in str(raised.value)
    shortest = rules.evaluate(table, floats="shortest")
    assert shortest.to_dict()["findings"][0]["status"] == "pass"
    assert rules.evaluate(rows, floats="shortest").to_json() == shortest.to_json()
    with pytest.raises(ValueError):
        rules.evaluate(rows, floats="round")


def test_a_value_that_does_not_fit_its_declaration_is_the_cli_error_finding(staffing, cli, tmp_path):
    rows = [{"unit": "Sở Y tế", "staff_total": "1,5", "it_qualified_staff": 3, "it_dedicated_staff": 1,
             "it_dedicated_with_degree": 1, "infosec_staff": 0, "staff_trained_infosec": 40}]
    path = tmp_path / "bad.json"
    path.write_text(__import__("json").dumps(rows, ensure_ascii=False), encoding="utf-8")
    code, out, _ = cli("run", "--rules", str(STAFFING), "--data", str(path), "--format", "json")
    assert code == 1
    report = staffing.evaluate(rows)
    assert report.to_json() == out
    messages = [f["message"] for f in report.to_dict()["findings"] if f["status"] == "error"]
    assert any('`staff_total` is "1,5", expected a whole number' in m for m in messages), messages
    with pytest.raises(chiso.EvaluationError) as raised:
        staffing.evaluate(rows, strict=True)
    for m in messages:
        assert m in str(raised.value)
    assert raised.value.report.to_json() == out
    assert all(f["status"] == "error" for f in raised.value.findings)


@pytest.mark.parametrize(
    "value, words",
    [
        ({1, 2}, "is a `set`, which chiso does not read"),
        (object(), "is a `object`, which chiso does not read"),
        (datetime.datetime(2020, 1, 1, 12, 30), "is the date and time 2020-01-01 12:30:00"),
        (float("inf"), "is the float inf"),
        (decimal.Decimal("NaN"), "is the decimal NaN"),
        (b"bytes", "is a `bytes`"),
    ],
)
def test_a_value_of_a_type_chiso_does_not_read_raises_data_error(staffing, value, words):
    rows = [{"unit": "A", "staff_total": value}]
    with pytest.raises(chiso.DataError) as raised:
        staffing.evaluate(rows)
    assert str(raised.value).startswith("data, [0]: `staff_total` ")
    assert words in str(raised.value)


def test_shapes_that_cannot_be_data_raise_clear_errors(staffing):
    with pytest.raises(chiso.DataError, match=r"data, \[1\]: a record must be a dict"):
        staffing.evaluate([{"unit": "A"}, ["not", "a", "dict"]])
    with pytest.raises(chiso.DataError, match="record has no `unit` field naming its unit"):
        staffing.evaluate([{"name": "A"}])
    with pytest.raises(chiso.DataError, match="unit `A` appears twice"):
        staffing.evaluate([{"unit": "A"}, {"unit": "A"}])
    with pytest.raises(chiso.DataError, match="no units in data"):
        staffing.evaluate([])
    with pytest.raises(chiso.DataError, match="field names must be text"):
        staffing.evaluate([{"unit": "A", 3: 4}])
    with pytest.raises(TypeError, match="cannot evaluate a `str`"):
        staffing.evaluate("examples/it-staffing/quang-ninh-2020.json")
    with pytest.raises(TypeError, match="cannot evaluate a `int`"):
        staffing.evaluate(42)
    with pytest.raises(chiso.DataError, match="no column `unit` naming the units"):
        staffing.evaluate(pa.table({"name": ["A"]}))
    with pytest.raises(chiso.DataError, match="column `staff_total` is of Arrow type `Binary`"):
        staffing.evaluate(pa.table({"unit": ["A"], "staff_total": pa.array([b"x"], pa.binary())}))
    with pytest.raises(chiso.DataError, match="no units in data"):
        staffing.evaluate(pa.table({"unit": pa.array([], pa.string())}))


def test_dates_and_timestamps_at_midnight_are_dates():
    rules = chiso.RuleSet.from_text(
        "d.chiso",
        'methodology "D" version 1\ninput received: date\ninput answered: date\nrule quick require days_between(received, answered) <= 2',
    )
    rows = [{"unit": "A", "received": datetime.date(2020, 3, 2), "answered": datetime.datetime(2020, 3, 3)}]
    report = rules.evaluate(rows)
    assert report.to_dict()["findings"][0]["status"] == "pass"
    table = pa.table({
        "unit": ["A"],
        "received": pa.array([datetime.date(2020, 3, 2)], pa.date32()),
        "answered": pa.array([datetime.datetime(2020, 3, 3)], pa.timestamp("ns")),
    })
    assert rules.evaluate(table).to_json() == report.to_json()
    late = pa.table({
        "unit": ["A"],
        "received": pa.array([datetime.date(2020, 3, 2)], pa.date32()),
        "answered": pa.array([datetime.datetime(2020, 3, 3, 9)], pa.timestamp("ns")),
    })
    with pytest.raises(chiso.DataError, match="`answered` is a timestamp with a time of day"):
        rules.evaluate(late)


def test_the_gil_is_released_while_evaluating(staffing):
    import staffing as generated

    table = generated.table(300_000)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        start = time.perf_counter()
        report = staffing.evaluate(table)
        end = time.perf_counter()
    finally:
        done.set()
        thread.join()
    assert report.summary["units"] == 300_000
    during = [t for t in ticks if start < t < end]
    # With the GIL held for the whole evaluation the other thread could not tick at all.
    assert len(during) > 10, (len(during), end - start)
