"""The ledger's records: frozen, documented, and free of I/O.

Every other module works on these records, never on raw YAML. The field tables
(`MEASURE_FIELDS`, `EVENT_FIELDS`, ...) are the one description of the file
format: the loader validates against them and `schema.py` turns them into the
JSON Schema, so the format is never written down twice.

The entries of a file (`Measure`, `Event`, `Report`, `Source`) are named tuples, the
other records frozen dataclasses, as STYLE.md asks. A big ledger has a hundred thousand
entries: a tuple is built by one C call, where a frozen dataclass's `__init__` sets
each field in Python, which was most of the time of reading a 100,000-measure ledger
back from the parse cache (0.3 s of 0.45). `_entry` gives them the dataclasses'
manners: equal when their fields are, locations aside; immutable; not ordered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

FORMAT_VERSION = 1


class Kind(StrEnum):
    """What a measure does. A closed vocabulary: an unknown kind is an error."""

    TARIFF = "tariff"
    EXPORT_CONTROL = "export-control"
    IMPORT_RESTRICTION = "import-restriction"
    INVESTIGATION = "investigation"
    SANCTION = "sanction"
    FEE = "fee"
    ACQUISITION_BLOCK = "acquisition-block"
    TRUCE = "truce"
    AGREEMENT = "agreement"
    TALKS = "talks"


# Escalation weight of a measure when the file gives no `weight`: how hard a
# move pushes the confrontation up (positive) or down (negative). Chains and
# summaries add these up; a file may override any single measure with -5..5.
class _Weights(dict):
    """Kind -> default weight: the built-in kinds' below; a declared kind (`DeclaredKind`,
    further down) carries its own, found here too, so `DEFAULT_WEIGHT[m.kind]` serves both."""

    def __missing__(self, kind):
        return kind.weight  # a DeclaredKind's; anything else raises AttributeError, as a bad key should


DEFAULT_WEIGHT: dict[Kind, int] = _Weights({
    Kind.TARIFF: 3,
    Kind.EXPORT_CONTROL: 3,
    Kind.SANCTION: 3,
    Kind.IMPORT_RESTRICTION: 2,
    Kind.FEE: 2,
    Kind.ACQUISITION_BLOCK: 2,
    Kind.INVESTIGATION: 1,
    Kind.TALKS: -1,
    Kind.TRUCE: -2,
    Kind.AGREEMENT: -2,
})
WEIGHT_RANGE = (-5, 5)



class DeclaredKind(str):
    """A kind a ledger declares under `kinds:`, beside the built-in ones (`Kind`).

    It is its name (it compares and hashes as that text, as a `Kind` does), has `.value`
    as a `Kind` has, and carries its default escalation `weight` and its `description`,
    so every report treats both alike and a measure's weight needs no ledger to look up.

    Fields:
      weight: default escalation weight of a measure of this kind, -5..5.
      description: what the kind covers, in a few words (None: not given).
    """

    weight: int
    description: str | None
    value: str  # its name, a plain str; `_value_` too, as reports read a Kind's

    def __new__(cls, name: str, weight: int = 0, description: str | None = None):
        self = super().__new__(cls, name)
        self.weight, self.description = weight, description
        self.value = self._value_ = str(name)
        return self

    def __repr__(self) -> str:
        return f"DeclaredKind({str.__repr__(self)}, weight={self.weight!r})"


class _Deescalating(frozenset):
    """The built-in kinds of negative weight, and any declared kind of negative weight."""

    def __contains__(self, kind) -> bool:
        return frozenset.__contains__(self, kind) or getattr(kind, "weight", 0) < 0


# Kinds that lower the temperature; renderers draw them differently.
DEESCALATING = _Deescalating(k for k, w in DEFAULT_WEIGHT.items() if w < 0)


class Status(StrEnum):
    """Where a measure stands, as its sources report it."""

    THREATENED = "threatened"
    ANNOUNCED = "announced"
    IN_FORCE = "in-force"
    SUSPENDED = "suspended"
    LIFTED = "lifted"
    EXPIRED = "expired"


class EventKind(StrEnum):
    """What a scheduled or reported event is."""

    SUMMIT = "summit"
    MEETING = "meeting"
    CALL = "call"
    TALKS = "talks"
    VISIT = "visit"
    OTHER = "other"


class EventStatus(StrEnum):
    """Whether an event happened, is fixed, or is only expected."""

    HELD = "held"
    SCHEDULED = "scheduled"
    EXPECTED = "expected"
    CANCELLED = "cancelled"


Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class LedgerDate:
    """A calendar date known to a day, a month or only a year.

    Sources often say "end of July" or "this year": the ledger records that
    precision instead of inventing a day. `first` and `last` bound the period,
    and `str()` gives back the text form (`2025-07-31`, `2025-07`, `2025`).

    Fields:
      first: the first day the date may denote (used to sort and to filter).
      precision: "day", "month" or "year".
    """

    first: dt.date
    precision: Precision = "day"

    @property
    def last(self) -> dt.date:
        """The last day the date may denote."""
        if self.precision == "day":
            return self.first
        if self.precision == "month":
            nxt = dt.date(self.first.year + self.first.month // 12, self.first.month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(self.first.year, 12, 31)

    def __str__(self) -> str:
        if self.precision == "day":
            return self.first.isoformat()
        if self.precision == "month":
            return f"{self.first.year:04d}-{self.first.month:02d}"
        return f"{self.first.year:04d}"

    def __lt__(self, other: LedgerDate) -> bool:
        return (self.first, self.last) < (other.first, other.last)

    def definitely_before(self, other: LedgerDate) -> bool:
        """True when every day of self comes before every day of other."""
        return self.last < other.first


# A point in time a deadline falls on: a whole day, or an instant with a UTC offset.
Moment = dt.date | dt.datetime


class Location(NamedTuple):
    """Where something stands in a file: 1-based line and column."""

    line: int
    col: int


Severity = Literal["error", "warning"]

NOWHERE = Location(0, 0)  # where an unlocated entry (fast path, see fastload.py) stands
NO_LOCS: Mapping[str, Location] = MappingProxyType({})  # the field locations of such an entry


def _entry(cls):
    """Give a named-tuple record a frozen dataclass's manners: `==`, `!=` and `hash` on
    the fields before `loc` (where an entry stands is not what it says), a repr without
    the locations, and no ordering (a measure is not less than another)."""
    n = cls._fields.index("loc")
    compared = cls._fields[:n]

    # Another type is never equal; NotImplemented would let a plain tuple compare itself
    # with the record field by field, locations included.
    def __eq__(self, other):
        return type(other) is type(self) and self[:n] == other[:n]

    def __ne__(self, other):
        return type(other) is not type(self) or self[:n] != other[:n]

    def __hash__(self):
        return hash(self[:n])

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{f}={v!r}' for f, v in zip(compared, self))})"

    def unordered(self, other):
        return NotImplemented

    cls.__eq__, cls.__ne__, cls.__hash__, cls.__repr__ = __eq__, __ne__, __hash__, __repr__
    cls.__lt__ = cls.__le__ = cls.__gt__ = cls.__ge__ = unordered
    return cls


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a ledger, from the loader or from a check.

    Fields:
      file: the path as the user gave it (or `<stdin>`).
      line, col: 1-based position the user's editor can jump to.
      severity: "error" makes the file unusable; "warning" does not.
      message: one plain sentence, no trailing period.
      ref: id of the measure or event concerned, when there is one.
    """

    file: str
    line: int
    col: int
    severity: Severity
    message: str
    ref: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.col, self.severity, self.message)


