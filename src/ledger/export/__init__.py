"""Exports: the ledger in other tools' formats (calendar, graph, spreadsheet, web page).

Every module here is pure: records in, text (or bytes) out. They never read the
ledger file, never print and never write files; `ledger.cli.export` does that.
"""

from __future__ import annotations

# Format name -> the file extensions it is inferred from.
FORMATS: dict[str, tuple[str, ...]] = {
    "ics": (".ics", ".ical", ".ifb"),
    "dot": (".dot", ".gv"),
    "mermaid": (".mmd", ".mermaid"),
    "svg": (".svg",),
    "png": (".png",),
    "csv": (".csv",),
    "jsonl": (".jsonl", ".ndjson"),
}


def format_for_path(path: str) -> str | None:
    """The format a file name asks for by its extension, or None."""
    lower = path.lower()
    for name, exts in FORMATS.items():
        if lower.endswith(exts):
            return name
    return None
