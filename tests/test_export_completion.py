"""Shell completion through Typer's protocol, run as the shell runs it: the installed `ledger`
script with _LEDGER_COMPLETE and the words typed so far in the environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LEDGER = Path(sys.executable).with_name("ledger")
if not LEDGER.exists():  # pragma: no cover - a venv always has it; fall back to PATH
    LEDGER = Path(shutil.which("ledger") or "ledger")

SMALL = """\
measures:
  - id: alpha-one
    date: 2025-10-09
    actor: DE
    target: [FR, EU]
    kind: tariff
    title: Alpha
  - id: alpha-two
    date: 2025-10-10
    actor: FR
    target: DE
    kind: fee
    title: Alpha two
    responds_to: [alpha-one]
events:
  - id: alpha-meeting
    date: 2025-10-20
    title: Meeting
    kind: meeting
    countries: [DE, FR]
countries:
  EU: European Union
"""


def complete(line: str, *, shell: str = "bash", env_extra: dict | None = None) -> subprocess.CompletedProcess:
    words = line.split(" ")
    env = {k: v for k, v in os.environ.items() if k != "ESCALATION_LEDGER_FILE"}
    env.update(env_extra or {})
    if shell == "bash":
        env.update(_LEDGER_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    else:
        env.update(_LEDGER_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=line)
    return subprocess.run([str(LEDGER)], env=env, capture_output=True, text=True, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)


def offered(line: str, **kw) -> list[str]:
    r = complete(line, **kw)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout.split()


def test_show_completes_ids_of_the_bundled_ledger():
    assert offered("ledger show tar") == ["tariff-truce"]
    assert "apec-2025" in offered("ledger show ap")  # events too


def test_chains_completes_measure_ids_only():
    assert offered("ledger chains cn-q") == ["cn-qualcomm-autotalks-block", "cn-qualcomm-antitrust-investigation"]
    assert offered("ledger chains ap") == []  # apec-2025 is an event


def test_country_and_kind_values():
    assert offered("ledger timeline --country ") == ["CN", "KR", "US"]
    assert offered("ledger deadlines -c u") == ["us"]
    assert offered("ledger deadlines --kind ta") == ["tariff", "talks"]
    assert offered("ledger export csv --kind ex") == ["export-control"]


def test_ids_come_from_the_file_named_on_the_line_or_in_the_environment(tmp_path):
    p = tmp_path / "small.yaml"
    p.write_text(SMALL, encoding="utf-8")
    assert offered(f"ledger show --file {p} al") == ["alpha-one", "alpha-two", "alpha-meeting"]
    assert offered(f"ledger chains --file {p} al") == ["alpha-one", "alpha-two"]
    assert offered(f"ledger timeline --file {p} --country ") == ["DE", "EU", "FR"]
    assert offered("ledger show al", env_extra={"ESCALATION_LEDGER_FILE": str(p)}) == [
        "alpha-one", "alpha-two", "alpha-meeting"]


def test_zsh_gets_titles_as_descriptions():
    r = complete("ledger show tar", shell="zsh")
    assert r.returncode == 0 and r.stderr == ""
    assert '"tariff-truce":"Tariff truce' in r.stdout


@pytest.mark.parametrize("file_arg", ["/nonexistent/ledger.yaml", "-", "BROKEN"])
def test_a_missing_or_broken_file_completes_nothing_quietly(tmp_path, file_arg):
    if file_arg == "BROKEN":
        broken = tmp_path / "broken.yaml"
        broken.write_bytes(b"measures: [\x00\xff")
        file_arg = str(broken)
    assert offered(f"ledger show --file {file_arg} ta") == []


def test_the_completion_script_names_the_protocol():
    # Typer picks the shell from the parent process unless told to take the one named:
    # the test must not depend on which shell started pytest.
    env = dict(os.environ, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    r = subprocess.run([str(LEDGER), "--show-completion", "bash"], capture_output=True, text=True, timeout=60,
                       check=False, env=env)
    assert r.returncode == 0, r.stderr
    assert "_LEDGER_COMPLETE=complete_bash" in r.stdout


def test_export_formats_and_chart_periods():
    assert offered("ledger export ") == ["ics", "dot", "mermaid", "svg", "png", "csv", "jsonl"]
    assert offered("ledger chart --by m") == ["month"]


def test_titles_offered_as_help_are_shown_as_escapes_on_one_line(tmp_path):
    p = tmp_path / "hostile.yaml"
    p.write_text('countries:\n  ZZ: "Zed\\e]0;owned\\a land"\n'
                 'kinds:\n  odd:\n    description: "\\u202eevil"\n    weight: 1\n'
                 'measures:\n'
                 '  - {id: esc-title, date: 2025-01-01, actor: ZZ, target: US, kind: odd, '
                 'title: "Title \\e[2J\\e]52;c;cGF5bG9hZA==\\a cleared"}\n'
                 '  - {id: esc-bidi, date: 2025-01-02, actor: US, target: ZZ, kind: tariff, '
                 'title: "abc \\u202edcba\\u2066 x y"}\n', encoding="utf-8")
    for line, shown in ((f"ledger show --file {p} esc-t", '"esc-title":"Title \\x1b[2J\\x1b]52;c;cGF5bG9hZA==\\x07 cleared"'),
                        (f"ledger chains --file {p} esc-b", '"esc-bidi":"abc \\u202edcba\\u2066 x y"'),
                        (f"ledger timeline --file {p} --country Z", '"ZZ":"Zed\\x1b]0;owned\\x07 land"'),
                        (f"ledger timeline --file {p} --kind od", '"odd":"\\u202eevil"')):
        r = complete(line, shell="zsh")
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "\u202e" not in r.stdout and "\u2066" not in r.stdout
        assert shown in r.stdout, (line, r.stdout)
