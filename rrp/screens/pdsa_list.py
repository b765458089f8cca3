"""PDSA cycles: one ward's, or the whole collaborative's (for facilitators).

Cycles due for Study this week come first, marked "Study due". Flags are the fidelity nudges;
PRSDA shows each cycle's quality (bold letter: has it; dim: missing). Filters: `f` steps through
statuses, `c` through change ideas, `a` toggles one ward / all wards. Cycles are named by ramp
and number (A2 follows A1; B1 is another ramp on the ward; A3b a branch of ramp A,
models.pdsa.ramp_labels); the line under the table shows the
highlighted cycle whole (title, change idea, and when it ended or is planned). Enter opens it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from rrp.messages import day_month
from rrp.models.pdsa import RAMP_LABEL_KEY, PdsaStatus
from rrp.reports.user_text import user_text
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.pdsa_marks import flags_text, quality_marks, status_text
from rrp.widgets.table import fill_table

if TYPE_CHECKING:
    from rrp.store.pdsa import CycleSummary

QUALITY_KEY = (
    f"Cycle: ramp letter + number ({RAMP_LABEL_KEY}). End: the day a done cycle "
    "ended, else its planned end (dim). PRSDA: Prediction, Ramp link, Scale, Data, Act decision "
    "(bold: has it; dim: missing)"
)
#: Status filter steps: None is "all", "open" is planned + doing + studying.
STATUS_FILTERS: list[str | None] = [None, "open", "planned", "doing", "studying", "done", "abandoned"]


class PdsaListScreen(ReportsWorkerErrors, Screen[None]):
    """A ward's PDSA cycles (or every ward's), with flags and quality marks."""

    DEFAULT_CSS = """
    #pdsa-list { height: 1fr; }
    #pdsa-list-title { height: 1; padding: 0 1; text-style: bold; }
    #pdsa-list-filter { height: 1; padding: 0 1; color: $text-muted; }
    #pdsa-cycles { height: 1fr; }
    #pdsa-list-detail { height: auto; max-height: 2; padding: 0 1; }
    #pdsa-list-help { height: auto; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        # priority: the table's own (hidden) Enter would otherwise hide this one from the footer
        Binding("enter", "edit", "Open", id="pdsa_list.edit", key_display="Enter", priority=True),
        Binding("n", "new", "New", id="pdsa_list.new"),
        Binding("f", "status_filter", "Status", id="pdsa_list.status", tooltip="Step through statuses"),
        Binding("c", "idea_filter", "Idea", id="pdsa_list.idea", tooltip="Step through change ideas"),
        Binding("a", "all_wards", "All", id="pdsa_list.all"),
        Binding("d", "drivers", "Drivers", id="pdsa_list.drivers", show=False, tooltip="The driver diagram (new ideas local to this ward)"),
        Binding("s", "scores", "Scores", id="pdsa_list.scores"),
        Binding("r", "refresh", "Refresh", id="pdsa_list.refresh", show=False),
        Binding("escape", "back", "Back", id="pdsa_list.back"),
    ]

    def action_drivers(self) -> None:
        """The driver diagram in this list's ward context, so a new idea defaults to local."""
        self.app.open_screen("driver_diagram", ward_code=self.ward_code)  # type: ignore[attr-defined]

    def __init__(self, ward_code: str | None = None, status: str | None = None) -> None:
        super().__init__()
        self.ward_code = ward_code
        self.home_ward = ward_code
        self.status_filter: str | None = status
        self.idea_filter: str | None = None
        self.idea_codes: list[str] = []
        self.rows: list[CycleSummary] = []
        self.ward_names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pdsa-list"):
            yield Static("PDSA cycles", id="pdsa-list-title")
            yield Static("", id="pdsa-list-filter")
            yield DataTable(id="pdsa-cycles", cursor_type="row", zebra_stripes=True)
            yield Static("", id="pdsa-list-detail")
            yield Static(QUALITY_KEY, id="pdsa-list-help")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        start_loading(self.query_one("#pdsa-cycles", DataTable))
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    # -- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="pdsa-list")
    def load(self) -> None:
        """Read the cycles with their flags and quality (and the ward names) in a worker."""
        store = self.app.store  # type: ignore[attr-defined]
        today: dt.date = self.app.today  # type: ignore[attr-defined]
        status: Any = self.status_filter
        if status == "open":
            status = [PdsaStatus.PLANNED, PdsaStatus.DOING, PdsaStatus.STUDYING]
        everything = store.pdsa.summaries(today=today, ward_code=self.ward_code)
        idea_codes = sorted({s.cycle.change_idea_code for s in everything})
        rows = store.pdsa.summaries(
            today=today, ward_code=self.ward_code, status=status, change_idea_code=self.idea_filter
        )
        names = {w.code: w.name for w in store.registry.wards()}
        self.app.call_from_thread(self.show, rows, idea_codes, names)

    def show(self, rows: list[CycleSummary], idea_codes: list[str], names: dict[str, str]) -> None:
        self.rows, self.idea_codes, self.ward_names = rows, idea_codes, names
        table = self.query_one("#pdsa-cycles", DataTable)
        selected = self.selected()
        all_wards = self.ward_code is None
        # Fixed columns, then title, change idea and flags share what is left of the screen
        # (2 cells of padding per column, 2 for a scrollbar), so nothing runs off at 80 columns
        # and a long text ends in an ellipsis rather than being cut mid-word.
        fixed = (10 if all_wards else 0) + 5 + 9 + 6 + 5 + 2 * (8 if all_wards else 7) + 2
        rest = max(24, self.size.width - fixed)  # all wards at 80 columns: 27, no sideways scroll
        flags_width = max(8, rest // 5)
        title_width = max(10, (rest - flags_width) * 11 // 20)
        idea_width = max(8, rest - flags_width - title_width)
        columns = [("Cycle", "number"), ("Title", "title"),
                   ("Change idea" if idea_width >= len("Change idea") else "Idea", "idea"), ("Status", "status"),
                   ("End", "end"), ("PRSDA", "quality"), ("Flags", "flags")]
        widths = {"ward": 10, "number": 5, "title": title_width, "idea": idea_width, "status": 9, "end": 6,
                  "quality": 5}
        if all_wards:
            columns.insert(0, ("Ward", "ward"))
        filled = []
        for row in rows:
            cycle = row.cycle
            cells: list[Any] = []
            if all_wards:
                cells.append(_fit(user_text(cycle.ward_code), 10))
            # a done cycle shows the day it was marked done, an open one its planned end (dim)
            end = row.ended_on if cycle.status == PdsaStatus.DONE else cycle.planned_end
            cells += [
                row.ramp_label or str(cycle.cycle_number),
                _fit(user_text(cycle.title, "bold" if row.due_for_study else ""), title_width),
                _fit(user_text(row.idea_name), idea_width),
                status_text(cycle.status, due=row.due_for_study),
                Text(day_month(end)[:6], "" if cycle.status == PdsaStatus.DONE else "dim") if end else "",
                quality_marks(row.quality),
                _fit(flags_text(row.flags), flags_width),
            ]
            filled.append((cycle.id, cells))
        fill_table(table, columns, filled, widths=widths)
        stop_loading(table)
        due = sum(r.due_for_study for r in rows)
        flagged = sum(bool(r.nudges) for r in rows)
        where = "all wards" if all_wards else f"{names.get(self.ward_code or '', self.ward_code)}"
        self.query_one("#pdsa-list-title", Static).update(
            Text.assemble(
                user_text(f"PDSA cycles: {where}", "bold"),
                f"  {len(rows)} shown, ",
                (f"{due} due for Study", "bold reverse" if due else ""),
                f", {flagged} flagged",
            )
        )
        status = self.status_filter or "all"
        idea = self.idea_filter or "all"
        self.query_one("#pdsa-list-filter", Static).update(
            user_text(
                f"Status: {status} (f)   Change idea: {idea} (c)   "
                + ("n: new cycle" if self.ward_code else "a: back to one ward")
            )
        )
        if selected and selected in {r.cycle.id for r in rows}:
            table.move_cursor(row=table.get_row_index(selected))
        table.focus()
        self._show_detail()

    @on(DataTable.RowHighlighted, "#pdsa-cycles")
    def _show_detail(self) -> None:
        """The highlighted cycle in full (its title and idea may be cut in the table)."""
        table = self.query_one("#pdsa-cycles", DataTable)
        row = self.rows[table.cursor_row] if self.rows and 0 <= table.cursor_row < len(self.rows) else None
        self.query_one("#pdsa-list-detail", Static).update(detail_line(row) if row else "")

    def selected(self) -> str | None:
        table = self.query_one("#pdsa-cycles", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row].cycle.id

    # -- actions ---------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#pdsa-cycles")
    def _row_selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        cycle_id = self.selected()
        if cycle_id:
            self.app.open_screen("pdsa_edit", cycle_id=cycle_id)  # type: ignore[attr-defined]

    def action_new(self) -> None:
        ward = self.ward_code
        if ward is None and self.rows:
            row = self.query_one("#pdsa-cycles", DataTable).cursor_row
            ward = self.rows[max(row, 0)].cycle.ward_code
        if ward is None:
            self.notify("Choose a ward first (a: one ward).", severity="warning")
            return
        self.app.open_screen("pdsa_edit", ward_code=ward)  # type: ignore[attr-defined]

    def action_status_filter(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter) if self.status_filter in STATUS_FILTERS else 0
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self.load()

    def action_idea_filter(self) -> None:
        options: list[str | None] = [None, *self.idea_codes]
        index = options.index(self.idea_filter) if self.idea_filter in options else 0
        self.idea_filter = options[(index + 1) % len(options)]
        self.load()

    def action_all_wards(self) -> None:
        if self.ward_code is None:
            if self.home_ward is None and self.rows:
                self.home_ward = self.rows[max(self.query_one("#pdsa-cycles", DataTable).cursor_row, 0)].cycle.ward_code
            self.ward_code = self.home_ward
        else:
            self.ward_code = None
        self.idea_filter = None
        self.load()

    def action_scores(self) -> None:
        self.app.open_screen("progress", ward_code=self.ward_code or self.home_ward)  # type: ignore[attr-defined]

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()


def detail_line(row: CycleSummary) -> Text:
    """'A3 Title | idea: Name | Studying, planned 2 Nov 2026 to 15 Nov 2026': the whole title and idea."""
    cycle = row.cycle
    start, end = cycle.planned_start, cycle.planned_end
    if cycle.status == PdsaStatus.DONE and row.ended_on:
        when = f"ended {day_month(row.ended_on)}"
    elif start or end:
        when = "planned " + " to ".join(day_month(d) for d in (start, end) if d)
    else:
        when = "no dates"
    return Text.assemble(
        (f"{row.ramp_label or cycle.cycle_number} ", "bold"), user_text(cycle.title, "bold"),
        " | idea: ", user_text(row.idea_name), f" | {cycle.status.label}, {when}",
    )


def _fit(text: Text, width: int) -> Text:
    """Cut to `width` cells with an ellipsis, so a cut title or flag is visibly cut."""
    text.truncate(width, overflow="ellipsis")
    return text
