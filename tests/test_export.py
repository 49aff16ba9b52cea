"""`ledger export`: each format opens in the tool it is made for (icalendar, dot, csv, json)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from ledger.cli import app
from ledger.export.tabular import COLUMNS, PROVENANCE_KEYS

runner = CliRunner()

# Titles and notes a naive exporter would break on: quotes, commas, line breaks,
# markup, Graphviz's escapes and ports, Mermaid's keywords and entity syntax.
HOSTILE = """\
title: Hostile "ledger" <test>
countries:
  EU: European Union
sources:
  s1:
    title: A source, with "quotes"
    publisher: P
    url: https://example.org/a?b=1&c=2
measures:
  - id: end
    date: 2025-10-09
    actor: CN
    target: [US, EU]
    kind: export-control
    title: 'Controls "rare" <earths>, alloys & a:b \\N #35; `x` end'
    sources: [s1]
    notes: |-
      Line one, with a comma
      line "two"
  - id: graph
    date: 2025-10
    actor: US
    target: CN
    kind: tariff
    title: Tariff; [bold]not markup[/bold]
    responds_to: [end]
    not_before: 2025-11-01T00:01:00+08:00
    expires: 2025-12-01T12:00:00Z
    sources: [s1]
  - id: talks-1
    date: 2025-10-20
    actor: [US, CN]
    target: [US, CN]
    kind: talks
    title: Talks
    responds_to: [graph]
    expires: 2025-11-10
    sources: [s1]
    reports:
      - source: s1
        expires: 2025-10-30
events:
  - id: summit
    date: 2025-10-31
    end: 2025-11-01
    title: Summit, two days
    kind: summit
    countries: [US, CN]
    place: Gyeongju
    sources: [s1]
  - id: vague
    date: 2025-07
    title: Meeting in July
    kind: meeting
    status: held
    sources: [s1]
  - id: off
    date: 2025-09-01
    title: Cancelled call
    kind: call
    status: cancelled
    sources: [s1]
