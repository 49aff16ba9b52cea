"""The benchmark works: the generator writes a clean ledger, the runner writes its table.

No timing is asserted here (the machine decides that); bench/RESULTS.md holds the numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ledger.cli import app

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
import gen  # noqa: E402


def test_generated_ledger_checks_clean(tmp_path):
    f = tmp_path / "l.yaml"
    assert gen.main(["200", "-o", str(f)]) == 0
    r = CliRunner().invoke(app, ["check", "--json", "-f", str(f)])
    assert r.exit_code == 0, r.output
    problems = json.loads(r.stdout)
    assert [p for p in problems if p["severity"] == "error"] == []
    data = gen.generate(200)
    assert len(data["measures"]) == 200 and data["events"] and data["sources"]
    answers = [m for m in data["measures"] if m.get("responds_to")]
    assert 0.2 < len(answers) / 200 < 0.7  # most measures answer nothing, many answer one or two


def test_generator_is_deterministic_and_writes_three_twins(tmp_path):
    assert gen.to_yaml(gen.generate(50)) == gen.to_yaml(gen.generate(50))
    assert gen.to_yaml(gen.generate(50, seed=1)) != gen.to_yaml(gen.generate(50, seed=2))
    j, h = tmp_path / "l.json", tmp_path / "l.journal"
    gen.main(["50", "-o", str(j), "--json"])
    gen.main(["50", "-o", str(h), "--hledger"])
    assert len(json.loads(j.read_text())["measures"]) == 50
    assert h.read_text().count("\n    escalation:") == 50  # one transaction per measure


def test_runner_smoke_writes_the_results_table(tmp_path):
    out = tmp_path / "RESULTS.md"
    r = subprocess.run([sys.executable, str(BENCH / "run.py"), "--smoke", "--no-hledger", "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert text.startswith("# Benchmark results")
    assert "Machine: " in text and "Python " in text
    for heading in ("## Floors", "## Bundled ledger", "## 200 measures"):
        assert heading in text
    for floor in ("python -c pass", "import typer", "framework floor", "floor + rich.table"):
        assert f"| {floor} | " in text
    rows = [line for line in text.split("## Real data in")[0].splitlines() if line.startswith("| `ledger check` |")]
    assert len(rows) == 2  # the bundled ledger and the generated one
    cells = rows[1].strip("|").split("|")
    assert len(cells) == 5 and float(cells[1]) > 0 and float(cells[3]) > 0  # cold s and warm s are numbers
    assert "| `check` |" in text  # the 100k-target verdict table
    assert "| 200 | " in text and text.split("## Same answers as the exact reader")[1].split("\n\n")[2].count("| yes |") == 1
    # issue 14's rows: the GTA import, the import again (which writes nothing), the reports on a ledger including one
    imports = text.split("## Real data in")[1].split("## Same answers")[0]
    assert "| `ledger import gta DUMP -o gta.yaml` |" in imports
    assert "| the same again |" in imports and "writes nothing | yes |" in imports
    assert "| `ledger timeline --json` |" in imports and "| `ledger chains` |" in imports