@_entry
class Source(NamedTuple):
    """A publication the ledger's facts come from.

    Fields:
      id: key under `sources:`; measures cite it.
      title, publisher: as printed by the publication.
      published: publication date (precision as known).
      url: where to read it, if known.
      author: byline, if given.
      notes: how the publication date was inferred, caveats.
    """

    id: str
    title: str
    publisher: str
    published: LedgerDate | None = None
    url: str | None = None
    author: str | None = None
    notes: str | None = None
    loc: Location = NOWHERE


@_entry
class Report(NamedTuple):
    """What one source says about a measure where it differs from the measure's own fields.

    The measure's fields carry the version of its `sources`; a report records a
    disagreeing source's version, so both are kept and the conflict is visible.

    Fields:
      source: id of the source that says this.
      quote: the sentence it says it in.
      date, effective, expires, not_before, status: the values it gives (None: not stated).
    """

    source: str
    quote: str | None = None
    date: LedgerDate | None = None
    effective: Moment | None = None
    expires: Moment | None = None
    not_before: Moment | None = None
    status: Status | None = None
    loc: Location = NOWHERE


REPORTED_FIELDS = ("date", "effective", "expires", "not_before", "status")

# Where a link or a value comes from. "stated": a source says it (cite it, quote it);
# "inferred": our reading of the sources (say why, in a note).
Basis = Literal["stated", "inferred"]
BASES: tuple[str, ...] = ("stated", "inferred")


