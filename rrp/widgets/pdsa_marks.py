"""PDSA marks for tables and headers: quality letters lit or dim, status and flag text (Rich only)."""

from __future__ import annotations

from rich.text import Text

from rrp.models.pdsa import PdsaStatus, Quality


def quality_marks(quality: Quality) -> Text:
    """P R S D A: each letter bold when the cycle has it, dim lower-case when it does not."""
    text = Text()
    for letter, lit in zip(Quality.LETTERS, quality.marks, strict=True):
        text.append(letter if lit else letter.lower(), style="bold" if lit else "dim")
    return text


def status_text(status: PdsaStatus, *, due: bool = False) -> Text:
    """The status word; 'Study due' in reverse video when a running cycle is due for Study."""
    if due:
        return Text("Study due", style="bold reverse")
    style = {"doing": "bold", "abandoned": "dim strike", "done": "dim"}.get(status.value, "")
    return Text(status.label, style=style)


def flags_text(flags: str) -> Text:
    return Text(flags, style="italic") if flags else Text("")
