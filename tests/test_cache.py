"""The parse cache serves exactly what the slow path loads, never a stale ledger, never code.

Its entries are data checked before they are believed (STYLE.md, "Caches hold data, never
code"): the hostile cases below plant what another user, a dead writer or a damaged disk
could leave in the directory, and hold the cache to giving the right answer anyway.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger import cache
import ledger.cli.reports
import ledger.fastload
import ledger.load
import ledger.read
from ledger.check import check_ledger
from ledger.load import bundled_ledger_path, load_text
from ledger.read import load_checked
from ledger.model import Ledger

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import gen  # noqa: E402


@pytest.fixture(scope="module")
def big_text() -> str:
    text = gen.to_yaml(gen.generate(1000, seed=7))
    assert len(text.encode()) > 256 * 1024  # big enough for the fast path (read._FAST_MIN_BYTES)
    return text


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(d))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    return d


def _exact(path, text):
    """What the exact reader and the checks make of a file: the answer every load must give."""
    ledger, problems = load_text(path, text)
    return ledger, problems + (check_ledger(ledger) if ledger is not None else [])


def _same(a, b) -> None:
    """The same answer: ledger and problems (`==` leaves out where entries stand, which
    the fast path does not know until a problem needs it)."""
    (la, pa), (lb, pb) = a[:2], b[:2]
    assert la == lb
    assert pa == pb  # problems carry their file, line and column
    assert (la.unloaded if la else None) == (lb.unloaded if lb else None)


def _identical(a, b) -> None:
    """What was stored, given back: `_same`, down to where every entry stands and the
    types of the values."""
    _same(a, b)
    (la, _), (lb, _) = a[:2], b[:2]
    if la is None:
        return
    assert (la.loc, la.locs, la.located, la.countries, la.title, la.path) == (lb.loc, lb.locs, lb.located, lb.countries, lb.title, lb.path)
    for xs, ys in ((la.measures, lb.measures), (la.events, lb.events), (tuple(la.sources.items()), tuple(lb.sources.items()))):
        assert [repr(tuple(x)) for x in xs] == [repr(tuple(y)) for y in ys]  # types and locations too
        assert [type(getattr(x, "locs", None)) for x in xs] == [type(getattr(y, "locs", None)) for y in ys]


def _parsing_fails(monkeypatch) -> None:
    def parse(*args):
        raise AssertionError("parsed although the cache holds the file")

    monkeypatch.setattr(ledger.read, "_load_big", parse)
    monkeypatch.setattr(ledger.load, "_load_bytes", parse)


def _entries(d: Path) -> list[Path]:
    return sorted(d.glob("*" + cache.ENTRY))


def _key(path) -> str:
    return cache.entry_key(str(path), Path(path).read_bytes())


def _seal(start: bytes, rest: bytes = b"", magic: bytes = cache.MAGIC) -> bytes:
    """An entry file around these parts, with the right digest: what only someone who
    knows the layout could plant."""
    length = len(start).to_bytes(8, "little")
    return magic + hashlib.sha256(length + start + rest).digest() + length + start + rest


def _cli(*args, env=None):
    from typer.testing import CliRunner

    from ledger.cli import app

    return CliRunner().invoke(app, list(args), env=env)


# --- Serving the same answer ----------------------------------------------------------------


def test_cached_load_is_identical_to_the_slow_path(tmp_path, cache_dir, big_text, monkeypatch):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    slow = _exact(str(f), big_text)
    cold = load_checked(str(f))
    assert len(_entries(cache_dir)) == 1
    _parsing_fails(monkeypatch)
    warm = load_checked(str(f))
    assert len(slow[0].measures) == 1000
    _same(slow, cold)
    _identical(cold, warm)


def test_the_bundled_ledger_is_cached_and_served_the_same(cache_dir, monkeypatch):
    path = bundled_ledger_path()
    expected = _exact(path, Path(path).read_text(encoding="utf-8"))
    _identical(expected, load_checked(path))
    assert len(_entries(cache_dir)) == 1  # small files are cached too: a hit skips YAML, checks, iso3166
    _parsing_fails(monkeypatch)
    _identical(expected, load_checked(path))


EVERY_KIND_OF_VALUE = """\
title: Every kind of value an entry must give back
countries:
  EU: European Union
sources:
  a:
    title: A
    publisher: P
    published: 2025-03
    url: https://example.org/a
    author: Someone
    notes: a note
  b:
    title: B
    publisher: Q
measures:
  - id: m-one
    date: "2025"
    actor: [US, EU]
    target: CN
    kind: tariff
    title: "Title with \\"quotes\\", unicode \u00e9\u4e2d and [bold]markup[/bold]"
    status: in-force
    effective: 2025-04-01T00:01:00-04:00
    expires: 2025-12-31
    not_before: 2025-03-31T23:59:59.250000+05:30
    sources: [a, b]
    weight: -5
    tags: [x, y]
    quote: A quote.
    notes: Some notes.
    reports:
      - source: b
        quote: B says otherwise.
        date: 2025-02
        effective: 2025-04-02
        expires: 2026-01-01T00:00:00Z
        status: announced
  - id: m-two
    date: 2025-05-06
    actor: CN
    target: [US]
    kind: export-control
    title: Two
    responds_to: [m-one]
    sources: [a, b]
    inferred: [date, target]
    quotes:
      a: "A's sentence, with ’ “typography”."
      b: B's own sentence.
  - id: m-three
    date: 2025-06
    actor: CN
    target: US
    kind: fee
    title: Three
    responds_to:
      - m-one
      - id: m-two
        basis: inferred
        note: our reading
    sources: [a]
events:
  - id: e-one
    date: 2025-06
    end: 2025-07-02
    title: Talks
    kind: talks
    status: held
    countries: [US, CN]
    place: Geneva
    agenda: [tariffs]
    sources: [a]
    tags: [t]
    quote: q
    notes: n
    inferred: [end]
links:
  - from: m-three
    to: m-one
    basis: stated
    sources: [b]
    quote: Two answered three.
