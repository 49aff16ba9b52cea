"""Nothing in a ledger can be turned against its reader (issue 13, sections 1 and 2).

Ledgers are shared: a colleague's file, a pull request, an import. YAML's double-quoted
escapes (`\\e`, `\\a`, `\\0`, `\\x9b`, `\\u202e`) put any character into a text field. Here
one ledger holds every trick we know of, and it is run through every command and export:

- the terminal (every report, the plain output above 200 rows, `chart`, every message):
  no C0 control but newline and tab, no DEL, no C1 control, no bidirectional override or
  isolate; they are shown as escapes (`\\x1b`, `\\u202e`), Rich markup is text;
- JSON stays exact (`\\u001b`, never a raw ESC);
- CSV: no cell a spreadsheet would run as a formula (`--raw`: the exact text);
- Mermaid, read by Mermaid's own parser (Node, tests/mermaid/): no directive or config
  from ledger text, every node and edge where it belongs, the title as written;
- DOT through the real Graphviz, SVG read as XML; HTML, iCalendar: no raw control
  character, no injected property.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app

runner = CliRunner()
AS_OF = "2026-06-30"

# What must never reach a terminal: written out here, not imported, so the test does not
# check the code with itself. Newline and tab are allowed (they only move the cursor on).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# Every trick, as YAML double-quoted text (this file's raw strings keep the YAML escapes).
TRICKS = {
    "osc52": r"clipboard \e]52;c;cHduZWQ=\e\\ end",
    "osc0": r"title \e]0;pwned\e\\ and \e]0;bel\a end",
    "csi": r"clear \e[2J\e[H screen",
    "bel": r"bell \a\a end",
    "nul": r"nul \0 end",
    "c1": r"c1 csi \x9b31m and nel \N end",
    "del": r"del \x7f end",
    "rlo": r"invoice \u202egnp.exe end",
    "isolate": r"isolate \u2066 inner \u2069 and marks \u200e\u200f\u061c end",
    "cr": r"carriage \r return and line\Lseparator",
    "markup": r"[bold red]x[/] and [link=http://evil]y[/link]",
    "hyperlink": r"=HYPERLINK(\"http://evil\",\"x\")",
    "cmd": r"+cmd|' /C calc'!A0",
    "sum": r"@SUM(1)",
    "minus": r"-1+1",
    "fullwidth": r"＝1+1",
    "directive": r"%%{init: {'theme':'dark','themeCSS':'.node{background:url(http://evil/x)}'}}%% x",
    "click": r"\"]; click A href \"javascript:alert(1)\" x",
    "dot": r"\"; node [label=x] \\N \\l",
    "svg": r"</svg><script>alert(1)</script> &#27; &#x1b; &amp;",
    "entity": r"#quot; #35; ﬂ°°60¶ß script",
}
IDS = list(TRICKS)


def hostile_ledger() -> str:
    lines = [
        "version: 1",
        r'''title: "Phase 2: tariffs [Draft] %%{init: {'theme':'forest'}}%% \e]0;pwned\a x\r y"''',
        "countries:",
        r'  EV: "Evil \e[2J land"',
        "sources:",
        "  src-a:",
        r'    title: "Source \e]52;c;cHduZWQ=\e\\ title"',
        r'    publisher: "Pub \u202e lisher"',
        r'    author: "Au\athor"',
        r'    url: "https://example.org/\e[2J"',
        "    published: 2025-01-01",
        r'    notes: "source \x9b notes"',
        "measures:",
    ]
    previous = None
    for i, (ref, title) in enumerate(TRICKS.items()):
        lines += [
            f"  - id: {ref}",
            f"    date: 2026-01-{i + 1:02d}",
            f"    actor: {'US' if i % 2 == 0 else 'EV'}",
            f"    target: {'CN' if i % 2 == 0 else 'US'}",
            "    kind: tariff",
            f'    title: "{title}"',
            "    sources: [src-a]",
            f"    expires: 2026-12-{i + 1:02d}",
        ]
        if previous:
            lines.append(f"    responds_to: [{previous}]")
        if ref == "minus":  # a title is stripped of blanks; a quote keeps a leading tab
            lines.append(r'    quote: "\t=1+1"')
        previous = ref
    lines += [
        r'    tags: ["tag \e[1m", "\u202e"]',
        r'    quote: "quote \0 nul \x9b c1 \x7f del"',
        r'    notes: "notes \u2066 isolate \u2069\nsecond \e[2J line"',
        "    reports:",
        "      - source: src-a",
        r'        quote: "they say \e]0;x\a otherwise"',
        "        expires: 2026-12-31",
        "events:",
        "  - id: ev",
        "    date: 2026-02-01",
        r'    title: "event \e[2J \u202e title"',
        "    kind: summit",
        r'    place: "place \a \e]0;x\a"',
        r'    agenda: ["agenda \e]0;x\a", "\x9b"]',
        "    countries: [US, CN]",
        "    sources: [src-a]",
    ]
    return "\n".join(lines) + "\n"


def big_hostile_ledger(n: int = 205) -> str:
    """More than 200 rows in every report (plain aligned output), countries included."""
    tricks = list(TRICKS.values())
    lines = ["title: \"Big \\e[2J ledger\"", "countries:"]
    lines += [f'  Q{i:03d}: "Country \\e]0;{i}\\a"' for i in range(n)]
    lines.append("measures:")
    for i in range(n):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i)
        lines += [f"  - id: m{i:03d}", f"    date: {day}", f"    actor: Q{i:03d}",
                  "    target: US", "    kind: fee", f'    title: "{tricks[i % len(tricks)]}"',
                  f"    expires: {day + dt.timedelta(days=700)}"]
        if i:
            lines.append(f"    responds_to: [m{i - 1:03d}]")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    (d / "hostile.yaml").write_text(hostile_ledger(), encoding="utf-8")
    (d / "big.yaml").write_text(big_hostile_ledger(), encoding="utf-8")
    return d


@pytest.fixture
def run(monkeypatch):
    monkeypatch.delenv("ESCALATION_LEDGER_FILE", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    import ledger.cli

    monkeypatch.setattr(ledger.cli, "_console", None)  # made afresh, 120 columns, whatever ran before

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


def loaded(path: Path):
    from ledger.load import load_text

    ledger, problems = load_text(str(path), path.read_text(encoding="utf-8"))
    assert ledger is not None and not [p for p in problems if p.severity == "error"], problems
    return ledger


def assert_safe(text: str, where: str) -> None:
    bad = UNSAFE.search(text)
    assert bad is None, f"{where}: {bad.group()!r} at {bad.start()}: {text[max(0, bad.start() - 60):bad.start() + 20]!r}"


def test_the_fixture_really_holds_every_trick(files):
    """The loader turns the escapes into the characters themselves: the corpus is live."""
    ledger = loaded(files / "hostile.yaml")
    titles = {m.id: m.title for m in ledger.measures}
    assert "\x1b]52;c;cHduZWQ=\x1b\\" in titles["osc52"]
    for ref, char in [("bel", "\a"), ("nul", "\0"), ("c1", "\x9b"), ("c1", "\x85"), ("del", "\x7f"),
                      ("rlo", "\u202e"), ("isolate", "\u2066"), ("cr", "\r"), ("cr", "\u2028")]:
        assert char in titles[ref], ref
    assert "\x1b]0;pwned\x07" in ledger.title


# --- 1. the terminal -----------------------------------------------------------------------

PEOPLE = [
    ["timeline"], ["deadlines", "--all"], ["chains", "--all"], ["summary"], ["show", "osc52"],
    ["show", "ev"], ["show", "entity"], ["chart"], ["chart", "--by", "month"],
]


@pytest.mark.parametrize("args", PEOPLE, ids=[" ".join(a) for a in PEOPLE])
def test_people_output_shows_control_characters_as_escapes(run, files, args):
    r = run(*args, "-f", files / "hostile.yaml", "--as-of", AS_OF)
    assert r.exit_code == 0, r.stderr
    assert_safe(r.stdout, "stdout")
    assert_safe(r.stderr, "stderr")


def test_the_escapes_are_visible_and_markup_is_text(run, files):
    r = run("show", "osc52", "-f", files / "hostile.yaml", "--as-of", AS_OF)
    out = r.stdout
    assert "clipboard \\x1b]52;c;cHduZWQ=\\x1b\\ end" in out
    out = run("show", "entity", "-f", files / "hostile.yaml", "--as-of", AS_OF).stdout
    assert "quote \\x00 nul \\x9b c1 \\x7f del" in out
    assert "notes \\u2066 isolate \\u2069" in out and "second \\x1b[2J line" in out  # the newline stays
    assert "Pub \\u202e lisher" in out and "Au\\x07thor" in out
    assert "they say \\x1b]0;x\\x07 otherwise" in out
    r = run("timeline", "-f", files / "hostile.yaml", "--as-of", AS_OF)
    assert "[bold red]x[/] and [link=http://evil]y[/link]" in r.stdout
    assert "invoice \\u202egnp.exe end" in r.stdout
    r = run("chart", "-f", files / "hostile.yaml", "--as-of", AS_OF)
    # The title is wider than the chart's 80 columns: it wraps, at a blank.
    assert " ".join(r.stdout.splitlines()[:2]).startswith(
        "Phase 2: tariffs [Draft] %%{init: {'theme':'forest'}}%% \\x1b]0;pwned\\x07 x\\x0d y: escalation")


@pytest.mark.parametrize("args", [["timeline"], ["deadlines", "--all"], ["chains", "--all"], ["summary"]])
def test_plain_output_above_200_rows_shows_control_characters_as_escapes(run, files, args):
    r = run(*args, "-f", files / "big.yaml", "--as-of", AS_OF)
    assert r.exit_code == 0, r.stderr
    assert len(r.stdout.splitlines()) > 200
    assert "Title" not in r.stdout.splitlines()[1]  # the plain form, not a Rich table
    assert_safe(r.stdout, "stdout")
    if args[0] != "summary":
        assert "clear \\x1b[2J\\x1b[H screen" in r.stdout


def test_a_real_colour_terminal_gets_only_rich_own_styles(files):
    """With colours forced, the only escape sequences are Rich's own SGR styles."""
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    for args in (["timeline"], ["show", "osc52"], ["chains", "--all"], ["deadlines", "--all"], ["summary"]):
        p = subprocess.run([sys.executable, "-m", "ledger", *args, "-f", str(files / "hostile.yaml"), "--as-of", AS_OF],
                           capture_output=True, text=True, timeout=60, env=env)
        assert p.returncode == 0, p.stderr
        assert "\x1b[" in p.stdout, "colours were not forced: the test proves nothing"
        assert_safe(re.sub("\x1b\\[[0-9;]*m", "", p.stdout), " ".join(args))


