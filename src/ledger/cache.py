"""A parse cache: a big ledger that has not changed is not read and checked again.

Reading a 100,000-measure file and checking it takes seconds even on the fast path
(`fastload.py`); reading an entry back takes a fifth of a second. An entry holds the
loaded ledger and every problem (the loader's and the checks', located), stored
under a key made of:

  - the SHA-256 hash of the file's bytes (so any change of content, even one that
    keeps the size and mtime, misses: a stale ledger is never served);
  - the name the file was given as (records and problems carry it);
  - the Python version, and the content or the installed files of the code that makes
    a loaded and checked ledger and reads entries (`LOADING_MODULES`, yaml-rs,
    iso3166, msgspec: an editable install changes code without changing the version).

Writing an entry for a file removes the entries of its earlier contents, so the
directory holds one entry per big ledger, not one per edit.

Entries live in `$ESCALATION_LEDGER_CACHE_DIR`, else `$XDG_CACHE_HOME/escalation-ledger`,
else `~/.cache/escalation-ledger`. `ESCALATION_LEDGER_NO_CACHE=1` turns the cache off.

Entries hold data, never code, and are believed only once checked (STYLE.md, "Caches
hold data, never code"):

  - an entry is MessagePack (msgspec), decoded into plain values of the types each
    field may hold, then into records by this module; nothing in a file can name a
    type or a function to call;
  - a SHA-256 digest of the rest of the file, in its header, is verified before anything
    is decoded; a wrong digest, a short file, a value of the wrong shape or type: a miss,
    and the ledger is read again and its entry replaced;
  - the directory is made 0700; one that is a symbolic link, belongs to another user or
    is writable by its group or others is not used at all (as ssh and gpg refuse such a
    directory): the command runs uncached, and `refused()` gives the CLI its one warning;
  - files are made 0600 under unpredictable names with O_EXCL and O_NOFOLLOW, relative
    to the directory opened once (no path is looked up twice), then renamed into place;
    entries are opened with O_NOFOLLOW;
  - a temporary file left by a writer that died (its name carries its process id) or
    older than `STALE_AFTER` seconds is removed when an entry is next written.

A read-only or missing directory, a damaged entry, or anything else going wrong is
treated as a miss: the cache can make loading faster, never make it fail or wrong.

Beside an entry, a report may keep a result derived from its ledger alone (the chains of
a big ledger: see `put_derived`), plain data, checked the same way; it is removed with
the entry.

Every ledger is cached, the bundled one included: a hit costs a few milliseconds, while
reading even a small file means importing the YAML reader, the checks and the country
table. The directory keeps at most `MAX_ENTRIES` entries (the oldest written go first).
"""

from __future__ import annotations

import os
import stat
import sys

ENV_DIR = "ESCALATION_LEDGER_CACHE_DIR"
ENV_OFF = "ESCALATION_LEDGER_NO_CACHE"
MAX_ENTRIES = 64  # one per ledger file a user works with; more are one-off files
MAGIC = b"ELC5"  # first bytes of an entry; a new entry layout gets a new MAGIC
MAGIC_KEPT = b"ELK1"  # first bytes of a result kept beside an entry (put_derived)
ENTRY = ".entry"  # an entry is KEY.entry
STALE_AFTER = 3600  # seconds: a temporary file this old is left over, whoever wrote it
# What a loaded ledger depends on: a change to any of these modules misses every entry.
LOADING_MODULES = ("load.py", "fastload.py", "values.py", "read.py", "model.py", "check.py", "cache.py")

_refusal: str | None = None  # why the directory was not used, until the CLI asks (refused)
# What keeping entries safely takes: files found relative to an opened directory, links
# never followed, owners known. Where any of it is missing (Windows), there is no cache.
_SAFE = all(hasattr(os, name) for name in ("O_NOFOLLOW", "O_DIRECTORY", "geteuid", "pread", "pwrite")) \
    and {os.open, os.stat, os.unlink, os.rename} <= os.supports_dir_fd and os.listdir in os.supports_fd


def _platform_cache_dir() -> str:
    """Where this platform keeps a user's caches. On Linux and the BSDs that is the XDG
    rule, written out here so that every command does not import platformdirs for it;
    elsewhere (macOS: ~/Library/Caches, Windows: %LOCALAPPDATA%) platformdirs knows."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(base, "escalation-ledger")
    import platformdirs

    return platformdirs.user_cache_dir("escalation-ledger", appauthor=False)


def cache_dir() -> str | None:
    """Where entries go, or None when the cache is turned off or its directory is not
    safe to use (see `refused`)."""
    global _refusal
    if os.environ.get(ENV_OFF, "") not in ("", "0") or not _SAFE:
        return None
    directory = os.environ.get(ENV_DIR) or _platform_cache_dir()
    directory = directory.rstrip("/") or "/"  # "DIR/" would name what a link DIR points to
    try:
        reason = _unsafe(directory, os.lstat(directory))
    except OSError:  # not there yet (made 0700 by the first write), or unreachable (a miss)
        reason = None
    if reason is not None:
        _refusal = f"not using the parse cache {directory}: {reason}"
        return None
    return directory


def refused() -> str | None:
    """Why the cache directory was not used, once (then None until it is refused again):
    the CLI prints it as a warning; the command runs uncached."""
    global _refusal
    reason, _refusal = _refusal, None
    return reason


def _unsafe(directory: str, st: os.stat_result) -> str | None:
    """What makes this directory unfit to hold entries, or None. Someone else who can
    write there could plant entries or links (and must not be able to read them)."""
    if stat.S_ISLNK(st.st_mode):
        return "it is a symbolic link (name the directory itself, if it is yours)"
    if not stat.S_ISDIR(st.st_mode):
        return None  # no entry can be written there: every lookup misses
    if st.st_uid != os.geteuid():
        return f"it belongs to another user (uid {st.st_uid}); use a directory of your own"
    if st.st_mode & 0o022:
        who = "others" if st.st_mode & 0o002 else "its group"
        return f"it is writable by {who} (chmod 700 {directory})"
    return None


_NOFOLLOW, _CLOEXEC = getattr(os, "O_NOFOLLOW", 0), getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC


def _open_dir(create: bool) -> int | None:
    """The cache directory, opened (every file is then found relative to it), made 0700
    first if `create`; None when it is off, missing, or not safe to use."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        fd = os.open(directory, _DIR_FLAGS)
    except FileNotFoundError:
        if not create:
            return None
        try:
            parent = os.path.dirname(directory)
            if parent:
                os.makedirs(parent, exist_ok=True)
            os.mkdir(directory, 0o700)
        except FileExistsError:  # made meanwhile: checked below like any other
            pass
        except OSError:
            return None
        try:
            fd = os.open(directory, _DIR_FLAGS)
        except OSError:
            return None
    except OSError:  # a symbolic link, not a directory, not readable
        return None
    try:
        if _unsafe(directory, os.fstat(fd)) is None:
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _sha256(data=b"", size: int | None = None):
    """A SHA-256 hash object of `data`, for about `size` bytes in all (its length if not
    given). OpenSSL's (hashlib) hashes a 41 MB ledger in 0.03 s, Python's own in 0.2 s;
    but hashlib takes 3.5 ms to import, on every command, where Python's own module
    takes 0.3 ms. Small data gets Python's own: the digest is the same."""
    if (len(data) if size is None else size) < _OWN_SHA256_MAX:
        try:
            from _sha2 import sha256  # Python 3.12 and later
        except ImportError:
            try:
                from _sha256 import sha256
            except ImportError:  # pragma: no cover - a Python built without them
                from hashlib import sha256
    else:
        from hashlib import sha256
    return sha256(data)


