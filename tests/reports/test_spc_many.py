"""compute_charts (every ward at once) agrees with compute_chart on each ward."""

import numpy as np
import pandas as pd
import pytest

from rrp.reports.spc import compute_chart, compute_charts


@pytest.fixture
def weekly():
    rng = np.random.default_rng(7)
    rows = []
    for w, n_weeks in (("A", 30), ("B", 12), ("C", 40)):
        weeks = pd.date_range("2024-01-01", periods=n_weeks, freq="7D")
        beds = rng.integers(100, 140, n_weeks)
        counts = rng.poisson(4 if w != "C" else 1, n_weeks)
        rows += [
            {"ward_code": w, "week_start": d, "restraint": c, "obd": b}
            for d, c, b in zip(weeks, counts, beds, strict=True)
        ]
    frame = pd.DataFrame(rows)
    return frame.sample(frac=1, random_state=1)  # shuffled: compute_charts sorts


@pytest.mark.parametrize("chart", ["run", "xmr", "u", "uprime"])
@pytest.mark.parametrize("rules", ["anhoej", "ihi"])
def test_many_equals_one(weekly, chart, rules):
    rebase = {"C": [pd.Timestamp("2024-04-01")]}
    points, summary = compute_charts(
        weekly,
        group="ward_code",
        value="restraint",
        denominator="obd",
        x="week_start",
        chart=chart,
        rules=rules,
        per=1000,
        rebase_at=rebase,
        target={"A": 50.0},
        fix_after=12,
    )
    assert list(summary["ward_code"]) == ["A", "B", "C"]
    for ward in ("A", "B", "C"):
        one = weekly[weekly.ward_code == ward].sort_values("week_start")
        r = compute_chart(
            one["restraint"].to_numpy(),
            denominators=one["obd"].to_numpy(),
            labels=list(one["week_start"]),
            chart=chart,
            rules=rules,
            per=1000,
            rebase_at=rebase.get(ward, []),
            target=50.0 if ward == "A" else None,
            fix_after=12,
        )
        got = points[points.ward_code == ward].drop(columns="ward_code").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, r.points, check_dtype=False)
        row = summary[summary.ward_code == ward].iloc[0]
        for key, value in r.summary.items():
            if value is None:
                assert row[key] is None or pd.isna(row[key])
            else:
                assert row[key] == value, key


def test_many_two_group_columns(weekly):
    weekly = weekly.assign(measure="restraint")
    points, summary = compute_charts(
        weekly,
        group=["ward_code", "measure"],
        value="restraint",
        denominator="obd",
        x="week_start",
        chart="u",
        rebase_at={("C", "restraint"): [pd.Timestamp("2024-04-01")]},
    )
    assert len(summary) == 3 and points["segment"].max() == 2


def test_many_missing_rebase_label(weekly):
    with pytest.raises(ValueError, match="not found"):
        compute_charts(
            weekly,
            group="ward_code",
            value="restraint",
            denominator="obd",
            x="week_start",
            chart="u",
            rebase_at={"A": [pd.Timestamp("1999-01-01")]},
        )


def test_many_missing_column(weekly):
    with pytest.raises(ValueError, match="missing column"):
        compute_charts(weekly, group="ward", value="restraint", denominator=None, x="week_start")
