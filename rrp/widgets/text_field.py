"""An input for text a person types, where nothing typed is replaced by one keystroke by surprise.

Textual's Input selects all of its text when it is focused (Tab into it), so the next key
replaces everything there: a prefilled date, a title, a name. `TextField` never selects on
focus; it puts the cursor after the text, so typing adds to it and Backspace edits it.
(Count boxes, where typing a new number over the old one is wanted, keep the plain Input.)
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input


class TextField(Input):
    """An Input that keeps its text on focus, with the cursor at its end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["select_on_focus"] = False
        super().__init__(*args, **kwargs)

    def on_focus(self, event: events.Focus) -> None:
        self.cursor_position = len(self.value)