_OWN_SHA256_MAX = 512 << 10  # where the slower hashing would cost what the import saves


def _blake2b(data=b"", digest_size: int = 64):
    """hashlib's blake2b is this module's: imported alone, without OpenSSL's (3.5 ms)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    return blake2b(data, digest_size=digest_size)


def _code_fingerprint() -> str:
    """Python's version, and the content of the code a loaded and checked ledger depends on.

    Our loading modules are hashed (an editable install changes code without changing any
    version); yaml-rs reads the file, iso3166's table decides which countries are known and
    msgspec reads entries, so their installed files' sizes and mtimes count too (an upgrade
    rewrites them). All of it without importing them or reading package metadata, which
    costs more than a hit.
    """
    from importlib.util import find_spec

    parts = [sys.version]
    here = os.path.dirname(os.path.abspath(__file__))
    h = _blake2b(digest_size=16)
    for name in LOADING_MODULES:
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    parts.append(h.hexdigest())
    for module in ("yaml_rs", "iso3166", "msgspec"):
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
    file_part = _blake2b(where.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    h = _sha256(data)  # with SHA extensions, twice as fast as blake2b on a big file
    h.update(b"\0" + name.encode("utf-8", "surrogateescape") + b"\0" + _code_fingerprint().encode())
    return f"{file_part}-{h.hexdigest()}"


def _usable(key: str) -> bool:
    """A key names a file inside the directory, never elsewhere or a hidden one."""
    return bool(key) and "/" not in key and os.sep not in key and not key.startswith(".") and "\0" not in key


def get(key: str):
    """The cached value under `key`, or None on a miss (any failure is a miss)."""
    if not _usable(key):
        return None
    value = _read_file(key + ENTRY, MAGIC, _decode_entry)
    if value is not None:
        _served_as(key, value)
    return value


def put(key: str, value, chunks: list[bytes] | None = None) -> bool:
    """Store `value` under `key`, atomically; False (and nothing raised) when it cannot be
    written: the cache off or refused, the disk read-only or full, a value this format
    cannot hold exactly. `chunks`: its measures' chunks, made already (`encode_chunk`)."""
    if not _usable(key):
        return False
    dir_fd = _open_dir(create=True)
    if dir_fd is None:
        return False
    try:
        ledger = value[0]
        start = _encode_start(ledger.measures if ledger is not None else (), ledger.sources if ledger is not None else {},
                              chunks)
        rest = _encode_rest(value)
        entry = _Entry(dir_fd, key + ENTRY, MAGIC, start)
    except Exception:
        os.close(dir_fd)
        return False
    try:
        if not entry.finish(rest):
            return False
        _served_as(key, value)
        _forget_earlier(dir_fd, key)
        return True
    finally:
        os.close(dir_fd)


# --- Files: made safely, read only once verified --------------------------------------------
# An entry file is MAGIC, the SHA-256 digest of everything after the digest, the length of
# its first part (8 bytes, little-endian), then the two parts (see "The entry format").

_HEAD = len(MAGIC) + 32 + 8
_NEW_FLAGS = os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC


def _create(dir_fd: int, final: str, flags: int = os.O_WRONLY) -> tuple[int, str]:
    """A new 0600 file in the directory, named after `final` and this process with a
    random part no one can guess and plant a link at: (descriptor, name)."""
    name = f"{final}.{os.getpid()}.{os.urandom(8).hex()}.tmp"
    return os.open(name, flags | _NEW_FLAGS, 0o600, dir_fd=dir_fd), name


