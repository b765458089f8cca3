"""fill_table gives each column its width as the rows go in, not when the table next idles."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from rrp.widgets.table import fill_table


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def test_columns_are_as_wide_as_their_widest_cell_before_the_table_idles():
    app = TableApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        rows = [("a", [Text("Eastridge Care", style="bold"), "Maple Ward", "✓"]),
                ("b", ["", Text("Nutmeg PICU"), "due"])]
        fill_table(table, [("Provider", "provider"), ("Ward", "ward"), ("This", "this")], rows,
                   widths={"this": 5})
        # Read synchronously, before any idle: the table has not measured anything itself yet.
        widths = [column.get_render_width(table) - 2 * table.cell_padding for column in table.ordered_columns]
        assert widths == [14, 11, 5]
        assert table.row_count == 2
        # Filling again replaces columns and rows (no duplicates, widths from the new rows).
        fill_table(table, [("Provider", "provider")], [("c", ["X"])])
        assert [c.get_render_width(table) - 2 * table.cell_padding for c in table.ordered_columns] == [8]
        assert table.row_count == 1
        # A two-line label is as wide as its widest line.
        fill_table(table, [("PDSA\nmo/run", "pdsa")], [("d", [" 1/2 "])])
        assert [c.get_render_width(table) - 2 * table.cell_padding for c in table.ordered_columns] == [6]
