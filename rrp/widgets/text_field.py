"""Inputs for text a person types: which keystroke may replace what is already in the box.

`TextField` is for text a person writes (a title, a note): Textual's Input selects all of its text
when focused (Tab into it), so the next key would replace everything there; `TextField` never
selects on focus, it puts the cursor after the text, so typing adds to it and Backspace edits it.

`DateField` is for a date box, often prefilled (today, the week shown, the day a ward joined): its
date is selected when it is focused, so a date typed replaces the prefilled one whole (a date
cannot be typed "after" another; with a 10-character limit it would be refused, and the old date
kept silently). An arrow key, Home or End keeps the date for editing. It takes only date
characters, so a note typed into it by mistake replaces nothing.
(Count boxes, where typing a new number over the old one is wanted, keep the plain Input.)
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

#: What a date box accepts as it is typed: 16/11/2026, 2026-11-16, 16.11.2026.
DATE_CHARACTERS = r"[0-9/.\-]*"
#: The longest date typed: dd/mm/yyyy or yyyy-mm-dd.
DATE_LENGTH = 10


class TextField(Input):
    """An Input that keeps its text on focus, with the cursor at its end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["select_on_focus"] = False
        super().__init__(*args, **kwargs)

    def on_focus(self, event: events.Focus) -> None:
        self.cursor_position = len(self.value)


class DateField(Input):
    """A one-row date box; typing a date replaces the date shown (selected on focus)."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, max_length=DATE_LENGTH, restrict=DATE_CHARACTERS, compact=True,
                         select_on_focus=True, **kwargs)