"""


def test_every_kind_of_value_comes_back_as_it_was(tmp_path, cache_dir, monkeypatch):
    # Dates to the year, month and day; date-times with their own offsets (equal instants
    # with other offsets would print differently); enums; reports; events; sources.
    f = tmp_path / "values.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    expected = _exact(str(f), EVERY_KIND_OF_VALUE)
    assert not [p for p in expected[1] if p.severity == "error"]
    _identical(expected, load_checked(str(f)))
    _parsing_fails(monkeypatch)
    warm = load_checked(str(f))
    _identical(expected, warm)
    m = warm[0].measures[0]
    assert m.effective.isoformat() == "2025-04-01T00:01:00-04:00" and m.not_before.utcoffset().total_seconds() == 19800
    assert str(m.date) == "2025" and str(m.reports[0].date) == "2025-02" and m.reports[0].expires.tzname() == "UTC"
    # Provenance: inferred fields, links with their basis (from responds_to and from links:)
    two, three = warm[0].measures[1:]
    assert two.inferred == ("date", "target") and warm[0].events[0].inferred == ("end",)
    assert two.quotes == (("a", "A's sentence, with ’ “typography”."), ("b", "B's own sentence."))
    assert three.responds_to == ("m-one", "m-two") and not two.links
    assert [(k.responds_to, k.basis, k.sources, k.quote, k.note) for k in three.links] == [
        ("m-two", "inferred", (), None, "our reading"), ("m-one", "stated", ("b",), "Two answered three.", None)]


def test_a_value_the_format_cannot_hold_exactly_is_not_stored(tmp_path, cache_dir):
    import dataclasses
    import datetime as dt
    from zoneinfo import ZoneInfo

    f = tmp_path / "values.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    led, problems = _exact(str(f), EVERY_KIND_OF_VALUE)

    class Title(str):
        pass

    m = led.measures[1]
    odd = [
        m._replace(effective=dt.datetime(2025, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))),  # a zone, not an offset
        m._replace(title=Title("a str subclass")),
        m._replace(weight=True),  # a bool where an int goes
        m._replace(actor=["US"]),  # a list where a tuple goes
    ]
    for measure in odd:
        value = (dataclasses.replace(led, measures=(led.measures[0], measure)), problems, ())
        assert not cache.put("k-odd", value)
    assert _entries(cache_dir) == [] and not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]
    assert cache.put("k-odd", (led, problems, ()))


def test_the_cache_keeps_at_most_max_entries(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    files = [tmp_path / f"l{n}.yaml" for n in range(5)]
    for n, f in enumerate(files):
        f.write_text(f"title: ledger {n}\nmeasures: []\n")
        load_checked(str(f))
        time.sleep(0.01)  # distinct mtimes: the oldest entries go first
    assert len(_entries(cache_dir)) == 3
    _parsing_fails(monkeypatch)
    assert load_checked(str(files[-1]))[0].title == "ledger 4"  # the newest is still served


def test_a_valid_entry_is_what_is_served(tmp_path, cache_dir, big_text):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    load_checked(str(f))
    (entry,) = _entries(cache_dir)
    entry.unlink()
    served = Ledger(path="served from the cache")
    assert cache.put(entry.name[: -len(cache.ENTRY)], (served, [], ()))
    assert load_checked(str(f)) == (served, [])


def test_same_size_and_mtime_but_new_content_is_not_served_stale(tmp_path, cache_dir, big_text):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    before = os.stat(f)
    first, _ = load_checked(str(f))
    changed = big_text.replace("Synthetic trade interventions", "Synthetic trade interventionz", 1)
    assert len(changed) == len(big_text)
    f.write_text(changed)
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(f).st_size == before.st_size and os.stat(f).st_mtime_ns == before.st_mtime_ns
    second, _ = load_checked(str(f))
    assert first.title.endswith("(seed 7)") and "interventionz" in second.title
    _same(_exact(str(f), changed), load_checked(str(f)))


def test_an_edit_that_adds_an_error_is_reported_with_its_location(tmp_path, cache_dir, big_text):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    load_checked(str(f))
    f.write_text(big_text.replace("kind: tariff", "kind: tarif", 1))
    ledger, problems = load_checked(str(f))
    (p,) = [p for p in problems if "tarif'" in p.message]
    line = big_text.splitlines()[p.line - 1]
    assert line.strip() == "kind: tariff" and p.col == line.index("tariff") + 1


def test_a_new_version_of_the_code_never_reads_old_entries(tmp_path, cache_dir, big_text, monkeypatch):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    load_checked(str(f))
    key_now = cache.entry_key(str(f), big_text.encode())
    stale = Ledger(path="stale")
    assert cache.put(key_now, (stale, [], ()))
    monkeypatch.setattr(cache, "_code_fingerprint", lambda: "escalation-ledger 99.0")
    assert cache.entry_key(str(f), big_text.encode()) != key_now
    result = load_checked(str(f))
    assert result[0] != stale
    _same(_exact(str(f), big_text), result)


def test_the_name_is_part_of_the_key(tmp_path, cache_dir, big_text):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(big_text)
    b.write_text(big_text)
    la, _ = load_checked(str(a))
    lb, _ = load_checked(str(b))
    assert (la.path, lb.path) == (str(a), str(b))
    assert len(_entries(cache_dir)) == 2  # one entry per file


def test_one_entry_per_file_however_often_it_changes(tmp_path, cache_dir, big_text):
    f = tmp_path / "big.yaml"
    for n in range(3):
        f.write_text(big_text.replace("Synthetic trade", f"Edit {n} trade", 1))
        ledger, _ = load_checked(str(f))
        assert ledger.title.startswith(f"Edit {n}")
    assert len(_entries(cache_dir)) == 1


def test_an_unwritable_cache_dir_is_silently_skipped(tmp_path, monkeypatch, big_text):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    _same(_exact(str(f), big_text), load_checked(str(f)))
    assert not cache.put("k", (None, [], ()))
    assert cache.refused() is None  # nothing to warn about: nothing could be written there


def test_the_cache_can_be_turned_off(tmp_path, cache_dir, monkeypatch, big_text):
    monkeypatch.setenv(cache.ENV_OFF, "1")
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    load_checked(str(f))
    assert not cache_dir.exists()


def test_without_the_calls_that_keep_entries_safe_there_is_no_cache(tmp_path, cache_dir, monkeypatch):
    # Windows has no O_NOFOLLOW, no directory descriptors, no owner ids: no cache there,
    # rather than one anyone could plant entries or links in.
    f = tmp_path / "l.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    monkeypatch.setattr(cache, "_SAFE", False)
    assert cache.cache_dir() is None and cache.refused() is None
    _same(_exact(str(f), EVERY_KIND_OF_VALUE), load_checked(str(f)))
    r = _cli("timeline", "-f", str(f))
    assert r.exit_code == 0 and r.stderr == ""
    assert not cache_dir.exists()


def test_default_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == str(tmp_path / "escalation-ledger")


def test_an_entry_keeps_where_each_located_measure_stands(tmp_path, cache_dir, big_text, monkeypatch):
    # Measures are stored field by field; locations are fields too.
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    cold, _ = load_checked(str(f))
    _parsing_fails(monkeypatch)  # so what follows can only come from the cache
    warm, _ = load_checked(str(f))
    where = [(m.loc, dict(m.locs)) for m in cold.measures]
    assert any(locs for _, locs in where)  # the measures whose sources disagree were located
    assert [(m.loc, dict(m.locs)) for m in warm.measures] == where
    assert [type(m) for m in warm.measures] == [type(m) for m in cold.measures]


def test_a_report_leaves_warnings_unlocated_and_check_locates_them_from_the_cache(tmp_path, cache_dir, big_text, monkeypatch):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    expected = _exact(str(f), big_text)
    assert expected[1] and {p.severity for p in expected[1]} == {"warning"}
    located = []
    real = ledger.read.locate
    monkeypatch.setattr(ledger.read, "locate", lambda *args: located.append(1) or real(*args))
    report, warnings = load_checked(str(f), warnings_located=False)  # what report commands ask for
    assert located == [] and report == expected[0]
    assert [(p.severity, p.message) for p in warnings] == [(p.severity, p.message) for p in expected[1]]
    _parsing_fails(monkeypatch)  # from here on only the cache, and locating the entries concerned
    _same(expected, load_checked(str(f)))  # `ledger check`: every warning at its line and column
    assert located == [1]
    _same(expected, load_checked(str(f)))  # the entry now holds them located
    assert located == [1]


def test_errors_are_located_even_when_warnings_need_not_be(tmp_path, cache_dir, big_text):
    text = big_text.replace("responds_to: [", "responds_to: [no-such-measure, ", 1)
    f = tmp_path / "big.yaml"
    f.write_text(text)
    expected = _exact(str(f), text)
    assert "error" in {p.severity for p in expected[1]}
    _same(expected, load_checked(str(f), warnings_located=False))


# --- Writing behind the command -------------------------------------------------------------


def test_an_entry_written_behind_a_report_is_whole_once_the_writer_is_waited_for(tmp_path, cache_dir, big_text, monkeypatch):
    monkeypatch.setattr(ledger.read, "_WRITE_BEHIND_MIN_BYTES", 0)  # as for a 100,000-measure file
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    expected = _exact(str(f), big_text)
    report, _ = load_checked(str(f), warnings_located=False, write_behind=True)
    assert report == expected[0]
    assert cache._writers  # a forked writer, which the command's exit handler waits for
    cache.wait_for_writers()
    assert not cache._writers and len(_entries(cache_dir)) == 1
    _parsing_fails(monkeypatch)
    _same(expected, load_checked(str(f)))


def test_an_entry_begun_before_the_checks_holds_what_they_found(tmp_path, cache_dir, big_text, monkeypatch):
    # `ledger check` on a first run: the writer starts on the measures the fast path read,
    # and is handed the located warnings at the end; the entry is the located ledger.
    monkeypatch.setattr(ledger.read, "_WRITE_BEHIND_MIN_BYTES", 0)
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)
    begun = []
    real = cache.start_behind
    monkeypatch.setattr(cache, "start_behind", lambda *args: begun.append(args) or real(*args))
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    expected = _exact(str(f), big_text)
    assert any(p.severity == "warning" for p in expected[1])  # gen.py writes sources that disagree
    _same(expected, load_checked(str(f), write_behind=True))
    assert len(begun) == 1
    cache.wait_for_writers()
    assert [p.name for p in cache_dir.iterdir()] == [p.name for p in _entries(cache_dir)]  # no .tmp, no rest file
    _parsing_fails(monkeypatch)
    monkeypatch.setattr(ledger.read, "_locate_warnings", lambda *a: pytest.fail("the entry should hold them located"))
    _same(expected, load_checked(str(f)))


def _read_by_two_processes(monkeypatch) -> None:
    """A big file's measures read by this process and a forked child, share by share."""
    monkeypatch.setattr(ledger.read, "_WRITE_BEHIND_MIN_BYTES", 0)
    monkeypatch.setattr(ledger.fastload, "PARTS_MIN_CHARS", 0)
    monkeypatch.setattr(ledger.fastload, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(ledger.fastload, "SHARE_CHARS", 20_000)  # about fifty measures a share
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)


