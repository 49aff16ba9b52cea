"""The wheel carries the bundled ledger and the schema: `pip install .` works from any directory."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_wheel_runs_check_on_its_bundled_ledger_from_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = dist.glob("escalation_ledger-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    p = subprocess.run([str(env_dir / "bin" / "ledger"), "check"], cwd=elsewhere, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "15 measures, 11 events, 2 sources, no errors" in p.stderr
    # the bundled ledger is read from inside the installed package, not from this checkout
    assert "site-packages/ledger/data/measures.yaml" in p.stderr

    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "ledger/data/measures.yaml" in names and "ledger/data/ledger.schema.json" in names