def test_check_warns_with_line_and_column_and_prints_safely(run, files):
    r = run("check", "-f", files / "hostile.yaml")
    assert r.exit_code == 0, r.stderr  # warnings only
    assert_safe(r.stderr, "stderr")
    assert_safe(r.stdout, "stdout")
    text = hostile_ledger().splitlines()
    osc52_title = next(i for i, line in enumerate(text, 1) if "clipboard" in line)
    name = str(files / "hostile.yaml")
    assert (f"{name}:{osc52_title}:12: warning: title of measure 'osc52' holds control character \\x1b, "
            "which a terminal acts on; reports show such characters as escapes") in r.stderr
    rlo = next(i for i, line in enumerate(text, 1) if "gnp.exe" in line)
    assert f"{name}:{rlo}:12: warning: title of measure 'rlo' holds bidirectional control \\u202e" in r.stderr
    for fragment in ("the ledger's title holds", "the name of country 'EV'", "publisher of source 'src-a'",
                     "tags[0] of measure 'entity'", "tags[1] of measure 'entity'", "quote of measure 'entity'",
                     "notes of measure 'entity'", "the quote of source 'src-a' on 'entity'",
                     "title of event 'ev'", "place of event 'ev'", "agenda[1] of event 'ev'"):
        assert fragment in r.stderr, fragment
    # the markup and formula titles are not control characters: no warning for them
    for quiet in ("'markup'", "'hyperlink'", "'directive'", "'svg'"):
        assert f"measure {quiet} holds" not in r.stderr


