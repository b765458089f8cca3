"""The plain-English chart reading (rrp.reports.reading): every pattern, class, assurance outcome,
too few points, trial limits, run charts, every chart type, and number formatting."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from rrp.reports.reading import chart_reading, format_number, format_value, rate_unit
from rrp.reports.spc import ChartResult, compute_chart
from rrp.reports.spc.types import CHART_TYPES

UNIT = rate_unit(1000)
WEEKS = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(60)]
BASE = [50, 52, 48, 55, 47, 51, 49, 53, 50, 46, 54, 50, 52, 48, 51, 49, 50]


def read(values, *, aim=None, label="Restraint", unit=UNIT, **kw):
    result = compute_chart(values, labels=WEEKS[: len(values)], target=aim, **kw)
    return result, chart_reading(result, label=label, unit=unit, aim=aim)


def hand(
    values,
    rules,
    classes,
    *,
    centre=50.0,
    upper=80.0,
    lower=20.0,
    chart="xmr",
    direction="decrease",
    segment=None,
    trial=False,
    **summary,
) -> ChartResult:
    """A ChartResult built by hand, so a test decides the engine's flags and classes."""
    n = len(values)
    points = pd.DataFrame(
        {
            "x": WEEKS[:n],
            "value": np.asarray(values, dtype=float),
            "centre": centre,
            "lower_limit": np.nan if chart == "run" else lower,
            "upper_limit": np.nan if chart == "run" else upper,
            "segment": segment or [1] * n,
            "special_cause": classes,
            "rules": rules,
            "trial": trial,
        }
    )
    return ChartResult(points, {"chart": chart, "direction": direction, **summary})


# -- the first sentence: the latest value, formatted for people ----------------------------------


def test_first_sentence_has_the_latest_value_unit_and_week() -> None:
    _, sentences = read(BASE + [88.4], chart="xmr")
    assert sentences[0] == "Restraint: 88 per 1,000 bed days in the week of 4 May."
    assert 2 <= len(sentences) <= 3


@pytest.mark.parametrize(
    ("value", "text"),
    [(88.4, "88"), (1234.4, "1,234"), (3.46, "3.5"), (0.0, "0"), (7.0, "7"), (float("nan"), "-")],
)
def test_numbers_as_people_write_them(value: float, text: str) -> None:
    assert format_number(value) == text


def test_a_proportion_reads_as_a_percentage() -> None:
    assert format_value(0.423, "%", 100) == "42%"
    assert format_value(0.423, "% of debriefs in 72 hours", 100) == "42% of debriefs in 72 hours"
    assert format_value(88.0, UNIT) == "88 per 1,000 bed days"
    result = hand([0.4] * 13 + [0.45], [""] * 14, [""] * 14, centre=0.4, upper=0.9, lower=0.1, direction="increase")
    sentences = chart_reading(result, label="Debriefs", unit="%", scale=100, aim=0.95)
    assert sentences[0].startswith("Debriefs: 45% in the week of")
    assert sentences[2].startswith("Aim 95%:")


def test_no_chart_is_one_sentence() -> None:
    assert chart_reading(None, label="Seclusion") == ["Seclusion: no weeks to chart yet."]


# -- the signal sentence: class and pattern ------------------------------------------------------


def test_concern_outside_the_usual_range() -> None:
    result, sentences = read(BASE + [120], chart="xmr", aim=38)
    assert result.points["special_cause"].iloc[-1] == "concern"
    assert sentences[1] == "Concern: the latest week is above the usual range."


def test_improvement_shift_counts_the_weeks() -> None:
    result, sentences = read(BASE + [45, 44, 46, 43, 45, 44, 42, 41], chart="xmr")
    assert "shift" in result.points["rules"].iloc[-1]
    assert sentences[1] == "Improvement: the last 8 weeks are all below the usual average."


def test_concern_shift_above_as_in_the_issue() -> None:
    result, sentences = read(BASE + [53, 54, 53, 55, 54, 53, 54], chart="xmr")
    assert result.points["rules"].iloc[-1] == "shift"
    assert result.points["special_cause"].iloc[-1] == "concern"
    assert sentences[1] == "Concern: the last 7 weeks are all above the usual average."


def test_neither_when_the_direction_is_neutral() -> None:
    _, sentences = read(BASE + [120], chart="xmr", aim=38, direction="neutral")
    assert sentences[1] == "Unusual, neither better nor worse: the latest week is above the usual range."
    assert sentences[2] == "Aim 38: this measure has no better direction, so there is no verdict on it."


