"""`ledger add`: one measure appended as text, checked first, written atomically, never lost."""

from __future__ import annotations

import difflib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.check import check_ledger
from ledger.cli import app
from ledger.load import bundled_ledger_path, load_ledger
from ledger.files import ENV_PAUSE

runner = CliRunner()
BUNDLED = Path(bundled_ledger_path()).read_bytes()
BASIC = ["--date", "2025-11-02", "--actor", "US", "--target", "CN", "--kind", "tariff", "--title", "A new tariff"]


def add(path, *args, env=None):
    return runner.invoke(app, ["add", "-f", str(path), *args], env=env)


def cli(*args, cwd=None, env=None, **kw):
    """The real console entry point in its own process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "ledger", *args], cwd=cwd, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def loaded(path):
    ledger, problems = load_ledger(str(path))
    assert ledger is not None, problems
    problems = problems + check_ledger(ledger)
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


@pytest.fixture
def copy(tmp_path):
    p = tmp_path / "measures.yaml"
    p.write_bytes(BUNDLED)
    return p


def only_insertion(old: bytes, new: bytes) -> str:
    """The text added, asserting nothing else changed."""
    ops = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert len(ops) == 1 and ops[0][0] == "insert", ops
    return new[ops[0][3]:ops[0][4]].decode()


def test_add_appends_to_measures_and_keeps_every_other_byte(copy):
    result = add(copy, "--id", "us-new-tariff", *BASIC, "--responds-to", "cn-counter-tariffs",
                 "--source", "asiae-2025-09-11", "--effective", "2025-11-10T00:01:00-05:00")
    assert result.exit_code == 0, result.stderr
    assert f"added measure 'us-new-tariff' to {copy}" in result.stderr
    inserted = only_insertion(BUNDLED, copy.read_bytes())
    assert inserted.strip().startswith("- id: us-new-tariff\n") and inserted.count("- id: ") == 1
    ledger = loaded(copy)
    m = ledger.measures[-1]  # the last measure, before `events:` which still follows
    assert (m.id, str(m.date), m.actor, m.target, m.responds_to) == \
        ("us-new-tariff", "2025-11-02", ("US",), ("CN",), ("cn-counter-tariffs",))
    assert m.effective.isoformat() == "2025-11-10T00:01:00-05:00"
    assert len(ledger.events) == 11


def test_any_text_is_quoted_safely_and_reads_back(copy):
    title = 'He said: "NO" # not a comment [x] {y} & *z !tag %p @q `r` \\ é 漢字 😀'
    notes = "line one\nline two\twith tab and\u00a0no-break space"  # a NEL (C1) is refused: test_hostile_text
    result = add(copy, "--id", "quoted", *BASIC[:-2], "--title", title, "--notes", notes,
                 "--actor", "NO", "--quote", "yes", "--tag", "null", "--tag", "~")
    assert result.exit_code == 0, result.stderr
    m = loaded(copy).measure("quoted")
    assert m.title == title and m.notes == notes and m.quote == "yes"
    assert m.actor == ("US", "NO") and m.tags == ("null", "~")


def test_json_prints_the_added_measure(copy):
    result = add(copy, "--id", "j", *BASIC, "--weight", "4", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "j" and data["weight"] == 4 and data["date"] == "2025-11-02" and data["actor"] == ["US"]


@pytest.mark.parametrize("args, option, fragment", [
    (["--id", "us-high-tariffs"], "--id", "duplicate id 'us-high-tariffs' (first at line 36)"),
    (["--id", "x", "--responds-to", "no-such-measure"], "--responds-to", "which is not in the ledger"),
    (["--id", "x", "--source", "nowhere"], "--source", "cites source 'nowhere'"),
    (["--id", "Bad Id"], "--id", "must be lowercase letters"),
    (["--id", "x", "--kind", "tarif"], "--kind", "did you mean 'tariff'"),
    (["--id", "x", "--weight", "9"], "--weight", "out of range"),
    (["--id", "x", "--effective", "2025-11-01T10:00"], "--effective", "no UTC offset"),
    (["--id", "x", "--target", "ZZ"], "--target", "unknown country code 'ZZ'"),
    (["--id", "x", "--responds-to", "tariff-truce"], "--responds-to", "dated before 'x'"),
    (["--id", "x", "--inferred-link", "no-such-measure", "--notes", "n"], "--inferred-link", "which is not in the ledger"),
    (["--id", "x", "--responds-to", "cn-rare-earth-alloy-export-controls", "--inferred-link", "no-such-measure", "--notes", "n"],
     "--inferred-link", "which is not in the ledger"),
    (["--id", "x", "--inferred", "dtae", "--notes", "n"], "--inferred", "did you mean 'date'"),
])
def test_a_bad_measure_writes_nothing(copy, args, option, fragment):
    full = {"--date": "2025-11-02", "--actor": "US", "--kind": "tariff", "--title": "T", "--target": "CN"}
    argv = list(args)
    for k, v in full.items():
        if k not in argv:
            argv += [k, v]
    if "tariff-truce" in args:
        argv[argv.index("--date") + 1] = "2025-01-01"
        fragment = "is dated before 'tariff-truce'"
    before = sorted(os.listdir(copy.parent))
    result = add(copy, *argv)
    assert result.exit_code == 1, result.stderr
    assert any(line.startswith(f"ledger: {option}: ") and fragment in line for line in result.stderr.splitlines()), result.stderr
    assert f"{copy}: not added" in result.stderr
    assert "Traceback" not in result.stderr
    assert copy.read_bytes() == BUNDLED
    assert sorted(p for p in os.listdir(copy.parent) if not p.endswith(".lock")) == before


PROVENANCE = ["--source", "joongang-2025-10-14", "--inferred-link", "us-100pct-tariff-surcharge",
              "--responds-to", "cn-rare-earth-alloy-export-controls", "--inferred", "date", "--inferred", "not_before",
              "--not-before", "2025-12-01"]


def test_add_writes_provenance_and_warns_only_without_a_note(copy):
    result = add(copy, "--id", "quiet", *BASIC, *PROVENANCE, "--notes", "No month given; the link is our reading.", "--json")
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr  # a note says why: nothing to warn about
    data = json.loads(result.stdout)
    assert data["inferred"] == ["date", "not_before"]
    assert data["links"] == [{"basis": "stated", "to": "cn-rare-earth-alloy-export-controls"},
                             {"basis": "inferred", "to": "us-100pct-tariff-surcharge"}]
    text = only_insertion(BUNDLED, copy.read_bytes())
    assert ("    responds_to:\n      - cn-rare-earth-alloy-export-controls\n      - id: us-100pct-tariff-surcharge\n"
            "        basis: inferred\n") in text and "    inferred: [date, not_before]\n" in text
    m = loaded(copy).measure("quiet")
    assert m.basis("us-100pct-tariff-surcharge") == "inferred" and m.basis("cn-rare-earth-alloy-export-controls") == "stated"
    assert m.inferred == ("date", "not_before")
    check = runner.invoke(app, ["check", "-f", str(copy)])
    assert "'quiet'" not in check.stderr, check.stderr
    deadlines = runner.invoke(app, ["deadlines", "-f", str(copy), "--as-of", "2025-11-02", "--json"])
    assert [d["inferred"] for d in json.loads(deadlines.stdout) if d["ref"] == "quiet"] == [True]  # its not_before

    result = add(copy, "--id", "loud", *BASIC, *PROVENANCE)  # no --notes: the warnings check gives for a file
    assert result.exit_code == 0, result.stderr
    assert "ledger: warning: 'loud' marks date, not_before as inferred but has no notes saying why" in result.stderr
    assert "ledger: warning: the link from 'loud' to 'us-100pct-tariff-surcharge' is inferred but no note says why" in result.stderr
    check = runner.invoke(app, ["check", "-f", str(copy)])
    assert check.stderr.count("'loud'") == 2 and "'quiet'" not in check.stderr


def test_a_link_both_stated_and_inferred_is_a_usage_error(copy):
    result = add(copy, "--id", "x", *BASIC, "--responds-to", "tariff-truce", "--inferred-link", "tariff-truce")
    assert result.exit_code == 2 and "both name tariff-truce" in result.stderr
    assert copy.read_bytes() == BUNDLED


def test_an_inferred_link_is_added_to_a_big_file_and_reads_back_on_the_fast_path(tmp_path):
    from ledger.fastload import load_fast

    big = tmp_path / "big.yaml"
    subprocess.run([sys.executable, str(Path(__file__).resolve().parent.parent / "bench" / "gen.py"), "2000", "-o", str(big)],
                   check=True)
    assert big.stat().st_size >= 256 * 1024
    first = loaded(big).measures[0]
    result = add(big, "--id", "late", "--date", "2099-01-01", "--actor", "US", "--target", "CN", "--kind", "fee",
                 "--title", "Late", "--inferred-link", first.id, "--inferred", "target", "--notes", "ours")
    assert result.exit_code == 0, result.stderr
    fast = load_fast(str(big), big.read_text(encoding="utf-8"))
    assert fast is not None  # still inside the fast reader's grammar
    m = fast.measure("late")
    assert m.responds_to == (first.id,) and m.basis(first.id) == "inferred" and m.inferred == ("target",)


def test_an_impossible_date_writes_nothing(copy):
    result = add(copy, "--id", "x", *BASIC[2:], "--date", "2025-02-30")
    assert result.exit_code == 1
    assert "ledger: --date: 'date': '2025-02-30' is not a date: February 2025 has 28 days" in result.stderr
    assert copy.read_bytes() == BUNDLED


def test_a_ledger_with_errors_is_not_added_to(tmp_path):
    p = tmp_path / "l.yaml"
    p.write_text("measures:\n  - id: a\n    date: 2025-02-30\n")
    result = add(p, "--id", "b", *BASIC)
    assert result.exit_code == 1
    assert f"{p}:3:11: error: 'date': '2025-02-30' is not a date" in result.stderr
    assert "fix them first" in result.stderr
    assert p.read_text() == "measures:\n  - id: a\n    date: 2025-02-30\n"


def test_missing_options_are_a_usage_error_without_a_terminal(copy):
    result = add(copy, "--id", "x", "--date", "2025-01-01")
    assert result.exit_code == 2
    assert "missing --actor, --target, --kind, --title" in result.stderr
    assert copy.read_bytes() == BUNDLED


def test_no_file_is_a_usage_error_and_the_bundled_ledger_is_refused(monkeypatch):
    monkeypatch.delenv("ESCALATION_LEDGER_FILE", raising=False)
    result = runner.invoke(app, ["add", "--id", "x", *BASIC])
    assert result.exit_code == 2 and "ledger init PATH" in result.stderr
    result = add(bundled_ledger_path(), "--id", "x", *BASIC)
    assert result.exit_code == 1 and "bundled ledger" in result.stderr and "ledger init" in result.stderr
    assert Path(bundled_ledger_path()).read_bytes() == BUNDLED


def test_env_var_names_the_ledger(copy):
    result = runner.invoke(app, ["add", "--id", "from-env", *BASIC], env={"ESCALATION_LEDGER_FILE": str(copy)})
    assert result.exit_code == 0, result.stderr
    assert loaded(copy).measure("from-env") is not None


@pytest.mark.parametrize("before, after", [
    ("measures: []  # nothing yet\n", "measures: # nothing yet\n  - id: n\n"),
    ("title: t\nmeasures:\nevents: []\n", "title: t\nmeasures:\n  - id: n\n"),
    ("measures: ~\n", "measures:\n  - id: n\n"),
])
def test_empty_measures_forms(tmp_path, before, after):
    p = tmp_path / "l.yaml"
    p.write_text(before)
    result = add(p, "--id", "n", *BASIC)
    assert result.exit_code == 0, result.stderr
    assert p.read_text().startswith(after)
    assert loaded(p).measure("n") is not None


def test_crlf_stays_crlf_and_a_missing_final_newline_is_added(tmp_path):
    p = tmp_path / "l.yaml"
    body = "# mine\r\nmeasures:\r\n- id: a\r\n  date: 2025-01-01\r\n  actor: US\r\n  target: CN\r\n  kind: fee\r\n  title: t"
    p.write_bytes(body.encode())
    assert add(p, "--id", "b", *BASIC).exit_code == 0
    data = p.read_bytes()
    assert data.startswith(body.encode() + b"\r\n- id: b\r\n  date: 2025-11-02\r\n  actor: \"US\"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert [m.id for m in loaded(p).measures] == ["a", "b"]


def test_flow_style_measures_are_refused_not_rewritten(tmp_path):
    p = tmp_path / "l.yaml"
    text = "measures: [{id: a, date: 2025-01-01, actor: US, target: CN, kind: fee, title: t}]\n"
    p.write_text(text)
    result = add(p, "--id", "b", *BASIC)
    assert result.exit_code == 1 and "flow" in result.stderr
    assert p.read_text() == text


def test_mode_is_kept_and_a_symlink_is_followed(copy, tmp_path):
    copy.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(copy.name)
    assert add(link, "--id", "via-link", *BASIC).exit_code == 0
    assert link.is_symlink()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o640
    assert loaded(copy).measure("via-link") is not None
    assert (tmp_path / ".measures.yaml.lock").exists()  # the sidecar sits beside the real file


def test_twenty_four_writers_at_once_lose_nothing(copy):
    n = 24
    procs = [cli("add", "-f", str(copy), "--id", f"writer-{i}", *BASIC) for i in range(n)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert all(code == 0 for code, _ in results), results
    ledger = loaded(copy)
    assert {f"writer-{i}" for i in range(n)} <= {m.id for m in ledger.measures}
    assert len(ledger.measures) == 15 + n
    check = subprocess.run([sys.executable, "-m", "ledger", "check", "-f", str(copy)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert not [f for f in os.listdir(copy.parent) if f.endswith(".ledger-tmp")]


def test_a_writer_killed_before_the_rename_leaves_the_old_file(copy):
    p = cli("add", "-f", str(copy), "--id", "killed", *BASIC, env={ENV_PAUSE: "30"})
    tmp = None
    for _ in range(600):  # the temporary file appears once written and fsynced
        tmp = [f for f in os.listdir(copy.parent) if f.endswith(".ledger-tmp")]
        if tmp:
            break
        time.sleep(0.05)
    assert tmp, "the writer never reached the rename"
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    p.stdout.close()
    p.stderr.close()
    assert copy.read_bytes() == BUNDLED  # the old content, whole
    # the stray temporary file breaks nothing: the next writer gets the lock, clears it, adds
    assert add(copy, "--id", "after-the-crash", *BASIC).exit_code == 0
    assert [m.id for m in loaded(copy).measures][-1] == "after-the-crash"
    assert not [f for f in os.listdir(copy.parent) if f.endswith(".ledger-tmp")]


def test_writers_killed_at_random_moments_leave_old_or_new_content(copy):
    import random

    rng = random.Random(4)
    known = {BUNDLED}
    for i in range(8):
        before = copy.read_bytes()
        p = cli("add", "-f", str(copy), "--id", f"maybe-{i}", *BASIC)
        time.sleep(rng.uniform(0.05, 0.6))
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        p.stdout.close()
        p.stderr.close()
        after = copy.read_bytes()
        if after != before:
            assert only_insertion(before, after).count("- id: ") == 1
            known.add(after)
        ledger = loaded(copy)
        assert [m.id for m in ledger.measures][:15] == [m.id for m in load_ledger(bundled_ledger_path())[0].measures]


# --- asked field by field -------------------------------------------------------------------


def test_add_asks_again_with_the_reason_until_each_answer_is_good(copy, monkeypatch):
    monkeypatch.setattr("ledger.cli.write.interactive", lambda: True)
    answers = "\n".join([
        "2025-09-31", "2025-11-03",        # date: no such day, then a good one
        "china", "us",                     # actor: a name, then a code in lower case
        "CHN",                              # target: alpha-3
        "tarif", "tariff",                  # kind: misspelt, then right
        "Steel duties",                     # title
        "cn-rare-earth-alloy-export-controls", "",  # id: taken, then the suggestion
    ]) + "\n"
    result = runner.invoke(app, ["add", "-f", str(copy)], input=answers)
    assert result.exit_code == 0, result.stderr
    err = result.stderr
    assert "ledger: date: '2025-09-31' is not a date: September 2025 has 30 days; try again" in err
    assert "ledger: actor: 'china' is not a known country code (did you mean CN, China?)" in err
    assert "ledger: kind: unknown kind 'tarif' (did you mean 'tariff'?); try again" in err
    assert "ledger: id: 'cn-rare-earth-alloy-export-controls' is in the ledger already; try again" in err
    assert "kind (tariff, export-control," in result.stdout  # the choices are shown
    m = loaded(copy).measure("us-tariff-steel-duties")
    assert m is not None and m.actor == ("US",) and m.target == ("CN",) and str(m.date) == "2025-11-03"


def test_codes_are_taken_in_any_case_and_as_alpha3_as_reports_take_them(copy):
    result = add(copy, "--id", "lower-codes", "--date", "2025-11-02", "--actor", "us", "--target", "CHN",
                 "--kind", "tariff", "--title", "Codes as typed")
    assert result.exit_code == 0, result.stderr
    m = loaded(copy).measure("lower-codes")
    assert m.actor == ("US",) and m.target == ("CN",)
