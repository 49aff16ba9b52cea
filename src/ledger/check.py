"""Checks: small functions from a loaded ledger to problems.

Each `check_*` looks at one thing and returns problems; `CHECKS` lists them all and
`check_ledger` runs them. Loading already caught everything about a single value
(syntax, types, impossible dates, unknown fields and kinds); these checks look
across records: references, ids, countries, order in time, disagreements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from itertools import chain, repeat
from operator import attrgetter

from .model import EVENT_FIELDS, MEASURE_FIELDS, REPORTED_FIELDS, Event, Ledger, Link, Location, Measure, Problem
from .values import OTHER_CODES


def _problem(ledger: Ledger, loc: Location, message: str, ref: str | None, severity: str = "error", record=None) -> Problem:
    """A problem at `loc` in the file `record` is written in (a ledger may be several files)."""
    file = ledger.file_of(record) if record is not None else ledger.path
    return Problem(file, loc.line, loc.col, severity, message, ref)


def _records(ledger: Ledger) -> Iterator[Measure | Event]:
    yield from ledger.measures
    yield from ledger.events


# Most checks first ask, field by field over every record and in C, whether anything at all
# is wrong (a set of every cited id, say), and walk the records one by one only to say what:
# the walk costs a tenth of a second on a 100,000-measure ledger, and is nearly never needed.
_ID, _SOURCES, _RESPONDS_TO = attrgetter("id"), attrgetter("sources"), attrgetter("responds_to")
_REPORTS = attrgetter("reports")


def _answer_at(ledger: Ledger, m: Measure, i: int) -> tuple[Location, Measure | Link]:
    """Where `m`'s i-th answer is written, and the record whose file that is: the item of
    `links:` that gave it when another file wrote it (a ledger of several files may link
    measures of one file from another), else the measure's own `responds_to`."""
    if m.links and ledger.files:
        answered = m.responds_to[i]
        mine = ledger.file_of(m)
        for link in m.links:
            if link.responds_to == answered and ledger.file_of(link) != mine:
                return link.loc, link
    return m.where(f"responds_to[{i}]"), m


def check_duplicate_ids(ledger: Ledger) -> list[Problem]:
    ids = list(map(_ID, _records(ledger)))
    if len(set(ids)) == len(ids):
        return []
    seen: dict[str, Measure | Event] = {}
    out = []
    for r in _records(ledger):
        first = seen.setdefault(r.id, r)
        if first is not r:
            there = ledger.file_of(first)
            at = f"line {first.loc.line}" if there == ledger.file_of(r) else f"{there}:{first.loc.line}"
            out.append(_problem(ledger, r.where("id"), f"duplicate id '{r.id}' (first at {at})", r.id, record=r))
    return out


def check_references(ledger: Ledger) -> list[Problem]:
    """responds_to must name a measure; sources must name a source."""
    from .load import _suggest

    ids = {m.id for m in ledger.measures}
    events = {e.id for e in ledger.events}
    cited = ledger.sources.__contains__
    answerable = ids - events  # a measure's id that no event shares
    out = []
    every_cited = set(chain.from_iterable(map(_SOURCES, _records(ledger))))
    for r in _records(ledger) if not ledger.sources.keys() >= every_cited else ():
        if all(map(cited, r.sources)):  # the common case, tested in C; the loop below says what is wrong
            continue
        for i, src in enumerate(r.sources):
            if src not in ledger.sources:
                out.append(_problem(ledger, r.where(f"sources[{i}]"),
                                    f"'{r.id}' cites source '{src}', which is not under 'sources:'{_suggest(src, ledger.sources)}", r.id, record=r))
    for link in ledger.loose_links:  # a link from a measure no file of the ledger has
        if link.measure not in ledger.unloaded:
            out.append(_problem(ledger, link.loc, f"a link is from '{link.measure}', which is not a measure of the ledger"
                                f"{_suggest(link.measure, ids)}", link.measure, record=link))
    measures = ledger.measures
    if (answerable.issuperset(chain.from_iterable(map(_RESPONDS_TO, measures)))
            and not any(map(tuple.__contains__, map(_RESPONDS_TO, measures), map(_ID, measures)))  # answering itself
            and ledger.sources.keys() >= {rep.source for m in filter(_REPORTS, measures) for rep in m.reports}):
        return out
    for m in measures:
        if not all(map(answerable.__contains__, m.responds_to)) or m.id in m.responds_to:
            for i, target in enumerate(m.responds_to):
                loc, where = _answer_at(ledger, m, i)
                if target == m.id:
                    out.append(_problem(ledger, loc, f"'{m.id}' responds to itself", m.id, record=where))
                elif target in events:
                    out.append(_problem(ledger, loc, f"'{m.id}' responds to '{target}', which is an event; responds_to names measures", m.id, record=where))
                elif target not in ids and target not in ledger.unloaded:
                    out.append(_problem(ledger, loc, f"'{m.id}' responds to '{target}', which is not in the ledger{_suggest(target, ids)}", m.id, record=where))
        for rep in m.reports:
            if rep.source not in ledger.sources:
                out.append(_problem(ledger, rep.loc, f"a report on '{m.id}' cites source '{rep.source}', which is not under 'sources:'", m.id, record=m))
    return out