def test_common_cause() -> None:
    _, sentences = read(BASE, chart="xmr")
    assert sentences[1] == "No sign of change: the weeks vary within the usual range."


def test_common_cause_mentions_earlier_signals() -> None:
    rules = [""] * 14
    rules[3] = "outside_limits"
    classes = [""] * 14
    classes[3] = "concern"
    sentences = chart_reading(hand([50] * 14, rules, classes), label="Restraint")
    assert sentences[1] == (
        "No sign of change: the weeks vary within the usual range (earlier weeks on this chart show concern)."
    )


def test_trend_rising_is_a_concern_when_lower_is_better() -> None:
    values = [40, 42, 44, 46, 48, 50, 52]
    result = hand([50] * 13 + values, [""] * 13 + ["trend"] * 7, [""] * 13 + ["concern"] * 7)
    sentences = chart_reading(result, label="Restraint")
    assert sentences[1] == "Concern: the values are rising 7 weeks in a row."


def test_trend_falling_from_the_engine() -> None:
    values = BASE + [58, 56, 54, 52, 50, 48, 46]
    result, sentences = read(values, chart="xmr")
    assert "trend" in result.points["rules"].iloc[-1]
    assert result.points["special_cause"].iloc[-1] == "improvement"
    assert sentences[1].startswith("Improvement: ")


def test_two_of_three_near_the_edge() -> None:
    rules = [""] * 12 + ["two_of_three", "", "two_of_three"]
    classes = [""] * 12 + ["improvement", "", "improvement"]
    result = hand([50] * 12 + [25, 45, 24], rules, classes)
    sentences = chart_reading(result, label="Restraint")
    assert sentences[1] == (
        "Improvement: two of the last three weeks are near the edge of the usual range, below the usual average."
    )


def test_the_engine_decides_the_class_and_the_words_that_agree_come_first() -> None:
    # A point below the centre in a rising trend, classed concern by the engine (trend first):
    # the reading says concern and names the rising trend, not the shift below the centre.
    values = [50] * 13 + [30, 32, 34, 36, 38, 40, 42]
    rules = [""] * 13 + ["shift;trend"] * 7
    classes = [""] * 13 + ["concern"] * 7
    sentences = chart_reading(hand(values, rules, classes), label="Restraint")
    assert sentences[1] == "Concern: the values are rising 7 weeks in a row."
    # The same points classed improvement (a different precedence): the shift is named.
    sentences = chart_reading(hand(values, rules, [""] * 13 + ["improvement"] * 7), label="Restraint")
    assert sentences[1] == "Improvement: the last 7 weeks are all below the usual average."


# -- too few points and trial limits --------------------------------------------------------------


def test_too_few_weeks_with_trial_limits() -> None:
    _, sentences = read(BASE[:8], chart="xmr", aim=38)
    assert sentences[1] == (
        "Too few weeks to judge yet: 8 so far, and 13 are needed; the usual range is a trial one."
    )
    assert sentences[2] == "Aim 38: too few weeks yet to say whether it will be met."


def test_too_few_weeks_but_a_flagged_point_is_still_said() -> None:
    _, sentences = read(BASE[:8] + [120], chart="xmr")
    assert sentences[1].startswith("Too few weeks to judge yet: 9 so far")
    assert sentences[1].endswith("but watch: the latest week is above the usual range (a possible concern).")


def test_twelve_weeks_no_trial_but_still_too_few_for_an_icon() -> None:
    _, sentences = read(BASE[:12], chart="xmr")
    assert sentences[1] == "Too few weeks to judge yet: 12 so far, and 13 are needed."


def test_since_the_last_rebase() -> None:
    _, sentences = read(BASE + BASE[:5], chart="xmr", rebase_at=[WEEKS[len(BASE)]])
    assert sentences[1].startswith("Too few weeks to judge yet: 5 since the last rebase")


# -- run charts ----------------------------------------------------------------------------------


def test_run_chart_common_cause_and_aim() -> None:
    _, sentences = read(BASE, chart="run")
    assert sentences[1] == "No sign of change: the weeks vary around the median as chance would."
    sentences = chart_reading(compute_chart(BASE, labels=WEEKS[:17]), label="Restraint", aim=38)
    assert sentences[2] == "Aim 38: a run chart has no usual range, so it cannot say whether the aim will be met."


def test_run_chart_too_few_useful_points() -> None:
    _, sentences = read(BASE[:6], chart="run")
    assert sentences[1] == (
        "Too few weeks to judge yet: 6 off the median so far, and the run-chart rules need 10."
    )


