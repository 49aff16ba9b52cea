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
import os
from itertools import compress, count
from operator import attrgetter

from . import load
from .load import read_source
from .model import LATER, Ledger, Problem, fill_files

def load_checked(path: str, *, warnings_located: bool = True, write_behind: bool = False,
                 defer_checks: bool = False) -> tuple[Ledger | None, list[Problem] | Verdict]:
    """Load a ledger and run every check: what commands read. Every problem is located,
    but for `warnings_located=False` (reports, which only ever show errors): then the
    warnings about a big file may come back without their line (0), which saves locating
    them on a first run. Errors are always located.

    The parse cache (`cache.py`: keyed by the content's hash, never stale) is asked
    first, for a file of any size. On a miss, a small file is read exactly (`load.load_text`);
    a big one by the fast path (`fastload.py`) when it is clean, else exactly; either way
    the records and problems are the same. Raises LedgerUnusable only when it cannot be read.

    `write_behind=True` (commands): a big ledger's new cache entry is written behind the
    command. When two processes read it, its measures come as the chunks of the entry
    they made on the way (`fastload.load_fast`'s `chunks`), and the entry is written once
    the checks have spoken, by the process that ran them beside a report or by a
    short-lived forked one; else a forked writer encodes the measures as soon as the fast
    path has them (`cache.start_behind`), while the checks and the command run, and the
    rest once the checks have spoken.

    `defer_checks=True` (reports, which print only errors and print nothing before the
    checks have spoken): a big ledger read by the fast path on a machine with a core to
    spare is checked by a forked process while the command builds its report; the
    problems are then a `Verdict`, whose `errors()` the command asks before it prints
    anything (see `Verdict`).
    """
    from . import cache

    name, data = read_source(path)
    big = len(data) >= _WRITE_BEHIND_MIN_BYTES
    key = cache.entry_key(name, data) if cache.cache_dir() is not None else None
    with no_collections():
        result = cache.get(key) if key is not None else None
        # A ledger of several files (`include:`) is read file by file: asked of the cached
        # entry when there is one (a warm run of a plain ledger scans nothing), else of
        # the bytes (a scan at memory speed: 20 ms at 100,000 measures), and again of
        # what was read (an `include` key written in quotes escapes the scan).
        if (result[0] is not None and result[0].includes) if result is not None else _may_include(data):
            whole = load_set_checked(name, data, warnings_located=warnings_located, defer_checks=defer_checks, path=path)
            if whole is not None:
                return whole
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
                chunks = [] if key is not None and write_behind and big else None  # the entry's measures, as read

                def read(ledger: Ledger, checked) -> Verdict | None:  # the fast path has the records; the checks have not run
                    if chunks is not None and (chunks or _a_core_is_free()):  # a big ledger, cached behind the command
                        writer.extend(filter(None, [cache.start_behind(key, ledger.measures, ledger.sources, chunks or None)]))
                    if defer_checks and big and not ledger.includes and (writer or _a_core_is_free()):
                        verdict = _checks_behind(path, checked, writer[0] if writer else None,
                                                 key if write_behind else None)
                        if verdict is not None:
                            writer.clear()  # the checking process hands the writer the rest
                            return verdict
                    return None

                result = _load_big(name, box, warnings_located, read, chunks)
                if isinstance(result[1], Verdict):
                    if key is not None and write_behind:
                        cache.served_as(key, result[0])  # results kept beside the entry (the chains, the timeline's order)
                    return result[0], result[1]
                if writer and writer[0].finish(result):
                    key = None  # written behind
            if key is not None:
                _put(key, result, behind=write_behind and big)
    if result[0] is not None and result[0].includes and name != load.STDIN_NAME:
        whole = load_set_checked(name, read_source(path)[1], warnings_located=warnings_located,  # a big file's bytes are gone
                                 defer_checks=defer_checks, path=path)
        if whole is not None:
            return whole
    return result[0], result[1]


_WRITE_BEHIND_MIN_BYTES = 8 << 20  # about 20,000 measures: writing the entry takes a tenth of a second


def _put(key: str, value, behind: bool) -> None:
    """Keep `value` under `key`: by a forked writer while the command goes on when `behind`
    (a big ledger) and a core is free, else here and now."""
    from . import cache

    if behind and _a_core_is_free():
        cache.put_behind(key, value)
    else:
        cache.put(key, value)


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


