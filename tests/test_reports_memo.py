"""Where the fast report paths could go wrong: memos keyed per moment, sort keys in C."""

from __future__ import annotations

from datetime import date

from ledger.chains import build_chains
from ledger.deadlines import all_deadlines, upcoming_deadlines
from ledger.load import load_text
from ledger.summary import summarize
from ledger.timeline import timeline

LEDGER = """\
version: 1
sources:
  s1: {title: One, publisher: P1, published: 2025-01-01}
measures:
  - {id: late-ny, date: 2025-01-02, actor: AA, target: BB, kind: tariff, title: New York evening, sources: [s1],
     not_before: "2025-03-01T23:00:00-05:00"}
  - {id: early-utc, date: 2025-01-02, actor: AA, target: BB, kind: tariff, title: Same instant in UTC, sources: [s1],
     not_before: "2025-03-02T04:00:00+00:00"}
  - {id: year, date: 2025, actor: CC, target: BB, kind: fee, title: Known to the year, sources: [s1]}
  - {id: month, date: 2025-01, actor: CC, target: BB, kind: fee, title: Known to the month, sources: [s1]}
  - {id: day, date: 2025-01-01, actor: CC, target: BB, kind: fee, title: Known to the day, sources: [s1]}
  - {id: answer-year, date: 2025-02-01, actor: BB, target: CC, kind: tariff, title: Answers, sources: [s1],
     responds_to: [year, month, day]}
"""


def _ledger():
    ledger, problems = load_text("memo.yaml", LEDGER)
    assert ledger is not None and not [p for p in problems if p.severity == "error"], problems
    return ledger


def test_one_instant_from_two_time_zones_falls_on_two_days():
    # Equal date-times, different local days: --since sees each one's own day.
    rows = upcoming_deadlines(_ledger(), date(2025, 1, 15), since=date(2025, 3, 2))
    assert [r.deadline.ref for r in rows] == ["early-utc"]
    rows = upcoming_deadlines(_ledger(), date(2025, 1, 15), until=date(2025, 3, 1))
    assert [r.deadline.ref for r in rows] == ["late-ny"]
    assert [d.ref for d in all_deadlines(_ledger())] == ["early-utc", "late-ny"]  # same instant: by id


def test_a_day_sorts_before_its_month_and_the_month_before_its_year():
    assert [r.id for r in timeline(_ledger())][:3] == ["day", "month", "year"]
    answers = [n.measure.id for root in build_chains(_ledger()) for n in root.walk() if n.lag_days is None
               and n.measure.id in {"day", "month", "year"}]
    assert answers == ["day", "month", "year"]


def test_latest_measure_is_the_last_in_date_order():
    rows = {r.country: r for r in summarize(_ledger(), date(2025, 12, 31))}
    assert rows["CC"].latest.id == "year" and rows["AA"].latest.id == "early-utc"  # ties: the later in the file
