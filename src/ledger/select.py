"""Which records a report sees: the as-of date and the command line's filters.

Pure: a Ledger and a Selection in, a smaller Ledger out. The as-of day hides
what was not yet known on it: measures dated after it, and events neither
happened nor reported by then (a summit scheduled for later is shown once a
source has announced it). Every report runs on the
selected ledger, so "hidden after the as-of date" and "--country CN" mean the same
thing in the timeline, the deadlines, the chains and the summary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import compress
from operator import attrgetter

from .model import Event, Ledger, LedgerDate, Measure, Source


@dataclass(frozen=True, slots=True)
class Selection:
    """What a report is asked to look at.

    Fields:
      as_of: the day the report is seen from; records not yet known on that day
        are hidden (see `known_from`).
      countries: keep records with one of these codes as actor or target (events:
        among their countries); empty keeps all.
      kinds: keep measures of these kinds and events of these event kinds; empty
        keeps all. An event passes a kind filter only when its own kind is listed.
      since, until: keep records whose date overlaps this range, both ends
        inclusive; a month-precision date overlaps when any of its days does.
    """

    as_of: date
    countries: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None

    def describe(self) -> list[str]:
        """The selection in words, for headers: as-of day first, then any filters."""
        parts = [f"as of {self.as_of.isoformat()}"]
        if self.countries:
            parts.append("country " + ", ".join(sorted(self.countries)))
        if self.kinds:
            parts.append("kind " + ", ".join(sorted(self.kinds)))
        if self.since:
            parts.append(f"since {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        return parts


def known_from(record: Measure | Event, sources: Mapping[str, Source]) -> date:
    """The first day a record could be known.

    A measure is dated by its announcement, so it is known from its date's first
    day. An event is dated by when it happens, and a scheduled summit is known
    before it: an event is known from its first day, or from the earliest
    publication of a source reporting it if that is earlier.
    """
    first = record.date.first
    if isinstance(record, Event):
        for i in record.sources:
            s = sources.get(i)
            if s is not None and s.published is not None and s.published.first < first:
                first = s.published.first
    return first


def _in_range(d: LedgerDate, s: Selection) -> bool:
    if s.since is not None and d.last < s.since:
        return False
    if s.until is not None and d.first > s.until:
        return False
    return True


def keeps_measure(m: Measure, s: Selection) -> bool:
    """True when the selection keeps the measure."""
    if m.date.first > s.as_of or not _in_range(m.date, s):
        return False
    if s.kinds and m.kind.value not in s.kinds:
        return False
    if s.countries and s.countries.isdisjoint(m.actor) and s.countries.isdisjoint(m.target):
        return False
    return True


def keeps_event(e: Event, s: Selection, sources: Mapping[str, Source] | None = None) -> bool:
    """True when the selection keeps the event (sources: the ledger's, for `known_from`)."""
    if known_from(e, sources or {}) > s.as_of or not _in_range(e.date, s):
        return False
    if s.kinds and e.kind.value not in s.kinds:
        return False
    if s.countries and s.countries.isdisjoint(e.countries):
        return False
    return True


def select(ledger: Ledger, selection: Selection) -> Ledger:
    """A new Ledger holding only the measures and events the selection keeps."""
    s = selection
    if not s.countries and not s.kinds and s.since is None and s.until is None and type(s.as_of) is date:
        # Only the as-of day: `keeps_measure` comes down to the date, compared in C. A
        # date-time as-of goes the general way: `__ge__` would answer NotImplemented, not raise.
        dated = map(attrgetter("date.first"), ledger.measures)
        return dataclasses.replace(
            ledger,
            measures=tuple(compress(ledger.measures, map(s.as_of.__ge__, dated))),
            # An event is known from its first day at the latest (see `known_from`).
            events=tuple(e for e in ledger.events
                         if e.date.first <= s.as_of or known_from(e, ledger.sources) <= s.as_of),
        )
    return dataclasses.replace(
        ledger,
        measures=tuple(m for m in ledger.measures if keeps_measure(m, selection)),
        events=tuple(e for e in ledger.events if keeps_event(e, selection, ledger.sources)),
    )


# Fields a summary counts by: a measure whose value of one of these is our inference is
# left out of `stated_only(..., values=True)`.
COUNTED_FIELDS = frozenset({"actor", "target", "kind", "status"})


def stated_only(ledger: Ledger, values: bool = False) -> Ledger:
    """The ledger as its sources state it (`--stated`): every inferred link dropped (a
    measure keeps the ids it answers by a stated link); with `values`, also the measures
    whose actor, target, kind or status is our inference. Provenance is data: a view
    restricted this way counts only what a source says."""
    measures = []
    for m in ledger.measures:
        if values and not COUNTED_FIELDS.isdisjoint(m.inferred):
            continue
        if any(link.basis == "inferred" for link in m.links):
            kept = tuple(i for i in m.responds_to if m.basis(i) == "stated")
            m = m._replace(responds_to=kept, links=tuple(k for k in m.links if k.basis == "stated"))
        measures.append(m)
    return dataclasses.replace(ledger, measures=tuple(measures))
