"""Pilot tests of the "Data in and out" screen: check then import, refusals, export, backup."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from pilot import until

from rrp.messages import day_month
from rrp.store import Store

HEADER = "ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,occupied_bed_days\n"
WEEK = dt.date(2026, 11, 16)  # the demo's last week (and "this week" for TODAY)


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default export and backup folders are under ~: never the real one."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def weekly_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT ward_code, week_start, restraint, prone_restraint, seclusion, rapid_tranquillisation,"
            " occupied_bed_days, version FROM weekly ORDER BY ward_code, week_start"
        ).fetchall()


async def open_data_io(pilot, app):
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
    await pilot.press("i")
    await until(pilot, lambda: type(app.screen).__name__ == "DataIoScreen")
    return app.screen


def status(screen, name: str) -> str:
    return str(screen.query_one(f"#{name}-status").render())


def table_rows(screen) -> list[list[str]]:
    table = screen.query_one("#import-table")
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def check(pilot, screen, path: Path) -> None:
    screen.query_one("#import-path").value = str(path)
    await pilot.press("ctrl+t")
    await until(pilot, lambda: screen.busy is None and "Checking" not in status(screen, "import"))


async def test_a_bad_row_is_listed_with_row_and_column_and_nothing_is_written(demo_db, make_app, tmp_path):
    before = weekly_rows(demo_db)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + f"NVT-ASH,{WEEK},3,5,0,0,100\n"  # row 2: prone > restraint
        + f"NOPE-1,{WEEK},1,0,0,0,50\n"  # row 3: no such ward
        + f"NVT-BIRCH,{WEEK},1,0,0,0,50\n",  # row 4: fine
        encoding="utf-8",
    )
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_data_io(pilot, app)
        await check(pilot, screen, bad)
        assert "was refused: 2 rows with problems; nothing was imported" in status(screen, "import")
        rows = table_rows(screen)
        assert rows[0][:2] == ["2", "prone_restraint"] and "cannot exceed restraints" in rows[0][2]
        assert rows[1] == ["3", "ward_code", "Ward NOPE-1 is not in the collaborative's registry"]
        assert len(rows) == 2
        # Import stays off after a refused check: Ctrl+S writes nothing.
        assert not screen.importable and screen.query_one("#import-run").disabled
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
    assert weekly_rows(demo_db) == before


async def test_check_shows_the_changes_then_import_writes_them(demo_db, make_app, tmp_path):
    store = Store(demo_db, create=False)
    ash = store.weekly.week("NVT-ASH", WEEK).counts
    first = min(r[1] for r in weekly_rows(demo_db) if r[0] == "NVT-BIRCH")
    earlier = dt.date.fromisoformat(first) - dt.timedelta(weeks=1)
    birch = store.registry.ward("NVT-BIRCH")
    store.close()
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER
        + f"NVT-ASH,{WEEK},{ash.restraint + 1},{ash.prone_restraint},{ash.seclusion},"
        f"{ash.rapid_tranquillisation},{ash.occupied_bed_days}\n"
        + f"NVT-BIRCH,{earlier},0,0,1,0,{birch.max_bed_days}\n",
        encoding="utf-8",
    )
    before = weekly_rows(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_data_io(pilot, app)
        assert screen.check_action("import_file", ()) is None  # dimmed until a clean check
        await check(pilot, screen, good)
        text = status(screen, "import")
        assert "2 rows valid. 1 would be inserted, 1 would be updated, 0 unchanged." in text
        assert "Dry run: nothing was written." in text
        rows = table_rows(screen)
        # Each record's week the UK way (9 Dec 2024), as every screen shows a date; not ISO.
        assert rows[0] == ["update", f"NVT-ASH {day_month(WEEK)}", f"restraint {ash.restraint} -> {ash.restraint + 1}"]
        assert rows[1] == ["insert", f"NVT-BIRCH {day_month(earlier)}", ""]
        assert weekly_rows(demo_db) == before  # the check wrote nothing
        assert screen.check_action("import_file", ()) is True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.busy is None and "were inserted" in status(screen, "import"))
        assert "1 were inserted, 1 were updated, 0 unchanged." in status(screen, "import")
        assert not screen.importable  # importing again needs a new check
    after = Store(demo_db, create=False)
    assert after.weekly.week("NVT-ASH", WEEK).counts.restraint == ash.restraint + 1
    added = after.weekly.week("NVT-BIRCH", earlier)
    assert added is not None and added.counts.seclusion == 1 and added.updated_by == "nurse"


async def test_import_refuses_a_file_changed_since_its_check(demo_db, make_app, tmp_path):
    birch = Store(demo_db, create=False).weekly.week("NVT-BIRCH", WEEK).counts
    path = tmp_path / "week.csv"
    line = f"NVT-BIRCH,{WEEK},{birch.restraint},{birch.prone_restraint},{birch.seclusion},"
    path.write_text(HEADER + line + f"{birch.rapid_tranquillisation},{birch.occupied_bed_days}\n")
    before = weekly_rows(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_data_io(pilot, app)
        await check(pilot, screen, path)
        assert "0 would be inserted, 0 would be updated, 1 unchanged." in status(screen, "import")
        path.write_text(HEADER + line + f"{birch.rapid_tranquillisation + 1},{birch.occupied_bed_days}\n")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.busy is None and "check it again" in status(screen, "import"))
        # Editing the path after a check also turns Import off.
        await check(pilot, screen, path)
        assert screen.importable
        screen.query_one("#import-path").value = str(path) + ".old"
        await pilot.pause()
        assert not screen.importable and screen.query_one("#import-run").disabled
        assert screen.check_action("import_file", ()) is None
    assert weekly_rows(demo_db) == before


async def test_export_weekly_writes_excel_safe_csv(demo_db, make_app, tmp_path):
    out = tmp_path / "exports" / "weekly.csv"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_data_io(pilot, app)
        assert screen.check_action("export", ()) is False  # not on the Import tab
        await pilot.press("f3")
        await pilot.pause()
        assert screen.section == "export" and screen.check_action("export", ()) is True
        path = screen.query_one("#export-path")
        assert path.value == "~/rrp-exports/rrp-weekly-2026-11-18.csv"  # the default, dated app.today
        path.value = str(out)
        screen.query_one("#export-wards").value = "NVT-ASH, nvt-birch"
        screen.query_one("#export-from").value = "01/10/2026"
        await pilot.press("ctrl+o")
        await until(pilot, lambda: screen.busy is None and "Wrote" in status(screen, "export"))
        assert f"weekly rows to {out}." in status(screen, "export")
        # A bad date is reported in words, and nothing runs.
        screen.query_one("#export-to").value = "31/02/2026"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert screen.query_one("#export-status").has_class("error")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfprovider_code,provider_name,ward_code,ward_name,week_start,restraint,")
    lines = raw.decode("utf-8-sig").splitlines()
    assert {line.split(",")[2] for line in lines[1:]} == {"NVT-ASH", "NVT-BIRCH"}
    assert min(line.split(",")[4] for line in lines[1:]) >= "2026-10-01"


async def test_export_the_governance_workbook_from_the_screen(demo_db, make_app, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "exports" / "governance.xlsx"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_data_io(pilot, app)
        await pilot.press("f3")
        await pilot.pause()
        screen.query_one("#export-kind").value = "workbook"
        path = screen.query_one("#export-path")
        await until(pilot, lambda: path.value.endswith(".xlsx"))
        path.value = str(out)
        screen.query_one("#export-wards").value = "NVT-ASH"
        await pilot.press("ctrl+o")
        await until(pilot, lambda: screen.busy is None and "Wrote" in status(screen, "export"))
        assert "governance workbook" in status(screen, "export")
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[:2] == ["README", "board"]
    assert {row[2] for row in book["weekly"].iter_rows(min_row=2, values_only=True)} == {"NVT-ASH"}


async def test_backup_writes_a_checked_copy(demo_db, make_app, tmp_path):
    folder = tmp_path / "backups"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_data_io(pilot, app)
        screen.query_one("#backup-path").value = str(folder)
        await pilot.press("ctrl+b")  # from the Import tab: it goes to Backup and runs
        await until(pilot, lambda: screen.busy is None and "Backed up to" in status(screen, "backup"))
        assert "integrity check: ok" in status(screen, "backup")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
    (copy,) = folder.glob("*.sqlite")
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert weekly_rows(copy) == weekly_rows(demo_db)


def test_path_completion(tmp_path):
    from rrp.screens.data_io import complete_path

    (tmp_path / "weekly-march.csv").write_text("x")
    (tmp_path / "wards").mkdir()
    assert complete_path(str(tmp_path / "weekly")) == str(tmp_path / "weekly-march.csv")
    assert complete_path(str(tmp_path / "war")) == str(tmp_path / "wards") + "/"
    assert complete_path(str(tmp_path / "nothing")) is None
