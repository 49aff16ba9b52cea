"""The example ledgers in examples/ (issue 15's evaluation set of `links --suggest`).

Each file checks clean; every measure cites a source and quotes it; every stated link
rests on a quote; bench/suggest_eval.py runs on an example and gives well-formed
numbers. The precision and recall themselves are a measurement, not a test: they are
in bench/SUGGEST.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ledger.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


class _TextLoader(yaml.SafeLoader):
    """Every scalar as the text written (the ledger's own reading of `NO`, dates, ...)."""


_TextLoader.yaml_implicit_resolvers = {}


def read(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TextLoader)


def links(measure: dict):
    """(answered id, the link's own mapping or None, basis) for each item of responds_to."""
    for item in measure.get("responds_to") or []:
        if isinstance(item, dict):
            yield item["id"], item, item.get("basis", "stated")
        else:
            yield item, None, "stated"


def test_there_are_examples_enough_to_measure():
    assert {p.name for p in EXAMPLES} >= {"steel-2018.yaml", "japan-korea-2019.yaml", "china-australia-2020.yaml"}
    stated = sum(1 for p in EXAMPLES for m in read(p)["measures"] for _, _, b in links(m) if b == "stated")
    assert stated >= 20
    unlinked = [m for p in EXAMPLES for m in read(p)["measures"] if not m.get("responds_to")]
    assert len(unlinked) >= 10  # measures that answer nothing: what tests precision


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_checks_clean(path):
    r = CliRunner().invoke(app, ["check", "--json", "-f", str(path)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == []  # no error and no warning


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_measure_cites_and_quotes_a_public_page(path):
    doc = read(path)
    sources = doc["sources"]
    for sid, s in sources.items():
        assert s.get("url", "").startswith(("http://", "https://")), f"{sid}: no url"
        assert s.get("publisher") and s.get("title"), sid
    for m in doc["measures"]:
        assert m.get("sources"), f"{m['id']} cites no source"
        assert set(m["sources"]) <= set(sources), m["id"]
        quotes = [m["quote"]] if m.get("quote") else list((m.get("quotes") or {}).values())
        assert quotes and all(q.strip() for q in quotes), f"{m['id']} quotes nothing"
        assert set(m.get("quotes") or {}) <= set(m["sources"]), f"{m['id']} quotes a source it does not cite"
        assert all(len(q) < 600 for q in quotes), f"{m['id']}: a quote is a sentence or less, not a page"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_stated_link_rests_on_a_quote(path):
    doc = read(path)
    ids = {m["id"] for m in doc["measures"]}
    for m in doc["measures"]:
        for answered, item, basis in links(m):
            assert answered in ids, f"{m['id']} answers unknown {answered}"
            if basis != "stated":
                assert item.get("note"), f"{m['id']} -> {answered}: an inferred link says why"
                continue
            assert m.get("quote") or m.get("quotes"), f"{m['id']} states a link and quotes nothing"
            if item is not None and item.get("quote"):
                cited = item.get("sources") or m["sources"]
                assert set(cited) <= set(m["sources"]) | set(doc["sources"]), f"{m['id']} -> {answered}"


def test_suggest_eval_runs_and_gives_rates_between_0_and_1():
    script = ROOT / "bench" / "suggest_eval.py"
    example = ROOT / "examples" / "japan-korea-2019.yaml"
    r = subprocess.run([sys.executable, str(script), "--check", "--json", str(example)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    (f,) = result["files"]
    assert f["stated"] == 6 and f["measures"] == 8
    assert set(result["sweep"]) == {str(t / 10) for t in range(10)}
    for d in [result["overall"], *result["sweep"].values(), *f["sweep"].values()]:
        assert d["tp"] <= d["suggested"] and d["tp"] <= d["stated"]
        for k in ("precision", "recall", "f1"):
            assert d[k] is None or 0.0 <= d[k] <= 1.0
    assert all(0.0 <= v <= 1.0 for v in f["scores"].values())
    assert len(f["misses"]) == f["stated"] - f["sweep"]["0.0"]["tp"]
