"""The timeline: measures and events in date order.

Pure: a (selected) ledger in, its records out in the order they happened. Records
known only to the month or year sort by their first day, before the days of
that period; ties keep file order, measures before events. But what answers comes
after what it answers: a measure dated `2025` that answers one dated `2025-10` (the
two periods overlap) is listed after it, never above it (`answers_after`). The
dates keep their precision wherever they are shown.
"""

from __future__ import annotations

from operator import attrgetter

from .model import Event, Ledger, Measure

# Sort key for records in date order: (first day, last day), in C. For one first
# day, precision names sort as their last days do ("day" < "month" < "year"): a
# day ends on its first day, a month before the year that starts with it.
DATE_ORDER = attrgetter("date.first", "date.precision")


def timeline(ledger: Ledger) -> list[Measure | Event]:
    """Every measure and event of the ledger, earliest first (answers after what they answer)."""
    records: list[Measure | Event] = [*ledger.measures, *ledger.events]
    records.sort(key=DATE_ORDER)  # stable: file order breaks ties
    return answers_after(records)


def answers_after(records: list) -> list:
    """Records in date order, with each measure moved after the measures it answers when
    it was sorted above one of them and their periods overlap (an imprecise date sorts by
    its first day). A measure dated definitely before what it answers is a check error
    and stays where its date puts it; so does anything in a responds_to cycle."""
    at = {r.id: i for i, r in enumerate(records)}
    late = [r for r in records if isinstance(r, Measure) and r.responds_to
            and any(at.get(a, -1) > at[r.id] for a in r.responds_to)]
    if not late:  # the usual ledger: nothing to move
        return records
    records = list(records)
    for _ in range(len(records)):  # each round moves at least one record; a cycle stops it
        moved = False
        for i in reversed(range(len(records))):  # the last first: moved ones keep their order
            r = records[i]
            if not isinstance(r, Measure) or not r.responds_to:
                continue
            after = [at[a] for a in r.responds_to if at.get(a, -1) > i
                     and not r.date.definitely_before(records[at[a]].date)]
            if after:
                records.insert(max(after), records.pop(i))  # just after the last one it answers
                at = {x.id: k for k, x in enumerate(records)}
                moved = True
                break
        if not moved:
            break
    return records
