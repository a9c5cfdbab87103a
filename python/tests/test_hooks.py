"""A rhai hook that loops: stopped by the sandbox, its findings are `error` with the CLI's
message, `evaluate` raises `EvaluationError` with that message (by default), and the
interpreter lives on."""

from __future__ import annotations

import json

import pytest

import chiso
from conftest import ROOT

DATA = ROOT / "python" / "tests" / "data"
ROWS = [{"unit": "A", "x": 1}, {"unit": "B", "x": 2}]


@pytest.mark.parametrize("rule_file, words", [
    ("loop.chiso", "stopped after 100000 operations (an endless loop?)"),
    ("time-loop.chiso", "200 ms"),
])
def test_a_looping_hook_raises_the_cli_message(cli, tmp_path, rule_file, words):
    rules_path = DATA / rule_file
    data = tmp_path / "data.json"
    data.write_text(json.dumps(ROWS), encoding="utf-8")
    code, out, _ = cli("run", "--rules", str(rules_path), "--data", str(data), "--format", "json")
    assert code == 1
    cli_report = json.loads(out)
    looped = [f for f in cli_report["findings"] if f["rule"] == "spun_positive"]
    assert looped and all(f["status"] == "error" for f in looped)
    assert words in looped[0]["message"], looped[0]["message"]
    assert "loop.rhai:2:" in looped[0]["message"]
    code, text, _ = cli("run", "--rules", str(rules_path), "--data", str(data))
    assert code == 1

    rules = chiso.RuleSet.load(rules_path)
    with pytest.raises(chiso.EvaluationError) as raised:
        rules.evaluate(ROWS)
    error = raised.value
    message = str(error)
    assert isinstance(error, chiso.ChisoError)
    # Each undecided finding is in the exception with the message the CLI prints for it.
    for f in looped:
        assert f"ERROR {f['unit']}: {f['message']}\n" in text
        assert f"  spun_positive, {f['unit']}: {f['message']}\n" in message
    assert [f for f in error.findings] == looped
    # So is each value the hook could not compute (the CLI's `error: …` in Values).
    cli_value_errors = [
        {"unit": u["unit"], "value": name, "message": reason}
        for u in cli_report["units"] for name, reason in u.get("errors", {}).items()
    ]
    assert error.value_errors == cli_value_errors
    for e in cli_value_errors:
        assert f"error: {e['message']}" in text
        assert f"  {e['unit']}, {e['value']}: {e['message']}" in message
    # The whole report rides along, and strict=False returns it.
    assert error.report.to_json() == out
    assert rules.evaluate(ROWS, strict=False).to_json() == out
    # The interpreter is fine and the rule set still usable.
    assert rules.evaluate(ROWS, strict=False).summary["errors"] == len(looped)
    assert chiso.RuleSet.from_text("t.chiso", 'methodology "T" version 1\ninput x: number\nrule r require x > 0\n').evaluate(ROWS).summary["passed"] == 2


def test_a_hook_that_does_not_compile_is_a_rule_error_with_its_place(cli, tmp_path):
    (tmp_path / "bad.rhai").write_text("fn spin(x) { x + }\n", encoding="utf-8")
    (tmp_path / "bad.chiso").write_text(
        'methodology "T" version 1\nhooks "bad.rhai"\ninput x: number\nrule r require spin(x) > 0\n',
        encoding="utf-8",
    )
    code, _, stderr = cli("check", str(tmp_path / "bad.chiso"))
    assert code == 2
    with pytest.raises(chiso.RuleError) as raised:
        chiso.RuleSet.load(tmp_path / "bad.chiso")
    assert str(raised.value) == stderr.rstrip("\n")
    assert raised.value.diagnostics[0].file.endswith("bad.rhai")