def _load_big(name: str, box: list[bytes], warnings_located: bool = True, read=None, chunks: list | None = None):
    """Load and check a big file; `box` holds its bytes, and is emptied once they are
    decoded. (ledger, problems, names of the checks whose warnings are not located)."""
    text, problems = load.decode(name, box.pop())
    if text is None:
        return None, problems, ()
    return _checked_text(name, text, warnings_located, read, chunks)


def load_text_checked(name: str, text: str) -> tuple[Ledger | None, list[Problem]]:
    """Ledger text -> (ledger, problems), checks included, every problem located: what
    `ledger add` reads, before and after its change. Big texts take the fast path."""
    with no_collections():
        if len(text) >= _FAST_MIN_BYTES and not load.decode(name, text.encode("utf-8", "surrogatepass"))[1]:
            return _checked_text(name, text)[:2]
        return _with_checks(load.load_text(name, text))


def _checked_text(name: str, text: str, warnings_located: bool = True, read=None, chunks: list | None = None):
    """A big, decoded text, loaded and checked: the fast path when it vouches for the file.
    (ledger, problems, names of the checks whose warnings were left unlocated). `read` is
    told the fast path's ledger before the checks run, with a function that runs them and
    gives this function's answer; if `read` returns a `Verdict` (the checks run in another
    process), that stands for the problems. `chunks`: see fastload.load_fast."""
    from . import fastload

    entries: dict = {}  # where load_fast found entries: locating some need not search again
    ledger = fastload.load_fast(name, text, entries, chunks)
    if ledger is None:
        return (*_with_checks(load.load_text(name, text)), ())

    def checked():
        return _fast_checked(name, text, ledger, warnings_located, entries) or (*_with_checks(load.load_text(name, text)), ())

    if read is not None:
        verdict = read(ledger, checked)
        if verdict is not None:
            return ledger, verdict, ()
    return checked()


def _fast_checked(name: str, text: str, ledger: Ledger, warnings_located: bool, entries: dict):
    """The checks on the fast path's ledger: (ledger, problems, names of the checks whose
    warnings were left unlocated), or None when the problems cannot all be located (then
    the text is read exactly)."""
    from .check import CHECKS

    found = [(check, check(ledger)) for check in CHECKS]
    problems = [p for _, ps in found for p in ps]
    if not problems:
        return ledger, problems, ()
    spoke = tuple(check.__name__ for check, ps in found if ps)
    if not warnings_located and all(p.severity == "warning" for p in problems):
        return ledger, problems, spoke
    return _locate_warnings(name, text, ledger, problems, spoke, entries)


# --- The checks beside the report (`defer_checks`) -----------------------------------------
# On a first run of a report on a big ledger, the checks (half a second at 100,000
# measures) and the report's own work need not follow each other: nothing is printed
# before the checks have spoken, but the report can be built meanwhile. A forked process
# runs the checks (locating any error exactly as the command would), sends the errors
# back through a pipe, and then hands the finished result to the cache writer. A report
# on a ledger with errors is thrown away unprinted, as if it had never been built.


class Verdict:
    """The errors of a ledger checked by another process, given when asked (`errors()`),
    which waits for them. If that process died without a word, the ledger is checked again
    here, so the answer never depends on it."""

    def __init__(self, r: int, redo):
        self.r, self.redo = r, redo  # the process itself is waited for at exit (cache.wait_at_exit)
        self._errors: list[Problem] | None = None

    def errors(self) -> list[Problem]:
        import pickle

        if self._errors is None:
            chunks = []
            try:
                while chunk := os.read(self.r, 1 << 20):
                    chunks.append(chunk)
            except OSError:
                chunks = []
            finally:
                os.close(self.r)
            try:  # our own forked process's words, through a pipe only it and we hold
                errors = pickle.loads(b"".join(chunks))
                if type(errors) is not list or not all(type(p) is Problem for p in errors):
                    raise ValueError(errors)
            except Exception:
                errors = self.redo()
            self._errors = errors
        return self._errors


