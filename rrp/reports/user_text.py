"""Text from a user or a file, shown as text: never rich markup, never a terminal escape sequence.

Ward and provider names, PDSA titles, notes, annotations, change ideas and the cells of an imported
file reach the CLI and the app. Given to rich or Textual as a `str` they are parsed as markup
("[/]" raises, "[link=...]" makes a link, ":smile:" an emoji); printed as they are, an ESC or a C1
control starts an escape sequence (clear the screen, set the window title, a hyperlink). So:

- `visible(text)`: control characters (C0, DEL, C1) and bidi overrides/isolates shown as a visible
  escape (`\\x1b`, `\\u202e`); line breaks and tabs kept where `multi_line`, else spaces; the
  digits of an NHS number shown as '*'.
- `user_text(text, style)`: the one way user text becomes a rich `Text` (never parsed as markup).
- `plain_console(...)`: the CLI's rich Console: every `str` it prints (a line, a table cell, a
  title) is shown as it is, no markup, no emoji codes, control characters made visible.

The models refuse control characters on the way in; this is the defence at display time, for
databases written before that rule or by hand.
"""

from __future__ import annotations

import codecs
import re
import sys
from typing import IO, Any

from rich.console import Console
from rich.text import Text

from rrp.models.nhs_number import redact_nhs_numbers

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
    # Nothing rrp shows repeats an NHS number, whatever carried it (a refused cell quoted in a
    # message, a ward code typed on the command line, a database written before the guard).
    text = redact_nhs_numbers(text.replace("\r\n", "\n").replace("\r", "\n"))
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


class TerminalWriter:
    """A binary stream for a terminal: what is written (UTF-8) reaches it with every control
    character made visible, as `visible` does, line breaks and tabs kept.

    For `rrp export KIND -` on a terminal: the CSV stays faithful in a file or a pipe, but a name
    stored with an escape sequence (a database written before the models refused them) must not
    drive the terminal. Decoding is incremental, so a character split across writes is whole.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def write(self, data: bytes) -> int:
        text = self._pending + self._decoder.decode(bytes(data))
        # A CR at the end may be the first half of a CR LF: keep it for the next write.
        text, self._pending = (text[:-1], "\r") if text.endswith("\r") else (text, "")
        self._raw.write(visible(text, multi_line=True).encode("utf-8"))
        return len(data)

    def flush(self) -> None:
        tail = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        if tail:
            self._raw.write(visible(tail, multi_line=True).encode("utf-8"))
        self._raw.flush()


def on_terminal() -> bool:
    """Is standard output a terminal (not a file or a pipe)?"""
    return sys.stdout.isatty()


def screen_stream(out: Any) -> Any:
    """`out` unchanged, except '-' on a terminal: a TerminalWriter over standard output."""
    if str(out) == "-" and on_terminal():
        return TerminalWriter(sys.stdout.buffer)
    return out
