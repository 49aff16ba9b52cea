"""Start-up: `ledger CMD` runs an app holding only CMD and imports only what CMD needs.

These tests pin behaviour, not time: the one-command app must answer exactly as the
whole app does, and the `--json` path must not load Rich (or the other commands'
modules), so that a top-level import added by mistake fails here rather than
quietly costing every run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ledger.cli as cli
from ledger.load import bundled_ledger_path
from ledger.cli import COMMAND_MODULES, app_for, whole_app

from test_reports import AS_OF, GOLDEN_COLUMNS, REPORTS  # the golden files' names and the arguments that made them

GOLDEN = Path(__file__).resolve().parent / "golden"
runner = CliRunner()


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "ESCALATION_LEDGER_FILE", "ESCALATION_LEDGER_DEBUG")}
    return {**env, "COLUMNS": "100", **extra}


def ledger_process(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, text=True,
                          env=clean_env(**env), timeout=60)


def modules_after(*args: str) -> set[str]:
    """The modules a real `ledger ARGS` process has imported when it is done (stdout discarded)."""
    code = (
        "import contextlib, io, sys\n"
        f"sys.argv = ['ledger', *{list(args)!r}]\n"
        "from ledger.cli import main\n"
        "code = 0\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main()\n"
        "except SystemExit as e:\n"
        "    code = e.code or 0\n"
        "print(code, ' '.join(sorted(sys.modules)))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), timeout=60)
    assert p.returncode == 0, p.stderr
    exit_code, names = p.stdout.split(" ", 1)
    assert exit_code == "0", (args, p.stderr)
    return set(names.split())


# --- the one-command app is the whole app, cut down ------------------------------------------


def test_every_command_is_routed_to_the_module_that_defines_it():
    registered = {cli._name(info): info.callback.__module__ for info in whole_app().registered_commands}
    assert registered == COMMAND_MODULES
    # and nothing registered is left out of the whole app (a command missing from the table)
    assert {cli._name(info) for info in cli._app.registered_commands} == set(COMMAND_MODULES)


def test_the_whole_app_lists_commands_in_one_order_whatever_was_imported_first():
    assert [cli._name(info) for info in whole_app().registered_commands] == list(COMMAND_MODULES)
    assert [cli._name(info) for info in cli.app.registered_commands] == list(COMMAND_MODULES)


@pytest.mark.parametrize("args", [[], ["--help"], ["--version"], ["timelin"], ["--json"], ["-V", "timeline"]])
def test_anything_but_a_command_gets_the_whole_app(args):
    assert len(app_for(args).registered_commands) == len(COMMAND_MODULES)


@pytest.mark.parametrize("args", [["timeline", "--json"], ["--debug", "show", "x"], ["check"], ["export", "csv"],
                                  ["-f", "mine.yaml", "chains"], ["--file", "check", "check"], ["--file=x.yaml", "--debug", "summary"]])
def test_a_command_gets_an_app_holding_only_it(args):
    name = args[-1] if args[0].startswith(("-f", "--file")) else next(a for a in args if not a.startswith("-"))
    assert [cli._name(info) for info in app_for(args).registered_commands] == [name]


@pytest.mark.parametrize("name", list(COMMAND_MODULES))
def test_one_command_app_gives_the_same_help_as_the_whole_app(name):
    env = {"COLUMNS": "100", "NO_COLOR": None, "FORCE_COLOR": None}
    alone = runner.invoke(app_for([name, "--help"]), [name, "--help"], env=env)
    whole = runner.invoke(whole_app(), [name, "--help"], env=env)
    assert alone.exit_code == whole.exit_code == 0
    assert alone.stdout == whole.stdout


def test_one_command_app_refuses_bad_options_as_the_whole_app_does():
    for args in (["timeline", "--nope"], ["show"], ["deadlines", "--within"]):
        alone = runner.invoke(app_for(args), args)
        whole = runner.invoke(whole_app(), args)
        assert alone.exit_code == whole.exit_code == 2, args
        assert alone.stderr == whole.stderr, args


# --- real processes (through main) give the golden outputs ------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_a_real_process_prints_the_golden_json(name):
    p = ledger_process(*REPORTS[name], "--as-of", AS_OF, "--json")
    assert p.returncode == 0, p.stderr
    assert p.stdout == (GOLDEN / f"{name}.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", REPORTS)
def test_a_real_process_prints_the_golden_table(name):
    p = ledger_process(*REPORTS[name], "--as-of", AS_OF, NO_COLOR="1", COLUMNS=GOLDEN_COLUMNS)
    assert p.returncode == 0, p.stderr
    text = "".join(line.rstrip() + "\n" for line in p.stdout.splitlines())
    assert text == (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")


def test_a_file_given_before_the_command_is_read_unless_the_command_names_its_own(tmp_path):
    """hledger's habit: `ledger -f FILE CMD`. The command's own --file wins over it."""
    f = tmp_path / "mine.yaml"
    f.write_text("measures:\n  - id: mine\n    date: 2025-10-01\n    actor: US\n    target: CN\n"
                 "    kind: tariff\n    title: Mine\n")
    for before in (["-f", str(f)], ["--file", str(f)], [f"--file={f}"]):
        p = ledger_process(*before, "timeline", "--as-of", AS_OF, "--json")
        assert p.returncode == 0, p.stderr
        assert [r["id"] for r in json.loads(p.stdout)] == ["mine"]
    p = ledger_process("-f", str(f), "timeline", "--as-of", AS_OF, "--json", "-f", str(bundled_ledger_path()))
    assert "mine" not in {r["id"] for r in json.loads(p.stdout)}
    p = ledger_process("-f", str(tmp_path / "missing.yaml"), "check")
    assert p.returncode == 1 and "missing.yaml" in p.stderr


def test_debug_before_the_command_still_works():
    p = ledger_process("--debug", "timeline", "--as-of", AS_OF, "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)


# --- what a run imports ------------------------------------------------------------------------

JSON_RUNS = {
    "timeline": ["timeline", "--json"],
    "deadlines": ["deadlines", "--json"],
    "chains": ["chains", "--json"],
    "summary": ["summary", "--json"],
    "show": ["show", "tariff-truce", "--json"],
    "check": ["check", "--json"],
}
# Modules each report's run has no use for.
NOT_NEEDED = {
    "timeline": {"ledger.chains", "ledger.deadlines", "ledger.show", "ledger.summary"},
    "deadlines": {"ledger.chains", "ledger.show", "ledger.summary"},
    "chains": {"ledger.deadlines", "ledger.summary"},
    "summary": {"ledger.chains", "ledger.show"},
    "show": {"ledger.chains", "ledger.summary"},
    "check": {"ledger.render", "ledger.select", "ledger.chains", "ledger.deadlines", "ledger.show",
              "ledger.summary", "ledger.cli.reports", "ledger.cli.options"},
}


@pytest.mark.parametrize("name", JSON_RUNS)
def test_json_output_never_imports_rich(name):
    modules = modules_after(*JSON_RUNS[name], "--as-of", AS_OF) if name != "check" else modules_after("check", "--json")
    assert not {m for m in modules if m == "rich" or m.startswith("rich.")}


@pytest.mark.parametrize("name", JSON_RUNS)
def test_a_report_imports_only_its_own_command_module_and_report(name):
    modules = modules_after(*JSON_RUNS[name], "--as-of", AS_OF) if name != "check" else modules_after("check", "--json")
    assert "ledger.cli.write" not in modules and "ledger.cli.export" not in modules
    assert not any(m.startswith("ledger.export") for m in modules)
    assert not modules & NOT_NEEDED[name], modules & NOT_NEEDED[name]
    assert "dateutil" not in modules  # an ISO --as-of needs no date parser
    assert "pydantic" not in modules  # Typer 0.29's option parsing imports it: 0.1 s a command (pyproject pins below it)
    assert "_hashlib" not in modules  # OpenSSL's hashes: 3.5 ms to import; a small ledger's key needs none of it
    assert "typing_extensions" not in modules  # msgspec imports it for nothing the cache's types need: 3 ms
    assert "msgspec._core" in modules and "msgspec.inspect" not in modules  # nor its other formats: 2 ms


def test_a_date_in_words_does_load_the_date_parser():
    # The other side of the test above: dateutil is still there when it is needed.
    assert "dateutil.parser" in modules_after("timeline", "--json", "--as-of", "Oct 14 2025")


def test_a_table_loads_rich_but_not_its_table_tree_emoji_or_markdown():
    # A report's table is a ledger.grid.Grid: rich.table (3.7 ms of import) is loaded only
    # when a table has no room for its last column; Rich's emoji table (2.3 ms) is loaded
    # by a header written as a string, and the grid's are Text.
    modules = modules_after("timeline", "--as-of", AS_OF)
    assert "rich.console" in modules and "ledger.grid" in modules
    assert "rich.table" not in modules and "rich._emoji_codes" not in modules
    assert "rich.tree" not in modules and "rich.markdown" not in modules


def test_commands_that_write_take_the_file_given_before_the_command_too(tmp_path):
    """`ledger -f mine.yaml add ...` writes to mine.yaml (and never to the bundled ledger)."""
    f = tmp_path / "mine.yaml"
    f.write_text("version: 1\nmeasures: []\n")
    p = ledger_process("-f", str(f), "add", "--id", "mine-one", "--date", "2025-10-01", "--actor", "US",
                       "--target", "CN", "--kind", "tariff", "--title", "Mine")
    assert p.returncode == 0, p.stderr
    assert "id: mine-one" in f.read_text()
    p = ledger_process("-f", str(bundled_ledger_path()), "add", "--id", "x", "--date", "2025-10-01", "--actor", "US",
                       "--target", "CN", "--kind", "tariff", "--title", "X")
    assert p.returncode == 1 and "bundled ledger" in p.stderr
    p = ledger_process("-f", str(f), "links", "--apply-all", "--as-of", "2025-12-31")
    assert p.returncode in (0, 1) and "--file PATH" not in p.stderr  # the file was found (nothing to apply is fine)
