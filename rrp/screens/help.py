"""Help: the keys, and how rrp computes its charts (the conventions in data/methods.md)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from rrp.paths import DATA_DIR

KEYS = """\
# rrp help

**Home**: arrows move between wards, **Enter** logs a week for the highlighted ward.

**Log a week**: type each count and press **Tab** or **Enter** to move on; **Ctrl+S** (or **F2**)
saves; **PgUp/PgDn** step to earlier/later weeks; **Ctrl+G** jumps to the latest missing week;
**Ctrl+R** reloads the stored week; **Esc** goes back (asking first if something is unsaved).

Counts are episodes in the week starting Monday. Prone restraints are included in restraints.
Occupied bed days: the sum of occupied beds at each midnight of the week (at most beds x 7).
**Never type names or NHS numbers**: rrp holds counts only, and refuses text with an NHS number.

**Everywhere**: **F1** this help, **Ctrl+P** the command palette, **Ctrl+Q** quit.
"""


class HelpScreen(ModalScreen[None]):
    """Keys and methods, scrollable; Esc closes."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        methods = DATA_DIR / "methods.md"
        text = KEYS
        if methods.exists():
            text += "\n\n" + methods.read_text(encoding="utf-8")
        with VerticalScroll(id="help"):
            yield Markdown(text)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss()
