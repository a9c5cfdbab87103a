"""Loading rule sets: diagnostics are the CLI's, raised as `chiso.RuleError`."""

from __future__ import annotations

import pytest

import chiso
from conftest import ROOT

BROKEN = "methodology \"T\" version 1\ninput x: number\nrule r require y > 0\n"


def test_a_rule_set_loads_and_says_what_it_reads():
    rules = chiso.RuleSet.load(ROOT / "rules" / "it-staffing")
    assert rules.name == "Quảng Ninh IT staffing targets"
    assert rules.version == "2020"
    assert rules.unit_key == "unit"
    assert "infosec_staff" in rules.fields
    assert rules.rules[0] == "attt_staffing"
    assert rules.cohort_operations == []
    assert rules.warnings == []
    assert "Quảng Ninh" in repr(rules)


def test_a_rule_set_comparing_units_lists_its_cohort_operations():
    rules = chiso.RuleSet.load(str(ROOT / "rules" / "ict-index" / "2019"))
    assert any("rank" in op for op in rules.cohort_operations)


def test_a_bad_rule_file_raises_rule_error_with_the_cli_message(cli, tmp_path):
    path = tmp_path / "broken.chiso"
    path.write_text(BROKEN, encoding="utf-8")
    code, _, stderr = cli("check", str(path))
    assert code == 2
    data = tmp_path / "data.json"
    data.write_text('[{"unit": "A", "x": 1}]', encoding="utf-8")
    run_code, run_out, run_stderr = cli("run", "--rules", str(path), "--data", str(data))
    assert (run_code, run_out, run_stderr) == (2, "", stderr)
    with pytest.raises(chiso.RuleError) as raised:
        chiso.RuleSet.load(path)
    assert str(raised.value) == stderr.rstrip("\n")
    [d] = [d for d in raised.value.diagnostics if d.level == "error"]
    assert (d.file, d.line, d.column) == (str(path), 3, 16)
    assert d.level == "error"
    assert d.message == "unknown name `y`"
    assert d.help == ["did you mean `x`?"]
    assert d.rendered.startswith("error: unknown name `y`")
    assert isinstance(raised.value, chiso.ChisoError)


def test_from_text_names_the_file_in_diagnostics():
    with pytest.raises(chiso.RuleError) as raised:
        chiso.RuleSet.from_text("staffing.chiso", BROKEN)
    assert "staffing.chiso:3:16" in str(raised.value)
    assert raised.value.diagnostics[0].file == "staffing.chiso"


def test_a_syntax_error_points_at_its_place():
    with pytest.raises(chiso.RuleError) as raised:
        chiso.RuleSet.from_text("t.chiso", "methodology \"T\" version 1\nrule r require x >\n")
    d = raised.value.diagnostics[0]
    assert d.file == "t.chiso" and d.line is not None and d.column is not None
    assert d.message.startswith("expected")


def test_a_missing_path_raises_rule_error_as_the_cli_says(cli, tmp_path):
    missing = tmp_path / "nowhere"
    code, _, stderr = cli("check", str(missing))
    assert code == 2
    with pytest.raises(chiso.RuleError) as raised:
        chiso.RuleSet.load(missing)
    assert str(raised.value) == stderr.rstrip("\n")
    assert raised.value.diagnostics[0].file == str(missing)
    assert raised.value.diagnostics[0].line is None


def test_every_broken_rule_file_of_the_corpus_raises_the_cli_diagnostics(cli, monkeypatch):
    # Paths relative to the root, as the CLI is given them, so the messages match.
    monkeypatch.chdir(ROOT)
    broken = sorted((ROOT / "tests" / "broken").glob("*.chiso"))
    assert len(broken) > 10
    for path in broken:
        code, _, stderr = cli("check", str(path.relative_to(ROOT)))
        if code != 2:
            continue
        with pytest.raises(chiso.RuleError) as raised:
            chiso.RuleSet.load(str(path.relative_to(ROOT)))
        assert str(raised.value) == stderr.rstrip("\n"), path.name
