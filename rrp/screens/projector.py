"""The 'projector' theme: light, high contrast, for a learning session's projector or a bright room.

Near-black text on white. The app's colours follow Making Data Count (improvement blue, concern
orange, neither purple, common cause grey: `rrp.reports.icons_text`), but MDC's orange and grey
are pale on white and fade further on a projector. On this theme `ProjectorFilter` swaps each of
them, wherever it is drawn (charts, tables, icons' words), for a darker colour of the same hue
(Okabe-Ito's blue and vermillion for improvement and concern, which stay apart for colour-blind
viewers), and turns 'dim' text (the app's muted notes and keys) into a dark grey instead of
letting the terminal fade it. `$text-muted` is a dark grey too. Shapes and letters still carry
every signal, so nothing depends on colour alone.

The choice is remembered in the database's preferences (`THEME_PREFERENCE`) and applied when the
app starts (see `rrp.app.RrpApp.open_store`).
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter
from textual.theme import Theme

from rrp.reports.icons_text import COMMON_COLOUR, CONCERN_COLOUR, IMPROVEMENT_COLOUR, NEITHER_COLOUR

PROJECTOR = "projector"
#: The preference key the chosen theme is stored under.
THEME_PREFERENCE = "theme"

INK = "#111111"
#: Muted text ($text-muted and 'dim'): dark enough to read on white from the back of a room.
MUTED = "#3d3d3d"
#: MDC's colours -> their projector versions (same meaning, same hue family, darker).
PROJECTOR_COLOURS: dict[str, str] = {
    IMPROVEMENT_COLOUR: "#0060a8",  # blue (Okabe-Ito #0072B2, a little darker)
    CONCERN_COLOUR: "#ad4400",  # vermillion-orange (Okabe-Ito #D55E00, darker: 4.5:1 on the grey panel)
    NEITHER_COLOUR: "#5a3d8a",
    COMMON_COLOUR: "#4a4a4a",
    "#8c8c8c": "#4a4a4a",  # the charts' value line (rrp.widgets.spc_chart.LINE_COLOUR)
}

PROJECTOR_THEME = Theme(
    name=PROJECTOR,
    primary="#0b3d91",
    secondary="#0060a8",
    accent="#ad4400",
    warning="#a34000",
    error="#a00020",
    success="#1b6e20",
    foreground=INK,
    background="#ffffff",
    surface="#ffffff",
    panel="#e8e8e8",
    boost="#00000022",  # input fields: visible on white
    dark=False,
    variables={
        "text-muted": MUTED,
        "text-disabled": "#5c5c5c",  # placeholders, disabled buttons: still readable
        "footer-key-foreground": "#0b3d91",
        "footer-description-foreground": INK,
        "input-cursor-background": INK,
        "block-cursor-background": "#0b3d91",
        "block-cursor-foreground": "#ffffff",
        "input-selection-background": "#d0dbee",  # selected text stays INK on a light blue
        "scrollbar": "#6b6b6b",  # the thumb: 3:1 against its track
    },
)

_SWAPS = {RichColor.parse(old).triplet: RichColor.parse(new) for old, new in PROJECTOR_COLOURS.items()}
_MUTED = RichColor.parse(MUTED)


@lru_cache(4096)
def projector_style(style: Style) -> Style:
    """`style` with MDC's pale colours darkened and 'dim' made a dark grey (see the module doc)."""
    color = style.color
    bgcolor = style.bgcolor
    changed = False
    if color is not None and color.triplet in _SWAPS:
        color, changed = _SWAPS[color.triplet], True
    if bgcolor is not None and bgcolor.triplet in _SWAPS:
        bgcolor, changed = _SWAPS[bgcolor.triplet], True
    if style.dim:
        # Dim default-coloured text becomes the muted grey; dim coloured text keeps its colour.
        if color is None or color.is_default or color.triplet in {(17, 17, 17), (0, 0, 0)}:
            color = _MUTED
        return style + Style(color=color, bgcolor=bgcolor, dim=False)
    return style + Style(color=color, bgcolor=bgcolor) if changed else style


class ProjectorFilter(LineFilter):
    """Applies `projector_style` to every segment; enabled only while the projector theme is on."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.style is None else Segment(segment.text, projector_style(segment.style), segment.control)
            for segment in segments
        ]
