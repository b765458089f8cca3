"""The MDC variation and assurance icons as Rich text in their colours (words, never red/green).

The words, letters and colours themselves live in rrp.reports.icons_text (shared with the command
line); the chart readings come from rrp.reports.reading.
"""

from __future__ import annotations

from rich.text import Text

from rrp.reports.icons_text import (
    assurance_colour,
    assurance_text,
    variation_colour,
    variation_text,
)
from rrp.reports.user_text import user_text


def variation_icon_text(icon: str | None, *, short: bool = False) -> Text:
    """E.g. 'Special cause improvement (low)' in bold improvement blue."""
    return Text(variation_text(icon, short=short), style=f"bold {variation_colour(icon)}")


def assurance_icon_text(icon: str | None) -> Text:
    """E.g. 'Consistently failing the target' in bold concern orange."""
    return Text(assurance_text(icon), style=f"bold {assurance_colour(icon)}")


def reading_rich(sentences: list[str]) -> Text:
    """A chart's plain-English reading (rrp.reports.reading) as one paragraph; the sentence about
    the signal in bold. Plain Text, never markup."""
    text = Text()
    for i, sentence in enumerate(sentences):
        if i:
            text.append(" ")
        text.append_text(user_text(sentence, "bold" if i == 1 else ""))
    return text