def _write_all(fd: int, data) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Entry:
    """A temporary file becoming an entry (or a kept result): the header and the first
    part now, the rest and the digest at `finish`, then renamed into place. The first
    part may come in pieces (`_encode_start`: a big ledger's chunks as they were made,
    never copied into one 24 MB string)."""

    def __init__(self, dir_fd: int, final: str, magic: bytes, start: bytes | list[bytes]):
        self.dir_fd, self.final = dir_fd, final
        self.fd, self.tmp = _create(dir_fd, final)
        try:
            pieces = [start] if isinstance(start, bytes) else start
            size = sum(map(len, pieces))
            length = size.to_bytes(8, "little")
            self.digest = _sha256(length, size=size)  # the length, then both parts
            _write_all(self.fd, magic + bytes(32) + length)
            for piece in pieces:
                self.digest.update(piece)
                _write_all(self.fd, piece)
        except BaseException:
            self.drop()
            raise

    def finish(self, rest: bytes) -> bool:
        """The rest, the digest, and the entry in place; False, with nothing left behind,
        when it cannot be written."""
        try:
            _write_all(self.fd, rest)
            self.digest.update(rest)
            if os.pwrite(self.fd, self.digest.digest(), len(MAGIC)) != 32:
                raise OSError("short write")
            os.close(self.fd)
            self.fd = -1
            os.replace(self.tmp, self.final, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
        except Exception:
            self.drop()
            return False
        return True

    def drop(self) -> None:
        if self.fd != -1:
            os.close(self.fd)
            self.fd = -1
        try:
            os.unlink(self.tmp, dir_fd=self.dir_fd)
        except OSError:
            pass


def _read_file(name: str, magic: bytes, decode):
    """`decode(first part, second part)` of the file `name` in the cache directory, or None:
    missing, a link, not ours, short, a wrong digest, anything `decode` raises: a miss."""
    dir_fd = _open_dir(create=False)
    if dir_fd is None:
        return None
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK | _CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return None
    finally:
        os.close(dir_fd)
    try:
        with open(fd, "rb", buffering=0) as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_size < _HEAD:
                return None
            data = f.read()
        if len(data) < _HEAD or data[:len(magic)] != magic:
            return None
        view = memoryview(data)
        if _sha256(view[_HEAD - 8:]).digest() != data[len(magic):_HEAD - 8]:
            return None
        length = int.from_bytes(data[_HEAD - 8:_HEAD], "little")
        if length > len(data) - _HEAD:
            return None
        return decode(view[_HEAD:_HEAD + length], view[_HEAD + length:])
    except Exception:
        return None


# --- Writing behind the command -----------------------------------------------------------

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


def start_behind(key: str, measures: tuple, sources, chunks: list[bytes] | None = None) -> _Pending | None:
    """Begin writing an entry before all of it is known. With `chunks` (these measures as
    `encode_chunk` made them, run by run, as the processes that read a big file hand them
    over), most of the entry is made already: nothing is forked, and `finish` writes the
    entry where it is asked (`_Chunked`). Without, a forked process writes these
    measures' fields (all but where each stands, `loc` and `locs`) and these sources at
    once, then waits for the rest, which `_Behind.finish` hands over once the checks have
    run and their warnings are located. At 100,000 measures the columns are most of the
    time an entry takes, and the checks take as long. None when no process could be
    forked (or the cache is off or refused).

    The rest goes through a file made here and unlinked at once, which both processes
    hold open: it has no name to plant a link at or to leave behind."""
    import atexit

    if chunks is not None:
        return _Chunked(key, measures, sources, chunks) if _usable(key) else None
    if not _usable(key) or not hasattr(os, "fork"):
        return None
    dir_fd = _open_dir(create=True)
    if dir_fd is None:
        return None
    try:
        rest_fd, name = _create(dir_fd, key + ENTRY, os.O_RDWR)
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        os.close(dir_fd)
        return None
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare
        for fd in (r, w, rest_fd, dir_fd):
            os.close(fd)
        return None
    if pid == 0:
        try:
            import signal

            # Ctrl-C reaches the whole process group: the writer finishes its entry (a third
            # of a second, which the command waits for anyway) rather than leave a temporary file.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.close(w)
            _write_behind(dir_fd, key, measures, sources, r, rest_fd)
        finally:
            os._exit(0)  # nothing of the parent's (buffers, exit handlers) runs twice
    os.close(r)
    os.close(dir_fd)
    if not _writers:
        atexit.register(wait_for_writers)
    _writers.append(pid)
    behind = _Behind(key, pid, w, rest_fd, measures, sources)
    _unfinished.append(behind)
    return behind


class _Pending:
    """An entry begun by `start_behind`: its measures (up to where they stand) and sources."""

    def __init__(self, key: str, measures: tuple, sources):
        self.key, self.measures, self.sources = key, measures, sources

    def _same(self, value) -> bool:
        """The value's ledger has the very measures (up to where they stand) and sources
        this entry was begun with."""
        from operator import is_

        ledger = value[0]
        same = ledger is not None and ledger.sources is self.sources and len(ledger.measures) == len(self.measures)
        if same and not all(map(is_, self.measures, ledger.measures)):
            # Located measures are new records, equal to the old ones: compare only those.
            same = all(a == b for a, b in zip(self.measures, ledger.measures) if a is not b)
        return same

    def finish(self, value) -> bool:  # pragma: no cover - every kind of entry says how
        raise NotImplementedError

    def abandon(self) -> None:
        """Nothing is written."""

    def hand_over(self) -> None:
        """A process forked since will finish (or abandon) this entry."""


class _Chunked(_Pending):
    """An entry whose measures' chunks are made. `finish` writes it: behind the command
    when the command itself asks (a forked process, gone in a tenth of a second, so the
    command's own pages are hardly ever copied for it), here when a process already behind
    the command does (the one that ran the checks beside a report)."""

    def __init__(self, key: str, measures: tuple, sources, chunks: list[bytes]):
        super().__init__(key, measures, sources)
        self.chunks, self.pid = chunks, os.getpid()

    def finish(self, value) -> bool:
        if not self._same(value):
            return False
        if os.getpid() == self.pid and _put_forked(self.key, value, self.chunks):
            return True
        return put(self.key, value, self.chunks)


def _put_forked(key: str, value, chunks: list[bytes]) -> bool:
    """`put` by a forked process, waited for when the command exits; False if none could be forked."""
    if not hasattr(os, "fork"):
        return False
    try:
        pid = os.fork()
    except OSError:  # no process to spare
        return False
    if pid == 0:
        try:
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)  # as every writer: Ctrl-C reaches the whole group
            put(key, value, chunks)
        finally:
            os._exit(0)  # nothing of the command's (buffers, exit handlers) runs twice
    wait_at_exit(pid)
    _served_as(key, value)
    return True


class _Behind(_Pending):
    """The command's side of a writer started by `start_behind`."""

    def __init__(self, key: str, pid: int, w: int, rest_fd: int, measures: tuple, sources):
        super().__init__(key, measures, sources)
        self.pid, self.w, self.rest_fd = pid, w, rest_fd

    def finish(self, value) -> bool:
        """Hand the rest of the entry to the writer. False, and the writer drops what it
        wrote, unless the value's ledger has the very measures (up to where they stand)
        and sources the writer was given."""
        if not self._same(value):
            self.abandon()
            return False
        try:
            _write_all(self.rest_fd, _encode_rest(value))
            os.write(self.w, b"1")
        except Exception:  # a value the format cannot hold, the writer gone, the disk full: no entry
            self.abandon()
            return False
        finally:
            self._close()
        _served_as(self.key, value)
        return True

    def abandon(self) -> None:
        """The writer drops its temporary file and ends without an entry."""
        self._close()

    def hand_over(self) -> None:
        """A process forked since holds this writer's pipe and file too, and will finish it
        (or abandon it) itself: this one lets go of its copies, and still waits for the
        writer when the command exits."""
        self._close()

    def _close(self) -> None:
        if self in _unfinished:
            _unfinished.remove(self)
        for name in ("w", "rest_fd"):
            fd = getattr(self, name)
            if fd != -1:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, name, -1)


