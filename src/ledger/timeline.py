"""The timeline: measures and events in date order.

Pure: a (selected) ledger in, its records out in the order they happened. Records
known only to the month or year sort by their first day, before the days of
that period; ties keep file order, measures before events. But what answers comes
after what it answers: a measure dated `2025` that answers one dated `2025-10` (the
two periods overlap) is listed after it, never above it (`answers_after`). The
dates keep their precision wherever they are shown.
"""

from __future__ import annotations

from itertools import compress
from operator import attrgetter

from .model import Event, Ledger, Measure

# Sort key for records in date order: (first day, last day), in C. For one first
# day, precision names sort as their last days do ("day" < "month" < "year"): a
# day ends on its first day, a month before the year that starts with it.
DATE_ORDER = attrgetter("date.first", "date.precision")
_ID = attrgetter("id")


def _ANSWERS(record) -> tuple:
    """A measure's responds_to; nothing for an event."""
    return record.responds_to if record.__class__ is Measure else ()


def timeline(ledger: Ledger) -> list[Measure | Event]:
    """Every measure and event of the ledger, earliest first (answers after what they answer)."""
    records: list[Measure | Event] = [*ledger.measures, *ledger.events]
    records.sort(key=DATE_ORDER)  # stable: file order breaks ties
    return answers_after(records)


def answers_after(records: list) -> list:
    """Records in date order, with each measure moved after the measures it answers when
    it was sorted above one of them and their periods overlap (an imprecise date sorts by
    its first day), or when one of them was itself moved below it: just after the last of
    them, in the order they had (a measure that answers a moved one follows it). A
    measure dated definitely before what it answers is a check error and stays where its
    date puts it.

    One pass, linear in the records and links: each record is placed in date order
    unless something it answers is not placed yet; then it waits, and is placed as soon
    as the last of those is (a record placed is followed by those waiting for it, each
    followed by its own). A responds_to cycle (a check error, so no report gets here)
    leaves the date order as it is."""
    at = dict(zip(map(_ID, records), range(len(records))))  # in C
    answers: dict[int, list[int]] = {}  # record index -> the records it answers (that it may follow)
    late = False
    # Only measures that answer something: about half of a big ledger, picked in C.
    linked = compress(range(len(records)), map(_ANSWERS, records))
    for i in linked:
        r = records[i]
        links = r.responds_to
        found = []
        for a in links:
            j = at.get(a, -1)
            if j < i:
                if j != -1:  # sorted above it: nothing to ask of the dates (it is not after it)
                    found.append(j)
            elif j > i and not r.date.definitely_before(records[j].date):
                found.append(j)
                late = True
        if found:
            answers[i] = found
    if not late:  # the usual ledger: everything already follows what it answers
        return records
    placed = [False] * len(records)
    waiting: dict[int, int] = {}  # record index -> how many of its answered records are not placed
    waiters: dict[int, list[int]] = {}  # record index -> the records waiting for it, in order
    out = []
    put = out.append
    for i in range(len(records)):
        if placed[i]:
            continue
        deps = answers.get(i)
        if deps is not None:
            pending = [j for j in dict.fromkeys(deps) if not placed[j]]
            if pending:
                waiting[i] = len(pending)
                for j in pending:
                    waiters.setdefault(j, []).append(i)
                continue
        if i not in waiters:  # nobody waits for it: most records
            placed[i] = True
            put(records[i])
            continue
        stack = [i]
        while stack:
            k = stack.pop()
            placed[k] = True
            put(records[k])
            ready = []
            for w in waiters.pop(k, ()):
                waiting[w] -= 1
                if not waiting[w]:
                    ready.append(w)
            stack += reversed(ready)  # the first of them next, and what waits for it after it
    if len(out) != len(records):  # a cycle: some never stopped waiting
        return records
    return out
