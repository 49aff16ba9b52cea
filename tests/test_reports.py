"""The report commands as a user runs them: golden outputs on the bundled ledger, a small
ledger written here for chains and summaries, jq on the JSON, pipes, colours, markup."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

import ledger.cli as cli
from ledger.cli import app
from ledger.render import RICH_ROW_LIMIT

AS_OF = "2025-10-14"
runner = CliRunner()


@pytest.fixture
def run(monkeypatch):
    """Invoke the app with a fresh stdout console each time (it reads COLUMNS/NO_COLOR when made)."""

    def invoke(*args, env=None):
        monkeypatch.setattr(cli, "_console", None)
        full_env = {"COLUMNS": "100", "NO_COLOR": None, "FORCE_COLOR": None, "ESCALATION_LEDGER_FILE": None,
                    **(env or {})}
        return runner.invoke(app, list(args), env=full_env)

    return invoke


def ledger_bin() -> str:
    return str(Path(sys.executable).with_name("ledger"))


def sh(command: str, env=None) -> subprocess.CompletedProcess:
    """Run a shell pipeline with the venv's `ledger` first on PATH."""
    full = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    for k in ("NO_COLOR", "FORCE_COLOR", "ESCALATION_LEDGER_FILE"):
        if k not in (env or {}):
            full.pop(k, None)
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=full, timeout=60)


def need_jq() -> str:
    jq = shutil.which("jq")
    assert jq, "these tests pipe --json through the real jq: install it (apt-get install jq; .ci/run does)"
    return jq


# --- golden outputs on the bundled ledger ---------------------------------------------------

REPORTS = {
    "timeline": ["timeline"],
    "deadlines": ["deadlines"],
    "deadlines-all": ["deadlines", "--all"],
    "chains": ["chains"],
    "chains-surcharge": ["chains", "us-100pct-tariff-surcharge"],
    "summary": ["summary"],
    "show-truce": ["show", "tariff-truce"],
    "show-apec": ["show", "apec-2025"],
}


GOLDEN_COLUMNS = "80"  # people's golden outputs are what an 80-column terminal shows (README's samples too)


@pytest.mark.parametrize("name", REPORTS)
def test_people_output_is_golden(name, run, golden):
    result = run(*REPORTS[name], "--as-of", AS_OF, env={"COLUMNS": GOLDEN_COLUMNS})
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    # Rich pads table cells to the column width; trailing blanks are not part of the contract.
    golden(f"{name}.txt", "".join(line.rstrip() + "\n" for line in result.stdout.splitlines()))


