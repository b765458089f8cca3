"""Collaborative aggregation and change from baseline (QI-METHODS "Collaborative aggregation")."""

import numpy as np
import pandas as pd
import pytest

from rrp.reports.aggregate import change_from_baseline, collaborative_series


def weekly():
    return pd.DataFrame(
        [
            ("A", "2024-01-01", 2, 100),
            ("B", "2024-01-01", 4, 100),
            ("A", "2024-01-08", 3, 150),
            # B missing on 2024-01-08; nobody on 2024-01-15
            ("A", "2024-01-22", 1, 100),
            ("B", "2024-01-22", 0, 100),
        ],
        columns=["ward_code", "week_start", "restraint", "occupied_bed_days"],
    )


def test_series_sums_submitting_wards_only_never_zero_fills():
    s = collaborative_series(weekly(), "restraint")
    assert s["week_start"].tolist() == ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]
    assert s["count"].iloc[0] == 6 and s["rate"].iloc[0] == pytest.approx(30.0)
    # week 2: only A -> 3 / 150 x 1000 = 20, completeness 1/2 (not 3 / 250 with B as zero)
    assert s["rate"].iloc[1] == pytest.approx(20.0)
    assert s["wards_submitted"].iloc[1] == 1 and s["completeness"].iloc[1] == 0.5
    # a week with no submission is listed, blank, completeness 0
    assert np.isnan(s["rate"].iloc[2]) and s["wards_submitted"].iloc[2] == 0
    assert s["completeness"].iloc[2] == 0


def test_series_expected_wards():
    s = collaborative_series(weekly(), "restraint", expected_wards=["A", "B", "C"])
    assert s["wards_expected"].eq(3).all()
    assert s["completeness"].iloc[0] == pytest.approx(2 / 3)
    only_a = collaborative_series(weekly(), "restraint", expected_wards=["A"])
    assert only_a["count"].iloc[0] == 2


def test_missing_count_is_not_a_submission():
    w = weekly()
    w.loc[1, "restraint"] = np.nan
    s = collaborative_series(w, "restraint")
    assert s["wards_submitted"].iloc[0] == 1 and s["count"].iloc[0] == 2


def long_weekly():
    weeks = pd.date_range("2024-01-01", periods=24, freq="7D")
    rows = []
    for i, week in enumerate(weeks):
        rows.append(("A", week, 6 if i < 12 else 3, 100))  # A halves: -50%
        rows.append(("B", week, 4 if i < 12 else 4, 100))  # B unchanged
    return pd.DataFrame(rows, columns=["ward_code", "week_start", "restraint", "occupied_bed_days"])


def test_change_from_baseline_pooled():
    out = change_from_baseline(long_weekly(), "restraint", baseline_weeks=12)
    a = out[out.ward_code == "A"].iloc[0]
    assert a["baseline_rate"] == pytest.approx(60.0) and a["recent_rate"] == pytest.approx(30.0)
    assert a["change"] == pytest.approx(-0.5) and bool(a["meets_aim"]) is True
    b = out[out.ward_code == "B"].iloc[0]
    assert b["change"] == pytest.approx(0.0) and bool(b["meets_aim"]) is False
    overall = out[out.scope == "collaborative"].iloc[0]
    # pooled: (72 + 48) / 2400 -> (36 + 48) / 2400: 50 -> 35 per 1,000
    assert overall["baseline_rate"] == pytest.approx(50.0)
    assert overall["recent_rate"] == pytest.approx(35.0)
    assert overall["change"] == pytest.approx(-0.3) and bool(overall["meets_aim"]) is False


def test_change_pooled_not_mean_of_weekly_rates():
    w = pd.DataFrame(
        [("A", "w1", 1, 10), ("A", "w2", 10, 1000), ("A", "w3", 1, 100)],
        columns=["ward_code", "week_start", "restraint", "occupied_bed_days"],
    )
    out = change_from_baseline(w, "restraint", baseline_weeks=["w1", "w2"], recent_weeks=1)
    assert out["baseline_rate"].iloc[0] == pytest.approx(11 / 1010 * 1000)


def test_zero_baseline_gives_blank_change():
    w = long_weekly()
    w.loc[w.ward_code == "B", "restraint"] = 0
    out = change_from_baseline(w, "restraint", baseline_weeks=12)
    b = out[out.ward_code == "B"].iloc[0]
    assert pd.isna(b["change"]) and pd.isna(b["meets_aim"])


def test_custom_aim():
    out = change_from_baseline(long_weekly(), "restraint", baseline_weeks=12, aim=-0.25)
    overall = out[out.scope == "collaborative"].iloc[0]
    assert bool(overall["meets_aim"]) is True
