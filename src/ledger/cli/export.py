"""Commands: export, chart, report. (Registered with ledger.cli.command.)

Each loads the ledger, applies the shared selection (as of, countries, kinds,
since, until), asks a pure function of `ledger.export` for text or bytes, and
writes it to stdout or, atomically, to the `-o` file.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from . import FileOpt, JsonOpt, command, emit_json, err, fail, load_or_exit, usage_error, write_stdout
from .options import AsOfOpt, CountryOpt, KindOpt, SinceOpt, UntilOpt

FORMAT_NAMES = ("ics", "dot", "mermaid", "svg", "png", "csv", "jsonl")

# Exports hold the whole file unless asked for a day: a calendar needs next month's summit.
ExportAsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE",
                 help="Export the ledger as seen on this day (YYYY-MM-DD or 'Oct 14 2025'): records "
                      "dated after it are left out. Default: the whole file, future dates included."),
]

OutOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE",
                 help="Write to this file (replaced atomically) instead of standard output."),
]


def write_output(path: str, data: bytes) -> None:
    """Write `-o FILE` all at once (`files.write_atomic`): a reader (a calendar polling the
    .ics, a browser) never sees half a file, a failure leaves the old file as it was, a
    symlink is written through, a device or pipe is written to, and owner and mode stay."""
    from ..files import Refused, write_atomic

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        fail(f"{path}: error: cannot write: no directory {os.path.dirname(path) or '.'}")
    try:
        notes = write_atomic(path, data)
    except Refused as e:
        fail(f"error: {e}")
    except OSError as e:
        fail(f"{path}: error: cannot write: {e.strerror or e}")
    for note in notes:
        err(f"ledger: warning: {note}")


def emit(data: bytes | str, output: str | None) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if output and output != "-":
        write_output(output, data)
    else:
        write_stdout(data)


def selected_ledger(file, as_of, country, kind, since, until, *, whole_by_default: bool = False):
    """Load (exit 1 on errors), then keep what the selection options ask for.

    whole_by_default: without --as-of, hide nothing for being in the future.
    """
    from ..select import select
    from .options import resolve_countries, selection_from

    selection = selection_from(as_of, country, kind, since, until)
    if as_of is None and whole_by_default:
        import dataclasses
        import datetime as dt

        selection = dataclasses.replace(selection, as_of=dt.date.max)
    ledger, _ = load_or_exit(file)
    selection = resolve_countries(selection, ledger)
    return select(ledger, selection), selection


@command()
def export(
    format: Annotated[str | None, typer.Argument(
        metavar="FORMAT", show_default=False, autocompletion=lambda: list(FORMAT_NAMES),
        help=f"One of {', '.join(FORMAT_NAMES)}. Default: from -o's extension.")] = None,
    output: OutOpt = None,
    file: FileOpt = None,
    as_of: ExportAsOfOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    raw: Annotated[bool, typer.Option(
        "--raw", help="csv only: every cell exactly as in the ledger. By default a cell starting with "
                      "= + - @ gets a leading ' (a spreadsheet would run it as a formula) and control "
                      "characters are shown as escapes.")] = False,
) -> None:
    """Export for calendars, graphs, spreadsheets.

    ics: every deadline and event as iCalendar events (re-importing updates
    them). dot, mermaid: the escalation chains as a graph; svg, png: that graph
    drawn by Graphviz's dot. csv, jsonl: one row per measure.

    \b
    Examples:
      ledger export ics -o deadlines.ics
      ledger export svg -o chains.svg
      ledger export csv --country CN > measures.csv

    Exit codes: 0 success; 1 the ledger is missing, unreadable or invalid, the
    file cannot be written, or Graphviz is missing or fails (svg, png); 2 a
    usage error (an unknown format, png to a terminal).
    """
    from ..export import format_for_path

    if format is None:
        if not output or output == "-":
            usage_error(f"say which format to export ({', '.join(FORMAT_NAMES)}), or give -o FILE with a known extension")
        format = format_for_path(output)
        if format is None:
            usage_error(f"cannot tell the format from '{output}'; name it: ledger export FORMAT -o {output}")
    format = format.strip().lower()
    if format not in FORMAT_NAMES:
        import difflib

        close = difflib.get_close_matches(format, FORMAT_NAMES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        usage_error(f"unknown export format '{format}'{hint}; formats: {', '.join(FORMAT_NAMES)}")
    if raw and format != "csv":
        usage_error(f"--raw is for csv only (the {format} export is always written safe for its readers)")
    if format == "png" and (not output or output == "-") and sys.stdout.isatty():
        usage_error("png is binary: give -o FILE.png (or redirect standard output)")

    ledger, _ = selected_ledger(file, as_of, country, kind, since, until, whole_by_default=True)

    if format == "ics":
        import datetime as dt

        from ..export.ics import to_ics

        data: bytes | str = to_ics(ledger, stamp=dt.datetime.now(dt.timezone.utc))
    elif format in ("dot", "svg", "png"):
        from ..export.graph import to_dot

        data = to_dot(ledger)
        if format != "dot":
            from ..export.graph import GraphvizFailed, GraphvizMissing, GraphvizTimedOut, render_dot

            try:
                data = render_dot(data, format)
            except GraphvizMissing as e:
                fail(str(e))
            except GraphvizTimedOut as e:
                fail(f"{e} ({len(ledger.measures):,} measures); nothing written. Export the graph as text "
                     "(ledger export dot, or mermaid), or draw part of it (--country, --since, --until)")
            except GraphvizFailed as e:
                fail(f"Graphviz's dot failed: {e}")
    elif format == "mermaid":
        from ..export.graph import to_mermaid

        data = to_mermaid(ledger)
    elif format == "csv":
        from ..export.tabular import to_csv

        data = to_csv(ledger, raw=raw)
    else:
        from ..export.tabular import to_jsonl

        data = to_jsonl(ledger)
    emit(data, output)


@command()
def chart(
    by: Annotated[str, typer.Option("--by", metavar="week|month",
                                    help="Sum per week (Monday to Sunday) or per calendar month.",
                                    autocompletion=lambda: ["week", "month"])] = "week",
    ascii_: Annotated[bool, typer.Option("--ascii", help="Plain ASCII bars (the default when output is not a terminal).")] = False,
    json_: JsonOpt = False,
    file: FileOpt = None,
    as_of: AsOfOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Escalation per country over time, as bars.

    Per country, the summed escalation weight per week or month. Bars to the
    right are escalation (tariffs, export controls...), bars to the left
    de-escalation (talks, truces, agreements); the number is the net. Measures
    dated only to a month or a year get a period of their own ("2025-10",
    "2025") listed before the weeks it spans, rather than an invented day.

    \b
    Examples:
      ledger chart --by month --as-of 2025-10-14
      ledger chart --country CN --since 2025-06-01
      ledger chart --by month --json | jq '.buckets[].period'

    Exit codes: 0 success; 1 the ledger is missing, unreadable or invalid; 2 a
    usage error.
    """
    from ..export.chart import buckets_json, escalation_buckets, render_chart

    by = by.strip().lower()
    if by not in ("week", "month"):
        usage_error(f"--by '{by}' is not week or month")
    ledger, _ = selected_ledger(file, as_of, country, kind, since, until)
    buckets = escalation_buckets(ledger, by)  # type: ignore[arg-type]
    if json_:
        emit_json(buckets_json(buckets, by))  # type: ignore[arg-type]
        return
    tty = sys.stdout.isatty()
    width = 80
    if tty:
        import shutil

        width = max(50, min(shutil.get_terminal_size((80, 24)).columns, 100))
    text = render_chart(buckets, by, ascii=ascii_ or not tty or not _utf8_stdout(),  # type: ignore[arg-type]
                        width=width, title=ledger.title)
    write_stdout(text)


