"""Links: which measure answered which, each with its basis, and links worth checking.

Pure: a (selected) ledger in, rows out. `ledger_links` lists every link with its basis
(a plain `responds_to` id is stated by its measure's sources; see `Measure.links`).
`suggest_links` proposes links the ledger does not have, for a person to check against
the sources: a suggestion is never a link until someone writes it down, as inferred
(with the suggestion's reason as its note) or, if a source says so, as stated.
"""

from __future__ import annotations

from typing import NamedTuple

from .model import DEESCALATING, Ledger, Measure


class LinkRow(NamedTuple):
    """One link of the ledger.

    Fields:
      measure: id of the measure that answers.
      responds_to: id of the measure it answers.
      basis: "stated" or "inferred".
      sources: the sources that state it (the link's own, else its measure's).
      quote: the sentence that states it, if the link gives one.
      note: why it is inferred, or a caveat.
    """

    measure: str
    responds_to: str
    basis: str
    sources: tuple[str, ...]
    quote: str | None
    note: str | None


def ledger_links(ledger: Ledger) -> list[LinkRow]:
    """Every link, in the order of the measures and of their `responds_to`."""
    out = []
    for m in ledger.measures:
        written = {k.responds_to: k for k in m.links}
        for answered in m.responds_to:
            k = written.get(answered)
            if k is None:
                out.append(LinkRow(m.id, answered, "stated", m.sources, None, None))
            else:
                out.append(LinkRow(m.id, answered, k.basis, k.sources or m.sources, k.quote, k.note))
    return out


class Suggestion(NamedTuple):
    """A link the ledger does not have that may be worth checking.

    Fields:
      measure: id of the measure that may answer.
      responds_to: id of the earlier measure it may answer.
      lag_days: days between their first days (None when either is known only to a
        month or year).
      note: why it is suggested, in words (a ready `note:` for an inferred link).
    """

    measure: str
    responds_to: str
    lag_days: int | None
    note: str


def suggest_links(ledger: Ledger, window_days: int = 60, per_measure: int = 2) -> list[Suggestion]:
    """For each measure, up to `per_measure` earlier measures it may answer: taken by a
    country it targets, aimed at a country taking it, not already linked either way, and
    at most `window_days` before it (periods that overlap count as near). Nearest first;
    a measure of the same kind, or one escalating when it escalates, ranks before others."""
    measures = sorted(ledger.measures, key=lambda m: (m.date.first, m.date.last, m.id))
    linked = {(m.id, a) for m in measures for a in m.responds_to}
    out: list[Suggestion] = []
    suggested: set[tuple[str, str]] = set()
    for b in measures:
        found = []
        for a in measures:
            if a is b or (b.id, a.id) in linked or (a.id, b.id) in linked or (a.id, b.id) in suggested:
                continue
            if "year" in (a.date.precision, b.date.precision):
                continue  # a year overlaps everything in it: too vague to suggest anything
            if a.date.first > b.date.last:  # definitely after b: b cannot answer it
                continue
            if set(a.actor).isdisjoint(b.target) or set(b.actor).isdisjoint(a.target):
                continue
            gap = (b.date.first - a.date.last).days
            if gap > window_days:
                continue
            lag = (b.date.first - a.date.first).days if a.date.precision == b.date.precision == "day" else None
            same_kind = a.kind == b.kind
            same_way = (a.kind in DEESCALATING) == (b.kind in DEESCALATING)
            found.append((max(gap, 0), not same_kind, not same_way, a.id, a, lag, same_kind))
        found.sort(key=lambda f: f[:4])
        for gap, _, _, _, a, lag, same_kind in found[:per_measure]:
            when = (f"{lag} days after" if lag is not None
                    else "in the same period as" if gap <= 0 else f"within {gap} days of")
            note = (f"suggested, not stated: {', '.join(b.actor)} took it {when} {', '.join(a.actor)}'s "
                    f"{a.id}, which was aimed at {', '.join(sorted(set(a.target) & set(b.actor)))}"
                    + (f" (both {a.kind.value})" if same_kind else ""))
            out.append(Suggestion(b.id, a.id, lag, note))
            suggested.add((b.id, a.id))  # never the same pair the other way round: a cycle
    return out
