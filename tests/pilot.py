"""Helpers for Pilot tests (a module with a unique name, importable from any test folder)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 20.0) -> None:
    """Let the app (and its workers) run until `condition()` is true.

    The timeout is generous on purpose: CI runs two test processes on two cores, and a busy
    machine must not turn a correct app into a failed test.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)
    await pilot.pause()


async def settled(pilot: Any, timeout: float = 20.0) -> None:
    """Wait until no worker is running (store, screen loads, the pre-import) and the screen has
    repainted: what a snapshot needs so that nothing can change between ready and capture."""
    from textual.widgets import DataTable

    app = pilot.app

    def quiet() -> bool:
        # A DataTable measures new rows' column widths only when it next idles; until then its
        # columns are as wide as their labels (`_require_update_dimensions` is Textual's own flag).
        tables = app.screen.query(DataTable)
        return not any(worker.is_running for worker in app.workers) and not any(
            table._require_update_dimensions for table in tables
        )

    await until(pilot, quiet, timeout)
    await pilot.pause(0.05)
    await until(pilot, quiet, timeout)


def confirm_week(db: Any, week: Any, *, at: str, wards: Any = None) -> None:
    """Test set-up: save `week` again, unchanged, with the clock at `at` (an ISO UTC time after
    the week ended), for `wards` (None: every ward that has it), as a ward confirming a week it
    entered before it ended (rrp.models.week_status). The demo saves its last week mid-week."""
    import datetime as dt

    from rrp.store import Store

    store = Store(db, create=False, who="set-up", clock=lambda: at)
    try:
        codes = wards if wards is not None else [w.code for w in store.registry.wards()]
        for code in codes:
            saved = store.weekly.week(code, week)
            if saved is not None:
                store.weekly.save(saved.counts, expected_version=saved.version, today=dt.date.fromisoformat(at[:10]))
    finally:
        store.close()
