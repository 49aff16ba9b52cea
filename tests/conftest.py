"""Shared test options: `pytest --update-golden` rewrites the golden files in tests/golden/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests must not flake: in CI (CI=true, set by .ci/run and by most CI services)
# hypothesis draws the same examples every run and keeps no example database, so a run
# is decided by the code alone. A failure found anywhere is kept in its test as an
# explicit @example. Locally, examples stay random: that is how new failures are found.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "default")

GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite tests/golden/* from the current output instead of comparing.")


@pytest.fixture
def golden(request):
    """golden(name, text): compare text with tests/golden/NAME (or rewrite it with --update-golden)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden to create it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path}; if the change is intended, run pytest --update-golden"

    return check


@pytest.fixture(autouse=True)
def _private_parse_cache(tmp_path_factory, monkeypatch):
    """Every test gets an empty parse cache of its own: no test is served another's entry,
    and none writes to the user's ~/.cache."""
    monkeypatch.setenv("ESCALATION_LEDGER_CACHE_DIR", str(tmp_path_factory.mktemp("parse-cache")))
    monkeypatch.delenv("ESCALATION_LEDGER_NO_CACHE", raising=False)
