"""Commands: the reports (timeline, deadlines, chains, summary, show). Registered with ledger.cli.command.

Each command: load (exit 1 on a bad ledger), select (as-of and filters), call a pure
report, render, print. People's output starts with a header line naming the ledger
and the as-of day; `--json` prints the JSON contract and nothing else on stdout.
Rich is only imported for people's output; long outputs (more than
render.RICH_ROW_LIMIT rows) are printed as plain aligned text, which is fast.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Annotated

import typer

from ..read import no_collections  # every report loads a ledger: no start-up cost
from . import EXIT_DATA, FileOpt, JsonOpt, command, console, emit_json, err, fail, is_bundled, keep, ledger_to_write, load_or_exit, usage_error, write_stdout
from .options import AsOfOpt, CountryOpt, KindOpt, SinceOpt, StatedOpt, UntilOpt, resolve_countries, selection_from
from .complete import complete_ids, complete_measure_ids

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Id of a measure or event, as `ledger timeline` shows them (TAB completes them).",
                                        autocompletion=complete_ids)]


def _print_header(ledger, selection, count: str | None = None) -> None:
    from .. import render

    text = render.header(ledger, selection, is_bundled(ledger.path), count)
    from rich.text import Text

    console().print(Text(text, style="dim"), soft_wrap=True)


def _plain(text: str) -> None:
    write_stdout(text)


def _header_plain(ledger, selection, count: str | None = None) -> None:
    from .. import render

    _plain(render.header(ledger, selection, is_bundled(ledger.path), count) + "\n")


def _print_people(ledger, selection, count: str, size: int, lines, table) -> None:
    """People's output: a header, then plain aligned lines for long reports (a
    table costs ~0.26 ms a row) or a Rich renderable for short ones. `lines` and
    `table` are thunks so only the chosen form is built."""
    from .. import render

    if size > render.RICH_ROW_LIMIT:
        body = lines()  # built before anything is printed: the checks may still be running (`settle`)
        _header_plain(ledger, selection, count)
        _plain(body)
    else:
        _print_header(ledger, selection, count)
        if size:
            console().print(table())


@command()
@no_collections()
def timeline(
    file: FileOpt = None, json_: JsonOpt = False, as_of: AsOfOpt = None, country: CountryOpt = None,
    kind: KindOpt = None, since: SinceOpt = None, until: UntilOpt = None,
) -> None:
    """What happened, in date order.

    Each measure and event: date, actor → target (or the countries taking
    part), kind and status, title. A measure that answers another is marked with
    the ids it answers. Dates known only to the month show as 2025-07.

    \b
    Examples:
      ledger timeline --as-of 2025-10-14
      ledger timeline --country CN --kind export-control
      ledger timeline --since 2025-10-01 --json | jq -r '.[].title'

    Exit codes: 0 success (also when nothing matches: stderr says so); 1 the
    ledger is missing, unreadable or invalid; 2 a usage error.
    """
    from .. import render
    from ..select import select

    selection = selection_from(as_of, country, kind, since, until)
    ledger, _ = load_or_exit(file, defer=True)
    selection = resolve_countries(selection, ledger)
    records = _timeline_records(ledger, select(ledger, selection))
    keep(records)
    if json_:
        emit_json(render.timeline_json(records), keys_sorted=True)
    else:
        _print_people(ledger, selection, render.plural(len(records), "entry", "entries"), len(records),
                      lambda: render.timeline_lines(records), lambda: render.render_timeline(records))
    if not records:
        err("ledger: nothing in the ledger matches; widen the filters or move --as-of")


def _timeline_records(ledger, seen) -> list:
    """`timeline(seen)`; for a big ledger seen whole, its order kept beside the ledger's
    cache entry (`cache.put_derived`) as positions among its measures then events, and
    read back on the next run instead of sorted and placed again (a sixth of a repeated
    100,000-measure timeline). The order depends on the records alone, which the entry's
    key pins down, and on timeline.py, whose hash names the kept result."""
    from .. import cache
    from ..timeline import timeline

    records = [*seen.measures, *seen.events]
    key = None
    if len(seen.measures) == len(ledger.measures) >= CHAINS_KEPT_MIN and len(seen.events) == len(ledger.events):
        key = cache.key_of(ledger)  # select only drops: these are the ledger's own records
    if key is None:
        return timeline(seen)
    name = f"timeline.{_source_hash('timeline')}"
    order = cache.get_derived(key, name)
    n = len(records)
    try:  # a kept order must be a permutation of the records' positions; anything else is a miss
        if len(order) == n and len(set(order)) == n and min(order, default=0) >= 0 and max(order, default=-1) < n:
            return list(map(records.__getitem__, order))
    except Exception:
        pass
    out = timeline(seen)
    at = {id(r): i for i, r in enumerate(records)}
    cache.put_derived(key, name, list(map(at.__getitem__, map(id, out))))
    return out


_WITHIN = re.compile(r"(\d+)\s*([hdwmy]?)\Z")


def parse_within(text: str, as_of: date) -> tuple[int | None, float | None]:
    """`48h`, `30d`, `6w`, `2m`, `1y` (or a bare number of days) -> (days, hours) from the
    as-of day: one of them, the other None (hours only for `h`)."""
    m = _WITHIN.match(text.strip().lower())
    if not m:
        usage_error(f"--within '{text}' is not a span; write e.g. 48h, 30d, 6w, 2m or 1y")
    n, unit = int(m.group(1)), m.group(2) or "d"
    if unit == "h":
        return None, float(n)
    from dateutil.relativedelta import relativedelta

    step = {"d": relativedelta(days=n), "w": relativedelta(weeks=n),
            "m": relativedelta(months=n), "y": relativedelta(years=n)}[unit]
    return ((as_of + step) - as_of).days, None


def _within_hint(row) -> str:
    """The smallest --within that shows this deadline: hours under two days, else days."""
    if row.hours_left is not None and row.hours_left < 48:
        return f"{max(1, -int(-row.hours_left // 1))}h"
    return f"{row.days_left}d"


def _suggest_as_of(ledger, last) -> str:
    """An as-of day with something ahead: the newest source's day if that works, else the day before."""
    days = [s.published.first for s in ledger.sources.values()
            if s.published is not None and s.published.precision == "day"]
    moment_day = last.deadline.date.first
    good = [d for d in days if d < moment_day]
    return (max(good) if good else date.fromordinal(moment_day.toordinal() - 1)).isoformat()