@_entry
class Link(NamedTuple):
    """That one measure answers another, with the basis for saying so.

    A plain id under `responds_to` is a stated link carried by the measure's own sources
    and needs no record; a `Link` is kept for every link written with its basis: a
    mapping item of `responds_to` or an item of the top-level `links:`.

    Fields:
      measure: id of the measure that answers.
      responds_to: id of the measure it answers.
      basis: "stated" (a source says so) or "inferred" (our reading).
      sources: ids of the sources that state it (default: the measure's own).
      quote: the sentence that states it.
      note: why we infer it, or any caveat.
    """

    measure: str
    responds_to: str
    basis: Basis = "stated"
    sources: tuple[str, ...] = ()
    quote: str | None = None
    note: str | None = None
    loc: Location = NOWHERE


@_entry
class Measure(NamedTuple):
    """One move in the confrontation: a tariff, an export control, a truce...

    Fields:
      id: unique slug (lowercase letters, digits, hyphens).
      date: when it was announced or taken.
      actor: codes of the countries that take it.
      target: codes of the countries it is aimed at.
      kind: what it does (`Kind`, or a `DeclaredKind` the ledger declares).
      title: one line, in the sources' words.
      status: where it stands (`Status`), default announced.
      effective: when it takes (or took) effect.
      expires: when it ends unless renewed.
      not_before: the earliest moment it may take effect.
      responds_to: ids of the measures it answers.
      sources: ids of the sources that report it.
      weight: escalation weight, -5..5 (default by kind, see DEFAULT_WEIGHT).
      tags: free labels.
      quote: the sentence of the source the entry rests on.
      notes: anything else, including which links are inferred.
      reports: disagreeing versions from other sources.
      inferred: names of the fields whose value is our inference, not a source's
        statement (`notes` says why).
      links: the links of `responds_to` written with their basis (see `Link`); an id
        without one here is a stated link.
      quotes: (source id, the sentence of that source) pairs, in file order: one quote
        per source when an entry rests on several (`quote` is for one source).
      loc: where the entry starts in the file.
      locs: where each field's value starts (key: field name, or `field[i]` for list items).
    """

    id: str
    date: LedgerDate
    actor: tuple[str, ...]
    target: tuple[str, ...]
    kind: Kind | DeclaredKind
    title: str
    status: Status = Status.ANNOUNCED
    effective: Moment | None = None
    expires: Moment | None = None
    not_before: Moment | None = None
    responds_to: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    weight: int | None = None
    tags: tuple[str, ...] = ()
    quote: str | None = None
    notes: str | None = None
    reports: tuple[Report, ...] = ()
    inferred: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    quotes: tuple[tuple[str, str], ...] = ()
    loc: Location = NOWHERE
    locs: Mapping[str, Location] = NO_LOCS

    def basis(self, answered: str) -> Basis:
        """Whether this measure's link to `answered` is stated or inferred."""
        for link in self.links:
            if link.responds_to == answered:
                return link.basis
        return "stated"

    def disputed(self) -> tuple[str, ...]:
        """The fields on which another source (a report) gives another value."""
        if not self.reports:  # most measures: asked of each of a big ledger's in its reports
            return ()
        return tuple(f for f in REPORTED_FIELDS
                     if any(getattr(r, f) is not None and getattr(r, f) != getattr(self, f) for r in self.reports))

    @property
    def escalation(self) -> int:
        """The weight this measure adds to a chain or a country's tally."""
        return self.weight if self.weight is not None else DEFAULT_WEIGHT[self.kind]

    def where(self, key: str) -> Location:
        """Location of a field's value, falling back to the entry's start."""
        return self.locs.get(key, self.loc)