@pytest.fixture
def declaring_kinds(big_text) -> str:
    """The big ledger with a kind of its own, declared at the top: the child reading a
    share has not seen `kinds:` and hands the kind over by its name."""
    text = big_text.replace("\nsources:\n", "\nkinds:\n  subsidy:\n    description: State aid\n    weight: 1\n\nsources:\n", 1)
    return text.replace("    kind: investigation\n", "    kind: subsidy\n")


@pytest.mark.parametrize("chunks", [0, 1, 15, 16, 300, 70_000])
def test_an_entrys_first_part_is_msgpacks_own_framing_around_the_chunks(chunks):
    # The chunks of a big ledger are written as they are, inside MessagePack framing made
    # by hand (no 24 MB copy): it must be what msgspec itself writes, for any number of
    # chunks (an array's header takes 1, 3 or 5 bytes).
    import msgspec

    led, _ = load_text("t.yaml", "sources:\n  s:\n    title: T\n    publisher: P\nmeasures:\n"
                       "  - {id: a, date: 2025-10-09, actor: CN, target: US, kind: export-control, title: A, sources: [s]}\n"
                       "  - {id: b, date: 2025-10, actor: [US, EU], target: CN, kind: tariff, title: B, weight: 3}\n")
    assert len(led.measures) == 2
    made = [cache.encode_chunk(led.measures[i % 2:i % 2 + 1]) for i in range(chunks)]
    measures = tuple(m for i in range(chunks) for m in led.measures[i % 2:i % 2 + 1])
    pieces = cache._encode_start(measures, led.sources, made)
    f = cache._fmt()
    whole = msgspec.msgpack.encode((len(measures), list(map(msgspec.Raw, made)), list(led.sources), len(led.sources),
                                    cache._columns(tuple(led.sources.values()), f.source)))
    assert b"".join(pieces) == whole
    count, decoded, *_ = f.start.decode(whole)
    assert count == chunks == len(decoded)


