"""The deadlines as an iCalendar feed (RFC 5545), through the `icalendar` library.

One VEVENT per deadline of a measure (takes effect, not before, expires; a
disagreeing source's version is its own VEVENT, marked "disputed") and one per
event (a summit over two days is one VEVENT whose DTEND is the day after it ends,
as RFC 5545 wants for all-day events). Dates become all-day events; date-times
keep their UTC offset through a fixed-offset VTIMEZONE (UTC itself needs none).

UIDs are built from the ledger's ids, never from the clock, so importing the feed
again updates the same events: `tariff-truce.expires@escalation-ledger`,
`tariff-truce.expires.joongang-2025-10-14@escalation-ledger`, `apec-2025@escalation-ledger`.
DTSTAMP is the `stamp` passed in (the CLI passes the current UTC time).

Ledger text goes in through `_text`: icalendar escapes line breaks, `;` and `,`, so a
title cannot start a property of its own, but it writes other control characters as
they are, which RFC 5545 forbids in text and a terminal acts on. They are shown as
their escapes (`render.terminal_text`).
"""

from __future__ import annotations

import datetime as dt
import re

from ..deadlines import all_deadlines
from ..model import EventStatus, Ledger, Measure
from ..render import terminal_text

UID_DOMAIN = "escalation-ledger"
PRODID = "-//escalation-ledger//ledger export ics//EN"


def _text(text: str) -> str:
    """A TEXT value from the ledger: line breaks kept (icalendar writes them as `\\n`),
    every other control character shown as its escape (a carriage return too)."""
    return terminal_text(text)


def uid_for(*parts: str) -> str:
    """`ref.what[.source]@escalation-ledger`, with spaces in `what` as hyphens."""
    slug = ".".join(re.sub(r"[^A-Za-z0-9_.-]+", "-", p.strip()) for p in parts if p)
    return f"{slug}@{UID_DOMAIN}"


def _tzid(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}{m:02d}"


def _fixed_zone(offset: dt.timedelta):
    """A VTIMEZONE for a fixed UTC offset: one STANDARD rule that never changes."""
    from icalendar import Timezone, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", _tzid(offset))
    std = TimezoneStandard()
    std.add("dtstart", dt.datetime(1970, 1, 1))
    std.add("tzoffsetfrom", offset)
    std.add("tzoffsetto", offset)
    std.add("tzname", _tzid(offset))
    tz.add_component(std)
    return tz


def _with_named_offset(moment: dt.datetime) -> dt.datetime:
    offset = moment.utcoffset()
    if not offset:
        return moment.astimezone(dt.timezone.utc)
    return moment.replace(tzinfo=dt.timezone(offset, _tzid(offset)))


def _sources_text(ledger: Ledger, ids) -> list[str]:
    lines = []
    for sid in ids:
        s = ledger.sources.get(sid)
        if s is None:
            lines.append(f"- {sid}")
            continue
        when = f", {s.published}" if s.published else ""
        url = f" {s.url}" if s.url else ""
        lines.append(f"- {s.title} ({s.publisher}{when}){url}")
    return lines


def _measure_description(ledger: Ledger, m: Measure, what: str, disputed_by: str | None, disputed: bool,
                         inferred: bool = False) -> str:
    lines = [
        m.title,
        f"{', '.join(m.actor)} → {', '.join(m.target)}; {m.kind} ({m.status}), dated {m.date}",
        f"Countries: {', '.join(dict.fromkeys((*m.actor, *m.target)))}",
        f"Ledger id: {m.id}",
    ]
    if disputed_by:
        lines.append(f"Disputed: this is the version of source {disputed_by}; the ledger's sources give another {what} date.")
    elif disputed:
        lines.append(f"Disputed: another source gives another {what} date.")
    if inferred:
        lines.append(f"Inferred: the {what} date is our reading, not a source's.")
    lines.append("Sources:")
    lines.extend(_sources_text(ledger, (disputed_by,) if disputed_by else m.sources))
    return "\n".join(lines)


def to_ics(ledger: Ledger, stamp: dt.datetime) -> bytes:
    """The ledger's deadlines and events as an iCalendar file (bytes, CRLF lines)."""
    from icalendar import Calendar
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # icalendar writes an X- property as given, unescaped: one line, or it fails.
    cal.add("x-wr-calname", _text(ledger.title or "Escalation ledger").replace("\n", " "))
    stamp = stamp.astimezone(dt.timezone.utc).replace(microsecond=0)
    offsets: set[dt.timedelta] = set()

    def start(ev: VEvent, moment) -> None:
        if isinstance(moment, dt.datetime):
            moment = _with_named_offset(moment)
            if moment.utcoffset():
                offsets.add(moment.utcoffset())
            ev.add("dtstart", moment)
        else:
            ev.add("dtstart", moment)
            ev.add("dtend", moment + dt.timedelta(days=1))

    measures = {m.id: m for m in ledger.measures}
    deadlines = all_deadlines(ledger)
    disputed_points = {(d.ref, d.what) for d in deadlines if d.disputed_by}
    for d in deadlines:
        m = measures.get(d.ref)
        if m is None:  # an event's row: events are written whole below
            continue
        ev = VEvent()
        ev.add("uid", uid_for(m.id, d.what, d.disputed_by or ""))
        ev.add("dtstamp", stamp)
        start(ev, d.moment)
        if d.disputed_by:
            disputed = f" (disputed: {d.disputed_by})"
        elif (m.id, d.what) in disputed_points:
            disputed = " (sources disagree)"
        else:
            disputed = ""
        ev.add("summary", _text(f"{m.title}: {d.what}{disputed}"))
        ev.add("description", _text(_measure_description(ledger, m, d.what, d.disputed_by, bool(disputed), d.inferred)))
        ev.add("categories", [str(m.kind), *m.actor])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)

    for e in ledger.events:
        if e.status == EventStatus.CANCELLED:
            continue
        ev = VEvent()
        ev.add("uid", uid_for(e.id))
        ev.add("dtstamp", stamp)
        first = e.date.first
        last = (e.end or e.date).first if e.date.precision == "day" else first
        ev.add("dtstart", first)
        ev.add("dtend", max(last, first) + dt.timedelta(days=1))
        vague = "" if e.date.precision == "day" else f" [{e.date}, day not known]"
        ev.add("summary", _text(f"{e.title}{vague}"))
        lines = [e.title, f"{e.kind} ({e.status}), {e.date}" + (f" to {e.end}" if e.end else "")]
        if e.countries:
            lines.append(f"Countries: {', '.join(e.countries)}")
        if e.agenda:
            lines.append(f"Agenda: {'; '.join(e.agenda)}")
        dated = [f for f in ("date", "end") if f in e.inferred and (f == "date" or e.end)]
        if dated:
            lines.append(f"Inferred: the {' and '.join(dated)} {'are' if len(dated) > 1 else 'is'} our reading, not a source's.")
        lines.append(f"Ledger id: {e.id}")
        lines.append("Sources:")
        lines.extend(_sources_text(ledger, e.sources))
        ev.add("description", _text("\n".join(lines)))
        if e.place:
            ev.add("location", _text(e.place))
        ev.add("status", "TENTATIVE" if e.status == EventStatus.EXPECTED else "CONFIRMED")
        ev.add("categories", [str(e.kind), *e.countries])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)

    # RFC 5545 3.2.19: every TZID used needs its VTIMEZONE, placed before the events.
    for offset in sorted(offsets, reverse=True):
        cal.subcomponents.insert(0, _fixed_zone(offset))
    return cal.to_ical()
