"""grid.Grid prints what rich.table.Table prints for the reports' tables, character for
character and style for style, at every width: a differential test against Rich itself,
on random cells (styles and spans, line breaks, tabs, wide and combining characters,
words longer than the room, empty cells, right-justified columns, dimmed rows)."""

from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text

from ledger.grid import Grid

STYLES = ["", "bold", "dim", "green", "yellow", "cyan italic", "underline", "on red", "reverse"]
PIECES = ["a", "id-with-hyphens", " ", "  ", "\n", "\t", "x" * 30, "中文", "é", "e\u0301", "·", "→", "2025-10-09", "[b]x[/b]", ":smile:"]


def _console(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor", tab_size=8)


def _chars(console: Console, renderable) -> list[tuple[str, Style]]:
    """What a terminal shows, as the reports print (render._Fitted: lines no wider than
    the terminal): each line, each character with the style it is printed in."""
    null = Style.null()
    return [[(char, segment.style or null) for segment in line for char in segment.text]
            for line in console.render_lines(renderable, console.options, pad=False)]


texts = st.builds(
    lambda parts, base, justify, overflow, no_wrap: _assemble(parts, base, justify, overflow, no_wrap),
    st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(STYLES)), max_size=8),
    st.sampled_from(STYLES),
    # a Text's own settings win over its column's, in Rich and in the grid alike
    st.sampled_from([None, None, None, "default", "left", "center", "right", "full"]),
    st.sampled_from([None, None, None, "fold", "crop", "ellipsis"]),
    st.sampled_from([None, None, None, True, False]),
)


def _assemble(parts, base: str, justify=None, overflow=None, no_wrap=None) -> Text:
    text = Text(style=base, justify=justify, overflow=overflow, no_wrap=no_wrap)
    for piece, style in parts:
        text.append(piece, style=style or None)
    return text


@st.composite
def grids(draw):
    n = draw(st.integers(2, 5))
    headers = draw(st.lists(st.sampled_from(["Date", "Who", "Kind · status", "Title", "Title · id", "Imposed", "N"]),
                            min_size=n, max_size=n))
    justify = draw(st.lists(st.sampled_from(["left", "right"]), min_size=n, max_size=n))
    styles = draw(st.lists(st.sampled_from(STYLES), min_size=n, max_size=n))
    grid = Grid(headers, justify, styles=styles) if draw(st.booleans()) else Grid(n, justify, styles=styles, header=False)
    for _ in range(draw(st.integers(0, 6))):
        cells = draw(st.lists(texts, min_size=n, max_size=n))
        grid.add_row(*cells, style=draw(st.sampled_from([None, "dim", "on blue"])))
    return grid


def _grid(headers, *rows, **how) -> Grid:
    grid = Grid(headers, **how)
    for row in rows:
        grid.add_row(*row)
    return grid


@settings(max_examples=400, deadline=None)
@given(grid=grids(), width=st.integers(1, 160))
@example(grid=Grid(["Date", "Title"]), width=1)
@example(grid=Grid(["Date", "Who", "Kind · status", "Title"]), width=20)
@example(grid=_grid(["Date", "Kind · status"], [Text("2025-10-09"), Text("a b")]), width=9)  # a header over 5 lines
@example(grid=_grid(["N", "Title"], [Text("1"), Text("short", justify="center")]), width=40)  # lines Rich pads
@example(grid=_grid(2, [Text("quote"), Text("a longer text than the room")], styles=["underline"], header=False),
         width=12)  # show's fields: Table.grid's padding, a column style on the blanks too
@example(grid=_grid(2, [Text("\n"), Text("a")], header=False), width=3)  # an empty column: no room, no lines
def test_grid_prints_what_rich_table_prints(grid, width):
    console = _console(width)
    assert _chars(console, grid) == _chars(console, grid.table())


def _bundled_reports():
    """Each bundled report as people see it (render_*), by name."""
    from datetime import date

    from ledger import render
    from ledger.deadlines import upcoming_deadlines
    from ledger.links import ledger_links
    from ledger.read import load_checked
    from ledger.show import show_record
    from ledger.summary import summarize
    from ledger.timeline import timeline

    ledger, problems = load_checked("data/measures.yaml")
    as_of = date(2025, 10, 14)
    return {
        "timeline": render.render_timeline(timeline(ledger)),
        "deadlines": render.render_deadlines(upcoming_deadlines(ledger, as_of)),
        "links": render.render_links(ledger_links(ledger)),
        "summary": render.render_summary(summarize(ledger, as_of)),
        **{f"show {i}": render.render_show(show_record(ledger, i, as_of))
           for i in ("tariff-truce", "cn-us-soybean-import-suspension", "apec-2025", "us-100pct-tariff-surcharge")},
    }


def test_the_bundled_reports_print_as_with_rich_tables(monkeypatch):
    """The real reports, at every width (tables, and the layouts for narrow terminals,
    where show's grids sit in a group): what they print with grids is what they print
    with each grid's rich Table."""
    reports = _bundled_reports()
    widths = [*range(30, 200, 7), 200]
    ours = {(name, w): _chars(_console(w), report) for name, report in reports.items() for w in widths}

    def rich_lines(self, console, options):
        return console.render_lines(self.table(), options, pad=False)

    monkeypatch.setattr(Grid, "lines", rich_lines)
    for name, report in reports.items():
        for w in widths:
            assert ours[name, w] == _chars(_console(w), report), (name, w)
    assert any(ours[name, w] != ours[name, 200] for name in reports for w in widths)  # widths that matter
