"""`ledger import csv`: our own CSV export back to the same measures, any spreadsheet with
--map, and hostile files as located errors or safe output, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app
from ledger.fastload import load_fast
from ledger.load import bundled_ledger_path, load_ledger
from ledger.read import load_text_checked

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

MAP = "id=Ref,date=Announced on,actor=Country,target=Against,kind=Type,title=Measure"


def imp(*args, input=None):
    return runner.invoke(app, ["import", "csv", *map(str, args)], input=input)


def fields(m) -> tuple:
    """What a CSV row carries of a measure (the weight as the escalation it counts with:
    an explicit weight equal to the kind's default reads back as the default), its
    provenance too: the inferred fields and each link's basis."""
    return (m.id, m.date, m.actor, m.target, m.kind, m.title, m.status, m.effective, m.expires, m.not_before,
            m.responds_to, m.sources, m.escalation, m.tags, m.quote, m.notes, m.inferred,
            tuple(m.basis(a) for a in m.responds_to))


def measures(path) -> dict:
    ledger, problems = load_ledger(str(path))
    assert ledger is not None, problems
    return {m.id: fields(m) for m in ledger.measures}


def clean(path) -> None:
    text = Path(path).read_text(encoding="utf-8")
    ledger, problems = load_text_checked(str(path), text)
    assert ledger is not None and not [p for p in problems if p.severity == "error"], problems
    assert load_fast(str(path), text) is not None


def round_trip(ledger_path, tmp_path, *export_args) -> Path:
    csv = tmp_path / "out.csv"
    r = runner.invoke(app, ["export", "csv", "-f", str(ledger_path), "-o", str(csv), *export_args])
    assert r.exit_code == 0, r.stderr
    back = tmp_path / "back.yaml"
    r = imp(csv, "-o", back, *(["--raw"] if "--raw" in export_args else []))
    assert r.exit_code == 0, r.stderr
    clean(back)
    return back


def test_the_bundled_ledger_comes_back_with_the_same_measures(tmp_path):
    back = round_trip(bundled_ledger_path(), tmp_path)
    assert measures(back) == measures(bundled_ledger_path())
    ledger, _ = load_ledger(str(back))
    assert ledger.events == ()  # a CSV holds measures only
    assert set(ledger.sources) == {"asiae-2025-09-11", "joongang-2025-10-14"}  # declared by their ids
    assert ledger.sources["asiae-2025-09-11"].publisher == "unknown"


def test_provenance_travels_in_its_own_columns_and_comes_back(tmp_path):
    import csv
    import io

    src = tmp_path / "p.yaml"
    src.write_text(
        "measures:\n"
        "  - {id: a, date: 2025-01, actor: US, target: CN, kind: tariff, title: A, inferred: [date, target],"
        " notes: The month is ours.}\n"
        "  - id: b\n    date: 2025-02-01\n    actor: CN\n    target: US\n    kind: tariff\n    title: B\n"
        "    responds_to:\n      - a\n      - id: c\n        basis: inferred\n        note: Our reading.\n"
        "  - {id: c, date: 2025-01-15, actor: US, target: CN, kind: fee, title: C, inferred: [not_before],"
        " not_before: 2025-03-01, notes: x}\n"
        "links:\n  - {from: c, to: a, basis: inferred, note: ours}\n")
    r = runner.invoke(app, ["export", "csv", "-f", str(src)])
    assert r.exit_code == 0, r.stderr
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.stdout, newline=""))}
    assert (rows["a"]["inferred"], rows["a"]["inferred_links"]) == ("date;target", "")
    assert (rows["b"]["responds_to"], rows["b"]["inferred_links"]) == ("a;c", "c")  # a is stated, c inferred
    assert (rows["c"]["responds_to"], rows["c"]["inferred_links"], rows["c"]["inferred"]) == ("a", "a", "not_before")
    back = round_trip(src, tmp_path)
    assert measures(back) == measures(src)
    got = {m.id: m for m in load_ledger(str(back))[0].measures}
    assert got["b"].basis("a") == "stated" and got["b"].basis("c") == "inferred" and got["c"].basis("a") == "inferred"
    assert got["a"].inferred == ("date", "target") and got["b"].inferred == ()
    # the JSON Lines export has them too
    r = runner.invoke(app, ["export", "jsonl", "-f", str(src)])
    import json

    lines = {d["id"]: d for d in map(json.loads, r.stdout.splitlines())}
    assert lines["b"]["inferred_links"] == ["c"] and lines["a"]["inferred"] == ["date", "target"]


