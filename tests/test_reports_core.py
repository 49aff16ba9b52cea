"""The pure report layer: selection, deadlines and countdowns, chains, on small ledgers written here."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import typer

from ledger.chains import build_chains, chain_rows, chain_stats, chain_trees, chains_through, is_chain
from ledger.cli.options import parse_cli_date, selection_from
from ledger.deadlines import all_deadlines, countdown, countdown_text, latest_passed, upcoming_deadlines
from ledger.load import load_text
from ledger.select import Selection, select

SMALL = """\
version: 1
title: A small test ledger
countries: {EU: European Union}
sources:
  s1: {title: One, publisher: P1, published: 2025-01-01}
  s2: {title: Two, publisher: P2, published: 2025-02-01}
measures:
  - {id: a-tariff, date: 2025-01-10, actor: AA, target: BB, kind: tariff, title: A tariff, status: in-force,
     effective: "2025-02-01T00:00:00-05:00", sources: [s1]}
  - {id: b-counter, date: 2025-01-20, actor: BB, target: AA, kind: tariff, title: B answers, status: in-force,
     responds_to: [a-tariff], sources: [s1]}
  - {id: b-controls, date: 2025-02, actor: BB, target: AA, kind: export-control, title: B controls,
     responds_to: [a-tariff], sources: [s1]}
  - {id: a-both, date: 2025-03-01, actor: AA, target: BB, kind: sanction, title: A answers both, weight: 5,
     responds_to: [b-counter, b-controls], sources: [s1]}
  - {id: eu-fee, date: 2025-03-05, actor: EU, target: BB, kind: fee, title: EU fee, sources: [s2]}
  - {id: truce, date: 2025-04-01, actor: [AA, BB], target: [AA, BB], kind: truce, title: Truce,
     status: in-force, expires: 2025-06-30, sources: [s1],
     reports: [{source: s2, expires: 2025-05-31, quote: ends in May}]}
events:
  - {id: talks-1, date: 2025-02-15, end: 2025-02-16, title: Talks, kind: talks, countries: [AA, BB], sources: [s1]}
  - {id: visit-1, date: 2025-07, title: A visit, kind: visit, countries: [AA], status: expected, sources: [s2]}
  - {id: summit-x, date: 2025-05-01, title: Cancelled summit, kind: summit, status: cancelled, countries: [AA], sources: [s2]}
