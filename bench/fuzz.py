"""A differential fuzzer: the fast path (fastload.py, yaml-rs) against the exact reader
(load.py, libyaml), on mutated ledgers.

    python bench/fuzz.py --seed 1 --count 100000 --workers 2 --out /tmp/fuzz
    python bench/fuzz.py --seed 1 --only 4711 --show             # one mutant again, printed

Every mutant is made from a real or generated ledger (the bundled data/measures.yaml,
bench/gen.py output, ledgers written by `ledger add`'s renderer, the tests' small
ledgers, tests/broken/*.yaml) by one to four mutations, at byte or token level (see
MUTATIONS). Mutant i of a seed is the same whatever the number of workers: its random
generator is seeded with (seed, i). For each mutant's bytes:

  - `load.decode`; bytes it refuses never reach either reader;
  - the exact reader's answer: `load.load_text`, then every check;
  - `fastload.load_fast` on the text, whatever its size (256 KiB is a speed choice, not
    meaning). None is a decline: nothing to compare. A ledger must equal the exact one
    (records, title, countries, sources, top-level keys in order), the exact reader must
    have found no problem in the file, and what commands get from a big file
    (`read._checked_text`: the checks, then the problems' entries located) must equal
    the exact answer, problems and all;
  - one mutant in PARTS_EVERY is also read part by part (`fastload._in_parts`), with
    the thresholds lowered in-process as the tests do, one in two of those by two
    processes taking shares of 1, 200 or 1,000 characters (an entry or a few each);
  - one in `--whole-every` is padded past 256 KiB with clean measures and run as whole
    commands (`ledger check -f F`, `ledger timeline --json -f F --as-of 2025-10-14`,
    ESCALATION_LEDGER_NO_CACHE=1) against the same commands on the exact reader alone
    (bench/exact.py): stdout, stderr and exit code must be identical.

Each divergence is written to OUT/<seed>-<i>/: the mutant's bytes, both answers, and
how the mutant was made. The summary (JSON, on stdout and in OUT/summary.json) counts
mutants that were undecodable, declined, and vouched for by the fast path.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import gen  # noqa: E402

PARTS_EVERY = 8  # one mutant in this many is also read part by part
AS_OF = "2025-10-14"

# --- The corpus ----------------------------------------------------------------------------

def _assigned(path: Path, name: str) -> str:
    """A string constant of a test module, read without importing it."""
    import ast

    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{name} in {path}")


BLOCK_SMALL = """version: 1
title: 'A small ledger, it''s #1'
countries:
  XA: Atlantis
sources:
  s:
    title: T
    publisher: P
    published: 2025-01-01
measures:
- id: a
  date: 2025-01-02
  actor: US
  target: [CN, XA]
  kind: tariff
  title: A tariff # with a comment
  effective: 2025-02-01T00:01:00-05:00
  weight: 4
  responds_to:
  - id: b
    basis: inferred
    note: ours
  tags: ['x', "y", z]
  notes: |
    Line one, US & China
    line two: not a key
- id: b
  date: 2025-01
  actor: CN
  target: US
  kind: truce
  title: "Quoted: title \\u00e9 \\"q\\""
  inferred: [date, status]
  quote: >-
    Folded
    text
  reports:
    - source: s
      date: 2025-01-03
events:
  - id: e
    date: 2025-03-01
    title: Talks
    kind: talks
    countries: [US, CN]
    inferred: [date]
"""

# Titles, notes and tags `ledger add` may be given: its renderer must keep them inside the grammar.
ADD_TEXTS = ["plain", "it's", 'say "no"', "a: b", "#1", "- x", "x #y", "[a]", "{b}", "&a *b !c", "|", "> q", "%d",
             "@x", "`x`", "back\\slash", "tab\there", "new\nline", "é😀", "\u00a0nbsp\u3000", "\x85\u2028\ufeff",
             "\x01\x7f", "   spaced   ", "", "null", "~", "true", "2025", "-5", "0x1F", "\ud83d"]


def _added(rng: random.Random) -> str:
    """BLOCK_SMALL with entries rendered by `ledger add`'s renderer (write.render_entry)."""
    from ledger.write import render_entry

    text = BLOCK_SMALL.replace("\nevents:", "\n" + "".join(
        render_entry({"id": f"new-{i}", "date": "2025-11-02", "actor": ["US"], "target": ["CN", "XA"], "kind": "fee",
                      "title": rng.choice(ADD_TEXTS) or "t", "notes": rng.choice(ADD_TEXTS), "weight": rng.choice(["3", "-2", "+1"]),
                      "tags": [rng.choice(ADD_TEXTS) for _ in range(rng.randrange(3))]},
                     dash_indent=0, key_offset=2)
        for i in range(2)).rstrip("\n") + "\nevents:", 1)
    return text


