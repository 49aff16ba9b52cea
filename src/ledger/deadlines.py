"""Deadlines: every dated point a ledger names, and how far each is from the as-of day.

Pure: records in, `Deadline` rows out. A measure gives up to three points
(`effective` -> "takes effect", `not_before` -> "not before", `expires` ->
"expires"); a source that disagrees (`Measure.reports`) gives its own version as
an extra row carrying `disputed_by`. An event gives its start (named by its kind:
"summit", "call"...) and, when it lasts several days, its end ("ends").
Cancelled events give none. A deadline whose field (`effective`, `expires`,
`not_before`; an event's `date` or `end`) is under its record's `inferred:` is marked
`inferred`: the day is our reading, not a source's.

Time: a date counts as 00:00 UTC of that day, and the as-of day likewise, so a
deadline on the as-of day is "today" (0 days left) and one the next day is 24
hours away. Date-times carry their UTC offset and count in exact hours, across
time zones.

Events known only to the month or year (`2025-07`) are kept, dated by their
first day, with `precision` saying so: their countdown counts to the first day
of the period while it is ahead, from its last day once it is over, and is 0
("this month"/"this year") while the as-of day falls inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import compress
from operator import attrgetter, itemgetter

from .model import EventStatus, Ledger, LedgerDate, Moment, Precision

# What a measure's moment fields mean, in the order rows for one day are listed.
MEASURE_POINTS: tuple[tuple[str, str], ...] = (
    ("not_before", "not before"),
    ("effective", "takes effect"),
    ("expires", "expires"),
)

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Deadline:
    """One dated point of a measure or event.

    Fields:
      moment: the date, or the date-time with its UTC offset.
      what: "takes effect", "not before", "expires"; for events their kind
        ("summit", "call"...) and "ends" for an event's last day, followed by
        " (expected)" when the event is only expected.
      ref: id of the measure or event.
      title: its title.
      countries: actor and target codes (events: participants), without repeats.
      disputed_by: id of the source giving this version when it is a disagreeing
        source's (a `Report`); None for the ledger's own version.
      precision: "day" unless the deadline is an event known only to the month
        or year; then `moment` is the period's first day.
      inferred: the ledger's own version, from a field its record lists under
        `inferred:` (our reading, not a source's); never a disagreeing source's.
    """

    moment: Moment
    what: str
    ref: str
    title: str
    countries: tuple[str, ...]
    disputed_by: str | None = None
    precision: Precision = "day"
    inferred: bool = False

    @property
    def date(self) -> LedgerDate:
        """The deadline's day as a LedgerDate (keeps month/year precision)."""
        day = self.moment.date() if isinstance(self.moment, datetime) else self.moment
        return LedgerDate(day, self.precision)

    def sort_key(self) -> tuple:
        return (as_utc(self.moment), self.ref, self.what, self.disputed_by or "")


def as_utc(moment: Moment) -> datetime:
    """A moment as an aware UTC datetime; a plain date is its 00:00 UTC."""
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc)
    return datetime.combine(moment, time(0), tzinfo=timezone.utc)


