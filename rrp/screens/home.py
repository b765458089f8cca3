"""The home screen: every ward grouped by provider, the state of this week and last (entered,
provisional, to confirm, due, in progress or before the ward joined: rrp.models.week_status, the
one definition), a compact trend and the latest total. Enter logs a week for the highlighted ward:
the latest complete week when it is missing or to confirm, otherwise the week in progress. `j`
sets the day a ward joined the collaborative.

The last ward used at this station is remembered (a preference in the database) and the
cursor starts on it, so logging a week is: launch, Enter, five numbers, save.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from rrp.messages import day_month
from rrp.models.week_status import WeekState, monday_of
from rrp.reports.user_text import user_text, visible
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.spark import sparkline
from rrp.widgets.table import FixedWidthTable, column_widths, fill_table

if TYPE_CHECKING:
    from rrp.reports.home_rows import HomeRow

class HomeScreen(ReportsWorkerErrors, Screen[None]):
    """Wards by provider, with this week's entry status."""

    BINDINGS = [
        Binding("enter", "log_week", "Log", id="home.log_week", priority=True, tooltip="Log a week for the highlighted ward"),
        Binding("h", "huddle", "Huddle", id="home.huddle", tooltip="The highlighted ward's safety huddle"),
        Binding(
            "c", "dashboard", "Dash", id="home.dashboard",
            tooltip="The collaborative dashboard: every ward at a glance",
        ),
        Binding(
            "i", "data_io", "Data", id="home.data_io",
            tooltip="Data in and out: import a file, write an export, back up the database",
        ),
        Binding(
            "m", "measures", "Measure", id="home.measures",
            tooltip="The measures: add, edit, switch on or off (the collaborative's and the ward's own)",
        ),
        # Kept out of the footer so the rest fits at 80 columns; listed in F1 help.
        Binding("M", "month_entry", "Monthly", id="home.month_entry", show=False,
                tooltip="Log the highlighted ward's monthly measures"),
        Binding("j", "participation", "Joined", id="home.participation", show=False,
                tooltip="Set the day the highlighted ward joined the collaborative (earlier weeks are never due)"),
        Binding("r", "refresh", "Refresh", id="home.refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HomeRow] = []
        self.last_ward: str | None = None
        self._shown_compact: bool | None = None
        self._load_requested = False
        #: A load is under way (its rows not shown yet); `_stale`: the data may have changed since
        #: it started, so one more load follows it.
        self._loading = False
        self._stale = False
        self._suspended = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static("Opening the database...", id="home-status")
            yield FixedWidthTable(id="wards", cursor_type="row", zebra_stripes=True)
        # The palette hint is left out so every key fits at 80 columns (Ctrl+P still works).
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # On a busy machine the database can open, and the table fill, before this screen's
        # mount is handled: then there is nothing to wait for (a loading indicator raised now
        # would stay over the rows).
        if self.rows:
            return
        start_loading(self.query_one("#wards", DataTable))
        if self.app.database is not None:  # type: ignore[attr-defined]
            self.request_load()  # joins a read already under way

    def request_load(self, *, fresh: bool = False) -> None:
        """Start reading the table's rows, unless a read is already under way (it serves).

        At start-up the mount and the database opening can both ask, in either order; one read
        serves. `fresh` says the data may have changed since a read under way began (back from
        another screen, or `r`): one more read follows it.
        """
        self._load_requested = True
        if self._loading:
            self._stale = self._stale or fresh
            return
        self._loading = True
        self.load()

    def _load_done(self) -> None:
        self._loading = False
        if self._stale:
            self._stale = False
            self.request_load()

    def on_database_opened(self) -> None:
        """Called by the app as soon as the database is open: enough to fill the table."""
        if not self._load_requested:  # not already asked for by on_mount
            self.request_load()

    def on_store_opened(self, error: str | None) -> None:
        """Called by the app once the full store is open (or failed to open)."""
        if error:
            stop_loading(self.query_one("#wards", DataTable))
            self.query_one("#home-status", Static).update(user_text(error, "bold"))
            return
        if not self._load_requested:  # a new database: its registry was loaded just now
            self.request_load()

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        # Only a return from another screen reads again (the resume that follows the mount does
        # not: the mount or the database opening has asked already).
        if self._suspended and self.app.database is not None:  # type: ignore[attr-defined]
            # Back from another screen: a week may have been saved there.
            self.request_load(fresh=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def load(self) -> None:
        """Read the registry and recent weeks in a worker; hand the rows to the UI thread.

        Plain SQL through `rrp.store.home` on the open database, so the table can fill before
        the full store (pydantic and the models) has loaded.
        """
        app = self.app
        try:
            self._read_rows()
        finally:
            app.call_from_thread(self._load_done)

    def _read_rows(self) -> None:
        """The body of `load`, on the worker thread."""
        from rrp.reports.home_rows import home_rows, trend_start
        from rrp.store import home

        app = self.app
        database = app.database  # type: ignore[attr-defined]
        today: dt.date = app.today  # type: ignore[attr-defined]
        # this week and last are among the trend's weeks
        recent = home.recent_weeks(database, since=trend_start(today), until=monday_of(today))
        rows = home_rows(home.active_wards(database), recent, today)
        app.call_from_thread(self.show, rows, home.last_ward(database))

    @property
    def compact(self) -> bool:
        """Below 100 columns the table drops the ward type and shortens names to fit 80."""
        return self.size.width < 100

    def on_resize(self) -> None:
        if self.rows and self.compact != self._shown_compact:
            current = self.selected_ward()
            self.show(self.rows, current or self.last_ward)

    def show(self, rows: list[HomeRow], last_ward: str | None) -> None:
        from rrp.reports.home_rows import TREND_WEEKS

        # Back from another screen the cursor stays on the ward it was on (the table is refilled).
        previous = self.selected_ward() if self.rows else None
        self.rows, self.last_ward = rows, last_ward
        compact = self._shown_compact = self.compact
        table = self.query_one("#wards", DataTable)
        columns = [("Provider", "provider"), ("Ward", "ward"), ("Type", "type"),
                   ("This" if compact else "This wk", "this"), ("Last" if compact else "Last wk", "last"),
                   ("Trend" if compact else f"Trend ({TREND_WEEKS} wk)", "trend"), ("Latest", "latest")]
        if compact:
            del columns[2]
        filled = []
        previous_provider = None
        # Cells that repeat (a provider's name, a ward type, a week's state, a date) are made once
        # and measured once: 2,000 rows at national scale, and the table never changes a cell.
        states = {state: _state_cell(state, compact) for state in WeekState}
        providers: dict[str, Text] = {}
        types: dict[str, Text] = {}
        dates: dict[dt.date, str] = {}
        used_states: set[WeekState] = set()
        for row in rows:
            provider = row.provider_name if row.provider_name != previous_provider else ""
            previous_provider = row.provider_name
            latest = "-" if row.latest_total is None else str(row.latest_total)
            if not compact and row.latest_week is not None:
                when = dates.get(row.latest_week)
                if when is None:
                    when = dates[row.latest_week] = f" ({day_month(row.latest_week)[:6].strip()})"
                latest += when
            used_states.add(row.this_week)
            used_states.add(row.last_week)
            # Text cells, not str: the table would parse each str as markup (2,000 rows x 7).
            cells = [
                providers.get(provider) or providers.setdefault(
                    provider, user_text(_fit(_short_provider(provider), 17 if compact else 24), "bold")),
                _plain(_fit(row.ward_name, 14) if compact else row.ward_name),
                types.get(row.ward_type) or types.setdefault(row.ward_type, _plain(row.ward_type)),
                states[row.this_week],
                states[row.last_week],
                _own(sparkline(row.trend)),
                _own(latest),
            ]
            if compact:
                del cells[2]
            filled.append((row.ward_code, cells))
        # The columns of repeated cells are measured from the distinct cells (the rest by fill_table).
        labels = dict((key, label) for label, key in columns)
        state_cells = [states[state] for state in used_states]
        widths = {
            key: column_widths([(labels[key], key)], [[cell] for cell in cells])[0]
            for key, cells in (("provider", list(providers.values())), ("type", list(types.values())),
                               ("this", state_cells), ("last", state_cells))
            if key in labels
        }
        fill_table(table, columns, filled, widths=widths)
        stop_loading(table)
        missing = sum(r.due for r in rows)
        # Due counts a week to confirm (entered before it ended, not confirmed since) as not
        # submitted; the status says how many of them there are.
        confirm = sum(r.last_week is WeekState.TO_CONFIRM for r in rows)
        status = f"{len(rows)} wards; {missing} have not entered last week" if rows else "No wards yet."
        if rows:
            status += f" ({confirm} to confirm)." if confirm else "."
        # M and j are kept out of the footer (it fits 80 columns only without them): named here.
        self.query_one("#home-status", Static).update(
            status + " Enter logs a week; M the monthly measures; j the day a ward joined.")
        codes = {r.ward_code for r in rows}
        target = previous if previous in codes else last_ward
        if target and target in codes:
            table.move_cursor(row=table.get_row_index(target))
        table.focus()
        # Once this has painted, pre-import what later screens need (see rrp.app).
        prewarm = getattr(self.app, "prewarm", None)
        if prewarm is not None and not getattr(self.app, "prewarmed", True):
            self.call_after_refresh(prewarm)

    def selected_ward(self) -> str | None:
        table = self.query_one("#wards", DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[table.cursor_row].ward_code

    @on(DataTable.RowSelected, "#wards")
    def _row_selected(self) -> None:
        self.action_log_week()

    def action_log_week(self) -> None:
        ward = self.selected_ward()
        if ward:
            self.app.open_screen("week_entry", ward_code=ward)  # type: ignore[attr-defined]

    def action_refresh(self) -> None:
        self.request_load(fresh=True)

    def action_huddle(self) -> None:
        ward = self.selected_ward()
        if ward:
            self.app.open_screen("huddle", ward_code=ward)  # type: ignore[attr-defined]

    def action_dashboard(self) -> None:
        self.app.open_screen("dashboard")  # type: ignore[attr-defined]

    def action_measures(self) -> None:
        self.app.open_screen("measures", ward_code=self.selected_ward())  # type: ignore[attr-defined]

    def action_month_entry(self) -> None:
        ward = self.selected_ward()
        if ward:
            self.app.open_screen("month_entry", ward_code=ward)  # type: ignore[attr-defined]

    def action_data_io(self) -> None:
        self.app.open_screen("data_io")  # type: ignore[attr-defined]

    def action_participation(self) -> None:
        """`j`: ask for the day the highlighted ward joined; save it (audited) and re-read."""
        from rrp.screens.participation import ParticipationScreen

        code = self.selected_ward()
        row = next((r for r in self.rows if r.ward_code == code), None)
        if row is None:
            return
        if self.app.store is None:  # type: ignore[attr-defined]
            self.notify("The database is still opening: try again in a moment.", severity="warning")
            return
        # At a shared PC, "who is entering data?" is answered first (the change is audited).
        self.app.after_who(lambda: self.app.push_screen(  # type: ignore[attr-defined]
            ParticipationScreen(row.ward_name, row.participation_start),
            lambda answer: self.save_participation(row.ward_code, answer.start) if answer is not None else None,
        ))

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-participation")
    def save_participation(self, code: str, start: dt.date | None) -> None:
        from rrp.screens.participation import participation_text
        from rrp.store import StoreError

        app = self.app
        store = app.store  # type: ignore[attr-defined]
        try:
            ward = store.registry.ward(code)
            if ward is None:
                raise StoreError(f"ward {code} is no longer in the registry")
            store.registry.save_ward(ward.model_copy(update={"participation_start": start}))
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so
            app.call_from_thread(self.notify, f"Not saved: {exc}", severity="error")
            return
        app.call_from_thread(self.notify, f"{ward.name}: {participation_text(start)}.", timeout=4)
        app.call_from_thread(self.request_load, fresh=True)


#: What the This and Last columns show for each week state (words, so colour is never the only cue).
_STATE_CELLS: dict[WeekState, tuple[str, str, str]] = {
    WeekState.ENTERED: ("done", "✓", "bold"),
    WeekState.PROVISIONAL: ("prov", "prov", "italic"),
    WeekState.TO_CONFIRM: ("to confirm", "conf?", "bold italic"),
    WeekState.MISSING: ("due", "due", "bold italic"),
    WeekState.IN_PROGRESS: ("-", "-", "dim"),
    WeekState.NOT_PARTICIPATING: ("n/a", "n/a", "dim"),
    WeekState.FUTURE: ("", "", ""),
}


def _state_cell(state: WeekState, compact: bool = False) -> Text:
    wide, narrow, style = _STATE_CELLS[state]
    return Text(narrow if compact else wide, style=style)


def _plain(text: str) -> Text:
    """A cell as the table would make it from a str, minus the markup parsing (and its surprises),
    with control characters made visible (names come from users and files)."""
    return Text(visible(text), no_wrap=True, end="")


def _own(text: str) -> Text:
    """A cell of rrp's own characters (figures, dates, sparkline bars): no user text in it, so
    nothing to make visible (`visible` would read every non-ASCII bar for an NHS number)."""
    return Text(text, no_wrap=True, end="")


def _fit(text: str, width: int) -> str:
    """Shorten to `width` characters with an ellipsis, so a cut name is visibly cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _short_provider(name: str) -> str:
    return name.replace(" (fictional)", "").replace(" NHS Foundation Trust", "").replace(" NHS Trust", "")