def corpus() -> list[tuple[str, bytes, int]]:
    """(name, bytes, weight): what mutants are made from. Small ledgers weigh most: a
    mutant's cost is its size, and a million of them have to run in half an hour."""
    small = _assigned(ROOT / "tests" / "test_property.py", "SMALL")  # flow mappings: outside the grammar
    bases = [("small", small.encode(), 10), ("block-small", BLOCK_SMALL.encode(), 30)]
    for n, seed in ((2, 1), (3, 2), (4, 3), (6, 4)):
        bases.append((f"gen-{n}", gen.to_yaml(gen.generate(n, seed=seed)).encode(), 12))
    bundled = (ROOT / "data" / "measures.yaml").read_bytes()
    bases.append(("bundled", bundled, 1))
    # The bundled ledger cut after its third measure: its comments, block scalars, quotes.
    cut = bundled.find(b"\n  - id:", bundled.find(b"\n  - id:", bundled.find(b"\n  - id:", bundled.find(b"\n  - id:") + 1) + 1) + 1)
    bases.append(("bundled-head", bundled[:cut + 1], 10))
    broken = sorted((ROOT / "tests" / "broken").glob("*.yaml"))
    for p in broken:
        bases.append((f"broken/{p.name}", p.read_bytes(), 8 / len(broken)))
    return bases


# --- Mutations -------------------------------------------------------------------------------

TOKENS = [
    '"', "'", "[", "]", "{", "}", ",", ":", ": ", " :", "-", "- ", "#", " #", "&", "&a ", "*", "*a", "!", "!!str ",
    "!x ", "%", "%YAML 1.2\n", "|", ">", "|-", ">+", "|2", "?", "? ", "@", "`", "\\", '\\"', "\\\\", "\\n", "\\t",
    "\\u", "\\u00e9", "\\ud83d", "\\ude00", "\\ud83d\\ude00", "\\uDBFF\\uDFFF", "\\uffff", "\\u0000", "\\x41", "\\x",
    "\\U0001F600", "\\U", "\\N", "\\_", "\\L", "\\P", "\\0", "\\e", "\\a", "\\v", "\\/", "\\ ", "\t", "\r", "\r\n",
    "\n", "\n  ", "\n    ", "\n- ", " ", "  ", "---", "...", "\n---\n", "\n...\n", "--- ", "<<", "<<: ", "~", "null",
    "true", "yes", "NO", "0x1F", "+5", "007", "1_000", ".inf", ".5", "1e3", "2025", "-3", "2025-13-01", "2025-02-30",
    "é", "😀", "\u00a0", "\u3000", "\u2028", "\u0085", "\ufeff", "\u200b", "\u0301", "\u200f", "\ufffd", "\ufdd0", "\U0001fffe", "\U0010ffff", "\ue000", "\u200d", "''", '""',
    "[]", "{}", "[a, b]", "{a: b}", "a: b", "x", "0", "=", "+", "$",
]
BAD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\xbd", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x00", b"\x80", b"\xef\xbb\xbf"]
ESCAPES = ["\\u00e9", "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\uD800", "\\uDFFF", "\\uE000", "\\uFFFD", "\\uFEFF",
           "\\u2028", "\\u0085", "\\u0000", "\\u001f", "\\u007f", "\\x41", "\\xe9", "\\U0001F600", "\\U00110000", "\\N",
           "\\_", "\\L", "\\P", "\\0", "\\e", "\\a", "\\v", "\\/", "\\ ", "\\\t", '\\"', "\\\\", "\\n", "\\r", "\\t",
           "\\b", "\\f", "\\'", "\\q", "\\u12", "\\"]