def _checks_behind(path: str, checked, writer, key: str | None) -> Verdict | None:
    """Fork the process that runs `checked()`: it sends back the errors, then gives the
    whole result to `writer` (a cache writer already started) or puts it under `key`.
    None if no process could be forked (the command then checks as usual)."""
    import pickle

    from . import cache

    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the checking process: its answer, then the entry, then gone
        try:
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)  # as the writer: Ctrl-C reaches the whole group
            os.close(r)
            result = checked()
            errors = [p for p in result[1] if p.severity == "error"]
            data = memoryview(pickle.dumps(errors, protocol=pickle.HIGHEST_PROTOCOL))
            while data:
                data = data[os.write(w, data):]
            os.close(w)
            if (writer is None or not writer.finish(result)) and key is not None:
                cache.put(key, result)
        finally:
            os._exit(0)  # nothing of the command's (buffers, exit handlers) runs twice
    os.close(w)
    if writer is not None:
        writer.hand_over()  # the checking process holds its own copies and says when to write
    cache.wait_at_exit(pid)

    def redo() -> list[Problem]:
        return [p for p in load_checked(path, warnings_located=False)[1] if p.severity == "error"]

    return Verdict(r, redo)


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
        builder = load._Builder(ledger.path, problems, ledger.kinds)
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


# --- A ledger of several files (`include:`) -------------------------------------------------
# Each file is loaded on its own, as a part: its records and its loader's problems, kept in
# the parse cache under its own key (`_load_part`), so an edit to one file rereads only it.
# The parts are then merged into one ledger (`_merge`: the top file's path, every record's
# file remembered in `Ledger.files`) and every check runs on the whole: ids, references,
# cycles and countries are across files. A file with no `include:` never comes here.

_INCLUDE = b"\ninclude:"


def _may_include(data: bytes) -> bool:
    """Whether the file may have a top-level `include:`, asked of the bytes at memory speed
    (a hit that is not one, say in a block of text, is only a slower road to the same answer)."""
    return data.startswith((b"include:", b"\xef\xbb\xbfinclude:")) or _INCLUDE in data


def _part_key(name: str, data: bytes) -> str | None:
    from . import cache

    # Another name than the file's own entry (a file read alone keeps its checks' problems
    # too): the two never replace each other.
    return cache.entry_key(name + "\0part", data) if cache.cache_dir() is not None else None


def _load_part(name: str, data: bytes, keys: list | None = None,
               writers: dict | None = None) -> tuple[Ledger | None, list[Problem]]:
    """One file of a set: its records and its loader's problems, no checks; cached. Its
    cache key is added to `keys` (None when there is no cache). With `writers`, a big
    part the fast path read is written behind in two steps: its measures at once
    (`cache.start_behind`), the rest once the set's checks have said whether its entries
    must be located (`_finish_parts`); the writer is put in `writers` under the part's name.
    Without (a report, which never locates a part), a big part read by two processes is
    written at once from the chunks they made, by a short-lived forked process: a writer
    encoding its 100,000 measures again took the second core from the report and the
    set's checks for 0.6 s of a first run."""
    from . import cache

    key = _part_key(name, data)
    if keys is not None:
        keys.append(key)
    cached = cache.get(key) if key is not None else None
    if cached is not None:
        return cached[0], cached[1]
    ledger, problems = None, None
    big = len(data) >= _WRITE_BEHIND_MIN_BYTES
    chunks = [] if key is not None and big else None  # the entry's measures, as read
    text, entries = None, {}  # where load_fast found entries: locating some need not search again
    if len(data) >= _FAST_MIN_BYTES:
        from . import fastload

        text, problems = load.decode(name, data)
        if text is not None:
            ledger = fastload.load_fast(name, text, entries, chunks=chunks)
            ledger, problems = (ledger, []) if ledger is not None else load.load_text(name, text)
    else:
        ledger, problems = load._load_bytes(name, data)
    if key is not None:
        if writers is not None and big and ledger is not None and not ledger.located and (chunks or _a_core_is_free()):
            writer = cache.start_behind(key, ledger.measures, ledger.sources, chunks or None)
            if writer is not None:
                # with its text, for `_located_part`: reading and decoding it again, and
                # finding its entries again, was a fifth of a second of `check` over the set
                writers[name] = writer, key, text, entries
                return ledger, problems
        if writers is None and chunks:
            writer = cache.start_behind(key, ledger.measures, ledger.sources, chunks)
            if writer is not None and writer.finish((ledger, problems, ())):
                return ledger, problems
        _put(key, (ledger, problems, ()), behind=big)  # a big one while the checks run
    return ledger, problems


