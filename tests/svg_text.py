"""Read a Textual SVG screenshot back as lines of text, to explain a snapshot mismatch in CI logs.

The HTML report pytest-textual-snapshot writes is not visible from a CI log; a text diff is.
"""

from __future__ import annotations

import difflib
import html
import re

_TEXT = re.compile(r'<text class="([^"]*)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')


def svg_lines(svg: str, *, styles: bool = False) -> list[str]:
    """The screen's rows, top to bottom; with `styles`, each span tagged with its CSS class."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for css, x, y, text in _TEXT.findall(svg):
        if css == "terminal-title":
            continue
        text = html.unescape(text).replace("\xa0", " ")
        rows.setdefault(float(y), []).append((float(x), f"[{css}]{text}" if styles else text))
    return ["".join(part for _, part in sorted(spans)) for _, spans in sorted(rows.items())]


def svg_diff(expected: str, actual: str) -> str:
    """A unified diff of the text on screen; the styles' diff when only colours changed."""
    for styles in (False, True):
        diff = list(difflib.unified_diff(svg_lines(expected, styles=styles),
                                         svg_lines(actual, styles=styles),
                                         "expected", "actual", lineterm=""))
        if diff:
            return ("" if not styles else "(same text; styles differ)\n") + "\n".join(diff)
    return "(no difference in text or styles: the SVGs differ in markup only)"
