"""Writing a ledger: append one measure as text, atomically, under a lock.

The file is never re-serialised: the new entry is rendered as YAML text and
spliced in after the last item of `measures:`, so comments, order and formatting
elsewhere stay byte for byte. Before anything is written the whole new text is
loaded and checked; the rest of the ledger must read back unchanged and the new
entry exactly as asked, or nothing is written.

The write itself is `files.write_atomic` (a temporary file beside the ledger, the old
file's owner, group and mode, `os.replace`), under `files.locked`.

No printing here: failures are raised as `WriteRefused` with problems, and the
cli turns them into lines and exit codes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from .load import read_source
from .model import MEASURE_FIELDS, Ledger, Measure, Problem, Status

# Option names as the cli spells them, by field: problems in the new entry name them.
OPTION = {"id": "--id", "date": "--date", "actor": "--actor", "target": "--target", "kind": "--kind",
          "title": "--title", "status": "--status", "effective": "--effective", "expires": "--expires",
          "not_before": "--not-before", "responds_to": "--responds-to", "sources": "--source",
          "weight": "--weight", "tags": "--tag", "quote": "--quote", "notes": "--notes", "inferred": "--inferred",
          "inferred_links": "--inferred-link"}
REQUIRED = tuple(s.name for s in MEASURE_FIELDS if s.required)
_LIST_FIELDS = {"actor", "target", "responds_to", "sources", "tags", "inferred", "inferred_links"}
_NAME = re.compile(r"[a-z][a-z_]*\Z")  # a field's name, written plain under `inferred:`
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")


class WriteRefused(Exception):
    """Nothing was written. `problems` are located in the ledger as it stands;
    `entry_problems` are (option, message) pairs about the new entry."""

    def __init__(self, message: str, problems: list[Problem] = (), entry_problems: list[tuple[str, str]] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.entry_problems = list(entry_problems)


@dataclass(frozen=True)
class Added:
    """What `add_measure` did: the measure as it now reads from the file, warnings about
    it, and notes about the write itself (hard links left with the old content)."""

    path: str
    measure: Measure
    warnings: tuple[Problem, ...]
    notes: tuple[str, ...] = ()


# --- Rendering one entry -----------------------------------------------------------------


_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def quote(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes are YAML's, so any string is safe.

    Characters the loader refuses in a file (C1 controls, line separators) are
    written as escapes rather than raw.
    """
    s = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def _id(text: str) -> str:
    # a valid id is safe unquoted (only `null` would read as nothing); anything else is
    # quoted, so the loader can say what is wrong with it
    return text if _ID.match(text) and text != "null" else quote(text)


def _items(value) -> list:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _scalar(field: str, value) -> str:
    if field == "weight":
        return str(int(value)) if re.fullmatch(r"[+-]?\d+", str(value)) else quote(str(value))
    if field in ("kind", "status") and re.fullmatch(r"[a-z-]+", str(value)):
        return str(value)
    if field == "date" and _PLAIN_DATE.match(str(value)):
        return str(value)
    return quote(str(value))


def render_entry(fields: dict, dash_indent: int = 2, key_offset: int = 2, newline: str = "\n") -> str:
    """One `- id: ...` list item, fields in the format's order, every line ending in `newline`.
    `inferred_links` (ids) are links of `responds_to` too, written as mappings with
    `basis: inferred` in a block list (the fast reader's form, as the bundled ledger has
    them); without any, `responds_to` is a flow list of ids."""
    lines = []
    pad = " " * (dash_indent + key_offset)
    for spec in MEASURE_FIELDS:
        value = fields.get(spec.name)
        if spec.name == "responds_to" and fields.get("inferred_links"):
            lines.append(f"{pad}responds_to:")
            for i in _items(value):
                lines.append(f"{pad}  - {_id(str(i))}")
            for i in _items(fields["inferred_links"]):
                lines += [f"{pad}  - id: {_id(str(i))}", f"{pad}    basis: inferred"]
            continue
        if value is None or (spec.name in _LIST_FIELDS and not value):
            continue
        if spec.name == "inferred":
            text = "[" + ", ".join(v if _NAME.match(v) else quote(v) for v in map(str, _items(value))) + "]"
        elif spec.name in _LIST_FIELDS:
            items = [value] if isinstance(value, str) else list(value)
            form = _id if spec.name in ("responds_to", "sources") else quote
            text = "[" + ", ".join(form(str(v)) for v in items) + "]"
            if spec.name in ("actor", "target") and len(items) == 1:
                text = quote(str(items[0]))
        elif spec.name == "id":
            text = _id(str(value))
        else:
            text = _scalar(spec.name, value)
        lines.append(f"{pad}{spec.name}: {text}")
    first = lines[0][dash_indent + key_offset:]
    lines[0] = " " * dash_indent + "-" + " " * (key_offset - 1) + first
    return "".join(line + newline for line in lines)


