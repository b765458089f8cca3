"""Log or correct one ward's monthly measures for one month.

The month defaults to the last complete one; PgUp/PgDn step through months. The fields, their
checks and the definition line are the week form's (`rrp.widgets.measure_fields`); Ctrl+S saves
every entered value in one transaction, each against the version it was loaded at (a stale edit
is refused, not merged). Blank is "not entered", never zero.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from rrp.reports.user_text import user_text
from rrp.screens.confirm import ConfirmScreen, leave_or_ask
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading
from rrp.widgets.measure_fields import MeasureFields


def last_complete_month(today: dt.date) -> dt.date:
    """The 1st of the month before `today`'s."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def step_month(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class MonthEntryScreen(ReportsWorkerErrors, Screen[None]):
    """The monthly measures form for one ward."""

    DEFAULT_CSS = """
    #month-entry { height: 1fr; padding: 0 1; }
    #month-title { height: 1; }
    #month-state { height: auto; color: $text-muted; }
    #month-banner { height: auto; min-height: 1; text-style: bold; margin-top: 1; }
    #month-banner.error { color: $warning; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="month.save"),
        Binding("f2", "save", "Save", id="month.save_f2", show=False),
        Binding("pageup", "previous_month", "Prev month", id="month.previous", priority=True),
        Binding("pagedown", "next_month", "Next month", id="month.next", priority=True),
        Binding("escape", "back", "Back", id="month.back"),
        Binding("enter", "next_field", "Next field", id="month.next_field", show=False, priority=True),
    ]

    def __init__(self, ward_code: str, month: dt.date | None = None) -> None:
        super().__init__()
        self.ward_code = ward_code
        self.requested_month = month
        self.month: dt.date | None = None
        self.ward: Any = None
        self.save_attempted = False
        self.saving = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="month-entry"):
            yield Static("", id="month-title")
            yield Static("", id="month-state")
            yield MeasureFields(id="month-measures")
            yield Static("", id="month-banner")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        start_loading(self.query_one("#month-entry"))
        self.load(self.requested_month or last_complete_month(self.app.today))  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="month-load")
    def load(self, month: dt.date) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        ward = store.registry.ward(self.ward_code)
        measures = [m for m in store.measures.all().active_for(self.ward_code, month)
                    if m.frequency == "monthly" and not m.column_backed and not m.derived]
        values = store.measures.period_values(self.ward_code, month)
        self.app.call_from_thread(self.show_month, ward, month, measures, values)

    async def show_month(self, ward: Any, month: dt.date, measures: list[Any], values: dict[str, Any]) -> None:
        self.ward, self.month = ward, month
        self.save_attempted = False
        stop_loading(self.query_one("#month-entry"))
        if ward is None:
            self.banner(f"Ward {self.ward_code} is not in the registry.", error=True)
            return
        self.query_one("#month-title", Static).update(
            user_text(f"{ward.name} ({ward.code})  month of {month:%B %Y}", "bold")
        )
        fields = self.query_one(MeasureFields)
        await fields.show(measures, values)
        if not measures:
            state = "No monthly measures are switched on for this ward (the measures screen, m, sets them)."
        else:
            entered = sum(1 for m in measures if m.code in values)
            state = f"{entered} of {len(measures)} entered. PgUp/PgDn: another month."
        self.query_one("#month-state", Static).update(state)
        self.banner("")
        inputs = fields.inputs()
        if inputs:
            self.set_focus(inputs[0])

    def banner(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#month-banner", Static)
        banner.update(user_text(message, multi_line=True))
        banner.set_class(error, "error")

    def check(self, *, show_required: bool) -> Any:
        if self.ward is None or self.month is None:
            return None
        return self.query_one(MeasureFields).entered(
            self.ward.code, self.month, today=self.app.today, show_required=show_required  # type: ignore[attr-defined]
        )

    @on(Input.Changed)
    def _changed(self) -> None:
        self.check(show_required=self.save_attempted)

    def action_next_field(self) -> None:
        inputs = self.query_one(MeasureFields).inputs()
        if self.focused not in inputs:
            raise SkipAction()
        position = inputs.index(self.focused)  # type: ignore[arg-type]
        if position == len(inputs) - 1:
            self.action_save()
        else:
            self.set_focus(inputs[position + 1])

    def action_save(self) -> None:
        if self.saving or self.ward is None or self.month is None:
            return
        self.save_attempted = True
        values = self.check(show_required=True)
        if values is None:
            self.banner("Not saved: correct the fields marked above (nothing typed is lost).", error=True)
            return
        if not values:
            self.banner("Nothing to save: no value is entered.")
            return
        self.saving = True
        self.banner("Saving...")
        self.save(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="month-save")
    def save(self, values: list[Any]) -> None:
        from rrp.store import StoreError
        from rrp.store.errors import FieldRefused

        store = self.app.store  # type: ignore[attr-defined]
        try:
            _, stored = store.save_entry(values, today=self.app.today)  # type: ignore[attr-defined]
        except FieldRefused as exc:
            self.app.call_from_thread(self.refused, exc.field, str(exc))
            return
        except StoreError as exc:
            self.app.call_from_thread(self.refused, "", str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so, keep the input
            self.app.call_from_thread(self.refused, "", f"Could not save: {exc}")
            return
        self.app.call_from_thread(self.saved, stored)

    def refused(self, code: str, message: str) -> None:
        self.saving = False
        fields = self.query_one(MeasureFields)
        if code in {m.code for m in fields.measures}:
            fields.error(code, message)
        self.banner(f"Not saved: {message}", error=True)

    def saved(self, stored: dict[str, Any]) -> None:
        self.saving = False
        self.save_attempted = False
        self.query_one(MeasureFields).saved(stored)
        assert self.month is not None
        self.banner(f"Saved {len(stored)} value{'' if len(stored) == 1 else 's'} for {self.month:%B %Y}.")
        self.notify("Month saved", timeout=3)

    # -- moving between months -------------------------------------------------------------

    def _go(self, month: dt.date) -> None:
        if self.query_one(MeasureFields).dirty:
            self.app.push_screen(
                ConfirmScreen("You have unsaved changes to this month. Discard them?"),
                lambda discard: self.load(month) if discard else None,
            )
        else:
            self.load(month)

    def action_previous_month(self) -> None:
        if self.month is not None:
            self._go(step_month(self.month, -1))

    def action_next_month(self) -> None:
        if self.month is None:
            return
        if self.month >= self.app.today.replace(day=1):  # type: ignore[attr-defined]
            self.notify("This is the current month: later months cannot be entered yet.", severity="warning")
            return
        self._go(step_month(self.month, 1))

    def action_back(self) -> None:
        leave_or_ask(self.app, self.query_one(MeasureFields).dirty, "this month", lambda: self.dismiss(None))
