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
    grid = Grid(headers, justify)
    for _ in range(draw(st.integers(0, 6))):
        cells = draw(st.lists(texts, min_size=n, max_size=n))
        grid.add_row(*cells, style=draw(st.sampled_from([None, "dim", "on blue"])))
    return grid


def _grid(headers, *rows) -> Grid:
    grid = Grid(headers)
    for row in rows:
        grid.add_row(*row)
    return grid


@settings(max_examples=400, deadline=None)
@given(grid=grids(), width=st.integers(1, 160))
@example(grid=Grid(["Date", "Title"]), width=1)
@example(grid=Grid(["Date", "Who", "Kind · status", "Title"]), width=20)
@example(grid=_grid(["Date", "Kind · status"], [Text("2025-10-09"), Text("a b")]), width=9)  # a header over 5 lines
@example(grid=_grid(["N", "Title"], [Text("1"), Text("short", justify="center")]), width=40)  # lines Rich pads
def test_grid_prints_what_rich_table_prints(grid, width):
    console = _console(width)
    assert _chars(console, grid) == _chars(console, grid.table())


def _bundled_layouts():
    from datetime import date

    from ledger import render
    from ledger.deadlines import upcoming_deadlines
    from ledger.links import ledger_links
    from ledger.read import load_checked
    from ledger.summary import summarize
    from ledger.timeline import timeline

    ledger, problems = load_checked("data/measures.yaml")
    as_of = date(2025, 10, 14)
    return {
        "timeline": lambda w: render._timeline_layout(timeline(ledger), w),
        "deadlines": lambda w: render._deadlines_layout(upcoming_deadlines(ledger, as_of), w),
        "links": lambda w: render._links_layout(ledger_links(ledger), w),
        "summary": lambda w: render._summary_layout(summarize(ledger, as_of), w),
    }


def test_the_bundled_reports_tables_are_rich_tables_own():
    """The real reports, at every width they print a table at: the grid's output is the
    same rows' as a rich Table."""
    tables = 0
    for name, layout in _bundled_layouts().items():
        for width in range(40, 201, 7):
            made = layout(width)
            if isinstance(made, Grid):
                tables += 1
                console = _console(width)
                null = Style.null()
                lines = [[(char, segment.style or null) for segment in line for char in segment.text]
                         for line in made.lines(console, console.options)]  # what render._Fitted prints
                assert lines == _chars(console, made.table()), (name, width)
    assert tables > 40  # most of these widths print tables