def _finish_parts(writers: dict, parts: list[Ledger]) -> None:
    """Hand each part written behind (`_load_part`'s `writers`) its rest: the part as it now
    is, located or not; written here when the writer cannot take it."""
    from . import cache

    for part in parts:
        pending = writers.pop(part.path, None)
        if pending is not None:
            writer, key, *_ = pending
            if not writer.finish((part, [], ())):
                cache.put(key, (part, [], ()))
    for writer, *_ in writers.values():  # a file that turned out to include nothing (it is read alone), or an error on the way
        writer.abandon()
    writers.clear()


def _included(including: str, item: str) -> tuple[list[str], bool]:
    """The files an `include:` item names (relative to the including file; a glob's in
    name order) and whether it is a glob."""
    import glob
    import os

    base = "" if including == load.STDIN_NAME else os.path.dirname(including)
    pattern = os.path.normpath(os.path.join(base, item))
    if any(c in item for c in "*?["):
        return sorted(glob.glob(pattern)), True
    return [pattern], False


def load_set_checked(name: str, data: bytes, *, warnings_located: bool = True,
                     override: dict | None = None, defer_checks: bool = False,
                     path: str | None = None) -> tuple[Ledger | None, list[Problem] | Verdict] | None:
    """The ledger of `name` (content `data`) and every file it includes, merged and
    checked as one; None when the file includes nothing (read it alone).

    `override`: real path -> text to read instead of that file's (what `ledger add`
    checks before writing). `defer_checks` (with `path`, the file as the command was
    given it): as `load_checked`'s, for a big set."""
    from .load import LedgerUnusable

    spare = defer_checks and _a_core_is_free()  # asked before any process of ours is forked

    parts: list[Ledger] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    keys: list[str | None] = []  # every part's cache key, in the order the parts were read
    override = override or {}
    # `check` may locate a big part's entries after the set's checks: its entry is written
    # once, its measures at once and the rest when that is known (writing the unlocated
    # part, then the located one, was half a second of `check` over 100,000 measures).
    # (Reports' checks may run in a forked process, which would then hold the writers too:
    # they keep none, and never locate warnings.)
    writers: dict | None = {} if warnings_located and not defer_checks else None

    def part_of(file: str, data: bytes) -> Ledger | None:
        real = os.path.realpath(file)
        if real in override:
            ledger, found = load.load_text(file, override[real])
            keys.append(None)  # text that is no file's: nothing about the set is kept
        else:
            ledger, found = _load_part(file, data, keys, writers)
        problems.extend(found)
        return ledger

    def visit(ledger: Ledger, chain: list[str]) -> None:
        parts.append(ledger)
        for i, item in enumerate(ledger.includes):
            at = ledger.locs.get(f"include[{i}]", ledger.loc)

            def error(message: str, severity: str = "error") -> None:
                problems.append(Problem(ledger.path, at.line, at.col, severity, message))

            files, globbed = _included(ledger.path, item)
            if globbed and not files:
                error(f"include '{item}' matches no file", "warning")
            for file in files:
                real = os.path.realpath(file)
                if real in chain:
                    names = [*chain[chain.index(real):], real]
                    error("include goes round in a circle: " + " -> ".join(map(_shown_path, names)))
                    continue
                if real in seen:
                    continue  # included twice (two globs, or two files including it): one part
                seen.add(real)
                try:
                    shown, content = read_source(file) if real not in override else (file, b"")
                except LedgerUnusable as e:
                    error(f"included file '{file}': {e.message}")
                    continue
                part = part_of(shown, content)
                if part is not None:
                    visit(part, [*chain, real])

    top_real = os.path.realpath(name) if name != load.STDIN_NAME else name
    seen.add(top_real)
    try:
        top = part_of(name, data)
        if top is None:
            return None, problems
        if not top.includes:
            return None
        with no_collections():
            visit(top, [top_real])
            merged, more = _merge(parts)
            set_key = _set_key(name, keys, problems)
            kept = _kept_set(set_key, merged, warnings_located)
            if kept is not None:
                return merged, kept

            def checked():
                return (*_set_checked(parts, merged, problems, more, set_key, warnings_located, writers), ())

            if spare and len(merged.measures) >= SET_DEFER_MIN_MEASURES:
                verdict = _checks_behind(path or name, checked, None, None)
                if verdict is not None:
                    if set_key is not None:
                        from . import cache

                        cache.served_as(set_key, merged)  # its entry is the checking process's to write
                    return merged, verdict
            return checked()[:2]
    finally:
        if writers:  # however this ends; `_set_checked` hands over the parts it located itself
            _finish_parts(writers, parts)


