"""File -> records + problems. The only module that knows YAML.

The file is read as bytes, decoded and screened by hand, then walked as a libyaml
event stream into a small tree of located nodes. Nothing is ever constructed from
a tag: every scalar stays the text the user typed, so `NO` is Norway, `0123` is
not octal and `2025-09-31` is an impossible date reported with its line, not a
ValueError from PyYAML's timestamp resolver. Depth, size and aliases are checked
on the stream, before anything big is built (libyaml's own composer segfaults on
deeply nested input; PyYAML's Python one hits RecursionError).

Bad data is returned as `Problem`s, never raised: one run reports every problem.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass

from .model import (
    ANSWER_FIELDS,
    ENUMS,
    LINK_FIELDS,
    Link,
    EVENT_FIELDS,
    FORMAT_VERSION,
    KIND_FIELDS,
    MEASURE_FIELDS,
    REPORT_FIELDS,
    SOURCE_FIELDS,
    TOP_FIELDS,
    WEIGHT_RANGE,
    DeclaredKind,
    Event,
    Kind,
    Ledger,
    Location,
    Measure,
    Problem,
    Report,
    Source,
    Spec,
)
from .values import CODE, ID, INT, MAX_ITEMS, MAX_SCALAR, parse_date, parse_moment

MAX_BYTES = 256 * 1024 * 1024  # a 100,000-measure ledger is about 30 MB
MAX_DEPTH = 32  # a ledger needs 5 levels; libyaml's composer crashes in the tens of thousands
MAX_ERRORS = 1000  # a file this broken is not a ledger; stop reading it
MAX_PROBLEMS_PER_KIND = 50  # of the character screen, so a binary file does not flood stderr

STDIN = "-"
STDIN_NAME = "<stdin>"


class LedgerUnusable(Exception):
    """The file cannot be read at all (missing, a directory, unreadable)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: error: {message}")
        self.path = path
        self.message = message


# --- Located nodes -------------------------------------------------------------------


class Node:
    __slots__ = ("line", "col")
    kind = "node"

    def loc(self) -> Location:
        return Location(self.line, self.col)


class Scalar(Node):
    __slots__ = ("value", "plain")
    kind = "a single value"

    def __init__(self, value: str, plain: bool, line: int, col: int):
        self.value, self.plain, self.line, self.col = value, plain, line, col

    def is_null(self) -> bool:
        return self.plain and self.value in ("", "~", "null", "Null", "NULL")


class Seq(Node):
    __slots__ = ("items",)
    kind = "a list"

    def __init__(self, line: int, col: int):
        self.items: list[Node] = []
        self.line, self.col = line, col


class Map(Node):
    __slots__ = ("items", "keys")
    kind = "a mapping"

    def __init__(self, line: int, col: int):
        self.items: list[tuple[Scalar, Node]] = []
        self.keys: dict[str, Scalar] = {}
        self.line, self.col = line, col


def _describe(node: Node) -> str:
    if isinstance(node, Scalar):
        return "nothing" if node.is_null() else f"'{node.value}'"
    return node.kind


# --- Reading and screening -----------------------------------------------------------