@pytest.mark.parametrize("warnings_located", [False, True], ids=["a report", "check"])
def test_an_entry_is_made_of_the_chunks_the_reading_processes_made(tmp_path, cache_dir, declaring_kinds, monkeypatch,
                                                                    warnings_located):
    # Two processes read a big file share by share; each share's measures are handed over
    # as a chunk of a cache entry, and the entry is those chunks: the measures are never
    # encoded whole (not even by a forked writer: it would fail and leave no entry). The
    # entry gives back the exact reader's answer, a declared kind included (a chunk from
    # the child holds it by its name).
    _read_by_two_processes(monkeypatch)
    real_start, real_chunk = cache.start_behind, cache.encode_chunk
    monkeypatch.setattr(cache, "start_behind", lambda *a: real_start(*a) if len(a) == 4 and a[3]
                        else pytest.fail("an entry begun without its chunks"))
    monkeypatch.setattr(cache, "encode_chunk", lambda measures: real_chunk(measures) if len(measures) < 500
                        else pytest.fail("measures encoded whole"))
    f = tmp_path / "big.yaml"
    f.write_text(declaring_kinds)
    expected = _exact(str(f), declaring_kinds)
    assert {type(m.kind).__name__ for m in expected[0].measures} >= {"DeclaredKind", "Kind"}
    got = load_checked(str(f), warnings_located=warnings_located, write_behind=True, defer_checks=not warnings_located)
    assert got[0] == expected[0]
    cache.wait_for_writers()
    assert len(_entries(cache_dir)) == 1
    _parsing_fails(monkeypatch)
    kept = cache.get(_key(f))
    assert kept[0] == expected[0] and kept[0].kinds == expected[0].kinds
    assert [type(m.kind) for m in kept[0].measures] == [type(m.kind) for m in expected[0].measures]
    if warnings_located:
        _same(expected, load_checked(str(f)))
    else:
        assert [p for p in kept[1] if p.severity == "error"] == [p for p in expected[1] if p.severity == "error"]


@pytest.mark.parametrize("warnings_located", [False, True], ids=["a report", "check"])
def test_an_included_files_entry_is_made_of_the_chunks_too(tmp_path, cache_dir, declaring_kinds, monkeypatch,
                                                           warnings_located):
    # The same for a big file a ledger includes: a report's first run over the set wrote
    # the part by a forked writer encoding all its measures again, on the core the report
    # and the set's checks were using (0.6 s of CPU at 100,000 measures).
    _read_by_two_processes(monkeypatch)
    real_start, real_chunk = cache.start_behind, cache.encode_chunk
    monkeypatch.setattr(cache, "start_behind", lambda *a: real_start(*a) if len(a) == 4 and a[3] or len(a[1]) < 5
                        else pytest.fail("a big part's entry begun without its chunks"))
    monkeypatch.setattr(cache, "encode_chunk", lambda measures: real_chunk(measures) if len(measures) < 500
                        else pytest.fail("measures encoded whole"))
    big = tmp_path / "big.yaml"
    big.write_text(declaring_kinds)
    top = tmp_path / "mine.yaml"
    top.write_text("version: 1\ninclude: [big.yaml]\nmeasures: []\n")
    expected = _exact(str(big), declaring_kinds)[0]
    got = load_checked(str(top), warnings_located=warnings_located, write_behind=True, defer_checks=not warnings_located)
    assert got[0].measures == expected.measures
    cache.wait_for_writers()
    _parsing_fails(monkeypatch)
    kept = cache.get(ledger.read._part_key(str(big), big.read_bytes()))
    assert kept is not None and kept[0] == expected and kept[0].kinds == expected.kinds
    assert [type(m.kind) for m in kept[0].measures] == [type(m.kind) for m in expected.measures]


def test_a_writer_begun_for_other_records_writes_nothing(tmp_path, cache_dir, big_text):
    led, problems = load_checked_fresh(tmp_path, big_text)
    other = load_checked_fresh(tmp_path, big_text.replace('title: "', 'title: "Other ', 1))[0]
    for given, handed in ((other, led), (led, other)):
        writer = cache.start_behind("k-1", given.measures, given.sources)
        assert not writer.finish((handed, problems, ()))
    writer = cache.start_behind("k-2", led.measures, led.sources)
    writer.abandon()
    cache.start_behind("k-3", led.measures, led.sources)  # never told: the exit handler ends it
    cache.wait_for_writers()
    assert list(cache_dir.iterdir()) == []
    writer = cache.start_behind("k-4", led.measures, led.sources)
    assert writer.finish((led, problems, ()))
    cache.wait_for_writers()
    _identical((led, problems), cache.get("k-4"))


def load_checked_fresh(tmp_path, text):
    f = tmp_path / "fresh.yaml"
    f.write_text(text)
    return _exact(str(f), text)


