"""Who is entering data: asked once per session at a shared PC, recorded in the audit."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from pilot import until

from rrp.app import RrpApp
from rrp.models.annotation import Annotation
from rrp.store import Store


def test_the_name_given_at_start_is_in_the_audit(demo_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("RRP_USER", "")  # not set: the login name is only the suggestion
    monkeypatch.setattr("getpass.getuser", lambda: "wardpc")

    async def run() -> None:
        app = RrpApp(demo_db, ask_who=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: type(app.screen).__name__ == "WhoScreen")
            home = app.screen_stack[-2]
            assert type(home).__name__ == "HomeScreen" and home.rows  # the home table painted first
            assert app.screen.query_one("#who-name").value == "wardpc"
            await pilot.press("end", *" (night)")
            assert app.screen.query_one("#who-name").value == "wardpc (night)"  # typed on, not replaced
            for _ in "wardpc (night)":
                await pilot.press("backspace")
            await pilot.press("enter")  # empty: refused, asked again
            assert type(app.screen).__name__ == "WhoScreen"
            await pilot.press(*"S. Okafor", "enter")
            await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and app.store is not None)
            ward = app.store.registry.wards()[0].code
            app.store.annotations.add(Annotation(ward_code=ward, on_date=dt.date(2026, 11, 16), text="Agency"))

    asyncio.run(run())
    store = Store(demo_db, create=False)
    whos = [r["who"] for r in store.database.query("SELECT who FROM audit WHERE table_name = 'annotation'")]
    store.close()
    assert whos[-1] == "S. Okafor"


def test_not_asked_when_rrp_user_names_the_person(demo_db: Path, monkeypatch) -> None:
    from rrp import app as app_module

    made = []
    monkeypatch.setenv("RRP_USER", "qi-lead")
    monkeypatch.setattr(app_module.RrpApp, "run", lambda self: made.append(self))
    app_module.run_app(demo_db)
    assert made[0].ask_who is False
    monkeypatch.delenv("RRP_USER")
    app_module.run_app(demo_db)
    assert made[1].ask_who is True
