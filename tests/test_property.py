"""Property tests: whatever the text, loading and checking return problems, never raise,
and the command line never shows a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ledger.check import check_ledger
from ledger.cli import app
from ledger.load import bundled_ledger_path, decode, load_text

BUNDLED = Path(bundled_ledger_path()).read_text(encoding="utf-8")
SMALL = """measures:
  - id: a
    date: 2025-01-02
    actor: US
    target: [CN, EU]
    kind: tariff
    title: A tariff
    effective: 2025-02-01T00:01:00-05:00
    responds_to: [b]
  - id: b
    date: 2025-01
    actor: CN
    target: US
    kind: truce
    title: "Quoted: title"
    reports:
      - source: s
        date: 2025-01-03
sources:
  s: {title: T, publisher: P}
events:
  - {id: e, date: 2025-03-01, title: Talks, kind: talks}
"""
runner = CliRunner()
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YAMLISH = st.sampled_from(list(":-[]{},#&*!|>'\"%@`?<= \t\n\r\x00\x85\u2028\ufeff~.0123456789abcNOYesnull") + [
    "---", "...", "<<", "!!python/object/apply:os.system", "&a", "*a", "2025-09-31", "20250105",
    "measures:", "  - ", "id: ", "date: ", "responds_to: [", "\n  ", "\n    ", "'", "é", "😀"])


def load_and_check(text: str):
    ledger, problems = load_text("t.yaml", text)
    if ledger is not None:
        problems = problems + check_ledger(ledger)
    for p in problems:
        assert p.line >= 0 and p.col >= 0 and p.message
    return ledger, problems


@st.composite
def mutated(draw, base=SMALL):
    lines = base.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["del-char", "dup-char", "ins-char", "del-line", "dup-line", "swap-lines", "swap-values"]))
        text = "".join(lines)
        if op.endswith("char") and text:
            i = draw(st.integers(0, len(text) - 1))
            if op == "del-char":
                text = text[:i] + text[i + 1:]
            elif op == "dup-char":
                text = text[:i] + text[i] + text[i:]
            else:
                text = text[:i] + draw(YAMLISH) + text[i:]
            lines = text.splitlines(keepends=True)
        elif lines:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "del-line":
                del lines[i]
            elif op == "dup-line":
                lines.insert(i, lines[i])
            elif op == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            elif ": " in lines[i] and ": " in lines[j]:
                ki, vi = lines[i].split(": ", 1)
                kj, vj = lines[j].split(": ", 1)
                lines[i], lines[j] = f"{ki}: {vj}", f"{kj}: {vi}"
    return "".join(lines)


@SETTINGS
@given(mutated())
def test_mutated_small_ledgers_never_raise(text):
    load_and_check(text)


@SETTINGS
@given(mutated(BUNDLED))
def test_mutated_bundled_ledger_never_raises(text):
    load_and_check(text)


@SETTINGS
@given(st.lists(YAMLISH, max_size=60).map("".join))
def test_random_yamlish_text_never_raises(text):
    load_and_check(text)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    text, problems = decode("t.yaml", data)
    if text is not None:
        load_and_check(text)
    else:
        assert problems


@settings(max_examples=60, deadline=None)
@given(mutated())
def test_the_cli_never_shows_a_traceback(tmp_path_factory, text):
    d = tmp_path_factory.mktemp("p")
    (d / "l.yaml").write_text(text, encoding="utf-8", newline="")
    result = runner.invoke(app, ["check", "-f", str(d / "l.yaml")])
    assert result.exit_code in (0, 1)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=80), tag=st.lists(st.text(max_size=10), max_size=3))
@example(text="\x08", tag=[])  # a control character: refused (a usage error), the file untouched
def test_add_writes_any_title_so_that_it_reads_back(tmp_path_factory, text, tag):
    d = tmp_path_factory.mktemp("a")
    p = d / "l.yaml"
    p.write_text(SMALL)
    result = runner.invoke(app, ["add", "-f", str(p), "--id", "new", "--date", "2025-02-01", "--actor", "US",
                                 "--target", "CN", "--kind", "fee", "--title", text or "x", "--notes", text or "x",
                                 *[a for t in tag for a in ("--tag", t)]])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        ledger, problems = load_and_check(p.read_text())
        m = ledger.measure("new")
        assert m.notes == (text or "x") and m.tags == tuple(tag)
    else:
        assert result.exit_code in (1, 2) and p.read_text() == SMALL


# --- Checks that first ask a cheap question: the answer must be the full walk's -----------

_IDS = ["a", "b", "c", "d", "e"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_IDS), st.lists(st.sampled_from(_IDS + ["nowhere"]), max_size=3)),
                min_size=1, max_size=8))
def test_cycles_found_with_the_shortcut_are_the_walks(spec):
    """check_cycles skips its walk when every measure answers only measures above it
    (`_answers_earlier_only`); on any ledger (repeated ids, links down the file, to
    nothing or to itself) it must say what the walk alone says."""
    from unittest import mock

    from ledger import check

    lines = ["measures:"]
    for i, (mid, answers) in enumerate(spec):
        lines += [f"  - id: {mid}", "    date: 2025-10-01", "    actor: US", "    target: CN", "    kind: tariff",
                  f"    title: T{i}"] + ([f"    responds_to: [{', '.join(answers)}]"] if answers else [])
    ledger, problems = load_text("t.yaml", "\n".join(lines) + "\n")
    assert ledger is not None, problems
    with mock.patch.object(check, "_answers_earlier_only", return_value=False):
        walked = check.check_cycles(ledger)
    assert check.check_cycles(ledger) == walked


def test_a_circle_through_a_repeated_id_is_found_although_every_link_points_up():
    # b's first entry is above a, its second below: each link names an id written above
    # it, yet b (as the walk keeps it: its last entry) and a answer each other.
    from ledger import check

    text = """measures:
  - {id: b, date: 2025-10-01, actor: US, target: CN, kind: tariff, title: B1}
  - {id: a, date: 2025-10-01, actor: US, target: CN, kind: tariff, title: A, responds_to: [b]}
  - {id: b, date: 2025-10-01, actor: US, target: CN, kind: tariff, title: B2, responds_to: [a]}
"""
    ledger, _ = load_text("t.yaml", text)
    assert [p.message for p in check.check_cycles(ledger)] == ["responds_to goes round in a circle: b -> a -> b"]
