"""The huddle's numbers (rrp.reports.huddle), the icon words and the chart drawing, on
hand-built frames."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from rrp.models.annotation import Annotation
from rrp.reports import icons_text
from rrp.reports.huddle import HUDDLE_MEASURES, huddle_summary, next_in, weeks_since_text
from rrp.reports.spc import compute_chart

START = dt.date(2026, 1, 5)  # a Monday


def weeks(n: int, start: dt.date = START) -> list[dt.date]:
    return [start + dt.timedelta(weeks=i) for i in range(n)]


def frame(restraint, seclusion=None, rt=None, prone=None, bed_days=100, start=START) -> pd.DataFrame:
    n = len(restraint)
    return pd.DataFrame(
        {
            "ward_code": "W1",
            "week_start": pd.to_datetime(weeks(n, start)),
            "restraint": restraint,
            "prone_restraint": prone if prone is not None else [0] * n,
            "seclusion": seclusion if seclusion is not None else [0] * n,
            "rapid_tranquillisation": rt if rt is not None else [0] * n,
            "occupied_bed_days": bed_days if isinstance(bed_days, list) else [bed_days] * n,
        }
    )


def test_this_week_and_last_week_counts() -> None:
    f = frame([1, 2, 3, 4], seclusion=[0, 0, 1, 2], rt=[1, 0, 0, 1], prone=[0, 1, 1, 0])
    today = weeks(4)[-1] + dt.timedelta(days=2)  # Wednesday of the last week
    s = huddle_summary(f, today=today)
    assert s.this_week == weeks(4)[-1] and s.last_week == weeks(4)[-2]
    assert s.line("restraint").this_week == 4 and s.line("restraint").last_week == 3
    assert s.line("prone_restraint").this_week == 0 and s.line("prone_restraint").last_week == 1
    assert s.line("seclusion").this_week == 2
    assert s.line("all_restrictive").this_week == 4 + 2 + 1
    assert s.line("all_restrictive").last_week == 3 + 1 + 0


def test_weeks_not_entered_are_none_and_future_weeks_ignored() -> None:
    f = frame([1, 2, 3, 4, 5])
    today = weeks(5)[2] + dt.timedelta(weeks=2)  # two weeks after week 3: week 5 is "this week"
    s = huddle_summary(f.drop(index=[3, 4]), today=today)
    assert s.line("restraint").this_week is None and s.line("restraint").last_week is None
    s = huddle_summary(f, today=weeks(5)[2])  # weeks 4 and 5 lie in the future
    assert s.latest_week == weeks(5)[2]
    assert s.line("restraint").this_week == 3
    assert len(s.result.points) == 3


def test_weeks_since_last_including_none() -> None:
    f = frame([2, 0, 0, 0, 0], seclusion=[0, 0, 1, 0, 0], rt=[0, 0, 0, 0, 3])
    s = huddle_summary(f, today=weeks(5)[-1])
    assert s.line("restraint").weeks_since == 4
    assert s.line("seclusion").weeks_since == 2
    assert s.line("rapid_tranquillisation").weeks_since == 0
    assert s.line("prone_restraint").weeks_since is None
    assert s.line("prone_restraint").weeks_observed == 5
    assert s.line("prone_restraint").weeks_since_text == "none in the last 5 weeks"
    assert s.line("restraint").weeks_since_text == "4 weeks"
    assert weeks_since_text(1, 5) == "1 week"
    assert weeks_since_text(None, 5, short=True) == "none in 5"
    assert weeks_since_text(None, 0) == "no weeks entered"


def test_weeks_since_counts_from_the_latest_entered_week_across_gaps() -> None:
    f = frame([1, 0, 0, 0, 0, 0])
    f = f.drop(index=[2, 3])  # weeks 3 and 4 not entered
    s = huddle_summary(f, today=weeks(6)[-1] + dt.timedelta(weeks=3))
    assert s.latest_week == weeks(6)[-1]
    assert s.line("restraint").weeks_since == 5
    assert s.line("restraint").weeks_observed == 6


def test_change_from_baseline_against_the_aim() -> None:
    # Baseline 12 weeks at 3 per 100 bed days (30 per 1,000); last 12 weeks at 1 (10 per 1,000).
    # The huddle is held the week after the last entered week: that week is the last complete one
    # (rrp.reports.figures: the week in progress is not yet due, so it is not in "recent").
    f = frame([3] * 12 + [2] * 6 + [1] * 12)
    after = weeks(30)[-1] + dt.timedelta(weeks=1)
    s = huddle_summary(f, today=after, measure="restraint")
    c = s.change
    assert c.baseline_weeks == 12 and c.recent_weeks == 12
    assert c.baseline_rate == pytest.approx(30.0)
    assert c.recent_rate == pytest.approx(10.0)
    assert c.change == pytest.approx(-2 / 3)
    assert c.meets_aim is True
    assert c.aim_reduction == pytest.approx(1 / 3)
    assert "Down 67%" in c.text() and "aim met" in c.text()
    # A 70% aim is not met by a 67% fall; a fixed baseline of 18 weeks moves the baseline.
    s = huddle_summary(f, today=after, measure="restraint", aim_reduction=0.7)
    assert s.change.meets_aim is False
    s = huddle_summary(f, today=after, measure="restraint", fix_after=18)
    assert s.change.baseline_weeks == 18
    assert s.change.baseline_rate == pytest.approx((36 + 12) / 1800 * 1000)


def test_change_leaves_out_the_week_in_progress() -> None:
    # Held on the last entered week's Monday: that week is still in progress, so "recent" is
    # the 12 complete weeks before it (11 of them at 1, one at 2), as the dashboard counts it.
    f = frame([3] * 12 + [2] * 6 + [1] * 12)
    s = huddle_summary(f, today=weeks(30)[-1], measure="restraint")
    assert s.change.recent_weeks == 12
    assert s.change.recent_rate == pytest.approx((11 + 2) / 1200 * 1000)


def test_change_from_baseline_zero_baseline_is_blank() -> None:
    f = frame([0] * 12 + [1] * 12)
    s = huddle_summary(f, today=weeks(24)[-1] + dt.timedelta(weeks=1))
    assert s.change.change is None and s.change.meets_aim is None
    assert "baseline rate is zero" in s.change.text()


@pytest.mark.parametrize("measure", list(HUDDLE_MEASURES))
@pytest.mark.parametrize("chart", ["run", "xmr", "u"])
def test_measure_switching_charts_that_measure(measure: str, chart: str) -> None:
    f = frame(
        [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3],
        seclusion=[0, 1, 0, 2, 0, 1, 0, 0, 3, 0, 1, 0, 0, 2, 1, 0],
        rt=[1, 0, 0, 0, 2, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 2],
        prone=[1, 0, 1, 0, 1, 2, 0, 1, 1, 0, 0, 2, 1, 1, 0, 0],
        bed_days=[120, 130, 125, 140, 110, 130, 135, 128, 131, 126, 119, 140, 138, 120, 125, 130],
    )
    s = huddle_summary(f, today=weeks(16)[-1], measure=measure, chart=chart)
    counts = (
        f["restraint"] + f["seclusion"] + f["rapid_tranquillisation"]
        if measure == "all_restrictive"
        else f[measure]
    )
    expected = compute_chart(
        counts.to_numpy(dtype=float),
        denominators=f["occupied_bed_days"].to_numpy(dtype=float),
        labels=weeks(16),
        chart=chart,
        per=1000,
        target=s.change.aim_rate if chart != "run" else None,
    )
    pd.testing.assert_frame_equal(s.result.points, expected.points)
    assert s.variation_icon == expected.summary["variation_icon"]
    assert s.measure == measure and s.chart == chart


def test_rebase_annotations_reach_the_engine() -> None:
    f = frame([5] * 14 + [1, 0, 1, 2, 0, 1, 1, 0, 1, 0, 1, 2, 1, 0], bed_days=100)
    rebase_on = weeks(28)[14]
    annotations = [
        Annotation(ward_code="W1", on_date=rebase_on, kind="rebase", measure="restraint", text="New ward manager"),
        # For another measure: must not touch the restraint chart.
        Annotation(ward_code="W1", on_date=weeks(28)[5], kind="rebase", measure="seclusion", text="Room closed"),
        Annotation(ward_code="W1", on_date=weeks(28)[20] + dt.timedelta(days=2), kind="note", text="Audit"),
        Annotation(ward_code="W1", on_date=weeks(28)[10], kind="pdsa", text="Cycle started: Soft words"),
        Annotation(ward_code="W1", on_date=weeks(28)[12], kind="pdsa", text="Change adopted: Soft words"),
    ]
    s = huddle_summary(f, today=weeks(28)[-1], measure="restraint", chart="u", annotations=annotations)
    assert s.rebases == [rebase_on]
    points = s.result.points
    assert list(points["segment"]) == [1] * 14 + [2] * 14
    expected = compute_chart(
        f["restraint"], denominators=f["occupied_bed_days"], labels=weeks(28), chart="u", per=1000,
        rebase_at=[rebase_on], target=s.change.aim_rate,
    )
    pd.testing.assert_frame_equal(points, expected.points)
    kinds = {(m.x, m.label, m.kind) for m in s.markers}
    assert (rebase_on, "R", "rebase") in kinds
    assert (weeks(28)[20], "N", "note") in kinds  # a Wednesday note marks its week
    assert (weeks(28)[10], "P", "started") in kinds
    assert (weeks(28)[12], "A", "adopted") in kinds
    assert not any(m.x == weeks(28)[5] for m in s.markers)
    # The seclusion chart takes the seclusion rebase, not the restraint one.
    s = huddle_summary(f, today=weeks(28)[-1], measure="seclusion", chart="u", annotations=annotations)
    assert s.rebases == [weeks(28)[5]]


def test_rebase_on_a_week_without_data_starts_at_the_next_point_and_extra_rebase_at() -> None:
    f = frame([2] * 20).drop(index=[10])
    s = huddle_summary(f, today=weeks(20)[-1], chart="xmr", rebase_at=[weeks(20)[10]])
    assert s.rebases == [weeks(20)[11]]
    assert s.result.points["segment"].max() == 2
    # A rebase at the first point or after the last is no rebase.
    s = huddle_summary(f, today=weeks(20)[-1], rebase_at=[weeks(20)[0], weeks(20)[-1] + dt.timedelta(weeks=3)])
    assert s.rebases == []


def test_fix_after_reaches_the_engine_and_bad_input_is_refused() -> None:
    values = [4, 5, 3, 4, 6, 5, 4, 3, 5, 4, 6, 5, 1, 1, 0, 1, 0, 1, 1, 0]
    f = frame(values)
    s = huddle_summary(f, today=weeks(20)[-1], chart="xmr", fix_after=12)
    centre = s.result.points["centre"]
    assert centre.nunique() == 1
    assert centre.iloc[0] == pytest.approx(sum(values[:12]) / 12 * 10)
    with pytest.raises(ValueError):
        huddle_summary(f, today=weeks(20)[-1], fix_after=5)
    with pytest.raises(ValueError):
        huddle_summary(f, today=weeks(20)[-1], measure="names")
    with pytest.raises(ValueError):
        huddle_summary(f, today=weeks(20)[-1], chart="c")


def test_no_data_gives_no_chart() -> None:
    f = frame([1]).iloc[0:0]
    s = huddle_summary(f, today=START, ward_code="W1")
    assert s.result is None and s.latest_week is None
    assert s.line("restraint").weeks_since_text == "no weeks entered"
    assert s.variation_text.startswith("No chart")
    assert s.change.change is None


def test_weeks_with_zero_bed_days_are_not_charted() -> None:
    f = frame([1, 2, 3], bed_days=[100, 0, 100])
    s = huddle_summary(f, today=weeks(3)[-1])
    assert list(s.result.points["x"]) == [weeks(3)[0], weeks(3)[2]]
    assert s.line("restraint").last_week == 2


def test_variation_words_and_pdsa_lines() -> None:
    from rrp.models.pdsa import PdsaCycle

    f = frame([5] * 8 + [0] * 8)
    running = [
        PdsaCycle(id="a" * 32, ward_code="W1", change_idea_code="SW1", title="Soft words", status="doing",
                  planned_end=weeks(16)[-1] + dt.timedelta(days=20)),
        PdsaCycle(id="b" * 32, ward_code="W1", change_idea_code="SW2", title="Talk down", status="doing",
                  planned_end=weeks(16)[-1]),
    ]
    s = huddle_summary(f, today=weeks(16)[-1], chart="xmr", running=running, due=running[1:])
    assert s.variation_icon == "improvement_low"
    assert s.variation_text == "[L] Special cause improvement (low)"
    assert [p.title for p in s.running] == ["Talk down", "Soft words"]
    assert [p.title for p in s.due_for_study] == ["Talk down"]


def test_icon_words_and_colours() -> None:
    assert icons_text.variation_text("common_cause") == "Common cause variation"
    assert icons_text.variation_text("concern_high") == "[H] Special cause concern (high)"
    assert icons_text.variation_text(None).startswith("No variation icon")
    assert len(icons_text.variation_text("neither_high", short=True)) <= 31
    assert icons_text.assurance_text("pass") == "[P] Consistently passing the target"
    assert icons_text.assurance_text("hit_and_miss").startswith("[?] Hit and miss")
    assert icons_text.variation_colour("improvement_low") == icons_text.IMPROVEMENT_COLOUR
    assert icons_text.variation_colour("concern_high") == icons_text.CONCERN_COLOUR
    assert icons_text.variation_colour("common_cause") == icons_text.COMMON_COLOUR
    assert icons_text.signal_colour("") == icons_text.COMMON_COLOUR
    assert icons_text.assurance_colour("fail") == icons_text.CONCERN_COLOUR
    for colour in icons_text.SIGNAL_COLOURS.values():  # never red or green
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert not (r > 180 and g < 90 and b < 90) and not (g > 180 and r < 90 and b < 90)
    assert next_in(("run", "xmr", "u"), "u") == "run"


class Recorder:
    """A plotext-like object that records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str):
        def record(*args, **kwargs):
            self.calls.append((name, args, kwargs))

        return record

    def named(self, name: str) -> list[tuple[tuple, dict]]:
        return [(a, k) for n, a, k in self.calls if n == name]