"""


@pytest.fixture(scope="module")
def small():
    ledger, problems = load_text("small.yaml", SMALL)
    assert ledger is not None, problems
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


def ids(ledger):
    return [m.id for m in ledger.measures] + [e.id for e in ledger.events]


# --- selection ----------------------------------------------------------------------------


def test_as_of_hides_what_was_not_yet_known(small):
    seen = select(small, Selection(as_of=date(2025, 2, 15)))
    # The July visit and the May summit are already reported by s2, published 2025-02-01.
    assert ids(seen) == ["a-tariff", "b-counter", "b-controls", "talks-1", "visit-1", "summit-x"]
    seen = select(small, Selection(as_of=date(2025, 1, 15)))
    assert ids(seen) == ["a-tariff", "talks-1"]  # talks-1: s1 reported it on 2025-01-01


def test_month_precision_date_is_known_from_its_first_day(small):
    assert "b-controls" in ids(select(small, Selection(as_of=date(2025, 2, 1))))
    assert "b-controls" not in ids(select(small, Selection(as_of=date(2025, 1, 31))))


def test_country_filter_matches_actor_or_target_and_event_countries(small):
    seen = select(small, Selection(as_of=date(2026, 1, 1), countries=frozenset({"EU"})))
    assert ids(seen) == ["eu-fee"]
    seen = select(small, Selection(as_of=date(2026, 1, 1), countries=frozenset({"AA"})))
    assert "eu-fee" not in ids(seen) and "visit-1" in ids(seen)


def test_kind_filter_keeps_events_only_of_a_listed_event_kind(small):
    seen = select(small, Selection(as_of=date(2026, 1, 1), kinds=frozenset({"tariff"})))
    assert ids(seen) == ["a-tariff", "b-counter"]
    seen = select(small, Selection(as_of=date(2026, 1, 1), kinds=frozenset({"talks", "truce"})))
    assert ids(seen) == ["truce", "talks-1"]


def test_since_and_until_are_inclusive_and_a_month_overlaps(small):
    seen = select(small, Selection(as_of=date(2026, 1, 1), since=date(2025, 2, 28), until=date(2025, 3, 1)))
    assert ids(seen) == ["b-controls", "a-both"]


# --- command-line values -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2025-10-14", "Oct 14 2025", "14 October 2025", "October 14, 2025",
                                  "14.10.2025", "10/14/2025", "14/10/2025", "14-10-2025"])
def test_cli_dates_in_plain_forms(text):
    # 14 cannot be a month: numeric forms whose day is above 12 are not ambiguous
    assert parse_cli_date(text) == date(2025, 10, 14)


@pytest.mark.parametrize("text, days", [("today", 0), ("Yesterday", -1), ("tomorrow", 1)])
def test_cli_dates_relative_to_today(text, days):
    assert parse_cli_date(text) == date.today() + timedelta(days=days)


def test_an_ambiguous_date_quotes_the_text_and_both_readings(capsys):
    with pytest.raises(typer.Exit):
        parse_cli_date("03/04/2025", "--as-of")
    assert capsys.readouterr().err.strip() == (
        "ledger: --as-of '03/04/2025' is ambiguous: 4 March 2025 or 3 April 2025? write 2025-03-04 or 2025-04-03")
    with pytest.raises(typer.Exit):
        parse_cli_date("31/02/2025", "--as-of")
    assert "no such day" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["03/04", "03/04/2025", "3.4.2025", "Oct 2025", "banana", "2025-02-30",
                                  "Oct 14 2025 10:00"])
def test_ambiguous_or_incomplete_cli_dates_are_refused(text, capsys):
    with pytest.raises(typer.Exit) as e:
        parse_cli_date(text, "--as-of")
    assert e.value.exit_code == 2
    assert f"--as-of '{text}'" in capsys.readouterr().err


def test_selection_reads_countries_against_the_ledger_and_suggests_kinds(capsys):
    from ledger.cli.options import resolve_countries
    from ledger.model import DeclaredKind, Ledger

    s = selection_from("2025-10-14", ["cn", "US", "FRA", "EU", "xq"], ["tariff"], None, None)
    s = resolve_countries(s, Ledger("l.yaml", countries={"XQ": "Somewhere declared"}))
    assert s.countries == {"CN", "US", "FR", "EU", "XQ"} and s.kinds == {"tariff"} and s.as_of == date(2025, 10, 14)
    # kinds are read against the ledger too, once it is loaded: a declared kind is one
    typed = selection_from(None, None, ["tarif"], None, None)
    with pytest.raises(typer.Exit) as e:
        resolve_countries(typed, Ledger("l.yaml"))
    assert e.value.exit_code == 2
    assert "did you mean 'tariff'" in capsys.readouterr().err
    assert resolve_countries(typed, Ledger("l.yaml", kinds={"tarif": DeclaredKind("tarif", 1)})).kinds == {"tarif"}


def test_selection_defaults_to_today():
    assert selection_from(None, None, None, None, None).as_of == date.today()


# --- deadlines -----------------------------------------------------------------------------


def test_all_deadlines_sorted_with_disputed_versions_and_event_ends(small):
    rows = [(str(d.date), d.what, d.ref, d.disputed_by) for d in all_deadlines(small)]
    assert rows == [
        ("2025-02-01", "takes effect", "a-tariff", None),
        ("2025-02-15", "talks", "talks-1", None),
        ("2025-02-16", "ends", "talks-1", None),
        ("2025-05-31", "expires", "truce", "s2"),
        ("2025-06-30", "expires", "truce", None),
        ("2025-07", "visit (expected)", "visit-1", None),
    ]  # the cancelled summit gives no deadline


def test_countdown_in_days_and_in_exact_hours_across_offsets():
    assert countdown(date(2025, 11, 1), date(2025, 10, 14)) == (18, None)
    assert countdown(date(2025, 10, 14), date(2025, 10, 14)) == (0, 0.0)
    assert countdown(date(2025, 10, 11), date(2025, 10, 14)) == (-3, None)
    # 06:00 at UTC-05:00 on the 15th is 11:00 UTC: 35 hours after the 14th's midnight UTC.
    moment = datetime(2025, 10, 15, 6, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert countdown(moment, date(2025, 10, 14)) == (1, 35.0)
    before = datetime(2025, 10, 13, 23, 0, tzinfo=timezone.utc)
    assert countdown(before, date(2025, 10, 14)) == (-1, -1.0)


def test_countdown_text():
    assert countdown_text(18, None) == "in 18 days"
    assert countdown_text(1, 30.0) == "in 30 hours"
    assert countdown_text(0, 0.0) == "today"
    assert countdown_text(-3, None) == "3 days ago"
    assert countdown_text(-1, -1.0) == "1 hour ago"
    assert countdown_text(20, None, "month") == "in 20+ days"
    assert countdown_text(0, None, "month") == "this month"


def test_upcoming_deadlines_mark_both_versions_of_a_disputed_point(small):
    rows = upcoming_deadlines(small, date(2025, 5, 1))
    assert [(r.deadline.ref, r.days_left, r.disputed) for r in rows] == [
        ("truce", 30, True), ("truce", 60, True), ("visit-1", 61, False)]
    rows = upcoming_deadlines(small, date(2025, 5, 1), within_days=30)
    assert [r.days_left for r in rows] == [30]
    rows = upcoming_deadlines(small, date(2025, 5, 1), include_passed=True)
    assert rows[0].days_left < 0 and rows[0].text.endswith("ago")


def test_month_precision_event_counts_to_its_period(small):
    (row,) = [r for r in upcoming_deadlines(small, date(2025, 7, 10)) if r.deadline.ref == "visit-1"]
    assert (row.days_left, row.text) == (0, "this month")


def test_latest_passed(small):
    assert latest_passed(small, date(2025, 6, 1)).deadline.disputed_by == "s2"
    assert latest_passed(small, date(2025, 1, 1)) is None


# --- chains --------------------------------------------------------------------------------


def tree(node):
    return (node.measure.id, node.lag_days, [tree(c) for c in node.responses])


def test_chains_roots_children_lags_and_a_measure_under_each_parent(small):
    chains = [c for c in build_chains(small) if is_chain(c)]
    assert [tree(c) for c in chains] == [
        ("a-tariff", None, [
            ("b-counter", 10, [("a-both", 40, [])]),
            ("b-controls", None, [("a-both", None, [])]),  # month-precision: no lag
        ]),
    ]
    stats = chain_stats(chains[0])
    assert (stats.steps, stats.depth, stats.moves, stats.weight) == (4, 2, {"AA": 2, "BB": 2}, 3 + 3 + 3 + 5)


def test_single_measures_are_roots_but_not_chains(small):
    roots = build_chains(small)
    assert [r.measure.id for r in roots if not is_chain(r)] == ["eu-fee", "truce"]


def test_a_filter_can_cut_a_chain(small):
    seen = select(small, Selection(as_of=date(2026, 1, 1), kinds=frozenset({"sanction", "export-control"})))
    assert [tree(c) for c in build_chains(seen) if is_chain(c)] == [("b-controls", None, [("a-both", None, [])])]


def test_chains_through_keep_the_lines_through_one_measure(small):
    assert [tree(c) for c in chains_through(small, "b-counter")] == [
        ("a-tariff", None, [("b-counter", 10, [("a-both", 40, [])])])]
    assert chains_through(small, "nope") == []


def test_long_chains_and_cycles_do_not_recurse_or_vanish():
    lines = ["measures:"]
    n = 5000
    for i in range(n):
        answer = f", responds_to: [m{i - 1}]" if i else ""
        lines.append(f"  - {{id: m{i}, date: 2025-01-01, actor: AA, target: BB, kind: tariff, title: t{answer}}}")
    lines.append("  - {id: x, date: 2025-01-01, actor: AA, target: BB, kind: tariff, title: t, responds_to: [y]}")
    lines.append("  - {id: y, date: 2025-01-02, actor: BB, target: AA, kind: tariff, title: t, responds_to: [x]}")
    ledger, problems = load_text("long.yaml", "\n".join(lines) + "\n")
    chains = build_chains(ledger)
    assert chain_stats(chains[0]).depth == n - 1
    assert [tree(c) for c in chains[1:]] == [("x", None, [("y", 1, [("x", -1, [])])])]


def test_cross_answers_are_spelled_out_once():
    # Each measure answers the two before it: as a plain tree this would double at
    # every level; the repeated measures are shown without their answers instead.
    lines = ["measures:"]
    for i in range(40):
        answer = f", responds_to: [m{i - 1}{f', m{i - 2}' if i > 1 else ''}]" if i else ""
        lines.append(f"  - {{id: m{i}, date: 2025-01-01, actor: AA, target: BB, kind: tariff, title: t{answer}}}")
    ledger, _ = load_text("web.yaml", "\n".join(lines) + "\n")
    (chain,) = build_chains(ledger)
    nodes = list(chain.walk())
    assert len(nodes) < 100
    assert {n.measure.id for n in nodes} == {f"m{i}" for i in range(40)}
    assert any(n.repeated for n in nodes)


def test_stats_counted_while_building_are_the_chain_stats():
    # The chains' headers come from chain_rows' walk: each chain's numbers must be
    # chain_stats' own, through cross-answers (a measure met twice in one chain, or
    # first spelled out in an earlier chain), a cycle, and lone measures.
    ledger, _ = load_text("web.yaml", """\
