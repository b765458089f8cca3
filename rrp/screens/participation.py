"""Set the day a ward joined the collaborative (its participation start), from the home screen.

Weeks before the week holding that day are never due or missing and never count against
completeness (rrp.models.week_status). The dialog dismisses with a `ParticipationAnswer` (the
date typed, or None when the box was emptied: the ward always took part) or None when cancelled.
Enter (or Ctrl+S / F2) answers; Escape cancels. Dates are read by the one date parser (ISO or UK).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic_core import PydanticCustomError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from rrp.messages import day_month
from rrp.models.registry import optional_date
from rrp.reports.user_text import user_text
from rrp.widgets.text_field import DateField

_CSS = """
ParticipationScreen { align: center middle; }
#participation {
    width: 64; height: auto; padding: 0 1;
    border: round $primary; background: $surface;
}
#participation-title { text-style: bold; margin-bottom: 1; }
#participation .dialog-label { color: $text-muted; width: 100%; }
#participation Input { width: 100%; }
#participation .dialog-keys { color: $text-muted; margin-top: 1; }
"""


@dataclass(frozen=True)
class ParticipationAnswer:
    """The participation start chosen: a date, or None (the ward always took part)."""

    start: dt.date | None


class ParticipationScreen(ModalScreen[ParticipationAnswer | None]):
    """Ask for the day a ward joined the collaborative."""

    DEFAULT_CSS = _CSS
    BINDINGS = [
        Binding("ctrl+s,f2", "answer", "Set", id="participation.set", key_display="^S/F2", priority=True),
        Binding("escape", "cancel", "Cancel", id="participation.cancel"),
    ]

    def __init__(self, ward_name: str, current: dt.date | None) -> None:
        super().__init__()
        self.ward_name = ward_name
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="participation"):
            yield Static(user_text(f"When did {self.ward_name} join the collaborative?"), id="participation-title")
            yield Label(
                "Date (dd/mm/yyyy or yyyy-mm-dd); empty: it always took part. Earlier weeks are "
                "never due or missing.",
                classes="dialog-label",
            )
            shown = "" if self.current is None else self.current.strftime("%d/%m/%Y")
            yield DateField(shown, id="participation-date")
            yield Label("", id="e-participation", classes="field-error")
            yield Static("Enter: set    Esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#participation-date", Input).focus()

    @on(Input.Submitted, "#participation-date")
    def _submitted(self) -> None:
        self.action_answer()

    def action_answer(self) -> None:
        text = self.query_one("#participation-date", Input).value
        try:
            start = optional_date(text)
        except PydanticCustomError as exc:
            self.query_one("#e-participation", Label).update(user_text(exc.message()))
            self.app.bell()
            return
        self.dismiss(ParticipationAnswer(start))

    def action_cancel(self) -> None:
        self.dismiss(None)


def participation_text(start: dt.date | None) -> str:
    """How the home screen reports a participation start just set."""
    return "always took part" if start is None else f"took part from {day_month(start)}"
