r"""The fast path for big, clean ledgers: yaml-rs (Rust) reads the file, records are built
straight from its values, and locations are found later, only for entries a check
complains about.

`load.py` stays the one exact reader: it keeps the line and column of every value and
reports every problem. This module never reports anything. It either returns exactly
the records `load.py` would return (without their locations) or None, and None sends
the file down the exact path. So a file with any problem at all, or with anything this
path cannot vouch for, is read by `load.py`; being fast never changes an answer.

Two YAML parsers (libyaml, YAML 1.1, behind `load.py`; yaml-rs, YAML 1.2, here) agree
only on part of YAML. So this path vouches only for text inside a small grammar, checked
by `screen` before any value from yaml-rs is used (a list of what to refuse was tried
first, and an attacker found what it missed). Every line, separated by `\n` alone, is
one of these (a line's end is `\n`, or the end of the text):

    line      = blank | entry-key | key-value | item | block
    blank     = " "* ("#" any*)?                        (empty, spaces, or a comment)
    entry-key = " "* ("-" " "+)? KEY ":" (" "+ ("#" any*)?)?     (a mapping or list below)
    key-value = " "* ("-" " "+)? KEY ":" " "+ VALUE (" "+ "#" any* | " "*)
    item      = " "* "-" " "+ VALUE (" "+ "#" any* | " "*)
    block     = I KEY ":" " "+ ("|" | ">") "-"? "\n"
                ("\n"* I "  " non-space any* "\n")+     (every content line exactly two
                                                          spaces deeper than the key: I)
                followed by the end, or by a line that is not blank-with-spaces and is
                less indented than the content; never kept (`|+`, `>+`): its trailing
                empty lines, at the end of `measures:`, are not in the last part read
    KEY       = [A-Za-z0-9_] [A-Za-z0-9_-]{0,127}        (a plain word, never quoted)
    VALUE     = plain | single | double | flow
    plain     = one line; first character not a space or an indicator (- ? : , [ ] { } # &
                * ! | > ' " % @ `), but "-" before a digit is allowed; no ":" before a
                space, after a space or at the end, no " #"; no Unicode space inside
                (Python's \s)
    single    = "'" ([^'\n] | "''")* "'"
    double    = '"' ([^"\\\n] | escape)* '"'
    escape    = \\ \" \n \r \t \b \f, or \u and four hex digits that are not a
                surrogate (\uD800-\uDFFF): the escapes `ledger add` writes (JSON's)
    flow      = "[" " "* (item (" "* "," " "* item){0,9999})? " "* "]"   (one line, no
                nesting, no trailing comma, at most 10,000 items: values.MAX_ITEMS), each
                item a single, a double, or a flow-plain: a plain without any of , [ ] { } # :

And one bound that is not grammar: a text is read by yaml-rs only while it has at most
MAX_VALUES_PER_READ line breaks and commas (yaml-rs builds every value before any is
checked); a big file is counted part by part.

Nothing else: no tab and no carriage return anywhere, no flow mapping `{}`, no scalar or
flow list over several lines, no anchor, alias, tag, directive, document marker,
explicit key `?` or quoted key. `bench/fuzz.py` compares the two readers on mutated
ledgers to find where the grammar is still too wide; every divergence it ever found is a
named test in tests/test_fastload.py.

A block mapping as an item of `responds_to` (a link written with its basis) is read by
load.py's rules (`_Builder._with_links`); a top-level `links:` is declined.

Inside the grammar, yaml-rs still decides the structure, and this path still declines:
  - anything yaml-rs reports (syntax, duplicate keys, bad indentation);
  - a plain number yaml-rs reads differently from the text the user typed (`+5`, `007`,
    `0x1F`, `1_000`): `load.py` reads text, yaml-rs resolves numbers (`_ints_as_typed`);
  - any value that is not what its field wants (a number or true/false where text is
    wanted, an unknown field, a bad date, an empty required field...).
"""

from __future__ import annotations

import os
import re
import sys
from functools import partial
from operator import call, itemgetter

from .model import (
    ANSWER_FIELDS,
    ENUMS,
    Link,
    EVENT_FIELDS,
    FORMAT_VERSION,
    MEASURE_FIELDS,
    REPORT_FIELDS,
    SOURCE_FIELDS,
    WEIGHT_RANGE,
    DeclaredKind,
    Event,
    Kind,
    Ledger,
    NOWHERE,
    Measure,
    Report,
    Source,
    Spec,
)
from .values import CODE, ID, MAX_ITEMS, MAX_SCALAR, parse_date, parse_moment


class _NotClean(Exception):
    """Something this path cannot vouch for: read the file with load.py instead."""


def _occurrences(text: str, ch: str, start: int = 0, end: int | None = None):
    end = len(text) if end is None else end
    i = text.find(ch, start, end)
    while i != -1:
        yield i
        i = text.find(ch, i + 1, end)


# --- The grammar (see the module's docstring) -------------------------------------------
# One regular expression, run in C over the whole text: a possessive repetition of lines,
# each alternative ordered by how often it occurs in a big ledger, every quantifier
# possessive (a backtracking point kept per line made it three times slower). At 100,000
# measures (41 MB, 1.2 million lines) it takes 0.34 s of CPU; a big file's parts are
# screened by the process that reads them (`_in_parts`), the two at once.

