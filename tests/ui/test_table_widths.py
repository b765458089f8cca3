"""fill_table gives each column its width as the rows go in, not when the table next idles; a
FixedWidthTable then paints as a DataTable without measuring every cell again."""

from __future__ import annotations

from pilot import until
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from rrp.widgets.table import FixedWidthTable, fill_table


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


class TwoTables(App[None]):
    CSS = "DataTable { height: 8; }"

    def compose(self) -> ComposeResult:
        yield DataTable(id="plain")
        yield FixedWidthTable(id="fixed")


COLUMNS = [("Provider", "provider"), ("Ward", "ward"), ("This", "this")]


def _rows(n: int) -> list[tuple[str, list[Text | str]]]:
    return [(f"w{i}", [Text("Eastridge" if i % 3 == 0 else "", style="bold"), f"Ward [{i}]", "✓"]) for i in range(n)]


async def test_a_fixed_width_table_paints_as_a_datatable_without_measuring_each_cell(monkeypatch):
    import textual.widgets._data_table as data_table

    measured: list[object] = []
    real_measure = data_table.measure

    def counting(console, renderable, *args):  # Textual's measure, recording what it measured
        measured.append(renderable)
        return real_measure(console, renderable, *args)

    monkeypatch.setattr(data_table, "measure", counting)
    app = TwoTables()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        plain, fixed = app.query_one("#plain", DataTable), app.query_one("#fixed", FixedWidthTable)
        fill_table(fixed, COLUMNS, _rows(30))
        measured.clear()
        await until(pilot, lambda: not fixed._require_update_dimensions)
        assert [m for m in measured if isinstance(m, Text) and m.plain.startswith("Ward [")] == []
        fill_table(plain, COLUMNS, _rows(30))
        await until(pilot, lambda: not plain._require_update_dimensions)
        # The plain table measured its cells (so the check above can fail)...
        assert any(isinstance(m, Text) and m.plain.startswith("Ward [") for m in measured)
        # ...and both paint the same lines, scroll the same and move the cursor the same.
        assert fixed.virtual_size == plain.virtual_size
        for table in (plain, fixed):
            table.focus()
            await pilot.press("down", "down")
        assert fixed.cursor_row == plain.cursor_row == 2
        await pilot.pause()
        assert [fixed.render_line(y).text for y in range(8)] == [plain.render_line(y).text for y in range(8)]


async def test_a_fixed_width_table_still_measures_what_has_no_width_given():
    """A row label (or an automatic column) is measured as Textual does."""
    app = TwoTables()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        fixed = app.query_one("#fixed", FixedWidthTable)
        fill_table(fixed, COLUMNS, _rows(2))
        fixed.add_row("x", "y", "z", key="labelled", label="A long label")
        fixed.add_column("Auto", key="auto")
        await until(pilot, lambda: not fixed._require_update_dimensions)
        assert fixed._row_label_column_width == len("A long label") + 2 * fixed.cell_padding
