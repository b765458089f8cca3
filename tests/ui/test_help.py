"""F1 shows every screen's keys, read from the bindings, and the methods."""

from __future__ import annotations

from pilot import until


async def test_help_lists_every_screens_keys(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        sections = dict(app.key_sections())
        assert ("ctrl+s", "Save") in sections["The weekly counts form for one ward"]
        assert any(title.startswith("One ward's huddle") for title in sections)
        markdown = app.screen.query_one("Markdown")
        assert "Log a week" in markdown.source and "Anh" in markdown.source  # keys and methods.md
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