@command()
@no_collections()
def deadlines(
    file: FileOpt = None, json_: JsonOpt = False, as_of: AsOfOpt = None, country: CountryOpt = None,
    kind: KindOpt = None, since: SinceOpt = None, until: UntilOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Also list deadlines that have passed (as days ago).")] = False,
    within: Annotated[str | None, typer.Option("--within", metavar="SPAN",
                                               help="Only deadlines at most this far ahead: 48h, 30d, 6w, 2m, 1y.")] = None,
) -> None:
    """What is coming, with countdowns.

    Dates ahead of the as-of day: when measures take effect, may not start
    before or expire, and when events are held. Each row gives a countdown ('in
    18 days'; in hours when under two days; 'today'; '3 days ago' with --all).
    Days count from the as-of day's 00:00 UTC; date-times with offsets count in
    exact hours. --since/--until select by the deadline's own day. When two
    sources give different dates, both rows are shown, marked disputed.

    \b
    Examples:
      ledger deadlines --as-of 2025-10-14
      ledger deadlines --as-of 2025-10-14 --within 30d --country CN
      ledger deadlines --all --json | jq '.[] | select(.disputed)'

    Exit codes: 0 success (also when no deadline is ahead: stderr says which
    passed last); 1 the ledger is missing, unreadable or invalid; 2 a usage
    error.
    """
    from .. import render
    from ..deadlines import latest_passed, upcoming_deadlines
    from ..select import select

    selection = selection_from(as_of, country, kind, since, until)
    span, span_hours = parse_within(within, selection.as_of) if within is not None else (None, None)
    ledger, _ = load_or_exit(file, defer=True)
    selection = resolve_countries(selection, ledger)
    # --since/--until pick deadlines by their own day, not by their measure's date.
    seen = select(ledger, replace(selection, since=None, until=None))
    rows = upcoming_deadlines(seen, selection.as_of, within_days=span, include_passed=all_,
                              since=selection.since, until=selection.until, within_hours=span_hours)
    if json_:
        emit_json(render.deadlines_json(rows))
    else:
        _print_people(ledger, selection, render.plural(len(rows), "deadline"), len(rows),
                      lambda: render.deadlines_lines(rows), lambda: render.render_deadlines(rows))
    if not rows:
        horizon = f" within {within}" if within else ""
        err(f"ledger: no deadlines ahead of {selection.as_of.isoformat()}{horizon}.")
        later = upcoming_deadlines(seen, selection.as_of, since=selection.since, until=selection.until) if within else []
        if later:  # --within hid them: say how far the next one is
            nxt = later[0]
            d = nxt.deadline
            err(f"ledger: the next: {render.moment_text(d.moment, d.precision)} ({nxt.text}), {d.what}: {d.title} [{d.ref}]")
            err(f"ledger: see it with --within {_within_hint(nxt)}")
            return
        last = latest_passed(seen, selection.as_of)
        if last is not None:
            d = last.deadline
            err(f"ledger: the latest passed: {render.moment_text(d.moment, d.precision)} ({last.text}), "
                f"{d.what}: {d.title} [{d.ref}]")
            err(f"ledger: see them from an earlier day, e.g. --as-of {_suggest_as_of(ledger, last)}, "
                "or list passed ones with --all")


