"""The parse cache serves exactly what the slow path loads, and never a stale ledger."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from ledger import cache
import ledger.fastload
import ledger.load
from ledger.check import check_ledger
from ledger.load import bundled_ledger_path, load_checked, load_text
from ledger.model import Ledger

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import gen  # noqa: E402


@pytest.fixture(scope="module")
def big_text() -> str:
    text = gen.to_yaml(gen.generate(1000, seed=7))
    assert len(text.encode()) > 256 * 1024  # big enough for the fast path (load._FAST_MIN_BYTES)
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
    (la, pa), (lb, pb) = a, b
    assert la == lb
    assert pa == pb  # problems carry their file, line and column
    assert la.unloaded == lb.unloaded


def _parsing_fails(monkeypatch) -> None:
    def parse(*args):
        raise AssertionError("parsed although the cache holds the file")

    monkeypatch.setattr(ledger.load, "_load_big", parse)
    monkeypatch.setattr(ledger.load, "_load_bytes", parse)


def test_cached_load_is_identical_to_the_slow_path(tmp_path, cache_dir, big_text, monkeypatch):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    slow = _exact(str(f), big_text)
    cold = load_checked(str(f))
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    _parsing_fails(monkeypatch)
    warm = load_checked(str(f))
    assert len(slow[0].measures) == 1000
    _same(slow, cold)
    _same(slow, warm)


def test_the_bundled_ledger_is_cached_and_served_the_same(cache_dir, monkeypatch):
    path = bundled_ledger_path()
    expected = _exact(path, Path(path).read_text(encoding="utf-8"))
    _same(expected, load_checked(path))
    assert len(list(cache_dir.glob("*.pickle"))) == 1  # small files are cached too: a hit skips YAML, checks, iso3166
    _parsing_fails(monkeypatch)
    _same(expected, load_checked(path))


def test_the_cache_keeps_at_most_max_entries(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    files = [tmp_path / f"l{n}.yaml" for n in range(5)]
    for n, f in enumerate(files):
        f.write_text(f"title: ledger {n}\nmeasures: []\n")
        load_checked(str(f))
        time.sleep(0.01)  # distinct mtimes: the oldest entries go first
    assert len(list(cache_dir.glob("*.pickle"))) == 3
    _parsing_fails(monkeypatch)
    assert load_checked(str(files[-1]))[0].title == "ledger 4"  # the newest is still served


def test_a_valid_entry_is_what_is_served(tmp_path, cache_dir, big_text):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    load_checked(str(f))
    (entry,) = cache_dir.glob("*.pickle")
    entry.unlink()
    served = Ledger(path="served from the cache")
    assert cache.put(entry.stem, (served, [], ()))
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
    assert len(list(cache_dir.glob("*.pickle"))) == 2  # one entry per file


def test_one_entry_per_file_however_often_it_changes(tmp_path, cache_dir, big_text):
    f = tmp_path / "big.yaml"
    for n in range(3):
        f.write_text(big_text.replace("Synthetic trade", f"Edit {n} trade", 1))
        ledger, _ = load_checked(str(f))
        assert ledger.title.startswith(f"Edit {n}")
    assert len(list(cache_dir.glob("*.pickle"))) == 1


def test_corrupt_or_truncated_entries_are_ignored_and_replaced(tmp_path, cache_dir, big_text):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    expected = _exact(str(f), big_text)
    load_checked(str(f))
    (entry,) = cache_dir.glob("*.pickle")
    good = entry.read_bytes()
    for bad in (b"", b"garbage", cache.MAGIC + b"\x80\x05garbage", good[: len(good) // 2]):
        entry.write_bytes(bad)
        _same(expected, load_checked(str(f)))
    assert entry.read_bytes() == good  # rewritten by the load that missed


def test_an_unwritable_cache_dir_is_silently_skipped(tmp_path, monkeypatch, big_text):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    _same(_exact(str(f), big_text), load_checked(str(f)))
    assert not cache.put("k", (None, [], ()))


def test_the_cache_can_be_turned_off(tmp_path, cache_dir, monkeypatch, big_text):
    monkeypatch.setenv(cache.ENV_OFF, "1")
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    load_checked(str(f))
    assert not cache_dir.exists()


def test_default_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == str(tmp_path / "escalation-ledger")


def test_an_entry_keeps_where_each_located_measure_stands(tmp_path, cache_dir, big_text, monkeypatch):
    # Measures are stored field by field (cache._write); locations are fields too.
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
    real = ledger.fastload.locate
    monkeypatch.setattr(ledger.fastload, "locate", lambda *args: located.append(1) or real(*args))
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


def test_an_entry_written_behind_a_report_is_whole_once_the_writer_is_waited_for(tmp_path, cache_dir, big_text, monkeypatch):
    monkeypatch.setattr(ledger.load, "_WRITE_BEHIND_MIN_BYTES", 0)  # as for a 100,000-measure file
    monkeypatch.setattr(ledger.fastload, "_a_core_is_free", lambda: True)
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    expected = _exact(str(f), big_text)
    report, _ = load_checked(str(f), warnings_located=False, write_behind=True)
    assert report == expected[0]
    assert cache._writers  # a forked writer, which the command's exit handler waits for
    cache.wait_for_writers()
    assert not cache._writers and len(list(cache_dir.glob("*.pickle"))) == 1
    _parsing_fails(monkeypatch)
    _same(expected, load_checked(str(f)))


def test_an_entry_begun_before_the_checks_holds_what_they_found(tmp_path, cache_dir, big_text, monkeypatch):
    # `ledger check` on a first run: the writer starts on the measures the fast path read,
    # and is handed the located warnings at the end; the entry is the located ledger.
    monkeypatch.setattr(ledger.load, "_WRITE_BEHIND_MIN_BYTES", 0)
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
    assert [p.name for p in cache_dir.iterdir()] == [p.name for p in cache_dir.glob("*.pickle")]  # no .tmp, no .rest
    _parsing_fails(monkeypatch)
    monkeypatch.setattr(ledger.load, "_locate_warnings", lambda *a: pytest.fail("the entry should hold them located"))
    _same(expected, load_checked(str(f)))


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
    assert cache.get("k-4")[0] == led


def load_checked_fresh(tmp_path, text):
    f = tmp_path / "fresh.yaml"
    f.write_text(text)
    return _exact(str(f), text)


# --- Results kept beside an entry: the chains ---------------------------------------------


@pytest.fixture
def chains_walks(monkeypatch):
    """Counts the walks that work chains out; every ledger's chains are kept (not only big ones')."""
    import ledger.chains
    import ledger.cli.reports

    monkeypatch.setattr(ledger.cli.reports, "CHAINS_KEPT_MIN", 1)
    walks = []
    real = ledger.chains.chain_rows

    def counted(*args, **kwargs):
        walks.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger.chains, "chain_rows", counted)
    return walks


def _chains(f, *args, env=None) -> str:
    from typer.testing import CliRunner

    from ledger.cli import app

    r = CliRunner().invoke(app, ["chains", *args, "-f", str(f)], env=env)
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
    [entry] = cache_dir.glob("*.pickle")
    assert [p.name.split(".")[0] for p in cache_dir.glob("*.memo")] == [entry.name.split(".")[0]]


def test_a_damaged_kept_result_is_worked_out_again(tmp_path, cache_dir, big_text, chains_walks):
    f = tmp_path / "big.yaml"
    f.write_text(big_text)
    good = _chains(f)
    [memo] = cache_dir.glob("*.memo")
    for damage in (b"", cache.MAGIC + b"\x80\x05garbage", memo.read_bytes()[:-500]):
        memo.write_bytes(damage)
        walks = len(chains_walks)
        assert _chains(f) == good
        assert len(chains_walks) == walks + 1
