"""The projector theme is readable: WCAG 2 contrast, on the theme's colours and on real screens.

Text (any letter or digit, and the signal shapes and icon letters of the charts) needs at least
4.5:1 against the background it is drawn on (WCAG 1.4.3, AA); other glyphs a chart is read by
(lines, limits, points drawn as braille) at least 3:1 (WCAG 1.4.11, non-text). Left out on
purpose: the track beneath the tabs (the active tab's bar is checked); under a help page, the
screen beneath it, which Textual dims on purpose; disabled buttons and keys (WCAG 1.4.3 exempts
inactive components: dimming is how they say so, and their label says the rest); a glyph drawn
in its own background's colour (nothing is drawn: an unchecked box); and the half-block edges
of a button or field, drawn in the colour of its face (the label on the face is checked).
"""

from __future__ import annotations

import pytest
from pilot import settled, until
from rich.color import Color as RichColor

from rrp.reports.icons_text import SIGNAL_COLOURS, SIGNAL_SHAPES
from rrp.screens.projector import MUTED, PROJECTOR, PROJECTOR_COLOURS, PROJECTOR_THEME

TEXT = 4.5
GRAPHIC = 3.0


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(RichColor.parse(colour).get_truecolor())  # type: ignore[return-value]


def test_contrast_formula_matches_wcag_examples() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast(rgb("#767676"), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast(rgb("#fab428"), (255, 255, 255)) < 2  # MDC's orange on white: unreadable


#: The backgrounds the theme paints text on: the screen, panels, and the table's zebra stripe
#: and hover rows (Textual blends a little foreground into white for them).
BACKGROUNDS = {
    "background": PROJECTOR_THEME.background,
    "surface": PROJECTOR_THEME.surface,
    "panel": PROJECTOR_THEME.panel,
    "zebra/hover": "#f0f0f0",
}


def theme_text_colours() -> dict[str, str]:
    theme = PROJECTOR_THEME
    named = {
        "foreground": theme.foreground,
        "primary": theme.primary,
        "secondary": theme.secondary,
        "accent": theme.accent,
        "warning": theme.warning,
        "error": theme.error,
        "success": theme.success,
        "muted": MUTED,
    }
    named.update({f"variable {k}": v for k, v in theme.variables.items() if k.endswith("foreground") and "block-cursor" not in k})
    named.update({k: v for k, v in theme.variables.items() if k in ("text-muted", "text-disabled")})
    named.update({f"projector version of {old}": new for old, new in PROJECTOR_COLOURS.items()})
    return named


@pytest.mark.parametrize("name", sorted(theme_text_colours()))
def test_every_text_colour_of_the_theme_reads_on_every_background(name: str) -> None:
    colour = theme_text_colours()[name]
    for where, background in BACKGROUNDS.items():
        ratio = contrast(rgb(colour), rgb(background))
        assert ratio >= TEXT, f"{name} {colour} on {where} {background}: {ratio:.2f}:1"


def test_the_cursor_row_and_the_scrollbar_read() -> None:
    variables = PROJECTOR_THEME.variables
    cursor = contrast(rgb(variables["block-cursor-foreground"]), rgb(variables["block-cursor-background"]))
    assert cursor >= TEXT
    # The scrollbar's thumb against its track (Textual: the panel colour) and the screen.
    for background in (PROJECTOR_THEME.panel, PROJECTOR_THEME.background):
        assert contrast(rgb(variables["scrollbar"]), rgb(background)) >= GRAPHIC


def test_every_signal_colour_has_a_readable_projector_version() -> None:
    for kind, colour in SIGNAL_COLOURS.items():
        assert colour in PROJECTOR_COLOURS, kind or "common cause"


# -- real screens, as drawn ---------------------------------------------------------------------

#: Half blocks Textual draws at the ends of a compact button or field, in its face's colour.
EDGES = {"▌", "▐"}
TEXT_GLYPHS = set("".join(SIGNAL_SHAPES.values())) | {"?"}


def is_text(characters: str) -> bool:
    return any(c.isalnum() or c in TEXT_GLYPHS for c in characters)


def low_contrast(app, *, skip: list = (), inside=None) -> list[str]:
    """Each drawn segment of the screen below its threshold: 'ratio fg on bg: text'."""
    from textual.widgets._tabs import Underline

    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    inactive = [*screen.query("*:disabled"), *screen.query("FooterKey.-disabled")]
    skipped = [w.region for w in (*screen.query(Underline), *inactive, *skip)]
    faces = {tuple(rgb(c)) for c in (PROJECTOR_THEME.panel, PROJECTOR_THEME.surface)}
    failures = []
    for y, line in enumerate(update.strips):
        x = 0
        for segment in (segment for strip in line for segment in strip):
            text, style = segment.text, segment.style
            start, x = x, x + len(text)
            if not text.strip() or style is None:
                continue
            if any(r.contains(start, y) for r in skipped):
                continue
            if inside is not None and not inside.contains(start, y):
                continue
            assert style.color is not None and style.bgcolor is not None, (text, style)
            fg, bg = tuple(style.color.get_truecolor()), tuple(style.bgcolor.get_truecolor())
            if style.reverse:
                fg, bg = bg, fg
            if fg == bg or (text.strip() in EDGES and fg in faces):
                continue
            need = TEXT if is_text(text) else GRAPHIC
            ratio = contrast(fg, bg)
            if ratio < need:
                failures.append(f"{ratio:.2f} #{bytes(fg).hex()} on #{bytes(bg).hex()}: {text.strip()[:30]!r}")
    return sorted(set(failures))


async def projector_on(app, pilot) -> None:
    await until(pilot, lambda: app.store is not None)
    await pilot.press("f7")
    await until(pilot, lambda: app.theme == PROJECTOR)
    await settled(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_home_and_huddle_read_on_the_projector(demo_db, make_app, size):
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await projector_on(app, pilot)
        assert not (found := low_contrast(app)), found
        app.open_screen("huddle", ward_code="NVT-ASH")
        await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
        await settled(pilot)
        assert not (found := low_contrast(app)), found


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_dashboard_tab_and_its_help_read_on_the_projector(demo_db, make_app, size):
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await projector_on(app, pilot)
        app.open_screen("dashboard")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        await settled(pilot)
        for tab in ("wards", "aggregate", "completeness", "funnel", "pdsa"):
            await until(pilot, lambda tab=tab: app.screen.query_one("#dash-tabs").active == f"tab-{tab}")
            await settled(pilot)
            assert not (found := low_contrast(app)), (tab, found)
            await pilot.press("f4")
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await settled(pilot)
        # The dashboard beneath is dimmed on purpose: only the help page itself must read.
        assert not (found := low_contrast(app, inside=app.screen.query_one("#help").region)), found


async def test_forms_lists_and_data_screens_read_on_the_projector(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await projector_on(app, pilot)
        screens = (
            ("week_entry", {"ward_code": "NVT-ASH"}),
            ("pdsa_list", {"ward_code": "NVT-ASH"}),
            ("pdsa_edit", {"ward_code": "NVT-ASH"}),
            ("driver_diagram", {}),
            ("progress", {}),
            ("measures", {"ward_code": "NVT-ASH"}),
            ("data_io", {}),
        )
        for name, kwargs in screens:
            app.open_screen(name, **kwargs)
            await until(pilot, lambda: len(app.screen_stack) > 2)
            await settled(pilot)
            assert not (found := low_contrast(app)), (name, "\n".join(found))
            await pilot.press("escape")
            await until(pilot, lambda: len(app.screen_stack) == 2)