@_entry
class Event(NamedTuple):
    """A dated occurrence that is not a measure: a summit, a call, a round of talks.

    Fields:
      id: unique slug, shared namespace with measures.
      date: when it starts.
      end: when it ends, for events over several days.
      title: one line.
      kind: what it is (`EventKind`).
      status: held, scheduled, expected or cancelled (default scheduled).
      countries: codes of the countries taking part.
      place: where, in the sources' words.
      agenda: issues named for it.
      sources, tags, quote, notes, inferred, quotes, loc, locs: as for `Measure`.
    """

    id: str
    date: LedgerDate
    title: str
    kind: EventKind
    end: LedgerDate | None = None
    status: EventStatus = EventStatus.SCHEDULED
    countries: tuple[str, ...] = ()
    place: str | None = None
    agenda: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    quote: str | None = None
    notes: str | None = None
    inferred: tuple[str, ...] = ()
    quotes: tuple[tuple[str, str], ...] = ()
    loc: Location = NOWHERE
    locs: Mapping[str, Location] = NO_LOCS

    def where(self, key: str) -> Location:
        return self.locs.get(key, self.loc)


LATER = -1  # a key of Ledger.files that no record's id() is: runs of measures put off, with their file


def fill_files(files: dict) -> None:
    """`Ledger.files` with the runs of measures put off under LATER added, their links
    with them: the file of each of 100,000 included measures is only asked for a
    problem, and making them all took 40 ms of every run over such a ledger."""
    for measures, path in files.pop(LATER, ()):
        files.update(dict.fromkeys(map(id, measures), path))
        for m in measures:
            if m.links:
                files.update(dict.fromkeys(map(id, m.links), path))


