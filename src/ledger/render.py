"""Report rows -> JSON-ready dicts, Rich renderables, or plain aligned text. Never prints.

Three outputs for each report:
  *_json:   dicts and lists of str/int/None only, keys fixed (the `--json` contract,
            pinned by tests/test_json_contract.py); dates are ISO 8601 strings, a
            month-precision date stays `2025-10`; actor/target are always lists.
  render_*: Rich renderables for people (Table, Tree, Group). User text always goes
            in as `rich.text.Text`, never as markup, so a title `[bold]x[/x]` prints
            as written.
  *_lines:  plain aligned text for long outputs. A Rich Table costs about 1.6 ms a
            row, so above `RICH_ROW_LIMIT` rows the cli prints these lines instead:
            a 100,000-row timeline streams in seconds, not minutes.

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


def timeline_json(records: Iterable[Measure | Event]) -> list[dict]:
    """Items: measures {id, type, date, actor, target, kind, title, status, responds_to};
    events {id, type, date, end, countries, kind, title, status}."""
    out = []
    append = out.append
    dates = _DateTexts()
    for r in records:
        if isinstance(r, Measure):
            append({
                "id": r.id, "type": "measure", "date": dates[r.date], "actor": list(r.actor),
                "target": list(r.target), "kind": r.kind._value_, "title": r.title,
                "status": r.status._value_, "responds_to": list(r.responds_to),
            })
        else:
            append({
                "id": r.id, "type": "event", "date": dates[r.date], "end": iso(r.end),
                "countries": list(r.countries), "kind": r.kind._value_, "title": r.title,
                "status": r.status._value_,
            })
    return out


def render_timeline(records: list[Measure | Event]):
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Who", no_wrap=True)
    table.add_column("Kind · status", no_wrap=True)
    table.add_column("Title", ratio=1, overflow="fold")
    for r in records:
        title = _text(r.title)
        if isinstance(r, Measure):
            kind = Text(r.kind.value, style="green" if r.kind in DEESCALATING else "")
            if r.responds_to:
                title.append("\n↳ answers " + ", ".join(r.responds_to), style="dim")
        else:
            kind = Text(r.kind.value, style="cyan italic")
            title.stylize("italic")
        kind.append("\n" + r.status.value, style="dim")
        table.add_row(Text(str(r.date)), Text(record_who(r)), kind, title)
    return table


def timeline_lines(records: list[Measure | Event]) -> str:
    dates = _DateTexts()
    whos = _WhoTexts()
    rows = []
    titles = _terminal_column(list(map(_TITLE, records)))
    for r, title in zip(records, titles):
        if isinstance(r, Measure):
            answers = r.responds_to
            rows.append((dates[r.date], whos[r.actor, r.target], r.kind._value_, r.status._value_,
                         f"{title}  (answers {', '.join(answers)})" if answers else title))
        else:
            rows.append((dates[r.date], ", ".join(r.countries), r.kind._value_, r.status._value_, title))
    return _align([("DATE", "WHO", "KIND", "STATUS", "TITLE"), *rows])


# --- deadlines -------------------------------------------------------------------------


def deadlines_json(rows: Iterable[DeadlineRow]) -> list[dict]:
    """Items {date, days_left, hours_left, countdown, what, title, ref, countries, disputed, disputed_by}."""
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
        return "disputed: another source gives another date"
    return ""


def render_deadlines(rows: list[DeadlineRow]):
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Date", no_wrap=True)
    table.add_column("Countdown", no_wrap=True)
    table.add_column("What", no_wrap=True)
    table.add_column("Title · countries · id", ratio=1, overflow="fold")
    for row in rows:
        d = row.deadline
        title = _text(d.title)
        note = _dispute_note(row)
        if note:
            title.append(f"\n{note}", style="magenta")
        title.append(f"\n{', '.join(d.countries)} · {d.ref}", style="dim")
        table.add_row(Text(moment_text(d.moment, d.precision)), Text(row.text, style=urgency(row)),
                      Text(_what(row)), title, style="dim" if row.passed else None)
    return table


def deadlines_lines(rows: list[DeadlineRow]) -> str:
    out = [("DATE", "COUNTDOWN", "WHAT", "REF", "TITLE")]
    for row in rows:
        d = row.deadline
        note = _dispute_note(row)
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

    def node_json(node: ChainNode) -> dict:
        m, lag, _, repeated = node
        own = m.weight
        return {"id": m.id, "date": dates[m.date], "actor": list(m.actor), "target": list(m.target),
                "kind": m.kind._value_, "title": m.title,
                "weight": own if own is not None else DEFAULT_WEIGHT[m.kind],  # m.escalation
                "lag_days": lag, "repeated": repeated, "responses": []}

    # Iterative: json.dumps copes with the nesting, but building it must not recurse.
    top = node_json(root)
    stack = [(root, top, 0)]
    while stack:
        node, out, level = stack.pop()
        children = out["responses"]
        for child in node.responses:
            c = node_json(child)
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
    repeated, responses}; each root also carries `stats` {steps, depth, moves, weight}.

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


def _node_label(node: ChainNode, is_root: bool, focus: str | None):
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
    label.append("\n" + " · ".join(_node_notes(node, is_root)), style="dim")
    return label


def _node_notes(node: ChainNode, is_root: bool) -> list[str]:
    notes = [node.measure.id]
    lag = _lag_text(node, is_root)
    if lag:
        notes.append(lag)
    if node.repeated:
        notes.append("its answers are shown above")
    return notes


def render_chains(chains: list[tuple[ChainNode, ChainStats]], focus: str | None = None):
    from rich.console import Group
    from rich.text import Text
    from rich.tree import Tree

    parts = []
    for i, (root, stats) in enumerate(chains, 1):
        tree = Tree(Text(f"Chain {i}: {chain_heading(stats)}", style="bold"), guide_style="dim")
        stack = [(root, tree.add(_node_label(root, True, focus)))]
        while stack:
            node, branch = stack.pop()
            for child in node.responses:
                stack.append((child, branch.add(_node_label(child, False, focus))))
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


# --- summary ---------------------------------------------------------------------------


def summary_json(rows: Iterable[CountrySummary]) -> list[dict]:
    """Items {country, name, imposed, received, in_force, events, kinds, weight, latest, next_deadline}."""
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
            "next_deadline": nxt,
        })
    return out


def _kinds_text(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in kinds.items()) or "-"


def _next_text(row: DeadlineRow | None) -> str:
    if row is None:
        return "-"
    return f"{moment_text(row.deadline.moment, row.deadline.precision)} ({row.text}): {row.deadline.what}, {row.deadline.ref}"


def render_summary(rows: list[CountrySummary]):
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Country", no_wrap=True)
    table.add_column("Imposed", justify="right")
    table.add_column("Received", justify="right")
    table.add_column("In force", justify="right")
    table.add_column("Weight", justify="right")
    table.add_column("By kind · latest · next deadline", ratio=1, overflow="fold")
    for r in rows:
        detail = Text(_kinds_text(r.kinds))
        if r.latest is not None:
            detail.append(f"\nlatest: {r.latest.date} {terminal_text(r.latest.title)}", style="dim")
        if r.next_deadline is not None:
            detail.append(f"\nnext: {_next_text(r.next_deadline)}", style=urgency(r.next_deadline))
        table.add_row(Text(r.country, style="bold"), str(r.imposed), str(r.received), str(r.in_force),
                      f"{r.weight:+d}", detail)
    return table


def summary_lines(rows: list[CountrySummary]) -> str:
    out = [("COUNTRY", "IMPOSED", "RECEIVED", "IN FORCE", "WEIGHT", "BY KIND")]
    for r in rows:
        out.append((r.country, str(r.imposed), str(r.received), str(r.in_force), f"{r.weight:+d}",
                    _kinds_text(r.kinds)))
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
    reports, disagreements and deadlines. Measures also give `weight` as used
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
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    r = view.record
    parts = []
    kind = "measure" if isinstance(r, Measure) else "event"
    head = Text()
    head.append(r.id, style="bold")
    head.append(f"  ({kind})", style="dim")
    parts.append(head)
    parts.append(_text(r.title, style="bold"))

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")

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
        deadlines.append(t)
    section("Deadlines", deadlines)

    for d in view.disagreements:
        parts.append(Text(""))
        parts.append(Text(f"Sources disagree on {d.field}", style="bold magenta"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        ours = ", ".join(f"{i} ({_source_label(view, i)})" for i in d.our_sources) or "the ledger"
        grid.add_row(_text(str(_value_json(d.ours))), _text(ours))
        theirs = _text(f"{d.source} ({_source_label(view, d.source)})")
        if d.quote:
            theirs.append(terminal_text(f": “{d.quote}”"), style="italic")
        grid.add_row(_text(str(_value_json(d.theirs))), theirs)
        parts.append(Padding(grid, (0, 0, 0, 2)))
    return Group(*parts)