# --- Where the entry goes --------------------------------------------------------------------


def _newline_of(text: str) -> str:
    i = text.find("\n")
    if i > 0 and text[i - 1] == "\r":
        return "\r\n"
    if i < 0 and "\r" in text:
        return "\r"
    return "\n"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def splice(name: str, text: str, fields: dict, ledger: Ledger | None = None) -> str:
    """The ledger text with `fields` appended as the last item of `measures:`.

    Every byte outside the insertion stays as it was, except `measures: []`
    (or an empty `measures:`) whose line loses the empty value. `ledger` is the fast
    path's reading of `text`, if it took one: a big file's list is then found from its
    entries' lines (`_block_list_fast`), without an exact parse of the whole file.
    """
    return _splice(name, text, "measures", lambda dash, offset, nl: render_entry(fields, dash, offset, nl), ledger)


def splice_links(name: str, text: str, links: list[tuple[str, str, str]]) -> str:
    """The ledger text with `links` ((from, to, note) each) appended as the last items of
    its top-level `links:`, each `basis: inferred`; a file without one gets one at its
    end. Every byte outside the insertion stays as it was (as `splice`)."""
    return _splice(name, text, "links", lambda dash, offset, nl: "".join(
        render_link(b, a, note, dash, offset, nl) for b, a, note in links), None, missing_ok=True)


def render_link(measure: str, answered: str, note: str, dash_indent: int = 2, key_offset: int = 2,
                newline: str = "\n") -> str:
    """One `- from: ...` item of `links:`, inferred, with its note as a double-quoted scalar."""
    pad = " " * (dash_indent + key_offset)
    lines = [" " * dash_indent + "-" + " " * (key_offset - 1) + f"from: {_id(measure)}",
             f"{pad}to: {_id(answered)}", f"{pad}basis: inferred", f"{pad}note: {quote(note)}"]
    return "".join(line + newline for line in lines)


def _splice(name: str, text: str, key: str, render, ledger: Ledger | None = None, missing_ok: bool = False) -> str:
    """The text with `render(dash column, item offset, newline)` appended as the last
    item(s) of the top-level block list `key` (see `splice`)."""
    nl = _newline_of(text)
    if text and not text.endswith(("\n", "\r")):
        text += nl
    lines = text.splitlines(keepends=True)
    block = _block_list_fast(text, ledger) if ledger is not None else None
    if block is None:
        block = _block_list_exact(name, text, lines, key, render, nl, missing_ok)
        if isinstance(block, str):  # `key: []`, an empty `key:` or none, already spliced
            return block
    dash, offset, last_start, next_line, several = block
    # after the last content line of the last item; comments and blank lines that
    # introduce what follows stay after the new entry
    at = next_line - 1
    while at > last_start:
        stripped = lines[at - 1].strip()
        if stripped in ("", "...") or (stripped.startswith("#") and _indent(lines[at - 1]) <= dash):
            at -= 1
        else:
            break
    blank = last_start >= 2 and lines[last_start - 2].strip() == "" and several
    entry = (nl if blank else "") + render(dash, offset, nl)
    return "".join(lines[:at]) + entry + "".join(lines[at:])