@dataclass(frozen=True, slots=True)
class Ledger:
    """A whole ledger file, loaded.

    Fields:
      path: the file as the user named it (`<stdin>` for standard input).
      title: the file's `title`, if any.
      countries: codes the file declares beyond ISO 3166-1 alpha-2, with names.
      sources: by id.
      measures, events: in file order.
      unloaded: ids of entries that had errors and were left out, so checks
        do not also call references to them dangling.
      located: False when the records came from the fast path (`fastload.py`) and
        carry no locations: a problem found in them is located on demand.
      includes: the file's `include:` items as written (paths or globs, relative to it).
      kinds: the kinds the file declares under `kinds:`, by name.
      parts: for a ledger made of several files (`include:`), each file's own ledger,
        the top file first; empty for a ledger of one file.
      files: for such a ledger, the file of each record from an included file, by the
        record's `id()` (a record not in it is the top file's): see `file_of`. Links
        written in an included file are there too, so a problem with a link is said
        in the file that wrote it, whichever file its measures are in. The measures
        of included files are put there when a file is first asked (`LATER`).
      loose_links: items of the top-level `links:` whose `from` is not a measure of the
        file they are written in: a file of a ledger of several may link measures of
        the others, so the merge attaches them (`read._merge`) and the checks report
        those left over (an unknown `from`).
    """

    path: str
    title: str | None = None
    countries: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    measures: tuple[Measure, ...] = ()
    events: tuple[Event, ...] = ()
    loc: Location = field(default=Location(1, 1), compare=False, repr=False)
    locs: dict[str, Location] = field(default_factory=dict, compare=False, repr=False)
    unloaded: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    located: bool = field(default=True, compare=False, repr=False)
    includes: tuple[str, ...] = field(default=(), compare=False, repr=False)
    kinds: dict[str, DeclaredKind] = field(default_factory=dict)
    parts: tuple[Ledger, ...] = field(default=(), compare=False, repr=False)
    files: dict[int, str] = field(default_factory=dict, compare=False, repr=False)
    loose_links: tuple[Link, ...] = ()

    def file_of(self, record) -> str:
        """The file a record (measure, event, source, link) is written in."""
        files = self.files
        if not files:
            return self.path
        if LATER in files:
            fill_files(files)
        return files.get(id(record), self.path)

    def measure(self, id: str) -> Measure | None:
        for m in self.measures:
            if m.id == id:
                return m
        return None


# --- The file format, field by field -------------------------------------------------
# type names: "str", "text" (long str), "id", "date" (LedgerDate), "moment" (date or
# date-time with offset), "codes" (one code or a list), "ids" (list of ids), "strs"
# (list of str), "int", and "enum:<Name>".


class Spec(NamedTuple):
    """One field of the file format."""

    name: str
    type: str
    required: bool
    doc: str


MEASURE_FIELDS: tuple[Spec, ...] = (
    Spec("id", "id", True, "Unique id: lowercase letters, digits and hyphens."),
    Spec("date", "date", True, "When announced or taken: YYYY-MM-DD, or YYYY-MM / YYYY when the source gives no more."),
    Spec("actor", "codes", True, "Country code, or list of codes, taking the measure."),
    Spec("target", "codes", True, "Country code, or list of codes, the measure is aimed at."),
    Spec("kind", "enum:Kind", True, "What the measure does."),
    Spec("title", "str", True, "One line, in the sources' words."),
    Spec("status", "enum:Status", False, "Where it stands (default: announced)."),
    Spec("effective", "moment", False, "When it takes effect: a date, or a date-time with a UTC offset."),
    Spec("expires", "moment", False, "When it ends unless renewed: a date, or a date-time with a UTC offset."),
    Spec("not_before", "moment", False, "The earliest moment it may take effect."),
    Spec("responds_to", "answers", False, "Ids of the measures this one answers (stated links), or items {id, basis, sources, quote, note}."),
    Spec("sources", "ids", False, "Ids of the sources reporting it."),
    Spec("weight", "int", False, "Escalation weight -5..5; default by kind."),
    Spec("tags", "strs", False, "Free labels."),
    Spec("quote", "text", False, "The sentence of the source the entry rests on."),
    Spec("notes", "text", False, "Anything else; say here when a link is inferred."),
    Spec("reports", "reports", False, "Other sources' disagreeing versions of date, effective, expires, not_before or status."),
    Spec("inferred", "strs", False, "Names of the fields whose value is our inference, not a source's statement; say why in notes."),
    Spec("quotes", "quotes", False, "Source id -> the sentence of that source: one quote per source."),
)

# An item of `responds_to` written as a mapping, and an item of the top-level `links:`.
ANSWER_FIELDS: tuple[Spec, ...] = (
    Spec("id", "id", True, "Id of the measure answered."),
    Spec("basis", "enum:Basis", False, "stated (a source says so; default) or inferred (our reading)."),
    Spec("sources", "ids", False, "Ids of the sources that state the link (default: the measure's)."),
    Spec("quote", "text", False, "The sentence that states it."),
    Spec("note", "text", False, "Why we infer it, or any caveat."),
)
LINK_FIELDS: tuple[Spec, ...] = (
    Spec("from", "id", True, "Id of the measure that answers."),
    Spec("to", "id", True, "Id of the measure answered."),
    *ANSWER_FIELDS[1:],
)

