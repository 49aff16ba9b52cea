"""`kinds:`: a ledger's own kinds of measure, beside the ten built in."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import ledger.fastload
from ledger import load, read
from ledger.cli import app
from ledger.model import DeclaredKind, Kind

runner = CliRunner()

KINDS = """kinds:
  subsidy:
    description: State aid to domestic firms
    weight: 1
  aid-cut:
    weight: -2
"""


def entry(id, kind, date="2025-10-01", extra=""):
    return f"  - id: {id}\n    date: {date}\n    actor: US\n    target: CN\n    kind: {kind}\n    title: Measure {id}\n{extra}"


def ledger_file(tmp_path, kinds=KINDS, entries=None, name="k.yaml"):
    f = tmp_path / name
    f.write_text(kinds + "measures:\n" + "".join(entries or [entry("aid", "subsidy"), entry("cut", "aid-cut", "2025-10-02"),
                                                           entry("tax", "tariff", "2025-10-03")]))
    return f


def test_a_declared_kind_is_read_weighed_and_reported(tmp_path):
    f = ledger_file(tmp_path)
    ledger, problems = read.load_checked(str(f))
    assert problems == []
    aid, cut, tax = ledger.measures
    assert type(aid.kind) is DeclaredKind and aid.kind == "subsidy" and aid.kind.value == "subsidy"
    assert aid.kind.description == "State aid to domestic firms" and tax.kind is Kind.TARIFF
    assert [m.escalation for m in ledger.measures] == [1, -2, 3]
    r = runner.invoke(app, ["timeline", "-f", str(f), "--json", "--as-of", "2025-12-01"])
    assert [m["kind"] for m in json.loads(r.stdout)] == ["subsidy", "aid-cut", "tariff"]
    r = runner.invoke(app, ["summary", "-f", str(f), "--json", "--as-of", "2025-12-01"])
    assert json.loads(r.stdout)[0]["weight"] == 2
    for args in (["timeline"], ["chains", "--all"], ["summary"], ["show", "aid"], ["deadlines", "--all"]):
        r = runner.invoke(app, [*args, "-f", str(f), "--as-of", "2025-12-01"])
        assert r.exit_code == 0, (args, r.output)


def test_kind_filters_know_the_declared_kinds_after_reading_the_ledger(tmp_path):
    f = ledger_file(tmp_path)
    r = runner.invoke(app, ["timeline", "-f", str(f), "--json", "--as-of", "2025-12-01", "--kind", "Subsidy"])
    assert r.exit_code == 0 and [m["id"] for m in json.loads(r.stdout)] == ["aid"]
    r = runner.invoke(app, ["timeline", "-f", str(f), "--as-of", "2025-12-01", "--kind", "subsidyy"])
    assert r.exit_code == 2 and "--kind 'subsidyy' is not a kind (did you mean 'subsidy'?)" in r.output
    r = runner.invoke(app, ["timeline", "--as-of", "2025-12-01", "--kind", "subsidy"])  # the bundled ledger declares none
    assert r.exit_code == 2 and "is not a kind" in r.output


def test_completion_offers_the_declared_kinds(tmp_path, monkeypatch):
    from ledger.cli import complete

    ledger, _ = read.load_checked(str(ledger_file(tmp_path)))
    monkeypatch.setattr(complete, "_ledger", lambda ctx: ledger)
    assert complete.complete_kinds(None, "sub") == [("subsidy", "State aid to domestic firms")]
    assert ("tariff", "") in complete.complete_kinds(None, "")


@pytest.mark.parametrize("kinds, message", [
    ("kinds:\n  tariff:\n    weight: 1\n", "2:3: error: kind 'tariff' is built in"),
    ("kinds:\n  subsidy:\n    weight: 9\n", "3:13: error: weight 9 is out of range -5..5"),
    ("kinds:\n  subsidy:\n    description: x\n", "3:5: error: kind 'subsidy' has no 'weight' (required)"),
    ("kinds:\n  subsidy:\n    weight: 1\n    colour: red\n", "4:5: error: unknown field 'colour' in kind 'subsidy'"),
    ("kinds:\n  Subsidy:\n    weight: 1\n", "2:3: error: kind name 'Subsidy' must be lowercase letters"),
    ("kinds: [subsidy]\n", "1:8: error: 'kinds' must map kind names"),
])
def test_a_bad_declaration_is_a_located_error(tmp_path, kinds, message):
    f = ledger_file(tmp_path, kinds, [entry("tax", "tariff")])
    _, problems = read.load_checked(str(f))
    assert any(message in str(p) for p in problems), problems


def test_an_undeclared_kind_says_how_to_declare_it(tmp_path):
    f = ledger_file(tmp_path, "", [entry("aid", "subsidy")])
    [p] = read.load_checked(str(f))[1]
    assert str(p).endswith("error: unknown kind 'subsidy'; one of: tariff, export-control, import-restriction, investigation, "
                           "sanction, fee, acquisition-block, truce, agreement, talks; or declare it under 'kinds:'")


def test_a_flow_mapping_declaration_is_read_exactly_and_the_same(tmp_path):
    flow = "kinds: {subsidy: {description: State aid to domestic firms, weight: 1}, aid-cut: {weight: -2}}\n"
    a, b = read.load_checked(str(ledger_file(tmp_path))), read.load_checked(str(ledger_file(tmp_path, flow, name="f.yaml")))
    assert a[0].measures == b[0].measures and a[0].kinds == b[0].kinds and a[1] == b[1] == []


@pytest.mark.parametrize("two_processes", [False, True])
def test_both_readers_read_declared_kinds_alike(tmp_path, monkeypatch, two_processes):
    entries = [entry(f"m-{i}", ("subsidy", "aid-cut", "tariff")[i % 3], extra="    notes: " + "n" * 300 + "\n") for i in range(1200)]
    text = KINDS + "measures:\n" + "".join(entries)
    monkeypatch.setattr(ledger.fastload, "PARTS_MIN_CHARS", 0)
    monkeypatch.setattr(ledger.fastload, "PART_ENTRIES", 100)
    monkeypatch.setattr(ledger.fastload, "PARALLEL_MIN_CHARS", 0 if two_processes else 1 << 60)
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)
    fast = ledger.fastload.load_fast("k.yaml", text)
    exact, problems = load.load_text("k.yaml", text)
    assert fast is not None and problems == []
    assert fast.measures == exact.measures and fast.kinds == exact.kinds
    assert [type(m.kind) for m in fast.measures[:3]] == [DeclaredKind, DeclaredKind, Kind]
    assert [m.escalation for m in fast.measures[-3:]] == [1, -2, 3]
    # a kind nobody declares: the fast path declines, the exact reader says where
    bad = text.replace("kind: aid-cut", "kind: aid-cutt", 1)
    assert ledger.fastload.load_fast("k.yaml", bad) is None


def test_add_takes_a_declared_kind(tmp_path):
    f = ledger_file(tmp_path)
    r = runner.invoke(app, ["add", "-f", str(f), "--id", "more-aid", "--date", "2025-11-01", "--actor", "US", "--target", "CN",
                            "--kind", "subsidy", "--title", "More aid"])
    assert r.exit_code == 0, r.output
    assert read.load_checked(str(f))[0].measure("more-aid").escalation == 1


def test_a_gta_import_declares_the_kinds_of_its_own_that_it_uses(tmp_path, monkeypatch):
    from pathlib import Path

    pages = Path(__file__).parent / "fixtures" / "gta" / "v2"
    page = json.loads((pages / "page-1.json").read_text())
    page["results"][0][0]["intervention_type"] = "Financial grant"
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "page-1.json").write_text(json.dumps(page))
    (tmp_path / "pages" / "page-2.json").write_text((pages / "page-2.json").read_text())
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["import", "gta", "pages", "-o", "gta.yaml"])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "gta.yaml").read_text()
    assert "kinds:\n  subsidy:\n    description: \"State aid to domestic firms" in text and "procurement:" not in text
    gta, problems = read.load_checked("gta.yaml")
    assert problems == [] and [m.kind for m in gta.measures if m.kind == "subsidy"] != []
    # a user's own file uses the kind the generated file declares
    (tmp_path / "mine.yaml").write_text("include: [gta.yaml]\nmeasures:\n" + entry("my-aid", "subsidy"))
    mine, problems = read.load_checked("mine.yaml")
    assert [p.message for p in problems] == ["'my-aid' cites no source"] and mine.measure("my-aid").escalation == 1
    # a newer dump without that intervention: its measure is kept (marked removed), so is its kind
    page["results"] = page["results"][1:]
    (tmp_path / "pages" / "page-1.json").write_text(json.dumps(page))
    r = runner.invoke(app, ["import", "gta", "pages", "-o", "gta.yaml"])
    assert r.exit_code == 0, r.output
    assert "  subsidy:\n" in (tmp_path / "gta.yaml").read_text()
    assert [p.severity for p in read.load_checked("mine.yaml")[1]] == ["warning"]
