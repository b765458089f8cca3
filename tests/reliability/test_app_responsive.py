"""The app stays responsive while the store works, and a failed save loses nothing typed.

A store call held on purpose inside the save worker must not freeze the event loop: keys typed
meanwhile land in the form and a timer keeps ticking (no clock is read: the test waits for them). A save that fails (the store
refuses, or SQLite reports a full disk) keeps every value on screen and says why in the banner.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from pilot import until
from textual.widgets import Input, Static

from rrp.app import RrpApp
from rrp.store import Store, StoreError, WriteFailed

TODAY = dt.date(2026, 11, 18)
VALUES = {"restraint": "4", "prone_restraint": "1", "seclusion": "2", "rapid_tranquillisation": "0",
          "occupied_bed_days": "90"}


async def open_form(pilot: Any, app: RrpApp) -> Any:
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
    screen = app.screen
    if screen.stored is not None:
        # A first entry (a correction would first ask why): the week is deleted elsewhere, reloaded.
        Store(app.db_path, who="other").weekly.delete(
            screen.ward.code, screen.week_start, reason="test set-up", expected_version=screen.stored.version
        )
        await pilot.press("ctrl+r")
        await until(pilot, lambda: screen.stored is None and screen.ward is not None)
    for name, value in VALUES.items():
        screen.query_one(f"#f-{name}", Input).value = value
    await pilot.pause()
    return screen


def banner(screen: Any) -> str:
    return str(screen.query_one("#week-banner", Static).render())


async def test_ui_responsive_while_a_store_call_is_blocked(demo_db: Path) -> None:
    """The save worker is held inside the store until the test lets it go: while it is held,
    keys typed land and a timer ticks, which a blocked event loop could not do. No clock is read,
    so a busy machine cannot fail the test and a blocked loop cannot pass it (it would hang until
    the wait gives up)."""
    app = RrpApp(demo_db, today=TODAY, who="test")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app)
        original = app.store.weekly.save
        entered = asyncio.Event()
        release = threading.Event()
        loop = asyncio.get_running_loop()

        def held_save(*args: Any, **kwargs: Any) -> Any:
            loop.call_soon_threadsafe(entered.set)
            release.wait(30)
            return original(*args, **kwargs)

        app.store.weekly.save = held_save
        ticks: list[int] = []
        timer = app.set_interval(0.01, lambda: ticks.append(1))
        screen.query_one("#f-note", Input).focus()
        await pilot.press("ctrl+s")
        await asyncio.wait_for(entered.wait(), 10)
        ticked_before = len(ticks)
        try:
            await pilot.press(*"calm")  # typed while the save is held in its worker
            assert screen.query_one("#f-note", Input).value == "calm"
            assert screen.saving
            await until(pilot, lambda: len(ticks) >= ticked_before + 5)
            assert screen.saving  # all of that happened while the store call was running
        finally:
            release.set()
        await until(pilot, lambda: not screen.saving)
        timer.stop()
        assert banner(screen).startswith("Saved week")


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (StoreError("The database refused the change: CHECK constraint failed"), "refused the change"),
        (WriteFailed("The disk holding demo.sqlite is full: nothing was saved."), "is full"),
        (sqlite3.OperationalError("database or disk is full"), "database or disk is full"),
    ],
    ids=["store-error", "write-failed", "raw-sqlite-error"],
)
async def test_failed_save_keeps_the_input_and_says_why(demo_db: Path, error: Exception, shown: str) -> None:
    app = RrpApp(demo_db, today=TODAY, who="test")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_form(pilot, app)
        before = Store(demo_db, create=False).weekly.week(screen.ward_code, screen.week_start)

        def failing_save(*args: Any, **kwargs: Any) -> Any:
            raise error

        app.store.weekly.save = failing_save
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not saved" in banner(screen))
        assert shown in banner(screen)
        assert screen.query_one("#week-banner").has_class("error")
        assert {name: screen.query_one(f"#f-{name}", Input).value for name in VALUES} == VALUES
        assert not screen.saving and screen.dirty
        after = Store(demo_db, create=False).weekly.week(screen.ward_code, screen.week_start)
        assert after == before