@command()
@no_collections()
def chains(
    measure_id: Annotated[str | None, typer.Argument(
        metavar="ID", help="Show only the chains through this measure: what it answered and what answered it.",
        autocompletion=complete_measure_ids)] = None,
    file: FileOpt = None, json_: JsonOpt = False, as_of: AsOfOpt = None, country: CountryOpt = None,
    kind: KindOpt = None, since: SinceOpt = None, until: UntilOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Also list single measures that answer nothing and were not answered.")] = False,
    stated: StatedOpt = False,
) -> None:
    """Who answered whom: escalation chains.

    Each chain is a tree: a measure, and under it the measures that answered it,
    down the chain. Its header gives its steps (measures), depth (answers in its
    longest line), moves per country and summed escalation weight; each node its
    date, actor → target, title, id and the lag in days after the measure it
    answers ('lag unknown' when a date is known only to the month), and
    'inferred link' when that a measure answered the one above is our reading, not
    a source's statement (--stated leaves such links out). Answers deeper than the
    terminal has room to indent are listed flat, marked ↳.

    \b
    Examples:
      ledger chains --as-of 2025-10-14
      ledger chains us-100pct-tariff-surcharge --as-of 2025-10-14
      ledger chains --country CN --json | jq '.[].stats'

    Exit codes: 0 success (also when there is no chain: stderr says so); 1 the
    ledger is missing, unreadable or invalid, or ID is not a measure in view;
    2 a usage error.
    """
    from .. import render
    from ..chains import chain_rows, chain_stats, chain_trees, chains_through, is_chain, rows_of
    from ..select import select

    selection = selection_from(as_of, country, kind, since, until)
    ledger, _ = load_or_exit(file, defer=True)
    selection = resolve_countries(selection, ledger)
    seen = select(ledger, selection)
    if stated:
        from ..select import stated_only

        seen = stated_only(seen)
    pairs = rows = None
    if measure_id is not None:
        from ..show import find

        record = find(seen, measure_id)
        if record is None:
            _not_found(ledger, seen, measure_id, selection)
        if record not in seen.measures:
            fail(f"'{measure_id}' is an event; chains link measures (try: ledger show {measure_id})")
        roots = chains_through(seen, measure_id)
        if not any(is_chain(r) for r in roots):
            err(f"ledger: '{measure_id}' answers nothing and nothing answered it in this view of the ledger")
        pairs = [(r, chain_stats(r)) for r in roots]
    else:
        rows = _chain_rows(ledger, seen, singles=all_) if not stated else chain_rows(seen, all_)
        if json_:
            pairs = chain_trees(rows)
    keep(pairs, rows)
    if json_:
        emit_json(render.chains_json(pairs))
    else:
        if rows is None:
            rows = rows_of(pairs)
        _print_people(ledger, selection, render.plural(len(rows.stats), "chain") + (" · stated links only" if stated else ""),
                      len(rows.measures),
                      lambda: render.chains_lines(rows, measure_id),
                      lambda: render.render_chains(pairs if pairs is not None else chain_trees(rows), measure_id))
    if not (rows.stats if rows is not None else pairs):
        err("ledger: no chains: no measure answers another in this view of the ledger"
            + ("" if all_ else " (--all lists single measures)"))


