"""Text from a user or a file, shown as text: never rich markup, never a terminal escape sequence.

Ward and provider names, PDSA titles, notes, annotations, change ideas and the cells of an imported
file reach the CLI and the app. Given to rich or Textual as a `str` they are parsed as markup
("[/]" raises, "[link=...]" makes a link, ":smile:" an emoji); printed as they are, an ESC or a C1
control starts an escape sequence (clear the screen, set the window title, a hyperlink). So:

- `visible(text)`: control characters (C0, DEL, C1) and bidi overrides/isolates shown as a visible
  escape (`\\x1b`, `\\u202e`); line breaks and tabs kept where `multi_line`, else spaces.
- `user_text(text, style)`: the one way user text becomes a rich `Text` (never parsed as markup).
- `plain_console(...)`: the CLI's rich Console: every `str` it prints (a line, a table cell, a
  title) is shown as it is, no markup, no emoji codes, control characters made visible.

The models refuse control characters on the way in; this is the defence at display time, for
databases written before that rule or by hand.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROL_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_CONTROL_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: Any, *, multi_line: bool = False) -> str:
    """`text` (anything: str() of it) with every control character shown as a visible escape.

    CR LF and CR count as a line break; in one-line text (a table cell, a tree label, a title) a
    line break or a tab is a space.
    """
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if multi_line:
        return _CONTROL_MULTI_LINE.sub(_escape, text)
    return _CONTROL_ONE_LINE.sub(_escape, text.replace("\n", " ").replace("\t", " "))


def user_text(text: Any, style: str = "", *, multi_line: bool = False) -> Text:
    """User or file text as a rich `Text`: shown literally, whatever brackets, dollars or escapes."""
    return Text(visible(text, multi_line=multi_line), style=style)


class PlainConsole(Console):
    """A rich Console for the CLI: every `str` it is given (printed, a table cell, a title) is shown
    as it is: no markup, no emoji codes, no highlighting, control characters made visible.

    Styled output is built from `Text` (with `user_text` for what users wrote)."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("highlight", False)
        super().__init__(markup=False, emoji=False, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        options["markup"] = False
        options["emoji"] = False
        return super().render_str(visible(text, multi_line=True), **options)


def plain_console(**options: Any) -> Console:
    """The CLI's console (see `PlainConsole`); options as rich's Console (stderr, width...)."""
    return PlainConsole(**options)
