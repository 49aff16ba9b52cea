"""Writing files so that nothing the user had is lost: atomically, under a lock, keeping
the file's owner, group and mode, through symlinks, and never touching another file's
temporaries.

Used by everything that writes a file the user named: `ledger add` and `ledger init`
(the ledger) and every `-o FILE` (exports, the report). The parse cache has its own
writer (`cache.py`): its directory is private, its rules stricter.

A regular file is replaced: a temporary file beside it (a name no other file's
temporaries can have), written whole, fsync'd, given the old file's owner, group and
mode, renamed over the old name, then the directory fsync'd; a crash leaves the old
file or the new one, never half of one. A symlink is written through (the file it
points to is replaced, the link stays a link). Anything else that exists at the path
(a device such as /dev/stdout, a pipe) is written to directly: renaming over it would
replace the device node.

No printing: failures are raised as OSError (from the system, with its errno and
strerror) or `Refused` (a write that would lose something), and the cli turns them
into one line naming the file and the cause.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator

# Test-only hook: seconds to sleep between fsync of the temporary file and the
# rename, so a test can SIGKILL a writer at the worst moment.
ENV_PAUSE = "ESCALATION_LEDGER_TEST_PAUSE_BEFORE_RENAME"

# `.NAME.<12 hex digits>.ledger-tmp`: the fixed-length random part and the suffix make
# NAME the only file whose temporaries match; with `.NAME.*.tmp`, the clean-up of
# `l.yaml` deleted the in-flight temporary of `l.yaml.bak` (`.l.yaml.bak.XXXX.tmp`).
_TEMP_SUFFIX = ".ledger-tmp"
_TEMP = re.compile(r"\.(.+)\.[0-9a-f]{12}" + re.escape(_TEMP_SUFFIX) + r"\Z", re.S)


class Refused(Exception):
    """Nothing was written: writing would have lost something the user had."""


def lock_path(path: str) -> str:
    real = os.path.realpath(path)
    d, base = os.path.split(real)
    return os.path.join(d, f".{base}.lock")


# Flags that only some platforms have (Windows has neither): without them, 0.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@contextlib.contextmanager
def locked(path: str) -> Iterator[None]:
    """Hold an exclusive lock on the file's sidecar lock file `.NAME.lock` (never
    deleted: deleting races). Locking the file itself does not work: the rename swaps
    the inode under writers waiting on the old one.

    The platform's own call locks it: `flock` where there is `fcntl` (Linux, macOS,
    the BSDs), `msvcrt.locking` on Windows. Either lock goes when the process does, so
    a killed writer never leaves the ledger locked."""
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT | _CLOEXEC | _NOFOLLOW, 0o666)
    try:
        _lock(fd)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    import msvcrt

    while True:  # LK_LOCK tries for ten seconds, then raises: a writer may hold it longer
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            return
        except OSError:
            continue


def temp_of(name: str) -> str | None:
    """The file name whose temporary `name` is (a base name), or None."""
    m = _TEMP.match(name)
    return m.group(1) if m else None


def remove_stale_temps(path: str) -> None:
    """Temporary files left by a writer of this very file killed mid-write; call only
    under the lock (a writer holds it while its temporary exists)."""
    real = os.path.realpath(path)
    d, base = os.path.split(real)
    try:
        names = os.listdir(d)
    except OSError:
        return
    for name in names:
        if temp_of(name) == base:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(d, name))


def write_atomic(path: str, data: bytes) -> list[str]:
    """Put `data` at `path` (see the module docstring); returns warnings worth telling
    the user (hard links left holding the old content). Raises OSError or Refused, with
    the old file untouched and no temporary left behind."""
    import secrets
    import time

    real = os.path.realpath(path)
    try:
        old = os.stat(real)
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(21, "is a directory", path)
    if old is not None and not stat.S_ISREG(old.st_mode):
        with open(real, "wb") as f:  # a device or a pipe: write to it, never replace it
            f.write(data)
        return []
    d, base = os.path.split(real)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(d, f".{base}.{secrets.token_hex(6)}{_TEMP_SUFFIX}")
        try:
            fd = os.open(tmp, flags, 0o600)  # no one else can open it before its mode is set
            break
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            _keep_owner_and_mode(f.fileno(), old, path)
            os.fsync(f.fileno())
        pause = os.environ.get(ENV_PAUSE)
        if pause:
            time.sleep(float(pause))
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # the rename itself made durable; Windows cannot open a directory
        dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    if old is not None and old.st_nlink > 1:
        others = old.st_nlink - 1
        return [f"{path} had {others} other hard link{'s' if others > 1 else ''}; "
                f"{'they keep' if others > 1 else 'it keeps'} the old content (an atomic write makes a new file)"]
    return []


def _keep_owner_and_mode(fd: int, old: os.stat_result | None, path: str) -> None:
    """Give the new file what the old one had: owner and group first (a change of owner
    clears set-id bits), then the mode. A new file gets 0666 less the umask, as `open`
    would. Raises Refused when the owner or group cannot be kept (someone else's file,
    written by a user who may not give files away): the file would silently become theirs."""
    if not hasattr(os, "fchmod"):  # Windows: no owners or modes to keep
        return
    if old is None:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        return
    if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except PermissionError:
            raise Refused(f"{path}: not written: it belongs to {_owner(old)}, and the new file "
                          f"would belong to you; ask its owner, or copy it and work on the copy") from None
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def _owner(st: os.stat_result) -> str:
    try:
        import grp
        import pwd

        user = pwd.getpwuid(st.st_uid).pw_name
        group = grp.getgrgid(st.st_gid).gr_name
    except (ImportError, KeyError):
        user, group = str(st.st_uid), str(st.st_gid)
    return f"{user}:{group}"
