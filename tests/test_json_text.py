"""The `--json` text: both writers give exactly what json.dumps(indent=2, sort_keys=True,
ensure_ascii=False, default=str) gives, and a chain deeper than any recursion limit prints."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ledger.cli import whole_app
from ledger.cli.jsontext import dumps, dumps_iterative

GOLDEN = Path(__file__).resolve().parent / "golden"


def reference(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)


# Anything json.dumps takes: any text (lone surrogates too), any int, every float.
leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
anything = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)
# What the reports produce: text, int64, None, bools, hours rounded to hundredths.
report_text = st.text(st.characters(blacklist_categories=("Cs",)))
report_leaves = (st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | report_text
                 | st.floats(-10_000, 10_000).map(lambda x: round(x, 2)))
report_shaped = st.recursive(
    report_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(report_text, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(anything)
def test_the_iterative_writer_is_json_dumps(data):
    assert dumps_iterative(data) == reference(data)


@pytest.mark.parametrize("data", [
    {1: "a", 2: "b"}, {1.5: 0, 2.5: 1}, {True: 1, False: 0}, {None: 1},
    [date(2025, 10, 14), datetime(2025, 11, 1, 6, 0, tzinfo=timezone.utc)], "just a string", 7, [], {}, [[], {}, [[]]],
])
def test_both_writers_are_json_dumps_on_odd_keys_and_values(data):
    assert dumps_iterative(data) == reference(data)
    assert dumps(data) == reference(data)


def test_floats_no_report_produces_are_still_written_as_json_dumps_writes_them():
    data = [float("nan"), float("inf"), 1e-05, 1e16]  # orjson would write null, null, 0.00001, 1e16
    assert dumps_iterative(data) == reference(data)


def test_the_iterative_writer_refuses_what_json_dumps_refuses():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        dumps_iterative(loop)
    with pytest.raises(TypeError, match="keys must be"):
        dumps_iterative({(1, 2): 3})


@settings(max_examples=300, deadline=None)
@given(report_shaped)
def test_orjson_writes_the_same_text_for_what_reports_produce(data):
    import orjson  # noqa: F401 - a dependency (pyproject.toml): this test must run, never skip

    assert dumps(data) == reference(data)


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.name)
def test_both_writers_give_the_golden_files(path):
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert dumps(data) + "\n" == text
    assert dumps_iterative(data) + "\n" == text


def test_without_orjson_the_standard_library_text_is_written(monkeypatch):
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson now raises ImportError
    for path in sorted(GOLDEN.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert dumps(json.loads(text)) + "\n" == text, path.name


TIMELINE_VARIETY = """\
version: 1
sources:
  a: {title: A, publisher: P, published: 2025-10-01}
  b: {title: B, publisher: P, published: 2025-10-02}
measures:
  - id: first
    date: 2025-10
    actor: US
    target: [CN, EU]
    kind: tariff
    title: "T \\u202e \\u001b[2J"
    sources: [a]
    effective: 2025-10-20
    reports:
      - {source: b, effective: 2025-10-21}
  - id: second
    date: 2025-10-09
    actor: CN
    target: US
    kind: export-control
    title: S
    sources: [a]
    inferred: [target]
    notes: the target is our reading
    responds_to: [first, {id: third, basis: inferred, note: our reading}]
  - id: third
    date: 2025-10-05
    actor: US
    target: CN
    kind: investigation
    title: U
    sources: [a]
events:
  - id: summit
    date: 2025-10-30
    end: 2025-10-31
    countries: [US, CN]
    kind: summit
    title: Summit
    sources: [a]
