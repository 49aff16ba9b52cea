"""Shell completion: measure ids, country codes and kinds, read from the ledger being used.

Typer calls these while the user presses TAB (`ledger --install-completion` sets
that up). They read the ledger the command line names (`--file`, else
$ESCALATION_LEDGER_FILE, else the bundled one) and must never print or fail: a
missing or broken file, or `--file -`, simply completes nothing.
"""

from __future__ import annotations

import typer

from ..values import OTHER_CODES


def _ledger(ctx: typer.Context):
    """The ledger for completion, or None; problems are ignored."""
    try:
        from . import ledger_path
        from ..read import load_checked

        file = None
        c = ctx
        while c is not None and file is None:
            file = (c.params or {}).get("file")
            c = c.parent
        path = ledger_path(file)
        if path == "-":  # standard input belongs to the shell, not to us
            return None
        ledger, _ = load_checked(path, warnings_located=False)  # a big ledger comes from the cache or the fast path
        return ledger
    except Exception:  # completion must never print a traceback into the user's prompt
        return None


def _matches(pairs, incomplete: str) -> list[tuple[str, str]]:
    """The candidates that start with what was typed. Their help (a title, a declared
    country's name or kind's description: the ledger's text) reaches the terminal, so it
    goes through `render.terminal_text` (a control character or bidirectional override
    shown as its escape), and on one line: zsh reads a candidate a line."""
    low = incomplete.lower()
    return [(value, _one_line(help)) for value, help in pairs if value.lower().startswith(low)]


def _one_line(text: str) -> str:
    if text.isprintable():  # the usual title: nothing to escape, no renderer to import
        return text
    from ..render import terminal_text

    return " ".join(terminal_text(text).split())


def complete_measure_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids of the ledger's measures (for `ledger chains ID`), with their titles."""
    ledger = _ledger(ctx)
    if ledger is None:
        return []
    return _matches(((m.id, m.title) for m in ledger.measures), incomplete)


def complete_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids of the ledger's measures and events (for `ledger show ID`), with their titles."""
    ledger = _ledger(ctx)
    if ledger is None:
        return []
    return _matches(((r.id, r.title) for r in (*ledger.measures, *ledger.events)), incomplete)


def complete_countries(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Country codes that occur in the ledger (actors, targets, event participants)."""
    ledger = _ledger(ctx)
    if ledger is None:
        return []
    seen: dict[str, str] = {}
    for m in ledger.measures:
        for code in (*m.actor, *m.target):
            seen.setdefault(code, "")
    for e in ledger.events:
        for code in e.countries:
            seen.setdefault(code, "")
    names = {**OTHER_CODES, **ledger.countries}
    try:
        import iso3166

        for code in seen:
            if code not in names and code in iso3166.countries_by_alpha2:
                names[code] = iso3166.countries_by_alpha2[code].name
    except Exception:
        pass
    # Typer keeps only candidates that start with the typed text, case and all; --country
    # takes either case, so someone typing `cn` is offered lower-case codes.
    lower = incomplete != incomplete.upper()
    return _matches(((c.lower() if lower else c, names.get(c, "")) for c in sorted(seen)), incomplete)


def complete_kinds(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Measure kinds and event kinds, as `--kind` accepts them, then the kinds the
    ledger declares, with their descriptions."""
    from .options import KINDS

    ledger = _ledger(ctx)
    declared = ((k.value, k.description or "") for k in ledger.kinds.values()) if ledger is not None else ()
    return _matches([*((k, "") for k in KINDS), *declared], incomplete)
