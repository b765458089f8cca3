"""The governance workbook: every sheet holds the CSV export's figures; dates, booleans and text as a reader expects."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rrp.exchange.exports import ExportFilter, export
from rrp.exchange.workbook import (
    SHEETS,
    cell_value,
    column_types,
    local_time,
    methods_in_brief,
    write_workbook,
)
from rrp.models.annotation import Annotation
from rrp.paths import DATA_DIR
from rrp.store import Store


def _csv_rows(store: Store, kind: str) -> list[list[str]]:
    buffer = io.BytesIO()
    export(store, kind, buffer)
    return list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"), newline="")))


def _as_csv_text(value: object, kind: str) -> str:
    """What the CSV holds for a workbook cell (local times back to the stored UTC text)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and kind.startswith("date"):
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        from zoneinfo import ZoneInfo

        utc = value.replace(tzinfo=ZoneInfo("Europe/London")).astimezone(dt.UTC)
        return utc.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _same(sheet_value: object, csv_text: str, kind: str) -> bool:
    if isinstance(sheet_value, bool):
        return str(sheet_value) == csv_text
    if isinstance(sheet_value, (int, float)) and csv_text:  # a whole float (-9.0) reads back as int
        return sheet_value == pytest.approx(float(csv_text), abs=1e-12)
    return _as_csv_text(sheet_value, kind) == csv_text


@pytest.fixture
def book(demo_store: Store, tmp_path: Path) -> tuple[Store, object]:
    demo_store.annotations.add(Annotation(ward_code="NVT-ASH", on_date="2026-10-05", text="=HYPERLINK(\"http://x\")"))
    out = tmp_path / "governance.xlsx"
    write_workbook(demo_store, out)
    return demo_store, load_workbook(out)


def test_every_sheet_agrees_with_its_csv_export(book: tuple[Store, object]) -> None:
    store, workbook = book
    assert workbook.sheetnames == ["README", *SHEETS, "dictionary"]
    for kind in (*SHEETS, "dictionary"):
        rows = _csv_rows(store, kind)
        types = column_types(kind)
        sheet = [list(r) for r in workbook[kind].iter_rows(values_only=True)]
        assert len(sheet) == len(rows), kind
        assert [str(v) for v in sheet[0]] == rows[0], kind
        for number, (got, want) in enumerate(zip(sheet[1:], rows[1:], strict=True), start=2):
            for column, value, text in zip(rows[0], got, want, strict=True):
                assert _same(value, text, types.get(column, "text")), (kind, number, column, value, text)


def test_dates_months_times_booleans_and_layout(book: tuple[Store, object]) -> None:
    _, workbook = book
    monthly = workbook["monthly"]
    month = monthly.cell(row=2, column=5)
    assert isinstance(month.value, dt.datetime) and month.value.day == 1 and month.number_format == "mmm yyyy"
    weekly = workbook["weekly"]
    assert weekly.cell(row=2, column=5).number_format == "dd/mm/yyyy"
    assert weekly.freeze_panes == "A2" and weekly.auto_filter.ref.startswith("A1:")
    assert all(cell.font.bold for cell in weekly[1])
    spc_header = [c.value for c in workbook["spc"][1]]
    trial = workbook["spc"].cell(row=2, column=spc_header.index("trial") + 1)
    assert isinstance(trial.value, bool)
    pdsa = workbook["pdsa"]
    header = [c.value for c in pdsa[1]]
    updated = pdsa.cell(row=2, column=header.index("updated_at") + 1)
    assert isinstance(updated.value, dt.datetime) and updated.number_format == "dd/mm/yyyy hh:mm"


