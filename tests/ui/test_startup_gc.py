"""The garbage collector waits while the first screen loads, and runs again once it has painted,
or the database failed to open, or the app left (RrpApp.on_load)."""

from __future__ import annotations

import gc

from pilot import until
from textual.widgets import DataTable

from rrp.screens.home import HomeScreen


async def test_paused_while_the_home_table_loads_and_running_once_it_has_painted(demo_db, make_app, monkeypatch):
    seen: list[bool] = []
    mount = HomeScreen.on_mount
    monkeypatch.setattr(HomeScreen, "on_mount", lambda self: (seen.append(gc.isenabled()), mount(self)))
    assert gc.isenabled()
    app = make_app(demo_db)
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.screen.query_one("#wards", DataTable).row_count > 0 and app.first_paint.is_set())
        assert seen == [False]  # paused while the screen was built and filled
        assert gc.isenabled()  # and running again after the first paint
    assert gc.isenabled()


async def test_running_again_when_the_database_cannot_be_opened(tmp_path, make_app):
    not_a_database = tmp_path / "notes.sqlite"
    not_a_database.write_text("these are notes, not a database")
    app = make_app(not_a_database)
    async with app.run_test() as pilot:
        await until(pilot, lambda: "not an rrp database" in str(app.screen.query_one("#home-status").render()))
        assert gc.isenabled()
    assert gc.isenabled()


async def test_running_again_when_the_app_leaves_before_the_first_paint(demo_db, make_app, monkeypatch):
    monkeypatch.setattr(HomeScreen, "request_load", lambda self, fresh=False: None)  # never fills
    app = make_app(demo_db)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not gc.isenabled()
    assert gc.isenabled()
