"""Field text -> values: the rules both readers use.

`load.py` (the exact reader) and `fastload.py` (the fast path for big files) must give
the same answer for every file. Each has its own way of getting at the text of a value,
but what that text means (an id, a country code, a date, a moment, a whole number, how
long a value may be) is decided here, once, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re

from .model import LedgerDate

MAX_SCALAR = 64 * 1024  # characters in one value; notes longer than this are a mistake
# Items in one list or mapping inside an entry (tags, countries, answers, reports...): a
# measure names a few. The top-level lists and mappings (measures, events, sources,
# countries) are bounded by the file's size alone. One measure with 83 million tags made
# `check` take 30 s and 5.7 GB.
MAX_ITEMS = 10_000

# Codes known without being declared under `countries:`, beside ISO 3166-1 alpha-2: the
# European Union (the commonest actor in trade measures that is not a country, an
# "exceptionally reserved" ISO code) and Kosovo (user-assigned XK, used by the EU and
# the IMF). A ledger's own `countries:` still names them as it likes.
OTHER_CODES = {"EU": "European Union", "XK": "Kosovo"}

ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")  # a measure's, event's or source's id
CODE = re.compile(r"[A-Z][A-Z0-9]{1,5}\Z")  # a country code (ISO 3166 alpha-2, or declared)
INT = re.compile(r"[+-]?\d+\Z")  # a whole number as the exact reader accepts it
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)\s*(Z|[+-]\d{2}:?\d{2})?\Z")


def parse_date(text: str) -> LedgerDate:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY` -> LedgerDate; raises ValueError with a plain message."""
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a date; write YYYY-MM-DD (or YYYY-MM, YYYY when the source gives no more)")
    year, month, day = m.groups()
    if year < "1000":
        raise ValueError(f"'{text}' has an implausible year")
    try:
        if day:
            return LedgerDate(dt.date.fromisoformat(m.group(0)), "day")
        if month:
            return LedgerDate(dt.date(int(year), int(month), 1), "month")
        return LedgerDate(dt.date(int(year), 1, 1), "year")
    except ValueError:
        if month and not 1 <= int(month) <= 12:
            raise ValueError(f"'{text}' is not a date: there is no month {int(month)}") from None
        import calendar

        last = calendar.monthrange(int(year), int(month))[1]
        raise ValueError(f"'{text}' is not a date: {calendar.month_name[int(month)]} {year} has {last} days") from None


def parse_moment(text: str) -> dt.date | dt.datetime:
    """A date (`YYYY-MM-DD`) or a date-time with a UTC offset."""
    text = text.strip()
    m = _DATETIME.match(text)
    if m:
        day, clock, offset = m.groups()
        if offset is None:
            raise ValueError(f"'{text}' has a time but no UTC offset; add one, e.g. {day}T{clock}+00:00")
        if offset == "Z":
            offset = "+00:00"
        elif ":" not in offset:
            offset = offset[:3] + ":" + offset[3:]
        try:
            return dt.datetime.fromisoformat(f"{day}T{clock}{offset}")
        except ValueError:
            parse_date(day)  # names the impossible day when that is the trouble
            raise ValueError(f"'{text}' is not a valid date-time") from None
    d = parse_date(text)
    if d.precision != "day":
        raise ValueError(f"'{text}' is not precise enough for a deadline; give the day (YYYY-MM-DD)")
    return d.first