SET_DEFER_MIN_MEASURES = 20_000  # about the size (8 MB) above which a single file's checks are deferred


def _set_checked(parts: list[Ledger], merged: Ledger, problems: list[Problem], more: list[Problem],
                 set_key: str | None, warnings_located: bool, writers: dict | None = None) -> tuple[Ledger, list[Problem]]:
    """The merged parts checked (`problems`: the parts' own; `more`: the merge's), the
    entries the checks complain about in a part the fast path read located, the problems
    kept (`_keep_set`); the parts written behind handed their rest (`_finish_parts`)."""
    found = [(check, check(merged)) for check in _checks()]
    checked = problems + more + [p for _, ps in found for p in ps]
    unlocated: dict[str, set] = {}
    for p in checked:
        if p.line == 0 and (warnings_located or p.severity == "error"):
            unlocated.setdefault(p.file, set()).add(p.ref)
    if unlocated:  # found by the checks in a file the fast path read: locate those entries
        parts = list(parts)
        for i, part in enumerate(parts):
            if part.path in unlocated:
                parts[i] = _located_part(part, unlocated[part.path], (writers or {}).get(part.path))
        merged, more = _merge(parts)
        # Only the checks that spoke of an unlocated entry run again: locations never change
        # whether a check speaks, and the others' problems have their places (running all
        # again was half a second of `check` over a set including 100,000 measures).
        checked = problems + more + [p for check, ps in found
                                     for p in (check(merged) if any(q.line == 0 for q in ps) else ps)]
    if writers:
        _finish_parts(writers, parts)
    _keep_set(set_key, merged, checked)
    return merged, checked


# A set's checks (half a second at 100,000 measures) depend on every file of it: their
# problems are kept as an entry of their own, without records (`None` for the ledger),
# keyed by the top file's name and every part's key, so a change to any file, or to the
# code, is a miss. Results derived from the merged ledger (the chains, the timeline's
# order) are kept beside that entry (`cache.served_as`). A report's first run may keep
# warnings without their place: `check` then locates them, and keeps those instead.


def _set_key(name: str, keys: list, problems: list[Problem]) -> str | None:
    from . import cache

    if not keys or None in keys or problems:  # no cache, an override, or a part with problems
        return None
    return cache.entry_key(name + "\0set", "\0".join(keys).encode())


def _kept_set(key: str | None, merged: Ledger, warnings_located: bool) -> list[Problem] | None:
    from . import cache

    if key is None:
        return None
    kept = cache.get(key)
    if kept is None or kept[0] is not None or kept[2]:
        return None
    if warnings_located and not all(p.line > 0 for p in kept[1]):
        return None
    cache.served_as(key, merged)
    return list(kept[1])


def _keep_set(key: str | None, merged: Ledger, checked: list[Problem]) -> None:
    from . import cache

    if key is None or not all(p.line > 0 for p in checked if p.severity == "error"):
        return
    if cache.put(key, (None, checked, ())):
        cache.served_as(key, merged)


def _located_part(part: Ledger, refs: set, pending: tuple | None = None) -> Ledger:
    """A part the fast path read, with the entries named in `refs` located (`locate`), or
    read whole exactly when that cannot be done; kept in the cache so, so that the next
    run finds them located (the fast path vouches only for a file without problems: the
    part's own problems are none), here or, when it is written behind (`pending`: its
    writer, key, text and the entries found reading it, from `_load_part`), by its writer."""
    if pending is not None:
        text, entries = pending[2], pending[3]
    else:
        name, data = read_source(part.path)
        text, entries = load.decode(name, data)[0], None
    located = locate(part, text, refs, entries) if text is not None and None not in refs else None
    if located is None:
        located = load.load_text(part.path, text)[0] if text is not None else None
        if located is None:
            return part
    if pending is None:
        key = _part_key(name, data)
        if key is not None:
            _put(key, (located, [], ()), behind=len(data) >= _WRITE_BEHIND_MIN_BYTES)  # a big one while the checks run again
    return located


def _checks():
    from .check import CHECKS

    return CHECKS


def _shown_path(real: str) -> str:
    import os

    try:
        return os.path.relpath(real)
    except ValueError:  # pragma: no cover - another drive (Windows)
        return real