"""


@pytest.fixture()
def hostile(tmp_path):
    p = tmp_path / "hostile.yaml"
    p.write_text(HOSTILE, encoding="utf-8")
    return str(p)


def run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def export(fmt, path, *extra):
    r = run("export", fmt, "--file", path, "--as-of", "2025-12-31", *extra)
    assert r.exit_code == 0, r.output
    return r


# --- csv and jsonl ------------------------------------------------------------------------


def test_csv_reads_back_with_a_csv_reader_even_with_commas_quotes_and_newlines(hostile):
    out = export("csv", hostile).stdout_bytes
    assert out.startswith(b"id,date,precision,actor,") and b"\r\n" in out
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
    assert [r["id"] for r in rows] == ["graph", "end", "talks-1"]  # by date; 2025-10 before 2025-10-09
    first = rows[1]
    assert list(first) == list(COLUMNS)
    assert first["title"] == 'Controls "rare" <earths>, alloys & a:b \\N #35; `x` end'
    assert first["notes"] == 'Line one, with a comma\nline "two"'
    assert first["target"] == "US;EU"
    assert rows[2]["actor"] == "US;CN" and rows[2]["escalation"] == "-1"
    assert rows[0]["not_before"] == "2025-11-01T00:01:00+08:00"
    assert rows[0]["precision"] == "month" and rows[0]["date"] == "2025-10"


def test_jsonl_is_one_measure_per_line(hostile):
    lines = export("jsonl", hostile).stdout.splitlines()
    objs = [json.loads(line) for line in lines]
    assert [o["id"] for o in objs] == ["graph", "end", "talks-1"]
    assert all(set(o) == {"type", *COLUMNS, *PROVENANCE_KEYS} for o in objs)
    assert objs[1]["target"] == ["US", "EU"] and objs[0]["responds_to"] == ["end"]
    assert objs[0]["expires"] == "2025-12-01T12:00:00+00:00"


def test_jsonl_has_every_key_of_the_timeline_json_with_the_same_values(hostile):
    timeline = json.loads(run("timeline", "--json", "--file", hostile, "--as-of", "2025-12-31").stdout)
    measures = {t["id"]: t for t in timeline if t["type"] == "measure"}
    lines = [json.loads(x) for x in export("jsonl", hostile).stdout.splitlines()]
    assert len(lines) == len(measures)
    for line in lines:
        t = measures[line["id"]]
        assert {k: line[k] for k in t} == t


def test_filters_and_as_of_apply_to_exports(hostile):
    ids = [json.loads(x)["id"] for x in export("jsonl", hostile, "--kind", "tariff").stdout.splitlines()]
    assert ids == ["graph"]
    r = run("export", "jsonl", "--file", hostile, "--as-of", "2025-10-15")
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["graph", "end"]
    r = run("export", "csv", "--file", hostile, "--as-of", "2025-12-31", "--country", "EU")
    assert [row["id"] for row in csv.DictReader(io.StringIO(r.stdout))] == ["end"]
    r = run("export", "jsonl", "--file", hostile, "--as-of", "2025-12-31", "--since", "2025-10-15")
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["graph", "talks-1"]


# --- writing files ------------------------------------------------------------------------


def test_format_is_inferred_from_the_output_extension_and_written_whole(hostile, tmp_path):
    out = tmp_path / "m.csv"
    out.write_text("old", encoding="utf-8")
    r = run("export", "-o", out, "--file", hostile, "--as-of", "2025-12-31")
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert out.read_bytes().startswith(b"id,date,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.yaml", "m.csv"]  # no temp file left
    r = run("export", "-o", tmp_path / "m.jsonl", "--file", hostile)
    assert r.exit_code == 0
    json.loads((tmp_path / "m.jsonl").read_text(encoding="utf-8").splitlines()[0])


def test_usage_errors_exit_2(hostile, tmp_path):
    r = run("export", "--file", hostile)
    assert r.exit_code == 2 and "say which format" in r.stderr
    r = run("export", "-o", tmp_path / "x.xlsx", "--file", hostile)
    assert r.exit_code == 2 and "cannot tell the format from" in r.stderr
    r = run("export", "mermiad", "--file", hostile)
    assert r.exit_code == 2 and "did you mean 'mermaid'" in r.stderr
    r = run("export", "csv", "--file", hostile, "--kind", "tarif")
    assert r.exit_code == 2


def test_output_into_a_missing_directory_is_a_plain_error(hostile, tmp_path):
    r = run("export", "csv", "-o", tmp_path / "nope" / "m.csv", "--file", hostile)
    assert r.exit_code == 1
    assert "cannot write" in r.stderr and "Traceback" not in r.output


def test_a_broken_ledger_is_reported_not_exported(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("measures:\n  - id: a\n    date: 2025-13-01\n", encoding="utf-8")
    r = run("export", "csv", "--file", p)
    assert r.exit_code == 1 and r.stdout == ""
    assert f"{p}:3:" in r.stderr


# --- dot and mermaid -----------------------------------------------------------------------


def test_dot_escapes_labels_and_sanitises_ids(hostile):
    text = export("dot", hostile).stdout
    assert "n_end [" in text and "n_graph [" in text and "n_talks_1 [" in text
    assert "n_end -> n_graph;" in text and "n_graph -> n_talks_1;" in text
    assert '\\"rare\\"' in text and "\\\\N" in text
    assert 'style="filled,rounded,dashed"' in text  # talks de-escalate


def test_mermaid_escapes_labels_and_never_names_a_node_end(hostile):
    text = export("mermaid", hostile).stdout
    body = text.split("flowchart LR\n", 1)[1]
    for line in body.splitlines():
        assert line.startswith("  n_") or line.startswith("  style n_"), line
    assert "n_end --> n_graph" in body and "n_graph --> n_talks_1" in body
    assert '#34;rare#34; #60;earths#62;, alloys #38; a:b \\N #35;35; #96;x#96; end' in body
    assert 'n_talks_1(["' in body  # de-escalating: rounded
    assert "stroke-dasharray" in body
    # every quoted label opens and closes: no stray double quote inside
    for line in body.splitlines():
        if "[" in line and not line.strip().startswith("style"):
            assert line.count('"') == 2, line


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is required (CI installs graphviz)")


@needs_dot
def test_graphviz_reads_the_dot_and_draws_every_node(hostile, tmp_path):
    dot_text = export("dot", hostile).stdout
    proc = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""  # no syntax warnings either
    out = tmp_path / "g.svg"
    export("svg", hostile, "-o", out)
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for key in ("n_end", "n_graph", "n_talks_1"):
        assert f"<title>{key}</title>" in svg
    assert "Controls &quot;rare&quot; &lt;earths&gt;" in svg or "Controls \"rare\" &lt;earths&gt;" in svg
    assert "<title>n_end&#45;&gt;n_graph</title>" in svg


@needs_dot
def test_png_is_a_png(hostile, tmp_path):
    out = tmp_path / "g.png"
    export("png", hostile, "-o", out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_graphviz_svg_says_how_to_install_it(hostile, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    r = run("export", "svg", "--file", hostile, env={"PATH": str(empty)})
    assert r.exit_code == 1
    assert "Graphviz's dot is not installed; apt-get install graphviz" in r.stderr
    assert r.stdout == ""


# --- ics ---------------------------------------------------------------------------------------


def parse_ics(data: bytes):
    from icalendar import Calendar

    cal = Calendar.from_ical(data)
    return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_ics_parses_back_with_dates_uids_and_descriptions(hostile, tmp_path):
    out = tmp_path / "d.ics"
    export("ics", hostile, "-o", out)
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    cal, events = parse_ics(data)
    assert set(events) == {
        "graph.not-before@escalation-ledger",
        "graph.expires@escalation-ledger",
        "talks-1.expires@escalation-ledger",
        "talks-1.expires.s1@escalation-ledger",
        "summit@escalation-ledger",
        "vague@escalation-ledger",
    }  # the cancelled call is left out
    # timed, with its +08:00 offset, and the VTIMEZONE RFC 5545 requires for it
    nb = events["graph.not-before@escalation-ledger"].decoded("DTSTART")
    assert nb == dt.datetime(2025, 11, 1, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert nb.utcoffset() == dt.timedelta(hours=8)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["UTC+0800"]
    assert b'DTSTART;TZID="UTC+0800":20251101T000100' in data or b"DTSTART;TZID=UTC+0800:20251101T000100" in data
    assert b"DTSTART:20251201T120000Z" in data  # UTC needs no VTIMEZONE
    # a whole day: DATE values, DTEND the next day
    ex = events["talks-1.expires@escalation-ledger"]
    assert ex.decoded("DTSTART") == dt.date(2025, 11, 10) and ex.decoded("DTEND") == dt.date(2025, 11, 11)
    assert "(sources disagree)" in str(ex["SUMMARY"])
    disputed = events["talks-1.expires.s1@escalation-ledger"]
    assert disputed.decoded("DTSTART") == dt.date(2025, 10, 30)
    assert "(disputed: s1)" in str(disputed["SUMMARY"])
    # a two-day summit is one event with an exclusive DTEND
    summit = events["summit@escalation-ledger"]
    assert summit.decoded("DTSTART") == dt.date(2025, 10, 31)
    assert summit.decoded("DTEND") == dt.date(2025, 11, 2)
    assert str(summit["LOCATION"]) == "Gyeongju"
    assert "day not known" in str(events["vague@escalation-ledger"]["SUMMARY"])
    desc = str(events["graph.expires@escalation-ledger"]["DESCRIPTION"])
    assert "Tariff; [bold]not markup[/bold]" in desc and "Countries: US, CN" in desc
    assert 'A source, with "quotes"' in desc and "https://example.org/a?b=1&c=2" in desc
    for e in events.values():
        assert e.decoded("DTSTAMP").tzinfo is not None


def test_ics_uids_are_stable_across_exports(hostile):
    a = parse_ics(export("ics", hostile).stdout_bytes)[1]
    b = parse_ics(export("ics", hostile, "--country", "CN").stdout_bytes)[1]
    assert set(b) <= set(a) and "summit@escalation-ledger" in b


def test_without_as_of_an_export_holds_the_whole_file_future_included(hostile):
    r = run("export", "jsonl", "--file", hostile)
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["graph", "end", "talks-1"]
    r = run("export", "ics", "--file", hostile, "--as-of", "2025-10-15")
    assert "summit@escalation-ledger" not in parse_ics(r.stdout_bytes)[1]  # dated after the as-of day


def test_bundled_ics_has_the_truce_and_its_disputed_end():
    r = run("export", "ics")
    assert r.exit_code == 0, r.output
    _, events = parse_ics(r.stdout_bytes)
    assert events["tariff-truce.expires@escalation-ledger"].decoded("DTSTART") == dt.date(2025, 11, 10)
    assert events["tariff-truce.expires.joongang-2025-10-14@escalation-ledger"].decoded("DTSTART") == dt.date(2025, 10, 10)
    assert events["us-100pct-tariff-surcharge.not-before@escalation-ledger"].decoded("DTSTART") == dt.date(2025, 11, 1)
    assert events["apec-2025@escalation-ledger"].decoded("DTEND") == dt.date(2025, 11, 2)


def test_the_committed_picture_draws_every_bundled_measure():
    """docs/chains.svg is `ledger export svg -o docs/chains.svg`: regenerate it when the bundled ledger changes."""
    from pathlib import Path

    from ledger.load import bundled_ledger_path, load_ledger

    svg = (Path(__file__).resolve().parents[1] / "docs" / "chains.svg").read_text(encoding="utf-8")
    ledger, _ = load_ledger(bundled_ledger_path())
    drawn = set(re.findall(r"<title>(n_[A-Za-z0-9_]+)</title>", svg))
    assert drawn == {"n_" + m.id.replace("-", "_") for m in ledger.measures}
