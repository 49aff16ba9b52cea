"""Where the fast renderers and their inputs could go wrong: texts worked out once per
distinct date, actor/target pair or lag, and the shortcuts for plain dates, lone
chains and a selection by as-of day alone."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from ledger import render
from ledger.chains import build_chains, chain_stats, is_chain, rows_of
from ledger.deadlines import as_utc, countdown
from ledger.load import load_text
from ledger.select import Selection, keeps_event, keeps_measure, select
from ledger.timeline import timeline

# One first day in three precisions; one actor aimed at two targets, and the reverse
# pair; answers 3 days later, 3 days later again (a shared lag text), 1 day earlier,
# and after a month-precision date (lag unknown).
LEDGER = """\
version: 1
measures:
  - {id: day, date: 2025-01-01, actor: AA, target: BB, kind: tariff, title: Known to the day}
  - {id: month, date: 2025-01, actor: AA, target: CC, kind: fee, title: Known to the month}
  - {id: year, date: 2025, actor: BB, target: AA, kind: truce, title: Known to the year}
  - {id: both, date: 2025-01-04, actor: [AA, BB], target: [BB, AA], kind: talks, title: Mutual,
     responds_to: [day, month]}
  - {id: again, date: 2025-01-07, actor: AA, target: BB, kind: tariff, title: Again, weight: -5,
     responds_to: [both]}
  - {id: early, date: 2025-01-03, actor: CC, target: AA, kind: sanction, title: Earlier, responds_to: [both]}
"""


def _ledger():
    ledger, problems = load_text("memo.yaml", LEDGER)
    assert ledger is not None and not [p for p in problems if p.severity == "error"], problems
    return ledger


def test_timeline_texts_keep_each_precision_and_each_pair_apart():
    records = timeline(_ledger())
    lines = render.timeline_lines(records).splitlines()[1:]
    cells = [line.split()[:2] for line in lines]
    assert cells[:3] == [["2025-01-01", "AA"], ["2025-01", "AA"], ["2025", "BB"]]
    assert "AA → BB" in lines[0] and "AA → CC" in lines[1] and "BB → AA" in lines[2]
    assert lines[4].split()[:4] == ["2025-01-04", "AA", "↔", "BB"]  # a mutual measure
    assert [item["date"] for item in render.timeline_json(records)] == [
        "2025-01-01", "2025-01", "2025", "2025-01-03", "2025-01-04", "2025-01-07"]


def test_chain_lines_give_each_node_its_own_lag_and_notes():
    ledger = _ledger()
    pairs = [(r, chain_stats(r)) for r in build_chains(ledger) if is_chain(r)]
    text = render.chains_lines(rows_of(pairs), focus="again")
    assert "(day)" in text  # a root: its id only
    assert "(both; 3 days later)" in text
    assert "(again; 3 days later)  <" in text
    assert "(early; 1 day earlier)" in text
    assert "(both; lag unknown; its answers are shown above)" in text
    # The same rows as the JSON, node for node.
    nodes = [n for item in render.chains_json(pairs) for n in _walk(item)]
    assert [(n["id"], n["lag_days"], n["repeated"]) for n in nodes] == [
        ("day", None, False), ("both", 3, False), ("early", -1, False), ("again", 3, False),
        ("month", None, False), ("both", None, True)]
    assert {n["id"]: n["weight"] for n in nodes} == {"day": 3, "both": -1, "early": 3, "again": -5, "month": 2}
    json.dumps(render.chains_json(pairs))  # plain JSON data


def _walk(node):
    yield node
    for child in node["responses"]:
        yield from _walk(child)


def test_lone_root_stats_match_a_walked_chain():
    lone = [r for r in build_chains(_ledger()) if not is_chain(r)]
    assert [r.measure.id for r in lone] == ["year"]
    stats = chain_stats(lone[0])
    assert (stats.steps, stats.depth, stats.moves, stats.weight) == (1, 0, {"BB": 1}, -2)
    (first, _) = [r for r in build_chains(_ledger()) if is_chain(r)]
    stats = chain_stats(first)
    # day, both, early, again: AA in day, both, again; BB in both; CC in early.
    assert (stats.steps, stats.depth, stats.moves, stats.weight) == (4, 2, {"AA": 3, "BB": 1, "CC": 1}, 3 - 1 + 3 - 5)


def test_countdown_shortcut_for_plain_dates_gives_the_general_numbers():
    as_of = date(2025, 3, 1)
    for k in range(-5, 6):
        moment = as_of + timedelta(days=k)
        delta = as_utc(moment) - as_utc(as_of)
        hours = delta / timedelta(hours=1)
        expected = (delta // timedelta(days=1), hours if abs(hours) < 48 else None)
        assert repr(countdown(moment, as_of)) == repr(expected)
        # A date-time as-of day takes the general path and agrees at midnight UTC.
        midnight = datetime(2025, 3, 1, tzinfo=timezone.utc)
        assert repr(countdown(moment, midnight)) == repr(expected)


def test_selection_by_as_of_day_alone_keeps_what_the_general_rules_keep():
    ledger, _ = load_text("known.yaml", """\
version: 1
sources:
  early: {title: Early, publisher: P, published: 2025-01-02}
measures:
  - {id: a, date: 2025-01-01, actor: AA, target: BB, kind: tariff, title: A}
  - {id: b, date: 2025-01, actor: AA, target: BB, kind: tariff, title: B}
  - {id: c, date: 2025-01-03, actor: AA, target: BB, kind: tariff, title: C}
events:
  - {id: announced, date: 2025-03-01, title: Known early, kind: summit, sources: [early]}
  - {id: unreported, date: 2025-03-01, title: Known on the day, kind: summit}
  - {id: month, date: 2025-01, title: A month, kind: talks}
""")
    for day in range(1, 32):
        for month in (1, 3):
            s = Selection(as_of=date(2025, month, day))
            seen = select(ledger, s)
            assert seen.measures == tuple(m for m in ledger.measures if keeps_measure(m, s))
            assert seen.events == tuple(e for e in ledger.events if keeps_event(e, s, ledger.sources))
    assert [e.id for e in select(ledger, Selection(as_of=date(2025, 1, 2))).events] == ["announced", "month"]
