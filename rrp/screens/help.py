"""F1 help: the screen you are on in plain words (its purpose, how to read its chart, its keys),
and, one key further ('m'), how rrp computes everything (data/methods.md).

The help page is a short Rich Text (rrp.screens.help_topics), so it opens at once; the methods
document is long (tables of rules and references) and is rendered as Markdown only when asked
for, after its screen has painted a 'loading' line.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rrp.paths import DATA_DIR
from rrp.screens.help_topics import HelpTopic, help_text


class HelpScreen(ModalScreen[None]):
    """Help for the screen beneath: what it is for, how to read it, its keys; m opens the methods."""

    BINDINGS = [
        Binding("escape,f1,q", "close", "Close", id="help.close"),
        Binding("m", "methods", "Methods", id="help.methods", tooltip="How rrp computes its charts, rules and icons"),
    ]

    def __init__(self, topic: HelpTopic, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.topic = topic
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(self.topic, self.keys), id="help-text")
        yield Footer(compact=True, show_command_palette=False)

    def action_close(self) -> None:
        self.dismiss()

    def action_methods(self) -> None:
        self.app.push_screen(MethodsScreen())


class MethodsScreen(ModalScreen[None]):
    """How rrp computes its charts, rules, icons, funnels and aggregates (data/methods.md)."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="methods.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("Loading the methods...", id="methods-loading")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # After the first paint: the Markdown of the whole document takes a moment to build.
        self.call_after_refresh(self._load)

    async def _load(self) -> None:
        from textual.widgets import Markdown

        path = DATA_DIR / "methods.md"
        source = path.read_text(encoding="utf-8") if path.exists() else "data/methods.md is missing."
        scroll = self.query_one("#help", VerticalScroll)
        await scroll.mount(Markdown(source, id="methods"))
        await self.query_one("#methods-loading").remove()

    def action_close(self) -> None:
        self.dismiss()