def known_country(ledger: Ledger, code: str) -> bool:
    if code in ledger.countries or code in OTHER_CODES:
        return True
    import iso3166  # ISO 3166-1 alpha-2 from a maintained table, not a hand-typed one

    return code in iso3166.countries_by_alpha2


def check_countries(ledger: Ledger) -> list[Problem]:
    import iso3166

    out = []
    known: dict[str, bool] = {}  # a few hundred codes, used hundreds of thousands of times
    every = set(iso3166.countries_by_alpha2).union(ledger.countries, OTHER_CODES)  # what known_country accepts
    named = chain.from_iterable(chain(map(attrgetter("actor"), ledger.measures), map(attrgetter("target"), ledger.measures),
                                      map(attrgetter("countries"), ledger.events)))
    if every.issuperset(named):
        return out
    for r in _records(ledger):
        if isinstance(r, Measure):
            if every.issuperset(r.actor) and every.issuperset(r.target):  # the common case, in C
                continue
            fields = ("actor", "target")
        else:
            if every.issuperset(r.countries):
                continue
            fields = ("countries",)
        for f in fields:
            for i, code in enumerate(getattr(r, f)):
                ok = known.get(code)
                if ok is None:
                    ok = known[code] = known_country(ledger, code)
                if not ok:
                    out.append(_problem(ledger, r.where(f"{f}[{i}]"),
                                        f"unknown country code '{code}': not ISO 3166-1 alpha-2; declare it under 'countries:' if it is a bloc or region", r.id, record=r))
    return out


def _answers_earlier_only(measures: tuple[Measure, ...]) -> bool:
    """Whether every measure answers only measures written above it, and no id is
    repeated. Then no circle can exist: a walk along responds_to only ever goes up the
    file. Ledgers grow at the end, a move after the move it answers, so this is the usual
    case, and asking it costs a third of the walk (0.03 s against 0.1 s at 100,000
    measures). Anything else (a link down the file, to nothing or to itself, a repeated
    id) is left to the walk."""
    seen: set[str] = set()
    add = seen.add
    for m in measures:
        answers = m.responds_to
        if answers and not seen.issuperset(answers):
            return False
        add(m.id)
    return len(seen) == len(measures)


