"""`include:`: a ledger made of several files, loaded file by file, checked as one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger import fastload as ledger_fast, load, read
from ledger.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "gta"


def measure(id, date="2025-10-01", actor="US", target="CN", kind="tariff", extra=""):
    return (f"  - id: {id}\n    date: {date}\n    actor: {actor}\n    target: {target}\n"
            f"    kind: {kind}\n    title: Measure {id}\n{extra}")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def check(path: Path):
    r = runner.invoke(app, ["check", "--json", "-f", str(path)])
    return r.exit_code, json.loads(r.stdout or "[]")


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # problems name files as the user wrote them, relative to here
    return tmp_path


def test_cross_file_references_and_reports(here):
    write(here / "team" / "us.yaml", "measures:\n" + measure("us-tariff"))
    write(here / "mine.yaml", "include: [team/us.yaml]\nmeasures:\n"
          + measure("cn-reply", "2025-10-05", "CN", "US", extra="    responds_to: [us-tariff]\n"))
    code, problems = check(Path("mine.yaml"))
    assert (code, problems) == (0, [])
    r = runner.invoke(app, ["chains", "-f", "mine.yaml", "--json"])
    assert r.exit_code == 0, r.output
    chain = json.loads(r.stdout)[0]
    assert chain["id"] == "us-tariff" and chain["responses"][0]["id"] == "cn-reply"
    assert runner.invoke(app, ["timeline", "-f", "mine.yaml", "--json"]).stdout.count('"id"') == 2
    r = runner.invoke(app, ["timeline", "--json"], env={"ESCALATION_LEDGER_FILE": "mine.yaml"})
    assert r.stdout.count('"id"') == 2


def test_duplicate_id_across_files_names_both_places(here):
    write(here / "other.yaml", "measures:\n" + measure("same"))
    write(here / "mine.yaml", "include: [other.yaml]\nmeasures:\n" + measure("same"))
    code, problems = check(Path("mine.yaml"))
    assert code == 1
    [p] = problems
    assert (p["file"], p["line"]) == ("other.yaml", 2)
    assert "duplicate id 'same' (first at mine.yaml:3)" in p["message"]


def test_include_cycle_is_a_located_error(here):
    write(here / "a.yaml", "include: [b.yaml]\nmeasures: []\n")
    write(here / "b.yaml", "measures: []\ninclude:\n  - a.yaml\n")
    code, problems = check(Path("a.yaml"))
    assert code == 1
    [p] = problems
    assert (p["file"], p["line"], p["col"]) == ("b.yaml", 3, 5)
    assert "include goes round in a circle: a.yaml -> b.yaml -> a.yaml" in p["message"]


def test_missing_include_is_a_located_error(here):
    write(here / "mine.yaml", "measures: []\ninclude: [there.yaml, gone.yaml]\n")
    write(here / "there.yaml", "measures: []\n")
    code, problems = check(Path("mine.yaml"))
    assert code == 1
    [p] = problems
    assert (p["file"], p["line"], p["col"]) == ("mine.yaml", 2, 23)
    assert p["message"] == "included file 'gone.yaml': no such file"


def test_globs_sorted_and_relative_to_the_including_file(here):
    write(here / "sub" / "team" / "b.yaml", "measures:\n" + measure("b-one"))
    write(here / "sub" / "team" / "a.yaml", "measures:\n" + measure("a-one"))
    write(here / "sub" / "mine.yaml", "include: ['team/*.yaml', 'none/*.yaml']\nmeasures:\n" + measure("mine-one"))
    ledger, problems = read.load_checked("sub/mine.yaml")
    assert [m.id for m in ledger.measures] == ["mine-one", "a-one", "b-one"]
    assert [p.path for p in ledger.parts] == ["sub/mine.yaml", "sub/team/a.yaml", "sub/team/b.yaml"]
    assert [str(p) for p in problems] == ["sub/mine.yaml:1:26: warning: include 'none/*.yaml' matches no file"]


def test_a_problem_in_an_included_file_names_that_file(here):
    write(here / "gta" / "x.yaml", "measures:\n" + measure("x-one", extra="    effective: 2025-09-31\n")
          + measure("x-two", actor="ZZ"))
    write(here / "mine.yaml", "include: [gta/x.yaml]\nmeasures:\n" + measure("mine"))
    code, problems = check(Path("mine.yaml"))
    assert code == 1
    assert [(p["file"], p["line"], p["col"]) for p in problems] == [("gta/x.yaml", 8, 16), ("gta/x.yaml", 11, 12)]
    assert "September 2025 has 30 days" in problems[0]["message"]
    assert "unknown country code 'ZZ'" in problems[1]["message"]


def test_a_big_included_file_read_by_the_fast_path_is_located_exactly(here):
    big = "measures:\n" + "".join(measure(f"m-{i}", extra="    notes: " + "x" * 200 + "\n") for i in range(1200))
    write(here / "big.yaml", big + measure("bad-one", actor="ZZ"))
    assert os.path.getsize(here / "big.yaml") >= read._FAST_MIN_BYTES
    write(here / "mine.yaml", "include: [big.yaml]\nmeasures:\n" + measure("mine", extra="    responds_to: [m-7]\n"))
    code, problems = check(Path("mine.yaml"))
    assert [(p["file"], p["line"], p["col"]) for p in problems] == [("big.yaml", 2 + 7 * 1200 + 2, 12)]
    # the located entries are kept with the file's cache entry: the next run reads nothing
    monkeypatch = pytest.MonkeyPatch()
    with monkeypatch.context() as m:
        m.setattr(ledger_fast, "load_fast", lambda *a, **k: pytest.fail("read again"))
        m.setattr(load, "parse_tree", lambda *a, **k: pytest.fail("read again"))
        assert check(Path("mine.yaml"))[1] == problems


def test_editing_one_included_file_rereads_only_it(here, monkeypatch):
    write(here / "a.yaml", "measures:\n" + measure("a-one"))
    write(here / "b.yaml", "measures:\n" + measure("b-one"))
    write(here / "mine.yaml", "include: [a.yaml, b.yaml]\nmeasures:\n" + measure("mine"))
    read_files = []
    real = load._load_bytes
    monkeypatch.setattr(load, "_load_bytes", lambda name, data: read_files.append(name) or real(name, data))
    assert read.load_checked("mine.yaml")[1] == []
    assert read_files == ["mine.yaml", "a.yaml", "b.yaml"]
    read_files.clear()
    assert read.load_checked("mine.yaml")[1] == []
    assert read_files == []  # every file from the cache
    write(here / "b.yaml", "measures:\n" + measure("b-two"))
    ledger, problems = read.load_checked("mine.yaml")
    assert read_files == ["b.yaml"] and problems == []
    assert [m.id for m in ledger.measures] == ["mine", "a-one", "b-two"]


def test_kinds_declared_in_an_included_file_serve_the_including_one(here):
    write(here / "g.yaml", "kinds:\n  subsidy:\n    description: State aid\n    weight: 1\nmeasures:\n" + measure("g", kind="subsidy"))
    write(here / "mine.yaml", "include: [g.yaml]\nmeasures:\n" + measure("mine", kind="subsidy") + measure("bad", kind="subsidyy"))
    ledger, problems = read.load_checked("mine.yaml")
    assert [str(p) for p in problems] == [
        "mine.yaml:13:11: error: unknown kind 'subsidyy' (did you mean 'subsidy'?); one of: tariff, export-control, "
        "import-restriction, investigation, sanction, fee, acquisition-block, truce, agreement, talks, subsidy; "
        "or declare it under 'kinds:'"]
    assert [m.escalation for m in ledger.measures] == [1, 1]


def gta_file(here: Path) -> Path:
    (here / "gta").mkdir()
    r = runner.invoke(app, ["import", "gta", str(FIXTURES / "v2"), "-o", "gta/us-cn.yaml"])
    assert r.exit_code == 0, r.output
    return here / "gta" / "us-cn.yaml"


def test_add_into_the_top_file_answering_a_generated_file(here):
    gta = gta_file(here)
    before = gta.read_bytes()
    write(here / "mine.yaml", "include: [gta/us-cn.yaml]\nmeasures: []\n")
    base = ["add", "-f", "mine.yaml", "--date", "2025-11-03", "--actor", "CN", "--target", "US",
            "--kind", "tariff", "--title", "A reply"]
    r = runner.invoke(app, [*base, "--id", "cn-reply", "--responds-to", "gta-90004"])
    assert r.exit_code == 0, r.output
    assert "responds_to: [gta-90004]" in (here / "mine.yaml").read_text()
    assert gta.read_bytes() == before
    # checked against the whole: an id of the generated file, an answer to nothing
    r = runner.invoke(app, [*base, "--id", "gta-90005"])
    assert r.exit_code == 1 and "gta/us-cn.yaml:53:9: error: duplicate id 'gta-90005' (first at mine.yaml:10)" in r.output
    r = runner.invoke(app, [*base, "--id", "cn-other", "--responds-to", "gta-99999"])
    assert r.exit_code == 1 and "'gta-99999', which is not in the ledger" in r.output
    # never into the generated file; --into only among the ledger's files
    r = runner.invoke(app, [*base, "--id", "cn-in-gta", "--into", "gta/us-cn.yaml"])
    assert r.exit_code == 1 and "generated by `ledger import`" in r.output
    write(here / "stray.yaml", "measures: []\n")
    r = runner.invoke(app, [*base, "--id", "cn-stray", "--into", "stray.yaml"])
    assert r.exit_code == 1 and "stray.yaml is not one of the files of mine.yaml" in r.output
    assert gta.read_bytes() == before and (here / "stray.yaml").read_text() == "measures: []\n"
    code, problems = check(Path("mine.yaml"))
    assert code == 0


def test_add_into_an_included_file_of_ones_own(here):
    write(here / "team" / "cn.yaml", "measures:\n" + measure("cn-first", actor="CN", target="US"))
    write(here / "mine.yaml", "include: [team/cn.yaml]\nmeasures:\n" + measure("us-first"))
    r = runner.invoke(app, ["add", "-f", "mine.yaml", "--into", "team/cn.yaml", "--id", "cn-second", "--date", "2025-11-03",
                            "--actor", "CN", "--target", "US", "--kind", "fee", "--title", "A reply",
                            "--responds-to", "us-first"])
    assert r.exit_code == 0, r.output
    assert "cn-second" in (here / "team" / "cn.yaml").read_text() and "cn-second" not in (here / "mine.yaml").read_text()


def test_an_include_key_in_quotes_is_an_include_too(here):
    write(here / "other.yaml", "measures:\n" + measure("there"))
    write(here / "mine.yaml", "\"include\": [other.yaml]\nmeasures:\n" + measure("here", extra="    responds_to: [there]\n"))
    for _ in range(2):  # read, then from the cache
        ledger, problems = read.load_checked("mine.yaml")
        assert problems == [] and [m.id for m in ledger.measures] == ["here", "there"]


def test_a_plain_ledger_served_from_the_cache_is_not_scanned_for_includes(here, monkeypatch):
    write(here / "plain.yaml", "measures:\n" + measure("one"))
    read.load_checked("plain.yaml")
    monkeypatch.setattr(read, "_may_include", lambda data: pytest.fail("scanned"))
    assert read.load_checked("plain.yaml")[1] == []


# --- links: between measures of any files of the set -----------------------------------------


def link(frm, to, basis="inferred", note="ours"):
    return f"  - from: {frm}\n    to: {to}\n    basis: {basis}\n    note: {note}\n"


def two_generated(here: Path) -> None:
    write(here / "gta.yaml", "# Generated by `ledger import gta`: do not edit by hand\nmeasures:\n"
          + measure("g-us", "2025-10-01", "US", "CN") + measure("g-cn", "2025-10-09", "CN", "US")
          + measure("g-cn-later", "2025-10-20", "CN", "US", "fee"))


def test_a_link_in_ones_own_file_between_two_measures_of_an_included_one(here):
    two_generated(here)
    write(here / "mine.yaml", "include: [gta.yaml]\nmeasures: []\nlinks:\n" + link("g-cn", "g-us"))
    ledger, problems = read.load_checked("mine.yaml")
    assert problems == []
    answer = ledger.measure("g-cn")
    assert answer.responds_to == ("g-us",) and answer.basis("g-us") == "inferred" and answer.links[0].note == "ours"
    assert ledger.file_of(answer) == "gta.yaml" and ledger.file_of(answer.links[0]) == "mine.yaml"
    assert ledger.loose_links == ()
    r = runner.invoke(app, ["chains", "-f", "mine.yaml", "--json"])
    chain = json.loads(r.stdout)[0]
    assert (chain["id"], chain["responses"][0]["id"], chain["responses"][0]["basis"]) == ("g-us", "g-cn", "inferred")
    # the generated file alone knows nothing of it
    alone, _ = read.load_checked("gta.yaml")
    assert alone.measure("g-cn").responds_to == ()


def test_a_link_from_a_measure_of_a_sibling_file(here):
    two_generated(here)
    write(here / "links.yaml", "measures: []\nlinks:\n" + link("g-cn", "g-us"))  # no include of its own
    write(here / "mine.yaml", "include: [gta.yaml, links.yaml]\nmeasures: []\n")
    ledger, problems = read.load_checked("mine.yaml")
    assert problems == [] and ledger.measure("g-cn").responds_to == ("g-us",)


def test_problems_with_a_cross_file_link_are_said_where_it_is_written(here):
    two_generated(here)
    write(here / "mine.yaml", "include: [gta.yaml]\nmeasures:\n" + measure("mine", "2025-10-02", "CN", "US")
          + "links:\n"
          + link("nothing-like-it", "g-us")  # line 10: an unknown from
          + link("g-cn", "quite-unknown")   # line 14: an unknown to
          + link("g-cn", "g-cn")            # line 18: to itself
          + link("g-us", "g-cn-later")      # line 22: answers a later measure
          + link("g-cn", "mine", note=""))  # line 26: inferred without a note
    code, problems = check(Path("mine.yaml"))
    assert code == 1
    said = sorted((p["file"], p["line"], p["col"], p["severity"], p["message"]) for p in problems)
    assert said == [
        ("mine.yaml", 10, 5, "error", "a link is from 'nothing-like-it', which is not a measure of the ledger"),
        ("mine.yaml", 14, 5, "error", "'g-cn' responds to 'quite-unknown', which is not in the ledger"),
        ("mine.yaml", 18, 5, "error", "'g-cn' responds to itself"),
        ("mine.yaml", 22, 5, "error", "'g-us' (2025-10-01) is dated before 'g-cn-later' (2025-10-20), which it responds to"),
        ("mine.yaml", 26, 5, "warning", "the link from 'g-cn' to 'mine' is inferred but no note says why"),
    ]


def test_a_cross_file_link_that_closes_a_circle_is_said_where_it_is_written(here):
    write(here / "gta.yaml", "measures:\n" + measure("g-a", "2025-10") + measure("g-b", "2025-10-09", "CN", "US",
                                                                          extra="    responds_to: [g-a]\n"))
    write(here / "mine.yaml", "include: [gta.yaml]\nmeasures: []\nlinks:\n" + link("g-a", "g-b"))
    code, problems = check(Path("mine.yaml"))
    assert code == 1
    circles = [p for p in problems if "circle" in p["message"]]
    assert [(p["file"], p["line"]) for p in circles if "g-a -> g-b -> g-a" in p["message"]] == [("mine.yaml", 4)]


def test_a_link_from_an_unknown_measure_in_a_single_file_is_still_an_error(here):
    write(here / "one.yaml", "measures:\n" + measure("a") + "links:\n" + link("b", "a"))
    code, problems = check(Path("one.yaml"))
    assert code == 1
    assert [(p["line"], p["message"]) for p in problems] == [
        (9, "a link is from 'b', which is not a measure of the ledger")]


def test_only_ones_own_file_is_read_again_and_its_loose_links_come_from_the_cache(here, monkeypatch):
    two_generated(here)
    write(here / "mine.yaml", "include: [gta.yaml]\nmeasures: []\nlinks:\n" + link("g-cn", "g-us"))
    assert read.load_checked("mine.yaml")[1] == []
    read_files = []
    real = load._load_bytes
    monkeypatch.setattr(load, "_load_bytes", lambda name, data: read_files.append(name) or real(name, data))
    ledger, problems = read.load_checked("mine.yaml")
    assert read_files == [] and problems == []  # both from the cache, the loose link with its file
    assert ledger.measure("g-cn").responds_to == ("g-us",)
    write(here / "mine.yaml", "include: [gta.yaml]\nmeasures: []\nlinks:\n" + link("g-cn", "g-us")
          + link("g-cn-later", "g-us", note="also"))
    ledger, problems = read.load_checked("mine.yaml")
    assert read_files == ["mine.yaml"] and problems == []
    assert [(m.id, m.responds_to) for m in ledger.measures if m.responds_to] == [
        ("g-cn", ("g-us",)), ("g-cn-later", ("g-us",))]
    write(here / "mine.yaml", "include: [gta.yaml]\nmeasures: []\n")  # the links taken out again
    ledger, problems = read.load_checked("mine.yaml")
    assert problems == [] and not any(m.responds_to for m in ledger.measures)


def test_a_link_written_twice_is_an_error_where_the_second_one_is(here):
    two_generated(here)
    write(here / "links.yaml", "measures: []\nlinks:\n" + link("g-cn", "g-us"))
    write(here / "mine.yaml", "include: [gta.yaml, links.yaml]\nmeasures: []\nlinks:\n" + link("g-cn", "g-us", note="again"))
    code, problems = check(Path("mine.yaml"))
    assert code == 1
    assert [(p["file"], p["line"], p["message"]) for p in problems] == [
        ("links.yaml", 3, "the link from 'g-cn' to 'g-us' is written twice (first at mine.yaml:4)")]


@pytest.mark.parametrize("reader", ["exact", "fast"])
@pytest.mark.parametrize("basis", ["inferred", "stated"])
def test_a_link_its_measure_states_is_never_made_inferred_by_a_links_item(here, basis, reader, monkeypatch):
    # `responds_to: [g-us]` in the generated file states the link; a link in one's own file
    # saying it is inferred (which is meant?) is an error where it is written, not silently
    # taken as the link's basis; one saying it is stated gives it its sources. The same
    # words whichever reader read the generated file (the fast path does not know the
    # line of its responds_to).
    if reader == "fast":
        from ledger import fastload

        monkeypatch.setattr(read, "_FAST_MIN_BYTES", 0)
        real = fastload.load_fast
        vouched = []

        def spied(*a, **k):
            made = real(*a, **k)
            vouched.append((a[0], made is not None))
            return made

        monkeypatch.setattr(fastload, "load_fast", spied)
    write(here / "gta.yaml", "measures:\n" + measure("g-us", "2025-10-01") + measure(
        "g-cn", "2025-10-09", "CN", "US", extra="    responds_to: [g-us]\n"))
    write(here / "mine.yaml", "include: [gta.yaml]\nmeasures: []\nlinks:\n" + link("g-cn", "g-us", basis))
    code, problems = check(Path("mine.yaml"))
    if basis == "inferred":
        assert code == 1
        assert [(p["file"], p["line"], p["message"]) for p in problems] == [
            ("mine.yaml", 4, "the link from 'g-cn' to 'g-us' is inferred here but stated in its responds_to (in gta.yaml); "
                             "write it once, with the basis meant")]
    else:
        assert code == 0
        assert read.load_checked("mine.yaml")[0].measure("g-cn").basis("g-us") == "stated"
    if reader == "fast":
        assert ("gta.yaml", True) in vouched  # the fast path read it


# --- A set's checks, kept -------------------------------------------------------------------


@pytest.fixture
def checks_run(monkeypatch):
    """Counts the times a set's checks run."""
    runs = []
    real = read._checks

    def counted():
        runs.append(1)
        return real()

    monkeypatch.setattr(read, "_checks", counted)
    return runs