_KEY = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,127}+"
_FIRST = r"""(?:[^\s\-?:,\[\]{}#&*!|>'"%@`]|-(?=[0-9]))"""  # a plain scalar's first character
_PLAIN = (_FIRST + r"[^\s:]*+(?::++[^\s:]++)*+"  # words: no ": ", no ":" at the end ...
          r"(?:[ ]++[^\s:#][^\s:]*+(?::++[^\s:]++)*+)*+")  # ... and no word starting with "#"
_FLOW_PLAIN = _FIRST + r"[^\s,\[\]{}#:]*+(?:[ ]++[^\s,\[\]{}#:]++)*+"
_SINGLE = r"'[^'\n]*+(?:''[^'\n]*+)*+'"
_DOUBLE = r'"[^"\\\n]*+(?:\\(?:[\\"nrtbf]|u(?![dD][89abAB])[0-9a-fA-F]{4})[^"\\\n]*+)*+"'
_ITEM = f"(?:{_DOUBLE}|{_SINGLE}|{_FLOW_PLAIN})"
# At most MAX_ITEMS items (the exact reader's limit): a flow list of 83 million tags then
# stops the screen at once instead of being matched to its end.
_FLOW = rf"\[[ ]*+(?:{_ITEM}[ ]*+(?:,[ ]*+{_ITEM}[ ]*+){{0,{MAX_ITEMS - 1}}}+)?\]"
# The commonest values first, each a subset of one below: a double-quoted scalar without
# escapes, a plain word (a date, an id, a kind). A quarter less time at 100,000 measures.
_VALUE = rf"""(?:"[^"\\\n]*+"|[A-Za-z0-9][A-Za-z0-9._-]*+|{_FLOW}|{_DOUBLE}|{_PLAIN}|{_SINGLE})"""
_EOL = r"(?:\n|[ ]++(?:\#.*+)?(?:\n|\Z)|\Z)"  # the commonest first: the line's end
_BLOCK = (rf"(?P<i>[ ]*+){_KEY}:[ ]++[|>]-?\n"
          r"\n*+(?:(?P=i)[ ][ ][^ \n].*+(?:\n|\Z)\n*+)++"  # content lines, each two spaces deeper
          r"(?![ ]++(?:\n|\Z))(?!(?P=i)[ ][ ])")  # then no line of spaces, nothing deeper
_LINES = re.compile(rf"""(?:
    [ ]*+(?:
        {_KEY}:(?:[ ]++(?:{_VALUE}{_EOL}|(?:\#.*+)?(?:\n|\Z))|(?:\n|\Z))
      | -[ ]++(?:{_KEY}:(?:[ ]++{_VALUE})?{_EOL}|{_VALUE}{_EOL})
      | (?:\#.*+)?(?:\n|\Z)
    )
  | {_BLOCK}
)*+""", re.VERBOSE)


def screen(text: str, start: int = 0, end: int | None = None) -> bool:
    """True when text[start:end] is inside the grammar this path vouches for (the module's
    docstring). `start` is where a line starts, `end` where one ends (at its line break
    or the end of the text), so that parts of a file can be screened apart."""
    end = len(text) if end is None else end
    if text.find("\t", start, end) != -1 or text.find("\r", start, end) != -1:
        return False
    return _LINES.match(text, start, end).end() == end


# A plain number yaml-rs reads as an int, but whose text is not the int's own
# (`+5`, `007`, `0x1F`, `1_000`); load.py reads text and would not accept it.
_INTLIKE = re.compile(r"[+-]?[0-9][0-9A-Za-z_]*\Z")
_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_AFTER_KEY = re.compile(r"[\"']?[ \t]*:(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*([^\s,\]}#]*)")


def _ints_as_typed(text: str, keys, start: int = 0, end: int | None = None) -> bool:
    """True when every value of these keys, in text[start:end], that looks like an integer
    is written canonically."""
    for key in keys:
        for i in _occurrences(text, key, start, end):
            m = _AFTER_KEY.match(text, i + len(key))
            if m is None:
                continue
            token = m.group(1)
            if _INTLIKE.match(token) and not _CANONICAL.match(token):
                return False
    return True


def load_fast(name: str, text: str, entries: dict | None = None, chunks: list | None = None) -> Ledger | None:
    """The records load.py would build from a clean file, without locations; None if unsure.

    `text` is what `load.decode` returned: control characters are already screened out.
    A big file's measures are read part by part, and on a machine that can, by two
    processes at once (`_in_parts`). Where the entries of `measures:` start was then
    found on the way: given a dict as `entries`, this puts them there for `locate`.
    Given a list as `chunks`, this puts in it the measures as chunks of a cache entry
    (`cache.encode_chunk`), in order, when two processes read them (the child hands its
    shares over so, and this process then makes its own); else it is left empty.
    """
    from importlib.util import find_spec

    if find_spec("yaml_rs") is None:  # pragma: no cover - a platform without a yaml-rs wheel: exact path only
        return None
    found = _measure_list(text) if len(text) >= PARTS_MIN_CHARS else None
    read = _in_parts(name, text, *found[1:], chunks) if found is not None else None
    if read is False:  # a part is outside the grammar
        return None
    if read is not None:
        ledger, starts = read
        if entries is not None:
            entries["measures", found[0]] = starts
        return ledger
    if not screen(text):
        return None
    read = _read(name, text)
    if read is None or (read[1] and not _ints_as_typed(text, read[1])):
        return None
    return read[0]