# --- Hostile: code, links, other users, damage, litter ---------------------------------------


class _Armed:
    """Unpickling this runs a shell command: what a planted pickle entry could do."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_a_planted_pickle_never_runs_and_the_answer_is_right(tmp_path, cache_dir, monkeypatch):
    f = tmp_path / "l.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    expected = _cli("timeline", "-f", str(f), env={cache.ENV_OFF: "1"})
    assert expected.exit_code == 0
    pwned = tmp_path / "PWNED"
    armed = pickle.dumps(_Armed(f"touch {pwned}"), protocol=pickle.HIGHEST_PROTOCOL)
    assert b"system" in armed
    cache_dir.mkdir(mode=0o700)
    key = _key(f)
    kept = f"chains.{ledger.cli.reports._source_hash('chains')}"
    memo = f"{key}.{kept}.memo"
    for name, content in ((key + cache.ENTRY, armed), (key + cache.ENTRY, cache.MAGIC + armed),
                          (key + cache.ENTRY, _seal(armed, armed)),  # the right digest, of a pickle
                          (key + ".pickle", b"ELC3" + armed), (memo, _seal(armed, magic=cache.MAGIC_KEPT))):
        (cache_dir / name).write_bytes(content)
        monkeypatch.setattr(ledger.cli.reports, "CHAINS_KEPT_MIN", 1)
        for args in (["timeline"], ["chains"]):
            r = _cli(*args, "-f", str(f))
            assert r.exit_code == 0 and r.stderr == ""
            if args[0] == "timeline":
                assert r.stdout == expected.stdout
        assert not pwned.exists()
        for name in os.listdir(cache_dir):
            os.unlink(cache_dir / name)
    (cache_dir / memo).write_bytes(_seal(armed, magic=cache.MAGIC_KEPT))
    assert cache.get_derived(key, kept) is None and not pwned.exists()


def test_the_cache_imports_nothing_that_can_make_objects_from_bytes():
    import ast

    tree = ast.parse(Path(cache.__file__).read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"pickle", "_pickle", "marshal", "shelve", "copyreg", "dill", "cloudpickle"}
    assert "msgspec" in imported


def test_a_planted_link_is_never_written_through(tmp_path, cache_dir, big_text, monkeypatch):
    # Every name a writer could be predicted to use: the entry, and the temporary and
    # rest names of this process and of the next forked processes (what older versions
    # used: today's temporaries have a random part), each a link to the victim.
    monkeypatch.setattr(ledger.read, "_WRITE_BEHIND_MIN_BYTES", 0)
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    key = _key(f)
    cache_dir.mkdir(mode=0o700)
    names = [key + cache.ENTRY, key + ".pickle", key + ".chains.x.memo"]
    for pid in range(os.getpid(), os.getpid() + 200):
        for final in (key + cache.ENTRY, key + ".pickle"):
            names += [f"{final}.{pid}.tmp", f"{final}.{pid}.rest"]
    for name in names:
        (cache_dir / name).symlink_to(victim)
    expected = _exact(str(f), big_text)
    _same(expected, load_checked(str(f), write_behind=True))  # read through the link? no: a miss
    cache.wait_for_writers()
    assert victim.read_text() == "keep me"
    entry = cache_dir / (key + cache.ENTRY)
    assert stat.S_ISREG(os.lstat(entry).st_mode)  # the link was replaced, not followed
    _parsing_fails(monkeypatch)
    _same(expected, load_checked(str(f)))
    assert victim.read_text() == "keep me"


def test_a_link_to_a_good_entry_is_not_read(tmp_path, cache_dir):
    f = tmp_path / "l.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    load_checked(str(f))
    (entry,) = _entries(cache_dir)
    elsewhere = tmp_path / "elsewhere"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert cache.get(entry.name[: -len(cache.ENTRY)]) is None


def test_a_new_directory_is_0700_and_entries_0600_whatever_the_umask(tmp_path, cache_dir, big_text, monkeypatch):
    monkeypatch.setattr(ledger.read, "_WRITE_BEHIND_MIN_BYTES", 0)
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)
    monkeypatch.setattr(ledger.cli.reports, "CHAINS_KEPT_MIN", 1)
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    old = os.umask(0)
    try:
        assert _cli("chains", "-f", str(f)).exit_code == 0  # an entry written behind, and a kept result
        cache.wait_for_writers()
        assert _cli("timeline", "-f", str(bundled_ledger_path())).exit_code == 0  # an entry written at once, a kept order
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o700
    files = list(cache_dir.iterdir())
    assert sorted(p.suffix for p in files) == [".entry", ".entry", ".memo", ".memo"]
    assert {stat.S_IMODE(os.stat(p).st_mode) for p in files} == {0o600}


def _refused_with_one_warning(f: Path, d: Path, why: str) -> None:
    expected = _cli("timeline", "-f", str(f), env={cache.ENV_OFF: "1"})
    before = sorted(os.listdir(d))
    r = _cli("timeline", "-f", str(f))
    assert r.exit_code == 0 and r.stdout == expected.stdout
    assert r.stderr == f"ledger: warning: not using the parse cache {d}: {why}\n"
    assert sorted(os.listdir(d)) == before  # nothing read or written there
    assert cache.refused() is None  # said once


@pytest.mark.parametrize("mode, who", [(0o777, "others"), (0o1777, "others"), (0o770, "its group")])
def test_a_directory_others_can_write_is_not_used(tmp_path, cache_dir, mode, who):
    f = tmp_path / "l.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    cache_dir.mkdir()
    os.chmod(cache_dir, mode)
    planted = _seal(b"\x93\x00\x90\x90")  # whatever is there is not even opened
    (cache_dir / (_key(f) + cache.ENTRY)).write_bytes(planted)
    _refused_with_one_warning(f, cache_dir, f"it is writable by {who} (chmod 700 {cache_dir})")


def test_a_directory_of_another_user_is_not_used(tmp_path, cache_dir, monkeypatch):
    f = tmp_path / "l.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    cache_dir.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(cache_dir, 65534, 65534)  # nobody's
        owner = 65534
    else:
        owner = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    _refused_with_one_warning(f, cache_dir, f"it belongs to another user (uid {owner}); use a directory of your own")


def test_a_directory_that_is_a_link_is_not_used(tmp_path, cache_dir, monkeypatch):
    f = tmp_path / "l.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    cache_dir.symlink_to(real)
    _refused_with_one_warning(f, cache_dir, "it is a symbolic link (name the directory itself, if it is yours)")
    assert list(real.iterdir()) == []
    monkeypatch.setenv(cache.ENV_DIR, f"{cache_dir}//")  # a trailing slash would name the link's target
    assert cache.cache_dir() is None and "symbolic link" in cache.refused()


def test_a_refusal_is_told_once(tmp_path, cache_dir):
    cache_dir.mkdir(mode=0o777)
    os.chmod(cache_dir, 0o777)
    assert cache.cache_dir() is None and cache.cache_dir() is None
    assert "writable by others" in cache.refused()
    assert cache.refused() is None


def _small_entry(tmp_path, text=EVERY_KIND_OF_VALUE):
    f = tmp_path / "small.yaml"
    f.write_text(text)
    expected = load_checked(str(f))
    key = _key(f)
    entry = Path(cache.cache_dir()) / (key + cache.ENTRY)
    return key, entry, entry.read_bytes(), expected


def _flipped(entry: Path, good: bytes, bits):
    """Each bit of `bits` flipped in turn, in place (the file keeps its size: rewriting it
    whole costs a millisecond each here), the entry whole again after each."""
    fd = os.open(entry, os.O_RDWR)
    try:
        for bit in bits:
            at = bit // 8
            os.pwrite(fd, bytes([good[at] ^ (1 << (bit % 8))]), at)
            yield bit
            os.pwrite(fd, good[at:at + 1], at)
    finally:
        os.close(fd)


def test_every_bit_flip_of_an_entry_is_a_miss_never_another_answer(tmp_path, cache_dir):
    key, entry, good, expected = _small_entry(tmp_path)
    assert len(good) < 4000
    missed = 0
    for _ in _flipped(entry, good, range(len(good) * 8)):
        got = cache.get(key)
        if got is None:
            missed += 1
        else:
            _identical(expected, got)
    assert missed == len(good) * 8  # the digest notices every one
    _identical(expected, cache.get(key))


def test_random_bit_flips_of_the_bundled_ledgers_entry_never_change_the_answer(cache_dir):
    path = bundled_ledger_path()
    expected = load_checked(path)
    key = _key(path)
    entry = cache_dir / (key + cache.ENTRY)
    good = entry.read_bytes()
    rng = random.Random(12)
    for _ in _flipped(entry, good, [rng.randrange(len(good) * 8) for _ in range(3000)]):
        got = cache.get(key)
        assert got is None or _identical(expected, got) is None
    damaged = bytearray(good)
    damaged[len(good) // 2] ^= 0x10
    entry.write_bytes(damaged)
    _identical(expected, load_checked(path))
    assert entry.read_bytes() == good  # the damaged entry was replaced


def test_an_entry_damaged_before_it_was_sealed_is_decoded_as_data_or_missed(tmp_path, cache_dir):
    # What the digest cannot see (a fault before the digest was made): every single-bit
    # change of the parts, sealed again, is read as data of the format's types or is a
    # miss; decoding never raises, and nothing in the file is ever called.
    key, entry, good, expected = _small_entry(tmp_path)
    parts = good[44:]
    length = int.from_bytes(good[36:44], "little")
    results = {"miss": 0, "same": 0, "other": 0}
    for bit in range(0, len(parts) * 8, 3):  # each byte, at one of its bits or another
        damaged = bytearray(parts)
        damaged[bit // 8] ^= 1 << (bit % 8)
        with open(entry, "r+b") as f:
            f.write(_seal(bytes(damaged[:length]), bytes(damaged[length:])))
        got = cache.get(key)
        if got is None:
            results["miss"] += 1
            continue
        led, problems, spoke = got
        assert type(led) is Ledger and type(problems) is list and type(spoke) is tuple
        results["same" if (led, problems) == expected else "other"] += 1
    assert results["miss"] > 300  # a value of the wrong type, an index beyond its table: checked, not trusted


def test_every_truncation_of_an_entry_is_a_miss(tmp_path, cache_dir):
    key, entry, good, _ = _small_entry(tmp_path)
    for size in reversed(range(len(good))):
        os.truncate(entry, size)
        assert cache.get(key) is None


def test_damaged_or_odd_entries_are_ignored_and_replaced(tmp_path, cache_dir, big_text):
    import msgspec

    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    expected = _exact(str(f), big_text)
    load_checked(str(f))
    (entry,) = _entries(cache_dir)
    good = entry.read_bytes()
    length = int.from_bytes(good[36:44], "little")
    start, rest = good[44:44 + length], good[44 + length:]
    for bad in (b"", b"garbage", cache.MAGIC + b"\x80\x05garbage", good[: len(good) // 2], good + b"\0",
                _seal(b"\x93\x00\x90\x90"),  # the right digest, the wrong shape
                _seal(rest, start),  # the parts swapped
                _seal(msgspec.msgpack.encode([1] * 5), rest),  # the right shape nowhere
                _seal(start, msgspec.msgpack.encode([None, [], [], None, None, None]))):  # records without a ledger
        entry.write_bytes(bad)
        _same(expected, load_checked(str(f)))
        assert entry.read_bytes() == good  # rewritten by the load that missed


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)
    return child.pid


def test_what_dead_writers_left_is_swept_when_an_entry_is_written(tmp_path, cache_dir):
    cache_dir.mkdir(mode=0o700)
    dead, live = _dead_pid(), os.getpid()
    key = "0123456789abcdef-" + "a" * 64
    swept = [f"{key}.entry.{dead}.0123456789abcdef.tmp", f"{key}.chains.c0de.memo.{dead}.fedcba9876543210.tmp",
             f"{key}.pickle.{dead}.tmp", f"{key}.pickle.{dead}.rest",  # what older versions left
             f"{key}.pickle",  # an older version's entry: never read again, and readable by all
             f"{key}.entry.{live}.1111111111111111.tmp"]  # alive, but older than STALE_AFTER: a reused pid
    kept = [f"{key}.entry.{live}.2222222222222222.tmp",  # a live writer's, being written
            f"{key}.pickle.{live}.tmp",
            "notes.tmp", f"x.{dead}.tmp", "README"]  # not ours
    for name in swept + kept:
        (cache_dir / name).write_bytes(b"x" * 100)
    old = time.time() - cache.STALE_AFTER - 60
    os.utime(cache_dir / swept[-1], (old, old))
    os.utime(cache_dir / "notes.tmp", (old, old))
    f = tmp_path / "l.yaml"
    f.write_text(EVERY_KIND_OF_VALUE)
    load_checked(str(f))  # writes an entry
    assert sorted(os.listdir(cache_dir)) == sorted(kept + [_key(f) + cache.ENTRY])


def test_a_writer_killed_midway_leaves_a_file_the_next_write_removes(tmp_path, cache_dir, big_text):
    import signal

    led, problems = load_checked_fresh(tmp_path, big_text)
    writer = cache.start_behind("k-killed", led.measures, led.sources)
    deadline = time.time() + 30
    while not list(cache_dir.glob("*.tmp")) and time.time() < deadline:
        time.sleep(0.01)
    (left,) = cache_dir.glob("*.tmp")
    assert f".{writer.pid}." in left.name
    os.kill(writer.pid, signal.SIGKILL)
    os.waitpid(writer.pid, 0)
    writer.abandon()
    cache.wait_for_writers()
    assert left.exists()  # what SIGKILL leaves
    assert cache.put("k-next", (led, problems, ()))
    assert not left.exists() and [p.name for p in cache_dir.iterdir()] == ["k-next" + cache.ENTRY]


def test_a_key_never_names_a_file_outside_the_directory(tmp_path, cache_dir):
    assert not cache.put("../outside", (None, [], ()))
    assert not cache.put(".hidden", (None, [], ()))
    assert cache.get("../outside") is None
    assert not cache.put_derived("k", "../x", [1])
    assert not (tmp_path / "outside.entry").exists()


# --- Results kept beside an entry: the chains ---------------------------------------------


@pytest.fixture
def chains_walks(monkeypatch):
    """Counts the walks that work chains out; every ledger's chains are kept (not only big ones')."""
    import ledger.chains
    import ledger.cli.reports

    monkeypatch.setattr(ledger.cli.reports, "CHAINS_KEPT_MIN", 1)
    return _calls_of(monkeypatch, ledger.chains, "chain_rows")


def _calls_of(monkeypatch, module, name: str) -> list:
    """The arguments of every call to `module.name` from now on."""
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _chains(f, *args, env=None) -> str:
    r = _cli("chains", *args, "-f", str(f), env=env)
    assert r.exit_code == 0, r.output
    return r.stdout


def test_kept_chains_are_read_back_and_print_what_a_fresh_walk_prints(tmp_path, cache_dir, big_text, chains_walks):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    for args in ([], ["--all"], ["--json"]):
        fresh = _chains(f, *args, env={cache.ENV_OFF: "1"})
        walks = len(chains_walks)
        assert _chains(f, *args) == fresh  # worked out, and kept
        assert _chains(f, *args) == fresh  # read back
        assert len(chains_walks) == walks + (args != ["--json"])  # --json reads what the plain run kept
    kept = sorted(p.name.split(".")[1] for p in cache_dir.glob("*.memo"))
    assert kept == ["chains", "chains-all"]


def test_a_view_that_hides_measures_is_worked_out_not_read_from_the_whole_ledgers(tmp_path, cache_dir, big_text, chains_walks):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    _chains(f)
    walks = len(chains_walks)
    for args in (["--as-of", "2009-06-30"], ["--country", "US"]):
        assert _chains(f, *args) == _chains(f, *args, env={cache.ENV_OFF: "1"})
    assert len(chains_walks) == walks + 4


@pytest.fixture
def timeline_orders(monkeypatch):
    """Counts the times a timeline is ordered from scratch; every ledger's order is kept."""
    import ledger.timeline

    monkeypatch.setattr(ledger.cli.reports, "CHAINS_KEPT_MIN", 1)
    return _calls_of(monkeypatch, ledger.timeline, "timeline")


