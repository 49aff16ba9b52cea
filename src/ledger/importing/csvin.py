"""A CSV file -> a generated ledger file (`ledger import csv`).

Two kinds of input:

- our own `ledger export csv`: its columns (`export.tabular.COLUMNS`) are read by name,
  and what the export did for spreadsheets is undone exactly: a leading `'` before a text
  cell that would otherwise start a formula (`'=x` -> `=x`). Lists are joined by `;`.
  Provenance comes back from two columns: `inferred` (field names, as `inferred:`) and
  `inferred_links` (ids under `responds_to` whose link is our reading: written as
  mappings with `basis: inferred`; the other ids are stated links).
  `escalation` becomes `weight` unless it is the kind's default; `precision` is the
  date's own. A CSV holds measures only: events, the sources' details (each cited id is
  declared with what the CSV knows: its id) and disagreeing reports are not in it.
- any spreadsheet: `--map id=ID,date="Announced on",actor=Country` names the column of
  each field; dates in the common written forms (`importing.dates`, the `--as-of` rules,
  without today/yesterday) and countries by code (alpha-2, alpha-3) or English name.

Every bad cell is a `Problem` at FILE:ROW:COL, row and column as a spreadsheet numbers
them (the header is row 1): a cell that cannot be converted here, and every problem the
project's reader and checks find in the result, traced back to the cell it came from.
Pure: text in, entries and problems out.
"""

from __future__ import annotations

import csv
import os
import difflib
import io
import re
from dataclasses import dataclass, field

from ..model import DEFAULT_WEIGHT, Kind, Problem
from ..values import CODE, ID, INT, MAX_SCALAR, OTHER_CODES, parse_date, parse_moment
from .common import Entry, flow, measure_text, quoted, source_text
from .dates import parse_written_date

# The fields a column can hold, in the order an entry lists them. `escalation` is the
# export's name for the weight a measure counts with; `precision` is ignored (the date
# says it).
FIELDS = ("id", "date", "actor", "target", "kind", "title", "status", "effective", "expires", "not_before",
          "responds_to", "sources", "weight", "escalation", "tags", "quote", "notes", "precision", "inferred",
          "inferred_links")
REQUIRED = ("id", "date", "actor", "target", "kind", "title")
_ALIASES = {"not before": "not_before", "not-before": "not_before", "responds to": "responds_to",
            "responds-to": "responds_to", "source": "sources", "tag": "tags", "inferred links": "inferred_links",
            "inferred-links": "inferred_links"}
_TEXT = ("title", "quote", "notes")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class MapError(ValueError):
    """--map is not usable: a usage error."""


def parse_map(spec: str) -> dict[str, str]:
    """`id=ID,date="Announced on",actor=Country` -> {field: column}. Quotes (CSV's) let a
    column's name hold a comma. Raises MapError."""
    out: dict[str, str] = {}
    for part in next(csv.reader([spec], skipinitialspace=True), []):
        if not part.strip():
            continue
        key, eq, column = part.partition("=")
        key = _field_name(key)
        if not eq or not column.strip():
            raise MapError(f"--map: '{part}' is not FIELD=COLUMN")
        if key not in FIELDS:
            close = difflib.get_close_matches(key, FIELDS, n=1)
            raise MapError(f"--map: '{key}' is not a field{f' (did you mean {close[0]}?)' if close else ''}; "
                           f"fields: {', '.join(FIELDS)}")
        if key in out:
            raise MapError(f"--map names {key} twice")
        out[key] = column.strip().strip('"')
    return out


def _field_name(text: str) -> str:
    t = " ".join(text.strip().lower().split())
    return _ALIASES.get(t, t.replace(" ", "_"))


# --- The file ---------------------------------------------------------------------------------


