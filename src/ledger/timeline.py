"""The timeline: measures and events in date order.

Pure: a (selected) ledger in, its records out in the order they happened. Records
known only to the month or year sort by their first day, before the days of
that period; ties keep file order, measures before events.
"""

from __future__ import annotations

from .model import Event, Ledger, Measure


def timeline(ledger: Ledger) -> list[Measure | Event]:
    """Every measure and event of the ledger, earliest first."""
    records: list[Measure | Event] = [*ledger.measures, *ledger.events]
    records.sort(key=lambda r: (r.date.first, r.date.last))  # stable: file order breaks ties
    return records
