"""The completeness grid: wards x recent weeks, who has submitted, who has not, and which weeks
came before a ward joined (not applicable: never missing, not counted).

Takes plain Python data (no pandas): the week starts and, per ward, a label and one mark per
week as rrp.reports.figures.completeness_marks gives them (True submitted, False missing, None
not applicable). The screen passes only the wards of the current page, so the grid stays small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from rrp.reports.figures import NOT_APPLICABLE_MARK, NOT_TAKING_PART
from rrp.reports.icons_text import CONCERN_COLOUR
from rrp.reports.user_text import user_text

SUBMITTED = "\u25a0"  # a filled square
MISSING = "\u00b7"  # a middle dot
NOT_APPLICABLE = NOT_APPLICABLE_MARK  # the ward had not joined yet
LEGEND = f"{SUBMITTED} submitted   {MISSING}! not submitted   {NOT_APPLICABLE} {NOT_TAKING_PART}"


def _cell(mark: bool | None) -> Text:
    if mark is None:
        return Text(NOT_APPLICABLE, style="dim")
    return Text(SUBMITTED, style="dim") if mark else Text(MISSING + "!", style=f"bold {CONCERN_COLOUR}")


def completeness_table(
    weeks: Sequence[dt.date], rows: Sequence[tuple[str, Sequence[bool | None]]], *, name_width: int = 18
) -> Table:
    """A rich Table: one row per ward, one column per week (day/month header); Of: the weeks
    submitted of the weeks due (a week before the ward joined is neither)."""
    table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), show_edge=False)
    table.add_column("Ward", no_wrap=True, max_width=name_width, overflow="ellipsis")
    for week in weeks:
        table.add_column(f"{week.day:02d}\n{week:%b}"[:6], justify="center", no_wrap=True)
    table.add_column("Of", justify="right", no_wrap=True)
    for label, flags in rows:
        due = [mark for mark in flags if mark is not None]
        table.add_row(user_text(label), *(_cell(mark) for mark in flags), f"{sum(due)}/{len(due)}")
    return table


class CompletenessGrid(Static):
    """Shows `completeness_table` for the wards it is given."""

    DEFAULT_CSS = """
    CompletenessGrid { height: auto; padding: 0 1; }
    """

    def show(self, weeks: Sequence[dt.date], rows: Sequence[tuple[str, Sequence[bool | None]]]) -> None:
        """Replace the grid with these weeks and wards."""
        if not rows:
            self.update("No wards to show.")
            return
        grid = completeness_table(weeks, rows)
        grid.caption = LEGEND
        self.update(grid)