def check_cycles(ledger: Ledger) -> list[Problem]:
    """A measure cannot answer, through any chain, a measure that answers it."""
    measures = ledger.measures
    if _answers_earlier_only(measures):
        return []
    by_id = {m.id: m for m in measures}
    # Only a measure that answers another can be on a circle: the walk leaves the rest out.
    links = {i: m.responds_to for i, m in by_id.items() if m.responds_to}
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(links, WHITE)
    out = []
    for start in links:
        if colour[start] != WHITE:
            continue
        path: list[str] = []
        stack = [(start, iter(links[start]))]
        colour[start] = GREY
        path.append(start)
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt not in links or nxt == node:  # answering itself is check_references' error
                    continue
                if colour[nxt] == GREY:
                    cycle = path[path.index(nxt):] + [nxt]
                    m = by_id[nxt]
                    loc, where = m.where("responds_to"), m
                    if m.links and ledger.files:  # a link another file wrote: said there
                        loc, where = _answer_at(ledger, m, m.responds_to.index(cycle[1]))
                        if where is m:
                            loc = m.where("responds_to")
                    out.append(_problem(ledger, loc,
                                        "responds_to goes round in a circle: " + " -> ".join(cycle), m.id, record=where))
                elif colour[nxt] == WHITE:
                    colour[nxt] = GREY
                    path.append(nxt)
                    stack.append((nxt, iter(links[nxt])))
                    break
            else:
                colour[node] = BLACK
                path.pop()
                stack.pop()
    return out


def _day(moment) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def check_order_in_time(ledger: Ledger) -> list[Problem]:
    """A response cannot come before what it answers; effect before announcement is suspicious."""
    by_id = {m.id: m for m in ledger.measures}
    out = []
    for m in ledger.measures:
        for i, target in enumerate(m.responds_to):
            answered = by_id.get(target)
            if answered is not None and m.date.definitely_before(answered.date):
                loc, where = _answer_at(ledger, m, i)
                out.append(_problem(ledger, loc,
                                    f"'{m.id}' ({m.date}) is dated before '{target}' ({answered.date}), which it responds to", m.id, record=where))
        if m.effective is not None and _day(m.effective) < m.date.first:
            out.append(_problem(ledger, m.where("effective"),
                                f"'{m.id}' takes effect ({_day(m.effective)}) before it is dated ({m.date})", m.id, "warning", m))
        if m.effective is not None and m.expires is not None and _day(m.expires) < _day(m.effective):
            out.append(_problem(ledger, m.where("expires"),
                                f"'{m.id}' expires ({_day(m.expires)}) before it takes effect ({_day(m.effective)})", m.id, record=m))
    for e in ledger.events:
        if e.end is not None and e.end.last < e.date.first:
            out.append(_problem(ledger, e.where("end"), f"event '{e.id}' ends ({e.end}) before it starts ({e.date})", e.id, record=e))
    return out


def check_disagreements(ledger: Ledger) -> list[Problem]:
    """Sources that disagree are kept, and said out loud."""
    out = []
    for m in filter(_REPORTS, ledger.measures):  # only a measure with reports can disagree
        own = ", ".join(m.sources) or "the entry"
        for rep in m.reports:
            for f in REPORTED_FIELDS:
                theirs = getattr(rep, f)
                if theirs is None:
                    continue
                ours = getattr(m, f)
                if ours != theirs:
                    out.append(_problem(ledger, rep.loc,
                                        f"sources disagree on {f} of '{m.id}': {ours if ours is not None else 'not given'} ({own}) "
                                        f"vs {theirs} ({rep.source})", m.id, "warning", m))
    return out


def check_cited(ledger: Ledger) -> list[Problem]:
    """An entry with no source is a claim nobody can verify."""
    if not ledger.sources:
        return []  # a ledger that keeps no sources at all is not nagged entry by entry
    return [_problem(ledger, r.loc, f"'{r.id}' cites no source", r.id, "warning", r)
            for r in _records(ledger) if not r.sources]


_INFERABLE = {"measure": frozenset(s.name for s in MEASURE_FIELDS) - {"id", "inferred", "notes", "quote", "sources", "reports"},
              "event": frozenset(s.name for s in EVENT_FIELDS) - {"id", "inferred", "notes", "quote", "sources"}}


