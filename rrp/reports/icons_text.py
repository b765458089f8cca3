"""The MDC variation and assurance icons in words, and their colours (no Textual, no pandas).

Shared by the huddle screen, the collaborative dashboard and the command line, so every place
says the same words. Colours follow Making Data Count: improvement blue, concern orange, common
cause grey, neither purple; never red or green for a signal.
"""

from __future__ import annotations

#: Hex colours by special-cause class (the ChartResult.points `special_cause` column values).
IMPROVEMENT_COLOUR = "#289de0"
CONCERN_COLOUR = "#fab428"
NEITHER_COLOUR = "#7b5ea7"
COMMON_COLOUR = "#8c8c8c"
SIGNAL_COLOURS: dict[str, str] = {
    "improvement": IMPROVEMENT_COLOUR,
    "concern": CONCERN_COLOUR,
    "neither": NEITHER_COLOUR,
    "": COMMON_COLOUR,
}

#: Point shapes by special-cause class in the terminal charts (the slide pack uses the same shapes:
#: square, triangle, diamond), so a signal's class shows without its colour.
SIGNAL_SHAPES: dict[str, str] = {"improvement": "\u25a0", "concern": "\u25b2", "neither": "\u25c6", "": "\u2022"}
SHAPES_LEGEND = "\u25a0 improvement  \u25b2 concern  \u25c6 neither"

#: The engine's variation icon codes in MDC wording.
VARIATION_WORDS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement_low": "Special cause improvement (low)",
    "improvement_high": "Special cause improvement (high)",
    "concern_low": "Special cause concern (low)",
    "concern_high": "Special cause concern (high)",
    "neither_low": "Special cause neither improvement nor concern (low)",
    "neither_high": "Special cause neither improvement nor concern (high)",
}
#: Said when the engine gives no variation icon (fewer than 13 points in the last segment).
NO_VARIATION_ICON = "No variation icon: fewer than 13 points since the last rebase"

#: The engine's assurance icon codes in MDC wording.
ASSURANCE_WORDS: dict[str, str] = {
    "pass": "Consistently passing the target",
    "fail": "Consistently failing the target",
    "hit_and_miss": "Hit and miss: the target lies within the limits",
}
NO_ASSURANCE_ICON = "No assurance icon"

#: The letters MDC prints inside its icons, so colour is never the only cue: H / L for special
#: cause high / low (any class), P / F / ? for consistently passing / failing / hit and miss.
#: Common cause and "no icon" have no letter.
VARIATION_LETTERS: dict[str, str] = {
    "improvement_high": "H",
    "concern_high": "H",
    "neither_high": "H",
    "improvement_low": "L",
    "concern_low": "L",
    "neither_low": "L",
}
ASSURANCE_LETTERS: dict[str, str] = {"pass": "P", "fail": "F", "hit_and_miss": "?"}
#: The key to the letters, for legends.
LETTERS_LEGEND = "H/L special cause high/low; P pass, F fail, ? hit and miss"


#: Shorter words for narrow panels: the letter before them says high or low.
SHORT_VARIATION_WORDS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement_low": "Special cause improvement",
    "improvement_high": "Special cause improvement",
    "concern_low": "Special cause concern",
    "concern_high": "Special cause concern",
    "neither_low": "Special cause neither",
    "neither_high": "Special cause neither",
}
SHORT_NO_VARIATION_ICON = "No icon: under 13 points"


def variation_letter(icon: str | None) -> str:
    """'H' or 'L' for a special-cause icon, '' for common cause or no icon."""
    return VARIATION_LETTERS.get(icon or "", "")


def assurance_letter(icon: str | None) -> str:
    """'P', 'F' or '?' for an assurance icon, '' when there is none."""
    return ASSURANCE_LETTERS.get(icon or "", "")


def badge(letter: str) -> str:
    """A letter as it is shown beside an icon's words: '[H] ' ('' for no letter).

    Pass the result to Rich as Text, never as a markup string.
    """
    return f"[{letter}] " if letter else ""


def variation_text(icon: str | None, *, short: bool = False) -> str:
    """The variation icon in words; a plain sentence when there is no icon.

    short: at most 31 characters, for narrow panels at 80 columns. Special-cause icons start
    with their MDC letter ('[H] Special cause concern (high)').
    """
    if icon is None:
        return SHORT_NO_VARIATION_ICON if short else NO_VARIATION_ICON
    words = (SHORT_VARIATION_WORDS if short else VARIATION_WORDS).get(icon, icon)
    return badge(variation_letter(icon)) + words


def assurance_text(icon: str | None) -> str:
    """The assurance icon in words after its MDC letter ('[F] Consistently failing the target');
    'No assurance icon' when there is none."""
    if icon is None:
        return NO_ASSURANCE_ICON
    return badge(assurance_letter(icon)) + ASSURANCE_WORDS.get(icon, icon)


def variation_kind(icon: str | None) -> str:
    """'improvement', 'concern', 'neither' or '' (common cause or no icon): the colour key."""
    if not icon:
        return ""
    for kind in ("improvement", "concern", "neither"):
        if icon.startswith(kind):
            return kind
    return ""


def variation_colour(icon: str | None) -> str:
    """The MDC colour of a variation icon (grey for common cause or none)."""
    return SIGNAL_COLOURS[variation_kind(icon)]


def assurance_colour(icon: str | None) -> str:
    """Blue when consistently passing, orange when consistently failing, else grey."""
    return {"pass": IMPROVEMENT_COLOUR, "fail": CONCERN_COLOUR}.get(icon or "", COMMON_COLOUR)


def signal_colour(special_cause: str | None) -> str:
    """The colour of one point from its `special_cause` value ('' or None: common cause grey)."""
    return SIGNAL_COLOURS.get(special_cause or "", COMMON_COLOUR)