def test_draw_spc_chart_pure() -> None:
    from rrp.widgets.spc_chart import draw_spc_chart, marker_positions, short_date

    f = frame([5] * 8 + [0] * 8)
    s = huddle_summary(f, today=weeks(16)[-1], chart="xmr", rebase_at=[weeks(16)[12]])
    plt = Recorder()
    drawn = draw_spc_chart(
        plt, s.result.points, markers=[(weeks(16)[12], "R"), (weeks(16)[3] + dt.timedelta(days=1), "N")],
        title="Restraint", width=80,
    )
    assert drawn["n"] == 16
    assert drawn["markers"] == [(4, "N"), (12, "R")]
    assert drawn["signals"].get("improvement", 0) >= 1
    assert plt.named("title") == [(("Restraint",), {})]
    assert len(plt.named("vline")) == 2
    # Centre lines drawn per segment (two segments): never joined across the rebase.
    centre_lines = [a for a, k in plt.named("plot") if k.get("marker") == "─"]
    assert [len(a[0]) for a in centre_lines] == [12, 4]
    improvement = [a for a, k in plt.named("scatter") if k["color"] == (0x28, 0x9D, 0xE0)]
    assert improvement
    ticks = plt.named("xticks")[0][0]
    assert ticks[0][-1] == 15 and ticks[1][-1] == short_date(weeks(16)[-1])
    # window: only the last points are drawn.
    assert draw_spc_chart(Recorder(), s.result.points, window=5)["n"] == 5
    assert marker_positions([1, 2, 3], [(0, "X"), (2, "A"), (2, "B"), (9, "Z")]) == [(1, "AB")]
    assert short_date(dt.date(2026, 11, 16)) == "16 Nov"
    assert short_date(dt.date(2026, 11, 16), span_days=400) == "Nov 26"


