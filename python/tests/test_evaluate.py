"""Evaluating lists of dicts, pandas and polars DataFrames and Arrow data: one report,
decimals exact, bad input a clear exception (never a crash, never a silent pass)."""

from __future__ import annotations

import datetime
import decimal
import json
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
    return staffing.evaluate(rows, strict=False).to_json()


def test_a_list_of_dicts_gives_a_report(staffing, rows):
    report = staffing.evaluate(rows, strict=False)
    summary = report.summary
    assert summary["units"] == len(rows)
    assert summary["rules"] == 5
    assert summary["passed"] + summary["failed"] + summary["errors"] + summary["skipped"] == 5 * len(rows)
    assert report.has_errors
    assert "FAIL" in report.to_text()
    assert "units" in repr(report)


def test_failing_findings_decided_by_row_are_the_reports(staffing, rows):
    report = json.loads(staffing.evaluate(rows, strict=False).to_json())
    failing = [(f["rule"], f["unit"], f["status"]) for f in report["findings"] if f["status"] in ("fail", "error")]
    names = [r[staffing.unit_key] for r in rows]
    # Integer columns (the missing count dropped: a column with a null stays integer in
    # Arrow) go straight into the typed core; the list of dicts goes through records.
    table = pa.Table.from_pylist(rows)
    pieces = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=3))
    for data in (rows, table, pieces):
        decided = staffing.decide_failing(data)
        assert decided["summary"] == report["summary"]
        got = [(f["rule"], names[f["row"]].strip(), f["status"]) for f in decided["findings"]]
        assert got == [(r, u.strip(), s) for r, u, s in failing]
    ints = pa.table({"unit": ["A", "B"], "staff_total": pa.array([10, 20], pa.int64())})
    decided = staffing.decide_failing(ints)
    assert decided["summary"]["units"] == 2
    assert all(f["row"] in (0, 1) for f in decided["findings"])
    with pytest.raises(chiso.DataError):
        staffing.decide_failing(pa.table({"unit": ["A", "A"], "staff_total": [1, 2]}))
    with pytest.raises(chiso.DataError):
        staffing.decide_failing([])


def test_pandas_polars_and_arrow_give_the_same_report(staffing, rows, expected):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame(rows)
    # A pandas integer column with a missing value is float64: whole floats read exactly.
    assert str(frame["infosec_staff"].dtype) == "float64"
    assert staffing.evaluate(frame, strict=False).to_json() == expected
    assert staffing.evaluate(pl.DataFrame(rows), strict=False).to_json() == expected
    table = pa.Table.from_pylist(rows)
    assert staffing.evaluate(table, strict=False).to_json() == expected
    assert staffing.evaluate(table.to_batches()[0], strict=False).to_json() == expected
    assert staffing.evaluate(pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=3)), strict=False).to_json() == expected
    assert staffing.evaluate(tuple(rows), strict=False).to_json() == expected
    # The sample has a missing count, so by default each of them raises, carrying the report.
    for data in (frame, pl.DataFrame(rows), table, rows):
        with pytest.raises(chiso.EvaluationError) as raised:
            staffing.evaluate(data)
        assert raised.value.report.to_json() == expected


def test_findings_and_values_are_arrow_tables(staffing, rows):
    report = staffing.evaluate(rows, strict=False)
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


def cli_json(cli, tmp_path, rules, rows):
    """`chiso run` on `rows` written as a JSON file: (exit code, JSON report, text report,
    stderr, the file's path)."""
    path = tmp_path / "data.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli("run", "--rules", str(rules), "--data", str(path), "--format", "json")
    text_code, text, _ = cli("run", "--rules", str(rules), "--data", str(path))
    assert text_code == code
    return code, out, text, err, path


