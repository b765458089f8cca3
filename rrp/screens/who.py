"""Who is entering data? Asked once per session at a shared PC, on top of the home screen.

The name goes into every audit row and `updated_by` of this session. It is remembered for the
session only (the next person at the same PC is asked again), prefilled with the login name,
selected, so typing a name replaces it.
Enter accepts; Esc keeps the prefilled name. Not asked when RRP_USER is set (a PC set up for one
person) or when the app is given a `who` (tests, scripts).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from rrp.reports.user_text import user_text

#: The longest name kept (audit rows show it in one line).
WHO_MAX = 60


def who_problem(name: str) -> str | None:
    """Why `name` cannot name the person entering data, or None when it can."""
    if not name.strip():
        return "Type your name (or initials): it is recorded with every change you make."
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "A name is one line of text."
    return None


class WhoScreen(ModalScreen[str]):
    """Ask who is entering data; dismisses with the name."""

    BINDINGS = [
        Binding("escape", "keep", "Keep this name", id="who.keep"),
    ]

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="who"):
            yield Static("Who is entering data?", id="who-title")
            yield Label("Your name or initials, recorded with each change this session", classes="annotation-label")
            # The login name is selected (Textual's Input selects on focus): typing replaces it, so
            # "JL" typed gives "JL", not "rootJL"; Enter keeps it.
            yield Input(self.default[:WHO_MAX], id="who-name", max_length=WHO_MAX, compact=True)
            yield Label("", id="e-who", classes="field-error")
            yield Static("Enter: continue    Esc: keep the name shown", id="who-keys")

    def on_mount(self) -> None:
        self.query_one("#who-name", Input).focus()

    @on(Input.Submitted, "#who-name")
    def _entered(self) -> None:
        name = self.query_one("#who-name", Input).value
        problem = who_problem(name)
        if problem:
            self.query_one("#e-who", Label).update(user_text(problem))
            self.app.bell()
            return
        self.dismiss(name.strip())

    def action_keep(self) -> None:
        self.dismiss(self.default)
