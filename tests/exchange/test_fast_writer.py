"""The vectorised CSV writer writes exactly the bytes of excel_safe(frame).to_csv(...)."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

from rrp.exchange import csv_out
from rrp.exchange.csv_out import excel_safe, write_csv
from rrp.exchange.exports import export, export_table, weekly_frame
from rrp.store import Store


def _both(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> tuple[bytes, bytes, bool]:
    fast = io.BytesIO()
    write_csv(frame, fast, decimals=decimals)
    slow = io.BytesIO()
    original = csv_out._fast_columns
    csv_out._fast_columns = lambda *_: None
    try:
        write_csv(frame, slow, decimals=decimals)
    finally:
        csv_out._fast_columns = original
    return fast.getvalue(), slow.getvalue(), original(frame, decimals or {}) is not None


FRAMES = {
    "mixed": pd.DataFrame(
        {
            "text": ["=1+1", "+44", "-cmd", "@SUM(A1)", "\tx", "\rx", "a,b", 'say "hi"', "two\nlines", "", None, "fine"],
            "n": [-3, 4, 0, 1000, 7, 8, 9, 10, 11, 12, 13, 14],
            "rate": [-1.5, 2.0, np.nan, 0.125, 1e-5, 1e17, 3.14159, 12.345, 0.0, 7.0, 1 / 3, 2 / 3],
            "day": [dt.date(2026, 3, 2)] * 11 + [None],
            "flag": [True, False] * 6,
        }
    ),
    "string dtype": pd.DataFrame({"a": pd.array(["x", None, "=y"], dtype="str"), "b": [1.5, 2.5, np.nan]}),
    "all missing": pd.DataFrame({"a": [None, None], "b": [np.nan, np.nan]}),
    "empty": pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)}),
    "negative zero": pd.DataFrame({"a": [-0.0, 0.0], "b": ["x", "y"]}),
    "datetimes fall back": pd.DataFrame({"a": pd.to_datetime(["2026-03-02", None]), "b": [1, 2]}),
    "objects fall back": pd.DataFrame({"a": [1, "1", True, 2.5], "b": [1, 2, 3, 4]}),
    "one column": pd.DataFrame({"a": ["", "x"]}),
}


@pytest.mark.parametrize("name", list(FRAMES))
def test_fast_writer_writes_what_to_csv_writes(name: str) -> None:
    fast, slow, _ = _both(FRAMES[name], {"rate": 2, "b": 1})
    assert fast == slow
    assert fast.startswith(b"\xef\xbb\xbf")


def test_fast_writer_used_for_export_tables(demo_store: Store) -> None:
    for kind in ("weekly", "monthly", "spc"):
        table = export_table(demo_store, kind)
        decimals = {c: 2 for c in table.columns if c.endswith("_rate")}
        fast, slow, used = _both(table, decimals)
        assert used, kind
        assert fast == slow, kind
        assert b"\r\n" in fast and b"\n" not in fast.replace(b"\r\n", b"")


def test_excel_safe_vectorised() -> None:
    frame = FRAMES["mixed"]
    safe = excel_safe(frame)
    assert safe["text"].tolist()[:6] == ["'=1+1", "'+44", "'-cmd", "'@SUM(A1)", "'\tx", "'\rx"]
    assert safe["text"].tolist()[6:10] == ["a,b", 'say "hi"', "two\nlines", ""] and pd.isna(safe["text"][10])
    assert safe["n"].tolist() == frame["n"].tolist() and safe["day"].equals(frame["day"])


def test_frame_with_notes_matches_frame_plus_notes(demo_store: Store, tmp_path) -> None:
    from rrp.store.sync import SyncRepository

    week = demo_store.weekly.frame().iloc[5]
    with demo_store.database.transaction() as conn:
        conn.execute(
            "UPDATE weekly SET note = ? WHERE ward_code = ? AND week_start = ?",
            ('=busy, "really"', week["ward_code"], week["week_start"].strftime("%Y-%m-%d")),
        )
        # A week saved on its Thursday: provisional, flagged by both readers.
        conn.execute(
            "UPDATE weekly SET updated_at = ? WHERE ward_code = ? AND week_start = ?",
            ("2026-11-12T10:00:00Z", "NVT-ASH", "2026-11-09"),
        )
    for codes, start in ((None, None), (["NVT-ASH"], dt.date(2026, 6, 1)), (["NVT-ASH"], dt.date(2099, 1, 1))):
        # The exports' reader: frame() (provisional flag last) with the note before the flag.
        expected = demo_store.weekly.frame(ward_codes=codes, start=start)
        found = SyncRepository(demo_store.database).weekly_notes(codes, start=start)
        if found:
            keys = zip(expected["ward_code"], expected["week_start"].dt.strftime("%Y-%m-%d"), strict=True)
            expected.insert(len(expected.columns) - 1, "note", [found.get(k) for k in keys])
        else:
            expected.insert(len(expected.columns) - 1, "note", None)
        got = demo_store.weekly.frame_with_notes(ward_codes=codes, start=start)
        pd.testing.assert_frame_equal(got, expected)
        assert int(got["provisional"].sum()) == (0 if start == dt.date(2099, 1, 1) else 1)
    assert weekly_frame(demo_store)["note"].notna().sum() == 1
    out = tmp_path / "w.csv"
    export(demo_store, "weekly", out)
    assert "\"'=busy, \"\"really\"\"\"" in out.read_text(encoding="utf-8-sig")


def _reference_excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """excel_safe as it was, cell by cell."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if pd.api.types.is_bool_dtype(series):
            continue
        mask = series.map(lambda v: isinstance(v, str) and v.startswith(csv_out.DANGEROUS_FIRST)).astype(bool)
        if mask.any():
            series = series.astype(object)
            series[mask] = "'" + series[mask].astype(str)
            out[column] = series
    return out


@pytest.mark.parametrize("name", list(FRAMES))
def test_excel_safe_matches_cell_by_cell(name: str) -> None:
    pd.testing.assert_frame_equal(excel_safe(FRAMES[name]), _reference_excel_safe(FRAMES[name]))
