"""Per-country summary: who imposed what on whom, what is in force, what comes next.

Pure: a (selected) ledger and the as-of day in, one `CountrySummary` per country.

A measure counts as *imposed* by each of its actors and *received* by each of its
targets that is not also an actor (a truce between US and CN is a move of both,
not something done to either). It is *in force* on the as-of day when its status
is in-force (or announced with an `effective` date reached), its `effective` date
(if any) is reached, and its `expires` date (if any) is not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from .deadlines import DeadlineRow, upcoming_deadlines
from .model import Ledger, Measure, Moment, Status


@dataclass(frozen=True, slots=True)
class CountrySummary:
    """One country's tally.

    Fields:
      country: the code.
      imposed: measures it took as actor.
      received: measures aimed at it by others.
      in_force: of those it imposed, how many are in force on the as-of day.
      events: events it takes part in.
      kinds: imposed measures by kind (kind -> count), largest first.
      weight: net escalation weight of the measures it imposed.
      latest: its most recent measure as actor, if any.
      next_deadline: the first deadline from the as-of day on that involves it.
    """

    country: str
    imposed: int = 0
    received: int = 0
    in_force: int = 0
    events: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    weight: int = 0
    latest: Measure | None = None
    next_deadline: DeadlineRow | None = None

    @property
    def activity(self) -> int:
        return self.imposed + self.received + self.events


def _day(m: Moment) -> date:
    return m.date() if isinstance(m, datetime) else m


def in_force(m: Measure, as_of: date) -> bool:
    """Whether the measure is in force on the as-of day (see the module docstring)."""
    if m.status == Status.IN_FORCE:
        started = m.effective is None or _day(m.effective) <= as_of
    elif m.status == Status.ANNOUNCED:
        started = m.effective is not None and _day(m.effective) <= as_of
    else:
        return False
    return started and (m.expires is None or _day(m.expires) > as_of)


def summarize(ledger: Ledger, as_of: date, countries: frozenset[str] = frozenset()) -> list[CountrySummary]:
    """One row per country (only `countries` when given), most active first."""
    imposed: Counter[str] = Counter()
    received: Counter[str] = Counter()
    active: Counter[str] = Counter()
    events: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = {}
    weight: Counter[str] = Counter()
    latest: dict[str, Measure] = {}
    for m in ledger.measures:
        live = in_force(m, as_of)
        for c in dict.fromkeys(m.actor):
            imposed[c] += 1
            active[c] += live
            kinds.setdefault(c, Counter())[m.kind.value] += 1
            weight[c] += m.escalation
            prev = latest.get(c)
            if prev is None or (m.date.first, m.date.last) >= (prev.date.first, prev.date.last):
                latest[c] = m
        for c in dict.fromkeys(m.target):
            if c not in m.actor:
                received[c] += 1
    for e in ledger.events:
        for c in dict.fromkeys(e.countries):
            events[c] += 1
    upcoming: dict[str, DeadlineRow] = {}
    for row in upcoming_deadlines(ledger, as_of):
        for c in row.deadline.countries:
            upcoming.setdefault(c, row)
    codes = set(imposed) | set(received) | set(events)
    if countries:
        codes &= countries
    rows = [
        CountrySummary(
            country=c, imposed=imposed[c], received=received[c], in_force=active[c], events=events[c],
            kinds=dict(sorted(kinds.get(c, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))),
            weight=weight[c], latest=latest.get(c), next_deadline=upcoming.get(c),
        )
        for c in codes
    ]
    rows.sort(key=lambda r: (-r.activity, -r.imposed, r.country))
    return rows