# A non-empty block list of measures: the dash's column (0-based), the item content's
# offset from the dash, the last item's first line, the line of the key after the list
# (or one past the end), and whether there is more than one item.
Block = tuple[int, int, int, int, bool]


def _block_list_exact(name: str, text: str, lines: list[str], key_name: str, render, nl: str,
                      missing_ok: bool = False) -> Block | str:
    """The list's geometry from an exact parse; or, for an empty list (or, with
    `missing_ok`, none at all: it is added at the end), the spliced text."""
    from .load import Map, Scalar, Seq, parse_tree

    root, problems = parse_tree(name, text)
    if root is None or not isinstance(root, Map) or (key_name not in root.keys and not missing_ok):
        raise WriteRefused(f"the ledger has no '{key_name}:' list to add to", problems)
    if key_name not in root.keys:
        return text + f"{key_name}:{nl}" + render(2, 2, nl)
    keys = [k for k, _ in root.items]
    index = next(i for i, k in enumerate(keys) if k.value == key_name)
    key = keys[index]
    value = root.items[index][1]
    next_line = keys[index + 1].line if index + 1 < len(keys) else len(lines) + 1

    if isinstance(value, Seq) and value.items:
        if lines[value.line - 1][value.col - 1] == "[":
            raise WriteRefused(f"'{key_name}:' at line {key.line} is a [flow, list]; ledger appends only to a "
                               "block list ('- ' items); rewrite it as one")
        return value.col - 1, max(value.items[0].col - value.col, 2), value.items[-1].line, next_line, len(value.items) > 1

    empty_flow = isinstance(value, Seq)  # `key: []`
    if not (empty_flow or (isinstance(value, Scalar) and value.is_null())):
        raise WriteRefused(f"'{key_name}:' at line {key.line} is not a list")
    line = lines[key.line - 1]
    body = line.rstrip("\r\n")
    ending = line[len(body):] or nl
    if empty_flow or value.value:
        # drop the `[]` (or `~`, `null`) written after the key, keep any comment
        if value.line != key.line:
            raise WriteRefused(f"'{key_name}:' at line {key.line} spreads over several lines; write it as '{key_name}: []'")
        start = value.col - 1
        end = body.index("]", start) + 1 if empty_flow else start + len(value.value)
        body = (body[:start].rstrip() + (" " + body[end:].lstrip() if body[end:].strip() else ""))
    entry = render(key.col - 1 + 2, 2, nl)
    return "".join(lines[: key.line - 1]) + body + ending + entry + "".join(lines[key.line:])


def _block_list_fast(text: str, ledger: Ledger) -> Block | None:
    """The same geometry from the entries' `- ` lines (`fastload._entry_starts`), for a
    ledger the fast path read; None when unsure (the exact parse then decides)."""
    from .fastload import _entry_starts

    order = list(ledger.locs)  # the fast path's top-level keys, in file order
    if ledger.located or "measures" not in order or not ledger.measures:
        return None
    i = order.index("measures")
    following = order[i + 1] if i + 1 < len(order) else None
    starts = _entry_starts(text, "measures", following)
    if starts is None or len(starts) != len(ledger.measures) + 1:
        return None
    first, last, end = starts[0], starts[-2], starts[-1]
    dash = text.index("-", first) - first
    after = text.index("-", first) + 1
    content = after + len(text[after:after + 64]) - len(text[after:after + 64].lstrip(" "))
    if text[content:content + 1] in ("\n", "\r", "#", ""):
        return None  # a lone `-` line: the item starts below; leave it to the exact parse
    offset = content - (first + dash)
    last_line = text.count("\n", 0, last) + 1
    next_line = text.count("\n", 0, end) + 2 if following is not None else len(text.splitlines()) + 1
    return dash, max(offset, 2), last_line, next_line, len(ledger.measures) > 1


# --- Checking the result ---------------------------------------------------------------------------