def test_provisional_weeks_are_drawn_hollow_apart_from_the_points() -> None:
    from rrp.widgets.spc_chart import PROVISIONAL_SHAPE, draw_spc_chart

    f = frame([5] * 8 + [0] * 8)
    w = weeks(18)
    s = huddle_summary(f, today=w[15], chart="xmr")
    plt = Recorder()
    # One between two points (an old week saved early), one after the last, one before the first.
    provisional = [(w[15] + dt.timedelta(weeks=1), 7.0), (w[3] - dt.timedelta(days=1), 2.0),
                   (w[0] - dt.timedelta(weeks=1), 9.0)]
    drawn = draw_spc_chart(plt, s.result.points, markers=[(w[15] + dt.timedelta(weeks=1), "N")], provisional=provisional)
    assert drawn["n"] == 16
    assert [(p, v) for _, p, v in drawn["provisional"]] == [(2.5, 2.0), (16, 7.0)]
    hollow = [a for a, k in plt.named("scatter") if k["marker"] == PROVISIONAL_SHAPE]
    assert hollow == [([2.5, 16], [2.0, 7.0])]
    assert (16, "N") in drawn["markers"]  # a note on the provisional week is on it
    assert plt.named("xlim")[-1][0] == (-0.5, 16.5)


def test_draw_spc_chart_on_real_plotext_is_deterministic() -> None:
    from textual_plotext.plot import Plot

    from rrp.widgets.spc_chart import draw_spc_chart

    f = frame([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4])
    s = huddle_summary(f, today=weeks(20)[-1], chart="u")
    outputs = []
    for _ in range(2):
        plt = Plot()
        draw_spc_chart(plt, s.result.points, markers=[(weeks(20)[5], "P")], title="All restrictive")
        plt.plotsize(70, 14)
        outputs.append(plt.uncolorize(plt.build()))
    assert outputs[0] == outputs[1]
    assert "All restrictive" in outputs[0] and "P" in outputs[0]
    assert not any(math.isnan(v) for v in s.result.points["value"])


def test_widget_icon_text() -> None:
    from rrp.widgets.icons import assurance_icon_text, variation_icon_text

    text = variation_icon_text("improvement_low")
    assert text.plain == "[L] Special cause improvement (low)" and icons_text.IMPROVEMENT_COLOUR in str(text.style)
    assert assurance_icon_text("fail").plain == "[F] Consistently failing the target"
