"""A text sparkline for table cells (no Textual needed: it returns a string)."""

from __future__ import annotations

from collections.abc import Sequence

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, scaled to the series' own maximum; None (no data) is a space."""
    present = [v for v in values if v is not None]
    top = max(present, default=0)
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif top <= 0:
            out.append(_BARS[0])
        else:
            out.append(_BARS[min(len(_BARS) - 1, int(value / top * (len(_BARS) - 1) + 0.5))])
    return "".join(out)