def expected_values(fields: dict) -> dict:
    """The asked fields converted the way the loader reads them, for the read-back comparison."""
    from .values import parse_date, parse_moment

    out = {}
    if fields.get("inferred_links"):
        out["responds_to"] = (*_items(fields.get("responds_to")), *_items(fields["inferred_links"]))
    for f, v in fields.items():
        if v is None or (f in _LIST_FIELDS and not v) or (f == "responds_to" and "responds_to" in out):
            continue
        if f == "date":
            out[f] = parse_date(v)
        elif f in ("effective", "expires", "not_before"):
            out[f] = parse_moment(v)
        elif f == "kind":
            out[f] = v  # a built-in kind equals its name, as a declared one is its name
        elif f == "status":
            out[f] = Status(v)
        elif f == "weight":
            out[f] = int(v)
        elif f == "inferred_links":
            continue  # links of responds_to, above
        elif f in _LIST_FIELDS:
            out[f] = tuple([v] if isinstance(v, str) else v)
        elif f in ("title",):
            out[f] = v.strip()
        else:
            out[f] = v
    return out


def _entry_lines(old: str, new: str) -> tuple[int, int]:
    """1-based first and last line of the inserted entry in `new`."""
    a, b = old.splitlines(), new.splitlines()
    top = 0
    while top < len(a) and top < len(b) and a[top] == b[top]:
        top += 1
    tail = 0
    while tail < len(a) - top and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    return top + 1, len(b) - tail


def _option_for(new: str, line: int, first: int | None = None) -> str:
    """The option a problem at `line` of the new entry (whose first line is `first`)
    comes from: its key's, or for a line of a block list (an inferred link) the list's."""
    lines = new.splitlines()
    text = lines[line - 1].lstrip(" -")
    field = text.split(":", 1)[0]
    if first is not None and line > first:
        def depth(s: str) -> int:
            return len(s) - len(s.lstrip(" -"))

        keys = depth(lines[first - 1])
        if depth(lines[line - 1]) > keys:  # inside a block: the key it is under
            parent = next((x for x in reversed(lines[first - 1:line - 1]) if depth(x) == keys), "")
            if parent.strip().startswith("responds_to:"):
                return OPTION["inferred_links"] if text.startswith(("id:", "basis:")) else OPTION["responds_to"]
    return OPTION.get(field, field)


def _checked(name: str, text: str, whole: str | None) -> tuple[Ledger | None, Ledger | None, list[Problem]]:
    """`text` as the content of `name`, loaded and checked alone, or, with `whole` (the top
    file of a ledger of several files), as that file of the whole: -> (the whole ledger,
    the ledger of `name` alone, problems)."""
    import os

    from .read import load_set_checked, load_text_checked

    if whole is not None:
        top_name, data = read_source(whole)
        if os.path.realpath(top_name) == os.path.realpath(name):
            data = text.encode("utf-8")
        found = load_set_checked(top_name, data, override={os.path.realpath(name): text})
        if found is not None:
            ledger, problems = found
            own = next((p for p in ledger.parts if os.path.realpath(p.path) == os.path.realpath(name)), None) \
                if ledger is not None else None
            return ledger, own, problems
    ledger, problems = load_text_checked(name, text)
    return ledger, ledger, problems


