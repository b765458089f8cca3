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


async def _help_on(app, pilot) -> str:
    await pilot.press("f1")
    await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
    text = _help_text(app)
    await pilot.press("escape")
    await until(pilot, lambda: type(app.screen).__name__ != "HelpScreen")
    return text


async def test_f1_on_each_dashboard_tab_explains_that_tab_first(demo_db, make_app):
    from rrp.reports.icons_text import ASSURANCE_LETTERS
    from rrp.widgets.completeness import MISSING, SUBMITTED
    from rrp.widgets.funnel_plot import MARKERS

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("dashboard")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        tabs = app.screen.query_one("#dash-tabs")
        seen = {}
        for tab, reading in (
            ("Wards", "How to read this table"),
            ("Aggregate", "How to read this chart"),
            ("Completeness", "How to read this grid"),
            ("Funnel", "How to read this chart"),
            ("PDSA", "What to discuss at the learning session"),
        ):
            await until(pilot, lambda tab=tab: tabs.active == f"tab-{tab.lower()}")
            text = seen[tab] = await _help_on(app, pilot)
            title, first = text.splitlines()[:2]
            assert title == f"Collaborative dashboard: {tab}" and first == reading, (tab, title, first)
            if "How to read" in text:  # then what to discuss, then the tab's purpose
                assert text.index("How to read") < text.index("What to discuss at the learning session") < text.index("This screen")
            await pilot.press("f4")
        for shape in MARKERS.values():
            assert shape in seen["Funnel"]
        assert "above the funnel" in seen["Funnel"] and "for learning together, never a league table" in seen["Funnel"]
        assert "95%" in seen["Funnel"] and "99.8%" in seen["Funnel"]
        for letter in ASSURANCE_LETTERS.values():
            assert f" {letter} " in seen["Wards"]
        assert "imp: special cause improvement" in seen["Wards"] and "var H / L" in seen["Wards"]
        assert SUBMITTED in seen["Completeness"] and f"{MISSING}!" in seen["Completeness"]
        assert "aim" in seen["Aggregate"] and "blue: special cause improvement" in seen["Aggregate"]


async def test_f1_on_the_data_screen_and_the_pdsa_worksheet_follows_the_tab(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("data_io")
        await until(pilot, lambda: type(app.screen).__name__ == "DataIoScreen")
        assert (await _help_on(app, pilot)).startswith("Data in and out: Import")
        await pilot.press("f4")  # the Backup tab
        await until(pilot, lambda: app.screen.query_one("#io-tabs").active == "tab-backup")
        assert (await _help_on(app, pilot)).startswith("Data in and out: Backup\nCopy the whole database")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        app.open_screen("pdsa_edit", ward_code="NVT-ASH")
        await until(pilot, lambda: type(app.screen).__name__ == "PdsaEditScreen")
        await until(pilot, lambda: not app.screen.query_one("#pdsa-tabs").loading)
        await pilot.press("f4")  # the next tab: Plan
        await until(pilot, lambda: app.screen.query_one("#pdsa-tabs").active == "tab-plan")
        text = await _help_on(app, pilot)
        assert text.startswith("PDSA worksheet: Plan") and "prediction" in text