def _utf8_stdout() -> bool:
    return (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "") in ("utf8", "utf8mb4")


@command()
def report(
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE",
                                        help="The HTML file to write (replaced atomically); '-' for standard output.")],
    file: FileOpt = None,
    as_of: AsOfOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """One self-contained HTML page of everything.

    Deadlines with countdowns as of the day, escalation over time, the chains
    (drawn by Graphviz's dot when it is installed, and always as lists), the
    timeline, a summary per country and the sources. No scripts and no network
    requests: CSS and the graph are inline. Reads well on a phone and prints.

    \b
    Examples:
      ledger report -o report.html --as-of 2025-10-14
      ledger report -o cn.html --country CN
      ledger report -o - | gzip > report.html.gz

    Exit codes: 0 written; 1 the ledger is missing, unreadable or invalid, or
    the file cannot be written; 2 a usage error (no -o).
    """
    from ..export.graph import GraphvizFailed, GraphvizMissing, GraphvizTimedOut, render_dot, to_dot
    from ..export.html import to_html
    from . import is_bundled, ledger_path

    ledger, selection = selected_ledger(file, as_of, country, kind, since, until)
    svg = None
    note = None
    if len(ledger.measures) > REPORT_GRAPH_MEASURES:
        note = (f"The chains graph is not drawn: {len(ledger.measures):,} measures are more than a page can show "
                f"(at most {REPORT_GRAPH_MEASURES:,}; draw a part of it with --country, --since or --until, "
                "or export it: ledger export dot). The chains are listed below.")
    elif ledger.measures:
        try:
            svg = render_dot(to_dot(ledger), "svg", timeout=REPORT_DOT_TIMEOUT).decode("utf-8")
        except GraphvizMissing:
            note = "The chains graph is not drawn: Graphviz's dot was not installed when this page was made. The chains are listed below."
        except GraphvizTimedOut:
            note = (f"The chains graph is not drawn: Graphviz's dot did not lay it out in {REPORT_DOT_TIMEOUT} s. "
                    "The chains are listed below.")
        except GraphvizFailed as e:
            note = f"The chains graph is not drawn: Graphviz's dot failed ({e}). The chains are listed below."
    path = ledger_path(file)
    name = "the bundled ledger" if is_bundled(path) else os.path.basename(ledger.path)
    emit(to_html(ledger, selection, svg=svg, graph_note=note, source_name=name,
                 generator=f"ledger report ({_version()})"), output)


# The report draws the chains graph for this many measures at most: a graph of
# thousands is unreadable on a page, and Graphviz's layout time grows faster than the
# graph (3,000 measures in a chain: 0.9 s). Beyond it, or past the timeout, the page is
# still written, with the chains as lists and a note where the graph would be.
REPORT_GRAPH_MEASURES = 2000
REPORT_DOT_TIMEOUT = 10


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"escalation-ledger {version('escalation-ledger')}"
    except PackageNotFoundError:
        return "escalation-ledger"
