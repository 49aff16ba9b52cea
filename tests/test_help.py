"""Help that teaches: every command's --help, read at 80 columns as a newcomer reads it.

Every command's help gives examples and its exit codes, writes its arguments and option
values as words (ID, FORMAT, CODE) rather than Typer's placeholders (`[[ID]]`, `{ID}`,
`<str>`, `<list[str]>`), never breaks a kind or an id at its hyphen, and fits the width;
`ledger --help` gives each command a whole one-line summary, never cut with `...`.
(tests/test_reports.py checks that every command has help at all.)
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys

import pytest
from typer.main import get_command
import ledger.cli as cli
from ledger.cli import COMMAND_MODULES
from ledger.cli.options import KINDS

# Commands whose help is not yet up to this test, with why: xfail (not strict), so the
# run says so, and says when it is fixed.
NOT_YET: dict[str, str] = {}  # command -> why its help does not yet meet these tests (an xfail)

PLACEHOLDER = re.compile(r"\[\[|\{[A-Z_]+\}|<\w+(\[\w+\])?>")
SUMMARY_ROW = re.compile(r"^  (\S+)\s{2,}(.*)$")


@functools.lru_cache(maxsize=None)
def help_text(*args: str, width: int = 80) -> str:
    """`ledger ARGS --help` as a terminal this wide shows it: a real process (Click sizes
    help by the terminal, which COLUMNS sets)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    p = subprocess.run([sys.executable, "-m", "ledger", *args, "--help"], capture_output=True, text=True,
                       env={**env, "COLUMNS": str(width)}, timeout=60)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout.replace("Usage: python -m ledger", "Usage: ledger")


def commands(marks: bool = True):
    names = list(COMMAND_MODULES)
    if not marks:
        return names
    return [pytest.param(n, marks=pytest.mark.xfail(reason=NOT_YET[n], strict=False)) if n in NOT_YET else n
            for n in names]


def test_the_commands_listed_are_the_apps_commands():
    assert set(get_command(cli.whole_app()).commands) == set(COMMAND_MODULES)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_no_summary_in_ledger_help_is_cut(width):
    text = help_text(width=width)
    rows = text.split("Commands:\n", 1)[1]
    summaries: dict[str, str] = {}
    name = None
    for line in rows.splitlines():
        m = SUMMARY_ROW.match(line)
        if m:
            name = m.group(1)
            summaries[name] = m.group(2)
        elif line.strip() and name:
            summaries[name] += " " + line.strip()  # a long summary goes on below, whole
    assert set(summaries) == set(COMMAND_MODULES)
    for name, summary in summaries.items():
        assert not summary.endswith("..."), (name, summary)
    assert all(len(line) <= max(width, 50) for line in text.splitlines())


def test_our_summaries_are_one_short_line():
    # One line even at 60 columns (where `ledger --help` leaves about 43 characters).
    text = help_text(width=60).split("Commands:\n", 1)[1]
    for name in COMMAND_MODULES:
        if name in NOT_YET:
            continue
        line = next(line for line in text.splitlines() if line.startswith(f"  {name} "))
        summary = line.split(None, 1)[1]
        assert summary.endswith("."), (name, summary)
        assert len(summary) <= 43, (name, summary)


@pytest.mark.parametrize("name", commands())
def test_every_commands_help_has_examples_and_exit_codes(name):
    text = help_text(name)
    assert "Examples:" in text, f"ledger {name} --help gives no examples"
    examples = text.split("Examples:", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert 2 <= sum(line.strip().startswith("ledger ") for line in examples) <= 4, examples
    assert "Exit codes: 0" in " ".join(text.split()), f"ledger {name} --help states no exit codes"


@pytest.mark.parametrize("name", commands(marks=False))
def test_help_has_words_not_placeholders(name):
    text = help_text(name)
    found = PLACEHOLDER.findall(text)
    assert not PLACEHOLDER.search(text), (name, [m for m in PLACEHOLDER.finditer(text)][:3])
    assert not found


@pytest.mark.parametrize("name", commands(marks=False))
def test_help_fits_80_columns_and_breaks_no_word_at_a_hyphen(name):
    text = help_text(name)
    assert all(len(line) <= 80 for line in text.splitlines()), \
        [line for line in text.splitlines() if len(line) > 80]
    # A line ending in `x-` with a word going on below is a word broken at its hyphen.
    assert not re.search(r"\w-\n\s*\w", text), re.findall(r".*\w-\n\s*\w.*", text)


def test_kind_names_are_whole_in_the_kind_option_help():
    text = " ".join(help_text("timeline").split())
    for kind in KINDS:
        assert re.search(rf"(?<![\w-]){re.escape(kind)}(?![\w-])", text), kind


def test_arguments_are_words_in_usage_and_lists():
    assert "Usage: ledger show [OPTIONS] ID\n" in help_text("show")
    assert "Usage: ledger chains [OPTIONS] [ID]\n" in help_text("chains")
    assert "Usage: ledger export [OPTIONS] [FORMAT]\n" in help_text("export")
    assert "Usage: ledger init [OPTIONS] PATH\n" in help_text("init")
    add = help_text("add")
    for option, metavar in (("--actor", "CODE"), ("--responds-to", "ID"), ("--date", "DATE"), ("--kind", "KIND")):
        assert f"{option} {metavar}" in add


def test_as_of_explains_when_an_event_is_known():
    text = " ".join(help_text("deadlines").split())
    assert "A scheduled event counts as known from the first source that reported it." in text


def examples_of(name: str) -> list[str]:
    """The command lines of a command's Examples block (a line ending in `\\` goes on)."""
    block = help_text(name).split("Examples:\n", 1)[1].split("\n\n", 1)[0]
    return [" ".join(line.split()) for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["check", "schema", "timeline", "deadlines", "chains", "summary", "show", "chart"])
def test_the_examples_run(name, tmp_path):
    # The reading commands' examples, as shown, on the bundled ledger (mine.yaml: a copy).
    from ledger.load import bundled_ledger_path

    (tmp_path / "mine.yaml").write_bytes(open(bundled_ledger_path(), "rb").read())
    env = {k: v for k, v in os.environ.items() if k not in ("ESCALATION_LEDGER_FILE", "NO_COLOR", "FORCE_COLOR")}
    env["PATH"] = f"{os.path.dirname(sys.executable)}{os.pathsep}{env['PATH']}"
    for example in examples_of(name):
        p = subprocess.run(["bash", "-o", "pipefail", "-c", example], capture_output=True, text=True,
                           env=env, cwd=tmp_path, timeout=120)
        assert p.returncode == 0, (example, p.stderr)