measures:
  - {id: a, date: 2025-01-01, actor: AA, target: BB, kind: tariff, title: t}
  - {id: b, date: 2025-01-02, actor: [BB, CC], target: AA, kind: tariff, title: t, responds_to: [a]}
  - {id: c, date: 2025-01, actor: AA, target: BB, kind: truce, title: t, weight: -4, responds_to: [a, b]}
  - {id: d, date: 2025-01-05, actor: CC, target: AA, kind: fee, title: t, responds_to: [c]}
  - {id: e, date: 2025-01-03, actor: DD, target: AA, kind: sanction, title: t}
  - {id: f, date: 2025-01-06, actor: AA, target: DD, kind: tariff, title: t, responds_to: [e, d]}
  - {id: g, date: 2025-01-07, actor: DD, target: AA, kind: tariff, title: t, responds_to: [f]}
  - {id: lone, date: 2025-01-04, actor: EE, target: AA, kind: talks, title: t}
  - {id: x, date: 2025-02-01, actor: AA, target: BB, kind: tariff, title: t, responds_to: [y]}
  - {id: y, date: 2025-02-02, actor: BB, target: AA, kind: tariff, title: t, responds_to: [x]}
""")
    for singles in (True, False):
        pairs = chain_trees(chain_rows(ledger, singles))
        assert [root for root, _ in pairs] == build_chains(ledger, singles)
        assert [stats for _, stats in pairs] == [chain_stats(root) for root in build_chains(ledger, singles)]
    (first, stats), (second, _), (cycle, _) = chain_trees(chain_rows(ledger, singles=False))
    assert (stats.steps, stats.depth, stats.moves) == (6, 4, {"AA": 3, "CC": 2, "BB": 1, "DD": 1})
    assert [n.measure.id for n in second.walk()] == ["e", "f"] and second.responses[0].repeated
    assert [n.measure.id for n in cycle.walk()] == ["x", "y", "x"]


# --- Issue 15: provenance and imprecise dates in the reports ----------------------------------

def _provenance_ledger():
    from ledger.load import load_text

    text = """measures:
  - {id: later, date: "2025", actor: CN, target: US, kind: fee, title: L, responds_to: [month]}
  - {id: month, date: 2025-10, actor: US, target: CN, kind: tariff, title: M, responds_to: [day]}
  - {id: day, date: 2025-10-09, actor: CN, target: US, kind: export-control, title: D}
  - {id: alone, date: 2025-10-02, actor: CN, target: US, kind: fee, title: A}