def _write_behind(dir_fd: int, key: str, measures: tuple, sources, r: int, rest_fd: int) -> None:
    """In the writer: the columns and sources now, the rest when the command says so, then
    the entry is put in place; on EOF without a word, or any failure, nothing is left."""
    try:
        entry = _Entry(dir_fd, key + ENTRY, MAGIC, _encode_start(measures, sources))
    except Exception:
        return
    try:
        go = os.read(r, 1)  # one byte, not to the end: a process forked later may hold the pipe open too
        size = os.fstat(rest_fd).st_size
        rest = os.pread(rest_fd, size, 0) if go == b"1" else b""
    except OSError:
        go, size, rest = b"", 0, b""
    if go != b"1" or len(rest) != size:
        entry.drop()
        return
    if entry.finish(rest):
        _forget_earlier(dir_fd, key)


_unfinished: list[_Behind] = []  # writers not told the rest yet (see start_behind)


def wait_at_exit(pid: int) -> None:
    """Wait for this forked process, as for a writer, when the command exits: its time and
    memory count in the command's own."""
    import atexit

    if not _writers:
        atexit.register(wait_for_writers)
    _writers.append(pid)


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


# --- Keeping the directory small ------------------------------------------------------------


def _forget_earlier(dir_fd: int, key: str) -> None:
    """Once `key`'s entry is written: remove the entries of the same file's earlier
    contents (one entry per file, not one per edit), then the oldest entries beyond
    MAX_ENTRIES, the results kept beside any entry removed (`put_derived`), and what
    writers that died left behind (`_sweep`)."""
    prefix = key.split("-", 1)[0] + "-"
    try:
        names = os.listdir(dir_fd)
    except OSError:
        return
    kept = []
    for name in names:
        if not name.endswith(ENTRY):
            continue
        try:
            if name.startswith(prefix) and name != key + ENTRY:
                os.unlink(name, dir_fd=dir_fd)
            else:
                kept.append((os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mtime_ns, name))
        except OSError:
            pass
    kept.sort()
    excess = max(0, len(kept) - MAX_ENTRIES)
    for _, name in kept[:excess]:
        try:
            os.unlink(name, dir_fd=dir_fd)
        except OSError:
            pass
    alive = {name[:-len(ENTRY)] for _, name in kept[excess:]} | {key}
    for name in names:
        if name.endswith(".memo") and name.split(".", 1)[0] not in alive:
            try:
                os.unlink(name, dir_fd=dir_fd)
            except OSError:
                pass
    _sweep(dir_fd, names)


def _sweep(dir_fd: int, names: list[str]) -> None:
    """Remove the temporary files of writers that are gone (killed before they could clean
    up): ours whose process id is no longer running, or older than STALE_AFTER seconds
    whoever made them. Also what an older version left: pickled entries (`KEY.pickle`,
    never read again, and made readable by all) and their `.tmp`/`.rest` files. Only
    names this module makes are touched."""
    import re
    import time

    ours = re.compile(r"[^.][^/]*\.(?:entry|memo)\.(\d+)\.[0-9a-f]{16}\.tmp|[0-9a-f]{16}-[0-9a-f]{64}\.pickle(?:\.(\d+)\.(?:tmp|rest))?")
    now = time.time()
    for name in names:
        m = ours.fullmatch(name)
        if m is None:
            continue
        pid = int(m.group(1) or m.group(2) or 0)
        try:
            if name.endswith(".pickle") or not (0 < pid and _running(pid)) or \
                    now - os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mtime > STALE_AFTER:
                os.unlink(name, dir_fd=dir_fd)
        except OSError:
            pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's: running
        return True
    return True


# --- Results derived from an entry's ledger ----------------------------------------------
# A report whose own work is costly on a big ledger (the chains: a walk of every answer)
# can keep its result beside the entry its ledger came from: `KEY.WHAT.CODE.memo`, where
# WHAT says which result and CODE which code made it. A result lives as long as its
# entry (`_forget_earlier`), and a new one replaces the other results of the same WHAT.
# A result is plain data (lists, dicts, strings, numbers, None, booleans), stored as
# MessagePack and checked like an entry; anything wrong with one is a miss.

_served: tuple[object, str] | None = None  # the ledger last read from or stored in an entry, and the entry's key


def _served_as(key: str, value) -> None:
    global _served
    _served = (value[0], key) if value and value[0] is not None else None


def served_as(key: str, ledger) -> None:
    """This ledger is the one whose entry `key` is being written (by another process):
    results derived from it may be kept beside that entry (`key_of`)."""
    _served_as(key, (ledger,))


def key_of(ledger) -> str | None:
    """The key of the entry this very ledger was read from or stored under by this
    process (the last one only), or None."""
    if _served is not None and _served[0] is ledger:
        return _served[1]
    return None


def _memo_name(key: str, name: str) -> str:
    return f"{key}.{name}.memo"


def get_derived(key: str, name: str):
    """The result kept as `name` beside the entry `key` (tuples come back as lists), or
    None (any failure is a miss)."""
    if not (_usable(key) and _usable(name)):
        return None

    def decode(value, rest):
        msgspec = _msgspec()

        if len(rest):
            raise ValueError("a kept result is one part")
        return msgspec.msgpack.decode(value)

    return _read_file(_memo_name(key, name), MAGIC_KEPT, decode)


def put_derived(key: str, name: str, value) -> bool:
    """Keep `value` (plain data) as `name` (`WHAT.CODE`) beside the entry `key`, atomically,
    in place of any other result of the same WHAT; False (and nothing raised) when it cannot."""
    msgspec = _msgspec()

    if not (_usable(key) and _usable(name)):
        return False
    dir_fd = _open_dir(create=True)
    if dir_fd is None:
        return False
    try:
        final = _memo_name(key, name)
        try:
            if not _Entry(dir_fd, final, MAGIC_KEPT, msgspec.msgpack.encode(value)).finish(b""):
                return False
        except Exception:
            return False
        same_what = f"{key}.{name.rsplit('.', 1)[0]}."
        try:
            for other in os.listdir(dir_fd):
                if other.startswith(same_what) and other.endswith(".memo") and other != final:
                    os.unlink(other, dir_fd=dir_fd)
        except OSError:
            pass
        return True
    finally:
        os.close(dir_fd)