def _read(name: str, text: str) -> tuple[Ledger, set[str]] | None:
    """yaml-rs's values of `text` -> (the ledger, the fields some entry gave as a plain
    integer, whose text the caller checks); None if unsure."""
    import yaml_rs

    if _too_many_values(text, 0, len(text)):
        return None
    try:
        doc = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # syntax, duplicate keys, too deep: the exact reader says where
        return None
    builder = _Builder(name)
    try:
        return builder.ledger(doc), builder.int_keys
    except Exception:  # _NotClean, or a shape no rule foresaw (a mapping as a list item): never a crash
        return None


# --- Big files: part by part, two processes at once -----------------------------------------
# yaml-rs's values for a whole 100,000-measure file take 350 MB, ten times the file. The
# entries of `measures:` are cut at their dashes (`_entry_starts`): each run of entries is
# itself a block list, read on its own and turned into records before the next is read,
# so only one part's values are ever held; the rest of the file is read with the list left
# empty. Reading and building are also two thirds of a first run, on one core: above
# PARALLEL_MIN_CHARS, when a core is free, a forked child and this process share the
# list's entries (`_shared`): each takes shares in turn, finds their entries and reads
# them; the child hands its measures back as chunks of a cache entry (`cache.encode_chunk`),
# which the command keeps for the entry (encoding 100,000 measures again took a forked
# writer 0.6 s of CPU on a first run, beside the report and the checks). Each part is
# checked to hold exactly the entries found for it; anything else, and the file is read whole.

# Values yaml-rs may make in one read. It builds every value before anything is checked,
# and a value as short as `t, ` is a Python object of about 60 bytes: one measure with 83
# million tags in a 249 MB file took 5.7 GB. A line break or a comma starts at most one
# value; past this many the exact reader, which streams, reads the text (and stops at the
# 10,001st item of a list). A part of 5,000 measures has about 60,000; a whole ledger of
# 20,000 sources and events under a million.
MAX_VALUES_PER_READ = 4_000_000


def _too_many_values(text: str, start: int, end: int) -> bool:
    return text.count("\n", start, end) + text.count(",", start, end) > MAX_VALUES_PER_READ


PARTS_MIN_CHARS = 4 << 20  # about 10,000 measures: below, the whole file's values are small enough
PART_ENTRIES = 5000  # entries per part: 2 MB of YAML, about 17 MB of values
PARALLEL_MIN_CHARS = 8 << 20  # about 20,000 measures: below, a second process costs more than it saves
_TOP_KEY = re.compile(r"\n([^\s#\-][^:\n]*):")  # a line at column 0 that opens a top-level key


def _a_core_is_free() -> bool:
    """Whether a second process would run beside this one rather than take turns with it:
    on a busy machine two halves at once are slower than one whole (measured: 2.5 s
    against 1.6 s at 100,000 measures while another process kept a core busy)."""
    if not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False  # a process with threads is not forked: their locks would be copied held
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2:
        return False
    running = _running()
    if running is not None:
        return running < cpus  # this process is one of them
    # The load average reacts in about a minute: commands run back to back (each of which
    # used two cores) would wrongly keep it above the mark, so it is only the fallback.
    return hasattr(os, "getloadavg") and os.getloadavg()[0] < cpus - 0.5


def _running() -> int | None:
    """How many tasks are runnable right now, this one included (Linux), or None. The
    least of three looks a millisecond apart: a task that wakes for an instant (a shell,
    a timer) is not one that keeps a core busy."""
    import time

    seen = []
    try:
        for i in range(3):
            if i:
                time.sleep(0.001)
            with open("/proc/loadavg", encoding="ascii") as f:
                seen.append(int(f.read().split()[3].split("/")[0]))
    except (OSError, ValueError, IndexError):
        return None
    return min(seen)


def _measure_list(text: str) -> tuple[str | None, int, int, re.Pattern] | None:
    """The top-level `measures:` block list: the key after it (None at the end of the
    file), then `_entry_list`'s where it starts, where it ends and its dashes; None when
    the file has no such list (a flow list, say)."""
    if text.startswith("measures:"):
        head = 0
    else:
        head = text.find("\nmeasures:") + 1
        if not head:
            return None
    after = _TOP_KEY.search(text, head + len("measures:"))
    following = after.group(1) if after else None
    end = after.start() if after else len(text)
    # `measures:` once: none above `head` (the first), none down to `end` (the first
    # top-level key after it), none below: asked of that part only (two scans of the
    # whole text were a tenth of a second at 100,000 measures).
    if following == "measures" or text.find("\nmeasures:", end) != -1:
        return None
    found = _entry_list(text, "measures", following, known=(head, end))
    return None if found is None else (following, *found)


