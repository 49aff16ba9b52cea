"""`ledger init`: start your own ledger, a copy of the bundled one or a commented template."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from ledger.check import check_ledger
from ledger.cli import app
from ledger.load import bundled_ledger_path, load_ledger
from ledger.model import MEASURE_FIELDS, REPORT_FIELDS, SOURCE_FIELDS, EVENT_FIELDS

runner = CliRunner()


def test_init_copies_the_bundled_ledger_and_says_how_to_use_it(tmp_path):
    p = tmp_path / "mine.yaml"
    result = runner.invoke(app, ["init", str(p)])
    assert result.exit_code == 0, result.stderr
    assert p.read_bytes() == Path(bundled_ledger_path()).read_bytes()
    assert f"export ESCALATION_LEDGER_FILE={p}" in result.stderr
    assert f"--file {p}" in result.stderr


def test_init_empty_is_a_clean_template_showing_every_field(tmp_path):
    p = tmp_path / "empty.yaml"
    assert runner.invoke(app, ["init", "--empty", str(p)]).exit_code == 0
    ledger, problems = load_ledger(str(p))
    assert ledger is not None and not problems + check_ledger(ledger)
    assert ledger.measures == ()
    text = p.read_text()
    assert "measures: []\n" in text
    for spec in MEASURE_FIELDS + REPORT_FIELDS + SOURCE_FIELDS + EVENT_FIELDS:
        assert f"{spec.name}:" in text, spec.name
    # the commented example is a real entry: uncommented, it loads clean
    lines = text.splitlines()
    start = lines.index("measures: []")
    example = [ln[1:] for ln in lines[start + 1:] if ln.startswith("#") and not ln.startswith("#    reports")]
    example = [ln for ln in example if not ln.startswith("      ") and not ln.startswith("        ")]
    entry = "measures:\n" + "\n".join(example).replace("responds_to: []", "responds_to: [other]") + "\n"
    entry = entry.replace("sources: [example-news-2025-03-12]", "sources: []")
    other = "  - {id: other, date: 2025-03-01, actor: CN, target: US, kind: fee, title: t}\n"
    from ledger.load import load_text

    led, probs = load_text("x", "countries: {EU: European Union}\n" + entry + other)
    assert led is not None and not [p for p in probs + check_ledger(led) if p.severity == "error"], probs
    assert led.measure("us-steel-tariff").weight == 3


def test_init_refuses_to_overwrite_unless_forced(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text("my precious ledger\n")
    result = runner.invoke(app, ["init", str(p)])
    assert result.exit_code == 1 and "already exists" in result.stderr and "--force" in result.stderr
    assert p.read_text() == "my precious ledger\n"
    assert runner.invoke(app, ["init", "--empty", "--force", str(p)]).exit_code == 0
    assert "measures: []" in p.read_text()


def test_init_into_a_missing_directory_is_a_plain_error(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "no" / "such.yaml")])
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_new_empty_ledger_takes_ledger_add(tmp_path):
    p = tmp_path / "l.yaml"
    runner.invoke(app, ["init", "--empty", str(p)])
    for i in range(2):
        result = runner.invoke(app, ["add", "-f", str(p), "--id", f"m{i}", "--date", "2025-01-0{}".format(i + 1),
                                     "--actor", "US", "--target", "EU", "--kind", "tariff", "--title", "T"])
        assert result.exit_code == 0, result.stderr
    ledger, problems = load_ledger(str(p))
    assert [m.id for m in ledger.measures] == ["m0", "m1"] and not problems + check_ledger(ledger)


def test_init_that_cannot_write_leaves_no_lock_file_behind(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ledger.files.os.fsync", full)
    result = CliRunner().invoke(app, ["init", str(tmp_path / "mine.yaml")])
    assert result.exit_code == 1
    assert "mine.yaml: not created: No space left on device" in result.stderr
    assert os.listdir(tmp_path) == []
