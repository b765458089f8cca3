"""Snapshots at 80x24 of the PDSA list and editor on the fixed-date seeded demo database.

Regenerate (after a deliberate change) with:
    .venv/bin/python -m pytest tests/ui/test_pdsa_snapshots.py --snapshot-update
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from rrp.app import RrpApp
from rrp.store import Store

TODAY = dt.date(2026, 11, 23)  # the demo's "today": the Monday after its last week
CLOCK = "2026-11-18T09:00:00Z"
WARD = "NVT-BIRCH"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rrp.synthetic import build_demo

    path = tmp_path_factory.mktemp("pdsa-snap") / "demo.sqlite"
    store = Store(path, who="demo", clock=lambda: CLOCK)
    build_demo(store, end=dt.date(2026, 11, 16))
    store.close()
    return path


@pytest.fixture
def app(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RrpApp:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    target = tmp_path / "snap.sqlite"
    shutil.copy(demo_db, target)
    return RrpApp(target, today=TODAY, who="nurse", clock=lambda: CLOCK)


async def _settle(pilot, condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            break
        await pilot.pause(0.05)
    await pilot.pause(0.2)


async def _open_list(pilot) -> None:
    app = pilot.app
    await _settle(pilot, lambda: app.store is not None)
    app.open_screen("pdsa_list", ward_code=WARD)
    await _settle(pilot, lambda: bool(getattr(app.screen, "rows", None)))


def test_pdsa_list_80x24(snap_compare, app: RrpApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open_list)


def test_pdsa_editor_80x24(snap_compare, app: RrpApp) -> None:
    async def open_editor(pilot) -> None:
        await _open_list(pilot)
        await pilot.press("enter")  # the first row: the cycle due for Study
        await _settle(pilot, lambda: getattr(pilot.app.screen, "loaded", False))

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_editor)
