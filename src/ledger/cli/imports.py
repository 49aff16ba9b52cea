"""Command: import (gta, csv): other people's data in, as a generated ledger file.

`ledger import` is one command of the top-level app (so `ledger import ...` builds and
imports only this module, as every command does) that hands its arguments to a small
Typer app of its own with the two importers. The logic lives in `ledger.importing`;
here are the options, the reading of files, the lock and the write, messages and exit
codes.
"""

from __future__ import annotations

import os
import re
import shlex
from typing import Annotated

import typer

from . import LedgerCommand, LedgerGroup, command, err, fail, is_bundled, print_problems, usage_error, write_stdout

Opt = typer.Option

EXIT_CODES = ("Exit codes: 0 written (or nothing to change); 1 a bad input (nothing written), or a refused "
              "or failed write; 2 a usage error.")

IMPORT_HELP = """Make a generated ledger file from data that already exists.

gta: Global Trade Alert's interventions, from the pages its data API returns. csv: a
spreadsheet saved as CSV, or our own 'ledger export csv'. The file says it is
generated; importing again updates it in place (measures the data no longer has are
kept, tagged as removed), and writes nothing when nothing changed.

\b
Examples:
  ledger import gta dump.json -o gta.yaml
  ledger import gta pages/ --between US,CN -o gta/us-cn.yaml
  ledger import csv tracker.csv -o tracker.yaml --map date="Announced on"

""" + EXIT_CODES

