"""Every command stays bounded on a valid but extreme ledger: a chain 20,000 answers deep.

Output and memory grow with the ledger, never with the square of a chain's depth (as
indented JSON and indented trees did: 2 GB written for a 10,000-deep chain, killed at
24 GB for 20,000). Each command runs in a process of its own with its address space
capped at 1 GiB, so one that regressed dies instead of taking the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ledger.cli import whole_app
from test_json_text import deep_chain_yaml  # one chain writer for the deep-chain tests

DEPTH = 20_000
MEMORY = 1 << 30


@pytest.fixture(scope="module")
def deep(tmp_path_factory):
    path = tmp_path_factory.mktemp("deep") / "deep.yaml"
    path.write_text(deep_chain_yaml(DEPTH), encoding="utf-8")
    return path


def capped(*args, cwd):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    env = {**os.environ, "ESCALATION_LEDGER_NO_CACHE": "1"}
    return subprocess.run([sys.executable, "-m", "ledger", *args], cwd=cwd, env=env, capture_output=True,
                          preexec_fn=limit, timeout=300)


# Bytes of output per measure no command may exceed on this ledger (a measure's JSON in a
# continued tree is about 1.6 KB, mostly the indentation of up to 64 levels).
PER_MEASURE = 4000

COMMANDS = {
    "timeline": ["timeline"],
    "timeline --json": ["timeline", "--json"],
    "chains": ["chains"],
    "chains --json": ["chains", "--json"],
    "chains ID": ["chains", "step-10000"],
    "summary": ["summary"],
    "deadlines --all": ["deadlines", "--all"],
    "show": ["show", "step-19999"],
    "check": ["check"],
    "export csv": ["export", "csv"],
    "export jsonl": ["export", "jsonl"],
    "export dot": ["export", "dot"],
    "export mermaid": ["export", "mermaid"],
    "export ics": ["export", "ics"],
    "chart": ["chart"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_on_a_20000_deep_chain_is_bounded(deep, name):
    as_of = [] if name == "check" else ["--as-of", "2025-12-31"]
    proc = capped(*COMMANDS[name], "-f", str(deep), *as_of, cwd=deep.parent)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert len(proc.stdout) < PER_MEASURE * DEPTH


def test_the_report_of_a_20000_deep_chain_is_written_without_its_graph(deep):
    out = deep.parent / "report.html"
    proc = capped("report", "-o", str(out), "-f", str(deep), "--as-of", "2025-12-31", cwd=deep.parent)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    page = out.read_text(encoding="utf-8")
    assert "The chains graph is not drawn: 20,000 measures are more than a page can show" in page
    assert page.count("<li>") == DEPTH
    # Nested lists stop at a fixed depth, the deeper answers say their level.
    assert "level 19999 · " in page and page.count("<ul>") < 40


def test_a_graph_dot_cannot_lay_out_in_time_is_one_line_and_no_file(tmp_path, monkeypatch):
    import shutil

    if shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is required (CI installs graphviz)")
    (tmp_path / "deep.yaml").write_text(deep_chain_yaml(20_000), encoding="utf-8")
    monkeypatch.setattr("ledger.export.graph.DOT_TIMEOUT", 0.5)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(whole_app(), ["export", "svg", "-o", "chains.svg", "-f", "deep.yaml"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "ledger: Graphviz's dot did not lay the graph out in 0.5 s (20,000 measures); nothing written. "
        "Export the graph as text (ledger export dot, or mermaid), or draw part of it (--country, --since, --until)")
    assert sorted(os.listdir(tmp_path)) == ["deep.yaml"]


def test_the_report_is_written_when_dot_runs_out_of_time(tmp_path, monkeypatch):
    import shutil

    if shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is required (CI installs graphviz)")
    (tmp_path / "deep.yaml").write_text(deep_chain_yaml(20_000), encoding="utf-8")
    monkeypatch.setattr("ledger.cli.export.REPORT_GRAPH_MEASURES", 10**9)
    monkeypatch.setattr("ledger.cli.export.REPORT_DOT_TIMEOUT", 0.5)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(whole_app(), ["report", "-o", "r.html", "-f", "deep.yaml"])
    assert result.exit_code == 0, result.stderr
    assert "Graphviz&#x27;s dot did not lay it out in 0.5 s" in (tmp_path / "r.html").read_text() or \
        "Graphviz's dot did not lay it out in 0.5 s" in (tmp_path / "r.html").read_text()


def test_chains_json_of_a_deep_chain_names_every_measure_once(deep):
    proc = capped("chains", "--json", "-f", str(deep), "--as-of", "2025-12-31", cwd=deep.parent)
    data = json.loads(proc.stdout)
    ids = []
    stack = list(data)
    while stack:
        node = stack.pop()
        ids.append(node["id"])
        stack.extend(node["responses"])
    # each continuation starts again at the node where its tree was cut
    cut = sum(1 for t in data if "continues" in t)
    assert len(ids) == DEPTH + cut and len(set(ids)) == DEPTH


# --- lists inside an entry are bounded ----------------------------------------------------------

TAGS = ("measures:\n  - id: many-tags\n    date: 2025-01-01\n    actor: US\n    target: CN\n"
        "    kind: tariff\n    title: T\n    tags: [{}]\n")


@pytest.mark.parametrize("padded", [False, True], ids=["small file", "big file (fast path)"])
def test_a_list_of_more_than_10000_items_is_a_located_error(tmp_path, padded):
    text = TAGS.format(", ".join(f"t{i}" for i in range(10_001)))
    if padded:  # past the fast path's threshold: it must decline, and the exact reader say where
        text += "".join(f"  - id: pad-{i}\n    date: 2025-01-01\n    actor: US\n    target: CN\n"
                        f"    kind: fee\n    title: Padding {i}\n" for i in range(3000))
    (tmp_path / "tags.yaml").write_text(text)
    result = CliRunner().invoke(whole_app(), ["check", "-f", str(tmp_path / "tags.yaml")])
    assert result.exit_code == 1
    col = len("    tags: [") + len(", ".join(f"t{i}" for i in range(10_000))) + 3
    assert f"tags.yaml:8:{col}: error: more than 10,000 items in one list" in result.stderr
    ok = TAGS.format(", ".join(f"t{i}" for i in range(10_000)))
    (tmp_path / "ok.yaml").write_text(ok)
    assert CliRunner().invoke(whole_app(), ["check", "-f", str(tmp_path / "ok.yaml")]).exit_code == 0


def test_the_fast_path_never_builds_values_past_its_bound(monkeypatch):
    """yaml-rs makes every value before anything is checked: a flow list longer than an
    entry may hold stops the screen, and a read with more values than MAX_VALUES_PER_READ
    is left to the exact reader (which streams) instead of being built."""
    from ledger import fastload

    longest = TAGS.format(", ".join(["t"] * 10_000))
    assert fastload.screen(longest)
    assert not fastload.screen(TAGS.format(", ".join(["t"] * 10_001)))
    assert fastload.load_fast("t.yaml", longest) is not None
    monkeypatch.setattr(fastload, "MAX_VALUES_PER_READ", 5_000)
    assert fastload.load_fast("t.yaml", longest) is None