def test_an_inferred_link_column_alone_makes_links_and_a_bad_one_is_located(tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("id,date,actor,target,kind,title,inferred_links,inferred,notes\n"
                     "x,2025-01-01,US,CN,tariff,X,,,\n"
                     "y,2025-01-02,CN,US,tariff,Y,x,date,why\n"
                     "z,2025-01-03,CN,US,tariff,Z,nope,dtae,\n")
    r = imp(sheet, "-o", tmp_path / "s.yaml")
    assert r.exit_code == 1
    assert "s.csv:4:7: error: " in r.stderr and "nope" in r.stderr  # the unknown id, at its cell
    assert "s.csv:4:8: error: 'inferred' of 'z' names 'dtae'" in r.stderr  # the misspelt field, at its cell
    r = imp(sheet, "-o", tmp_path / "s.yaml", "--skip-bad")
    assert r.exit_code == 0, r.stderr
    y = {m.id: m for m in load_ledger(str(tmp_path / "s.yaml"))[0].measures}["y"]
    assert y.responds_to == ("x",) and y.basis("x") == "inferred" and y.inferred == ("date",)


def test_a_10000_measure_ledger_comes_back_with_the_same_measures(tmp_path):
    big = tmp_path / "l10k.yaml"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "10000", "-o", str(big)], check=True)
    back = round_trip(big, tmp_path)
    assert measures(back) == measures(big)


def test_formulas_come_back_as_text_and_raw_exports_exactly(tmp_path):
    src = tmp_path / "f.yaml"
    src.write_text('measures:\n'
                   '  - {id: f1, date: 2025-01-01, actor: US, target: CN, kind: tariff, title: "=HYPERLINK(\\"x\\")",'
                   ' notes: "-1+1", quote: "@cmd"}\n'
                   '  - {id: f2, date: 2025-01-02, actor: US, target: CN, kind: fee, title: "  +plus", weight: -2}\n')
    back = round_trip(src, tmp_path)
    assert measures(back) == measures(src)
    raw_back = round_trip(src, tmp_path, "--raw")
    assert measures(raw_back) == measures(src)


def test_a_spreadsheet_with_its_own_columns(tmp_path):
    sheet = tmp_path / "tracker.csv"
    sheet.write_text("Ref,Announced on,Country,Against,Type,Measure,Comment\n"
                     "r1,Oct 14 2025,China,United States,tariff,Tariff on soybeans,ignored\n"
                     "r2,14.10.2025,USA,CHN; EU,export-control,Chip controls,\n"
                     "r3,2025-10,CN,US,fee,Port fee,\n", encoding="utf-8")
    out = tmp_path / "tracker.yaml"
    r = imp(sheet, "-o", out, "--map", MAP)
    assert r.exit_code == 0, r.stderr
    clean(out)
    m = measures(out)
    assert m["r1"][1:4] == (m["r1"][1], ("CN",), ("US",)) and str(m["r1"][1]) == "2025-10-14"
    assert m["r2"][2:4] == (("US",), ("CN", "EU")) and str(m["r2"][1]) == "2025-10-14"
    assert str(m["r3"][1]) == "2025-10"
    assert out.read_text().startswith("# Generated by `ledger import csv`")