def test_a_kept_timeline_order_is_read_back_and_prints_what_a_fresh_order_prints(tmp_path, cache_dir, big_text, timeline_orders):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    for args in ([], ["--json"]):
        r = _cli("timeline", *args, "-f", str(f), env={cache.ENV_OFF: "1"})
        assert r.exit_code == 0, r.output
        fresh = r.stdout
        orders = len(timeline_orders)
        for _ in range(2):  # ordered and kept, then read back
            r = _cli("timeline", *args, "-f", str(f))
            assert r.exit_code == 0 and r.stdout == fresh
        assert len(timeline_orders) == orders + (args == [])  # --json reads what the plain run kept
    # A view that hides records is ordered afresh, never read from the whole ledger's order.
    orders = len(timeline_orders)
    hidden = _cli("timeline", "--as-of", "2009-06-30", "-f", str(f))
    assert hidden.stdout == _cli("timeline", "--as-of", "2009-06-30", "-f", str(f), env={cache.ENV_OFF: "1"}).stdout
    assert len(timeline_orders) == orders + 2


@pytest.mark.parametrize("kept", [[0, 0, 1], "not a list", None, [-1], "everything reversed but one short"])
def test_a_kept_timeline_order_that_is_no_order_of_these_records_is_ordered_again(tmp_path, cache_dir, big_text, timeline_orders, kept):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    fresh = _cli("timeline", "-f", str(f), env={cache.ENV_OFF: "1"}).stdout
    assert _cli("timeline", "-f", str(f)).stdout == fresh
    [memo] = cache_dir.glob("*.timeline.*.memo")
    key, name = memo.name.split(".", 1)
    name = name[: -len(".memo")]
    n = len(cache.get_derived(key, name))
    if kept == "everything reversed but one short":
        kept = list(range(n - 1))[::-1]
    elif kept == [0, 0, 1]:
        kept = [0] * n  # the right length, but not a permutation
    assert cache.put_derived(key, name, kept)
    orders = len(timeline_orders)
    assert _cli("timeline", "-f", str(f)).stdout == fresh
    assert len(timeline_orders) == orders + 1


