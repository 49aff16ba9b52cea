"""Per-country summary: who imposed what on whom, what is in force, what comes next.

Pure: a (selected) ledger and the as-of day in, one `CountrySummary` per country.

A measure counts as *imposed* by each of its actors and *received* by each of its
targets that is not also an actor (a truce between US and CN is a move of both,
not something done to either). It is *in force* on the as-of day when its status
is in-force (or announced with an `effective` date reached), its `effective` date
(if any) is reached, and its `expires` date (if any) is not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import compress
from operator import attrgetter

from .deadlines import DeadlineRow, upcoming_deadlines
from .model import DEFAULT_WEIGHT, Ledger, Measure, Moment, Status
from .timeline import DATE_ORDER


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
      in_force_disputed: ids of the measures it imposed whose being in force on the
        as-of day depends on which source is believed (a report gives another
        status, effective or expiry date that changes the answer).
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
    in_force_disputed: tuple[str, ...] = ()

    @property
    def activity(self) -> int:
        return self.imposed + self.received + self.events


def _day(m: Moment) -> date:
    return m.date() if isinstance(m, datetime) else m


# Only these statuses can be in force (see `in_force`).
_MAYBE_LIVE = frozenset({Status.IN_FORCE, Status.ANNOUNCED})


def in_force(m: Measure, as_of: date) -> bool:
    """Whether the measure is in force on the as-of day (see the module docstring)."""
    if m.status == Status.IN_FORCE:
        started = m.effective is None or _day(m.effective) <= as_of
    elif m.status == Status.ANNOUNCED:
        started = m.effective is not None and _day(m.effective) <= as_of
    else:
        return False
    return started and (m.expires is None or _day(m.expires) > as_of)


_IN_FORCE_FIELDS = ("status", "effective", "expires")


def in_force_disputed(m: Measure, as_of: date) -> bool:
    """Whether another source's version of the measure (a report) is in force on the
    as-of day when the ledger's is not, or the other way round."""
    ours = in_force(m, as_of)
    for r in m.reports:
        theirs = {f: getattr(r, f) for f in _IN_FORCE_FIELDS if getattr(r, f) is not None}
        if theirs and in_force(m._replace(**theirs), as_of) != ours:
            return True
    return False


def summarize(ledger: Ledger, as_of: date, countries: frozenset[str] = frozenset()) -> list[CountrySummary]:
    """One row per country (only `countries` when given), most active first."""
    # A big ledger has far fewer distinct actor and target lists than measures: count
    # the measures per list in C, then hand each list's counts to its countries.
    imposed: Counter[str] = Counter()
    received: Counter[str] = Counter()
    active: Counter[str] = Counter()
    events: Counter[str] = Counter()
    kinds: defaultdict[str, Counter[str]] = defaultdict(Counter)
    weight: Counter[str] = Counter()
    measures = ledger.measures
    for (actor, kind, own), n in Counter(map(attrgetter("actor", "kind", "weight"), measures)).items():
        escalation = own if own is not None else DEFAULT_WEIGHT[kind]  # as Measure.escalation
        for c in dict.fromkeys(actor):
            imposed[c] += n
            kinds[c][kind.value] += n
            weight[c] += n * escalation
    for (actor, target), n in Counter(map(attrgetter("actor", "target"), measures)).items():
        for c in dict.fromkeys(target):
            if c not in actor:
                received[c] += n
    maybe_live = compress(measures, map(_MAYBE_LIVE.__contains__, map(attrgetter("status"), measures)))
    for actor, n in Counter(m.actor for m in maybe_live if in_force(m, as_of)).items():
        for c in dict.fromkeys(actor):
            active[c] += n
    disputed: defaultdict[str, list[str]] = defaultdict(list)
    for m in filter(attrgetter("reports"), measures):  # only a measure with reports can be disputed
        if in_force_disputed(m, as_of):
            for c in dict.fromkeys(m.actor):
                disputed[c].append(m.id)
    # Latest: the last measure in date order (ties: the last in the file), per actor.
    latest: dict[str, tuple[int, Measure]] = {}
    last_per_actor = {m.actor: (i, m) for i, m in enumerate(sorted(measures, key=DATE_ORDER))}
    for actor, (i, m) in last_per_actor.items():
        for c in actor:
            if c not in latest or latest[c][0] < i:
                latest[c] = (i, m)
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
            weight=weight[c], latest=latest[c][1] if c in latest else None, next_deadline=upcoming.get(c),
            in_force_disputed=tuple(disputed.get(c, ())),
        )
        for c in codes
    ]
    rows.sort(key=lambda r: (-r.activity, -r.imposed, r.country))
    return rows
