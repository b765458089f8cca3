"""What went wrong, in plain words, when a screen's work failed (RrpApp.worker_failed shows it).

A modal, so it cannot be missed or time out before it is read (a notification can); Esc or Enter
closes it and leaves the screen beneath as it was. The text never comes from what was typed: see
`rrp.app.failure_message`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rrp.reports.user_text import user_text


class FailureScreen(ModalScreen[None]):
    """Something went wrong: what, and where the details are."""

    DEFAULT_CSS = """
    FailureScreen { align: center middle; }
    #failure { width: 64; max-width: 100%; height: auto; padding: 1 2; border: thick $warning; background: $surface; }
    #failure-title { text-style: bold; margin-bottom: 1; }
    #failure-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="failure.close"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="failure"):
            yield Static("Something went wrong", id="failure-title")
            yield Static(user_text(self.message, multi_line=True), id="failure-message")
            yield Static("Esc: close", id="failure-keys")
        yield Footer(compact=True, show_command_palette=False)

    def action_close(self) -> None:
        self.dismiss(None)