@dataclass
class Table:
    """A CSV file read: its header and rows (row number as a spreadsheet counts, cells)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def decode(name: str, data: bytes, encoding: str | None = None) -> tuple[str | None, list[Problem]]:
    """Bytes -> text. UTF-8 (a byte-order mark is dropped) unless `encoding` says
    otherwise; a byte that is not is an error at its line and column."""
    try:
        return data.decode(encoding or "utf-8-sig"), []
    except (UnicodeDecodeError, LookupError) as e:
        if isinstance(e, LookupError):
            return None, [Problem(name, 0, 0, "error", f"unknown encoding '{encoding}'")]
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        return None, [Problem(name, line, col, "error",
                              f"not {encoding or 'UTF-8'} text (byte 0x{data[e.start]:02X} at line {line}); save it as "
                              "UTF-8 ('CSV UTF-8' in a spreadsheet), or name its encoding with --encoding cp1252")]


def read_table(name: str, text: str) -> tuple[Table | None, list[Problem]]:
    """CSV text (RFC 4180; CRLF or LF; quoted cells may hold line breaks) -> Table."""
    csv.field_size_limit(1 << 30)  # a huge cell is reported at its place below, not by csv
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows, problems = [], []
    header = None
    number = 0
    try:
        for cells in reader:
            number += 1
            if header is None:
                header = cells
                continue
            if not any(c.strip() for c in cells):
                continue
            rows.append((number, cells))
    except csv.Error as e:
        problems.append(Problem(name, number + 1, 1, "error", f"not CSV: {e}"))
        return None, problems
    if not header or not any(h.strip() for h in header):
        return None, [Problem(name, 1, 1, "error", "no header row: the first row names the columns")]
    return Table(header, rows), problems


# --- Which column holds what --------------------------------------------------------------------


def columns(name: str, table: Table, mapping: dict[str, str] | None) -> tuple[dict[str, int], list[Problem]]:
    """{field: column index}. Without `mapping`, every column must be one of ours by name
    (a typo is an error, with a suggestion); with one, the mapped columns are read, and
    columns named as fields are taken for the fields it leaves out, the rest ignored."""
    problems = []
    found: dict[str, int] = {}
    names = [h.strip() for h in table.header]
    for i, h in enumerate(names):
        f = _field_name(h)
        if f in found:
            problems.append(Problem(name, 1, i + 1, "error", f"column '{h}' repeats column {found[f] + 1}"))
        elif f in FIELDS:
            found[f] = i
        elif mapping is None:
            close = difflib.get_close_matches(f, FIELDS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(Problem(name, 1, i + 1, "error", f"unknown column '{h}'{hint}; name the columns to read "
                                                              "with --map FIELD=COLUMN,..."))
    for f, col in (mapping or {}).items():
        if col not in names:
            close = difflib.get_close_matches(col, names, n=1)
            raise MapError(f"--map {f}={col}: the file has no column '{col}'"
                           f"{f' (did you mean {close[0]}?)' if close else ''}")
        found[f] = names.index(col)
    if "escalation" in found and "weight" in found:
        problems.append(Problem(name, 1, found["escalation"] + 1, "error", "both 'weight' and 'escalation' columns: keep one"))
    for f in REQUIRED:
        if f not in found and f != "id":
            problems.append(Problem(name, 1, 1, "error", f"no column for {f}" + ("" if mapping is None else
                                                                                  f"; name it with --map {f}=COLUMN")))
    return found, problems


# --- Cells -> an entry ------------------------------------------------------------------------------


class BadCell(Exception):
    """This cell cannot be read; the message says why."""


def _country(text: str) -> str:
    import iso3166

    t = text.strip()
    up = t.upper()
    if up in iso3166.countries_by_alpha2 or up in OTHER_CODES:
        return up
    if up in iso3166.countries_by_alpha3:
        return iso3166.countries_by_alpha3[up].alpha2
    c = iso3166.countries_by_name.get(up)
    if c is not None:
        return c.alpha2
    short = _BY_SHORT_NAME().get(up)
    if short is not None:
        return short
    if CODE.match(up) and t == up:
        return up  # a code the file may mean as a bloc: the checks say if it is unknown
    raise BadCell(f"'{t}' is not a country code (alpha-2 such as CN, alpha-3 such as CHN) or a country's name")


_SHORT: dict[str, str] = {}


def _BY_SHORT_NAME() -> dict[str, str]:
    """Names as people write them: the apolitical names, and the part before a comma
    (`Korea, Republic of` -> no; `Iran, Islamic Republic of` -> IRAN)."""
    if not _SHORT:
        import iso3166

        for c in iso3166.countries_by_alpha2.values():
            for n in (c.apolitical_name, c.name.split(",")[0], c.name.split(" (")[0]):
                _SHORT.setdefault(n.upper(), c.alpha2)
        _SHORT.update({"UNITED STATES": "US", "USA": "US", "UK": "GB", "RUSSIA": "RU", "SOUTH KOREA": "KR",
                       "NORTH KOREA": "KP", "TAIWAN": "TW", "VIETNAM": "VN", "EUROPEAN UNION": "EU", "KOSOVO": "XK"})
    return _SHORT


def _split(text: str, separators: str) -> list[str]:
    return [x.strip() for x in re.split(f"[{separators}]", text) if x.strip()]


def _written(text: str, own, own_form: str) -> str:
    """A date cell: as the ledger writes it (`own` reads it; `own_form` is what a date in
    that form looks like, so its own error is the one shown), or in a written form that
    `parse_written_date` reads, turned into YYYY-MM-DD."""
    t = text.strip()
    try:
        own(t)
        return t
    except ValueError as e:
        if re.fullmatch(own_form, t):
            raise BadCell(str(e)) from None
    try:
        return parse_written_date(t, relative=False).isoformat()
    except ValueError as e:
        raise BadCell(str(e)) from None


def _day_text(text: str) -> str:
    return _written(text, parse_date, r"\d{4}(-\d{1,2}){0,2}")


def _moment_text(text: str) -> str:
    return _written(text, parse_moment, r"\d{4}-\d{2}-\d{2}.*")


def _id_text(text: str) -> str:
    return text if ID.match(text) and text != "null" else quoted(text)


_FORMULA_QUOTED = None


def unquote_formula(text: str) -> str:
    """What `ledger export csv` did to a text cell, undone: it writes `'` before a cell
    that would start a formula (`export.tabular._FORMULA`); that quote goes. (A text that
    itself began with `'=` comes back without its quote: export with --raw to keep it.)"""
    global _FORMULA_QUOTED
    if _FORMULA_QUOTED is None:
        from ..export.tabular import _FORMULA

        _FORMULA_QUOTED = _FORMULA
    if text.startswith("'") and _FORMULA_QUOTED.match(text, 1):
        return text[1:]
    return text


# What a bad required cell is replaced by, so the rest of its row is still read and
# checked in the same run (the row itself is never written).
_PLACEHOLDER = {"date": "2000-01-01", "actor": '["US"]', "target": '["CN"]', "kind": "tariff", "title": '"-"'}


def _links(stated_cell: str, inferred_cell: str) -> tuple[str, list[str]]:
    """`responds_to` written from its cell and the `inferred_links` cell (ids of those
    links that are our reading; one not in `responds_to` is a link too): a flow list of
    ids when every link is stated, else a block list whose inferred links are mappings
    with `basis: inferred` (a value that starts with a line break, see `entry_text`).
    And the field each line of it comes from."""
    ids = _split(stated_cell, ";,")
    inferred = _split(inferred_cell, ";,")
    if not inferred:
        return flow(ids, _id_text), ["responds_to"]
    ids += [i for i in dict.fromkeys(inferred) if i not in ids]
    lines, origin = [""], ["responds_to"]
    for i in ids:
        if i in inferred:
            lines += [f"      - id: {_id_text(i)}", "        basis: inferred"]
            origin += ["inferred_links"] * 2
        else:
            lines.append(f"      - {_id_text(i)}")
            origin.append("responds_to")
    return "\n".join(lines), origin


def entry_text(pairs) -> str:
    """`measure_text(pairs)`, where a value that starts with a line break is a block
    (its key's line ends at the colon)."""
    return measure_text(pairs).replace(": \n", ":\n")


def _field_names(text: str) -> str:
    """An `inferred` cell (field names joined by `;`) as a flow list: a name as it is when
    it is one, quoted otherwise (the checks then say it is no field)."""
    return flow(_split(text, ";,"), lambda n: n if re.fullmatch(r"[a-z][a-z_]*", n) else quoted(n))


def row_entry(cells: dict[str, str]) -> tuple[list[tuple[str, str]], dict[str, str | list[str]], list[tuple[str, str]]]:
    """The cells of one row (field -> text, as read) -> (key, written value) pairs in the
    order an entry lists them, the field each key came from (a list, one for each line,
    for a value of several lines), and the bad cells (field, message): a bad required
    cell is replaced by a placeholder."""
    pairs: list[tuple[str, str]] = []
    origin: dict[str, str | list[str]] = {}
    bad: list[tuple[str, str]] = []

    def add(key: str, value: str, source: str | list[str] | None = None) -> None:
        pairs.append((key, value))
        origin[key] = source or key

    def cell(f: str) -> str:
        return cells.get(f) or ""

    for f in ("id", "date", "actor", "target", "kind", "title", "status", "effective", "expires", "not_before",
              "responds_to", "sources", "weight", "escalation", "tags", "inferred", "quote", "notes"):
        text = cell(f)
        if f in cells and cells[f] is None:  # a cell already found bad
            if f in _PLACEHOLDER:
                add(f, _PLACEHOLDER[f])
            continue
        if not text.strip() and not (f == "responds_to" and cell("inferred_links").strip()):
            continue  # (inferred links alone are links too)
        try:
            if f == "id":
                add("id", _id_text(text.strip()))
            elif f == "date":
                value = _day_text(text)
                add("date", value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else quoted(value))
            elif f in ("actor", "target"):
                add(f, flow([_country(c) for c in _split(text, ";,")]))
            elif f in ("kind", "status"):
                word = text.strip().lower()
                add(f, word if re.fullmatch(r"[a-z][a-z-]*", word) else quoted(text.strip()))
            elif f in ("effective", "expires", "not_before"):
                value = _moment_text(text)
                add(f, value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else quoted(value))
            elif f == "responds_to":
                add(f, *_links(text, cell("inferred_links")))
            elif f == "sources":
                add(f, flow(_split(text, ";,"), _id_text))
            elif f == "inferred":
                add(f, _field_names(text))
            elif f == "weight":
                if not INT.match(text.strip()):
                    raise BadCell(f"weight '{text.strip()}' is not a whole number")
                add("weight", str(int(text.strip())))
            elif f == "escalation":
                if not INT.match(text.strip()):
                    raise BadCell(f"escalation '{text.strip()}' is not a whole number")
                kind = cell("kind").strip().lower()
                default = DEFAULT_WEIGHT.get(Kind(kind)) if kind in {k.value for k in Kind} else None
                if default is None or int(text.strip()) != default:
                    add("weight", str(int(text.strip())), "escalation")
            elif f == "tags":
                add("tags", flow(_split(text, ";")))
            elif f in _TEXT:
                add(f, quoted(text.strip() if f == "title" else text))
        except BadCell as e:
            bad.append((f, str(e)))
            if f in _PLACEHOLDER:
                add(f, _PLACEHOLDER[f])
    return pairs, origin, bad


# --- The whole file ---------------------------------------------------------------------------------


@dataclass
class Converted:
    """A table's rows as entries, the stub sources they cite, and where each entry's lines
    came from: for each measure id, its row and, line by line, the column (1-based; 0:
    none) of the cell that line was written from. `trial` holds every row that has an id,
    bad ones too (their bad cells replaced), so that one run of the checks finds every
    problem; `measures` only the good rows; `bad` the (row, col) of every bad cell."""

    measures: list[Entry] = field(default_factory=list)
    trial: list[Entry] = field(default_factory=list)
    sources: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cells: dict[str, tuple[int, list[int]]] = field(default_factory=dict)
    bad: set[tuple[int, int]] = field(default_factory=set)


def convert(name: str, table: Table, cols: dict[str, int], raw: bool = False, stem: str = "row",
            skip: frozenset[int] = frozenset()) -> Converted:
    """Rows -> entries. `raw`: the cells are exactly the ledger's (`export csv --raw`);
    otherwise a formula's leading `'` is removed. `skip`: row numbers to leave out."""
    out = Converted()
    first_row: dict[str, int] = {}
    cited: set[str] = set()
    width = len(table.header)
    for number, cells in table.rows:
        if number in skip:
            continue
        problems = []
        if len(cells) > width:
            problems.append(Problem(name, number, width + 1, "error",
                                    f"row has {len(cells)} cells; the header names {width} columns"))
        values: dict[str, str | None] = {}
        for f, i in cols.items():
            text = cells[i] if i < len(cells) else ""
            values[f] = text if raw or f not in _TEXT else unquote_formula(text)
            if len(text) > MAX_SCALAR:
                problems.append(Problem(name, number, i + 1, "error", f"cell of {len(text):,} characters; a ledger "
                                                                      f"value holds at most {MAX_SCALAR:,}"))
                values[f] = None
                continue
            found = _CONTROL.search(text)
            if found:
                from ..render import shown

                problems.append(Problem(name, number, i + 1, "error",
                                        f"cell holds {shown(found.group())}, a control character a terminal would "
                                        "act on; give plain text"))
                values[f] = None
        if "id" not in cols:
            values["id"] = f"{stem}-{number}"
        pairs, origin, bad = row_entry(values)
        problems += [Problem(name, number, cols.get(f, -1) + 1, "error", message) for f, message in bad]
        mid = (values.get("id") or "").strip()
        if not pairs or pairs[0][0] != "id":
            if values.get("id") is not None:
                problems.append(Problem(name, number, cols.get("id", -1) + 1, "error", "no id"))
            out.problems += problems
            continue
        if mid in first_row:
            problems.append(Problem(name, number, cols.get("id", -1) + 1, "error",
                                    f"duplicate id '{mid}' (first at row {first_row[mid]})", mid))
            out.problems += problems
            continue
        first_row[mid] = number
        cites = tuple(_split(values.get("sources") or "", ";,"))
        cited.update(cites)
        entry = Entry(mid, entry_text(pairs), cites)
        out.trial.append(entry)
        out.cells[mid] = (number, [cols.get(f, -1) + 1 for k, _ in pairs
                                   for f in (origin[k] if isinstance(origin[k], list) else [origin[k]])])
        if problems:
            out.problems += problems
            out.bad.update((p.line, p.col) for p in problems)
        else:
            out.measures.append(entry)
    for s in sorted(cited):
        out.sources.append(Entry(s, source_text(_id_text(s), [
            ("title", quoted(s)), ("publisher", quoted("unknown")),
            ("notes", quoted(f"Cited in {os.path.basename(name)}, which names its sources only by their ids."))])))
    return out


def locate(problems: list[Problem], name: str, starts: dict[str, int], converted: Converted,
           ids_by_start: list[tuple[int, str]] | None = None) -> list[Problem]:
    """Problems the reader and checks found in the generated text, moved to the cells
    they came from: FILE:ROW:COL of the CSV. A problem outside every measure (a source
    stub) stays where it is, in the generated file."""
    import bisect

    order = ids_by_start or sorted((line, i) for i, line in starts.items())
    lines = [line for line, _ in order]
    out = []
    for p in problems:
        at = bisect.bisect_right(lines, p.line) - 1
        if p.line <= 0 or at < 0 or order[at][1] not in converted.cells:
            mid = p.ref if p.ref in converted.cells else None
            if mid is None:
                out.append(p)
                continue
            row, _ = converted.cells[mid]
            out.append(Problem(name, row, 1, p.severity, p.message, p.ref))
            continue
        mid = order[at][1]
        row, cols = converted.cells[mid]
        offset = p.line - order[at][0]
        col = cols[offset] if 0 <= offset < len(cols) else 0
        if (row, col) in converted.bad:
            continue  # a placeholder's problem: the cell is reported already
        out.append(Problem(name, row, max(col, 1), p.severity, p.message, p.ref))
    return out
