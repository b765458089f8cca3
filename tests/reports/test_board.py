"""The board's monthly summary: pooled monthly rates, change against baseline, wards reaching 25% and a third."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rrp.reports.aggregate import change_from_baseline
from rrp.reports.board import BOARD_COLUMNS, board_summary


def _monthly(rows: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    """(ward, month number in 2026, restraint, bed days) -> a monthly_table-like frame."""
    frame = pd.DataFrame(rows, columns=["ward_code", "m", "restraint", "occupied_bed_days"])
    frame["month"] = [dt.date(2026, m, 1) for m in frame.pop("m")]
    frame["provider_code"], frame["provider_name"], frame["ward_name"] = "P", "Provider", frame["ward_code"] + " Ward"
    return frame


def test_rates_change_and_wards_reaching_each_reduction() -> None:
    # A: 10 -> 7 per 1,000 (-30%: reaches 25%, not a third); B: 10 -> 5 (-50%: both); C: 10 -> 10.
    rows = []
    for ward, recent in (("A", 7), ("B", 5), ("C", 10)):
        rows += [(ward, m, 10, 1000) for m in (1, 2, 3)] + [(ward, m, recent, 1000) for m in (4, 5, 6)]
    table = board_summary(_monthly(rows), measures=("restraint",))
    assert list(table.columns) == list(BOARD_COLUMNS)
    overall, *wards = table.to_dict("records")
    assert overall["scope"] == "collaborative" and overall["ward_code"] == ""
    assert overall["mean_monthly_rate"] == pytest.approx((30 + 21 + 30 + 15 + 30 + 30) / 18)
    assert overall["change_percent"] == pytest.approx((22 / 30 - 1) * 100)
    assert (overall["wards_compared"], overall["wards_reduced_25"], overall["wards_reduced_33"]) == (3, 2, 1)
    by_ward = {w["ward_code"]: w for w in wards}
    assert by_ward["A"]["change_percent"] == pytest.approx(-30)
    assert (by_ward["A"]["reduced_25"], by_ward["A"]["reduced_33"]) == (True, False)
    assert (by_ward["B"]["reduced_25"], by_ward["B"]["reduced_33"]) == (True, True)
    assert (by_ward["C"]["reduced_25"], by_ward["C"]["reduced_33"]) == (False, False)
    assert by_ward["A"]["baseline_from"] == dt.date(2026, 1, 1) and by_ward["A"]["recent_to"] == dt.date(2026, 6, 1)


def test_change_is_change_from_baseline_with_months_as_periods() -> None:
    rows = [("A", m, n, b) for m, n, b in ((1, 4, 900), (2, 6, 950), (3, 3, 1000), (4, 2, 980), (5, 5, 1020), (6, 1, 990))]
    rows += [("B", m, 0, 300) for m in (1, 2, 3)] + [("B", m, 2, 300) for m in (4, 5, 6)]
    monthly = _monthly(rows)
    table = board_summary(monthly, measures=("restraint",))
    expected = change_from_baseline(monthly.rename(columns={"month": "week_start"}), "restraint", 3, 3)
    got = table.set_index("ward_code")["change_percent"]
    want = expected.assign(ward_code=expected["ward_code"].fillna("")).set_index("ward_code")["change"].astype(float) * 100
    assert got["A"] == pytest.approx(want["A"]) and got[""] == pytest.approx(want[""])
    # B's baseline rate is 0: no change, and it is neither reduced nor counted as compared.
    b = table[table["ward_code"] == "B"].iloc[0]
    assert pd.isna(b["change_percent"]) and pd.isna(b["reduced_25"])
    assert table.iloc[0]["wards_compared"] == 1


def test_empty_monthly_gives_empty_board() -> None:
    assert list(board_summary(_monthly([])).columns) == list(BOARD_COLUMNS)
