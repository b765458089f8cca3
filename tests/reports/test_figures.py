"""rrp.reports.figures: the one definition of each shared figure, on small hand-made data."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from rrp.models.measure import Measure, MeasureSet
from rrp.reports import figures

MONDAY = dt.date(2026, 1, 5)


def weeks(n: int, start: dt.date = MONDAY) -> list[dt.date]:
    return [start + dt.timedelta(weeks=i) for i in range(n)]


def weekly(ward: str, counts: list[int | None], start: dt.date = MONDAY, bed_days: int = 100) -> pd.DataFrame:
    n = len(counts)
    return pd.DataFrame(
        {
            "ward_code": ward,
            "week_start": pd.to_datetime(weeks(n, start)),
            "restraint": pd.array(counts, dtype="Int64"),
            "prone_restraint": pd.array([0] * n, dtype="Int64"),
            "seclusion": pd.array([0] * n, dtype="Int64"),
            "rapid_tranquillisation": pd.array([0] * n, dtype="Int64"),
            "occupied_bed_days": pd.array([bed_days] * n, dtype="Int64"),
        }
    )


def measure(**fields) -> Measure:
    base = {"code": "m_x", "name": "M", "definition": "d", "kind": "process", "direction": "increase",
            "frequency": "weekly", "recorded_as": "proportion"}
    return Measure.model_validate({**base, **fields})


SHIPPED = figures.shipped_measures()


def test_baseline_is_the_wards_own_first_twelve_points_not_the_collaboratives() -> None:
    # W2 joins 10 weeks after W1: its baseline is its own first 12 weeks (the copy the dashboard
    # had took the collaborative's first 12 weeks, so W2's baseline had 2 weeks).
    frame = pd.concat([weekly("W1", [2] * 40), weekly("W2", [4] * 12 + [1] * 18, start=weeks(11)[-1])])
    end = weeks(40)[-1]
    points = figures.measure_points(SHIPPED["restraint"], SHIPPED, frame, end_week=end)
    table = figures.change_table(SHIPPED["restraint"], points, end_week=end)
    assert table.loc["W2", "baseline_weeks"] == 12
    assert table.loc["W2", "baseline"] == pytest.approx(40.0)
    assert table.loc["W2", "recent"] == pytest.approx(10.0)
    assert table.loc["W2", "change_from_baseline"] == pytest.approx(-0.75)
    assert table.loc["W2", "baseline_start"] == pd.Timestamp(weeks(11)[-1])


def test_recent_is_the_twelve_weeks_to_the_last_complete_week() -> None:
    frame = weekly("W1", [3] * 12 + [1] * 12 + [9])  # week 25 is the week in progress
    today = weeks(25)[-1] + dt.timedelta(days=2)
    end = figures.last_complete_week(today)
    assert end == weeks(24)[-1]
    points = figures.measure_points(SHIPPED["restraint"], SHIPPED, frame, end_week=end)
    table = figures.change_table(SHIPPED["restraint"], points, end_week=end)
    assert table.loc["W1", "recent_weeks"] == 12
    assert table.loc["W1", "recent"] == pytest.approx(10.0)  # the 9 of the week in progress is not in it
    # a missed week is not filled: the ward simply has fewer recent weeks
    gap = frame.drop(index=[20])
    points = figures.measure_points(SHIPPED["restraint"], SHIPPED, gap, end_week=end)
    assert figures.change_table(SHIPPED["restraint"], points, end_week=end).loc["W1", "recent_weeks"] == 11


def test_a_fixed_baseline_sets_the_baseline_length() -> None:
    frame = weekly("W1", [3] * 12 + [1] * 6 + [1] * 12)
    end = weeks(30)[-1]
    points = figures.measure_points(SHIPPED["restraint"], SHIPPED, frame, end_week=end)
    table = figures.change_table(SHIPPED["restraint"], points, end_week=end, fix_after={"W1": 18})
    assert table.loc["W1", "baseline_weeks"] == 18
    assert table.loc["W1", "baseline"] == pytest.approx((36 + 6) / 1800 * 1000)


def test_all_restrictive_is_summed_once_and_a_blank_part_blanks_it() -> None:
    frame = weekly("W1", [1, 2, 3])
    frame["seclusion"] = pd.array([1, None, 1], dtype="Int64")
    points = figures.measure_points(SHIPPED["all_restrictive"], SHIPPED, frame)
    assert list(points["numerator"]) == [2.0, 4.0]
    assert list(points["value"]) == pytest.approx([20.0, 40.0])


def test_a_proportion_is_pooled_and_a_value_measure_is_averaged() -> None:
    proportion = measure()
    value = measure(code="score", recorded_as="value", minimum=0, maximum=10)
    measures = SHIPPED.replace([proportion, value])
    values = pd.DataFrame(
        {
            "ward_code": ["W1"] * 26,
            "measure_code": ["m_x"] * 13 + ["score"] * 13,
            "period_start": pd.to_datetime(weeks(13) * 2),
            "numerator": [1] * 12 + [9] + [2.0] * 12 + [8.0],
            "denominator": pd.array([4] * 12 + [10] + [None] * 13, dtype="Int64"),
        }
    )
    frame = weekly("W1", [0] * 13)
    end = weeks(13)[-1]
    p = figures.measure_points(proportion, measures, frame, values, end_week=end)
    assert list(p["value"])[-1] == pytest.approx(90.0)
    fig, chart = figures.ward_figures(proportion, p, end_week=end, aim_reduction=1 / 3)
    assert fig.loc["W1", "baseline"] == pytest.approx(25.0)  # 12 / 48 x 100, pooled
    assert fig.loc["W1", "latest_value"] == pytest.approx(90.0)
    assert fig.loc["W1", "variation_icon"] is not None  # 13 points: an icon
    assert set(chart["ward_code"]) == {"W1"}
    v = figures.measure_points(value, measures, frame, values, end_week=end)
    table = figures.change_table(value, v, end_week=end)
    assert table.loc["W1", "baseline"] == pytest.approx(2.0)
    assert table.loc["W1", "recent"] == pytest.approx((2 * 11 + 8) / 12)


def test_the_aim() -> None:
    restraint = SHIPPED["restraint"]
    assert figures.aim_value(restraint, 30.0, 1 / 3) == pytest.approx(20.0)
    assert figures.aim_value(restraint, 30.0, 1 / 3, ward_target=12.0) == 12.0
    assert figures.aim_value(measure(aim_target=95), 40.0, 1 / 3) == 95.0
    assert figures.aim_value(measure(), 40.0, 1 / 3) is None  # a process measure with no aim
    assert figures.meets_aim(restraint, 19.0, 20.0) is True
    assert figures.meets_aim(measure(aim_target=95), 90.0, 95.0) is False


def test_completeness_counts_weeks_with_bed_days_up_to_the_last_complete_week() -> None:
    frame = pd.concat([weekly("W1", [1] * 4), weekly("W2", [1] * 2)], ignore_index=True)
    frame.loc[1, "occupied_bed_days"] = 0  # W1's week 2 has no bed days: not submitted
    grid = figures.completeness(frame, ["W1", "W2", "W3"], weeks(4))
    assert grid.loc["W1"].tolist() == [True, False, True, True]
    assert grid.loc["W2"].tolist() == [True, True, False, False]
    assert not grid.loc["W3"].any()


def test_pdsa_running_counts_cycles_in_study() -> None:
    today = dt.date(2026, 11, 18)
    running, due = figures.pdsa_counts(
        ["doing", "studying", "planned", "doing"], [dt.date(2026, 11, 20), None, None, dt.date(2026, 12, 30)], today
    )
    assert (running, due) == (3, 1)


def test_json_numbers_dates_and_nan() -> None:
    data = figures.to_json({"a": math.nan, "b": np.float64(1.5), "c": MONDAY, "d": [np.int64(2), None]})
    assert json.loads(json.dumps(data, allow_nan=False)) == {"a": None, "b": 1.5, "c": "2026-01-05", "d": [2, None]}


def test_measure_sets_drive_what_is_shown() -> None:
    shown = [m.code for m in figures.shown_measures(SHIPPED, MONDAY)]
    assert shown == ["all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"]
    with_debrief = SHIPPED.replace([SHIPPED["debrief_72h"].model_copy(update={"enabled": True})])
    assert "debrief_72h" in [m.code for m in figures.shown_measures(with_debrief, MONDAY)]
    assert isinstance(with_debrief, MeasureSet)


def test_not_submitted_and_completeness_leave_out_weeks_before_a_ward_joined():
    import datetime as dt

    import pandas as pd

    from rrp.reports.figures import due_completeness, not_submitted, participation_mask

    weeks = [dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    wards = pd.DataFrame({"ward_code": ["A", "B", "C"], "participation_start": [None, "2026-11-18", "2026-11-23"]})
    present = pd.DataFrame([[True, False], [False, False], [False, False]], index=pd.Index(["A", "B", "C"], name="ward_code"),
                           columns=weeks)
    mask = participation_mask(wards, weeks)
    assert mask.to_numpy().tolist() == [[True, True], [False, True], [False, False]]
    grid, submitted, expected = due_completeness(present, wards)
    assert list(submitted) == [1, 0, 0] and list(expected) == [2, 1, 0]
    # A (took part, missed 16 Nov) and B (joined that week) are chased; C joined after it.
    assert not_submitted(present, wards, weeks[-1]) == ["A", "B"]
    assert not_submitted(present, wards, dt.date(2026, 11, 23)) == []  # a week the grid does not hold


def test_completeness_marks_weeks_before_a_ward_joined_not_applicable_not_missing():
    import datetime as dt

    import pandas as pd

    from rrp.reports.figures import completeness_marks, due_completeness

    weeks = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    wards = pd.DataFrame({"ward_code": ["A", "B", "C"], "participation_start": [None, "2026-11-11", "2026-11-23"]})
    present = pd.DataFrame(
        [[True, False, True], [False, True, False], [False, False, False]],
        index=pd.Index(["A", "B", "C"], name="ward_code"),
        columns=weeks,
    )
    marks = completeness_marks(present, wards)
    # B joined on Wednesday 11 Nov: its week of 2 Nov is not applicable, 9 Nov counts (submitted),
    # 16 Nov is missing; C joined after every week shown.
    assert marks == {"A": (True, False, True), "B": (None, True, False), "C": (None, None, None)}
    # The marks agree with the counts: submitted = the True marks, expected = the marks not None.
    _, submitted, expected = due_completeness(present, wards)
    for code, row in marks.items():
        assert (submitted[code], expected[code]) == (sum(m is True for m in row), sum(m is not None for m in row))