def test_run_chart_long_run() -> None:
    values = BASE + [40, 41, 39, 42, 38, 40, 41, 39, 40, 38]
    result, sentences = read(values, chart="run")
    assert "long_run" in result.points["rules"].iloc[-1]
    limit = result.summary["longest_run_limit"]
    assert sentences[1].startswith("Improvement: the last 10 weeks are all below the median")
    assert f"more than {limit} in a row rarely happens by chance" in sentences[1]


def test_run_chart_few_crossings() -> None:
    rules = ["few_crossings"] * 14
    result = hand([60] * 14, rules, ["concern"] * 14, chart="run", crossings=1, crossings_limit=4)
    sentences = chart_reading(result, label="Restraint")
    assert sentences[1] == (
        "Concern: the line crosses the median only 1 times, fewer than chance would give (at least 4)."
    )


def test_ihi_too_few_and_too_many_runs() -> None:
    few = hand([60] * 14, ["too_few_runs"] * 14, ["concern"] * 14, chart="run")
    assert chart_reading(few, label="R")[1] == (
        "Concern: the weeks stay above the median for longer than chance would give (too few runs)."
    )
    zigzag = [60, 40] * 7
    many = hand(zigzag, ["too_many_runs"] * 14, ["neither"] * 14, chart="run")
    assert chart_reading(many, label="R")[1] == (
        "Unusual, neither better nor worse: the weeks swap sides of the median more often than chance would give."
    )


# -- the assurance sentence -----------------------------------------------------------------------


def test_consistently_passing() -> None:
    result, sentences = read(BASE, chart="xmr", aim=70)
    assert result.summary["assurance_icon"] == "pass"
    assert sentences[2] == (
        "Aim 70: the whole usual range is better than the aim, so it should be met every week unless something changes."
    )


def test_consistently_failing() -> None:
    result, sentences = read(BASE, chart="xmr", aim=30)
    assert result.summary["assurance_icon"] == "fail"
    assert sentences[2] == (
        "Aim 30: the whole usual range is worse than the aim, so it will not be met unless something changes."
    )


def test_hit_and_miss_as_in_the_issue() -> None:
    result, sentences = read(BASE, chart="xmr", aim=50)
    assert result.summary["assurance_icon"] == "hit_and_miss"
    assert sentences[2] == "Aim 50: it lies inside the usual range, so some weeks will meet it and some will not."


def test_no_aim() -> None:
    _, sentences = read(BASE, chart="xmr")
    assert sentences[2] == "No aim is set for this chart."


# -- every chart type ----------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHART_TYPES)
def test_every_chart_type_reads_out(chart: str) -> None:
    rng = np.random.default_rng(3)
    counts = rng.poisson(6, 30).astype(float)
    days = rng.integers(150, 200, 30).astype(float)
    kw: dict = {}
    unit, aim = UNIT, 30.0
    if chart in ("u", "uprime"):
        kw = {"denominators": days, "per": 1000.0}
    elif chart in ("p", "pprime"):  # debriefs of incidents, as a percentage
        kw = {"denominators": counts + rng.integers(0, 4, 30), "per": 100.0}
        unit, aim = "%", 80.0
    result = compute_chart(counts, labels=WEEKS[:30], chart=chart, target=aim, **kw)
    sentences = chart_reading(result, label="Seclusion", unit=unit, aim=aim)
    assert len(sentences) == 3
    assert sentences[0].startswith("Seclusion: ")
    assert all(s.endswith(".") for s in sentences)


def test_an_unknown_future_chart_type_reads_as_a_control_chart() -> None:
    result = hand([0.5] * 14, [""] * 14, [""] * 14, chart="pprime", centre=0.5, upper=0.8, lower=0.2)
    sentences = chart_reading(result, label="Debriefs", unit="%", scale=100)
    assert sentences[1] == "No sign of change: the weeks vary within the usual range."


def test_weeks_as_timestamps_or_datetime64_read_as_dates() -> None:
    # compute_charts gives week_start as datetime64 (the dashboard's ward charts).
    for x in (pd.to_datetime(WEEKS[:14]), np.array(WEEKS[:14], dtype="datetime64[ns]")):
        result = hand([50] * 14, [""] * 14, [""] * 14)
        result.points["x"] = x
        assert chart_reading(result, label="R")[0] == "R: 50 in the week of 6 Apr."
    result = hand([50] * 14, [""] * 14, [""] * 14)
    result.points["x"] = range(14)
    assert chart_reading(result, label="R")[0] == "R: 50 at the latest point."