def check_provenance(ledger: Ledger) -> list[Problem]:
    """Provenance is data: an inferred link or value says why (a note), a stated link
    says who states it (a source), and `inferred:` names fields the entry has."""
    import difflib

    out: list[Problem] = []
    cited = bool(ledger.sources)
    inferred, links = attrgetter("inferred"), attrgetter("links")
    if not any(map(inferred, _records(ledger))) and not any(map(links, ledger.measures)) \
            and not any(map(attrgetter("quotes"), _records(ledger))):
        return out  # the usual big ledger: asked in C, field by field
    for r in _records(ledger):
        what = "measure" if isinstance(r, Measure) else "event"
        for i, name in enumerate(r.inferred):
            if name not in _INFERABLE[what]:
                close = difflib.get_close_matches(name, sorted(_INFERABLE[what]), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                out.append(_problem(ledger, r.where(f"inferred[{i}]"),
                                    f"'inferred' of '{r.id}' names '{name}', which is not a field that can be inferred{hint}", r.id, "error", r))
        for source, text in r.quotes:
            unsafe = None if _plain(text) else _unsafe_note(text)
            if unsafe:
                out.append(_problem(ledger, r.where(f"quotes.{source}"), f"the quote of '{source}' on '{r.id}' holds {unsafe}, "
                                    "which a terminal acts on; reports show such characters as escapes", r.id, "warning", r))
            if source not in r.sources:
                out.append(_problem(ledger, r.where(f"quotes.{source}"),
                                    f"'{r.id}' quotes '{source}', which it does not cite under sources", r.id,
                                    "warning" if source in ledger.sources else "error", r))
        if r.inferred and not r.notes:
            out.append(_problem(ledger, r.where("inferred"),
                                f"'{r.id}' marks {', '.join(r.inferred)} as inferred but has no notes saying why", r.id, "warning", r))
        if what == "event":
            continue
        first_link: dict[str, Link] = {}
        for link in r.links:
            first = first_link.setdefault(link.responds_to, link)
            if first is not link:  # two bases, two notes for one link: which is meant?
                there = ledger.file_of(first)
                at = f"line {first.loc.line}" if there == ledger.file_of(link) else f"{there}:{first.loc.line}"
                out.append(_problem(ledger, link.loc, f"the link from '{r.id}' to '{link.responds_to}' is written twice "
                                    f"(first at {at})", r.id, "error", link))
            for part, text in (("quote", link.quote), ("note", link.note)):
                unsafe = None if not text or _plain(text) else _unsafe_note(text)
                if unsafe:
                    out.append(_problem(ledger, link.loc, f"the {part} of the link from '{r.id}' to '{link.responds_to}' holds "
                                        f"{unsafe}, which a terminal acts on; reports show such characters as escapes",
                                        r.id, "warning", link))
            if link.basis == "inferred" and not link.note and not r.notes:
                out.append(_problem(ledger, link.loc,
                                    f"the link from '{r.id}' to '{link.responds_to}' is inferred but no note says why", r.id, "warning", link))
            for s in link.sources:
                if s not in ledger.sources:
                    out.append(_problem(ledger, link.loc,
                                        f"the link from '{r.id}' to '{link.responds_to}' cites unknown source '{s}'", r.id, "error", link))
        # A plain id is stated by the measure's own sources (check_cited warns when it has
        # none); a link written as stated must have a source too: its own or the measure's.
        if cited and not r.sources:
            for link in r.links:
                if link.basis == "stated" and not link.sources:
                    out.append(_problem(ledger, link.loc,
                                        f"the stated link from '{r.id}' to '{link.responds_to}' cites no source "
                                        "(cite one, or write it with basis: inferred and a note)", r.id, "warning", link))
    return out


# The free-text fields: the only ones a control character can reach (ids, codes, dates
# and kinds are refused by the loader unless they are letters, digits and hyphens).
_MEASURE_TEXT = ("title", "quote", "notes")
_EVENT_TEXT = ("title", "place", "quote", "notes")
_SOURCE_TEXT = ("title", "publisher", "url", "author", "notes")


def _unsafe_note(text: str) -> str | None:
    """What a terminal would act on in this text, said with the characters shown, or None."""
    from .render import UNSAFE, shown

    found = dict.fromkeys(UNSAFE.findall(text))
    if not found:
        return None
    said = []
    for name, chars in (("control character", [c for c in found if ord(c) < 0x100]),
                        ("line separator", [c for c in found if c in "\u2028\u2029"]),
                        ("bidirectional control", [c for c in found if ord(c) >= 0x100 and c not in "\u2028\u2029"])):
        if chars:
            said.append(f"{name}{'s' if len(chars) > 1 else ''} {', '.join(map(shown, chars))}")
    return " and ".join(said)


_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n\t"


def _plain(text: str) -> bool:
    """No character in render.UNSAFE, asked in C: for ASCII text (nearly every ledger),
    by deleting every plain byte and seeing nothing left (15 MB of a 100,000-measure
    ledger's text in a hundredth of a second; the regular expression takes eight)."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PLAIN_ASCII)
    if text.replace("\n", "").replace("\t", "").isprintable():
        return True  # every UNSAFE character is unprintable: typography (’ “ ”) needs no renderer
    from .render import UNSAFE

    return UNSAFE.search(text) is None


def check_control_characters(ledger: Ledger) -> list[Problem]:
    """Control characters and bidirectional overrides in text: a YAML escape (`"\\e[2J"`,
    `"\\u202e"`) puts them in a title, where a terminal would act on them (clear the
    screen, write the clipboard, reorder the line). Reports show them as escapes; this
    says where they are. Raw ones in the file are already the loader's errors."""
    measures, events, sources = ledger.measures, ledger.events, tuple(ledger.sources.values())
    every = [  # each field of every record joined into one text, in C; the newline is plain
        *("\n".join(filter(None, map(attrgetter(f), rs))) for rs, fs in
          ((measures, _MEASURE_TEXT), (events, _EVENT_TEXT), (sources, _SOURCE_TEXT)) for f in fs),
        "\n".join(chain.from_iterable(map(attrgetter("tags"), measures))),
        "\n".join(rep.quote for m in filter(_REPORTS, measures) for rep in m.reports if rep.quote),
        "\n".join(chain.from_iterable(chain(map(attrgetter("tags"), events), map(attrgetter("agenda"), events)))),
        "\n".join(ledger.countries.values()), ledger.title or "",
    ]
    if all(map(_plain, every)):  # the common case, asked of all the text at once
        return []
    out = []

    def warn(loc: Location, what: str, text: str | None, ref: str | None, record=None) -> None:
        note = _unsafe_note(text) if text else None
        if note:
            out.append(_problem(ledger, loc, f"{what} holds {note}, which a terminal acts on; "
                                             "reports show such characters as escapes", ref, "warning", record))

    if ledger.title:
        warn(ledger.locs.get("title", ledger.loc), "the ledger's title", ledger.title, None)
    for code, name in ledger.countries.items():
        warn(ledger.locs.get("countries", ledger.loc), f"the name of country '{code}'", name, None)
    for s in sources:
        for f in _SOURCE_TEXT:
            warn(s.loc, f"{f} of source '{s.id}'", getattr(s, f), None, s)
    for r, fields in chain(zip(measures, repeat(_MEASURE_TEXT)), zip(events, repeat(_EVENT_TEXT))):
        kind = "measure" if isinstance(r, Measure) else "event"
        for f in fields:
            warn(r.where(f), f"{f} of {kind} '{r.id}'", getattr(r, f), r.id, r)
        for f in ("tags", "agenda") if kind == "event" else ("tags",):
            for i, text in enumerate(getattr(r, f)):
                warn(r.where(f"{f}[{i}]"), f"{f}[{i}] of {kind} '{r.id}'", text, r.id, r)
        for rep in r.reports if kind == "measure" else ():
            warn(rep.loc, f"the quote of source '{rep.source}' on '{r.id}'", rep.quote, r.id, r)
    return out


CHECKS: tuple[Callable[[Ledger], list[Problem]], ...] = (
    check_duplicate_ids,
    check_references,
    check_countries,
    check_cycles,
    check_order_in_time,
    check_disagreements,
    check_cited,
    check_control_characters,
    check_provenance,
)


def check_ledger(ledger: Ledger) -> list[Problem]:
    out: list[Problem] = []
    for check in CHECKS:
        out.extend(check(ledger))
    return out