def _unique(codes) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _gather(ledger: Ledger, keep, days: tuple[date, date] = (date.min, date.max),
            ) -> tuple[list[tuple[Deadline, object]], set[tuple[str, str]]]:
    """The deadlines `keep` takes, sorted by time, each with what `keep` said of it;
    and the (ref, what) points on which a source disagrees, among all deadlines.

    keep(moment, precision) -> None to leave the deadline out, else any value (its
    countdown, say). It is asked once per distinct moment, not once per deadline: a
    big ledger names the same few thousand days again and again, and the measures
    on a day left out are passed over in C.

    days: (first, last) when `keep` is known to leave out every deadline whose day
    (a date-time's: its own or its UTC day) is outside that range; a measure's dates
    outside it are then passed over without asking (most of a big ledger's are past).
    """
    said: dict = {}
    kept: list[tuple] = []  # (sort key, place in the ledger, Deadline, keep's value)
    disputed: set[tuple[str, str]] = set()

    def answer(moment: Moment, precision: Precision):
        # A date-time is keyed with its offset: two naming one instant from different
        # time zones are equal, yet fall on different days (which --since/--until see).
        key = (moment, moment.utcoffset(), precision) if isinstance(moment, datetime) else (moment, precision)
        found = said.get(key, said)
        if found is said:
            value = keep(moment, precision)
            found = said[key] = None if value is None else (as_utc(moment), value)
        return found

    def add(moment: Moment, what: str, record, place: tuple, countries, by: str | None = None,
            precision: Precision = "day", field: str = "") -> None:
        found = answer(moment, precision)
        if found is not None:
            inferred = by is None and field in record.inferred
            kept.append(((found[0], record.id, what, by or ""), place,
                         Deadline(moment, what, record.id, record.title, _unique(countries), by, precision, inferred),
                         found[1]))

    measures = ledger.measures
    first, last = days
    for i in compress(range(len(measures)), map(attrgetter("reports"), measures)):
        m = measures[i]
        for f, (field, what) in enumerate(MEASURE_POINTS):
            own = getattr(m, field)
            if own is not None:
                add(own, what, m, (i, f, 0), (*m.actor, *m.target), field=field)
            for j, r in enumerate(m.reports, 1):
                theirs = getattr(r, field)
                if theirs is not None and theirs != own:
                    disputed.add((m.id, what))
                    add(theirs, what, m, (i, f, j), (*m.actor, *m.target), r.source)
    # A date-time's own day can be a day or so off its UTC day either way (its offset):
    # one whose day is three days outside `days` is surely left out too.
    near_first, near_last = _days_after(first, -3), _days_after(last, 3)
    for f, (field, what) in enumerate(MEASURE_POINTS):
        get = attrgetter(field)
        # Equal date-times may stand on different days, so every date-time near the
        # range goes on to add(), which asks about each one with its offset.
        wanted = set()
        for x in set(map(get, measures)):
            if x.__class__ is date:
                if first <= x <= last and answer(x, "day") is not None:
                    wanted.add(x)
            elif x is not None and near_first <= x.date() <= near_last:
                wanted.add(x)
        if not wanted:  # nothing of this field kept: no second pass over the measures
            continue
        for i in compress(range(len(measures)), map(wanted.__contains__, map(get, measures))):
            m = measures[i]
            if not m.reports:
                add(getattr(m, field), what, m, (i, f, 0), (*m.actor, *m.target), field=field)
    for k, e in enumerate(ledger.events, len(measures)):
        if e.status == EventStatus.CANCELLED:
            continue
        # An event that is only expected never reads as a fixed date: its "what" says so.
        expected = " (expected)" if e.status == EventStatus.EXPECTED else ""
        add(e.date.first, e.kind.value + expected, e, (k, 0), e.countries, precision=e.date.precision, field="date")
        if e.end is not None and e.end != e.date:
            add(e.end.first, "ends" + expected, e, (k, 1), e.countries, precision=e.end.precision, field="end")
    kept.sort(key=itemgetter(0, 1))  # the ledger's order breaks ties
    return [(k[2], k[3]) for k in kept], disputed


def all_deadlines(ledger: Ledger) -> list[Deadline]:
    """Every deadline of the ledger's measures and events, sorted by time."""
    return [d for d, _ in _gather(ledger, lambda moment, precision: True)[0]]


