"""Everything about one measure or event, gathered for `ledger show`.

Pure: a (selected) ledger, an id and the as-of day in, a `RecordView` out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from .deadlines import DeadlineRow, upcoming_deadlines
from .model import Event, Ledger, Measure, Source

_COMPARED = ("date", "effective", "expires", "not_before", "status")


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A source's version of a field that differs from the measure's own.

    Fields:
      field: which field ("expires", "date"...).
      ours: the measure's value, as its own sources give it.
      our_sources: the measure's sources (ids).
      theirs: the disagreeing source's value.
      source: the disagreeing source's id.
      quote: the sentence it says it in, if recorded.
    """

    field: str
    ours: object
    our_sources: tuple[str, ...]
    theirs: object
    source: str
    quote: str | None


@dataclass(frozen=True, slots=True)
class RecordView:
    """One record and what surrounds it.

    Fields:
      record: the Measure or Event.
      sources: (id, Source or None when the id is unknown), in citation order,
        including sources cited only by disagreeing reports.
      responds_to: the measures it answers (ids missing from the ledger as str).
      responded_by: the measures that answer it, in date order.
      deadlines: its deadlines with countdowns, passed ones included.
      disagreements: where other sources give a different value.
    """

    record: Measure | Event
    sources: tuple[tuple[str, Source | None], ...]
    responds_to: tuple[Measure | str, ...]
    responded_by: tuple[Measure, ...]
    deadlines: tuple[DeadlineRow, ...]
    disagreements: tuple[Disagreement, ...]


def find(ledger: Ledger, record_id: str) -> Measure | Event | None:
    for r in (*ledger.measures, *ledger.events):
        if r.id == record_id:
            return r
    return None


def suggest_ids(ledger: Ledger, word: str, n: int = 3) -> list[str]:
    """Ids close to a mistyped one: containing it first, then by similarity."""
    ids = [r.id for r in (*ledger.measures, *ledger.events)]
    found = [i for i in ids if word and word in i]
    for close in difflib.get_close_matches(word, ids, n=n, cutoff=0.5):
        if close not in found:
            found.append(close)
    return found[:n]


def show_record(ledger: Ledger, record_id: str, as_of: date) -> RecordView | None:
    """Everything about one record, or None when the ledger has no such id."""
    record = find(ledger, record_id)
    if record is None:
        return None
    cited = list(dict.fromkeys(record.sources))
    disagreements: list[Disagreement] = []
    responds_to: tuple[Measure | str, ...] = ()
    responded_by: tuple[Measure, ...] = ()
    if isinstance(record, Measure):
        by_id = {m.id: m for m in ledger.measures}
        responds_to = tuple(by_id.get(i, i) for i in record.responds_to)
        responded_by = tuple(sorted((m for m in ledger.measures if record.id in m.responds_to),
                                    key=lambda m: (m.date.first, m.date.last, m.id)))
        for r in record.reports:
            if r.source not in cited:
                cited.append(r.source)
            for name in _COMPARED:
                theirs = getattr(r, name)
                ours = getattr(record, name)
                if theirs is not None and theirs != ours:
                    disagreements.append(Disagreement(name, ours, record.sources, theirs, r.source, r.quote))
    rows = upcoming_deadlines(
        Ledger(path=ledger.path, measures=(record,) if isinstance(record, Measure) else (),
               events=(record,) if isinstance(record, Event) else ()),
        as_of, include_passed=True)
    return RecordView(
        record=record,
        sources=tuple((i, ledger.sources.get(i)) for i in cited),
        responds_to=responds_to,
        responded_by=responded_by,
        deadlines=tuple(rows),
        disagreements=tuple(disagreements),
    )
