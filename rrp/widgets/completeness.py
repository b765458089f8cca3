"""The completeness grid: wards x recent weeks, who has submitted and who has not.

Takes plain Python data (no pandas): the week starts and, per ward, a label and one bool per
week. The screen passes only the wards of the current page, so the grid stays small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from rrp.reports.icons_text import CONCERN_COLOUR
from rrp.reports.user_text import user_text

SUBMITTED = "\u25a0"  # a filled square
MISSING = "\u00b7"  # a middle dot


def completeness_table(
    weeks: Sequence[dt.date], rows: Sequence[tuple[str, Sequence[bool]]], *, name_width: int = 18
) -> Table:
    """A rich Table: one row per ward, one column per week (day/month header)."""
    table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), show_edge=False)
    table.add_column("Ward", no_wrap=True, max_width=name_width, overflow="ellipsis")
    for week in weeks:
        table.add_column(f"{week.day:02d}\n{week:%b}"[:6], justify="center", no_wrap=True)
    table.add_column("Of", justify="right", no_wrap=True)
    for label, flags in rows:
        cells = [
            Text(SUBMITTED, style="dim") if ok else Text(MISSING + "!", style=f"bold {CONCERN_COLOUR}")
            for ok in flags
        ]
        table.add_row(user_text(label), *cells, f"{sum(flags)}/{len(flags)}")
    return table


class CompletenessGrid(Static):
    """Shows `completeness_table` for the wards it is given."""

    DEFAULT_CSS = """
    CompletenessGrid { height: auto; padding: 0 1; }
    """

    def show(self, weeks: Sequence[dt.date], rows: Sequence[tuple[str, Sequence[bool]]]) -> None:
        """Replace the grid with these weeks and wards."""
        if not rows:
            self.update("No wards to show.")
            return
        grid = completeness_table(weeks, rows)
        grid.caption = f"{SUBMITTED} submitted   {MISSING}! not submitted"
        self.update(grid)
