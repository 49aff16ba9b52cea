"""Broken and hostile ledgers: each gets exit 1, one located line naming the problem,
no traceback, and nothing written anywhere.

The corpus lives in tests/broken/: each file's first line says what to expect,
`# expect: LINE:COL message fragment`. Files that cannot carry a comment (empty,
binary, huge) are made here, into the test's own directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ledger.load
from ledger.cli import app

BROKEN = Path(__file__).parent / "broken"
CORPUS = sorted(BROKEN.glob("*.yaml"))
runner = CliRunner()

GOOD = """measures:
  - id: a
    date: 2025-01-02
    actor: US
    target: CN
    kind: tariff
    title: A tariff
"""


def expectation(path: Path) -> tuple[int, int, str]:
    m = re.match(r"# expect: (\d+):(\d+) (.+)\n", path.read_text(encoding="utf-8"))
    assert m, f"{path.name}: first line must be '# expect: LINE:COL fragment'"
    return int(m.group(1)), int(m.group(2)), m.group(3)


def snapshot(d: Path) -> dict:
    return {p.relative_to(d): (p.read_bytes() if p.is_file() else None) for p in d.rglob("*")}


def check_rejects(tmp_path: Path, monkeypatch, name: str, data: bytes, line: int, col: int, fragment: str):
    """Run `ledger check -f NAME` in tmp_path and assert the contract of a rejected file."""
    (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["check", "-f", name])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    expected = f"{name}:{line}:{col}: error: "
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(expected)]
    assert any(fragment in ln for ln in lines), f"want {expected}...{fragment}\ngot:\n{result.stderr}"
    assert snapshot(tmp_path) == before  # nothing written, not even a lock or cache file
    return result


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_broken_file_is_rejected_with_a_located_message(path, tmp_path, monkeypatch):
    line, col, fragment = expectation(path)
    check_rejects(tmp_path, monkeypatch, path.name, path.read_bytes(), line, col, fragment)


# --- files made here: binary, empty, huge -----------------------------------------------------

MADE = {
    "empty.yaml": (b"", 1, 1, "file is empty"),
    "utf16-bom.yaml": (GOOD.encode("utf-16"), 1, 1, "UTF-16"),
    "utf16-no-bom.yaml": (GOOD.encode("utf-16-le"), 1, 1, "UTF-16"),
    "nul.yaml": (GOOD.replace("A tariff", "A\x00tariff").encode(), 7, 13, "control character NUL"),
    "nel.yaml": (GOOD.replace("A tariff", "A\u0085tariff").encode(), 7, 13, "NEL (U+0085)"),
    "line-separator.yaml": (GOOD.replace("A tariff", "A\u2028tariff").encode(), 7, 13, "line separator"),
    "escape-char.yaml": (GOOD.replace("A tariff", "A\x1b[31mtariff").encode(), 7, 13, "U+001B"),
    "latin1.yaml": (GOOD.replace("A tariff", "Caf\xe9 tariff").encode("latin-1"), 7, 15, "invalid UTF-8 byte 0xe9"),
    "bom-in-the-middle.yaml": (GOOD.replace("A tariff", "A\ufefftariff").encode(), 7, 13, "byte-order mark"),
    "huge-string.yaml": (GOOD.replace("A tariff", "x" * 100_000).encode(), 7, 12, "longer than the 65,536 allowed"),
    "huge-quoted-string.yaml": (GOOD.replace("A tariff", '"' + "x" * 5_000_000 + '"').encode(), 7, 12, "longer than"),
    "million-brackets.yaml": (b"[" * 1_000_000, 1, 33, "nesting deeper than 32"),
    "million-braces.yaml": (b"{a: " * 250_000, 1, 129, "nesting deeper than 32"),
    "deep-block.yaml": ("".join(" " * i + "-\n" for i in range(2000)).encode(), 33, 33, "nesting deeper than 32"),
    "crlf-with-a-typo.yaml": (GOOD.replace("title:", "titel:").replace("\n", "\r\n").encode(), 7, 5, "unknown field 'titel'"),
    "bom-with-a-typo.yaml": (b"\xef\xbb\xbf" + GOOD.replace("kind: tariff", "kind: tarif").encode(), 6, 11, "unknown kind 'tarif'"),
    "many-errors.yaml": (b"measures: [" + b"x, " * 200_000 + b"]\n", 1, 3012, "more than 1000 errors"),
}


@pytest.mark.parametrize("name", sorted(MADE))
def test_made_file_is_rejected_with_a_located_message(name, tmp_path, monkeypatch):
    data, line, col, fragment = MADE[name]
    check_rejects(tmp_path, monkeypatch, name, data, line, col, fragment)


def test_file_over_the_size_limit_is_refused_without_parsing(tmp_path, monkeypatch):
    # the real limit is 256 MiB; a small one proves the same path without writing that much
    monkeypatch.setattr(ledger.load, "MAX_BYTES", 1000)
    big = GOOD + "    notes: " + "x" * 2000 + "\n"
    (tmp_path / "big.yaml").write_text(big)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "-f", "big.yaml"])
    assert result.exit_code == 1
    assert "big.yaml: file is larger than" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_python_tag_runs_nothing_in_a_real_process(tmp_path):
    """The console script, a real process: the tag would create PWNED if anything ran it."""
    (tmp_path / "evil.yaml").write_text(
        "measures:\n  - !!python/object/apply:os.system ['touch PWNED']\n"
        "events: !!python/object/apply:subprocess.call [[touch, PWNED2]]\n")
    proc = subprocess.run([sys.executable, "-m", "ledger", "check", "-f", "evil.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "evil.yaml:2:5: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(os.listdir(tmp_path)) == ["evil.yaml"]


def test_a_million_brackets_do_not_crash_libyaml_in_a_real_process(tmp_path):
    # libyaml's own composer segfaults (exit 139) from about 25,000 levels: depth is
    # checked on the event stream, so the process ends normally with a located error
    (tmp_path / "deep.yaml").write_bytes(b"measures: " + b"[" * 1_000_000)
    proc = subprocess.run([sys.executable, "-m", "ledger", "check", "-f", "deep.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.returncode
    assert "deep.yaml:1:42: error: nesting deeper than 32 levels" in proc.stderr


# --- YAML 1.1 surprises and encodings that must load -------------------------------------------


def test_bom_and_crlf_files_load(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    Path("crlf.yaml").write_bytes(GOOD.replace("\n", "\r\n").encode())
    for name in ("bom.yaml", "crlf.yaml"):
        result = runner.invoke(app, ["check", "-f", name])
        assert result.exit_code == 0, result.stderr
        assert "1 measure," in result.stderr


def test_norway_and_octal_looking_ids_stay_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = GOOD.replace("id: a", "id: 0123").replace("actor: US", "actor: NO").replace("target: CN", "target: [ON, YES]")
    Path("l.yaml").write_text(text.replace("target: [ON, YES]", "target: [NO]"))
    result = runner.invoke(app, ["check", "-f", "l.yaml"])
    assert result.exit_code == 0, result.stderr
    from ledger.load import load_text

    ledger_, problems = load_text("l.yaml", text)
    m = ledger_.measures[0]
    assert (m.id, m.actor) == ("0123", ("NO",))
    # ON and YES are codes too, not booleans: they fail only as unknown ISO countries
    assert m.target == ("ON", "YES")


# --- when we fail: one line and a hint, or the traceback with --debug ----------------------------

FORCED = """
import sys
import ledger.check
def broken(ledger):
    raise ZeroDivisionError("forced for the test")
ledger.check.check_ledger = broken
from ledger.cli import main
sys.argv = ["ledger", *sys.argv[1:]]
main()
"""


def test_an_internal_error_is_one_line_and_a_hint():
    proc = subprocess.run([sys.executable, "-c", FORCED, "check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "ledger: internal error: ZeroDivisionError: forced for the test",
        "ledger: this is a bug; rerun with --debug (or ESCALATION_LEDGER_DEBUG=1) to see the traceback",
    ]


def test_debug_shows_the_traceback_without_local_variables():
    proc = subprocess.run([sys.executable, "-c", FORCED, "--debug", "check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "Traceback (most recent call last)" in proc.stderr
    assert 'in broken' in proc.stderr and proc.stderr.rstrip().endswith("ZeroDivisionError: forced for the test")
    assert "locals" not in proc.stderr.lower()  # plain traceback: no rich panel printing variables
