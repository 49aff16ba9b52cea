"""What commands read: a ledger file -> records + every problem, checks included.

Two readers stand below this module and never import each other: `load.py`, the exact
reader (every value located, every problem reported), and `fastload.py`, the fast path
for big, clean files (records without locations, or None when it cannot vouch for the
file). Both take a value's meaning from `values.py`. This module chooses between them,
asks the parse cache first, runs the checks, and locates the entries a check complains
about when the fast path read them (`locate`, which uses the exact reader).
"""

from __future__ import annotations

import contextlib
from itertools import compress, count
from operator import attrgetter

from . import load
from .load import read_source
from .model import Ledger, Problem

def load_checked(path: str, *, warnings_located: bool = True, write_behind: bool = False) -> tuple[Ledger | None, list[Problem]]:
    """Load a ledger and run every check: what commands read. Every problem is located,
    but for `warnings_located=False` (reports, which only ever show errors): then the
    warnings about a big file may come back without their line (0), which saves locating
    them on a first run. Errors are always located.

    The parse cache (`cache.py`: keyed by the content's hash, never stale) is asked
    first, for a file of any size. On a miss, a small file is read exactly (`load.load_text`);
    a big one by the fast path (`fastload.py`) when it is clean, else exactly; either way
    the records and problems are the same. Raises LedgerUnusable only when it cannot be read.

    `write_behind=True` (commands): a big ledger's new cache entry is written by a forked
    process when a core is free, while the checks and the command run: the measures as
    soon as the fast path has them (`cache.start_behind`), the rest once the checks have
    spoken.
    """
    from . import cache

    name, data = read_source(path)
    big = len(data) >= _WRITE_BEHIND_MIN_BYTES
    key = cache.entry_key(name, data) if cache.cache_dir() is not None else None
    with no_collections():
        result = cache.get(key) if key is not None else None
        if result is not None and result[2] and warnings_located:  # cached before its warnings were located
            text, _ = load.decode(name, data)
            result = _locate_warnings(name, text, *result) if text is not None else None
            if result is not None and key is not None:
                cache.put(key, result)
        if result is None:
            if len(data) < _FAST_MIN_BYTES:
                result = (*_with_checks(load._load_bytes(name, data)), ())
            else:
                box = [data]
                del data  # the bytes are not needed once decoded: 40 MB less at the peak of a big load
                writer = []

                def read(ledger: Ledger) -> None:  # the fast path has the records; the checks have not run
                    if key is not None and write_behind and big and _a_core_is_free():
                        writer.extend(filter(None, [cache.start_behind(key, ledger.measures, ledger.sources)]))

                result = _load_big(name, box, warnings_located, read)
                if writer and writer[0].finish(result):
                    key = None  # written behind
            if key is not None:
                if write_behind and big and _a_core_is_free():
                    cache.put_behind(key, result)
                else:
                    cache.put(key, result)
    return result[0], result[1]


_WRITE_BEHIND_MIN_BYTES = 8 << 20  # about 20,000 measures: writing the entry takes a tenth of a second


def _a_core_is_free() -> bool:
    """fastload's answer, asked where it is defined (fastload is imported lazily, and a
    test may stand in for it there)."""
    from .fastload import _a_core_is_free  # imported already: only asked after a big file was read

    return _a_core_is_free()


@contextlib.contextmanager
def no_collections():
    """The cyclic garbage collector off while a ledger is loaded or a report built: a big
    one is millions of new objects, none of them garbage, and collections would only
    rescan them (a third of a 100,000-measure report's time). What was made lives as long
    as the command, so it is frozen out of later collections. Also a decorator."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def _load_big(name: str, box: list[bytes], warnings_located: bool = True, read=None):
    """Load and check a big file; `box` holds its bytes, and is emptied once they are
    decoded. (ledger, problems, names of the checks whose warnings are not located)."""
    text, problems = load.decode(name, box.pop())
    if text is None:
        return None, problems, ()
    return _checked_text(name, text, warnings_located, read)


def load_text_checked(name: str, text: str) -> tuple[Ledger | None, list[Problem]]:
    """Ledger text -> (ledger, problems), checks included, every problem located: what
    `ledger add` reads, before and after its change. Big texts take the fast path."""
    with no_collections():
        if len(text) >= _FAST_MIN_BYTES and not load.decode(name, text.encode("utf-8", "surrogatepass"))[1]:
            return _checked_text(name, text)[:2]
        return _with_checks(load.load_text(name, text))


def _checked_text(name: str, text: str, warnings_located: bool = True, read=None):
    """A big, decoded text, loaded and checked: the fast path when it vouches for the file.
    (ledger, problems, names of the checks whose warnings were left unlocated). `read` is
    told the fast path's ledger before the checks run."""
    from . import fastload
    from .check import CHECKS

    entries: dict = {}  # where load_fast found entries: locating some need not search again
    ledger = fastload.load_fast(name, text, entries)
    if ledger is not None:
        if read is not None:
            read(ledger)
        found = [(check, check(ledger)) for check in CHECKS]
        problems = [p for _, ps in found for p in ps]
        if not problems:
            return ledger, problems, ()
        spoke = tuple(check.__name__ for check, ps in found if ps)
        if not warnings_located and all(p.severity == "warning" for p in problems):
            return ledger, problems, spoke
        located = _locate_warnings(name, text, ledger, problems, spoke, entries)
        if located is not None:
            return located
    return (*_with_checks(load.load_text(name, text)), ())


