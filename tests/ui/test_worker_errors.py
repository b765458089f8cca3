"""A screen's work that fails reaches the app's one error handler: a plain message on screen, a
line in the error log (type and place, never the message), and no loading dots left for good.

Issue 13's review: on a damaged database the week form showed its loading dots forever and
rrp-errors.log stayed empty.
"""

from __future__ import annotations

import ast
import os
import sqlite3
from pathlib import Path

import pytest
from pilot import until

from rrp.errorlog import LOG_NAME

SCREENS = Path(__file__).resolve().parents[2] / "rrp" / "screens"


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("RRP_LOG_DIR", str(folder))
    return folder


def screen_text(app) -> str:
    from svg_text import svg_lines

    return " ".join(" ".join(svg_lines(app.export_screenshot())).split())


async def test_a_database_damaged_after_opening_is_reported_on_the_week_form(demo_db, make_app, logs):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and type(app.screen).__name__ == "HomeScreen"
                    and app.screen.rows)
        size = demo_db.stat().st_size
        with open(demo_db, "r+b") as damaged:  # every page after the first overwritten
            damaged.seek(4096)
            damaged.write(os.urandom(size - 4096))
            damaged.seek(24)  # the file change counter: the open connection reads the pages again
            damaged.write(b"\xff\xff\xff\xff")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "FailureScreen")
        assert "The database could not be read or written" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen")
        assert not app.screen.query_one("#week-form").loading  # no dots left for good
    text = (logs / LOG_NAME).read_text()
    assert "DatabaseError" in text and "[app, WeekEntryScreen]" in text


async def test_a_store_call_that_raises_is_shown_and_logged_without_its_message(
    demo_db, make_app, logs, monkeypatch
):
    def broken(self, ward_code, week_start):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr("rrp.store.weekly.WeeklyRepository.week", broken)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("week_entry", ward_code="NVT-ASH")
        await until(pilot, lambda: type(app.screen).__name__ == "FailureScreen")
        shown = " ".join(str(app.screen.query_one("#failure-message").render()).split())
        assert shown.startswith("The database could not be read or written: database disk image is malformed.")
        assert "error log" in shown
        assert "Something went wrong" in screen_text(app) and "malformed" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen")
        assert not app.screen.query_one("#week-form").loading
    log = (logs / LOG_NAME).read_text()
    assert "sqlite3.DatabaseError at rrp/" in log and "[app, WeekEntryScreen]" in log
    assert "malformed" not in log  # the log names the type and place only


def screens_with_workers() -> list[tuple[str, ast.ClassDef]]:
    """Every class in rrp/screens with a method decorated @work (a worker of its own)."""
    found = []
    for path in sorted(SCREENS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                decorators = getattr(item, "decorator_list", [])
                names = [d.func if isinstance(d, ast.Call) else d for d in decorators]
                if any(isinstance(n, ast.Name) and n.id == "work" for n in names):
                    found.append((path.name, node))
                    break
    return found


def test_every_screen_with_a_worker_hands_its_failures_to_the_app() -> None:
    classes = screens_with_workers()
    assert len(classes) >= 15
    missing = [f"{file}:{cls.name}" for file, cls in classes
               if not any(isinstance(b, ast.Name) and b.id == "ReportsWorkerErrors" for b in cls.bases)]
    assert not missing, f"mix in rrp.screens.worker_errors.ReportsWorkerErrors: {missing}"
