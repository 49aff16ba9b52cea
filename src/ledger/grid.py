"""The reports' tables, printed as rich.table.Table prints them, for a fraction of its cost.

Every people's report that is a table (timeline, deadlines, links, summary) is the same
shape: no box, no edge padding, a bold header, columns that never wrap, and a last column
that folds its text into the room left (show's fields are that shape without the header,
as Table.grid lays it out). For that shape `Grid` prints what
`Table(box=None, pad_edge=False, header_style="bold")` with the same columns prints,
character for character and style for style (tests/test_grid.py holds the two equal on
random cells at every width), without Rich's general machinery: no Padding renderable
per cell, no second measuring pass, no cropping of lines that already fit, and no import
of rich.table (nor of the emoji table Rich loads to read a header written as a string).
On the bundled ledger that is most of the time `ledger timeline` spends printing.

When the last column would have no room at all, the table is handed to Rich's own Table
(`Grid.table`), whose last resort (shrinking every column) is not worth copying.

Cells are rich.text.Text, or plain strings taken as text (never as markup).
"""

from __future__ import annotations

from typing import Sequence


class Grid:
    """Columns that do not wrap (justified left or right), then one that folds.

    Two shapes, each what Rich prints for it:
      `Grid(headers, justify)`: `Table(box=None, pad_edge=False, header_style="bold")`,
          a bold header, two blanks between columns (one each side of the line between);
      `Grid(n_columns, styles=..., header=False)`: `Table.grid(padding=(0, 2))`, no
          header, two blanks after each column but the last.
    `styles`: each column's style, under its cells' own (not the header's)."""

    __slots__ = ("headers", "justify", "styles", "header", "rows")

    def __init__(self, headers: Sequence[str] | int, justify: Sequence[str] = (), *, styles: Sequence[str] = (),
                 header: bool = True) -> None:
        self.headers = tuple(headers) if header else ("",) * headers  # type: ignore[operator]
        n = len(self.headers)
        self.justify = tuple(justify) + ("left",) * (n - len(justify))
        self.styles = tuple(styles) + ("",) * (n - len(styles))
        self.header = header
        self.rows: list[tuple[tuple, str | None]] = []

    def __repr__(self) -> str:
        return (f"Grid({self.headers!r}, {self.justify!r}, styles={self.styles!r}, header={self.header!r}, "
                f"rows={self.rows!r})")

    def add_row(self, *cells, style: str | None = None) -> None:
        self.rows.append((cells, style))

    def table(self):
        """The same table as a rich.table.Table."""
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold") if self.header else Table.grid(padding=(0, 2))
        last = len(self.headers) - 1
        for i, (header, justify, style) in enumerate(zip(self.headers, self.justify, self.styles)):
            if i < last:
                table.add_column(header, justify=justify, style=style, no_wrap=True)  # type: ignore[arg-type]
            else:
                table.add_column(header, justify=justify, style=style, overflow="fold")  # type: ignore[arg-type]
        for cells, style in self.rows:
            table.add_row(*map(_as_text, cells), style=style)
        return table

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        new_line = Segment.line()
        for line in self.lines(console, options):
            yield from line
            yield new_line

    def lines(self, console, options) -> list[list]:
        """The table's lines of segments (what console.render_lines(self, options, pad=False) gives)."""
        from rich.segment import Segment
        from rich.text import Text

        n = len(self.headers)
        rows = [(tuple(map(_as_text, c)), s) for c, s in self.rows]
        if self.header:
            rows.insert(0, (tuple(map(Text, self.headers)), None))
            # Padding: one blank on each side of a column, none on the table's outer edges.
            left, right = [0] + [1] * (n - 1), [1] * (n - 1) + [0]
        else:  # Table.grid's padding collapses to two blanks after a column
            left, right = [0] * n, [2] * (n - 1) + [0]
        max_width = options.max_width
        widths = [min(max((_widest_line(row[i]) for row, _ in rows), default=0) + left[i] + right[i], max_width)
                  for i in range(n)]
        excess = sum(widths) - max_width
        if excess > 0:  # Table gives the folding column what the others leave
            widths[-1] -= excess
        if max_width < 3 or widths[-1] - left[-1] - right[-1] < 1:  # Rich's corner cases
            return console.render_lines(self.table(), options, pad=False)

        get_style = console.get_style
        header_style = get_style("bold")
        tab_size = console.tab_size
        out: list[list] = []
        joiner = Text("\n")
        column_styles = [get_style(style) for style in self.styles]
        for index, (cells, row_style) in enumerate(rows):
            heading = index == 0 and self.header
            styles = [header_style] * n if heading else [c + get_style(row_style or "") for c in column_styles]
            columns = []
            for i, text in enumerate(cells):
                style = styles[i]
                content = widths[i] - left[i] - right[i]
                if content < 1:  # an empty column: Rich renders nothing in no room, and the row's blanks fill it
                    columns.append([])
                    continue
                folds = i == n - 1
                lines = text.wrap(
                    console, content,
                    justify=text.justify or self.justify[i],
                    overflow=text.overflow or ("fold" if folds else "ellipsis"),
                    tab_size=(tab_size if text.tab_size is None else text.tab_size) or 8,
                    no_wrap=not folds if text.no_wrap is None else text.no_wrap,
                )
                # Rendered joined, as Text.__rich_console__ does: a line's own style then
                # counts as a span (Text.render alone drops a style that has no spans).
                segments = joiner.join(lines).render(console, end="\n")
                pad_left = [Segment(" " * left[i], style)] if left[i] else []
                pad_right = [Segment(" " * right[i], style)] if right[i] else []
                columns.append([
                    [*pad_left, *Segment.apply_style(line, style), *pad_right]
                    for line in Segment.split_and_crop_lines(segments, content, pad=True, include_new_lines=False)])
            height = max(1, *map(len, columns))  # a row is a line at least, as in Rich
            for i, lines in enumerate(columns):
                missing = [[Segment(" " * widths[i], styles[i])]] * (height - len(lines))
                columns[i] = missing + lines if heading else lines + missing  # a header sits at the bottom
            for line_no in range(height):
                out.append([segment for lines in columns for segment in lines[line_no]])
        return out


def _as_text(cell):
    from rich.text import Text

    return cell if isinstance(cell, Text) else Text(cell)


def _widest_line(text) -> int:
    """The widest line of a cell, as Rich measures it (its plain text, split at line breaks)."""
    from rich.cells import cell_len

    return max(map(cell_len, text.plain.splitlines()), default=0)
