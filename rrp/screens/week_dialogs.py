"""The week form's small dialogs: go to the week containing a date, give a reason, read a
week's history.

`GoToWeekScreen` dismisses with the Monday of the week containing the date typed (any day of
the week will do; ISO or UK format, read by the one date parser) or None when cancelled. A date
in a week not yet begun, or before rrp's first week, is refused beside the box, not silently.
`ReasonScreen` dismisses with the reason typed (checked by the model's rules: required, no NHS
number) or None when cancelled. Enter (or Ctrl+S / F2) answers; Escape cancels. `SureScreen` is
the "are you sure?" before saving an unusual value: y saves, n or Escape goes back.
`WeekHistoryScreen` shows a week's history, newest first: who, when (UK local time), each field
before -> after, and why (rrp.reports.corrections reads the audit rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from rrp.messages import day_month
from rrp.models.fields import field_errors
from rrp.models.registry import Ward
from rrp.models.weekly import EARLIEST_WEEK, week_containing
from rrp.reports.user_text import user_text
from rrp.screens.confirm import ConfirmScreen
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.text_field import DateField, TextField

_DIALOG_CSS = """
GoToWeekScreen, ReasonScreen { align: center middle; }
#goto-week, #reason-form {
    width: 64; height: auto; padding: 0 1;
    border: round $primary; background: $surface;
}
#goto-title, #reason-title { text-style: bold; margin-bottom: 1; }
.dialog-label { color: $text-muted; width: 100%; }
#goto-week Input, #reason-form Input { width: 100%; }
WeekHistoryScreen { align: center middle; }
#week-history { width: 90%; max-width: 100; height: 90%; border: round $primary; background: $surface; padding: 0 1; }
#history-title { text-style: bold; margin-bottom: 1; }
#history-scroll { height: 1fr; }
.dialog-keys { color: $text-muted; margin-top: 1; }
"""


class GoToWeekScreen(ModalScreen[dt.date | None]):
    """Go to the week containing a date."""

    DEFAULT_CSS = _DIALOG_CSS
    BINDINGS = [
        Binding("ctrl+s,f2", "go", "Go", id="goto.go", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel", id="goto.cancel"),
    ]

    def __init__(self, *, latest: dt.date) -> None:
        super().__init__()
        #: The Monday of the latest week that can be entered (this week).
        self.latest = latest

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-week"):
            yield Static("Go to the week containing a date", id="goto-title")
            yield Label("Date, any day of the week (dd/mm/yyyy or yyyy-mm-dd)", classes="dialog-label")
            yield DateField(id="goto-date")
            yield Label("", id="e-goto", classes="field-error")
            yield Static("Enter: go    Esc: cancel", classes="dialog-keys")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#goto-date", Input).focus()

    def week(self) -> dt.date | None:
        """The Monday to go to, or None with the reason shown under the box."""
        text = self.query_one("#goto-date", Input).value
        problem = ""
        monday = None
        try:
            monday = week_containing(text, "Date")
        except PydanticCustomError as exc:
            problem = exc.message()
        if monday is not None and monday > self.latest:
            problem = f"The week of {day_month(monday)} has not begun: it cannot be entered yet"
            monday = None
        elif monday is not None and monday < EARLIEST_WEEK:
            problem = f"The week of {day_month(monday)} is before {day_month(EARLIEST_WEEK)}: check the year"
            monday = None
        self.query_one("#e-goto", Label).update(user_text(problem))
        return monday

    @on(Input.Submitted, "#goto-date")
    def _submitted(self) -> None:
        self.action_go()

    def action_go(self) -> None:
        monday = self.week()
        if monday is None:
            self.app.bell()
            return
        self.dismiss(monday)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SureScreen(ConfirmScreen):
    """"Are you sure?" about something unusual: only `y` says yes (Enter does not, so a burst of
    Enters through the form cannot wave an unusual value through)."""

    BINDINGS = [
        Binding("enter", "refuse_enter", show=False),
    ]

    def action_refuse_enter(self) -> None:
        self.app.bell()


class ReasonScreen(ModalScreen[str | None]):
    """Give a reason (for a correction or a deletion)."""

    DEFAULT_CSS = _DIALOG_CSS
    BINDINGS = [
        Binding("ctrl+s,f2", "answer", "OK", id="reason.ok", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel", id="reason.cancel"),
    ]

    def __init__(self, title: str, label: str, check: Callable[[str], str], *, keys: str = "Enter: OK") -> None:
        """`check` returns the reason as it will be kept, or raises ValidationError (shown)."""
        super().__init__()
        self.title_text = title
        self.label_text = label
        self.check = check
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-form"):
            yield Static(user_text(self.title_text, multi_line=True), id="reason-title")
            yield Label(self.label_text, classes="dialog-label")
            yield TextField(id="reason-text", max_length=500, compact=True)
            yield Label("", id="e-reason", classes="field-error")
            yield Static(f"{self.keys}    Esc: cancel", classes="dialog-keys")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#reason-text", Input).focus()

    @on(Input.Submitted, "#reason-text")
    def _submitted(self) -> None:
        self.action_answer()

    def action_answer(self) -> None:
        text = self.query_one("#reason-text", Input).value
        try:
            reason = self.check(text)
        except ValidationError as exc:
            self.query_one("#e-reason", Label).update(user_text("; ".join(field_errors(exc).values())))
            self.app.bell()
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WeekHistoryScreen(ReportsWorkerErrors, ModalScreen[None]):
    """A week's history: who changed it, when, what and why."""

    DEFAULT_CSS = _DIALOG_CSS
    BINDINGS = [
        Binding("escape,f6,q", "close", "Close", id="history.close"),
    ]

    def __init__(self, ward: Ward, week_start: dt.date) -> None:
        super().__init__()
        self.ward = ward
        self.week_start = week_start
        self.lines: list[str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="week-history"):
            yield Static(
                user_text(f"History of the week of {day_month(self.week_start)}, {self.ward.name} ({self.ward.code})"),
                id="history-title",
            )
            with VerticalScroll(id="history-scroll"):
                yield Static("Reading...", id="history-text")
            yield Static("Newest first; times are UK local time.    Esc: close", classes="dialog-keys")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.read()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def read(self) -> None:
        from rrp.reports.corrections import history_lines, week_history

        store = self.app.store  # type: ignore[attr-defined]
        try:
            rows = store.weekly.history(self.ward.code, self.week_start)
            exists = store.weekly.week(self.ward.code, self.week_start) is not None
            lines = history_lines(week_history(rows), exists=exists)
        except Exception as exc:  # noqa: BLE001 - a disk or lock problem: say so
            lines = [f"Could not read the history: {exc}"]
        self.app.call_from_thread(self.show, lines)

    def show(self, lines: list[str]) -> None:
        self.lines = lines
        # Names, notes and reasons are text people typed: shown as text, never markup.
        self.query_one("#history-text", Static).update(user_text("\n".join(lines), multi_line=True))

    def action_close(self) -> None:
        self.dismiss(None)

