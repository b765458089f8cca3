"""Plotext's coloured output as rich Text, the same as `Text.from_ansi` but several times faster.

A chart is a few thousand colour changes. `Text.from_ansi` parses every escape code afresh; a chart
repeats the same few, so this decoder works each (style, code) transition out once, with rich's
own decoder, and reuses it. Anything other than colour codes (SGR) goes to `Text.from_ansi`.
"""

from __future__ import annotations

import re

from rich.ansi import AnsiDecoder
from rich.style import Style
from rich.text import Text

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_transitions: dict[tuple[Style, str], Style] = {}


def _after(style: Style, codes: str) -> Style:
    """The style rich's decoder would hold after `ESC [ codes m`, starting from `style`."""
    key = (style, codes)
    found = _transitions.get(key)
    if found is None:
        decoder = AnsiDecoder()
        decoder.style = style
        decoder.decode_line(f"\x1b[{codes}m")
        found = _transitions[key] = decoder.style
        if len(_transitions) > 4096:  # many distinct colours: start again rather than grow
            _transitions.clear()
    return found


def text_from_ansi(ansi: str) -> Text:
    """`Text.from_ansi(ansi)` for text whose only escapes are colour codes (plotext's output)."""
    if "\r" in ansi or "\x1b]" in ansi:
        return Text.from_ansi(ansi)
    style = Style.null()
    lines = []
    for raw in re.split(r"(?<=\n)", ansi):
        line = Text()
        append = line.append
        parts = _SGR.split(raw.rstrip("\n"))
        # parts alternate: text, codes, text, codes, ..., text
        for i, part in enumerate(parts):
            if i % 2:
                style = _after(style, part)
            elif part:
                if "\x1b" in part:
                    return Text.from_ansi(ansi)
                append(part, style or None)
        lines.append(line)
    return Text("\n", end="\n", tab_size=8).join(lines)