VALUES = ["x", "A title", "US & China", "a, b", "a: b", "a:b", "a #b", "a#b", ":x", "-x", "-5", "- x", "?x", "~", "null",
          "Null", "NULL", "nULL", "true", "False", "yes", "on", "2025", "2025-01-02", "2025-1-2", "2025-01-02T10:00:00Z",
          "007", "+5", "0o7", "0x1F", "1_000", "1.5", ".nan", "-.inf", "1e3", "''", "'it''s'", "'a\"b'", '""', '"x"',
          '"\\u00e9"', '"\\ud83d\\ude00"', '"a\\"b"', '"\\\\"', '"\\x41"', '"\\N"', "[]", "[a]", "[a, b]", "[ a , b ]",
          "[a,]", "[a b]", "[a, [b]]", "[a, {b: c}]", '["a", \'b\']', "[a:b]", "[:a]", "[-1]", "[- a]", "{}", "{a: b}",
          "|\n      text", ">-\n      folded\n      text", "|+\n      kept\n\n", "&a x", "*a", "!x y", "!!str 5", "[a, b",
          "x  # comment", '"x" # c', '"x"#c', "'x'#c", "é", "😀", "a\u00a0b", "x\u3000", "\u00a0", "@x", "`x`", "%x",
          "x\\y", "'", '"', "[", "{", "]", "}", ",", '":x"', "':x'", '[":a", \':b\']', "[a, :b]", '"?x"', '"- x"', '"#x"']


TEXT_KEYS = (b"title:", b"notes:", b"quote:", b"publisher:", b"url:", b"author:", b"tags:")


def _at(rng: random.Random, data: bytes) -> int:
    """A place in the bytes: half the time inside the value of a text field (a title, a
    note...), where a change mostly leaves a valid ledger that the fast path may vouch for;
    else anywhere."""
    if rng.random() < 0.5:
        starts = [i for key in TEXT_KEYS for i in _finds(data, b" " + key + b" ")]
        if starts:
            i = rng.choice(starts)
            end = data.find(b"\n", i)
            end = len(data) if end == -1 else end
            return rng.randrange(i + 1, end + 1)
    return rng.randrange(len(data) + 1)


def _finds(data: bytes, what: bytes):
    i = data.find(what)
    while i != -1:
        yield i
        i = data.find(what, i + 1)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def m_insert(rng, data):
    i = _at(rng, data)
    return data[:i] + rng.choice(TOKENS).encode() + data[i:]


def m_replace(rng, data):
    if not data:
        return data
    i = min(_at(rng, data), len(data) - 1)
    return data[:i] + rng.choice(TOKENS).encode() + data[i + rng.randrange(1, 4):]


def m_delete(rng, data):
    i = _at(rng, data)
    return data[:i] + data[i + rng.randrange(1, 5):]


def m_duplicate(rng, data):
    i = _at(rng, data)
    j = min(len(data), i + rng.randrange(1, 12))
    return data[:j] + data[i:j] + data[j:]


def m_bad_bytes(rng, data):
    i = _at(rng, data)
    return data[:i] + rng.choice(BAD_BYTES) + data[i:]


def m_escape(rng, data):
    """An escape inside a double-quoted scalar (or where one starts)."""
    quotes = [i for i, c in enumerate(data) if c == 0x22]
    if not quotes:
        return m_insert(rng, data)
    i = rng.choice(quotes) + rng.choice((0, 1))
    return data[:i] + rng.choice(ESCAPES).encode() + data[i:]


def m_value(rng, data):
    """A `key: value` line's value replaced by another, in any style; mostly a text
    field's, where most values are valid (a date's would mostly make an error)."""
    lines = _lines(data)
    keyed = [n for n, line in enumerate(lines) if b": " in line or line.rstrip().endswith(b":")]
    text = [n for n in keyed if lines[n].lstrip(b" -").startswith(TEXT_KEYS)]
    if not keyed:
        return m_insert(rng, data)
    n = rng.choice(text if text and rng.random() < 0.7 else keyed)
    line = lines[n]
    k = line.find(b": ")
    head = line[:k + 2] if k != -1 else line.rstrip() + b" "
    indent = len(line) - len(line.lstrip(b" -"))
    value = rng.choice(VALUES).replace("\n      ", "\n" + " " * (indent + 2))
    lines[n] = head + value.encode()
    return b"\n".join(lines)