@pytest.mark.parametrize("name", REPORTS)
def test_json_output_is_golden(name, run, golden):
    result = run(*REPORTS[name], "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)  # nothing but JSON on stdout
    golden(f"{name}.json", result.stdout)


def test_people_output_fits_80_columns(run):
    for args in REPORTS.values():
        result = run(*args, "--as-of", AS_OF, env={"COLUMNS": "80"})
        assert result.exit_code == 0
        assert max(len(line) for line in result.stdout.splitlines()) <= 80, args


# --- the questions of the issue -------------------------------------------------------------


def test_deadlines_as_of_oct_14_count_down_to_nov_1_8_and_10(run):
    out = run("deadlines", "--as-of", AS_OF).stdout
    assert "bundled ledger · as of 2025-10-14" in out.splitlines()[0]
    for line in ("2025-11-01  in 18 days", "2025-11-08  in 25 days", "2025-11-10  in 27 days",
                 "2025-10-31  in 17 days"):
        assert line in out
    assert "2025-10-10" not in out  # the disputed end is passed: only with --all
    out = run("deadlines", "--as-of", "Oct 14 2025", "--all").stdout
    assert "2025-10-10  4 days ago" in out and "disputed: the version of joongang-2025-10-14" in out


def test_what_china_did_after_the_surcharge(run):
    out = run("chains", "us-100pct-tariff-surcharge", "--as-of", AS_OF).stdout
    assert "Imports of U.S. soybeans suspended" in out
    assert "critical software" not in out  # the side branch is left out


def test_the_same_answers_through_jq():
    need_jq()
    r = sh(f"ledger deadlines --as-of {AS_OF} --json | jq -r "
           "'.[] | select(.ref == \"tariff-truce\" and .disputed_by == null) | .days_left'")
    assert (r.returncode, r.stdout, r.stderr) == (0, "27\n", "")
    r = sh(f"ledger chains us-100pct-tariff-surcharge --as-of {AS_OF} --json | jq -r "
           "'.. | objects | select(.id? == \"us-100pct-tariff-surcharge\") | .responses[].title'")
    assert (r.returncode, r.stdout) == (0, "Imports of U.S. soybeans suspended\n")
    r = sh(f"ledger show tariff-truce --as-of {AS_OF} --json | jq -c '[.disagreements[] | [.field, .ours, .theirs]]'")
    assert r.stdout == '[["expires","2025-11-10","2025-10-10"],["status","in-force","expired"]]\n'
    r = sh(f"ledger timeline --as-of {AS_OF} --json | jq -r '[.[] | select(.type == \"measure\")] | length'")
    assert r.stdout == "15\n"


# --- a small ledger of its own -------------------------------------------------------------

SMALL = """\
version: 1
title: Small
sources:
  s1: {title: One, publisher: P1, published: 2025-01-01}
measures:
  - {id: a-tariff, date: 2025-01-10, actor: US, target: CN, kind: tariff, title: A tariff, status: in-force, sources: [s1]}
  - {id: b-counter, date: 2025-01-20, actor: CN, target: US, kind: tariff, title: B answers, status: in-force,
     responds_to: [a-tariff], sources: [s1]}
  - {id: a-again, date: 2025-02-01, actor: US, target: [CN, JP], kind: export-control, title: A again,
     status: announced, effective: 2025-03-01, responds_to: [b-counter], sources: [s1]}
  - {id: cc-alone, date: 2025-02-05, actor: JP, target: US, kind: investigation, title: "[bold]x[/x] probe",
     status: in-force, sources: [s1]}
  - {id: truce, date: 2025-04-01, actor: [US, CN], target: [US, CN], kind: truce, title: Truce, status: in-force,
     expires: 2025-06-30, sources: [s1]}
events:
  - {id: talks, date: 2025-05-02, title: Talks, kind: talks, countries: [US, CN], sources: [s1]}
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return str(path)


def test_chains_on_a_small_ledger(run, small):
    result = run("chains", "-f", small, "--as-of", "2025-05-01", "--json")
    (chain,) = json.loads(result.stdout)
    assert chain["stats"] == {"steps": 3, "depth": 2, "moves": {"US": 2, "CN": 1}, "weight": 9}
    assert [chain["id"], chain["responses"][0]["id"], chain["responses"][0]["responses"][0]["id"]] == [
        "a-tariff", "b-counter", "a-again"]
    assert [chain["lag_days"], chain["responses"][0]["lag_days"]] == [None, 10]
    out = run("chains", "-f", small, "--as-of", "2025-05-01").stdout
    assert "Chain 1: 3 steps, depth 2 · moves: US 2, CN 1 · escalation weight +9" in out
    assert "b-counter · 10 days later" in out and "a-again · 12 days later" in out
    assert "Truce" not in out and "probe" not in out  # single measures: only with --all
    out = run("chains", "-f", small, "--as-of", "2025-05-01", "--all").stdout
    assert "Truce" in out and "[bold]x[/x] probe" in out
    # As of the 15th, the answer of the 20th is not yet known.
    result = run("chains", "-f", small, "--as-of", "2025-01-15", "--json")
    assert result.stdout == "[]\n" and "no chains" in result.stderr


def test_summary_on_a_small_ledger(run, small):
    rows = json.loads(run("summary", "-f", small, "--as-of", "2025-02-15", "--json").stdout)
    by = {r["country"]: r for r in rows}
    assert [r["country"] for r in rows] == ["US", "CN", "JP"]  # by activity
    assert {k: by["US"][k] for k in ("imposed", "received", "in_force", "weight", "kinds")} == {
        "imposed": 2, "received": 2, "in_force": 1, "weight": 6, "kinds": {"export-control": 1, "tariff": 1}}
    assert by["US"]["latest"]["id"] == "a-again"
    assert by["US"]["next_deadline"]["ref"] == "a-again" and by["US"]["next_deadline"]["days_left"] == 14
    # a-again takes effect on March 1; the truce is mutual: imposed by both, received by neither.
    rows = json.loads(run("summary", "-f", small, "--as-of", "2025-05-01", "--json").stdout)
    by = {r["country"]: r for r in rows}
    assert (by["US"]["imposed"], by["US"]["received"], by["US"]["in_force"]) == (3, 2, 3)
    assert (by["JP"]["imposed"], by["JP"]["received"]) == (1, 1)
    rows = json.loads(run("summary", "-f", small, "--as-of", "2025-07-01", "-c", "us", "--json").stdout)
    assert [(r["country"], r["in_force"]) for r in rows] == [("US", 2)]  # the truce has expired


def test_user_text_is_never_markup(run, small):
    for args in (["timeline"], ["chains", "--all"], ["show", "cc-alone"], ["summary"]):
        result = run(*args, "-f", small, "--as-of", "2025-05-01")
        assert result.exit_code == 0, (args, result.stderr)
        if args[0] != "summary":
            assert "[bold]x[/x] probe" in result.stdout, args


def test_header_names_the_file_and_as_of_and_never_goes_into_json(run, small):
    out = run("timeline", "-f", small, "--as-of", "2025-05-01", "-c", "JP").stdout
    assert out.splitlines()[0] == f"{small} · as of 2025-05-01 · country JP · 2 entries"
    assert run("timeline", "-f", small, "--as-of", "2025-05-01", "--json").stdout.startswith("[")


def test_filters_on_the_command(run, small):
    data = json.loads(run("timeline", "-f", small, "--as-of", "2025-12-31", "--kind", "tariff", "--json").stdout)
    assert [d["id"] for d in data] == ["a-tariff", "b-counter"]
    data = json.loads(run("timeline", "-f", small, "--as-of", "2025-12-31", "--since", "Feb 1 2025",
                          "--until", "2025-04-01", "--json").stdout)
    assert [d["id"] for d in data] == ["a-again", "cc-alone", "truce"]
    assert all(isinstance(d["actor"], list) and isinstance(d["target"], list)
               for d in data if d["type"] == "measure")
    data = json.loads(run("deadlines", "-f", small, "--as-of", "2025-02-15", "--within", "30d", "--json").stdout)
    assert [(d["ref"], d["days_left"], d["countdown"]) for d in data] == [("a-again", 14, "in 14 days")]
    data = json.loads(run("deadlines", "-f", small, "--as-of", "2025-05-01", "--since", "2025-06-01",
                          "--json").stdout)
    assert [d["ref"] for d in data] == ["truce"]


@pytest.mark.parametrize("args, message", [
    (["timeline", "--as-of", "03/04"], "ambiguous"),
    (["timeline", "--country", "china"], "not a known country code (did you mean CN, China?)"),
    (["summary", "-c", "QQ"], "--country 'QQ' is not a known country code;"),
    (["chains", "-c", "Korea"], "did you mean KP, Korea, Democratic People's Republic of or KR, Korea, Republic of?"),
    (["deadlines", "--kind", "tarif"], "did you mean 'tariff'"),
    (["deadlines", "--within", "soon"], "not a span"),
    (["summary", "--since", "2025-05-01", "--until", "2025-01-01"], "after --until"),
])
def test_bad_option_values_are_usage_errors(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_show_unknown_or_hidden_id_exits_1_with_a_hint(run):
    result = run("show", "truce")
    assert result.exit_code == 1 and "did you mean 'tariff-truce'?" in result.stderr
    result = run("show", "us-100pct-tariff-surcharge", "--as-of", "2025-09-01")
    assert result.exit_code == 1 and "after --as-of 2025-09-01" in result.stderr
    result = run("chains", "apec-2025")
    assert result.exit_code == 1 and "is an event" in result.stderr


def test_nothing_upcoming_names_the_latest_passed_and_suggests_as_of(run):
    result = run("deadlines", "--as-of", "2026-06-01")
    assert result.exit_code == 0
    assert "no deadlines ahead of 2026-06-01" in result.stderr
    assert "the latest passed: 2025-11-10" in result.stderr and "--as-of 2025-10-14" in result.stderr
    assert run("deadlines", "--as-of", "2026-06-01", "--json").stdout == "[]\n"


def test_date_times_count_in_exact_hours_across_offsets(run, tmp_path):
    path = tmp_path / "hours.yaml"
    path.write_text("measures:\n  - {id: m, date: 2025-10-01, actor: US, target: CN, kind: tariff, title: T,\n"
                    "     effective: '2025-10-15T06:00:00-05:00'}\n", encoding="utf-8")
    data = json.loads(run("deadlines", "-f", str(path), "--as-of", "2025-10-14", "--json").stdout)
    assert [(d["date"], d["days_left"], d["hours_left"], d["countdown"]) for d in data] == [
        ("2025-10-15T06:00:00-05:00", 1, 35.0, "in 35 hours")]
    assert "2025-10-15 06:00-05:00  in 35 hours" in run("deadlines", "-f", str(path), "--as-of", "2025-10-14").stdout


# --- long outputs, pipes and colours -----------------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    lines = ["measures:"]
    for i in range(3000):
        answer = f", responds_to: [m{i - 1}]" if i % 10 else ""
        lines.append(f"  - {{id: m{i}, date: 2025-01-{i % 10 + 1:02d}, actor: US, target: CN, kind: tariff, "
                     f"title: 'Measure [b]{i}[/b]', effective: 2025-03-01{answer}}}")
    path = tmp_path_factory.mktemp("big") / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_long_outputs_are_plain_aligned_lines(run, big):
    result = run("timeline", "-f", big, "--as-of", "2025-12-31")
    lines = result.stdout.splitlines()
    assert len(lines) == 3000 + 2 > RICH_ROW_LIMIT
    assert lines[1].split() == ["DATE", "WHO", "KIND", "STATUS", "TITLE"]
    assert "Measure [b]0[/b]" in result.stdout
    result = run("chains", "-f", big, "--as-of", "2025-12-31")
    assert result.stdout.count("Chain ") == 300


@pytest.mark.parametrize("command", ["timeline --json", "timeline", "deadlines --json --all", "chains"])
def test_output_piped_into_head_ends_quietly(big, command):
    r = sh(f"ledger {command} -f {big} --as-of 2025-12-31 | head -c 10")
    assert len(r.stdout) == 10
    assert r.stderr == ""


def test_piped_and_no_color_output_has_no_ansi(small):
    r = sh(f"ledger deadlines -f {small} --as-of 2025-02-15 | cat")
    assert "a-again" in r.stdout and "\x1b[" not in r.stdout
    forced = sh(f"ledger deadlines -f {small} --as-of 2025-02-15", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout  # colour does reach a terminal...
    plain = sh(f"ledger deadlines -f {small} --as-of 2025-02-15", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "a-again" in plain.stdout and "\x1b[" not in plain.stdout  # ...but never with NO_COLOR


# --- help -----------------------------------------------------------------------------------


def test_every_command_has_help(run):
    commands = get_command(app).commands
    assert {"timeline", "deadlines", "chains", "summary", "show"} <= set(commands)
    for name, command in commands.items():
        assert (command.help or "").strip(), f"ledger {name} has no help text"
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage" in result.stdout, name


def test_report_help_names_the_shared_options_and_inclusive_ranges(run):
    for name in ("timeline", "deadlines", "chains", "summary", "show"):
        out = run(name, "--help", env={"COLUMNS": "200"}).stdout
        for option in ("--file", "--json", "--as-of", "--country", "--kind", "--since", "--until"):
            assert option in out, (name, option)
        assert "inclusive" in out


def test_alpha3_and_lower_case_country_codes_read_as_their_alpha2(capsys):
    runner = CliRunner()
    want = runner.invoke(app, ["timeline", "--json", "--as-of", "2025-10-14", "-c", "CN"]).stdout
    for typed in ("cn", "CHN", "chn"):
        got = runner.invoke(app, ["timeline", "--json", "--as-of", "2025-10-14", "-c", typed])
        assert got.exit_code == 0 and got.stdout == want, typed


def test_within_in_hours_counts_from_the_as_of_midnight():
    runner = CliRunner()
    day = json.loads(runner.invoke(app, ["deadlines", "--json", "--as-of", "2025-10-30", "--within", "24h"]).stdout)
    two = json.loads(runner.invoke(app, ["deadlines", "--json", "--as-of", "2025-10-30", "--within", "48h"]).stdout)
    # Days only: an expected event known only to the month (next-trade-talks, 2025-10)
    # is "this month" from any day of it.
    assert {d["date"] for d in day if len(d["date"]) == 10} == {"2025-10-31"}
    assert {d["date"] for d in two if len(d["date"]) == 10} == {"2025-10-31", "2025-11-01"}
    assert {d["ref"] for d in day if len(d["date"]) != 10} == {"next-trade-talks"}


def test_within_that_hides_every_deadline_says_how_far_the_next_is():
    result = CliRunner().invoke(app, ["deadlines", "--as-of", "2025-10-14", "--within", "10d", "--kind", "summit"])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-2:] == [
        "ledger: the next: 2025-10-31 (in 17 days), summit: APEC Economic Leaders' Meeting, Gyeongju [apec-2025]",
        "ledger: see it with --within 17d"]
    shown = CliRunner().invoke(app, ["deadlines", "--json", "--as-of", "2025-10-14", "--within", "17d", "--kind", "summit"])
    assert "apec-2025" in shown.stdout
