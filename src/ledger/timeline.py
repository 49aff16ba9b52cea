"""The timeline: measures and events in date order.

Pure: a (selected) ledger in, its records out in the order they happened. Records
known only to the month or year sort by their first day, before the days of
that period; ties keep file order, measures before events.
"""

from __future__ import annotations

from operator import attrgetter

from .model import Event, Ledger, Measure

# Sort key for records in date order: (first day, last day), in C. For one first
# day, precision names sort as their last days do ("day" < "month" < "year"): a
# day ends on its first day, a month before the year that starts with it.
DATE_ORDER = attrgetter("date.first", "date.precision")


def timeline(ledger: Ledger) -> list[Measure | Event]:
    """Every measure and event of the ledger, earliest first."""
    records: list[Measure | Event] = [*ledger.measures, *ledger.events]
    records.sort(key=DATE_ORDER)  # stable: file order breaks ties
    return records
