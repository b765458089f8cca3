"""`rrp week delete` and `rrp week history` end to end: exit codes, the audit, UK times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from rrp.cli import main
from rrp.store import Store, audit
from rrp.synthetic import build_demo

WARD = "NVT-ASH"
WEEK = dt.date(2026, 11, 9)


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    # 09:00 UTC in July is 10:00 BST: the history must say 10:00.
    store = Store(path, who="test", clock=lambda: "2026-07-20T09:00:00Z")
    build_demo(store, weeks=20, end=dt.date(2026, 11, 16))
    stored = store.weekly.week(WARD, WEEK)
    store.weekly.save(stored.counts.model_copy(update={"restraint": stored.counts.restraint + 1}),
                      expected_version=stored.version, today=dt.date(2026, 11, 18), reason="one more found")
    store.close()
    return path


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_delete_with_a_reason_then_read_the_history(demo_db: Path) -> None:
    # Any day of the week names it: Wednesday 11/11/2026 is in the week of Monday 9 Nov.
    refused = run("week", "delete", "--db", demo_db, "--ward", WARD, "--week", "11/11/2026", "--reason", "9434765919")
    assert refused.exit_code == 2 and "NHS number" in refused.output and "nothing was deleted" in refused.output
    assert Store(demo_db, create=False).weekly.week(WARD, WEEK) is not None
    done = run("week", "delete", "--db", demo_db, "--ward", WARD.lower(), "--week", "11/11/2026", "--reason", "wrong ward")
    assert done.exit_code == 0, done.output
    assert "Deleted NVT-ASH's week of Mon 9 Nov 2026" in done.output
    store = Store(demo_db, create=False)
    assert store.weekly.week(WARD, WEEK) is None
    last = audit.history(store.database, "weekly", f"{WARD}/{WEEK.isoformat()}")[-1]
    assert last["action"] == "delete" and last["after"] == {"reason": "wrong ward"}

    shown = run("week", "history", "--db", demo_db, "--ward", WARD, "--week", "2026-11-09")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].endswith("(NVT-ASH), week of Mon 9 Nov 2026")
    assert lines[1].endswith("  deleted") and "    Why: wrong ward" in lines
    assert any(line.startswith("20 Jul 2026 10:00  test  corrected") for line in lines)  # BST, UK format
    assert "    Why: one more found" in lines and lines[-1].startswith("Before that: loaded in bulk")
    assert "2026-07-20" not in shown.output and "T09:00" not in shown.output


def test_week_commands_refuse_clearly(demo_db: Path) -> None:
    assert run("week", "delete", "--db", demo_db, "--ward", WARD, "--week", "2026-11-09").exit_code == 2  # no reason
    empty = run("week", "delete", "--db", demo_db, "--ward", WARD, "--week", "2026-11-09", "--reason", " ")
    assert empty.exit_code == 2 and "Say why the week is deleted" in empty.output
    unknown = run("week", "history", "--db", demo_db, "--ward", "NOPE", "--week", "2026-11-09")
    assert unknown.exit_code == 2 and "no ward NOPE" in unknown.output
    bad = run("week", "history", "--db", demo_db, "--ward", WARD, "--week", "31/02/2026")
    assert bad.exit_code == 2 and "is not a date" in bad.output
    absent = run("week", "delete", "--db", demo_db, "--ward", WARD, "--week", "2020-01-06", "--reason", "x")
    assert absent.exit_code == 1 and "nothing was deleted" in absent.output
    never = run("week", "history", "--db", demo_db, "--ward", WARD, "--week", "2020-01-06")
    assert never.exit_code == 0 and "never been entered" in never.output
    assert Store(demo_db, create=False).weekly.week(WARD, dt.date(2026, 11, 9)) is not None