def test_a_sets_checks_are_kept_and_any_change_to_any_file_runs_them_again(here, checks_run):
    write(here / "a.yaml", "measures:\n" + measure("a-one", extra="    effective: 2025-09-01\n"))  # a warning
    write(here / "mine.yaml", "include: [a.yaml]\nmeasures:\n" + measure("mine", extra="    responds_to: [a-one]\n"))
    first = read.load_checked("mine.yaml")
    assert len(checks_run) == 1 and [p.severity for p in first[1]] == ["warning"]
    again = read.load_checked("mine.yaml")
    assert len(checks_run) == 1 and again[1] == first[1]  # the kept problems, located as before
    assert [m.id for m in again[0].measures] == ["mine", "a-one"]
    write(here / "a.yaml", "measures:\n" + measure("a-one", extra="    effective: 2025-09-02\n"))
    changed = read.load_checked("mine.yaml")
    assert len(checks_run) == 2 and "2025-09-02" in changed[1][0].message
    write(here / "mine.yaml", "include: [a.yaml]\nmeasures:\n" + measure("mine", extra="    responds_to: [nothing]\n"))
    code, problems = check(Path("mine.yaml"))
    assert code == 1 and len(checks_run) == 3 and any("'nothing'" in p["message"] for p in problems)
    assert check(Path("mine.yaml")) == (code, problems)  # kept with its error too
    assert len(checks_run) == 3


