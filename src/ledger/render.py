"""Report rows -> JSON-ready dicts, Rich renderables, or plain aligned text. Never prints.

Three outputs for each report:
  *_json:   dicts and lists of str/int/None only, keys fixed (the `--json` contract,
            pinned by tests/test_json_contract.py); dates are ISO 8601 strings, a
            month-precision date stays `2025-10`; actor/target are always lists.
  render_*: Rich renderables for people (tables as grid.Grid, Tree, Group). User text always goes
            in as `rich.text.Text`, never as markup, so a title `[bold]x[/x]` prints
            as written.
  *_lines:  plain aligned text for long outputs. A table costs about 0.26 ms a
            row (grid.Grid; as a Rich Table 0.45), so above `RICH_ROW_LIMIT` rows the
            cli prints these lines instead: a 100,000-row timeline streams in seconds.

Every piece of ledger text on its way to a terminal goes through `terminal_text`,
here, whichever of the three forms it lands in (JSON is exact: its encoder escapes
control characters itself). A title holding `ESC ]52;...` (a clipboard write), `ESC [2J`
or a right-to-left override is shown as those escapes, never acted on. Ids, country
codes, kinds and dates need no escaping: the loader admits only letters, digits and
hyphens there (`values.ID`, `values.CODE`) or a fixed word.

Rich is imported inside the render_* functions only: `--json` never loads it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from itertools import compress, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Iterable

from .model import DEESCALATING, DEFAULT_WEIGHT, Event, Ledger, LedgerDate, Measure, Moment

if TYPE_CHECKING:  # only named in annotations: a timeline need not import the chains' module
    from .chains import ChainNode, ChainRows, ChainStats
    from .deadlines import DeadlineRow
    from .select import Selection
    from .show import RecordView
    from .summary import CountrySummary

# Above this many rows (or tree nodes) people's output is plain aligned text.
RICH_ROW_LIMIT = 200


# --- text for a terminal -----------------------------------------------------------------

# What a terminal acts on instead of showing, or shows in another order than written:
# C0 controls (but the newline and the tab, which only move to the next line or tab
# stop), DEL, C1 controls (U+0080-U+009F: U+009B is a CSI on
# many terminals), the Arabic letter mark, left-to-right and right-to-left marks, line
# and paragraph separators, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069: the "Trojan Source" characters). `ledger check`
# warns about them (check.check_control_characters) and `ledger add` refuses them.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(char: str) -> str:
    """One unsafe character as people see it: `\\x1b`, `\\x9b`, `\\u202e`."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _shown_match(m: re.Match) -> str:
    return shown(m.group())


def terminal_text(text: str) -> str:
    """Ledger text made safe for a terminal: every character in `UNSAFE` shown as its
    escape (`\\x1b`, `\\u202e`), so nothing in a ledger moves the cursor, clears the
    screen, sets the window title, writes the clipboard or reorders what is shown.
    Newlines and tabs stay (notes and quotes have lines). Text with nothing to escape
    is returned as is, tested in C (`str.isprintable`) first."""
    if text.isprintable():
        return text
    return UNSAFE.sub(_shown_match, text)


def _terminal_column(texts: list[str]) -> list[str]:
    """`terminal_text` of a column of a long report, asked in C first (100,000 titles
    with nothing to escape: a few milliseconds)."""
    if all(map(str.isprintable, texts)):
        return texts
    return list(map(terminal_text, texts))


def _text(text: str, style: str = ""):
    """Ledger text as a Rich Text: never markup, never a control character."""
    from rich.text import Text

    return Text(terminal_text(text), style=style)


# --- fitting people's views to the width they are printed at ------------------------------

# People's views are laid out when Rich prints them, for the width it prints at: a table
# while its wrapping column keeps at least TEXT_MIN columns and room for every id in it;
# below that, each entry as a heading line with its text under it, two columns in, so
# an id always has nearly the whole width. Rich wraps text only at blanks, so an id, a
# country code or a kind (`acquisition-block`) is never broken inside: it goes whole to
# the next line, and is folded only when it is wider than the terminal itself.
TEXT_MIN = 30
GAP = 2  # blanks between two columns (Rich's cell padding, with no box and no edge)


class _Fitted:
    """A view laid out for the width it is printed at: `layout(width)` makes the
    renderable, and each line it prints loses its trailing blanks (Rich pads every table
    cell to its column's width; piped into a file or another program, those blanks are
    noise)."""

    __slots__ = ("layout",)

    def __init__(self, layout) -> None:
        self.layout = layout

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        from .grid import Grid

        new_line = Segment.line()
        made = self.layout(options.max_width)
        # a grid makes its lines itself: no second pass splitting and measuring them
        lines = made.lines(console, options) if isinstance(made, Grid) else console.render_lines(made, options, pad=False)
        for line in lines:
            yield from _rstripped(line)
            yield new_line


def _rstripped(line: list) -> list:
    """A line of Rich segments without its trailing blanks."""
    end = len(line)
    while end and not line[end - 1].control and not line[end - 1].text.strip(" "):
        end -= 1
    if end and not line[end - 1].control and line[end - 1].text.endswith(" "):
        last = line[end - 1]
        return [*line[:end - 1], last._replace(text=last.text.rstrip(" "))]
    return line[:end]


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _longest_word(texts: Iterable[str]) -> int:
    """The widest run of non-blanks in these texts: what a column must hold unbroken."""
    return max((_cells(word) for text in texts for word in text.split()), default=0)


def _fits(text_width: int, texts: Iterable[str]) -> bool:
    """Whether a wrapping column this wide is wide enough: TEXT_MIN columns, and room
    for the widest id or word it holds."""
    return text_width >= TEXT_MIN and text_width >= _longest_word(texts)