def countdown(moment: Moment, as_of: date | datetime, precision: Precision = "day") -> tuple[int, float | None]:
    """(days_left, hours_left) from the as-of moment to a deadline.

    days_left: whole days, negative once passed (a date-time 3 hours before the
      as-of midnight is -1). hours_left: exact hours when the deadline is less
      than two days away or ago, else None.
    A plain date as `as_of` means its 00:00 UTC. For a month- or year-precision
    deadline, see the module docstring; hours_left is then always None.
    """
    if precision == "day" and moment.__class__ is date and as_of.__class__ is date:
        # Two whole days at 00:00 UTC: the same numbers as below, without making date-times.
        days = (moment - as_of).days
        return days, (days * 24.0 if -2 < days < 2 else None)
    start = as_utc(as_of)
    if precision != "day":
        period = LedgerDate(moment if not isinstance(moment, datetime) else moment.date(), precision)
        if as_utc(period.first) > start:
            return (as_utc(period.first) - start) // _DAY, None
        if as_utc(period.last) < start:
            return -((start - as_utc(period.last)) // _DAY), None
        return 0, None
    delta = as_utc(moment) - start
    days = delta // _DAY
    hours = delta / _HOUR
    return days, (hours if abs(hours) < 48 else None)


def countdown_text(days_left: int, hours_left: float | None, precision: Precision = "day") -> str:
    """`in 18 days`, `in 30 hours`, `today`, `3 days ago` (`this month` for a period under way)."""
    if precision != "day":
        if days_left == 0:
            return f"this {precision}"
        return f"in {days_left}+ days" if days_left > 0 else f"{-days_left}+ days ago"
    if hours_left is not None and hours_left != 0:
        h = int(abs(hours_left))
        if h == 0:
            return "within the hour" if hours_left > 0 else "under an hour ago"
        unit = "hour" if h == 1 else "hours"
        return f"in {h} {unit}" if hours_left > 0 else f"{h} {unit} ago"
    if days_left == 0:
        return "today"
    unit = "day" if abs(days_left) == 1 else "days"
    return f"in {days_left} {unit}" if days_left > 0 else f"{-days_left} {unit} ago"


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """A deadline seen from the as-of day.

    Fields:
      deadline: the Deadline.
      days_left, hours_left: from `countdown`.
      disputed: True when sources disagree on this point (on either version's row).
    """

    deadline: Deadline
    days_left: int
    hours_left: float | None
    disputed: bool = False

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    @property
    def text(self) -> str:
        return countdown_text(self.days_left, self.hours_left, self.deadline.precision)


def upcoming_deadlines(ledger: Ledger, as_of: date, within_days: int | None = None,
                       include_passed: bool = False, since: date | None = None,
                       until: date | None = None, within_hours: float | None = None) -> list[DeadlineRow]:
    """The deadlines from the as-of day on (all of them with include_passed), with countdowns.

    within_days: keep only those at most this many days ahead; within_hours: at most
    this many hours after the as-of day's 00:00 UTC (a plain date counts as its 00:00).
    since/until: keep only deadlines whose day falls in this inclusive range.
    """
    if within_hours is not None:
        whole = -int(-within_hours // 24)  # the days it reaches into, for the quick filter
        within_days = whole if within_days is None else min(within_days, whole)

    def keep(moment: Moment, precision: Precision) -> tuple[int, float | None] | None:
        days, hours = countdown(moment, as_of, precision)
        if days < 0 and not include_passed:
            return None
        if within_days is not None and days > within_days:
            return None
        if within_hours is not None and _hours_after(as_of, moment, precision) > within_hours:
            return None
        if since is not None or until is not None:
            day = LedgerDate(moment.date() if isinstance(moment, datetime) else moment, precision)
            if since is not None and day.last < since:
                return None
            if until is not None and day.first > until:
                return None
        return days, hours

    days = (date.min, date.max)
    if as_of.__class__ is date:
        # The plain dates `keep` can take, compared in C: from the as-of day on (or
        # from --since), up to the horizon (or --until). Others are left to `keep`.
        first = date.min if include_passed else as_of
        if since is not None:
            first = max(first, since)
        last = date.max if within_days is None else _days_after(as_of, within_days)
        if until is not None:
            last = min(last, until)
        days = (first, last)
    rows, disputed = _gather(ledger, keep, days)
    if not include_passed:
        # A held event known only to the month or year has happened: the period that
        # holds the as-of day is behind it, not a countdown ahead.
        held = {e.id for e in ledger.events if e.status == EventStatus.HELD and e.date.precision != "day"}
        if held:
            rows = [(d, v) for d, v in rows if not (d.ref in held and d.precision != "day")]
    return [DeadlineRow(d, days, hours, (d.ref, d.what) in disputed) for d, (days, hours) in rows]


def _hours_after(as_of: date, moment: Moment, precision: Precision) -> float:
    """Hours from the as-of day's 00:00 UTC to the moment (to the first day of a period)."""
    if precision != "day":
        moment = LedgerDate(moment.date() if isinstance(moment, datetime) else moment, precision).first
    return (as_utc(moment) - as_utc(as_of)) / _HOUR


def _days_after(day: date, n: int) -> date:
    """The day `n` days after `day` (before, for n < 0), held within the calendar."""
    try:
        return day + timedelta(days=n)
    except OverflowError:
        return date.max if n > 0 else date.min


def latest_passed(ledger: Ledger, as_of: date) -> DeadlineRow | None:
    """The most recent deadline before the as-of day, for 'nothing upcoming' messages."""
    def passed(moment: Moment, precision: Precision) -> tuple[int, float | None] | None:
        days, hours = countdown(moment, as_of, precision)
        return (days, hours) if days < 0 else None

    rows, _ = _gather(ledger, passed)
    if not rows:
        return None
    d, (days, hours) = rows[-1]
    return DeadlineRow(d, days, hours)
