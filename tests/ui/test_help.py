"""F1 is help for the screen you are on: its purpose and chart key in plain words, its own keys
(read from its BINDINGS), and the methods one key further."""

from __future__ import annotations

from pilot import until

from rrp.reports.icons_text import SIGNAL_SHAPES


def _help_text(app) -> str:
    return str(app.screen.query_one("#help-text").render())


async def test_f1_opens_help_for_the_home_screen_with_its_keys(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        text = _help_text(app)
        assert text.startswith("Wards") and "Log a week for the highlighted ward" in text
        assert "m: methods" in text and "Projector theme" in text  # the app's keys too
        sections = dict(app.key_sections())  # every screen's keys still come from BINDINGS
        assert ("ctrl+s", "Save") in sections["The weekly counts form for one ward"]
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")


async def test_f1_on_the_huddle_explains_the_chart_and_m_opens_the_methods(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("huddle", ward_code="NVT-ASH")
        await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        text = _help_text(app)
        assert text.startswith("Safety huddle")
        assert text.index("How to read this chart") < text.index("What to discuss at the huddle") < text.index("This screen")
        for shape in SIGNAL_SHAPES.values():
            assert shape in text
        assert "blue: special cause improvement" in text and "orange: special cause concern" in text
        assert not app.screen.query("Markdown")  # the methods are rendered only when asked for
        await pilot.press("m")
        await until(pilot, lambda: type(app.screen).__name__ == "MethodsScreen")
        await until(pilot, lambda: bool(app.screen.query("#methods")))
        assert "Anh" in app.screen.query_one("#methods").source
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
