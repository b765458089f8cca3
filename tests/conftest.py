"""Shared fixtures: a synthetic collaborative built once per session, copied per test.

Dates are fixed (the demo ends on Monday 16 Nov 2026; "today" is Wednesday 18 Nov 2026) and the
clock that stamps rows is fixed, so screens and snapshots are deterministic.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

TODAY = dt.date(2026, 11, 18)
DEMO_END = dt.date(2026, 11, 16)
CLOCK = "2026-11-18T09:00:00Z"


@pytest.fixture(autouse=True)
def _error_log_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors the tests provoke are logged in a temporary folder, never the user's data folder; rrp's
    cache is kept in one too."""
    if "RRP_LOG_DIR" not in os.environ:
        monkeypatch.setenv("RRP_LOG_DIR", str(tmp_path_factory.getbasetemp() / "logs"))
    if "RRP_CACHE_DIR" not in os.environ:  # rrp's cache (rrp.paths.cache_dir) too
        monkeypatch.setenv("RRP_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool], request: pytest.FixtureRequest) -> Callable[..., bool]:
    """pytest-textual-snapshot's `snap_compare`, printing a text diff of the screen on a mismatch,
    with the text cursor steady (not blinking) when the screenshot is taken.

    The plugin's HTML report cannot be read from a CI log; this can.
    """
    import pickle

    from pytest_textual_snapshot import node_to_report_path
    from svg_text import svg_diff

    def compare(*args: object, **kwargs: object) -> bool:
        run_before = kwargs.get("run_before")

        async def steady_cursor(pilot: object) -> None:
            """After the test's own steps: the text cursor shown and still. A blinking cursor is
            on or off at whatever moment the screenshot is taken, and the SVG differs with it."""
            from textual.widgets import Input, TextArea

            if run_before is not None:
                await run_before(pilot)  # type: ignore[operator]
            app = pilot.app  # type: ignore[attr-defined]
            for widget in app.screen.query("Input, TextArea"):
                if isinstance(widget, Input | TextArea):
                    widget.cursor_blink = False
            await pilot.pause()  # type: ignore[attr-defined]

        kwargs["run_before"] = steady_cursor
        result = snap_compare(*args, **kwargs)
        if not result:
            data = pickle.loads(node_to_report_path(request.node).read_bytes())
            print("Snapshot mismatch, screen text:\n" + svg_diff(data[1], data[2]))
        return result

    return compare


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The throwaway PostgreSQL server `make test` started (scripts/with_pg.sh), as a URL.

    Skips when there is none (a machine without PostgreSQL), except under CI=true, where a
    missing server is a failure: CI always runs both engines.
    """
    url = os.environ.get("RRP_TEST_PG_URL")
    if not url:
        reason = "no PostgreSQL server: RRP_TEST_PG_URL is unset (`make test` starts one when initdb is installed)"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped afterwards), as a URL."""
    import uuid

    import psycopg

    name = f"rrp_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield pg_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_db(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a test's new database lives, once per engine: an SQLite file path, a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "rrp.sqlite"
    return request.getfixturevalue("pg_database")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rrp.store import Store
    from rrp.synthetic import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store(path, who="demo", clock=lambda: CLOCK)
    build_demo(store, end=DEMO_END)
    store.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo collaborative for one test."""
    target = tmp_path / "demo.sqlite"
    shutil.copy(demo_template, target)
    return target


@pytest.fixture
def make_app() -> Callable[..., object]:
    def factory(db: Path, *, today: dt.date = TODAY, who: str = "nurse"):
        from rrp.app import RrpApp

        # The clock agrees with `today` (a save's time says whether its week had ended).
        clock = CLOCK if today == TODAY else f"{today.isoformat()}T09:00:00Z"
        return RrpApp(db, today=today, who=who, clock=lambda: clock)

    return factory
