"""A parse cache: a big ledger that has not changed is not read and checked again.

Reading a 100,000-measure file and checking it takes seconds even on the fast path
(`fastload.py`); unpickling the result takes about half a second. An entry holds the
loaded ledger and every problem (the loader's and the checks', located), stored
under a key made of:

  - the SHA-256 hash of the file's bytes (so any change of content, even one that
    keeps the size and mtime, misses: a stale ledger is never served);
  - the name the file was given as (records and problems carry it);
  - the package version, the Python version, and the size and mtime of the
    modules that make a loaded and checked ledger (`LOADING_MODULES`: an editable
    install changes code without changing the version; records pickled by other
    code are never trusted).

Writing an entry for a file removes the entries of its earlier contents, so the
directory holds one entry per big ledger, not one per edit.

Entries live in `$ESCALATION_LEDGER_CACHE_DIR`, else `$XDG_CACHE_HOME/escalation-ledger`,
else `~/.cache/escalation-ledger`. `ESCALATION_LEDGER_NO_CACHE=1` turns the cache
off. Writes are atomic (temporary file, then rename). A read-only or missing
directory, a corrupt or truncated entry, or anything else going wrong is silently
treated as a miss: the cache can make loading faster, never make it fail.
Entries are pickles, trusted as the user's own files are: the directory must not be
writable by anyone else (the default one, under the home directory, is not).

Beside an entry, a report may keep a result derived from its ledger alone (the chains of
a big ledger: see `put_derived`); it is removed with the entry.

Every ledger is cached, the bundled one included: a hit costs a few milliseconds, while
reading even a small file means importing the YAML reader, the checks and the country
table. The directory keeps at most `MAX_ENTRIES` entries (the oldest written go first).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys

ENV_DIR = "ESCALATION_LEDGER_CACHE_DIR"
ENV_OFF = "ESCALATION_LEDGER_NO_CACHE"
MAX_ENTRIES = 64  # one per ledger file a user works with; more are one-off files
MAGIC = b"ELC3"  # first bytes of an entry; a new entry layout gets a new MAGIC
# What a loaded ledger depends on: a change to any of these modules misses every entry.
LOADING_MODULES = ("load.py", "fastload.py", "values.py", "read.py", "model.py", "check.py", "cache.py")


def cache_dir() -> str | None:
    """Where entries go, or None when the cache is turned off."""
    if os.environ.get(ENV_OFF, "") not in ("", "0"):
        return None
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "escalation-ledger")


def _code_fingerprint() -> str:
    """Python's version, and the content of the code a loaded and checked ledger depends on.

    Our loading modules are hashed (an editable install changes code without changing any
    version); yaml-rs reads the file and iso3166's table decides which countries are known,
    so their installed files' sizes and mtimes count too (an upgrade rewrites them). All of
    it without importing them or reading package metadata, which costs more than a hit.
    """
    from importlib.util import find_spec

    parts = [sys.version, str(pickle.HIGHEST_PROTOCOL)]
    here = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.blake2b(digest_size=16)
    for name in LOADING_MODULES:
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    parts.append(h.hexdigest())
    for module in ("yaml_rs", "iso3166"):
        spec = find_spec(module)
        if spec is None or spec.origin is None:
            parts.append(f"{module}: missing")
            continue
        folder = os.path.dirname(spec.origin) if spec.submodule_search_locations else None
        files = sorted(e.path for e in os.scandir(folder) if e.is_file()) if folder else [spec.origin]
        for path in files:
            st = os.stat(path)
            parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def entry_key(name: str, data: bytes) -> str:
    """The cache key of a ledger given as `name` with content `data`: `<file>-<content and code>`.

    The first part names the file alone (its absolute path), so that writing a new
    entry for a file can remove the entries of its earlier contents.
    """
    where = name if name.startswith("<") else os.path.abspath(name)
    file_part = hashlib.blake2b(where.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    h = hashlib.sha256(data)  # with SHA extensions, twice as fast as blake2b here
    h.update(b"\0" + name.encode("utf-8", "surrogateescape") + b"\0" + _code_fingerprint().encode())
    return f"{file_part}-{h.hexdigest()}"


def _entry_path(directory: str, key: str) -> str:
    return os.path.join(directory, f"{key}.pickle")


def get(key: str):
    """The cached value under `key`, or None on a miss (any failure is a miss)."""
    directory = cache_dir()
    if directory is None:
        return None
    value = _read_file(_entry_path(directory, key), _read)
    if value is not None:
        _served_as(key, value)
    return value


def put(key: str, value) -> bool:
    """Store `value` under `key`, atomically; False (and nothing raised) when it cannot be written."""
    directory = cache_dir()
    if directory is None:
        return False
    _served_as(key, value)
    if not _write_file(directory, _entry_path(directory, key), lambda f: _write(value, f)):
        return False
    _forget_earlier(directory, key)
    return True


def _read_file(path: str, read):
    """`read(file)` after MAGIC, or None: corrupt, truncated, unreadable, written by other
    code, a miss either way."""
    try:
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            return read(f)
    except Exception:
        return None


def _write_file(directory: str, path: str, write) -> bool:
    """MAGIC and then `write(file)` into `path`, atomically (a temporary file, then a
    rename); False, with nothing left behind, when it cannot be written (a read-only or
    full disk, an unpicklable value: the cache is only an optimisation)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(directory, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            write(f)
        os.replace(tmp, path)
    except Exception:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
    return True


_writers: list[int] = []  # processes writing entries behind the command (put_behind)


def put_behind(key: str, value) -> None:
    """`put`, in a forked process, while this one goes on (a 100,000-measure entry takes a
    third of a second to write, about what a report takes to run). The writer is waited for
    when the command exits (`wait_for_writers`, an exit handler), so the entry is complete
    when the command returns and the writer's time and memory count in the command's own."""
    ledger = value[0]
    writer = start_behind(key, ledger.measures if ledger is not None else (), ledger.sources if ledger is not None else {})
    if writer is None or not writer.finish(value):
        put(key, value)


def start_behind(key: str, measures: tuple, sources) -> _Behind | None:
    """Begin writing an entry before all of it is known: a forked process writes these
    measures' fields (all but where each stands, `loc` and `locs`) and these sources at
    once, then waits for the rest, which `_Behind.finish` hands over once the checks have
    run and their warnings are located. At 100,000 measures the columns are most of the
    third of a second an entry takes, and the checks take as long. None when no process
    could be forked (or the cache is off)."""
    import atexit

    directory = cache_dir()
    if directory is None:
        return None
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare
        os.close(r)
        os.close(w)
        return None
    if pid == 0:
        try:
            import signal

            # Ctrl-C reaches the whole process group: the writer finishes its entry (a third
            # of a second, which the command waits for anyway) rather than leave a temporary file.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.close(w)
            _write_behind(directory, key, measures, sources, r)
        finally:
            os._exit(0)  # nothing of the parent's (buffers, exit handlers) runs twice
    os.close(r)
    if not _writers:
        atexit.register(wait_for_writers)
    _writers.append(pid)
    behind = _Behind(directory, key, pid, w, measures, sources)
    _unfinished.append(behind)
    return behind


class _Behind:
    """The command's side of a writer started by `start_behind`."""

    def __init__(self, directory: str, key: str, pid: int, w: int, measures: tuple, sources):
        self.directory, self.key, self.pid, self.w = directory, key, pid, w
        self.measures, self.sources = measures, sources

    def finish(self, value) -> bool:
        """Hand the rest of the entry to the writer. False, and the writer drops what it
        wrote, unless the value's ledger has the very measures (up to where they stand)
        and sources the writer was given."""
        import io
        from operator import is_

        ledger = value[0]
        same = ledger is not None and ledger.sources is self.sources and len(ledger.measures) == len(self.measures)
        if same and not all(map(is_, self.measures, ledger.measures)):
            # Located measures are new records, equal to the old ones: compare only those.
            same = all(a == b for a, b in zip(self.measures, ledger.measures) if a is not b)
        if not same:
            self.abandon()
            return False
        rest = _rest_path(self.directory, self.key, self.pid)
        try:
            buffer = io.BytesIO()
            _write_rest(_pickler(buffer), value)
            with open(rest, "wb") as f:  # a file, not the pipe: the writer may still be busy with the columns
                f.write(buffer.getvalue())
            os.write(self.w, b"1")
        except Exception:  # the writer is gone (or the disk full): no entry, and no rest left behind
            self.abandon()
            try:
                os.unlink(rest)
            except OSError:
                pass
            return False
        finally:
            self._close()
        _served_as(self.key, value)
        return True

    def abandon(self) -> None:
        """The writer drops its temporary file and ends without an entry."""
        self._close()

    def _close(self) -> None:
        if self in _unfinished:
            _unfinished.remove(self)
        if self.w != -1:
            try:
                os.close(self.w)
            except OSError:
                pass
            self.w = -1


def _rest_path(directory: str, key: str, pid: int) -> str:
    return f"{_entry_path(directory, key)}.{pid}.rest"


def _write_behind(directory: str, key: str, measures: tuple, sources, r: int) -> None:
    """In the writer: the columns and sources now, the rest when the command says so, then
    the entry is put in place; on EOF without a word, or any failure, nothing is left."""
    final = _entry_path(directory, key)
    tmp = f"{final}.{os.getpid()}.tmp"
    rest = _rest_path(directory, key, os.getpid())
    try:
        os.makedirs(directory, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            _write_start(_pickler(f), measures, sources)
            with os.fdopen(r, "rb") as pipe:
                go = pipe.read(1)  # one byte, not to the end: a process forked later may hold the pipe open too
            if go != b"1":
                raise OSError("abandoned")
            with open(rest, "rb") as more:
                f.write(more.read())
        os.replace(tmp, final)
    except Exception:
        for path in (tmp, rest):
            try:
                os.unlink(path)
            except OSError:
                pass
        return
    try:
        os.unlink(rest)
    except OSError:
        pass
    _forget_earlier(directory, key)


_unfinished: list[_Behind] = []  # writers not told the rest yet (see start_behind)


def wait_for_writers() -> None:
    """Wait for every entry being written behind the command; a writer never told the
    rest of its entry (the command failed on the way) drops it."""
    for behind in list(_unfinished):
        behind.abandon()
    while _writers:
        try:
            os.waitpid(_writers.pop(), 0)
        except ChildProcessError:  # already reaped
            pass


def _forget_earlier(directory: str, key: str) -> None:
    """Remove the entries of the same file's earlier contents (one entry per file, not one
    per edit), then the oldest entries beyond MAX_ENTRIES; and the results kept beside
    any entry removed (`put_derived`)."""
    prefix = key.split("-", 1)[0] + "-"
    try:
        names = os.listdir(directory)
    except OSError:
        return
    kept = []
    for name in names:
        if not name.endswith(".pickle"):
            continue
        path = os.path.join(directory, name)
        try:
            if name.startswith(prefix) and name != f"{key}.pickle":
                os.unlink(path)
            else:
                kept.append((os.stat(path).st_mtime_ns, path))
        except OSError:
            pass
    kept.sort()
    excess = max(0, len(kept) - MAX_ENTRIES)
    for _, path in kept[:excess]:
        try:
            os.unlink(path)
        except OSError:
            pass
    alive = {os.path.basename(path).split(".", 1)[0] for _, path in kept[excess:]} | {key}
    for name in names:
        if name.endswith(".memo") and name.split(".", 1)[0] not in alive:
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


# --- Results derived from an entry's ledger ----------------------------------------------
# A report whose own work is costly on a big ledger (the chains: a walk of every answer)
# can keep its result beside the entry its ledger came from: `KEY.WHAT.CODE.memo`, where
# WHAT says which result and CODE which code made it. A result lives as long as its
# entry (`_forget_earlier`), and a new one replaces the other results of the same WHAT.
# Like entries, results are pickles, trusted as the user's own files; anything wrong
# with one is a miss.

_served: tuple[object, str] | None = None  # the ledger last read from or stored in an entry, and the entry's key


def _served_as(key: str, value) -> None:
    global _served
    _served = (value[0], key) if value and value[0] is not None else None


def key_of(ledger) -> str | None:
    """The key of the entry this very ledger was read from or stored under by this
    process (the last one only), or None."""
    if _served is not None and _served[0] is ledger:
        return _served[1]
    return None


def _memo_path(directory: str, key: str, name: str) -> str:
    return os.path.join(directory, f"{key}.{name}.memo")


def get_derived(key: str, name: str):
    """The result kept as `name` beside the entry `key`, or None (any failure is a miss)."""
    directory = cache_dir()
    return None if directory is None else _read_file(_memo_path(directory, key, name), pickle.load)


def put_derived(key: str, name: str, value) -> bool:
    """Keep `value` as `name` (`WHAT.CODE`) beside the entry `key`, atomically, in place
    of any other result of the same WHAT; False (and nothing raised) when it cannot."""
    directory = cache_dir()
    if directory is None or "/" in name or os.sep in name:
        return False
    final = _memo_path(directory, key, name)
    if not _write_file(directory, final, lambda f: pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)):
        return False
    same_what = f"{key}.{name.rsplit('.', 1)[0]}."
    try:
        for other in os.listdir(directory):
            if other.startswith(same_what) and other.endswith(".memo") and other != os.path.basename(final):
                os.unlink(os.path.join(directory, other))
    except OSError:
        pass
    return True


# --- Pickling records ------------------------------------------------------------------------
# Named-tuple records (Measure, Event, Report, Source, Location: see model.py) are rebuilt by
# tuple.__new__, one C call each, rather than through their Python-level __new__. A slots
# dataclass pickles through a generic __setstate__ written in Python that calls
# dataclasses.fields() for every object; the few dataclass records are rebuilt through their
# own __init__ instead, with the fields as positional arguments.


def _read_only(d: dict):
    """A read-only mapping (types.MappingProxyType cannot be pickled by name)."""
    from types import MappingProxyType

    return MappingProxyType(d)


def _pickler(file) -> pickle.Pickler:
    import dataclasses
    import operator
    from types import MappingProxyType

    from . import model

    tuples = {model.Measure, model.Event, model.Report, model.Source, model.Location}
    fields = {t: operator.attrgetter(*(f.name for f in dataclasses.fields(t)))  # builds the tuple in C
              for t in (model.LedgerDate, model.Problem, model.Ledger)}

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            cls = type(obj)
            if cls in tuples:
                return tuple.__new__, (cls, tuple(obj))
            if cls is MappingProxyType:  # model.NO_LOCS, the locations of an unlocated entry
                return _read_only, (dict(obj),)
            get = fields.get(cls)
            if get is None:
                return NotImplemented
            return cls, get(obj)

    return _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)