def _in_parts(name: str, text: str, start: int, end: int, dashes: re.Pattern,
              chunks: list | None = None) -> tuple[Ledger, list[int]] | None | bool:
    """The ledger, its measures read part by part (`_measures`), shared with a forked
    child when a core is free (`_shared`), and where each entry starts, then `end`
    (`_entry_list` gives start, end and dashes); None if unsure, False if the text is
    outside the grammar. Each process screens the text it reads before it reads it."""
    import dataclasses

    first = dashes.search(text, start, end)
    if first is None:
        return None  # an empty list
    first = first.start() + 1
    if len(text) >= PARALLEL_MIN_CHARS and _a_core_is_free():
        shares = _shares(text, first, end, dashes)
        if len(shares) > 2:
            return _shared(name, text, end, dashes, shares, chunks)
    try:
        if not (screen(text, 0, end) and screen(text, end)):
            return False
        starts = _starts_of(text, first, end, dashes, True)
        read = _rest(name, text, first, end)
        if read is None:
            return None
        ledger, int_keys = read
        builder = _Builder(name, ledger.kinds)
        measures = _measures(builder, text, starts, 0, len(starts) - 1)
        if measures is None:
            return None
        int_keys |= builder.int_keys
        if int_keys and not _ints_as_typed(text, int_keys):
            return None
        return dataclasses.replace(ledger, measures=measures), starts
    except Exception:  # a shape no rule foresaw: read the file whole
        return None


def _rest(name: str, text: str, first: int, end: int) -> tuple[Ledger, set[str]] | None:
    """`_read` of the file without the entries first..end of its measures list (sources,
    events, kinds: `measures:` left empty); None if unsure."""
    read = _read(name, text[:first] + text[end:])
    return None if read is None or read[0].measures else read


# Two processes share the list's entries in shares of about SHARE_CHARS, cut at an entry's
# dash (`_shares`): each takes the next share not taken yet, one byte of a pipe that holds
# every share's number (a read of one byte from a pipe is atomic: no share is taken twice),
# so both finish together however fast each runs (a fixed split left one waiting for the
# other by 0.1 to 0.4 s at 100,000 measures: the two cores of a busy machine do not run
# alike). The child writes each share's measures, as columns of field values, to a file
# no one else can open; this process reads them once the child is done.
SHARE_CHARS = 1 << 20  # about 2,500 measures: the last share taken costs the other process at most that


