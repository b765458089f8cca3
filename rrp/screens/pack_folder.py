"""Where to write the learning-session pack: a folder prompt opened by the dashboard's `x`.

The folder defaults to `<documents>/rrp-pack-<date>` (platformdirs' user documents folder), never a
folder relative to wherever rrp was started: a relative folder typed here is taken inside the
documents folder, and `~` is the home folder. Enter writes the whole pack (the PowerPoint deck,
the PDF, the PNG/SVG charts and index.html); F2 writes only the highlighted ward's A4 board for
its huddle board; Escape cancels. The screen only asks: the dashboard writes the files in a worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from rrp.reports.user_text import user_text


@dataclass(frozen=True)
class PackRequest:
    """What to write: the folder, and a ward code for only that ward's board (None: the pack)."""

    folder: Path
    ward: str | None = None


def documents_folder() -> Path:
    """The user's documents folder (platformdirs)."""
    from platformdirs import user_documents_dir

    return Path(user_documents_dir())


def default_pack_folder(today: dt.date) -> Path:
    """`<documents>/rrp-pack-<date>`."""
    return documents_folder() / f"rrp-pack-{today.isoformat()}"


def pack_folder(typed: str, today: dt.date) -> Path:
    """The folder for what was typed: blank is the default, `~` the home folder, and a relative
    folder is inside the documents folder (never the folder rrp was started in)."""
    text = typed.strip()
    if not text:
        return default_pack_folder(today)
    path = Path(text).expanduser()
    return path if path.is_absolute() else documents_folder() / path


class PackFolderScreen(ModalScreen[PackRequest | None]):
    """Ask for the pack's folder; Enter the whole pack, F2 the highlighted ward's board."""

    BINDINGS = [
        Binding("enter", "write", "Write pack", id="pack_folder.write"),
        Binding("f2", "board", "Ward board", id="pack_folder.board"),
        Binding("escape", "cancel", "Cancel", id="pack_folder.cancel"),
    ]

    def __init__(self, today: dt.date, ward_code: str | None = None, ward_name: str | None = None) -> None:
        super().__init__()
        self.today = today
        self.ward_code = ward_code
        self.ward_name = ward_name or ward_code

    def compose(self) -> ComposeResult:
        with Vertical(id="pack-folder"):
            yield Static("Write the learning-session pack", id="pack-folder-title")
            yield Static(
                "Into this folder (made if need be; a relative folder is inside your documents folder):",
                id="pack-folder-help",
            )
            yield Input(str(default_pack_folder(self.today)), id="pack-folder-path", compact=True)
            keys = Text("Enter: the deck (PowerPoint), the PDF, the charts and index.html\n")
            if self.ward_code:
                keys.append_text(user_text(f"F2: only {self.ward_name}'s A4 board for its huddle board"))
            else:
                keys.append("F2: a ward's board (highlight a ward first)")
            keys.append("\nEsc: cancel")
            yield Static(keys, id="pack-folder-keys")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#pack-folder-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_write()

    def _folder(self) -> Path:
        return pack_folder(self.query_one("#pack-folder-path", Input).value, self.today)

    def action_write(self) -> None:
        self.dismiss(PackRequest(self._folder()))

    def action_board(self) -> None:
        if not self.ward_code:
            self.notify("Highlight a ward in the table first.", severity="warning")
            return
        self.dismiss(PackRequest(self._folder(), self.ward_code))

    def action_cancel(self) -> None:
        self.dismiss(None)
