"""Dates as people write them: `2025-10-14`, `Oct 14 2025`, `14.10.2025`, `10/14/2025`.

One parser for the command line (`--as-of`, `--since`, `--until`: `cli.options.parse_cli_date`
wraps it, turning its ValueError into a usage error) and for the cells of an imported
spreadsheet (`csvin.py`). Pure: text in, a date or a ValueError out, whose message starts
with the text quoted (`'03/04/2025' is ambiguous: ...`) so each caller can say where it
came from.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# 03/04/2025, 3.4.2025, 14.10.2025, 10/14/2025: numbers only, day and month in either order.
_NUMERIC = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})(?:\s*\2\s*(\d{2,4}))?\Z")
RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}


def _numeric_date(text: str, m: re.Match) -> date:
    """`14.10.2025` or `10/14/2025`: a number above 12 can only be the day. When both
    could be the month (`03/04/2025`), the writer's country decides, so both readings
    are shown and neither is guessed."""
    first, _, second, year = m.groups()
    a, b = int(first), int(second)
    if year is None or len(year) != 4:
        both = a != b and a <= 12 and b <= 12
        readings = f" and ambiguous ({date(2000, b, a):%-d %B} or {date(2000, a, b):%-d %B}?)" if both else ""
        raise ValueError(f"'{text}' has no four-digit year{readings}; write it as YYYY-MM-DD, e.g. 2025-10-14")
    y = int(year)
    readings = []
    for day, month in ((a, b), (b, a)):
        try:
            readings.append(date(y, month, day))
        except ValueError:
            pass
    readings = sorted(set(readings))
    if not readings:
        raise ValueError(f"'{text}' is not a date (no such day)")
    if len(readings) > 1:
        one, other = readings
        raise ValueError(f"'{text}' is ambiguous: {one:%-d %B %Y} or {other:%-d %B %Y}? "
                         f"write {one.isoformat()} or {other.isoformat()}")
    return readings[0]


def parse_written_date(text: str, relative: bool = True) -> date:
    """A day as people write it: `2025-10-14`, `Oct 14 2025`, `14 October 2025`,
    `14.10.2025`, `10/14/2025`, and with `relative`, `today`, `yesterday`, `tomorrow`.

    A numeric date that reads as two different days (`03/04/2025`) is refused with both
    readings rather than guessed, and so are dates missing a day, month or year, and
    dates with a time of day. Raises ValueError with a message that starts with `text`
    quoted.
    """
    text = text.strip()
    if relative and text.lower() in RELATIVE:
        return date.today() + timedelta(days=RELATIVE[text.lower()])
    if _ISO.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a date (no such day)") from None
    numeric = _NUMERIC.match(text)
    if numeric:
        return _numeric_date(text, numeric)
    from dateutil import parser

    # Two different defaults reveal what the text left out.
    try:
        a = parser.parse(text, default=datetime(2000, 1, 1, 0, 0))
        b = parser.parse(text, default=datetime(2004, 2, 2, 1, 1))
    except (ValueError, OverflowError):
        raise ValueError(f"'{text}' is not a date; write YYYY-MM-DD, e.g. 2025-10-14, or 'Oct 14 2025'") from None
    if a.date() != b.date():
        raise ValueError(f"'{text}' is not a whole date (give the day, the month and the year), "
                         "e.g. 2025-10-14 or 'Oct 14 2025'")
    if a.time() == b.time() or a.tzinfo is not None:
        raise ValueError(f"'{text}' has a time of day; give only the date (reports count from 00:00 UTC)")
    return a.date()