# --- The entry format --------------------------------------------------------------------
# An entry's two parts are MessagePack documents. The first is known once the file is
# read: the measures field by field up to `loc`, in chunks (a chunk a column per field:
# one chunk for the whole, or one per share of a big file as the processes reading it
# made them, `encode_chunk`), and the sources; the second once the checks have run and
# their warnings are located (what `_Behind.finish` hands the writer): the ledger's own
# fields, the problems, the names of the checks whose warnings are not located, the
# events, and the measures' `loc` and `locs` columns. A chunk made by a process that had
# not read `kinds:` holds a declared kind by its name: the entry's own kinds say which.
#
# A column is decoded in C with no call per record: a list of plain values of one type,
# checked by msgspec against that type (`_Format`), and the records are zipped back from
# the columns by tuple.__new__ (`map(partial(tuple.__new__, Measure), zip(*columns))`).
# Values many records share (dates, country lists, kinds, locations) are stored once each,
# in a table, with which of them each record holds (`_Coded`); a table's values are made
# into the model's (LedgerDate, dates, date-times with their offset, Location) once each.
# Plain strings are stored as they are. Dates are (ordinal, precision) and date-times
# their ISO text, offset included: a date-time is given back with the offset it was read
# with, not only the same instant.
#
# The encoder is strict: a value of a type the format does not know exactly (a subclass,
# a time zone that is not a fixed offset) raises, and nothing is written.


class _Unstorable(ValueError):
    """A value this format cannot hold exactly: no entry is written."""


def _fail(what: str):
    raise _Unstorable(what)


_format = None


# msgspec's modules for other formats, which its package imports with it: 2 ms (inspect,
# with its JSON Schema, is half) that no entry needs. Only msgspec._core and the
# msgspec._utils it imports itself do the work of msgpack.
_NOT_NEEDED = ("inspect", "json", "structs", "toml", "yaml")


def _msgspec():
    """msgspec (with msgspec.msgpack), imported without typing_extensions unless something
    imported that already, and without its modules for other formats (`_NOT_NEEDED`).
    msgspec only takes a wider get_type_hints from typing_extensions, for classes whose
    annotations typing's cannot resolve; the entries here are declared with plain
    tuples, lists, unions and Literals, which typing's own reads. Importing it costs 3 ms,
    on every command that reads a cache entry. Whatever is left out is imported as usual
    by anyone who asks for it afterwards (`import msgspec.json`)."""
    msgspec = sys.modules.get("msgspec")
    if msgspec is not None:
        return msgspec
    from types import ModuleType

    stand_ins = {f"msgspec.{name}": ModuleType(f"msgspec.{name}") for name in _NOT_NEEDED}
    blocked = "typing_extensions" not in sys.modules
    if blocked:
        sys.modules["typing_extensions"] = None  # `import typing_extensions` raises ImportError
    sys.modules.update(stand_ins)  # what the package's `from . import inspect, json, ...` binds
    try:
        import msgspec
        import msgspec.msgpack
    finally:
        for full, stand_in in stand_ins.items():
            if sys.modules.get(full) is stand_in:
                del sys.modules[full]
            if getattr(sys.modules.get("msgspec"), full[8:], None) is stand_in:
                delattr(sys.modules["msgspec"], full[8:])
        if blocked and sys.modules.get("typing_extensions", False) is None:
            del sys.modules["typing_extensions"]  # anyone else imports it as usual
    return msgspec


def _fmt() -> _Format:
    global _format
    if _format is None:
        _format = _Format()
    return _format


class _Raw:
    """A column stored as it is: strings, or strings and None."""

    def __init__(self, types: set, typ):
        self.types, self.type = types, list[typ]

    def encode(self, column):
        if not set(map(type, column)) <= self.types:
            _fail("a value of another type")
        return column

    def decode(self, plain, count: int, resolve=None):
        if len(plain) != count:
            raise ValueError("a column of another length")
        return plain


class _Coded:
    """A column stored as a table of its distinct values and which of them each record
    holds: unsigned little-endian numbers of the fewest bytes that hold the table's size
    (bytes, not a list of numbers: nothing to decode per record). A column where one
    object is most records' (None, (), an unlocated entry's place) gives that object and
    only the other records, by position: setting those few is cheaper than looking up
    every record's.

    `to_plain` makes the table's values plain (and raises on a type it does not know);
    `from_table` makes them back into values. A kind whose values compare exactly (strings,
    enums, numbers, locations: `by_value`, their types checked first, as 1 == True) is
    tabled by value; the others (dates, date-times, whose equal instants may differ in
    offset, mappings) by identity, as the loader shares them."""

    def __init__(self, typ, to_plain, from_table, by_value=None, plain_once=False):
        self.type = tuple[list[typ], int, bytes, bytes]  # table, the usual value (or -1), positions, which
        self.to_plain, self.from_table, self.by_value = to_plain, from_table, by_value
        self.plain_once = plain_once  # equal plain values are one value: table each once

    def encode(self, column):
        from collections import Counter
        from itertools import compress, repeat
        from operator import is_not

        n = len(column)
        sample = column[::61]
        most, times = Counter(map(id, sample)).most_common(1)[0] if sample else (0, 0)
        if times * 4 >= len(sample) * 3 > 0:  # likely four records in five or more: count them
            usual = next(v for v in sample if id(v) == most)
            others = list(map(is_not, column, repeat(usual)))
            if others.count(False) * 5 >= n * 4:
                table, which = self._table([usual, *compress(column, others)])  # the usual value first: 0
                positions = list(compress(range(n), others))
                return table, 0, _pack(n, positions), _pack(len(table), which[1:])
        table, which = self._table(column)
        return table, -1, b"", _pack(len(table), which)

    def _table(self, values):
        if self.by_value is not None:
            distinct = list(dict.fromkeys(values))
            self.by_value(values, distinct)  # the types, of all (equal values are merged: 1 == True)
            at = dict(zip(distinct, range(len(distinct))))
            return self.to_plain(distinct), list(map(at.__getitem__, values))
        ids = list(map(id, values))
        objects = dict(zip(ids, values))
        at = dict(zip(objects, range(len(objects))))
        table, which = self.to_plain(list(objects.values())), list(map(at.__getitem__, ids))
        if self.plain_once:  # objects the loader did not share (the exact reader's dates), once each
            distinct = dict.fromkeys(table)
            if len(distinct) < len(table):
                at = dict(zip(distinct, range(len(distinct))))
                which = list(map(list(map(at.__getitem__, table)).__getitem__, which))
                table = list(distinct)
        return table, which

    def decode(self, plain, count: int, resolve=None):
        """The column's values, a list or a tuple. A position or value beyond its range
        raises. `resolve`, given the table's values, gives those the column holds instead."""
        from collections import deque
        from operator import itemgetter

        table, usual, positions, which = plain
        values = self.from_table(table)
        if resolve is not None:
            values = resolve(values)
        if usual == -1:
            which = _numbers(len(table), which)
            if len(which) != count or positions:
                raise ValueError("a column of another length")
            if count < 2:  # itemgetter of one index gives the item itself
                return [values[i] for i in which]
            return itemgetter(*which)(values)  # one C loop (a map of __getitem__ calls: a tenth slower)
        if usual < 0:
            raise ValueError("no usual value")
        column = [values[usual]] * count
        positions, which = _numbers(count, positions), _numbers(len(table), which)
        if len(positions) != len(which):
            raise ValueError("positions without values")
        deque(map(column.__setitem__, positions, map(values.__getitem__, which)), maxlen=0)
        return column


