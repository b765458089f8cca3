"""A yes/no question in a modal: `y` or Enter confirms, `n` or Escape cancels.

`leave_or_ask` is the one "you have unsaved changes ... Leave without saving?" of the forms
(week, month, measure): every form that can lose typing on Esc asks through it, the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rrp.reports.user_text import user_text


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that loses work."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("enter", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(user_text(self.question, multi_line=True), id="confirm-question")
            yield Static("y: yes    n / Esc: no", id="confirm-keys")
        yield Footer(compact=True, show_command_palette=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def leave_or_ask(app: App[object], dirty: bool, what: str, leave: Callable[[], object]) -> None:
    """Leave (call `leave`) at once when nothing typed is unsaved; otherwise ask first.

    `what` names what the changes are to, as the question says it: "this week", "this measure".
    """
    if not dirty:
        leave()
        return
    app.push_screen(
        ConfirmScreen(f"You have unsaved changes to {what}. Leave without saving?"),
        lambda yes: leave() if yes else None,
    )