def test_a_sets_warnings_kept_unlocated_by_a_report_are_located_by_check(here, checks_run, monkeypatch):
    big = "measures:\n" + "".join(measure(f"m-{i}", extra="    notes: " + "x" * 200 + "\n") for i in range(1200))
    write(here / "big.yaml", big + measure("early", extra="    effective: 2025-09-01\n"))
    write(here / "mine.yaml", "include: [big.yaml]\nmeasures:\n" + measure("mine"))
    r = runner.invoke(app, ["timeline", "-f", "mine.yaml", "--json"])
    assert r.exit_code == 0 and len(checks_run) == 1  # a report leaves the warning unlocated
    ran = []
    import ledger.check

    def counted(check):
        return lambda ledger: ran.append(check.__name__) or check(ledger)

    monkeypatch.setattr(ledger.check, "CHECKS", tuple(map(counted, ledger.check.CHECKS)))
    code, problems = check(Path("mine.yaml"))
    assert code == 0 and [(p["file"], p["line"] > 0) for p in problems] == [("big.yaml", True)]
    assert len(checks_run) == 2  # run, the entries located; then kept located
    # run whole, then only the check that spoke of an unlocated entry, once it is located
    assert ran.count("check_order_in_time") == 2 and ran.count("check_references") == 1
    assert check(Path("mine.yaml")) == (code, problems) and len(checks_run) == 2
    with monkeypatch.context() as m:
        m.setenv("ESCALATION_LEDGER_NO_CACHE", "1")
        assert check(Path("mine.yaml")) == (code, problems)


