"""People's output at any terminal width: every report at 60, 80, 100 and 120 columns.

The golden files (tests/golden/*.txt) pin what 80 columns look like; here, at every
width, on the bundled ledger and on one written to be awkward (long ids, hyphenated
kinds, a date-time deadline, a chain eleven answers deep, a three-country event):

- no line is wider than the terminal, and none ends in blanks (a piped table is not
  padded to the width);
- no id, kind or country code is broken across lines: each appears, whole, as many
  times as in the same report at 200 columns, where nothing needs wrapping;
- a long line of answers does not indent without end.
"""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import ledger.cli as cli
from ledger.cli import app
from ledger.model import EventKind, Kind

WIDTHS = (60, 80, 100, 120)
AS_OF = "2025-10-14"
runner = CliRunner()

BUNDLED_REPORTS = {
    "timeline": ["timeline"],
    "deadlines": ["deadlines"],
    "deadlines --all": ["deadlines", "--all"],
    "chains": ["chains"],
    "chains ID": ["chains", "us-100pct-tariff-surcharge"],
    "summary": ["summary"],
    "show measure": ["show", "tariff-truce"],
    "show answer": ["show", "cn-us-soybean-import-suspension"],
    "show event": ["show", "apec-2025"],
    "links": ["links"],
    "links --suggest": ["links", "--suggest", "--min-score", "0"],
}
BUNDLED_IDS = ("cn-battery-diamond-export-controls", "us-critical-software-export-controls",
               "cn-rare-earth-alloy-export-controls", "us-100pct-tariff-surcharge",
               "cn-us-soybean-import-suspension", "joongang-2025-10-14", "tariff-truce", "apec-2025")

DEPTH = 11


def awkward_ledger() -> str:
    """Long ids, every hyphenated kind, a date-time deadline with an offset, a disputed
    one, a chain DEPTH answers deep with a side answer, a three-country event."""
    lines = ["version: 1", "title: An awkward ledger for narrow terminals",
             "sources:", "  a-source-with-a-rather-long-identifier-2025:",
             "    title: A source", "    publisher: A paper", "    published: 2025-01-01",
             "measures:"]
    for i in range(DEPTH + 1):
        actor, target = ("US", "CN") if i % 2 == 0 else ("CN", "US")
        lines += [f"  - id: step-{i:02d}-of-a-long-line-of-answers-on-both-sides",
                  f"    date: 2025-02-{i + 1:02d}", f"    actor: {actor}", f"    target: {target}",
                  f"    kind: {'import-restriction' if i % 2 else 'acquisition-block'}",
                  f"    title: Step {i} of a long line of answers, each a measure against the other's firms",
                  "    sources: [a-source-with-a-rather-long-identifier-2025]"]
        if i:
            lines.append(f"    responds_to: [step-{i - 1:02d}-of-a-long-line-of-answers-on-both-sides]")
    lines += ["  - id: a-side-answer-to-the-sixth-step",
              "    date: 2025-02-09", "    actor: [US, EU]", "    target: [CN, RU]", "    kind: export-control",
              "    title: A side answer", "    expires: 2025-11-01T06:00:00-05:00",
              "    not_before: 2025-10-20",
              "    sources: [a-source-with-a-rather-long-identifier-2025]",
              "    responds_to: [step-06-of-a-long-line-of-answers-on-both-sides]",
              "    reports:", "      - source: a-source-with-a-rather-long-identifier-2025",
              "        expires: 2025-11-03T06:00:00-05:00"]
    lines += ["events:", "  - id: a-three-country-summit-with-a-long-identifier", "    date: 2025-10-31",
              "    kind: summit", "    title: A summit of three", "    countries: [KR, US, CN]",
              "    sources: [a-source-with-a-rather-long-identifier-2025]"]
    return "\n".join(lines) + "\n"


AWKWARD_REPORTS = {
    "timeline": ["timeline"],
    "deadlines": ["deadlines", "--all"],
    "chains": ["chains"],
    "chains ID": ["chains", "step-05-of-a-long-line-of-answers-on-both-sides"],
    "summary": ["summary"],
    "show": ["show", "a-side-answer-to-the-sixth-step"],
    "show deep": ["show", "step-06-of-a-long-line-of-answers-on-both-sides"],
    "links --suggest": ["links", "--suggest", "--min-score", "0", "--within", "1y"],
}


@pytest.fixture
def awkward(tmp_path, monkeypatch):
    """The awkward ledger's name, relative: the header line names the file, and a long
    path is one word the terminal wraps (it is printed soft-wrapped, to stay copyable)."""
    (tmp_path / "awkward.yaml").write_text(awkward_ledger(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return "awkward.yaml"


def people(args: list[str], width: int) -> str:
    """A report as an terminal this wide shows it (without colour)."""
    cli._console = None  # the stdout console reads COLUMNS when it is made
    try:
        result = runner.invoke(app, [*args, "--as-of", AS_OF],
                               env={"COLUMNS": str(width), "NO_COLOR": "1", "FORCE_COLOR": None,
                                    "ESCALATION_LEDGER_FILE": None})
    finally:
        cli._console = None
    assert result.exit_code == 0, result.stderr
    return result.stdout


def words_of(ledger_ids) -> list[str]:
    """What must never be broken: ids, every kind, country codes."""
    return [*ledger_ids, *(k.value for k in Kind), *(k.value for k in EventKind), "US", "CN", "KR"]


def whole(word: str, text: str) -> int:
    """How many times `word` appears whole: not inside a longer id or word."""
    return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text))