def m_line_delete(rng, data):
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def m_line_duplicate(rng, data):
    lines = _lines(data)
    n = rng.randrange(len(lines))
    lines.insert(n, lines[n])
    return b"\n".join(lines)


def m_line_swap(rng, data):
    lines = _lines(data)
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def m_indent(rng, data):
    lines = _lines(data)
    n = rng.randrange(len(lines))
    change = rng.choice((-4, -2, -1, 1, 2, 4))
    lines[n] = b" " * change + lines[n] if change > 0 else lines[n][min(-change, len(lines[n]) - len(lines[n].lstrip(b" "))):]
    return b"\n".join(lines)


def m_join(rng, data):
    breaks = [i for i, c in enumerate(data) if c == 0x0A]
    if not breaks:
        return data
    i = rng.choice(breaks)
    return data[:i] + rng.choice((b"", b" ")) + data[i + 1:]


def m_split(rng, data):
    i = _at(rng, data)
    return data[:i] + b"\n" + b" " * rng.choice((0, 1, 2, 4, 6, 8)) + data[i:]


def m_swap_values(rng, data):
    lines = _lines(data)
    keyed = [n for n, line in enumerate(lines) if b": " in line]
    if len(keyed) < 2:
        return data
    a, b = rng.sample(keyed, 2)
    ka, va = lines[a].split(b": ", 1)
    kb, vb = lines[b].split(b": ", 1)
    lines[a], lines[b] = ka + b": " + vb, kb + b": " + va
    return b"\n".join(lines)


def m_document(rng, data):
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines) + 1), rng.choice((b"---", b"...", b"--- x", b"--- |", b"%YAML 1.2", b"---#", b"... #")))
    return b"\n".join(lines)


def m_line_ends(rng, data):
    return rng.choice((data.replace(b"\n", b"\r\n"), data.replace(b"\n", b"\r"), data.rstrip(b"\n"), data + b"\n\n", b"\xef\xbb\xbf" + data))


def m_block(rng, data):
    """A text field's value as a block scalar (any header, content at any indent, empty
    lines after it), mostly the last field before a top-level key: where one part of a
    list read part by part ends."""
    lines = _lines(data)
    keyed = [n for n, line in enumerate(lines) if b": " in line and line.lstrip(b" -").startswith(TEXT_KEYS)]
    if not keyed:
        return m_value(rng, data)
    last = [n for n in keyed if n + 1 < len(lines) and lines[n + 1][:1].isalpha()]
    n = rng.choice(last if last and rng.random() < 0.5 else keyed)
    line = lines[n]
    k = line.find(b": ")
    indent = len(line) - len(line.lstrip(b" -"))
    pad = b" " * (indent + rng.choice((1, 2, 2, 2, 3, 4)))
    head = rng.choice((b"|", b">", b"|-", b">-", b"|+", b">+", b"|2", b">1-", b"|-2"))
    body = [pad + rng.choice((b"text", b"a: b", b"# not a comment", b"- x", b"  deeper", b"'q'", b'"q"', b"x #y"))
            for _ in range(rng.randrange(1, 4))]
    lines[n:n + 1] = [line[:k + 2] + head] + body + [b""] * rng.randrange(3)
    return b"\n".join(lines)


