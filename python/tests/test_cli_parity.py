"""`Report.to_dict()` equals the CLI's JSON report, field by field with exact decimals,
for every shipped rule set on its sample data (README, "Shipped rule sets")."""

from __future__ import annotations

import decimal
import json

import pytest

import chiso
from conftest import ROOT, records

SHIPPED = [
    ("rules/it-staffing", "examples/it-staffing/quang-ninh-2020.json"),
    ("rules/ict-index-published/2019", "../shared/data/ict-index-2019-quang-ninh-reported.json"),
    ("rules/online-services/2019", "examples/online-services/provinces-2019.json"),
    ("rules/ict-index/2018", "examples/ict-index/provinces-2018.json"),
    ("rules/ict-index/2019", "examples/ict-index/provinces-2019.json"),
    ("rules/decree-43-2011", "examples/decree-43-2011/portals-2020.json"),
    ("rules/quang-ninh-2020-plan", "examples/quang-ninh-2020-plan/quang-ninh.json"),
    ("rules/quang-binh-2025-plan", "examples/quang-binh-2025-plan/quang-binh.json"),
    ("rules/mic-it-application/2017", "examples/mic-it-application/agencies-2017-synthetic.json"),
    ("rules/published-audit", "examples/published-audit/quang-ninh-2019.json"),
    ("rules/published-audit", "examples/published-audit/mic-2017-provinces.json"),
    ("rules/published-audit/truncated", "examples/published-audit/quang-ninh-2019.json"),
]


def assert_same(python, cli, where: str) -> None:
    """Equal, compared key by key so that a difference names its place; numbers compared
    as exact decimals of the same type (Decimal against Decimal, int against int)."""
    if isinstance(cli, dict):
        assert isinstance(python, dict), where
        assert list(python) == list(cli), where
        for key in cli:
            assert_same(python[key], cli[key], f"{where}.{key}")
    elif isinstance(cli, list):
        assert isinstance(python, list) and len(python) == len(cli), where
        for i, (p, c) in enumerate(zip(python, cli)):
            assert_same(p, c, f"{where}[{i}]")
    else:
        assert type(python) is type(cli), f"{where}: {python!r} vs {cli!r}"
        assert python == cli, f"{where}: {python!r} vs {cli!r}"
        if isinstance(cli, decimal.Decimal):
            # Same digits, not only the same value: 0.590 stays 0.590.
            assert str(python) == str(cli), where


@pytest.mark.parametrize("rules, data", SHIPPED, ids=[f"{r}:{d.rsplit('/', 1)[-1]}" for r, d in SHIPPED])
def test_report_equals_the_cli_json_report(cli, rules, data):
    code, out, err = cli("run", "--rules", rules, "--data", data, "--format", "json")
    assert code in (0, 1), err
    expected = json.loads(out, parse_float=decimal.Decimal)

    rule_set = chiso.RuleSet.load(ROOT / rules)
    rows = records(ROOT / data)
    report = rule_set.evaluate(rows, strict=False)

    assert report.to_json() == out
    python = report.to_dict()
    assert_same(python, expected, "report")
    assert len(expected["findings"]) > 0 or len(expected["units"]) > 0
    # The exit code the CLI gave is the report's verdict.
    assert report.has_errors == (code == 1)
    # By default evaluate raises exactly when the CLI's report has something undecided:
    # an `error` finding, or a value not computed for a unit a rule applies to.
    applies = {f["unit"] for f in expected["findings"] if f["status"] != "skip"}
    undecided = [f for f in expected["findings"] if f["status"] == "error"]
    not_computed = [
        (u["unit"], name) for u in expected["units"] for name in u.get("errors", {})
        if not expected["summary"]["rules"] or u["unit"] in applies
    ]
    if undecided or not_computed:
        with pytest.raises(chiso.EvaluationError) as raised:
            rule_set.evaluate(rows)
        assert raised.value.report.to_json() == out
        assert [(f["rule"], f["unit"], f["message"]) for f in raised.value.findings] == [
            (f["rule"], f["unit"], f["message"]) for f in undecided
        ]
        assert [(e["unit"], e["value"]) for e in raised.value.value_errors] == not_computed
    else:
        assert rule_set.evaluate(rows).to_json() == out


def test_decimals_in_the_dict_are_decimal_never_float():
    rule_set = chiso.RuleSet.load(ROOT / "rules/ict-index-published/2019")
    report = rule_set.evaluate(records(ROOT / "../shared/data/ict-index-2019-quang-ninh-reported.json"), strict=False)
    values = report.to_dict()["units"][0]["values"]
    assert values, "the unit has values"
    for name, value in values.items():
        assert isinstance(value, (int, decimal.Decimal)), (name, value)
    assert not any(isinstance(v, float) for v in values.values())
