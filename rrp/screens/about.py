"""About rrp (F9): what a ward's IT support needs to help.

The version, the database file, the error log file, the schema version and the Python and
Textual versions, each on its own line, so they can be read out over the phone or copied.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rrp.reports.user_text import user_text


def about_lines(db_path: Path) -> list[tuple[str, str]]:
    """(label, value) for each line of the About screen."""
    from importlib.metadata import version

    from rrp import __version__
    from rrp.errorlog import log_path
    from rrp.store.schema import SCHEMA_VERSION

    return [
        ("rrp version", __version__),
        ("Database", str(Path(db_path).resolve())),
        ("Error log", str(log_path())),
        ("Schema version", str(SCHEMA_VERSION)),
        ("Python", f"{platform.python_version()} ({sys.platform})"),
        ("Textual", version("textual")),
    ]


class AboutScreen(ModalScreen[None]):
    """About rrp: version, database and log file, for IT support."""

    BINDINGS = [Binding("escape,enter,f9", "close", "Close", id="about.close")]

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path

    def compose(self) -> ComposeResult:
        lines = about_lines(self.db_path)
        width = max(len(label) for label, _ in lines)
        text = Text()
        for label, value in lines:
            text.append(f"{label:<{width}}  ", "bold")
            text.append_text(user_text(value))  # a path is the user's text: never markup
            text.append("\n")
        text.append(
            "\nThe error log records what failed and where (never notes, names or numbers): "
            "send it to IT support with what you were doing."
        )
        with Vertical(id="about"):
            yield Static("About rrp", id="about-title")
            yield Static(text, id="about-text")
        yield Footer(compact=True, show_command_palette=False)

    def action_close(self) -> None:
        self.dismiss(None)
