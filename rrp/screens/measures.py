"""The family of measures: the collaborative's set, and the highlighted ward's own local measures.

A facilitator adds (`a`), edits (Enter) and switches a measure on or off (`t`); `w` adds a
measure that only the highlighted ward sees. Each save goes through `store.measures` (versioned,
audited, a stale edit refused). The highlighted measure's operational definition shows beneath.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from rrp.models.when import day_month
from rrp.reports.user_text import user_text
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.table import fill_table

if TYPE_CHECKING:
    from rrp.models.measure import Measure
    from rrp.store.measures import StoredMeasure

_RECORDED = {"count_per_bed_days": "per bed days", "proportion": "proportion", "count": "count", "value": "value"}
#: Below this width the table leaves out the active dates (the line beneath shows them).
WIDE = 100


class MeasuresScreen(ReportsWorkerErrors, Screen[None]):
    """The measures: the collaborative's and a ward's own."""

    DEFAULT_CSS = """
    #measures { height: 1fr; }
    #measures-title { height: 1; padding: 0 1; text-style: bold; }
    #measures-table { height: 1fr; }
    #measures-definition { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    #measures-banner { height: auto; padding: 0 1; text-style: bold; }
    #measures-banner.error { color: $warning; }
    """

    BINDINGS = [
        Binding("enter", "edit", "Edit", id="measures.edit", priority=True, tooltip="Edit the highlighted measure"),
        Binding("a", "add", "Add", id="measures.add", tooltip="Add a measure for the whole collaborative"),
        Binding("w", "add_local", "Ward's own", id="measures.add_local",
                tooltip="Add a measure only the ward sees (a local measure)"),
        Binding("t", "toggle", "On/off", id="measures.toggle", tooltip="Switch the highlighted measure on or off"),
        Binding("escape", "back", "Back", id="measures.back"),
    ]

    def __init__(self, ward_code: str | None = None) -> None:
        super().__init__()
        self.ward_code = ward_code
        self.rows: list[StoredMeasure] = []
        self._shown_wide: bool | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="measures"):
            yield Static("Measures", id="measures-title")
            yield DataTable(id="measures-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="measures-definition")
            yield Static("", id="measures-banner")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        start_loading(self.query_one(DataTable))
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="measures")
    def load(self, select: str | None = None) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        rows = [s for s in store.measures.stored()
                if s.measure.ward_code is None or s.measure.ward_code == self.ward_code]
        self.app.call_from_thread(self.show, rows, select)

    def show(self, rows: list[StoredMeasure], select: str | None = None) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        current = select or self.selected_code()
        where = f"; ward {self.ward_code}'s own marked 'ward'" if self.ward_code else ""
        self.query_one("#measures-title", Static).update(
            user_text(f"Measures: {len(rows)} ({sum(s.measure.enabled for s in rows)} on){where}", "bold")
        )
        wide = self.size.width >= WIDE
        columns = [("Measure", "label"), ("Kind", "kind"), ("Recorded as", "recorded"), ("Better", "direction"),
                   ("Every", "frequency"), ("On", "enabled"), ("From", "from"), ("To", "to"), ("For", "scope")]
        cells = []
        for s in rows:
            m = s.measure
            label = m.label if wide or len(m.label) <= 18 else m.label[:17] + "…"
            cells.append((m.code, [
                user_text(label),
                Text(m.kind),
                Text(("sum, " if m.derived else "") + _RECORDED[m.recorded_as]),
                Text({"decrease": "lower", "increase": "higher", "neutral": "watch"}[m.direction]),
                Text("week" if m.frequency == "weekly" else "month"),
                Text("on" if m.enabled else "off", style="bold" if m.enabled else "dim"),
                Text(day_month(m.active_from) if m.active_from else "-"),
                Text(day_month(m.active_to) if m.active_to else "-"),
                Text("ward" if m.ward_code else ("core" if m.column_backed else "all")),
            ]))
        if not wide:
            columns = columns[:6] + columns[8:]
            cells = [(code, row[:6] + row[8:]) for code, row in cells]
        self._shown_wide = wide
        fill_table(table, columns, cells)
        stop_loading(table)
        codes = [s.measure.code for s in rows]
        if current in codes:
            table.move_cursor(row=codes.index(current))
        table.focus()
        self._show_definition()

    def on_resize(self) -> None:
        if self.rows and (self.size.width >= WIDE) != self._shown_wide:
            self.show(self.rows)

    def selected(self) -> StoredMeasure | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def selected_code(self) -> str | None:
        stored = self.selected()
        return None if stored is None else stored.measure.code

    @on(DataTable.RowHighlighted)
    def _show_definition(self) -> None:
        stored = self.selected()
        text = "" if stored is None else f"{stored.measure.name}{_active(stored.measure)}: {stored.measure.definition}"
        self.query_one("#measures-definition", Static).update(user_text(text, multi_line=True))

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit()

    def banner(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#measures-banner", Static)
        banner.update(user_text(message, multi_line=True))
        banner.set_class(error, "error")

    # -- actions -----------------------------------------------------------------------------

    def _open_form(self, stored: StoredMeasure | None, ward_code: str | None = None) -> None:
        from rrp.screens.measure_form import MeasureForm

        def done(measure: Measure | None) -> None:
            if measure is not None:
                self.banner(f"Saved {measure.code}.")
                self.load(measure.code)

        self.app.push_screen(MeasureForm(stored, ward_code=ward_code), done)

    def action_edit(self) -> None:
        stored = self.selected()
        if stored is not None:
            self._open_form(stored)

    def action_add(self) -> None:
        self._open_form(None)

    def action_add_local(self) -> None:
        if self.ward_code is None:
            self.notify("Open measures from a ward on the home screen to add its own measure.", severity="warning")
            return
        self._open_form(None, ward_code=self.ward_code)

    def action_toggle(self) -> None:
        stored = self.selected()
        if stored is None or self.saving:
            return
        self.saving = True
        self.toggle(stored)

    @work(thread=True, exclusive=True, exit_on_error=False, group="measures-save")
    def toggle(self, stored: StoredMeasure) -> None:
        from rrp.models.measure import MeasureSetError
        from rrp.store import StoreError

        store = self.app.store  # type: ignore[attr-defined]
        m = stored.measure
        try:
            switched = m.model_copy(update={"enabled": not m.enabled})
            store.measures.save(switched, expected_version=stored.version)
        except (StoreError, MeasureSetError) as exc:
            self.app.call_from_thread(self._toggle_done, m.code, f"Not saved: {exc}")
            return
        self.app.call_from_thread(self._toggle_done, m.code, f"{m.code} switched {'off' if m.enabled else 'on'}.")

    def _toggle_done(self, code: str, message: str) -> None:
        self.saving = False
        self.banner(message, error=message.startswith("Not saved"))
        self.load(code)

    def action_back(self) -> None:
        self.dismiss(None)


def _active(m: Measure) -> str:
    """' (active from 5 Jan 2026 to ...)' when the measure has dates; '' when always active."""
    if m.active_from is None and m.active_to is None:
        return ""
    parts = []
    if m.active_from is not None:
        parts.append(f"from {day_month(m.active_from)}")
    if m.active_to is not None:
        parts.append(f"to {day_month(m.active_to)}")
    return f" (active {' '.join(parts)})"
