"""Choose which measures a view shows: a checklist in a modal (Space ticks, Enter applies,
Escape cancels). The measures and their labels come from the caller (the measure set); nothing
here knows a measure by name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, SelectionList, Static
from textual.widgets.selection_list import Selection

from rrp.reports.user_text import user_text


class MeasureChoice(ModalScreen[list[str] | None]):
    """Tick the measures to show; returns their codes in the offered order (None: cancelled)."""

    BINDINGS = [
        # priority: the list would otherwise take Enter as a tick (Space ticks)
        Binding("enter", "apply", "Show these", id="measure_choice.apply", priority=True),
        Binding("escape", "cancel", "Cancel", id="measure_choice.cancel"),
    ]

    def __init__(self, options: list[tuple[str, str]], shown: list[str]) -> None:
        """options: (label, code) in the order the view shows them; shown: the codes ticked now."""
        super().__init__()
        self.options = options
        self.shown = set(shown)

    def compose(self) -> ComposeResult:
        with Vertical(id="measure-choice"):
            yield Static("Measures shown (Space: tick or untick, Enter: show, Esc: cancel)", id="measure-choice-title")
            yield SelectionList[str](
                *(Selection(user_text(label), code, code in self.shown) for label, code in self.options),
                id="measure-choice-list",
            )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        if not ticked:
            self.notify("Tick at least one measure.", severity="warning", timeout=3)
            return
        self.dismiss([code for _, code in self.options if code in ticked])

    def action_cancel(self) -> None:
        self.dismiss(None)
