"""collaborative_dashboard on hand-built frames: completeness, no zero-filling, change from
baseline, icons equal to compute_chart on one ward alone, filters, PDSA and progress columns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from rrp.reports.dashboard import collaborative_dashboard
from rrp.reports.spc import compute_chart

TODAY = dt.date(2026, 11, 25)  # a Wednesday: the last complete week starts Mon 16 Nov
END = dt.date(2026, 11, 16)


def registry() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "provider_code": ["PA", "PA", "PB"],
            "provider_name": ["Trust A", "Trust A", "Trust B"],
            "ward_code": ["A1", "A2", "B1"],
            "ward_name": ["Alder", "Aspen", "Beech"],
            "ward_type": ["acute_adult", "picu", "acute_adult"],
            "beds": [20, 10, 20],
            "active": [True, True, True],
        }
    )


def weekly(n: int = 30, missing: dict[str, list[int]] | None = None, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for code in ("A1", "A2", "B1"):
        for i in range(n):
            if missing and i in missing.get(code, []):
                continue
            week = END - dt.timedelta(weeks=n - 1 - i)
            r, s, t = (int(v) for v in rng.poisson([4, 1, 2]))
            rows.append((code, pd.Timestamp(week), r, min(r, 1), s, t, 120 + int(rng.integers(0, 20))))
    return pd.DataFrame(
        rows,
        columns=["ward_code", "week_start", "restraint", "prone_restraint", "seclusion",
                 "rapid_tranquillisation", "occupied_bed_days"],
    )


def test_completeness_counts_missing_weeks_and_grid() -> None:
    data = weekly(missing={"A1": [29, 25], "B1": [0]})  # week 0 is outside the last 12
    dash = collaborative_dashboard(data, registry(), today=TODAY)
    wards = dash.wards.set_index("ward_code")
    assert wards.loc["A1", "weeks_submitted"] == 10
    assert wards.loc["A2", "weeks_submitted"] == 12
    assert wards.loc["B1", "weeks_submitted"] == 12
    assert (wards["weeks_expected"] == 12).all()
    assert dash.weeks[-1] == END and len(dash.weeks) == 12
    assert not dash.completeness.loc["A1", END]
    assert not dash.completeness.loc["A1", END - dt.timedelta(weeks=4)]
    assert dash.completeness.loc["A2"].all()


def test_missing_weeks_are_not_zero_filled() -> None:
    data = weekly(missing={"A1": [29]})
    dash = collaborative_dashboard(data, registry(), today=TODAY)
    a1 = dash.ward_points[dash.ward_points["ward_code"] == "A1"]
    assert len(a1) == 29  # the missing week is absent, not a zero
    last = dash.aggregate[
        (dash.aggregate["measure"] == "all_restrictive")
        & (dash.aggregate["week_start"] == pd.Timestamp(END))
    ].iloc[0]
    sub = data[(data["week_start"] == pd.Timestamp(END))]
    total = (sub["restraint"] + sub["seclusion"] + sub["rapid_tranquillisation"]).sum()
    assert last["wards_submitted"] == 2
    assert last["rate"] == pytest.approx(total / sub["occupied_bed_days"].sum() * 1000)
    # the latest rate of A1 is from its last submitted week
    wards = dash.wards.set_index("ward_code")
    assert wards.loc["A1", "all_restrictive_week"] == pd.Timestamp(END - dt.timedelta(weeks=1))


def test_change_from_baseline_is_pooled_recent_over_baseline() -> None:
    data = weekly()
    dash = collaborative_dashboard(data, registry(), today=TODAY, baseline_weeks=12, recent_weeks=12)
    one = data[data["ward_code"] == "B1"].sort_values("week_start")
    base, recent = one.head(12), one.tail(12)
    rate = lambda f: f["seclusion"].sum() / f["occupied_bed_days"].sum()  # noqa: E731
    expected = rate(recent) / rate(base) - 1
    got = dash.wards.set_index("ward_code").loc["B1", "seclusion_change"]
    assert got == pytest.approx(expected)
    aim = dash.wards.set_index("ward_code").loc["B1", "seclusion_aim_rate"]
    assert aim == pytest.approx(rate(base) * 1000 * (1 - 1 / 3))


def test_icons_equal_compute_chart_on_each_ward_alone() -> None:
    data = weekly(n=40, missing={"A2": [5, 6, 38]})
    dash = collaborative_dashboard(data, registry(), today=TODAY, aim_reduction=0.25)
    wards = dash.wards.set_index("ward_code")
    for code in ("A1", "A2", "B1"):
        one = data[data["ward_code"] == code].sort_values("week_start")
        for measure in ("restraint", "seclusion", "rapid_tranquillisation"):
            target = wards.loc[code, f"{measure}_aim_rate"]
            result = compute_chart(
                one[measure].to_numpy(float),
                denominators=one["occupied_bed_days"].to_numpy(float),
                chart="u", direction="decrease", per=1000,
                target=None if pd.isna(target) else float(target),
            )
            assert wards.loc[code, f"{measure}_variation"] == result.summary["variation_icon"]
            assert wards.loc[code, f"{measure}_assurance"] == result.summary["assurance_icon"]


def test_filters_by_provider_and_ward_type() -> None:
    data = weekly()
    by_provider = collaborative_dashboard(data, registry(), today=TODAY, provider="PA")
    assert list(by_provider.wards["ward_code"]) == ["A1", "A2"]
    assert set(by_provider.funnel["unit"]) == {"A1", "A2"}
    assert (by_provider.aggregate["wards_expected"] == 2).all()
    by_type = collaborative_dashboard(data, registry(), today=TODAY, ward_type="acute_adult")
    assert list(by_type.wards["ward_code"]) == ["A1", "B1"]
    both = collaborative_dashboard(data, registry(), today=TODAY, provider="PB", ward_type="picu")
    assert both.wards.empty


def test_rows_after_today_are_ignored() -> None:
    data = weekly()
    future = data[data["week_start"] == pd.Timestamp(END)].assign(
        week_start=pd.Timestamp(END + dt.timedelta(weeks=1)), restraint=99
    )
    dash = collaborative_dashboard(pd.concat([data, future]), registry(), today=TODAY)
    assert dash.aggregate["week_start"].max() == pd.Timestamp(END)


def test_pdsa_and_progress_columns() -> None:
    pdsa = pd.DataFrame(
        {
            "ward_code": ["A1", "A1", "A1", "B1", "B1"],
            "change_idea_code": ["SW1", "SW1", "SW2", "SW1", "SW3"],
            "status": ["doing", "done", "done", "planned", "done"],
            "planned_start": [dt.date(2026, 11, 2), dt.date(2026, 9, 1), dt.date(2026, 9, 8),
                              dt.date(2026, 12, 1), dt.date(2026, 10, 5)],
            "planned_end": [dt.date(2026, 11, 30), dt.date(2026, 9, 28), dt.date(2026, 10, 6),
                            None, dt.date(2026, 10, 26)],
            "act_decision": [None, "adopt", "adopt", None, "abandon"],
        }
    )
    progress = pd.DataFrame(
        {"ward_code": ["A1", "A1", "B1"], "month": [dt.date(2026, 10, 1), dt.date(2026, 11, 1),
                                                     dt.date(2026, 12, 1)], "score": [2.0, 2.5, 4.0]}
    )
    dash = collaborative_dashboard(weekly(), registry(), today=TODAY, pdsa=pdsa, progress=progress)
    wards = dash.wards.set_index("ward_code")
    assert wards.loc["A1", "pdsa_this_month"] == 1
    assert wards.loc["A1", "pdsa_running"] == 1
    assert wards.loc["A1", "ideas_adopted"] == 2
    assert wards.loc["B1", "pdsa_this_month"] == 0  # planned for December
    assert wards.loc["A1", "progress_score"] == 2.5
    assert pd.isna(wards.loc["B1", "progress_score"])  # December is after today
    monthly = dash.pdsa_monthly.set_index("month")
    assert monthly.loc[dt.date(2026, 9, 1), "started"] == 2
    assert monthly.loc[dt.date(2026, 10, 1), "completed"] == 2
    assert dt.date(2026, 12, 1) not in monthly.index


def test_aggregate_aim_line_and_empty_data() -> None:
    dash = collaborative_dashboard(weekly(), registry(), today=TODAY, aim_reduction=0.25)
    summary = dash.aggregate_summary.set_index("measure").loc["all_restrictive"]
    assert summary["aim_rate"] == pytest.approx(summary["baseline_rate"] * 0.75)
    empty = collaborative_dashboard(weekly().iloc[0:0], registry(), today=TODAY)
    assert len(empty.wards) == 3 and (empty.wards["weeks_submitted"] == 0).all()
    assert empty.funnel.empty and empty.notes


def test_ward_and_aggregate_readings_agree_with_the_engine_on_each_chart() -> None:
    from rrp.reports.dashboard import aggregate_reading, ward_point_rows, ward_reading
    from rrp.reports.reading import chart_reading, rate_unit

    data = weekly(n=40, missing={"A2": [5, 6, 38]})
    dash = collaborative_dashboard(data, registry(), today=TODAY, aim_reduction=0.25)
    wards = dash.wards.set_index("ward_code")
    rows = ward_point_rows(dash)
    headline = dash.measures[0]
    for code in ("A1", "A2", "B1"):
        one = data[data["ward_code"] == code].sort_values("week_start")
        counts = one[["restraint", "seclusion", "rapid_tranquillisation"]].sum(axis=1)
        aim = float(wards.loc[code, f"{headline}_aim_rate"])
        result = compute_chart(
            counts.to_numpy(float), denominators=one["occupied_bed_days"].to_numpy(float),
            labels=[d.date() for d in pd.to_datetime(one["week_start"])],
            chart="u", direction="decrease", per=1000, target=aim,
        )
        want = chart_reading(result, label="All restrictive practice", unit=rate_unit(1000), aim=aim)
        assert ward_reading(dash, code) == want
        # the row index gives the same points as a filter
        assert ward_reading(dash, code, points=dash.ward_points.iloc[rows[code]]) == want
    reading = aggregate_reading(dash, headline)
    assert reading[0].startswith("Collaborative all restrictive practice: ")
    assert len(reading) == 3
    assert aggregate_reading(dash, "no_such_measure") == ["Collaborative no_such_measure: no weeks to chart yet."]


def test_an_end_week_entered_but_not_confirmed_is_not_submitted_and_says_to_confirm() -> None:
    """A provisional last week (saved before it ended, not since: the store's `provisional` flag)
    is to confirm: not submitted on the completeness grid, on the not-submitted list and text,
    and in the JSON (rrp.models.week_status)."""
    from rrp.reports.dashboard import dashboard_json, not_submitted_text, not_submitted_wards

    data = weekly(missing={"B1": [29]})
    data["provisional"] = (data["ward_code"] == "A2") & (data["week_start"] == pd.Timestamp(END))
    dash = collaborative_dashboard(data, registry(), today=TODAY)
    assert dash.to_confirm == frozenset({"A2"})
    assert not dash.completeness.loc["A2", END] and dash.completeness.loc["A1", END]
    wards = dash.wards.set_index("ward_code")
    assert (wards.loc["A2", "weeks_submitted"], wards.loc["A2", "weeks_expected"]) == (11, 12)
    listed = not_submitted_wards(dash)
    assert [(w["ward_code"], w["to_confirm"]) for w in listed] == [("A2", True), ("B1", False)]
    text = not_submitted_text(dash).splitlines()
    assert text[0].endswith(": 2 wards")
    assert text[1] == "Aspen (A2), Trust A - to confirm (entered before the week ended)"
    assert text[2] == "Beech (B1), Trust B"
    assert [w["to_confirm"] for w in dashboard_json(dash)["not_submitted"]] == [True, False]
    # Confirmed (flag gone): submitted again.
    data["provisional"] = False
    assert collaborative_dashboard(data, registry(), today=TODAY).completeness.loc["A2", END]


def test_pdsa_completed_counts_when_a_cycle_was_marked_done_and_every_month_is_shown() -> None:
    """Completed per month: the day a cycle was marked done (`ended_on`, as the PDSA list shows
    it), not its planned end; a month with no activity is a row of zeros, up to this month."""
    from rrp.models.pdsa import completed_on

    pdsa = pd.DataFrame(
        {
            "ward_code": ["A1", "A1", "B1", "B1"],
            "change_idea_code": ["SW1", "SW2", "SW1", "SW3"],
            "status": ["done", "done", "doing", "done"],
            "planned_start": [dt.date(2026, 8, 3), dt.date(2026, 10, 5), dt.date(2026, 11, 2), dt.date(2026, 10, 12)],
            "planned_end": [dt.date(2026, 10, 26), dt.date(2026, 11, 30), dt.date(2026, 11, 27), dt.date(2026, 10, 30)],
            "act_decision": ["adopt", "adapt", None, "abandon"],
            # Done early (8 Aug, planned 26 Oct); done early (2 Nov, planned 30 Nov); running;
            # arrived done (no move recorded): its planned end.
            "ended_on": [dt.date(2026, 8, 8), dt.date(2026, 11, 2), None, None],
        }
    )
    pdsa["ended_on"] = [completed_on(s, m, e) for s, m, e in zip(pdsa["status"], pdsa["ended_on"], pdsa["planned_end"], strict=True)]
    dash = collaborative_dashboard(weekly(), registry(), today=TODAY, pdsa=pdsa)
    monthly = dash.pdsa_monthly.set_index("month")
    assert list(monthly.index) == [dt.date(2026, m, 1) for m in (8, 9, 10, 11)]  # September: nothing, shown
    assert list(monthly["started"]) == [1, 0, 2, 1]
    assert list(monthly["completed"]) == [1, 0, 1, 1]  # 2 Nov counted in November, before its planned end
    wards = dash.wards.set_index("ward_code")
    assert (wards.loc["B1", "pdsa_running"], wards.loc["B1", "pdsa_due_for_study"]) == (1, 1)  # ends Fri 27 Nov
    assert wards.loc["A1", "pdsa_due_for_study"] == 0