# An entry is, after MAGIC: the measures field by field up to `loc` (one column, a tuple
# of every measure's value of that field, per pickle) and the sources, all known once the
# file is read; then the rest, known once the checks have run and their warnings are
# located: (ledger without measures, sources and events, problems..., number of
# measures), the events, and the measures' `loc` and `locs` columns. A column of plain
# values is pickled and read back in C with no call per measure (a Measure itself would
# cost a reducer call each way), and the records are zipped back from the columns. The
# pickler's memo (every object pickled so far) is emptied after each column: at 100,000
# measures a single pickle's memo alone takes 400 MB.


def _starting_fields() -> int:
    from .model import Measure

    return Measure._fields.index("loc")  # loc and locs are the last two fields


def _write(value, file) -> None:
    """Pickle a (ledger or None, anything else...) tuple straight to the file."""
    ledger = value[0]
    p = _pickler(file)
    _write_start(p, ledger.measures if ledger is not None else (), ledger.sources if ledger is not None else {})
    _write_rest(p, value)


def _write_start(p, measures: tuple, sources) -> None:
    columns = list(zip(*measures))[:_starting_fields()] if measures else [()] * _starting_fields()
    for column in columns:
        p.clear_memo()
        p.dump(column)
    p.clear_memo()
    p.dump(sources)


def _write_rest(p, value) -> None:
    import dataclasses
    from operator import attrgetter

    ledger, *rest = value
    p.clear_memo()
    if ledger is None:
        p.dump((None, rest, 0))
        return
    measures = ledger.measures
    p.dump((dataclasses.replace(ledger, measures=(), sources={}, events=()), rest, len(measures)))
    p.clear_memo()
    p.dump(ledger.events)
    for name in ("loc", "locs"):
        p.clear_memo()
        p.dump(tuple(map(attrgetter(name), measures)))


def _read(file):
    import dataclasses
    from functools import partial

    from .model import Measure

    columns = [pickle.load(file) for _ in range(_starting_fields())]
    sources = pickle.load(file)
    ledger, rest, count = pickle.load(file)
    if ledger is None:
        return None, *rest
    events = pickle.load(file)
    columns += [pickle.load(file), pickle.load(file)]  # loc, locs
    if any(len(c) != count for c in columns):
        raise ValueError("a truncated entry")  # get() takes it for a miss
    measures = tuple(map(partial(tuple.__new__, Measure), zip(*columns))) if count else ()
    return dataclasses.replace(ledger, measures=measures, sources=sources, events=events), *rest
