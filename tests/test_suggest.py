"""`ledger links --suggest`: links a person may confirm, scored with their reasons, and
`--apply` / `--apply-all`, which write the chosen ones as inferred links into one's own
file (issue 15, section 4)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import ledger.cli as cli
from ledger.cli import app
from ledger.links import suggest_links, suggestion_id, title_words
from ledger.load import load_text
from ledger.read import load_checked

runner = CliRunner()


def m(id, date, actor="US", target="CN", kind="tariff", title=None, extra=""):
    actor = actor if isinstance(actor, str) else "[" + ", ".join(actor) + "]"
    target = target if isinstance(target, str) else "[" + ", ".join(target) + "]"
    return (f"  - id: {id}\n    date: {date}\n    actor: {actor}\n    target: {target}\n    kind: {kind}\n"
            f"    title: {json.dumps(title or 'Measure ' + id)}\n{extra}")


def ledger_of(*measures: str, links: str = ""):
    ledger, problems = load_text("t.yaml", "measures:\n" + "".join(measures) + links)
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


def found(ledger, **options) -> dict:
    return {(s.measure, s.responds_to): s for s in suggest_links(ledger, **options)}


# --- scoring ---------------------------------------------------------------------------------


def test_a_close_same_kind_answer_on_the_same_goods_ranks_first_with_its_reasons():
    ledger = ledger_of(
        m("us-steel", "2025-03-01", title="Additional 25% tariff on steel and rare earth magnets",
          extra="    tags: [steel]\n"),
        m("cn-steel", "2025-03-18", "CN", "US", title="Retaliatory tariff on US steel and rare earths",
          extra="    tags: [steel, retaliation]\n"),
        m("cn-talks", "2025-03-20", "CN", "US", "talks", title="Talks on wheat opened"),
        m("cn-probe", "2025-04-20", "CN", "US", "investigation", title="Anti-dumping probe of chemicals"),
    )
    out = suggest_links(ledger)
    assert [(s.measure, s.responds_to) for s in out] == [("cn-steel", "us-steel"), ("cn-probe", "us-steel"),
                                                        ("cn-talks", "us-steel")]
    best = out[0]
    assert best.reasons == ("US targets CN, CN targets US", "17 days after", "same kind: tariff", "both escalate",
                            "shared tag: steel", "shared words in titles: steel rare earth")
    assert best.lag_days == 17 and best.score > 0.85
    assert best.note == "suggested, not stated: " + "; ".join(best.reasons)
    assert best.id == suggestion_id("cn-steel", "us-steel") and re.fullmatch(r"[0-9a-f]{10}", best.id)
    # a probe is a related answer to a tariff; talks are neither related nor escalating
    assert "related kinds: tariff, then investigation" in out[1].reasons and "both escalate" in out[1].reasons
    assert out[2].reasons == ("US targets CN, CN targets US", "19 days after")
    assert 0 <= out[2].score < out[1].score < best.score <= 1


def test_closer_in_time_and_bilateral_rank_first():
    ledger = ledger_of(
        m("far", "2025-01-01"), m("near", "2025-02-20"), m("broad", "2025-02-20", target=["CN", "JP", "KR", "VN"]),
        m("answer", "2025-03-01", "CN", "US"))
    scores = {a: s.score for (b, a), s in found(ledger, contender=1).items() if b == "answer"}
    assert scores["near"] > scores["broad"] and scores["near"] > scores["far"]
    assert found(ledger, per_measure=1).keys() == {("answer", "near")}


def test_escalation_answered_by_de_escalation_does_not_count_as_both_ways():
    ledger = ledger_of(m("truce", "2025-05-01", ["US", "CN"], ["US", "CN"], "truce"),
                       m("agreement", "2025-05-10", ["CN", "US"], ["CN", "US"], "agreement"))
    s = found(ledger)["agreement", "truce"]
    assert "both de-escalate" in s.reasons and "related kinds: truce, then agreement" in s.reasons


def test_export_controls_answered_by_a_probe_and_gta_types():
    ledger = ledger_of(
        m("a", "2025-10-01", kind="export-control", extra='    tags: ["gta-type:export-licensing-requirement", "gta-eval:red"]\n'),
        m("b", "2025-10-05", "CN", "US", "investigation", extra='    tags: ["gta-type:export-licensing-requirement", "gta-eval:red"]\n'))
    s = found(ledger)["b", "a"]
    assert "related kinds: export-control, then investigation" in s.reasons
    assert "same GTA type: export-licensing-requirement" in s.reasons
    assert not any("gta-eval" in r for r in s.reasons)


def test_title_words_leave_out_what_every_measure_says():
    assert title_words("USA: Section 301 tariffs on imports of rare earths from China") == ("rare", "earth")
    assert title_words("Additional duties on Soybeans; soybeans again") == ("soybean", "again")


def test_nearness_halves_every_two_months_as_retaliation_takes_one_to_three():
    from ledger.links import HALF_LIFE_DAYS, W_TIME
    ledger = ledger_of(m("a", "2025-01-01", title="Tariff on steel"), m("b", "2025-01-01", "CN", "US", title="x"),
                       m("c", "2025-03-02", "CN", "US", title="y"))
    s = found(ledger, contender=1)
    assert HALF_LIFE_DAYS == 60
    assert s["b", "a"].score - s["c", "a"].score == pytest.approx(W_TIME / 2, abs=0.01)
    # a tariff answered in kind three months later is still well above the default --min-score
    later = found(ledger_of(m("a", "2025-01-01"), m("b", "2025-04-01", "CN", "US")))["b", "a"]
    assert later.score >= 0.55 and "90 days after" in later.reasons


KINDS = ("kinds:\n  wto-dispute: {description: A WTO dispute, weight: 1}\n"
         "  court-ruling: {description: A court ruling, weight: 1}\n")


def test_a_step_at_law_reaches_further_and_contests_a_measure_of_trade_it_names():
    from ledger.links import is_legal
    assert is_legal("wto-dispute") and is_legal("court-ruling") and is_legal("Trade_Complaint")
    assert not any(is_legal(k) for k in ("tariff", "investigation", "diplomatic", "security-pact", "talks"))
    ledger, problems = load_text("t.yaml", KINDS + "measures:\n" + "".join((
        m("duty", "2025-01-10", "CN", "AU", title="Anti-dumping duties on Australian barley"),
        m("talks-off", "2025-05-01", "CN", "AU", "talks", title="Dialogue suspended"),
        m("dispute", "2025-08-01", "AU", "CN", "wto-dispute", title="Australia takes China to the WTO over barley"),
        m("tariff", "2025-08-01", "AU", "CN", title="Tariff on Chinese barley"),
        m("panel", "2026-05-01", "AU", "CN", "wto-dispute", title="WTO panel on barley"),
        m("late", "2026-12-01", "AU", "CN", "wto-dispute", title="WTO appeal on barley"))))
    assert not [p for p in problems if p.severity == "error"], problems
    s = found(ledger, min_score=0, contender=1)
    # 203 days: beyond the 120-day window for a tariff, not for a dispute over the same goods
    assert ("tariff", "duty") not in s and ("dispute", "duty") in s
    assert s["dispute", "duty"].reasons[1:4] == ("203 days after", "step at law, slower: wto-dispute",
                                                 "wto-dispute contests the tariff")
    assert ("panel", "duty") in s  # 476 days: within four windows
    assert ("late", "duty") not in s  # 690 days: beyond them
    # talks share no word with the dispute and are no measure of trade: not contested
    assert ("dispute", "talks-off") not in s
    # on law's clock nearness still counts: the later step scores less, both above the default --min-score
    assert s["dispute", "duty"].score > s["panel", "duty"].score >= 0.3


def test_a_measure_may_answer_a_ruling_months_later():
    ledger, problems = load_text("t.yaml", KINDS + "measures:\n" + "".join((
        m("ruling", "2018-10", "KR", "JP", "court-ruling", title="Court orders compensation for forced labour"),
        m("controls", "2019-07-04", "JP", "KR", "export-control", title="Licences for three chemicals"))))
    s = found(ledger)["controls", "ruling"]
    assert "step at law, slower: court-ruling" in s.reasons and s.score >= 0.3
    assert ("controls", "ruling") not in found(ledger_of(
        m("ruling", "2018-10", "KR", "JP", title="Court orders compensation"),
        m("controls", "2019-07-04", "JP", "KR", "export-control")), min_score=0)


def test_measures_of_the_same_day_are_answered_in_the_order_the_ledger_writes_them():
    # the ids sort the other way round: the file's order decides, as in the timeline
    us_first = ledger_of(m("us-301", "2018-07-06"), m("cn-reply", "2018-07-06", "CN", "US"))
    assert set(found(us_first, min_score=0)) == {("cn-reply", "us-301")}
    cn_first = ledger_of(m("cn-move", "2018-07-06", "CN", "US"), m("a-us-reply", "2018-07-06"))
    assert set(found(cn_first, min_score=0)) == {("a-us-reply", "cn-move")}


def test_after_its_best_a_measure_keeps_only_close_contenders():
    ledger = ledger_of(m("steel", "2025-03-01", title="Tariff on steel"), m("soy", "2025-03-02", title="Tariff on soy"),
                       m("chips", "2025-01-01", "US", "CN", "investigation", title="Probe of chips"),
                       m("answer", "2025-03-10", "CN", "US", title="Tariff on US steel"))
    every = found(ledger, min_score=0, contender=1)
    assert {a for b, a in every if b == "answer"} == {"steel", "soy", "chips"}
    best, close, far = (every["answer", a].score for a in ("steel", "soy", "chips"))
    assert best - 0.1 <= close < best and far < best - 0.1
    assert {a for b, a in found(ledger, min_score=0) if b == "answer"} == {"steel", "soy"}


# --- what is never suggested -------------------------------------------------------------------


def test_no_suggestion_for_a_linked_pair_either_way_and_never_both_ways():
    ledger = ledger_of(m("a", "2025-10-01"), m("b", "2025-10-05", "CN", "US", extra="    responds_to: [a]\n"),
                       m("c", "2025-10-07"), m("d", "2025-10-07", "CN", "US"),
                       m("month", "2025-10", "CN", "US"), m("e", "2025-10-09"))
    pairs = set(found(ledger, min_score=0))
    assert ("b", "a") not in pairs and ("a", "b") not in pairs
    assert not any((y, x) in pairs for x, y in pairs)
    assert ("d", "c") in pairs or ("c", "d") in pairs  # the same day: one way only
    # a month overlaps days inside it: it may answer, or be answered, never both
    assert ("month", "e") not in pairs and ("e", "month") in pairs


def test_a_link_in_the_ledger_takes_one_of_its_measures_places():
    ledger = ledger_of(m("a1", "2025-10-01"), m("a2", "2025-10-02"), m("a3", "2025-10-03"),
                       m("b", "2025-10-04", "CN", "US", extra="    responds_to: [a3]\n"))
    assert set(found(ledger, per_measure=2, min_score=0)) == {("b", "a2")}


def test_outside_the_window_a_year_date_a_same_side_move_or_a_circle_are_not_suggested():
    ledger = ledger_of(m("old", "2024-12-01"), m("same-side", "2025-05-01", "CN", "US"),
                       m("vague", "2025", "US", "CN"), m("b", "2025-05-10", "CN", "US"))
    assert set(found(ledger, window_days=120, min_score=0)) == set()
    assert set(found(ledger, window_days=200, min_score=0)) == {("b", "old"), ("same-side", "old")}
    # b answers a month-dated measure that answers it already: no circle is suggested
    circle = ledger_of(m("month", "2025-10", "CN", "US", extra="    responds_to: [day]\n"), m("day", "2025-10-09"),
                       m("other", "2025-10-12", "CN", "US"))
    assert ("day", "month") not in found(circle, min_score=0)


def test_ids_are_stable_whatever_else_the_ledger_holds():
    one = found(ledger_of(m("a", "2025-10-01"), m("b", "2025-10-05", "CN", "US")))
    two = found(ledger_of(m("x", "2024-01-01", "JP", "KR"), m("a", "2025-10-01"), m("b", "2025-10-05", "CN", "US")))
    assert one["b", "a"].id == two["b", "a"].id == suggestion_id("b", "a") != suggestion_id("a", "b")


# --- the command: table, JSON, YAML ---------------------------------------------------------------

HOSTILE = [
    m("us-hostile", "2025-10-01", title="steel \x1b]0;pwned\x07 [bold red]markup[/] \u202egnp.exe end",
      extra='    tags: ["steel", "t\\e[2J"]\n'),
    m("cn-reply-with-a-rather-long-identifier", "2025-10-08", "CN", "US",
      title="steel reply [link=http://evil]y[/link] \\x9b", extra='    tags: ["steel", "t\\e[2J"]\n'),
]


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "measures:\n" + "".join(HOSTILE).replace("\x1b", "\\e").replace("\x07", "\\a").replace("\u202e", "\\u202e")
    Path("h.yaml").write_text(text, encoding="utf-8")
    return "h.yaml"


def people(args, width):
    cli._console = None
    try:
        r = runner.invoke(app, args, env={"COLUMNS": str(width), "NO_COLOR": "1", "FORCE_COLOR": None,
                                          "ESCALATION_LEDGER_FILE": None})
    finally:
        cli._console = None
    assert r.exit_code == 0, r.stderr
    return r.stdout


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("width", [60, 80, 100, 120, 200])
def test_the_table_shows_hostile_titles_as_text_and_fits_every_width(hostile, width):
    out = people(["links", "-f", hostile, "--suggest", "--as-of", "2025-10-14"], width)
    assert not UNSAFE.search(out), out
    for shown in ("\\x1b]0;pwned\\x07", "[bold", "red]markup[/]", "\\u202egnp.exe", "[link=http://evil]y[/link]",
                  "\\x9b", "t\\x1b[2J"):  # the last, a shared tag among the reasons
        assert shown in out, (shown, out)
    lines = out.splitlines()
    assert all(cell_len(line) <= width for line in lines) and all(line == line.rstrip() for line in lines)
    for word in ("cn-reply-with-a-rather-long-identifier", "us-hostile", suggestion_id(
            "cn-reply-with-a-rather-long-identifier", "us-hostile")):
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", out), (word, out)


@pytest.mark.parametrize("width", [60, 80, 100, 120, 200])
def test_links_show_a_hostile_note_as_text_and_fit_every_width(hostile, width):
    # `ledger links` (not --suggest): a table while the note has room, else each link
    # with its note under it; the note is the ledger's text, never markup or a control.
    note = "our reading \\e]0;pwned\\a [bold red]markup[/] \\u202egnp.exe and a long enough tail of words to wrap"
    with open(hostile, "a", encoding="utf-8") as f:
        f.write(f'links:\n  - from: cn-reply-with-a-rather-long-identifier\n    to: us-hostile\n'
                f'    basis: inferred\n    note: "{note}"\n')
    out = people(["links", "-f", hostile], width)
    assert not UNSAFE.search(out), out
    for shown in ("\\x1b]0;pwned\\x07", "[bold", "red]markup[/]", "\\u202egnp.exe", "inferred"):
        assert shown in out, (shown, out)
    lines = out.splitlines()
    assert all(cell_len(line) <= width for line in lines) and all(line == line.rstrip() for line in lines)
    for word in ("cn-reply-with-a-rather-long-identifier", "us-hostile"):
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", out), (word, out)


def test_json_keeps_the_text_exactly_and_yaml_is_a_block_that_loads(hostile):
    r = runner.invoke(app, ["links", "-f", hostile, "--suggest", "--json", "--as-of", "2025-10-14"])
    [s] = json.loads(r.stdout)
    assert set(s) == {"id", "from", "to", "basis", "score", "reasons", "lag_days", "note"}
    assert (s["from"], s["to"], s["basis"], s["lag_days"]) == ("cn-reply-with-a-rather-long-identifier", "us-hostile",
                                                               "inferred", 7)
    assert "shared tags: steel, t\x1b[2J" in s["reasons"]
    r = runner.invoke(app, ["links", "-f", hostile, "--suggest", "--yaml", "--as-of", "2025-10-14"])
    assert not UNSAFE.search(r.stdout)
    ledger, problems = load_text("t.yaml", Path(hostile).read_text() + r.stdout)
    assert not [p for p in problems if p.severity == "error"], problems
    assert ledger.measures[1].basis("us-hostile") == "inferred"


def test_within_takes_spans_and_window_still_works(hostile):
    def pairs(*args):
        r = runner.invoke(app, ["links", "-f", hostile, "--suggest", "--json", "--min-score", "0", *args])
        assert r.exit_code == 0, r.stderr
        return len(json.loads(r.stdout)), r.stderr

    assert pairs("--within", "1w")[0] == 1 and pairs("--within", "6d")[0] == 0 and pairs("--within", "1m")[0] == 1
    count, said = pairs("--window", "6")
    assert count == 0 and said.startswith("ledger: --window is deprecated; write --within 6d\n")
    r = runner.invoke(app, ["links", "-f", hostile, "--suggest", "--within", "soon"])
    assert r.exit_code == 2 and "--within 'soon' is not a span" in r.stderr


# --- --apply ------------------------------------------------------------------------------------

GENERATED = ("# Generated by `ledger import gta`: do not edit by hand; the next import rewrites it.\n"
             "version: 1\nmeasures:\n"
             + m("gta-1", "2018-07-06", title="USA: Section 301 tariffs on steel")
             + m("gta-2", "2018-07-20", "CN", "US", title="China: retaliatory tariffs on steel")
             + m("gta-3", "2018-08-01", "CN", "US", "investigation", title="China: probe of US chemicals"))
MINE = "# my own ledger\ninclude: [gta.yaml]   # GTA's part\n\nmeasures: []  # nothing of my own yet\n"


@pytest.fixture
def mine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("gta.yaml").write_text(GENERATED)
    Path("mine.yaml").write_text(MINE)
    return "mine.yaml"


def suggestions(path, *args):
    r = runner.invoke(app, ["links", "-f", path, "--suggest", "--json", *args])
    assert r.exit_code == 0, r.stderr
    return {(s["from"], s["to"]): s for s in json.loads(r.stdout)}


def test_apply_writes_inferred_links_into_ones_own_file_and_twice_adds_nothing(mine):
    s = suggestions(mine)["gta-2", "gta-1"]
    r = runner.invoke(app, ["links", "-f", mine, "--apply", s["id"]])
    assert r.exit_code == 0, r.stderr
    assert r.stderr == "ledger: wrote 1 inferred link to mine.yaml\n"
    text = Path(mine).read_text()
    assert text.startswith(MINE) and text[len(MINE):] == (
        "links:\n  - from: gta-2\n    to: gta-1\n    basis: inferred\n"
        f"    note: {json.dumps(s['note'])}\n")
    assert Path("gta.yaml").read_text() == GENERATED
    ledger, problems = load_checked(mine)
    assert problems == []
    [k] = ledger.measure("gta-2").links
    assert (k.responds_to, k.basis, k.note) == ("gta-1", "inferred", s["note"])
    assert ("gta-2", "gta-1") not in suggestions(mine)
    again = runner.invoke(app, ["links", "-f", mine, "--apply", s["id"], "gta-2:gta-1"])
    assert again.exit_code == 0 and Path(mine).read_text() == text
    assert "'gta-2' already answers 'gta-1'; nothing to add for it" in again.stderr


def test_apply_appends_to_a_links_block_keeping_every_other_byte(mine):
    before = MINE + "links:\n- from: gta-3   # ours, checked\n  to: gta-1\n  basis: inferred\n  note: probe\n\n# the end\n"
    Path(mine).write_text(before)
    s = suggestions(mine)["gta-2", "gta-1"]
    r = runner.invoke(app, ["links", "-f", mine, "--apply", f"gta-2:gta-1"])
    assert r.exit_code == 0, r.stderr
    after = Path(mine).read_text()
    head = before.index("\n\n# the end")
    assert after[:head + 1] == before[:head + 1] and after.endswith(before[head + 1:])
    assert after[head + 1:-len(before[head + 1:])] == (
        f"- from: gta-2\n  to: gta-1\n  basis: inferred\n  note: {json.dumps(s['note'])}\n")
    assert load_checked(mine)[1] == []


def test_apply_all_with_a_min_score(mine):
    every = suggestions(mine, "--min-score", "0")
    assert len(every) == 2
    low = min(s["score"] for s in every.values())
    r = runner.invoke(app, ["links", "-f", mine, "--apply-all", "--min-score", str(low + 0.01), "--json"])
    assert r.exit_code == 0, r.stderr
    assert [(s["from"], s["to"]) for s in json.loads(r.stdout)] == [
        pair for pair, s in every.items() if s["score"] > low]
    r = runner.invoke(app, ["links", "-f", mine, "--apply-all", "--min-score", "0"])
    assert r.exit_code == 0 and r.stderr == "ledger: wrote 1 inferred link to mine.yaml\n"
    text = Path(mine).read_text()
    r = runner.invoke(app, ["links", "-f", mine, "--apply-all", "--min-score", "0"])
    assert r.exit_code == 0 and Path(mine).read_text() == text
    assert r.stderr == "ledger: no link to write: every one chosen is in the ledger already\n"
    ledger, problems = load_checked(mine)
    assert problems == [] and {m.id: m.responds_to for m in ledger.measures if m.responds_to} == {
        "gta-2": ("gta-1",), "gta-3": ("gta-1",)}


def test_apply_refuses_an_unknown_id_a_generated_file_and_the_bundled_ledger(mine, monkeypatch):
    r = runner.invoke(app, ["links", "-f", mine, "--apply", "0123456789"])
    assert r.exit_code == 2 and "no suggestion '0123456789'" in r.stderr
    r = runner.invoke(app, ["links", "-f", mine, "--apply"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["links", "-f", mine, "0123456789"])
    assert r.exit_code == 2 and "only with --apply" in r.stderr
    for args in (["-f", "gta.yaml"], ["-f", mine, "--into", "gta.yaml"]):
        r = runner.invoke(app, ["links", *args, "--apply-all", "--min-score", "0"])
        assert r.exit_code == 1 and "generated" in r.stderr, r.stderr
    assert Path("gta.yaml").read_text() == GENERATED and Path(mine).read_text() == MINE
    monkeypatch.delenv("ESCALATION_LEDGER_FILE", raising=False)
    r = runner.invoke(app, ["links", "--apply-all"])
    assert r.exit_code == 2 and "--file" in r.stderr


def test_apply_into_another_file_of_ones_own(mine):
    Path("team.yaml").write_text("measures: []\n")
    Path(mine).write_text(MINE.replace("[gta.yaml]", "[gta.yaml, team.yaml]"))
    before = Path(mine).read_text()
    r = runner.invoke(app, ["links", "-f", mine, "--apply-all", "--into", "team.yaml"])
    assert r.exit_code == 0, r.stderr
    assert Path(mine).read_text() == before and "from: gta-2" in Path("team.yaml").read_text()
    assert load_checked(mine)[0].measure("gta-2").responds_to == ("gta-1",)


def test_apply_writes_hostile_notes_that_read_back_exactly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("gta.yaml").write_text(GENERATED.replace("title: \"USA: Section 301 tariffs on steel\"",
                                                  'title: "USA: tariffs on steel"\n    tags: ["x\\": #y", "\\e]0;t\\a"]')
                                .replace("title: \"China: retaliatory tariffs on steel\"",
                                         'title: "China: tariffs on steel"\n    tags: ["x\\": #y", "\\e]0;t\\a"]'))
    Path("mine.yaml").write_text(MINE)
    [s] = [s for s in suggestions("mine.yaml").values() if s["from"] == "gta-2"]
    assert 'shared tags: \x1b]0;t\x07, x": #y' in s["reasons"]
    r = runner.invoke(app, ["links", "-f", "mine.yaml", "--apply", s["id"]])
    assert r.exit_code == 0, r.stderr
    assert "\x1b" not in Path("mine.yaml").read_text()  # written as an escape
    ledger, problems = load_checked("mine.yaml")
    assert not [p for p in problems if p.severity == "error"]
    assert ledger.measure("gta-2").links[0].note == s["note"]


def test_into_is_only_for_apply(mine):
    r = runner.invoke(app, ["links", "-f", mine, "--suggest", "--into", "gta.yaml"])
    assert r.exit_code == 2 and "--into" in r.stderr
