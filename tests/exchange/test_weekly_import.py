"""Weekly import: every error path, dates, encodings, xlsx, dry run, idempotence, round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from exchange_helpers import HEADER, TODAY, registry_store, weekly_count, write

from rrp.exchange.exports import ExportFilter, export, export_table
from rrp.exchange.reading import MAX_COLUMNS, FileRefused, read_table
from rrp.exchange.weekly_import import RowsRefused, import_weekly
from rrp.store import Store
from rrp.store.audit import history


def problems_of(exc: RowsRefused) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in exc.problems]


def test_clean_import_then_idempotent(empty_store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", HEADER + "NVT-ASH,2026-03-02,3,1,0,2,120\nNVT-ASH,09/03/2026,0,0,0,0,118\n")
    result = import_weekly(empty_store, f, today=TODAY)
    assert len(result.inserted) == 2 and not result.updated
    week = empty_store.weekly.week("NVT-ASH", dt.date(2026, 3, 9))
    assert week is not None and week.counts.occupied_bed_days == 118  # UK date read as 9 March
    again = import_weekly(empty_store, f, today=TODAY)
    assert len(again.unchanged) == 2 and not again.inserted and not again.updated
    assert weekly_count(empty_store) == 2


def test_corrected_file_updates_only_changed_week_and_audits(empty_store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", HEADER + "NVT-ASH,2026-03-02,3,1,0,2,120\nNVT-ASH,2026-03-09,0,0,0,0,118\n")
    import_weekly(empty_store, f, today=TODAY)
    f2 = write(tmp_path / "w2.csv", HEADER + "NVT-ASH,2026-03-02,4,1,0,2,120\nNVT-ASH,2026-03-09,0,0,0,0,118\n")
    dry = import_weekly(empty_store, f2, today=TODAY, dry_run=True)
    assert [c.differences() for c in dry.updated] == [{"restraint": (3, 4)}]
    assert empty_store.weekly.week("NVT-ASH", dt.date(2026, 3, 2)).counts.restraint == 3  # dry run wrote nothing
    result = import_weekly(empty_store, f2, today=TODAY)
    assert [(c.ward_code, c.week_start) for c in result.updated] == [("NVT-ASH", "2026-03-02")]
    assert len(result.unchanged) == 1
    rows = history(empty_store.database, "weekly", "NVT-ASH/2026-03-02")
    assert [r["action"] for r in rows] == ["insert", "update"]
    assert rows[-1]["before"]["restraint"] == 3 and rows[-1]["after"]["restraint"] == 4


def test_every_bad_row_listed_and_nothing_written(empty_store: Store, tmp_path: Path) -> None:
    f = write(
        tmp_path / "bad.csv",
        HEADER
        + "NVT-ASH,2026-03-02,3,1,0,2,120\n"  # row 2 good
        + "NVT-ASH,2026-03-03,1,0,0,0,10\n"  # row 3 Tuesday
        + "NOPE,2026-03-02,1,0,0,0,10\n"  # row 4 unknown ward
        + "NVT-ASH,2026-03-16,1,2,0,0,999\n"  # row 5 prone > restraint, bed days > beds x 7
        + "NVT-ASH,2026-03-23,-1,0,1e309,=1+1,10\n"  # row 6 negative, float text, formula
        + "NVT-ASH,2026-03-30,-0,0,0,0,999\n"  # row 7 -0, bed days over beds x 7
        + "NVT-ASH,not a date,0,0,0,0,10\n"  # row 8
        + "NVT-ASH,02/03/2026,0,0,0,0,10\n"  # row 9 duplicate of row 2 (UK date)
        + "NVT-ASH,2027-03-01,0,0,0,0,10\n",  # row 10 future
    )
    with pytest.raises(RowsRefused) as info:
        import_weekly(empty_store, f, today=TODAY)
    found = problems_of(info.value)
    by_row = {}
    for row, column, message in found:
        by_row.setdefault(row, []).append((column, message))
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert by_row[3] == [("week_start", "Week start 2026-03-03 is a Tuesday, not a Monday (did you mean 2026-03-02?)")]
    assert by_row[4] == [("ward_code", "Ward NOPE is not in the collaborative's registry")]
    assert by_row[5][0] == ("prone_restraint", "Prone restraints (2) cannot exceed restraints (1)")
    assert by_row[5][1] == ("occupied_bed_days", "Occupied bed days (999) cannot exceed beds x 7 (140 for 20 beds)")
    assert [c for c, _ in by_row[6]] == ["restraint", "seclusion", "rapid_tranquillisation"]
    assert "cannot be negative" in by_row[6][0][1]
    assert "'1e309'" in by_row[6][1][1]
    assert "formula" in by_row[6][2][1]
    assert by_row[7][0] == ("restraint", "Restraints must be a whole number (0 or more), not '-0'")
    assert "is not a date" in by_row[8][0][1]
    assert by_row[9] == [("week_start", "ward NVT-ASH, week 2026-03-02 appears twice: rows 2 and 9")]
    assert "in the future" in by_row[10][0][1]
    assert weekly_count(empty_store) == 0


def test_sunday_dates_hint_week_ending(empty_store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "sun.csv", HEADER + "NVT-ASH,2026-03-08,0,0,0,0,100\n")
    with pytest.raises(RowsRefused) as info:
        import_weekly(empty_store, f, today=TODAY)
    assert "not a Monday" in info.value.problems[0].message
    assert any("--week-ending" in h for h in info.value.hints)


def test_week_ending(empty_store: Store, tmp_path: Path) -> None:
    text = HEADER.replace("week_start", "week_ending") + "NVT-ASH,2026-03-08,1,0,0,0,100\nNVT-ASH,13/03/2026,1,0,0,0,100\n"
    f = write(tmp_path / "we.csv", text)
    with pytest.raises(FileRefused, match="--week-ending"):
        import_weekly(empty_store, f, today=TODAY)
    with pytest.raises(RowsRefused) as info:
        import_weekly(empty_store, f, today=TODAY, week_ending=True)
    assert problems_of(info.value) == [
        (3, "week_ending", "Week ending 2026-03-13 is a Friday, not a Sunday (did you mean 2026-03-15?)")
    ]
    f = write(tmp_path / "we2.csv", text.replace("13/03/2026", "15/03/2026"))
    import_weekly(empty_store, f, today=TODAY, week_ending=True)
    assert empty_store.weekly.week("NVT-ASH", dt.date(2026, 3, 2)) is not None
    assert empty_store.weekly.week("NVT-ASH", dt.date(2026, 3, 9)) is not None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("ward_code,week_start\nNVT-ASH,2026-03-02\n", "missing columns: restraint"),
        (HEADER.strip() + ",colour\nNVT-ASH,2026-03-02,0,0,0,0,1,red\n", "unknown column: 'colour'"),
        ("ward_code,ward_code\n", "appears twice"),
        (HEADER, "no data rows"),
        (",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n", "columns"),
    ],
)
def test_usage_errors(empty_store: Store, tmp_path: Path, text: str, match: str) -> None:
    f = write(tmp_path / "u.csv", text)
    with pytest.raises(FileRefused, match=match):
        import_weekly(empty_store, f, today=TODAY)


def test_missing_file_and_folder(empty_store: Store, tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="does not exist"):
        import_weekly(empty_store, tmp_path / "nope.csv")
    with pytest.raises(FileRefused, match="folder"):
        import_weekly(empty_store, tmp_path)


def test_nul_bytes_and_long_line_refused_quickly(empty_store: Store, tmp_path: Path) -> None:
    import time

    f = tmp_path / "nul.csv"
    f.write_bytes(HEADER.encode() + b"NVT-ASH\x00,2026-03-02,0,0,0,0,1\n")
    with pytest.raises(FileRefused, match="NUL"):
        import_weekly(empty_store, f)
    big = tmp_path / "line.csv"
    with big.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.write(b"x" * (50 * 1024 * 1024))
    started = time.perf_counter()
    with pytest.raises(FileRefused, match="longer than"):
        import_weekly(empty_store, big)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings(empty_store: Store, tmp_path: Path, encoding: str) -> None:
    text = HEADER.strip() + ",note\nNVT-ASH,2026-03-02,1,0,0,0,100,Café débrief\n"
    f = write(tmp_path / "e.csv", text, encoding)
    result = import_weekly(empty_store, f, today=TODAY)
    assert len(result.inserted) == 1
    assert empty_store.weekly.week("NVT-ASH", dt.date(2026, 3, 2)).counts.note == "Café débrief"
    assert any("Windows-1252" in n for n in result.notes) == (encoding == "cp1252")


def test_utf16_without_bom_refused(empty_store: Store, tmp_path: Path) -> None:
    f = tmp_path / "u16.csv"
    f.write_bytes((HEADER + "NVT-ASH,2026-03-02,1,0,0,0,100\n").encode("utf-16-le"))
    with pytest.raises(FileRefused, match="NUL"):
        import_weekly(empty_store, f)


def test_header_case_spaces_order_free(empty_store: Store, tmp_path: Path) -> None:
    text = "Occupied Bed Days,SECLUSION,Week Start,Ward-Code,restraint,Prone restraint,rapid_tranquillisation\n120,1,2026-03-02,nvt-ash,2,1,0\n"
    import_weekly(empty_store, write(tmp_path / "h.csv", text), today=TODAY)
    counts = empty_store.weekly.week("NVT-ASH", dt.date(2026, 3, 2)).counts
    assert (counts.restraint, counts.prone_restraint, counts.seclusion, counts.occupied_bed_days) == (2, 1, 1, 120)


def test_xlsx_import_with_real_dates_and_formula(empty_store: Store, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["NVT-ASH", dt.datetime(2026, 3, 2), 3, 1, 0, 2, 120])
    sheet.append(["NVT-ASH", "09/03/2026", 1.0, 0, 0, 0, 100])
    path = tmp_path / "w.xlsx"
    book.save(path)
    result = import_weekly(empty_store, path, today=TODAY)
    assert len(result.inserted) == 2
    sheet.append(["NVT-ASH", dt.date(2026, 3, 16), "=1+1", 0, 0, 0, 100])
    sheet.append(["NVT-ASH", dt.date(2026, 3, 17), 1.5, 0, 0, 0, 100])
    book.save(path)
    with pytest.raises(RowsRefused) as info:
        import_weekly(empty_store, path, today=TODAY)
    rows = problems_of(info.value)
    assert rows[0][:2] == (4, "restraint") and "formula" in rows[0][2]
    assert (5, "week_start") in [r[:2] for r in rows] and (5, "restraint") in [r[:2] for r in rows]
    assert weekly_count(empty_store) == 2


def test_broken_xlsx_is_usage_error(empty_store: Store, tmp_path: Path) -> None:
    f = tmp_path / "broken.xlsx"
    f.write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(FileRefused, match="not a readable .xlsx"):
        read_table(f)


def test_round_trip_export_import_identical(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "weekly.csv"
    export(demo_store, "weekly", out)
    target = registry_store(tmp_path / "copy.sqlite")
    result = import_weekly(target, out, today=TODAY)
    assert len(result.inserted) == weekly_count(demo_store)
    a = export_table(demo_store, "weekly")
    b = export_table(target, "weekly")
    assert a.equals(b)
    assert len(import_weekly(target, out, today=TODAY).unchanged) == len(a)


def test_round_trip_keeps_notes_and_neutralised_text(empty_store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "n.csv", HEADER.strip() + ',note\nNVT-ASH,2026-03-02,1,0,0,0,100,"=HYPERLINK(""x"")"\n')
    import_weekly(empty_store, f, today=TODAY)
    out = tmp_path / "out.csv"
    export(empty_store, "weekly", out, ExportFilter(wards=("NVT-ASH",)))
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")
    other = registry_store(tmp_path / "o.sqlite")
    import_weekly(other, out, today=TODAY)
    assert other.weekly.week("NVT-ASH", dt.date(2026, 3, 2)).counts.note == '=HYPERLINK("x")'


def test_file_without_note_column_keeps_stored_notes(empty_store: Store, tmp_path: Path) -> None:
    import_weekly(empty_store, write(tmp_path / "a.csv", HEADER.strip() + ",note\nNVT-ASH,2026-03-02,1,0,0,0,100,busy week\n"), today=TODAY)
    result = import_weekly(empty_store, write(tmp_path / "b.csv", HEADER + "NVT-ASH,2026-03-02,1,0,0,0,100\n"), today=TODAY)
    assert len(result.unchanged) == 1
    assert empty_store.weekly.week("NVT-ASH", dt.date(2026, 3, 2)).counts.note == "busy week"