def m_flow_mapping(rng, data):
    """A block mapping's lines folded into one flow mapping, maybe split over two lines (the issue's attack)."""
    lines = _lines(data)
    n = rng.randrange(len(lines))
    line = lines[n]
    if not line.rstrip().endswith(b":"):
        return m_value(rng, data)
    indent = len(line) - len(line.lstrip(b" "))
    body = []
    for m in range(n + 1, len(lines)):
        if len(lines[m]) - len(lines[m].lstrip(b" ")) <= indent or b": " not in lines[m]:
            break
        body.append(lines[m].strip())
    if not body:
        return m_value(rng, data)
    flow = b"{" + b", ".join(body) + b"}"
    if rng.random() < 0.5 and len(body) > 1:
        cut = flow.rfind(b":")
        flow = flow[:cut] + b"\n" + b" " * (indent + 2) + flow[cut:]
    return b"\n".join(lines[:n + 1]).rstrip() + b" " + flow + b"\n" + b"\n".join(lines[n + 1 + len(body):])


MUTATIONS = {  # name -> (function, weight)
    "byte-insert": (m_insert, 14), "byte-replace": (m_replace, 8), "byte-delete": (m_delete, 8),
    "byte-duplicate": (m_duplicate, 5), "bad-utf8": (m_bad_bytes, 2), "escape": (m_escape, 10),
    "value": (m_value, 20), "line-delete": (m_line_delete, 4), "line-duplicate": (m_line_duplicate, 4),
    "line-swap": (m_line_swap, 3), "indent": (m_indent, 8), "join-lines": (m_join, 4), "split-line": (m_split, 4),
    "swap-values": (m_swap_values, 3), "document-marker": (m_document, 2), "line-ends": (m_line_ends, 2),
    "flow-mapping": (m_flow_mapping, 3), "block-scalar": (m_block, 4),
}
_NAMES = list(MUTATIONS)
_WEIGHTS = [w for _, w in MUTATIONS.values()]


def mutant(bases, seed: int, i: int) -> tuple[bytes, dict]:
    """Mutant i of `seed`: its bytes, and how it was made."""
    rng = random.Random(f"{seed}:{i}")
    base_names = [b[0] for b in bases]
    name = rng.choices(base_names, weights=[b[2] for b in bases])[0]
    data = dict((b[0], b[1]) for b in bases)[name]
    if name == "block-small" and rng.random() < 0.3:
        name, data = "added", _added(rng).encode("utf-8", "surrogatepass")
    ops = rng.choices(_NAMES, weights=_WEIGHTS, k=rng.choice((1, 1, 1, 1, 2, 2, 3, 4)))
    for op in ops:
        data = MUTATIONS[op][0](rng, data)
    return data, {"seed": seed, "index": i, "base": name, "mutations": ops}


# --- The comparison --------------------------------------------------------------------------


def _exact(name: str, text: str):
    from ledger.check import check_ledger
    from ledger.load import load_text

    ledger, problems = load_text(name, text)
    return ledger, problems, problems + (check_ledger(ledger) if ledger is not None else [])


def _same_ledger(fast, slow) -> bool:
    return (fast == slow and fast.title == slow.title and fast.countries == slow.countries
            and fast.sources == slow.sources and list(fast.locs) == list(slow.locs))


def _parts(fast_module, two_processes: bool, part_entries: int, share_chars: int = 1):
    """The part-by-part read's thresholds lowered, as the tests lower them."""
    from unittest import mock

    return mock.patch.multiple(fast_module, PARTS_MIN_CHARS=0, PART_ENTRIES=part_entries, SHARE_CHARS=share_chars,
                               PARALLEL_MIN_CHARS=0 if two_processes else 1 << 60, _a_core_is_free=lambda: True)


def compare(data: bytes, rng: random.Random | None = None) -> tuple[str, dict | None]:
    """('undecodable' | 'declined' | 'vouched', None) or ('divergence', what differs)."""
    from ledger import fastload, read
    from ledger.load import decode

    name = "mutant.yaml"
    text, _ = decode(name, data)
    if text is None:
        return "undecodable", None
    ledger, loader_problems, problems = _exact(name, text)
    fast = fastload.load_fast(name, text)
    verdict, diff = ("declined" if fast is None else "vouched"), None
    if not loader_problems:
        verdict += "-clean"  # the exact reader found nothing wrong: the fast path may vouch
    if fast is not None:
        if loader_problems:
            diff = {"what": "the fast path vouched for a file with problems", "exact": repr(loader_problems), "fast": repr(fast)}
        elif not _same_ledger(fast, ledger):
            diff = {"what": "different records", "exact": repr(ledger), "fast": repr(fast)}
        else:
            checked = read._checked_text(name, text)[:2]
            if checked[1] != problems or not _same_ledger(checked[0], ledger):
                diff = {"what": "different problems", "exact": repr(problems), "fast": repr(checked[1])}
    if diff is None and rng is not None and rng.randrange(PARTS_EVERY) == 0:
        two = rng.random() < 0.5
        with _parts(fastload, two, rng.choice((1, 2, 3)), rng.choice((1, 200, 1000))):
            parts = fastload.load_fast(name, text)
        if parts is not None and (loader_problems or not _same_ledger(parts, ledger)):
            diff = {"what": f"part by part ({'two processes' if two else 'one process'}): different records",
                    "exact": repr((loader_problems, ledger)), "fast": repr(parts)}
        verdict += "+parts"
    return ("divergence", diff) if diff is not None else (verdict, None)


