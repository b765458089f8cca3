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


def test_enter_before_the_question_shows_asks_it_first_and_typing_replaces_the_login_name(
    demo_db: Path, monkeypatch
) -> None:
    """The reviewer's fast Enter: the ward list is up, the question not yet shown (it is asked after
    the first paint; here that step is held back, so the window is certain). Enter must ask who is
    entering data before the week form opens, and "JL" typed over the login name is "JL"."""
    from rrp.store import audit

    monkeypatch.setattr("getpass.getuser", lambda: "root")
    monkeypatch.setattr(RrpApp, "prewarm", lambda self: self.first_paint.set())

    async def run() -> tuple[str, dt.date]:
        app = RrpApp(demo_db, ask_who=True, today=dt.date(2026, 11, 18), clock=lambda: "2026-11-18T09:00:00Z")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None and type(app.screen).__name__ == "HomeScreen"
                        and app.screen.rows)
            ward = app.screen.selected_ward()
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "WhoScreen")
            assert not any(type(s).__name__ == "WeekEntryScreen" for s in app.screen_stack)
            assert app.screen.query_one("#who-name").value == "root"
            await pilot.press("J", "L")
            assert app.screen.query_one("#who-name").value == "JL"  # the login name replaced
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
            form = app.screen
            assert form.ward.code == ward
            week, version = form.week_start, form.stored.version
            await pilot.press("tab", "tab", "9", "ctrl+s")
            for _ in range(3):  # an unusual value asks "are you sure?"; a saved week asks why
                await until(pilot, lambda: type(app.screen).__name__ in ("SureScreen", "ReasonScreen")
                            or (app.screen is form and form.stored.version > version))
                if type(app.screen).__name__ == "SureScreen":
                    await pilot.press("y")
                elif type(app.screen).__name__ == "ReasonScreen":
                    await pilot.press(*"late report", "enter")
            await until(pilot, lambda: app.screen is form and form.stored.version > version)
            return ward, week

    ward, week = asyncio.run(run())
    store = Store(demo_db, create=False)
    last = audit.history(store.database, "weekly", f"{ward}/{week.isoformat()}")[-1]
    store.close()
    assert last["who"] == "JL"