"""
    ledger, problems = load_text("t.yaml", text)
    assert not problems, problems
    return ledger


def test_what_answers_comes_after_what_it_answers_when_periods_overlap():
    from ledger.timeline import timeline

    ids = [r.id for r in timeline(_provenance_ledger())]
    # 2025 and 2025-10 sort by their first days, above 2025-10-09; each answers the one below.
    assert ids == ["alone", "day", "month", "later"]


def test_an_in_force_count_that_depends_on_a_disputed_expiry_says_so():
    import datetime as dt

    from ledger.load import load_text
    from ledger.summary import summarize

    text = """sources:
  a: {title: A, publisher: P}
  b: {title: B, publisher: P}
measures:
  - id: truce
    date: 2025-06
    actor: [US, CN]
    target: [US, CN]
    kind: truce
    status: in-force
    expires: 2025-11-10
    title: T
    sources: [a]
    reports:
      - {source: b, expires: 2025-10-10}
"""
    ledger, _ = load_text("t.yaml", text)
    rows = {r.country: r for r in summarize(ledger, dt.date(2025, 10, 14))}
    assert rows["US"].in_force == 1 and rows["US"].in_force_disputed == ("truce",)
    assert summarize(ledger, dt.date(2025, 9, 1))[0].in_force_disputed == ()  # both say in force then


def test_an_expected_event_says_expected_in_deadlines():
    import datetime as dt

    from ledger.deadlines import upcoming_deadlines
    from ledger.load import load_text

    ledger, _ = load_text("t.yaml", "measures: []\nevents:\n  - {id: s, date: 2025-11-01, end: 2025-11-02, "
                                    "title: S, kind: summit, status: expected}\n")
    assert [r.deadline.what for r in upcoming_deadlines(ledger, dt.date(2025, 10, 1))] == ["summit (expected)", "ends (expected)"]


def test_stated_only_drops_inferred_links_and_values():
    from ledger.load import load_text
    from ledger.select import stated_only

    text = """measures:
  - {id: a, date: 2025-10-01, actor: US, target: CN, kind: tariff, title: A}
  - id: b
    date: 2025-10-02
    actor: CN
    target: US
    kind: fee
    title: B
    responds_to: [{id: a, basis: inferred, note: ours}]
  - {id: c, date: 2025-10-03, actor: CN, target: US, kind: fee, title: C, responds_to: [a], inferred: [status], notes: ours}