def test_a_value_that_does_not_fit_its_declaration_raises_the_cli_message(staffing, cli, tmp_path):
    # A value of the wrong type (text, list, bool, dict where counts are declared): the CLI
    # reports the findings it cannot decide and exits 1; evaluate raises with its messages.
    rows = [
        {"unit": "Sở Y tế", "staff_total": "1,5", "it_qualified_staff": 3, "it_dedicated_staff": 1,
         "it_dedicated_with_degree": 1, "infosec_staff": 0, "staff_trained_infosec": 40},
        {"unit": "Sở Tài chính", "staff_total": [1, 2], "it_qualified_staff": True, "it_dedicated_staff": {"a": 1},
         "it_dedicated_with_degree": 1, "infosec_staff": 0, "staff_trained_infosec": 40},
    ]
    code, out, text, _, path = cli_json(cli, tmp_path, STAFFING, rows)
    assert code == 1
    undecided = [f for f in json.loads(out)["findings"] if f["status"] == "error"]
    messages = [f["message"] for f in undecided]
    assert any('`staff_total` is "1,5", expected a whole number' in m for m in messages), messages
    assert any("`it_qualified_staff` is true, expected a whole number" in m for m in messages), messages
    with pytest.raises(chiso.EvaluationError) as raised:
        staffing.evaluate(rows, source=str(path))
    error = raised.value
    assert str(error).startswith(f"{len(undecided)} findings could not be decided:\n")
    for f in undecided:
        assert f"ERROR {f['unit']}: {f['message']}\n" in text
        assert f"  {f['rule']}, {f['unit']}: {f['message']}\n" in str(error)
    assert error.report.to_json() == out
    assert all(f["status"] == "error" for f in error.findings)
    assert staffing.evaluate(rows, strict=False, source=str(path)).to_json() == out


def test_failed_rules_are_the_report_not_an_exception():
    rules = chiso.RuleSet.from_text("t.chiso", 'methodology "T" version 1\ninput x: number\nrule r require x > 0\n')
    report = rules.evaluate([{"unit": "A", "x": 0}, {"unit": "B", "x": 1}])
    assert [f["status"] for f in report.to_dict()["findings"]] == ["fail", "pass"]
    assert report.has_errors  # `chiso run` exits 1, but everything was decided


def test_a_value_that_cannot_be_computed_raises_even_without_rules(cli, tmp_path):
    text = 'methodology "T" version 1\ninput x: number\nindicator y = x * 2\n'
    rule_file = tmp_path / "t.chiso"
    rule_file.write_text(text, encoding="utf-8")
    rules = chiso.RuleSet.load(rule_file)
    rows = [{"unit": "A", "x": "1,5"}, {"unit": "B", "x": 2}]
    code, out, cli_text, _, path = cli_json(cli, tmp_path, rule_file, rows)
    assert code == 1
    with pytest.raises(chiso.EvaluationError) as raised:
        rules.evaluate(rows, source=str(path))
    error = raised.value
    [reason] = json.loads(out)["units"][0]["errors"].values()
    assert f"y  error: {reason}" in cli_text
    assert error.findings == []
    assert error.value_errors == [{"unit": "A", "value": "y", "message": reason}]
    assert str(error).startswith(f"1 value could not be computed:\n  A, y: {reason}\n")
    assert error.report.to_json() == out
    assert rules.evaluate(rows[1:]).to_dict()["units"][0]["values"] == {"y": 4}


@pytest.mark.parametrize("rows", [
    [{"unit": "A", "staff_total": 1}, {"unit": "A", "staff_total": 2}],
    [{"unit": "A"}, {"name": "B"}],
], ids=["unit twice", "no unit"])
def test_unusable_data_raises_the_cli_message(staffing, cli, tmp_path, rows):
    # Exit 2: `error: …` on standard error, and DataError with the same text.
    code, out, _, err, path = cli_json(cli, tmp_path, STAFFING, rows)
    assert (code, out) == (2, "")
    with pytest.raises(chiso.DataError) as raised:
        staffing.evaluate(rows, source=str(path))
    assert "error: " + str(raised.value) + "\n" == err
    assert isinstance(raised.value, chiso.ChisoError)


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
        report = staffing.evaluate(table, strict=False)
        end = time.perf_counter()
    finally:
        done.set()
        thread.join()
    assert report.summary["units"] == 300_000
    during = [t for t in ticks if start < t < end]
    # With the GIL held for the whole evaluation the other thread could not tick at all.
    assert len(during) > 10, (len(during), end - start)
