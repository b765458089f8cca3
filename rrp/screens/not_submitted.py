"""The wards that have not submitted last week, from the dashboard (`u`), with a key to copy them.

The list is `rrp.reports.dashboard.not_submitted_text` (the dashboard's filters, the wards that
took part in the last complete week and have no entry for it: rrp.models.week_status), the same
text `rrp report collaborative` prints. `c` copies it to the clipboard (the terminal's OSC 52;
a terminal that refuses it leaves the list on screen to read); Esc or Enter closes.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rrp.reports.user_text import user_text

_CSS = """
NotSubmittedScreen { align: center middle; }
#not-submitted {
    width: 72; max-width: 100%; height: auto; max-height: 90%; padding: 0 1;
    border: round $primary; background: $surface;
}
#not-submitted-list { height: auto; max-height: 16; }
#not-submitted-keys { color: $text-muted; margin-top: 1; }
"""


class NotSubmittedScreen(ModalScreen[None]):
    """The not-submitted list, readable and copyable."""

    DEFAULT_CSS = _CSS
    BINDINGS = [
        Binding("c", "copy", "Copy list", id="not_submitted.copy"),
        Binding("escape,enter", "close", "Close", id="not_submitted.close"),
    ]

    def __init__(self, text: str, count: int) -> None:
        super().__init__()
        self.text = text
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(id="not-submitted"):
            with VerticalScroll(id="not-submitted-list"):
                yield Static(user_text(self.text, multi_line=True), id="not-submitted-text")
            yield Static("c: copy the list    Esc: close", id="not-submitted-keys")
        yield Footer(compact=True, show_command_palette=False)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        wards = f"{self.count} ward{'' if self.count == 1 else 's'}"
        self.notify(f"Copied the list ({wards}) to the clipboard.", timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)