def test_formula_like_text_is_neutralised(book: tuple[Store, object]) -> None:
    _, workbook = book
    texts = [row[6] for row in workbook["annotations"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in texts
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title


def test_local_time_is_uk_time() -> None:
    assert local_time("2026-07-01T09:30:00Z") == dt.datetime(2026, 7, 1, 10, 30)  # BST
    assert local_time("2026-12-01T09:30:00Z") == dt.datetime(2026, 12, 1, 9, 30)  # GMT
    assert cell_value("2026-03-02", "date (ISO)") == dt.date(2026, 3, 2)
    assert cell_value(None, "boolean") is None and cell_value(float("nan"), "decimal") is None


def test_readme_has_methods_in_brief_and_sheets(book: tuple[Store, object]) -> None:
    _, workbook = book
    readme = [row for row in workbook["README"].iter_rows(values_only=True)]
    labels = [row[0] for row in readme]
    for kind in SHEETS:
        assert kind in labels
    headings = [h for h, _ in methods_in_brief((DATA_DIR / "methods.md").read_text(encoding="utf-8"))]
    assert "Charts" in headings and all(h in labels for h in headings)
    assert all(p for _, p in methods_in_brief((DATA_DIR / "methods.md").read_text(encoding="utf-8")))


def test_workbook_filters_and_never_over_the_database(demo_store: Store, tmp_path: Path) -> None:
    from rrp.store.output_file import OutputRefused

    out = tmp_path / "nvt.xlsx"
    result = write_workbook(demo_store, out, ExportFilter(provider="NVT"))
    sheet = load_workbook(out)["weekly"]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"NVT"}
    assert result.sheets["weekly"] == sheet.max_row - 1
    with pytest.raises(OutputRefused):
        write_workbook(demo_store, demo_store.path)


def test_readme_starts_in_plain_words_and_says_synthetic_for_the_demo(book: tuple[Store, object]) -> None:
    from rrp.exchange.workbook import SYNTHETIC_NOTE, plain_words

    store, workbook = book
    assert store.preferences.get("synthetic") is not None  # the demo
    rows = [row for row in workbook["README"].iter_rows(values_only=True)]
    assert "SYNTHETIC" in rows[0][0]
    labels = [row[0] for row in rows]
    plain = labels.index("In plain words")
    assert plain < labels.index("Sheet") < labels.index("Methods in brief")
    topics = plain_words(synthetic=True)
    assert [row[0] for row in rows[plain + 1 : plain + 1 + len(topics)]] == [t for t, _ in topics]
    assert rows[plain + 1][1] == SYNTHETIC_NOTE
    words = " ".join(s for _, s in topics)
    for phrase in ("per 1,000 occupied bed days", "25%", "a third", "common cause", "never counted as zero"):
        assert phrase in words
    assert "16.7 per 1,000" in words  # the worked example is worked out right: 10 / 600 x 1000
    assert plain_words(synthetic=False)[0][0] == "What this is"


def test_a_real_database_is_not_called_synthetic(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = demo_store.preferences.get
    monkeypatch.setattr(demo_store.preferences, "get", lambda key, default=None: None if key == "synthetic" else real(key, default))
    out = tmp_path / "real.xlsx"
    write_workbook(demo_store, out)
    readme = [row for row in load_workbook(out)["README"].iter_rows(values_only=True)]
    assert not any("SYNTHETIC" in str(cell) for row in readme for cell in row if cell)


def test_the_board_keeps_who_and_which_measure_in_view(book: tuple[Store, object]) -> None:
    _, workbook = book
    board = workbook["board"]
    header = [c.value for c in board[1]]
    assert header[4:6] == ["ward_name", "measure"] and board.freeze_panes == "G2"
    assert board.print_title_cols == "$E:$F" or board.print_title_cols == "E:F"
    assert board.page_setup.pageOrder == "overThenDown"
    # The dictionary's meanings wrap inside their column (on paper they ran off the page), with
    # rows tall enough for them and every cell at the top of its row.
    dictionary = workbook["dictionary"]
    header = [c.value for c in dictionary[1]]
    meaning = header.index("meaning") + 1
    long_rows = [r for r in range(2, dictionary.max_row + 1) if len(dictionary.cell(r, meaning).value or "") > 120]
    assert long_rows
    for r in long_rows:
        assert dictionary.cell(r, meaning).alignment.wrap_text
        assert dictionary.cell(r, 1).alignment.vertical == "top"
        assert dictionary.row_dimensions[r].height >= 15 * 2
