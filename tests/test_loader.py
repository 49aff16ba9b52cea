"""The loader's promises, at the level of `load_text` and `parse_date`."""

from __future__ import annotations

import pytest

from ledger.load import MAX_DEPTH, load_text, parse_tree
from ledger.values import parse_date


def test_libyaml_is_what_parses():
    # yaml.CParser does not exist; the loader must find libyaml's under yaml.cyaml
    from yaml.cyaml import CParser  # noqa: F401


def test_crlf_line_numbers_are_the_editors():
    text = "measures:\r\n  - id: a\r\n    date: 2025-01-02\r\n    actor: US\r\n    target: CN\r\n    kind: tarif\r\n    title: t\r\n"
    _, problems = load_text("t", text)
    assert [(p.line, p.col) for p in problems] == [(6, 11)]


def test_duplicate_key_names_both_lines():
    _, problems = load_text("t", "measures: []\ntitle: a\ntitle: b\n")
    assert [str(p) for p in problems] == [
        "t:3:1: error: duplicate key 'title' (first at line 2); YAML would silently keep only the last"]


ANSWERED = ("measures:\n  - {id: a, date: 2025-01-02, actor: US, target: CN, kind: tariff, title: t}\n"
            "  - id: b\n    date: 2025-01-03\n    actor: CN\n    target: US\n    kind: tariff\n    title: u\n")


@pytest.mark.parametrize("written,said", [
    ("    responds_to: [a, a]\n", "t:9:22: error: 'responds_to' of measure 'b' lists 'a' twice (first at line 9)"),
    ("    responds_to:\n      - a\n      - {id: a, basis: inferred, note: ours}\n",
     "t:11:9: error: 'responds_to' of measure 'b' lists 'a' twice (first at line 10)"),
    ("    responds_to: [a]\nlinks:\n  - {from: b, to: a, basis: inferred, note: ours}\n",
     "t:11:5: error: the link from 'b' to 'a' is inferred here but stated in its responds_to (line 9); "
     "write it once, with the basis meant"),
], ids=["a plain id twice", "plain, then as inferred", "stated in responds_to, inferred under links"])
def test_a_link_is_written_once(written, said):
    # A link said twice may say it two ways (a plain id is stated; the second, inferred):
    # which is meant? Never silently the last: an error where the second one is.
    _, problems = load_text("t", ANSWERED + written)
    assert [str(p) for p in problems] == [said]


def test_a_links_item_may_give_a_stated_link_its_sources():
    # The same basis: the `links:` item says where the measure's stated link comes from.
    ledger, problems = load_text("t", "sources:\n  s: {title: T, publisher: P}\n" + ANSWERED
                                 + "    responds_to: [a]\nlinks:\n  - {from: b, to: a, sources: [s], quote: q}\n")
    assert problems == []
    b = ledger.measures[1]
    assert b.responds_to == ("a",) and [(k.basis, k.sources, k.quote) for k in b.links] == [("stated", ("s",), "q")]


@pytest.mark.parametrize("text", ["20250105", "2025-W01-1", "2025-1-5", "25-01-05", "2025-01-05T00:00", " "])
def test_only_yyyy_mm_dd_forms_are_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_depth_is_checked_before_anything_is_built():
    root, problems = parse_tree("t", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert root is None and "nesting deeper than 32" in problems[0].message
    root, problems = parse_tree("t", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert root is not None and not problems
