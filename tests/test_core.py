"""The core: the bundled ledger, the format's rules, `ledger check`, the schema, the version."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.check import check_ledger
from ledger.cli import app
from ledger.load import bundled_ledger_path, load_ledger, load_text
from ledger.model import Kind, LedgerDate, Location, Status
from ledger.schema import ledger_schema

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args, env=None, input=None):
    return runner.invoke(app, list(args), env=env, input=input)


def load(text: str):
    ledger, problems = load_text("t.yaml", text)
    if ledger is not None:
        problems = problems + check_ledger(ledger)
    return ledger, problems


# --- the bundled ledger ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    ledger, problems = load_ledger(bundled_ledger_path())
    assert ledger is not None
    return ledger, problems + check_ledger(ledger)


def test_bundled_ledger_is_the_repositorys_data_file():
    assert Path(bundled_ledger_path()).read_bytes() == (ROOT / "data" / "measures.yaml").read_bytes()


def test_bundled_ledger_checks_clean_but_for_the_sources_disagreement(bundled):
    _, problems = bundled
    assert [p.severity for p in problems] == ["warning", "warning"]
    assert "sources disagree on expires of 'tariff-truce'" in problems[0].message
    assert "sources disagree on status of 'tariff-truce': in-force (asiae-2025-09-11) vs expired (joongang-2025-10-14)" in problems[1].message
    assert "2025-11-10 (asiae-2025-09-11)" in problems[0].message
    assert "2025-10-10 (joongang-2025-10-14)" in problems[0].message


def test_every_entry_cites_a_known_source_and_quotes_it(bundled):
    ledger, _ = bundled
    for r in (*ledger.measures, *ledger.events):
        assert r.sources, r.id
        assert set(r.sources) <= set(ledger.sources), r.id
        # One quote per source: a single source's `quote`, or `quotes` for each source cited.
        if len(r.sources) == 1:
            assert r.quote or dict(r.quotes).keys() == set(r.sources), r.id
        else:
            assert not r.quote and dict(r.quotes).keys() == set(r.sources), r.id
        assert r.notes or not r.inferred, r.id  # an inferred value says why
        for link in getattr(r, "links", ()):
            assert link.basis == "stated" or link.note, (r.id, link)


def test_quotes_are_really_in_the_cited_articles(bundled):
    """Nothing invented: each quote (fragments around [...]) appears in a cited article."""
    ledger, _ = bundled
    articles = {
        "asiae-2025-09-11": "asia-business-daily-2025-09-high-level-contacts.txt",
        "joongang-2025-10-14": "joongang-daily-2025-10-apec-side-meeting.txt",
    }
    import os

    sources_dir = Path(os.environ.get("ESCALATION_LEDGER_SOURCES") or ROOT.parent / "shared" / "sources")
    if not sources_dir.is_dir():
        # CI always has shared/ beside the clone, so there a missing copy is a failure.
        if os.environ.get("CI"):
            pytest.fail(f"source articles not found at {sources_dir}")
        pytest.skip(f"source articles not found at {sources_dir}; set ESCALATION_LEDGER_SOURCES to check the quotes")

    def norm(s: str) -> str:
        # Exact but for line breaks and runs of spaces (a folded YAML scalar joins lines
        # with one space; the JoongAng copy has no-break spaces): typography stays, so a
        # quote copies the article's ’ “ ” and straight quotes alike.
        return " ".join(s.split())

    texts = {k: norm((sources_dir / v).read_text(encoding="utf-8")) for k, v in articles.items()}

    def said(text: str, source: str, where) -> None:
        for fragment in norm(text).split("[...]"):
            assert norm(fragment) in texts[source], (where, source, fragment)

    for r in (*ledger.measures, *ledger.events):
        if r.quote:  # in the one source it cites: never sentences of two articles joined
            (source,) = r.sources
            said(r.quote, source, r.id)
        for source, text in r.quotes:
            said(text, source, r.id)
        for rep in getattr(r, "reports", ()):
            if rep.quote:
                said(rep.quote, rep.source, r.id)
        for link in getattr(r, "links", ()):
            if link.quote:
                assert any(norm(link.quote) in texts[s] for s in link.sources or r.sources), (r.id, link)


def test_bundled_deadlines_are_nov_1_8_and_10(bundled):
    ledger, _ = bundled
    m = {x.id: x for x in ledger.measures}
    assert m["us-100pct-tariff-surcharge"].not_before == dt.date(2025, 11, 1)
    assert m["cn-battery-diamond-export-controls"].effective == dt.date(2025, 11, 8)
    assert m["tariff-truce"].expires == dt.date(2025, 11, 10)
    assert m["tariff-truce"].reports[0].expires == dt.date(2025, 10, 10)
    assert m["cn-us-soybean-import-suspension"].responds_to == ("us-100pct-tariff-surcharge", "us-critical-software-export-controls")


def test_relative_dates_resolved_against_publication(bundled):
    ledger, _ = bundled
    m = {x.id: x for x in ledger.measures}
    assert str(m["cn-rare-earth-alloy-export-controls"].date) == "2025-10-09"  # "last Thursday"
    e = {x.id: x for x in ledger.events}
    assert str(e["wang-rubio-asean-meeting"].date) == "2025-07"  # "end of July": no day invented
    assert str(e["dong-hegseth-video-call"].date) == "2025-09-09"


def test_apec_is_not_dated_to_the_impossible_sept_31(bundled):
    ledger, _ = bundled
    apec = {x.id: x for x in ledger.events}["apec-2025"]
    assert (str(apec.date), str(apec.end)) == ("2025-10-31", "2025-11-01")
    assert "does not exist" in apec.notes


def test_inferred_links_say_so(bundled):
    ledger, _ = bundled
    surcharge = ledger.measure("us-100pct-tariff-surcharge")
    assert surcharge.responds_to == ("cn-rare-earth-alloy-export-controls",)
    assert surcharge.basis("cn-rare-earth-alloy-export-controls") == "inferred" and surcharge.links[0].note
    soy = ledger.measure("cn-us-soybean-import-suspension")  # "In response": stated
    assert [soy.basis(i) for i in soy.responds_to] == ["stated", "stated"]
    # The month the JoongAng does not give is marked ours, on every measure dated by it alone.
    for m in ledger.measures:
        if m.sources == ("joongang-2025-10-14",) and m.date.precision == "month":
            assert "date" in m.inferred, m.id


# --- check on good and broken files ----------------------------------------------------------

GOOD = """\
title: t
countries:
  EU: European Union
