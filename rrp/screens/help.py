"""Help: the keys, and how rrp computes its charts (the conventions in data/methods.md)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

from rrp.paths import DATA_DIR

INTRO = """\
# rrp help

Counts are episodes in the week starting Monday. Prone restraints are included in restraints.
Occupied bed days: the sum of occupied beds at each midnight of the week (at most beds x 7).
**Never type names or NHS numbers**: rrp holds counts only, and refuses text with an NHS number.

Logging a week: on the home screen highlight the ward and press **Enter**; type each count and
press **Tab** (or **Enter**) to move on; bed days are pre-filled from last week; **Ctrl+S** (or
**F2**) saves. **Esc** goes back (asking first if something typed is not saved).

Measures: on the home screen **m** opens the measures (the collaborative's, and the highlighted
ward's own): **a** adds one for every ward, **w** one that only the ward sees, **Enter** edits,
**t** switches one on or off. Switched-on weekly measures follow the core counts in the week form
(a proportion is two numbers: how many *of* how many; blank means not entered, never zero); the
focused measure's definition shows beneath. **M** (Shift+M) logs the ward's monthly measures.

**Ctrl+P** opens the command palette: for example *Theme* switches to a light theme, which reads
better on a projector.
"""

#: (screen title, [(keys, what they do)]) sections, built from each screen's BINDINGS.
KeySections = list[tuple[str, list[tuple[str, str]]]]


def keys_markdown(sections: KeySections) -> str:
    """The key tables, one per screen, as Markdown."""
    blocks = ["## Keys"]
    for title, keys in sections:
        if keys:
            rows = "\n".join(f"| `{key}` | {action} |" for key, action in keys)
            blocks.append(f"### {title}\n\n| keys | action |\n|---|---|\n{rows}")
    return "\n\n".join(blocks)


class HelpScreen(ModalScreen[None]):
    """Keys and methods, scrollable; Esc closes."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help.close")]

    def __init__(self, sections: KeySections | None = None) -> None:
        super().__init__()
        self.sections = sections or []

    def compose(self) -> ComposeResult:
        methods = DATA_DIR / "methods.md"
        text = INTRO + "\n" + keys_markdown(self.sections)
        if methods.exists():
            text += "\n\n" + methods.read_text(encoding="utf-8")
        with VerticalScroll(id="help"):
            yield Markdown(text)
        yield Footer(compact=True, show_command_palette=False)

    def action_close(self) -> None:
        self.dismiss()
