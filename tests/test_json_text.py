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


# Parses the text and writes it again with the standard library, given room to recurse.
# Both directions in Python code: from 3.12 the C scanner and encoder stop at a C
# recursion limit of their own that setrecursionlimit does not raise. A failure in the
# thread exits non-zero (an exception there alone would leave the exit code 0).
VERIFY = """
import json, json.scanner, os, sys, threading, traceback
sys.setrecursionlimit(1_000_000)
threading.stack_size(512 * 1024 * 1024)
def run():
    try:
        check()
    except BaseException:
        traceback.print_exc()
        sys.stdout.flush()
        os._exit(1)
def check():
    text = sys.stdin.read()
    decoder = json.JSONDecoder()
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    data = decoder.decode(text)
    again = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\\n"
    node, depth = data[0], 0
    while node["responses"]:
        node, depth = node["responses"][0], depth + 1
    print(again == text, depth, node["id"])
t = threading.Thread(target=run)
t.start()
t.join()
"""


def test_a_chain_a_thousand_answers_deep_prints_as_json(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(deep_chain_yaml(DEPTH), encoding="utf-8")
    result = CliRunner().invoke(whole_app(), ["chains", "--json", "--file", str(path), "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.stderr
    check = subprocess.run([sys.executable, "-c", VERIFY], input=result.stdout, capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stderr
    assert check.stdout.split() == ["True", str(DEPTH - 1), f"step-{DEPTH - 1}"]