measures:
  - id: a
    date: 2025-10-09
    actor: CN
    target: [US, EU]
    kind: export-control
    title: A
  - id: b
    date: 2025-10
    actor: NO
    target: CN
    kind: tariff
    title: B
    responds_to: a
    effective: 2025-11-01T00:01:00-04:00
"""


def test_good_file_loads_into_typed_records():
    ledger, problems = load(GOOD)
    assert problems == []
    a, b = ledger.measures
    assert a.target == ("US", "EU") and a.kind is Kind.EXPORT_CONTROL and a.status is Status.ANNOUNCED
    assert b.actor == ("NO",)  # Norway, not False
    assert b.date == LedgerDate(dt.date(2025, 10, 1), "month") and str(b.date) == "2025-10"
    assert b.responds_to == ("a",)
    assert b.effective.utcoffset() == dt.timedelta(hours=-4)


def test_entries_are_equal_by_what_they_say_not_where_they_stand():
    # Entries are named tuples (model._entry); they must keep the manners of the frozen
    # dataclasses they replaced: the fast path's unlocated records equal the exact reader's.
    ledger, _ = load(GOOD)
    a, b = ledger.measures
    moved = a._replace(loc=Location(99, 1), locs={})
    assert moved == a and not (moved != a) and hash(moved) == hash(a)
    assert a != a._replace(title="other") and a != b
    assert a != tuple(a)  # a record is not a plain tuple of the same values
    assert "loc" not in repr(a) and repr(a).startswith("Measure(id='a', ")
    with pytest.raises(TypeError):
        sorted([b, a])  # no accidental order: sort by a key
    with pytest.raises(AttributeError):
        a.title = "changed"  # frozen


def test_check_lists_every_problem_with_its_line_and_column(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        "measures:\n"                       # 1
        "  - id: a\n"                       # 2
        "    date: 2025-09-31\n"            # 3
        "    actor: US\n"                   # 4
        "    target: CN\n"                  # 5
        "    kind: tarif\n"                 # 6
        "    title: A\n"                    # 7
        "  - id: b\n"                       # 8
        "    date: 2025-10-01\n"            # 9
        "    actor: US\n"                   # 10
        "    target: XX\n"                  # 11
        "    kind: tariff\n"                # 12
        "    title: B\n"                    # 13
        "    efective: 2025-11-01\n"        # 14
        "  - id: c\n"                       # 15
        "    date: 2025-10-01\n"            # 16
        "    actor: US\n"                   # 17
        "    target: CN\n"                  # 18
        "    kind: fee\n"                   # 19
        "    title: C\n"                    # 20
        "    responds_to: [zzz]\n"          # 21
    )
    r = run("check", "--file", str(f))
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert f"{f}:3:11: error: 'date': '2025-09-31' is not a date: September 2025 has 30 days" in lines
    assert any(line.startswith(f"{f}:6:11: error: unknown kind 'tarif' (did you mean 'tariff'?)") for line in lines)
    assert f"{f}:14:5: error: unknown field 'efective' in measure 'b' (did you mean 'effective'?)" in lines
    assert f"{f}:21:19: error: 'c' responds to 'zzz', which is not in the ledger" in lines
    assert lines[-1] == f"{f}: 4 errors, 0 warnings"
    assert "Traceback" not in r.output


M = "  - {id: a, date: 2025-10-05, actor: US, target: CN, kind: tariff, title: A"
EVENT = "events:\n  - {id: e, date: 2025-10-01, title: Talks, kind: talks"


@pytest.mark.parametrize(
    "body, line, token, fragment",
    [
        (M + "}\n" + M.replace("id: a", "id: a ") + ", sources: []}\n", 3, "a ", "duplicate id 'a' (first at line 2)"),
        (M + ", responds_to: [b]}\n" + M.replace("id: a", "id: b") + ", responds_to: [a]}\n", 2, "[b]", "goes round in a circle"),
        (M + "}\n" + M.replace("id: a", "id: b").replace("10-05", "10-01") + ", responds_to: [a]}\n", 3, "a]", "is dated before 'a'"),
        (M + ", status: pending}\n", 2, "pending", "unknown status 'pending'"),
        (M.replace("actor: US", "actor: us") + "}\n", 2, "us,", "'us' is not a country code"),
        (M.replace("actor: US", "actor: QQ") + "}\n", 2, "QQ", "unknown country code 'QQ'"),
        (M.replace("id: a", "id: A_1") + "}\n", 2, "A_1", "must be lowercase letters"),
        (M.replace("2025-10-05", "20250105") + "}\n", 2, "20250105", "'20250105' is not a date"),
        (M.replace("2025-10-05", "2025-W01-1") + "}\n", 2, "2025-W01-1", "is not a date"),
        (M + ", weight: 9}\n", 2, "9}", "weight 9 is out of range"),
        (M + ", sources: [x]}\n", 2, "x]", "cites source 'x'"),
        (M + ", responds_to: [a]}\n", 2, "a]", "'a' responds to itself"),
        (M + ", responds_to: [e]}\n" + EVENT + "}\n", 2, "e]", "'a' responds to 'e', which is an event"),
        (M + ", reports: [{source: nowhere, status: lifted}]}\n", 2, "{source: nowhere", "a report on 'a' cites source 'nowhere'"),
        (M + "}\n" + EVENT + ", countries: [US, QQ]}\n", 4, "QQ", "unknown country code 'QQ'"),
        (M + ", responds_to: [b]}\n" + M.replace("id: a", "id: b") + ", responds_to: [c]}\n"
         + M.replace("id: a", "id: c") + ", responds_to: [a]}\n", 2, "[b]", "a -> b -> c -> a"),
    ],
)
def test_check_catches(tmp_path, body, line, token, fragment):
    f = tmp_path / "l.yaml"
    text = "measures:\n" + body
    f.write_text(text)
    col = text.splitlines()[line - 1].index(token) + 1
    r = run("check", "-f", str(f))
    assert r.exit_code == 1, r.output
    hits = [x for x in r.stderr.splitlines() if fragment in x]
    assert hits, r.stderr
    assert hits[0].startswith(f"{f}:{line}:{col}: error: "), hits[0]


def test_effective_before_date_is_only_a_warning(tmp_path):
    f = tmp_path / "l.yaml"
    f.write_text("measures:\n  - {id: a, date: 2025-10-05, actor: US, target: CN, kind: tariff, title: A, effective: 2025-10-01}\n")
    r = run("check", "-f", str(f))
    assert r.exit_code == 0
    assert "warning: 'a' takes effect (2025-10-01) before it is dated (2025-10-05)" in r.stderr
    assert "1 measure, 0 events, 0 sources, no errors, 1 warning" in r.stderr


def test_check_json_lists_the_same_problems(tmp_path):
    f = tmp_path / "l.yaml"
    f.write_text("measures:\n  - {id: a, date: 2025-02-30, actor: US, target: CN, kind: tariff, title: A}\n")
    r = run("check", "-f", str(f), "--json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert [(p["line"], p["col"], p["severity"]) for p in data] == [(2, 19, "error")]
    assert set(data[0]) == {"file", "line", "col", "severity", "message", "ref"}


def test_check_bundled_summary_line():
    r = run("check")
    assert r.exit_code == 0
    assert r.stderr.strip().endswith("measures.yaml: 15 measures, 11 events, 2 sources, no errors, 2 warnings") and r.stdout == ""


def test_other_commands_refuse_a_broken_ledger_the_same_way(tmp_path):
    f = tmp_path / "l.yaml"
    f.write_text("measures:\n  - {id: a, date: 2025-09-31, actor: US, target: CN, kind: tariff, title: A}\n")
    r = run("timeline", "-f", str(f))
    assert r.exit_code == 1
    assert f"{f}:2:19: error:" in r.stderr
    assert "Traceback" not in r.output


def test_missing_file_is_exit_1_with_a_plain_message(tmp_path):
    r = run("check", "-f", str(tmp_path / "nope.yaml"))
    assert r.exit_code == 1
    assert "nope.yaml: no such file" in r.stderr


def test_in_process_commands_free_what_they_loaded():
    # `ledger` (cli.run) keeps a command's ledger until os._exit, so it is never freed
    # object by object; a program calling the app in-process must not accumulate ledgers.
    from ledger import cli

    for args in (("check",), ("timeline",), ("chains",)):
        assert run(*args).exit_code == 0
    assert cli.state.kept == []
    cli.state.ends_at_once = True
    try:
        assert run("timeline", "--json").exit_code == 0
        assert [type(o).__name__ for o in cli.state.kept] == ["Ledger", "list"]
    finally:
        cli.state.ends_at_once = False
        cli.state.kept.clear()


def test_usage_error_is_exit_2():
    assert run("check", "--no-such-option").exit_code == 2
    assert run("frobnicate").exit_code == 2


# --- where the ledger comes from ---------------------------------------------------------------


def test_env_var_points_elsewhere_and_ledger_file_is_ignored(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("measures: []\n")
    r = run("check", env={"ESCALATION_LEDGER_FILE": str(f)})
    assert r.exit_code == 0 and f"{f}: 0 measures" in r.stderr
    r = run("check", env={"ESCALATION_LEDGER_FILE": "", "LEDGER_FILE": str(f)})
    assert "15 measures" in r.stderr  # hledger's variable is not ours


def test_stdin_with_dash():
    r = run("check", "-f", "-", input="measures:\n  - {id: a, date: 2025-10-05, actor: US, target: CN, kind: tariff, title: A}\n")
    assert r.exit_code == 0
    assert r.stderr.startswith("<stdin>: 1 measure,")


# --- schema and version ---------------------------------------------------------------------------


def test_committed_schema_is_generated_from_the_model():
    """Refresh with: ledger schema > schema/ledger.schema.json"""
    committed = json.loads((ROOT / "schema" / "ledger.schema.json").read_text())
    assert committed == ledger_schema()


def test_schema_accepts_the_bundled_ledger_and_rejects_a_typo():
    import jsonschema
    import yaml

    class Yaml12ish(yaml.SafeLoader):
        """Read as yaml-language-server does: dates stay strings, yes/no are not booleans."""

    Yaml12ish.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    data = yaml.load((ROOT / "data" / "measures.yaml").read_text(), Loader=Yaml12ish)
    jsonschema.validate(data, ledger_schema())
    data["measures"][0]["efective"] = "2025-11-01"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, ledger_schema())


def test_version_comes_from_package_metadata():
    from importlib.metadata import version

    r = run("--version")
    assert r.exit_code == 0
    assert r.stdout.strip() == f"ledger (escalation-ledger) {version('escalation-ledger')}"


def test_python_dash_m_runs_the_cli():
    p = subprocess.run([sys.executable, "-m", "ledger", "check"], capture_output=True, text=True)
    assert p.returncode == 0 and "no errors" in p.stderr


# --- Provenance (issue 15): check says what is inferred without a reason, stated without a source ---

PROVENANCE_CHECKS = """sources:
  s1: {title: T, publisher: P}