def test_check_writes_a_big_part_once_with_its_entries_located(here, monkeypatch):
    # A big part is written behind: its measures at once, the rest once the set's checks
    # have said which entries to locate. `check` then writes it once, located (not the
    # unlocated part, then the located one), and the next run finds it so. Locating them
    # reads the file no second time, nor searches again for the entries found reading it.
    from ledger import cache

    monkeypatch.setattr(read, "_WRITE_BEHIND_MIN_BYTES", 0)
    monkeypatch.setattr(read, "_FAST_MIN_BYTES", 0)
    monkeypatch.setattr(ledger_fast, "_a_core_is_free", lambda: True)
    monkeypatch.setattr(ledger_fast, "PARTS_MIN_CHARS", 0)  # read part by part: its entries found on the way
    real_source, sources_read = read.read_source, []
    monkeypatch.setattr(read, "read_source", lambda path: sources_read.append(path) or real_source(path))
    started, put = [], []
    real_start, real_put = cache.start_behind, cache.put
    monkeypatch.setattr(cache, "start_behind", lambda key, *a: started.append(key) or real_start(key, *a))
    monkeypatch.setattr(cache, "put", lambda key, value, *chunks: put.append(key) or real_put(key, value, *chunks))
    big = "measures:\n" + "".join(measure(f"m-{i}") for i in range(50)) + measure("early", extra="    effective: 2025-09-01\n")
    write(here / "big.yaml", big)
    write(here / "mine.yaml", "include: [big.yaml]\nmeasures:\n" + measure("mine"))
    with monkeypatch.context() as m:
        m.setattr(ledger_fast, "_entry_starts", lambda *a: pytest.fail("entries searched again"))
        code, problems = check(Path("mine.yaml"))
    cache.wait_for_writers()
    assert code == 0 and [(p["file"], p["line"], p["ref"]) for p in problems] == [("big.yaml", 308, "early")]  # its effective:
    assert sources_read.count("big.yaml") == 1
    part = read._part_key("big.yaml", big.encode())
    assert started.count(part) == 1 and part not in put  # written once, by the writer started while reading
    kept, kept_problems, _ = cache.get(part)
    assert kept_problems == [] and kept.measure("early").loc.line == 302  # kept located: 1 + 50 * 6 lines above it
    assert kept == load.load_text("big.yaml", big)[0]
    assert check(Path("mine.yaml")) == (code, problems)