"""
    ledger, problems = load_text("t.yaml", text)
    assert not problems, problems
    stated = stated_only(ledger)
    assert [m.responds_to for m in stated.measures] == [(), (), ("a",)]
    assert [m.id for m in stated_only(ledger, values=True).measures] == ["a", "b"]


def test_suggested_links_are_earlier_moves_against_the_answering_side_and_never_both_ways():
    from ledger.links import suggest_links

    ledger = _provenance_ledger()
    found = {(s.measure, s.responds_to): s for s in suggest_links(ledger)}
    # alone (CN, 2025-10-02) is not linked; day (CN) and later (CN) take no US move. month
    # (US, 2025-10) starts first, so alone may answer it, and never the other way round.
    assert ("alone", "month") in found and found["alone", "month"].note.startswith("suggested, not stated")
    assert not any(("later" in pair) for pair in found)  # dated only to the year: too vague
    assert not any((b, a) in found for a, b in found)
    assert ("month", "day") not in found  # already linked


def test_links_suggest_prints_a_block_that_loads_as_a_ledgers_links(tmp_path):
    from typer.testing import CliRunner

    from ledger.cli import app
    from ledger.load import load_text

    r = CliRunner().invoke(app, ["links", "--suggest", "--yaml", "--as-of", "2025-10-14"])
    assert r.exit_code == 0, r.stderr
    base = (Path(__file__).parent.parent / "data" / "measures.yaml").read_text(encoding="utf-8")
    ledger, problems = load_text("t.yaml", base + r.stdout)
    assert not [p for p in problems if p.severity == "error"], problems
    assert any(k.basis == "inferred" and k.note.startswith("suggested") for m in ledger.measures for k in m.links)


def _reference_answers_after(records: list) -> list:
    """The first way answers_after was written (quadratic: a full rescan after each
    move), kept as the specification the linear one is held to."""
    from ledger.model import Measure

    at = {r.id: i for i, r in enumerate(records)}
    records = list(records)
    for _ in range(len(records)):
        moved = False
        for i in reversed(range(len(records))):
            r = records[i]
            if not isinstance(r, Measure) or not r.responds_to:
                continue
            after = [at[a] for a in r.responds_to if at.get(a, -1) > i
                     and not r.date.definitely_before(records[at[a]].date)]
            if after:
                records.insert(max(after), records.pop(i))
                at = {x.id: k for k, x in enumerate(records)}
                moved = True
                break
        if not moved:
            break
    return records


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["2025", "2025-10", "2025-10-09", "2025-10-20", "2025-11", "2025-09"]),
                          st.lists(st.integers(0, 30), max_size=3)), min_size=1, max_size=25))
def test_answers_follow_what_they_answer_as_the_reference_orders_them(spec):
    from ledger.timeline import DATE_ORDER, answers_after

    lines = ["measures:"]
    for i, (day, answers) in enumerate(spec):
        links = sorted({f"m{a}" for a in answers if a < i})  # answers to earlier entries only: no cycle
        lines += [f"  - id: m{i}", f"    date: {day!r}", "    actor: US", "    target: CN", "    kind: tariff",
                  f"    title: T{i}"] + ([f"    responds_to: [{', '.join(links)}]"] if links else [])
    ledger, problems = load_text("t.yaml", "\n".join(lines) + "\n")
    assert ledger is not None, problems
    records = sorted(ledger.measures, key=DATE_ORDER)
    assert [r.id for r in answers_after(records)] == [r.id for r in _reference_answers_after(records)]


INFERRED_DATES = """measures:
  - {id: m, date: 2025-10-01, actor: US, target: CN, kind: truce, title: M, effective: 2025-10-20,
     expires: 2025-12-01, inferred: [expires], notes: The article gives no end; ours.,
     reports: [{source: s, expires: 2025-11-15}]}
  - {id: n, date: 2025-10-01, actor: US, target: CN, kind: fee, title: N, not_before: 2025-10-25,
     inferred: [date], notes: ours}
