"""The projector theme: switched on by key or palette, remembered between sessions on the same database."""

from __future__ import annotations

from pilot import until
from rich.style import Style

from rrp.reports.icons_text import COMMON_COLOUR, CONCERN_COLOUR
from rrp.screens.projector import (
    MUTED,
    PROJECTOR,
    PROJECTOR_COLOURS,
    THEME_PREFERENCE,
    projector_style,
)
from rrp.store.database import Database
from rrp.store.preferences import PreferenceRepository


async def test_projector_theme_is_remembered_and_restored(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        assert app.theme != PROJECTOR and not app._projector_filter.enabled
        await pilot.press("f7")
        await until(pilot, lambda: app.theme == PROJECTOR)
        assert app._projector_filter.enabled
        await until(pilot, lambda: not any(w.is_running for w in app.workers if w.group == "theme"))
    assert PreferenceRepository(Database(demo_db)).get(THEME_PREFERENCE) == PROJECTOR

    again = make_app(demo_db)
    async with again.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: again.theme == PROJECTOR)
        assert again._projector_filter.enabled
        await pilot.press("f7")  # and off again, remembered too
        await until(pilot, lambda: again.theme != PROJECTOR)
        await until(pilot, lambda: not any(w.is_running for w in again.workers if w.group == "theme"))
    assert PreferenceRepository(Database(demo_db)).get(THEME_PREFERENCE) != PROJECTOR


def test_projector_darkens_grey_and_orange_and_dim() -> None:
    grey = projector_style(Style(color=COMMON_COLOUR))
    assert grey.color.triplet.hex == PROJECTOR_COLOURS[COMMON_COLOUR]
    assert projector_style(Style(color=CONCERN_COLOUR, bold=True)).bold
    dim = projector_style(Style(dim=True))
    assert not dim.dim and dim.color.triplet.hex == MUTED
    plain = Style(color="#111111")
    assert projector_style(plain) is plain


async def test_palette_switches_to_the_projector_theme_by_name(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"projector theme")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == PROJECTOR)
        assert app.get_theme(PROJECTOR) is not None and not app.get_theme(PROJECTOR).dark