def test_chains_of_a_set_are_kept_beside_the_sets_entry(here, monkeypatch):
    import ledger.chains
    import ledger.cli.reports

    monkeypatch.setattr(ledger.cli.reports, "CHAINS_KEPT_MIN", 1)
    walks = []
    real = ledger.chains.chain_rows
    monkeypatch.setattr(ledger.chains, "chain_rows", lambda *a, **k: walks.append(1) or real(*a, **k))
    write(here / "a.yaml", "measures:\n" + measure("a-one"))
    write(here / "mine.yaml", "include: [a.yaml]\nmeasures:\n" + measure("mine", "2025-10-05", "CN", "US",
                                                                       extra="    responds_to: [a-one]\n"))
    outputs = [runner.invoke(app, ["chains", "-f", "mine.yaml"]).stdout for _ in range(2)]
    assert len(walks) == 1 and outputs[0] == outputs[1] and "a-one" in outputs[0]
    write(here / "a.yaml", "measures:\n" + measure("a-one") + measure("a-two"))  # another file changed: walked again
    after = runner.invoke(app, ["chains", "-f", "mine.yaml", "--all"]).stdout
    assert len(walks) == 2 and "a-two" in after


def test_a_located_big_part_written_behind_is_read_back_located(here, monkeypatch):
    from ledger import cache

    monkeypatch.setattr(read, "_WRITE_BEHIND_MIN_BYTES", 0)  # every part counts as big: written by a forked writer
    monkeypatch.setattr(ledger_fast, "_a_core_is_free", lambda: True)
    big = "measures:\n" + "".join(measure(f"m-{i}", extra="    notes: " + "x" * 200 + "\n") for i in range(1200))
    write(here / "big.yaml", big + measure("early", extra="    effective: 2025-09-01\n"))
    write(here / "mine.yaml", "include: [big.yaml]\nmeasures:\n" + measure("mine"))
    code, problems = check(Path("mine.yaml"))
    assert code == 0 and [(p["file"], p["line"] > 0) for p in problems] == [("big.yaml", True)]
    cache.wait_for_writers()
    with monkeypatch.context() as m:
        m.setattr(ledger_fast, "load_fast", lambda *a, **k: pytest.fail("big.yaml read again"))
        m.setattr(read, "locate", lambda *a, **k: pytest.fail("big.yaml located again"))
        # one's own file changed (the set's kept checks miss): the big part comes from the cache, located
        write(here / "mine.yaml", "include: [big.yaml]\nmeasures:\n" + measure("mine", "2025-10-02"))
        assert check(Path("mine.yaml")) == (code, problems)