def test_kept_chains_go_with_their_entry_when_the_file_changes(tmp_path, cache_dir, big_text, chains_walks):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    before = _chains(f)
    [old] = cache_dir.glob("*.memo")
    root = before.splitlines()[2].rsplit("(", 1)[1].rstrip(")")  # the first chain's first measure
    at = big_text.index('title: "', big_text.index(f"id: {root}\n"))
    f.write_text(big_text[:at] + 'title: "Revised ' + big_text[at + len('title: "'):])
    after = _chains(f)
    assert after != before and after == _chains(f, env={cache.ENV_OFF: "1"})
    assert not old.exists()
    [entry] = _entries(cache_dir)
    assert [p.name.split(".")[0] for p in cache_dir.glob("*.memo")] == [entry.name.split(".")[0]]


def test_a_damaged_kept_result_is_worked_out_again(tmp_path, cache_dir, big_text, chains_walks):
    import msgspec

    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    good = _chains(f)
    [memo] = cache_dir.glob("*.memo")
    kept = memo.read_bytes()
    for damage in (b"", cache.MAGIC_KEPT + b"\x80\x05garbage", kept[:-500], kept[:100] + bytes([kept[100] ^ 4]) + kept[101:],
                   _seal(msgspec.msgpack.encode([1, [2], "x"]), magic=cache.MAGIC_KEPT)):  # sealed, of the wrong shape
        memo.write_bytes(damage)
        walks = len(chains_walks)
        assert _chains(f) == good
        assert len(chains_walks) == walks + 1