def _pack(size: int, numbers: list) -> bytes:
    """Numbers below `size`, little-endian, in the fewest bytes each."""
    return _little(_numbers(size, numbers))


def _numbers(size: int, given=b""):
    """An array for numbers below `size`, of the fewest bytes each; with `given` (numbers,
    or their little-endian bytes) in it."""
    from array import array

    for code in ("B", "H", "I", "L", "Q"):
        if 1 << (8 * array(code).itemsize) >= size:
            break
    else:
        raise _Unstorable("a table too big")
    if not isinstance(given, (bytes, memoryview)):
        return array(code, given)  # from a list: one C loop (extend takes 8 times as long)
    numbers = array(code)
    numbers.frombytes(given)  # raises unless a whole number of numbers
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _little(numbers) -> bytes:
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()


class _Format:
    """The columns of each record type, and the decoders of an entry's two parts."""

    def __init__(self):
        import dataclasses
        import datetime as dt
        from functools import partial
        from itertools import chain, islice
        from typing import Literal

        msgspec = _msgspec()

        from . import model
        from .model import NO_LOCS, DeclaredKind, Event, EventKind, EventStatus, Kind, LedgerDate, Link, Location, Measure, Problem, Report, Source, Status

        Loc = Location  # two numbers, made a Location by msgspec in C
        Date = tuple[int, Literal["day", "month", "year"]]  # first day's ordinal, precision
        Moment = int | str | None  # a date's ordinal, a date-time's ISO text (with its offset)
        new_report = partial(tuple.__new__, Report)
        date_type, datetime_type, timezone = dt.date, dt.datetime, dt.timezone

        def same(table):
            return table

        def each(plain):
            return lambda table: list(map(plain, table))

        def only(*types, within=None):
            """A check of a column's values: each of these types, and every item of each
            of type `within` (items are checked in distinct values only: an item of a str
            subclass merged into an equal str comes back a str, equal and printed alike)."""
            def check(values, distinct):
                if not set(map(type, values)) <= set(types) or \
                        within is not None and not set(map(type, chain.from_iterable(distinct))) <= {within}:
                    _fail(f"a value not of {types}")
            return check

        def plain_date(v):
            if v is None:
                return None
            if type(v) is not LedgerDate or type(v.first) is not date_type or v.precision not in ("day", "month", "year"):
                _fail("date")
            return v.first.toordinal(), v.precision

        def plain_moment(v):
            if v is None:
                return None
            if type(v) is date_type:
                return v.toordinal()
            if type(v) is datetime_type and (v.tzinfo is None or type(v.tzinfo) is timezone):
                text = v.isoformat()
                back = datetime_type.fromisoformat(text)
                if back == v and back.utcoffset() == v.utcoffset() and back.tzname() == v.tzname() and back.fold == v.fold:
                    return text
            _fail("moment")

        def plain_loc(v):
            return (v[0], v[1]) if type(v) is Location and type(v[0]) is int and type(v[1]) is int else _fail("loc")

        def plain_locs(v):
            if v is NO_LOCS:
                return None
            if type(v) is not dict or not set(map(type, v)) <= {str}:
                _fail("locs")
            return dict(zip(v, map(plain_loc, v.values())))

        def dates(table):
            """(ordinal, precision) or None -> LedgerDate or None; a table holds each once."""
            if None in table:
                made = dates([p for p in table if p is not None])
                made.reverse()
                return [None if p is None else made.pop() for p in table]
            ordinals, precisions = zip(*table) if table else ((), ())
            return list(map(LedgerDate, map(date_type.fromordinal, ordinals), precisions))

        def moments(table):
            from_ordinal, from_text = date_type.fromordinal, datetime_type.fromisoformat
            return [None if p is None else from_ordinal(p) if type(p) is int else from_text(p) for p in table]

        def locs_of(table):
            return [NO_LOCS if d is None else d for d in table]

        report_fields = ("source", "quote", "date", "effective", "expires", "not_before", "status", "loc")
        if Report._fields != report_fields:
            _fail("Report has other fields")
        ReportRow = tuple[str, str | None, Date | None, Moment, Moment, Moment, Status | None, Loc]
        def plain_status(v):
            return v if v is None or type(v) is Status else _fail("status")

        def plain_reports(v):
            if type(v) is not tuple:
                _fail("reports")
            rows = []
            for r in v:
                if type(r) is not Report or type(r.source) is not str or not (r.quote is None or type(r.quote) is str):
                    _fail("report")
                rows.append((r.source, r.quote, plain_date(r.date), plain_moment(r.effective), plain_moment(r.expires),
                             plain_moment(r.not_before), plain_status(r.status), plain_loc(r.loc)))
            return rows

        def reports_of(table):
            rows = [row for rows in table for row in rows]
            made = iter(())
            if rows:  # every report of the table, column by column, then handed back in turn
                columns = list(zip(*rows))
                columns[2] = dates(columns[2])
                for i in (3, 4, 5):
                    columns[i] = moments(columns[i])
                made = map(new_report, zip(*columns))
            return [tuple(islice(made, len(rows))) for rows in table]

        link_fields = ("measure", "responds_to", "basis", "sources", "quote", "note", "loc")
        if Link._fields != link_fields:
            _fail("Link has other fields")
        LinkRow = tuple[str, str, Literal["stated", "inferred"], tuple[str, ...], str | None, str | None, Loc]
        new_link = partial(tuple.__new__, Link)

        def plain_links(v):
            if type(v) is not tuple:
                _fail("links")
            rows = []
            for k in v:
                if type(k) is not Link or type(k.measure) is not str or type(k.responds_to) is not str \
                        or k.basis not in ("stated", "inferred") or type(k.basis) is not str \
                        or type(k.sources) is not tuple or not set(map(type, k.sources)) <= {str} \
                        or not (k.quote is None or type(k.quote) is str) or not (k.note is None or type(k.note) is str):
                    _fail("link")
                rows.append((k.measure, k.responds_to, k.basis, k.sources, k.quote, k.note, plain_loc(k.loc)))
            return rows

        def links_of(table):
            return [tuple(map(new_link, rows)) for rows in table]

        def pairs_check(values, distinct):
            for v in distinct:
                if type(v) is not tuple or not all(type(p) is tuple and len(p) == 2 and type(p[0]) is str
                                                   and type(p[1]) is str for p in v):
                    _fail("quotes")

        def plain_kind(k):
            if type(k) is Kind:
                return k.value
            if type(k) is DeclaredKind and type(k.weight) is int and (k.description is None or type(k.description) is str):
                return k.value, k.weight, k.description
            if type(k) is str:  # a file of several: a kind another file declares, by its name (read.py)
                return k, None, None
            _fail("kind")

        def kind_of(plain):
            if type(plain) is str:
                return Kind(plain)
            return DeclaredKind(*plain) if plain[1] is not None else plain[0]

        def raw(optional):
            return _Raw({str, type(None)} if optional else {str}, str | None if optional else str)

        def by_value(typ, check, from_table=same):
            return _Coded(typ, same, from_table, check)

        def by_identity(typ, plain, from_table, plain_once=False):
            return _Coded(typ, each(plain), from_table, plain_once=plain_once)

        kinds = {
            "str": raw(False),
            "str?": raw(True),
            "strs": by_value(tuple[str, ...], only(tuple, within=str)),
            "int?": by_value(int | None, only(int, type(None))),
            "date": by_identity(Date, plain_date, dates, plain_once=True),
            "date?": by_identity(Date | None, plain_date, dates, plain_once=True),
            "moment": by_identity(Moment, plain_moment, moments, plain_once=True),
            "loc": by_value(Loc, only(Location, within=int)),
            "locs": by_identity(dict[str, Loc] | None, plain_locs, locs_of),
            "reports": by_identity(tuple[ReportRow, ...], plain_reports, reports_of),
            "links": by_identity(tuple[LinkRow, ...], plain_links, links_of),
            "pairs": by_value(tuple[tuple[str, str], ...], pairs_check),
            **{enum.__name__: by_value(enum, only(enum)) for enum in (Kind, Status, EventKind, EventStatus)},
            # A measure's kind: a built-in one by its value, a declared one with its weight and description.
            "kind": _Coded(str | tuple[str, int | None, str | None], each(plain_kind), each(kind_of), only(Kind, DeclaredKind, str)),
        }
        # Every field of every record, by name: a field this table does not know (the
        # model grew one) raises here, and the cache is never used rather than wrong.
        measure = {"id": "str", "date": "date", "actor": "strs", "target": "strs", "kind": "kind", "title": "str",
                   "status": "Status", "effective": "moment", "expires": "moment", "not_before": "moment",
                   "responds_to": "strs", "sources": "strs", "weight": "int?", "tags": "strs", "quote": "str?",
                   "notes": "str?", "reports": "reports", "inferred": "strs", "links": "links", "quotes": "pairs", "loc": "loc", "locs": "locs"}
        event = {"id": "str", "date": "date", "title": "str", "kind": "EventKind", "end": "date?",
                 "status": "EventStatus", "countries": "strs", "place": "str?", "agenda": "strs", "sources": "strs",
                 "tags": "strs", "quote": "str?", "notes": "str?", "inferred": "strs", "quotes": "pairs", "loc": "loc", "locs": "locs"}
        source = {"id": "str", "title": "str", "publisher": "str", "published": "date?", "url": "str?",
                  "author": "str?", "notes": "str?", "loc": "loc"}
        self.measure = [kinds[measure[f]] for f in Measure._fields]
        self.event = [kinds[event[f]] for f in Event._fields]
        self.source = [kinds[source[f]] for f in Source._fields]
        if Measure._fields[-2:] != ("loc", "locs") or set(measure) != set(Measure._fields) \
                or set(event) != set(Event._fields) or set(source) != set(Source._fields):
            _fail("records have other fields")
        self.starting = len(Measure._fields) - 2  # loc and locs come with the rest
        ledger_fields = ("path", "title", "countries", "sources", "measures", "events", "loc", "locs", "unloaded", "located",
                         "includes", "kinds", "parts", "files", "loose_links")
        if tuple(f.name for f in dataclasses.fields(model.Ledger)) != ledger_fields:
            _fail("Ledger has other fields")
        if tuple(f.name for f in dataclasses.fields(Problem)) != ("file", "line", "col", "severity", "message", "ref"):
            _fail("Problem has other fields")

        def columns_type(kinds_):
            return tuple[tuple(k.type for k in kinds_)]

        Head = tuple[str, str | None, dict[str, str], Loc, dict[str, Loc], list[str], bool,
                     list[str], list[tuple[str, int | None, str | None]], list[LinkRow]]
        ProblemRow = tuple[str, int, int, Literal["error", "warning"], str, str | None]
        Chunk = tuple[int, columns_type(self.measure[:self.starting])]
        self.chunk = msgspec.msgpack.Decoder(Chunk)
        self.start = msgspec.msgpack.Decoder(tuple[int, list[Chunk], list[str], int, columns_type(self.source)])
        self.rest = msgspec.msgpack.Decoder(tuple[
            Head | None, list[ProblemRow], tuple[str, ...],
            tuple[int, columns_type(self.event)] | None,
            self.measure[-2].type | None, self.measure[-1].type | None])
        self.encode = msgspec.msgpack.Encoder().encode
        self.plain_loc, self.plain_locs, self.plain_kind, self.kind_of = plain_loc, plain_locs, plain_kind, kind_of
        self.plain_links, self.new_link = plain_links, new_link
        self.Ledger, self.Problem, self.Measure, self.Event, self.Source = model.Ledger, Problem, Measure, Event, Source


