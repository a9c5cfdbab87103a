"""A rhai hook that loops: stopped by the sandbox, the finding is `error` with the CLI's
message, `strict=True` raises it, and the interpreter lives on."""

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
def test_a_looping_hook_is_the_cli_error_and_raises_when_strict(cli, tmp_path, rule_file, words):
    rules_path = DATA / rule_file
    data = tmp_path / "data.json"
    data.write_text(json.dumps(ROWS), encoding="utf-8")
    code, out, _ = cli("run", "--rules", str(rules_path), "--data", str(data), "--format", "json")
    assert code == 1
    cli_findings = json.loads(out)["findings"]
    looped = [f for f in cli_findings if f["rule"] == "spun_positive"]
    assert looped and all(f["status"] == "error" for f in looped)
    assert words in looped[0]["message"], looped[0]["message"]
    assert "loop.rhai:2:" in looped[0]["message"]

    rules = chiso.RuleSet.load(rules_path)
    report = rules.evaluate(ROWS)
    assert report.to_json() == out
    with pytest.raises(chiso.EvaluationError) as raised:
        rules.evaluate(ROWS, strict=True)
    for f in looped:
        assert f"spun_positive, {f['unit']}: {f['message']}" in str(raised.value)
    # The interpreter is fine and the rule set still usable.
    assert rules.evaluate(ROWS).summary["errors"] == len(looped)


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