# Below this many measures the chains are worked out faster than a kept result is read.
CHAINS_KEPT_MIN = 5000


def _chain_rows(ledger, seen, singles: bool):
    """`chain_rows(seen)`; for a big ledger seen whole (no filter or as-of day hides a
    measure), kept beside the ledger's cache entry (`cache.put_derived`) and read back
    on the next run instead of walked again: the chains of a ledger depend on its
    measures alone, which the entry's key pins down, and the result is stored with the
    measures as their positions in the ledger. A filtered view is worked out each time."""
    from .. import cache
    from ..chains import chain_rows

    key = None
    if len(seen.measures) == len(ledger.measures) >= CHAINS_KEPT_MIN:  # select only drops: these are the same measures
        key = cache.key_of(ledger)
    if key is None:
        return chain_rows(seen, singles)
    name = f"chains{'-all' if singles else ''}.{_source_hash('chains')}"
    rows = _rows_from_kept(cache.get_derived(key, name), ledger.measures)
    if rows is None:
        rows = chain_rows(seen, singles)
        cache.put_derived(key, name, _rows_to_keep(rows, ledger.measures))
    return rows


def _source_hash(module: str) -> str:
    """A short hash of one of the package's modules: a kept result names the code that made it."""
    import hashlib
    import os

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(here, f"{module}.py"), "rb") as f:
        return hashlib.blake2b(f.read(), digest_size=8).hexdigest()


def _rows_to_keep(rows, measures) -> tuple:
    """ChainRows as plain columns, each measure as its position in the ledger."""
    at = {id(m): i for i, m in enumerate(measures)}
    stats = rows.stats
    return (len(measures), [s.steps for s in stats], [s.depth for s in stats], [s.moves for s in stats],
            [s.weight for s in stats], rows.starts, list(map(at.__getitem__, map(id, rows.measures))),
            rows.depths, rows.lags, rows.repeated)


def _rows_from_kept(kept, measures):
    """`_rows_to_keep`'s columns back as ChainRows of these measures; None if they do not fit."""
    from ..chains import ChainRows, ChainStats

    try:
        count, steps, depth, moves, weight, starts, at, depths, lags, repeated = kept
        if count != len(measures) or not len(at) == len(depths) == len(lags) == len(repeated) == starts[-1]:
            return None
        if not len(steps) == len(depth) == len(moves) == len(weight) == len(starts) - 1:
            return None
        return ChainRows(list(map(ChainStats, steps, depth, moves, weight)), starts,
                         list(map(measures.__getitem__, at)), depths, lags, repeated)
    except Exception:  # None (a miss), or anything else stored there: work them out
        return None