def _columns(records, kinds) -> list:
    columns = list(zip(*records)) if records else [()] * len(kinds)
    return [kind.encode(column) for kind, column in zip(kinds, columns)]


def _records(cls, kinds, plain, count: int, decoded=(), named=None) -> tuple:
    """Records of `cls` from their plain columns; `decoded`: the last fields' columns,
    decoded already (a chunk's `loc` and `locs`); `named(name)`: the kind a measure's
    kind stored as a name stands for (a chunk's, see `chunk_measures`)."""
    from functools import partial

    if len(plain) + len(decoded) != len(cls._fields):
        raise ValueError("another number of columns")

    def resolve(values):
        return [named(v) if type(v) is str else v for v in values]

    at = cls._fields.index("kind") if named is not None else -1
    columns = [kind.decode(p, count, resolve if i == at else None) for i, (kind, p) in enumerate(zip(kinds, plain))]
    return tuple(map(partial(tuple.__new__, cls), zip(*columns, *decoded))) if count else ()


def encode_chunk(measures) -> bytes:
    """A run of measures as a chunk of an entry: their fields up to where they stand (all
    but `loc` and `locs`), a column per field. What a process reading a share of a big
    file makes of its measures (fastload), which is how it hands them over, so that the
    entry need not be encoded again. Raises on a value the format cannot hold exactly."""
    f = _fmt()
    if type(measures) not in (tuple, list) or not set(map(type, measures)) <= {f.Measure}:
        _fail("measures")
    columns = list(zip(*measures))[:f.starting] if measures else [()] * f.starting
    return f.encode((len(measures), [k.encode(c) for k, c in zip(f.measure, columns)]))


