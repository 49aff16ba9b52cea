"""The --json contract: the exact key set of every report's items, pinned.

Adding a key is a documented change (README); removing or renaming one breaks
scripts and dashboards, so it must fail here first.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ledger.cli import app

runner = CliRunner()

MEASURE_ITEM = {"id", "type", "date", "actor", "target", "kind", "title", "status", "responds_to", "links", "inferred",
               "disputed"}
EVENT_ITEM = {"id", "type", "date", "end", "countries", "kind", "title", "status", "inferred"}
LINK = {"to", "basis"}
SHOW_LINK = {"to", "basis", "sources", "quote", "note"}
DEADLINE = {"date", "days_left", "hours_left", "countdown", "what", "title", "ref", "countries", "disputed",
            "disputed_by", "inferred"}
CHAIN_NODE = {"id", "date", "actor", "target", "kind", "title", "weight", "lag_days", "repeated", "basis", "inferred",
              "responses"}
CHAIN_STATS = {"steps", "depth", "moves", "weight"}
SUMMARY = {"country", "imposed", "received", "in_force", "events", "kinds", "weight", "latest", "next_deadline",
           "in_force_disputed"}
SUMMARY_LATEST = {"id", "date", "title"}
SHOW_COMMON = {"type", "id", "date", "title", "kind", "status", "tags", "quote", "notes", "sources", "responds_to",
               "responded_by", "deadlines", "disagreements", "inferred", "quotes"}
SHOW_MEASURE = SHOW_COMMON | {"actor", "target", "effective", "expires", "not_before", "weight", "reports", "links"}
SHOW_EVENT = SHOW_COMMON | {"end", "countries", "place", "agenda"}
SOURCE = {"id", "title", "publisher", "published", "url", "author"}
REPORT = {"source", "quote", "date", "effective", "expires", "not_before", "status"}
DISAGREEMENT = {"field", "ours", "our_sources", "theirs", "source", "quote"}


def data(*args):
    result = runner.invoke(app, [*args, "--as-of", "2025-10-14", "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_timeline_items():
    items = data("timeline")
    assert {i["type"] for i in items} == {"measure", "event"}
    for i in items:
        assert set(i) == (MEASURE_ITEM if i["type"] == "measure" else EVENT_ITEM), i["id"]
        if i["type"] == "measure":
            assert isinstance(i["actor"], list) and isinstance(i["target"], list)
            assert [link["to"] for link in i["links"]] == i["responds_to"]
            assert all(set(link) == LINK and link["basis"] in ("stated", "inferred") for link in i["links"])
    assert {i["date"] for i in items} >= {"2025", "2025-06", "2025-10", "2025-10-09"}


@pytest.mark.parametrize("extra", [[], ["--all"]])
def test_deadline_items(extra):
    items = data("deadlines", *extra)
    assert items
    for i in items:
        assert set(i) == DEADLINE
        assert isinstance(i["days_left"], int)
    first = next(i for i in items if i["ref"] == "us-100pct-tariff-surcharge")
    assert (first["date"], first["days_left"], first["what"]) == ("2025-11-01", 18, "not before")
    # the surcharge's not_before is the article's; APEC's days are our reading (inferred: [date, end])
    assert first["inferred"] is False
    assert [i["inferred"] for i in items if i["ref"] == "apec-2025"] == [True, True]


def test_chain_nodes():
    trees = data("chains")
    assert trees
    for tree in trees:
        assert set(tree) == CHAIN_NODE | {"stats"}
        assert set(tree["stats"]) == CHAIN_STATS
        stack = list(tree["responses"])
        while stack:
            node = stack.pop()
            assert set(node) == CHAIN_NODE
            assert node["basis"] in ("stated", "inferred")
            stack.extend(node["responses"])
        assert tree["basis"] is None


def test_summary_items():
    items = data("summary")
    for i in items:
        assert set(i) == SUMMARY
        if i["latest"] is not None:
            assert set(i["latest"]) == SUMMARY_LATEST
        if i["next_deadline"] is not None:
            assert set(i["next_deadline"]) == DEADLINE


def test_show_measure_and_event():
    m = data("show", "tariff-truce")
    assert set(m) == SHOW_MEASURE
    assert all(set(s) == SOURCE for s in m["sources"])
    assert all(set(r) == REPORT for r in m["reports"])
    assert all(set(d) == DISAGREEMENT for d in m["disagreements"])
    assert all(set(d) == DEADLINE for d in m["deadlines"])
    assert set(data("show", "apec-2025")) == SHOW_EVENT
    surcharge = data("show", "us-100pct-tariff-surcharge")
    assert surcharge["responds_to"] == ["cn-rare-earth-alloy-export-controls"]
    assert surcharge["responded_by"] == ["cn-us-soybean-import-suspension"]
    assert all(set(link) == SHOW_LINK for link in surcharge["links"])
    assert [link["to"] for link in surcharge["links"]] == surcharge["responds_to"]


LINK_ROW = {"from", "to", "basis", "sources", "quote", "note"}
SUGGESTION = {"id", "from", "to", "basis", "score", "reasons", "lag_days", "note"}


def test_links_and_suggestions():
    rows = data("links")
    assert rows and all(set(r) == LINK_ROW and r["basis"] in ("stated", "inferred") for r in rows)
    assert {r["basis"] for r in rows} == {"stated", "inferred"}
    suggestions = data("links", "--suggest")
    assert suggestions and all(set(s) == SUGGESTION and s["basis"] == "inferred" for s in suggestions)
    linked = {(r["from"], r["to"]) for r in rows}
    assert not {(s["from"], s["to"]) for s in suggestions} & linked
    assert all(isinstance(s["score"], float) and 0 <= s["score"] <= 1 and s["reasons"]
               and all(isinstance(r, str) for r in s["reasons"]) for s in suggestions)
    assert [s["score"] for s in suggestions] == sorted((s["score"] for s in suggestions), reverse=True)
    assert len({s["id"] for s in suggestions}) == len(suggestions)