@command()
@no_collections()
def summary(
    file: FileOpt = None, json_: JsonOpt = False, as_of: AsOfOpt = None, country: CountryOpt = None,
    kind: KindOpt = None, since: SinceOpt = None, until: UntilOpt = None, stated: StatedOpt = False,
) -> None:
    """How each country stands.

    One row per country, most active first. Imposed: measures it took as actor.
    Received: aimed at it by others. In force: of those it imposed, in force on
    the as-of day. Weight: net escalation weight of what it imposed. Also its
    measures by kind, its latest measure and its next deadline.

    \b
    Examples:
      ledger summary --as-of 2025-10-14
      ledger summary --since 2025-10-01 --until 2025-10-31
      ledger summary --json | jq '.[] | {country, weight}'

    Exit codes: 0 success (also when no country is in view: stderr says so);
    1 the ledger is missing, unreadable or invalid; 2 a usage error.
    """
    from .. import render
    from ..select import select
    from ..summary import summarize

    selection = selection_from(as_of, country, kind, since, until)
    ledger, _ = load_or_exit(file, defer=True)
    selection = resolve_countries(selection, ledger)
    seen = select(ledger, selection)
    if stated:
        from ..select import stated_only

        seen = stated_only(seen, values=True)
    rows = summarize(seen, selection.as_of, selection.countries)
    if json_:
        emit_json(render.summary_json(rows))
    else:
        _print_people(ledger, selection, render.plural(len(rows), "country", "countries")
                      + (" · stated only" if stated else ""), len(rows),
                      lambda: render.summary_lines(rows), lambda: render.render_summary(rows))
    if not rows:
        err("ledger: no country has a measure or event in this view of the ledger")


# Below this a suggestion is mostly a coincidence of dates: two moves between the same
# countries within the window, of unrelated kinds, sharing no tag or word.
DEFAULT_MIN_SCORE = 0.3