def chunk_measures(chunk, kinds: dict) -> tuple:
    """`encode_chunk`'s measures back, unlocated (`loc` and `locs` their defaults). A kind
    stored as a name (the process that read the share had not seen `kinds:`) is the kind
    `kinds` declares under that name; a name it does not declare raises."""
    from itertools import repeat

    f = _fmt()
    count, columns = f.chunk.decode(chunk)
    defaults = (f.Measure._field_defaults[name] for name in f.Measure._fields[-2:])
    return _records(f.Measure, f.measure, columns, count, [repeat(d, count) for d in defaults], kinds.__getitem__)


def _encode_start(measures: tuple, sources, chunks: list[bytes] | None = None) -> list[bytes]:
    """The first part of an entry, in pieces: the measures (in `chunks` when their chunks
    are made already: `encode_chunk`) and the sources. The pieces are MessagePack's own
    framing of (count, [chunk, ...], source ids, source count, source columns) around the
    chunks as they are: what msgspec writes for that tuple with each chunk as a
    `msgspec.Raw`, without copying them (tests/test_cache.py holds the two equal)."""
    f = _fmt()
    if type(measures) is not tuple or type(sources) is not dict or not set(map(type, sources.values())) <= {f.Source} \
            or not set(map(type, sources)) <= {str}:
        _fail("measures or sources")
    if chunks is None:
        chunks = [encode_chunk(measures)] if measures else []
    return [b"\x95", f.encode(len(measures)), _array_head(len(chunks)), *chunks,
            f.encode(list(sources)), f.encode(len(sources)), f.encode(_columns(tuple(sources.values()), f.source))]


def _array_head(n: int) -> bytes:
    """MessagePack's header of an array of n items."""
    if n < 16:
        return bytes([0x90 | n])
    if n < 1 << 16:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


def _encode_rest(value) -> bytes:
    """(ledger or None, problems, names of checks whose warnings are not located)."""
    f = _fmt()
    ledger, problems, spoke = value
    if type(problems) is not list or not set(map(type, problems)) <= {f.Problem} or type(spoke) is not tuple:
        _fail("problems")
    rows = [(p.file, p.line, p.col, p.severity, p.message, p.ref) for p in problems]
    if not all(type(file) is str and type(line) is int and type(col) is int and severity in ("error", "warning")
               and type(message) is str and (ref is None or type(ref) is str)
               for file, line, col, severity, message, ref in rows) or not set(map(type, spoke)) <= {str}:
        _fail("problems")
    if ledger is None:
        return f.encode((None, rows, spoke, None, None, None))
    if type(ledger) is not f.Ledger or type(ledger.events) is not tuple or not set(map(type, ledger.events)) <= {f.Event} \
            or type(ledger.countries) is not dict or type(ledger.locs) is not dict or type(ledger.unloaded) is not frozenset \
            or ledger.parts or ledger.files or type(ledger.includes) is not tuple or type(ledger.kinds) is not dict:
        _fail("ledger")  # a ledger of several files is kept file by file (read.py), never whole
    head = (ledger.path, ledger.title, ledger.countries, f.plain_loc(ledger.loc), f.plain_locs(ledger.locs),
            sorted(ledger.unloaded), ledger.located, list(ledger.includes),
            [f.plain_kind(k) for k in ledger.kinds.values()], f.plain_links(ledger.loose_links))
    from operator import itemgetter

    measures = ledger.measures
    loc, locs = (tuple(map(itemgetter(i), measures)) for i in (-2, -1))
    return f.encode((head, rows, spoke, (len(ledger.events), _columns(ledger.events, f.event)),
                     f.measure[-2].encode(loc), f.measure[-1].encode(locs)))


def _decode_entry(start, rest):
    f = _fmt()
    count, chunks, source_ids, source_count, source_columns = f.start.decode(start)
    head, rows, spoke, events, loc, locs = f.rest.decode(rest)
    if max(count, source_count, events[0] if events else 0) > len(start) + len(rest):  # a record takes a byte at least
        raise ValueError("more records than bytes")
    problems = [f.Problem(*row) for row in rows]
    if head is None:
        if count or source_count:
            raise ValueError("records without a ledger")
        return None, problems, spoke
    if events is None or loc is None or locs is None or len(source_ids) != source_count:
        raise ValueError("a part missing")
    path, title, countries, where, wheres, unloaded, located, includes, kinds, loose = head
    kinds = {k[0]: f.kind_of(k) for k in kinds}
    if sum(n for n, _ in chunks) != count:
        raise ValueError("chunks of another size")
    loc, locs = f.measure[-2].decode(loc, count), f.measure[-1].decode(locs, count)
    measures, at = [], 0
    for n, columns in chunks:  # a kind a chunk holds by its name is the one this file declares (or stays a name)
        measures += _records(f.Measure, f.measure, columns, n, (loc[at:at + n], locs[at:at + n]),
                             lambda name: kinds.get(name, name))
        at += n
    sources = dict(zip(source_ids, _records(f.Source, f.source, source_columns, source_count)))
    if len(sources) != source_count:
        raise ValueError("sources of the same id")
    ledger = f.Ledger(path=path, title=title, countries=countries, sources=sources, measures=tuple(measures),
                      events=_records(f.Event, f.event, events[1], events[0]), loc=where, locs=wheres,
                      unloaded=frozenset(unloaded),
                      located=located, includes=tuple(includes), kinds=kinds,
                      loose_links=tuple(map(f.new_link, loose)))
    return ledger, problems, spoke