def test_every_bad_cell_in_one_run_and_nothing_written(tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("Ref,Announced on,Country,Against,Type,Measure\n"
                     "r1,03/04/2025,CN,US,tarif,A title\n"
                     "r2,2025-02-30,Narnia,US,tariff,x\x1by\n"
                     "r3,2025-01-01,CN,US,tariff,Fine\n"
                     "r3,2025-01-02,CN,US,tariff,Again\n"
                     "r4,2025-01-03,CN,US,tariff,Answers,\n", encoding="utf-8")
    out = tmp_path / "bad.yaml"
    r = imp(sheet, "-o", out, "--map", MAP)
    assert r.exit_code == 1 and not out.exists()
    for expected in ("bad.csv:2:2: error: '03/04/2025' is ambiguous: 4 March 2025 or 3 April 2025?",
                     "bad.csv:2:5: error: unknown kind 'tarif' (did you mean 'tariff'?)",
                     "bad.csv:3:2: error: '2025-02-30' is not a date: February 2025 has 28 days",
                     "bad.csv:3:3: error: 'Narnia' is not a country code",
                     "bad.csv:3:6: error: cell holds \\x1b, a control character",
                     "bad.csv:5:1: error: duplicate id 'r3' (first at row 4)",
                     "bad.csv:6:7: error: row has 7 cells; the header names 6 columns"):
        assert expected in r.stderr, (expected, r.stderr)
    r = imp(sheet, "-o", out, "--map", MAP, "--skip-bad")
    assert r.exit_code == 0 and "skipped 4 rows with errors (--skip-bad): 2, 3, 5, 6" in r.stderr
    assert list(measures(out)) == ["r3"]


def test_check_problems_point_at_their_cells(tmp_path):
    sheet = tmp_path / "refs.csv"
    sheet.write_text("id,date,actor,target,kind,title,responds_to,effective,expires\n"
                     "a,2025-01-01,US,CN,tariff,A,,2025-03-01,2025-02-01\n"
                     "b,2025-01-02,CN,US,tariff,B,nothing-here,,\n"
                     "c,2025-01-03,CN,QQ,tariff,C,,,\n")
    r = imp(sheet, "-o", tmp_path / "r.yaml")
    assert r.exit_code == 1
    assert "refs.csv:2:9: error: 'a' expires (2025-02-01) before it takes effect (2025-03-01)" in r.stderr
    assert "refs.csv:3:7: error: 'b' responds to 'nothing-here', which is not in the ledger" in r.stderr
    assert "refs.csv:4:4: error: unknown country code 'QQ'" in r.stderr


@pytest.mark.parametrize("data, message", [
    (b"id,date,actor,target,kind,title\nx,2025-01-01,US,CN,tariff,caf\xe9\n", "h.csv:2:30: error: not UTF-8 text (byte 0xE9"),
    (b"id,date,actor,target,kind,titel\n", "h.csv:1:6: error: unknown column 'titel' (did you mean title?)"),
    (b"", "h.csv:1:1: error: no header row"),
    (b"id,date,actor,target,kind,title\nx,2025-01-01,US,CN,tariff,\"" + b"a" * 70_000 + b"\"\n", "h.csv:2:6: error: cell of 70,000 characters"),
    (b"id,date,actor,target,kind,title\nx,2025-01-01,US,CN,tariff,nul\x00byte\n", "h.csv:2:6: error: cell holds \\x00"),
])
def test_hostile_files_are_located_errors(tmp_path, data, message):
    f = tmp_path / "h.csv"
    f.write_bytes(data)
    r = imp(f, "-o", tmp_path / "h.yaml")
    assert r.exit_code == 1, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "h.yaml").exists()


def test_bom_crlf_many_columns_and_multiline_cells_are_fine(tmp_path):
    extra = ",".join(f"c{i}" for i in range(5000))
    body = ("\ufeffid,date,actor,target,kind,title,notes," + extra + "\r\n"
            + 'x,2025-01-01,US,CN,tariff,"=SUM(A1)","two\r\nlines",' + ",".join("v" for _ in range(5000)) + "\r\n")
    f = tmp_path / "w.csv"
    f.write_bytes(body.encode("utf-8"))
    out = tmp_path / "w.yaml"
    r = imp(f, "-o", out, "--map", "title=title")  # --map: the other columns are ignored
    assert r.exit_code == 0, r.stderr
    clean(out)
    ((_, m),) = measures(out).items()
    assert m[5] == "=SUM(A1)" and m[15] == "two\r\nlines"
    latin = tmp_path / "l.csv"
    latin.write_bytes("id,date,actor,target,kind,title\nx,2025-01-01,US,CN,tariff,caf\xe9\n".encode("cp1252"))
    r = imp(latin, "-o", tmp_path / "l.yaml", "--encoding", "cp1252")
    assert r.exit_code == 0 and measures(tmp_path / "l.yaml")["x"][5] == "café"


def test_usage_errors_and_reimport(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("Ref,Announced on,Country,Against,Type,Measure\nr1,2025-01-01,CN,US,tariff,T\nr2,2025-01-02,CN,US,fee,U\n")
    assert imp(f, "-o", tmp_path / "o.yaml", "--map", "idx=Ref").exit_code == 2
    assert imp(f, "-o", tmp_path / "o.yaml", "--map", MAP.replace("Ref", "Reference")).exit_code == 2
    out = tmp_path / "o.yaml"
    assert imp(f, "-o", out, "--map", MAP).exit_code == 0
    first = out.read_bytes()
    r = imp(f, "-o", out, "--map", MAP)
    assert r.exit_code == 0 and "up to date" in r.stderr and out.read_bytes() == first
    f.write_text("Ref,Announced on,Country,Against,Type,Measure\nr1,2025-01-01,CN,US,tariff,T2\n")
    r = imp(f, "-o", out, "--map", MAP, "--dry-run")
    assert "changed: r1" in r.stdout and "removed: r2" in r.stdout and out.read_bytes() == first
    assert imp(f, "-o", out, "--map", MAP).exit_code == 0
    clean(out)
    m = load_ledger(str(out))[0].measure("r2")
    assert "csv-removed" in m.tags and m.notes.startswith("Not in the CSV")
