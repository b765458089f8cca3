"""Snapshot of the collaborative dashboard at 120x40 (fixed dates, fixed seed)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from rrp.app import RrpApp
from rrp.store import Store

TODAY = dt.date(2026, 11, 25)  # the last complete week is the demo's last, Mon 16 Nov


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rrp.synthetic import build_demo

    path = tmp_path_factory.mktemp("dash-snap") / "demo.sqlite"
    store = Store(path, who="test", clock=lambda: "2026-11-18T09:00:00Z")
    build_demo(store, end=dt.date(2026, 11, 16))
    store.close()
    return path


def test_dashboard_120x40(snap_compare, demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "snap.sqlite"
    shutil.copy(demo_db, db)
    app = RrpApp(db, today=TODAY, who="test", clock=lambda: "2026-11-18T09:00:00Z")

    async def run_before(pilot) -> None:
        for _ in range(200):
            if app.store is not None and app.screen.query("#wards"):
                break
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("c")
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if getattr(app.screen, "view", None) is not None:
                break
            await pilot.pause(0.05)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