def test_a_kept_result_is_plain_data_only(cache_dir):
    assert not cache.put_derived("k", "what.code", object())
    assert cache.put_derived("k", "what.code", (1, [2, None, True], {"US": 3}, "x"))
    assert cache.get_derived("k", "what.code") == [1, [2, None, True], {"US": 3}, "x"]


def test_declared_kinds_and_includes_come_back_as_they_were(tmp_path, cache_dir, monkeypatch):
    from ledger import read
    from ledger.model import DeclaredKind

    (tmp_path / "other.yaml").write_text("measures: []\n")
    kinds = "kinds:\n  subsidy:\n    description: State aid\n    weight: -1\n"
    entry = "  - id: m\n    date: 2025\n    actor: US\n    target: CN\n    kind: {}\n    title: T\n"
    alone = tmp_path / "alone.yaml"
    alone.write_text(kinds + "measures:\n" + entry.format("subsidy"))
    top = tmp_path / "top.yaml"  # a kind it does not declare stays a name (read.py finds it in another file)
    top.write_text("include: [other.yaml]\n" + kinds + "measures:\n" + entry.format("subsidy") + entry.format("hack").replace("id: m", "id: n"))
    expected = _exact(str(alone), alone.read_text())
    _identical(expected, load_checked(str(alone)))
    cold = read._load_part(str(top), top.read_bytes())
    _parsing_fails(monkeypatch)
    warm = load_checked(str(alone))
    _identical(expected, warm)
    k = warm[0].measures[0].kind
    assert type(k) is DeclaredKind and (k, k.weight, k.description, k.value) == ("subsidy", -1, "State aid", "subsidy")
    assert warm[0].kinds == {"subsidy": k} and warm[0].measures[0].escalation == -1
    part = read._load_part(str(top), top.read_bytes())
    assert part == cold and part[0].includes == ("other.yaml",) and part[0].locs == cold[0].locs
    assert [type(m.kind) for m in part[0].measures] == [DeclaredKind, str]


def test_small_and_big_data_get_the_same_sha256_whichever_module_hashes_it():
    # Small data is hashed by Python's own module (no OpenSSL import on every command),
    # big data by hashlib's: an entry written with one is read with the other.
    import hashlib

    for size in (0, 100, cache._OWN_SHA256_MAX - 1, cache._OWN_SHA256_MAX, cache._OWN_SHA256_MAX + 7):
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        assert cache._sha256(data).digest() == hashlib.sha256(data).digest()
        h = cache._sha256(data[:3], size=size)
        h.update(data[3:])
        assert h.digest() == hashlib.sha256(data).digest()


def test_msgspec_imported_without_typing_extensions_leaves_it_importable():
    # cache._msgspec keeps typing_extensions out of msgspec's import (3 ms on every
    # command), and msgspec's modules for other formats (2 ms), then lets anyone else
    # import them as usual; entries still round-trip.
    code = ("import sys\n"
            "from ledger import cache\n"
            "m = cache._msgspec()\n"
            "assert 'typing_extensions' not in sys.modules, 'imported'\n"
            "assert not {'msgspec.inspect', 'msgspec.json', 'msgspec.yaml'} & set(sys.modules), 'imported'\n"
            "assert m.msgpack.decode(m.msgpack.encode([1, 'a'])) == [1, 'a']\n"
            "import msgspec.json, msgspec.inspect\n"
            "assert msgspec.json.decode(msgspec.json.encode({'a': [1]})) == {'a': [1]}\n"
            "assert msgspec.inspect.type_info(int) == msgspec.inspect.IntType()\n"
            "import importlib.util\n"
            "if importlib.util.find_spec('typing_extensions') is not None:  # not in every venv (none on 3.13)\n"
            "    import typing_extensions\n"
            "    assert typing_extensions.Literal is not None\n"
            "print('ok')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stdout.strip() == "ok", p.stderr