def read_source(path: str) -> tuple[str, bytes]:
    """The display name and raw bytes of a ledger; raises LedgerUnusable."""
    if path == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = STDIN_NAME
    else:
        name = path
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise LedgerUnusable(path, "no such file") from None
        except IsADirectoryError:
            raise LedgerUnusable(path, "is a directory, not a ledger file") from None
        except PermissionError:
            raise LedgerUnusable(path, "permission denied") from None
        except OSError as e:
            raise LedgerUnusable(path, e.strerror or str(e)) from None
    if len(data) > MAX_BYTES:
        raise LedgerUnusable(name, f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; a ledger this big is not supported")
    return name, data


def _line_col(text: str, index: int) -> Location:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return Location(line, index - start + 1)


# C0 controls other than tab, LF, CR; DEL; C1 controls (NEL included: PyYAML would
# silently read U+0085 as a line break); the Unicode line and paragraph separators;
# and the byte-order mark anywhere but at the start.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


_ASCII_ALLOWED = bytes(range(0x20, 0x7F)) + b"\t\n\r"  # deleting these from ASCII leaves only _BAD_CHARS


def _char_name(ch: str) -> str:
    names = {"\x00": "NUL", "\x85": "NEL (U+0085)", "\u2028": "line separator (U+2028)",
             "\u2029": "paragraph separator (U+2029)", "\ufeff": "byte-order mark (U+FEFF)"}
    return names.get(ch, f"U+{ord(ch):04X}")


def decode(name: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """Bytes -> text, or problems saying where the bytes are not a ledger's."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        return None, [Problem(name, 1, 1, "error", "file is UTF-16 (or binary); save it as UTF-8")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start].decode("utf-8", "replace")
        line, col = _line_col(before, len(before))
        return None, [Problem(name, line, col, "error", f"invalid UTF-8 byte 0x{data[e.start]:02x}; save the file as UTF-8")]
    problems = []
    if data.isascii() and not data.translate(None, _ASCII_ALLOWED):
        return text, problems  # the common case, checked at memory speed: no control characters
    for n, m in enumerate(_BAD_CHARS.finditer(text)):
        if n == MAX_PROBLEMS_PER_KIND:
            problems.append(Problem(name, *_line_col(text, m.start()), "error", "too many control characters; is this a text file?"))
            break
        problems.append(Problem(name, *_line_col(text, m.start()), "error", f"control character {_char_name(m.group())} is not allowed in a ledger"))
    return (None if problems else text), problems


# --- The event stream -> located nodes -------------------------------------------------


def _yaml_error(name: str, text: str, err) -> Problem:
    import yaml

    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if isinstance(err, yaml.reader.ReaderError):
        line, col = _line_col(text, err.position)
        return Problem(name, line, col, "error", f"character {err.character!r} is not allowed in YAML")
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    if "end of stream" in problem and context and getattr(err, "context_mark", None) is not None:
        mark = err.context_mark  # an unclosed quote or bracket: where it opens is what to fix
        problem = f"{context.replace('while scanning ', '').replace('while parsing ', '')} that starts here is never closed"
        context = None
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = problem
    if "'\\t'" in problem or "tab character" in problem:
        message = "tab character here: YAML indents with spaces, never tabs"
    elif context:
        message = f"{problem} ({context})"
    return Problem(name, line, col, "error", f"YAML syntax: {message}")


def _python_parser():
    """PyYAML's own event parser, written in Python: no nesting limit of its own."""
    from yaml.parser import Parser as _P
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class Parser(Reader, Scanner, _P):
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _P.__init__(self)

    return Parser


def parse_tree(name: str, text: str) -> tuple[Node | None, list[Problem]]:
    """Walk the YAML events into located nodes; no tag ever constructs anything.

    Events come from libyaml, ten times faster than PyYAML's Python parser. libyaml
    0.2.6 refuses nesting past its own limit while scanning ahead, before our depth check
    has seen the 33rd level, with its own message and place; so that the product's limit
    decides, whatever libyaml is installed, such a file is walked again with the Python
    parser (which has no limit and looks ahead about 1,024 characters at most)."""
    try:
        from yaml.cyaml import CParser
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return _walk(name, text, _python_parser())
    root, problems = _walk(name, text, CParser)
    if problems and _LIBYAML_DEPTH in problems[-1].message:
        root, problems = _walk(name, text, _python_parser())
    return root, problems


_LIBYAML_DEPTH = "maximum nesting depth"  # libyaml >= 0.2.6: "exceeded maximum nesting depth"


def _walk(name: str, text: str, Parser) -> tuple[Node | None, list[Problem]]:
    import yaml

    E = yaml.events
    problems: list[Problem] = []

    def at(event) -> Location:
        return Location(event.start_mark.line + 1, event.start_mark.column + 1)

    def fail(loc: Location, message: str):
        problems.append(Problem(name, loc.line, loc.col, "error", message))
        return None, problems

    parser = Parser(text)
    stack: list[Node] = []
    pending_key: list[Scalar | None] = []
    root: Node | None = None
    documents = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, E.StreamEndEvent):
                break
            cls = type(event)
            if cls is E.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return fail(at(event), "a second YAML document ('---'): a ledger is one document; merge them or split the file")
                continue
            if cls in (E.StreamStartEvent, E.DocumentEndEvent):
                continue
            if cls is E.AliasEvent:
                return fail(at(event), f"alias '*{event.anchor}': anchors and aliases are not supported in a ledger; write the value out")
            if cls in (E.SequenceEndEvent, E.MappingEndEvent):
                done = stack.pop()
                if isinstance(done, Map):
                    pending_key.pop()
                node = done
            else:
                if getattr(event, "anchor", None):
                    return fail(at(event), f"anchor '&{event.anchor}': anchors and aliases are not supported in a ledger; write the value out")
                tag = getattr(event, "tag", None)
                if tag and tag not in ("!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    return fail(at(event), f"YAML tag '{tag}' is not allowed: a ledger holds plain data only")
                loc = at(event)
                if cls is E.ScalarEvent:
                    if len(event.value) > MAX_SCALAR:
                        return fail(loc, f"value of {len(event.value):,} characters is longer than the {MAX_SCALAR:,} allowed")
                    plain = event.style in (None, "") and not tag
                    node = Scalar(event.value, plain, loc.line, loc.col)
                else:
                    if len(stack) >= MAX_DEPTH:
                        return fail(loc, f"nesting deeper than {MAX_DEPTH} levels: a ledger is never this deep")
                    node = Map(loc.line, loc.col) if cls is E.MappingStartEvent else Seq(loc.line, loc.col)
                    stack.append(node)
                    if isinstance(node, Map):
                        pending_key.append(None)
                    continue
            # attach a finished node to its parent
            if not stack:
                root = node
                continue
            parent = stack[-1]
            if len(parent.items) >= MAX_ITEMS and len(stack) >= 3:  # inside an entry (see values.MAX_ITEMS)
                return fail(node.loc(), f"more than {MAX_ITEMS:,} items in one {'list' if isinstance(parent, Seq) else 'mapping'}: "
                                        "an entry's lists name a few countries, answers or tags")
            if isinstance(parent, Seq):
                parent.items.append(node)
            elif pending_key[-1] is None:
                if not isinstance(node, Scalar):
                    return fail(node.loc(), "a mapping key must be a plain name, not a list or mapping")
                if node.plain and node.value == "<<":
                    return fail(node.loc(), "merge key '<<' is not supported in a ledger; write the fields out")
                first = parent.keys.get(node.value)
                if first is not None:
                    problems.append(Problem(name, node.line, node.col, "error",
                                            f"duplicate key '{node.value}' (first at line {first.line}); YAML would silently keep only the last"))
                else:
                    parent.keys[node.value] = node
                pending_key[-1] = node
            else:
                parent.items.append((pending_key[-1], node))
                pending_key[-1] = None
    except yaml.YAMLError as err:
        problems.append(_yaml_error(name, text, err))
        return None, problems
    except RecursionError:  # pragma: no cover - depth is bounded above
        return fail(Location(1, 1), "file is nested too deeply")
    return root, problems


# --- Values ------------------------------------------------------------------------------

class Invalid(Exception):
    """A value that does not fit its field; the loader turns it into a Problem."""

    def __init__(self, message: str, node: Node | None = None):
        super().__init__(message)
        self.node = node


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass
class _Builder:
    """Turns located nodes into records, collecting problems as it goes."""

    name: str
    problems: list
    kinds: dict | None = None  # the kinds the ledger declares (`kinds:`), by name

    def err(self, node_or_loc, message: str, ref: str | None = None, severity: str = "error") -> None:
        loc = node_or_loc.loc() if isinstance(node_or_loc, Node) else node_or_loc
        self.problems.append(Problem(self.name, loc.line, loc.col, severity, message, ref))

    # values ---------------------------------------------------------------------------
    def scalar(self, node: Node, what: str) -> str:
        if not isinstance(node, Scalar):
            raise Invalid(f"{what} must be a single value, not {node.kind}", node)
        if node.is_null():
            raise Invalid(f"{what} is empty", node)
        return node.value

    def value(self, spec: Spec, node: Node, locs: dict, ref: str | None):
        what = f"'{spec.name}'"
        t = spec.type
        if t in ("str", "text"):
            v = self.scalar(node, what).strip() if t == "str" else self.scalar(node, what)
            if t == "str" and "\n" in v:
                raise Invalid(f"{what} must be one line", node)
            if spec.required and not v.strip():  # `title: ""` says no more than a missing title
                raise Invalid(f"{what} is empty", node)
            return v
        if t == "id":
            v = self.scalar(node, what)
            if not ID.match(v):
                raise Invalid(f"{what} '{v}' must be lowercase letters, digits and hyphens", node)
            return v
        if t == "int":
            v = self.scalar(node, what)
            if not (node.plain and INT.match(v)):
                raise Invalid(f"{what} must be a whole number, not '{v}'", node)
            return int(v)
        if t == "date":
            v = self.scalar(node, what)
            try:
                return parse_date(v)
            except ValueError as e:
                raise Invalid(f"{what}: {e}", node) from None
        if t == "moment":
            v = self.scalar(node, what)
            try:
                return parse_moment(v)
            except ValueError as e:
                raise Invalid(f"{what}: {e}", node) from None
        if t.startswith("enum:"):
            enum = ENUMS[t[5:]]
            v = self.scalar(node, what)
            try:
                return enum(v)
            except ValueError:
                names = [e.value for e in enum]
                if enum is Kind:
                    declared = self.kinds if self.kinds is not None else {}
                    if v in declared:
                        return declared[v]
                    names += declared
                allowed = ", ".join(names)
                hint = "; or declare it under 'kinds:'" if enum is Kind else ""
                raise Invalid(f"unknown {spec.name} '{v}'{_suggest(v, names)}; one of: {allowed}{hint}", node) from None
        if t == "quotes":  # source id -> its sentence
            if not isinstance(node, Map):
                raise Invalid(f"{what} must map source ids to their sentences, not {_describe(node)}", node)
            pairs = []
            for k, v in node.items:
                if not ID.match(k.value):
                    raise Invalid(f"'{k.value}' in {what} is not a source id (lowercase letters, digits, hyphens)", k)
                pairs.append((k.value, self.scalar(v, f"the quote of '{k.value}' in {what}")))
                locs[f"{spec.name}.{k.value}"] = v.loc()
            return tuple(pairs)
        if t in ("codes", "ids", "strs"):
            items = node.items if isinstance(node, Seq) else [node]
            if isinstance(node, Map):
                raise Invalid(f"{what} must be a value or a list, not a mapping", node)
            out = []
            for i, item in enumerate(items):
                v = self.scalar(item, f"item {i + 1} of {what}")
                if t == "codes" and not CODE.match(v):
                    raise Invalid(f"'{v}' is not a country code: write ISO 3166 alpha-2 in capitals (US, CN) or a code declared under 'countries:'", item)
                if t == "ids" and not ID.match(v):
                    raise Invalid(f"'{v}' in {what} is not an id (lowercase letters, digits, hyphens)", item)
                locs[f"{spec.name}[{i}]"] = item.loc()
                out.append(v)
            if t == "codes" and not out:
                raise Invalid(f"{what} is an empty list", node)
            return tuple(out)
        raise AssertionError(t)  # pragma: no cover

    def fields(self, node: Node, specs: tuple[Spec, ...], what: str, ref: str | None = None) -> tuple[dict, dict, bool]:
        """Read a mapping against a field table -> (values, locations, complete)."""
        if not isinstance(node, Map):
            self.err(node, f"{what} must be a mapping of fields, not {_describe(node)}", ref)
            return {}, {}, False
        by_name = {s.name: s for s in specs}
        values: dict = {}
        locs: dict[str, Location] = {}
        ok = True
        for key, val in node.items:
            spec = by_name.get(key.value)
            if spec is None:
                self.err(key, f"unknown field '{key.value}' in {what}{_suggest(key.value, by_name)}", ref)
                ok = False
                continue
            locs[spec.name] = val.loc()
            if spec.type in ("reports", "answers") or (isinstance(val, Scalar) and val.is_null() and not spec.required):
                continue  # reports are read by the measure itself
            try:
                values[spec.name] = self.value(spec, val, locs, ref)
            except Invalid as e:
                self.err(e.node or val, str(e), ref)
                ok = False
        missing = [s.name for s in specs if s.required and s.name not in locs]
        if missing:
            names = ", ".join(f"'{n}'" for n in missing)
            self.err(node, f"{what} has no {names} (required)", ref)
        if any(s.required and s.name not in values for s in specs):
            ok = False
        return values, locs, ok

    # records -------------------------------------------------------------------------------
    def measure(self, node: Node, index: int) -> Measure | None:
        ref = _peek_id(node)
        what = f"measure '{ref}'" if ref else f"measure {index + 1}"
        values, locs, ok = self.fields(node, MEASURE_FIELDS, what, ref)
        reports = []
        if "reports" in locs:
            raw = _find(node, "reports")
            if raw is not None and not (isinstance(raw, Scalar) and raw.is_null()):
                reports = self.reports(raw, what, ref)
                if reports is None:
                    ok, reports = False, []
        values.pop("reports", None)
        raw = _find(node, "responds_to") if "responds_to" in locs else None
        if raw is not None and not (isinstance(raw, Scalar) and raw.is_null()):
            answered = self.answers(raw, values.get("id", ""), locs, what, ref)
            if answered is None:
                ok = False
            else:
                values["responds_to"], links = answered
                if links:
                    values["links"] = links
        w = values.get("weight")
        if w is not None and not WEIGHT_RANGE[0] <= w <= WEIGHT_RANGE[1]:
            self.err(locs["weight"], f"weight {w} is out of range {WEIGHT_RANGE[0]}..{WEIGHT_RANGE[1]}", ref)
            ok = False
        if not ok:
            return None
        return Measure(**values, reports=tuple(reports), loc=node.loc(), locs=locs)

    def answers(self, node: Node, measure: str, locs: dict, what: str, ref: str | None):
        """`responds_to`: ids (stated links), or mappings giving a link's basis ->
        (ids, links written with their basis), or None after an error."""
        if isinstance(node, Map):
            self.err(node, "'responds_to' must be a value or a list, not a mapping", ref)
            return None
        ids, links, ok = [], [], True
        first_line: dict[str, int] = {}  # each id answered, the line it is first listed at

        def once(answered: str, node: Node) -> bool:
            """An id listed twice is one link said twice, perhaps with two bases (a plain
            id is stated, a mapping may say inferred): which is meant? An error."""
            if answered in first_line:
                self.err(node, f"'responds_to' of {what} lists '{answered}' twice (first at line {first_line[answered]})", ref)
                return False
            first_line[answered] = node.loc().line
            return True

        for i, item in enumerate(node.items if isinstance(node, Seq) else [node]):
            if isinstance(item, Map):
                values, item_locs, item_ok = self.fields(item, ANSWER_FIELDS, f"item {i + 1} of 'responds_to' of {what}", ref)
                if not item_ok or not once(values["id"], item):
                    ok = False
                    continue
                ids.append(values["id"])
                links.append(_link(measure, values["id"], values, item.loc()))
                locs[f"responds_to[{i}]"] = item_locs["id"]
                continue
            try:
                v = self.scalar(item, f"item {i + 1} of 'responds_to'")
                if not ID.match(v):
                    raise Invalid(f"'{v}' in 'responds_to' is not an id (lowercase letters, digits, hyphens)", item)
            except Invalid as e:
                self.err(e.node or item, str(e), ref)
                return None  # as for any list of ids: the first bad item is the one reported
            if not once(v, item):
                ok = False
                continue
            ids.append(v)
            locs[f"responds_to[{i}]"] = item.loc()
        return (tuple(ids), tuple(links)) if ok else None

    def reports(self, node: Node, what: str, ref: str | None) -> list[Report] | None:
        if not isinstance(node, Seq):
            self.err(node, f"'reports' of {what} must be a list", ref)
            return None
        out, ok = [], True
        for item in node.items:
            values, _locs, item_ok = self.fields(item, REPORT_FIELDS, f"a report on {what}", ref)
            if item_ok:
                out.append(Report(**values, loc=item.loc()))
            ok = ok and item_ok
        return out if ok else None

    def event(self, node: Node, index: int) -> Event | None:
        ref = _peek_id(node)
        what = f"event '{ref}'" if ref else f"event {index + 1}"
        values, locs, ok = self.fields(node, EVENT_FIELDS, what, ref)
        return Event(**values, loc=node.loc(), locs=locs) if ok else None

    def source(self, key: Scalar, node: Node) -> Source | None:
        if not ID.match(key.value):
            self.err(key, f"source id '{key.value}' must be lowercase letters, digits and hyphens")
            return None
        values, _locs, ok = self.fields(node, SOURCE_FIELDS, f"source '{key.value}'", key.value)
        return Source(id=key.value, **values, loc=key.loc()) if ok else None


def _link(measure: str, answered: str, values: dict, loc: Location) -> Link:
    basis = values.get("basis")
    return Link(measure, answered, basis.value if basis is not None else "stated", values.get("sources", ()),
                values.get("quote"), values.get("note"), loc)


def stated_plainly(m: Measure, link: Link) -> Location | None:
    """Where `m` lists `link`'s answered measure as a plain id under responds_to (a stated
    link with no link record of its own) when `link` says it is inferred: the two
    contradict each other. None otherwise: a `links:` item for such a pair may add
    sources and a quote to it (stated too), never say it is inferred."""
    answered = link.responds_to
    if link.basis != "inferred" or answered not in m.responds_to or any(k.responds_to == answered for k in m.links):
        return None
    return m.where(f"responds_to[{m.responds_to.index(answered)}]")


def _add_links(b: _Builder, node: Node | None, measures: tuple, unloaded: set) -> tuple[tuple, tuple]:
    """The top-level `links:` -> (the measures, each with the links from it added to its
    `responds_to` and `links`; the links whose `from` is not a measure of this file). A
    link names its measures by id, so it can stand in a file apart from them: one from a
    measure of another file is kept loose, for the files it is read with
    (`Ledger.loose_links`)."""
    if node is None or (isinstance(node, Scalar) and node.is_null()):
        return measures, ()
    if not isinstance(node, Seq):
        b.err(node, f"'links' must be a list (each link starting with '- '), not {_describe(node)}")
        return measures, ()
    at = {m.id: i for i, m in enumerate(measures)}
    out = list(measures)
    loose = []
    for n, item in enumerate(node.items):
        values, locs, ok = b.fields(item, LINK_FIELDS, f"link {n + 1}")
        if not ok:
            continue
        i = at.get(values["from"])
        if i is None:
            if values["from"] not in unloaded:
                loose.append(_link(values["from"], values["to"], values, item.loc()))
            continue
        m = out[i]
        locs_ = dict(m.locs)
        answers = m.responds_to
        link = _link(m.id, values["to"], values, item.loc())
        stated = stated_plainly(m, link)
        if stated is not None:
            b.err(item, f"the link from '{m.id}' to '{values['to']}' is inferred here but stated in its responds_to "
                        f"(line {stated.line}); write it once, with the basis meant", m.id)
            continue
        if values["to"] not in answers:
            locs_[f"responds_to[{len(answers)}]"] = locs["to"]
            answers = (*answers, values["to"])
        out[i] = m._replace(responds_to=answers, links=(*m.links, link), locs=locs_)
    return tuple(out), tuple(loose)


def _find(node: Map, key: str) -> Node | None:
    for k, v in node.items:
        if k.value == key:
            return v
    return None


def _peek_id(node: Node) -> str | None:
    if isinstance(node, Map):
        v = _find(node, "id")
        if isinstance(v, Scalar) and not v.is_null():
            return v.value
    return None


def build_ledger(name: str, root: Node | None, problems: list[Problem]) -> Ledger | None:
    """Located nodes -> a Ledger; problems are appended. None when nothing usable is left."""
    if root is None or (isinstance(root, Scalar) and root.is_null()):
        problems.append(Problem(name, 1, 1, "error", "file is empty (or only comments): a ledger needs at least 'measures:'"))
        return None
    if not isinstance(root, Map):
        problems.append(Problem(name, root.line, root.col, "error",
                                f"a ledger is a mapping with 'measures:' at the top, not {_describe(root)}"))
        return None
    b = _Builder(name, problems)
    by_name = {s.name: s for s in TOP_FIELDS}
    top: dict[str, Node] = {}
    for key, val in root.items:
        if key.value not in by_name:
            b.err(key, f"unknown top-level field '{key.value}'{_suggest(key.value, by_name)}")
        else:
            top[key.value] = val
    version = top.get("version")
    if version is not None:
        if not (isinstance(version, Scalar) and version.value == str(FORMAT_VERSION)):
            b.err(version, f"format version {_describe(version)} is not supported; this ledger reads version {FORMAT_VERSION}")
            return None
    if "measures" not in top:
        b.err(root, "no 'measures:' list: a ledger needs one (it may be empty: 'measures: []')")
    title = None
    if "title" in top:
        try:
            title = b.value(by_name["title"], top["title"], {}, None)
        except Invalid as e:
            b.err(e.node or top["title"], str(e))

    countries: dict[str, str] = {}
    node = top.get("countries")
    if node is not None and not (isinstance(node, Scalar) and node.is_null()):
        if not isinstance(node, Map):
            b.err(node, f"'countries' must map codes to names, not {_describe(node)}")
        else:
            for k, v in node.items:
                if not CODE.match(k.value):
                    b.err(k, f"country code '{k.value}' must be 2 to 6 capital letters or digits, starting with a letter")
                    continue
                try:
                    countries[k.value] = b.scalar(v, f"name of country '{k.value}'")
                except Invalid as e:
                    b.err(e.node or v, str(e))

    b.kinds = _declared_kinds(b, top.get("kinds"))
    if "include" in top:  # a kind may be declared in an included file: read.py looks it up once all are read
        b.kinds = _KindsOfSet(b.kinds)
    includes: list[str] = []
    include_locs: dict[str, Location] = {}
    node = top.get("include")
    if node is not None and not (isinstance(node, Scalar) and node.is_null()):
        try:
            includes = list(b.value(by_name["include"], node, include_locs, None))
        except Invalid as e:
            b.err(e.node or node, str(e))

    sources: dict[str, Source] = {}
    node = top.get("sources")
    if node is not None and not (isinstance(node, Scalar) and node.is_null()):
        if not isinstance(node, Map):
            b.err(node, f"'sources' must map source ids to sources, not {_describe(node)}")
        else:
            for k, v in node.items:
                s = b.source(k, v)
                if s is not None:
                    sources[s.id] = s

    def records(key: str, build) -> tuple:
        node = top.get(key)
        if node is None or (isinstance(node, Scalar) and node.is_null()):
            return ()
        if not isinstance(node, Seq):
            b.err(node, f"'{key}' must be a list (each entry starting with '- '), not {_describe(node)}")
            return ()
        out = []
        for i, item in enumerate(node.items):
            if len(problems) >= MAX_ERRORS:
                b.err(item, f"more than {MAX_ERRORS} errors; stopped here (fix these first)")
                break
            r = build(item, i)
            if r is not None:
                out.append(r)
            elif (ref := _peek_id(item)) is not None:
                unloaded.add(ref)
        return tuple(out)

    unloaded: set[str] = set()
    measures = records("measures", b.measure)
    events = records("events", b.event)
    measures, loose = _add_links(b, top.get("links"), measures, unloaded)
    locs = {k: v.loc() for k, v in top.items()} | include_locs
    return Ledger(path=name, title=title, countries=countries, sources=sources,
                  measures=measures, events=events, locs=locs, unloaded=frozenset(unloaded),
                  includes=tuple(includes), kinds=dict(b.kinds), loose_links=loose)


class _KindsOfSet(dict):
    """The kinds of a file that includes others: any name is a kind, kept as its name
    when this file does not declare it (`read._merge` finds it in another file, or says
    it is unknown there)."""

    def __contains__(self, name) -> bool:
        return True

    def __missing__(self, name: str) -> str:
        return name


def _declared_kinds(b: _Builder, node: Node | None) -> dict[str, DeclaredKind]:
    """`kinds:` -> the declared kinds by name; problems go to the builder."""
    kinds: dict[str, DeclaredKind] = {}
    if node is None or (isinstance(node, Scalar) and node.is_null()):
        return kinds
    if not isinstance(node, Map):
        b.err(node, f"'kinds' must map kind names to a description and a weight, not {_describe(node)}")
        return kinds
    builtin = {k.value for k in Kind}
    for k, v in node.items:
        if not ID.match(k.value):
            b.err(k, f"kind name '{k.value}' must be lowercase letters, digits and hyphens")
            continue
        if k.value in builtin:
            b.err(k, f"kind '{k.value}' is built in; declare only kinds beyond: {', '.join(sorted(builtin))}")
            continue
        values, locs, ok = b.fields(v, KIND_FIELDS, f"kind '{k.value}'")
        w = values.get("weight")
        if w is not None and not WEIGHT_RANGE[0] <= w <= WEIGHT_RANGE[1]:
            b.err(locs["weight"], f"weight {w} is out of range {WEIGHT_RANGE[0]}..{WEIGHT_RANGE[1]}")
            ok = False
        if ok:
            kinds[k.value] = DeclaredKind(k.value, w, values.get("description"))
    return kinds


def load_text(name: str, text: str) -> tuple[Ledger | None, list[Problem]]:
    """Ledger text -> (ledger or None, problems). Never raises on bad content."""
    root, problems = parse_tree(name, text)
    if any(p.severity == "error" for p in problems) and root is None:
        return None, problems
    ledger = build_ledger(name, root, problems)
    return ledger, problems


def load_ledger(path: str) -> tuple[Ledger | None, list[Problem]]:
    """Read, decode and load a ledger file exactly, every value located; no checks, no cache.

    Raises LedgerUnusable only when it cannot be read. Commands use `read.load_checked`.
    """
    name, data = read_source(path)
    return _load_bytes(name, data)


def _load_bytes(name: str, data: bytes) -> tuple[Ledger | None, list[Problem]]:
    text, problems = decode(name, data)
    if text is None:
        return None, problems
    return load_text(name, text)


def bundled_ledger_path() -> str:
    """The ledger shipped with the package (inside the wheel), or the repo's copy in a checkout.

    Looked up as files beside this module first: `importlib.resources` costs 3.5 ms of
    imports, a tenth of a bundled report's own time, and is only needed for a package
    that is not plain files (a zip)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (os.path.join(here, "data", "measures.yaml"),
                 os.path.normpath(os.path.join(here, "..", "..", "data", "measures.yaml"))):
        if os.path.isfile(path):
            return path
    from importlib.resources import files

    return str(files("ledger") / "data" / "measures.yaml")
