"""The checks beside the report: on a first run over a big ledger, a report is built while a
forked process runs the checks, and nothing is printed before they have spoken.

Whatever that process does (finds errors, dies, is slower than the report, sees a report
fail on the broken ledger), the command prints what it would have printed had it checked
first: the same report, or the same located errors and exit 1 with nothing on stdout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ledger.fastload
import ledger.read
from ledger import cache

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import gen  # noqa: E402

REPORTS = (["timeline"], ["timeline", "--json"], ["deadlines", "--all"], ["chains"], ["summary", "--json"])


@pytest.fixture(scope="module")
def big_text() -> str:
    return gen.to_yaml(gen.generate(1000, seed=11))


@pytest.fixture
def deferring(tmp_path, monkeypatch):
    """Every ledger read by the fast path counts as big, a core is always free, and each
    time the checks are sent to another process is counted."""
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setattr(ledger.read, "_WRITE_BEHIND_MIN_BYTES", 0)
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)
    sent = []
    real = ledger.read._checks_behind

    def counted(*args, **kwargs):
        verdict = real(*args, **kwargs)
        sent.append(verdict)
        return verdict

    monkeypatch.setattr(ledger.read, "_checks_behind", counted)
    yield sent
    cache.wait_for_writers()


def _cli(*args, env=None):
    from ledger.cli import app

    return CliRunner().invoke(app, list(args), env=env)


def _checked_first(path, *args):
    """What the command prints when it checks before it reports (no cache, no other process)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ledger.read, "_checks_behind", lambda *a, **k: None)
        return _cli(*args, "-f", str(path), env={cache.ENV_OFF: "1"})


@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_a_report_built_beside_the_checks_is_the_report_checked_first(tmp_path, big_text, deferring, args):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    first = _cli(*args, "-f", str(f), "--as-of", "2030-01-01")
    assert len(deferring) == 1 and deferring[0] is not None  # the checks ran in another process
    expected = _checked_first(f, *args, "--as-of", "2030-01-01")
    assert (first.exit_code, first.stdout, first.stderr) == (expected.exit_code, expected.stdout, expected.stderr)
    cache.wait_for_writers()
    again = _cli(*args, "-f", str(f), "--as-of", "2030-01-01")  # from the entry the checking process handed on
    assert len(deferring) == 1
    assert (again.exit_code, again.stdout) == (expected.exit_code, expected.stdout)


def _broken(big_text: str) -> str:
    """The text with one answer to a measure that does not exist, deep in the file."""
    at = big_text.index("responds_to: [", len(big_text) // 2)
    return big_text[:at] + "responds_to: [no-such-measure, " + big_text[at + len("responds_to: ["):]


@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_a_ledger_with_errors_prints_its_located_errors_and_no_report(tmp_path, big_text, deferring, args):
    f = tmp_path / "broken.yaml"
    f.write_text(_broken(big_text))
    r = _cli(*args, "-f", str(f))
    assert deferring and deferring[0] is not None
    expected = _checked_first(f, *args)
    assert expected.exit_code == 1 and "no-such-measure" in expected.stderr
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", expected.stderr)
    line = expected.stderr.split(":")[1]
    assert int(line) > 0  # located


def test_a_report_that_fails_on_the_broken_ledger_still_answers_with_its_errors(tmp_path, big_text, deferring, monkeypatch):
    from ledger import render

    def crash(*args, **kwargs):
        raise KeyError("no-such-measure")  # what a report may do with a link to nothing

    monkeypatch.setattr(render, "timeline_json", crash)
    f = tmp_path / "broken.yaml"
    f.write_text(_broken(big_text))
    r = _cli("timeline", "--json", "-f", str(f))
    assert r.exit_code == 1 and r.stdout == ""
    assert "responds to 'no-such-measure', which is not in the ledger" in r.stderr
    assert "internal error" not in r.stderr


@pytest.mark.parametrize("broken", [False, True], ids=["clean", "with errors"])
def test_when_the_checking_process_dies_the_command_checks_again_itself(tmp_path, big_text, deferring, monkeypatch, broken):
    real = ledger.read._fast_checked

    def dies(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(3)  # in the checking process: killed before a word
        return real(*args, **kwargs)

    parent = os.getpid()
    monkeypatch.setattr(ledger.read, "_fast_checked", dies)
    f = tmp_path / "l.yaml"
    f.write_text(_broken(big_text) if broken else big_text)
    r = _cli("chains", "-f", str(f))
    assert deferring and deferring[0] is not None
    expected = _checked_first(f, "chains")
    assert (r.exit_code, r.stdout, r.stderr) == (expected.exit_code, expected.stdout, expected.stderr)


def test_a_report_on_a_small_or_cached_ledger_checks_as_before(tmp_path, big_text, deferring, monkeypatch):
    monkeypatch.setattr(ledger.read, "_WRITE_BEHIND_MIN_BYTES", 8 << 20)
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    assert _cli("timeline", "-f", str(f)).exit_code == 0
    assert deferring == []  # below the size where a forked process pays: checked in line


@pytest.mark.parametrize("own", ["", "responds_to: [no-such-measure]"], ids=["clean", "with an error in one's own file"])
def test_a_ledger_including_a_big_one_is_checked_beside_its_report_too(tmp_path, big_text, deferring, monkeypatch, own):
    monkeypatch.setattr(ledger.read, "SET_DEFER_MIN_MEASURES", 1)
    (tmp_path / "generated.yaml").write_text(big_text)
    f = tmp_path / "mine.yaml"
    f.write_text("include: [generated.yaml]\nmeasures:\n  - id: mine\n    date: 2025-10-01\n    actor: US\n"
                 "    target: CN\n    kind: tariff\n    title: Mine\n" + (f"    {own}\n" if own else ""))
    for args in (["chains"], ["timeline", "--json"]):
        r = _cli(*args, "-f", str(f))
        expected = _checked_first(f, *args)
        assert (r.exit_code, r.stdout, r.stderr) == (expected.exit_code, expected.stdout, expected.stderr)
        assert r.exit_code == (1 if own else 0)
    assert any(v is not None for v in deferring)
