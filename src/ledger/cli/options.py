"""The options every report takes, declared once and used on each command.

Typer's callback options only work before the subcommand, so each report command
declares these itself (`ledger deadlines --as-of 2025-10-14 --country CN`). The
aliases below keep the declarations identical everywhere; `selection_from` turns
their raw values into a `Selection`, refusing bad values with exit 2.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import Annotated

import typer

from ..model import EventKind, Kind
from ..select import Selection
from . import usage_error
from .complete import complete_countries, complete_kinds

KINDS: tuple[str, ...] = tuple(k.value for k in Kind) + tuple(
    k.value for k in EventKind if k.value not in {x.value for x in Kind}
)

_DATE_HELP = "ISO YYYY-MM-DD or a plain form such as 'Oct 14 2025'"

AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE",
                 help=f"See the ledger as of this day ({_DATE_HELP}): countdowns count from its "
                      "00:00 UTC and records dated after it are hidden. Default: today."),
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option("--country", "-c", metavar="CODE",
                 help="Only records with this country as actor or target (events: taking part). Repeatable.",
                 autocompletion=complete_countries),
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("--kind", "-k", metavar="KIND",
                 help="Only measures of this kind (events: of this event kind). Repeatable. "
                      f"Kinds: {', '.join(KINDS)}.",
                 autocompletion=complete_kinds),
]
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", metavar="DATE", help=f"Only records dated on or after this day (inclusive; {_DATE_HELP})."),
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", metavar="DATE", help=f"Only records dated on or before this day (inclusive; {_DATE_HELP})."),
]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# 03/04, 3.4.2025, 03-04-25: day-month or month-day depends on the writer's country.
_NUMERIC_DAY_MONTH = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}(\s*[/.\-]\s*\d{2,4})?\Z")
_CODE = re.compile(r"[A-Z]{2,3}\Z")


def parse_cli_date(text: str, option: str = "date") -> date:
    """A day from the command line: `2025-10-14`, `Oct 14 2025`, `14 October 2025`.

    Numeric day/month forms (`03/04`, `03/04/2025`) are refused rather than guessed,
    and so are dates missing a day, month or year, and dates with a time of day.
    """
    text = text.strip()
    if _ISO.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            usage_error(f"{option} '{text}' is not a date (no such day)")
    if _NUMERIC_DAY_MONTH.match(text):
        usage_error(f"{option} '{text}' is ambiguous (day/month order differs between countries); "
                    "write it as YYYY-MM-DD, e.g. 2025-03-04, or as 'Mar 4 2025'")
    from dateutil import parser

    # Two different defaults reveal what the text left out.
    try:
        a = parser.parse(text, default=datetime(2000, 1, 1, 0, 0))
        b = parser.parse(text, default=datetime(2004, 2, 2, 1, 1))
    except (ValueError, OverflowError):
        usage_error(f"{option} '{text}' is not a date; write YYYY-MM-DD, e.g. 2025-10-14, or 'Oct 14 2025'")
    if a.date() != b.date():
        usage_error(f"{option} '{text}' is not a whole date (give the day, the month and the year), "
                    "e.g. 2025-10-14 or 'Oct 14 2025'")
    if a.time() == b.time() or a.tzinfo is not None:
        usage_error(f"{option} '{text}' has a time of day; give only the date (reports count from 00:00 UTC)")
    return a.date()


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def selection_from(as_of: str | None, country: list[str] | None, kind: list[str] | None,
                   since: str | None, until: str | None) -> Selection:
    """Check the shared options and build the Selection (exit 2 on a bad value)."""
    day = parse_cli_date(as_of, "--as-of") if as_of else date.today()
    codes = set()
    for c in country or ():
        code = c.strip().upper()
        if not _CODE.match(code):
            usage_error(f"--country '{c}' is not a country code; use codes such as US, CN, EU")
        codes.add(code)
    kinds = set()
    for k in kind or ():
        word = k.strip().lower()
        if word not in KINDS:
            usage_error(f"--kind '{k}' is not a kind{_suggest(word, KINDS)}; kinds: {', '.join(KINDS)}")
        kinds.add(word)
    start = parse_cli_date(since, "--since") if since else None
    end = parse_cli_date(until, "--until") if until else None
    if start and end and start > end:
        usage_error(f"--since {start} is after --until {end}; nothing could match")
    return Selection(as_of=day, countries=frozenset(codes), kinds=frozenset(kinds), since=start, until=end)
