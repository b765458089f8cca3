"""Columns sized from their cells when a table is filled, not later.

A Textual DataTable sizes an auto-width column only when the table next idles after rows are
added. Until then the column is as wide as its label, and on a busy machine a screen could paint
(or be captured) that way: "Eastridg", "Mapl". Giving each column its width as the rows go in
makes the first paint the right one.

`FixedWidthTable` is a DataTable that then does not measure every cell again: Textual measures
each new row's cells when the table idles even when every column's width is fixed (the widths
are unused then). At national scale (2,000 wards x 7 columns) that was ~0.3 s before the home
screen's first paint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from rrp.reports.user_text import visible

Cell = Text | str


def _width(cell: Cell) -> int:
    """The widest line of a cell or label (as the table itself measures it)."""
    plain = cell.plain if isinstance(cell, Text) else cell
    return max(cell_len(line) for line in plain.split("\n"))


def _text(cell: str) -> Text:
    """A str cell as the table would make it, minus the markup parsing (cells hold user text)."""
    return Text(visible(cell), no_wrap=True, end="")


class FixedWidthTable(DataTable):
    """A DataTable for `fill_table`: rows added under fixed-width columns are not measured.

    Anything that needs measuring (a column sized by Textual, a row label, a row of automatic
    height) is left to Textual as before.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Textual's own step (Textual is pinned): it measures each new cell for its column's
        # content width, which only a column of automatic width uses, then sets the virtual size.
        rows = list(new_rows)
        if any(column.auto_width for column in self.columns.values()) or any(
            (row := self.rows.get(key)) is not None and (row.label is not None or row.auto_height)
            for key in rows
        ):
            super()._update_dimensions(rows)
        else:
            super()._update_dimensions(())  # the virtual size only


def column_widths(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Cell]], *, widths: dict[str, int] | None = None
) -> list[int]:
    """Each column's width as fill_table gives it: its widest cell or label line, unless `widths`
    names it (without the table's cell padding)."""
    fixed = widths or {}
    sizes = [fixed.get(key, _width(label)) for label, key in columns]
    for cells in rows:
        for i, cell in enumerate(cells):
            if columns[i][1] not in fixed:
                sizes[i] = max(sizes[i], _width(cell))
    return sizes


def fill_table(
    table: DataTable,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple[str, Sequence[Cell]]],
    *,
    widths: dict[str, int] | None = None,
) -> None:
    """Clear `table` and fill it: `columns` are (label, key), `rows` are (row key, cells).

    Each column is as wide as its widest cell or label line, unless `widths` names it. A `str`
    cell is shown as text (`visible`), never parsed as markup: cells hold names and notes.
    """
    rows = [(key, [_text(c) if isinstance(c, str) else c for c in cells]) for key, cells in rows]
    sizes = column_widths(columns, [cells for _, cells in rows], widths=widths)
    table.clear(columns=True)
    for (label, key), size in zip(columns, sizes, strict=True):
        table.add_column(label, key=key, width=size)
    for key, cells in rows:
        table.add_row(*cells, key=key)
