"""Escalation over time as a text bar chart: per period, per country, the weights summed.

A period is a week (Monday to Sunday) or a calendar month. Each measure adds its
escalation weight (`Measure.escalation`) to every one of its actors in the period
its date falls in. Escalating weights and de-escalating ones are summed apart, so
a month with both a tariff and a truce shows both bars, and the net is printed.

Dates known only to a month or a year are not spread over invented days: by
week, a measure dated `2025-10` goes into a period of its own, "2025-10", listed
just before the first week starting in October; by month, a measure dated `2025`
goes into a period "2025" listed before January. Runs of empty periods between
the busy ones are folded into one "quiet" line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from ..model import Ledger, LedgerDate
from ..render import terminal_text

By = Literal["week", "month"]


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days a bucket covers.

    Fields:
      label: `2025-10-06` (week starting that Monday), `2025-10` (month) or `2025` (year).
      first, last: the first and last day.
      kind: "week", "month" or "year".
    """

    label: str
    first: dt.date
    last: dt.date
    kind: str

    def sort_key(self) -> tuple:
        # A coarse period comes before the finer ones starting on or after its first day.
        return (self.first, -(self.last - self.first).days)


@dataclass(slots=True)
class Bucket:
    """One period's tally.

    Fields:
      period: the span.
      up, down: per country, the summed positive and negative weights.
      measures: ids of the measures counted, in date order.
    """

    period: Period
    up: dict[str, int] = field(default_factory=dict)
    down: dict[str, int] = field(default_factory=dict)
    measures: list[str] = field(default_factory=list)

    def countries(self) -> list[str]:
        return sorted(set(self.up) | set(self.down))

    def net(self, country: str) -> int:
        return self.up.get(country, 0) + self.down.get(country, 0)


def _month(d: dt.date) -> Period:
    nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return Period(f"{d.year:04d}-{d.month:02d}", d.replace(day=1), nxt - dt.timedelta(days=1), "month")


def _week(d: dt.date) -> Period:
    monday = d - dt.timedelta(days=d.weekday())
    return Period(monday.isoformat(), monday, monday + dt.timedelta(days=6), "week")


def period_of(date: LedgerDate, by: By) -> Period:
    """The period a date is counted in (never finer than the date is known)."""
    if date.precision == "year":
        return Period(str(date.first.year), date.first, date.last, "year")
    if by == "month" or date.precision == "month":
        return _month(date.first)
    return _week(date.first)


def escalation_buckets(ledger: Ledger, by: By = "week") -> list[Bucket]:
    """The non-empty buckets of a (selected) ledger, in time order."""
    buckets: dict[Period, Bucket] = {}
    for m in sorted(ledger.measures, key=lambda m: (m.date.first, m.date.last, m.id)):
        p = period_of(m.date, by)
        b = buckets.setdefault(p, Bucket(p))
        w = m.escalation
        for country in m.actor:
            side = b.up if w >= 0 else b.down
            side[country] = side.get(country, 0) + w
        b.measures.append(m.id)
    return sorted(buckets.values(), key=lambda b: b.period.sort_key())


def buckets_json(buckets: list[Bucket], by: By) -> dict:
    """The JSON contract of `ledger chart --json`."""
    return {
        "by": by,
        "buckets": [
            {
                "period": b.period.label,
                "kind": b.period.kind,
                "first": b.period.first.isoformat(),
                "last": b.period.last.isoformat(),
                "measures": list(b.measures),
                "countries": {
                    c: {"up": b.up.get(c, 0), "down": b.down.get(c, 0), "net": b.net(c)}
                    for c in b.countries()
                },
            }
            for b in buckets
        ],
    }


# --- Text ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Glyphs:
    up: str
    down: str
    axis: str
    dot: str


UNICODE = Glyphs(up="█", down="░", axis="│", dot="·")
ASCII = Glyphs(up="#", down="=", axis="|", dot=".")