def _merge(parts: list[Ledger]) -> tuple[Ledger, list[Problem]]:
    """The parts as one ledger: the top file's path, title and top-level locations; the
    countries, kinds and sources of all (the first declaration of each); measures and
    events in file order. -> (ledger, problems of the merge: a source or a kind declared
    in two files, a kind no file declares)."""
    import dataclasses

    from .model import Kind

    top = parts[0]
    countries: dict = {}
    kinds: dict = {}
    sources: dict = {}
    files: dict[int, str] = {}
    problems: list[Problem] = []
    for part in parts:
        for code, label in part.countries.items():
            countries.setdefault(code, label)
        for kind in part.kinds.values():
            first = kinds.setdefault(kind, kind)
            if first.weight != kind.weight:
                problems.append(Problem(part.path, part.locs.get("kinds", part.loc).line, part.locs.get("kinds", part.loc).col,
                                        "error", f"kind '{kind}' is declared with weight {kind.weight} here and {first.weight} in another file"))
        for sid, source in part.sources.items():
            first = sources.setdefault(sid, source)
            if first is not source:
                problems.append(Problem(part.path, source.loc.line, source.loc.col, "error",
                                        f"duplicate source id '{sid}' (first in {files.get(id(first), top.path)})"))
            elif part is not top:
                files[id(source)] = part.path
    measures: list = []
    unloaded: set = set()
    for n, part in enumerate(parts):
        own = part.measures
        if any(type(m.kind) is str for m in own):  # a kind another file declares (load.py keeps its name)
            resolved = []
            for m in own:
                if type(m.kind) is str:
                    kind = kinds.get(m.kind)
                    if kind is None:
                        at = m.where("kind")
                        names = ", ".join([*(k.value for k in Kind), *kinds])
                        problems.append(Problem(part.path, at.line, at.col, "error",
                                                f"unknown kind '{m.kind}'{load._suggest(m.kind, names.split(', '))}; one of: {names}; "
                                                "or declare it under 'kinds:'", m.id))
                        unloaded.add(m.id)
                        continue
                    m = m._replace(kind=kind)
                resolved.append(m)
            own = tuple(resolved)
            parts[n] = part = dataclasses.replace(part, measures=own)
        measures.extend(own)
        if part is not top:
            if own:  # and their links: a problem with a link is said in the file that wrote it
                files.setdefault(LATER, []).append((own, part.path))
            files.update(dict.fromkeys(map(id, part.events), part.path))
        unloaded |= part.unloaded
    loose = _attach_loose_links(parts, measures, files, problems)
    merged = dataclasses.replace(
        top, countries=countries, sources=sources, kinds=kinds, measures=tuple(measures),
        events=tuple(e for part in parts for e in part.events), unloaded=frozenset(unloaded),
        located=all(part.located for part in parts), parts=tuple(parts), files=files, loose_links=loose)
    return merged, problems


def _attach_loose_links(parts: list[Ledger], measures: list, files: dict[int, str], problems: list[Problem]) -> tuple:
    """Each file's loose links (`links:` items from a measure of another file) added to
    the measure they are from, wherever it is, in `measures` (replaced in place, and in
    `files`); the link keeps its own file in `files`, so the checks locate a problem
    with it where it is written. -> the links whose measure no file has (the checks say so)."""
    if not any(part.loose_links for part in parts):
        return ()
    fill_files(files)
    at: dict[str, int] = {}
    for i, m in enumerate(measures):
        at.setdefault(m.id, i)  # a duplicate id is check_duplicate_ids' error: the first one
    top = parts[0]
    left = []
    for part in parts:
        for link in part.loose_links:
            if part is not top:
                files[id(link)] = part.path
            i = at.get(link.measure)
            if i is None:
                left.append(link)
                continue
            m = measures[i]
            if load.stated_plainly(m, link) is not None:  # as load._add_links
                # Named without its line: a big file read by the fast path does not know it,
                # and the exact reader must say the very same thing.
                problems.append(Problem(part.path, link.loc.line, link.loc.col, "error",
                                        f"the link from '{m.id}' to '{link.responds_to}' is inferred here but stated in "
                                        f"its responds_to (in {files.get(id(m), top.path)}); write it once, with the basis meant",
                                        m.id))
                continue
            answers = m.responds_to if link.responds_to in m.responds_to else (*m.responds_to, link.responds_to)
            measures[i] = new = m._replace(responds_to=answers, links=(*m.links, link))
            if id(m) in files:
                files[id(new)] = files.pop(id(m))
    return tuple(left)