def prepare(name: str, text: str, fields: dict, whole: str | None = None) -> tuple[str, Ledger, Measure, list[Problem]]:
    """Check everything, write nothing: -> (new text, new ledger, new measure, warnings about it).
    `whole`: the top file of the ledger of several files `name` is part of (`include:`):
    the new measure is checked against all of them."""
    whole_old, old, old_problems = _checked(name, text, whole)
    errors = [p for p in old_problems if p.severity == "error"]
    if old is None or whole_old is None or errors:
        raise WriteRefused("the ledger has errors already; fix them first (ledger check lists them)", errors)

    new_text = splice(name, text, fields, old)
    first, last = _entry_lines(text, new_text)
    whole_new, new, problems = _checked(name, new_text, whole)
    inside = [p for p in problems if first <= p.line <= last and p.file == name]
    errors = [p for p in inside if p.severity == "error"]
    if errors or new is None:
        outside = [p for p in problems if p.severity == "error" and p not in inside]
        raise WriteRefused("the new measure is not valid", outside,
                           [(_option_for(new_text, p.line, first), p.message) for p in errors])
    others = [p for p in problems if p.severity == "error"]
    if others:  # pragma: no cover - the old file was clean and only the entry was added
        raise WriteRefused("adding the measure would break the ledger", others)

    measure = new.measures[-1] if new.measures else None
    if measure is None or measure.id != fields["id"]:
        raise WriteRefused("the new measure did not land at the end of 'measures:'; nothing written")
    if new.measures[:-1] != old.measures or new.events != old.events or new.sources != old.sources \
            or new.countries != old.countries or new.title != old.title:
        raise WriteRefused("appending would change other entries of the ledger; nothing written")
    for f, want in expected_values(fields).items():
        if getattr(measure, f) != want:
            raise WriteRefused(f"the new measure would read back with {f} = {getattr(measure, f)!r}, "
                               f"not {want!r} as asked; nothing written")
    inferred = set(_items(fields.get("inferred_links")))
    for i in measure.responds_to:
        if measure.basis(i) != ("inferred" if i in inferred else "stated"):
            raise WriteRefused(f"the new measure's link to '{i}' would not read back with the basis asked; nothing written")
    warnings = [p for p in inside if p.severity == "warning"]
    return new_text, whole_new, measure, warnings


# --- Reading, and the whole add ---------------------------------------------------------------------


def _read(path: str) -> tuple[str, str, bytes]:
    """-> (display name, text, bom); raises WriteRefused for a file that cannot be decoded."""
    from .load import decode, read_source

    name, data = read_source(path)
    text, problems = decode(name, data)
    if text is None:
        raise WriteRefused("the ledger cannot be read as text; fix it first", problems)
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    return name, text, bom


def add_measure(path: str, fields: dict, into: str | None = None) -> Added:
    """Append one measure to the ledger at `path`, in the file `into` when it is one of the
    files `path` includes (default: `path` itself), checked against all of them. Raises
    WriteRefused (nothing written) or LedgerUnusable (the file cannot be opened)."""
    from .fastload import load_fast
    from .load import load_text
    from .read import no_collections

    from .files import locked, remove_stale_temps, write_atomic

    fields = {k: v for k, v in fields.items() if v is not None}
    not_text = [(OPTION.get(f, f), "is not valid UTF-8 text (check the terminal's or the script's encoding)")
                for f, v in fields.items() if any(_not_utf8(x) for x in ([v] if isinstance(v, str) else v))]
    if not_text:
        raise WriteRefused("the new measure is not valid", (), not_text)
    whole = path if into is not None or _includes(path) else None
    path = _into(path, into) if into is not None else path
    _refuse_generated(path)
    with locked(path):
        remove_stale_temps(path)
        name, text, bom = _read(path)  # under the lock: other writers may have appended
        new_text, _new, measure, warnings = prepare(name, text, fields, whole)
        data = bom + new_text.encode("utf-8")
        notes = write_atomic(path, data)
        # read back what is on disk now, still under the lock
        _name, back, _bom = _read(path)
        with no_collections():
            ledger = load_fast(name, back) or load_text(name, back)[0]  # the records alone: fast when it can
        again = ledger.measure(measure.id) if ledger is not None else None
        if back != new_text or again != measure:  # pragma: no cover - a disk or filesystem fault
            raise WriteRefused(f"the file does not read back as written; check {name} by hand (ledger check)")
    return Added(name, measure, tuple(warnings), tuple(notes))


@dataclass(frozen=True)
class LinksAdded:
    """What `add_links` did: the file written, the (from, to) pairs written (none when
    every one was in the ledger already), and notes about the write itself."""

    path: str
    links: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()