def _shares(text: str, first: int, end: int, dashes: re.Pattern) -> list[int]:
    """Where each share of the entries first..end starts (at an entry's dash line), then `end`."""
    size = max(SHARE_CHARS, (end - first) // 255 + 1)  # at most 255 shares: one byte each
    bounds = [first]
    while bounds[-1] + size < end:
        cut = dashes.search(text, bounds[-1] + size, end)
        if cut is None:
            break
        bounds.append(cut.start() + 1)  # a dash's line is never cut: text[cut] is its line break
    bounds.append(end)
    return bounds


def _shared(name: str, text: str, end: int, dashes: re.Pattern, shares: list[int],
            chunks: list | None = None) -> tuple[Ledger, list[int]] | None | bool:
    """`_in_parts` by this process and a forked child, taking shares in turn (see SHARE_CHARS).
    The child is always waited for, so its time and memory count in this command's own.
    `chunks`: see load_fast."""
    import dataclasses

    count = len(shares) - 1
    queue, fill = os.pipe()
    try:
        os.write(fill, bytes(range(count)))  # 255 bytes at most: less than a pipe holds
    finally:
        os.close(fill)
    out = _scratch_file()
    pid = os.fork()
    if pid == 0:  # the child: shares until none is left, each written to `out`, then gone
        try:
            _child_shares(name, text, shares, dashes, queue, out)
        finally:
            os._exit(0)
    read: dict[int, tuple] = {}  # share -> (its entries' starts, its measures, its chunk or None), by either process
    try:
        first = shares[0]
        if not (screen(text, 0, first) and screen(text, end)):  # the child screens only its shares
            return False
        rest = _rest(name, text, first, end)
        if rest is None or rest[1] and not (
                _ints_as_typed(text, rest[1], 0, first) and _ints_as_typed(text, rest[1], end)):
            return None
        ledger = rest[0]
        builder = _Builder(name, ledger.kinds)
        sent = _Sent(out, ledger.kinds)
        while True:
            taken = os.read(queue, 1)
            if not taken:
                break
            k = taken[0]
            share = _share(builder, text, shares, k, dashes, chunks is not None)
            if share is None or share is False:
                return share
            read[k] = share
            sent.take(read)  # the child's shares done so far, between this process's own
            if sent.ended and sent.last is not True:
                return sent.last
        os.waitpid(pid, 0)
        pid = None
        sent.take(read)
        if not sent.ended or sent.last is not True:
            return None if not sent.ended else sent.last  # the child died, was unsure, or found text outside the grammar
        if sorted(read) != list(range(count)):
            return None  # a share read twice or never: cannot happen, but never assumed
        measures: list = []
        starts: list[int] = []
        for k in range(count):
            share_starts, share, _ = read[k]
            measures += share
            starts += share_starts[:-1]
        starts.append(end)
        if chunks is not None and all(read[k][2] is not None for k in range(count)):
            chunks[:] = [read[k][2] for k in range(count)]
        return dataclasses.replace(ledger, measures=tuple(measures)), starts
    except Exception:  # the child wrote something unreadable, a shape no rule foresaw: read the file whole
        return None
    finally:
        _drain(queue)  # a child still reading finds no share left and ends
        os.close(queue)
        os.close(out)
        if pid is not None:
            os.waitpid(pid, 0)


def _share(builder: _Builder, text: str, shares: list[int], k: int, dashes: re.Pattern,
           chunk: bool) -> tuple | None | bool:
    """Share k's entries' starts (then its end), measures, and with `chunk` those measures
    as a chunk of a cache entry (else None: also when the cache's format cannot hold a value);
    None if unsure, False if its text is outside the grammar. Its plain integers' text is
    checked here, by whichever process reads it: each value's key is in the share's own text."""
    a, b = shares[k], shares[k + 1]
    if not screen(text, a, b):
        return False
    builder.int_keys.clear()  # the converters hold this very set
    starts = _starts_of(text, a, b, dashes, k == len(shares) - 2)
    measures = _measures(builder, text, starts, 0, len(starts) - 1)
    if measures is None or builder.int_keys and not _ints_as_typed(text, builder.int_keys, a, b):
        return None
    made = None
    if chunk:
        from . import cache

        try:
            made = cache.encode_chunk(measures)
        except ValueError:  # a value the cache cannot hold exactly (cache._Unstorable): no entry from chunks
            pass
    return starts, measures, made


class _Sent:
    """The parent's side of what the child writes to `out`: records of an 8-byte length,
    then pickles and a share's chunk, each record whole once the file is that long (one
    process writes it, in order). Read as they come: between this process's own shares,
    so that making the child's records is not left for the end."""

    def __init__(self, out: int, kinds: dict):
        self.out, self.at, self.kinds = out, 0, kinds
        self.ended, self.last = False, None  # the child's last record read; what it said

    def take(self, read: dict) -> None:
        """Every whole record written so far: a share's goes into `read`; the last says
        how the child ended (`ended`, then `last`): True, every share it took is written;
        None, it was unsure; False, a share is outside the grammar."""
        import io
        import pickle

        from . import cache

        size = os.fstat(self.out).st_size
        while not self.ended and self.at + 8 <= size:
            n = int.from_bytes(os.pread(self.out, 8, self.at), "little")
            if self.at + 8 + n > size:
                break
            record = io.BytesIO(os.pread(self.out, n, self.at + 8))
            self.at += 8 + n
            head = pickle.load(record)
            if head is None or head is False or head == "end":
                self.ended, self.last = True, True if head == "end" else head
                return
            k, count = head
            starts = pickle.load(record)
            chunk = record.read()
            # The child knew no declared kind: a kind that is none of ours is a name, the
            # declared kind of that name here (an undeclared name raises: the file is read whole).
            share = cache.chunk_measures(chunk, self.kinds)
            if k in read or len(share) != count or len(starts) != count + 1:
                raise ValueError("a share twice, or of another size")
            read[k] = starts, share, chunk


def _scratch_file() -> int:
    """A file with no name, for the child's measures: in memory where the system can (Linux)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("ledger-shares", getattr(os, "MFD_CLOEXEC", 0))
    import tempfile

    with tempfile.TemporaryFile() as f:  # pragma: no cover - fork without memfd (macOS)
        return os.dup(f.fileno())


def _drain(queue: int) -> None:
    """Take every share not taken yet (this process stops early, or has stopped). The pipe's
    writing end was closed before the fork: an empty queue reads as its end, never waits."""
    try:
        while os.read(queue, 256):
            pass
    except OSError:
        pass


def _starts_of(text: str, first: int, end: int, dashes: re.Pattern, to_the_end: bool) -> list[int]:
    """Where each entry from `first` (an entry's start) up to `end` starts, then `end`.
    `to_the_end`: `end` is where the list ends, not where another entry starts. (A
    document marker among them would end the file's document but not a part's: the
    grammar has none, and the text is screened before this is asked.)"""
    # An entry starting at `end` is not one of these: its dash's match starts at end - 1.
    return [first, *(m.start() + 1 for m in dashes.finditer(text, first, end if to_the_end else end - 1)), end]


def _measures(builder: _Builder, text: str, starts: list[int], first: int, end: int) -> tuple | None:
    """The measures of entries first..end-1, read PART_ENTRIES at a time; None if unsure."""
    import yaml_rs

    out: list = []
    try:
        for a in range(first, end, PART_ENTRIES):
            b = min(a + PART_ENTRIES, end)
            if _too_many_values(text, starts[a], starts[b]):
                return None
            items = yaml_rs.loads(text[starts[a]:starts[b]], parse_datetime=False)
            if type(items) is not list or len(items) != b - a:
                return None
            out += builder.records(items, builder.measure)
    except Exception:  # syntax, _NotClean, a shape no rule foresaw: the whole file is read instead
        return None
    return tuple(out)


def _child_shares(name: str, text: str, shares: list[int], dashes: re.Pattern, queue: int, out: int) -> None:
    """In the child: take shares until none is left; for each, write to `out` one record
    (`_Sent`): its number and size and where its entries start (pickles), then its measures
    as a chunk of a cache entry (`cache.encode_chunk`: which the parent may keep for the
    entry, and cheaper to read back than pickled fields); then "end". None instead when
    unsure (or a value the cache cannot hold), False when a share is outside the grammar:
    then every share left is taken, and the parent stops after the share it is reading."""
    import pickle

    dump = partial(pickle.dumps, protocol=pickle.HIGHEST_PROTOCOL)
    last = None
    try:
        builder = _Builder(name, None)  # the declared kinds are read by the parent: a kind stays its name
        while True:
            taken = os.read(queue, 1)
            if not taken:
                last = "end"
                break
            k = taken[0]
            share = _share(builder, text, shares, k, dashes, True)
            if share is None or share is False:
                last = share
                break
            if share[2] is None:  # a value the cache cannot hold exactly: unsure
                break
            starts, measures, chunk = share
            _write_record(out, [dump((k, len(measures))), dump(starts), chunk])
    except BaseException:  # anything at all: the parent reads the file whole
        last = None
    if last != "end":
        _drain(queue)
    _write_record(out, [dump(last)])


def _write_record(fd: int, parts: list[bytes]) -> None:
    _write_all(fd, b"".join([sum(map(len, parts)).to_bytes(8, "little"), *parts]))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Parsed(dict):
    """Text -> the date or moment parsed from it. A value met before is found by the dict
    lookup alone; a new one is checked and parsed by `__missing__`. Only text is kept: an
    int is looked up as itself, so a float or bool that equals it could never be found."""

    __slots__ = ("parse", "ints", "saw_int")

    def __init__(self, parse, ints: bool, saw_int):
        super().__init__()
        self.parse, self.ints, self.saw_int = parse, ints, saw_int

    def __missing__(self, v):
        t = type(v)
        if t is not str and not (t is int and self.ints):  # 2025.0 == 2025: a float must never pass as an int
            raise _NotClean
        if t is int:  # `date: 2025` is a plain number to yaml-rs: its text is checked after
            self.saw_int()
        elif len(v) > MAX_SCALAR:
            raise _NotClean
        try:
            r = self.parse(str(v))
        except ValueError:
            raise _NotClean from None
        if t is str:
            self[v] = r
        return r


class _KindName(dict):
    """Kind names -> built-in kinds; a name that is none is kept as it is, when it could be
    a declared one (the child reading the last parts has not seen `kinds:`)."""

    def __missing__(self, v):
        if type(v) is not str or len(v) > MAX_SCALAR or not ID.match(v):
            raise _NotClean
        return v


class _Builder:
    """Values from yaml-rs -> records, with exactly load._Builder's rules, minus the messages.

    Each field gets its converter once (`converter`), so a value costs one dict lookup
    and one call; the same date, moment, country list or kind is converted once.
    """

    def __init__(self, name: str, kinds: dict | None = {}):
        """`kinds`: the declared kinds (None: not known yet, so a kind that is no
        built-in one stays a plain name for the caller to look up)."""
        self.name = name
        self.kind_of = {e.value: e for e in Kind} if kinds is not None else _KindName({e.value: e for e in Kind})
        self.kind_of.update(kinds or {})
        self.int_keys: set[str] = set()  # fields given as plain integers: their text is checked after
        self.tables = {}
        for table in (MEASURE_FIELDS, EVENT_FIELDS, SOURCE_FIELDS, REPORT_FIELDS, ANSWER_FIELDS):
            conv = {s.name: self.converter(s) for s in table}
            self.tables[table] = (conv, frozenset(conv), frozenset(s.name for s in table if s.required))
        self.plans: dict[tuple, tuple] = {}  # (record type, its keys in file order) -> how to build it

    def converter(self, spec: Spec):
        """A function from a yaml-rs value to the field's value; raises _NotClean."""
        t, name = spec.type, spec.name
        int_keys = self.int_keys
        if t == "str" and spec.required:
            def conv(v):
                if type(v) is not str or len(v) > MAX_SCALAR:
                    raise _NotClean
                v = v.strip()
                if "\n" in v or not v:  # an empty required text is an error for load.py
                    raise _NotClean
                return v
        elif t == "str":
            def conv(v):
                if type(v) is not str or len(v) > MAX_SCALAR:
                    raise _NotClean
                v = v.strip()
                if "\n" in v:
                    raise _NotClean
                return v
        elif t == "text":
            def conv(v):
                if type(v) is not str or len(v) > MAX_SCALAR:
                    raise _NotClean
                return v
        elif t == "id":
            match = ID.match

            def conv(v):
                if type(v) is not str or len(v) > MAX_SCALAR or not match(v):
                    raise _NotClean
                return v
        elif t == "int":
            def conv(v):
                if type(v) is not int:  # bool is not int here: `weight: true` is an error
                    raise _NotClean
                int_keys.add(name)
                return v
        elif t in ("date", "moment"):
            return self._memo(name, parse_date if t == "date" else parse_moment, ints=t == "date")
        elif t == "enum:Kind":
            return self.kind_of.__getitem__  # `ledger` adds the declared kinds before the records are read
        elif t.startswith("enum:"):
            # A lookup in C: an unknown value raises KeyError, an unhashable one TypeError,
            # and load_fast declines either (only a str can equal a member's value).
            return {e.value: e for e in ENUMS[t[5:]]}.__getitem__
        elif t in ("codes", "ids", "strs", "answers"):  # answers: ids only; a mapping item (a link's basis) declines
            good: set[str] = set()  # items already found valid
            check = {"codes": CODE.match, "ids": ID.match, "answers": ID.match, "strs": lambda v: True}[t]
            seen: dict[tuple, tuple] = {}  # equal lists are one tuple: the cache stores it once

            def conv(v):
                if type(v) is dict:
                    raise _NotClean
                items = tuple(v) if type(v) is list else (v,)
                if len(items) > MAX_ITEMS:  # an error for the exact reader
                    raise _NotClean
                known = seen.get(items)  # a list met before is valid: only str items are ever kept
                if known is not None:
                    return known
                if t == "codes" and not items or t == "answers" and len(set(items)) < len(items):
                    raise _NotClean  # (an id answered twice is load.py's error: it says where)
                for item in items:
                    if item not in good:  # a mapping as an item raises TypeError: load_fast declines
                        if type(item) is not str or len(item) > MAX_SCALAR or not check(item):
                            raise _NotClean
                        good.add(item)
                seen[items] = items
                return items
        elif t == "quotes":  # source id -> text; a number, a null or a nested value declines
            match = ID.match

            def conv(v):
                if type(v) is not dict or len(v) > MAX_ITEMS:
                    raise _NotClean
                for k, q in v.items():
                    if type(k) is not str or len(k) > MAX_SCALAR or not match(k) or type(q) is not str or len(q) > MAX_SCALAR:
                        raise _NotClean
                return tuple(v.items())
        elif t == "reports":
            def conv(v):
                if type(v) is not list or len(v) > MAX_ITEMS:
                    raise _NotClean
                return tuple([self.record(r, REPORT_FIELDS, Report) for r in v])
        else:  # pragma: no cover - every field type is handled above
            raise AssertionError(t)
        return conv

    def _memo(self, name: str, parse, *, ints: bool):
        """Dates and moments: the same text is parsed once and shared (less memory, faster
        cache), and found again by a lookup in C (`_Parsed`)."""
        return _Parsed(parse, ints, lambda: self.int_keys.add(name)).__getitem__

    def fields(self, raw, table: tuple[Spec, ...]) -> dict:
        if type(raw) is not dict:
            raise _NotClean
        conv, known, required = self.tables[table]
        if not raw.keys() <= known:
            raise _NotClean
        # An empty optional field is left out, as load.py does; an empty required one is then missing.
        values = {k: conv[k](v) for k, v in raw.items() if v is not None}
        if not required <= values.keys():
            raise _NotClean
        return values

    # records ----------------------------------------------------------------------------
    def record(self, raw, table: tuple[Spec, ...], cls):
        """A record from its mapping. Entries of a big ledger share a few dozen key orders;
        each order gets a plan once (`_plan`), and then an entry is one converter call per
        value and a reordering in C, with no dictionary or keyword arguments in between."""
        if type(raw) is not dict:
            raise _NotClean
        keys = tuple(raw)
        plan = self.plans.get((cls, keys))
        if plan is None:
            plan = self.plans[cls, keys] = self._plan(table, cls, keys)
        convs, order, defaults = plan
        try:
            return tuple.__new__(cls, order(tuple(map(call, convs, raw.values())) + defaults))
        except Exception:
            # An empty field counts as absent: the general way, asked only when a converter
            # refused a value (each refuses None), so that no entry pays for the question.
            if None in raw.values():
                return cls(**self.fields(raw, table))
            raise

    def _plan(self, table: tuple[Spec, ...], cls, keys: tuple) -> tuple:
        """(the keys' converters, a getter putting converted values and defaults in the
        record's field order, the defaults); raises _NotClean for an unknown key or a
        missing required one."""
        conv, known, required = self.tables[table]
        if not known.issuperset(keys) or not required.issubset(keys):
            raise _NotClean
        absent = [f for f in cls._fields if f not in keys]  # each has a default: required ones are here
        at = {k: i for i, k in enumerate(keys)} | {f: len(keys) + i for i, f in enumerate(absent)}
        return (tuple(conv[k] for k in keys), itemgetter(*(at[f] for f in cls._fields)),
                tuple(cls._field_defaults[f] for f in absent))

    def measure(self, raw) -> Measure:
        answers = raw.get("responds_to") if type(raw) is dict else None
        if type(answers) is list and dict in set(map(type, answers)):
            return self._with_links(raw, answers)
        m = self.record(raw, MEASURE_FIELDS, Measure)
        w = m.weight
        if w is not None and not WEIGHT_RANGE[0] <= w <= WEIGHT_RANGE[1]:
            raise _NotClean
        return m

    def _with_links(self, raw: dict, answers: list) -> Measure:
        """A measure whose responds_to gives some links' basis as mappings ({id, basis,
        sources, quote, note}): load._Builder.answers' rules, its ids to responds_to and
        a Link for each mapping."""
        ids, written = [], []
        for item in answers:
            if type(item) is dict:
                values = self.fields(item, ANSWER_FIELDS)
                written.append(values)
                item = values["id"]
            ids.append(item)  # a plain item is checked by responds_to's converter, as any id
        raw["responds_to"] = ids
        m = self.measure(raw)
        links = tuple(Link(m.id, v["id"], v["basis"].value if "basis" in v else "stated", v.get("sources", ()),
                           v.get("quote"), v.get("note")) for v in written)
        return m._replace(links=links)

    def event(self, raw) -> Event:
        return self.record(raw, EVENT_FIELDS, Event)

    def records(self, raw, build) -> tuple:
        if raw is None:
            return ()
        if type(raw) is not list:
            raise _NotClean
        out = []
        # Each entry's mapping is dropped once its record is built: the values yaml-rs
        # made and the records never both hold a 100,000-entry ledger in memory.
        for i in range(len(raw)):
            out.append(build(raw[i]))
            raw[i] = None
        return tuple(out)

    def kinds(self, raw) -> dict:
        """`kinds:` (a block mapping of block mappings) -> the declared kinds, as load.py reads them."""
        if type(raw) is not dict:
            raise _NotClean  # empty (`kinds:`) or not a mapping: load.py's to say
        out = {}
        for name, fields in raw.items():
            if type(name) is not str or len(name) > MAX_SCALAR or not ID.match(name) or name in self.kind_of:
                raise _NotClean  # a built-in (or repeated) name is an error for load.py
            if type(fields) is not dict or not fields.keys() <= {"description", "weight"} or None in fields.values():
                raise _NotClean
            description = fields.get("description")
            if description is not None:
                description = self.converter(Spec("description", "str", False, ""))(description)
            w = fields.get("weight")
            if type(w) is not int or not WEIGHT_RANGE[0] <= w <= WEIGHT_RANGE[1]:
                raise _NotClean
            self.int_keys.add("weight")
            out[name] = DeclaredKind(name, w, description)
        return out

    def ledger(self, doc) -> Ledger:
        if type(doc) is not dict or "measures" not in doc:
            raise _NotClean
        known = {"version", "title", "countries", "sources", "measures", "events", "kinds"}
        if not known.issuperset(doc):
            raise _NotClean
        if any(doc.get(k, "") is None for k in ("version", "title")):
            raise _NotClean  # present but empty: an error for load.py
        version = doc.get("version")
        if type(version) is int:
            self.int_keys.add("version")
        if version is not None and not (version == FORMAT_VERSION and type(version) is int) and version != str(FORMAT_VERSION):
            raise _NotClean
        title = doc.get("title")
        if title is not None:
            title = self.converter(Spec("title", "str", False, ""))(title)
        countries = {}
        raw = doc.get("countries")
        if raw is not None:
            if type(raw) is not dict:
                raise _NotClean
            for code, label in raw.items():
                if type(code) is not str or not CODE.match(code):
                    raise _NotClean
                if type(label) is not str or len(label) > MAX_SCALAR:
                    raise _NotClean
                countries[code] = label
        kinds = self.kinds(doc.get("kinds", {}))
        self.kind_of.update(kinds)
        sources = {}
        raw = doc.get("sources")
        if raw is not None:
            if type(raw) is not dict:
                raise _NotClean
            for sid, fields in raw.items():
                if type(sid) is not str or len(sid) > MAX_SCALAR or not ID.match(sid):
                    raise _NotClean
                sources[sid] = Source(id=sid, **self.fields(fields, SOURCE_FIELDS))
        measures = self.records(doc.get("measures"), self.measure)
        events = self.records(doc.get("events"), self.event)
        return Ledger(path=self.name, title=title, countries=countries, sources=sources,
                      measures=measures, events=events, located=False, kinds=kinds,
                      locs=dict.fromkeys(doc, NOWHERE))  # the top-level keys, in file order: read.locate uses it


# --- Where the entries of a block list start --------------------------------------------------
# Used to cut `measures:` into parts, by `read.locate` to find the entries a check
# complains about, and by `write.py` to place a new entry.

_NOTHING_AFTER_KEY = re.compile(r"(?:[ \t]+(?:#[^\n]*)?)?\r?\Z")  # to the end of the key's line


def _entry_starts(text: str, key: str, following: str | None) -> list[int] | None:
    """Offsets where each entry of the top-level block list `key:` starts, then its end; None if unsure.

    `following` is the top-level key after `key` in the file, if any: the list ends there.
    """
    found = _entry_list(text, key, following)
    if found is None:
        return None
    start, end, dashes = found
    return [m.start() + 1 for m in dashes.finditer(text, start, end)] + [end]


def _entry_list(text: str, key: str, following: str | None, known: tuple[int, int] | None = None) -> tuple[int, int, re.Pattern] | None:
    """The top-level block list `key:`, as (where the search for its entries starts: the
    line break ending the key's line; where it ends; a pattern matching each entry's line
    break and dash, whose match starts one before the entry); None if unsure. `known`:
    where the key's line starts and where the list ends, when the caller found both (and
    that the key is there once)."""
    if known is None:
        heads = [i + 1 for i in _occurrences(text, f"\n{key}:")] + ([0] if text.startswith(f"{key}:") else [])
        if len(heads) != 1:
            return None
    else:
        heads = [known[0]]
    start = text.find("\n", heads[0])
    if start == -1:
        return None
    if not _NOTHING_AFTER_KEY.match(text, heads[0] + len(key) + 1, start):
        return None  # `key: []` (or `key:x`) with dashes below is no block list
    end = len(text)
    if known is not None:
        end = known[1]
        if end < start:
            return None
    elif following is not None:
        end = text.find(f"\n{following}:", start)
        if end == -1:
            return None
    # The first entry's dash: the first line below the key that is not blank or a comment.
    line = start + 1
    while True:
        if line >= end:
            return None
        eol = text.find("\n", line, end)
        eol = end if eol == -1 else eol
        body = text[line:eol].lstrip(" ")
        if body and body[0] != "#" and body.rstrip("\r"):
            break
        line = eol + 1
    if not (body.startswith("- ") or body.rstrip("\r") == "-"):
        return None
    indent = eol - line - len(body)
    # Every line at the first dash's indent that starts `- ` or is a lone `-` (`-5` is a
    # value); one regular expression finds them at C speed (a search per entry cost 0.2 s
    # at 100,000 measures). With `end` as the end position, `\Z` matches at `end`.
    return start, end, re.compile(f"\n {{{indent}}}-(?=[ \n]|\\Z)")