@command()
@no_collections()
def links(
    ids: Annotated[list[str] | None, typer.Argument(
        metavar="ID...", help="With --apply: the suggestions to write, by their id (or as FROM:TO).")] = None,
    file: FileOpt = None, json_: JsonOpt = False, as_of: AsOfOpt = None, country: CountryOpt = None,
    kind: KindOpt = None, since: SinceOpt = None, until: UntilOpt = None,
    suggest: Annotated[bool, typer.Option("--suggest", help="List links the ledger does not have that may be worth checking, "
                                                             "each with an id, a score and its reasons.")] = False,
    within: Annotated[str, typer.Option("--within", metavar="SPAN",
                                        help="With --suggest: how long after a measure an answer may come: 30d, 6w, 4m, 1y.")] = "120d",
    min_score: Annotated[float, typer.Option("--min-score", metavar="S", min=0.0, max=1.0,
                                             help="With --suggest: only suggestions scoring at least S (0 to 1).")] = DEFAULT_MIN_SCORE,
    per_measure: Annotated[int, typer.Option("--per-measure", metavar="N", min=1,
                                             help="With --suggest: at most N suggestions for each measure.")] = 3,
    yaml: Annotated[bool, typer.Option("--yaml", help="With --suggest: print them as a links: block to paste into a ledger.")] = False,
    apply: Annotated[bool, typer.Option("--apply", help="Write the suggestions named by ID as inferred links into your ledger.")] = False,
    apply_all: Annotated[bool, typer.Option("--apply-all", help="Write every suggestion (at least --min-score) as an inferred link.")] = False,
    into: Annotated[str | None, typer.Option("--into", metavar="PATH",
                                             help="With --apply: write to this file of the ledger (one it includes); default: --file itself.")] = None,
    window: Annotated[int | None, typer.Option("--window", metavar="DAYS", min=0, hidden=True,
                                               help="Deprecated: --within DAYSd.")] = None,
) -> None:
    """Who answered whom; --suggest proposes more.

    Every link in view: the measure, the one it answers, the basis (stated: a
    source says so; inferred: our reading) and its sources or note, as a table
    that fits the terminal (each link with its note under it when the terminal
    is narrow), or one a line past 200 links.

    With --suggest: links the ledger does not have, for you to check. A measure
    may answer an earlier one when each is taken by a country the other targets,
    it comes at most --within after it, and neither is known only to a year. Each
    suggestion has a stable id, a score from 0 to 1 (higher when the two are
    bilateral, closer in time, of the same or related kinds, both escalating,
    sharing tags or words of their titles) and its reasons; at most --per-measure
    for each measure (counting the links it has), best first. --yaml prints them
    as a links: block with basis: inferred and the reasons as the note.

    --apply ID... (or --apply-all --min-score S) writes them as inferred links
    under links: in your own file (--file, or --into FILE among its files; never
    a file 'ledger import' generated), appended as text, atomically, checked
    against the whole ledger first; applying one twice adds nothing. A
    suggestion is not a link until you check it against the sources: write it as
    stated only if a source says so.

    \b
    Examples:
      ledger links --as-of 2025-10-14
      ledger links --suggest --within 60d --min-score 0.6 --json | jq '.[].id'
      ledger links -f mine.yaml --apply 3f9c0a1b2d
      ledger links -f mine.yaml --apply-all --min-score 0.7

    Exit codes: 0 success (also when there is no link or suggestion); 1 the
    ledger is missing, unreadable or invalid, or a write was refused; 2 a usage
    error (an unknown suggestion id, an ID without --apply).
    """
    from .. import render
    from ..links import ledger_links, suggest_links
    from ..select import select

    if apply and apply_all:
        usage_error("--apply names suggestions and --apply-all takes them all: use one of them")
    if ids and not apply:
        usage_error(f"'{ids[0]}': suggestion ids are taken only with --apply (e.g. ledger links --apply {ids[0]})")
    if apply and not ids:
        usage_error("--apply needs the ids of the suggestions to write (ledger links --suggest lists them), or use --apply-all")
    if json_ and yaml:
        usage_error("--json and --yaml: choose one")
    if into is not None and not (apply or apply_all):
        usage_error("--into names the file --apply or --apply-all writes to; give one of them")
    selection = selection_from(as_of, country, kind, since, until)
    if window is not None:
        err(f"ledger: --window is deprecated; write --within {window}d")
        days = window
    else:
        days, hours = parse_within(within, selection.as_of)
        if days is None:
            days = int(hours // 24)
    writing = apply or apply_all
    if writing:
        target = ledger_to_write(file, "--apply")
    ledger, _ = load_or_exit(file)
    selection = resolve_countries(selection, ledger)
    seen = select(ledger, selection)
    if suggest or writing:
        found = suggest_links(seen, days, per_measure, min_score)
        if writing:
            _apply_suggestions(target, ledger, found, ids if apply else None, into, json_)
            return
        if json_:
            emit_json(render.suggestions_json(found))
        elif yaml:
            # The header as a YAML comment: the whole output is a block to paste.
            _plain("# " + render.header(ledger, selection, is_bundled(ledger.path), render.plural(len(found), "suggestion"))
                   + "\n" + render.suggestions_yaml(found))
        else:
            titles = {m.id: m.title for m in seen.measures}
            _print_people(ledger, selection, render.plural(len(found), "suggestion"), len(found),
                          lambda: render.suggestions_lines(found), lambda: render.render_suggestions(found, titles))
        if not found:
            err("ledger: no link to suggest in this view of the ledger"
                + (f" (none scores {min_score:g} or more; try --min-score 0)" if min_score > 0 else ""))
        return
    rows = ledger_links(seen)
    if json_:
        emit_json([{"from": r.measure, "to": r.responds_to, "basis": r.basis, "sources": list(r.sources),
                    "quote": r.quote, "note": r.note} for r in rows])
    else:
        _print_people(ledger, selection, render.plural(len(rows), "link"), len(rows),
                      lambda: render.links_lines(rows), lambda: render.render_links(rows))
    if not rows:
        err("ledger: no measure answers another in this view of the ledger")


def _apply_suggestions(path: str, ledger, found, ids: list[str] | None, into: str | None, json_: bool) -> None:
    """Write the chosen suggestions (all of `found` when `ids` is None) as inferred links."""
    from .. import render
    from ..files import Refused
    from ..links import suggestion_id
    from ..load import LedgerUnusable
    from ..write import WriteRefused, add_links

    chosen = list(found)
    if ids is not None:
        by_name = {s.id: s for s in found} | {f"{s.measure}:{s.responds_to}": s for s in found}
        linked = {}
        for m in ledger.measures:
            for a in m.responds_to:
                linked[suggestion_id(m.id, a)] = linked[f"{m.id}:{a}"] = (m.id, a)
        chosen, already = [], []
        for name in dict.fromkeys(i.strip() for i in ids):
            s = by_name.get(name)
            if s is not None:
                chosen.append(s)
            elif name in linked:
                already.append(linked[name])
            else:
                usage_error(f"no suggestion '{name}' in this view of the ledger (ledger links --suggest lists them, "
                            "with the same --within, --min-score, --per-measure and filters)")
        for b, a in already:
            err(f"ledger: '{b}' already answers '{a}'; nothing to add for it")
    try:
        done = add_links(path, [(s.measure, s.responds_to, s.note) for s in chosen], into) if chosen else None
    except LedgerUnusable as e:
        fail(f"{e.path}: {e.message}")
    except Refused as e:
        fail(str(e))
    except OSError as e:
        fail(f"{into or path}: not written: {e.strerror or e}; the ledger is unchanged")
    except WriteRefused as e:
        for p in sorted(e.problems, key=lambda p: p.sort_key()):
            err(str(p))
        fail(f"{into or path}: no link written: {e.message}")
    written = {(b, a) for b, a in done.links} if done is not None else set()
    if json_:
        emit_json(render.suggestions_json([s for s in chosen if (s.measure, s.responds_to) in written]))
    if done is not None:
        for note in done.notes:
            err(f"ledger: warning: {note}")
    count = len(written)
    err(f"ledger: wrote {render.plural(count, 'inferred link')} to {done.path if done is not None else into or path}"
        if count else "ledger: no link to write: every one chosen is in the ledger already")


def _not_found(ledger, seen, record_id: str, selection) -> None:
    from ..show import find, suggest_ids

    hidden = find(ledger, record_id)
    if hidden is not None:
        if hidden.date.first > selection.as_of:
            fail(f"'{record_id}' is dated {hidden.date}, after --as-of {selection.as_of.isoformat()}; "
                 "it was not known then")
        fail(f"'{record_id}' is left out by the --country/--kind/--since/--until filters")
    close = suggest_ids(ledger, record_id)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else " (ledger timeline lists the ids)"
    fail(f"no measure or event '{record_id}' in {ledger.path}{hint}")


@command()
def show(
    record_id: IdArg,
    file: FileOpt = None, json_: JsonOpt = False, as_of: AsOfOpt = None, country: CountryOpt = None,
    kind: KindOpt = None, since: SinceOpt = None, until: UntilOpt = None,
) -> None:
    """Everything about one measure or event.

    Its fields, its sources, what it answers and what answered it, its deadlines
    with countdowns, and where the sources disagree.

    \b
    Examples:
      ledger show tariff-truce --as-of 2025-10-14
      ledger show apec-2025
      ledger show tariff-truce --json | jq '.disagreements'

    Exit codes: 0 success; 1 the ledger is missing, unreadable or invalid, or
    there is no such id in view (with the nearest ids); 2 a usage error.
    """
    from .. import render
    from ..select import select
    from ..show import show_record

    selection = selection_from(as_of, country, kind, since, until)
    ledger, _ = load_or_exit(file)
    selection = resolve_countries(selection, ledger)
    seen = select(ledger, selection)
    view = show_record(seen, record_id, selection.as_of)
    if view is None:
        _not_found(ledger, seen, record_id, selection)
    if json_:
        emit_json(render.show_json(view))
    else:
        _print_header(ledger, selection)
        console().print(render.render_show(view))


__all__ = ["timeline", "deadlines", "chains", "summary", "links", "show", "EXIT_DATA"]