imports_app = typer.Typer(
    cls=LedgerGroup,  # help as every command writes it (cli/__init__.py)
    name="import",
    help=IMPORT_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


@command(name="import", add_help_option=False,
         context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def import_(ctx: typer.Context) -> None:
    """Make a ledger file from GTA data or a CSV."""
    group = typer.main.get_group(imports_app)
    with group.make_context("import", list(ctx.args), parent=ctx.parent) as sub:
        group.invoke(sub)


OutOpt = Annotated[str, Opt("--output", "-o", metavar="FILE",
                            help="The generated ledger file to write (or update: only a file an import generated, unless --force).")]
DryRunOpt = Annotated[bool, Opt("--dry-run", help="Print what would change (added, changed, removed ids) and write nothing.")]
ForceOpt = Annotated[bool, Opt("--force", help="Overwrite FILE even if no import generated it (it is replaced, not merged).")]
SkipBadOpt = Annotated[bool, Opt("--skip-bad", help="Leave out what cannot be imported, list it, and write the rest.")]
SinceOpt = Annotated[str | None, Opt("--since", metavar="DATE", help="Only measures dated on or after this day ('2024-01-01', 'Jan 1 2024').")]
UntilOpt = Annotated[str | None, Opt("--until", metavar="DATE", help="Only measures dated on or before this day.")]


# --- gta -------------------------------------------------------------------------------------


@imports_app.command("gta", cls=LedgerCommand)
def gta(
    files: Annotated[list[str], typer.Argument(metavar="FILE...", show_default=False,
                                                help="Saved responses of GTA's data API (v1 or v2): JSON files, or folders of them (every *.json, the pages of one query).")],
    output: OutOpt,
    between: Annotated[str | None, Opt("--between", metavar="A,B",
                                       help="Only measures one of the two takes against the other (US,CN; alpha-3 and EU too).")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    skip_bad: SkipBadOpt = False,
) -> None:
    """Import Global Trade Alert interventions as a generated ledger file.

    One measure per intervention (id gta-<intervention_id>), with GTA's state acts and
    interventions as sources. The same input always writes the same bytes; a newer export
    updates changed measures, adds new ones, and keeps ones it no longer has, tagged
    gta-removed. The mapping (types to kinds, evaluation to weight, status): docs/gta.md.

    \b
    Examples:
      ledger import gta dump.json -o gta.yaml
      ledger import gta pages/ --between US,CN --since 2018-01-01 -o us-cn.yaml
      ledger import gta pages/ -o us-cn.yaml --dry-run

    Exit codes: 0 written (or nothing to change); 1 a bad page or intervention
    (nothing written unless --skip-bad), or a refused or failed write; 2 a usage
    error.
    """
    from ..importing import gta as g
    from .options import parse_cli_date

    options = g.Options(since=parse_cli_date(since, "--since") if since else None,
                        until=parse_cli_date(until, "--until") if until else None)
    if options.since and options.until and options.since > options.until:
        usage_error(f"--since {options.since} is after --until {options.until}; nothing could match")
    if between is not None:
        parts = [p.strip() for p in between.split(",")]
        codes = [g.resolve_code(p) for p in parts]
        if len(parts) != 2 or None in codes or codes[0] == codes[1]:
            usage_error(f"--between '{between}' is not two different country codes such as US,CN")
        options.between = (codes[0], codes[1])

    names = _gta_inputs(files)
    command_line = _command("gta", files, output, between=between, since=since, until=until)
    # One pass over the bytes first: the inputs' digest (a re-import of the same data
    # has nothing to do) and their latest last_updated (the status rule's day).
    digests = []

    def scanned():
        for name in names:
            data = _read_bytes(name)
            yield data
            digests.append(g.digest_part(data))

    reference = g.latest_update(scanned())
    from ..importing.common import code_digest, digest

    input_digest = digest(code_digest(), command_line, *digests)
    if not dry_run and not force and _unchanged(output, "gta", input_digest):
        return

    from ..read import no_collections

    # Millions of objects are made and none is part of a cycle: the cyclic collector
    # would only rescan them (a third of the time at 100,000 interventions).
    with no_collections():
        read, problems = _read_gta(names, options, reference)
        problems += read.problems
        _stop_on_errors(problems, skip_bad, "intervention")

        more = [f"Data: Global Trade Alert (globaltradealert.org); latest last_updated: {reference or 'not given'}"]
        title = "Global Trade Alert interventions" + (f" between {options.between[0]} and {options.between[1]}" if options.between else "")
        note = (f"Not in the Global Trade Alert data imported on {reference or 'a later import'}: "
                "kept, since something may link to it.")
        _write(output, "gta", command_line, more, title, read.countries, read.sources, read.measures, note, dry_run,
               force, input_digest=input_digest, verify_up_to=VERIFY_UP_TO, kinds=g.GTA_KINDS)


# An import's output goes through the project's reader and checks before it is written.
# A GTA import's is correct by construction (tests hold it to that on hostile input); past
# this size the check would cost more than the import itself (15 s at 100,000 measures).
VERIFY_UP_TO = 32 * 1024 * 1024


# Below this much JSON one process reads it all; above it, a forked process reads the
# second half of the pages beside this one (about 4 MB a 1,000-intervention page).
PARALLEL_FROM = 16 * 1024 * 1024


def _read_gta(names: list[str], options, reference):
    """The pages read, in two processes when there are enough of them: a forked process
    reads the second half of the files and hands back what it read through a pipe that
    only the two processes hold (pickled: data of our own making, from our own child),
    while this one reads the first half. The answer is the same as one process gives
    (`gta.finish` puts the parts together; where it cannot, the pages are read again in
    one part). -> (Read, problems with the files themselves)."""
    import pickle

    from ..importing import gta as g

    problems: list = []
    sizes = [os.path.getsize(n) for n in names]
    if len(names) < 2 or sum(sizes) < PARALLEL_FROM or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return g.finish([g.read_part(_gta_pages(names, problems), reference, _locate)], options), problems
    half, total, acc = 1, sum(sizes), 0
    for i, size in enumerate(sizes):  # split by bytes, not by count; this process also
        acc += size                   # takes the child's part in and puts both together
        if acc >= total * 0.45:
            half = max(1, min(len(names) - 1, i + 1))
            break
    first, second = names[:half], names[half:]
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read the second half, send it, and end without tidying up
        code = 1
        try:
            os.close(r)
            theirs: list = []
            part = g.read_part(_gta_pages(second, theirs), reference, _locate)
            part.problems = theirs + part.problems
            with os.fdopen(w, "wb") as f:
                f.write(pickle.dumps(part.packed(), protocol=pickle.HIGHEST_PROTOCOL))
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    mine = g.read_part(_gta_pages(first, problems), reference, _locate)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if status == 0 and data:
        theirs = g.Part.unpacked(pickle.loads(data))
    else:  # the child failed (out of memory, killed): read its half here
        theirs = g.read_part(_gta_pages(second, problems), reference, _locate)
    del data
    read = g.finish([mine, theirs], options)
    if read is None:
        problems = []
        read = g.finish([g.read_part(_gta_pages(names, problems), reference, _locate)], options)
    return read, problems


def _gta_inputs(paths: list[str]) -> list[str]:
    """Every file named; a folder as its *.json files, in name order (the pages of one query)."""
    names = []
    for p in paths:
        if os.path.isdir(p):
            inside = sorted(f for f in os.listdir(p) if f.lower().endswith(".json"))
            if not inside:
                fail(f"{p}: no *.json files in this folder")
            names += [os.path.join(p, f) for f in inside]
        else:
            names.append(p)
    return names


def _read_bytes(name: str) -> bytes:
    try:
        with open(name, "rb") as f:
            return f.read()
    except OSError as e:
        fail(f"{name}: cannot read: {e.strerror or e}")


def _gta_pages(names: list[str], problems: list):
    """(name, interventions) for each file, parsed one at a time; problems for files that
    are not JSON or not a page of GTA's API."""
    import orjson

    from ..importing.gta import results_of
    from ..model import Problem

    for name in names:
        try:
            parsed = orjson.loads(_read_bytes(name))
        except orjson.JSONDecodeError as e:
            problems.append(Problem(name, e.lineno, e.colno, "error", f"not JSON: {e.msg}"))
            continue
        items = results_of(parsed)
        del parsed
        if items is None:
            problems.append(Problem(name, 1, 1, "error", "not a page of GTA's data API: expected an object with a "
                                                           "'results' list (or a list of interventions)"))
            continue
        yield name, items


def _locate(name, iid, index):
    """(line, col) of an intervention in its file, found only when a problem asks (by its
    "intervention_id" in the text); (1, 1) when it cannot be found."""
    import re

    try:
        with open(name, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return 0, 0
    m = re.search(r'"intervention_id"\s*:\s*"?' + re.escape(str(iid)) + r'\b', text) if iid is not None else None
    if m is None:
        return 1, 1
    line = text.count("\n", 0, m.start()) + 1
    return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1


# --- shared ------------------------------------------------------------------------------------


def _command(importer: str, files, output, **options) -> str:
    words = ["ledger", "import", importer, *files]
    for name, value in options.items():
        if value not in (None, False):
            words += [f"--{name.replace('_', '-')}"] + ([] if value is True else [str(value)])
    return shlex.join(words + ["-o", output])


def _stop_on_errors(problems, skip_bad: bool, what: str) -> None:
    print_problems(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors and not skip_bad:
        n = len(errors)
        fail(f"{n} error{'s' if n != 1 else ''}; nothing written (fix the input, or --skip-bad to leave "
             f"{'it' if n == 1 else 'them'} out)")
    if errors:
        err(f"ledger: skipped {len(errors)} {what}{'s' if len(errors) != 1 else ''} with errors (--skip-bad)")


def _unchanged(output: str, importer: str, input_digest: str) -> bool:
    """True (and says so) when `output` is what this very import wrote, unchanged since."""
    from ..importing.common import up_to_date

    if not os.path.isfile(output):
        return False
    try:
        with open(output, "rb") as f:
            old = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if not up_to_date(old, input_digest):
        return False
    err(f"{output}: up to date (the same data, command and importer as when it was written); nothing written")
    return True


def _write(output, importer, command_line, more, title, countries, sources, measures, note, dry_run, force,
           check=None, input_digest=None, verify_up_to=None, kinds=None):
    """Merge with the old generated file, check, and write it (or say what would change)."""
    from ..files import Refused, locked, write_atomic
    from ..importing.common import assemble, header, natural

    head = header(importer, command_line, more)
    if output == "-":
        outcome = assemble(head, title, countries, sources, measures, None, f"{importer}-removed", note, natural, input_digest,
                           kinds)
        _verify(output, outcome, check, verify_up_to)
        write_stdout(outcome.text)
        return
    if is_bundled(output):
        fail(f"{output} is the bundled ledger, which an import never replaces; choose another -o FILE")
    folder = os.path.dirname(os.path.abspath(output))
    if not dry_run and not os.path.isdir(folder):
        # `-o gta/us-cn.yaml` in a fresh clone: a generated file usually lives in a
        # folder of its own, which the first import makes (as `curl --create-dirs` does).
        try:
            os.makedirs(folder)
        except OSError as e:
            fail(f"{output}: cannot write: cannot make the directory {os.path.dirname(output)}: {e.strerror or e}")
        err(f"ledger: made the directory {os.path.dirname(output)}")
    try:
        with locked(output) if not dry_run else _nothing():
            old = _old_text(output, importer, force)
            try:
                outcome = assemble(head, title, countries, sources, measures, old, f"{importer}-removed", note, natural,
                                   input_digest, kinds)
            except ValueError as e:
                fail(f"{output}: its layout is not what 'ledger import' writes ({e}); it was edited by hand. "
                     "Move it away, or --force to replace it")
            total = outcome.text.count("\n  - id: ")
            if dry_run:
                _say_changes(output, outcome, total)
                return
            if outcome.same:
                err(f"{output}: up to date ({total:,} measure{'s' if total != 1 else ''}); nothing written")
                return
            _verify(output, outcome, check, verify_up_to)
            notes = write_atomic(output, outcome.text.encode("utf-8"))
    except Refused as e:
        fail(f"error: {e}")
    except OSError as e:
        fail(f"{output}: not written: {e.strerror or e}")
    for n in notes:
        err(f"ledger: warning: {n}")
    err(f"wrote {output}: {total:,} measure{'s' if total != 1 else ''} ({len(outcome.added):,} added, "
        f"{len(outcome.changed):,} changed, {len(outcome.removed):,} newly marked removed)")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _old_text(output: str, importer: str, force: bool) -> str | None:
    from ..importing.common import generated_by

    if not os.path.exists(output):
        return None
    if not os.path.isfile(output):
        return None  # a device or a pipe: written to, never read back
    with open(output, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    by = generated_by(text) if text is not None else None
    if by == importer:
        return None if force else text
    if force:
        return None
    what = f"'ledger import {by}'" if by else "a person (it has no 'Generated by ledger import' header)"
    fail(f"{output}: not overwritten: it was written by {what}; choose another -o FILE, or --force to replace it")


def _verify(output: str, outcome, check, up_to: int | None = None) -> None:
    """The project's own reader and checks on the new text before it is written: an
    import never writes a file `ledger check` refuses (`up_to`: only texts this long)."""
    from ..read import load_text_checked

    if up_to is not None and len(outcome.text) > up_to:
        return
    name = output if output != "-" else "<stdout>"
    ledger, problems = load_text_checked(name, outcome.text)
    errors = [p for p in problems if p.severity == "error"]
    if ledger is None or errors:
        if check is not None:
            check(errors)  # the importer says where in its input each error comes from
        print_problems(errors)
        fail(f"{name}: not written: the imported ledger would have {len(errors)} error(s)")


def _say_changes(output: str, outcome, total: int) -> None:
    lines = [f"{output}: would write {total:,} measure{'s' if total != 1 else ''}: {len(outcome.added):,} added, "
             f"{len(outcome.changed):,} changed, {len(outcome.removed):,} newly marked removed"
             + (" (the file is up to date)" if outcome.same else "")]
    for what, ids in (("added", outcome.added), ("changed", outcome.changed), ("removed", outcome.removed)):
        if ids:
            lines.append(f"{what}: {' '.join(ids)}")
    write_stdout("\n".join(lines) + "\n")



# --- csv ---------------------------------------------------------------------------------------


@imports_app.command("csv", cls=LedgerCommand)
def csv_(
    file: Annotated[str, typer.Argument(metavar="FILE", help="A CSV file: our own 'ledger export csv', or any spreadsheet saved as CSV ('-': standard input).")],
    output: OutOpt,
    map_: Annotated[str | None, Opt("--map", metavar="FIELD=COLUMN,...",
                                    help="Which column holds each field, for a spreadsheet with its own column names: "
                                         "id=ID,date=\"Announced on\",actor=Country,target=Target,kind=Kind,title=Title. "
                                         "Columns named as fields are read without it.")] = None,
    raw: Annotated[bool, Opt("--raw", help="The file came from 'ledger export csv --raw': keep a leading ' in a text cell.")] = False,
    encoding: Annotated[str | None, Opt("--encoding", metavar="NAME", help="The file's encoding when it is not UTF-8 (cp1252, latin-1).")] = None,
    dry_run: DryRunOpt = False,
    force: ForceOpt = False,
    skip_bad: SkipBadOpt = False,
) -> None:
    """Import measures from a CSV file as a generated ledger file.

    Every row is checked before anything is written, by the project's own reader and
    checks: each bad cell is reported as FILE:ROW:COL (a spreadsheet's numbering; the
    header is row 1), all in one run, and nothing is written unless every row is good
    (or --skip-bad, which lists the rows it leaves out). Dates in the common written
    forms (2025-10-14, Oct 14 2025, 14.10.2025; 03/04/2025 is refused as ambiguous);
    countries as codes (CN, CHN) or names. A CSV holds measures only: events, the
    sources' details and disagreeing reports are not in it (cited sources are declared
    by their ids).

    \b
    Examples:
      ledger import csv mine.csv -o copy.yaml
      ledger import csv tracker.csv -o tracker.yaml \\
        --map id=Ref,date="Announced on",actor=Country,title=Measure

    Exit codes: 0 written (or nothing to change); 1 a bad cell or file (nothing
    written unless --skip-bad), or a refused or failed write; 2 a usage error.
    """
    from ..importing import csvin
    from ..importing.common import assemble, code_digest, digest, natural
    from ..read import load_text_checked

    try:
        mapping = csvin.parse_map(map_) if map_ is not None else None
    except csvin.MapError as e:
        usage_error(str(e))
    name = "<stdin>" if file == "-" else file
    if file == "-":
        import sys

        data = sys.stdin.buffer.read()
    else:
        data = _read_bytes(file)
    command_line = _command("csv", [file], output, map=map_, raw=raw, encoding=encoding)
    input_digest = digest(code_digest(), command_line, data)
    if not dry_run and not force and _unchanged(output, "csv", input_digest):
        return
    text, problems = csvin.decode(name, data, encoding)
    del data
    table = None
    if text is not None:
        table, more = csvin.read_table(name, text)
        problems += more
    if table is None:
        print_problems(problems)
        fail(f"{name}: nothing imported")
    try:
        cols, more = csvin.columns(name, table, mapping)
    except csvin.MapError as e:
        usage_error(str(e))
    if more:
        print_problems(more)
        fail(f"{name}: the header does not say where every field is; nothing written")

    stem = re.sub(r"[^a-z0-9]+", "-", os.path.splitext(os.path.basename(name))[0].lower()).strip("-") or "row"
    title = f"Imported from {os.path.basename(name)}"
    skipped: set[int] = set()
    while True:
        converted = csvin.convert(name, table, cols, raw, stem, frozenset(skipped))
        trial = assemble("", title, {}, converted.sources, converted.trial, None, "csv-removed", "", natural)
        _, found = load_text_checked(output if output != "-" else "<stdout>", trial.text)
        located = csvin.locate(found, name, trial.starts, converted)
        errors = converted.problems + [p for p in located if p.severity == "error"]
        if not errors:
            break
        bad_rows = {p.line for p in errors if p.file == name and p.line > 1} - skipped
        if not skip_bad or not bad_rows or len(bad_rows) < len({p.line for p in errors}):
            print_problems(errors)
            n = len(errors)
            fail(f"{name}: {n} error{'s' if n != 1 else ''}; nothing written"
                 + ("" if skip_bad else " (fix the cells, or --skip-bad to leave those rows out)"))
        print_problems(errors)
        skipped |= bad_rows
    if skipped:
        err(f"ledger: skipped {len(skipped)} row{'s' if len(skipped) != 1 else ''} with errors (--skip-bad): "
            + ", ".join(map(str, sorted(skipped))))
    print_problems([p for p in located if p.severity == "warning"])
    more = [f"Data: {os.path.basename(name)} (CSV): measures only; events, the sources' details and "
            "disagreeing reports are not in a CSV"]
    note = "Not in the CSV of the latest import: kept, since something may link to it."
    _write(output, "csv", command_line, more, title, {}, converted.sources, converted.measures, note, dry_run, force,
           input_digest=input_digest)
