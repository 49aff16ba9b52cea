"""One row per measure: CSV for spreadsheets, JSON Lines for pandas and DuckDB.

CSV follows RFC 4180: a header row, CRLF line ends, fields quoted when they hold
a comma, a quote or a line break (quotes doubled). Lists are joined with `;`.
JSON Lines gives one measure per line with JSON lists and ISO 8601 dates: the
keys of a measure in `ledger timeline --json` (with `"type": "measure"`) plus the
other columns, so the two can be joined on `id`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from ..model import Ledger, Measure

# The columns, in order; also the keys of every JSON Lines object.
COLUMNS = (
    "id", "date", "precision", "actor", "target", "kind", "title", "status",
    "effective", "expires", "not_before", "responds_to", "escalation",
    "sources", "tags", "quote", "notes",
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
    }


def _ordered(ledger: Ledger) -> list[Measure]:
    return sorted(ledger.measures, key=lambda m: (m.date.first, m.date.last, m.id))


def to_csv(ledger: Ledger) -> str:
    """The measures as RFC 4180 CSV text (CRLF line ends)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for m in _ordered(ledger):
        rec = measure_record(m)
        writer.writerow(
            ";".join(v) if isinstance(v, list) else ("" if v is None else v)
            for v in (rec[c] for c in COLUMNS)
        )
    return buf.getvalue()


def to_jsonl(ledger: Ledger) -> str:
    """The measures as JSON Lines: one object per line, keys sorted."""
    return "".join(
        json.dumps({"type": "measure", **measure_record(m)}, sort_keys=True, ensure_ascii=False) + "\n"
        for m in _ordered(ledger)
    )