REPORT_FIELDS: tuple[Spec, ...] = (
    Spec("source", "id", True, "Id of the source that gives this version."),
    Spec("quote", "text", False, "The sentence it says it in."),
    Spec("date", "date", False, "Its version of the measure's date."),
    Spec("effective", "moment", False, "Its version of when the measure takes effect."),
    Spec("expires", "moment", False, "Its version of when the measure ends."),
    Spec("not_before", "moment", False, "Its version of the earliest moment of effect."),
    Spec("status", "enum:Status", False, "Its version of the status."),
)

EVENT_FIELDS: tuple[Spec, ...] = (
    Spec("id", "id", True, "Unique id, shared with measures."),
    Spec("date", "date", True, "When it starts (YYYY-MM-DD, YYYY-MM or YYYY)."),
    Spec("title", "str", True, "One line."),
    Spec("kind", "enum:EventKind", True, "What the event is."),
    Spec("end", "date", False, "When it ends, if over several days."),
    Spec("status", "enum:EventStatus", False, "held, scheduled, expected or cancelled (default: scheduled)."),
    Spec("countries", "codes", False, "Country codes taking part."),
    Spec("place", "str", False, "Where it takes place."),
    Spec("agenda", "strs", False, "Issues named for it."),
    Spec("sources", "ids", False, "Ids of the sources reporting it."),
    Spec("tags", "strs", False, "Free labels."),
    Spec("quote", "text", False, "The sentence of the source the entry rests on."),
    Spec("notes", "text", False, "Anything else."),
    Spec("inferred", "strs", False, "Names of the fields whose value is our inference; say why in notes."),
    Spec("quotes", "quotes", False, "Source id -> the sentence of that source: one quote per source."),
)

SOURCE_FIELDS: tuple[Spec, ...] = (
    Spec("title", "str", True, "Headline or title."),
    Spec("publisher", "str", True, "Who published it."),
    Spec("published", "date", False, "Publication date."),
    Spec("url", "str", False, "Where to read it."),
    Spec("author", "str", False, "Byline."),
    Spec("notes", "text", False, "How the date was inferred, caveats."),
)

TOP_FIELDS: tuple[Spec, ...] = (
    Spec("version", "int", False, f"Format version; {FORMAT_VERSION} if absent."),
    Spec("title", "str", False, "What the ledger covers."),
    Spec("countries", "countries", False, "Codes beyond ISO 3166-1 alpha-2 (blocs such as EU), code -> name."),
    Spec("sources", "sources", False, "Source id -> source."),
    Spec("measures", "measures", True, "The measures, in any order."),
    Spec("events", "events", False, "Summits, calls, talks and other dated events."),
    Spec("links", "links", False, "Links between measures asserted apart from them: from, to, basis, sources, quote, note."),
    Spec("include", "strs", False, "Other ledger files (paths or globs, relative to this one) that are part of this ledger."),
    Spec("kinds", "kinds", False, "Kinds of measure beyond the built-in ones: name -> description and default weight."),
)

# A kind declared under `kinds:`.
KIND_FIELDS: tuple[Spec, ...] = (
    Spec("description", "str", False, "What the kind covers."),
    Spec("weight", "int", True, "Default escalation weight of its measures, -5..5."),
)

class BasisName(StrEnum):
    """The values of `basis` (see `Basis`)."""

    STATED = "stated"
    INFERRED = "inferred"


ENUMS: dict[str, type[StrEnum]] = {
    "Basis": BasisName,
    "Kind": Kind,
    "Status": Status,
    "EventKind": EventKind,
    "EventStatus": EventStatus,
}