def _quiet_between(a: Period, b: Period, by: By) -> int:
    """How many whole empty weeks (or months) lie between two periods."""
    if a.kind == "year" or b.kind == "year":
        return 0
    if by == "month":
        return max((b.first.year - a.last.year) * 12 + b.first.month - a.last.month - 1, 0)
    return max((b.first - a.last).days - 1, 0) // 7


def render_chart(buckets: list[Bucket], by: By = "week", *, ascii: bool = False, width: int = 80,
                 title: str | None = None) -> str:
    """The buckets as lines of plain text no wider than `width` (at least 50)."""
    g = ASCII if ascii else UNICODE
    width = max(width, 50)
    if not buckets:
        return "No measures to chart.\n"
    countries = sorted({c for b in buckets for c in b.countries()})
    cw = max(4, max(len(c) for c in countries))
    pw = 10  # `2025-10-06`
    # period, space, country, space, down bar, axis, up bar, space, net (+12)
    bars = width - pw - 1 - cw - 1 - 1 - 1 - 3
    peak_up = max((v for b in buckets for v in b.up.values()), default=0)
    peak_down = max((-v for b in buckets for v in b.down.values()), default=0)
    left_w = 0 if peak_down == 0 else max(6, bars * peak_down // max(peak_up + peak_down, 1))
    right_w = bars - left_w
    unit = min(
        right_w / peak_up if peak_up else float("inf"),
        left_w / peak_down if peak_down else float("inf"),
    )
    cells_per_unit = max(int(unit), 1) if unit >= 1 else unit

    def cells(v: int) -> int:
        return 0 if v == 0 else max(1, round(abs(v) * cells_per_unit))

    lines = []
    heading = [f"{terminal_text(title)}:", f"escalation by {by}"] if title else [f"Escalation by {by}"]  # the ledger's own words
    lines += _wrapped([*heading, "(weight summed per actor)"], width, " ")
    legend = [f"{g.up} escalation", f"{g.down} de-escalation", "(net on the right)"]
    if cells_per_unit >= 1:
        legend.append(f"1 point = {int(cells_per_unit)} column{'s' if cells_per_unit >= 2 else ''}")
    lines += _wrapped(legend, width, "   ")
    lines.append(" " * (pw + 1 + cw + 1 + left_w) + g.axis)
    previous = None
    for b in buckets:
        if previous is not None:
            gap = _quiet_between(previous.period, b.period, by)
            if gap:
                unit_name = "month" if by == "month" else "week"
                lines.append(f"{'':<{pw}} {'':<{cw}} {'':>{left_w}}{g.axis}  {g.dot} {gap} quiet {unit_name}{'s' if gap != 1 else ''}")
        first = True
        for c in b.countries():
            down = g.down * cells(b.down.get(c, 0))
            up = g.up * cells(b.up.get(c, 0))
            label = b.period.label if first else ""
            lines.append(f"{label:<{pw}} {c:<{cw}} {down:>{left_w}}{g.axis}{up:<{right_w}} {b.net(c):+3d}".rstrip())
            first = False
        previous = b
    lines.append(" " * (pw + 1 + cw + 1 + left_w) + g.axis)
    notes = [b.period.label for b in buckets if b.period.kind != by]
    if notes:
        lines += _wrapped([f"Periods {', '.join(notes)}:",
                           f"measures known only to that {'month or year' if by == 'week' else 'year'}."], width, " ")
    return "\n".join(lines) + "\n"


def _wrapped(parts: list[str], width: int, sep: str) -> list[str]:
    """Parts of a line (`escalation by month`, `1 point = 3 columns`) joined by `sep` in
    lines of at most `width` characters, broken between parts where one fits, else
    between words, never at a hyphen (`2025-10`, `US-China`); a word wider than the chart
    is cut, as a last resort, so no line is wider."""
    import textwrap

    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines += textwrap.wrap(part, width, break_on_hyphens=False) or [""]
    return lines