def add_links(path: str, links: list[tuple[str, str, str]], into: str | None = None) -> LinksAdded:
    """Append `links` ((from, to, note) each) as inferred links under the top-level
    `links:` of the ledger at `path`, or of `into` when it is one of the files `path`
    includes; the measures may be in any file of the ledger. A link the ledger has
    already (either as written: the same from and to) is left out, so applying twice
    adds nothing. Checked as `add_measure` is: the whole ledger before and after, every
    other entry reading back the same, then written atomically under the lock and read
    back. Raises WriteRefused (nothing written) or LedgerUnusable."""
    from .files import locked, remove_stale_temps, write_atomic

    not_text = [note for _, _, note in links if _not_utf8(note)]
    if not_text:
        raise WriteRefused("a note is not valid UTF-8 text")
    whole = path if into is not None or _includes(path) else None
    path = _into(path, into) if into is not None else path
    _refuse_generated(path)
    with locked(path):
        remove_stale_temps(path)
        name, text, bom = _read(path)
        whole_old, old, old_problems = _checked(name, text, whole)
        errors = [p for p in old_problems if p.severity == "error"]
        if old is None or whole_old is None or errors:
            raise WriteRefused("the ledger has errors already; fix them first (ledger check lists them)", errors)
        have = {(m.id, a) for m in whole_old.measures for a in m.responds_to}
        todo = {}
        for b, a, note in links:
            if (b, a) not in have:
                todo.setdefault((b, a), note)
        if not todo:
            return LinksAdded(name, ())
        new_text = splice_links(name, text, [(b, a, note) for (b, a), note in todo.items()])
        whole_new, new, problems = _checked(name, new_text, whole)
        errors = [p for p in problems if p.severity == "error"]
        if errors or whole_new is None or new is None:
            raise WriteRefused("the links would make the ledger invalid", errors)
        now = {(m.id, a) for m in whole_new.measures for a in m.responds_to}
        if now != have | set(todo) or [m.id for m in whole_new.measures] != [m.id for m in whole_old.measures] \
                or whole_new.events != whole_old.events or whole_new.sources != whole_old.sources \
                or whole_new.countries != whole_old.countries or whole_new.title != whole_old.title:
            raise WriteRefused("writing the links would change other entries of the ledger; nothing written")
        written = {(k.measure, k.responds_to): k for m in whole_new.measures for k in m.links if (k.measure, k.responds_to) in todo}
        for pair, note in todo.items():
            k = written.get(pair)
            if k is None or k.basis != "inferred" or k.note != note:
                raise WriteRefused(f"the link from '{pair[0]}' to '{pair[1]}' would not read back as written; nothing written")
        notes = write_atomic(path, bom + new_text.encode("utf-8"))
        _name, back, _bom = _read(path)
        if back != new_text:  # pragma: no cover - a disk or filesystem fault
            raise WriteRefused(f"the file does not read back as written; check {name} by hand (ledger check)")
    return LinksAdded(name, tuple(todo), tuple(notes))


def _includes(path: str) -> bool:
    from .read import _may_include

    return _may_include(read_source(path)[1])


def _into(top: str, into: str) -> str:
    """`into` when it is the top file or one of the files it includes; else WriteRefused."""
    import os

    from .read import load_set_checked

    name, data = read_source(top)
    found = load_set_checked(name, data)
    files = [p.path for p in found[0].parts] if found is not None and found[0] is not None else [name]
    if os.path.realpath(into) not in map(os.path.realpath, files):
        raise WriteRefused(f"{into} is not one of the files of {top} (" + ", ".join(files) + "); nothing written")
    return into


def _refuse_generated(path: str) -> None:
    """A file `ledger import` wrote is rewritten by the next import: a measure added to it
    would be lost. Say where it goes instead."""
    from .importing.common import GENERATED

    try:
        with open(path, "rb") as f:
            head = f.read(len(GENERATED) + 3)
    except OSError:
        return  # reading it says what is wrong
    if head.lstrip(b"\xef\xbb\xbf").startswith(GENERATED.encode()):
        raise WriteRefused(f"{path} is generated by `ledger import` and the next import rewrites it; "
                           "add to a ledger of your own that includes it (include: [" + path + "])")


def _not_utf8(text: str) -> bool:
    """Text with lone surrogates: bytes of a command-line argument that were not UTF-8
    (Python keeps them as U+DC80..U+DCFF), which no file can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def moment_text(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()
