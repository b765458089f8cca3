"""The long table of every measure's values: derived sums, denominators, charted values."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from rrp.models.measure import Measure, MeasureSet
from rrp.reports.measure_values import VALUES_COLUMNS, charted_value, measure_values_table


def measure(code: str, recorded_as: str, **extra: object) -> Measure:
    return Measure.model_validate({
        "code": code, "name": code.replace("_", " "), "definition": "As the ward counts it.", "kind": "balancing",
        "recorded_as": recorded_as, "direction": "neutral", "frequency": "weekly", **extra,
    })


def test_sums_only_where_every_member_has_a_value_and_values_follow_recorded_as() -> None:
    measures = MeasureSet([
        measure("falls", "count"), measure("trips", "count"), measure("mishaps", "count", sum_of=["falls", "trips"]),
        measure("checks_done", "proportion"), measure("incidents", "count_per_bed_days"),
    ])
    w1, w2 = pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-09")
    weekly = pd.DataFrame({
        "ward_code": ["A1", "A1"], "week_start": [w1, w2], "restraint": [0, 0], "prone_restraint": [0, 0],
        "seclusion": [0, 0], "rapid_tranquillisation": [0, 0], "occupied_bed_days": [100, 0],
    })
    values = pd.DataFrame({
        "ward_code": ["A1"] * 6,
        "measure_code": ["falls", "falls", "trips", "checks_done", "checks_done", "incidents"],
        "period_start": [w1, w2, w1, w1, w2, w1],
        "numerator": pd.Series([2, 1, 3, 0, 3, 5], dtype=object),
        "denominator": pd.Series([None, None, None, 0, 4, None], dtype="Int64"),
    })
    registry = pd.DataFrame({"provider_code": ["P1"], "ward_code": ["A1"], "ward_name": ["Ash"]})
    table = measure_values_table(measures, weekly, values, registry)
    assert tuple(table.columns) == VALUES_COLUMNS
    rows = {(r.measure_code, r.period_start.isoformat()): r for r in table.itertuples()}
    assert rows[("mishaps", "2026-11-02")].numerator == 5
    assert ("mishaps", "2026-11-09") not in rows  # trips missing that week: never counted as zero
    assert rows[("incidents", "2026-11-02")].denominator == 100 and rows[("incidents", "2026-11-02")].value == 50.0
    assert math.isnan(rows[("checks_done", "2026-11-02")].value)  # 0 of 0: nothing to chart
    assert rows[("checks_done", "2026-11-09")].value == 75.0
    assert rows[("falls", "2026-11-09")].value == 1.0 and rows[("falls", "2026-11-09")].denominator is None
    assert list(charted_value(measures["incidents"], [1, 1], [0, 500])[1:]) == [2.0]
    assert dt.date(2026, 11, 2) == rows[("falls", "2026-11-02")].period_start