def test_check_json_is_exact(run, files):
    r = run("check", "-f", files / "hostile.yaml", "--json")
    assert "\x1b" not in r.stdout and "\\x1b" in r.stdout  # the message shows the escape; JSON escapes nothing raw
    warnings = json.loads(r.stdout)
    assert any(w["ref"] == "osc52" and w["line"] > 0 and w["col"] == 12 for w in warnings)


def test_a_clean_ledger_gets_no_such_warning(run):
    r = run("check")  # the bundled ledger
    assert r.exit_code == 0
    assert "control" not in r.stderr


def test_check_finds_them_in_a_big_file_read_by_the_fast_path(run, tmp_path):
    """Above 256 KiB a clean file is read by the fast path, without locations: the
    warning is located all the same, at the same line and column as the exact reader's."""
    n = 1400
    body = big_hostile_ledger(n).replace("\\e]0;", "]0;").replace("\\a\"", "\"")  # countries clean
    path = tmp_path / "big.yaml"
    path.write_text(body, encoding="utf-8")
    assert path.stat().st_size > 256 * 1024
    r = run("check", "-f", path)
    assert r.exit_code == 0, r.stderr
    line = next(i for i, text in enumerate(body.splitlines(), 1) if text == "  - id: m504") + 5
    assert f"{path}:{line}:12: warning: title of measure 'm504' holds control character \\x1b" in r.stderr
    from ledger.check import check_ledger
    from ledger.load import load_text

    exact = [str(p) for p in check_ledger(load_text(str(path), body)[0]) if "holds" in p.message]
    assert sorted(exact) == sorted(ln for ln in r.stderr.splitlines() if "holds" in ln)