# --- Whole commands on a padded mutant -----------------------------------------------------------


def _padding(count: int) -> str:
    return "".join(f"  - id: pad-{n:06d}\n    date: 2020-01-{n % 28 + 1:02d}\n    actor: US\n    target: CN\n"
                   f"    kind: tariff\n    title: \"Padding measure {n}\"\n"
                   f"    notes: \"{'Clean text to make the file big enough for the fast path. ' * 2}\"\n"
                   for n in range(count))


def padded(data: bytes) -> bytes:
    """The mutant past 256 KiB: clean measures put first in its `measures:` block list (or
    a new one at the end), so that what is wrong comes before or after 2,000 clean entries."""
    pad = _padding(1500).encode()
    for head in (b"\nmeasures:\n", b"measures:\n"):
        i = data.find(head)
        if i != -1 and (head[0:1] == b"\n" or i == 0):
            j = i + len(head)
            return data[:j] + pad + data[j:]
    return data + (b"" if data.endswith(b"\n") else b"\n") + b"measures:\n" + pad


def whole_commands(data: bytes) -> dict | None:
    """None if `ledger check` and `ledger timeline --json` answer alike with and without the
    fast path on the padded mutant; else both answers."""
    env = {**os.environ, "ESCALATION_LEDGER_NO_CACHE": "1", "COLUMNS": "100", "NO_COLOR": "1",
           "PYTHONPATH": str(ROOT / "src")}
    env.pop("FORCE_COLOR", None)
    commands = ["check", f"timeline --json --as-of {AS_OF}"]
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "padded.yaml"
        f.write_bytes(padded(data))
        fast = []
        for command in commands:
            p = subprocess.run([sys.executable, "-m", "ledger", *command.split(), "-f", str(f)],
                               capture_output=True, env=env, timeout=120)
            fast.append((p.stdout, p.stderr, p.returncode))
        subprocess.run([sys.executable, str(ROOT / "bench" / "exact.py"), str(f), d, *commands],
                       capture_output=True, env=env, timeout=120, check=True)
        exact = [((Path(d) / f"{i}.out").read_bytes(), (Path(d) / f"{i}.err").read_bytes(),
                  int((Path(d) / f"{i}.code").read_text())) for i in range(len(commands))]
    if fast == exact:
        return None
    return {"what": "whole commands differ", "commands": commands,
            "fast": [[o.decode("utf-8", "replace"), e.decode("utf-8", "replace"), c] for o, e, c in fast],
            "exact": [[o.decode("utf-8", "replace"), e.decode("utf-8", "replace"), c] for o, e, c in exact]}


# --- Running -------------------------------------------------------------------------------------

_BASES: list = []


def _init() -> None:
    _BASES[:] = corpus()


def run_chunk(args: tuple) -> tuple[Counter, list]:
    """Mutants [start, stop) of `seed`: counts, and where each divergence was written."""
    seed, start, stop, whole_every, out = args
    if not _BASES:
        _init()
    counts: Counter = Counter()
    found = []
    for i in range(start, stop):
        data, how = mutant(_BASES, seed, i)
        rng = random.Random(f"{seed}:{i}:check")
        try:
            verdict, diff = compare(data, rng)
        except Exception as e:  # a crash in either reader is a finding too
            verdict, diff = "divergence", {"what": f"exception: {e!r}"}
        counts[verdict] += 1
        counts["mutants"] += 1
        for op in how["mutations"]:
            counts[f"op:{op}"] += 1
        if diff is None and whole_every and i % whole_every == 0:
            diff = whole_commands(data)
            counts["whole commands"] += 1
        if diff is not None:
            if verdict != "divergence":
                counts["divergence"] += 1
            found.append(_write(out, data, how, diff))
    return counts, found