events:
  - {id: e, date: 2025-10-30, end: 2025-10-31, title: E, kind: summit, inferred: [end], notes: ours}
sources:
  s: {title: S, publisher: P}
"""


def test_a_deadline_whose_field_is_inferred_says_so():
    from ledger.render import deadlines_json, deadlines_lines

    ledger, problems = load_text("t.yaml", INFERRED_DATES)
    assert ledger is not None and not [p for p in problems if p.severity == "error"], problems
    rows = upcoming_deadlines(ledger, date(2025, 10, 14))
    got = {(r.deadline.ref, r.deadline.what, r.deadline.disputed_by): r.deadline.inferred for r in rows}
    assert got == {
        ("m", "takes effect", None): False,  # the article's
        ("m", "expires", None): True,  # ours: inferred: [expires]
        ("m", "expires", "s"): False,  # the report's version is the source's, not ours
        ("n", "not before", None): False,  # its date is inferred, not its not_before
        ("e", "summit", None): False,
        ("e", "ends", None): True,  # inferred: [end]
    }
    assert [i["inferred"] for i in deadlines_json(rows)] == [r.deadline.inferred for r in rows]
    lines = deadlines_lines(rows)  # the plain text of more than 200 rows
    assert "M  (disputed: a source gives another date; inferred date)" in lines
    assert "E  (inferred date)" in lines and lines.count("inferred date") == 2