BAD = {
    "kind": ("kind: tariff", r'kind: "tariff\e[2J"', "unknown kind 'tariff\\x1b[2J'"),
    "field": ("kind: tariff", r'kind: tariff' + "\n" + r'    "tit\e]0;x\ale": x', "unknown field 'tit\\x1b]0;x\\x07le'"),
    "top": ("version: 1", r'"vers\u202eion": 1', "unknown top-level field 'vers\\u202eion'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_messages_that_quote_the_file_show_escapes(run, tmp_path, case):
    old, new, shown = BAD[case]
    text = hostile_ledger().replace(old, new, 1)
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    for args in (["check"], ["timeline"], ["export", "csv"]):
        r = run(*args, "-f", tmp_path / "bad.yaml")
        assert r.exit_code == 1, (args, r.stdout, r.stderr)
        assert shown in r.stderr, r.stderr
        assert_safe(r.stderr, "stderr")


def test_the_latest_passed_deadline_message_is_safe(run, files):
    r = run("deadlines", "-f", files / "hostile.yaml", "--as-of", "2027-06-30")
    assert "the latest passed" in r.stderr
    assert_safe(r.stderr, "stderr")


@pytest.mark.parametrize("command", ["timeline", "deadlines", "chains", "summary", "show"])
def test_json_stays_exact(run, files, command):
    extra = ["entity"] if command == "show" else (["--all"] if command in ("deadlines", "chains") else [])
    r = run(command, *extra, "-f", files / "hostile.yaml", "--as-of", AS_OF, "--json")
    assert r.exit_code == 0, r.stderr
    assert not re.search("[\x00-\x1f]", r.stdout.replace("\n", "")), "a raw C0 control in JSON"

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    ledger = loaded(files / "hostile.yaml")
    exact = {m.title for m in ledger.measures} | {e.title for e in ledger.events}
    got = set(strings(json.loads(r.stdout)))
    if command != "summary":  # summary gives no titles but the latest's
        assert any("\x1b" in t or "\u202e" in t for t in got)
    assert not any("\\x1b" in t for t in got & exact)  # the ledger's text, not our escapes
    if command == "timeline":
        assert "\\u001b]52" in r.stdout and got >= exact - {""}


ADD = ["--id", "x", "--date", "2026-03-01", "--actor", "US", "--target", "CN", "--kind", "fee"]


@pytest.mark.parametrize("option, value", [
    ("--title", "esc \x1b]0;p\x07"),
    ("--title", "rtl \u202e txt"),
    ("--notes", "nel \x85 here"),
    ("--quote", "del \x7f"),
    ("--tag", "\x9b"),
    ("--tag", "isolate \u2066"),
    ("--kind", "fee\x1b[2J"),
])
def test_add_refuses_control_characters_naming_the_option(run, tmp_path, option, value):
    path = tmp_path / "mine.yaml"
    path.write_text(hostile_ledger(), encoding="utf-8")
    before = path.read_bytes()
    given = {"--title": "plain", **dict(zip(ADD[::2], ADD[1::2])), option: value}
    args = [part for pair in given.items() for part in pair if option == "--tag" or pair[0] != "--tag"]
    r = run("add", "-f", path, *args)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert f"ledger: add: {option} holds " in r.stderr
    assert_safe(r.stderr, "stderr")
    assert path.read_bytes() == before


def test_add_keeps_line_breaks_and_tabs_in_notes(run, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(hostile_ledger(), encoding="utf-8")
    r = run("add", "-f", path, *ADD, "--title", "plain", "--notes", "one\n\ttwo")
    assert r.exit_code == 0, r.stderr


# --- 2. exports -------------------------------------------------------------------------------


def export(run, files, fmt, *extra, name="hostile.yaml") -> str:
    r = run("export", fmt, "-f", files / name, *extra)
    assert r.exit_code == 0, r.stderr
    return r.stdout


FORMULA = re.compile(r"[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]")


def test_csv_has_no_formula_and_no_control_character(run, files):
    from ledger.export.tabular import COLUMNS

    text = export(run, files, "csv")
    assert_safe(text.replace("\r\n", "\n"), "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(TRICKS)
    numbers = {"escalation"}
    for row in rows:
        for column in COLUMNS:
            if column not in numbers:
                assert not FORMULA.match(row[column]), (row["id"], column, row[column])
    by_id = {row["id"]: row for row in rows}
    assert by_id["hyperlink"]["title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert by_id["cmd"]["title"] == "'+cmd|' /C calc'!A0"
    assert by_id["sum"]["title"] == "'@SUM(1)"
    assert by_id["minus"]["title"] == "'-1+1"
    assert by_id["fullwidth"]["title"] == "'＝1+1"
    assert by_id["minus"]["quote"] == "'\t=1+1"
    assert by_id["markup"]["title"] == "[bold red]x[/] and [link=http://evil]y[/link]"  # not a formula: as is


def test_csv_numbers_stay_numbers(run, tmp_path):
    (tmp_path / "w.yaml").write_text(
        "measures:\n  - {id: a, date: 2025-01-02, actor: US, target: CN, kind: truce, title: Truce, weight: -2}\n"
        "  - {id: b, date: 2025-01-03, actor: US, target: CN, kind: truce, title: '-2'}\n")
    r = run("export", "csv", "-f", tmp_path / "w.yaml")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.stdout, newline=""))}
    assert rows["a"]["escalation"] == "-2"  # a number is not a formula: Excel shows -2
    assert rows["b"]["title"] == "'-2"  # a title is text, whatever it looks like
    assert rows["a"]["date"] == "2025-01-02"


def test_csv_raw_is_exact(run, files):
    ledger = loaded(files / "hostile.yaml")
    rows = list(csv.DictReader(io.StringIO(export(run, files, "csv", "--raw"), newline="")))
    assert {row["id"]: row["title"] for row in rows} == {m.id: m.title for m in ledger.measures}


def test_raw_is_for_csv_only(run, files):
    r = run("export", "dot", "--raw", "-f", files / "hostile.yaml")
    assert r.exit_code == 2 and "--raw is for csv only" in r.stderr


def test_jsonl_is_exact_and_safe_to_print(run, files):
    ledger = loaded(files / "hostile.yaml")
    text = export(run, files, "jsonl")
    assert_safe(text, "jsonl")
    got = {d["id"]: d for d in map(json.loads, text.splitlines())}
    for m in ledger.measures:
        assert got[m.id]["title"] == m.title
        assert got[m.id]["quote"] == m.quote and got[m.id]["notes"] == m.notes
    assert "\\u202e" in text and "\\u009b" in text


def test_dot_is_read_by_graphviz_and_its_svg_is_xml(run, files):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    dot = export(run, files, "dot")
    assert_safe(dot, "dot")
    p = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stderr == b""
    for svg in (p.stdout, export(run, files, "svg").encode("utf-8")):
        assert_safe(svg.decode("utf-8"), "svg")
        root = ET.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        nodes = [g for g in root.iter(f"{ns}g") if g.get("class") == "node"]
        edges = [g for g in root.iter(f"{ns}g") if g.get("class") == "edge"]
        legend = 3  # US, EV and "de-escalating"
        assert len(nodes) == len(TRICKS) + legend
        assert len(edges) == len(TRICKS) - 1
        assert not list(root.iter(f"{ns}script"))
        texts = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
        assert "</svg><script>alert(1)</script>" in texts  # as text
        assert "\\x1b]52;c;cHduZWQ=\\x1b\\" in texts and "\\x00" in texts
        assert "&#27; &#x1b; &amp;" in texts  # Graphviz's entities stay text
        assert '"; node [label=x] \\N \\l' in texts


def mermaid_parse(text: str) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (CI has it: .ci/run runs tests/mermaid/install.sh)")
    here = Path(__file__).parent / "mermaid"
    if not (here / "node_modules" / "mermaid").is_dir():
        # The README's test command alone must pass on a fresh clone: install Mermaid's
        # parser at the committed lock's versions (what .ci/run does before the tests).
        done = subprocess.run(["bash", str(here / "install.sh")], capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"tests/mermaid/install.sh failed:\n{done.stderr[-2000:]}"
    assert (here / "node_modules" / "mermaid").is_dir(), "Mermaid is not installed: run tests/mermaid/install.sh"
    p = subprocess.run([node, str(here / "parse.mjs")], input=text.encode("utf-8"), capture_output=True, timeout=120)
    result = json.loads(p.stdout.decode("utf-8") or "{}")
    assert p.returncode == 0 and "error" not in result, (result, p.stderr.decode()[-2000:])
    return result


def mermaid_label(text: str) -> str:
    """A label as Mermaid hands it to the page: its entity codes (kept as `ﬂ°°NN¶ß`) read."""
    return re.sub("ﬂ°°(\\d+)¶ß", lambda m: chr(int(m.group(1))), text)


def test_mermaid_from_hostile_text_is_read_as_text_by_mermaid(run, files):
    text = export(run, files, "mermaid")
    assert_safe(text, "mermaid")
    parsed = mermaid_parse(text)
    assert parsed["diagramType"] == "flowchart-v2"
    assert parsed["config"] == {}  # nothing set by front matter or a directive
    assert parsed["theme"] == "default" and parsed["themeCSS"] is None
    assert parsed["title"] == ("Phase 2: tariffs [Draft] %%{init: {'theme':'forest'}}%% "
                               "\\x1b]0;pwned\\x07 x  y")  # a line break in a title is a blank
    ledger = loaded(files / "hostile.yaml")
    assert len(parsed["nodes"]) == len(TRICKS)
    assert sorted(map(tuple, parsed["edges"])) == sorted(
        (f"n_{m.responds_to[0].replace('-', '_')}", f"n_{m.id.replace('-', '_')}") for m in ledger.measures if m.responds_to)
    labels = {key: mermaid_label(label).split("<br>")[-1] for key, label in parsed["nodes"].items()}
    assert labels["n_directive"] == ("%%{init: {'theme':'dark','themeCSS':'.node{background:url(http://evil/x)}'}}%% x")
    assert labels["n_click"] == '"]; click A href "javascript:alert(1)" x'
    assert labels["n_svg"] == "</svg><script>alert(1)</script> &#27; &#x1b; &amp;"
    assert labels["n_entity"] == "#quot; #35; ﬂ°°60¶ß script"
    assert labels["n_osc52"] == "clipboard \\x1b]52;c;cHduZWQ=\\x1b\\ end"


@pytest.mark.parametrize("title", ["Phase 2: tariffs", "[Draft] ledger", "- a list?", "#1 & 'quoted' \"too\"",
                                   "{init: x}", "yes", "---", "%%{init: {'theme':'dark'}}%%"])
def test_mermaid_takes_any_ledger_title(run, tmp_path, title):
    (tmp_path / "t.yaml").write_text(
        f"title: {json.dumps(title)}\nmeasures:\n"
        "  - {id: a, date: 2025-01-02, actor: US, target: CN, kind: tariff, title: A}\n"
        "  - {id: b, date: 2025-01-03, actor: CN, target: US, kind: tariff, title: B, responds_to: [a]}\n")
    r = run("export", "mermaid", "-f", tmp_path / "t.yaml")
    assert r.exit_code == 0, r.stderr
    parsed = mermaid_parse(r.stdout)
    assert parsed["title"] == title and parsed["config"] == {} and parsed["theme"] == "default"
    assert len(parsed["nodes"]) == 2 and parsed["edges"] == [["n_a", "n_b"]]


def test_ics_has_no_injected_property_and_no_control_character(run, files):
    from icalendar import Calendar

    data = run("export", "ics", "-f", files / "hostile.yaml").stdout_bytes
    text = data.decode("utf-8")
    assert_safe(text.replace("\r\n", "\n"), "ics")
    assert "\r" not in text.replace("\r\n", "")
    cal = Calendar.from_ical(data)
    events = [c for c in cal.walk("VEVENT")]
    ledger = loaded(files / "hostile.yaml")
    assert len(events) == len(TRICKS) + 1 + 1  # every expiry, the disputed one, the event
    assert not list(cal.walk("VALARM"))
    allowed = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "CATEGORIES", "TRANSP",
               "LOCATION", "STATUS"}
    for e in events:
        assert set(e.keys()) <= allowed, set(e.keys()) - allowed
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in events}
    assert summaries["cr.expires@escalation-ledger"] == "carriage \\x0d return and line\\u2028separator: expires"
    assert summaries["ev@escalation-ledger"] == "event \\x1b[2J \\u202e title"
    assert str(cal["X-WR-CALNAME"]).startswith("Phase 2: tariffs [Draft]")
    assert len(ledger.measures) == len(TRICKS)


def test_a_title_with_line_breaks_cannot_start_an_ics_property(run, tmp_path):
    from icalendar import Calendar

    (tmp_path / "t.yaml").write_text(
        'measures:\n  - id: a\n    date: 2025-01-02\n    actor: US\n    target: CN\n    kind: tariff\n'
        '    title: "x\\rATTACH:http://evil\\rBEGIN:VALARM"\n    expires: 2025-02-01\n'
        '    notes: "n\\nEND:VEVENT\\nBEGIN:VEVENT\\nUID:evil"\n')
    data = run("export", "ics", "-f", tmp_path / "t.yaml").stdout_bytes
    cal = Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    assert "ATTACH" not in event and not list(cal.walk("VALARM"))
    assert str(event["UID"]) == "a.expires@escalation-ledger"


def test_report_html_has_no_raw_control_character_and_no_script(run, files, tmp_path):
    out = tmp_path / "r.html"
    r = run("report", "-f", files / "hostile.yaml", "--as-of", AS_OF, "-o", out)
    assert r.exit_code == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert_safe(page, "report")
    assert "<script" not in page.lower()
    assert "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "clipboard \\x1b]52;c;cHduZWQ=\\x1b\\ end" in page
    if shutil.which("dot"):
        assert "<svg" in page and "The chains graph is not drawn" not in page  # dot read the hostile DOT


# --- the one function ---------------------------------------------------------------------------


def test_terminal_text():
    from ledger.render import terminal_text

    assert terminal_text("plain 漢字 😀 é") == "plain 漢字 😀 é"
    assert terminal_text("a\x1b[2Jb\x07\x00\x7f\x9b\x85") == "a\\x1b[2Jb\\x07\\x00\\x7f\\x9b\\x85"
    assert terminal_text("\u202e\u2066\u2069\u200e\u200f\u061c\u2028\u2029") == \
        "\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029"
    assert terminal_text("lines\nand\ttabs stay") == "lines\nand\ttabs stay"
    assert terminal_text("\r") == "\\x0d"