measures:
  - id: a
    date: 2025-10
    actor: US
    target: CN
    kind: tariff
    title: A
    sources: [s1]
    inferred: [dat]
    quotes:
      s2: "x"
  - id: b
    date: 2025-10-02
    actor: CN
    target: US
    kind: tariff
    title: B
    sources: [s1]
    responds_to:
      - id: a
        basis: inferred
        quote: "say \\e[2J"
  - id: c
    date: 2025-10-03
    actor: CN
    target: US
    kind: fee
    title: C
links:
  - from: c
    to: b
    basis: stated
  - from: c
    to: a
    sources: [zz]
"""


def test_check_names_every_provenance_problem_at_its_place():
    ledger, problems = load_text("p.yaml", PROVENANCE_CHECKS)
    assert not problems, problems
    found = [str(p) for p in check_ledger(ledger) if "cites no source" not in p.message or "link" in p.message]
    assert "p.yaml:11:15: warning: 'a' marks dat as inferred but has no notes saying why" in found
    assert "p.yaml:11:16: error: 'inferred' of 'a' names 'dat', which is not a field that can be inferred (did you mean 'date'?)" in found
    assert "p.yaml:13:11: error: 'a' quotes 's2', which it does not cite under sources" in found
    assert "p.yaml:22:9: warning: the link from 'b' to 'a' is inferred but no note says why" in found
    assert any(p.startswith("p.yaml:22:9: warning: the quote of the link from 'b' to 'a' holds") for p in found)
    assert "p.yaml:32:5: warning: the stated link from 'c' to 'b' cites no source (cite one, or write it with basis: inferred and a note)" in found
    assert "p.yaml:35:5: error: the link from 'c' to 'a' cites unknown source 'zz'" in found
