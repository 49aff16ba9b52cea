"""The options every report takes, declared once and used on each command.

Typer's callback options only work before the subcommand, so each report command
declares these itself (`ledger deadlines --as-of 2025-10-14 --country CN`). The
aliases below keep the declarations identical everywhere; `selection_from` turns
their raw values into a `Selection`, refusing bad values with exit 2.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Annotated

import typer

from ..model import EventKind, Kind
from ..select import Selection
from ..values import OTHER_CODES
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
                      "00:00 UTC, and what was not yet known that day is hidden: a measure dated after "
                      "it, an event (a summit, a call) that had neither begun nor been reported by then. "
                      "A scheduled event counts as known from the first source that reported it. "
                      "Default: today."),
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
                      f"Kinds: {', '.join(KINDS)}, and those the ledger declares (kinds:).",
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

def parse_cli_date(text: str, option: str = "date") -> date:
    """A day from the command line: `2025-10-14`, `Oct 14 2025`, `14 October 2025`,
    `14.10.2025`, `10/14/2025`, `today`, `yesterday`, `tomorrow`.

    A numeric date that reads as two different days (`03/04/2025`) is refused with both
    readings rather than guessed, and so are dates missing a day, month or year, and
    dates with a time of day: a usage error naming the option (the rules are
    `importing.dates.parse_written_date`'s, which imported spreadsheets use too).
    """
    from ..importing.dates import parse_written_date

    try:
        return parse_written_date(text)
    except ValueError as e:
        usage_error(f"{option} {e}")


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def selection_from(as_of: str | None, country: list[str] | None, kind: list[str] | None,
                   since: str | None, until: str | None) -> Selection:
    """Check the shared options and build the Selection (exit 2 on a bad value)."""
    day = parse_cli_date(as_of, "--as-of") if as_of else date.today()
    codes = {c.strip() for c in country or ()}  # as typed: `resolve_countries` reads them against the ledger
    kinds = {k.strip().lower() for k in kind or ()}  # `resolve_countries` reads them against the ledger's kinds
    start = parse_cli_date(since, "--since") if since else None
    end = parse_cli_date(until, "--until") if until else None
    if start and end and start > end:
        usage_error(f"--since {start} is after --until {end}; nothing could match")
    return Selection(as_of=day, countries=frozenset(codes), kinds=frozenset(kinds), since=start, until=end)


def resolve_countries(selection: Selection, ledger) -> Selection:
    """The selection's --country values as the ledger's codes (`country_code`); a name,
    or a code nobody knows (QQ), is refused (exit 2), with the code to use when one is
    close, as a misspelt kind is. The --kind values too: a kind the ledger declares
    (`kinds:`) is one, as a built-in one is; another is refused (exit 2)."""
    if selection.kinds:
        known = (*KINDS, *ledger.kinds)
        for word in sorted(selection.kinds):
            if word not in known:
                usage_error(f"--kind '{word}' is not a kind{_suggest(word, known)}; kinds: {', '.join(known)}")
    if not selection.countries:
        return selection
    import dataclasses

    codes = set()
    for typed in selection.countries:
        try:
            codes.add(country_code(typed, ledger.countries))
        except ValueError as e:
            usage_error(f"--country {e}")
    return dataclasses.replace(selection, countries=frozenset(codes))


def country_code(typed: str, declared) -> str:
    """A country as the command line may give it -> the ledger's code: an ISO 3166-1
    alpha-2 code in any case (`us` is US), a code the ledger declares (`declared`: code ->
    name) or one known without declaring (EU), an alpha-3 code read as its alpha-2
    (CHN is CN). Raises ValueError saying what to use instead."""
    import iso3166

    given = typed.strip().upper()
    if given in declared or given in OTHER_CODES or given in iso3166.countries_by_alpha2:
        return given
    if given in iso3166.countries_by_alpha3:
        return iso3166.countries_by_alpha3[given].alpha2
    raise ValueError(f"'{typed}' is not a known country code{_country_hint(given, declared)}; use ISO 3166-1 "
                     "alpha-2 codes (US, CN) or a code the ledger declares under 'countries:'")


def _country_hint(given: str, declared) -> str:
    """' (did you mean CN, China?)' for a country's name, the start of one or a near
    miss; up to three codes when the words fit several (Korea)."""
    import iso3166

    names = {c.alpha2: c.apolitical_name for c in iso3166.countries_by_alpha2.values()} | OTHER_CODES | dict(declared)
    by_name = {name.upper(): code for code, name in names.items()}
    found = [by_name[given]] if given in by_name else []
    if not found and len(given) > 3:
        found = [c for n, c in by_name.items() if n.startswith(given + ",") or n.startswith(given + " ")]
    if not found:
        found = [by_name[n] for n in difflib.get_close_matches(given, list(by_name), n=1, cutoff=0.75)]
    if not found or len(found) > 3:
        return ""
    return " (did you mean " + " or ".join(f"{c}, {names[c]}" for c in sorted(found)) + "?)"

StatedOpt = Annotated[
    bool, typer.Option("--stated", help="Count only what a source states: leave out inferred links "
                                         "(and, in summary, measures whose actor, target, kind or status is inferred).")]