def check_fits(text: str, width: int, words, reference: str) -> None:
    lines = text.splitlines()
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}: {too_wide[:3]}"
    padded = [line for line in lines if line != line.rstrip()]
    assert not padded, f"{len(padded)} lines end in blanks: {padded[:3]}"
    words = list(words)
    for word in words:
        # At least as often (a flat list of answers may name a measure once more).
        assert whole(word, text) >= whole(word, reference), (
            f"{word!r} is broken at {width} columns: whole {whole(word, text)} times, "
            f"{whole(word, reference)} at 200 columns")
    for above, below in zip(lines, lines[1:]):  # and no line ends or starts with a piece of one
        end = re.findall(r"[\w-]+$", above)
        start = re.findall(r"^\s*[│├└─↳ ]*([\w-]+)", below)
        for piece, fits in ((end, str.startswith), (start, str.endswith)):
            if piece and "-" in piece[0] and piece[0] not in words and not whole(piece[0], reference):
                assert not any(fits(w, piece[0]) for w in words), (
                    f"{piece[0]!r} is a piece of an id at {width} columns:\n{above}\n{below}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", BUNDLED_REPORTS)
def test_bundled_reports_fit_every_width(name, width):
    args = BUNDLED_REPORTS[name]
    check_fits(people(args, width), width, words_of(BUNDLED_IDS), people(args, 200))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", AWKWARD_REPORTS)
def test_an_awkward_ledger_fits_every_width(name, width, awkward):
    from ledger.load import load_text

    ledger, _ = load_text("awkward.yaml", awkward_ledger())
    ids = [*(m.id for m in ledger.measures), *(e.id for e in ledger.events), *ledger.sources]
    args = [*AWKWARD_REPORTS[name], "-f", awkward]
    check_fits(people(args, width), width, words_of(ids), people(args, 200))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_line_of_answers_does_not_indent_without_end(width, awkward):
    from ledger.render import tree_levels

    out = people(["chains", "-f", awkward], width)
    id_lines = [line for line in out.splitlines() if "-of-a-long-line-of-answers-on-both-sides" in line
                and not line.lstrip(" │├└─↳").startswith("2025")]
    assert len(id_lines) >= DEPTH + 1
    deepest = max(len(line) - len(line.lstrip(" │├└─↳")) for line in id_lines)
    # Four columns a level down to tree_levels(width), then a flat list (two columns in).
    assert deepest <= 4 * (tree_levels(width) + 1) + 2
    assert deepest <= width // 3
    assert out.count("↳") >= DEPTH - tree_levels(width)
    if width <= 100:  # the side answer is in the flat list: it says what it answers (not the line above)
        assert re.search(r"answers\s+step-06-of-a-long-line-of-answers-on-both-sides", out)


def test_an_id_wider_than_the_terminal_is_the_only_thing_folded(tmp_path, monkeypatch):
    # The one case where breaking cannot be helped: the id alone is wider than the line.
    long_id = "a-" + "very-" * 14 + "long-id"  # 79 characters
    path = tmp_path / "long.yaml"
    monkeypatch.chdir(tmp_path)
    path.write_text(f"measures:\n  - {{id: {long_id}, date: 2025-10-01, actor: US, target: CN, kind: fee, "
                    f"title: A fee, not_before: 2025-12-01}}\n", encoding="utf-8")
    out = people(["deadlines", "-f", "long.yaml"], 60)
    assert all(cell_len(line) <= 60 for line in out.splitlines())
    assert long_id in out.replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_fits_every_width(width):
    from ledger import read
    from ledger.export.chart import escalation_buckets, render_chart
    from ledger.load import bundled_ledger_path

    ledger, _ = read.load_checked(bundled_ledger_path())
    for by in ("week", "month"):
        for ascii_ in (True, False):
            text = render_chart(escalation_buckets(ledger, by), by, ascii=ascii_, width=width, title=ledger.title)
            lines = text.splitlines()
            assert all(cell_len(line) <= width for line in lines), [line for line in lines if cell_len(line) > width]
            assert all(line == line.rstrip() for line in lines)
            assert whole("US-China", text) == 1  # the title is wrapped at blanks, never at its hyphen


def test_a_chart_title_wider_than_the_chart_wraps_at_blanks():
    from ledger.export.chart import Bucket, Period, render_chart
    import datetime as dt

    bucket = Bucket(Period("2025-10", dt.date(2025, 10, 1), dt.date(2025, 10, 31), "month"), up={"US": 3})
    text = render_chart([bucket], "month", ascii=True, width=60, title="A " + "very " * 20 + "long title")
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "(weight summed per actor)" in text.replace("\n", " ")


def test_piped_plain_output_above_the_row_limit_has_no_trailing_blanks(tmp_path):
    from ledger.render import RICH_ROW_LIMIT

    path = tmp_path / "many.yaml"
    rows = [f"  - {{id: m-{i}, date: 2025-01-01, actor: US, target: CN, kind: fee, title: Fee {i}}}"
            for i in range(RICH_ROW_LIMIT + 5)]
    path.write_text("measures:\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for report in ("timeline", "summary", "deadlines"):
        cli._console = None
        result = runner.invoke(app, [report, "-f", str(path), "--as-of", "2025-12-31"], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.stderr
        assert all(line == line.rstrip() for line in result.stdout.splitlines()), report