def _write(out: str, data: bytes, how: dict, diff: dict) -> str:
    d = Path(out) / f"{how['seed']}-{how['index']}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "mutant.yaml").write_bytes(data)
    (d / "how.json").write_text(json.dumps(how, indent=1) + "\n")
    (d / "answers.json").write_text(json.dumps(diff, indent=1, ensure_ascii=False) + "\n")
    return str(d)


def fuzz(seed: int, count: int, workers: int = 1, whole_every: int = 1000, out: str = "/tmp/fuzz",
         chunk: int = 500, progress=None) -> dict:
    """Run mutants 0..count-1 of `seed`; the summary."""
    started = time.time()
    jobs = [(seed, a, min(a + chunk, count), whole_every, out) for a in range(0, count, chunk)]
    total: Counter = Counter()
    found: list = []
    if workers <= 1:
        results = map(run_chunk, jobs)
    else:
        import multiprocessing

        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init)
        results = pool.imap_unordered(run_chunk, jobs)
    for counts, paths in results:
        total.update(counts)
        found += paths
        if progress is not None:
            progress(total, time.time() - started)
    if workers > 1:
        pool.close()
        pool.join()
    decoded = total["mutants"] - total["undecodable"]
    vouched = sum(v for k, v in total.items() if k.startswith("vouched"))
    return {"seed": seed, "count": count, "workers": workers, "seconds": round(time.time() - started, 1),
            "mutants": total["mutants"], "undecodable": total["undecodable"],
            "declined": sum(v for k, v in total.items() if k.startswith("declined")), "vouched": vouched,
            "vouched share of decoded": round(vouched / decoded, 4) if decoded else 0.0,
            "clean to the exact reader": sum(v for k, v in total.items() if "-clean" in k),
            "vouched share of clean": round(vouched / max(1, sum(v for k, v in total.items() if "-clean" in k)), 4),
            "read part by part": sum(v for k, v in total.items() if k.endswith("+parts")),
            "whole commands": total["whole commands"], "divergences": total["divergence"],
            "divergence dirs": sorted(found),
            "mutations": {k[3:]: v for k, v in sorted(total.items()) if k.startswith("op:")}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--whole-every", type=int, default=1000, help="one mutant in N also as padded whole commands (0: never)")
    ap.add_argument("--out", default="/tmp/fuzz", help="where divergences and summary.json go")
    ap.add_argument("--only", type=int, help="just mutant ONLY of the seed")
    ap.add_argument("--show", action="store_true", help="with --only: print the mutant and the verdict")
    args = ap.parse_args(argv)
    if args.only is not None:
        data, how = mutant(corpus(), args.seed, args.only)
        verdict, diff = compare(data, random.Random(f"{args.seed}:{args.only}:check"))
        if diff is None and args.whole_every:
            diff = whole_commands(data)
            verdict = "divergence" if diff else verdict
        if args.show:
            print(data.decode("utf-8", "backslashreplace"))
        print(json.dumps({"how": how, "verdict": verdict, "diff": diff}, indent=1, ensure_ascii=False))
        return 1 if diff else 0
    Path(args.out).mkdir(parents=True, exist_ok=True)

    def progress(total, seconds):
        print(f"{total['mutants']:>9} mutants {seconds:7.0f} s  {total['mutants'] / max(seconds, 1e-9):6.0f}/s  "
              f"divergences {total['divergence']}", file=sys.stderr, flush=True)

    summary = fuzz(args.seed, args.count, args.workers, args.whole_every, args.out, progress=progress)
    (Path(args.out) / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    return 1 if summary["divergences"] else 0


if __name__ == "__main__":
    sys.exit(main())
