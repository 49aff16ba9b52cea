"""The differential fuzzer (bench/fuzz.py), a short deterministic slice: the fast path
and the exact reader agree on a few thousand mutated ledgers, and on whole commands."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import fuzz  # noqa: E402


def test_a_fixed_slice_of_mutants_shows_no_divergence(tmp_path):
    summary = fuzz.fuzz(seed=12, count=2000, workers=1, whole_every=0, out=str(tmp_path))
    assert summary["divergences"] == 0, summary["divergence dirs"]
    assert summary["mutants"] == 2000
    # A fuzzer whose mutants all decline proves nothing: the fast path vouches for many.
    assert summary["vouched"] >= 0.08 * (summary["mutants"] - summary["undecodable"])
    assert summary["read part by part"] > 100


def test_mutant_i_of_a_seed_is_the_same_whatever_ran_before():
    bases = fuzz.corpus()
    assert fuzz.mutant(bases, 5, 17) == fuzz.mutant(bases, 5, 17)
    assert fuzz.mutant(bases, 5, 17) != fuzz.mutant(bases, 5, 18)


ISSUE_12 = b"sources:\n  s: {title: T, publisher\n  : P}\nmeasures:\n  - id: a\n    date: 2025-01-02\n    actor: US\n" \
           b"    target: CN\n    kind: tariff\n    title: T\n    sources: [s]\n"


def test_whole_commands_on_a_padded_file_answer_as_the_exact_reader_does():
    # Issue 12's file past 256 KiB: `ledger check` said `no errors` (exit 0) where the
    # exact reader says 3:3: error. Both commands now answer as on the exact reader alone.
    padded = fuzz.padded(ISSUE_12)
    assert len(padded) > 256 * 1024
    assert fuzz.whole_commands(ISSUE_12) is None


def test_the_padded_issue_12_file_is_an_error_to_ledger_check(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ledger.cli import app

    monkeypatch.setenv("ESCALATION_LEDGER_NO_CACHE", "1")
    f = tmp_path / "big.yaml"
    f.write_bytes(fuzz.padded(ISSUE_12))
    result = CliRunner().invoke(app, ["check", "-f", str(f)])
    assert result.exit_code == 1
    assert f"{f}:3:3: error: YAML syntax: did not find expected ',' or '}}'" in result.output
