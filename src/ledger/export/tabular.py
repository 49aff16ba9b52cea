"""One row per measure: CSV for spreadsheets, JSON Lines for pandas and DuckDB.

CSV follows RFC 4180: a header row, CRLF line ends, fields quoted when they hold
a comma, a quote or a line break (quotes doubled). Lists are joined with `;`.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a title `=HYPERLINK("http://evil","x")` or
`+cmd|' /C calc'!A0` would act on the reader's machine. So every text cell that starts
so, after any spaces, is written with a leading `'` (OWASP's advice; spreadsheets show
the text as written), and control characters and bidirectional overrides in text are
shown as escapes (`\\x1b`, `\\u202e`, as in the terminal: `render.terminal_text`). Which
cells are text is decided by the column, never by the content: `escalation` is a number
and a weight of `-2` stays `-2`; dates are ISO 8601 and never start with a sign. A
title `-2` is text and becomes `'-2`. `raw=True` (`ledger export csv --raw`) writes
every cell exactly as the ledger holds it, for programs that read CSV, not people.

Provenance travels in two columns: `inferred` (the fields whose value is our reading)
and `inferred_links` (the ids under `responds_to` whose link is our reading; the others
are stated), which `ledger import csv` reads back as `inferred:` and `basis: inferred`.

JSON Lines gives one measure per line with JSON lists and ISO 8601 dates: the
keys of a measure in `ledger timeline --json` (with `"type": "measure"`) plus the
other columns, so the two can be joined on `id`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from ..model import Ledger, Measure
from ..render import UNSAFE, terminal_text

# The columns, in order; also the keys of every JSON Lines object.
COLUMNS = (
    "id", "date", "precision", "actor", "target", "kind", "title", "status",
    "effective", "expires", "not_before", "responds_to", "escalation",
    "sources", "tags", "quote", "notes", "inferred", "inferred_links",
)


def _moment(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def measure_record(m: Measure) -> dict:
    """A measure as a JSON-ready dict with the keys in COLUMNS."""
    return {
        "id": m.id,
        "date": str(m.date),
        "precision": m.date.precision,
        "actor": list(m.actor),
        "target": list(m.target),
        "kind": str(m.kind),
        "title": m.title,
        "status": str(m.status),
        "effective": _moment(m.effective),
        "expires": _moment(m.expires),
        "not_before": _moment(m.not_before),
        "responds_to": list(m.responds_to),
        "escalation": m.escalation,
        "sources": list(m.sources),
        "tags": list(m.tags),
        "quote": m.quote,
        "notes": m.notes,
        "inferred": list(m.inferred),
        "inferred_links": inferred_links(m),
    }


def inferred_links(m: Measure) -> list[str]:
    """The ids under `responds_to` whose link is our reading (`basis: inferred`), each once."""
    return list(dict.fromkeys(link.responds_to for link in m.links if link.basis == "inferred"))


# Keys JSON Lines add to COLUMNS (as timeline --json has them): each link with its basis,
# the fields that are our inference (a column too), those another source disputes. The
# CSV keeps COLUMNS.
PROVENANCE_KEYS = ("links", "inferred", "disputed")


def provenance_record(m: Measure) -> dict:
    from ..render import links_json

    return {"links": links_json(m), "inferred": list(m.inferred), "disputed": list(m.disputed())}


def _ordered(ledger: Ledger) -> list[Measure]:
    return sorted(ledger.measures, key=lambda m: (m.date.first, m.date.last, m.id))


# A cell a spreadsheet would read as a formula: =, +, - or @ first, after any blanks
# (tab, carriage return, spaces, an ideographic space), or their full-width forms, which
# some spreadsheets take for the ASCII ones.
_FORMULA = re.compile(r"[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]")


def csv_cell(text: str) -> str:
    """One text cell, made safe for a spreadsheet: never a formula (a leading `'`), no
    control character or bidirectional override (shown as its escape). Line breaks
    stay; CSV quoting keeps them inside the cell."""
    text = terminal_text(text)
    return "'" + text if _FORMULA.match(text) else text


def to_csv(ledger: Ledger, raw: bool = False) -> str:
    """The measures as RFC 4180 CSV text (CRLF line ends). Text cells go through
    `csv_cell` unless `raw`; numbers (`escalation`) are written as numbers."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    text = str if raw else csv_cell
    for m in _ordered(ledger):
        rec = measure_record(m)
        writer.writerow(
            v if isinstance(v, int) else text(";".join(v) if isinstance(v, list) else ("" if v is None else v))
            for v in (rec[c] for c in COLUMNS)
        )
    return buf.getvalue()


def _json_escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def to_jsonl(ledger: Ledger) -> str:
    """The measures as JSON Lines: one object per line, keys sorted. Exact: the text
    read back is the ledger's. json escapes C0 controls itself; DEL, C1 controls and
    bidirectional overrides are written as `\\u` escapes too (they can only stand
    inside strings), so the file is safe to `cat` in a terminal."""
    return UNSAFE.sub(_json_escape, "".join(
        json.dumps({"type": "measure", **measure_record(m), **provenance_record(m)}, sort_keys=True, ensure_ascii=False) + "\n"
        for m in _ordered(ledger)
    ))