"""


@pytest.mark.parametrize("writer", ["orjson", "standard library"])
def test_timeline_json_written_without_sorting_is_the_contracts_sorted_text(tmp_path, monkeypatch, writer):
    """timeline --json builds its dicts with their keys in order and tells the writer not to
    sort them: a key added out of order would change the text, and this fails."""
    from ledger import render
    from ledger.load import load_text
    from ledger.timeline import timeline

    if writer != "orjson":
        monkeypatch.setitem(sys.modules, "orjson", None)
    f = tmp_path / "l.yaml"
    f.write_text(TIMELINE_VARIETY, encoding="utf-8")
    r = CliRunner().invoke(whole_app(), ["timeline", "--json", "--as-of", "2025-12-31", "-f", str(f)])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {d["type"] for d in data} == {"measure", "event"} and any(d["disputed"] for d in data)
    assert any(link["basis"] == "inferred" for d in data if d["type"] == "measure" for link in d["links"])
    assert r.stdout == reference(data) + "\n"
    ledger, problems = load_text(str(f), TIMELINE_VARIETY)
    assert ledger is not None, problems
    stack = list(render.timeline_json(timeline(ledger)))
    while stack:  # every dict, nested ones too, has its keys in sorted order
        d = stack.pop()
        assert list(d) == sorted(d)
        stack += [x for v in d.values() if isinstance(v, list) for x in v if isinstance(x, dict)]


# --- a chain deeper than the recursion limit -----------------------------------------------

DEPTH = 1000  # json.dumps's recursion stops near 330 levels, orjson's at 255; the text grows as depth²


def deep_chain_yaml(depth: int) -> str:
    lines = ["measures:"]
    for i in range(depth):
        actor, target = ("US", "CN") if i % 2 == 0 else ("CN", "US")
        lines += [f"  - id: step-{i}", "    date: 2025-01-01", f"    actor: {actor}",
                  f"    target: {target}", "    kind: tariff", f"    title: Step {i}"]
        if i:
            lines.append(f"    responds_to: [step-{i - 1}]")
    return "\n".join(lines) + "\n"


def json_depth(data) -> int:
    """How deeply nested a JSON value is, as jq 1.6 counts against its limit of 256: an
    object two levels (its key is on the stack too), a list one (measured with jq 1.6)."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            deepest = max(deepest, depth + 2)
            stack.extend((v, depth + 2) for v in value.values())
        elif isinstance(value, list):
            deepest = max(deepest, depth + 1)
            stack.extend((v, depth + 1) for v in value)
    return deepest


def deep_chains_json(tmp_path, depth: int) -> str:
    path = tmp_path / f"deep-{depth}.yaml"
    path.write_text(deep_chain_yaml(depth), encoding="utf-8")
    result = CliRunner().invoke(whole_app(), ["chains", "--json", "--file", str(path), "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_chain_a_thousand_answers_deep_is_cut_into_trees_jq_can_read(tmp_path):
    text = deep_chains_json(tmp_path, DEPTH)
    data = json.loads(text)
    assert dumps(data) + "\n" == text
    assert 150 <= json_depth(data) <= 256  # under jq 1.6's limit, and not cut far earlier than needed
    # Follow the chain from its root through every continuation: each node once, in order.
    root, *rest = data
    assert root["stats"]["depth"] == DEPTH - 1 and all(t["continues"] == "step-0" for t in rest)
    continuations = {t["id"]: t for t in rest}
    seen, node = [], root
    while True:
        seen.append(node["id"])
        if node.get("continued"):
            assert node["responses"] == []
            node = continuations.pop(node["id"])
            seen.pop()  # the continuation starts again at the node it continues
            continue
        if not node["responses"]:
            break
        node = node["responses"][0]
    assert seen == [f"step-{i}" for i in range(DEPTH)] and not continuations


def test_deep_chains_json_grows_with_the_chain_not_its_square(tmp_path):
    small, big = len(deep_chains_json(tmp_path, 1000)), len(deep_chains_json(tmp_path, 4000))
    assert big < 4.5 * small


def test_jq_reads_a_deep_chain(tmp_path):
    import shutil

    if shutil.which("jq") is None:
        pytest.fail("jq is required (CI installs it)")
    text = deep_chains_json(tmp_path, 600)
    proc = subprocess.run(["jq", "-r", '[.. | objects | select(has("id")) | .id] | unique | length'], input=text,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "600"