def _locate_warnings(name: str, text: str, ledger: Ledger, problems: list[Problem], spoke: tuple[str, ...],
                     entries: dict | None = None):
    """Problems that checks found in records that carry no locations: locate those entries,
    run again the checks that spoke (locations never change whether a check speaks), and
    keep the answer only if every problem now has its place. None if that cannot be done.
    `entries`: what `fastload.load_fast` found of this text on the way, if it was read so."""
    from .check import CHECKS

    located = locate(ledger, text, {p.ref for p in problems}, entries)
    if located is None:
        return None
    problems = [p for check in CHECKS if check.__name__ in spoke for p in check(located)]
    if not all(p.line > 0 for p in problems):
        return None
    return located, problems, ()


def _with_checks(loaded: tuple[Ledger | None, list[Problem]]) -> tuple[Ledger | None, list[Problem]]:
    """The loader's problems, then every check's (a ledger too broken to load gets none)."""
    from .check import check_ledger

    ledger, problems = loaded
    return ledger, (problems + check_ledger(ledger) if ledger is not None else problems)


_FAST_MIN_BYTES = 256 * 1024  # about 300 measures: below this the exact reader is fast enough


# --- Locations, on demand ------------------------------------------------------------------
# A check that finds a problem in an unlocated record needs its line and column. The
# entries of `measures:` and `events:` are found by their `- ` lines; each wanted entry's
# lines are read again by load.py's exact reader, and used only if that gives back the
# very record the fast path built. Anything unexpected returns None: read it all exactly.

_ID_OF = attrgetter("id")


def locate(ledger: Ledger, text: str, refs: set, entries: dict | None = None) -> Ledger | None:
    """The ledger with every entry whose id is in `refs` located exactly; None if unsure.

    The wanted entries' lines, put one after the other, are themselves a block list: one
    exact parse reads them all, and each entry's nodes are moved back to its own lines.
    `entries` is what `load_fast` found of this very text, if anything: a list whose
    entries it found, with the same key after it, is not searched again (0.1 s at
    100,000 measures).
    """
    import dataclasses

    from .fastload import _entry_starts

    if None in refs:
        return None
    replaced: dict[str, tuple] = {}
    for key, records, build in (("measures", ledger.measures, "measure"), ("events", ledger.events, "event")):
        # Which records are wanted, asked in C: a loop over 100,000 records took 0.05 s.
        wanted = list(compress(count(), map(refs.__contains__, map(_ID_OF, records))))
        if not wanted:
            replaced[key] = records
            continue
        order = list(ledger.locs)
        following = order[order.index(key) + 1] if key in order and order.index(key) + 1 < len(order) else None
        starts = (entries or {}).get((key, following)) or _entry_starts(text, key, following)
        if starts is None or len(starts) != len(records) + 1:
            return None
        pieces, shifts = [], []
        line, at, joined_lines = 0, 0, 0  # lines before `at` in the file; lines so far in the pieces
        for i in wanted:
            a, b = starts[i], starts[i + 1]
            line += text.count("\n", at, a)
            at = a
            piece = text[a:b] if text.endswith("\n", a, b) else text[a:b] + "\n"
            pieces.append(piece)
            shifts.append(line - joined_lines)
            joined_lines += piece.count("\n")
        root, problems = load.parse_tree(ledger.path, "".join(pieces))
        if problems or not isinstance(root, load.Seq) or len(root.items) != len(wanted):
            return None
        builder = load._Builder(ledger.path, problems)
        out = list(records)
        for i, node, shift in zip(wanted, root.items, shifts):
            _shift(node, shift)
            record = getattr(builder, build)(node, i)
            if problems or record != records[i]:
                return None
            out[i] = record
        replaced[key] = tuple(out)
    return dataclasses.replace(ledger, measures=replaced["measures"], events=replaced["events"])


def _shift(root, lines: int) -> None:
    """Move every node of a tree parsed from a slice down to where the slice is in the file."""
    stack = [root]
    while stack:
        node = stack.pop()
        node.line += lines
        if isinstance(node, load.Seq):
            stack.extend(node.items)
        elif isinstance(node, load.Map):
            for k, v in node.items:
                k.line += lines
                stack.append(v)
