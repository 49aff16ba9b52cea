"""Commands that write: `add` (one measure, appended as text) and `init` (a new ledger).

The logic lives in `ledger.write`; here are options, prompts, messages and exit codes.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
from typing import Annotated

import typer

from . import ENV_FILE, command, emit_json, err, fail, ledger_to_write, usage_error

Opt = typer.Option


def _measure_json(m) -> dict:
    def iso(v):
        return None if v is None else (str(v) if hasattr(v, "precision") else v.isoformat())

    return {"id": m.id, "date": iso(m.date), "actor": list(m.actor), "target": list(m.target),
            "kind": m.kind.value, "title": m.title, "status": m.status.value,
            "effective": iso(m.effective), "expires": iso(m.expires), "not_before": iso(m.not_before),
            "responds_to": list(m.responds_to), "sources": list(m.sources), "weight": m.weight,
            "escalation": m.escalation, "tags": list(m.tags), "quote": m.quote, "notes": m.notes,
            "links": [{"basis": m.basis(i), "to": i} for i in m.responds_to], "inferred": list(m.inferred)}


@command()
def add(
    file: Annotated[str | None, Opt("--file", "-f", metavar="PATH",
                                    help=f"Ledger to add to. Default: ${ENV_FILE}. Never the bundled ledger.")] = None,
    id: Annotated[str | None, Opt("--id", metavar="ID", help="Unique id: lowercase letters, digits, hyphens.")] = None,
    date: Annotated[str | None, Opt("--date", metavar="DATE", help="When announced or taken: YYYY-MM-DD, YYYY-MM or YYYY.")] = None,
    actor: Annotated[list[str] | None, Opt("--actor", metavar="CODE", help="Country code taking the measure (repeatable).")] = None,
    target: Annotated[list[str] | None, Opt("--target", metavar="CODE", help="Country code it is aimed at (repeatable).")] = None,
    kind: Annotated[str | None, Opt("--kind", metavar="KIND", help="tariff, export-control, sanction, truce, ...")] = None,
    title: Annotated[str | None, Opt("--title", metavar="TEXT", help="One line, in the sources' words.")] = None,
    status: Annotated[str | None, Opt("--status", metavar="STATUS", help="threatened, announced, in-force, ... (default announced).")] = None,
    effective: Annotated[str | None, Opt("--effective", metavar="DATE", help="When it takes effect: date, or date-time with offset.")] = None,
    expires: Annotated[str | None, Opt("--expires", metavar="DATE", help="When it ends unless renewed.")] = None,
    not_before: Annotated[str | None, Opt("--not-before", metavar="DATE", help="Earliest moment it may take effect.")] = None,
    responds_to: Annotated[list[str] | None, Opt("--responds-to", metavar="ID", help="Id of a measure it answers, as a source states (repeatable).")] = None,
    source: Annotated[list[str] | None, Opt("--source", metavar="ID", help="Id of a source under 'sources:' (repeatable).")] = None,
    weight: Annotated[str | None, Opt("--weight", metavar="N", help="Escalation weight -5..5 (default by kind).")] = None,
    tag: Annotated[list[str] | None, Opt("--tag", metavar="TAG", help="Free label (repeatable).")] = None,
    inferred_link: Annotated[list[str] | None, Opt("--inferred-link", metavar="ID",
                                                   help="Id of a measure it answers by our reading, not a source's "
                                                        "(repeatable): written with basis: inferred; say why in --notes.")] = None,
    inferred: Annotated[list[str] | None, Opt("--inferred", metavar="FIELD",
                                              help="A field whose value is our reading, not a source's: date, target, "
                                                   "expires, ... (repeatable); say why in --notes.")] = None,
    notes: Annotated[str | None, Opt("--notes", metavar="TEXT", help="Anything else; why a value or link is inferred.")] = None,
    quote: Annotated[str | None, Opt("--quote", metavar="TEXT", help="The sentence of the source the entry rests on.")] = None,
    into: Annotated[str | None, Opt("--into", metavar="PATH",
                                    help="Write to this file of the ledger (one it includes); default: --file itself.")] = None,
    json_: Annotated[bool, Opt("--json", help="Print the added measure as JSON on stdout.")] = False,
) -> None:
    """Append one checked measure to your ledger.

    The new measure is checked against the whole ledger first, then appended as
    text, atomically: nothing else in the file changes, comments and formatting
    stay byte for byte. A ledger that includes other files (include:) is checked
    whole; the measure goes to --file, or to --into FILE, one of its own files,
    never to a file 'ledger import' generated. Run in a terminal without the required options (--id,
    --date, --actor, --target, --kind, --title), it asks for them.

    \b
    Examples:
      ledger add -f mine.yaml --id us-steel-fee --date 2025-11-03 \\
          --actor US --target CN --kind fee --title "A port fee"
      ledger add -f mine.yaml --id cn-reply --date 2025-11 --actor CN \\
          --target US --kind tariff --title "A reply" --responds-to us-steel-fee
      ledger add -f mine.yaml --id cn-fee --date 2025-11 --actor CN \\
          --target US --kind fee --title "A fee" --inferred date \\
          --inferred-link us-steel-fee --notes "No month given; the link is ours."

    Provenance: --inferred names a value that is our reading, --inferred-link a link
    that is; --notes says why (without it, add warns, as 'ledger check' does).

    Exit codes: 0 added; 1 not added (the measure or the ledger has an error,
    or the file cannot be written; the ledger is unchanged); 2 a usage error (a
    required option missing in a script).
    """
    from ..files import Refused
    from ..load import LedgerUnusable
    from ..write import OPTION, REQUIRED, WriteRefused, add_measure

    path = ledger_to_write(file, "add")
    fields = {"id": id, "date": date, "actor": actor or None, "target": target or None, "kind": kind,
              "title": title, "status": status, "effective": effective, "expires": expires,
              "not_before": not_before, "responds_to": responds_to or None, "sources": source or None,
              "weight": weight, "tags": tag or None, "notes": notes, "quote": quote,
              "inferred": inferred or None, "inferred_links": inferred_link or None}
    both = sorted(set(responds_to or ()) & set(inferred_link or ()))
    if both:
        usage_error(f"add: --responds-to and --inferred-link both name {', '.join(both)}: a link is stated or inferred, "
                    "not both")
    missing = [f for f in REQUIRED if not fields.get(f)]
    if missing and interactive():
        _ask(path, fields, missing)
        missing = []
    if missing:
        usage_error("add: missing " + ", ".join(OPTION[f] for f in missing))
    _codes_as_the_ledger_writes_them(fields)
    _refuse_control_characters(fields, OPTION)

    try:
        added = add_measure(path, fields, into)
    except LedgerUnusable as e:
        fail(f"{e.path}: {e.message}")
    except Refused as e:
        fail(str(e))
    except OSError as e:  # a read-only directory (the lock or the temporary), a full disk
        fail(f"{path}: not added: {e.strerror or e}{_where(e, path)}; the ledger is unchanged")
    except WriteRefused as e:
        for p in sorted(e.problems, key=lambda p: p.sort_key()):
            err(str(p))
        for option, message in e.entry_problems:
            err(f"ledger: {option}: {message}")
        fail(f"{path}: not added: {e.message}")
    for p in added.warnings:
        err(f"ledger: warning: {p.message}")
    for note in added.notes:
        err(f"ledger: warning: {note}")
    if json_:
        emit_json(_measure_json(added.measure))
    err(f"added measure '{added.measure.id}' to {added.path}")


def interactive() -> bool:
    """Whether `add` may ask for what is missing: a person at a terminal."""
    return sys.stdin.isatty()


# The order `add` asks in: what the measure is before what it is called, so that an id
# can be suggested from it.
_ASKED = ("date", "actor", "target", "kind", "title", "id")


def _ask(path: str, fields: dict, missing: list[str]) -> None:
    """Ask for each missing field, checking each answer at once: a bad answer is asked
    again with the reason (a bad date, an unknown code, a misspelt kind), not found out
    after the last question. The kinds are listed; an id is suggested."""
    from ..model import Kind
    from ..write import OPTION

    ids: set[str] = set()
    declared: dict[str, str] = {}
    kinds = [k.value for k in Kind]
    try:  # the ledger's ids and declared codes, to check answers against; unreadable: checked at the end
        from ..read import load_checked

        ledger, _ = load_checked(path)
        if ledger is not None:
            ids = {r.id for r in (*ledger.measures, *ledger.events)}
            declared = dict(ledger.countries)
            kinds += list(ledger.kinds)
    except Exception:
        pass
    for f in (f for f in _ASKED if f in missing):
        label = OPTION[f].lstrip("-")
        default = None
        if f == "kind":
            label += f" ({', '.join(kinds)})"
        elif f in ("actor", "target"):
            label += " (country codes, e.g. US or CN EU)"
        elif f == "date":
            label += " (YYYY-MM-DD, or YYYY-MM / YYYY)"
        elif f == "id":
            default = suggest_id(fields, ids)
        while True:
            answer = typer.prompt(label, default=default)
            try:
                fields[f] = _answer(f, answer, ids, declared, kinds)
                break
            except ValueError as e:
                err(f"ledger: {label.split(' (')[0]}: {e}; try again")


def _answer(field: str, text: str, ids: set[str], declared: dict, kinds: list[str]):
    """One answer -> the field's value, or ValueError saying what is wrong with it."""
    from ..values import ID, parse_date
    from .options import country_code

    text = text.strip()
    if not text:
        raise ValueError("an answer is needed")
    if field == "date":
        parse_date(text)
        return text
    if field in ("actor", "target"):
        return [country_code(c, declared) for c in text.replace(",", " ").split()]
    if field == "kind":
        if text.lower() in kinds:
            return text.lower()
        close = difflib.get_close_matches(text.lower(), kinds, n=1, cutoff=0.6)
        raise ValueError(f"unknown kind '{text}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    if field == "id":
        if not ID.match(text):
            raise ValueError(f"'{text}' is not an id: lowercase letters, digits and hyphens")
        if text in ids:
            raise ValueError(f"'{text}' is in the ledger already")
    return text


def suggest_id(fields: dict, taken: set[str]) -> str:
    """An id from the measure's first actor, kind and title (`us-tariff-steel-imports`),
    made unique against `taken` with a number."""
    import re

    actor = (fields.get("actor") or ["x"])[0]
    words = re.findall(r"[a-z0-9]+", f"{actor} {fields.get('kind') or ''} {fields.get('title') or ''}".lower())
    base = "-".join(words)[:48].strip("-") or "measure"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _codes_as_the_ledger_writes_them(fields: dict) -> None:
    """--actor/--target in any case, or alpha-3, as the reports take --country: written as
    the ledger's code (`us` -> US, CHN -> CN). Anything else is left for the checks to name."""
    from .options import country_code

    for f in ("actor", "target"):
        if fields.get(f):
            out = []
            for c in fields[f]:
                try:
                    out.append(country_code(c, {}))
                except ValueError:  # maybe declared in the ledger: the checks decide
                    out.append(c.strip().upper() if c.strip().isalnum() else c)
            fields[f] = out


def _refuse_control_characters(fields: dict, option: dict) -> None:
    """A usage error for a control character or a bidirectional override in any option
    (`--title "$(printf 'x \\e]0;p\\a')"`): what `ledger check` warns about in a file,
    `add` does not write into one."""
    from ..render import UNSAFE, shown

    for name, value in fields.items():
        for text in value if isinstance(value, list) else [value]:
            found = UNSAFE.search(text) if isinstance(text, str) else None
            if found:
                usage_error(f"add: {option[name]} holds {shown(found.group())}, a control character that a "
                            "terminal would act on; give plain text (line breaks are fine in --notes and --quote)")


def empty_template() -> str:
    """A ledger with no measures and, in comments, every field of the format."""
    from ..model import EVENT_FIELDS, MEASURE_FIELDS, REPORT_FIELDS, SOURCE_FIELDS

    example = {
        "id": "us-steel-tariff", "date": "2025-03-12", "actor": "US", "target": "[CN, EU]", "kind": "tariff",
        "title": "25 percent tariff on steel imports", "status": "in-force", "effective": "2025-03-12",
        "expires": "2026-03-12", "not_before": "2025-03-12T00:01:00-04:00", "responds_to": "[]",
        "sources": "[example-news-2025-03-12]", "weight": "3", "tags": "[steel]",
        "quote": "The tariff takes effect on March 12.", "notes": "Anything else; say when a link is inferred.",
        "source": "other-paper-2025-03-13", "end": "2025-03-14", "countries": "[US, CN]",
        "place": "Geneva", "agenda": "[tariffs]", "publisher": "Example News",
        "published": "2025-03-12", "url": "https://example.org/article", "author": "A. Writer",
    }

    def block(specs, indent: str, first: str, skip=()) -> list[str]:
        out = []
        for i, s in enumerate(s for s in specs if s.name not in skip):
            lead = first if i == 0 else indent
            need = "required" if s.required else "optional"
            value = example.get(s.name, "")
            if s.name == "kind" and specs is EVENT_FIELDS:
                value = "talks"
            if s.name == "status" and specs is EVENT_FIELDS:
                value = "held"
            if s.name == "title" and specs is not MEASURE_FIELDS:
                value = "Trade talks in Geneva" if specs is EVENT_FIELDS else "Headline as printed"
            if s.name == "id" and specs is EVENT_FIELDS:
                value = "geneva-talks-2025-03"
            if s.name == "notes" and specs is SOURCE_FIELDS:
                value = "How the publication date was inferred"
            if s.name == "date" and specs is REPORT_FIELDS:
                value = "2025-03-13"
            out.append(f"#{lead}{s.name}: {value}".rstrip() + f"    # {need}: {s.doc}")
        return out

    lines = [
        "# An escalation ledger: trade and sanctions measures, who answered whom, and when.",
        "# Check it with `ledger check -f THIS_FILE`; add entries with `ledger add` or by hand.",
        "# Every field of the format is shown below in comments: uncomment and edit.",
        "version: 1",
        "title: My escalation ledger",
        "",
        "# Codes beyond ISO 3166-1 alpha-2 (blocs, regions), code: name",
        "countries:",
        "  EU: European Union",
        "",
        "# The publications entries rest on, by id (measures cite them in `sources:`)",
        "sources: {}",
        "#  example-news-2025-03-12:",
        *block(SOURCE_FIELDS, "    ", "    "),
        "",
        "# Summits, calls and talks (not measures)",
        "events: []",
        *block(EVENT_FIELDS, "    ", "  - "),
        "",
        "# The measures. Replace `[]` with entries like the one in comments below.",
        "measures: []",
        *block(MEASURE_FIELDS, "    ", "  - ", skip=("reports",)),
        "#    reports:    # optional: another source's disagreeing version, both are kept",
        *block(REPORT_FIELDS, "        ", "      - "),
    ]
    return "\n".join(lines) + "\n"


@command()
def init(
    path: Annotated[str, typer.Argument(metavar="PATH", help="The new ledger file.")],
    empty: Annotated[bool, Opt("--empty", help="A commented template with no measures, instead of a copy of the bundled ledger.")] = False,
    force: Annotated[bool, Opt("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Start your own ledger file.

    PATH becomes a copy of the bundled ledger, or with --empty a commented
    template showing every field. An existing file is never overwritten unless
    --force.

    \b
    Examples:
      ledger init mine.yaml
      ledger init --empty mine.yaml
      export ESCALATION_LEDGER_FILE=$PWD/mine.yaml

    Exit codes: 0 created; 1 not created (PATH exists, its directory does not,
    or it cannot be written); 2 a usage error.
    """
    from ..files import Refused, lock_path, locked, write_atomic
    from ..load import bundled_ledger_path

    if os.path.isdir(path):
        fail(f"{path}: is a directory; give a file name, e.g. {os.path.join(path, 'ledger.yaml')}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        fail(f"{path}: directory {parent} does not exist")
    if os.path.lexists(path) and not force:
        fail(f"{path}: already exists; not overwritten (use --force to replace it)")
    if empty:
        data = empty_template().encode("utf-8")
    else:
        with open(bundled_ledger_path(), "rb") as f:
            data = f.read()
    lock = lock_path(path)
    had_lock = os.path.lexists(lock)
    try:
        with locked(path):
            write_atomic(path, data)
    except (Refused, OSError) as e:
        if not had_lock:  # nothing was written: leave nothing behind, the lock file included
            with contextlib.suppress(OSError):
                os.unlink(lock)
        if isinstance(e, Refused):
            fail(str(e))
        fail(f"{path}: not created: {e.strerror or e}{_where(e, path)}")
    what = "an empty ledger (a commented template)" if empty else "a copy of the bundled ledger"
    err(f"created {path}: {what}")
    err(f"use it with:  export {ENV_FILE}={_shell_quote(os.path.abspath(path))}   (or --file {_shell_quote(path)})")


def _where(e: OSError, path: str) -> str:
    """' (FILE)' when the failing file is not the ledger itself: its lock or temporary."""
    import os.path

    culprit = e.filename if isinstance(e.filename, str) else None
    if culprit and os.path.abspath(culprit) != os.path.abspath(path):
        return f" ({culprit})"
    return ""


def _shell_quote(s: str) -> str:
    import shlex

    return shlex.quote(s)