def _packed(items: list[str], width: int) -> str:
    """`a 1, b 2, c 3` in lines of at most `width` columns, broken only between items:
    a kind and its count (`import-restriction 1`) stay on one line."""
    lines: list[str] = []
    line = ""
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if line and _cells(line) + 1 + _cells(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    return "\n".join([*lines, line])


def _indented(renderable, by: int = 2):
    from rich.padding import Padding

    return Padding(renderable, (0, 0, 0, by))


# --- small shared pieces ---------------------------------------------------------------


def iso(value) -> str | None:
    """A LedgerDate, date or date-time as an ISO 8601 string (None stays None)."""
    if value is None:
        return None
    if isinstance(value, LedgerDate):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def moment_text(moment: Moment, precision: str = "day") -> str:
    """`2025-11-01`, `2025-11-01 06:00-05:00` (offset kept), or `2025-07` for a month."""
    if isinstance(moment, datetime):
        return moment.isoformat(sep=" ", timespec="minutes")
    if precision != "day":
        return str(LedgerDate(moment, precision))  # type: ignore[arg-type]
    return moment.isoformat()


def who(actor: Iterable[str], target: Iterable[str]) -> str:
    """`US → CN`; a mutual measure (same countries on both sides) is `US ↔ CN`."""
    actor, target = tuple(actor), tuple(target)
    if set(actor) == set(target) and len(actor) > 1:
        return " ↔ ".join(actor)
    return f"{', '.join(actor)} → {', '.join(target)}"


def record_who(r: Measure | Event) -> str:
    if isinstance(r, Measure):
        return who(r.actor, r.target)
    return ", ".join(r.countries)


class _DateTexts(dict):
    """`str()` of each distinct LedgerDate, worked out once: a big ledger has a few
    thousand distinct dates for a hundred thousand records. Keyed by the date's
    value, so equal dates (one text) share an entry and a day never meets its month."""

    def __missing__(self, date: LedgerDate) -> str:
        text = self[date] = str(date)
        return text


class _WhoTexts(dict):
    """`who(actor, target)` of each distinct (actor, target) pair, worked out once."""

    def __missing__(self, pair: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
        text = self[pair] = who(*pair)
        return text


def header(ledger: Ledger, selection: Selection, bundled: bool, count: str | None = None) -> str:
    """The line above people's output: which ledger, seen as of which day, with which filters."""
    parts = ["bundled ledger" if bundled else ledger.path, *selection.describe()]
    if count:
        parts.append(count)
    return terminal_text(" · ".join(parts))


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _align(rows: list[tuple[str, ...]]) -> str:
    """Plain columns, padded to the widest cell; the last column is left ragged."""
    if not rows:
        return ""
    # Column by column in C (map, zip, join): a 100,000-row report is padded in milliseconds.
    *columns, last = zip(*rows)
    padded = [map(str.ljust, column, repeat(max(map(len, column)))) for column in columns]
    return "\n".join(map(str.rstrip, map("  ".join, zip(*padded, last)))) + "\n"


# --- timeline --------------------------------------------------------------------------


def links_json(m: Measure) -> list[dict]:
    """Every link of a measure, each with its basis: [{basis, to}] (keys in sorted order)."""
    if not m.links:  # the usual measure: every link stated
        return [{"basis": "stated", "to": i} for i in m.responds_to]
    return [{"basis": m.basis(i), "to": i} for i in m.responds_to]


def answers_text(m: Measure) -> str:
    """The ids a measure answers, each inferred link marked `(inferred)`."""
    if not m.links:
        return ", ".join(m.responds_to)
    return ", ".join(f"{i} (inferred)" if m.basis(i) == "inferred" else i for i in m.responds_to)


def provenance_notes(r: Measure | Event) -> list[str]:
    """Words for what is our inference and what sources dispute, for a record's lines."""
    notes = []
    if r.inferred:
        notes.append("inferred: " + ", ".join(r.inferred))
    if isinstance(r, Measure) and r.reports:
        disputed = r.disputed()
        if disputed:
            notes.append("disputed: " + ", ".join(disputed))
    return notes


def timeline_json(records: Iterable[Measure | Event]) -> list[dict]:
    """Items: measures {actor, date, disputed, id, inferred, kind, links [{basis, to}],
    responds_to, status, target, title, type}; events {countries, date, end, id, inferred,
    kind, status, title, type}.

    Each dict's keys are written in sorted order and lists are the records' own tuples, so
    the JSON text is written without sorting or copying anything (`emit_json(...,
    keys_sorted=True)`): a third of a big timeline's JSON time. A test holds the order."""
    out = []
    append = out.append
    dates = _DateTexts()
    for r in records:
        if r.__class__ is Measure:
            answers = r.responds_to
            append({
                "actor": r.actor, "date": dates[r.date], "disputed": r.disputed() if r.reports else (),
                "id": r.id, "inferred": r.inferred, "kind": r.kind._value_,
                # links_json inlined for the usual measure (every link stated): a tenth of
                # a 100,000-measure timeline's time was the call alone
                "links": [{"basis": "stated", "to": i} for i in answers] if not r.links else links_json(r),
                "responds_to": answers, "status": r.status._value_, "target": r.target, "title": r.title,
                "type": "measure",
            })
        else:
            append({
                "countries": r.countries, "date": dates[r.date], "end": iso(r.end), "id": r.id,
                "inferred": r.inferred, "kind": r.kind._value_, "status": r.status._value_, "title": r.title,
                "type": "event",
            })
    return out


def render_timeline(records: list[Measure | Event]):
    """A table (date, who, kind and status, title with the entry's id and the ids it
    answers) where the title column is at least TEXT_MIN wide and holds every id whole;
    else each entry as a line of date, who, kind and status with the rest under it."""
    return _Fitted(lambda width: _timeline_layout(records, width))


def _timeline_parts(r: Measure | Event):
    """(date, who, kind, status, title as Rich Text) of one timeline entry."""
    from rich.text import Text

    title = _text(r.title)
    title.append("\n" + r.id, style="dim")  # what `ledger show ID` takes
    if isinstance(r, Measure):
        kind = Text(r.kind.value, style="green" if r.kind in DEESCALATING else "")
        if r.responds_to:
            title.append("\n↳ answers " + answers_text(r), style="dim")
    else:
        kind = Text(r.kind.value, style="cyan italic")
        title.stylize("italic")
    for note in provenance_notes(r):
        title.append("\n" + note, style="yellow" if note.startswith("disputed") else "dim")
    return str(r.date), record_who(r), kind, Text(r.status.value, style="dim"), title


def _timeline_layout(records: list[Measure | Event], width: int):
    from rich.console import Group
    from rich.text import Text

    from .grid import Grid

    rows = [_timeline_parts(r) for r in records]
    date_w = max([4, *(len(d) for d, *_ in rows)])
    who_w = max([3, *(_cells(w) for _, w, *_ in rows)])
    kind_w = max([len("Kind · status"), *(max(len(k), len(s)) for _, _, k, s, _ in rows)])
    text_w = width - (date_w + who_w + kind_w + 3 * GAP)
    if _fits(text_w, (f"{r.id} {answers_text(r) if isinstance(r, Measure) else ''}" for r in records)):
        table = Grid(("Date", "Who", "Kind · status", "Title"))
        for date, who, kind, status, title in rows:
            table.add_row(Text(date), Text(who), Text.assemble(kind, "\n", status), title)
        return table
    parts = []
    for date, who, kind, status, title in rows:
        parts.append(Text.assemble(date.ljust(date_w), "  ", who.ljust(who_w), "  ", kind, " · ", status))
        parts.append(_indented(title))
    return Group(*parts)


def timeline_lines(records: list[Measure | Event]) -> str:
    dates = _DateTexts()
    whos = _WhoTexts()
    rows = []
    titles = _terminal_column(list(map(_TITLE, records)))
    for r, title in zip(records, titles):
        if isinstance(r, Measure):
            answers = r.responds_to
            title = f"{title}  (answers {answers_text(r)})" if answers else title
            rows.append((dates[r.date], whos[r.actor, r.target], r.kind._value_, r.status._value_,
                         title + "".join(f"  [{n}]" for n in provenance_notes(r)) if r.inferred or r.reports else title))
        else:
            rows.append((dates[r.date], ", ".join(r.countries), r.kind._value_, r.status._value_,
                         title + "".join(f"  [{n}]" for n in provenance_notes(r)) if r.inferred else title))
    return _align([("DATE", "WHO", "KIND", "STATUS", "TITLE"), *rows])


# --- deadlines -------------------------------------------------------------------------


def deadlines_json(rows: Iterable[DeadlineRow]) -> list[dict]:
    """Items {date, days_left, hours_left, countdown, what, title, ref, countries, disputed, disputed_by,
    inferred} (the date is our reading: its field is under the record's `inferred:`)."""
    out = []
    for row in rows:
        d = row.deadline
        out.append({
            "date": iso(d.moment) if d.precision == "day" else str(d.date),
            "days_left": row.days_left,
            "hours_left": None if row.hours_left is None else round(row.hours_left, 2),
            "countdown": row.text,
            "what": d.what,
            "title": d.title,
            "ref": d.ref,
            "countries": list(d.countries),
            "disputed": row.disputed,
            "disputed_by": d.disputed_by,
            "inferred": d.inferred,
        })
    return out


def urgency(row: DeadlineRow) -> str:
    """Rich style by how close a deadline is: passed dim, under two days bold red,
    a week red, a month yellow, further green."""
    if row.passed:
        return "dim"
    if row.hours_left is not None or row.days_left == 0:
        return "bold red"
    if row.days_left <= 7:
        return "red"
    if row.days_left <= 30:
        return "yellow"
    return "green"


def _what(row: DeadlineRow) -> str:
    return row.deadline.what


def _dispute_note(row: DeadlineRow) -> str:
    if row.deadline.disputed_by:
        return f"disputed: the version of {row.deadline.disputed_by}"
    if row.disputed:
        return "disputed: a source gives another date"
    return ""


INFERRED_DATE = "inferred date"  # a deadline whose day is our reading, as `inferred link` says of a link


def _notes(row: DeadlineRow) -> list[tuple[str, str]]:
    """What a deadline's row says under its title: (text, style) of its dispute and of
    an inferred date."""
    out = []
    note = _dispute_note(row)
    if note:
        out.append((note, "magenta"))
    if row.deadline.inferred:
        out.append((INFERRED_DATE, "yellow"))
    return out


def render_deadlines(rows: list[DeadlineRow]):
    """A table (date, countdown, what and countries, title and id) where the title column
    is at least TEXT_MIN wide and holds every id whole; else each deadline as a line of
    date, countdown, what and countries with its title and id under it."""
    return _Fitted(lambda width: _deadlines_layout(rows, width))


def _deadlines_layout(rows: list[DeadlineRow], width: int):
    from rich.console import Group
    from rich.text import Text

    from .grid import Grid

    dates = [moment_text(row.deadline.moment, row.deadline.precision) for row in rows]
    countries = [", ".join(row.deadline.countries) for row in rows]
    titles = []
    for row in rows:
        title = _text(row.deadline.title)
        for note, style in _notes(row):
            title.append(f"\n{note}", style=style)
        title.append(f"\n{row.deadline.ref}", style="dim")
        titles.append(title)
    date_w = max([4, *map(len, dates)])
    count_w = max([len("Countdown"), *(len(row.text) for row in rows)])
    what_w = max([4, *(len(_what(row)) for row in rows), *map(len, countries)])
    text_w = width - (date_w + count_w + what_w + 3 * GAP)
    if _fits(text_w, (" ".join([row.deadline.ref, *(note for note, _ in _notes(row))]) for row in rows)):
        table = Grid(("Date", "Countdown", "What", "Title · id"))
        for row, date, who, title in zip(rows, dates, countries, titles):
            what = Text(_what(row))
            what.append(f"\n{who}", style="dim")
            table.add_row(Text(date), Text(row.text, style=urgency(row)), what, title,
                          style="dim" if row.passed else None)
        return table
    parts = []
    what_w = max(len(_what(row)) for row in rows)  # the countries follow on the line, not under
    for row, date, who, title in zip(rows, dates, countries, titles):
        head = Text.assemble(date.ljust(date_w), "  ", (row.text.ljust(count_w), urgency(row)), "  ",
                             _what(row).ljust(what_w), "  ", (who, "dim"))
        if row.passed:
            head.stylize("dim")
            title.stylize("dim")
        parts.append(head)
        parts.append(_indented(title))
    return Group(*parts)


def deadlines_lines(rows: list[DeadlineRow]) -> str:
    out = [("DATE", "COUNTDOWN", "WHAT", "REF", "TITLE")]
    for row in rows:
        d = row.deadline
        note = "; ".join(note for note, _ in _notes(row))
        out.append((moment_text(d.moment, d.precision), row.text, _what(row), d.ref,
                    terminal_text(d.title) + (f"  ({note})" if note else "")))
    return _align(out)


# --- chains ----------------------------------------------------------------------------


# Levels of answers one JSON tree holds. jq 1.6 (Debian's) refuses JSON nested deeper
# than 256, counting an object twice and a list once (measured): a node at level k takes
# 3k + 3 of those, its actor list one more; 64 leaves room. And indented text of deep
# nesting grows with the square of the depth (a 10,000-deep chain wrote 2 GB).
JSON_LEVELS = 64


def _tree_json(root: ChainNode, dates: _DateTexts | None = None, cut: list | None = None) -> dict:
    """One chain as nested dicts (see `chains_json`), at most JSON_LEVELS answers deep: a
    node at that level with answers of its own gets `continued: true` and no responses,
    and is added to `cut` (a list) to be continued in a tree of its own."""
    dates = _DateTexts() if dates is None else dates

    def node_json(node: ChainNode, parent: str | None = None) -> dict:
        m, lag, _, repeated = node
        own = m.weight
        return {"id": m.id, "date": dates[m.date], "actor": list(m.actor), "target": list(m.target),
                "kind": m.kind._value_, "title": m.title,
                "weight": own if own is not None else DEFAULT_WEIGHT[m.kind],  # m.escalation
                "lag_days": lag, "repeated": repeated,
                # the link to the measure above: stated or inferred (a root answers nothing here)
                "basis": None if parent is None else "stated" if not m.links else m.basis(parent),
                "inferred": list(m.inferred), "responses": []}

    # Iterative: json.dumps copes with the nesting, but building it must not recurse.
    top = node_json(root)
    stack = [(root, top, 0)]
    while stack:
        node, out, level = stack.pop()
        children = out["responses"]
        for child in node.responses:
            c = node_json(child, node.measure.id)
            children.append(c)
            if child.responses:
                if level + 1 < JSON_LEVELS or cut is None:
                    stack.append((child, c, level + 1))
                else:
                    c["continued"] = True
                    cut.append(child)
    return top


def stats_json(stats: ChainStats) -> dict:
    return {"steps": stats.steps, "depth": stats.depth, "moves": dict(stats.moves), "weight": stats.weight}


def chains_json(chains: Iterable[tuple[ChainNode, ChainStats]]) -> list[dict]:
    """A list of trees. Every node {id, date, actor, target, kind, title, weight, lag_days,
    repeated, basis (of its link to the node above: stated or inferred; null for a root),
    inferred (fields), responses}; each root also carries `stats` {steps, depth, moves, weight}.

    A chain more than JSON_LEVELS answers deep is cut there: the node at the cut has
    `continued: true` and empty `responses`, and right after its chain's tree comes a tree
    starting again at that node, with `continues` (the id of the chain's root) in place of
    `stats`; and so on, every JSON_LEVELS levels. Every node is written once (as for any
    chain, a measure answering two measures appears under both), so the output grows with
    the chain, not with the square of its depth, and jq 1.6 reads it."""
    out = []
    dates = _DateTexts()
    for root, stats in chains:
        cut: list[ChainNode] = []
        tree = _tree_json(root, dates, cut)
        tree["stats"] = stats_json(stats)
        out.append(tree)
        for node in cut:  # grows while it is walked: a continuation may be cut again
            more = _tree_json(node, dates, cut)
            more["continues"] = root.measure.id
            out.append(more)
    return out


def chain_heading(stats: ChainStats) -> str:
    moves = ", ".join([f"{c} {n}" for c, n in stats.moves.items()])
    return (f"{plural(stats.steps, 'step')}, depth {stats.depth} · moves: {moves} · "
            f"escalation weight {stats.weight:+d}")


def _lag_text(node: ChainNode, is_root: bool) -> str:
    return "" if is_root else _lag_words(node.lag_days)


def _lag_words(lag_days: int | None) -> str:
    if lag_days is None:
        return "lag unknown"
    return f"{plural(lag_days, 'day')} later" if lag_days >= 0 else f"{plural(-lag_days, 'day')} earlier"


def _node_label(node: ChainNode, is_root: bool, focus: str | None, answers: str | None = None,
                parent: str | None = None):
    """A node's two lines: date, who and title; then its id, the lag and notes. `answers`:
    the id of the measure it answers, when that is not the line above it (a flat list);
    `parent`: the id of the measure it answers here (its link may be inferred)."""
    from rich.text import Text

    m = node.measure
    label = Text()
    label.append(str(m.date), style="bold" if m.id == focus else "")
    label.append("  ")
    label.append(who(m.actor, m.target), style="cyan")
    label.append("  ")
    label.append(terminal_text(m.title), style="bold" if m.id == focus else ("green" if m.kind in DEESCALATING else ""))
    if m.id == focus:
        label.append("  ◀", style="bold")
    notes = _node_notes(node, is_root)
    if answers is not None:
        notes.insert(1, f"answers {answers}")
    if parent is not None and m.links and m.basis(parent) == "inferred":
        notes.insert(1, "inferred link")
    notes += provenance_notes(m)
    label.append("\n" + " · ".join(notes), style="dim")
    return label


def _node_notes(node: ChainNode, is_root: bool) -> list[str]:
    notes = [node.measure.id]
    lag = _lag_text(node, is_root)
    if lag:
        notes.append(lag)
    if node.repeated:
        notes.append("its answers are shown above")
    return notes


def tree_levels(width: int) -> int:
    """Levels of answers a chain's tree shows by indentation at this width (4 columns a
    level): 2 at 60 columns, 4 at 80, 8 from 120. Deeper answers are listed flat (see
    `render_chains`), so a long line of answers never leaves the text a few columns."""
    return max(2, min(8, (width - 40) // 10))


def render_chains(chains: list[tuple[ChainNode, ChainStats]], focus: str | None = None):
    """Each chain as a tree: a measure, and under it the measures that answered it.
    Indentation stops at `tree_levels(width)`: a node at that level lists everything below
    it flat, each line marked ↳, and saying which measure it answers when that is not the
    line just above."""
    return _Fitted(lambda width: _chains_layout(chains, focus, _levels_for(chains, width)))


def _levels_for(chains: list[tuple[ChainNode, ChainStats]], width: int) -> int:
    """`tree_levels(width)`, fewer if the flat list would leave no room for the longest id."""
    longest = max((len(node.measure.id) for root, _ in chains for node in root.walk()), default=0)
    levels = tree_levels(width)
    while levels > 0 and width - 4 * (levels + 1) - 2 < longest:
        levels -= 1
    return levels


def _flat_answers(top: ChainNode, focus: str | None):
    """Everything below `top`, depth first, as a grid of `↳` lines (hanging indent)."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    above = top.measure.id
    stack = [(child, top.measure.id) for child in reversed(top.responses)]
    while stack:
        node, parent = stack.pop()
        grid.add_row("↳", _node_label(node, False, focus, None if parent == above else parent, parent))
        above = node.measure.id
        stack.extend((child, node.measure.id) for child in reversed(node.responses))
    return grid


def _chains_layout(chains: list[tuple[ChainNode, ChainStats]], focus: str | None, levels: int):
    from rich.console import Group
    from rich.text import Text
    from rich.tree import Tree

    parts = []
    for i, (root, stats) in enumerate(chains, 1):
        tree = Tree(Text(f"Chain {i}: {chain_heading(stats)}", style="bold"), guide_style="dim")
        stack = [(root, tree, 0, None)]
        while stack:
            node, parent, level, above = stack.pop()
            label = _node_label(node, level == 0, focus, parent=above)
            if level == levels and node.responses:
                label = Group(label, _flat_answers(node, focus))
            branch = parent.add(label)
            if level < levels:
                stack.extend((child, branch, level + 1, node.measure.id) for child in reversed(node.responses))
        if i > 1:
            parts.append(Text(""))
        parts.append(tree)
    return Group(*parts)


class _Tails(dict):
    """The end of a non-root node's line, after its id: `; 3 days later)`, worked out
    once per number of days (see `_lag_words`)."""

    def __missing__(self, lag: int | None) -> str:
        text = self[lag] = f"; {_lag_words(lag)})"
        return text


_DATE, _WHO, _TITLE, _ID = attrgetter("date"), attrgetter("actor", "target"), attrgetter("title"), attrgetter("id")
_SHOWN_ABOVE = "; its answers are shown above)"


# Levels of answers shown by indentation alone. Deeper lines keep the last indent and say
# their level (`57> `): text indented by depth grows with the square of a chain's depth
# (a 50,000-deep chain made 2.5 GB of spaces) and leaves no room for the text.
INDENT_LEVELS = 16


def _indent_text(depth: int) -> str:
    if depth <= INDENT_LEVELS:
        return "  " * (depth + 1)
    return "  " * (INDENT_LEVELS + 1) + f"{depth}> "


def _provenance_tails(rows: ChainRows, tails: list[str]) -> None:
    """Mark, in each node's brackets, an inferred link to the node above and the node's
    inferred or disputed values. Only for chains that have any (a walk in Python)."""
    above: list[str] = []  # the id at each depth on the way down
    for at, (m, depth) in enumerate(zip(rows.measures, rows.depths)):
        del above[depth:]
        notes = provenance_notes(m)
        if depth and m.links and m.basis(above[depth - 1]) == "inferred":
            notes.insert(0, "inferred link")
        if notes:
            tails[at] = "; " + "; ".join(notes) + (tails[at] if tails[at] != ")" else ")")
        above.append(m.id)


def chains_lines(rows: ChainRows, focus: str | None = None) -> str:
    """Each chain's heading, then a line a node, indented by depth (past INDENT_LEVELS, the
    level is written instead): date, who, title, and in brackets the id, the lag (not for
    a root) and whether its answers are shown above.
    Column by column in C (map, zip, join): 100,000 nodes in a fifth of a second."""
    measures, starts = rows.measures, rows.starts
    tails = list(map(_Tails().__getitem__, rows.lags))
    for at in starts[:-1]:
        tails[at] = ")"  # a root: its id only
    for at in compress(range(len(tails)), rows.repeated):
        tails[at] = tails[at][:-1] + _SHOWN_ABOVE
    if focus is not None:
        for at in compress(range(len(tails)), map(focus.__eq__, map(_ID, measures))):
            tails[at] += "  <"
    if any(map(attrgetter("links"), measures)) or any(map(attrgetter("inferred"), measures)) \
            or any(map(attrgetter("reports"), measures)):
        _provenance_tails(rows, tails)
    indents = [_indent_text(depth) for depth in range(max(rows.depths, default=0) + 1)]
    lines = list(map("".join, zip(
        map(indents.__getitem__, rows.depths), map(_DateTexts().__getitem__, map(_DATE, measures)), repeat("  "),
        map(_WhoTexts().__getitem__, map(_WHO, measures)), repeat("  "), _terminal_column(list(map(_TITLE, measures))), repeat("  ("),
        map(_ID, measures), tails)))
    out = []
    for i, stats in enumerate(rows.stats, 1):
        out.append(f"Chain {i}: {chain_heading(stats)}")
        out += lines[starts[i - 1]:starts[i]]
        out.append("")
    return "\n".join(out)


# --- links -----------------------------------------------------------------------------


def _link_said(r) -> str:
    """What a link rests on: its sources when stated, our note when inferred."""
    return ", ".join(r.sources) if r.basis == "stated" else (r.note or "(no note)")


def links_lines(rows) -> str:
    """Long lists: every link, one a line: measure, the one it answers, basis, its sources or note."""
    out = [("MEASURE", "ANSWERS", "BASIS", "SOURCES · NOTE")]
    for r in rows:
        out.append((r.measure, r.responds_to, r.basis, terminal_text(_link_said(r)).replace("\n", " ")))
    return _align(out) if rows else ""


def render_links(rows):
    """A table (the measure, the one it answers, the basis, its sources or note, wrapped)
    while the last column has room (TEXT_MIN, and its longest word); else each link as a
    line of the two ids and the basis, with its sources or note under it."""
    return _Fitted(lambda width: _links_layout(rows, width))


def _links_layout(rows, width: int):
    from rich.console import Group
    from rich.text import Text

    from .grid import Grid

    said = [_link_said(r) for r in rows]
    measure_w = max(len("Measure"), *(len(r.measure) for r in rows))
    answers_w = max(len("Answers"), *(len(r.responds_to) for r in rows))
    rest = width - (measure_w + answers_w + len("inferred") + 3 * GAP)
    if _fits(rest, said):
        table = Grid(("Measure", "Answers", "Basis", "Sources · note"))
        for r, text in zip(rows, said):
            table.add_row(Text(r.measure), Text(r.responds_to), Text(r.basis, style="dim" if r.basis == "inferred" else ""),
                          _text(text))
        return table
    parts = []
    for r, text in zip(rows, said):
        parts.append(Text.assemble(r.measure, " answers ", r.responds_to, "  ", (r.basis, "dim")))
        parts.append(_indented(_text(text)))
    return Group(*parts)


def suggestions_json(found) -> list[dict]:
    """Items {id, from, to, basis: "inferred", score, reasons, lag_days, note}."""
    return [{"id": s.id, "from": s.measure, "to": s.responds_to, "basis": "inferred", "score": s.score,
             "reasons": list(s.reasons), "lag_days": s.lag_days, "note": s.note} for s in found]


def suggestions_yaml(found) -> str:
    """Suggested links as a `links:` block to paste into a ledger, each inferred with its
    reasons as its note (shown as a terminal shows it: this is printed, not written)."""
    import json

    if not found:
        return ""
    lines = ["# Suggested, not stated: check each against the sources before you keep it.", "links:"]
    for s in found:
        lines += [f"  - from: {s.measure}  # {s.id}, score {s.score:.2f}", f"    to: {s.responds_to}", "    basis: inferred",
                  f"    note: {json.dumps(terminal_text(s.note), ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"


def suggestions_lines(found) -> str:
    """Long lists: id, score, the measure, the one it may answer, the reasons on one line."""
    reasons = _terminal_column(["; ".join(s.reasons) for s in found])
    return _align([("ID", "SCORE", "MEASURE", "MAY ANSWER", "REASONS"),
                   *zip(map(attrgetter("id"), found), [f"{s.score:.2f}" for s in found],
                        map(attrgetter("measure"), found), map(attrgetter("responds_to"), found), reasons)]) if found else ""


SUGGESTION_REASONS_MIN = 24  # the reasons column's narrowest: "CN targets US and US targets CN" wraps in two


def render_suggestions(found, titles: dict[str, str]):
    """A table (id, score, the measure and the one it may answer with their titles, the
    reasons one a line) while both text columns have room (the ids whole); else each
    suggestion as a line of id, score and measure, with the rest under it. `titles`:
    measure id -> title."""
    return _Fitted(lambda width: _suggestions_layout(found, titles, width))


def _suggestion_pair(s, titles: dict[str, str], with_measure: bool = True):
    """The measure (its id unless the line above has it) and its title, and the one it
    may answer with its title."""
    from rich.text import Text

    pair = Text(s.measure + "\n") if with_measure else Text()
    pair.append_text(_text(titles.get(s.measure, ""), "dim"))
    pair.append(f"\nanswers {s.responds_to}\n")
    pair.append_text(_text(titles.get(s.responds_to, ""), "dim"))
    return pair


def _suggestions_layout(found, titles: dict[str, str], width: int):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    id_w = max([2, *(len(s.id) for s in found)])
    score_w = len("Score")
    longest = max([_longest_word(f"{s.measure} {s.responds_to}" for s in found), _longest_word(
        reason for s in found for reason in s.reasons)])
    rest = width - (id_w + score_w + 3 * GAP)
    pair_w = max(TEXT_MIN, longest)
    if rest - pair_w >= max(SUGGESTION_REASONS_MIN, longest):
        # the reasons as wide as their longest line when there is room, the titles the rest
        reasons_w = min(max(_cells(r) for s in found for r in s.reasons), rest - pair_w)
        reasons_w = max(reasons_w, SUGGESTION_REASONS_MIN, longest)
        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column("Id", no_wrap=True)
        table.add_column("Score", no_wrap=True, justify="right")
        table.add_column("Measure · may answer", overflow="fold", width=rest - reasons_w)
        table.add_column("Reasons", overflow="fold", width=reasons_w)
        for s in found:
            table.add_row(Text(s.id, style="dim"), Text(f"{s.score:.2f}", style="bold"), _suggestion_pair(s, titles),
                          _text("\n".join(s.reasons)))
        return table
    parts = []
    for s in found:
        parts.append(Text.assemble((s.id, "dim"), "  ", (f"{s.score:.2f}", "bold"), "  ", s.measure))
        body = _suggestion_pair(s, titles, with_measure=False)
        body.append("\n")
        body.append_text(_text("\n".join(f"· {r}" for r in s.reasons)))
        parts.append(_indented(body))
    return Group(*parts)


# --- summary ---------------------------------------------------------------------------


def summary_json(rows: Iterable[CountrySummary]) -> list[dict]:
    """Items {country, name, imposed, received, in_force, events, kinds, weight, latest, next_deadline,
    in_force_disputed (ids of its measures whose being in force the sources dispute)}."""
    out = []
    for r in rows:
        latest = None
        if r.latest is not None:
            latest = {"id": r.latest.id, "date": str(r.latest.date), "title": r.latest.title}
        nxt = None
        if r.next_deadline is not None:
            nxt = deadlines_json([r.next_deadline])[0]
        out.append({
            "country": r.country, "imposed": r.imposed, "received": r.received, "in_force": r.in_force,
            "events": r.events, "kinds": dict(r.kinds), "weight": r.weight, "latest": latest,
            "next_deadline": nxt, "in_force_disputed": list(r.in_force_disputed),
        })
    return out


def _kinds_text(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in kinds.items()) or "-"


def _next_text(row: DeadlineRow | None) -> str:
    if row is None:
        return "-"
    return f"{moment_text(row.deadline.moment, row.deadline.precision)} ({row.text}): {row.deadline.what}, {row.deadline.ref}"


_SUMMARY_COLUMNS = (("Country", "left"), ("Imposed", "right"), ("Received", "right"), ("In force", "right"),
                    ("Weight", "right"))
SUMMARY_DETAIL_MIN = 40  # below this, a country's kinds, latest measure and next deadline go under its row


def render_summary(rows: list[CountrySummary]):
    """A table whose last column (by kind, latest, next deadline) keeps at least
    SUMMARY_DETAIL_MIN columns; else the numbers as a table, each country's details
    under its row. Kinds are listed `kind n`, broken only between kinds."""
    return _Fitted(lambda width: _summary_layout(rows, width))


def _in_force_text(r: CountrySummary) -> str:
    """The in-force count, marked `*` when sources dispute one of its measures (see `_disputed_text`)."""
    return f"{r.in_force}*" if r.in_force_disputed else str(r.in_force)


def _disputed_text(r: CountrySummary) -> str:
    return "* in force disputed: " + ", ".join(r.in_force_disputed) + " (sources disagree)"


def _summary_cells(r: CountrySummary) -> list[str]:
    return [r.country, str(r.imposed), str(r.received), _in_force_text(r), f"{r.weight:+d}"]


def _summary_detail(r: CountrySummary, kinds_width: int):
    from rich.text import Text

    detail = Text(_packed([f"{k} {n}" for k, n in r.kinds.items()], kinds_width) if r.kinds else "-")
    if r.in_force_disputed:
        detail.append(f"\n{_disputed_text(r)}", style="yellow")
    if r.latest is not None:
        detail.append(f"\nlatest: {r.latest.date} {terminal_text(r.latest.title)}", style="dim")
    if r.next_deadline is not None:
        detail.append(f"\nnext: {_next_text(r.next_deadline)}", style=urgency(r.next_deadline))
    return detail


def _summary_layout(rows: list[CountrySummary], width: int):
    from rich.console import Group
    from rich.text import Text

    from .grid import Grid

    cells = [_summary_cells(r) for r in rows]
    widths = [max([len(name), *(len(c[i]) for c in cells)]) for i, (name, _) in enumerate(_SUMMARY_COLUMNS)]
    detail_w = width - sum(widths) - len(widths) * GAP
    kinds = [f"{k} {n}," for r in rows for k, n in r.kinds.items()]
    if detail_w >= SUMMARY_DETAIL_MIN and _fits(detail_w, kinds):
        table = Grid([*(name for name, _ in _SUMMARY_COLUMNS), "By kind · latest · next deadline"],
                     [justify for _, justify in _SUMMARY_COLUMNS])
        for r, row in zip(rows, cells):
            table.add_row(Text(row[0], style="bold"), *row[1:], _summary_detail(r, detail_w))
        return table

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) if justify == "left" else v.rjust(w)
                         for v, w, (_, justify) in zip(values, widths, _SUMMARY_COLUMNS))

    parts = [Text(line([name for name, _ in _SUMMARY_COLUMNS]), style="bold")]
    for r, row in zip(rows, cells):
        text = Text(line(row))
        text.stylize("bold", 0, len(row[0]))
        parts.append(text)
        parts.append(_indented(_summary_detail(r, width - 2)))
    return Group(*parts)


def summary_lines(rows: list[CountrySummary]) -> str:
    out = [("COUNTRY", "IMPOSED", "RECEIVED", "IN FORCE", "WEIGHT", "BY KIND")]
    for r in rows:
        out.append((r.country, str(r.imposed), str(r.received), _in_force_text(r), f"{r.weight:+d}",
                    _kinds_text(r.kinds) + (f"  ({_disputed_text(r)})" if r.in_force_disputed else "")))
    return _align(out)


# --- show ------------------------------------------------------------------------------


def _value_json(value):
    if isinstance(value, (LedgerDate, date)):
        return iso(value)
    if isinstance(value, tuple):
        return [_value_json(v) for v in value]
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def show_json(view: RecordView) -> dict:
    """The record's fields, plus type, sources (objects), responds_to, responded_by,
    reports, disagreements, deadlines, inferred (fields), quotes {source: text} and, for a measure, links
    [{to, basis, sources, quote, note}]. Measures also give `weight` as used
    (the default for their kind when the file gives none)."""
    r = view.record
    if isinstance(r, Measure):
        out = {
            "type": "measure", "id": r.id, "date": str(r.date), "actor": list(r.actor), "target": list(r.target),
            "kind": r.kind.value, "title": r.title, "status": r.status.value, "effective": iso(r.effective),
            "expires": iso(r.expires), "not_before": iso(r.not_before), "weight": r.escalation,
            "tags": list(r.tags), "quote": r.quote, "notes": r.notes,
            "reports": [{"source": x.source, "quote": x.quote, "date": iso(x.date), "effective": iso(x.effective),
                         "expires": iso(x.expires), "not_before": iso(x.not_before),
                         "status": x.status.value if x.status else None} for x in r.reports],
        }
    else:
        out = {
            "type": "event", "id": r.id, "date": str(r.date), "end": iso(r.end), "title": r.title,
            "kind": r.kind.value, "status": r.status.value, "countries": list(r.countries), "place": r.place,
            "agenda": list(r.agenda), "tags": list(r.tags), "quote": r.quote, "notes": r.notes,
        }
    out["sources"] = [
        {"id": i, "title": s.title if s else None, "publisher": s.publisher if s else None,
         "published": iso(s.published) if s else None, "url": s.url if s else None,
         "author": s.author if s else None}
        for i, s in view.sources
    ]
    out["responds_to"] = [x if isinstance(x, str) else x.id for x in view.responds_to]
    out["inferred"] = list(r.inferred)
    out["quotes"] = dict(r.quotes)
    if isinstance(r, Measure):  # every link with its basis; a plain id is stated by the measure's sources
        written = {k.responds_to: k for k in r.links}
        out["links"] = [
            {"to": i, "basis": k.basis, "sources": list(k.sources) or list(r.sources), "quote": k.quote, "note": k.note}
            if (k := written.get(i)) is not None else
            {"to": i, "basis": "stated", "sources": list(r.sources), "quote": None, "note": None}
            for i in r.responds_to]
    out["responded_by"] = [m.id for m in view.responded_by]
    out["deadlines"] = deadlines_json(view.deadlines)
    out["disagreements"] = [
        {"field": d.field, "ours": _value_json(d.ours), "our_sources": list(d.our_sources),
         "theirs": _value_json(d.theirs), "source": d.source, "quote": d.quote}
        for d in view.disagreements
    ]
    return out


def _source_label(view: RecordView, source_id: str) -> str:
    for i, s in view.sources:
        if i == source_id and s is not None:
            return f"{s.publisher}, {s.published}" if s.published else s.publisher
    return source_id


def render_show(view: RecordView):
    """The record's fields, then its sources, answers, deadlines and the sources'
    disagreements, each section's lines two columns in."""
    return _Fitted(lambda width: _show_layout(view, width))


def _show_layout(view: RecordView, width: int):
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    from .grid import Grid

    r = view.record
    parts = []
    kind = "measure" if isinstance(r, Measure) else "event"
    head = Text()
    head.append(r.id, style="bold")
    head.append(f"  ({kind})", style="dim")
    parts.append(head)
    parts.append(_text(r.title, style="bold"))

    grid = Grid(2, styles=("dim",), header=False)

    def row(name: str, value) -> None:
        if value in (None, "", ()):
            return
        grid.add_row(name, value if isinstance(value, Text) else _text(str(value)))

    row("date", str(r.date))
    if isinstance(r, Measure):
        row("who", who(r.actor, r.target))
        row("kind", r.kind.value)
        row("status", r.status.value)
        row("effective", iso(r.effective))
        row("not before", iso(r.not_before))
        row("expires", iso(r.expires))
        row("weight", f"{r.escalation:+d}" + ("" if r.weight is not None else " (default for its kind)"))
    else:
        row("end", iso(r.end))
        row("kind", r.kind.value)
        row("status", r.status.value)
        row("countries", ", ".join(r.countries))
        row("place", r.place)
        row("agenda", "; ".join(r.agenda))
    row("tags", ", ".join(r.tags))
    row("quote", r.quote)
    for source, text in r.quotes:  # one per source: never a sentence of one joined to another's
        row("quote", f"{source}: {text}")
    row("inferred", ", ".join(r.inferred) + " (our reading, not stated by a source; see notes)" if r.inferred else None)
    if isinstance(r, Measure) and r.links:
        for link in r.links:
            said = link.note if link.basis == "inferred" else link.quote
            row("link", f"answers {link.responds_to}: {link.basis}" + (f" ({', '.join(link.sources)})" if link.sources else "")
                + (f": {said}" if said else ""))
    row("notes", r.notes)
    parts.append(Padding(grid, (1, 0, 0, 0)))

    def section(title: str, lines: list[Text]) -> None:
        if lines:
            parts.append(Text(""))
            parts.append(Text(title, style="bold"))
            for line in lines:
                parts.append(Padding(line, (0, 0, 0, 2)))

    sources = []
    for i, s in view.sources:
        t = Text(f"{i}: ", style="dim")
        if s is None:
            t.append("(not in the ledger's sources)", style="red")
        else:
            t.append(terminal_text(s.title))
            t.append(" — " + terminal_text(s.publisher))
            if s.author:
                t.append(", " + terminal_text(s.author))
            if s.published:
                t.append(f", {s.published}")
            if s.url:
                t.append("\n" + terminal_text(s.url), style="dim")
        sources.append(t)
    section("Sources", sources)

    if isinstance(r, Measure):
        answers = []
        for x in view.responds_to:
            answers.append(Text(f"{x} (not in this view of the ledger)") if isinstance(x, str)
                           else _text(f"{x.date}  {who(x.actor, x.target)}  {x.title}  ({x.id})"))
        section("Responds to", answers)
        section("Responded to by", [_text(f"{m.date}  {who(m.actor, m.target)}  {m.title}  ({m.id})")
                                    for m in view.responded_by])

    deadlines = []
    for d in view.deadlines:
        t = Text(f"{moment_text(d.deadline.moment, d.deadline.precision)}  ")
        t.append(d.text, style=urgency(d))
        t.append(f"  {d.deadline.what}")
        if d.deadline.disputed_by:
            t.append(f"  (according to {d.deadline.disputed_by})", style="magenta")
        if d.deadline.inferred:
            t.append(f"  ({INFERRED_DATE})", style="yellow")
        deadlines.append(t)
    section("Deadlines", deadlines)

    for d in view.disagreements:
        parts.append(Text(""))
        parts.append(Text(f"Sources disagree on {d.field}", style="bold magenta"))
        ours = ", ".join(f"{i} ({_source_label(view, i)})" for i in d.our_sources) or "the ledger"
        theirs = _text(f"{d.source} ({_source_label(view, d.source)})")
        if d.quote:
            theirs.append(terminal_text(f": “{d.quote}”"), style="italic")
        versions = [(_text(str(_value_json(d.ours))), _text(ours)), (_text(str(_value_json(d.theirs))), theirs)]
        value_w = max(_cells(value.plain) for value, _ in versions)
        if _fits(width - 2 - value_w - GAP, [*d.our_sources, d.source]):
            grid = Grid(2, header=False)  # each version's value, and beside it who gives it
            for value, by in versions:
                grid.add_row(value, by)
            parts.append(Padding(grid, (0, 0, 0, 2)))
        else:  # too narrow beside a long value: who gives it goes under it
            for value, by in versions:
                parts.append(Padding(value, (0, 0, 0, 2)))
                parts.append(Padding(by, (0, 0, 0, 4)))
    return Group(*parts)
